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

#include "backends.h"
#include "capture.h"
#include "config-file.h"
#include "dump.h"
#include "flow.h"
#include "live.h"
#include "options.h"
#include "progress.h"
#include "proxy.h"
#include "report.h"
#include "run-dashboard.h"
#include "run-demo.h"
#include "run-origin.h"
#include "run-proxy.h"
#include "run.h"
#include "session.h"
#include "ui.h"
#include "status.h"

#define PROGRESS_EVERY		4096	/* packets between progress checks */
#define LIVE_TICK_MS		500

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

/* The capture's figures, for /metrics. */
static void
live_figures(void *ctx, uint64_t *packets, uint64_t *bytes, uint64_t *drops)
{
	struct run *run = ctx;

	*packets = live_stats(run->live)->packets;
	*bytes = live_stats(run->live)->bytes;
	*drops = live_drops(run->live);
}

/* The dashboard's view of a live source. */
struct live_view {
	struct run	*run;
	const char	*iface;
	bool		 paused;
};

static void
live_view_stats(void *ctx, struct ui_source_stats *st)
{
	struct live_view *v = ctx;
	const struct capture_stats *cs = live_stats(v->run->live);

	st->source = v->iface;
	st->live = true;
	st->paused = v->paused;
	st->packets = cs->packets;
	st->bytes = cs->bytes;
	st->drops = live_drops(v->run->live);
	st->now = v->run->last_t;
	st->first = v->run->first_t;
}

/* Capture never waits for the screen: pausing freezes only the view. */
static void
live_view_pause(void *ctx, bool paused)
{
	struct live_view *v = ctx;

	v->paused = paused;
}

static int
run_live(const struct options *opts, const struct health_config *health)
{
	struct ui_context uictx;
	struct live_view view;
	struct ui *ui = NULL;
	g_autoptr(GError) err = NULL;
	struct status_sources sources;
	struct status *endpoints = NULL;
	struct run run;
	int status;

	/* A bad --http or --log-port is a usage error, told before capturing. */
	if (!status_check_addresses(opts->http, opts->log_port, &err)) {
		fprintf(stderr, "rtmpscope: %s (see rtmpscope --help)\n",
		    err->message);
		return EXIT_USAGE;
	}
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
	/* Running for days: what ended long ago is let go. */
	session_table_keep_ended(run.sessions, opts->max_ended_sessions);
	if (opts->http != NULL || opts->log_port != NULL) {
		memset(&sources, 0, sizeof(sources));
		sources.sessions = run.sessions;
		sources.mode = "live";
		sources.figures = live_figures;
		sources.ctx = &run;
		endpoints = status_new(&sources, opts->http, opts->log_port,
		    &err);
		if (endpoints == NULL) {
			fprintf(stderr, "rtmpscope: %s\n", err->message);
			flow_table_free(run.flows);
			session_table_free(run.sessions);
			if (run.dump != NULL)
				dump_free(run.dump);
			live_close(run.live);
			return EXIT_FAILURE;
		}
	}
	run.first_t = run.last_t = (double)g_get_real_time() / 1e6;
	run.loop = g_main_loop_new(NULL, FALSE);
	/* On a terminal, without a dump, report or ladder: the dashboard. */
	if (isatty(STDOUT_FILENO) && !opts->no_ui &&
	    opts->dump == DUMP_NONE && opts->report == REPORT_NONE &&
	    !opts->ladder) {
		session_table_keep_log(run.sessions, true);
		run.report = REPORT_NONE;
		memset(&view, 0, sizeof(view));
		view.run = &run;
		view.iface = opts->interface;
		memset(&uictx, 0, sizeof(uictx));
		uictx.sessions = run.sessions;
		uictx.stats = live_view_stats;
		uictx.pause = live_view_pause;
		uictx.ctx = &view;
		if ((ui = ui_new(&uictx, &err)) == NULL) {
			fprintf(stderr, "rtmpscope: %s\n", err->message);
			run.report = REPORT_TEXT;
		}
	}
	g_unix_fd_add(live_fd(run.live), G_IO_IN, live_readable, &run);
	g_timeout_add(LIVE_TICK_MS, live_tick, &run);
	if (ui != NULL) {
		/* The dashboard takes INT, TERM, HUP and WINCH. */
		ui_attach(ui, run.loop);
	} else {
		g_unix_signal_add(SIGINT, live_stop, &run);
		g_unix_signal_add(SIGTERM, live_stop, &run);
	}
	if (opts->duration > 0)
		g_timeout_add_seconds(opts->duration, live_stop, &run);
	g_main_loop_run(run.loop);
	/* The terminal back before the summary is printed. */
	if (ui != NULL)
		ui_free(ui);

	/* What the kernel still holds is part of the capture. */
	(void)live_dispatch(run.live, run_segment, &run, NULL);
	status = run_end(&run, opts->interface, live_stats(run.live),
	    live_drops(run.live));
	/* After run_end: the table told the endpoints of the last ends. */
	status_free(endpoints);
	g_main_loop_unref(run.loop);
	live_close(run.live);
	return status;
}

/*
 * Whether the config file's [proxy] group has a listen address: then,
 * without -r, -i or --simulate-origin, it starts proxy mode as --listen
 * does ("rtmpscope -c proxy.conf", as the systemd unit runs it).
 */
static bool
config_listens(const char *path)
{
	struct proxy_config cfg;
	enum balance balance;
	GArray *backends;
	bool listens;
	guint i;

	if (path == NULL)
		return false;
	proxy_config_defaults(&cfg);
	backends = g_array_new(FALSE, TRUE, sizeof(struct backend_config));
	listens = config_load_proxy(path, &cfg, backends, &balance, NULL) &&
	    cfg.listen != NULL && cfg.listen[0] != '\0';
	for (i = 0; i < backends->len; i++)
		backend_config_clear(&g_array_index(backends,
		    struct backend_config, i));
	g_array_free(backends, TRUE);
	proxy_config_clear(&cfg);
	return listens;
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
	if (opts.demo) {
		status = run_demo(&opts, &health);
		options_clear(&opts);
		return status;
	}
	if (opts.listen != NULL || (opts.read_file == NULL &&
	    opts.interface == NULL && opts.simulate_origin == NULL &&
	    config_listens(opts.config_file))) {
		status = run_proxy(&opts, &health);
		options_clear(&opts);
		return status;
	}
	if (opts.simulate_origin != NULL) {
		status = run_origin(&opts);
		options_clear(&opts);
		return status;
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
	else if (isatty(STDOUT_FILENO) && !opts.no_ui &&
	    opts.dump == DUMP_NONE && opts.report == REPORT_NONE &&
	    !opts.ladder)
		status = run_dashboard(&opts, &health);
	else
		status = run_offline(&opts, &health);
	options_clear(&opts);
	return status;
}
