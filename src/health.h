/*
 * Session health: the rules that turn what a session does into problems,
 * and the verdict (ok, warn, bad) its worst problem gives.
 *
 *  kind              severity  when
 *  connect_rejected  bad       connect answered by _error, or closed before _result
 *  handshake_failed  bad       not complete within handshake_timeout_ms, closed
 *                              during it, or a version other than 3
 *  stream_error      bad       onStatus with level "error" (code in detail)
 *  abrupt_close      bad       a reset, or a close without deleteStream,
 *                              closeStream or FCUnpublish while publishing/playing
 *  stall             warn      no audio or video for >= stall_ms while publishing
 *                              or playing (duration: the gap)
 *  ping_timeout      warn      a ping request unanswered for ping_timeout_ms
 *  av_desync         warn      audio and video timestamps more than av_desync_ms apart
 *  malformed         warn      a chunk stream or message that cannot be decoded
 *  limit             warn      a hard limit reached (hard-limits.h)
 *  capture_gap       none      bytes the capture lost: the capture's problem,
 *                              reported but not held against the session
 */
#ifndef RTMPSCOPE_HEALTH_H
#define RTMPSCOPE_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

enum health {
	HEALTH_OK = 0,
	HEALTH_WARN = 1,
	HEALTH_BAD = 2,
};

/* Thresholds: the [health] group of the config file (rtmpscope.conf(5)). */
struct health_config {
	uint32_t	 stall_ms;		/* 2000 */
	uint32_t	 handshake_timeout_ms;	/* 5000 */
	uint32_t	 ping_timeout_ms;	/* 10000 */
	uint32_t	 av_desync_ms;		/* 1000 */
};

void		 health_config_defaults(struct health_config *);
/* The severity of a problem kind (HEALTH_OK for capture_gap). */
enum health	 health_of_kind(const char *kind);
const char	*health_name(enum health);
/* "warn" or "bad" -> *out; false for anything else. */
bool		 health_parse(const char *, enum health *out);

#endif
