/*
 * Data messages: type 18 (AMF0) and 15 (AMF3: a leading format byte, then
 * AMF0 values that may switch to AMF3).
 *
 *  | handler name: string | values... |
 *
 * onMetaData, @setDataFrame (whose first value names the handler the
 * server should store: onMetaData), |RtmpSampleAccess, onTextData,
 * onCuePoint, onGetFPS and any custom handler: every value after the name is
 * in "args".  The note shows what a person checks first.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "amf-message.h"
#include "msg-decoders.h"

/* The metadata keys a person looks at first. */
static const struct amf_key_copy metadata_keys[] = {
	{ "width", "width" },
	{ "height", "height" },
	{ "framerate", "framerate" },
	{ "videocodecid", "videocodecid" },
	{ "videodatarate", "videodatarate" },
	{ "audiocodecid", "audiocodecid" },
	{ "audiosamplerate", "audiosamplerate" },
	{ "audiochannels", "audiochannels" },
	{ "encoder", "encoder" },
	{ NULL, NULL }
};

#define NOTE_SCALARS	4	/* leading scalar values shown in a note */

static bool
is_object(uint8_t marker)
{
	return marker == AMF0_OBJECT || marker == AMF0_ECMA_ARRAY ||
	    marker == AMF0_TYPED_OBJECT;
}

static void
data_note(struct amf_message *a, const char *name, size_t len,
    struct field_sink *out)
{
	struct note note;
	uint32_t i;

	note_init(&note);
	note_add(&note, "data ");
	note_add_bytes(&note, name, len);
	for (i = 0; i < a->nargs; i++) {
		if (is_object(amf_message_marker(a, i))) {
			amf_message_copy_keys(a, i, metadata_keys, out, &note,
			    false);
		} else if (i < NOTE_SCALARS) {
			note_add(&note, " ");
			amf0_note_value(&note, &a->refs, a->c.len, a->args[i]);
		}
	}
	note_emit(&note, out);
}

static enum msg_status
decode_data(const struct rtmp_message *m, struct field_sink *out, bool amf3)
{
	struct amf_message a;
	const char *name;
	enum msg_status st;
	size_t len;

	amf_message_init(&a, m, amf3);
	name = amf0_read_string(&a.c, &len);
	if (name == NULL)
		return msg_status_of(a.c.status);
	amf_message_walk(&a);
	data_note(&a, name, len, out);
	field_str(out, "name", name, len);
	st = amf_message_args(&a, 0, out);
	return a.status != MSG_OK ? a.status : st;
}

static enum msg_status
decode_data_amf0(const struct rtmp_message *m, struct field_sink *out)
{
	return decode_data(m, out, false);
}

static enum msg_status
decode_data_amf3(const struct rtmp_message *m, struct field_sink *out)
{
	return decode_data(m, out, true);
}

const struct msg_decoder msg_data_amf0_entry = {
	RTMP_DATA_AMF0, "data_amf0", NULL, decode_data_amf0
};
const struct msg_decoder msg_data_amf3_entry = {
	RTMP_DATA_AMF3, "data_amf3", NULL, decode_data_amf3
};
