/*
 * The simulated origin's media: FLV-style audio and video tag bodies, built
 * so that they really decode (a player may show them), cheaply.
 *
 * Video tag (FLV 10.1, E.4.3.1):
 *
 *   | frame type:4 | codec id:4 (7: AVC) | AVCPacketType:8 | cts:24 | data |
 *
 * data is the avcC record (packet type 0) or NAL units, each after a 4-byte
 * length (packet type 1).  The avcC is x264's for 320x240 baseline (as in
 * tests/pcapgen.py): SPS log2_max_frame_num 4, pic_order_cnt_type 2,
 * frame_mbs_only; PPS CAVLC, deblocking_filter_control_present.  Key frames
 * are one IDR slice of I_PCM macroblocks (raw samples: a grey picture with
 * a bar that moves every second), inter frames one P slice whose 300
 * macroblocks are all skipped, padded with a filler-data NAL unit to a
 * plausible size.
 *
 * Audio tag (E.4.2.1):
 *
 *   | 0xaf (AAC, 44 kHz, 16 bit, stereo) | AACPacketType | data |
 *
 * with the AudioSpecificConfig 12 10 (LC, 44100 Hz, 2 channels) and raw
 * data blocks of one channel pair element with no spectral data: silence.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "origin.h"
#include "rtmp-encode.h"

#define FLV_VIDEO_KEY_AVC	0x17
#define FLV_VIDEO_INTER_AVC	0x27
#define FLV_AUDIO_AAC		0xaf
#define AVC_SEQUENCE_HEADER	0
#define AVC_NALU		1
#define AAC_SEQUENCE_HEADER	0
#define AAC_RAW			1

#define MB_COLS			(ORIGIN_WIDTH / 16)
#define MB_ROWS			(ORIGIN_HEIGHT / 16)
#define MB_COUNT		(MB_COLS * MB_ROWS)
#define LOG2_MAX_FRAME_NUM	4
#define FILLER_BYTES		1200	/* P frames: about 250 kbit/s */

#define NAL_SLICE		1
#define NAL_IDR			5
#define NAL_FILLER		12

#define SLICE_P			5	/* all slices of the picture are P */
#define SLICE_I			7	/* all slices are I */
#define MB_I_PCM		25

/*
 * x264's avcC for 320x240 baseline level 1.3: one SPS of 24 bytes (67 42
 * c0 0d ...), one PPS of 4 (68 cb 8c b2).  tests/pcapgen.py's copy says
 * 0x19 for the SPS length, which swallows the PPS count: decoders then
 * find no PPS.
 */
static const uint8_t avcc_320x240[] = {
	0x01, 0x42, 0xc0, 0x0d, 0xff, 0xe1, 0x00, 0x18, 0x67, 0x42, 0xc0,
	0x0d, 0xd9, 0x01, 0x41, 0xfb, 0x01, 0x10, 0x00, 0x00, 0x03, 0x00,
	0x10, 0x00, 0x00, 0x03, 0x03, 0x20, 0xf1, 0x42, 0xa4, 0x80, 0x01,
	0x00, 0x04, 0x68, 0xcb, 0x8c, 0xb2,
};

/* AudioSpecificConfig: object type 2 (LC), rate index 4 (44100), 2 ch. */
static const uint8_t aac_config[] = { 0x12, 0x10 };

/* Bits, most significant first, into a byte array. */
struct bits {
	GByteArray	*b;
	uint32_t	 acc;
	unsigned	 n;		/* bits in acc */
};

static void
bits_put(struct bits *w, uint32_t v, unsigned n)
{
	uint8_t byte;

	while (n > 0) {
		n--;
		w->acc = (w->acc << 1) | ((v >> n) & 1);
		if (++w->n == 8) {
			byte = (uint8_t)w->acc;
			g_byte_array_append(w->b, &byte, 1);
			w->acc = 0;
			w->n = 0;
		}
	}
}

/* Exp-Golomb ue(v) (H.264 9.1). */
static void
bits_ue(struct bits *w, uint32_t v)
{
	uint32_t x = v + 1;
	unsigned len = 0;

	while ((x >> len) > 1)
		len++;
	bits_put(w, 0, len);
	bits_put(w, x, len + 1);
}

static void
bits_align_zero(struct bits *w)
{
	while (w->n != 0)
		bits_put(w, 0, 1);
}

/* rbsp_trailing_bits: a one, then zeros to the byte boundary. */
static void
bits_trailing(struct bits *w)
{
	bits_put(w, 1, 1);
	bits_align_zero(w);
}

/*
 * Appends a NAL unit after its 4-byte length, with emulation prevention
 * (00 00 0x, x <= 3, gets a 03 between: H.264 7.4.1).
 */
static void
put_nal(GByteArray *out, uint8_t header, const GByteArray *rbsp)
{
	guint lenpos, i, zeros = 0;
	uint32_t len;
	uint8_t b, three = 3;

	lenpos = out->len;
	g_byte_array_set_size(out, out->len + 4);
	g_byte_array_append(out, &header, 1);
	for (i = 0; i < rbsp->len; i++) {
		b = rbsp->data[i];
		if (zeros >= 2 && b <= 3) {
			g_byte_array_append(out, &three, 1);
			zeros = 0;
		}
		g_byte_array_append(out, &b, 1);
		zeros = b == 0 ? zeros + 1 : 0;
	}
	len = out->len - lenpos - 4;
	out->data[lenpos] = (uint8_t)(len >> 24);
	out->data[lenpos + 1] = (uint8_t)(len >> 16);
	out->data[lenpos + 2] = (uint8_t)(len >> 8);
	out->data[lenpos + 3] = (uint8_t)len;
}

static void
put_video_header(GByteArray *out, uint8_t frame_codec, uint8_t packet)
{
	uint8_t h[5] = { frame_codec, packet, 0, 0, 0 };	/* cts 0 */

	g_byte_array_append(out, h, sizeof(h));
}

void
origin_media_video_config(GByteArray *out)
{
	put_video_header(out, FLV_VIDEO_KEY_AVC, AVC_SEQUENCE_HEADER);
	g_byte_array_append(out, avcc_320x240, sizeof(avcc_320x240));
}

/* One macroblock of raw samples: 16x16 luma, 8x8 Cb, 8x8 Cr. */
static void
put_pcm_mb(GByteArray *rbsp, bool bar)
{
	uint8_t y[256], cb[64], cr[64];

	memset(y, bar ? 0xd0 : 0x70, sizeof(y));
	memset(cb, bar ? 0x50 : 0x80, sizeof(cb));
	memset(cr, bar ? 0xb0 : 0x80, sizeof(cr));
	g_byte_array_append(rbsp, y, sizeof(y));
	g_byte_array_append(rbsp, cb, sizeof(cb));
	g_byte_array_append(rbsp, cr, sizeof(cr));
}

/*
 * slice_header (7.3.3) for this SPS and PPS: no field, no POC fields
 * (type 2), no redundant_pic_cnt, no weighted prediction, CAVLC.
 */
static void
slice_header(struct bits *w, bool idr, uint32_t frame_num)
{
	bits_ue(w, 0);				/* first_mb_in_slice */
	bits_ue(w, idr ? SLICE_I : SLICE_P);	/* slice_type */
	bits_ue(w, 0);				/* pic_parameter_set_id */
	bits_put(w, frame_num, LOG2_MAX_FRAME_NUM);
	if (idr)
		bits_ue(w, 0);			/* idr_pic_id */
	else {
		bits_put(w, 1, 1);	/* num_ref_idx_active_override_flag */
		bits_ue(w, 0);		/* num_ref_idx_l0_active_minus1 */
		bits_put(w, 0, 1);	/* ref_pic_list_modification_flag_l0 */
	}
	/* dec_ref_pic_marking (nal_ref_idc != 0) */
	if (idr)
		bits_put(w, 0, 2);	/* no_output_of_prior_pics, long_term */
	else
		bits_put(w, 0, 1);	/* adaptive_ref_pic_marking_mode_flag */
	bits_put(w, 1, 1);		/* slice_qp_delta: se(0) */
	bits_ue(w, 1);			/* disable_deblocking_filter_idc */
}

void
origin_media_video_frame(GByteArray *out, uint32_t index, uint32_t seq)
{
	GByteArray *rbsp = g_byte_array_sized_new(MB_COUNT * 390);
	struct bits w = { rbsp, 0, 0 };
	uint32_t mb, bar_col = seq % MB_COLS;
	bool idr = index == 0;

	put_video_header(out, idr ? FLV_VIDEO_KEY_AVC : FLV_VIDEO_INTER_AVC,
	    AVC_NALU);
	slice_header(&w, idr, index % (1U << LOG2_MAX_FRAME_NUM));
	if (idr) {
		for (mb = 0; mb < MB_COUNT; mb++) {
			bits_ue(&w, MB_I_PCM);
			bits_align_zero(&w);	/* pcm_alignment_zero_bit */
			put_pcm_mb(rbsp, mb % MB_COLS == bar_col);
		}
	} else
		bits_ue(&w, MB_COUNT);		/* mb_skip_run */
	bits_trailing(&w);
	/* nal_ref_idc 3 for IDR, 2 for the referenced P frames. */
	put_nal(out, (uint8_t)(3 << 5 | (idr ? NAL_IDR : NAL_SLICE)), rbsp);
	if (!idr) {
		g_byte_array_set_size(rbsp, 0);
		g_byte_array_set_size(rbsp, FILLER_BYTES);
		memset(rbsp->data, 0xff, FILLER_BYTES);
		rbsp->data[FILLER_BYTES - 1] = 0x80;	/* trailing bits */
		put_nal(out, NAL_FILLER, rbsp);
	}
	g_byte_array_unref(rbsp);
}

void
origin_media_audio_config(GByteArray *out)
{
	uint8_t h[2] = { FLV_AUDIO_AAC, AAC_SEQUENCE_HEADER };

	g_byte_array_append(out, h, sizeof(h));
	g_byte_array_append(out, aac_config, sizeof(aac_config));
}

/*
 * raw_data_block (ISO 14496-3, 4.4.2.1): a CPE with a common ics_info of
 * max_sfb 0, so both channels carry no spectral data, then ID_END.
 */
void
origin_media_audio_frame(GByteArray *out)
{
	uint8_t h[2] = { FLV_AUDIO_AAC, AAC_RAW };
	struct bits w;
	int ch;

	g_byte_array_append(out, h, sizeof(h));
	w.b = out;
	w.acc = 0;
	w.n = 0;
	bits_put(&w, 1, 3);		/* ID_CPE */
	bits_put(&w, 0, 4);		/* element_instance_tag */
	bits_put(&w, 1, 1);		/* common_window */
	bits_put(&w, 0, 1);		/* ics_reserved_bit */
	bits_put(&w, 0, 2);		/* ONLY_LONG_SEQUENCE */
	bits_put(&w, 0, 1);		/* window_shape */
	bits_put(&w, 0, 6);		/* max_sfb */
	bits_put(&w, 0, 1);		/* predictor_data_present */
	bits_put(&w, 0, 2);		/* ms_mask_present */
	for (ch = 0; ch < 2; ch++) {
		bits_put(&w, 100, 8);	/* global_gain */
		bits_put(&w, 0, 3);	/* pulse, tns, gain control: none */
	}
	bits_put(&w, 7, 3);		/* ID_END */
	bits_align_zero(&w);
}

void
origin_media_metadata(GByteArray *out)
{
	enc_amf0_string(out, "onMetaData");
	enc_amf0_ecma_begin(out, 13);
	enc_amf0_prop_number(out, "duration", 0);
	enc_amf0_prop_number(out, "width", ORIGIN_WIDTH);
	enc_amf0_prop_number(out, "height", ORIGIN_HEIGHT);
	enc_amf0_prop_number(out, "videodatarate", 400);
	enc_amf0_prop_number(out, "framerate", ORIGIN_FPS);
	enc_amf0_prop_number(out, "videocodecid", 7);
	enc_amf0_prop_number(out, "audiodatarate", 8);
	enc_amf0_prop_number(out, "audiosamplerate", ORIGIN_AUDIO_RATE);
	enc_amf0_prop_number(out, "audiosamplesize", 16);
	enc_amf0_prop_bool(out, "stereo", true);
	enc_amf0_prop_number(out, "audiocodecid", 10);
	enc_amf0_prop_string(out, "encoder", "rtmpscope simulated origin");
	enc_amf0_prop_number(out, "filesize", 0);
	enc_amf0_object_end(out);
}

uint32_t
origin_media_video_ts(uint32_t n)
{
	return n * ORIGIN_FRAME_MS;
}

uint32_t
origin_media_audio_ts(uint32_t n)
{
	return (uint32_t)((uint64_t)n * ORIGIN_AUDIO_SAMPLES * 1000 /
	    ORIGIN_AUDIO_RATE);
}

bool
origin_media_next(struct origin_media_clock *clock, uint32_t now_ms,
    bool *video, uint32_t *n)
{
	uint32_t vts = origin_media_video_ts(clock->vframes);
	uint32_t ats = origin_media_audio_ts(clock->aframes);

	if (vts > now_ms && ats > now_ms)
		return false;
	*video = vts <= ats;
	*n = *video ? clock->vframes++ : clock->aframes++;
	return true;
}
