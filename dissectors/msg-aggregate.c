/*
 * Aggregate messages, type 22: a run of FLV-tag-like sub-messages.
 *
 *  | type:1 | length:3 | timestamp:3 | ts extended:1 | stream id:3 | body | back pointer:4 |
 *
 * The aggregate's own record reports how many well-formed sub-messages it
 * holds.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "cursor.h"
#include "msg-decoders.h"

static enum msg_status
decode_aggregate(const struct rtmp_message *m, struct field_sink *out)
{
	struct cursor c;
	uint32_t len, count = 0;

	cursor_init(&c, m->body, m->kept);
	while (cursor_remaining(&c) > 0) {
		cursor_skip(&c, 1);
		len = cursor_u24be(&c);
		cursor_skip(&c, 7);
		cursor_skip(&c, len);
		cursor_skip(&c, 4);
		if (!cursor_ok(&c))
			break;
		count++;
	}
	field_uint(out, "sub_messages", count);
	return msg_status_of(c.status);
}

const struct msg_decoder msg_aggregate_entry = {
	RTMP_AGGREGATE, "aggregate", NULL, decode_aggregate
};
