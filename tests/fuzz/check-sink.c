/*
 * The checking field sink shared by the fuzz harnesses (see check-sink.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-sink.h"
#include "hard-limits.h"

void
check_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz check failed: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void
check_touch(struct check_sink *cs, const void *p, size_t n)
{
	const volatile uint8_t *b = p;
	size_t i;

	if (n > 0 && p == NULL)
		check_fail("%zu bytes at NULL", n);
	for (i = 0; i < n; i++)
		cs->sum += b[i];
}

static bool
in_array(const struct check_sink *cs)
{
	return cs->depth == 0 ? cs->top_array : cs->array[cs->depth - 1];
}

/* A value (scalar or the begin of a container) is about to come. */
static void
check_value_start(struct check_sink *cs, const char *what)
{
	if (in_array(cs)) {
		if (cs->key_pending)
			check_fail("%s after a key inside an array", what);
		return;
	}
	if (!cs->key_pending)
		check_fail("%s without a key inside an object (depth %u)",
		    what, cs->depth);
	cs->key_pending = false;
}

static void
check_scalar(struct check_sink *cs, const char *what)
{
	check_value_start(cs, what);
	if (cs->depth == 0)
		cs->values++;
}

static void
cs_key(struct field_sink *s, const char *key, size_t len)
{
	struct check_sink *cs = (struct check_sink *)s;

	if (in_array(cs))
		check_fail("key inside an array (depth %u)", cs->depth);
	if (cs->key_pending)
		check_fail("two keys in a row (depth %u)", cs->depth);
	if (len > LIMIT_MESSAGE_KEEP_MAX)
		check_fail("key of %zu bytes", len);
	check_touch(cs, key, len);
	cs->key_pending = true;
}

static void
cs_uint(struct field_sink *s, uint64_t v)
{
	check_scalar((struct check_sink *)s, "uint");
}

static void
cs_sint(struct field_sink *s, int64_t v)
{
	check_scalar((struct check_sink *)s, "sint");
}

static void
cs_number(struct field_sink *s, double v)
{
	check_scalar((struct check_sink *)s, "number");
}

static void
cs_boolean(struct field_sink *s, bool v)
{
	check_scalar((struct check_sink *)s, "boolean");
}

static void
cs_null(struct field_sink *s)
{
	check_scalar((struct check_sink *)s, "null");
}

static void
cs_string(struct field_sink *s, const char *p, size_t len)
{
	struct check_sink *cs = (struct check_sink *)s;

	if (len > LIMIT_MESSAGE_KEEP_MAX)
		check_fail("string of %zu bytes", len);
	check_touch(cs, p, len);
	check_scalar(cs, "string");
}

static void
cs_begin(struct field_sink *s, bool array)
{
	struct check_sink *cs = (struct check_sink *)s;

	check_value_start(cs, array ? "begin array" : "begin object");
	if (cs->depth >= CHECK_DEPTH_MAX)
		check_fail("nesting deeper than %u", CHECK_DEPTH_MAX);
	cs->array[cs->depth++] = array;
}

static void
cs_end(struct field_sink *s, bool array)
{
	struct check_sink *cs = (struct check_sink *)s;

	if (cs->depth == 0)
		check_fail("end %s with nothing open",
		    array ? "array" : "object");
	if (cs->key_pending)
		check_fail("end after a key without its value");
	if (cs->array[cs->depth - 1] != array)
		check_fail("end %s closes an %s", array ? "array" : "object",
		    array ? "object" : "array");
	if (--cs->depth == 0)
		cs->values++;
}

static void
cs_note(struct field_sink *s, const char *p, size_t len)
{
	struct check_sink *cs = (struct check_sink *)s;

	if (cs->key_pending)
		check_fail("note between a key and its value");
	if (cs->depth != 0)
		check_fail("note inside a value (depth %u)", cs->depth);
	check_touch(cs, p, len);
}

static const struct field_sink_ops check_sink_ops = {
	cs_key,
	cs_uint,
	cs_sint,
	cs_number,
	cs_boolean,
	cs_null,
	cs_string,
	cs_begin,
	cs_end,
	cs_note,
};

void
check_sink_init(struct check_sink *cs, bool top_array)
{
	memset(cs, 0, sizeof(*cs));
	cs->sink.ops = &check_sink_ops;
	cs->top_array = top_array;
}

void
check_sink_done(struct check_sink *cs, const char *where)
{
	if (cs->depth != 0)
		check_fail("%s: %u containers left open", where, cs->depth);
	if (cs->key_pending)
		check_fail("%s: a key without its value", where);
}

static void
check_envelope(const struct rtmp_message *m, const char *where)
{
	if (m->kept > m->len)
		check_fail("%s: kept %u > len %u", where, m->kept, m->len);
	if (m->kept > LIMIT_MESSAGE_KEEP_MAX)
		check_fail("%s: kept %u over the keep limit", where, m->kept);
	if (m->kept > 0 && m->body == NULL)
		check_fail("%s: %u kept bytes at NULL", where, m->kept);
}

static enum msg_status
decode_one(const struct rtmp_message *m, const char *where)
{
	struct check_sink cs;
	enum msg_status st;

	check_envelope(m, where);
	check_sink_init(&cs, false);
	check_touch(&cs, m->body, m->kept);
	st = msg_decode(m, &cs.sink);
	check_sink_done(&cs, where);
	if (st != MSG_OK && st != MSG_TRUNCATED && st != MSG_MALFORMED)
		check_fail("%s: status %d", where, (int)st);
	if (msg_type_name(m->type) == NULL)
		check_fail("%s: no type name for %u", where, m->type);
	return st;
}

enum msg_status
check_message(const struct rtmp_message *m)
{
	struct aggregate_iter it;
	struct rtmp_message sub;
	enum msg_status st;
	uint32_t n = 0;

	st = decode_one(m, "message");
	if (m->type != RTMP_AGGREGATE)
		return st;
	aggregate_iter_init(&it, m);
	while (aggregate_next(&it, &sub)) {
		if (sub.kept > 0 && (sub.body < m->body ||
		    sub.body > m->body + m->kept ||
		    sub.kept > (size_t)(m->body + m->kept - sub.body)))
			check_fail("sub-message %u outside its aggregate", n);
		if (!sub.in_aggregate)
			check_fail("sub-message %u not marked in_aggregate", n);
		(void)decode_one(&sub, "sub-message");
		if (++n > m->kept)
			check_fail("more sub-messages than bytes");
	}
	return st;
}
