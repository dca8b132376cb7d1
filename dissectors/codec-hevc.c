/*
 * H.265 / HEVC: the HEVCDecoderConfigurationRecord of an HEVC sequence
 * header (ISO/IEC 14496-15 8.3.3.1) and the first sequence parameter set
 * of its arrays (ITU-T H.265 7.3.2.2.1): profile, tier, level, chroma
 * format, bit depth and the picture size inside the conformance window.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>

#include "bitreader.h"
#include "codec.h"
#include "cursor.h"

#define HEVC_NAL_SPS		33
#define HEVC_SUB_LAYERS_MAX	7	/* sps_max_sub_layers_minus1 <= 6 */
#define HEVC_SPS_ID_MAX		15
#define HEVC_BIT_DEPTH_MAX_MINUS8 8

struct hevc_profile_name {
	uint32_t	 idc;
	const char	*name;
};

/* general_profile_idc, A.3. */
static const struct hevc_profile_name hevc_profile_names[] = {
	{ 1, "Main" },
	{ 2, "Main 10" },
	{ 3, "Main Still Picture" },
	{ 4, "Range Extensions" },
	{ 5, "High Throughput" },
	{ 6, "Multiview Main" },
	{ 7, "Scalable Main" },
	{ 8, "3D Main" },
	{ 9, "Screen Extended" },
	{ 0, NULL }
};

static const char *
hevc_profile_lookup(uint32_t idc)
{
	const struct hevc_profile_name *p;

	for (p = hevc_profile_names; p->name != NULL; p++)
		if (p->idc == idc)
			return p->name;
	return NULL;
}

/*
 * The profile by general_profile_idc or, when that is 0 or unknown, by the
 * first general_profile_compatibility_flag[ j ] set (flag j is bit 31 - j).
 * general_level_idc is 30 times the level: 93 is "3.1", 120 is "4".
 */
static void
hevc_names(struct video_config *vc, uint32_t profile, uint32_t compat,
    uint8_t level)
{
	const char *name;
	uint32_t j;

	vc->profile_idc = profile;
	vc->level_idc = level;
	name = hevc_profile_lookup(profile);
	for (j = 1; name == NULL && j < 32; j++)
		if (compat & (UINT32_C(1) << (31 - j)))
			name = hevc_profile_lookup(j);
	snprintf(vc->profile, sizeof(vc->profile), "%s",
	    name != NULL ? name : "");
	if (level == 0)
		vc->level[0] = '\0';
	else if (level % 30 == 0)
		snprintf(vc->level, sizeof(vc->level), "%u", level / 30);
	else
		snprintf(vc->level, sizeof(vc->level), "%u.%u", level / 30,
		    level % 30 / 3);
}

/*
 * profile_tier_level( 1, sps_max_sub_layers_minus1 ), 7.3.3:
 *
 *	general_profile_space				u(2)
 *	general_tier_flag				u(1)
 *	general_profile_idc				u(5)
 *	general_profile_compatibility_flag[ 32 ]	u(1) x 32
 *	general_progressive_source_flag .. frame_only	u(1) x 4
 *	(constraint flags)				u(43)
 *	general_inbld_flag / reserved			u(1)
 *	general_level_idc				u(8)
 *	for( i = 0; i < maxNumSubLayersMinus1; i++ ) {
 *		sub_layer_profile_present_flag[ i ]	u(1)
 *		sub_layer_level_present_flag[ i ]	u(1)
 *	}
 *	if( maxNumSubLayersMinus1 > 0 )
 *		for( i = maxNumSubLayersMinus1; i < 8; i++ )
 *			reserved_zero_2bits		u(2)
 *	for( i = 0; i < maxNumSubLayersMinus1; i++ ) {
 *		if( sub_layer_profile_present_flag[ i ] )
 *			(the 88 bits above, for the sub-layer)
 *		if( sub_layer_level_present_flag[ i ] )
 *			sub_layer_level_idc[ i ]	u(8)
 *	}
 */
static void
hevc_profile_tier_level(struct bitreader *br, unsigned max_sub,
    struct video_config *vc)
{
	uint32_t profile, compat, level;
	bool profile_present[HEVC_SUB_LAYERS_MAX];
	bool level_present[HEVC_SUB_LAYERS_MAX];
	unsigned i;

	bitreader_skip(br, 3);		/* profile_space, tier_flag */
	profile = bitreader_u(br, 5);
	compat = bitreader_u(br, 32);
	bitreader_skip(br, 4 + 43 + 1);
	level = bitreader_u(br, 8);
	if (!bitreader_ok(br))
		return;
	hevc_names(vc, profile, compat, (uint8_t)level);
	for (i = 0; i < max_sub; i++) {
		profile_present[i] = bitreader_flag(br);
		level_present[i] = bitreader_flag(br);
	}
	if (max_sub > 0)
		bitreader_skip(br, 2 * (8 - max_sub));
	for (i = 0; i < max_sub; i++) {
		if (profile_present[i])
			bitreader_skip(br, 88);
		if (level_present[i])
			bitreader_skip(br, 8);
	}
}

/*
 * seq_parameter_set_rbsp(), 7.3.2.2.1, up to the bit depths:
 *
 *	nal_unit_header()				u(16)	type 33
 *	sps_video_parameter_set_id			u(4)
 *	sps_max_sub_layers_minus1			u(3)	0..6
 *	sps_temporal_id_nesting_flag			u(1)
 *	profile_tier_level( 1, sps_max_sub_layers_minus1 )
 *	sps_seq_parameter_set_id			ue(v)	0..15
 *	chroma_format_idc				ue(v)	0..3
 *	if( chroma_format_idc == 3 )
 *		separate_colour_plane_flag		u(1)
 *	pic_width_in_luma_samples			ue(v)
 *	pic_height_in_luma_samples			ue(v)
 *	conformance_window_flag				u(1)
 *	if( conformance_window_flag ) {
 *		conf_win_left_offset			ue(v)
 *		conf_win_right_offset			ue(v)
 *		conf_win_top_offset			ue(v)
 *		conf_win_bottom_offset			ue(v)
 *	}
 *	bit_depth_luma_minus8				ue(v)	0..8
 *	bit_depth_chroma_minus8				ue(v)	0..8
 *
 * The window offsets count chroma samples: SubWidthC and SubHeightC
 * (Table 6-1) scale them, 1 x 1 for 4:0:0, 4:4:4 and separate planes.
 */
static bool
hevc_sps_parse(const uint8_t *nal, size_t len, struct video_config *vc)
{
	struct bitreader br;
	uint32_t header, max_sub, chroma, separate = 0, width, height;
	uint32_t win[4] = { 0, 0, 0, 0 }, depth, i;
	uint64_t sub_w, sub_h, cut_w, cut_h;

	bitreader_init_nal(&br, nal, len);
	header = bitreader_u(&br, 16);
	if (!bitreader_ok(&br))
		return false;
	if ((header & 0x8000) || (header >> 9 & 0x3f) != HEVC_NAL_SPS)
		return false;
	bitreader_skip(&br, 4);			/* sps_video_parameter_set_id */
	max_sub = bitreader_u(&br, 3);
	bitreader_skip(&br, 1);			/* sps_temporal_id_nesting */
	if (max_sub >= HEVC_SUB_LAYERS_MAX)
		return false;
	hevc_profile_tier_level(&br, max_sub, vc);
	if (bitreader_ue(&br) > HEVC_SPS_ID_MAX)
		bitreader_fail(&br, CURSOR_MALFORMED);
	chroma = bitreader_ue(&br);
	if (chroma > 3)
		bitreader_fail(&br, CURSOR_MALFORMED);
	if (chroma == 3)
		separate = bitreader_u(&br, 1);
	width = bitreader_ue(&br);
	height = bitreader_ue(&br);
	if (bitreader_flag(&br))
		for (i = 0; i < 4; i++)
			win[i] = bitreader_ue(&br);
	depth = bitreader_ue(&br);
	if (depth > HEVC_BIT_DEPTH_MAX_MINUS8 ||
	    bitreader_ue(&br) > HEVC_BIT_DEPTH_MAX_MINUS8)
		bitreader_fail(&br, CURSOR_MALFORMED);
	if (!bitreader_ok(&br))
		return false;

	sub_w = (chroma == 1 || chroma == 2) && !separate ? 2 : 1;
	sub_h = chroma == 1 && !separate ? 2 : 1;
	cut_w = sub_w * ((uint64_t)win[0] + win[1]);
	cut_h = sub_h * ((uint64_t)win[2] + win[3]);
	if (width == 0 || height == 0 || cut_w >= width || cut_h >= height)
		return false;
	vc->width = (uint32_t)(width - cut_w);
	vc->height = (uint32_t)(height - cut_h);
	vc->chroma_format = (uint8_t)chroma;
	vc->bit_depth = (uint8_t)(8 + depth);
	return true;
}

/*
 * HEVCDecoderConfigurationRecord, ISO/IEC 14496-15 8.3.3.1:
 *
 *	| configurationVersion = 1 (8)                                      |
 *	| general_profile_space (2) | general_tier_flag (1) |
 *	  general_profile_idc (5) |
 *	| general_profile_compatibility_flags (32)                          |
 *	| general_constraint_indicator_flags (48)                           |
 *	| general_level_idc (8)                                             |
 *	| 1111 | min_spatial_segmentation_idc (12)                          |
 *	| 111111 | parallelismType (2) | 111111 | chromaFormat (2)          |
 *	| 11111 | bitDepthLumaMinus8 (3) | 11111 | bitDepthChromaMinus8 (3) |
 *	| avgFrameRate (16)                                                 |
 *	| constantFrameRate (2) | numTemporalLayers (3) |
 *	  temporalIdNested (1) | lengthSizeMinusOne (2) |
 *	| numOfArrays (8) |
 *	  numOfArrays x
 *		| array_completeness (1) | 0 | NAL_unit_type (6) |
 *		| numNalus (16) |
 *		  numNalus x | nalUnitLength (16) | NAL unit |
 *
 * The record gives profile, level, chroma format and bit depth; the first
 * SPS (NAL type 33) in the arrays gives the size and overrides the rest.
 */
bool
codec_hevc_config(const uint8_t *buf, size_t len, struct video_config *vc)
{
	struct cursor c;
	const uint8_t *nal;
	uint32_t compat;
	uint16_t count, nal_len, j;
	uint8_t version, b, level, chroma, depth, arrays, type, i;

	memset(vc, 0, sizeof(*vc));
	cursor_init(&c, buf, len);
	version = cursor_u8(&c);
	b = cursor_u8(&c);
	compat = cursor_u32be(&c);
	cursor_skip(&c, 6);			/* constraint indicator flags */
	level = cursor_u8(&c);
	if (!cursor_ok(&c) || version != 1)
		return false;
	hevc_names(vc, b & 0x1f, compat, level);
	cursor_skip(&c, 3);		/* segmentation, parallelism */
	chroma = cursor_u8(&c) & 0x03;
	depth = cursor_u8(&c) & 0x07;
	cursor_skip(&c, 4);		/* chroma depth, frame rate, layers */
	arrays = cursor_u8(&c);
	if (!cursor_ok(&c))
		return false;
	vc->chroma_format = chroma;
	vc->bit_depth = (uint8_t)(8 + depth);

	for (i = 0; i < arrays; i++) {
		type = cursor_u8(&c) & 0x3f;
		count = cursor_u16be(&c);
		for (j = 0; j < count && cursor_ok(&c); j++) {
			nal_len = cursor_u16be(&c);
			nal = cursor_bytes(&c, nal_len);
			if (nal != NULL && type == HEVC_NAL_SPS)
				return hevc_sps_parse(nal, nal_len, vc);
		}
		if (!cursor_ok(&c))
			return false;
	}
	return true;
}
