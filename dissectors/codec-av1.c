/*
 * AV1: the AV1CodecConfigurationRecord of an AV1 sequence start (AV1 ISOBMFF
 * binding 2.3.3) and the sequence header OBU among its configOBUs (AV1
 * bitstream specification 5.3, 5.5): profile, level, tier, bit depth,
 * chroma subsampling and the maximum frame size.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>

#include "bitreader.h"
#include "codec.h"
#include "cursor.h"

#define AV1_MARKER_VERSION	0x81	/* marker (1) = 1, version (7) = 1 */
#define AV1_OBU_SEQUENCE_HEADER	1
#define AV1_PROFILE_MAX		2
#define AV1_LEVEL_MAX_PARAMS	31	/* seq_level_idx: no level limits */
#define AV1_LEB128_BYTES	8

static const char *const av1_profile_names[] = {
	"Main", "High", "Professional",
};

/* seq_level_idx: level X.Y = 2 + (idx >> 2) . (idx & 3), Annex A.3. */
static void
av1_names(struct video_config *vc, uint32_t profile, uint8_t level)
{
	vc->profile_idc = profile;
	vc->level_idc = level;
	snprintf(vc->profile, sizeof(vc->profile), "%s",
	    profile <= AV1_PROFILE_MAX ? av1_profile_names[profile] : "");
	if (level == AV1_LEVEL_MAX_PARAMS)
		snprintf(vc->level, sizeof(vc->level), "max");
	else
		snprintf(vc->level, sizeof(vc->level), "%u.%u",
		    2 + (level >> 2), level & 3);
}

/*
 * leb128(), 4.10.5: up to 8 bytes of 7 bits, least significant first, a
 * set top bit meaning more follow; the value must fit 32 bits.
 */
static uint32_t
av1_leb128(struct cursor *c)
{
	uint64_t value = 0;
	uint8_t b;
	unsigned i;

	for (i = 0; i < AV1_LEB128_BYTES; i++) {
		b = cursor_u8(c);
		if (!cursor_ok(c))
			return 0;
		value |= (uint64_t)(b & 0x7f) << (7 * i);
		if ((b & 0x80) == 0) {
			if (value > UINT32_MAX)
				break;
			return (uint32_t)value;
		}
	}
	cursor_fail(c, CURSOR_MALFORMED);
	return 0;
}

/*
 * sequence_header_obu(), 5.5.1, up to the maximum frame size:
 *
 *	seq_profile					f(3)	0..2
 *	still_picture					f(1)
 *	reduced_still_picture_header			f(1)
 *	if( reduced_still_picture_header ) {
 *		seq_level_idx[ 0 ]			f(5)
 *	} else {
 *		timing_info_present_flag		f(1)
 *		if( timing_info_present_flag ) {
 *			num_units_in_display_tick	f(32)	timing_info()
 *			time_scale			f(32)
 *			equal_picture_interval		f(1)
 *			if( equal_picture_interval )
 *				num_ticks_per_picture_minus_1	uvlc()
 *			decoder_model_info_present_flag	f(1)
 *			if( decoder_model_info_present_flag ) {
 *				buffer_delay_length_minus_1	f(5)
 *				num_units_in_decoding_tick	f(32)
 *				buffer_removal_time_length_minus_1	f(5)
 *				frame_presentation_time_length_minus_1	f(5)
 *			}
 *		}
 *		initial_display_delay_present_flag	f(1)
 *		operating_points_cnt_minus_1		f(5)
 *		for( i = 0; i <= operating_points_cnt_minus_1; i++ ) {
 *			operating_point_idc[ i ]	f(12)
 *			seq_level_idx[ i ]		f(5)
 *			if( seq_level_idx[ i ] > 7 )
 *				seq_tier[ i ]		f(1)
 *			if( decoder_model_info_present_flag ) {
 *				decoder_model_present_for_this_op[ i ]	f(1)
 *				if( decoder_model_present_for_this_op[ i ] ) {
 *					decoder_buffer_delay	f(n)	(1)
 *					encoder_buffer_delay	f(n)
 *					low_delay_mode_flag	f(1)
 *				}
 *			}
 *			if( initial_display_delay_present_flag ) {
 *				initial_display_delay_present_for_op[ i ] f(1)
 *				if( ... )
 *					initial_display_delay_minus_1	f(4)
 *			}
 *		}
 *	}
 *	frame_width_bits_minus_1			f(4)
 *	frame_height_bits_minus_1			f(4)
 *	max_frame_width_minus_1				f(w)	(2)
 *	max_frame_height_minus_1			f(h)
 *
 * (1) n = buffer_delay_length_minus_1 + 1.
 * (2) w, h = frame_width_bits_minus_1 + 1, frame_height_bits_minus_1 + 1.
 * uvlc() is ue(v) for fewer than 32 leading zeros; more are refused.
 */
static bool
av1_sequence_header(const uint8_t *obu, size_t len, struct video_config *vc)
{
	struct bitreader br;
	uint32_t profile, level = 0, points, i, lvl, delay_bits = 0;
	uint32_t width_bits, height_bits, width, height;
	bool decoder_model = false, display_delay;

	bitreader_init(&br, obu, len);
	profile = bitreader_u(&br, 3);
	bitreader_skip(&br, 1);			/* still_picture */
	if (bitreader_flag(&br)) {		/* reduced_still_picture */
		level = bitreader_u(&br, 5);
	} else {
		if (bitreader_flag(&br)) {	/* timing_info_present */
			bitreader_skip(&br, 64);
			if (bitreader_flag(&br))
				(void)bitreader_ue(&br);
			decoder_model = bitreader_flag(&br);
			if (decoder_model) {
				delay_bits = bitreader_u(&br, 5) + 1;
				bitreader_skip(&br, 32 + 5 + 5);
			}
		}
		display_delay = bitreader_flag(&br);
		points = bitreader_u(&br, 5);
		for (i = 0; i <= points && bitreader_ok(&br); i++) {
			bitreader_skip(&br, 12);	/* operating_point */
			lvl = bitreader_u(&br, 5);
			if (i == 0)
				level = lvl;
			if (lvl > 7)
				bitreader_skip(&br, 1);	/* seq_tier */
			if (decoder_model && bitreader_flag(&br))
				bitreader_skip(&br, 2 * delay_bits + 1);
			if (display_delay && bitreader_flag(&br))
				bitreader_skip(&br, 4);
		}
	}
	if (!bitreader_ok(&br))
		return false;
	if (profile > AV1_PROFILE_MAX)
		return false;
	av1_names(vc, profile, (uint8_t)level);
	width_bits = bitreader_u(&br, 4) + 1;
	height_bits = bitreader_u(&br, 4) + 1;
	width = bitreader_u(&br, width_bits);
	height = bitreader_u(&br, height_bits);
	if (!bitreader_ok(&br))
		return false;
	vc->width = width + 1;
	vc->height = height + 1;
	return true;
}

/*
 * AV1CodecConfigurationRecord:
 *
 *	| marker (1) = 1 | version (7) = 1 |
 *	| seq_profile (3) | seq_level_idx_0 (5) |
 *	| seq_tier_0 (1) | high_bitdepth (1) | twelve_bit (1) | monochrome (1) |
 *	  chroma_subsampling_x (1) | chroma_subsampling_y (1) |
 *	  chroma_sample_position (2) |
 *	| 000 | initial_presentation_delay_present (1) |
 *	  initial_presentation_delay_minus_one or 0000 (4) |
 *	| configOBUs: OBUs up to the end of the record |
 *
 * Each OBU, 5.3.1 and 5.3.2:
 *
 *	| forbidden (1) | obu_type (4) | obu_extension_flag (1) |
 *	  obu_has_size_field (1) | reserved (1) |
 *	[ temporal_id (3) | spatial_id (2) | reserved (3) ]  with extension
 *	[ obu_size leb128() ]			      with has_size_field
 *	| payload: obu_size bytes, or the rest of the record |
 */
bool
codec_av1_config(const uint8_t *buf, size_t len, struct video_config *vc)
{
	struct cursor c;
	const uint8_t *obu;
	uint32_t size;
	uint8_t marker, b, flags, header;

	memset(vc, 0, sizeof(*vc));
	cursor_init(&c, buf, len);
	marker = cursor_u8(&c);
	b = cursor_u8(&c);
	flags = cursor_u8(&c);
	cursor_skip(&c, 1);
	if (!cursor_ok(&c) || marker != AV1_MARKER_VERSION)
		return false;
	if ((b >> 5) > AV1_PROFILE_MAX)
		return false;
	av1_names(vc, b >> 5, b & 0x1f);
	if (flags & 0x40)			/* high_bitdepth */
		vc->bit_depth = (flags & 0x20) ? 12 : 10;
	else
		vc->bit_depth = 8;
	if (flags & 0x10)			/* monochrome */
		vc->chroma_format = 0;
	else if ((flags & 0x0c) == 0x0c)	/* subsampled x and y */
		vc->chroma_format = 1;
	else if (flags & 0x08)			/* subsampled x only */
		vc->chroma_format = 2;
	else
		vc->chroma_format = 3;

	while (cursor_remaining(&c) > 0) {
		header = cursor_u8(&c);
		if (header & 0x80) {
			cursor_fail(&c, CURSOR_MALFORMED);
			break;
		}
		if (header & 0x04)		/* obu_extension_flag */
			cursor_skip(&c, 1);
		if (header & 0x02)		/* obu_has_size_field */
			size = av1_leb128(&c);
		else
			size = (uint32_t)(cursor_remaining(&c) > UINT32_MAX ?
			    UINT32_MAX : cursor_remaining(&c));
		obu = cursor_bytes(&c, size);
		if (obu != NULL &&
		    (header >> 3 & 0x0f) == AV1_OBU_SEQUENCE_HEADER)
			return av1_sequence_header(obu, size, vc);
	}
	return cursor_ok(&c);
}
