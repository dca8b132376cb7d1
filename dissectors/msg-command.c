/*
 * Command messages: type 20 (AMF0) and 17 (AMF3: a leading format byte 0,
 * then AMF0 values that may switch to AMF3 with the 0x11 marker).
 *
 *  | name: string | transaction id: number | command object | arguments... |
 *
 * Every value after the name is in "args" (the command object first).  For
 * the commands of the RTMP specification and the common extensions, the
 * values an operator looks for are also copied to the top level: connect's
 * app and tcUrl, play's stream name, onStatus's level and code, ...
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "amf-message.h"
#include "msg-decoders.h"

#define NO_OBJECT	0xff

static const struct amf_key_copy connect_keys[] = {
	{ "app", "app" },
	{ "tcUrl", "tcUrl" },
	{ "flashVer", "flashVer" },
	{ "swfUrl", "swfUrl" },
	{ "pageUrl", "pageUrl" },
	{ "objectEncoding", "objectEncoding" },
	{ "audioCodecs", "audioCodecs" },
	{ "videoCodecs", "videoCodecs" },
	{ "fourCcList", "fourCcList" },
	{ "capsEx", "capsEx" },
	{ NULL, NULL }
};
static const struct amf_key_copy status_keys[] = {
	{ "level", "level" },
	{ "code", "code" },
	{ "description", "description" },
	{ "ex", "ex" },
	{ NULL, NULL }
};
static const struct amf_key_copy play2_keys[] = {
	{ "streamName", "stream" },
	{ "oldStreamName", "old_stream" },
	{ "start", "start" },
	{ "len", "duration" },
	{ "transition", "transition" },
	{ NULL, NULL }
};

/*
 * object_arg: the argument whose keys are copied (0 is the command
 * object); positional: names for the scalar arguments 1, 2, ...
 */
struct command_spec {
	const char		*name;
	uint8_t			 object_arg;
	const struct amf_key_copy *keys;
	const char		*positional[4];
};

static const struct command_spec command_specs[] = {
	{ "connect", 0, connect_keys, { NULL } },
	{ "createStream", NO_OBJECT, NULL, { NULL } },
	{ "play", NO_OBJECT, NULL, { "stream", "start", "duration", "reset" } },
	{ "play2", 1, play2_keys, { NULL } },
	{ "publish", NO_OBJECT, NULL, { "stream", "publish_type" } },
	{ "deleteStream", NO_OBJECT, NULL, { "stream_id" } },
	{ "closeStream", NO_OBJECT, NULL, { NULL } },
	{ "receiveAudio", NO_OBJECT, NULL, { "flag" } },
	{ "receiveVideo", NO_OBJECT, NULL, { "flag" } },
	{ "seek", NO_OBJECT, NULL, { "ms" } },
	{ "pause", NO_OBJECT, NULL, { "pause", "ms" } },
	{ "releaseStream", NO_OBJECT, NULL, { "stream" } },
	{ "FCPublish", NO_OBJECT, NULL, { "stream" } },
	{ "FCUnpublish", NO_OBJECT, NULL, { "stream" } },
	{ "FCSubscribe", NO_OBJECT, NULL, { "stream" } },
	{ "FCUnsubscribe", NO_OBJECT, NULL, { "stream" } },
	{ "getStreamLength", NO_OBJECT, NULL, { "stream" } },
	{ "_checkbw", NO_OBJECT, NULL, { NULL } },
	{ "onBWDone", NO_OBJECT, NULL, { "kbps" } },
	{ "close", NO_OBJECT, NULL, { NULL } },
	{ "onStatus", 1, status_keys, { NULL } },
	{ "onFCPublish", 1, status_keys, { NULL } },
	{ "onFCUnpublish", 1, status_keys, { NULL } },
	{ "_result", 1, status_keys, { "value" } },
	{ "_error", 1, status_keys, { "value" } },
	{ NULL, 0, NULL, { NULL } }
};

static const struct command_spec *
command_spec_find(const char *name, size_t len)
{
	const struct command_spec *spec;

	for (spec = command_specs; spec->name != NULL; spec++)
		if (strlen(spec->name) == len &&
		    memcmp(spec->name, name, len) == 0)
			return spec;
	return NULL;
}

static bool
is_object(uint8_t marker)
{
	return marker == AMF0_OBJECT || marker == AMF0_ECMA_ARRAY ||
	    marker == AMF0_TYPED_OBJECT;
}

/* The annotations of a known command; into the note, or as fields. */
static void
annotate(struct amf_message *a, const struct command_spec *spec,
    struct field_sink *out, struct note *note, bool emit)
{
	uint32_t i;
	uint8_t marker;

	if (spec->object_arg != NO_OBJECT &&
	    is_object(amf_message_marker(a, spec->object_arg)))
		amf_message_copy_keys(a, spec->object_arg, spec->keys, out,
		    note, emit);
	for (i = 0; i < 4 && spec->positional[i] != NULL; i++) {
		marker = amf_message_marker(a, i + 1);
		if (!is_object(marker) && marker != AMF0_NULL &&
		    marker != AMF0_UNDEFINED)
			amf_message_copy_arg(a, i + 1, spec->positional[i],
			    out, note, emit);
	}
}

static enum msg_status
decode_command(const struct rtmp_message *m, struct field_sink *out,
    bool amf3)
{
	struct amf_message a;
	const struct command_spec *spec;
	const char *name;
	struct note note;
	enum msg_status st;
	size_t len;
	double txn;

	amf_message_init(&a, m, amf3);
	name = amf0_read_string(&a.c, &len);
	if (cursor_peek_u8(&a.c) != AMF0_NUMBER)
		cursor_fail(&a.c, CURSOR_MALFORMED);
	cursor_skip(&a.c, 1);
	txn = cursor_f64be(&a.c);
	if (name == NULL || !cursor_ok(&a.c)) {
		if (name != NULL)
			field_str(out, "name", name, len);
		return msg_status_of(a.c.status);
	}
	amf_message_walk(&a);
	spec = command_spec_find(name, len);

	note_init(&note);
	note_add(&note, "command ");
	note_add_bytes(&note, name, len);
	note_add(&note, " #%.15g", txn);
	if (spec != NULL)
		annotate(&a, spec, out, &note, false);
	note_emit(&note, out);

	field_str(out, "name", name, len);
	field_number(out, "txn", txn);
	if (spec != NULL)
		annotate(&a, spec, out, NULL, true);
	st = amf_message_args(&a, 0, out);
	return a.status != MSG_OK ? a.status : st;
}

static enum msg_status
decode_command_amf0(const struct rtmp_message *m, struct field_sink *out)
{
	return decode_command(m, out, false);
}

static enum msg_status
decode_command_amf3(const struct rtmp_message *m, struct field_sink *out)
{
	return decode_command(m, out, true);
}

const struct msg_decoder msg_command_amf0_entry = {
	RTMP_COMMAND_AMF0, "command_amf0", NULL, decode_command_amf0
};
const struct msg_decoder msg_command_amf3_entry = {
	RTMP_COMMAND_AMF3, "command_amf3", NULL, decode_command_amf3
};
