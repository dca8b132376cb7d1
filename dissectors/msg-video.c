/*
 * Video messages, type 9: an FLV video tag header, then the codec payload.
 *
 *  legacy:   | frame type:4 | codec id:4 |
 *            AVC (7), HEVC (12):
 *              | packet type:8 | composition time:s24 | data |
 *            packet type 0: a decoder configuration record (avcC, hvcC)
 *            frame type 5: | command:8 | (0 start of seek, 1 end of seek)
 *  enhanced: | 1 | frame type:3 | packet type:4 | ... (see av-ex.h)
 *            packet types: 0 SequenceStart (avcC, hvcC, av1C, vpcC),
 *            1 CodedFrames (avc1, hvc1: | composition time:s24 | data |),
 *            2 SequenceEnd, 3 CodedFramesX (time 0), 4 Metadata (AMF),
 *            5 MPEG2TSSequenceStart, 6 Multitrack, 7 ModEx
 *
 *  frame type: 1 key, 2 inter, 3 disposable inter, 4 generated key,
 *  5 video info/command.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "av-ex.h"
#include "codec.h"
#include "cursor.h"
#include "msg-decoders.h"

#define VIDEO_EX_HEADER		0x80
#define CODEC_AVC		7
#define CODEC_HEVC		12
#define AVC_SEQUENCE_HEADER	0
#define FRAME_COMMAND		5

static const struct value_name frame_type_names[] = {
	{ 1, "key" },
	{ 2, "inter" },
	{ 3, "disposable" },
	{ 4, "generated-key" },
	{ 5, "command" },
	{ 0, NULL }
};

static const struct value_name codec_names[] = {
	{ 2, "h263" },
	{ 3, "screen" },
	{ 4, "vp6" },
	{ 5, "vp6a" },
	{ 6, "screen2" },
	{ CODEC_AVC, "avc" },
	{ CODEC_HEVC, "hevc" },
	{ 0, NULL }
};

static const struct value_name avc_packet_names[] = {
	{ 0, "seq-hdr" },
	{ 1, "nalu" },
	{ 2, "end-of-seq" },
	{ 0, NULL }
};

static const struct value_name ex_packet_names[] = {
	{ VIDEO_SEQUENCE_START, "seq-start" },
	{ VIDEO_CODED_FRAMES, "coded" },
	{ VIDEO_SEQUENCE_END, "seq-end" },
	{ VIDEO_CODED_FRAMES_X, "coded-x" },
	{ VIDEO_METADATA, "metadata" },
	{ VIDEO_MPEG2TS_SEQUENCE_START, "mpeg2ts-seq-start" },
	{ 0, NULL }
};

static const struct value_name command_names[] = {
	{ 0, "start-seek" },
	{ 1, "end-seek" },
	{ 0, NULL }
};

const char *
video_codec_name(unsigned codec)
{
	return value_name_lookup(codec_names, codec, "unknown");
}

static uint32_t
keep_video(const uint8_t *probe, size_t n, uint32_t len)
{
	uint8_t codec, packet;

	if (n < 2)
		return len;
	if (probe[0] & VIDEO_EX_HEADER) {
		/* Sequence starts, and every header a track may carry. */
		packet = probe[0] & 0x0f;
		if (packet == VIDEO_SEQUENCE_START ||
		    packet == VIDEO_METADATA ||
		    packet == VIDEO_MPEG2TS_SEQUENCE_START ||
		    packet == VIDEO_MULTITRACK || packet == AV_EX_MODEX)
			return len;
	} else {
		codec = probe[0] & 0x0f;
		if ((codec == CODEC_AVC || codec == CODEC_HEVC) &&
		    probe[1] == AVC_SEQUENCE_HEADER)
			return len;
	}
	return msg_keep_probe(probe, n, len);
}

/* A video info/command frame: | command:8 |, and no picture. */
static enum msg_status
video_command(struct cursor *c, struct field_sink *out, struct note *note)
{
	uint8_t command = cursor_u8(c);

	if (cursor_ok(c)) {
		field_uint(out, "command", command);
		note_add_str(note, " ");
		note_add_str(note, value_name_lookup(command_names, command,
		    "command"));
	}
	return msg_status_of(c->status);
}

/* Decodes a configuration record by FourCC; false when none is known. */
static bool
video_config(const uint8_t fourcc[4], struct cursor *body,
    struct video_config *vc)
{
	const uint8_t *p = body->data + body->off;
	size_t n = cursor_remaining(body);

	if (memcmp(fourcc, "avc1", 4) == 0)
		return codec_avc_config(p, n, vc);
	if (memcmp(fourcc, "hvc1", 4) == 0)
		return codec_hevc_config(p, n, vc);
	if (memcmp(fourcc, "av01", 4) == 0)
		return codec_av1_config(p, n, vc);
	if (memcmp(fourcc, "vp09", 4) == 0 || memcmp(fourcc, "vp08", 4) == 0)
		return codec_vp9_config(p, n, vc);
	return false;
}

static void
config_fields(const struct video_config *vc, struct field_sink *out,
    struct note *note)
{
	if (vc->profile[0] != '\0') {
		field_cstr(out, "profile", vc->profile);
		note_add(note, " %s", vc->profile);
	}
	if (vc->level[0] != '\0') {
		field_cstr(out, "level", vc->level);
		note_add(note, "@%s", vc->level);
	}
	if (vc->width != 0 && vc->height != 0) {
		field_uint(out, "width", vc->width);
		field_uint(out, "height", vc->height);
		note_add(note, " %ux%u", vc->width, vc->height);
	}
}

/*
 * One track of an enhanced message (the only one without multitrack).
 * Fields go to out; the phrase to the note.
 */
static void
ex_track(uint8_t packet, const struct av_ex_track *t, struct field_sink *out,
    struct note *note)
{
	struct video_config vc;
	struct cursor body = t->body;
	int32_t cts;

	if (t->has_id)
		field_uint(out, "track_id", t->id);
	field_str(out, "fourcc", (const char *)t->fourcc, 4);
	note_add(note, " ");
	note_add_bytes(note, (const char *)t->fourcc, 4);
	note_add_str(note, " ");
	note_add_str(note, value_name_lookup(ex_packet_names, packet, "?"));
	if (packet == VIDEO_CODED_FRAMES &&
	    (memcmp(t->fourcc, "avc1", 4) == 0 ||
	    memcmp(t->fourcc, "hvc1", 4) == 0)) {
		cts = cursor_s24be(&body);
		if (cursor_ok(&body)) {
			field_sint(out, "cts", cts);
			if (cts != 0)
				note_add(note, " cts=%d", cts);
		}
	} else if (packet == VIDEO_SEQUENCE_START) {
		memset(&vc, 0, sizeof(vc));
		if (video_config(t->fourcc, &body, &vc) || vc.width != 0)
			config_fields(&vc, out, note);
	}
}

static enum msg_status
decode_enhanced(struct cursor *c, uint8_t b, struct field_sink *out,
    struct note *note)
{
	struct av_ex_header h;
	uint8_t frame = (b >> 4) & 7;
	bool ok, is_command;

	is_command = frame == FRAME_COMMAND &&
	    (b & 0x0f) != VIDEO_METADATA;
	ok = av_ex_header_parse(c, b & 0x0f, VIDEO_MULTITRACK, !is_command,
	    &h);
	field_uint(out, "frame_type", frame);
	field_uint(out, "packet_type", h.packet_type);
	if (h.has_nano)
		field_uint(out, "nano_offset", h.nano_offset);
	if (!ok)
		return msg_status_of(c->status);
	if (is_command && !h.multitrack)
		return video_command(c, out, note);
	return av_ex_tracks(c, &h, ex_track, out, note);
}

static enum msg_status
decode_legacy(struct cursor *c, uint8_t b, struct field_sink *out,
    struct note *note)
{
	static const uint8_t avc1[4] = { 'a', 'v', 'c', '1' };
	static const uint8_t hvc1[4] = { 'h', 'v', 'c', '1' };
	struct video_config vc;
	uint8_t codec = b & 0x0f, packet;
	int32_t cts;

	field_uint(out, "frame_type", b >> 4);
	field_uint(out, "codec", codec);
	note_add_str(note, " ");
	note_add_str(note, value_name_lookup(codec_names, codec, "codec?"));
	if ((b >> 4) == FRAME_COMMAND)
		return video_command(c, out, note);
	if (codec != CODEC_AVC && codec != CODEC_HEVC)
		return MSG_OK;
	packet = cursor_u8(c);
	cts = cursor_s24be(c);
	if (!cursor_ok(c))
		return msg_status_of(c->status);
	field_uint(out, "avc_packet_type", packet);
	field_sint(out, "cts", cts);
	note_add_str(note, " ");
	note_add_str(note, value_name_lookup(avc_packet_names, packet, "?"));
	if (cts != 0)
		note_add(note, " cts=%d", cts);
	if (packet == AVC_SEQUENCE_HEADER) {
		memset(&vc, 0, sizeof(vc));
		if (video_config(codec == CODEC_AVC ? avc1 : hvc1, c, &vc) ||
		    vc.width != 0)
			config_fields(&vc, out, note);
	}
	return msg_status_of(c->status);
}

/* The note is complete only after the fields: it is emitted last. */
static enum msg_status
decode_video(const struct rtmp_message *m, struct field_sink *out)
{
	struct cursor c;
	struct note note;
	enum msg_status st;
	uint8_t b;

	cursor_init(&c, m->body, m->kept);
	b = cursor_u8(&c);
	if (!cursor_ok(&c))
		return m->len == 0 ? MSG_OK : msg_status_of(c.status);
	note_init(&note);
	note_add_str(&note, "video ");
	note_add_str(&note, value_name_lookup(frame_type_names,
	    (b & VIDEO_EX_HEADER) ? (b >> 4) & 7 : b >> 4, "frame?"));
	if (b & VIDEO_EX_HEADER)
		st = decode_enhanced(&c, b, out, &note);
	else
		st = decode_legacy(&c, b, out, &note);
	note_emit(&note, out);
	return st;
}

const struct msg_decoder msg_video_entry = {
	RTMP_VIDEO, "video", keep_video, decode_video
};
