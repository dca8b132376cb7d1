/*
 * Codec configuration records carried by sequence headers: what an operator
 * wants to know of a stream (codec profile, level, picture size, sample
 * rate, channels).  Plain C over a bounded cursor; nothing is allocated.
 *
 *  video: AVCDecoderConfigurationRecord (avcC) -> its first SPS,
 *         HEVCDecoderConfigurationRecord (hvcC) -> its first SPS,
 *         AV1CodecConfigurationRecord (av1C) -> its sequence header OBU,
 *         VPCodecConfigurationRecord (vpcC) -> profile, level, bit depth;
 *  audio: AudioSpecificConfig (AAC), Opus "OpusHead", FLAC STREAMINFO.
 */
#ifndef RTMPSCOPE_CODEC_H
#define RTMPSCOPE_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct video_config {
	uint32_t	 width;		/* after cropping; 0 if unknown */
	uint32_t	 height;
	uint32_t	 profile_idc;	/* as coded by the codec */
	uint32_t	 level_idc;
	uint8_t		 bit_depth;	/* luma; 0 if unknown */
	uint8_t		 chroma_format;	/* 0 mono, 1 4:2:0, 2 4:2:2, 3 4:4:4 */
	/* "High", "Main", "Main 10", ... and "3.1", "4", ...; "" if unknown. */
	char		 profile[24];
	char		 level[8];
};

struct audio_config {
	uint32_t	 object_type;	/* AAC audio object type; 0 if none */
	uint32_t	 sample_rate;	/* Hz */
	uint8_t		 channels;
	char		 profile[16];	/* "LC", "HE-AAC", "HE-AACv2", ... */
};

/*
 * Each returns true when the record decoded far enough to fill at least the
 * profile; false on a truncated or malformed record (fields already filled
 * stay valid).  The output is zeroed first.
 */
bool	codec_avc_config(const uint8_t *, size_t, struct video_config *);
bool	codec_hevc_config(const uint8_t *, size_t, struct video_config *);
bool	codec_av1_config(const uint8_t *, size_t, struct video_config *);
bool	codec_vp9_config(const uint8_t *, size_t, struct video_config *);
/* A bare H.264 SPS NAL unit (with its header byte), as inside avcC. */
bool	codec_avc_sps(const uint8_t *, size_t, struct video_config *);

bool	codec_aac_config(const uint8_t *, size_t, struct audio_config *);
bool	codec_opus_config(const uint8_t *, size_t, struct audio_config *);
bool	codec_flac_config(const uint8_t *, size_t, struct audio_config *);

#endif
