/*
 * H.264 / AVC: the AVCDecoderConfigurationRecord of an AVC sequence header
 * (ISO/IEC 14496-15 5.3.3.1) and the sequence parameter set it carries
 * (ITU-T H.264 7.3.2.1.1): profile, level, bit depth, chroma format and
 * the picture size after cropping.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>

#include "bitreader.h"
#include "codec.h"
#include "cursor.h"

#define AVC_NAL_SPS		7
#define AVC_SPS_ID_MAX		31
#define AVC_LOG2_MAX_MINUS4	12	/* log2_max_frame_num, poc lsb */
#define AVC_BIT_DEPTH_MAX_MINUS8 6
#define AVC_POC_CYCLE_MAX	255

/* constraint_set<n>_flag in the byte after profile_idc. */
#define AVC_CS1			0x40
#define AVC_CS3			0x10

struct avc_profile_name {
	uint32_t	 idc;
	uint8_t		 cs_mask;	/* these constraint flags ... */
	uint8_t		 cs_want;	/* ... have these values */
	const char	*name;
};

/* First match wins: the constrained variants come before their base. */
static const struct avc_profile_name avc_profile_names[] = {
	{ 66, AVC_CS1, AVC_CS1, "Constrained Baseline" },
	{ 66, 0, 0, "Baseline" },
	{ 77, 0, 0, "Main" },
	{ 88, 0, 0, "Extended" },
	{ 100, 0, 0, "High" },
	{ 110, AVC_CS3, AVC_CS3, "High 10 Intra" },
	{ 110, 0, 0, "High 10" },
	{ 122, AVC_CS3, AVC_CS3, "High 4:2:2 Intra" },
	{ 122, 0, 0, "High 4:2:2" },
	{ 244, AVC_CS3, AVC_CS3, "High 4:4:4 Intra" },
	{ 244, 0, 0, "High 4:4:4 Predictive" },
	{ 44, 0, 0, "CAVLC 4:4:4 Intra" },
	{ 83, 0, 0, "Scalable Baseline" },
	{ 86, 0, 0, "Scalable High" },
	{ 118, 0, 0, "Multiview High" },
	{ 128, 0, 0, "Stereo High" },
	{ 0, 0, 0, NULL }
};

/* Profiles whose SPS carries chroma_format_idc and the bit depths. */
static const uint8_t avc_high_profiles[] = {
	100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135,
};

static void
avc_names(struct video_config *vc, uint32_t profile, uint32_t flags,
    uint8_t level)
{
	const struct avc_profile_name *p;

	vc->profile_idc = profile;
	vc->level_idc = level;
	vc->profile[0] = '\0';
	for (p = avc_profile_names; p->name != NULL; p++) {
		if (p->idc == profile && (flags & p->cs_mask) == p->cs_want) {
			snprintf(vc->profile, sizeof(vc->profile), "%s",
			    p->name);
			break;
		}
	}
	/*
	 * Level 1b (A.3.1): level_idc 9, or level_idc 11 with
	 * constraint_set3_flag in Baseline, Main and Extended.
	 */
	if (level == 9 || (level == 11 && (flags & AVC_CS3) &&
	    (profile == 66 || profile == 77 || profile == 88)))
		snprintf(vc->level, sizeof(vc->level), "1b");
	else if (level == 0)
		vc->level[0] = '\0';
	else if (level % 10 == 0)
		snprintf(vc->level, sizeof(vc->level), "%u", level / 10);
	else
		snprintf(vc->level, sizeof(vc->level), "%u.%u", level / 10,
		    level % 10);
}

static bool
avc_is_high(uint32_t profile)
{
	size_t i;

	for (i = 0; i < sizeof(avc_high_profiles); i++)
		if (avc_high_profiles[i] == profile)
			return true;
	return false;
}

/*
 * scaling_list( scalingList, sizeOfScalingList, useDefault... ), 7.3.2.1.1.1
 *
 *	lastScale = 8; nextScale = 8
 *	for( j = 0; j < sizeOfScalingList; j++ ) {
 *		if( nextScale != 0 ) {
 *			delta_scale			se(v)	-128..127
 *			nextScale = ( lastScale + delta_scale + 256 ) % 256
 *		}
 *		lastScale = ( nextScale == 0 ) ? lastScale : nextScale
 *	}
 */
static void
avc_skip_scaling_list(struct bitreader *br, unsigned size)
{
	int32_t last = 8, next = 8, delta;
	unsigned j;

	for (j = 0; j < size && bitreader_ok(br); j++) {
		if (next != 0) {
			delta = bitreader_se(br);
			if (delta < -128 || delta > 127) {
				bitreader_fail(br, CURSOR_MALFORMED);
				return;
			}
			next = (last + delta + 256) % 256;
		}
		if (next != 0)
			last = next;
	}
}

/*
 * seq_parameter_set_data(), 7.3.2.1.1, up to the cropping window:
 *
 *	profile_idc					u(8)
 *	constraint_set0_flag .. constraint_set5_flag	u(1) x 6
 *	reserved_zero_2bits				u(2)
 *	level_idc					u(8)
 *	seq_parameter_set_id				ue(v)	0..31
 *	if( profile_idc == 100 || 110 || 122 || 244 || 44 || 83 || 86 ||
 *	    118 || 128 || 138 || 139 || 134 || 135 ) {
 *		chroma_format_idc			ue(v)	0..3
 *		if( chroma_format_idc == 3 )
 *			separate_colour_plane_flag	u(1)
 *		bit_depth_luma_minus8			ue(v)	0..6
 *		bit_depth_chroma_minus8			ue(v)	0..6
 *		qpprime_y_zero_transform_bypass_flag	u(1)
 *		seq_scaling_matrix_present_flag		u(1)
 *		if( seq_scaling_matrix_present_flag )
 *			for( i = 0; i < ( ( chroma_format_idc != 3 ) ?
 *			    8 : 12 ); i++ ) {
 *				seq_scaling_list_present_flag[ i ]	u(1)
 *				if( seq_scaling_list_present_flag[ i ] )
 *					scaling_list( i < 6 ? 16 : 64 )
 *			}
 *	}
 *	log2_max_frame_num_minus4			ue(v)	0..12
 *	pic_order_cnt_type				ue(v)	0..2
 *	if( pic_order_cnt_type == 0 )
 *		log2_max_pic_order_cnt_lsb_minus4	ue(v)	0..12
 *	else if( pic_order_cnt_type == 1 ) {
 *		delta_pic_order_always_zero_flag	u(1)
 *		offset_for_non_ref_pic			se(v)
 *		offset_for_top_to_bottom_field		se(v)
 *		num_ref_frames_in_pic_order_cnt_cycle	ue(v)	0..255
 *		for( i = 0; i < num_ref_frames_in_pic_order_cnt_cycle; i++ )
 *			offset_for_ref_frame[ i ]	se(v)
 *	}
 *	max_num_ref_frames				ue(v)
 *	gaps_in_frame_num_value_allowed_flag		u(1)
 *	pic_width_in_mbs_minus1				ue(v)
 *	pic_height_in_map_units_minus1			ue(v)
 *	frame_mbs_only_flag				u(1)
 *	if( !frame_mbs_only_flag )
 *		mb_adaptive_frame_field_flag		u(1)
 *	direct_8x8_inference_flag			u(1)
 *	frame_cropping_flag				u(1)
 *	if( frame_cropping_flag ) {
 *		frame_crop_left_offset			ue(v)
 *		frame_crop_right_offset			ue(v)
 *		frame_crop_top_offset			ue(v)
 *		frame_crop_bottom_offset		ue(v)
 *	}
 *	vui_parameters_present_flag			u(1)	(not read)
 *
 * The NAL unit header byte comes first: forbidden_zero_bit(1),
 * nal_ref_idc(2), nal_unit_type(5) = 7.
 */
static bool
avc_sps_parse(const uint8_t *nal, size_t len, struct video_config *vc)
{
	struct bitreader br;
	uint32_t header, profile, flags, level, chroma = 1, separate = 0;
	uint32_t depth = 0, poc_type, cycle, i, lists;
	uint32_t width_mbs, height_units, frame_mbs_only;
	uint32_t crop[4] = { 0, 0, 0, 0 };
	uint64_t width, height, unit_x, unit_y;

	bitreader_init_nal(&br, nal, len);
	header = bitreader_u(&br, 8);
	profile = bitreader_u(&br, 8);
	flags = bitreader_u(&br, 8);
	level = bitreader_u(&br, 8);
	if (!bitreader_ok(&br))
		return false;
	if ((header & 0x80) || (header & 0x1f) != AVC_NAL_SPS)
		return false;
	avc_names(vc, profile, flags, (uint8_t)level);
	vc->chroma_format = 1;
	vc->bit_depth = 8;

	if (bitreader_ue(&br) > AVC_SPS_ID_MAX)
		bitreader_fail(&br, CURSOR_MALFORMED);
	if (avc_is_high(profile)) {
		chroma = bitreader_ue(&br);
		if (chroma > 3)
			bitreader_fail(&br, CURSOR_MALFORMED);
		if (chroma == 3)
			separate = bitreader_u(&br, 1);
		depth = bitreader_ue(&br);
		if (depth > AVC_BIT_DEPTH_MAX_MINUS8 ||
		    bitreader_ue(&br) > AVC_BIT_DEPTH_MAX_MINUS8)
			bitreader_fail(&br, CURSOR_MALFORMED);
		bitreader_skip(&br, 1);
		if (bitreader_flag(&br)) {
			lists = chroma != 3 ? 8 : 12;
			for (i = 0; i < lists && bitreader_ok(&br); i++)
				if (bitreader_flag(&br))
					avc_skip_scaling_list(&br,
					    i < 6 ? 16 : 64);
		}
		if (!bitreader_ok(&br))
			return false;
		vc->chroma_format = (uint8_t)chroma;
		vc->bit_depth = (uint8_t)(8 + depth);
	}

	if (bitreader_ue(&br) > AVC_LOG2_MAX_MINUS4)
		bitreader_fail(&br, CURSOR_MALFORMED);
	poc_type = bitreader_ue(&br);
	if (poc_type == 0) {
		if (bitreader_ue(&br) > AVC_LOG2_MAX_MINUS4)
			bitreader_fail(&br, CURSOR_MALFORMED);
	} else if (poc_type == 1) {
		bitreader_skip(&br, 1);
		(void)bitreader_se(&br);
		(void)bitreader_se(&br);
		cycle = bitreader_ue(&br);
		if (cycle > AVC_POC_CYCLE_MAX)
			bitreader_fail(&br, CURSOR_MALFORMED);
		for (i = 0; i < cycle && bitreader_ok(&br); i++)
			(void)bitreader_se(&br);
	} else if (poc_type > 2)
		bitreader_fail(&br, CURSOR_MALFORMED);
	(void)bitreader_ue(&br);		/* max_num_ref_frames */
	bitreader_skip(&br, 1);			/* gaps_in_frame_num_... */
	width_mbs = bitreader_ue(&br);
	height_units = bitreader_ue(&br);
	frame_mbs_only = bitreader_u(&br, 1);
	if (!frame_mbs_only)
		bitreader_skip(&br, 1);		/* mb_adaptive_frame_field */
	bitreader_skip(&br, 1);			/* direct_8x8_inference */
	if (bitreader_flag(&br))
		for (i = 0; i < 4; i++)
			crop[i] = bitreader_ue(&br);
	if (!bitreader_ok(&br))
		return false;

	/* 7.4.2.1.1: the crop unit depends on ChromaArrayType. */
	width = ((uint64_t)width_mbs + 1) * 16;
	height = ((uint64_t)height_units + 1) * 16 * (2 - frame_mbs_only);
	if (separate || chroma == 0) {
		unit_x = 1;
		unit_y = 2 - frame_mbs_only;
	} else {
		unit_x = chroma == 3 ? 1 : 2;
		unit_y = (chroma == 1 ? 2 : 1) * (2 - frame_mbs_only);
	}
	if (unit_x * ((uint64_t)crop[0] + crop[1]) >= width ||
	    unit_y * ((uint64_t)crop[2] + crop[3]) >= height)
		return false;
	width -= unit_x * ((uint64_t)crop[0] + crop[1]);
	height -= unit_y * ((uint64_t)crop[2] + crop[3]);
	if (width > UINT32_MAX || height > UINT32_MAX)
		return false;
	vc->width = (uint32_t)width;
	vc->height = (uint32_t)height;
	return true;
}

bool
codec_avc_sps(const uint8_t *nal, size_t len, struct video_config *vc)
{
	memset(vc, 0, sizeof(*vc));
	return avc_sps_parse(nal, len, vc);
}

/*
 * AVCDecoderConfigurationRecord, ISO/IEC 14496-15 5.3.3.1:
 *
 *	| configurationVersion = 1 (8) | AVCProfileIndication (8)         |
 *	| profile_compatibility (8)    | AVCLevelIndication (8)           |
 *	| 111111 | lengthSizeMinusOne (2) |
 *	| 111 | numOfSequenceParameterSets (5) |
 *	  numOfSequenceParameterSets x
 *		| sequenceParameterSetLength (16) | SPS NAL unit |
 *	| numOfPictureParameterSets (8) |
 *	  numOfPictureParameterSets x
 *		| pictureParameterSetLength (16) | PPS NAL unit |
 *	  (High profiles: chroma_format, bit depths, SPS extensions)
 *
 * The profile and level come from the record, then from its first SPS.
 * Nothing after the first SPS is read.
 */
bool
codec_avc_config(const uint8_t *buf, size_t len, struct video_config *vc)
{
	struct cursor c;
	const uint8_t *sps;
	uint8_t version, profile, flags, level, count;
	uint16_t sps_len;

	memset(vc, 0, sizeof(*vc));
	cursor_init(&c, buf, len);
	version = cursor_u8(&c);
	profile = cursor_u8(&c);
	flags = cursor_u8(&c);
	level = cursor_u8(&c);
	if (!cursor_ok(&c) || version != 1)
		return false;
	avc_names(vc, profile, flags, level);
	cursor_skip(&c, 1);			/* lengthSizeMinusOne */
	count = cursor_u8(&c) & 0x1f;
	if (!cursor_ok(&c))
		return false;
	if (count == 0)
		return true;
	sps_len = cursor_u16be(&c);
	sps = cursor_bytes(&c, sps_len);
	if (sps == NULL)
		return false;
	return avc_sps_parse(sps, sps_len, vc);
}
