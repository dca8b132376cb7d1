/*
 * rtmpscope: reads packets, follows TCP, dissects RTMP and tells what it
 * found.  main() wires a source, the flow table, the session layer and the
 * sinks together; none of them knows the others.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "config-file.h"
#include "dump.h"
#include "flow.h"
#include "ladder.h"
#include "options.h"
#include "progress.h"
#include "report.h"
#include "session.h"

#define EXIT_USAGE		2
#define EXIT_FAIL_ON		1
#define PROGRESS_EVERY		4096	/* packets between progress checks */
#define LADDER_WIDTH		100

struct offline {
	struct capture		*cap;
	struct flow_table	*flows;
	struct session_table	*sessions;
	struct progress		*progress;
	uint64_t		 packets;
	double			 first_t;
	double			 last_t;
};

static void
offline_segment(void *ctx, const struct tcp_segment *seg)
{
	struct offline *run = ctx;
	uint64_t done, total;

	if (run->packets++ == 0)
		run->first_t = seg->t;
	run->last_t = seg->t;
	flow_table_segment(run->flows, seg);
	session_table_tick(run->sessions, seg->t);
	if (run->progress != NULL && run->packets % PROGRESS_EVERY == 0) {
		capture_progress(run->cap, &done, &total);
		progress_update(run->progress, done);
	}
}

/* A tcpdump-like summary on stderr, so stdout stays the dump. */
static void
print_summary(const struct capture *cap, const struct flow_table *flows,
    const struct session_table *sessions)
{
	const struct capture_stats *cs = capture_get_stats(cap);
	const struct flow_stats *fs = flow_table_stats(flows);
	const struct session_table_stats *ss = session_table_stats(sessions);

	fprintf(stderr, "rtmpscope: %" G_GUINT64_FORMAT " packets, %"
	    G_GUINT64_FORMAT " TCP connections (%" G_GUINT64_FORMAT
	    " not RTMP), %" G_GUINT64_FORMAT " RTMP messages, %"
	    G_GUINT64_FORMAT " malformed, %" G_GUINT64_FORMAT
	    " capture gaps (%" G_GUINT64_FORMAT " bytes), %" G_GUINT64_FORMAT
	    " resynchronisations (%" G_GUINT64_FORMAT " bytes passed over)\n",
	    cs->packets, fs->connections, ss->not_rtmp, ss->messages,
	    ss->malformed, ss->gaps, ss->gap_bytes, ss->resyncs,
	    ss->resync_skipped);
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

static int
run_offline(const struct options *opts, const struct health_config *health)
{
	g_autoptr(GError) err = NULL;
	struct report_capture rc;
	struct session_observer observer;
	struct dump *dump = NULL;
	struct offline run;
	enum report_format report = opts->report;
	uint64_t done, total;
	int status = EXIT_SUCCESS;

	memset(&run, 0, sizeof(run));
	run.cap = capture_open_file(opts->read_file, NULL, &err);
	if (run.cap == NULL) {
		fprintf(stderr, "rtmpscope: %s\n", err->message);
		return EXIT_FAILURE;
	}
	/* Without a dump, a report or a ladder, the text report. */
	if (opts->dump == DUMP_NONE && report == REPORT_NONE && !opts->ladder)
		report = REPORT_TEXT;
	run.sessions = session_table_new(opts->ports, opts->nports, health);
	if (opts->dump != DUMP_NONE) {
		dump = dump_new(opts->dump, stdout);
		dump_observer(dump, &observer);
		session_table_observe(run.sessions, &observer);
	}
	run.flows = flow_table_new(&session_flow_ops, run.sessions);
	capture_progress(run.cap, &done, &total);
	run.progress = progress_new(total);

	if (!capture_run(run.cap, offline_segment, &run, &err)) {
		progress_done(run.progress);
		run.progress = NULL;
		fprintf(stderr, "rtmpscope: %s: %s\n", opts->read_file,
		    err->message);
		status = EXIT_FAILURE;
	}
	progress_done(run.progress);
	flow_table_finish(run.flows, run.last_t);
	session_table_finish(run.sessions, run.last_t);
	if (dump != NULL && !dump_flush(dump)) {
		perror("rtmpscope: writing the dump");
		status = EXIT_FAILURE;
	}

	memset(&rc, 0, sizeof(rc));
	rc.source = opts->read_file;
	rc.packets = capture_get_stats(run.cap)->packets;
	rc.bytes = capture_get_stats(run.cap)->bytes;
	rc.first_t = run.first_t;
	rc.last_t = run.last_t;
	rc.connections = flow_table_stats(run.flows)->connections;
	rc.stats = session_table_stats(run.sessions);
	if (report != REPORT_NONE &&
	    !report_print(stdout, report, &rc, run.sessions)) {
		perror("rtmpscope: writing the report");
		status = EXIT_FAILURE;
	}
	if (opts->ladder && !print_ladders(opts, run.sessions))
		status = EXIT_USAGE;
	print_summary(run.cap, run.flows, run.sessions);
	if (status == EXIT_SUCCESS && opts->fail_on_set &&
	    report_worst_health(run.sessions) >= opts->fail_on)
		status = EXIT_FAIL_ON;

	flow_table_free(run.flows);
	session_table_free(run.sessions);
	if (dump != NULL)
		dump_free(dump);
	capture_close(run.cap);
	return status;
}

int
main(int argc, char **argv)
{
	g_autoptr(GError) err = NULL;
	struct health_config health;
	struct options opts;
	int status;

	health_config_defaults(&health);
	if (!options_parse(&opts, argc, argv, &err) ||
	    (opts.config_file != NULL &&
	    !config_load(opts.config_file, &opts, &health, &err))) {
		fprintf(stderr, "rtmpscope: %s (see rtmpscope --help)\n",
		    err->message);
		options_clear(&opts);
		return EXIT_USAGE;
	}
	if (opts.version) {
		printf("rtmpscope %s\n", PACKAGE_VERSION);
		options_clear(&opts);
		return EXIT_SUCCESS;
	}
	if (opts.read_file == NULL) {
		fprintf(stderr, "rtmpscope: nothing to read: give a capture "
		    "with -r FILE (see rtmpscope --help)\n");
		options_clear(&opts);
		return EXIT_USAGE;
	}
	status = run_offline(&opts, &health);
	options_clear(&opts);
	return status;
}
