/*
 * Proxy mode: see run-proxy.h.
 *
 * The backends are the --backend flags (first, in the order given) and the
 * [backend NAME] groups of the config file; the [proxy] group sets the
 * relay.  A reload reads the file again into new settings and applies
 * them only when the whole file is good.
 *
 * On a terminal, without a dump, report or ladder, the dashboard shows
 * the sessions and the backends; it takes INT and TERM (they quit), the
 * reload keeps SIGHUP.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "backends.h"
#include "config-file.h"
#include "proxy.h"
#include "run-proxy.h"
#include "run.h"
#include "status.h"
#include "ui.h"

#define PROXY_RUN_TICK_MS	250

struct proxy_run {
	struct run		 run;
	struct proxy_config	 cfg;
	struct backend_pool	*pool;
	struct proxy		*proxy;
	struct status		*status;
	struct ui		*ui;
	bool			 draining;
};

/* The backend settings of the flags and the file, with the relay's. */
struct proxy_settings {
	struct proxy_config	 cfg;
	GArray			*backends;	/* struct backend_config */
	enum balance		 balance;
};

static void
settings_clear(struct proxy_settings *ps)
{
	guint i;

	proxy_config_clear(&ps->cfg);
	if (ps->backends != NULL) {
		for (i = 0; i < ps->backends->len; i++)
			backend_config_clear(&g_array_index(ps->backends,
			    struct backend_config, i));
		g_array_free(ps->backends, TRUE);
		ps->backends = NULL;
	}
}

static gboolean
settings_load(const struct options *opts, struct proxy_settings *ps,
    GError **err)
{
	struct backend_config bc;
	size_t i;

	memset(ps, 0, sizeof(*ps));
	proxy_config_defaults(&ps->cfg);
	ps->backends = g_array_new(FALSE, TRUE, sizeof(struct backend_config));
	ps->balance = BALANCE_PRIORITY;
	for (i = 0; opts->backends != NULL && opts->backends[i] != NULL;
	    i++) {
		if (!backend_config_from_flag(opts->backends[i], (int)i, &bc,
		    err))
			goto fail;
		g_array_append_val(ps->backends, bc);
	}
	if (opts->config_file != NULL && !config_load_proxy(opts->config_file,
	    &ps->cfg, ps->backends, &ps->balance, err))
		goto fail;
	if (opts->listen != NULL) {
		g_free(ps->cfg.listen);
		ps->cfg.listen = g_strdup(opts->listen);
	}
	if (opts->redirect != NULL)
		(void)redirect_mode_parse(opts->redirect, &ps->cfg.redirect);
	if (ps->backends->len == 0) {
		g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_VALUE,
		    "proxy mode needs a backend: --backend HOST:PORT or a "
		    "[backend NAME] group in the config file");
		goto fail;
	}
	return TRUE;
fail:
	settings_clear(ps);
	return FALSE;
}

static void
settings_apply(struct proxy_run *pr, const struct proxy_settings *ps)
{
	backend_pool_set_balance(pr->pool, ps->balance);
	backend_pool_set_hold_down(pr->pool, ps->cfg.hold_down_ms);
	backend_pool_set(pr->pool, (const struct backend_config *)
	    (void *)ps->backends->data, ps->backends->len);
}

static gboolean
proxy_run_stop(gpointer data)
{
	struct proxy_run *pr = data;

	g_main_loop_quit(pr->run.loop);
	return G_SOURCE_CONTINUE;
}

static void
proxy_run_drained(void *ctx)
{
	struct proxy_run *pr = ctx;

	g_main_loop_quit(pr->run.loop);
}

/* SIGTERM: drain; a second one stops at once. */
static gboolean
proxy_run_term(gpointer data)
{
	struct proxy_run *pr = data;

	if (pr->draining) {
		g_main_loop_quit(pr->run.loop);
		return G_SOURCE_CONTINUE;
	}
	pr->draining = true;
	fprintf(stderr, "rtmpscope: draining: no new clients, %"
	    G_GUINT64_FORMAT " sessions left (at most %u ms)\n",
	    proxy_get_stats(pr->proxy)->active, pr->cfg.drain_timeout_ms);
	proxy_drain(pr->proxy, proxy_run_drained, pr);
	return G_SOURCE_CONTINUE;
}

/* SIGHUP: the file again; a bad one keeps what runs. */
static gboolean
proxy_run_reload(gpointer data)
{
	struct proxy_run *pr = data;
	const struct options *opts = pr->run.opts;
	g_autoptr(GError) err = NULL;
	g_autoptr(GPtrArray) all = NULL;
	struct proxy_settings ps;

	if (opts->config_file == NULL) {
		fprintf(stderr, "rtmpscope: SIGHUP: no config file to reload "
		    "(-c FILE)\n");
		return G_SOURCE_CONTINUE;
	}
	if (!settings_load(opts, &ps, &err)) {
		fprintf(stderr, "rtmpscope: SIGHUP: %s; the settings in use "
		    "stay\n", err->message);
		return G_SOURCE_CONTINUE;
	}
	if (g_strcmp0(ps.cfg.listen, pr->cfg.listen) != 0)
		fprintf(stderr, "rtmpscope: SIGHUP: the listening address "
		    "changes only with a restart; still %s\n", pr->cfg.listen);
	settings_apply(pr, &ps);
	g_free(ps.cfg.listen);
	ps.cfg.listen = pr->cfg.listen;
	pr->cfg = ps.cfg;
	proxy_set_config(pr->proxy, &pr->cfg);
	ps.cfg.listen = NULL;
	settings_clear(&ps);
	all = backend_pool_list(pr->pool);
	fprintf(stderr, "rtmpscope: SIGHUP: %s reloaded, %u backends\n",
	    opts->config_file, all->len);
	return G_SOURCE_CONTINUE;
}

/* Quiet sessions still age; a reader of --dump sees messages as they come. */
static gboolean
proxy_run_tick(gpointer data)
{
	struct proxy_run *pr = data;
	double now = (double)g_get_real_time() / 1e6;

	if (now > pr->run.last_t)
		pr->run.last_t = now;
	session_table_tick(pr->run.sessions, pr->run.last_t);
	if (pr->run.dump != NULL)
		dump_flush(pr->run.dump);
	return G_SOURCE_CONTINUE;
}

/* The dashboard's title line: the listening address and the traffic. */
static void
proxy_run_ui_stats(void *ctx, struct ui_source_stats *st)
{
	struct proxy_run		*pr = ctx;
	const struct proxy_stats	*ps = proxy_get_stats(pr->proxy);

	st->source = pr->cfg.listen;
	st->live = true;
	/* A relay sees connections and bytes, not packets. */
	st->packets = ps->accepted;
	st->packets_name = "clients";
	st->bytes = ps->bytes_c2b + ps->bytes_b2c;
	st->drops = 0;
	st->now = pr->run.last_t;
	st->first = pr->run.first_t;
}

/* The dashboard's r: the session moves as POST .../redirect moves it. */
static bool
proxy_run_ui_redirect(void *ctx, uint64_t id, const char **why)
{
	struct proxy_run *pr = ctx;

	return proxy_redirect(pr->proxy, id, why);
}

/* On a terminal, as run_live does: the dashboard, or NULL. */
static struct ui *
proxy_run_ui(struct proxy_run *pr)
{
	const struct options *opts = pr->run.opts;
	g_autoptr(GError) err = NULL;
	struct ui_context uictx;
	struct ui *ui;

	if (!isatty(STDOUT_FILENO) || opts->no_ui ||
	    opts->dump != DUMP_NONE || opts->report != REPORT_NONE ||
	    opts->ladder)
		return NULL;
	session_table_keep_log(pr->run.sessions, true);
	pr->run.report = REPORT_NONE;
	memset(&uictx, 0, sizeof(uictx));
	uictx.sessions = pr->run.sessions;
	uictx.backends = pr->pool;
	uictx.stats = proxy_run_ui_stats;
	uictx.ctx = pr;
	uictx.keep_hup = true;
	uictx.redirect = proxy_run_ui_redirect;
	uictx.redirect_ctx = pr;
	if ((ui = ui_new(&uictx, &err)) == NULL) {
		fprintf(stderr, "rtmpscope: %s\n", err->message);
		pr->run.report = REPORT_TEXT;
	}
	return ui;
}

static void
proxy_run_summary(const struct proxy_stats *st)
{
	fprintf(stderr, "rtmpscope: proxy: %" G_GUINT64_FORMAT " clients "
	    "accepted, %" G_GUINT64_FORMAT " refused, %" G_GUINT64_FORMAT
	    " backend connects failed, %" G_GUINT64_FORMAT " sessions "
	    "redirected (%" G_GUINT64_FORMAT " failed), %" G_GUINT64_FORMAT
	    " bytes client to backend, %" G_GUINT64_FORMAT " backend to "
	    "client\n", st->accepted, st->refused, st->backend_failures,
	    st->redirects, st->redirects_failed, st->bytes_c2b, st->bytes_b2c);
}

/* Headless: what the proxy did on its own, one line each, as HAProxy logs. */
static void
proxy_run_log(void *ctx, const struct proxy_event *ev)
{
	fprintf(stderr, "rtmpscope: proxy: %s: %s%s%s: %s\n", ev->client,
	    ev->what, ev->backend != NULL ? " via " : "",
	    ev->backend != NULL ? ev->backend : "", ev->detail);
}

static void
proxy_run_redirected(void *ctx, const struct session *s,
    const struct session_redirect *r)
{
	fprintf(stderr, "rtmpscope: proxy: %s: session %" G_GUINT64_FORMAT
	    " %s: %s -> %s (%s, %s)", s->client_name, s->id, r->outcome,
	    r->from, r->to != NULL ? r->to : "-", r->reason, r->mode);
	if (r->media_gap_ms >= 0)
		fprintf(stderr, ", media gap %.0f ms", r->media_gap_ms);
	if (r->detail != NULL)
		fprintf(stderr, ": %s", r->detail);
	fputc('\n', stderr);
}

/* POST /api/sessions/ID/redirect. */
static bool
proxy_run_redirect(void *ctx, uint64_t id, const char **why)
{
	return proxy_redirect(ctx, id, why);
}

int
run_proxy(const struct options *opts, const struct health_config *health)
{
	g_autoptr(GError) err = NULL;
	struct proxy_settings ps;
	struct status_sources ss;
	struct capture_stats cs;
	struct proxy_run pr;
	guint sig[3] = { 0, 0, 0 }, tick, stop = 0;
	size_t i;
	int status;

	if (!settings_load(opts, &ps, &err)) {
		fprintf(stderr, "rtmpscope: %s\n", err->message);
		return EXIT_USAGE;
	}
	memset(&pr, 0, sizeof(pr));
	pr.cfg = ps.cfg;
	ps.cfg.listen = NULL;
	pr.pool = backend_pool_new(ps.balance);
	settings_apply(&pr, &ps);
	settings_clear(&ps);
	run_begin(&pr.run, opts, health);
	/* Running for days: what ended long ago is let go. */
	session_table_keep_ended(pr.run.sessions, opts->max_ended_sessions);
	pr.proxy = proxy_new(&pr.cfg, pr.pool, pr.run.sessions, &err);
	if (pr.proxy == NULL) {
		fprintf(stderr, "rtmpscope: %s\n", err->message);
		pr.run.status = EXIT_FAILURE;
		goto out;
	}
	if (opts->http != NULL || opts->log_port != NULL) {
		memset(&ss, 0, sizeof(ss));
		ss.sessions = pr.run.sessions;
		ss.backends = pr.pool;
		ss.mode = "proxy";
		ss.redirect = proxy_run_redirect;
		ss.redirect_ctx = pr.proxy;
		ss.proxy = pr.proxy;
		pr.status = status_new(&ss, opts->http, opts->log_port, &err);
		if (pr.status == NULL) {
			fprintf(stderr, "rtmpscope: %s\n", err->message);
			pr.run.status = EXIT_FAILURE;
			goto out;
		}
	}
	pr.run.first_t = pr.run.last_t = (double)g_get_real_time() / 1e6;
	pr.run.loop = g_main_loop_new(NULL, FALSE);
	tick = g_timeout_add(PROXY_RUN_TICK_MS, proxy_run_tick, &pr);
	if ((pr.ui = proxy_run_ui(&pr)) == NULL) {
		proxy_watch(pr.proxy, proxy_run_log, NULL);
		session_table_observe(pr.run.sessions,
		    &(struct session_observer){
		    .redirected = proxy_run_redirected });
	}
	if (pr.ui != NULL) {
		/* The dashboard takes INT, TERM and WINCH; HUP reloads. */
		ui_attach(pr.ui, pr.run.loop);
	} else {
		sig[0] = g_unix_signal_add(SIGINT, proxy_run_stop, &pr);
		sig[1] = g_unix_signal_add(SIGTERM, proxy_run_term, &pr);
	}
	sig[2] = g_unix_signal_add(SIGHUP, proxy_run_reload, &pr);
	if (opts->duration > 0)
		stop = g_timeout_add_seconds(opts->duration, proxy_run_stop,
		    &pr);
	g_main_loop_run(pr.run.loop);
	g_source_remove(tick);
	for (i = 0; i < G_N_ELEMENTS(sig); i++)
		if (sig[i] != 0)
			g_source_remove(sig[i]);
	if (stop != 0)
		g_source_remove(stop);
	/* The terminal back before the summary is printed. */
	ui_free(pr.ui);
	pr.ui = NULL;
	g_main_loop_unref(pr.run.loop);
out:
	memset(&cs, 0, sizeof(cs));
	if (pr.proxy != NULL) {
		const struct proxy_stats *st = proxy_get_stats(pr.proxy);

		cs.bytes = st->bytes_c2b + st->bytes_b2c;
		proxy_run_summary(st);
		/* The sessions still open are closed by us: they end now. */
		proxy_free(pr.proxy);
	}
	pr.run.last_t = (double)g_get_real_time() / 1e6;
	status = run_end(&pr.run, pr.cfg.listen, &cs, 0);
	backend_pool_free(pr.pool);
	/* Last: the table and the pool still told it of what ended. */
	status_free(pr.status);
	proxy_config_clear(&pr.cfg);
	return status;
}
