/*
 * The sessions screen: a row per RTMP session, as htop has a row per
 * process.  Any column sorts (< and >, i inverts), / filters on the text
 * of the row, the cursor follows its session (not its row number) when
 * the order changes.  In proxy mode r asks the proxy to move the
 * cursor's session to another backend.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>

#include "screens.h"

#define SESSIONS_FILTER_MAX	64
#define UI_KEY_ESC		27

enum sessions_col {
	COL_ID,
	COL_CLIENT,
	COL_SERVER,
	COL_STREAM,
	COL_ROLE,
	COL_STATE,
	COL_HEALTH,
	COL_C2S,
	COL_S2C,
	COL_FPS,
	COL_CODEC,
	COL_SIZE,
	COL_RTT,
	COL_AGE,
	COL_COUNT,
};

static const struct ui_column sessions_cols[COL_COUNT] = {
	[COL_ID] =	{ "#", 3, 4, 0, true, false },
	[COL_CLIENT] =	{ "CLIENT", 15, 21, 1, false, false },
	[COL_SERVER] =	{ "SERVER", 14, 21, 6, false, false },
	[COL_STREAM] =	{ "APP/STREAM", 10, 14, 0, false, true },
	[COL_ROLE] =	{ "ROLE", 7, 7, 2, false, false },
	[COL_STATE] =	{ "STATE", 6, 9, 5, false, false },
	[COL_HEALTH] =	{ "HEALTH", 14, 22, 0, false, true },
	[COL_C2S] =	{ "C2S b/s", 7, 7, 1, true, false },
	[COL_S2C] =	{ "S2C b/s", 7, 7, 1, true, false },
	[COL_FPS] =	{ "FPS", 4, 5, 4, true, false },
	[COL_CODEC] =	{ "CODEC", 7, 9, 7, false, false },
	[COL_SIZE] =	{ "SIZE", 9, 9, 7, true, false },
	[COL_RTT] =	{ "RTT", 6, 6, 8, true, false },
	[COL_AGE] =	{ "AGE", 6, 7, 3, true, false },
};

/* One row as drawn: the session, and figures worked out once. */
struct sessions_row {
	struct session		*s;
	const struct session_stream *st;
	const struct session_problem *problem;
	enum health		 health;
	struct ui_rates		 rates;
	double			 age;
};

struct sessions_screen {
	uint64_t	 selected;	/* session id under the cursor */
	int		 cursor;
	int		 scroll;
	int		 sort;
	bool		 reverse;
	bool		 typing;	/* reading the filter */
	char		 filter[SESSIONS_FILTER_MAX];
	GArray		*rows;		/* struct sessions_row, last draw */
	GArray		*ids;		/* uint64_t, the rows' sessions */
	int		 page;		/* rows shown, for PgUp/PgDn */
};

static const struct ui_key_help sessions_hints[] = {
	{ "Enter", "session" },
	{ "/", "filter" },
	{ "<>", "sort" },
	{ "e", "events" },
	{ "?", "help" },
	{ "q", "quit" },
	{ "space", "pause" },
	{ "i", "invert" },
	{ NULL, NULL }
};

static const struct ui_key_help sessions_redirect_hints[] = {
	{ "Enter", "session" },
	{ "r", "move" },
	{ "/", "filter" },
	{ "<>", "sort" },
	{ "e", "events" },
	{ "b", "backends" },
	{ "?", "help" },
	{ "q", "quit" },
	{ "space", "pause" },
	{ "i", "invert" },
	{ NULL, NULL }
};

static const struct ui_key_help sessions_keys[] = {
	{ "Up Down j k", "move the cursor" },
	{ "PgUp PgDn Home End", "move a page, to the first, to the last" },
	{ "Enter", "open the session under the cursor" },
	{ "/", "filter: type text found anywhere in a row" },
	{ "Esc", "clear the filter" },
	{ "< >", "sort by the column to the left, to the right" },
	{ "i", "invert the order" },
	{ "r", "proxy mode: move the cursor's session to another backend" },
	{ NULL, NULL }
};

static void *
sessions_create(uint64_t session)
{
	struct sessions_screen	*ss = g_new0(struct sessions_screen, 1);

	ss->sort = COL_ID;
	ss->rows = g_array_new(FALSE, FALSE, sizeof(struct sessions_row));
	ss->ids = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	return ss;
}

static void
sessions_destroy(void *data)
{
	struct sessions_screen	*ss = data;

	g_array_free(ss->rows, TRUE);
	g_array_free(ss->ids, TRUE);
	g_free(ss);
}

static const char *
row_stream(const struct sessions_row *r, char *buf, size_t len)
{
	const struct session	*s = r->s;

	if (s->app == NULL && r->st == NULL)
		return "";
	snprintf(buf, len, "%s/%s", s->app != NULL ? s->app : "?",
	    r->st != NULL && r->st->name != NULL ? r->st->name : "");
	return buf;
}

static const char *
row_codec(const struct session *s, char *buf, size_t len)
{
	const struct session_media *m = &s->media;

	if (m->video_codec[0] == '\0' && m->audio_codec[0] == '\0')
		return "";
	snprintf(buf, len, "%s/%s", m->video_codec[0] != '\0' ?
	    m->video_codec : "-", m->audio_codec[0] != '\0' ?
	    m->audio_codec : "-");
	return buf;
}

static const char *
row_health(const struct sessions_row *r, char *buf, size_t len)
{
	const struct session_problem	*p = r->problem;
	unsigned int			 more;

	if (p == NULL) {
		snprintf(buf, len, "%s", health_name(r->health));
		return buf;
	}
	more = r->s->problems->len - 1;
	if (more > 0)
		snprintf(buf, len, "%-4s %s +%u", health_name(r->health),
		    p->kind, more);
	else
		snprintf(buf, len, "%-4s %s", health_name(r->health),
		    p->kind);
	return buf;
}

/* The server column: a proxied session's backend, else the address. */
static const char *
row_server(const struct session *s)
{
	return s->backend != NULL ? s->backend : s->server_name;
}

/* Whether the filter text is anywhere in what the row shows. */
static bool
row_matches(const struct sessions_row *r, const char *filter)
{
	char	 buf[256], id[24];

	if (filter[0] == '\0')
		return true;
	snprintf(id, sizeof(id), "%" G_GUINT64_FORMAT, r->s->id);
	return ui_match(id, filter) ||
	    ui_match(r->s->client_name, filter) ||
	    ui_match(row_server(r->s), filter) ||
	    ui_match(row_stream(r, buf, sizeof(buf)), filter) ||
	    ui_match(r->st != NULL ? session_role_name(r->st->role) : "",
	    filter) ||
	    ui_match(ui_state_name(r->s), filter) ||
	    ui_match(row_health(r, buf, sizeof(buf)), filter) ||
	    ui_match(row_codec(r->s, buf, sizeof(buf)), filter);
}

static int
cmp_num(double a, double b)
{
	return a < b ? -1 : a > b;
}

static int
cmp_str(const char *a, const char *b)
{
	return g_strcmp0(a != NULL ? a : "", b != NULL ? b : "");
}

static gint
row_cmp(gconstpointer pa, gconstpointer pb, gpointer data)
{
	const struct sessions_row	*a = pa, *b = pb;
	const struct sessions_screen	*ss = data;
	char				 ba[256], bb[256];
	int				 c = 0;

	switch (ss->sort) {
	case COL_CLIENT:
		c = cmp_str(a->s->client_name, b->s->client_name);
		break;
	case COL_SERVER:
		c = cmp_str(row_server(a->s), row_server(b->s));
		break;
	case COL_STREAM:
		c = cmp_str(row_stream(a, ba, sizeof(ba)),
		    row_stream(b, bb, sizeof(bb)));
		break;
	case COL_ROLE:
		c = cmp_num(a->st != NULL ? a->st->role : 0,
		    b->st != NULL ? b->st->role : 0);
		break;
	case COL_STATE:
		c = cmp_str(ui_state_name(a->s), ui_state_name(b->s));
		break;
	case COL_HEALTH:
		c = cmp_num(a->health, b->health);
		if (c == 0)
			c = cmp_num(a->s->problems->len, b->s->problems->len);
		break;
	case COL_C2S:
		c = cmp_num(a->rates.kbps[DIR_C2S], b->rates.kbps[DIR_C2S]);
		break;
	case COL_S2C:
		c = cmp_num(a->rates.kbps[DIR_S2C], b->rates.kbps[DIR_S2C]);
		break;
	case COL_FPS:
		c = cmp_num(a->rates.fps, b->rates.fps);
		break;
	case COL_CODEC:
		c = cmp_str(row_codec(a->s, ba, sizeof(ba)),
		    row_codec(b->s, bb, sizeof(bb)));
		break;
	case COL_SIZE:
		c = cmp_num((double)a->s->media.width * a->s->media.height,
		    (double)b->s->media.width * b->s->media.height);
		break;
	case COL_RTT:
		c = cmp_num(a->s->rtt_ms, b->s->rtt_ms);
		break;
	case COL_AGE:
		c = cmp_num(a->age, b->age);
		break;
	default:
		break;
	}
	if (c == 0)
		c = cmp_num((double)a->s->id, (double)b->s->id);
	return ss->reverse ? -c : c;
}

/* The rows to show, filtered and sorted; the cursor kept on its session. */
static void
sessions_rows(struct sessions_screen *ss, const struct ui_view *v)
{
	GPtrArray		*all = session_table_sessions(v->sessions);
	struct sessions_row	 r;
	guint			 i;

	g_array_set_size(ss->rows, 0);
	g_array_set_size(ss->ids, 0);
	for (i = 0; i < all->len; i++) {
		memset(&r, 0, sizeof(r));
		r.s = g_ptr_array_index(all, i);
		if (r.s->state == SESSION_NOT_RTMP)
			continue;
		r.st = session_main_stream(r.s);
		r.problem = ui_main_problem(r.s);
		r.health = session_health(r.s);
		ui_history_rates(v->history, r.s, &r.rates);
		r.age = (r.s->state == SESSION_ENDED ? r.s->end :
		    v->src->now) - r.s->start;
		if (!row_matches(&r, ss->filter))
			continue;
		g_array_append_val(ss->rows, r);
	}
	g_array_sort_with_data(ss->rows, row_cmp, ss);
	ss->cursor = -1;
	for (i = 0; i < ss->rows->len; i++) {
		r = g_array_index(ss->rows, struct sessions_row, i);
		g_array_append_val(ss->ids, r.s->id);
		if (r.s->id == ss->selected)
			ss->cursor = (int)i;
	}
	if (ss->cursor < 0) {
		/* Its session filtered away or gone: the nearest row. */
		ss->cursor = 0;
		if (ss->rows->len > 0)
			ss->selected = g_array_index(ss->ids, uint64_t, 0);
	}
}

static void
sessions_cell(const struct sessions_row *r, int col, char *buf, size_t len,
    attr_t *attr)
{
	const struct session	*s = r->s;

	buf[0] = '\0';
	switch (col) {
	case COL_ID:
		snprintf(buf, len, "%" G_GUINT64_FORMAT, s->id);
		break;
	case COL_CLIENT:
		snprintf(buf, len, "%s", s->client_name);
		break;
	case COL_SERVER:
		snprintf(buf, len, "%s", row_server(s));
		break;
	case COL_STREAM:
		row_stream(r, buf, len);
		break;
	case COL_ROLE:
		snprintf(buf, len, "%s", r->st != NULL ?
		    session_role_name(r->st->role) : "");
		break;
	case COL_STATE:
		snprintf(buf, len, "%s", ui_state_name(s));
		if (s->state != SESSION_ENDED &&
		    s->state != SESSION_ACTIVE)
			*attr = ui_attr(UI_DIM);
		break;
	case COL_HEALTH:
		row_health(r, buf, len);
		*attr = ui_health_attr(r->health);
		break;
	case COL_C2S:
		ui_fmt_kbps(buf, len, r->rates.kbps[DIR_C2S]);
		*attr = ui_attr(UI_C2S);
		break;
	case COL_S2C:
		ui_fmt_kbps(buf, len, r->rates.kbps[DIR_S2C]);
		*attr = ui_attr(UI_S2C);
		break;
	case COL_FPS:
		if (r->rates.fps > 0)
			snprintf(buf, len, "%.1f", r->rates.fps);
		break;
	case COL_CODEC:
		row_codec(s, buf, len);
		break;
	case COL_SIZE:
		if (s->media.width > 0)
			snprintf(buf, len, "%ux%u", s->media.width,
			    s->media.height);
		break;
	case COL_RTT:
		if (s->rtt_ms >= 1000)
			snprintf(buf, len, "%.2fs", s->rtt_ms / 1000);
		else if (s->rtt_ms >= 0 && s->rtt_ms < 10)
			snprintf(buf, len, "%.1fms", s->rtt_ms);
		else if (s->rtt_ms >= 0)
			snprintf(buf, len, "%.0fms", s->rtt_ms);
		break;
	case COL_AGE:
		ui_fmt_age(buf, len, r->age);
		break;
	}
}

static void
sessions_row_cell(void *ctx, int row, int col, char *buf, size_t len,
    attr_t *attr)
{
	struct sessions_screen *ss = ctx;

	sessions_cell(&g_array_index(ss->rows, struct sessions_row, row), col,
	    buf, len, attr);
}

static void
sessions_draw(void *data, const struct ui_view *v)
{
	struct sessions_screen		*ss = data;
	struct ui_table_rows		 table;
	int				 x[COL_COUNT], w[COL_COUNT];
	int				 rows;
	char				 buf[512];

	sessions_rows(ss, v);
	ui_table_layout(sessions_cols, COL_COUNT, v->cols, x, w);
	ui_table_header(v->win, v->top, sessions_cols, COL_COUNT, x, w,
	    ss->sort, ss->reverse, v->utf8);
	rows = v->rows - 1;
	ss->page = rows;
	if (ss->filter[0] != '\0' && !ss->typing)
		rows--;		/* a line to say what is filtered */
	ss->scroll = ui_table_scroll(ss->cursor, ss->scroll, rows,
	    (int)ss->rows->len);

	table = (struct ui_table_rows){ sessions_cols, COL_COUNT, x, w,
	    v->top + 1, rows, ss->scroll, ss->cursor, (int)ss->rows->len,
	    sessions_row_cell, ss };
	ui_table_rows(v->win, &table);
	wattrset(v->win, ui_attr(UI_DIM));
	if (ss->rows->len == 0 && ss->filter[0] == '\0')
		ui_text(v->win, v->top + 2, 2, v->cols - 4, 0, true,
		    v->src->done ? "No RTMP session in this capture." :
		    "No RTMP session yet.");
	else if (ss->rows->len == 0) {
		snprintf(buf, sizeof(buf), "No session matches \"%s\".",
		    ss->filter);
		ui_text(v->win, v->top + 2, 2, v->cols - 4, 0, true, buf);
	}
	if (ss->filter[0] != '\0' && !ss->typing) {
		snprintf(buf, sizeof(buf), "filter \"%s\": %u shown; Esc "
		    "clears it", ss->filter, ss->rows->len);
		wattrset(v->win, ui_attr(UI_PROMPT));
		ui_text(v->win, v->top + v->rows - 1, 0, v->cols, 0, true,
		    buf);
	}
}

static void
sessions_move(struct sessions_screen *ss, int to)
{
	int	 n = (int)ss->ids->len;

	if (n == 0)
		return;
	if (to >= n)
		to = n - 1;
	if (to < 0)
		to = 0;
	ss->cursor = to;
	ss->selected = g_array_index(ss->ids, uint64_t, to);
}

/* Keys while the filter is being typed: it applies as it is typed. */
static enum ui_result
sessions_filter_key(struct sessions_screen *ss, int key)
{
	size_t	 len = strlen(ss->filter);

	switch (key) {
	case '\n':
	case '\r':
	case KEY_ENTER:
		ss->typing = false;
		return UI_REDRAW;
	case UI_KEY_ESC:
		ss->typing = false;
		ss->filter[0] = '\0';
		return UI_REDRAW;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (len > 0)
			ss->filter[len - 1] = '\0';
		return UI_REDRAW;
	default:
		if (key >= 0x20 && key < 0x7f &&
		    len + 1 < sizeof(ss->filter)) {
			ss->filter[len] = (char)key;
			ss->filter[len + 1] = '\0';
			return UI_REDRAW;
		}
		/* Cursor keys still move while typing. */
		return UI_HANDLED;
	}
}

static enum ui_result
sessions_key(void *data, const struct ui_view *v, int key,
    struct ui_open *open)
{
	struct sessions_screen	*ss = data;

	if (ss->typing && key != KEY_UP && key != KEY_DOWN)
		return sessions_filter_key(ss, key);
	switch (key) {
	case KEY_UP:
	case 'k':
		sessions_move(ss, ss->cursor - 1);
		return UI_REDRAW;
	case KEY_DOWN:
	case 'j':
		sessions_move(ss, ss->cursor + 1);
		return UI_REDRAW;
	case KEY_PPAGE:
		sessions_move(ss, ss->cursor - (ss->page > 1 ? ss->page - 1 :
		    1));
		return UI_REDRAW;
	case KEY_NPAGE:
		sessions_move(ss, ss->cursor + (ss->page > 1 ? ss->page - 1 :
		    1));
		return UI_REDRAW;
	case KEY_HOME:
	case 'g':
		sessions_move(ss, 0);
		return UI_REDRAW;
	case KEY_END:
	case 'G':
		sessions_move(ss, (int)ss->ids->len - 1);
		return UI_REDRAW;
	case '<':
	case ',':
		ss->sort = (ss->sort + COL_COUNT - 1) % COL_COUNT;
		return UI_REDRAW;
	case '>':
	case '.':
		ss->sort = (ss->sort + 1) % COL_COUNT;
		return UI_REDRAW;
	case 'i':
	case 'I':
		ss->reverse = !ss->reverse;
		return UI_REDRAW;
	case '/':
		ss->typing = true;
		return UI_REDRAW;
	case UI_KEY_ESC:
		if (ss->filter[0] == '\0')
			return UI_UNHANDLED;
		ss->filter[0] = '\0';
		return UI_REDRAW;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (ss->ids->len == 0)
			return UI_HANDLED;
		open->entry = &ui_screen_session_entry;
		open->session = ss->selected;
		return UI_OPEN;
	case 'r':
		if (!v->redirect)
			return UI_UNHANDLED;
		if (ss->ids->len == 0)
			return UI_HANDLED;
		open->session = ss->selected;
		return UI_REDIRECT;
	default:
		return UI_UNHANDLED;
	}
}

static const char *
sessions_prompt(void *data)
{
	struct sessions_screen	*ss = data;

	return ss->typing ? ss->filter : NULL;
}

const struct ui_screen_entry ui_screen_sessions_entry = {
	.name = "sessions",
	.open_key = 0,
	.hints = sessions_hints,
	.redirect_hints = sessions_redirect_hints,
	.keys = sessions_keys,
	.create = sessions_create,
	.destroy = sessions_destroy,
	.draw = sessions_draw,
	.key = sessions_key,
	.prompt = sessions_prompt,
};
