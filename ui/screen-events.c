/*
 * The events screen: every problem of every session, newest first, with
 * its time.  Enter opens the session it happened to.
 *
 * In proxy mode the redirects the proxy recorded (session.redirects) are
 * events too, merged with the problems: KIND "redirect", warn when the
 * session was moved or sent to another backend, bad when the move failed
 * or the client was dropped.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>

#include "screens.h"

enum events_col {
	EV_TIME,
	EV_REL,
	EV_ID,
	EV_SEVERITY,
	EV_KIND,
	EV_CLIENT,
	EV_STREAM,
	EV_DETAIL,
	EV_COUNT,
};

static const struct ui_column events_cols[EV_COUNT] = {
	[EV_TIME] =	{ "TIME", 12, 12, 0, false, false },
	[EV_REL] =	{ "IN SESSION", 10, 10, 3, true, false },
	[EV_ID] =	{ "#", 3, 4, 0, true, false },
	[EV_SEVERITY] =	{ "SEV", 4, 4, 1, false, false },
	[EV_KIND] =	{ "KIND", 12, 16, 0, false, false },
	[EV_CLIENT] =	{ "CLIENT", 15, 21, 4, false, false },
	[EV_STREAM] =	{ "APP/STREAM", 10, 20, 2, false, false },
	[EV_DETAIL] =	{ "DETAIL", 10, 20, 0, false, true },
};

/* A problem (p) or a redirect (r): one of them is NULL. */
struct events_row {
	const struct session		*s;
	const struct session_problem	*p;
	const struct session_redirect	*r;
	double				 at;
	guint				 index;		/* in its array */
};

struct events_screen {
	/* The cursor's event: its session and its place in its array. */
	uint64_t	 sel_id;
	guint		 sel_index;
	bool		 sel_redirect;
	int		 cursor;
	int		 scroll;
	int		 page;
	GArray		*rows;
	GArray		*keys;		/* struct events_key, by row */
};

struct events_key {
	uint64_t	 id;
	guint		 index;
	bool		 redirect;
};

static const struct ui_key_help events_hints[] = {
	{ "Enter", "session" },
	{ "Up Down", "move" },
	{ "Esc", "back" },
	{ "space", "pause" },
	{ "?", "help" },
	{ "q", "quit" },
	{ NULL, NULL }
};

static const struct ui_key_help events_keys[] = {
	{ "Up Down j k", "move the cursor" },
	{ "PgUp PgDn Home End", "move a page, to the newest, to the oldest" },
	{ "Enter", "open the session of the event" },
	{ NULL, NULL }
};

static void *
events_create(uint64_t session)
{
	struct events_screen	*es = g_new0(struct events_screen, 1);

	es->rows = g_array_new(FALSE, FALSE, sizeof(struct events_row));
	es->keys = g_array_new(FALSE, FALSE, sizeof(struct events_key));
	return es;
}

static void
events_destroy(void *data)
{
	struct events_screen	*es = data;

	g_array_free(es->rows, TRUE);
	g_array_free(es->keys, TRUE);
	g_free(es);
}

/*
 * Newest first; ties in the order they were found, newest first too, a
 * redirect after the problem that caused it.
 */
static gint
events_cmp(gconstpointer pa, gconstpointer pb)
{
	const struct events_row	*a = pa, *b = pb;

	if (a->at != b->at)
		return a->at < b->at ? 1 : -1;
	if (a->s->id != b->s->id)
		return a->s->id < b->s->id ? 1 : -1;
	if ((a->r != NULL) != (b->r != NULL))
		return a->r != NULL ? -1 : 1;
	return a->index < b->index ? 1 : a->index > b->index ? -1 : 0;
}

/* Moved or sent elsewhere: warn; failed or dropped: bad. */
static enum health
events_redirect_health(const struct session_redirect *r)
{
	return session_redirect_succeeded(r) ? HEALTH_WARN : HEALTH_BAD;
}

static void
events_rows(struct events_screen *es, const struct ui_view *v)
{
	GPtrArray		*all = session_table_sessions(v->sessions);
	struct events_row	 r;
	struct events_key	 k;
	guint			 i, j;

	g_array_set_size(es->rows, 0);
	g_array_set_size(es->keys, 0);
	for (i = 0; i < all->len; i++) {
		r.s = g_ptr_array_index(all, i);
		if (r.s->state == SESSION_NOT_RTMP)
			continue;
		r.r = NULL;
		for (j = 0; j < r.s->problems->len; j++) {
			r.p = &g_array_index(r.s->problems,
			    struct session_problem, j);
			r.at = r.p->at;
			r.index = j;
			g_array_append_val(es->rows, r);
		}
		r.p = NULL;
		for (j = 0; r.s->redirects != NULL && j < r.s->redirects->len;
		    j++) {
			r.r = &g_array_index(r.s->redirects,
			    struct session_redirect, j);
			r.at = r.r->at;
			r.index = j;
			g_array_append_val(es->rows, r);
		}
	}
	g_array_sort(es->rows, events_cmp);
	es->cursor = -1;
	for (i = 0; i < es->rows->len; i++) {
		r = g_array_index(es->rows, struct events_row, i);
		k.id = r.s->id;
		k.index = r.index;
		k.redirect = r.r != NULL;
		g_array_append_val(es->keys, k);
		if (k.id == es->sel_id && k.index == es->sel_index &&
		    k.redirect == es->sel_redirect)
			es->cursor = (int)i;
	}
	if (es->cursor < 0) {
		es->cursor = 0;
		if (es->keys->len > 0) {
			k = g_array_index(es->keys, struct events_key, 0);
			es->sel_id = k.id;
			es->sel_index = k.index;
			es->sel_redirect = k.redirect;
		}
	}
}

/* "origin1 -> origin2 backend-close, moved, gap 640 ms: detail" */
static void
events_redirect_detail(const struct session_redirect *r, bool utf8,
    char *buf, size_t len)
{
	size_t	 n;

	snprintf(buf, len, "%s %s %s %s, %s", r->from != NULL &&
	    r->from[0] != '\0' ? r->from : "?", utf8 ? "\xe2\x86\x92" : "->",
	    r->to != NULL ? r->to : "none", r->reason != NULL ? r->reason :
	    "?", r->outcome != NULL ? r->outcome : "?");
	if (r->mode != NULL && strcmp(r->mode, "failover") != 0 &&
	    (n = strlen(buf)) < len)
		snprintf(buf + n, len - n, " (%s)", r->mode);
	if (r->media_gap_ms >= 0 && (n = strlen(buf)) < len)
		snprintf(buf + n, len - n, ", gap %.0f ms", r->media_gap_ms);
	if (r->detail != NULL && r->detail[0] != '\0' &&
	    (n = strlen(buf)) < len)
		snprintf(buf + n, len - n, ": %s", r->detail);
}

static void
events_cell(const struct events_row *r, int col, bool utf8, char *buf,
    size_t len, attr_t *attr)
{
	const struct session_stream	*st;
	const struct session_problem	*p = r->p;
	enum health			 h = p != NULL ?
	    health_of_kind(p->kind) : events_redirect_health(r->r);

	buf[0] = '\0';
	switch (col) {
	case EV_TIME:
		ui_fmt_clock(buf, len, r->at);
		break;
	case EV_REL:
		snprintf(buf, len, "%+.3fs", r->at - r->s->start);
		*attr = ui_attr(UI_DIM);
		break;
	case EV_ID:
		snprintf(buf, len, "%" G_GUINT64_FORMAT, r->s->id);
		break;
	case EV_SEVERITY:
		snprintf(buf, len, "%s", health_name(h));
		*attr = ui_health_attr(h);
		break;
	case EV_KIND:
		snprintf(buf, len, "%s", p != NULL ? p->kind : "redirect");
		*attr = ui_health_attr(h);
		break;
	case EV_CLIENT:
		snprintf(buf, len, "%s", r->s->client_name);
		break;
	case EV_STREAM:
		st = session_main_stream(r->s);
		if (r->s->app != NULL || st != NULL)
			snprintf(buf, len, "%s/%s", r->s->app != NULL ?
			    r->s->app : "?", st != NULL && st->name != NULL ?
			    st->name : "");
		break;
	case EV_DETAIL:
		if (p == NULL)
			events_redirect_detail(r->r, utf8, buf, len);
		else
			snprintf(buf, len, "%s%s", p->detail != NULL ?
			    p->detail : "", p->open ? " (ongoing)" : "");
		break;
	}
}

/* What events_row_cell needs: the rows, and whether to draw UTF-8. */
struct events_cells {
	const struct events_screen	*es;
	bool				 utf8;
};

static void
events_row_cell(void *ctx, int row, int col, char *buf, size_t len,
    attr_t *attr)
{
	const struct events_cells *c = ctx;

	events_cell(&g_array_index(c->es->rows, struct events_row, row), col,
	    c->utf8, buf, len, attr);
}

static void
events_draw(void *data, const struct ui_view *v)
{
	struct events_screen	*es = data;
	struct events_cells	 cell = { es, v->utf8 };
	struct ui_table_rows	 table;
	int			 x[EV_COUNT], w[EV_COUNT], rows;

	events_rows(es, v);
	ui_table_layout(events_cols, EV_COUNT, v->cols, x, w);
	ui_table_header(v->win, v->top, events_cols, EV_COUNT, x, w, EV_TIME,
	    true, v->utf8);
	rows = v->rows - 1;
	es->page = rows;
	es->scroll = ui_table_scroll(es->cursor, es->scroll, rows,
	    (int)es->rows->len);
	table = (struct ui_table_rows){ events_cols, EV_COUNT, x, w,
	    v->top + 1, rows, es->scroll, es->cursor, (int)es->rows->len,
	    events_row_cell, &cell };
	ui_table_rows(v->win, &table);
	if (es->rows->len == 0) {
		wattrset(v->win, ui_attr(UI_DIM));
		ui_text(v->win, v->top + 2, 2, v->cols - 4, 0, true,
		    v->backends != NULL ? "No problems or redirects so far." :
		    "No problems so far.");
	}
}

static void
events_move(struct events_screen *es, int to)
{
	struct events_key	 k;
	int			 n = (int)es->keys->len;

	if (n == 0)
		return;
	if (to >= n)
		to = n - 1;
	if (to < 0)
		to = 0;
	es->cursor = to;
	k = g_array_index(es->keys, struct events_key, to);
	es->sel_id = k.id;
	es->sel_index = k.index;
	es->sel_redirect = k.redirect;
}

static enum ui_result
events_key(void *data, const struct ui_view *v, int key,
    struct ui_open *open)
{
	struct events_screen	*es = data;
	int			 page = es->page > 1 ? es->page - 1 : 1;

	switch (key) {
	case KEY_UP:
	case 'k':
		events_move(es, es->cursor - 1);
		return UI_REDRAW;
	case KEY_DOWN:
	case 'j':
		events_move(es, es->cursor + 1);
		return UI_REDRAW;
	case KEY_PPAGE:
		events_move(es, es->cursor - page);
		return UI_REDRAW;
	case KEY_NPAGE:
		events_move(es, es->cursor + page);
		return UI_REDRAW;
	case KEY_HOME:
	case 'g':
		events_move(es, 0);
		return UI_REDRAW;
	case KEY_END:
	case 'G':
		events_move(es, (int)es->keys->len - 1);
		return UI_REDRAW;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (es->keys->len == 0)
			return UI_HANDLED;
		open->entry = &ui_screen_session_entry;
		open->session = es->sel_id;
		return UI_OPEN;
	default:
		return UI_UNHANDLED;
	}
}

const struct ui_screen_entry ui_screen_events_entry = {
	.name = "events",
	.open_key = 'e',
	.hints = events_hints,
	.keys = events_keys,
	.create = events_create,
	.destroy = events_destroy,
	.draw = events_draw,
	.key = events_key,
	.prompt = NULL,
};
