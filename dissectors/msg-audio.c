/*
 * Audio messages, type 8: an FLV audio tag header, then the codec payload.
 *
 *  +--------------+----------+----------+----------+
 *  | format (4)   | rate (2) | size (1) | type (1) |   legacy header
 *  +--------------+----------+----------+----------+
 *  | AAC (format 10): packet type (8): 0 sequence header, 1 raw
 *
 *  rate: 0 5.5 kHz, 1 11 kHz, 2 22 kHz, 3 44 kHz; size: 0 8-bit, 1 16-bit;
 *  type: 0 mono, 1 stereo.  Format 9 is the Enhanced RTMP ExHeader: the low
 *  four bits are then a packet type and a FourCC follows.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "cursor.h"
#include "msg-decoders.h"

#define SOUND_EX_HEADER		9
#define SOUND_AAC		10
#define AUDIO_KEEP		16U

uint32_t
msg_keep_probe(const uint8_t *probe, size_t n, uint32_t len)
{
	return len < AUDIO_KEEP ? len : AUDIO_KEEP;
}

/* Sequence headers are kept whole for the codec configuration. */
static uint32_t
keep_audio(const uint8_t *probe, size_t n, uint32_t len)
{
	uint8_t format;

	if (n < 2)
		return len;
	format = probe[0] >> 4;
	if ((format == SOUND_AAC && probe[1] == 0) ||
	    (format == SOUND_EX_HEADER && (probe[0] & 0x0f) == 0))
		return len;
	return msg_keep_probe(probe, n, len);
}

static enum msg_status
decode_audio(const struct rtmp_message *m, struct field_sink *out)
{
	struct cursor c;
	const uint8_t *fourcc;
	uint8_t b, format;

	cursor_init(&c, m->body, m->kept);
	b = cursor_u8(&c);
	if (!cursor_ok(&c))
		return m->len == 0 ? MSG_OK : msg_status_of(c.status);
	format = b >> 4;
	field_uint(out, "sound_format", format);
	if (format == SOUND_EX_HEADER) {
		field_uint(out, "packet_type", b & 0x0f);
		fourcc = cursor_bytes(&c, 4);
		if (fourcc != NULL)
			field_str(out, "fourcc", (const char *)fourcc, 4);
		return msg_status_of(c.status);
	}
	field_uint(out, "sound_rate", (b >> 2) & 3);
	field_uint(out, "sound_size", (b >> 1) & 1);
	field_uint(out, "sound_type", b & 1);
	if (format == SOUND_AAC) {
		b = cursor_u8(&c);
		if (cursor_ok(&c))
			field_uint(out, "aac_packet_type", b);
	}
	return msg_status_of(c.status);
}

const struct msg_decoder msg_audio_entry = {
	RTMP_AUDIO, "audio", keep_audio, decode_audio
};
