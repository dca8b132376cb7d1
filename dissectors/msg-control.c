/*
 * Protocol control messages (RTMP 1.0 specification, 5.4), sent on chunk
 * stream 2 with message stream id 0.  Bodies:
 *
 *  1 Set Chunk Size      +-+---------------------------------+
 *                        |0|  chunk size (31 bits)           |
 *                        +-+---------------------------------+
 *  2 Abort Message       |  chunk stream id (32 bits)        |
 *  3 Acknowledgement     |  sequence number (32 bits)        |
 *  5 Window Ack Size     |  window size (32 bits)            |
 *  6 Set Peer Bandwidth  |  window size (32 bits)            | limit type (8) |
 *
 * Limit type: 0 hard, 1 soft, 2 dynamic.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "cursor.h"
#include "msg-decoders.h"

static const struct value_name limit_type_names[] = {
	{ 0, "hard" },
	{ 1, "soft" },
	{ 2, "dynamic" },
	{ 0, NULL }
};

enum msg_status
msg_status_of(int cursor_status)
{
	switch (cursor_status) {
	case CURSOR_OK:
		return MSG_OK;
	case CURSOR_TRUNCATED:
		return MSG_TRUNCATED;
	default:
		return MSG_MALFORMED;
	}
}

/*
 * The bodies above are one 32-bit value under a name; the wire length is
 * fixed, so anything else is malformed even when the value could be read.
 */
static enum msg_status
decode_u32(const struct rtmp_message *m, struct field_sink *out,
    const char *key, uint32_t mask, uint32_t wire_len)
{
	struct cursor c;
	uint32_t v;

	cursor_init(&c, m->body, m->kept);
	v = cursor_u32be(&c);
	if (!cursor_ok(&c))
		return m->kept < m->len ? MSG_TRUNCATED : MSG_MALFORMED;
	field_uint(out, key, v & mask);
	return m->len == wire_len ? MSG_OK : MSG_MALFORMED;
}

static enum msg_status
decode_set_chunk_size(const struct rtmp_message *m, struct field_sink *out)
{
	return decode_u32(m, out, "chunk_size", 0x7fffffffU, 4);
}

static enum msg_status
decode_abort(const struct rtmp_message *m, struct field_sink *out)
{
	return decode_u32(m, out, "abort_csid", 0xffffffffU, 4);
}

static enum msg_status
decode_ack(const struct rtmp_message *m, struct field_sink *out)
{
	return decode_u32(m, out, "ack_seq", 0xffffffffU, 4);
}

static enum msg_status
decode_window(const struct rtmp_message *m, struct field_sink *out)
{
	return decode_u32(m, out, "window", 0xffffffffU, 4);
}

static enum msg_status
decode_peer_bandwidth(const struct rtmp_message *m, struct field_sink *out)
{
	struct cursor c;
	enum msg_status st;
	uint8_t limit;

	st = decode_u32(m, out, "window", 0xffffffffU, 5);
	if (st == MSG_TRUNCATED || m->kept < 5)
		return m->kept < m->len ? MSG_TRUNCATED : MSG_MALFORMED;
	cursor_init(&c, m->body, m->kept);
	cursor_skip(&c, 4);
	limit = cursor_u8(&c);
	field_uint(out, "limit_type", limit);
	field_cstr(out, "limit_type_name",
	    value_name_lookup(limit_type_names, limit, "unknown"));
	return limit > 2 ? MSG_MALFORMED : st;
}

const struct msg_decoder msg_set_chunk_size_entry = {
	RTMP_SET_CHUNK_SIZE, "set_chunk_size", NULL, decode_set_chunk_size
};
const struct msg_decoder msg_abort_entry = {
	RTMP_ABORT, "abort", NULL, decode_abort
};
const struct msg_decoder msg_ack_entry = {
	RTMP_ACK, "ack", NULL, decode_ack
};
const struct msg_decoder msg_window_ack_size_entry = {
	RTMP_WINDOW_ACK_SIZE, "window_ack_size", NULL, decode_window
};
const struct msg_decoder msg_set_peer_bandwidth_entry = {
	RTMP_SET_PEER_BANDWIDTH, "set_peer_bandwidth", NULL,
	decode_peer_bandwidth
};
