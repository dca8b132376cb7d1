/*
 * A simulated RTMP origin (--simulate-origin): answers the handshake,
 * connect, createStream, play and publish as a real server does, streams
 * synthetic H.264 + AAC to players, accepts publishers, and misbehaves on
 * request (--fault) so that what rtmpscope reports about a bad server can be
 * tested against real clients.
 *
 * Faults, a comma-separated list (rtmpscope(1), SIMULATED ORIGIN):
 *
 *   NAME[:VALUE][@START]
 *
 *   stall:D@T          each play stops getting media T after it started
 *                      (default 3 s) for D (default 5 s); the connection stays
 *   die:T | die@T      at T after the origin started (default 10 s) every
 *                      connection is closed and the origin stops listening
 *   slow-handshake:D   S0 S1 S2 are sent D late (default 6 s)
 *   reject-connect     connect is answered by _error
 *                      NetConnection.Connect.Rejected
 *   stream-not-found   play is answered by onStatus
 *                      NetStream.Play.StreamNotFound
 *   no-ping-reply      ping requests (user control 6) go unanswered
 *   garbage            random bytes follow the handshake instead of RTMP
 *
 * Times are a number with a unit: 500ms, 5s, 1.5s, 2m (a bare number is
 * seconds).  Except for stall, @START counts from the origin's start and
 * applies to what happens from then on (connections accepted, connects,
 * plays, pings); the default is 0, always.
 */
#ifndef RTMPSCOPE_ORIGIN_H
#define RTMPSCOPE_ORIGIN_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

enum origin_fault_kind {
	FAULT_STALL,
	FAULT_DIE,
	FAULT_SLOW_HANDSHAKE,
	FAULT_REJECT_CONNECT,
	FAULT_STREAM_NOT_FOUND,
	FAULT_NO_PING_REPLY,
	FAULT_GARBAGE,
	FAULT_KIND_COUNT
};

struct origin_fault {
	bool		 set;
	uint32_t	 value_ms;	/* stall length, die time, slow delay */
	uint32_t	 at_ms;		/* @START */
};

struct origin_faults {
	struct origin_fault	 f[FAULT_KIND_COUNT];
};

#define ORIGIN_ERROR	(origin_error_quark())
GQuark		 origin_error_quark(void);

/* Parses a --fault list into *faults (added to what it holds). */
bool		 origin_faults_parse(const char *list, struct origin_faults *,
		    GError **);
const char	*origin_fault_name(enum origin_fault_kind);

struct origin;

/*
 * Listens on "[ADDR:]PORT" (address 127.0.0.1 by default; port 0 takes any
 * free port) from the thread-default main context.
 */
struct origin	*origin_new(const char *addr_port,
		    const struct origin_faults *, GError **);
/* Whether "[ADDR:]PORT" is one origin_new takes, without listening. */
bool		 origin_address_valid(const char *addr_port);
/* Where it listens, "ADDR:PORT" with the port it got. */
const char	*origin_address(const struct origin *);
void		 origin_free(struct origin *);

/*
 * The synthetic media (origin-media.c): FLV-style tag bodies of an H.264
 * 320x240 25 fps baseline stream (I_PCM key frames every second, P frames
 * of skipped macroblocks padded with filler data) and AAC-LC 44.1 kHz
 * stereo silence.  They decode.
 */
#define ORIGIN_WIDTH		320
#define ORIGIN_HEIGHT		240
#define ORIGIN_FPS		25
#define ORIGIN_FRAME_MS		(1000 / ORIGIN_FPS)
#define ORIGIN_GOP		25	/* frames from key frame to key frame */
#define ORIGIN_AUDIO_RATE	44100
#define ORIGIN_AUDIO_SAMPLES	1024	/* per AAC frame */

void	origin_media_video_config(GByteArray *);
/* Frame `index` of its GOP (0: the key frame); `seq` varies the picture. */
void	origin_media_video_frame(GByteArray *, uint32_t index, uint32_t seq);
void	origin_media_audio_config(GByteArray *);
void	origin_media_audio_frame(GByteArray *);
/* The onMetaData data message body. */
void	origin_media_metadata(GByteArray *);

/* Frame n's timestamp: video every 40 ms, AAC every 1024 samples. */
uint32_t origin_media_video_ts(uint32_t n);
uint32_t origin_media_audio_ts(uint32_t n);

/* Which frames are due by the wall clock, in timestamp order. */
struct origin_media_clock {
	uint32_t	 vframes;	/* due so far, sent or not */
	uint32_t	 aframes;
};

/*
 * The next frame due by now_ms (since the stream began): true with *video
 * and its number *n, the clock counting it as due; false when none is.
 */
bool	origin_media_next(struct origin_media_clock *, uint32_t now_ms,
	    bool *video, uint32_t *n);

#endif
