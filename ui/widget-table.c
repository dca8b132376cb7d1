/*
 * Tables: columns that fit the terminal, a header with the sort marked,
 * and a scroll position that keeps the cursor in view.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "screens.h"

#define TABLE_MAX_COLS	32

void
ui_table_layout(const struct ui_column *c, int n, int cols, int *x,
    int *width)
{
	bool	 shown[TABLE_MAX_COLS];
	int	 i, used, nshown, left, keep, worst, ngrow, share;

	if (n > TABLE_MAX_COLS)
		n = TABLE_MAX_COLS;
	for (i = 0; i < n; i++)
		shown[i] = true;
	/* Drop the least kept (the rightmost first) until the rest fit. */
	for (;;) {
		used = 0;
		nshown = 0;
		worst = -1;
		for (i = 0; i < n; i++) {
			if (!shown[i])
				continue;
			used += c[i].min;
			nshown++;
			if (worst < 0 || c[i].keep >= c[worst].keep)
				worst = i;
		}
		used += nshown > 0 ? nshown - 1 : 0;
		if (used <= cols || nshown <= 1)
			break;
		shown[worst] = false;
	}
	for (i = 0; i < n; i++)
		width[i] = shown[i] ? c[i].min : 0;
	left = cols - used;
	/* Then room, most kept first, up to what each wants. */
	for (keep = 0; left > 0 && keep < 100; keep++)
		for (i = 0; i < n && left > 0; i++) {
			if (!shown[i] || c[i].keep != keep ||
			    width[i] >= c[i].want)
				continue;
			share = c[i].want - width[i];
			if (share > left)
				share = left;
			width[i] += share;
			left -= share;
		}
	ngrow = 0;
	for (i = 0; i < n; i++)
		ngrow += shown[i] && c[i].grow;
	for (i = 0; i < n && left > 0 && ngrow > 0; i++) {
		if (!shown[i] || !c[i].grow)
			continue;
		share = left / ngrow--;
		width[i] += share;
		left -= share;
	}
	used = 0;
	for (i = 0; i < n; i++) {
		x[i] = used;
		if (width[i] > 0)
			used += width[i] + 1;
	}
}

void
ui_table_header(WINDOW *win, int y, const struct ui_column *c, int n,
    const int *x, const int *width, int sort, bool reverse, bool utf8)
{
	const char	*mark;
	int		 i, cols;

	ui_fill(win, y, 0, getmaxx(win), ui_attr(UI_HEADER));
	for (i = 0; i < n; i++) {
		if (width[i] == 0)
			continue;
		wattrset(win, ui_attr(UI_HEADER) |
		    (i == sort ? A_BOLD | A_UNDERLINE : 0));
		if (c[i].right) {
			if (i == sort)
				ui_text_right(win, y, x[i], width[i] - 1,
				    c[i].title);
			else
				ui_text_right(win, y, x[i], width[i],
				    c[i].title);
		} else
			ui_text(win, y, x[i], width[i] - (i == sort), 0, true,
			    c[i].title);
		if (i != sort)
			continue;
		if (utf8)
			mark = reverse ? "\xe2\x96\xbc" : "\xe2\x96\xb2";
		else
			mark = reverse ? "v" : "^";
		cols = c[i].right ? width[i] - 1 :
		    ui_text_cols(c[i].title);
		if (cols > width[i] - 1)
			cols = width[i] - 1;
		ui_text(win, y, x[i] + cols, 1, 0, false, mark);
	}
}

int
ui_table_scroll(int cursor, int scroll, int rows, int nrows)
{
	if (rows <= 0)
		return 0;
	if (cursor < scroll)
		scroll = cursor;
	if (cursor >= scroll + rows)
		scroll = cursor - rows + 1;
	if (scroll > nrows - rows)
		scroll = nrows - rows;
	if (scroll < 0)
		scroll = 0;
	return scroll;
}

void
ui_table_rows(WINDOW *win, const struct ui_table_rows *t)
{
	char	 buf[512];
	attr_t	 base, attr;
	int	 i, row, col, y;

	for (i = 0; i < t->lines && t->first + i < t->nrows; i++) {
		row = t->first + i;
		y = t->y + i;
		base = ui_attr(row == t->cursor ? UI_SELECTED : UI_NORMAL);
		if (row == t->cursor)
			ui_fill(win, y, 0, getmaxx(win), base);
		for (col = 0; col < t->n; col++) {
			if (t->width[col] == 0)
				continue;
			attr = base;
			t->cell(t->ctx, row, col, buf, sizeof(buf), &attr);
			if (row == t->cursor)
				attr = base | (attr & A_BOLD);
			wattrset(win, attr);
			if (t->cols[col].right)
				ui_text_right(win, y, t->x[col], t->width[col],
				    buf);
			else
				ui_text(win, y, t->x[col], t->width[col], 0,
				    true, buf);
		}
	}
}
