/*
 * Aggregate messages, type 22: a run of FLV-tag-like sub-messages.
 *
 *  | type:1 | length:3 | timestamp:3 | timestamp high:1 | stream id:3 |
 *  | body: length bytes | back pointer:4 (the size of the tag so far) |
 *
 * The first sub-message takes the aggregate's timestamp; each later one
 * keeps its distance from the first (RTMP 1.0 specification, 7.1.6).  The
 * session layer hands each sub-message on as a record of its own; the
 * aggregate's own record reports how many it holds.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "cursor.h"
#include "msg-decoders.h"

#define SUB_HEADER	11U
#define BACK_POINTER	4U

void
aggregate_iter_init(struct aggregate_iter *it, const struct rtmp_message *m)
{
	memset(it, 0, sizeof(*it));
	it->parent = m;
}

bool
aggregate_next(struct aggregate_iter *it, struct rtmp_message *sub)
{
	const struct rtmp_message *m = it->parent;
	struct cursor c;
	uint32_t ts;

	if (it->status != MSG_OK || it->off >= m->kept)
		return false;
	cursor_init(&c, m->body, m->kept);
	cursor_skip(&c, it->off);
	memset(sub, 0, sizeof(*sub));
	sub->type = cursor_u8(&c);
	sub->len = cursor_u24be(&c);
	ts = cursor_u24be(&c);
	ts |= (uint32_t)cursor_u8(&c) << 24;
	sub->msid = cursor_u24be(&c);
	sub->body = cursor_bytes(&c, sub->len);
	cursor_skip(&c, BACK_POINTER);
	if (!cursor_ok(&c)) {
		/* Cut by the keep limit, or nonsense in the aggregate. */
		it->status = m->kept < m->len ? MSG_TRUNCATED : MSG_MALFORMED;
		return false;
	}
	if (it->count == 0)
		it->first_ts = ts;
	sub->ts = m->ts + (ts - it->first_ts);
	sub->csid = m->csid;
	sub->fmt = m->fmt;
	sub->kept = sub->len;
	sub->recovered = m->recovered;
	sub->in_aggregate = true;
	sub->placed = false;
	sub->offset = 0;
	it->off = (uint32_t)c.off;
	it->count++;
	return true;
}

static enum msg_status
decode_aggregate(const struct rtmp_message *m, struct field_sink *out)
{
	struct aggregate_iter it;
	struct rtmp_message sub;
	struct note note;

	aggregate_iter_init(&it, m);
	while (aggregate_next(&it, &sub))
		continue;
	note_init(&note);
	note_add(&note, "aggregate of %u", it.count);
	note_emit(&note, out);
	field_uint(out, "sub_messages", it.count);
	return it.status;
}

const struct msg_decoder msg_aggregate_entry = {
	RTMP_AGGREGATE, "aggregate", NULL, decode_aggregate
};
