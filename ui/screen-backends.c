/*
 * The backends screen (proxy mode): a row per backend of the pool, in
 * priority order, draining ones included: its state, what its checks say
 * and how far it is from rising or falling, the sessions relayed to it,
 * the bytes both ways, how long it has been in its state and the last
 * error.  Outside proxy mode there is no pool and the screen says so.
 *
 * It reads the pool (backends.h) and never changes it.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>

#include "backends.h"
#include "screens.h"

enum backends_col {
	BC_NAME,
	BC_ADDRESS,
	BC_STATE,
	BC_CHECK,
	BC_CHECKS,
	BC_RUN,
	BC_SESSIONS,
	BC_TO,
	BC_FROM,
	BC_SINCE,
	BC_ERROR,
	BC_COUNT,
};

static const struct ui_column backends_cols[BC_COUNT] = {
	[BC_NAME] =	{ "NAME", 15, 21, 0, false, false },
	[BC_ADDRESS] =	{ "ADDRESS", 15, 21, 6, false, false },
	[BC_STATE] =	{ "STATE", 9, 9, 0, false, false },
	[BC_CHECK] =	{ "CHECK", 16, 17, 2, false, false },
	[BC_CHECKS] =	{ "OK/FAILED", 9, 11, 5, true, false },
	[BC_RUN] =	{ "IN A ROW", 8, 10, 4, false, false },
	[BC_SESSIONS] =	{ "SESS/ALL", 8, 9, 1, true, false },
	[BC_TO] =	{ "TO", 8, 8, 2, true, false },
	[BC_FROM] =	{ "FROM", 8, 8, 2, true, false },
	[BC_SINCE] =	{ "IN STATE", 8, 8, 3, true, false },
	[BC_ERROR] =	{ "LAST ERROR", 10, 24, 1, false, true },
};

struct backends_screen {
	char		*sel;		/* the cursor's backend, by name */
	int		 cursor;
	int		 scroll;
	int		 page;
	int		 n;		/* rows at the last draw */
};

static const struct ui_key_help backends_hints[] = {
	{ "Up Down", "move" },
	{ "Esc", "back" },
	{ "?", "help" },
	{ "q", "quit" },
	{ NULL, NULL }
};

static const struct ui_key_help backends_keys[] = {
	{ "Up Down j k", "move the cursor" },
	{ "PgUp PgDn Home End", "move a page, to the top, the end" },
	{ "b", "back (the key that opened it)" },
	{ NULL, NULL }
};

static void *
backends_create(uint64_t session)
{
	return g_new0(struct backends_screen, 1);
}

static void
backends_destroy(void *data)
{
	struct backends_screen	*bs = data;

	g_free(bs->sel);
	g_free(bs);
}

static attr_t
backends_state_attr(enum backend_state state)
{
	switch (state) {
	case BACKEND_UP:
		return ui_attr(UI_OK);
	case BACKEND_DOWN:
		return ui_attr(UI_BAD);
	default:
		return ui_attr(UI_WARN);
	}
}

static void
backends_cell(const struct backend *b, int col, double now, char *buf,
    size_t len, attr_t *attr)
{
	buf[0] = '\0';
	switch (col) {
	case BC_NAME:
		snprintf(buf, len, "%s", b->cfg.name);
		break;
	case BC_ADDRESS:
		if (strchr(b->cfg.host, ':') != NULL)
			snprintf(buf, len, "[%s]:%u", b->cfg.host,
			    (unsigned)b->cfg.port);
		else
			snprintf(buf, len, "%s:%u", b->cfg.host,
			    (unsigned)b->cfg.port);
		break;
	case BC_STATE:
		snprintf(buf, len, "%s%s", backend_state_name(b->state),
		    b->held_down ? " held" : "");
		*attr = backends_state_attr(b->state);
		break;
	case BC_CHECK:
		if (b->cfg.check == CHECK_NONE) {
			snprintf(buf, len, "passive");
			*attr = ui_attr(UI_DIM);
		} else if (b->checks_ok > 0)
			snprintf(buf, len, "%s %.1fms",
			    backend_check_name(b->cfg.check), b->check_ms);
		else
			snprintf(buf, len, "%s",
			    backend_check_name(b->cfg.check));
		break;
	case BC_CHECKS:
		snprintf(buf, len, "%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT,
		    b->checks_ok, b->checks_failed);
		break;
	case BC_RUN:
		/*
		 * Toward the next change (fall when up, rise when down) as
		 * "n/of", in colour; a run that changes nothing as "n".
		 */
		if (b->failed_in_row > 0 && b->state == BACKEND_UP) {
			snprintf(buf, len, "fail %u/%u", b->failed_in_row,
			    b->cfg.fall);
			*attr = ui_attr(UI_WARN);
		} else if (b->ok_in_row > 0 && b->state == BACKEND_DOWN) {
			snprintf(buf, len, "ok %u/%u", b->ok_in_row,
			    b->cfg.rise);
			*attr = ui_attr(UI_WARN);
		} else if (b->failed_in_row > 0)
			snprintf(buf, len, "fail %u", b->failed_in_row);
		else if (b->ok_in_row > 0)
			snprintf(buf, len, "ok %u", b->ok_in_row);
		else {
			snprintf(buf, len, "-");
			*attr = ui_attr(UI_DIM);
		}
		break;
	case BC_SESSIONS:
		snprintf(buf, len, "%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT,
		    b->sessions, b->sessions_total);
		break;
	case BC_TO:
		ui_fmt_bytes(buf, len, b->bytes_to);
		*attr = ui_attr(UI_C2S);
		break;
	case BC_FROM:
		ui_fmt_bytes(buf, len, b->bytes_from);
		*attr = ui_attr(UI_S2C);
		break;
	case BC_SINCE:
		if (b->state_since > 0)
			ui_fmt_age(buf, len, now - b->state_since);
		break;
	case BC_ERROR:
		if (b->last_error != NULL) {
			snprintf(buf, len, "%s", b->last_error);
			*attr = b->state == BACKEND_UP ? ui_attr(UI_DIM) :
			    ui_attr(UI_BAD);
		}
		break;
	}
}

/* The line above the table: how many backends in each state. */
static void
backends_counts(const struct ui_view *v, GPtrArray *all)
{
	const struct backend	*b;
	unsigned int		 n[3] = { 0, 0, 0 }, held = 0;
	char			 buf[96];
	int			 x = 1, y = v->top;
	guint			 i;

	for (i = 0; i < all->len; i++) {
		b = g_ptr_array_index(all, i);
		if (b->state <= BACKEND_DRAINING)
			n[b->state]++;
		if (b->held_down)
			held++;
	}
	wattrset(v->win, ui_attr(UI_NORMAL));
	snprintf(buf, sizeof(buf), "%u backend%s: ", all->len,
	    all->len == 1 ? "" : "s");
	x += ui_text(v->win, y, x, v->cols - x, 0, true, buf);
	wattrset(v->win, n[BACKEND_UP] > 0 ? ui_attr(UI_OK) :
	    ui_attr(UI_NORMAL));
	snprintf(buf, sizeof(buf), "%u up", n[BACKEND_UP]);
	x += ui_text(v->win, y, x, v->cols - x, 0, true, buf);
	wattrset(v->win, ui_attr(UI_NORMAL));
	x += ui_text(v->win, y, x, v->cols - x, 0, true, ", ");
	wattrset(v->win, n[BACKEND_DOWN] > 0 ? ui_attr(UI_BAD) :
	    ui_attr(UI_NORMAL));
	snprintf(buf, sizeof(buf), "%u down", n[BACKEND_DOWN]);
	x += ui_text(v->win, y, x, v->cols - x, 0, true, buf);
	wattrset(v->win, ui_attr(UI_NORMAL));
	x += ui_text(v->win, y, x, v->cols - x, 0, true, ", ");
	wattrset(v->win, n[BACKEND_DRAINING] > 0 ? ui_attr(UI_WARN) :
	    ui_attr(UI_NORMAL));
	snprintf(buf, sizeof(buf), "%u draining", n[BACKEND_DRAINING]);
	x += ui_text(v->win, y, x, v->cols - x, 0, true, buf);
	if (held > 0) {
		wattrset(v->win, ui_attr(UI_NORMAL));
		snprintf(buf, sizeof(buf), "   %u held down", held);
		ui_text(v->win, y, x, v->cols - x, 0, true, buf);
	}
}

/* What backends_row_cell needs: the backends listed, and the time. */
struct backends_cells {
	GPtrArray	*all;
	double		 now;
};

static void
backends_row_cell(void *ctx, int row, int col, char *buf, size_t len,
    attr_t *attr)
{
	const struct backends_cells *c = ctx;

	backends_cell(g_ptr_array_index(c->all, row), col, c->now, buf, len,
	    attr);
}

static void
backends_draw(void *data, const struct ui_view *v)
{
	struct backends_screen	*bs = data;
	const struct backend	*b;
	struct backends_cells	 cell;
	struct ui_table_rows	 table;
	GPtrArray		*all;
	int			 x[BC_COUNT], w[BC_COUNT], i, rows;

	if (v->backends == NULL) {
		wattrset(v->win, ui_attr(UI_DIM));
		ui_text(v->win, v->top + 1, 2, v->cols - 4, 0, true,
		    "Not in proxy mode: backends are those of rtmpscope "
		    "--listen ... --backend HOST:PORT.");
		bs->n = 0;
		return;
	}
	all = backend_pool_list(v->backends);
	cell = (struct backends_cells){ all, (double)g_get_real_time() / 1e6 };
	backends_counts(v, all);
	bs->n = (int)all->len;
	/* The cursor follows its backend; a gone one leaves it in place. */
	for (i = 0; bs->sel != NULL && i < bs->n; i++) {
		b = g_ptr_array_index(all, i);
		if (strcmp(b->cfg.name, bs->sel) == 0) {
			bs->cursor = i;
			break;
		}
	}
	if (bs->cursor >= bs->n)
		bs->cursor = bs->n > 0 ? bs->n - 1 : 0;
	g_free(bs->sel);
	bs->sel = bs->n > 0 ? g_strdup(((const struct backend *)
	    g_ptr_array_index(all, bs->cursor))->cfg.name) : NULL;

	ui_table_layout(backends_cols, BC_COUNT, v->cols, x, w);
	ui_table_header(v->win, v->top + 1, backends_cols, BC_COUNT, x, w,
	    -1, false, v->utf8);
	rows = v->rows - 2;
	bs->page = rows;
	bs->scroll = ui_table_scroll(bs->cursor, bs->scroll, rows, bs->n);
	table = (struct ui_table_rows){ backends_cols, BC_COUNT, x, w,
	    v->top + 2, rows, bs->scroll, bs->cursor, bs->n,
	    backends_row_cell, &cell };
	ui_table_rows(v->win, &table);
	if (bs->n == 0) {
		wattrset(v->win, ui_attr(UI_DIM));
		ui_text(v->win, v->top + 3, 2, v->cols - 4, 0, true,
		    "No backends.");
	}
	g_ptr_array_unref(all);
}

static void
backends_move(struct backends_screen *bs, int to)
{
	if (bs->n == 0)
		return;
	if (to >= bs->n)
		to = bs->n - 1;
	if (to < 0)
		to = 0;
	bs->cursor = to;
	/* The next draw finds the name of the row. */
	g_free(bs->sel);
	bs->sel = NULL;
}

static enum ui_result
backends_key(void *data, const struct ui_view *v, int key,
    struct ui_open *open)
{
	struct backends_screen	*bs = data;
	int			 page = bs->page > 1 ? bs->page - 1 : 1;

	switch (key) {
	case KEY_UP:
	case 'k':
		backends_move(bs, bs->cursor - 1);
		return UI_REDRAW;
	case KEY_DOWN:
	case 'j':
		backends_move(bs, bs->cursor + 1);
		return UI_REDRAW;
	case KEY_PPAGE:
		backends_move(bs, bs->cursor - page);
		return UI_REDRAW;
	case KEY_NPAGE:
		backends_move(bs, bs->cursor + page);
		return UI_REDRAW;
	case KEY_HOME:
	case 'g':
		backends_move(bs, 0);
		return UI_REDRAW;
	case KEY_END:
	case 'G':
		backends_move(bs, bs->n - 1);
		return UI_REDRAW;
	default:
		return UI_UNHANDLED;
	}
}

const struct ui_screen_entry ui_screen_backends_entry = {
	.name = "backends",
	.open_key = 'b',
	.hints = backends_hints,
	.keys = backends_keys,
	.create = backends_create,
	.destroy = backends_destroy,
	.draw = backends_draw,
	.key = backends_key,
	.prompt = NULL,
};
