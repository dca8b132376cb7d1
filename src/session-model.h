/*
 * The session model's updates, called by the session layer (session.c):
 * what every message, handshake step and end tells about a session, and
 * the health rules of health.h.  Readers use session.h.
 */
#ifndef RTMPSCOPE_SESSION_MODEL_H
#define RTMPSCOPE_SESSION_MODEL_H

#include "session.h"

void	session_model_init(struct session *);
void	session_model_free(struct session *);

void	session_model_handshake(struct session *, enum rtmp_dir,
	    const struct handshake_step *);
void	session_model_message(struct session *, enum rtmp_dir,
	    const struct rtmp_message *, const struct field_record *,
	    enum msg_status);
/* Timeouts: handshake, ping, and a stall still going on. */
void	session_model_check(struct session *, double now);
/* The connection ended (or the capture did): the last verdicts. */
void	session_model_end(struct session *, enum session_end, double now);

/*
 * Records a problem (at, for duration_ms; 0 for an instant) and tells the
 * observers.  Returns the problem's index, to close an open one later.
 */
guint	session_problem(struct session *, enum rtmp_dir, const char *kind,
	    double at, double duration_ms, bool open, const char *fmt, ...)
	    G_GNUC_PRINTF(7, 8);

/* The observers of the session's table, told of a problem. */
void	session_tell_problem(struct session *, enum rtmp_dir,
	    const char *kind, const char *detail);

#endif
