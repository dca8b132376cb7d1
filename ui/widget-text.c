/*
 * Text for the dashboard: names from the wire (app, stream, tcUrl, the
 * log) are untrusted bytes.  They are cleaned and measured in columns
 * before they reach the terminal, so that an escape sequence cannot act
 * on it and a wide character cannot push a column out of line.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "screens.h"

#define UI_ELLIPSIS_UTF8	"\xe2\x80\xa6"	/* U+2026 */

static bool	 text_utf8;
static GString	*text_buf;

void
ui_text_init(bool utf8)
{
	text_utf8 = utf8;
}

/* The next character of [p, end) as drawn: its bytes and its columns. */
static const char *
text_next(const char *p, const char *end, gunichar *out, int *cols)
{
	gunichar c = g_utf8_get_char_validated(p, end - p);

	if (c == (gunichar)-1 || c == (gunichar)-2) {
		*out = '?';
		*cols = 1;
		return p + 1;
	}
	if (c == '\t')
		*out = ' ';
	else if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0x2028 ||
	    c == 0x2029)
		*out = '?';
	else if (c >= 0x80 && !text_utf8)
		*out = '?';
	else
		*out = c;
	if (*out != c)
		*cols = 1;
	else if (g_unichar_iszerowidth(c))
		*cols = 0;
	else if (g_unichar_iswide(c))
		*cols = 2;
	else
		*cols = 1;
	return g_utf8_next_char(p);
}

int
ui_text_cols(const char *s)
{
	const char	*p = s, *end = s + strlen(s);
	gunichar	 c;
	int		 w, cols = 0;

	while (p < end) {
		p = text_next(p, end, &c, &w);
		cols += w;
	}
	return cols;
}

int
ui_text(WINDOW *win, int y, int x, int maxcols, int skip, bool ellipsis,
    const char *s)
{
	const char	*p, *end;
	gunichar	 c;
	int		 w, cols = 0, limit, total;

	if (s == NULL || maxcols <= 0)
		return 0;
	if (text_buf == NULL)
		text_buf = g_string_sized_new(256);
	g_string_truncate(text_buf, 0);
	end = s + strlen(s);
	total = ui_text_cols(s) - skip;
	limit = maxcols;
	if (ellipsis && total > maxcols)
		limit = maxcols - 1;
	for (p = s; p < end; ) {
		p = text_next(p, end, &c, &w);
		if (skip > 0) {
			/* A wide character cut in half shows as a blank. */
			if (w > skip) {
				g_string_append_c(text_buf, ' ');
				cols++;
			}
			skip -= w;
			continue;
		}
		if (cols + w > limit)
			break;
		g_string_append_unichar(text_buf, c);
		cols += w;
	}
	if (ellipsis && total > maxcols && cols < maxcols) {
		g_string_append(text_buf, text_utf8 ? UI_ELLIPSIS_UTF8 : "~");
		cols++;
	}
	mvwaddnstr(win, y, x, text_buf->str, (int)text_buf->len);
	return cols;
}

int
ui_text_right(WINDOW *win, int y, int x, int width, const char *s)
{
	int	 cols = ui_text_cols(s);

	if (cols >= width)
		return ui_text(win, y, x, width, 0, true, s);
	return ui_text(win, y, x + width - cols, cols, 0, false, s);
}

void
ui_fill(WINDOW *win, int y, int x, int cols, attr_t attr)
{
	if (cols <= 0)
		return;
	wattrset(win, attr);
	mvwhline(win, y, x, ' ', cols);
}

void
ui_fmt_kbps(char *buf, size_t len, double kbps)
{
	if (kbps <= 0)
		snprintf(buf, len, "0");
	else if (kbps < 1000)
		snprintf(buf, len, "%.0fk", kbps);
	else if (kbps < 10000)
		snprintf(buf, len, "%.2fM", kbps / 1000);
	else if (kbps < 100000)
		snprintf(buf, len, "%.1fM", kbps / 1000);
	else
		snprintf(buf, len, "%.0fM", kbps / 1000);
}

void
ui_fmt_age(char *buf, size_t len, double s)
{
	unsigned long	 n;

	if (s < 0)
		s = 0;
	if (s > 1e15)
		s = 1e15;	/* a capture's absurd clock: no overflow */
	if (s < 60) {
		snprintf(buf, len, "%.1fs", s);
		return;
	}
	n = (unsigned long)s;
	if (n < 3600)
		snprintf(buf, len, "%lum%02lus", n / 60, n % 60);
	else if (n < 86400)
		snprintf(buf, len, "%luh%02lum", n / 3600, n / 60 % 60);
	else
		snprintf(buf, len, "%lud%02luh", n / 86400, n / 3600 % 24);
}

void
ui_fmt_bytes(char *buf, size_t len, uint64_t n)
{
	if (n < 1000)
		snprintf(buf, len, "%" G_GUINT64_FORMAT " B", n);
	else if (n < 1000000)
		snprintf(buf, len, "%.1f kB", n / 1e3);
	else if (n < 1000000000)
		snprintf(buf, len, "%.1f MB", n / 1e6);
	else
		snprintf(buf, len, "%.2f GB", n / 1e9);
}

void
ui_fmt_clock(char *buf, size_t len, double t)
{
	struct tm	 tm;
	time_t		 secs;
	int		 ms;
	char		 hms[16];

	/* A capture's absurd clock would not fit a time_t. */
	if (!(fabs(t) < 1e15)) {
		snprintf(buf, len, "%.3f", t);
		return;
	}
	secs = (time_t)t;
	ms = (int)((t - (double)secs) * 1000);

	if (ms > 999)
		ms = 999;
	if (ms < 0)
		ms = 0;
	if (localtime_r(&secs, &tm) == NULL ||
	    strftime(hms, sizeof(hms), "%H:%M:%S", &tm) == 0) {
		snprintf(buf, len, "%.3f", t);
		return;
	}
	snprintf(buf, len, "%s.%03d", hms, ms);
}

bool
ui_match(const char *hay, const char *needle)
{
	size_t	 n = strlen(needle);

	if (n == 0)
		return true;
	if (hay == NULL)
		return false;
	for (; *hay != '\0'; hay++)
		if (g_ascii_strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

const char *
ui_state_name(const struct session *s)
{
	switch (s->state) {
	case SESSION_UNDECIDED:
		return "probing";
	case SESSION_HANDSHAKE:
		return "handshake";
	case SESSION_ACTIVE:
		return s->stalled ? "stalled" : "active";
	case SESSION_UNDECODABLE:
		return "encrypted";
	case SESSION_NOT_RTMP:
		return "not-rtmp";
	case SESSION_ENDED:
		return session_end_name(s->how);
	}
	return "?";
}

const struct session_problem *
ui_main_problem(const struct session *s)
{
	const struct session_problem	*p, *best = NULL;
	enum health			 h, besth = HEALTH_OK;
	guint				 i;

	for (i = 0; s->problems != NULL && i < s->problems->len; i++) {
		p = &g_array_index(s->problems, struct session_problem, i);
		h = health_of_kind(p->kind);
		if (best == NULL || h > besth || (h == besth && p->open) ||
		    (h == besth && !best->open && p->at >= best->at)) {
			best = p;
			besth = h;
		}
	}
	return best;
}
