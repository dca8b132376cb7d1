/* The beginning and the end of every run: see run.h. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ladder.h"
#include "run.h"

#define LADDER_WIDTH		100

void
run_begin(struct run *run, const struct options *opts,
    const struct health_config *health)
{
	run->opts = opts;
	run->report = opts->report;
	/* Without a dump, a report or a ladder, the text report. */
	if (opts->dump == DUMP_NONE && run->report == REPORT_NONE &&
	    !opts->ladder)
		run->report = REPORT_TEXT;
	run->sessions = session_table_new(opts->ports, opts->nports, health);
	if (opts->dump != DUMP_NONE) {
		run->dump = dump_new(opts->dump, stdout);
		dump_observer(run->dump, &run->observer);
		session_table_observe(run->sessions, &run->observer);
	}
	run->flows = flow_table_new(&session_flow_ops, run->sessions);
}

/* A tcpdump-like summary on stderr, so stdout stays the dump. */
static void
print_summary(const struct capture_stats *cs, const struct flow_table *flows,
    const struct session_table *sessions, uint64_t drops)
{
	const struct flow_stats *fs = flow_table_stats(flows);
	const struct session_table_stats *ss = session_table_stats(sessions);

	fprintf(stderr, "rtmpscope: %" G_GUINT64_FORMAT " packets, %"
	    G_GUINT64_FORMAT " TCP connections (%" G_GUINT64_FORMAT
	    " not RTMP), %" G_GUINT64_FORMAT " RTMP messages, %"
	    G_GUINT64_FORMAT " malformed, %" G_GUINT64_FORMAT
	    " capture gaps (%" G_GUINT64_FORMAT " bytes), %" G_GUINT64_FORMAT
	    " resynchronisations (%" G_GUINT64_FORMAT " bytes passed over)",
	    cs->packets, fs->connections, ss->not_rtmp, ss->messages,
	    ss->malformed, ss->gaps, ss->gap_bytes, ss->resyncs,
	    ss->resync_skipped);
	if (drops > 0)
		fprintf(stderr, ", %" G_GUINT64_FORMAT " packets dropped by "
		    "the kernel or interface", drops);
	if (ss->evicted > 0)
		fprintf(stderr, ", %" G_GUINT64_FORMAT " ended sessions "
		    "forgotten (max_ended_sessions)", ss->evicted);
	fputc('\n', stderr);
}

/* Whether --ladder=SESSION names this session (a number or a client). */
static bool
ladder_wanted(const struct options *opts, const struct session *s)
{
	char id[24];

	if (s->state == SESSION_NOT_RTMP)
		return false;
	if (opts->ladder_session == NULL)
		return true;
	snprintf(id, sizeof(id), "%" G_GUINT64_FORMAT, s->id);
	return strcmp(opts->ladder_session, id) == 0 ||
	    strcmp(opts->ladder_session, s->client_name) == 0;
}

static bool
print_ladders(const struct options *opts, const struct session_table *t)
{
	GPtrArray *all = session_table_sessions(t);
	guint i, shown = 0;

	for (i = 0; i < all->len; i++) {
		if (!ladder_wanted(opts, g_ptr_array_index(all, i)))
			continue;
		if (shown++ > 0)
			putchar('\n');
		ladder_print(stdout, g_ptr_array_index(all, i), LADDER_WIDTH);
	}
	if (shown == 0 && opts->ladder_session != NULL) {
		fprintf(stderr, "rtmpscope: --ladder: no RTMP session '%s' "
		    "(a session number from the report, or a client ip:port)\n",
		    opts->ladder_session);
		return false;
	}
	return true;
}

/*
 * The end of every run: sessions still open are judged as they are, then
 * the dump is flushed and the report, the ladders and the summary printed.
 */
int
run_end(struct run *run, const char *source, const struct capture_stats *cs,
    uint64_t drops)
{
	const struct options *opts = run->opts;
	struct report_capture rc;
	int status = run->status;

	flow_table_finish(run->flows, run->last_t);
	session_table_finish(run->sessions, run->last_t);
	if (run->dump != NULL && !dump_flush(run->dump)) {
		perror("rtmpscope: writing the dump");
		status = EXIT_FAILURE;
	}
	memset(&rc, 0, sizeof(rc));
	rc.source = source;
	rc.packets = cs->packets;
	rc.bytes = cs->bytes;
	rc.first_t = run->first_t;
	rc.last_t = run->last_t;
	rc.connections = flow_table_stats(run->flows)->connections;
	rc.drops = drops;
	rc.stats = session_table_stats(run->sessions);
	if (run->report != REPORT_NONE &&
	    !report_print(stdout, run->report, &rc, run->sessions)) {
		perror("rtmpscope: writing the report");
		status = EXIT_FAILURE;
	}
	if (opts->ladder && !print_ladders(opts, run->sessions))
		status = EXIT_USAGE;
	print_summary(cs, run->flows, run->sessions, drops);
	if (status == EXIT_SUCCESS && opts->fail_on_set &&
	    report_worst_health(run->sessions) >= opts->fail_on)
		status = EXIT_FAIL_ON;
	flow_table_free(run->flows);
	session_table_free(run->sessions);
	if (run->dump != NULL)
		dump_free(run->dump);
	return status;
}

