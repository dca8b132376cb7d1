/*
 * Text values for the dump: " key=value" for top-level fields, nested
 * values in a compact JSON-like form, strings unquoted when they are plain.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "dump.h"

static void
text_before_value(struct text_sink *t)
{
	if (t->depth > 0 && !t->first)
		dump_out_bytes(t->out, ",", 1);
	t->first = false;
}

static void
text_key(struct field_sink *s, const char *key)
{
	struct text_sink *t = (struct text_sink *)s;

	if (t->depth == 0) {
		dump_out_bytes(t->out, " ", 1);
	} else if (!t->first) {
		dump_out_bytes(t->out, ",", 1);
	}
	dump_out_str(t->out, key);
	dump_out_bytes(t->out, t->depth == 0 ? "=" : ":", 1);
	t->first = true;	/* the value follows without a comma */
}

static void
text_uint(struct field_sink *s, uint64_t v)
{
	struct text_sink *t = (struct text_sink *)s;

	text_before_value(t);
	dump_out_u64(t->out, v);
}

static void
text_sint(struct field_sink *s, int64_t v)
{
	struct text_sink *t = (struct text_sink *)s;

	text_before_value(t);
	dump_out_i64(t->out, v);
}

static void
text_number(struct field_sink *s, double v)
{
	struct text_sink *t = (struct text_sink *)s;

	text_before_value(t);
	dump_out_double(t->out, v);
}

static void
text_bool(struct field_sink *s, bool v)
{
	struct text_sink *t = (struct text_sink *)s;

	text_before_value(t);
	dump_out_str(t->out, v ? "true" : "false");
}

static void
text_null(struct field_sink *s)
{
	struct text_sink *t = (struct text_sink *)s;

	text_before_value(t);
	dump_out_str(t->out, "null");
}

/* Plain strings print as they are; others quoted like JSON. */
static void
text_string(struct field_sink *s, const char *v, size_t n)
{
	struct text_sink *t = (struct text_sink *)s;
	size_t i;

	text_before_value(t);
	for (i = 0; i < n; i++)
		if (v[i] <= ' ' || v[i] == '"' || v[i] == '\\' ||
		    v[i] == ',' || (unsigned char)v[i] >= 0x7f)
			break;
	if (i == n && n > 0)
		dump_out_bytes(t->out, v, n);
	else
		json_out_string(t->out, v, n);
}

static void
text_begin(struct field_sink *s, bool array)
{
	struct text_sink *t = (struct text_sink *)s;

	text_before_value(t);
	dump_out_bytes(t->out, array ? "[" : "{", 1);
	t->depth++;
	t->first = true;
}

static void
text_end(struct field_sink *s, bool array)
{
	struct text_sink *t = (struct text_sink *)s;

	dump_out_bytes(t->out, array ? "]" : "}", 1);
	t->depth--;
	t->first = false;
}

static const struct field_sink_ops text_ops = {
	text_key, text_uint, text_sint, text_number, text_bool, text_null,
	text_string, text_begin, text_end,
};

void
text_sink_init(struct text_sink *t, struct dump_out *o)
{
	t->sink.ops = &text_ops;
	t->out = o;
	t->depth = 0;
	t->first = true;
}
