/*
 * The session report (--report=text|json): one document for the whole
 * capture, read from the session model when the capture has been read.
 * The JSON form is the contract of the architecture page, section 3.
 */
#ifndef RTMPSCOPE_REPORT_H
#define RTMPSCOPE_REPORT_H

#include <stdio.h>

#include "session.h"

enum report_format {
	REPORT_NONE,
	REPORT_TEXT,
	REPORT_JSON,
};

/* What the report says of the capture itself. */
struct report_capture {
	const char	*source;	/* file name or interface */
	uint64_t	 packets;
	uint64_t	 bytes;
	double		 first_t;
	double		 last_t;
	uint64_t	 connections;
	uint64_t	 drops;		/* by the kernel or interface (live) */
	const struct session_table_stats *stats;
};

/* Writes the report; false on a write error. */
bool		 report_print(FILE *, enum report_format,
		    const struct report_capture *, const struct session_table *);

/* One session as the report's JSON object, into a sink (status API). */
void		 report_session_json(struct field_sink *, const struct session *);

/* A redirect's fields of the report contract (status API, log port). */
void		 report_redirect_fields(struct field_sink *,
		    const struct session_redirect *);

/* The worst health of every RTMP session (for --fail-on). */
enum health	 report_worst_health(const struct session_table *);

#endif
