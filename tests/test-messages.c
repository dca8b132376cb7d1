/*
 * The decoder registry: bodies built by hand for every family, the fields
 * of the dump contract they must yield, wrong and cut lengths, and every
 * prefix of every vector (no crash, a status).  The two vectors of the seed
 * notes also go through the chunk demultiplexer.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "chunk.h"
#include "message.h"
#include "rec-sink.h"

/* ------------------------------------------------------------------ */
/* What a decoder gave, as rec-sink.h records it.                      */

static void
assert_has(const struct rec_sink *r, const char *want)
{
	if (strstr(r->buf, want) == NULL)
		fail_msg("\"%s\" not in \"%s\"", want, r->buf);
}

static void
assert_lacks(const struct rec_sink *r, const char *key)
{
	if (strstr(r->buf, key) != NULL)
		fail_msg("\"%s\" unexpected in \"%s\"", key, r->buf);
}

/* ------------------------------------------------------------------ */
/* Messages by hand.                                                   */

static struct rtmp_message
mk(uint8_t type, const uint8_t *body, uint32_t len, uint32_t kept)
{
	struct rtmp_message m;

	memset(&m, 0, sizeof(m));
	m.csid = type < RTMP_AUDIO ? 2 : 4;
	m.type = type;
	m.msid = type < RTMP_AUDIO ? 0 : 1;
	m.len = len;
	m.body = body;
	m.kept = kept;
	return m;
}

/* Decodes a whole body of the given type into a fresh recording sink. */
static enum msg_status
decode(uint8_t type, const uint8_t *body, size_t n, struct rec_sink *r)
{
	struct rtmp_message m = mk(type, body, (uint32_t)n, (uint32_t)n);

	rec_init(r);
	return msg_decode(&m, &r->sink);
}

/* Decodes a body of length len of which only kept bytes are at hand. */
static enum msg_status
decode_cut(uint8_t type, const uint8_t *body, size_t len, size_t kept,
    struct rec_sink *r)
{
	struct rtmp_message m = mk(type, body, (uint32_t)len, (uint32_t)kept);

	rec_init(r);
	return msg_decode(&m, &r->sink);
}

#define BODY(...)	((const uint8_t[]){ __VA_ARGS__ })
#define LEN(...)	sizeof((const uint8_t[]){ __VA_ARGS__ })
#define DECODE(type, r, ...)	decode(type, BODY(__VA_ARGS__), \
				    LEN(__VA_ARGS__), r)

/* ------------------------------------------------------------------ */
/* Protocol control messages: types 1, 2, 3, 5, 6.                    */

static void
test_msg_set_chunk_size_field(void **state)
{
	struct rec_sink r;

	(void)state;
	assert_int_equal(DECODE(1, &r, 0x00, 0x00, 0x10, 0x00), MSG_OK);
	assert_string_equal(r.buf, "chunk_size=4096;");
	/* The top bit is reserved: not part of the size. */
	assert_int_equal(DECODE(1, &r, 0x80, 0x00, 0x10, 0x00), MSG_OK);
	assert_string_equal(r.buf, "chunk_size=4096;");
	assert_int_equal(DECODE(1, &r, 0x7f, 0xff, 0xff, 0xff), MSG_OK);
	assert_string_equal(r.buf, "chunk_size=2147483647;");
}

static void
test_msg_abort_ack_and_window_fields(void **state)
{
	struct rec_sink r;

	(void)state;
	assert_int_equal(DECODE(2, &r, 0x00, 0x00, 0x00, 0x06), MSG_OK);
	assert_string_equal(r.buf, "abort_csid=6;");
	assert_int_equal(DECODE(3, &r, 0x00, 0x13, 0x13, 0x4b), MSG_OK);
	assert_string_equal(r.buf, "ack_seq=1250123;");
	assert_int_equal(DECODE(3, &r, 0xff, 0xff, 0xff, 0xff), MSG_OK);
	assert_string_equal(r.buf, "ack_seq=4294967295;");
	assert_int_equal(DECODE(5, &r, 0x00, 0x26, 0x25, 0xa0), MSG_OK);
	assert_string_equal(r.buf, "window=2500000;");
}

static void
test_msg_set_peer_bandwidth_fields(void **state)
{
	struct rec_sink r;

	(void)state;
	assert_int_equal(DECODE(6, &r, 0x01, 0x7d, 0x78, 0x40, 0x02), MSG_OK);
	assert_string_equal(r.buf,
	    "window=25000000;limit_type=2;limit_type_name=dynamic;");
	assert_int_equal(DECODE(6, &r, 0x00, 0x00, 0x10, 0x00, 0x00), MSG_OK);
	assert_string_equal(r.buf,
	    "window=4096;limit_type=0;limit_type_name=hard;");
	assert_int_equal(DECODE(6, &r, 0x00, 0x00, 0x10, 0x00, 0x01), MSG_OK);
	assert_string_equal(r.buf,
	    "window=4096;limit_type=1;limit_type_name=soft;");
	/* Only 0, 1 and 2 exist. */
	assert_int_equal(DECODE(6, &r, 0x00, 0x00, 0x10, 0x00, 0x03),
	    MSG_MALFORMED);
	assert_has(&r, "limit_type=3;limit_type_name=unknown;");
}

static void
test_msg_control_wrong_lengths_are_malformed(void **state)
{
	static const uint8_t types[] = { 1, 2, 3, 5 };
	static const uint8_t b[8] = { 0, 0, 0x10, 0, 2, 0, 0, 0 };
	struct rec_sink r;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(types); i++) {
		for (n = 0; n <= sizeof(b); n++) {
			if (n == 4)
				continue;
			assert_int_equal(decode(types[i], b, n, &r),
			    MSG_MALFORMED);
		}
	}
	for (n = 0; n <= sizeof(b); n++) {
		if (n == 5)
			continue;
		assert_int_equal(decode(6, b, n, &r), MSG_MALFORMED);
	}
}

static void
test_msg_control_cut_bodies_are_truncated(void **state)
{
	static const uint8_t types[] = { 1, 2, 3, 5, 6 };
	static const uint8_t b[5] = { 0, 0, 0x10, 0, 2 };
	struct rec_sink r;
	size_t i, kept, len;

	(void)state;
	for (i = 0; i < sizeof(types); i++) {
		len = types[i] == 6 ? 5 : 4;
		for (kept = 0; kept < len; kept++)
			assert_int_equal(decode_cut(types[i], b, len, kept,
			    &r), MSG_TRUNCATED);
		assert_int_equal(decode_cut(types[i], b, len, len, &r),
		    MSG_OK);
	}
}

/* ------------------------------------------------------------------ */
/* User control: type 4.                                               */

static void
test_msg_user_control_every_known_event(void **state)
{
	static const struct {
		uint8_t		 body[8];
		size_t		 len;
		const char	*want;
	} cases[] = {
		{ { 0, 0, 0, 0, 0, 1 }, 6,
		  "event=0;event_name=stream_begin;stream_id=1;" },
		{ { 0, 1, 0, 0, 0, 1 }, 6,
		  "event=1;event_name=stream_eof;stream_id=1;" },
		{ { 0, 2, 0, 0, 0, 2 }, 6,
		  "event=2;event_name=stream_dry;stream_id=2;" },
		{ { 0, 3, 0, 0, 0, 1, 0, 0 }, 8, NULL },
		{ { 0, 4, 0, 0, 0, 1 }, 6,
		  "event=4;event_name=stream_is_recorded;stream_id=1;" },
		{ { 0, 6, 0x12, 0x34, 0x56, 0x78 }, 6,
		  "event=6;event_name=ping_request;ping_ts=305419896;" },
		{ { 0, 7, 0x12, 0x34, 0x56, 0x78 }, 6,
		  "event=7;event_name=ping_response;ping_ts=305419896;" },
		{ { 0, 26 }, 2, "event=26;event_name=swf_verify_request;" },
		{ { 0, 31, 0, 0, 0, 1 }, 6,
		  "event=31;event_name=buffer_empty;stream_id=1;" },
		{ { 0, 32, 0, 0, 0, 1 }, 6,
		  "event=32;event_name=buffer_ready;stream_id=1;" },
	};
	static const uint8_t set_buffer[] = {
		0, 3, 0, 0, 0, 1, 0, 0, 0x0b, 0xb8 };
	uint8_t swf[44];
	struct rec_sink r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].want == NULL)
			continue;
		assert_int_equal(decode(4, cases[i].body, cases[i].len, &r),
		    MSG_OK);
		assert_string_equal(r.buf, cases[i].want);
	}
	assert_int_equal(decode(4, set_buffer, sizeof(set_buffer), &r),
	    MSG_OK);
	assert_string_equal(r.buf, "event=3;event_name=set_buffer_length;"
	    "stream_id=1;buffer_ms=3000;");
	/* SWF verification response: 42 bytes of data. */
	memset(swf, 0x5a, sizeof(swf));
	swf[0] = 0;
	swf[1] = 27;
	swf[2] = 1;
	swf[3] = 1;
	assert_int_equal(decode(4, swf, sizeof(swf), &r), MSG_OK);
	assert_string_equal(r.buf, "event=27;event_name=swf_verify_response;");
	/* A whole body one byte short of its fields is malformed. */
	assert_int_equal(decode(4, swf, sizeof(swf) - 1, &r), MSG_MALFORMED);
}

static void
test_msg_user_control_seed_event_15_is_unknown_with_value(void **state)
{
	struct rec_sink r;

	(void)state;
	/* The body of the seed's 18-byte vector. */
	assert_int_equal(DECODE(4, &r, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x01),
	    MSG_OK);
	assert_string_equal(r.buf, "event=15;event_name=unknown;value=1;");
	/*
	 * An unknown event without data still names itself (whether that is
	 * OK or TRUNCATED is left open: its data length is unknown).
	 */
	(void)DECODE(4, &r, 0x12, 0x34);
	assert_string_equal(r.buf, "event=4660;event_name=unknown;");
}

static void
test_msg_user_control_too_short(void **state)
{
	struct rec_sink r;

	(void)state;
	/* Whole bodies too short for the event type: malformed. */
	assert_int_equal(decode(4, NULL, 0, &r), MSG_MALFORMED);
	assert_string_equal(r.buf, "");
	assert_int_equal(DECODE(4, &r, 0x00), MSG_MALFORMED);
	assert_string_equal(r.buf, "");
	/* Stream Begin without its stream id: the event, no stream_id. */
	assert_int_not_equal(DECODE(4, &r, 0x00, 0x00, 0x00), MSG_OK);
	assert_string_equal(r.buf, "event=0;event_name=stream_begin;");
}

/* ------------------------------------------------------------------ */
/* Command and data: types 20, 17, 18.                                 */

/* connect(1, null): | 02 0007 "connect" | 00 1.0 | 05 | */
static const uint8_t cmd_connect[] = {
	0x02, 0x00, 0x07, 'c', 'o', 'n', 'n', 'e', 'c', 't',
	0x00, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0,
	0x05,
};

/* createStream(4, null) in an AMF3 command: a leading 0x00. */
static const uint8_t cmd3_create[] = {
	0x00,
	0x02, 0x00, 0x0c, 'c', 'r', 'e', 'a', 't', 'e', 'S', 't', 'r', 'e',
	'a', 'm',
	0x00, 0x40, 0x10, 0, 0, 0, 0, 0, 0,
	0x05,
};

/* The seed's onGetFPS(10): | 02 0008 "onGetFPS" | 00 10.0 | */
static const uint8_t data_ongetfps[] = {
	0x02, 0x00, 0x08, 'o', 'n', 'G', 'e', 't', 'F', 'P', 'S',
	0x00, 0x40, 0x24, 0, 0, 0, 0, 0, 0,
};

static void
test_msg_command_amf0_name_and_txn(void **state)
{
	struct rec_sink r;

	(void)state;
	assert_int_equal(decode(20, cmd_connect, sizeof(cmd_connect), &r),
	    MSG_OK);
	assert_has(&r, "name=connect;");
	assert_has(&r, "txn=1;");
	assert_true(strstr(r.buf, "name=") < strstr(r.buf, "txn="));
}

static void
test_msg_command_amf3_skips_the_leading_byte(void **state)
{
	struct rec_sink r;

	(void)state;
	assert_int_equal(decode(17, cmd3_create, sizeof(cmd3_create), &r),
	    MSG_OK);
	assert_has(&r, "name=createStream;");
	assert_has(&r, "txn=4;");
}

static void
test_msg_data_amf0_name(void **state)
{
	static const uint8_t setdataframe[] = {
		0x02, 0x00, 0x0d, '@', 's', 'e', 't', 'D', 'a', 't', 'a',
		'F', 'r', 'a', 'm', 'e',
		0x02, 0x00, 0x0a, 'o', 'n', 'M', 'e', 't', 'a', 'D', 'a',
		't', 'a',
	};
	struct rec_sink r;

	(void)state;
	assert_int_equal(decode(18, data_ongetfps, sizeof(data_ongetfps),
	    &r), MSG_OK);
	assert_has(&r, "name=onGetFPS;");
	assert_lacks(&r, "txn=");
	assert_int_equal(decode(18, setdataframe, sizeof(setdataframe), &r),
	    MSG_OK);
	assert_has(&r, "name=@setDataFrame;");
}

static void
test_msg_amf_long_string_name(void **state)
{
	struct rec_sink r;

	(void)state;
	assert_int_equal(DECODE(18, &r, 0x0c, 0x00, 0x00, 0x00, 0x04,
	    'n', 'a', 'm', 'e'), MSG_OK);
	assert_has(&r, "name=name;");
}

static void
test_msg_amf_name_not_a_string_is_malformed(void **state)
{
	struct rec_sink r;

	(void)state;
	/* A number where the command name must be. */
	assert_int_equal(DECODE(20, &r, 0x00, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0),
	    MSG_MALFORMED);
	assert_lacks(&r, "name=");
	assert_int_equal(DECODE(18, &r, 0x05), MSG_MALFORMED);
	assert_lacks(&r, "name=");
	/* A transaction id that is no number. */
	assert_int_equal(DECODE(20, &r, 0x02, 0x00, 0x01, 'x', 0x05),
	    MSG_MALFORMED);
	assert_lacks(&r, "txn=");
}

static void
test_msg_amf_cut_name_is_truncated(void **state)
{
	struct rec_sink r;

	(void)state;
	/* 5 bytes kept of a 20-byte body whose name needs 10. */
	assert_int_equal(decode_cut(20, cmd_connect, sizeof(cmd_connect), 5,
	    &r), MSG_TRUNCATED);
	assert_lacks(&r, "name=");
	assert_int_equal(decode_cut(18, data_ongetfps, sizeof(data_ongetfps),
	    0, &r), MSG_TRUNCATED);
}

/* ------------------------------------------------------------------ */
/* Audio and video: types 8, 9.                                        */

static void
test_msg_audio_aac_sequence_header_and_raw(void **state)
{
	struct rec_sink r;

	(void)state;
	/* AAC, 44 kHz, 16-bit, stereo; AudioSpecificConfig LC 44.1k 2ch. */
	assert_int_equal(DECODE(8, &r, 0xaf, 0x00, 0x12, 0x10), MSG_OK);
	assert_has(&r, "sound_format=10;");
	assert_has(&r, "sound_rate=3;");
	assert_has(&r, "sound_size=1;");
	assert_has(&r, "sound_type=1;");
	assert_has(&r, "aac_packet_type=0;");
	assert_int_equal(DECODE(8, &r, 0xaf, 0x01, 0x21, 0x10, 0x05),
	    MSG_OK);
	assert_has(&r, "sound_format=10;");
	assert_has(&r, "aac_packet_type=1;");
}

static void
test_msg_audio_mp3_and_others(void **state)
{
	struct rec_sink r;

	(void)state;
	/* MP3, 22 kHz, 16-bit, mono. */
	assert_int_equal(DECODE(8, &r, 0x2a, 0xff, 0xfb, 0x90), MSG_OK);
	assert_has(&r, "sound_format=2;");
	assert_has(&r, "sound_rate=2;");
	assert_has(&r, "sound_size=1;");
	assert_has(&r, "sound_type=0;");
	assert_lacks(&r, "aac_packet_type");
	/* Speex, 16 kHz: the header byte alone is enough. */
	assert_int_equal(DECODE(8, &r, 0xb2), MSG_OK);
	assert_has(&r, "sound_format=11;");
	/* An empty audio message is nothing wrong. */
	assert_int_equal(decode(8, NULL, 0, &r), MSG_OK);
}

static void
test_msg_video_avc_keyframe_sequence_header(void **state)
{
	struct rec_sink r;

	(void)state;
	assert_int_equal(DECODE(9, &r, 0x17, 0x00, 0x00, 0x00, 0x00,
	    0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0x00, 0x00, 0x01, 0x00, 0x00),
	    MSG_OK);
	assert_has(&r, "frame_type=1;");
	assert_has(&r, "codec=7;");
	assert_has(&r, "avc_packet_type=0;");
	assert_has(&r, "cts=0;");
}

static void
test_msg_video_inter_nalu_negative_composition_time(void **state)
{
	struct rec_sink r;

	(void)state;
	assert_int_equal(DECODE(9, &r, 0x27, 0x01, 0xff, 0xff, 0xd8,
	    0x00, 0x00, 0x00, 0x05, 0x41, 0x9a), MSG_OK);
	assert_has(&r, "frame_type=2;");
	assert_has(&r, "codec=7;");
	assert_has(&r, "avc_packet_type=1;");
	assert_has(&r, "cts=-40;");
	assert_int_equal(DECODE(9, &r, 0x27, 0x01, 0x80, 0x00, 0x00),
	    MSG_OK);
	assert_has(&r, "cts=-8388608;");
	assert_int_equal(DECODE(9, &r, 0x27, 0x01, 0x00, 0x00, 0x50),
	    MSG_OK);
	assert_has(&r, "cts=80;");
}

static void
test_msg_video_enhanced_hvc1_coded_frames_cts(void **state)
{
	struct rec_sink r;

	(void)state;
	/* Enhanced, key frame, CodedFrames, hvc1, cts 33. */
	assert_int_equal(DECODE(9, &r, 0x91, 'h', 'v', 'c', '1',
	    0x00, 0x00, 0x21, 0x00, 0x00, 0x00, 0x10), MSG_OK);
	assert_has(&r, "frame_type=1;");
	assert_has(&r, "packet_type=1;");
	assert_has(&r, "fourcc=hvc1;");
	assert_has(&r, "cts=33;");
	/* Inter frame, negative cts. */
	assert_int_equal(DECODE(9, &r, 0xa1, 'h', 'v', 'c', '1',
	    0xff, 0xff, 0xf0), MSG_OK);
	assert_has(&r, "frame_type=2;");
	assert_has(&r, "cts=-16;");
	/* CodedFramesX (3) carries no composition time. */
	assert_int_equal(DECODE(9, &r, 0xa3, 'h', 'v', 'c', '1',
	    0x00, 0x00, 0x00, 0x05), MSG_OK);
	assert_has(&r, "packet_type=3;");
	assert_has(&r, "fourcc=hvc1;");
	assert_lacks(&r, "cts=");
	/* av01 CodedFrames: no composition time either. */
	assert_int_equal(DECODE(9, &r, 0x91, 'a', 'v', '0', '1', 0x12, 0x00),
	    MSG_OK);
	assert_has(&r, "fourcc=av01;");
	assert_lacks(&r, "cts=");
}

static void
test_msg_video_other_codecs_and_empty(void **state)
{
	struct rec_sink r;

	(void)state;
	/* VP6 inter frame: the header byte says it all. */
	assert_int_equal(DECODE(9, &r, 0x24, 0x00, 0x11), MSG_OK);
	assert_has(&r, "frame_type=2;");
	assert_has(&r, "codec=4;");
	assert_lacks(&r, "avc_packet_type");
	assert_int_equal(decode(9, NULL, 0, &r), MSG_OK);
}

/* ------------------------------------------------------------------ */
/* Aggregate: type 22.                                                 */

static void
test_msg_aggregate_counts_sub_messages(void **state)
{
	static const uint8_t agg[] = {
		/* audio, 2 bytes, ts 0x000010, msid 1 */
		0x08, 0x00, 0x00, 0x02, 0x00, 0x00, 0x10, 0x00,
		0x00, 0x00, 0x01,
		0xaf, 0x01,
		0x00, 0x00, 0x00, 0x0d,
		/* video, 5 bytes, ts 0x000020 */
		0x09, 0x00, 0x00, 0x05, 0x00, 0x00, 0x20, 0x00,
		0x00, 0x00, 0x01,
		0x27, 0x01, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x10,
	};
	struct rec_sink r;

	(void)state;
	assert_int_equal(decode(22, agg, sizeof(agg), &r), MSG_OK);
	assert_has(&r, "sub_messages=2;");
	/* Cut in the second one: one well-formed sub-message. */
	assert_int_not_equal(decode(22, agg, sizeof(agg) - 3, &r), MSG_OK);
	assert_has(&r, "sub_messages=1;");
}

/* ------------------------------------------------------------------ */
/* The registry.                                                       */

static void
test_msg_type_names_for_every_type(void **state)
{
	static const struct {
		uint8_t		 type;
		const char	*name;
	} names[] = {
		{ 1, "set_chunk_size" }, { 2, "abort" }, { 3, "ack" },
		{ 4, "user_control" }, { 5, "window_ack_size" },
		{ 6, "set_peer_bandwidth" }, { 8, "audio" }, { 9, "video" },
		{ 15, "data_amf3" }, { 16, "shared_object_amf3" },
		{ 17, "command_amf3" }, { 18, "data_amf0" },
		{ 19, "shared_object_amf0" }, { 20, "command_amf0" },
		{ 22, "aggregate" },
	};
	const struct msg_decoder *dec;
	unsigned t;
	size_t i;
	bool known;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_string_equal(msg_type_name(names[i].type),
		    names[i].name);
		dec = msg_decoder_find(names[i].type);
		assert_non_null(dec);
		assert_int_equal(dec->type, names[i].type);
		assert_string_equal(dec->type_name, names[i].name);
	}
	for (t = 0; t < 256; t++) {
		known = false;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (names[i].type == t)
				known = true;
		if (known)
			continue;
		assert_string_equal(msg_type_name((uint8_t)t), "unknown");
		assert_null(msg_decoder_find((uint8_t)t));
	}
}

static void
test_msg_unknown_type_decodes_to_nothing(void **state)
{
	struct rec_sink r;

	(void)state;
	assert_int_equal(DECODE(7, &r, 1, 2, 3), MSG_OK);
	assert_int_equal(r.calls, 0);
	assert_int_equal(DECODE(0xff, &r, 1), MSG_OK);
	assert_int_equal(r.calls, 0);
}

static void
test_msg_keep_decides_from_the_first_bytes(void **state)
{
	(void)state;
	/* AVC NALU: the tag header only. */
	assert_int_equal(msg_keep(9, BODY(0x27, 0x01, 0, 0, 0), 5, 50000),
	    16);
	/* AVC and HEVC sequence headers: whole. */
	assert_int_equal(msg_keep(9, BODY(0x17, 0x00, 0, 0, 0), 5, 700),
	    700);
	assert_int_equal(msg_keep(9, BODY(0x1c, 0x00, 0, 0, 0), 5, 700),
	    700);
	/* Enhanced SequenceStart: whole; CodedFrames: not. */
	assert_int_equal(msg_keep(9, BODY(0x90, 'h', 'v', 'c', '1'), 5, 300),
	    300);
	assert_int_equal(msg_keep(9, BODY(0x91, 'h', 'v', 'c', '1'), 5, 300),
	    16);
	/* AAC sequence header whole, raw AAC not, MP3 not. */
	assert_int_equal(msg_keep(8, BODY(0xaf, 0x00), 2, 400), 400);
	assert_int_equal(msg_keep(8, BODY(0xaf, 0x01), 2, 400), 16);
	assert_int_equal(msg_keep(8, BODY(0x2f, 0xff), 2, 400), 16);
	/* Short media bodies are kept whole. */
	assert_int_equal(msg_keep(8, BODY(0xaf, 0x01), 2, 10), 10);
	/* AMF, control and unknown types: whole (capped by the demuxer). */
	assert_int_equal(msg_keep(20, cmd_connect, 16, 900), 900);
	assert_int_equal(msg_keep(18, data_ongetfps, 16, 20), 20);
	assert_int_equal(msg_keep(4, BODY(0, 0), 2, 6), 6);
	assert_int_equal(msg_keep(7, BODY(0, 0), 2, 123456), 123456);
}

static void
test_msg_value_name_lookup_falls_back(void **state)
{
	static const struct value_name table[] = {
		{ 0, "zero" }, { 7, "seven" }, { 0, NULL },
	};

	(void)state;
	assert_string_equal(value_name_lookup(table, 0, "?"), "zero");
	assert_string_equal(value_name_lookup(table, 7, "?"), "seven");
	assert_string_equal(value_name_lookup(table, 8, "?"), "?");
}

/* ------------------------------------------------------------------ */
/* Every prefix of every vector in this file.                          */

struct vector {
	uint8_t		 type;
	const uint8_t	*b;
	size_t		 len;
};

#define VEC(t, ...)	{ t, BODY(__VA_ARGS__), LEN(__VA_ARGS__) }

static void
test_msg_every_prefix_of_every_vector(void **state)
{
	static const uint8_t swf[44] = { 0, 27, 1, 1 };
	const struct vector vectors[] = {
		VEC(1, 0x00, 0x00, 0x10, 0x00),
		VEC(2, 0x00, 0x00, 0x00, 0x06),
		VEC(3, 0x00, 0x13, 0x13, 0x4b),
		VEC(5, 0x00, 0x26, 0x25, 0xa0),
		VEC(6, 0x01, 0x7d, 0x78, 0x40, 0x02),
		VEC(4, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01),
		VEC(4, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x0b,
		    0xb8),
		VEC(4, 0x00, 0x06, 0x12, 0x34, 0x56, 0x78),
		VEC(4, 0x00, 0x1a),
		{ 4, swf, sizeof(swf) },
		VEC(4, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x01),
		{ 20, cmd_connect, sizeof(cmd_connect) },
		{ 17, cmd3_create, sizeof(cmd3_create) },
		{ 18, data_ongetfps, sizeof(data_ongetfps) },
		{ 15, cmd3_create, sizeof(cmd3_create) },
		/* Shared object "so" v1, persistent: Use, Change x=1. */
		VEC(19, 0x00, 0x02, 's', 'o', 0x00, 0x00, 0x00, 0x01, 0x00,
		    0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
		    0x01, 0x00, 0x00, 0x00, 0x00,
		    0x04, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x01, 'x',
		    0x00, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0),
		VEC(16, 0x00, 0x00, 0x02, 's', 'o', 0x00, 0x00, 0x00, 0x01,
		    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		    0x04, 0x00, 0x00, 0x00, 0x05, 0x00, 0x01, 'x', 0x04, 0x01),
		VEC(18, 0x0c, 0x00, 0x00, 0x00, 0x04, 'n', 'a', 'm', 'e'),
		VEC(8, 0xaf, 0x00, 0x12, 0x10),
		VEC(8, 0xaf, 0x01, 0x21, 0x10, 0x05),
		VEC(8, 0x2a, 0xff, 0xfb, 0x90),
		VEC(8, 0x9f, 'O', 'p', 'u', 's', 0x00),
		VEC(9, 0x17, 0x00, 0x00, 0x00, 0x00, 0x01, 0x64, 0x00, 0x1f,
		    0xff, 0xe1, 0x00, 0x00, 0x01, 0x00, 0x00),
		VEC(9, 0x27, 0x01, 0xff, 0xff, 0xd8, 0x00, 0x00, 0x00, 0x05,
		    0x41, 0x9a),
		VEC(9, 0x91, 'h', 'v', 'c', '1', 0x00, 0x00, 0x21, 0x00, 0x00,
		    0x00, 0x10),
		VEC(9, 0x90, 'h', 'v', 'c', '1', 0x01, 0x01, 0x60, 0x00),
		VEC(9, 0xa3, 'h', 'v', 'c', '1', 0x00, 0x00, 0x00, 0x05),
		VEC(9, 0x24, 0x00, 0x11),
		VEC(22, 0x08, 0x00, 0x00, 0x02, 0x00, 0x00, 0x10, 0x00, 0x00,
		    0x00, 0x01, 0xaf, 0x01, 0x00, 0x00, 0x00, 0x0d),
		VEC(7, 1, 2, 3),
	};
	struct rtmp_message m;
	struct rec_sink r;
	enum msg_status st;
	uint8_t *copy;
	size_t v, k;

	(void)state;
	for (v = 0; v < sizeof(vectors) / sizeof(vectors[0]); v++) {
		for (k = 0; k <= vectors[v].len; k++) {
			/* Exactly k bytes: any read past them is caught. */
			copy = malloc(k > 0 ? k : 1);
			assert_non_null(copy);
			memcpy(copy, vectors[v].b, k);
			/* Kept k of the whole body... */
			m = mk(vectors[v].type, copy, (uint32_t)vectors[v].len,
			    (uint32_t)k);
			rec_init(&r);
			st = msg_decode(&m, &r.sink);
			assert_true(st == MSG_OK || st == MSG_TRUNCATED ||
			    st == MSG_MALFORMED);
			/* ...and a whole body of k bytes. */
			m.len = (uint32_t)k;
			rec_init(&r);
			st = msg_decode(&m, &r.sink);
			assert_true(st == MSG_OK || st == MSG_TRUNCATED ||
			    st == MSG_MALFORMED);
			free(copy);
		}
		/* The whole vector decodes cleanly. */
		m = mk(vectors[v].type, vectors[v].b,
		    (uint32_t)vectors[v].len, (uint32_t)vectors[v].len);
		rec_init(&r);
		st = msg_decode(&m, &r.sink);
		if (st != MSG_OK)
			fail_msg("vector %zu (type %u): status %d, \"%s\"", v,
			    vectors[v].type, st, r.buf);
	}
}

/* ------------------------------------------------------------------ */
/* The seed's vectors through the demultiplexer.                       */

struct one {
	struct rtmp_message	 m;
	uint8_t			 body[64];
	int			 n;
	int			 events;
};

static void
one_message(void *ctx, const struct rtmp_message *m)
{
	struct one *o = ctx;

	assert_true(m->kept <= sizeof(o->body));
	o->m = *m;
	memcpy(o->body, m->body, m->kept);
	o->m.body = o->body;
	o->n++;
}

static void
one_event(void *ctx, enum chunk_event ev, uint64_t value)
{
	struct one *o = ctx;

	(void)ev;
	(void)value;
	o->events++;
}

static const struct chunk_demux_ops one_ops = { one_message, one_event };

static const uint8_t seed_user_control[18] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x04, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x01,
};

static void
test_msg_seed_user_control_through_the_demuxer(void **state)
{
	struct chunk_demux d;
	struct one o;
	struct rec_sink r;
	size_t cut;

	(void)state;
	for (cut = 0; cut <= sizeof(seed_user_control); cut++) {
		memset(&o, 0, sizeof(o));
		chunk_demux_init(&d, &one_ops, &o);
		chunk_demux_feed(&d, seed_user_control, cut);
		assert_int_equal(o.n, cut == sizeof(seed_user_control));
		chunk_demux_feed(&d, seed_user_control + cut,
		    sizeof(seed_user_control) - cut);
		chunk_demux_free(&d);
		assert_int_equal(o.n, 1);
		assert_int_equal(o.events, 0);
		assert_int_equal(o.m.csid, 2);
		assert_int_equal(o.m.fmt, 0);
		assert_int_equal(o.m.type, RTMP_USER_CONTROL);
		assert_int_equal(o.m.len, 6);
		assert_int_equal(o.m.msid, 0);
		assert_int_equal(o.m.ts, 0);
		assert_int_equal(o.m.kept, 6);
		assert_false(o.m.recovered);
		rec_init(&r);
		assert_int_equal(msg_decode(&o.m, &r.sink), MSG_OK);
		assert_string_equal(r.buf,
		    "event=15;event_name=unknown;value=1;");
	}
}

/* The seed's 28 bytes: fmt 1 on csid 4, delta 0, length 20, type 0x12. */
static const uint8_t seed_ongetfps[28] = {
	0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x14, 0x12,
	0x02, 0x00, 0x08, 'o', 'n', 'G', 'e', 't', 'F', 'P', 'S',
	0x00, 0x40, 0x24, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* A fmt 0 on csid 4 first: onMetaData at ts 1000 on stream 1. */
static const uint8_t csid4_fmt0[] = {
	0x04, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x0d, 0x12, 0x01, 0x00, 0x00,
	0x00,
	0x02, 0x00, 0x0a, 'o', 'n', 'M', 'e', 't', 'a', 'D', 'a', 't', 'a',
};

static void
test_msg_seed_ongetfps_through_the_demuxer(void **state)
{
	struct chunk_demux d;
	struct one o;
	struct rec_sink r;

	(void)state;
	assert_int_equal(sizeof(seed_ongetfps), 28);
	memset(&o, 0, sizeof(o));
	chunk_demux_init(&d, &one_ops, &o);
	chunk_demux_feed(&d, csid4_fmt0, sizeof(csid4_fmt0));
	assert_int_equal(o.n, 1);
	rec_init(&r);
	assert_int_equal(msg_decode(&o.m, &r.sink), MSG_OK);
	assert_has(&r, "name=onMetaData;");
	chunk_demux_feed(&d, seed_ongetfps, sizeof(seed_ongetfps));
	chunk_demux_free(&d);
	assert_int_equal(o.n, 2);
	assert_int_equal(o.events, 0);
	assert_int_equal(o.m.csid, 4);
	assert_int_equal(o.m.fmt, 1);
	assert_int_equal(o.m.type, RTMP_DATA_AMF0);
	assert_int_equal(o.m.len, 20);
	assert_int_equal(o.m.kept, 20);
	/* fmt 1: the stream id and the timestamp base come from the fmt 0. */
	assert_int_equal(o.m.msid, 1);
	assert_int_equal(o.m.ts, 1000);
	assert_false(o.m.recovered);
	assert_memory_equal(o.m.body, data_ongetfps, 20);
	rec_init(&r);
	assert_int_equal(msg_decode(&o.m, &r.sink), MSG_OK);
	assert_has(&r, "name=onGetFPS;");
}

static void
test_msg_seed_ongetfps_alone_is_recovered(void **state)
{
	struct chunk_demux d;
	struct one o;
	struct rec_sink r;

	(void)state;
	/* No fmt 0 before it: decoded, but its base and stream are guesses. */
	memset(&o, 0, sizeof(o));
	chunk_demux_init(&d, &one_ops, &o);
	chunk_demux_feed(&d, seed_ongetfps, sizeof(seed_ongetfps));
	chunk_demux_free(&d);
	assert_int_equal(o.n, 1);
	assert_int_equal(o.m.csid, 4);
	assert_int_equal(o.m.type, RTMP_DATA_AMF0);
	assert_true(o.m.recovered);
	rec_init(&r);
	assert_int_equal(msg_decode(&o.m, &r.sink), MSG_OK);
	assert_has(&r, "name=onGetFPS;");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msg_set_chunk_size_field),
		cmocka_unit_test(test_msg_abort_ack_and_window_fields),
		cmocka_unit_test(test_msg_set_peer_bandwidth_fields),
		cmocka_unit_test(test_msg_control_wrong_lengths_are_malformed),
		cmocka_unit_test(test_msg_control_cut_bodies_are_truncated),
		cmocka_unit_test(test_msg_user_control_every_known_event),
		cmocka_unit_test(
		    test_msg_user_control_seed_event_15_is_unknown_with_value),
		cmocka_unit_test(test_msg_user_control_too_short),
		cmocka_unit_test(test_msg_command_amf0_name_and_txn),
		cmocka_unit_test(test_msg_command_amf3_skips_the_leading_byte),
		cmocka_unit_test(test_msg_data_amf0_name),
		cmocka_unit_test(test_msg_amf_long_string_name),
		cmocka_unit_test(test_msg_amf_name_not_a_string_is_malformed),
		cmocka_unit_test(test_msg_amf_cut_name_is_truncated),
		cmocka_unit_test(test_msg_audio_aac_sequence_header_and_raw),
		cmocka_unit_test(test_msg_audio_mp3_and_others),
		cmocka_unit_test(test_msg_video_avc_keyframe_sequence_header),
		cmocka_unit_test(
		    test_msg_video_inter_nalu_negative_composition_time),
		cmocka_unit_test(test_msg_video_enhanced_hvc1_coded_frames_cts),
		cmocka_unit_test(test_msg_video_other_codecs_and_empty),
		cmocka_unit_test(test_msg_aggregate_counts_sub_messages),
		cmocka_unit_test(test_msg_type_names_for_every_type),
		cmocka_unit_test(test_msg_unknown_type_decodes_to_nothing),
		cmocka_unit_test(test_msg_keep_decides_from_the_first_bytes),
		cmocka_unit_test(test_msg_value_name_lookup_falls_back),
		cmocka_unit_test(test_msg_every_prefix_of_every_vector),
		cmocka_unit_test(
		    test_msg_seed_user_control_through_the_demuxer),
		cmocka_unit_test(test_msg_seed_ongetfps_through_the_demuxer),
		cmocka_unit_test(test_msg_seed_ongetfps_alone_is_recovered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
