/* The recording field sink of the unit tests (rec-sink.h). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rec-sink.h"

static void
rec_append(struct rec_sink *r, const char *s, size_t n)
{
	r->calls++;
	if (n > sizeof(r->buf) - 1 - r->len)
		n = sizeof(r->buf) - 1 - r->len;
	memcpy(r->buf + r->len, s, n);
	r->len += n;
	r->buf[r->len] = '\0';
}

static void
rec_printf(struct rec_sink *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
rec_printf(struct rec_sink *r, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		rec_append(r, tmp, (size_t)n < sizeof(tmp) ? (size_t)n :
		    sizeof(tmp) - 1);
}

static void
rec_key(struct field_sink *s, const char *key, size_t len)
{
	rec_append((struct rec_sink *)s, key, len);
	rec_append((struct rec_sink *)s, "=", 1);
}

static void
rec_uint(struct field_sink *s, uint64_t v)
{
	rec_printf((struct rec_sink *)s, "%llu;", (unsigned long long)v);
}

static void
rec_sint(struct field_sink *s, int64_t v)
{
	rec_printf((struct rec_sink *)s, "%lld;", (long long)v);
}

static void
rec_number(struct field_sink *s, double v)
{
	rec_printf((struct rec_sink *)s, "%g;", v);
}

static void
rec_boolean(struct field_sink *s, bool v)
{
	rec_printf((struct rec_sink *)s, "%s;", v ? "true" : "false");
}

static void
rec_null(struct field_sink *s)
{
	rec_printf((struct rec_sink *)s, "null;");
}

static void
rec_string(struct field_sink *s, const char *v, size_t n)
{
	rec_append((struct rec_sink *)s, v, n);
	rec_append((struct rec_sink *)s, ";", 1);
}

static void
rec_begin(struct field_sink *s, bool array)
{
	rec_append((struct rec_sink *)s, array ? "[" : "{", 1);
}

static void
rec_end(struct field_sink *s, bool array)
{
	rec_append((struct rec_sink *)s, array ? "];" : "};", 2);
}

static const struct field_sink_ops rec_ops = {
	.key = rec_key,
	.uint = rec_uint,
	.sint = rec_sint,
	.number = rec_number,
	.boolean = rec_boolean,
	.null = rec_null,
	.string = rec_string,
	.begin = rec_begin,
	.end = rec_end,
};

void
rec_init(struct rec_sink *r)
{
	memset(r, 0, sizeof(*r));
	r->sink.ops = &rec_ops;
}

