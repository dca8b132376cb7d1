/*
 * AMF3 (Adobe Action Message Format 3).  Every value starts with a marker:
 *
 *  0x00 undefined, 0x01 null, 0x02 false, 0x03 true
 *  0x04 integer       | U29 |  (29 bits, two's complement)
 *  0x05 double        | double:8 |
 *  0x06 string        | UTF-8-vr |
 *  0x07 XML document  | U29O-ref | or | U29X-value | UTF-8 |
 *  0x08 date          | U29O-ref | or | U29D-value | ms: double:8 |
 *  0x09 array         | U29O-ref | or | U29A-value | assoc | dense |
 *  0x0a object        | U29O-ref | or | traits | values |
 *  0x0b XML           | U29O-ref | or | U29X-value | UTF-8 |
 *  0x0c byte array    | U29O-ref | or | U29B-value | bytes |
 *  0x0d vector int    | U29O-ref | or | U29V-value | fixed:1 | s32 * n |
 *  0x0e vector uint   | U29O-ref | or | U29V-value | fixed:1 | u32 * n |
 *  0x0f vector double | U29O-ref | or | U29V-value | fixed:1 | double * n |
 *  0x10 vector object | U29O-ref | or | U29V-value | fixed:1 | type name |
 *                                         value * n |
 *  0x11 dictionary    | U29O-ref | or | U29Dict-value | weak keys:1 |
 *                                         (key value) * n |
 *
 * A U29 is 1 to 4 bytes, big-endian: the first three give 7 bits each and
 * set their high bit when another byte follows; a fourth gives all 8 bits.
 * Every value from 0x07 on begins with a U29 whose low bit is 0 for a
 * reference (the rest is an index in the object table) and 1 for an inline
 * value (the rest is a length or a count).  Strings, traits and complex
 * values each have a reference table, kept per message in struct amf_refs.
 *
 * A reference is resolved by decoding the referenced value again from its
 * marker.  Values decoded again add nothing to the tables (their entries are
 * there already), a reference to a value that is still open on the stack (a
 * cycle: legal in AMF3) is emitted as {"$ref": n} instead of being followed,
 * and the values decoded again per call are capped at AMF3_REPLAY_MAX, so
 * that references to references cannot multiply the output exponentially.
 *
 * Two kinds of failure.  A reference to an entry that was not recorded (the
 * table was full, or the peer made it up) is emitted as {"$ref": n} and
 * reported as MSG_MALFORMED, but the bytes are understood, so the cursor is
 * left as it is and decoding goes on.  Everything else (bytes missing,
 * unknown marker, unknown traits, an externalizable body, a limit hit)
 * marks the cursor and stops decoding, having closed what was open.
 *
 * The mapping to sink values is in amf.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>

#include "amf.h"
#include "hard-limits.h"

/* Values decoded again through references, per amf3_decode call. */
#define AMF3_REPLAY_MAX		LIMIT_AMF_REPLAYED

/* A string span's length when it stands for an unresolved reference. */
#define AMF3_SPAN_UNRESOLVED	UINT32_MAX
/* A trait's first_member when its member names could not be kept. */
#define AMF3_MEMBERS_LOST	UINT32_MAX

#define AMF3_NITEMS(a)		(sizeof(a) / sizeof((a)[0]))

/* A string as read: bytes of the body, or a reference that was not known. */
struct amf3_str {
	const char	*p;
	uint32_t	 len;
	uint32_t	 ref;		/* the index, when !resolved */
	bool		 resolved;
};

/* Traits as an object needs them, inline or from the trait table. */
struct amf3_traits {
	struct amf3_str		 class_name;
	uint32_t		 sealed;
	bool			 dynamic;
	bool			 externalizable;
	const struct amf_span	*members;	/* NULL: read names again */
	struct cursor		 names;		/* at the inline names */
};

struct amf3_ctx {
	struct amf_refs		*refs;
	struct field_sink	*out;
	const uint8_t		*base;	/* NULL: the tables are not usable */
	size_t			 len;
	bool			 fresh;	/* the value was not decoded before */
	unsigned		 replaying;
	/* Marker offsets of the complex values being decoded. */
	uint32_t		 open[LIMIT_AMF_DEPTH + 1];
	unsigned		 nopen;
};

static enum msg_status	amf3_value(struct cursor *, struct amf3_ctx *,
			    unsigned);

static enum msg_status
amf3_status(const struct cursor *c)
{
	switch (c->status) {
	case CURSOR_OK:
		return MSG_OK;
	case CURSOR_TRUNCATED:
		return MSG_TRUNCATED;
	default:
		return MSG_MALFORMED;
	}
}

/* The more serious of two outcomes: malformed, then truncated. */
static enum msg_status
amf3_worse(enum msg_status a, enum msg_status b)
{
	if (a == MSG_MALFORMED || b == MSG_MALFORMED)
		return MSG_MALFORMED;
	if (a == MSG_TRUNCATED || b == MSG_TRUNCATED)
		return MSG_TRUNCATED;
	return MSG_OK;
}

/* Emits a placeholder for what could not be read and stops decoding. */
static enum msg_status
amf3_fail(struct cursor *c, struct amf3_ctx *ctx, enum cursor_status why)
{
	cursor_fail(c, why);
	ctx->out->ops->null(ctx->out);
	return amf3_status(c);
}

static bool
amf3_recording(const struct amf3_ctx *ctx)
{
	return ctx->base != NULL && ctx->fresh && ctx->replaying == 0;
}

static void
amf3_emit_ref(struct field_sink *out, uint32_t n)
{
	out->ops->begin(out, false);
	field_uint(out, "$ref", n);
	out->ops->end(out, false);
}

static void
amf3_emit_str(struct field_sink *out, const struct amf3_str *s)
{
	if (s->resolved)
		out->ops->string(out, s->p, s->len);
	else
		amf3_emit_ref(out, s->ref);
}

/* A name as a key; an unresolved one as "$ref:n", so keys stay apart. */
static void
amf3_emit_key(struct field_sink *out, const struct amf3_str *s)
{
	char buf[24];
	int n;

	if (s->resolved) {
		out->ops->key(out, s->p, s->len);
		return;
	}
	n = snprintf(buf, sizeof(buf), "$ref:%u", (unsigned)s->ref);
	out->ops->key(out, buf, n > 0 ? (size_t)n : 0);
}

static bool
amf3_str_empty(const struct amf3_str *s)
{
	return s->resolved && s->len == 0;
}

static struct amf_span
amf3_span_of(const struct amf3_ctx *ctx, const struct amf3_str *s)
{
	struct amf_span span;

	if (s->resolved) {
		span.off = (uint32_t)((const uint8_t *)s->p - ctx->base);
		span.len = s->len;
	} else {
		span.off = s->ref;
		span.len = AMF3_SPAN_UNRESOLVED;
	}
	return span;
}

/* A recorded span back to bytes, read through a cursor over the body. */
static enum msg_status
amf3_str_of(const struct amf3_ctx *ctx, struct amf_span span,
    struct amf3_str *s)
{
	struct cursor body;
	const uint8_t *p;

	s->p = NULL;
	s->len = 0;
	s->ref = span.off;
	s->resolved = false;
	if (span.len == AMF3_SPAN_UNRESOLVED || ctx->base == NULL)
		return MSG_MALFORMED;
	cursor_init(&body, ctx->base, ctx->len);
	cursor_skip(&body, span.off);
	p = cursor_bytes(&body, span.len);
	if (p == NULL)
		return MSG_MALFORMED;
	s->p = (const char *)p;
	s->len = span.len;
	s->resolved = true;
	return MSG_OK;
}

uint32_t
amf3_read_u29(struct cursor *c)
{
	uint32_t v = 0;
	uint8_t b;
	int i;

	for (i = 0; i < 3; i++) {
		b = cursor_u8(c);
		if (!cursor_ok(c))
			return 0;
		if ((b & 0x80) == 0)
			return v << 7 | b;
		v = v << 7 | (b & 0x7f);
	}
	b = cursor_u8(c);
	if (!cursor_ok(c))
		return 0;
	return v << 8 | b;
}

/*
 * UTF-8-vr:  | U29S-ref: index << 1 | 0 |
 *        or  | U29S-value: length << 1 | 1 | UTF-8 bytes |
 *
 * Inline strings other than the empty one enter the string table (when
 * record is set: not while names are read a second time).  Returns
 * MSG_MALFORMED with the cursor untouched for an unknown reference.
 */
static enum msg_status
amf3_read_str(struct cursor *c, struct amf3_ctx *ctx, struct amf3_str *s,
    bool record)
{
	struct amf_refs *refs = ctx->refs;
	const uint8_t *p;
	uint32_t u;

	s->p = NULL;
	s->len = 0;
	s->ref = 0;
	s->resolved = false;
	u = amf3_read_u29(c);
	if (!cursor_ok(c))
		return amf3_status(c);
	if ((u & 1) == 0) {
		if (u >> 1 < refs->nstrings && ctx->base != NULL)
			return amf3_str_of(ctx, refs->strings[u >> 1], s);
		s->ref = u >> 1;
		return MSG_MALFORMED;
	}
	p = cursor_bytes(c, u >> 1);
	if (p == NULL)
		return amf3_status(c);
	s->p = (const char *)p;
	s->len = u >> 1;
	s->resolved = true;
	if (s->len > 0 && record && amf3_recording(ctx) &&
	    refs->nstrings < AMF_REFS_MAX)
		refs->strings[refs->nstrings++] = amf3_span_of(ctx, s);
	return MSG_OK;
}

/* Records where a complex value's marker is, for references to it. */
static void
amf3_remember(struct amf3_ctx *ctx, size_t start)
{
	struct amf_refs *refs = ctx->refs;

	if (amf3_recording(ctx) && refs->nobjects < AMF_REFS_MAX)
		refs->objects[refs->nobjects++] = (uint32_t)start;
}

/*
 * U29O-ref:  | index << 1 | 0 |
 *
 * The referenced value is decoded again from its marker, with a cursor of
 * its own over the body (as far as the caller's cursor reaches: the value
 * is behind it), one level deeper.
 */
static enum msg_status
amf3_object_ref(struct cursor *c, struct amf3_ctx *ctx, uint32_t n,
    unsigned depth)
{
	struct amf_refs *refs = ctx->refs;
	struct cursor again;
	enum msg_status st;
	uint32_t off;
	unsigned i;

	if (ctx->base == NULL || n >= refs->nobjects) {
		amf3_emit_ref(ctx->out, n);
		return MSG_MALFORMED;
	}
	off = refs->objects[n];
	for (i = 0; i < ctx->nopen; i++) {
		if (ctx->open[i] == off) {
			/* A cycle: the value is being decoded. */
			amf3_emit_ref(ctx->out, n);
			return MSG_OK;
		}
	}
	cursor_init(&again, ctx->base, ctx->len);
	cursor_skip(&again, off);
	ctx->replaying++;
	st = amf3_value(&again, ctx, depth + 1);
	ctx->replaying--;
	/* Its bytes were fine once: failing now is a limit hit. */
	if (!cursor_ok(&again))
		cursor_fail(c, CURSOR_MALFORMED);
	return st;
}

/* A count over the limit: an empty container, and decoding stops. */
static enum msg_status
amf3_too_many(struct cursor *c, struct amf3_ctx *ctx, bool array)
{
	ctx->out->ops->begin(ctx->out, array);
	ctx->out->ops->end(ctx->out, array);
	cursor_fail(c, CURSOR_MALFORMED);
	return MSG_MALFORMED;
}

/*
 * Array, after its U29A-value (dense count << 1 | 1):
 *
 *  | (UTF-8-vr name | value)* | UTF-8-empty 0x01 | value * dense count |
 *
 * Without names the sink gets an array; with names an object, the dense
 * values under the keys "0", "1", ...
 */
static enum msg_status
amf3_array(struct cursor *c, struct amf3_ctx *ctx, uint32_t count,
    unsigned depth)
{
	struct field_sink *out = ctx->out;
	struct amf3_str name;
	enum msg_status st;
	uint32_t i, n;
	char key[16];
	bool dense;
	int klen;

	if (count > LIMIT_AMF_ELEMENTS)
		return amf3_too_many(c, ctx, true);
	st = amf3_read_str(c, ctx, &name, true);
	if (!cursor_ok(c))
		return amf3_fail(c, ctx, c->status);
	dense = amf3_str_empty(&name);
	out->ops->begin(out, dense);
	for (n = 0; !amf3_str_empty(&name); n++) {
		if (n == LIMIT_AMF_ELEMENTS) {
			cursor_fail(c, CURSOR_MALFORMED);
			break;
		}
		amf3_emit_key(out, &name);
		st = amf3_worse(st, amf3_value(c, ctx, depth + 1));
		if (!cursor_ok(c))
			break;
		st = amf3_worse(st, amf3_read_str(c, ctx, &name, true));
		if (!cursor_ok(c))
			break;
	}
	for (i = 0; i < count && cursor_ok(c); i++) {
		if (!dense) {
			klen = snprintf(key, sizeof(key), "%u", (unsigned)i);
			out->ops->key(out, key, klen > 0 ? (size_t)klen : 0);
		}
		st = amf3_worse(st, amf3_value(c, ctx, depth + 1));
	}
	out->ops->end(out, dense);
	return amf3_worse(st, amf3_status(c));
}

/*
 * Traits, after the U29 of an object (low bit 1):
 *
 *  | index << 2 | 01 |                        U29O-traits-ref
 *  | x << 3 | 111 | class name |               U29O-traits-ext
 *  | sealed << 4 | dynamic << 3 | 011 | class name | sealed names * n |
 *                                             U29O-traits
 *
 * Inline traits enter the trait table, their member names the member
 * table; when the names do not fit, the traits still take their index (so
 * that later indexes stay right) but cannot be referred to.  Unknown traits
 * leave the values unknowable: the cursor is marked.
 */
static enum msg_status
amf3_read_traits(struct cursor *c, struct amf3_ctx *ctx, uint32_t u,
    struct amf3_traits *t)
{
	struct amf_refs *refs = ctx->refs;
	struct amf3_trait *tr;
	struct amf3_str name;
	enum msg_status st;
	uint32_t i, first;
	bool keep;

	memset(t, 0, sizeof(*t));
	if ((u & 2) == 0) {
		i = u >> 2;
		if (i >= refs->ntraits || ctx->base == NULL)
			goto unknown;
		tr = &refs->traits[i];
		if (tr->first_member == AMF3_MEMBERS_LOST ||
		    tr->first_member > refs->nmembers ||
		    tr->sealed > refs->nmembers - tr->first_member)
			goto unknown;
		(void)amf3_str_of(ctx, tr->class_name, &t->class_name);
		t->sealed = tr->sealed;
		t->dynamic = tr->dynamic;
		t->externalizable = tr->externalizable;
		t->members = &refs->members[tr->first_member];
		return MSG_OK;
	}
	t->externalizable = (u & 4) != 0;
	t->dynamic = !t->externalizable && (u & 8) != 0;
	t->sealed = t->externalizable ? 0 : u >> 4;
	if (t->sealed > LIMIT_AMF_ELEMENTS) {
		cursor_fail(c, CURSOR_MALFORMED);
		return MSG_MALFORMED;
	}
	st = amf3_read_str(c, ctx, &t->class_name, true);
	t->names = *c;
	keep = amf3_recording(ctx) && refs->ntraits < AMF_REFS_MAX &&
	    t->sealed <= AMF_REFS_MAX - refs->nmembers;
	first = refs->nmembers;
	for (i = 0; i < t->sealed && cursor_ok(c); i++) {
		st = amf3_worse(st, amf3_read_str(c, ctx, &name, true));
		if (keep && cursor_ok(c))
			refs->members[first + i] = amf3_span_of(ctx, &name);
	}
	if (!cursor_ok(c))
		return amf3_status(c);
	if (amf3_recording(ctx) && refs->ntraits < AMF_REFS_MAX) {
		tr = &refs->traits[refs->ntraits++];
		tr->class_name = amf3_span_of(ctx, &t->class_name);
		tr->first_member = keep ? first : AMF3_MEMBERS_LOST;
		tr->sealed = keep ? (uint16_t)t->sealed : 0;
		tr->dynamic = t->dynamic;
		tr->externalizable = t->externalizable;
		if (keep)
			refs->nmembers += t->sealed;
	}
	return st;

unknown:
	cursor_fail(c, CURSOR_MALFORMED);
	return MSG_MALFORMED;
}

/* The i-th sealed member name: from the member table or read again. */
static enum msg_status
amf3_member_name(struct amf3_ctx *ctx, struct amf3_traits *t, uint32_t i,
    struct amf3_str *name)
{
	if (t->members != NULL)
		return amf3_str_of(ctx, t->members[i], name);
	return amf3_read_str(&t->names, ctx, name, false);
}

/*
 * Object, after its U29 (low bit 1), traits as above, then:
 *
 *  | value * sealed | (UTF-8-vr name | value)* UTF-8-empty 0x01 |
 *                     (the second part only when the traits are dynamic)
 *
 * An externalizable object's body is in a format only its class knows.
 */
static enum msg_status
amf3_object(struct cursor *c, struct amf3_ctx *ctx, uint32_t u,
    unsigned depth)
{
	struct field_sink *out = ctx->out;
	struct amf3_traits t;
	struct amf3_str name;
	enum msg_status st;
	uint32_t i, n;

	st = amf3_read_traits(c, ctx, u, &t);
	if (!cursor_ok(c))
		return amf3_fail(c, ctx, c->status);
	out->ops->begin(out, false);
	if (!amf3_str_empty(&t.class_name)) {
		out->ops->key(out, "$class", 6);
		amf3_emit_str(out, &t.class_name);
	}
	if (t.externalizable) {
		field_bool(out, "$externalizable", true);
		out->ops->end(out, false);
		cursor_fail(c, CURSOR_MALFORMED);
		return MSG_MALFORMED;
	}
	for (i = 0; i < t.sealed && cursor_ok(c); i++) {
		st = amf3_worse(st, amf3_member_name(ctx, &t, i, &name));
		if (!cursor_ok(&t.names)) {
			cursor_fail(c, CURSOR_MALFORMED);
			break;
		}
		amf3_emit_key(out, &name);
		st = amf3_worse(st, amf3_value(c, ctx, depth + 1));
	}
	for (n = 0; t.dynamic && cursor_ok(c); n++) {
		st = amf3_worse(st, amf3_read_str(c, ctx, &name, true));
		if (!cursor_ok(c) || amf3_str_empty(&name))
			break;
		if (n == LIMIT_AMF_ELEMENTS) {
			cursor_fail(c, CURSOR_MALFORMED);
			break;
		}
		amf3_emit_key(out, &name);
		st = amf3_worse(st, amf3_value(c, ctx, depth + 1));
	}
	out->ops->end(out, false);
	return amf3_worse(st, amf3_status(c));
}

/*
 * Vectors, after the U29V-value (count << 1 | 1):
 *
 *  | fixed:1 | s32 * count |                         vector int
 *  | fixed:1 | u32 * count |                         vector uint
 *  | fixed:1 | double * count |                      vector double
 *  | fixed:1 | UTF-8-vr type name | value * count |  vector object
 *
 * The sink gets an array; the fixed flag and the type name are dropped.
 */
static enum msg_status
amf3_vector(struct cursor *c, struct amf3_ctx *ctx, uint8_t marker,
    uint32_t count, unsigned depth)
{
	struct field_sink *out = ctx->out;
	struct amf3_str type;
	enum msg_status st = MSG_OK;
	uint32_t i, v;
	double d;

	cursor_skip(c, 1);
	if (marker == AMF3_VECTOR_OBJECT)
		st = amf3_read_str(c, ctx, &type, true);
	if (!cursor_ok(c))
		return amf3_fail(c, ctx, c->status);
	if (count > LIMIT_AMF_ELEMENTS)
		return amf3_too_many(c, ctx, true);
	out->ops->begin(out, true);
	for (i = 0; i < count && cursor_ok(c); i++) {
		switch (marker) {
		case AMF3_VECTOR_INT:
			v = cursor_u32be(c);
			if (cursor_ok(c))
				out->ops->sint(out, (int32_t)v);
			break;
		case AMF3_VECTOR_UINT:
			v = cursor_u32be(c);
			if (cursor_ok(c))
				out->ops->uint(out, v);
			break;
		case AMF3_VECTOR_DOUBLE:
			d = cursor_f64be(c);
			if (cursor_ok(c))
				out->ops->number(out, d);
			break;
		default:
			st = amf3_worse(st, amf3_value(c, ctx, depth + 1));
			break;
		}
	}
	out->ops->end(out, true);
	return amf3_worse(st, amf3_status(c));
}

/*
 * Dictionary, after the U29Dict-value (count << 1 | 1):
 *
 *  | weak keys:1 | (key value | value)* count |
 *
 * The sink gets an array of [key, value] arrays: keys need not be strings.
 */
static enum msg_status
amf3_dictionary(struct cursor *c, struct amf3_ctx *ctx, uint32_t count,
    unsigned depth)
{
	struct field_sink *out = ctx->out;
	enum msg_status st = MSG_OK;
	uint32_t i;

	cursor_skip(c, 1);
	if (!cursor_ok(c))
		return amf3_fail(c, ctx, c->status);
	if (count > LIMIT_AMF_ELEMENTS)
		return amf3_too_many(c, ctx, true);
	out->ops->begin(out, true);
	for (i = 0; i < count && cursor_ok(c); i++) {
		out->ops->begin(out, true);
		st = amf3_worse(st, amf3_value(c, ctx, depth + 1));
		if (cursor_ok(c))
			st = amf3_worse(st, amf3_value(c, ctx, depth + 1));
		out->ops->end(out, true);
	}
	out->ops->end(out, true);
	return amf3_worse(st, amf3_status(c));
}

/*
 * Values from 0x07 on, after their U29 (low bit 1): XML document, XML,
 * byte array and date here, containers in the functions above.
 *
 *  XML, XML document  | UTF-8 * (u >> 1) |
 *  byte array         | U8 * (u >> 1) |
 *  date               | ms since the epoch: double:8 |
 */
static enum msg_status
amf3_complex(struct cursor *c, struct amf3_ctx *ctx, uint8_t marker,
    uint32_t u, unsigned depth)
{
	struct field_sink *out = ctx->out;
	const uint8_t *p;
	double d;

	switch (marker) {
	case AMF3_XML_DOC:
	case AMF3_XML:
		p = cursor_bytes(c, u >> 1);
		if (p == NULL)
			return amf3_fail(c, ctx, c->status);
		out->ops->string(out, (const char *)p, u >> 1);
		return MSG_OK;
	case AMF3_BYTE_ARRAY:
		cursor_skip(c, u >> 1);
		if (!cursor_ok(c))
			return amf3_fail(c, ctx, c->status);
		out->ops->begin(out, false);
		field_uint(out, "$bytes", u >> 1);
		out->ops->end(out, false);
		return MSG_OK;
	case AMF3_DATE:
		d = cursor_f64be(c);
		if (!cursor_ok(c))
			return amf3_fail(c, ctx, c->status);
		out->ops->begin(out, false);
		field_number(out, "$date", d);
		out->ops->end(out, false);
		return MSG_OK;
	case AMF3_ARRAY:
		return amf3_array(c, ctx, u >> 1, depth);
	case AMF3_OBJECT:
		return amf3_object(c, ctx, u, depth);
	case AMF3_DICTIONARY:
		return amf3_dictionary(c, ctx, u >> 1, depth);
	default:
		return amf3_vector(c, ctx, marker, u >> 1, depth);
	}
}

/* One value at the cursor: exactly one value goes to the sink. */
static enum msg_status
amf3_value(struct cursor *c, struct amf3_ctx *ctx, unsigned depth)
{
	struct field_sink *out = ctx->out;
	struct amf3_str s;
	enum msg_status st;
	size_t start = c->off;
	uint32_t u;
	double d;
	uint8_t marker;

	if (depth > LIMIT_AMF_DEPTH)
		return amf3_fail(c, ctx, CURSOR_MALFORMED);
	if (ctx->replaying > 0 && ++ctx->refs->replayed > AMF3_REPLAY_MAX)
		return amf3_fail(c, ctx, CURSOR_MALFORMED);
	marker = cursor_u8(c);
	if (!cursor_ok(c))
		return amf3_fail(c, ctx, c->status);
	switch (marker) {
	case AMF3_UNDEFINED:
	case AMF3_NULL:
		out->ops->null(out);
		return MSG_OK;
	case AMF3_FALSE:
	case AMF3_TRUE:
		out->ops->boolean(out, marker == AMF3_TRUE);
		return MSG_OK;
	case AMF3_INTEGER:
		u = amf3_read_u29(c);
		if (!cursor_ok(c))
			return amf3_fail(c, ctx, c->status);
		/* Sign-extend the 29 bits. */
		out->ops->sint(out, (u & 0x10000000) ?
		    (int64_t)u - 0x20000000 : (int64_t)u);
		return MSG_OK;
	case AMF3_DOUBLE:
		d = cursor_f64be(c);
		if (!cursor_ok(c))
			return amf3_fail(c, ctx, c->status);
		out->ops->number(out, d);
		return MSG_OK;
	case AMF3_STRING:
		st = amf3_read_str(c, ctx, &s, true);
		if (!cursor_ok(c))
			return amf3_fail(c, ctx, c->status);
		amf3_emit_str(out, &s);
		return st;
	default:
		if (marker > AMF3_DICTIONARY)
			return amf3_fail(c, ctx, CURSOR_MALFORMED);
		break;
	}

	u = amf3_read_u29(c);
	if (!cursor_ok(c))
		return amf3_fail(c, ctx, c->status);
	if ((u & 1) == 0)
		return amf3_object_ref(c, ctx, u >> 1, depth);
	/* Depth bounds the nesting, so this only guards the array. */
	if (ctx->nopen == AMF3_NITEMS(ctx->open))
		return amf3_fail(c, ctx, CURSOR_MALFORMED);
	amf3_remember(ctx, start);
	ctx->open[ctx->nopen++] = (uint32_t)start;
	st = amf3_complex(c, ctx, marker, u, depth);
	ctx->nopen--;
	return st;
}

/*
 * The tables are usable when the cursor is over the body given to
 * amf_refs_init.  A value that starts at or before an offset already
 * recorded is being decoded again (an AMF0 reference to an AMF0 value that
 * held this AMF3 one): it must not add its entries a second time.
 */
enum msg_status
amf3_decode(struct cursor *c, struct amf_refs *refs, struct field_sink *out,
    unsigned depth)
{
	struct amf3_ctx ctx;
	enum msg_status st;

	memset(&ctx, 0, sizeof(ctx));
	ctx.refs = refs;
	ctx.out = out;
	if (refs->base != NULL && c->data == refs->base &&
	    (uint64_t)c->len <= UINT32_MAX) {
		ctx.base = c->data;
		ctx.len = c->len;
	}
	ctx.fresh = (refs->nobjects == 0 ||
	    c->off > refs->objects[refs->nobjects - 1]) &&
	    (refs->nstrings == 0 ||
	    c->off > refs->strings[refs->nstrings - 1].off);
	st = amf3_value(c, &ctx, depth);
	return amf3_worse(st, amf3_status(c));
}
