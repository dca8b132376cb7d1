/*
 * Command and data messages, and shared objects: the AMF-encoded families.
 *
 *  20 command (AMF0)  | name: string | transaction id: number | command object | args... |
 *  17 command (AMF3)  | 0x00 | the same, AMF0-encoded with AMF3 switches |
 *  18 data (AMF0)     | handler name: string | values... |
 *  15 data (AMF3)     | 0x00 | the same |
 *  19/16 shared object (AMF0/AMF3)
 *
 * AMF0 string:       | 0x02 | length:2 | UTF-8 |
 * AMF0 long string:  | 0x0c | length:4 | UTF-8 |
 * AMF0 number:       | 0x00 | IEEE 754 double:8 |
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "cursor.h"
#include "msg-decoders.h"

#define AMF0_NUMBER		0x00
#define AMF0_STRING		0x02
#define AMF0_LONG_STRING	0x0c

/* Reads an AMF0 string value; NULL (cursor marked) if it is none. */
static const char *
amf0_read_string(struct cursor *c, size_t *len)
{
	uint8_t marker = cursor_u8(c);

	if (marker == AMF0_STRING)
		*len = cursor_u16be(c);
	else if (marker == AMF0_LONG_STRING)
		*len = cursor_u32be(c);
	else
		cursor_fail(c, CURSOR_MALFORMED);
	return (const char *)cursor_bytes(c, cursor_ok(c) ? *len : 0);
}

static enum msg_status
decode_named(const struct rtmp_message *m, struct field_sink *out,
    bool amf3, bool command)
{
	struct cursor c;
	const char *name;
	size_t len = 0;
	double txn;

	cursor_init(&c, m->body, m->kept);
	if (amf3)
		cursor_skip(&c, 1);	/* the AMF3 types' leading byte */
	name = amf0_read_string(&c, &len);
	if (name == NULL)
		return msg_status_of(c.status);
	field_str(out, "name", name, len);
	if (command) {
		if (cursor_u8(&c) != AMF0_NUMBER)
			cursor_fail(&c, CURSOR_MALFORMED);
		txn = cursor_f64be(&c);
		if (!cursor_ok(&c))
			return msg_status_of(c.status);
		field_number(out, "txn", txn);
	}
	return MSG_OK;
}

static enum msg_status
decode_command_amf0(const struct rtmp_message *m, struct field_sink *out)
{
	return decode_named(m, out, false, true);
}

static enum msg_status
decode_command_amf3(const struct rtmp_message *m, struct field_sink *out)
{
	return decode_named(m, out, true, true);
}

static enum msg_status
decode_data_amf0(const struct rtmp_message *m, struct field_sink *out)
{
	return decode_named(m, out, false, false);
}

static enum msg_status
decode_data_amf3(const struct rtmp_message *m, struct field_sink *out)
{
	return decode_named(m, out, true, false);
}

const struct msg_decoder msg_command_amf0_entry = {
	RTMP_COMMAND_AMF0, "command_amf0", NULL, decode_command_amf0
};
const struct msg_decoder msg_command_amf3_entry = {
	RTMP_COMMAND_AMF3, "command_amf3", NULL, decode_command_amf3
};
const struct msg_decoder msg_data_amf0_entry = {
	RTMP_DATA_AMF0, "data_amf0", NULL, decode_data_amf0
};
const struct msg_decoder msg_data_amf3_entry = {
	RTMP_DATA_AMF3, "data_amf3", NULL, decode_data_amf3
};
const struct msg_decoder msg_shared_object_amf0_entry = {
	RTMP_SHARED_OBJECT_AMF0, "shared_object_amf0", NULL, NULL
};
const struct msg_decoder msg_shared_object_amf3_entry = {
	RTMP_SHARED_OBJECT_AMF3, "shared_object_amf3", NULL, NULL
};
