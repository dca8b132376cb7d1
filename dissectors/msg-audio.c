/*
 * Audio messages, type 8: an FLV audio tag header, then the codec payload.
 *
 *  legacy:   | sound format:4 | rate:2 | size:1 | type:1 |
 *            AAC (format 10): | packet type:8 | data |
 *            packet type 0: an AudioSpecificConfig
 *  enhanced: | 9 | packet type:4 | ... (see av-ex.h; Multitrack is 5)
 *            packet types: 0 SequenceStart (mp4a: AudioSpecificConfig,
 *            Opus: OpusHead, fLaC: STREAMINFO), 1 CodedFrames,
 *            2 SequenceEnd, 4 MultichannelConfig
 *            (| channel order:8 | channel count:8 | mapping or flags |),
 *            5 Multitrack, 7 ModEx
 *
 *  rate: 0 5.5 kHz, 1 11 kHz, 2 22 kHz, 3 44 kHz; size: 0 8-bit, 1 16-bit;
 *  type: 0 mono, 1 stereo.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "av-ex.h"
#include "codec.h"
#include "cursor.h"
#include "msg-decoders.h"

#define SOUND_EX_HEADER		9
#define SOUND_AAC		10
#define AAC_SEQUENCE_HEADER	0
#define PROBE_KEEP		16U

static const struct value_name sound_format_names[] = {
	{ 0, "pcm" },
	{ 1, "adpcm" },
	{ 2, "mp3" },
	{ 3, "pcm-le" },
	{ 4, "nellymoser-16k" },
	{ 5, "nellymoser-8k" },
	{ 6, "nellymoser" },
	{ 7, "g711a" },
	{ 8, "g711u" },
	{ 10, "aac" },
	{ 11, "speex" },
	{ 14, "mp3-8k" },
	{ 15, "device-specific" },
	{ 0, NULL }
};

static const char *const rate_names[] = { "5.5kHz", "11kHz", "22kHz",
	"44kHz" };

static const struct value_name ex_packet_names[] = {
	{ AUDIO_SEQUENCE_START, "seq-start" },
	{ AUDIO_CODED_FRAMES, "coded" },
	{ AUDIO_SEQUENCE_END, "seq-end" },
	{ AUDIO_MULTICHANNEL_CONFIG, "multichannel-config" },
	{ 0, NULL }
};

const char *
sound_format_name(unsigned format)
{
	return value_name_lookup(sound_format_names, format, "unknown");
}

uint32_t
msg_keep_probe(const uint8_t *probe, size_t n, uint32_t len)
{
	return len < PROBE_KEEP ? len : PROBE_KEEP;
}

/* Sequence headers are kept whole for the codec configuration. */
static uint32_t
keep_audio(const uint8_t *probe, size_t n, uint32_t len)
{
	uint8_t format, packet;

	if (n < 2)
		return len;
	format = probe[0] >> 4;
	packet = probe[0] & 0x0f;
	if (format == SOUND_AAC && probe[1] == AAC_SEQUENCE_HEADER)
		return len;
	if (format == SOUND_EX_HEADER && packet != AUDIO_CODED_FRAMES &&
	    packet != AUDIO_SEQUENCE_END)
		return len;
	return msg_keep_probe(probe, n, len);
}

static void
config_fields(const struct audio_config *ac, struct field_sink *out,
    struct note *note)
{
	if (ac->object_type != 0)
		field_uint(out, "object_type", ac->object_type);
	if (ac->profile[0] != '\0') {
		field_cstr(out, "profile", ac->profile);
		note_add(note, " %s", ac->profile);
	}
	if (ac->sample_rate != 0) {
		field_uint(out, "sample_rate", ac->sample_rate);
		note_add(note, " %uHz", ac->sample_rate);
	}
	if (ac->channels != 0) {
		field_uint(out, "channels", ac->channels);
		note_add(note, " %uch", ac->channels);
	}
}

static void
sequence_start(const uint8_t fourcc[4], struct cursor *body,
    struct field_sink *out, struct note *note)
{
	const uint8_t *p = body->data + body->off;
	size_t n = cursor_remaining(body);
	struct audio_config ac;
	bool ok = false;

	memset(&ac, 0, sizeof(ac));
	if (memcmp(fourcc, "mp4a", 4) == 0)
		ok = codec_aac_config(p, n, &ac);
	else if (memcmp(fourcc, "Opus", 4) == 0)
		ok = codec_opus_config(p, n, &ac);
	else if (memcmp(fourcc, "fLaC", 4) == 0)
		ok = codec_flac_config(p, n, &ac);
	if (ok || ac.sample_rate != 0)
		config_fields(&ac, out, note);
}

static void
multichannel_config(struct cursor *body, struct field_sink *out,
    struct note *note)
{
	uint8_t order = cursor_u8(body), count = cursor_u8(body);

	if (!cursor_ok(body))
		return;
	field_uint(out, "channel_order", order);
	field_uint(out, "channels", count);
	note_add(note, " %uch", count);
}

static void
ex_track(uint8_t packet, const struct av_ex_track *t, struct field_sink *out,
    struct note *note)
{
	struct cursor body = t->body;

	if (t->has_id)
		field_uint(out, "track_id", t->id);
	field_str(out, "fourcc", (const char *)t->fourcc, 4);
	note_add(note, " ");
	note_add_bytes(note, (const char *)t->fourcc, 4);
	note_add_str(note, " ");
	note_add_str(note, value_name_lookup(ex_packet_names, packet, "?"));
	if (packet == AUDIO_SEQUENCE_START)
		sequence_start(t->fourcc, &body, out, note);
	else if (packet == AUDIO_MULTICHANNEL_CONFIG)
		multichannel_config(&body, out, note);
}

static enum msg_status
decode_enhanced(struct cursor *c, uint8_t b, struct field_sink *out,
    struct note *note)
{
	struct av_ex_header h;
	bool ok;

	ok = av_ex_header_parse(c, b & 0x0f, AUDIO_MULTITRACK, true, &h);
	field_uint(out, "packet_type", h.packet_type);
	if (h.has_nano)
		field_uint(out, "nano_offset", h.nano_offset);
	if (!ok)
		return msg_status_of(c->status);
	return av_ex_tracks(c, &h, ex_track, out, note);
}

static enum msg_status
decode_legacy(struct cursor *c, uint8_t b, struct field_sink *out,
    struct note *note)
{
	static const uint8_t mp4a[4] = { 'm', 'p', '4', 'a' };
	uint8_t format = b >> 4, packet;

	field_uint(out, "sound_rate", (b >> 2) & 3);
	field_uint(out, "sound_size", (b >> 1) & 1);
	field_uint(out, "sound_type", b & 1);
	if (format != SOUND_AAC) {
		note_add_str(note, " ");
		note_add_str(note, rate_names[(b >> 2) & 3]);
		note_add_str(note, (b & 2) ? " 16-bit" : " 8-bit");
		note_add_str(note, (b & 1) ? " stereo" : " mono");
		return MSG_OK;
	}
	packet = cursor_u8(c);
	if (!cursor_ok(c))
		return msg_status_of(c->status);
	field_uint(out, "aac_packet_type", packet);
	if (packet == AAC_SEQUENCE_HEADER) {
		note_add_str(note, " seq-hdr");
		sequence_start(mp4a, c, out, note);
	} else {
		note_add_str(note, " raw");
	}
	return MSG_OK;
}

static enum msg_status
decode_audio(const struct rtmp_message *m, struct field_sink *out)
{
	struct cursor c;
	struct note note;
	enum msg_status st;
	uint8_t b, format;

	cursor_init(&c, m->body, m->kept);
	b = cursor_u8(&c);
	if (!cursor_ok(&c))
		return m->len == 0 ? MSG_OK : msg_status_of(c.status);
	format = b >> 4;
	field_uint(out, "sound_format", format);
	note_init(&note);
	note_add_str(&note, "audio");
	if (format == SOUND_EX_HEADER) {
		st = decode_enhanced(&c, b, out, &note);
	} else {
		note_add_str(&note, " ");
		note_add_str(&note, value_name_lookup(sound_format_names,
		    format, "format?"));
		st = decode_legacy(&c, b, out, &note);
	}
	note_emit(&note, out);
	return st;
}

const struct msg_decoder msg_audio_entry = {
	RTMP_AUDIO, "audio", keep_audio, decode_audio
};
