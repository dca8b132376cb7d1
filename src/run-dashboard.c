/*
 * The dashboard over a capture file.
 *
 * The same pipeline as the offline run of main.c (capture -> flow ->
 * session), driven from the GMainLoop the dashboard lives in: the reader
 * is a source that reads a slice of the file and gives the loop back, so
 * keys and redraws are never kept waiting.  --replay=fast reads slice
 * after slice (an idle source); --replay=realtime maps capture time to
 * the wall clock and lets the capture layer keep back the first record
 * that is not due yet, then sleeps (a timeout source) until it is.
 *
 * The reader never draws: the dashboard's timer redraws.  At the end of
 * the file the open connections are finished as main.c does, and the
 * dashboard stays open for browsing until q.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "flow.h"
#include "run-dashboard.h"
#include "session.h"
#include "ui.h"

#define DASH_SLICE_PACKETS	2000	/* records per capture_run_some */
#define DASH_SLICE_US		20000	/* then the loop gets a turn */
#define DASH_MAX_SLEEP_MS	200	/* realtime: tick at least this often */

struct dash {
	const struct options	*opts;
	struct capture		*cap;
	struct flow_table	*flows;
	struct session_table	*sessions;
	struct ui		*ui;
	GMainLoop		*loop;
	guint			 reader;	/* source id, 0 when idle */
	bool			 eof;
	bool			 paused;
	bool			 realtime;
	uint64_t		 segments;
	double			 first_t;
	double			 last_t;
	/* Realtime: capture time cap0 was wall time wall0 (microseconds). */
	bool			 clock_set;
	double			 cap0;
	gint64			 wall0;
	gint64			 paused_at;
	double			 until;		/* capture time due now */
	char			*error;
};

static void	 dash_schedule(struct dash *, guint delay_ms);

static void
dash_segment(void *ctx, const struct tcp_segment *seg)
{
	struct dash	*d = ctx;

	if (d->segments++ == 0)
		d->first_t = seg->t;
	d->last_t = seg->t;
	flow_table_segment(d->flows, seg);
	session_table_tick(d->sessions, seg->t);
}

static void
dash_finish(struct dash *d)
{
	d->eof = true;
	flow_table_finish(d->flows, d->last_t);
	session_table_finish(d->sessions, d->last_t);
	ui_mark_dirty(d->ui);
}

/* Reads one slice; returns the delay before the next, or -1 at the end. */
static int
dash_read(struct dash *d)
{
	g_autoptr(GError) err = NULL;
	gboolean	 eof = FALSE, ok;
	gint64		 start = g_get_monotonic_time(), now;
	double		 next;

	for (;;) {
		if (d->realtime) {
			now = g_get_monotonic_time();
			if (!d->clock_set) {
				/* Find the first record's time: hold it. */
				capture_hold_after(d->cap, -HUGE_VAL);
			} else
				d->until = d->cap0 +
				    (double)(now - d->wall0) / 1e6;
			if (d->clock_set)
				capture_hold_after(d->cap, d->until);
		}
		ok = capture_run_some(d->cap, dash_segment, d,
		    DASH_SLICE_PACKETS, &eof, &err);
		if (!ok) {
			d->error = g_strdup(err->message);
			dash_finish(d);
			return -1;
		}
		if (eof) {
			dash_finish(d);
			return -1;
		}
		if (d->realtime && capture_held_time(d->cap, &next)) {
			if (!d->clock_set) {
				d->clock_set = true;
				d->cap0 = next;
				d->wall0 = g_get_monotonic_time();
				d->until = next;
				continue;
			}
			/* Quiet capture time passes too: stalls show live. */
			if (d->until > d->last_t)
				session_table_tick(d->sessions, d->until);
			next = (next - d->until) * 1000;
			return next > DASH_MAX_SLEEP_MS ? DASH_MAX_SLEEP_MS :
			    (int)next;
		}
		if (g_get_monotonic_time() - start >= DASH_SLICE_US)
			return 0;
	}
}

static gboolean
dash_reader_cb(gpointer data)
{
	struct dash	*d = data;
	int		 delay;

	d->reader = 0;
	if (d->paused || d->eof)
		return G_SOURCE_REMOVE;
	delay = dash_read(d);
	if (delay >= 0)
		dash_schedule(d, (guint)delay);
	return G_SOURCE_REMOVE;
}

static void
dash_schedule(struct dash *d, guint delay_ms)
{
	if (d->reader != 0)
		return;
	if (delay_ms == 0)
		d->reader = g_idle_add(dash_reader_cb, d);
	else
		d->reader = g_timeout_add(delay_ms, dash_reader_cb, d);
}

static void
dash_stats(void *ctx, struct ui_source_stats *st)
{
	struct dash			*d = ctx;
	const struct capture_stats	*cs = capture_get_stats(d->cap);

	st->source = d->opts->read_file;
	st->live = false;
	st->done = d->eof;
	st->paused = d->paused;
	st->packets = cs->packets;
	st->bytes = cs->bytes;
	st->drops = 0;
	capture_progress(d->cap, &st->progress_done, &st->progress_total);
	st->now = d->last_t;
	if (d->realtime && !d->eof && d->clock_set && d->until > st->now)
		st->now = d->until;
	st->first = d->first_t;
	st->error = d->error;
	st->pace = d->realtime ? "realtime" : "fast";
}

static void
dash_pause(void *ctx, bool paused)
{
	struct dash	*d = ctx;
	gint64		 now = g_get_monotonic_time();

	if (paused == d->paused)
		return;
	d->paused = paused;
	if (paused) {
		d->paused_at = now;
		if (d->reader != 0) {
			g_source_remove(d->reader);
			d->reader = 0;
		}
		return;
	}
	/* Capture time stood still while paused. */
	if (d->realtime && d->clock_set)
		d->wall0 += now - d->paused_at;
	if (!d->eof)
		dash_schedule(d, 0);
}

int
run_dashboard(const struct options *opts, const struct health_config *health)
{
	g_autoptr(GError) err = NULL;
	struct ui_context	 uictx;
	struct dash		 d;

	memset(&d, 0, sizeof(d));
	d.opts = opts;
	d.realtime = opts->replay == REPLAY_REALTIME;
	d.cap = capture_open_file(opts->read_file, NULL, &err);
	if (d.cap == NULL) {
		fprintf(stderr, "rtmpscope: %s\n", err->message);
		return EXIT_FAILURE;
	}
	d.sessions = session_table_new(opts->ports, opts->nports, health);
	session_table_keep_log(d.sessions, true);
	d.flows = flow_table_new(&session_flow_ops, d.sessions);

	memset(&uictx, 0, sizeof(uictx));
	uictx.sessions = d.sessions;
	uictx.stats = dash_stats;
	uictx.pause = dash_pause;
	uictx.ctx = &d;
	if ((d.ui = ui_new(&uictx, &err)) == NULL) {
		fprintf(stderr, "rtmpscope: %s\n", err->message);
		flow_table_free(d.flows);
		session_table_free(d.sessions);
		capture_close(d.cap);
		return EXIT_FAILURE;
	}
	d.loop = g_main_loop_new(NULL, FALSE);
	ui_attach(d.ui, d.loop);
	dash_schedule(&d, 0);
	g_main_loop_run(d.loop);

	if (d.reader != 0)
		g_source_remove(d.reader);
	ui_free(d.ui);
	g_main_loop_unref(d.loop);
	if (d.error != NULL)
		fprintf(stderr, "rtmpscope: %s: %s\n", opts->read_file,
		    d.error);
	g_free(d.error);
	flow_table_free(d.flows);
	session_table_free(d.sessions);
	capture_close(d.cap);
	return EXIT_SUCCESS;
}
