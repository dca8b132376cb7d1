/*
 * Text values for the dump.  A decoder's note (a phrase for people) is
 * printed in place of its fields, wherever it comes among them; without one, top-level fields print as
 * " key=value", nested values in a compact JSON-like form cut at
 * TEXT_NESTED_MAX characters, and plain strings unquoted.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "dump.h"

#define TEXT_NESTED_MAX	160U

/* Whether output goes on: nothing after a note, nested values bounded. */
static bool
text_open(struct text_sink *t)
{
	if (t->quiet)
		return false;
	if (t->depth == 0)
		return true;
	if (t->out->len - t->nested_start < TEXT_NESTED_MAX)
		return true;
	if (!t->cut) {
		dump_out_str(t->out, "…");
		t->cut = true;
	}
	return false;
}

static bool
text_before_value(struct text_sink *t)
{
	bool comma = t->depth > 0 && !t->first;

	t->first = false;
	if (!text_open(t))
		return false;
	if (comma)
		dump_out_bytes(t->out, ",", 1);
	return true;
}

static void
text_key(struct field_sink *s, const char *key, size_t len)
{
	struct text_sink *t = (struct text_sink *)s;
	bool comma = t->depth > 0 && !t->first;

	t->first = true;	/* the value follows without a comma */
	if (!text_open(t))
		return;
	dump_out_bytes(t->out, t->depth == 0 ? " " : comma ? "," : "", t->depth
	    == 0 || comma ? 1 : 0);
	dump_out_bytes(t->out, key, len);
	dump_out_bytes(t->out, t->depth == 0 ? "=" : ":", 1);
}

static void
text_uint(struct field_sink *s, uint64_t v)
{
	struct text_sink *t = (struct text_sink *)s;

	if (text_before_value(t))
		dump_out_u64(t->out, v);
}

static void
text_sint(struct field_sink *s, int64_t v)
{
	struct text_sink *t = (struct text_sink *)s;

	if (text_before_value(t))
		dump_out_i64(t->out, v);
}

static void
text_number(struct field_sink *s, double v)
{
	struct text_sink *t = (struct text_sink *)s;

	if (text_before_value(t))
		dump_out_double(t->out, v);
}

static void
text_bool(struct field_sink *s, bool v)
{
	struct text_sink *t = (struct text_sink *)s;

	if (text_before_value(t))
		dump_out_str(t->out, v ? "true" : "false");
}

static void
text_null(struct field_sink *s)
{
	struct text_sink *t = (struct text_sink *)s;

	if (text_before_value(t))
		dump_out_str(t->out, "null");
}

/* Plain strings print as they are; others quoted like JSON. */
static void
text_string(struct field_sink *s, const char *v, size_t n)
{
	struct text_sink *t = (struct text_sink *)s;
	size_t i;

	if (!text_before_value(t))
		return;
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

	if (text_before_value(t)) {
		if (t->depth == 0) {
			t->nested_start = t->out->len;
			t->cut = false;
		}
		dump_out_bytes(t->out, array ? "[" : "{", 1);
	}
	t->depth++;
	t->first = true;
}

static void
text_end(struct field_sink *s, bool array)
{
	struct text_sink *t = (struct text_sink *)s;

	if (text_open(t))
		dump_out_bytes(t->out, array ? "]" : "}", 1);
	t->depth--;
	t->first = false;
}

/* A note replaces the fields printed so far, and those to come. */
static void
text_note(struct field_sink *s, const char *v, size_t n)
{
	struct text_sink *t = (struct text_sink *)s;

	if (!t->quiet)
		t->out->len = t->start;
	dump_out_bytes(t->out, " ", 1);
	dump_out_bytes(t->out, v, n);
	t->quiet = true;
}

static const struct field_sink_ops text_ops = {
	text_key, text_uint, text_sint, text_number, text_bool, text_null,
	text_string, text_begin, text_end, text_note,
};

void
text_sink_init(struct text_sink *t, struct dump_out *o)
{
	memset(t, 0, sizeof(*t));
	t->sink.ops = &text_ops;
	t->out = o;
	t->start = o->len;
	t->first = true;
}
