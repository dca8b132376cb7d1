/*
 * Shared object messages: type 19 (AMF0) and 16 (AMF3, after a leading
 * format byte).  RTMP 1.0 specification, 7.1.3:
 *
 *  | name length:2 | name | version:4 | flags:4 (2 = persistent) | reserved:4 |
 *  | event type:1 | event length:4 | event data | ...
 *
 *  1 Use, 2 Release, 8 Clear, 11 Use Success       no data
 *  3 Request Change, 4 Change                       (name length:2 | name | value)*
 *  5 Success, 9 Remove, 10 Request Remove           name length:2 | name
 *  6 Send Message                                   values...
 *  7 Status                                         message: string | status: string
 *
 * Values are AMF0 in type 19 and AMF3 in type 16.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "amf.h"
#include "hard-limits.h"
#include "msg-decoders.h"

#define SO_PERSISTENT	0x02

enum so_event {
	SO_USE = 1,
	SO_RELEASE = 2,
	SO_REQUEST_CHANGE = 3,
	SO_CHANGE = 4,
	SO_SUCCESS = 5,
	SO_SEND_MESSAGE = 6,
	SO_STATUS = 7,
	SO_CLEAR = 8,
	SO_REMOVE = 9,
	SO_REQUEST_REMOVE = 10,
	SO_USE_SUCCESS = 11,
};

static const struct value_name so_event_names[] = {
	{ SO_USE, "use" },
	{ SO_RELEASE, "release" },
	{ SO_REQUEST_CHANGE, "request_change" },
	{ SO_CHANGE, "change" },
	{ SO_SUCCESS, "success" },
	{ SO_SEND_MESSAGE, "send_message" },
	{ SO_STATUS, "status" },
	{ SO_CLEAR, "clear" },
	{ SO_REMOVE, "remove" },
	{ SO_REQUEST_REMOVE, "request_remove" },
	{ SO_USE_SUCCESS, "use_success" },
	{ 0, NULL }
};

static enum msg_status
so_value(struct cursor *c, struct amf_refs *refs, struct field_sink *out,
    bool amf3)
{
	return amf3 ? amf3_decode(c, refs, out, 2) : amf0_decode(c, refs, out,
	    2);
}

/* A u16-length name, as shared objects write slot names. */
static const char *
so_name(struct cursor *c, uint16_t *len)
{
	*len = cursor_u16be(c);
	return (const char *)cursor_bytes(c, *len);
}

/* The data of one event, within its own bounded cursor. */
static enum msg_status
so_event_data(uint8_t type, struct cursor *c, struct amf_refs *refs,
    struct field_sink *out, bool amf3)
{
	enum msg_status st = MSG_OK;
	const char *name;
	uint16_t len;

	switch (type) {
	case SO_REQUEST_CHANGE:
	case SO_CHANGE:
		out->ops->key(out, "data", 4);
		out->ops->begin(out, false);
		while (st == MSG_OK && cursor_remaining(c) > 0) {
			name = so_name(c, &len);
			if (name == NULL)
				break;
			out->ops->key(out, name, len);
			st = so_value(c, refs, out, amf3);
		}
		out->ops->end(out, false);
		break;
	case SO_SUCCESS:
	case SO_REMOVE:
	case SO_REQUEST_REMOVE:
		name = so_name(c, &len);
		if (name != NULL)
			field_str(out, "slot", name, len);
		break;
	case SO_SEND_MESSAGE:
	case SO_STATUS:
		out->ops->key(out, "data", 4);
		out->ops->begin(out, true);
		while (st == MSG_OK && cursor_remaining(c) > 0)
			st = so_value(c, refs, out, amf3);
		out->ops->end(out, true);
		break;
	default:
		break;
	}
	return st != MSG_OK ? st : msg_status_of(c->status);
}

static enum msg_status
decode_shared_object(const struct rtmp_message *m, struct field_sink *out,
    bool amf3)
{
	struct amf_refs refs;
	struct cursor c, ev;
	enum msg_status st = MSG_OK;
	const char *name;
	struct note note;
	uint32_t version, flags, len, events = 0;
	uint16_t nlen;
	uint8_t type;

	amf_refs_init(&refs, m->body);
	cursor_init(&c, m->body, m->kept);
	if (amf3)
		cursor_skip(&c, 1);
	name = so_name(&c, &nlen);
	version = cursor_u32be(&c);
	flags = cursor_u32be(&c);
	cursor_skip(&c, 4);
	if (!cursor_ok(&c))
		return msg_status_of(c.status);

	note_init(&note);
	note_add(&note, "shared object ");
	note_add_bytes(&note, name, nlen);
	note_add(&note, " v%u%s", version,
	    (flags & SO_PERSISTENT) ? " persistent" : "");
	note_emit(&note, out);

	field_str(out, "so_name", name, nlen);
	field_uint(out, "version", version);
	field_bool(out, "persistent", (flags & SO_PERSISTENT) != 0);
	out->ops->key(out, "events", 6);
	out->ops->begin(out, true);
	while (cursor_remaining(&c) > 0 && events < LIMIT_AMF_ELEMENTS) {
		type = cursor_u8(&c);
		len = cursor_u32be(&c);
		if (!cursor_need(&c, len))
			break;
		/* The event's data is read within its own length. */
		cursor_init(&ev, m->body, c.off + len);
		cursor_skip(&ev, c.off);
		cursor_skip(&c, len);
		out->ops->begin(out, false);
		field_uint(out, "type", type);
		field_cstr(out, "type_name",
		    value_name_lookup(so_event_names, type, "unknown"));
		if (so_event_data(type, &ev, &refs, out, amf3) != MSG_OK)
			st = MSG_MALFORMED;
		out->ops->end(out, false);
		events++;
	}
	out->ops->end(out, true);
	return st != MSG_OK ? st : msg_status_of(c.status);
}

static enum msg_status
decode_so_amf0(const struct rtmp_message *m, struct field_sink *out)
{
	return decode_shared_object(m, out, false);
}

static enum msg_status
decode_so_amf3(const struct rtmp_message *m, struct field_sink *out)
{
	return decode_shared_object(m, out, true);
}

const struct msg_decoder msg_shared_object_amf0_entry = {
	RTMP_SHARED_OBJECT_AMF0, "shared_object_amf0", NULL, decode_so_amf0
};
const struct msg_decoder msg_shared_object_amf3_entry = {
	RTMP_SHARED_OBJECT_AMF3, "shared_object_amf3", NULL, decode_so_amf3
};
