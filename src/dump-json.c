/* JSON values for the dump: a field sink, and string quoting. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "dump.h"

static const char hexdigits[] = "0123456789abcdef";

static void
escape_byte(struct dump_out *o, uint8_t b)
{
	char esc[6] = { '\\', 'u', '0', '0', hexdigits[b >> 4],
	    hexdigits[b & 15] };

	dump_out_bytes(o, esc, sizeof(esc));
}

/* Length of a valid UTF-8 sequence at p, 0 if there is none. */
static size_t
utf8_sequence(const uint8_t *p, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * Quotes bytes from the wire as a JSON string.  Bytes that are not valid
 * UTF-8 are written as \u00XX (read as Latin-1), so the output is always
 * valid JSON and nothing is silently dropped.
 */
void
json_out_string(struct dump_out *o, const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0, run = 0, seq;

	dump_out_bytes(o, "\"", 1);
	while (i < n) {
		if (p[i] >= 0x20 && p[i] < 0x80 && p[i] != '"' &&
		    p[i] != '\\') {
			i++;
			run++;
			continue;
		}
		dump_out_bytes(o, s + i - run, run);
		run = 0;
		if (p[i] == '"' || p[i] == '\\') {
			dump_out_bytes(o, "\\", 1);
			dump_out_bytes(o, s + i, 1);
			i++;
		} else if (p[i] < 0x20) {
			escape_byte(o, p[i++]);
		} else if ((seq = utf8_sequence(p + i, n - i)) > 0) {
			dump_out_bytes(o, s + i, seq);
			i += seq;
		} else {
			escape_byte(o, p[i++]);
		}
	}
	dump_out_bytes(o, s + i - run, run);
	dump_out_bytes(o, "\"", 1);
}

static void
json_separator(struct json_sink *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first)
		dump_out_bytes(j->out, ",", 1);
	j->first = false;
}

static void
json_key(struct field_sink *s, const char *key, size_t len)
{
	struct json_sink *j = (struct json_sink *)s;

	json_separator(j);
	json_out_string(j->out, key, len);
	dump_out_bytes(j->out, ":", 1);
	j->after_key = true;
}

static void
json_uint(struct field_sink *s, uint64_t v)
{
	struct json_sink *j = (struct json_sink *)s;

	json_separator(j);
	dump_out_u64(j->out, v);
}

static void
json_sint(struct field_sink *s, int64_t v)
{
	struct json_sink *j = (struct json_sink *)s;

	json_separator(j);
	dump_out_i64(j->out, v);
}

static void
json_number(struct field_sink *s, double v)
{
	struct json_sink *j = (struct json_sink *)s;

	json_separator(j);
	dump_out_double(j->out, v);
}

static void
json_bool(struct field_sink *s, bool v)
{
	struct json_sink *j = (struct json_sink *)s;

	json_separator(j);
	dump_out_str(j->out, v ? "true" : "false");
}

static void
json_null(struct field_sink *s)
{
	struct json_sink *j = (struct json_sink *)s;

	json_separator(j);
	dump_out_str(j->out, "null");
}

static void
json_string(struct field_sink *s, const char *v, size_t n)
{
	struct json_sink *j = (struct json_sink *)s;

	json_separator(j);
	json_out_string(j->out, v, n);
}

static void
json_begin(struct field_sink *s, bool array)
{
	struct json_sink *j = (struct json_sink *)s;

	json_separator(j);
	dump_out_bytes(j->out, array ? "[" : "{", 1);
	j->first = true;
}

static void
json_end(struct field_sink *s, bool array)
{
	struct json_sink *j = (struct json_sink *)s;

	dump_out_bytes(j->out, array ? "]" : "}", 1);
	j->first = false;
}

/* Notes are for people: the JSON dump has the fields. */
static const struct field_sink_ops json_ops = {
	json_key, json_uint, json_sint, json_number, json_bool, json_null,
	json_string, json_begin, json_end, NULL,
};

void
json_sink_init(struct json_sink *j, struct dump_out *o)
{
	j->sink.ops = &json_ops;
	j->out = o;
	j->first = true;
	j->after_key = false;
}
