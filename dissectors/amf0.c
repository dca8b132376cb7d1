/*
 * AMF0 (Adobe Action Message Format 0).  Every value starts with a marker:
 *
 *  0x00 number        | double:8 |
 *  0x01 boolean       | u8 |
 *  0x02 string        | length:2 | UTF-8 |
 *  0x03 object        | (name-length:2 | name | value)* | 0x0000 | 0x09 |
 *  0x04 movieclip     (reserved, not supported)
 *  0x05 null, 0x06 undefined
 *  0x07 reference     | index:2 |   the index-th object, typed object,
 *                                    ECMA array or strict array so far
 *  0x08 ECMA array    | count:4 | pairs as an object | 0x0000 | 0x09 |
 *  0x09 object end    (only after the empty name of an object)
 *  0x0a strict array  | count:4 | value * count |
 *  0x0b date          | ms since epoch: double:8 | time zone:s16 |
 *  0x0c long string   | length:4 | UTF-8 |
 *  0x0d unsupported, 0x0e recordset (reserved)
 *  0x0f XML document  | length:4 | UTF-8 |
 *  0x10 typed object  | class-name-length:2 | class name | pairs as an object |
 *  0x11 AVM+          an AMF3 value follows
 *
 * The mapping to sink values is in amf.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "amf.h"
#include "hard-limits.h"

void
amf_refs_init(struct amf_refs *refs, const uint8_t *body)
{
	refs->base = body;
	refs->namf0_objects = 0;
	refs->nstrings = 0;
	refs->nobjects = 0;
	refs->ntraits = 0;
	refs->nmembers = 0;
	refs->replayed = 0;
}

const char *
amf0_read_string(struct cursor *c, size_t *len)
{
	uint8_t marker = cursor_u8(c);

	*len = 0;
	if (marker == AMF0_STRING)
		*len = cursor_u16be(c);
	else if (marker == AMF0_LONG_STRING)
		*len = cursor_u32be(c);
	else
		cursor_fail(c, CURSOR_MALFORMED);
	if (!cursor_ok(c)) {
		*len = 0;
		return NULL;
	}
	return (const char *)cursor_bytes(c, *len);
}

/* Emits a placeholder for what could not be read and reports why. */
static enum msg_status
amf0_fail(struct cursor *c, struct field_sink *out, enum cursor_status why)
{
	cursor_fail(c, why);
	out->ops->null(out);
	return msg_status_of(c->status);
}

static void
unsupported(struct field_sink *out, const char *what)
{
	out->ops->begin(out, false);
	field_cstr(out, "$unsupported", what);
	out->ops->end(out, false);
}

/*
 * The name/value pairs of an object, an ECMA array or a typed object, up to
 * the empty name and the object-end marker.  The sink's object is open.
 */
static enum msg_status
amf0_pairs(struct cursor *c, struct amf_refs *refs, struct field_sink *out,
    unsigned depth)
{
	enum msg_status st;
	const uint8_t *name;
	uint16_t len;
	uint32_t n;

	for (n = 0;; n++) {
		len = cursor_u16be(c);
		if (!cursor_ok(c))
			return msg_status_of(c->status);
		if (len == 0 && cursor_peek_u8(c) == AMF0_OBJECT_END) {
			cursor_skip(c, 1);
			return MSG_OK;
		}
		if (n == LIMIT_AMF_ELEMENTS) {
			cursor_fail(c, CURSOR_MALFORMED);
			return MSG_MALFORMED;
		}
		name = cursor_bytes(c, len);
		if (name == NULL)
			return msg_status_of(c->status);
		out->ops->key(out, (const char *)name, len);
		st = amf0_decode(c, refs, out, depth + 1);
		if (st != MSG_OK)
			return st;
	}
}

/* An object-like value: the sink gets an object, keyed pairs inside. */
static enum msg_status
amf0_object(struct cursor *c, struct amf_refs *refs, struct field_sink *out,
    unsigned depth, bool typed)
{
	enum msg_status st = MSG_OK;
	const uint8_t *cls;
	uint16_t len;

	out->ops->begin(out, false);
	if (typed) {
		len = cursor_u16be(c);
		cls = cursor_bytes(c, len);
		if (cls != NULL) {
			field_str(out, "$class", (const char *)cls, len);
		}
	}
	if (cursor_ok(c))
		st = amf0_pairs(c, refs, out, depth);
	else
		st = msg_status_of(c->status);
	out->ops->end(out, false);
	return st;
}

static enum msg_status
amf0_strict_array(struct cursor *c, struct amf_refs *refs,
    struct field_sink *out, unsigned depth)
{
	enum msg_status st = MSG_OK;
	uint32_t count, i;

	count = cursor_u32be(c);
	out->ops->begin(out, true);
	if (count > LIMIT_AMF_ELEMENTS) {
		cursor_fail(c, CURSOR_MALFORMED);
		st = MSG_MALFORMED;
	}
	for (i = 0; st == MSG_OK && cursor_ok(c) && i < count; i++)
		st = amf0_decode(c, refs, out, depth + 1);
	out->ops->end(out, true);
	return st == MSG_OK ? msg_status_of(c->status) : st;
}

/* A reference is resolved by decoding the referenced value once more. */
static enum msg_status
amf0_reference(struct cursor *c, struct amf_refs *refs,
    struct field_sink *out, unsigned depth)
{
	struct cursor again;
	uint16_t index = cursor_u16be(c);

	if (!cursor_ok(c))
		return amf0_fail(c, out, c->status);
	if (index >= refs->namf0_objects ||
	    ++refs->replayed > LIMIT_AMF_REPLAYED) {
		out->ops->begin(out, false);
		field_uint(out, "$ref", index);
		out->ops->end(out, false);
		return MSG_MALFORMED;
	}
	cursor_init(&again, refs->base, c->len);
	cursor_skip(&again, refs->amf0_objects[index]);
	return amf0_decode(&again, refs, out, depth + 1);
}

/* Remembers where a complex value starts, for references to it. */
static void
amf0_remember(struct amf_refs *refs, size_t off, unsigned depth)
{
	/* A value decoded again through a reference is already counted. */
	if (refs->namf0_objects < AMF_REFS_MAX && refs->base != NULL &&
	    (refs->namf0_objects == 0 ||
	    refs->amf0_objects[refs->namf0_objects - 1] < off))
		refs->amf0_objects[refs->namf0_objects++] = (uint32_t)off;
}

enum msg_status
amf0_decode(struct cursor *c, struct amf_refs *refs, struct field_sink *out,
    unsigned depth)
{
	const char *s;
	size_t start = c->off, len;
	double d;
	uint8_t marker;
	int16_t tz;

	if (depth > LIMIT_AMF_DEPTH)
		return amf0_fail(c, out, CURSOR_MALFORMED);
	marker = cursor_u8(c);
	if (!cursor_ok(c))
		return amf0_fail(c, out, c->status);
	switch (marker) {
	case AMF0_NUMBER:
		d = cursor_f64be(c);
		if (!cursor_ok(c))
			return amf0_fail(c, out, c->status);
		out->ops->number(out, d);
		return MSG_OK;
	case AMF0_BOOLEAN:
		marker = cursor_u8(c);
		if (!cursor_ok(c))
			return amf0_fail(c, out, c->status);
		out->ops->boolean(out, marker != 0);
		return MSG_OK;
	case AMF0_STRING:
	case AMF0_LONG_STRING:
		c->off = start;
		s = amf0_read_string(c, &len);
		if (s == NULL)
			return amf0_fail(c, out, c->status);
		out->ops->string(out, s, len);
		return MSG_OK;
	case AMF0_XML_DOCUMENT:
		len = cursor_u32be(c);
		s = (const char *)cursor_bytes(c, len);
		if (s == NULL)
			return amf0_fail(c, out, c->status);
		out->ops->string(out, s, len);
		return MSG_OK;
	case AMF0_NULL:
	case AMF0_UNDEFINED:
		out->ops->null(out);
		return MSG_OK;
	case AMF0_OBJECT:
	case AMF0_TYPED_OBJECT:
		amf0_remember(refs, start, depth);
		return amf0_object(c, refs, out, depth,
		    marker == AMF0_TYPED_OBJECT);
	case AMF0_ECMA_ARRAY:
		amf0_remember(refs, start, depth);
		cursor_skip(c, 4);	/* the count is advisory */
		return amf0_object(c, refs, out, depth, false);
	case AMF0_STRICT_ARRAY:
		amf0_remember(refs, start, depth);
		return amf0_strict_array(c, refs, out, depth);
	case AMF0_REFERENCE:
		return amf0_reference(c, refs, out, depth);
	case AMF0_DATE:
		d = cursor_f64be(c);
		tz = (int16_t)cursor_u16be(c);
		if (!cursor_ok(c))
			return amf0_fail(c, out, c->status);
		out->ops->begin(out, false);
		field_number(out, "$date", d);
		field_sint(out, "tz", tz);
		out->ops->end(out, false);
		return MSG_OK;
	case AMF0_UNSUPPORTED:
		unsupported(out, "unsupported");
		return MSG_OK;
	case AMF0_MOVIECLIP:
		unsupported(out, "movieclip");
		return MSG_OK;
	case AMF0_RECORDSET:
		unsupported(out, "recordset");
		return MSG_OK;
	case AMF0_AVMPLUS:
		return amf3_decode(c, refs, out, depth + 1);
	default:
		/* Includes a stray object-end marker. */
		c->off = start;
		return amf0_fail(c, out, CURSOR_MALFORMED);
	}
}

/* A sink that discards everything: decoding into it skips a value. */
static void
null_key(struct field_sink *s, const char *k, size_t n)
{
}

static void
null_uint(struct field_sink *s, uint64_t v)
{
}

static void
null_sint(struct field_sink *s, int64_t v)
{
}

static void
null_number(struct field_sink *s, double v)
{
}

static void
null_bool(struct field_sink *s, bool v)
{
}

static void
null_null(struct field_sink *s)
{
}

static void
null_string(struct field_sink *s, const char *v, size_t n)
{
}

static void
null_container(struct field_sink *s, bool array)
{
}

static const struct field_sink_ops null_ops = {
	null_key, null_uint, null_sint, null_number, null_bool, null_null,
	null_string, null_container, null_container, NULL,
};

enum msg_status
amf0_skip(struct cursor *c, struct amf_refs *refs)
{
	struct field_sink none = { &null_ops };

	return amf0_decode(c, refs, &none, 0);
}

bool
amf0_object_find(struct amf_refs *refs, size_t len, uint32_t obj_off,
    const char *key, uint32_t *value_off)
{
	struct cursor c;
	const uint8_t *name;
	size_t want = strlen(key);
	uint16_t n;
	uint8_t marker;

	cursor_init(&c, refs->base, len);
	cursor_skip(&c, obj_off);
	marker = cursor_u8(&c);
	if (marker == AMF0_ECMA_ARRAY)
		cursor_skip(&c, 4);
	else if (marker == AMF0_TYPED_OBJECT)
		cursor_skip(&c, cursor_u16be(&c));
	else if (marker != AMF0_OBJECT)
		return false;
	while (cursor_ok(&c)) {
		n = cursor_u16be(&c);
		name = cursor_bytes(&c, n);
		if (name == NULL || n == 0)
			return false;
		if (n == want && memcmp(name, key, n) == 0) {
			*value_off = (uint32_t)c.off;
			return true;
		}
		if (amf0_skip(&c, refs) != MSG_OK)
			return false;
	}
	return false;
}

void
amf0_note_value(struct note *note, struct amf_refs *refs, size_t len,
    uint32_t off)
{
	struct cursor c;
	const char *s;
	size_t n;
	double d;

	cursor_init(&c, refs->base, len);
	cursor_skip(&c, off);
	switch (cursor_peek_u8(&c)) {
	case AMF0_NUMBER:
		cursor_skip(&c, 1);
		d = cursor_f64be(&c);
		if (cursor_ok(&c))
			note_add(note, "%.15g", d);
		break;
	case AMF0_BOOLEAN:
		cursor_skip(&c, 1);
		note_add(note, "%s", cursor_u8(&c) ? "true" : "false");
		break;
	case AMF0_STRING:
	case AMF0_LONG_STRING:
		s = amf0_read_string(&c, &n);
		if (s != NULL)
			note_add_bytes(note, s, n);
		break;
	case AMF0_NULL:
	case AMF0_UNDEFINED:
		note_add(note, "null");
		break;
	case AMF0_AVMPLUS:
		/* The AMF3 scalars that need no table. */
		cursor_skip(&c, 1);
		switch (cursor_u8(&c)) {
		case AMF3_UNDEFINED:
		case AMF3_NULL:
			note_add(note, "null");
			break;
		case AMF3_FALSE:
			note_add(note, "false");
			break;
		case AMF3_TRUE:
			note_add(note, "true");
			break;
		default:
			note_add(note, "{…}");
			break;
		}
		break;
	case AMF0_STRICT_ARRAY:
		note_add(note, "[…]");
		break;
	default:
		note_add(note, "{…}");
		break;
	}
}
