/*
 * What every run has, whatever its source (a capture file, an interface,
 * the proxy): the session table and its sinks at the start, and at the end
 * the report, the ladders and the summary.
 */
#ifndef RTMPSCOPE_RUN_H
#define RTMPSCOPE_RUN_H

#include <glib.h>

#include "capture.h"
#include "dump.h"
#include "flow.h"
#include "health.h"
#include "live.h"
#include "options.h"
#include "progress.h"
#include "report.h"
#include "session.h"

#define EXIT_USAGE		2
#define EXIT_FAIL_ON		1

/* What every run has, whatever its source. */
struct run {
	const struct options	*opts;
	struct flow_table	*flows;
	struct session_table	*sessions;
	struct dump		*dump;
	struct session_observer	 observer;
	enum report_format	 report;
	uint64_t		 segments;
	double			 first_t;
	double			 last_t;
	/* The offline source. */
	struct capture		*cap;
	struct progress		*progress;
	/* The live source. */
	struct live		*live;
	GMainLoop		*loop;
	int			 status;
};

void	run_begin(struct run *, const struct options *,
	    const struct health_config *);
/*
 * The end of every run: sessions still open are judged as they are, then
 * the dump is flushed and the report, the ladders and the summary printed.
 * Frees what run_begin made; returns the exit status.
 */
int	run_end(struct run *, const char *source,
	    const struct capture_stats *, uint64_t drops);

#endif
