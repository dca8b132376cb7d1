/*
 * Video messages, type 9: an FLV video tag header, then the codec payload.
 *
 *  legacy:   | frame type (4) | codec id (4) |
 *            AVC (7) and HEVC (12): | packet type (8) | composition time (s24) |
 *  enhanced: | 1 | frame type (3) | packet type (4) | FourCC (32) | ...
 *
 *  frame type: 1 key, 2 inter, 3 disposable inter, 4 generated key,
 *  5 video info/command.  AVC packet type: 0 sequence header, 1 NALU,
 *  2 end of sequence.  Enhanced packet type 1 (CodedFrames) carries a
 *  composition time after the FourCC for avc1 and hvc1.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "cursor.h"
#include "msg-decoders.h"

#define VIDEO_EX_HEADER		0x80
#define CODEC_AVC		7
#define CODEC_HEVC		12
#define EX_SEQUENCE_START	0
#define EX_CODED_FRAMES		1

static uint32_t
keep_video(const uint8_t *probe, size_t n, uint32_t len)
{
	uint8_t codec;

	if (n < 2)
		return len;
	if (probe[0] & VIDEO_EX_HEADER) {
		if ((probe[0] & 0x0f) == EX_SEQUENCE_START)
			return len;
	} else {
		codec = probe[0] & 0x0f;
		if ((codec == CODEC_AVC || codec == CODEC_HEVC) &&
		    probe[1] == 0)
			return len;
	}
	return msg_keep_probe(probe, n, len);
}

static enum msg_status
decode_video(const struct rtmp_message *m, struct field_sink *out)
{
	struct cursor c;
	const uint8_t *fourcc;
	uint8_t b, codec, packet;
	int32_t cts;

	cursor_init(&c, m->body, m->kept);
	b = cursor_u8(&c);
	if (!cursor_ok(&c))
		return m->len == 0 ? MSG_OK : msg_status_of(c.status);
	if (b & VIDEO_EX_HEADER) {
		packet = b & 0x0f;
		field_uint(out, "frame_type", (b >> 4) & 7);
		field_uint(out, "packet_type", packet);
		fourcc = cursor_bytes(&c, 4);
		if (fourcc == NULL)
			return msg_status_of(c.status);
		field_str(out, "fourcc", (const char *)fourcc, 4);
		if (packet == EX_CODED_FRAMES &&
		    (memcmp(fourcc, "avc1", 4) == 0 ||
		    memcmp(fourcc, "hvc1", 4) == 0)) {
			cts = cursor_s24be(&c);
			if (cursor_ok(&c))
				field_sint(out, "cts", cts);
		}
		return msg_status_of(c.status);
	}
	codec = b & 0x0f;
	field_uint(out, "frame_type", b >> 4);
	field_uint(out, "codec", codec);
	if (codec == CODEC_AVC || codec == CODEC_HEVC) {
		packet = cursor_u8(&c);
		cts = cursor_s24be(&c);
		if (!cursor_ok(&c))
			return msg_status_of(c.status);
		field_uint(out, "avc_packet_type", packet);
		field_sint(out, "cts", cts);
	}
	return msg_status_of(c.status);
}

const struct msg_decoder msg_video_entry = {
	RTMP_VIDEO, "video", keep_video, decode_video
};
