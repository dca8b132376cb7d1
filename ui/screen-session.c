/*
 * The session screen: everything the model knows about one session.
 *
 *	title: number, client -> server, app/stream, role, state, health
 *	facts: app, tcUrl, codecs, counters ... in as many columns as fit
 *	sparklines: media bitrate (the model's one-second windows) and fps
 *	problems
 *	proxy mode: the redirects (r asks the proxy to move the session)
 *	the message log (--dump=text lines), newest at the bottom
 *	the ladder diagram of the control exchange (ladder.c)
 *
 * Tab moves the focus between the log and the ladder; the focused pane
 * scrolls, z gives it the whole screen.  The log follows the newest line
 * until it is scrolled or paused (p): it is then a copy taken at that
 * moment, which new messages do not move; End (or f) follows again.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ladder.h"
#include "screens.h"

#define SESSION_PROBLEMS_SHOWN	4	/* problem lines before "more" */
#define SESSION_REDIRECTS_SHOWN	3	/* the same for redirects */
#define SESSION_HSCROLL		8	/* columns per Left/Right */
#define SESSION_FACT_KEY	9	/* columns of a fact's name */
#define UI_KEY_TAB		9

enum session_pane {
	PANE_LOG,
	PANE_LADDER,
};

struct session_screen {
	uint64_t		 id;
	enum session_pane	 focus;
	bool			 zoom;
	/* The log: following (snapshot NULL), or a copy being read. */
	GPtrArray		*snapshot;
	int			 log_top;	/* first line when paused */
	int			 log_skip;	/* columns scrolled right */
	int			 log_rows;	/* shown at the last draw */
	/* The ladder, drawn again at each redraw. */
	GPtrArray		*ladder;	/* char *, one line each */
	int			 ladder_top;
	int			 ladder_rows;
	GString			*fact;
};

static const struct ui_key_help session_hints[] = {
	{ "Tab", "log/ladder" },
	{ "Up Down", "scroll" },
	{ "Esc", "back" },
	{ "?", "help" },
	{ "q", "quit" },
	{ "p", "pause log" },
	{ "End", "follow" },
	{ "z", "zoom" },
	{ "e", "events" },
	{ NULL, NULL }
};

static const struct ui_key_help session_redirect_hints[] = {
	{ "Tab", "log/ladder" },
	{ "Up Down", "scroll" },
	{ "Esc", "back" },
	{ "r", "move" },
	{ "?", "help" },
	{ "q", "quit" },
	{ "p", "pause log" },
	{ "End", "follow" },
	{ "z", "zoom" },
	{ "e", "events" },
	{ NULL, NULL }
};

static const struct ui_key_help session_keys[] = {
	{ "Tab", "focus the log or the ladder" },
	{ "Up Down j k", "scroll the focused pane a line" },
	{ "PgUp PgDn", "scroll it a page" },
	{ "Home g", "to the first line" },
	{ "End G f", "to the last line; the log follows again" },
	{ "p", "pause the log (new messages wait) or follow again" },
	{ "Left Right h l", "scroll the log sideways" },
	{ "z", "zoom: the focused pane takes the whole screen" },
	{ "r", "proxy mode: move the session to another backend" },
	{ NULL, NULL }
};

static void *
session_create(uint64_t id)
{
	struct session_screen	*ss = g_new0(struct session_screen, 1);

	ss->id = id;
	ss->ladder = g_ptr_array_new_with_free_func(g_free);
	ss->fact = g_string_new(NULL);
	return ss;
}

static void
session_unpause(struct session_screen *ss)
{
	if (ss->snapshot != NULL)
		g_ptr_array_free(ss->snapshot, TRUE);
	ss->snapshot = NULL;
}

static void
session_destroy(void *data)
{
	struct session_screen	*ss = data;

	session_unpause(ss);
	g_ptr_array_free(ss->ladder, TRUE);
	g_string_free(ss->fact, TRUE);
	g_free(ss);
}

/* The log as it is now, kept still for reading. */
static void
session_pause(struct session_screen *ss, const struct session *s)
{
	GList	*l;

	if (ss->snapshot != NULL)
		return;
	ss->snapshot = g_ptr_array_new_with_free_func(g_free);
	for (l = s->log != NULL ? s->log->head : NULL; l != NULL; l = l->next)
		g_ptr_array_add(ss->snapshot, g_strdup(l->data));
	ss->log_top = (int)ss->snapshot->len - ss->log_rows;
	if (ss->log_top < 0)
		ss->log_top = 0;
}

/* A fact of the session: its name and its value, in a grid cell. */
struct session_grid {
	WINDOW	*win;
	int	 top;
	int	 rows;		/* room */
	int	 ncols;
	int	 colw;
	int	 n;		/* facts placed */
};

static void
grid_add(struct session_grid *g, const char *key, const char *value)
{
	int	 row, col, x;

	if (value == NULL || *value == '\0')
		return;
	row = g->n / g->ncols;
	col = g->n % g->ncols;
	g->n++;
	if (row >= g->rows)
		return;
	x = 1 + col * g->colw;
	wattrset(g->win, ui_attr(UI_DIM));
	ui_text(g->win, g->top + row, x, SESSION_FACT_KEY, 0, true, key);
	wattrset(g->win, ui_attr(UI_NORMAL));
	ui_text(g->win, g->top + row, x + SESSION_FACT_KEY + 1,
	    g->colw - SESSION_FACT_KEY - 3, 0, true, value);
}

static void
grid_addf(struct session_grid *g, GString *buf, const char *key,
    const char *fmt, ...) G_GNUC_PRINTF(4, 5);

static void
grid_addf(struct session_grid *g, GString *buf, const char *key,
    const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	g_string_vprintf(buf, fmt, ap);
	va_end(ap);
	grid_add(g, key, buf->str);
}

/* Every fact worth a cell; with rows == 0 it only counts them. */
static int
session_facts(struct session_screen *ss, const struct session *s,
    const struct ui_view *v, int top, int rows, int ncols)
{
	const struct session_media	*m = &s->media;
	const struct session_stream	*st;
	struct session_grid		 g;
	struct ui_rates			 r;
	GString				*b = ss->fact;
	char				 t1[32], t2[32];
	guint				 i, n;

	memset(&g, 0, sizeof(g));
	g.win = v->win;
	g.top = top;
	g.rows = rows;
	g.ncols = ncols;
	g.colw = (v->cols - 1) / ncols;
	ui_history_rates(v->history, s, &r);

	n = s->redirects != NULL ? s->redirects->len : 0;
	if (v->backends != NULL && n > 0)
		grid_addf(&g, b, "backend", "%s, %u redirect%s",
		    s->backend != NULL ? s->backend : "none", n,
		    n == 1 ? "" : "s");
	else if (v->backends != NULL)
		grid_add(&g, "backend", s->backend != NULL ? s->backend :
		    "none yet");
	grid_add(&g, "app", s->app);
	grid_add(&g, "tcUrl", s->tc_url);
	grid_add(&g, "flashVer", s->flash_ver);
	for (i = 0; i < s->streams->len; i++) {
		st = g_ptr_array_index(s->streams, i);
		grid_addf(&g, b, "stream", "%s (%s%s%s, msid %u%s)",
		    st->name != NULL ? st->name : "?",
		    session_role_name(st->role),
		    st->publish_type != NULL ? " " : "",
		    st->publish_type != NULL ? st->publish_type : "",
		    st->msid, st->closed ? ", closed" : "");
	}
	ui_fmt_clock(t1, sizeof(t1), s->start);
	ui_fmt_age(t2, sizeof(t2), (s->state == SESSION_ENDED ? s->end :
	    v->src->now) - s->start);
	grid_addf(&g, b, "started", "%s, %s %s%s", t1,
	    s->state == SESSION_ENDED ? "lasted" : "age", t2,
	    s->joined ? " (joined mid-way)" : "");
	grid_addf(&g, b, "state", "%s", ui_state_name(s));
	if (m->video_codec[0] != '\0')
		grid_addf(&g, b, "video", "%s %s%s%s %ux%u", m->video_codec,
		    m->video_profile, m->video_level[0] != '\0' ? "@" : "",
		    m->video_level, m->width, m->height);
	if (m->audio_codec[0] != '\0')
		grid_addf(&g, b, "audio", "%s %u Hz %u ch", m->audio_codec,
		    m->audio_rate, m->audio_channels);
	if (m->video_frames > 0)
		grid_addf(&g, b, "frames", "video %" G_GUINT64_FORMAT " (%"
		    G_GUINT64_FORMAT " key), audio %" G_GUINT64_FORMAT,
		    m->video_frames, m->keyframes, m->audio_frames);
	else if (m->audio_frames > 0)
		grid_addf(&g, b, "frames", "audio %" G_GUINT64_FORMAT,
		    m->audio_frames);
	if (r.fps > 0 || session_gop_ms(s) > 0)
		grid_addf(&g, b, "fps/GOP", "%.1f fps, GOP %.0f ms", r.fps,
		    session_gop_ms(s));
	if (m->bytes > 0) {
		ui_fmt_kbps(t1, sizeof(t1), session_kbps(s));
		grid_addf(&g, b, "media", "%sb/s average", t1);
	}
	ui_fmt_bytes(t1, sizeof(t1), s->dirs[DIR_C2S].bytes);
	ui_fmt_bytes(t2, sizeof(t2), s->dirs[DIR_S2C].bytes);
	grid_addf(&g, b, "bytes", "c2s %s, s2c %s", t1, t2);
	ui_fmt_kbps(t1, sizeof(t1), r.kbps[DIR_C2S]);
	ui_fmt_kbps(t2, sizeof(t2), r.kbps[DIR_S2C]);
	grid_addf(&g, b, "bitrate", "c2s %sb/s, s2c %sb/s", t1, t2);
	grid_addf(&g, b, "messages", "c2s %" G_GUINT64_FORMAT ", s2c %"
	    G_GUINT64_FORMAT, s->dirs[DIR_C2S].messages,
	    s->dirs[DIR_S2C].messages);
	/* Until a side sets it, the chunk size is RTMP's 128. */
	grid_addf(&g, b, "chunk", "c2s %u, s2c %u bytes",
	    s->chunk_size[DIR_C2S] != 0 ? s->chunk_size[DIR_C2S] : 128,
	    s->chunk_size[DIR_S2C] != 0 ? s->chunk_size[DIR_S2C] : 128);
	if (s->window[0] != 0 || s->window[1] != 0)
		grid_addf(&g, b, "ack win", "c2s %u, s2c %u", s->window[0],
		    s->window[1]);
	if (s->peer_bandwidth[0] != 0 || s->peer_bandwidth[1] != 0)
		grid_addf(&g, b, "peer bw", "c2s %u, s2c %u",
		    s->peer_bandwidth[0], s->peer_bandwidth[1]);
	if (s->rtt_ms >= 0)
		grid_addf(&g, b, "rtt", "%.1f ms (ping)", s->rtt_ms);
	if (m->have_audio_ts[0] || m->have_audio_ts[1])
		grid_addf(&g, b, "a/v drift", "%" G_GINT64_FORMAT " ms",
		    m->drift_ms);
	if (s->malformed + s->gaps + s->resyncs + s->limit_hits > 0)
		grid_addf(&g, b, "damage", "malformed %" G_GUINT64_FORMAT
		    ", gaps %" G_GUINT64_FORMAT ", resyncs %" G_GUINT64_FORMAT
		    ", limits %" G_GUINT64_FORMAT, s->malformed, s->gaps,
		    s->resyncs, s->limit_hits);
	if (s->has_object_encoding || s->has_caps_ex)
		grid_addf(&g, b, "encoding", "objectEncoding %g, capsEx %g",
		    s->object_encoding, s->caps_ex);
	grid_add(&g, "fourCc", s->fourcc_list);
	grid_add(&g, "swfUrl", s->swf_url);
	grid_add(&g, "pageUrl", s->page_url);
	if (s->status_codes->len > 0) {
		g_string_truncate(b, 0);
		for (i = 0; i < s->status_codes->len; i++)
			g_string_append_printf(b, "%s%s", i > 0 ? ", " : "",
			    (const char *)g_ptr_array_index(s->status_codes,
			    i));
		grid_add(&g, "status", b->str);
	}
	return (g.n + ncols - 1) / ncols;
}

static void
session_title(const struct session *s, const struct ui_view *v, int y)
{
	const struct session_stream	*st = session_main_stream(s);
	const struct session_problem	*p = ui_main_problem(s);
	enum health			 h = session_health(s);
	char				 buf[512];
	int				 x = 1;

	snprintf(buf, sizeof(buf), "Session %" G_GUINT64_FORMAT "  %s %s %s"
	    "  %s/%s  %s  %s  ", s->id, s->client_name, v->utf8 ?
	    "\xe2\x86\x92" : "->", s->backend != NULL ? s->backend :
	    s->server_name,
	    s->app != NULL ? s->app : "?", st != NULL && st->name != NULL ?
	    st->name : "", st != NULL ? session_role_name(st->role) : "",
	    ui_state_name(s));
	wattrset(v->win, ui_attr(UI_NORMAL) | A_BOLD);
	x += ui_text(v->win, y, x, v->cols - x, 0, true, buf);
	wattrset(v->win, ui_health_attr(h) | A_BOLD);
	x += ui_text(v->win, y, x, v->cols - x, 0, true, health_name(h));
	if (p != NULL) {
		snprintf(buf, sizeof(buf), "  %s: %s", p->kind,
		    p->detail != NULL ? p->detail : "");
		ui_text(v->win, y, x, v->cols - x, 0, true, buf);
	}
}

/* "N earlier problems: e lists them all", when some were left out. */
static int
earlier_line(const struct ui_view *v, int y, int left, const char *what)
{
	char	buf[96];

	if (left <= 0)
		return 0;
	snprintf(buf, sizeof(buf), "%d earlier %s%s: e lists them all", left,
	    what, left == 1 ? "" : "s");
	wattrset(v->win, ui_attr(UI_DIM));
	ui_text(v->win, y, 1, v->cols - 2, 0, true, buf);
	return 1;
}

/*
 * Bitrate from the model's one-second windows; fps as the dashboard
 * sampled it (the model keeps no frame count per window).
 */
static void
session_sparks(const struct session *s, const struct ui_view *v, int y,
    int nrows)
{
	const struct session_media	*m = &s->media;
	struct ui_rates			 r;
	double				 vals[SESSION_KBPS_WINDOWS], max;
	unsigned int			 n, first, i;
	char				 buf[96], k1[16], k2[16];
	int				 label = 32, x = 1 + 10 + label;
	int				 width = v->cols - x - 1;

	n = m->nkbps < SESSION_KBPS_WINDOWS ? m->nkbps : SESSION_KBPS_WINDOWS;
	first = m->nkbps - n;
	for (i = 0; i < n; i++)
		vals[i] = m->kbps[(first + i) % SESSION_KBPS_WINDOWS];
	if (width > (int)n)
		width = (int)n;
	wattrset(v->win, ui_attr(UI_DIM));
	ui_text(v->win, y, 1, 10, 0, false, "media b/s");
	wattrset(v->win, ui_attr(UI_SPARK));
	max = ui_sparkline(v->win, y, x, width, v->utf8, vals, n, 0);
	ui_fmt_kbps(k1, sizeof(k1), n > 0 ? vals[n - 1] : 0);
	ui_fmt_kbps(k2, sizeof(k2), max);
	if (n == 0)
		snprintf(buf, sizeof(buf), "no second of media yet");
	else
		snprintf(buf, sizeof(buf), "%3us: last %s, max %s",
		    (unsigned int)width, k1, k2);
	wattrset(v->win, ui_attr(UI_NORMAL));
	ui_text(v->win, y, 11, label, 0, true, buf);
	if (nrows < 2)
		return;

	ui_history_rates(v->history, s, &r);
	width = v->cols - x - 1;
	if (width > (int)r.nfps)
		width = (int)r.nfps;
	for (i = 0; i < r.nfps; i++)
		vals[i] = r.fps_history[i];
	wattrset(v->win, ui_attr(UI_DIM));
	ui_text(v->win, y + 1, 1, 10, 0, false, "video fps");
	wattrset(v->win, ui_attr(UI_SPARK));
	max = ui_sparkline(v->win, y + 1, x, width, v->utf8, vals, r.nfps,
	    0);
	wattrset(v->win, ui_attr(UI_NORMAL));
	if (r.nfps == 0) {
		snprintf(buf, sizeof(buf), "%.1f (average)", r.fps);
		ui_text(v->win, y + 1, 11, label, 0, true, buf);
		wattrset(v->win, ui_attr(UI_DIM));
		ui_text(v->win, y + 1, x, v->cols - x - 1, 0, true,
		    v->src->live ? "per second once the dashboard has "
		    "sampled it twice" : "per second only while watching: "
		    "this file was read before it could be sampled (try "
		    "--replay=realtime)");
		return;
	}
	snprintf(buf, sizeof(buf), "%3us: now %.1f, max %.1f",
	    (unsigned int)width, r.fps, max);
	ui_text(v->win, y + 1, 11, label, 0, true, buf);
}

static int
session_problems(const struct session *s, const struct ui_view *v, int y,
    int room)
{
	const struct session_problem	*p;
	char				 buf[512], at[32];
	int				 n = (int)s->problems->len, i, shown;
	int				 first;

	if (room <= 0)
		return 0;
	wattrset(v->win, ui_attr(UI_DIM));
	if (n == 0) {
		ui_text(v->win, y, 1, v->cols - 2, 0, true, "no problems");
		return 1;
	}
	shown = n < room ? n : room;
	if (shown < n && shown > 1)
		shown--;	/* a line for what is left out */
	first = n - shown;	/* the latest */
	for (i = 0; i < shown; i++) {
		p = &g_array_index(s->problems, struct session_problem,
		    first + i);
		ui_fmt_clock(at, sizeof(at), p->at);
		snprintf(buf, sizeof(buf), "%s %+8.3fs  %-4s %-16s %s%s%s",
		    at, p->at - s->start, health_name(health_of_kind(p->kind)),
		    p->kind, p->detail != NULL ? p->detail : "",
		    p->duration_ms > 0 ? "" : "", p->open ? " (ongoing)" : "");
		wattrset(v->win, ui_health_attr(health_of_kind(p->kind)));
		ui_text(v->win, y + i, 1, v->cols - 2, 0, true, buf);
	}
	return shown + earlier_line(v, y + shown, n - shown, "problem");
}

/* The lines of session_redirects, or of the one line saying none. */
static int
session_redirect_lines(const struct session *s)
{
	return s->redirects != NULL && s->redirects->len > 0 ?
	    (int)s->redirects->len : 1;
}

/*
 * Proxy mode: the session's redirects, the latest room of them.  Moved
 * or sent elsewhere shows as warn, failed or dropped as bad, as on the
 * events screen.
 */
static int
session_redirects(const struct session *s, const struct ui_view *v, int y,
    int room)
{
	const struct session_redirect	*r;
	char				 buf[512], at[32], gap[32], sw[32];
	int				 n, i, shown, first;

	if (room <= 0)
		return 0;
	n = s->redirects != NULL ? (int)s->redirects->len : 0;
	if (n == 0) {
		wattrset(v->win, ui_attr(UI_DIM));
		ui_text(v->win, y, 1, v->cols - 2, 0, true, v->redirect ?
		    "no redirects (r moves the session to another backend)" :
		    "no redirects");
		return 1;
	}
	shown = n < room ? n : room;
	if (shown < n && shown > 1)
		shown--;	/* a line for what is left out */
	first = n - shown;	/* the latest */
	for (i = 0; i < shown; i++) {
		r = &g_array_index(s->redirects, struct session_redirect,
		    first + i);
		ui_fmt_clock(at, sizeof(at), r->at);
		gap[0] = sw[0] = '\0';
		if (r->media_gap_ms >= 0)
			snprintf(gap, sizeof(gap), ", gap %.0f ms",
			    r->media_gap_ms);
		if (r->switch_ms >= 0)
			snprintf(sw, sizeof(sw), ", switch %.0f ms",
			    r->switch_ms);
		snprintf(buf, sizeof(buf), "%s %+8.3fs  redirect %s %s %s  "
		    "%s, %s, %s%s%s%s%s", at, r->at - s->start,
		    r->from != NULL && r->from[0] != '\0' ? r->from : "?",
		    v->utf8 ? "\xe2\x86\x92" : "->",
		    r->to != NULL ? r->to : "none",
		    r->reason != NULL ? r->reason : "?",
		    r->mode != NULL ? r->mode : "?",
		    r->outcome != NULL ? r->outcome : "?", gap, sw,
		    r->detail != NULL && r->detail[0] != '\0' ? ": " : "",
		    r->detail != NULL ? r->detail : "");
		wattrset(v->win, ui_attr(session_redirect_succeeded(r) ?
		    UI_WARN : UI_BAD));
		ui_text(v->win, y + i, 1, v->cols - 2, 0, true, buf);
	}
	return shown + earlier_line(v, y + shown, n - shown, "redirect");
}

static void
pane_title(const struct ui_view *v, int y, bool focused, const char *text)
{
	attr_t	 a = focused ? ui_attr(UI_HEADER) : ui_attr(UI_TITLE);

	ui_fill(v->win, y, 0, v->cols, a);
	wattrset(v->win, a);
	ui_text(v->win, y, 1, v->cols - 2, 0, true, text);
}

static attr_t
log_attr(const char *line)
{
	if (strstr(line, " ! ") != NULL)
		return ui_attr(UI_BAD);
	if (strstr(line, " s2c ") != NULL)
		return ui_attr(UI_S2C);
	return ui_attr(UI_NORMAL);
}

static void
session_log(struct session_screen *ss, const struct session *s,
    const struct ui_view *v, int y, int rows)
{
	char	 title[160];
	GList	*l;
	int	 total, i, first;

	ss->log_rows = rows - 1;
	total = ss->snapshot != NULL ? (int)ss->snapshot->len :
	    (s->log != NULL ? (int)s->log->length : 0);
	if (ss->snapshot != NULL) {
		if (ss->log_top > total - ss->log_rows)
			ss->log_top = total - ss->log_rows;
		if (ss->log_top < 0)
			ss->log_top = 0;
		snprintf(title, sizeof(title), "Log: PAUSED at %d lines, "
		    "lines %d-%d (End follows)", total, ss->log_top + 1,
		    MIN(total, ss->log_top + ss->log_rows));
	} else
		snprintf(title, sizeof(title), "Log: %d latest messages, "
		    "following%s", total, total >= SESSION_LOG_MAX ?
		    " (older ones are not kept)" : "");
	if (ss->log_skip > 0)
		snprintf(title + strlen(title), sizeof(title) - strlen(title),
		    ", from column %d", ss->log_skip + 1);
	pane_title(v, y, ss->focus == PANE_LOG, title);
	y++;
	if (total == 0) {
		wattrset(v->win, ui_attr(UI_DIM));
		ui_text(v->win, y, 1, v->cols - 2, 0, true,
		    "no messages yet");
		return;
	}
	if (ss->snapshot != NULL) {
		for (i = 0; i < ss->log_rows && ss->log_top + i < total; i++) {
			const char *line = g_ptr_array_index(ss->snapshot,
			    ss->log_top + i);

			wattrset(v->win, log_attr(line));
			ui_text(v->win, y + i, 0, v->cols, ss->log_skip, true,
			    line);
		}
		return;
	}
	/* Following: the newest at the bottom. */
	first = total > ss->log_rows ? ss->log_rows : total;
	l = s->log->tail;
	for (i = first - 1; i >= 0 && l != NULL; i--, l = l->prev) {
		wattrset(v->win, log_attr(l->data));
		ui_text(v->win, y + i, 0, v->cols, ss->log_skip, true,
		    l->data);
	}
}

/* The ladder, printed by ladder.c into memory and cut into lines. */
static void
session_ladder_lines(struct session_screen *ss, const struct session *s,
    int width)
{
	char	*text = NULL, *p, *nl;
	size_t	 len = 0;
	FILE	*f;

	g_ptr_array_set_size(ss->ladder, 0);
	if ((f = open_memstream(&text, &len)) == NULL)
		return;
	ladder_print(f, s, width);
	fclose(f);
	for (p = text; p != NULL && *p != '\0'; p = nl) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		g_ptr_array_add(ss->ladder, g_strdup(p));
	}
	free(text);
}

static void
session_ladder(struct session_screen *ss, const struct session *s,
    const struct ui_view *v, int y, int rows)
{
	char	 title[128];
	int	 total, i;

	session_ladder_lines(ss, s, MAX(v->cols - 1, LADDER_MIN_WIDTH));
	total = (int)ss->ladder->len;
	ss->ladder_rows = rows - 1;
	if (ss->ladder_top > total - ss->ladder_rows)
		ss->ladder_top = total - ss->ladder_rows;
	if (ss->ladder_top < 0)
		ss->ladder_top = 0;
	snprintf(title, sizeof(title), "Ladder: %u entries%s, lines %d-%d "
	    "of %d", s->ladder->len, s->ladder_dropped > 0 ? " (some not "
	    "kept)" : "", total == 0 ? 0 : ss->ladder_top + 1,
	    MIN(total, ss->ladder_top + ss->ladder_rows), total);
	pane_title(v, y, ss->focus == PANE_LADDER, title);
	y++;
	for (i = 0; i < ss->ladder_rows && ss->ladder_top + i < total; i++) {
		const char *line = g_ptr_array_index(ss->ladder,
		    ss->ladder_top + i);

		wattrset(v->win, strstr(line, "!!") != NULL ?
		    ui_attr(UI_BAD) : strstr(line, "<-") != NULL ?
		    ui_attr(UI_S2C) : ui_attr(UI_NORMAL));
		ui_text(v->win, y + i, 0, v->cols, 0, true, line);
	}
}

static void
session_draw(void *data, const struct ui_view *v)
{
	struct session_screen	*ss = data;
	const struct session	*s = ui_find_session(v->sessions, ss->id);
	char			 buf[96];
	int			 y = v->top, end = v->top + v->rows;
	int			 ncols, nfacts, room, panes, half;

	if (s == NULL) {
		snprintf(buf, sizeof(buf), "Session %" G_GUINT64_FORMAT
		    " is gone: not RTMP, or ended and forgotten "
		    "(max_ended_sessions).", ss->id);
		wattrset(v->win, ui_attr(UI_DIM));
		ui_text(v->win, y + 1, 2, v->cols - 4, 0, true, buf);
		return;
	}
	if (!ss->zoom) {
		session_title(s, v, y++);
		ncols = v->cols >= 150 ? 3 : v->cols >= 76 ? 2 : 1;
		nfacts = session_facts(ss, s, v, y, 0, ncols);
		/* The facts get at most a third of the screen. */
		room = v->rows / 3;
		if (nfacts > room)
			nfacts = room;
		session_facts(ss, s, v, y, nfacts, ncols);
		y += nfacts;
		if (v->rows >= 18) {
			session_sparks(s, v, y, 2);
			y += 2;
		} else if (v->rows >= 14)
			session_sparks(s, v, y++, 1);
		room = (end - y) / 5;
		if (room > SESSION_PROBLEMS_SHOWN)
			room = SESSION_PROBLEMS_SHOWN;
		if (room < 1)
			room = 1;
		y += session_problems(s, v, y, room);
		if (v->backends != NULL) {
			room = MIN(session_redirect_lines(s),
			    SESSION_REDIRECTS_SHOWN);
			if (room > (end - y) / 6)
				room = MAX((end - y) / 6, 1);
			y += session_redirects(s, v, y, room);
		}
	}
	room = end - y;
	/* Both panes when each gets a few lines; else the focused one. */
	panes = !ss->zoom && room >= 16 ? 2 : 1;
	if (panes == 2) {
		half = room / 2;
		session_log(ss, s, v, y, half);
		session_ladder(ss, s, v, y + half, room - half);
	} else if (ss->focus == PANE_LOG)
		session_log(ss, s, v, y, room);
	else
		session_ladder(ss, s, v, y, room);
}

static void
session_scroll(struct session_screen *ss, const struct session *s, int by)
{
	if (ss->focus == PANE_LADDER) {
		ss->ladder_top += by;
		if (ss->ladder_top < 0)
			ss->ladder_top = 0;
		return;
	}
	if (ss->snapshot == NULL) {
		if (by >= 0)
			return;		/* already at the newest */
		session_pause(ss, s);
	}
	ss->log_top += by;
	if (ss->log_top < 0)
		ss->log_top = 0;
}

static enum ui_result
session_key(void *data, const struct ui_view *v, int key,
    struct ui_open *open)
{
	struct session_screen	*ss = data;
	const struct session	*s = ui_find_session(v->sessions, ss->id);
	int			 page;

	if (s == NULL)
		return UI_UNHANDLED;
	page = ss->focus == PANE_LOG ? ss->log_rows : ss->ladder_rows;
	if (page > 2)
		page--;
	if (page < 1)
		page = 1;
	switch (key) {
	case UI_KEY_TAB:
	case KEY_BTAB:
		ss->focus = ss->focus == PANE_LOG ? PANE_LADDER : PANE_LOG;
		return UI_REDRAW;
	case 'z':
	case 'Z':
		ss->zoom = !ss->zoom;
		return UI_REDRAW;
	case KEY_UP:
	case 'k':
		session_scroll(ss, s, -1);
		return UI_REDRAW;
	case KEY_DOWN:
	case 'j':
		session_scroll(ss, s, 1);
		return UI_REDRAW;
	case KEY_PPAGE:
		session_scroll(ss, s, -page);
		return UI_REDRAW;
	case KEY_NPAGE:
		session_scroll(ss, s, page);
		return UI_REDRAW;
	case KEY_HOME:
	case 'g':
		session_scroll(ss, s, -(1 << 20));
		return UI_REDRAW;
	case KEY_END:
	case 'G':
	case 'f':
		if (ss->focus == PANE_LOG)
			session_unpause(ss);
		else
			ss->ladder_top = 1 << 20;
		return UI_REDRAW;
	case 'p':
	case 'P':
		if (ss->snapshot != NULL)
			session_unpause(ss);
		else
			session_pause(ss, s);
		return UI_REDRAW;
	case KEY_LEFT:
	case 'h':
		ss->log_skip -= SESSION_HSCROLL;
		if (ss->log_skip < 0)
			ss->log_skip = 0;
		return UI_REDRAW;
	case KEY_RIGHT:
	case 'l':
		ss->log_skip += SESSION_HSCROLL;
		return UI_REDRAW;
	case 'r':
		if (!v->redirect)
			return UI_UNHANDLED;
		open->session = ss->id;
		return UI_REDIRECT;
	default:
		return UI_UNHANDLED;
	}
}

const struct ui_screen_entry ui_screen_session_entry = {
	.name = "session",
	.open_key = 0,
	.hints = session_hints,
	.redirect_hints = session_redirect_hints,
	.keys = session_keys,
	.create = session_create,
	.destroy = session_destroy,
	.draw = session_draw,
	.key = session_key,
	.prompt = NULL,
};
