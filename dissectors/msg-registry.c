/*
 * The message decoder registry: one row per message type.  Each family of
 * types lives in its own msg-*.c file and exports its msg_decoder entries.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stddef.h>

#include "hard-limits.h"
#include "message.h"
#include "msg-decoders.h"

static const struct msg_decoder *const msg_decoders[] = {
	&msg_set_chunk_size_entry,
	&msg_abort_entry,
	&msg_ack_entry,
	&msg_user_control_entry,
	&msg_window_ack_size_entry,
	&msg_set_peer_bandwidth_entry,
	&msg_audio_entry,
	&msg_video_entry,
	&msg_data_amf3_entry,
	&msg_shared_object_amf3_entry,
	&msg_command_amf3_entry,
	&msg_data_amf0_entry,
	&msg_shared_object_amf0_entry,
	&msg_command_amf0_entry,
	&msg_aggregate_entry,
};

/* Indexed by type once, so the per-message lookup is one load. */
static const struct msg_decoder *
msg_decoder_by_type(uint8_t type)
{
	static const struct msg_decoder *table[256];
	static int ready;
	size_t i;

	if (!ready) {
		for (i = 0; i < sizeof(msg_decoders) / sizeof(msg_decoders[0]);
		    i++)
			table[msg_decoders[i]->type] = msg_decoders[i];
		ready = 1;
	}
	return table[type];
}

const struct msg_decoder *
msg_decoder_find(uint8_t type)
{
	return msg_decoder_by_type(type);
}

const char *
msg_type_name(uint8_t type)
{
	const struct msg_decoder *dec = msg_decoder_by_type(type);

	return dec != NULL ? dec->type_name : "unknown";
}

uint32_t
msg_keep(uint8_t type, const uint8_t *probe, size_t n, uint32_t len)
{
	const struct msg_decoder *dec = msg_decoder_by_type(type);

	if (dec == NULL || dec->keep == NULL)
		return len;
	return dec->keep(probe, n, len);
}

enum msg_status
msg_decode(const struct rtmp_message *m, struct field_sink *out)
{
	const struct msg_decoder *dec = msg_decoder_by_type(m->type);

	enum msg_status st;

	if (dec == NULL || dec->decode == NULL)
		return MSG_OK;
	st = dec->decode(m, out);
	/*
	 * Running out of bytes is truncation only when bytes are missing: a
	 * whole body too short for its fields is malformed, and a media body
	 * kept in part on purpose is neither.
	 */
	if (st == MSG_TRUNCATED && m->kept >= m->len)
		return MSG_MALFORMED;
	if (st == MSG_TRUNCATED && dec->keep != NULL &&
	    m->kept < LIMIT_MESSAGE_KEEP_MAX)
		return MSG_OK;
	return st;
}

const char *
value_name_lookup(const struct value_name *table, uint32_t value,
    const char *fallback)
{
	for (; table->name != NULL; table++)
		if (table->value == value)
			return table->name;
	return fallback;
}
