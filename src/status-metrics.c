/*
 * /metrics: the Prometheus text exposition format, version 0.0.4.
 *
 *   # HELP name text            (text: \\ and \n escaped)
 *   # TYPE name counter|gauge
 *   name{label="value",...} number
 *
 * Label values escape \\, \" and \n.  Every family has its HELP and TYPE
 * lines before its samples, and each series appears once.  Fleets of
 * rtmpscope instances are summed by Prometheus, so the names and labels
 * are the interface: change them only with the man page.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <string.h>

#include "status-metrics.h"

/* Series that exist before anything happened, so rate() sees them start. */
static const enum session_role roles[] = {
	ROLE_PUBLISH, ROLE_PLAY, ROLE_NONE
};
static const enum health healths[] = { HEALTH_OK, HEALTH_WARN, HEALTH_BAD };

static void
family(struct dump_out *o, const char *name, const char *type,
    const char *help)
{
	dump_out_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
	    type);
}

static void
label(struct dump_out *o, bool first, const char *key, const char *value)
{
	const char *p;

	dump_out_str(o, first ? "{" : ",");
	dump_out_str(o, key);
	dump_out_str(o, "=\"");
	for (p = value; *p != '\0'; p++) {
		if (*p == '\\')
			dump_out_str(o, "\\\\");
		else if (*p == '"')
			dump_out_str(o, "\\\"");
		else if (*p == '\n')
			dump_out_str(o, "\\n");
		else
			dump_out_bytes(o, p, 1);
	}
	dump_out_str(o, "\"");
}

static void
value_u64(struct dump_out *o, bool labels, uint64_t v)
{
	dump_out_str(o, labels ? "} " : " ");
	dump_out_u64(o, v);
	dump_out_str(o, "\n");
}

static void
value_double(struct dump_out *o, bool labels, double v)
{
	dump_out_str(o, labels ? "} " : " ");
	if (isnan(v))
		dump_out_str(o, "NaN");
	else if (isinf(v))
		dump_out_str(o, v > 0 ? "+Inf" : "-Inf");
	else
		dump_out_double(o, v);
	dump_out_str(o, "\n");
}

static void
session_metrics(struct dump_out *o, const struct status_sources *src,
    const struct status_counts *c)
{
	GPtrArray *all = session_table_sessions(src->sessions);
	const struct session_stream *ms;
	const struct session *s;
	uint64_t open[3][3], bytes[2];
	size_t r, h;
	guint i;

	memset(open, 0, sizeof(open));
	bytes[DIR_C2S] = c->ended_bytes[DIR_C2S];
	bytes[DIR_S2C] = c->ended_bytes[DIR_S2C];
	for (i = 0; i < all->len; i++) {
		s = g_ptr_array_index(all, i);
		if (!g_hash_table_contains(c->open, &s->id))
			continue;
		bytes[DIR_C2S] += s->dirs[DIR_C2S].bytes;
		bytes[DIR_S2C] += s->dirs[DIR_S2C].bytes;
		ms = session_main_stream(s);
		for (r = 0; r < G_N_ELEMENTS(roles); r++)
			if (roles[r] == (ms != NULL ? ms->role : ROLE_NONE))
				break;
		h = (size_t)session_health(s);
		if (r < G_N_ELEMENTS(roles) && h < G_N_ELEMENTS(healths))
			open[r][h]++;
	}

	family(o, "rtmpscope_sessions", "gauge",
	    "RTMP sessions open now, by role and health.");
	for (r = 0; r < G_N_ELEMENTS(roles); r++)
		for (h = 0; h < G_N_ELEMENTS(healths); h++) {
			dump_out_str(o, "rtmpscope_sessions");
			label(o, true, "role", session_role_name(roles[r]));
			label(o, false, "health", health_name(healths[h]));
			value_u64(o, true, open[r][h]);
		}
	family(o, "rtmpscope_sessions_total", "counter",
	    "RTMP sessions seen starting (handshake or first message).");
	dump_out_str(o, "rtmpscope_sessions_total");
	value_u64(o, false, c->sessions_total);
	family(o, "rtmpscope_sessions_evicted_total", "counter",
	    "Ended sessions forgotten to keep at most max_ended_sessions.");
	dump_out_str(o, "rtmpscope_sessions_evicted_total");
	value_u64(o, false, session_table_stats(src->sessions)->evicted);
	family(o, "rtmpscope_bytes_total", "counter",
	    "Bytes of RTMP sessions, by direction (c2s, s2c).");
	dump_out_str(o, "rtmpscope_bytes_total");
	label(o, true, "dir", "c2s");
	value_u64(o, true, bytes[DIR_C2S]);
	dump_out_str(o, "rtmpscope_bytes_total");
	label(o, true, "dir", "s2c");
	value_u64(o, true, bytes[DIR_S2C]);
	family(o, "rtmpscope_messages_total", "counter",
	    "RTMP messages decoded.");
	dump_out_str(o, "rtmpscope_messages_total");
	value_u64(o, false, session_table_stats(src->sessions)->messages);
	family(o, "rtmpscope_problems_total", "counter",
	    "Problems found in sessions, by kind.");
	for (i = 0; i < c->problems->len; i++) {
		const struct status_problem_count *pc = &g_array_index(
		    c->problems, struct status_problem_count, i);

		dump_out_str(o, "rtmpscope_problems_total");
		label(o, true, "kind", pc->kind);
		value_u64(o, true, pc->n);
	}
}

static void
capture_metrics(struct dump_out *o, const struct status_sources *src)
{
	uint64_t packets = 0, bytes = 0, drops = 0;

	src->figures(src->ctx, &packets, &bytes, &drops);
	family(o, "rtmpscope_capture_packets_total", "counter",
	    "Packets captured.");
	dump_out_str(o, "rtmpscope_capture_packets_total");
	value_u64(o, false, packets);
	family(o, "rtmpscope_capture_bytes_total", "counter",
	    "Bytes of the packets captured.");
	dump_out_str(o, "rtmpscope_capture_bytes_total");
	value_u64(o, false, bytes);
	family(o, "rtmpscope_capture_drops_total", "counter",
	    "Packets the kernel or the interface dropped.");
	dump_out_str(o, "rtmpscope_capture_drops_total");
	value_u64(o, false, drops);
}

static void
backend_sample(struct dump_out *o, const char *name, const struct backend *b)
{
	dump_out_str(o, name);
	label(o, true, "backend", b->cfg.name);
}

static void
backend_metrics(struct dump_out *o, const struct status_sources *src)
{
	GPtrArray *all = backend_pool_list(src->backends);
	const struct backend *b;
	guint i;

	family(o, "rtmpscope_backend_up", "gauge",
	    "1 if the backend is up (gets new sessions), 0 if down or "
	    "draining.");
	for (i = 0; i < all->len; i++) {
		b = g_ptr_array_index(all, i);
		backend_sample(o, "rtmpscope_backend_up", b);
		value_u64(o, true, b->state == BACKEND_UP);
	}
	family(o, "rtmpscope_backend_sessions", "gauge",
	    "Sessions relayed to the backend now.");
	for (i = 0; i < all->len; i++) {
		b = g_ptr_array_index(all, i);
		backend_sample(o, "rtmpscope_backend_sessions", b);
		value_u64(o, true, b->sessions);
	}
	family(o, "rtmpscope_backend_check_seconds", "gauge",
	    "Latency of the backend's last successful check.");
	for (i = 0; i < all->len; i++) {
		b = g_ptr_array_index(all, i);
		backend_sample(o, "rtmpscope_backend_check_seconds", b);
		value_double(o, true, b->check_ms / 1000.0);
	}
	family(o, "rtmpscope_backend_checks_total", "counter",
	    "Health checks of the backend, by result (ok, failed).");
	for (i = 0; i < all->len; i++) {
		b = g_ptr_array_index(all, i);
		backend_sample(o, "rtmpscope_backend_checks_total", b);
		label(o, false, "result", "ok");
		value_u64(o, true, b->checks_ok);
		backend_sample(o, "rtmpscope_backend_checks_total", b);
		label(o, false, "result", "failed");
		value_u64(o, true, b->checks_failed);
	}
}

const char *const status_redirect_outcomes[4] = {
	"moved", "redirected", "dropped", "failed",
};

static void
redirect_metrics(struct dump_out *o, const struct status_counts *c)
{
	size_t i;

	family(o, "rtmpscope_redirects_total", "counter",
	    "Sessions redirected by the proxy, by outcome (moved, redirected, "
	    "dropped, failed).");
	for (i = 0; i < G_N_ELEMENTS(status_redirect_outcomes); i++) {
		dump_out_str(o, "rtmpscope_redirects_total");
		label(o, true, "outcome", status_redirect_outcomes[i]);
		value_u64(o, true, c->redirects[i]);
	}
}

void
status_metrics_write(struct dump_out *o, const struct status_sources *src,
    const struct status_counts *c)
{
	session_metrics(o, src, c);
	if (src->figures != NULL)
		capture_metrics(o, src);
	if (src->backends != NULL) {
		backend_metrics(o, src);
		redirect_metrics(o, c);
	}
}
