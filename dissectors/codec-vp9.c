/*
 * VP9: the VPCodecConfigurationRecord of a VP9 sequence start ("VP Codec
 * ISO Media File Format Binding" 2.2 and 2.3): profile, level, bit depth
 * and chroma subsampling.  The record carries no picture size.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>

#include "codec.h"
#include "cursor.h"

#define VP9_PROFILE_MAX		3

/* chromaSubsampling: 4:2:0 vertical, 4:2:0 colocated, 4:2:2, 4:4:4. */
static const uint8_t vp9_chroma_formats[] = { 1, 1, 2, 3 };

/*
 * The vpcC box is a FullBox: version 1 and 24 bits of flags precede the
 * record.  Enhanced RTMP may send the record bare; the box header is told
 * apart by its zero flags where a record has its bit depth (8, 10, 12) in
 * the high bits of the third byte.
 *
 *	[ version (8) = 1 | flags (24) = 0 ]
 *	| profile (8) | level (8) |
 *	| bitDepth (4) | chromaSubsampling (3) | videoFullRangeFlag (1) |
 *	| colourPrimaries (8) | transferCharacteristics (8) |
 *	| matrixCoefficients (8) |
 *	| codecInitializationDataSize (16) | codecInitializationData |
 *
 * Version 0 of the box (an early draft) shares only the first three
 * fields: profile, level and the bit depth in the high nibble.
 */
bool
codec_vp9_config(const uint8_t *buf, size_t len, struct video_config *vc)
{
	struct cursor c, probe;
	const uint8_t *box;
	uint8_t version = 1, profile, level, b, chroma, depth;

	memset(vc, 0, sizeof(*vc));
	cursor_init(&c, buf, len);
	probe = c;
	box = cursor_bytes(&probe, 4);
	if (box != NULL && box[0] <= 1 && box[1] == 0 && box[2] == 0 &&
	    box[3] == 0) {
		version = box[0];
		c = probe;
	}
	profile = cursor_u8(&c);
	level = cursor_u8(&c);
	b = cursor_u8(&c);
	if (!cursor_ok(&c) || profile > VP9_PROFILE_MAX)
		return false;

	vc->profile_idc = profile;
	vc->level_idc = level;
	snprintf(vc->profile, sizeof(vc->profile), "%u", profile);
	/* level is ten times the VP9 level: 31 is "3.1", 40 is "4". */
	if (level == 0)
		vc->level[0] = '\0';
	else if (level % 10 == 0)
		snprintf(vc->level, sizeof(vc->level), "%u", level / 10);
	else
		snprintf(vc->level, sizeof(vc->level), "%u.%u", level / 10,
		    level % 10);
	depth = b >> 4;
	if (depth != 8 && depth != 10 && depth != 12)
		return false;
	vc->bit_depth = depth;
	if (version == 0)
		return true;
	chroma = b >> 1 & 0x07;
	if (chroma >= sizeof(vp9_chroma_formats))
		return false;
	vc->chroma_format = vp9_chroma_formats[chroma];
	cursor_skip(&c, 3);		/* colour description */
	cursor_skip(&c, cursor_u16be(&c));
	return cursor_ok(&c);
}
