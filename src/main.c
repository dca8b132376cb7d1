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
#include <signal.h>
#include <unistd.h>

#include <glib-unix.h>

#include "capture.h"
#include "config-file.h"
#include "dump.h"
#include "flow.h"
#include "ladder.h"
#include "live.h"
#include "options.h"
#include "progress.h"
#include "report.h"
#include "session.h"

#define EXIT_USAGE		2
#define EXIT_FAIL_ON		1
#define PROGRESS_EVERY		4096	/* packets between progress checks */
#define LADDER_WIDTH		100
#define LIVE_TICK_MS		500

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

static void
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

static void
run_segment(void *ctx, const struct tcp_segment *seg)
{
	struct run *run = ctx;
	uint64_t done, total;

	if (run->segments++ == 0)
		run->first_t = seg->t;
	run->last_t = seg->t;
	flow_table_segment(run->flows, seg);
	session_table_tick(run->sessions, seg->t);
	if (run->progress != NULL && run->segments % PROGRESS_EVERY == 0) {
		capture_progress(run->cap, &done, &total);
		progress_update(run->progress, done);
	}
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
static int
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

static int
run_offline(const struct options *opts, const struct health_config *health)
{
	g_autoptr(GError) err = NULL;
	struct run run;
	uint64_t done, total;
	int status;

	memset(&run, 0, sizeof(run));
	run.cap = capture_open_file(opts->read_file, opts->filter, &err);
	if (run.cap == NULL) {
		fprintf(stderr, "rtmpscope: %s\n", err->message);
		return EXIT_FAILURE;
	}
	run_begin(&run, opts, health);
	capture_progress(run.cap, &done, &total);
	run.progress = progress_new(total);
	if (!capture_run(run.cap, run_segment, &run, &err)) {
		progress_done(run.progress);
		run.progress = NULL;
		fprintf(stderr, "rtmpscope: %s: %s\n", opts->read_file,
		    err->message);
		run.status = EXIT_FAILURE;
	}
	progress_done(run.progress);
	status = run_end(&run, opts->read_file, capture_get_stats(run.cap), 0);
	capture_close(run.cap);
	return status;
}

static gboolean
live_readable(gint fd, GIOCondition cond, gpointer data)
{
	g_autoptr(GError) err = NULL;
	struct run *run = data;

	if (!live_dispatch(run->live, run_segment, run, &err)) {
		fprintf(stderr, "rtmpscope: %s: %s\n", run->opts->interface,
		    err->message);
		run->status = EXIT_FAILURE;
		g_main_loop_quit(run->loop);
		return G_SOURCE_REMOVE;
	}
	/* Streamed: a reader of --dump sees messages as they come. */
	if (run->dump != NULL)
		dump_flush(run->dump);
	return G_SOURCE_CONTINUE;
}

/* Quiet sessions still age: timeouts by the wall clock. */
static gboolean
live_tick(gpointer data)
{
	struct run *run = data;
	double now = (double)g_get_real_time() / 1e6;

	if (now > run->last_t)
		run->last_t = now;
	session_table_tick(run->sessions, run->last_t);
	return G_SOURCE_CONTINUE;
}

static gboolean
live_stop(gpointer data)
{
	struct run *run = data;

	g_main_loop_quit(run->loop);
	return G_SOURCE_REMOVE;
}

static int
run_live(const struct options *opts, const struct health_config *health)
{
	g_autoptr(GError) err = NULL;
	struct run run;
	int status;

	memset(&run, 0, sizeof(run));
	run.live = live_open(opts->interface, opts->filter, opts->write_file,
	    &err);
	if (run.live == NULL) {
		fprintf(stderr, "rtmpscope: %s\n", err->message);
		return EXIT_FAILURE;
	}
	/* The device is open: root is no longer needed. */
	if (opts->user != NULL && !live_drop_privileges(opts->user, &err)) {
		fprintf(stderr, "rtmpscope: %s\n", err->message);
		live_close(run.live);
		return EXIT_FAILURE;
	}
	run_begin(&run, opts, health);
	run.first_t = run.last_t = (double)g_get_real_time() / 1e6;
	run.loop = g_main_loop_new(NULL, FALSE);
	g_unix_fd_add(live_fd(run.live), G_IO_IN, live_readable, &run);
	g_timeout_add(LIVE_TICK_MS, live_tick, &run);
	g_unix_signal_add(SIGINT, live_stop, &run);
	g_unix_signal_add(SIGTERM, live_stop, &run);
	if (opts->duration > 0)
		g_timeout_add_seconds(opts->duration, live_stop, &run);
	g_main_loop_run(run.loop);

	/* What the kernel still holds is part of the capture. */
	(void)live_dispatch(run.live, run_segment, &run, NULL);
	status = run_end(&run, opts->interface, live_stats(run.live),
	    live_drops(run.live));
	g_main_loop_unref(run.loop);
	live_close(run.live);
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
	if ((opts.read_file == NULL) == (opts.interface == NULL)) {
		fprintf(stderr, "rtmpscope: %s (see rtmpscope --help)\n",
		    opts.read_file == NULL ? "nothing to read: give a capture "
		    "with -r FILE or an interface with -i IF" :
		    "-r and -i cannot be used together");
		options_clear(&opts);
		return EXIT_USAGE;
	}
	if (opts.interface != NULL)
		status = run_live(&opts, &health);
	else
		status = run_offline(&opts, &health);
	options_clear(&opts);
	return status;
}
