/*
 * User control messages, type 4 (RTMP 1.0 specification, 7.1.7):
 *
 *  +------------------+--------------------------------+
 *  | event type (16)  | event data                     |
 *  +------------------+--------------------------------+
 *
 *  0 Stream Begin, 1 Stream EOF, 2 Stream Dry, 4 Stream Is Recorded,
 *  31 Buffer Empty, 32 Buffer Ready   | stream id (32) |
 *  3 Set Buffer Length                | stream id (32) | buffer ms (32) |
 *  6 Ping Request, 7 Ping Response    | timestamp (32) |
 *  26 SWF Verification Request        (no data)
 *  27 SWF Verification Response       | 42 bytes: 1, 1, size, size, HMAC |
 *
 * Other events are kept with their number and the first 32 bits of data.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "cursor.h"
#include "msg-decoders.h"

enum uc_event {
	UC_STREAM_BEGIN = 0,
	UC_STREAM_EOF = 1,
	UC_STREAM_DRY = 2,
	UC_SET_BUFFER_LENGTH = 3,
	UC_STREAM_IS_RECORDED = 4,
	UC_PING_REQUEST = 6,
	UC_PING_RESPONSE = 7,
	UC_SWF_VERIFY_REQUEST = 26,
	UC_SWF_VERIFY_RESPONSE = 27,
	UC_BUFFER_EMPTY = 31,
	UC_BUFFER_READY = 32,
};

static const struct value_name uc_event_names[] = {
	{ UC_STREAM_BEGIN, "stream_begin" },
	{ UC_STREAM_EOF, "stream_eof" },
	{ UC_STREAM_DRY, "stream_dry" },
	{ UC_SET_BUFFER_LENGTH, "set_buffer_length" },
	{ UC_STREAM_IS_RECORDED, "stream_is_recorded" },
	{ UC_PING_REQUEST, "ping_request" },
	{ UC_PING_RESPONSE, "ping_response" },
	{ UC_SWF_VERIFY_REQUEST, "swf_verify_request" },
	{ UC_SWF_VERIFY_RESPONSE, "swf_verify_response" },
	{ UC_BUFFER_EMPTY, "buffer_empty" },
	{ UC_BUFFER_READY, "buffer_ready" },
	{ 0, NULL }
};

static enum msg_status
decode_user_control(const struct rtmp_message *m, struct field_sink *out)
{
	struct cursor c;
	uint16_t ev;
	uint32_t v;

	cursor_init(&c, m->body, m->kept);
	ev = cursor_u16be(&c);
	if (!cursor_ok(&c))
		return msg_status_of(c.status);
	field_uint(out, "event", ev);
	field_cstr(out, "event_name",
	    value_name_lookup(uc_event_names, ev, "unknown"));
	switch (ev) {
	case UC_SWF_VERIFY_REQUEST:
		break;
	case UC_SWF_VERIFY_RESPONSE:
		cursor_skip(&c, 42);
		break;
	case UC_PING_REQUEST:
	case UC_PING_RESPONSE:
		v = cursor_u32be(&c);
		if (cursor_ok(&c))
			field_uint(out, "ping_ts", v);
		break;
	case UC_STREAM_BEGIN:
	case UC_STREAM_EOF:
	case UC_STREAM_DRY:
	case UC_STREAM_IS_RECORDED:
	case UC_BUFFER_EMPTY:
	case UC_BUFFER_READY:
	case UC_SET_BUFFER_LENGTH:
		v = cursor_u32be(&c);
		if (cursor_ok(&c))
			field_uint(out, "stream_id", v);
		if (ev == UC_SET_BUFFER_LENGTH) {
			v = cursor_u32be(&c);
			if (cursor_ok(&c))
				field_uint(out, "buffer_ms", v);
		}
		break;
	default:
		v = cursor_u32be(&c);
		if (cursor_ok(&c))
			field_uint(out, "value", v);
		break;
	}
	return msg_status_of(c.status);
}

const struct msg_decoder msg_user_control_entry = {
	RTMP_USER_CONTROL, "user_control", NULL, decode_user_control
};
