/*
 * The AMF3 decoder: every marker, every U29 width, the three reference
 * tables, the limits, and every prefix of every vector.  Values go to a
 * recording sink that renders compact JSON and checks that what it was
 * given is one well-formed value (keys only in objects, every begin
 * closed), so each vector is one line of bytes and one line of JSON.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "amf.h"
#include "hard-limits.h"

/* ---- a sink that renders JSON and checks the shape it is given ---- */

#define REC_DEPTH	256
#define REC_SIZE	(1U << 16)

struct rec {
	struct field_sink	 sink;
	char			 buf[REC_SIZE];
	size_t			 len;
	bool			 overflow;
	bool			 is_array[REC_DEPTH];
	bool			 first[REC_DEPTH];
	int			 depth;
	bool			 have_key;
	int			 top_values;
	int			 errors;
};

static struct rec *
rec_of(struct field_sink *s)
{
	return (struct rec *)(void *)s;
}

static void	rec_put(struct rec *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
rec_put(struct rec *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(r->buf + r->len, sizeof(r->buf) - r->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(r->buf) - r->len) {
		r->overflow = true;
		r->buf[r->len] = '\0';
		return;
	}
	r->len += (size_t)n;
}

static void
rec_quoted(struct rec *r, const char *p, size_t n)
{
	size_t i;
	unsigned char ch;

	rec_put(r, "\"");
	for (i = 0; i < n; i++) {
		ch = (unsigned char)p[i];
		if (ch == '"' || ch == '\\')
			rec_put(r, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			rec_put(r, "\\u%04x", ch);
		else
			rec_put(r, "%c", ch);
	}
	rec_put(r, "\"");
}

/* What comes before any value: a comma, and the checks of its place. */
static void
rec_value(struct rec *r)
{
	if (r->depth == 0) {
		if (++r->top_values > 1)
			r->errors++;
		return;
	}
	if (r->is_array[r->depth - 1]) {
		if (!r->first[r->depth - 1])
			rec_put(r, ",");
		r->first[r->depth - 1] = false;
		return;
	}
	if (!r->have_key)
		r->errors++;
	r->have_key = false;
}

static void
rec_key(struct field_sink *s, const char *k, size_t n)
{
	struct rec *r = rec_of(s);

	if (r->depth == 0 || r->is_array[r->depth - 1] || r->have_key) {
		r->errors++;
		return;
	}
	if (!r->first[r->depth - 1])
		rec_put(r, ",");
	r->first[r->depth - 1] = false;
	rec_quoted(r, k, n);
	rec_put(r, ":");
	r->have_key = true;
}

static void
rec_uint(struct field_sink *s, uint64_t v)
{
	rec_value(rec_of(s));
	rec_put(rec_of(s), "%" PRIu64, v);
}

static void
rec_sint(struct field_sink *s, int64_t v)
{
	rec_value(rec_of(s));
	rec_put(rec_of(s), "%" PRId64, v);
}

static void
rec_number(struct field_sink *s, double v)
{
	rec_value(rec_of(s));
	rec_put(rec_of(s), "%.15g", v);
}

static void
rec_boolean(struct field_sink *s, bool v)
{
	rec_value(rec_of(s));
	rec_put(rec_of(s), "%s", v ? "true" : "false");
}

static void
rec_null(struct field_sink *s)
{
	rec_value(rec_of(s));
	rec_put(rec_of(s), "null");
}

static void
rec_string(struct field_sink *s, const char *p, size_t n)
{
	rec_value(rec_of(s));
	rec_quoted(rec_of(s), p, n);
}

static void
rec_begin(struct field_sink *s, bool array)
{
	struct rec *r = rec_of(s);

	rec_value(r);
	if (r->depth == REC_DEPTH) {
		r->errors++;
		return;
	}
	r->is_array[r->depth] = array;
	r->first[r->depth] = true;
	r->depth++;
	rec_put(r, "%c", array ? '[' : '{');
}

static void
rec_end(struct field_sink *s, bool array)
{
	struct rec *r = rec_of(s);

	if (r->depth == 0 || r->is_array[r->depth - 1] != array ||
	    r->have_key) {
		r->errors++;
		return;
	}
	r->depth--;
	rec_put(r, "%c", array ? ']' : '}');
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

static struct rec	rec;
static struct amf_refs	refs;

static void
rec_init(struct rec *r)
{
	memset(r, 0, sizeof(*r));
	r->sink.ops = &rec_ops;
}

static bool
rec_well_formed(const struct rec *r)
{
	return r->errors == 0 && r->depth == 0 && r->top_values == 1 &&
	    !r->have_key;
}

/*
 * Decodes one AMF3 value from a copy of the bytes of exactly their size
 * (so that the sanitizers see any read past them) into the recorder.
 */
static enum msg_status
decode(const uint8_t *bytes, size_t len, struct cursor *out_cursor)
{
	struct cursor c;
	enum msg_status st;
	uint8_t *copy;

	copy = malloc(len > 0 ? len : 1);
	assert_non_null(copy);
	if (len > 0)
		memcpy(copy, bytes, len);
	rec_init(&rec);
	amf_refs_init(&refs, copy);
	cursor_init(&c, copy, len);
	st = amf3_decode(&c, &refs, &rec.sink, 0);
	free(copy);
	c.data = NULL;
	if (out_cursor != NULL)
		*out_cursor = c;
	assert_true(rec_well_formed(&rec));
	/* A failure that stopped decoding marks the cursor. */
	if (st == MSG_TRUNCATED)
		assert_int_equal(c.status, CURSOR_TRUNCATED);
	if (st == MSG_OK)
		assert_int_equal(c.status, CURSOR_OK);
	return st;
}

/* Every strict prefix of a value ends in a status and a closed value. */
static void
check_prefixes(const uint8_t *bytes, size_t len)
{
	size_t n;

	for (n = 0; n < len; n++)
		assert_int_not_equal(decode(bytes, n, NULL), MSG_OK);
}

/* ---- a little builder for vectors too long to write out ---- */

struct buf {
	uint8_t		*p;
	size_t		 len;
	size_t		 cap;
};

static void
b_u8(struct buf *b, uint8_t v)
{
	if (b->len == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 256;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	b->p[b->len++] = v;
}

static void
b_u29(struct buf *b, uint32_t v)
{
	if (v < 0x80) {
		b_u8(b, (uint8_t)v);
	} else if (v < 0x4000) {
		b_u8(b, (uint8_t)(v >> 7 | 0x80));
		b_u8(b, v & 0x7f);
	} else if (v < 0x200000) {
		b_u8(b, (uint8_t)(v >> 14 | 0x80));
		b_u8(b, (uint8_t)(v >> 7 | 0x80));
		b_u8(b, v & 0x7f);
	} else {
		b_u8(b, (uint8_t)(v >> 22 | 0x80));
		b_u8(b, (uint8_t)(v >> 15 | 0x80));
		b_u8(b, (uint8_t)(v >> 8 | 0x80));
		b_u8(b, v & 0xff);
	}
}

/* An inline UTF-8-vr. */
static void
b_str(struct buf *b, const char *s)
{
	size_t n = strlen(s);

	b_u29(b, (uint32_t)n << 1 | 1);
	while (*s != '\0')
		b_u8(b, (uint8_t)*s++);
}

static void
b_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* ---- vectors: name, status, JSON, bytes ---- */

#define D_1_5		0x3f, 0xf8, 0, 0, 0, 0, 0, 0
#define D_DATE		0x42, 0x78, 0xbc, 0xfe, 0x56, 0x80, 0, 0
#define J_DATE		"{\"$date\":1700000000000}"

#define VECTORS(X)							\
	X(marker_undefined, MSG_OK, "null", 0x00)	\
	X(marker_null, MSG_OK, "null", 0x01)	\
	X(marker_false, MSG_OK, "false", 0x02)	\
	X(marker_true, MSG_OK, "true", 0x03)	\
	X(int_zero, MSG_OK, "0", 0x04, 0x00)				\
	X(int_u29_1_max, MSG_OK, "127", 0x04, 0x7f)			\
	X(int_u29_2_min, MSG_OK, "128", 0x04, 0x81, 0x00)		\
	X(int_u29_2_max, MSG_OK, "16383", 0x04, 0xff, 0x7f)		\
	X(int_u29_3_min, MSG_OK, "16384", 0x04, 0x81, 0x80, 0x00)	\
	X(int_u29_3_max, MSG_OK, "2097151", 0x04, 0xff, 0xff, 0x7f)	\
	X(int_u29_4_min, MSG_OK, "2097152",				\
	    0x04, 0x80, 0xc0, 0x80, 0x00)				\
	X(int_max, MSG_OK, "268435455", 0x04, 0xbf, 0xff, 0xff, 0xff)	\
	X(int_minus_1, MSG_OK, "-1", 0x04, 0xff, 0xff, 0xff, 0xff)	\
	X(int_min, MSG_OK, "-268435456", 0x04, 0xc0, 0x80, 0x80, 0x00)	\
	X(double_1_5, MSG_OK, "1.5", 0x05, D_1_5)	\
	X(string, MSG_OK, "\"hello\"", 0x06, 0x0b, 'h', 'e', 'l', 'l', 'o') \
	X(string_empty, MSG_OK, "\"\"", 0x06, 0x01)			\
	X(string_raw_bytes, MSG_OK, "\"a\\\"\\u0001\\u00ff\"",		\
	    0x06, 0x09, 'a', '"', 0x01, 0xff)				\
	X(string_refs, MSG_OK, "[\"a\",\"a\",\"\"]",			\
	    0x09, 0x07, 0x01, 0x06, 0x03, 'a', 0x06, 0x00, 0x06, 0x01)	\
	X(string_empty_not_in_table, MSG_OK, "[\"\",\"b\",\"b\"]",	\
	    0x09, 0x07, 0x01, 0x06, 0x01, 0x06, 0x03, 'b', 0x06, 0x00)	\
	X(string_ref_unknown, MSG_MALFORMED, "[{\"$ref\":1},true]",	\
	    0x09, 0x05, 0x01, 0x06, 0x02, 0x03)				\
	X(xml_document, MSG_OK, "\"<a/>\"",				\
	    0x07, 0x09, '<', 'a', '/', '>')				\
	X(xml, MSG_OK, "\"<b/>\"", 0x0b, 0x09, '<', 'b', '/', '>')	\
	X(xml_ref, MSG_OK, "[\"<b/>\",\"<b/>\"]",			\
	    0x09, 0x05, 0x01, 0x0b, 0x09, '<', 'b', '/', '>', 0x0b, 0x02) \
	X(date, MSG_OK, J_DATE, 0x08, 0x01, D_DATE)			\
	X(date_ref, MSG_OK, "[" J_DATE "," J_DATE "]",			\
	    0x09, 0x05, 0x01, 0x08, 0x01, D_DATE, 0x08, 0x02)		\
	X(array_empty, MSG_OK, "[]", 0x09, 0x01, 0x01)			\
	X(array_dense, MSG_OK, "[1,2,3]",				\
	    0x09, 0x07, 0x01, 0x04, 0x01, 0x04, 0x02, 0x04, 0x03)	\
	X(array_mixed, MSG_OK, "{\"a\":1,\"b\":false,\"0\":\"x\",\"1\":true}", \
	    0x09, 0x05, 0x03, 'a', 0x04, 0x01, 0x03, 'b', 0x02, 0x01,	\
	    0x06, 0x03, 'x', 0x03)					\
	X(array_assoc_only, MSG_OK, "{\"k\":null}",			\
	    0x09, 0x01, 0x03, 'k', 0x01, 0x01)				\
	X(array_nested, MSG_OK, "[[1,[]],[]]",				\
	    0x09, 0x05, 0x01, 0x09, 0x05, 0x01, 0x04, 0x01,		\
	    0x09, 0x01, 0x01, 0x09, 0x01, 0x01)				\
	X(array_ref, MSG_OK, "[[7],[7]]",				\
	    0x09, 0x05, 0x01, 0x09, 0x03, 0x01, 0x04, 0x07, 0x09, 0x02)	\
	X(object_anonymous_dynamic, MSG_OK, "{\"a\":1}",		\
	    0x0a, 0x0b, 0x01, 0x03, 'a', 0x04, 0x01, 0x01)		\
	X(object_sealed, MSG_OK, "{\"$class\":\"Foo\",\"x\":1,\"y\":2}", \
	    0x0a, 0x23, 0x07, 'F', 'o', 'o', 0x03, 'x', 0x03, 'y',	\
	    0x04, 0x01, 0x04, 0x02)					\
	X(object_sealed_dynamic, MSG_OK,				\
	    "{\"$class\":\"Foo\",\"x\":1,\"z\":false}",			\
	    0x0a, 0x1b, 0x07, 'F', 'o', 'o', 0x03, 'x', 0x04, 0x01,	\
	    0x03, 'z', 0x02, 0x01)					\
	X(object_trait_ref, MSG_OK,					\
	    "[{\"$class\":\"Pt\",\"x\":1},{\"$class\":\"Pt\",\"x\":2}]", \
	    0x09, 0x05, 0x01, 0x0a, 0x13, 0x05, 'P', 't', 0x03, 'x',	\
	    0x04, 0x01, 0x0a, 0x01, 0x04, 0x02)				\
	X(object_ref, MSG_OK, "[{\"a\":1},{\"a\":1}]",			\
	    0x09, 0x05, 0x01, 0x0a, 0x0b, 0x01, 0x03, 'a', 0x04, 0x01,	\
	    0x01, 0x0a, 0x02)						\
	X(object_ref_sealed, MSG_OK,					\
	    "[{\"$class\":\"Pt\",\"x\":5},{\"$class\":\"Pt\",\"x\":5}]", \
	    0x09, 0x05, 0x01, 0x0a, 0x13, 0x05, 'P', 't', 0x03, 'x',	\
	    0x04, 0x05, 0x0a, 0x02)					\
	X(object_names_by_ref, MSG_OK,					\
	    "[\"Pt\",{\"$class\":\"Pt\",\"Pt\":\"x\"}]",		\
	    0x09, 0x05, 0x01, 0x06, 0x05, 'P', 't',			\
	    0x0a, 0x13, 0x00, 0x00, 0x06, 0x03, 'x')			\
	X(object_cycle, MSG_OK, "{\"self\":{\"$ref\":0}}",		\
	    0x0a, 0x0b, 0x01, 0x09, 's', 'e', 'l', 'f', 0x0a, 0x00, 0x01) \
	X(object_ref_unknown, MSG_MALFORMED, "[{\"$ref\":2},true]",	\
	    0x09, 0x05, 0x01, 0x0a, 0x04, 0x03)				\
	X(object_name_ref_unknown, MSG_MALFORMED, "{\"$ref:3\":true}",	\
	    0x0a, 0x0b, 0x01, 0x06, 0x03, 0x01)				\
	X(object_trait_ref_unknown, MSG_MALFORMED, "[null]",		\
	    0x09, 0x05, 0x01, 0x0a, 0x05, 0x03)				\
	X(externalizable, MSG_MALFORMED,				\
	    "[{\"$class\":\"Ext\",\"$externalizable\":true}]",		\
	    0x09, 0x05, 0x01, 0x0a, 0x07, 0x07, 'E', 'x', 't', 0x09,	\
	    0x01, 0x01, 0x03)						\
	X(byte_array, MSG_OK, "{\"$bytes\":3}",				\
	    0x0c, 0x07, 0xaa, 0xbb, 0xcc)				\
	X(byte_array_ref, MSG_OK, "[{\"$bytes\":1},{\"$bytes\":1}]",	\
	    0x09, 0x05, 0x01, 0x0c, 0x03, 0xaa, 0x0c, 0x02)		\
	X(vector_int, MSG_OK, "[-1,7]",					\
	    0x0d, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x07) \
	X(vector_uint, MSG_OK, "[4294967295,7]",			\
	    0x0e, 0x05, 0x01, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x07) \
	X(vector_double, MSG_OK, "[1.5]", 0x0f, 0x03, 0x00, D_1_5)	\
	X(vector_object, MSG_OK, "[\"a\",2]",				\
	    0x10, 0x05, 0x00, 0x03, '*', 0x06, 0x03, 'a', 0x04, 0x02)	\
	X(vector_ref, MSG_OK, "[[],[]]",				\
	    0x09, 0x05, 0x01, 0x0d, 0x01, 0x00, 0x0d, 0x02)		\
	X(dictionary, MSG_OK, "[[\"k\",1],[2,true]]",			\
	    0x11, 0x05, 0x00, 0x06, 0x03, 'k', 0x04, 0x01, 0x04, 0x02, 0x03) \
	X(dictionary_object_key, MSG_OK, "[[{\"a\":1},{\"a\":1}]]",	\
	    0x11, 0x03, 0x01, 0x0a, 0x0b, 0x01, 0x03, 'a', 0x04, 0x01,	\
	    0x01, 0x0a, 0x02)						\
	X(unknown_marker, MSG_MALFORMED, "[1,null]",			\
	    0x09, 0x05, 0x01, 0x04, 0x01, 0x12)				\
	X(truncated_string, MSG_TRUNCATED, "{\"a\":null}",		\
	    0x0a, 0x0b, 0x01, 0x03, 'a', 0x06, 0x07, 'a')

#define X_BYTES(name, st, json, ...)					\
	static const uint8_t vec_##name[] = { __VA_ARGS__ };
VECTORS(X_BYTES)

struct vector {
	const char		*name;
	const uint8_t		*bytes;
	size_t			 len;
	enum msg_status		 status;
	const char		*json;
};

#define X_ROW(name, st, json, ...)					\
	{ #name, vec_##name, sizeof(vec_##name), st, json },
static const struct vector vectors[] = { VECTORS(X_ROW) };

#define X_INDEX(name, ...)	VI_##name,
enum { VECTORS(X_INDEX) VI_COUNT };

static void
check_vector(const struct vector *v)
{
	struct cursor c;
	enum msg_status st;

	st = decode(v->bytes, v->len, &c);
	assert_string_equal(rec.buf, v->json);
	assert_int_equal(st, v->status);
	/* A value decoded whole ends at its last byte. */
	if (st == MSG_OK)
		assert_int_equal(c.off, v->len);
}

#define X_TEST(name, ...)						\
	static void							\
	test_##name(void **state)					\
	{								\
		(void)state;						\
		check_vector(&vectors[VI_##name]);			\
	}
VECTORS(X_TEST)

/* ---- tests that are not one vector ---- */

static void
test_u29_widths(void **state)
{
	static const struct {
		uint8_t		 bytes[4];
		size_t		 len;
		uint32_t	 value;
	} cases[] = {
		{ { 0x00 }, 1, 0 },
		{ { 0x7f }, 1, 0x7f },
		{ { 0x81, 0x00 }, 2, 0x80 },
		{ { 0xff, 0x7f }, 2, 0x3fff },
		{ { 0x81, 0x80, 0x00 }, 3, 0x4000 },
		{ { 0xff, 0xff, 0x7f }, 3, 0x1fffff },
		{ { 0x80, 0xc0, 0x80, 0x00 }, 4, 0x200000 },
		{ { 0xff, 0xff, 0xff, 0xff }, 4, 0x1fffffff },
	};
	struct cursor c;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cursor_init(&c, cases[i].bytes, sizeof(cases[i].bytes));
		assert_int_equal(amf3_read_u29(&c), cases[i].value);
		assert_true(cursor_ok(&c));
		assert_int_equal(c.off, cases[i].len);
		/* Short by one byte or more: truncated, zero. */
		for (n = 0; n < cases[i].len; n++) {
			cursor_init(&c, cases[i].bytes, n);
			assert_int_equal(amf3_read_u29(&c), 0);
			assert_int_equal(c.status, CURSOR_TRUNCATED);
		}
	}
}

/* Every vector, cut at every byte: no crash, a status, a closed value. */
static void
test_every_prefix(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < VI_COUNT; i++)
		check_prefixes(vectors[i].bytes, vectors[i].len);
}

/*
 * A Flex RPC call as a Flash client sends it, twice in an array: the
 * second message refers to the traits, strings and headers object of the
 * first.
 */
static void
test_remoting_message(void **state)
{
	static const char *members[] = {
		"body", "clientId", "destination", "headers", "messageId",
		"operation", "source", "timeToLive", "timestamp",
	};
	struct buf b = { 0 };
	size_t i;

	(void)state;
	b_u8(&b, AMF3_ARRAY);
	b_u29(&b, 2 << 1 | 1);
	b_u8(&b, 0x01);
	/* Object 1, string 0 the class name, strings 1-9 the members. */
	b_u8(&b, AMF3_OBJECT);
	b_u29(&b, 9 << 4 | 0x03);
	b_str(&b, "flex.messaging.messages.RemotingMessage");
	for (i = 0; i < 9; i++)
		b_str(&b, members[i]);
	b_u8(&b, AMF3_ARRAY);			/* body: object 2 */
	b_u29(&b, 1 << 1 | 1);
	b_u8(&b, 0x01);
	b_u8(&b, AMF3_STRING);
	b_str(&b, "hello");			/* string 10 */
	b_u8(&b, AMF3_NULL);			/* clientId */
	b_u8(&b, AMF3_STRING);
	b_str(&b, "echoService");		/* string 11 */
	b_u8(&b, AMF3_OBJECT);			/* headers: object 3 */
	b_u29(&b, 0x0b);
	b_u8(&b, 0x01);
	b_str(&b, "DSEndpoint");		/* string 12 */
	b_u8(&b, AMF3_STRING);
	b_str(&b, "my-amf");			/* string 13 */
	b_str(&b, "DSId");			/* string 14 */
	b_u8(&b, AMF3_STRING);
	b_str(&b, "nil");			/* string 15 */
	b_u8(&b, 0x01);
	b_u8(&b, AMF3_STRING);
	b_str(&b, "5A0E1C1B-7F2B-4B8A-9E64-1D2A3B4C5D6E");
	b_u8(&b, AMF3_STRING);
	b_str(&b, "echo");			/* string 17 */
	b_u8(&b, AMF3_NULL);			/* source */
	b_u8(&b, AMF3_INTEGER);
	b_u29(&b, 0);				/* timeToLive */
	b_u8(&b, AMF3_DOUBLE);			/* timestamp */
	b_u8(&b, 0);
	for (i = 0; i < 7; i++)
		b_u8(&b, 0);
	/* Object 4: the same traits, strings and headers by reference. */
	b_u8(&b, AMF3_OBJECT);
	b_u29(&b, 0 << 2 | 0x01);
	b_u8(&b, AMF3_ARRAY);
	b_u29(&b, 1 << 1 | 1);
	b_u8(&b, 0x01);
	b_u8(&b, AMF3_STRING);
	b_u29(&b, 15 << 1);			/* "nil" */
	b_u8(&b, AMF3_NULL);
	b_u8(&b, AMF3_STRING);
	b_u29(&b, 11 << 1);			/* "echoService" */
	b_u8(&b, AMF3_OBJECT);
	b_u29(&b, 3 << 1);			/* the headers */
	b_u8(&b, AMF3_STRING);
	b_str(&b, "second");
	b_u8(&b, AMF3_STRING);
	b_u29(&b, 17 << 1);			/* "echo" */
	b_u8(&b, AMF3_NULL);
	b_u8(&b, AMF3_INTEGER);
	b_u29(&b, 0x1fffffff);			/* -1 */
	b_u8(&b, AMF3_DOUBLE);
	b_u8(&b, 0x42), b_u8(&b, 0x78), b_u8(&b, 0xbc), b_u8(&b, 0xfe);
	b_u8(&b, 0x56), b_u8(&b, 0x80), b_u8(&b, 0x00), b_u8(&b, 0x00);

	assert_int_equal(decode(b.p, b.len, NULL), MSG_OK);
	assert_string_equal(rec.buf,
	    "[{\"$class\":\"flex.messaging.messages.RemotingMessage\","
	    "\"body\":[\"hello\"],\"clientId\":null,"
	    "\"destination\":\"echoService\","
	    "\"headers\":{\"DSEndpoint\":\"my-amf\",\"DSId\":\"nil\"},"
	    "\"messageId\":\"5A0E1C1B-7F2B-4B8A-9E64-1D2A3B4C5D6E\","
	    "\"operation\":\"echo\",\"source\":null,\"timeToLive\":0,"
	    "\"timestamp\":0},"
	    "{\"$class\":\"flex.messaging.messages.RemotingMessage\","
	    "\"body\":[\"nil\"],\"clientId\":null,"
	    "\"destination\":\"echoService\","
	    "\"headers\":{\"DSEndpoint\":\"my-amf\",\"DSId\":\"nil\"},"
	    "\"messageId\":\"second\","
	    "\"operation\":\"echo\",\"source\":null,\"timeToLive\":-1,"
	    "\"timestamp\":1700000000000}]");
	/* The message traits and the anonymous traits of the headers. */
	assert_int_equal(refs.ntraits, 2);
	assert_int_equal(refs.nmembers, 9);
	assert_int_equal(refs.nobjects, 6);
	assert_int_equal(refs.nstrings, 19);
	check_prefixes(b.p, b.len);
	b_free(&b);
}

/* Arrays 40 deep: the 33rd level is null, everything closed, malformed. */
static void
test_depth_limit(void **state)
{
	struct buf b = { 0 };
	char want[256];
	struct cursor c;
	size_t i, n = 0;

	(void)state;
	for (i = 0; i < 40; i++) {
		b_u8(&b, AMF3_ARRAY);
		b_u29(&b, 1 << 1 | 1);
		b_u8(&b, 0x01);
	}
	b_u8(&b, AMF3_TRUE);
	for (i = 0; i <= LIMIT_AMF_DEPTH; i++)
		want[n++] = '[';
	memcpy(want + n, "null", 4);
	n += 4;
	for (i = 0; i <= LIMIT_AMF_DEPTH; i++)
		want[n++] = ']';
	want[n] = '\0';
	assert_int_equal(decode(b.p, b.len, &c), MSG_MALFORMED);
	assert_int_equal(c.status, CURSOR_MALFORMED);
	assert_string_equal(rec.buf, want);
	check_prefixes(b.p, b.len);
	b_free(&b);
}

/* A count over LIMIT_AMF_ELEMENTS: an empty container, malformed. */
static void
test_element_limit(void **state)
{
	struct buf b = { 0 };
	struct cursor c;
	uint32_t i;

	(void)state;
	b_u8(&b, AMF3_ARRAY);
	b_u29(&b, (LIMIT_AMF_ELEMENTS + 1) << 1 | 1);
	b_u8(&b, 0x01);
	assert_int_equal(decode(b.p, b.len, &c), MSG_MALFORMED);
	assert_int_equal(c.status, CURSOR_MALFORMED);
	assert_string_equal(rec.buf, "[]");
	b_free(&b);

	b_u8(&b, AMF3_VECTOR_INT);
	b_u29(&b, (LIMIT_AMF_ELEMENTS + 1) << 1 | 1);
	b_u8(&b, 0x00);
	assert_int_equal(decode(b.p, b.len, NULL), MSG_MALFORMED);
	assert_string_equal(rec.buf, "[]");
	b_free(&b);

	/* Dynamic members have no count: the limit stops the loop. */
	b_u8(&b, AMF3_OBJECT);
	b_u29(&b, 0x0b);
	b_u8(&b, 0x01);
	b_str(&b, "k");
	b_u8(&b, AMF3_NULL);
	for (i = 1; i <= LIMIT_AMF_ELEMENTS; i++) {
		b_u29(&b, 0 << 1);		/* "k" again */
		b_u8(&b, AMF3_NULL);
	}
	b_u8(&b, 0x01);
	assert_int_equal(decode(b.p, b.len, &c), MSG_MALFORMED);
	assert_int_equal(c.status, CURSOR_MALFORMED);
	b_free(&b);
}

/*
 * More strings than the table keeps: the first AMF_REFS_MAX are kept, a
 * reference past them is {"$ref": n} and malformed, and decoding goes on.
 */
static void
test_string_table_full(void **state)
{
	struct buf b = { 0 };
	struct cursor c;
	char s[16];
	const char *tail;
	uint32_t i;

	(void)state;
	b_u8(&b, AMF3_ARRAY);
	b_u29(&b, (AMF_REFS_MAX + 4) << 1 | 1);
	b_u8(&b, 0x01);
	for (i = 0; i <= AMF_REFS_MAX; i++) {
		snprintf(s, sizeof(s), "s%u", (unsigned)i);
		b_u8(&b, AMF3_STRING);
		b_str(&b, s);
	}
	b_u8(&b, AMF3_STRING);
	b_u29(&b, AMF_REFS_MAX << 1);
	b_u8(&b, AMF3_STRING);
	b_u29(&b, (AMF_REFS_MAX - 1) << 1);
	b_u8(&b, AMF3_TRUE);
	assert_int_equal(decode(b.p, b.len, &c), MSG_MALFORMED);
	assert_int_equal(c.status, CURSOR_OK);
	assert_int_equal(refs.nstrings, AMF_REFS_MAX);
	tail = rec.buf + strlen(rec.buf) - strlen(
	    "\"s1024\",{\"$ref\":1024},\"s1023\",true]");
	assert_string_equal(tail, "\"s1024\",{\"$ref\":1024},\"s1023\",true]");
	b_free(&b);
}

/*
 * Traits whose member names do not fit the member table still take their
 * index; an object that refers to them cannot be decoded.
 */
static void
test_member_table_full(void **state)
{
	struct buf b = { 0 };
	struct cursor c;
	uint32_t i;

	(void)state;
	b_u8(&b, AMF3_ARRAY);
	b_u29(&b, 3 << 1 | 1);
	b_u8(&b, 0x01);
	b_u8(&b, AMF3_OBJECT);
	b_u29(&b, (AMF_REFS_MAX + 1) << 4 | 0x03);
	b_str(&b, "Big");
	b_str(&b, "m");
	for (i = 1; i <= AMF_REFS_MAX; i++)
		b_u29(&b, 1 << 1);		/* "m" again */
	for (i = 0; i <= AMF_REFS_MAX; i++)
		b_u8(&b, AMF3_NULL);
	b_u8(&b, AMF3_OBJECT);			/* traits 1: fits */
	b_u29(&b, 1 << 4 | 0x03);
	b_u8(&b, 0x01);
	b_str(&b, "x");
	b_u8(&b, AMF3_TRUE);
	b_u8(&b, AMF3_OBJECT);			/* traits 0 by reference */
	b_u29(&b, 0 << 2 | 0x01);
	b_u8(&b, AMF3_NULL);
	assert_int_equal(decode(b.p, b.len, &c), MSG_MALFORMED);
	assert_int_equal(c.status, CURSOR_MALFORMED);
	assert_int_equal(refs.ntraits, 2);
	assert_int_equal(refs.nmembers, 1);
	assert_non_null(strstr(rec.buf, "},{\"x\":true},null]"));
	b_free(&b);
}

/*
 * Arrays of references to arrays of references: 16^6 values if every
 * reference were followed.  The replay cap stops it, malformed, closed.
 */
static void
test_reference_bomb(void **state)
{
	struct buf b = { 0 };
	struct cursor c;
	uint32_t level, i;

	(void)state;
	b_u8(&b, AMF3_ARRAY);			/* object 0 */
	b_u29(&b, 7 << 1 | 1);
	b_u8(&b, 0x01);
	b_u8(&b, AMF3_ARRAY);			/* object 1: [1] */
	b_u29(&b, 1 << 1 | 1);
	b_u8(&b, 0x01);
	b_u8(&b, AMF3_INTEGER);
	b_u8(&b, 1);
	for (level = 2; level <= 7; level++) {
		b_u8(&b, AMF3_ARRAY);		/* object level */
		b_u29(&b, 16 << 1 | 1);
		b_u8(&b, 0x01);
		for (i = 0; i < 16; i++) {
			b_u8(&b, AMF3_ARRAY);
			b_u29(&b, (level - 1) << 1);
		}
	}
	assert_int_equal(decode(b.p, b.len, &c), MSG_MALFORMED);
	assert_int_equal(c.status, CURSOR_MALFORMED);
	b_free(&b);
}

/* A value of a body that does not start it: the tables still work. */
static void
test_offset_in_body(void **state)
{
	static const uint8_t body[] = {
		0xee, 0xee,
		0x09, 0x05, 0x01, 0x0a, 0x0b, 0x01, 0x03, 'a', 0x06, 0x00,
		0x01, 0x0a, 0x02,
	};
	struct cursor c;
	enum msg_status st;

	(void)state;
	rec_init(&rec);
	amf_refs_init(&refs, body);
	cursor_init(&c, body, sizeof(body));
	cursor_skip(&c, 2);
	st = amf3_decode(&c, &refs, &rec.sink, 0);
	assert_int_equal(st, MSG_OK);
	assert_true(rec_well_formed(&rec));
	assert_string_equal(rec.buf, "[{\"a\":\"a\"},{\"a\":\"a\"}]");
	assert_int_equal(c.off, sizeof(body));
}

/*
 * AMF0's AVM+ marker: the AMF3 tables last for the whole message, and an
 * AMF0 reference that decodes an AVM+ value again adds nothing to them.
 */
static void
test_through_amf0(void **state)
{
	static const uint8_t body[] = {
		0x0a, 0x00, 0x00, 0x00, 0x05,		/* strict array */
		0x03, 0x00, 0x01, 'x',			/* AMF0 object 1 */
		    0x11, 0x06, 0x05, 'h', 'i',		/* AMF3 string 0 */
		    0x00, 0x00, 0x09,
		0x07, 0x00, 0x01,			/* AMF0 ref 1 */
		0x11, 0x06, 0x00,			/* AMF3 ref 0 */
		0x11, 0x06, 0x05, 'y', 'o',		/* AMF3 string 1 */
		0x11, 0x06, 0x02,			/* AMF3 ref 1 */
	};
	struct cursor c;
	enum msg_status st;

	(void)state;
	rec_init(&rec);
	amf_refs_init(&refs, body);
	cursor_init(&c, body, sizeof(body));
	st = amf0_decode(&c, &refs, &rec.sink, 0);
	assert_int_equal(st, MSG_OK);
	assert_true(rec_well_formed(&rec));
	assert_string_equal(rec.buf,
	    "[{\"x\":\"hi\"},{\"x\":\"hi\"},\"hi\",\"yo\",\"yo\"]");
	assert_int_equal(refs.nstrings, 2);
}

#define X_ENTRY(name, ...)	cmocka_unit_test(test_##name),

int
main(void)
{
	const struct CMUnitTest tests[] = {
		VECTORS(X_ENTRY)
		cmocka_unit_test(test_u29_widths),
		cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_remoting_message),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_element_limit),
		cmocka_unit_test(test_string_table_full),
		cmocka_unit_test(test_member_table_full),
		cmocka_unit_test(test_reference_bomb),
		cmocka_unit_test(test_offset_in_body),
		cmocka_unit_test(test_through_amf0),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
