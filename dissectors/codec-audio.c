/*
 * Audio configuration records: the MPEG-4 AudioSpecificConfig of an AAC
 * sequence header (ISO/IEC 14496-3 1.6.2.1), the Opus identification
 * header (RFC 7845 5.1, and the big-endian "dOps" box of the Opus ISOBMFF
 * encapsulation 4.3.2) and the FLAC STREAMINFO block (RFC 9639 8.2).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>

#include "bitreader.h"
#include "codec.h"
#include "cursor.h"

/* Audio object types, ISO/IEC 14496-3 Table 1.1. */
#define AAC_AOT_ESCAPE		31
#define AAC_AOT_SBR		5
#define AAC_AOT_PS		29
#define AAC_AOT_ER_BSAC		22
#define AAC_SYNC_SBR		0x2b7
#define AAC_SYNC_PS		0x548
#define AAC_RATE_ESCAPE		15

struct aac_object_name {
	uint32_t	 aot;
	const char	*name;
};

static const struct aac_object_name aac_object_names[] = {
	{ 1, "Main" },
	{ 2, "LC" },
	{ 3, "SSR" },
	{ 4, "LTP" },
	{ 5, "HE-AAC" },
	{ 6, "Scalable" },
	{ 17, "ER LC" },
	{ 19, "ER LTP" },
	{ 20, "ER Scalable" },
	{ 22, "ER BSAC" },
	{ 23, "LD" },
	{ 29, "HE-AACv2" },
	{ 39, "ELD" },
	{ 42, "xHE-AAC" },
	{ 0, NULL }
};

/* samplingFrequencyIndex 0..12; 13 and 14 are reserved. */
static const uint32_t aac_rates[] = {
	96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000,
	12000, 11025, 8000, 7350,
};

/* Object types whose specific config is GASpecificConfig(). */
static const uint8_t aac_ga_types[] = {
	1, 2, 3, 4, 6, 7, 17, 19, 20, 21, 22, 23,
};

/* channelConfiguration, Table 1.19 (and 23001-8): channels per value. */
static const uint8_t aac_channels[16] = {
	0, 1, 2, 3, 4, 5, 6, 8, 0, 0, 0, 7, 8, 24, 8, 0,
};

static void
aac_name(struct audio_config *ac, uint32_t aot)
{
	const struct aac_object_name *p;

	ac->object_type = aot;
	ac->profile[0] = '\0';
	for (p = aac_object_names; p->name != NULL; p++)
		if (p->aot == aot) {
			snprintf(ac->profile, sizeof(ac->profile), "%s",
			    p->name);
			break;
		}
}

static bool
aac_is_ga(uint32_t aot)
{
	size_t i;

	for (i = 0; i < sizeof(aac_ga_types); i++)
		if (aac_ga_types[i] == aot)
			return true;
	return false;
}

/* GetAudioObjectType(): 5 bits, 31 escapes to 32 + 6 bits. */
static uint32_t
aac_object_type(struct bitreader *br)
{
	uint32_t aot = bitreader_u(br, 5);

	if (aot == AAC_AOT_ESCAPE)
		aot = 32 + bitreader_u(br, 6);
	return aot;
}

/* samplingFrequencyIndex (4), 0xf escapes to samplingFrequency (24). */
static uint32_t
aac_sample_rate(struct bitreader *br)
{
	uint32_t index = bitreader_u(br, 4);

	if (index == AAC_RATE_ESCAPE)
		return bitreader_u(br, 24);
	if (index >= sizeof(aac_rates) / sizeof(aac_rates[0])) {
		bitreader_fail(br, CURSOR_MALFORMED);
		return 0;
	}
	return aac_rates[index];
}

/*
 * program_config_element(), 4.4.1.1 (Table 4.2), for its channel count:
 *
 *	element_instance_tag (4) | object_type (2)
 *	sampling_frequency_index (4)
 *	num_front_channel_elements (4) | num_side_channel_elements (4)
 *	num_back_channel_elements (4) | num_lfe_channel_elements (2)
 *	num_assoc_data_elements (3) | num_valid_cc_elements (4)
 *	mono_mixdown_present (1) [ mono_mixdown_element_number (4) ]
 *	stereo_mixdown_present (1) [ stereo_mixdown_element_number (4) ]
 *	matrix_mixdown_idx_present (1)
 *	    [ matrix_mixdown_idx (2) | pseudo_surround_enable (1) ]
 *	front, side, back: is_cpe (1) | tag_select (4)	one or two channels
 *	lfe: tag_select (4)					one channel
 *	assoc_data: tag_select (4)
 *	valid_cc: cc_element_is_ind_sw (1) | tag_select (4)
 *	byte_alignment()			(from the start of the ASC)
 *	comment_field_bytes (8) | comment_field_data (8 x comment_field_bytes)
 */
static uint32_t
aac_pce_channels(struct bitreader *br)
{
	uint32_t front, side, back, lfe, assoc, cc, i, channels;

	bitreader_skip(br, 4 + 2 + 4);
	front = bitreader_u(br, 4);
	side = bitreader_u(br, 4);
	back = bitreader_u(br, 4);
	lfe = bitreader_u(br, 2);
	assoc = bitreader_u(br, 3);
	cc = bitreader_u(br, 4);
	if (bitreader_flag(br))
		bitreader_skip(br, 4);
	if (bitreader_flag(br))
		bitreader_skip(br, 4);
	if (bitreader_flag(br))
		bitreader_skip(br, 3);
	channels = lfe;
	for (i = 0; i < front + side + back && bitreader_ok(br); i++) {
		channels += 1 + bitreader_u(br, 1);
		bitreader_skip(br, 4);
	}
	bitreader_skip(br, 4 * (lfe + assoc) + 5 * cc);
	bitreader_align(br);
	bitreader_skip(br, 8 * (size_t)bitreader_u(br, 8));
	return bitreader_ok(br) ? channels : 0;
}

/*
 * GASpecificConfig(), 4.4.1 (Table 4.1):
 *
 *	frameLengthFlag (1) | dependsOnCoreCoder (1) [ coreCoderDelay (14) ]
 *	extensionFlag (1)
 *	if( !channelConfiguration ) program_config_element()
 *	if( aot == 6 || aot == 20 ) layerNr (3)
 *	if( extensionFlag ) {
 *		if( aot == 22 ) numOfSubFrame (5) | layer_length (11)
 *		if( aot == 17 || 19 || 20 || 23 ) 3 resilience flags (1)
 *		extensionFlag3 (1)
 *	}
 */
static void
aac_ga_config(struct bitreader *br, uint32_t aot, uint32_t channel_config,
    struct audio_config *ac)
{
	bool extension;
	uint32_t channels;

	bitreader_skip(br, 1);			/* frameLengthFlag */
	if (bitreader_flag(br))			/* dependsOnCoreCoder */
		bitreader_skip(br, 14);
	extension = bitreader_flag(br);
	if (channel_config == 0) {
		channels = aac_pce_channels(br);
		if (channels > UINT8_MAX)
			bitreader_fail(br, CURSOR_MALFORMED);
		else if (bitreader_ok(br))
			ac->channels = (uint8_t)channels;
	}
	if (aot == 6 || aot == 20)
		bitreader_skip(br, 3);
	if (extension) {
		if (aot == AAC_AOT_ER_BSAC)
			bitreader_skip(br, 5 + 11);
		if (aot == 17 || aot == 19 || aot == 20 || aot == 23)
			bitreader_skip(br, 3);
		bitreader_skip(br, 1);
	}
}

/*
 * AudioSpecificConfig(), 1.6.2.1 (Table 1.15), as far as the output needs:
 *
 *	audioObjectType				5 bits, 31 -> 32 + 6 bits
 *	samplingFrequencyIndex			4 bits, 0xf -> 24 bits explicit
 *	channelConfiguration			4 bits
 *	if( audioObjectType == 5 || audioObjectType == 29 ) {	(SBR, PS)
 *		extensionSamplingFrequencyIndex	4 bits, 0xf -> 24 bits
 *		audioObjectType			the core: 5 (+6) bits
 *		if( audioObjectType == 22 )
 *			extensionChannelConfiguration	4 bits
 *	}
 *	1, 2, 3, 4, 6, 7, 17, 19, 20, 21, 22, 23: GASpecificConfig()
 *	17, 19..27, 39: epConfig (2)
 *	if( extensionAudioObjectType != 5 && bits_to_decode() >= 16 ) {
 *		syncExtensionType		11 bits, 0x2b7
 *		extensionAudioObjectType	5 (+6) bits
 *		if( extensionAudioObjectType == 5 ) {
 *			sbrPresentFlag		1
 *			if( sbrPresentFlag ) {
 *				extensionSamplingFrequencyIndex	4 (24)
 *				if( bits_to_decode() >= 12 ) {
 *					syncExtensionType	11 bits, 0x548
 *					psPresentFlag		1
 *				}
 *			}
 *		}
 *		if( extensionAudioObjectType == 22 ) {
 *			sbrPresentFlag		1
 *			if( sbrPresentFlag ) extensionSamplingFrequencyIndex
 *			extensionChannelConfiguration	4 bits
 *		}
 *	}
 *
 * SBR (HE-AAC) doubles the output rate to the extension rate; PS on a mono
 * core (HE-AACv2) outputs stereo.  Both are reported as the object type
 * and profile, whichever way they were signalled.  ELD's own low-delay SBR
 * (ELDSpecificConfig) is not read: ELD reports its core rate.
 */
bool
codec_aac_config(const uint8_t *buf, size_t len, struct audio_config *ac)
{
	struct bitreader br;
	uint32_t aot, rate, channel_config, ext_rate = 0, ext_aot = 0;
	bool sbr = false, ps = false;

	memset(ac, 0, sizeof(*ac));
	bitreader_init(&br, buf, len);
	aot = aac_object_type(&br);
	rate = aac_sample_rate(&br);
	channel_config = bitreader_u(&br, 4);
	if (!bitreader_ok(&br))
		return false;
	aac_name(ac, aot);
	ac->sample_rate = rate;
	ac->channels = aac_channels[channel_config];

	if (aot == AAC_AOT_SBR || aot == AAC_AOT_PS) {
		ext_aot = AAC_AOT_SBR;
		sbr = true;
		ps = aot == AAC_AOT_PS;
		ext_rate = aac_sample_rate(&br);
		aot = aac_object_type(&br);
		if (aot == AAC_AOT_ER_BSAC)
			bitreader_skip(&br, 4);
		if (!bitreader_ok(&br))
			return false;
		ac->sample_rate = ext_rate;
	}

	/* Other configurations are not read past the header. */
	if (!aac_is_ga(aot))
		goto done;
	aac_ga_config(&br, aot, channel_config, ac);
	if (aot >= 17 && aot <= 27) {
		/* epConfig 2 and 3 carry ErrorProtectionSpecificConfig. */
		if (bitreader_u(&br, 2) >= 2)
			goto done;
	}
	if (!bitreader_ok(&br))
		return false;

	if (ext_aot != AAC_AOT_SBR && bitreader_left(&br) >= 16 &&
	    bitreader_u(&br, 11) == AAC_SYNC_SBR) {
		ext_aot = aac_object_type(&br);
		if (ext_aot == AAC_AOT_SBR) {
			sbr = bitreader_flag(&br);
			if (sbr) {
				ext_rate = aac_sample_rate(&br);
				if (bitreader_left(&br) >= 12 &&
				    bitreader_u(&br, 11) == AAC_SYNC_PS)
					ps = bitreader_flag(&br);
			}
		} else if (ext_aot == AAC_AOT_ER_BSAC) {
			sbr = bitreader_flag(&br);
			if (sbr)
				ext_rate = aac_sample_rate(&br);
			bitreader_skip(&br, 4);
		}
		if (!bitreader_ok(&br))
			return false;
		if (sbr)
			ac->sample_rate = ext_rate;
	}

	if (sbr && ps) {
		aac_name(ac, AAC_AOT_PS);
		if (ac->channels == 1)
			ac->channels = 2;
	} else if (sbr)
		aac_name(ac, AAC_AOT_SBR);
done:
	return bitreader_ok(&br);
}

/* Opus channel mapping family 0: mono or stereo, no table. */
#define OPUS_FAMILY_RTP		0
#define OPUS_RATE_DEFAULT	48000

/*
 * Opus identification header, RFC 7845 5.1 (multi-byte fields little-endian):
 *
 *	| "OpusHead" (64) | version (8), 1 | channel count (8) |
 *	| pre-skip (16) | input sample rate (32) | output gain (16) |
 *	| channel mapping family (8) |
 *	[ stream count (8) | coupled count (8) |
 *	  channel mapping (8 x channels) ]
 *
 * The "dOps" box payload of the ISOBMFF binding (4.3.2) has the same fields
 * without the magic, with Version 0, big-endian.  Enhanced RTMP sends the
 * former; MP4-derived configs send the latter.
 *
 * The sample rate reported is the input sample rate (0 means unspecified:
 * 48000).  Opus always decodes at 48 kHz; this is what the encoder was fed.
 */
bool
codec_opus_config(const uint8_t *buf, size_t len, struct audio_config *ac)
{
	struct cursor c, probe;
	const uint8_t *magic, *p;
	uint32_t rate;
	uint8_t version, channels, family, streams, coupled;
	bool little;

	memset(ac, 0, sizeof(*ac));
	cursor_init(&c, buf, len);
	probe = c;
	magic = cursor_bytes(&probe, 8);
	little = magic != NULL && memcmp(magic, "OpusHead", 8) == 0;
	if (little)
		c = probe;
	version = cursor_u8(&c);
	channels = cursor_u8(&c);
	cursor_skip(&c, 2);			/* pre-skip */
	if (little)
		rate = cursor_u32le(&c);
	else
		rate = cursor_u32be(&c);
	cursor_skip(&c, 2);			/* output gain */
	family = cursor_u8(&c);
	if (!cursor_ok(&c))
		return false;
	/* RFC 7845: a major version (high nibble) other than 0 is unknown. */
	if ((little && (version & 0xf0) != 0) || (!little && version != 0) ||
	    channels == 0)
		return false;
	ac->channels = channels;
	ac->sample_rate = rate != 0 ? rate : OPUS_RATE_DEFAULT;
	if (family == OPUS_FAMILY_RTP)
		return channels <= 2;
	streams = cursor_u8(&c);
	coupled = cursor_u8(&c);
	p = cursor_bytes(&c, channels);
	if (p == NULL)
		return false;
	return streams != 0 && coupled <= streams;
}

#define FLAC_BLOCK_STREAMINFO	0
#define FLAC_STREAMINFO_LEN	34

/*
 * FLAC, RFC 9639: an optional "fLaC" marker, then the first metadata block,
 * which must be STREAMINFO:
 *
 *	| last (1) | block type (7) = 0 | length (24) >= 34 |
 *	| min block size (16) | max block size (16) |
 *	| min frame size (24) | max frame size (24) |
 *	| sample rate (20) | channels - 1 (3) | bits per sample - 1 (5) |
 *	| total samples (36) | MD5 of the audio (128) |
 */
bool
codec_flac_config(const uint8_t *buf, size_t len, struct audio_config *ac)
{
	struct cursor c, probe;
	const uint8_t *magic;
	uint32_t length, bits, rate;
	uint8_t type;

	memset(ac, 0, sizeof(*ac));
	cursor_init(&c, buf, len);
	probe = c;
	magic = cursor_bytes(&probe, 4);
	if (magic != NULL && memcmp(magic, "fLaC", 4) == 0)
		c = probe;
	type = cursor_u8(&c) & 0x7f;
	length = cursor_u24be(&c);
	cursor_skip(&c, 10);			/* block and frame sizes */
	bits = cursor_u32be(&c);
	if (!cursor_ok(&c))
		return false;
	if (type != FLAC_BLOCK_STREAMINFO || length < FLAC_STREAMINFO_LEN)
		return false;
	rate = bits >> 12;
	if (rate == 0)
		return false;
	ac->sample_rate = rate;
	ac->channels = (uint8_t)((bits >> 9 & 0x07) + 1);
	cursor_skip(&c, 4 + 16);		/* total samples, MD5 */
	return cursor_ok(&c);
}
