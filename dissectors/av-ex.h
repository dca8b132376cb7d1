/*
 * The Enhanced RTMP (v1, v2) extended audio and video tag headers, shared
 * by msg-audio.c and msg-video.c:
 *
 *  | flag + frame type or sound format:4 | packet type:4 |
 *  while packet type is ModEx:
 *      | data size - 1:8 (255: then size - 1:16) | data | mod type:4 | packet type:4 |
 *      mod type 0 (TimestampOffsetNano): data is a 24-bit nanosecond offset
 *  if packet type is Multitrack:
 *      | multitrack type:4 | packet type:4 | FourCC (not for ManyTracksManyCodecs) |
 *  else:
 *      | FourCC |
 *  tracks (one, unless multitrack):
 *      | FourCC (ManyTracksManyCodecs only) | track id:8 | track size:24 (not OneTrack) | body |
 */
#ifndef RTMPSCOPE_AV_EX_H
#define RTMPSCOPE_AV_EX_H

#include <stdbool.h>
#include <stdint.h>

#include "cursor.h"
#include "field-sink.h"
#include "message.h"

enum av_multitrack_type {
	AV_ONE_TRACK = 0,
	AV_MANY_TRACKS = 1,
	AV_MANY_TRACKS_MANY_CODECS = 2,
};

/* The packet types (the low 4 bits of the first byte, after ModEx). */
enum video_ex_packet {
	VIDEO_SEQUENCE_START = 0,
	VIDEO_CODED_FRAMES = 1,
	VIDEO_SEQUENCE_END = 2,
	VIDEO_CODED_FRAMES_X = 3,
	VIDEO_METADATA = 4,
	VIDEO_MPEG2TS_SEQUENCE_START = 5,
	VIDEO_MULTITRACK = 6,
};

enum audio_ex_packet {
	AUDIO_SEQUENCE_START = 0,
	AUDIO_CODED_FRAMES = 1,
	AUDIO_SEQUENCE_END = 2,
	AUDIO_MULTICHANNEL_CONFIG = 4,
	AUDIO_MULTITRACK = 5,
};

#define AV_EX_MODEX			7
#define AV_EX_MOD_TIMESTAMP_NANO	0

struct av_ex_header {
	uint8_t		 packet_type;
	bool		 multitrack;
	uint8_t		 multitrack_type;
	bool		 has_fourcc;
	uint8_t		 fourcc[4];
	bool		 has_nano;
	uint32_t	 nano_offset;
};

struct av_ex_track {
	uint8_t		 fourcc[4];
	uint8_t		 id;
	bool		 has_id;
	uint32_t	 size;		/* bytes of body */
	struct cursor	 body;		/* bounded to the track */
};

/*
 * Parses what follows the first byte: ModEx prefixes, the multitrack header
 * and the FourCC.  multitrack_value is the packet type that means
 * Multitrack (6 for video, 5 for audio).  With fourcc false the FourCC is
 * not read (a video command frame has none).
 */
bool	av_ex_header_parse(struct cursor *, uint8_t packet_type,
	    uint8_t multitrack_value, bool fourcc, struct av_ex_header *);

/* The next track of the body; false when there is none (or it is cut). */
bool	av_ex_track_next(struct cursor *, const struct av_ex_header *,
	    struct av_ex_track *);

/* What one track of a message says, into the fields and the note. */
typedef void	(*av_ex_track_fn)(uint8_t packet_type, const struct av_ex_track *,
		    struct field_sink *, struct note *);

/*
 * The tracks after the header: the one track's fields at the top level,
 * or "multitrack_type" and a "tracks" array with a field object each.
 */
enum msg_status	 av_ex_tracks(struct cursor *, const struct av_ex_header *,
		    av_ex_track_fn, struct field_sink *, struct note *);

#endif
