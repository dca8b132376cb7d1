/*
 * /metrics of the status endpoints (status.c): the Prometheus text format,
 * version 0.0.4, from the session model, the backend pool and what the
 * status module counted as events went by.
 */
#ifndef RTMPSCOPE_STATUS_METRICS_H
#define RTMPSCOPE_STATUS_METRICS_H

#include "dump.h"
#include "status.h"

/* Problems of a kind, counted as they are told. */
struct status_problem_count {
	char		*kind;
	uint64_t	 n;
};

/*
 * What only the event stream knows.  A session counts from its first
 * handshake step or message until it ends; counters must never go down,
 * so what ended sessions did is kept here as they end.
 */
struct status_counts {
	GHashTable	*open;			/* session id -> started, not ended */
	uint64_t	 sessions_total;	/* sessions seen starting */
	uint64_t	 ended_bytes[2];	/* by direction, of ended sessions */
	GArray		*problems;		/* struct status_problem_count */
	/* Proxy mode: redirects by outcome (status_redirect_outcomes). */
	uint64_t	 redirects[4];
};

/* "moved", "redirected", "dropped", "failed": the index of counts. */
extern const char *const status_redirect_outcomes[4];

void	status_metrics_write(struct dump_out *, const struct status_sources *,
	    const struct status_counts *);

#endif
