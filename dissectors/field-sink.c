#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "field-sink.h"

void
field_cstr(struct field_sink *s, const char *key, const char *v)
{
	field_str(s, key, v, strlen(v));
}

void
note_init(struct note *n)
{
	n->len = 0;
	n->buf[0] = '\0';
}

void
note_add(struct note *n, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (n->len >= sizeof(n->buf) - 1)
		return;
	va_start(ap, fmt);
	w = vsnprintf(n->buf + n->len, sizeof(n->buf) - n->len, fmt, ap);
	va_end(ap);
	if (w > 0)
		n->len += (size_t)w < sizeof(n->buf) - n->len ? (size_t)w :
		    sizeof(n->buf) - n->len - 1;
}

void
note_add_str(struct note *n, const char *s)
{
	size_t len = strlen(s);

	if (len > sizeof(n->buf) - 1 - n->len)
		len = sizeof(n->buf) - 1 - n->len;
	memcpy(n->buf + n->len, s, len);
	n->len += len;
	n->buf[n->len] = '\0';
}

void
note_add_bytes(struct note *n, const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len && n->len < sizeof(n->buf) - 1; i++)
		n->buf[n->len++] = (unsigned char)p[i] < 0x20 ||
		    p[i] == 0x7f ? '.' : p[i];
	n->buf[n->len] = '\0';
}

void
note_emit(struct note *n, struct field_sink *s)
{
	if (s->ops->note != NULL)
		s->ops->note(s, n->buf, n->len);
}
