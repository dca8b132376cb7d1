/*
 * The progress bar.
 *
 *	 42% [###############-------------------]  118.3 MB/s  0:12 left
 *
 * It owns one line of stderr and rewrites it with a carriage return, so it
 * is only drawn on a terminal; on a pipe or a log file it would be noise.
 * The width is asked for at every redraw, so a resized terminal is
 * followed without a SIGWINCH handler.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/ioctl.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "progress.h"

#define PROGRESS_COLUMNS	80	/* when the terminal will not say */
#define PROGRESS_BAR_MIN	10	/* narrower bars say nothing */

struct progress {
	uint64_t	 total;
	gint64		 started;	/* monotonic, microseconds */
	gint64		 drawn_at;
	bool		 drawn;		/* the line holds something */
};

static int
progress_columns(void)
{
	struct winsize	 ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == -1 || ws.ws_col == 0)
		return PROGRESS_COLUMNS;
	return ws.ws_col;
}

static void
progress_eta(char *buf, size_t size, double seconds)
{
	unsigned	 s;

	if (seconds < 0 || seconds > 99 * 3600.0) {
		g_strlcpy(buf, "--:--", size);
		return;
	}
	s = (unsigned)(seconds + 0.5);
	if (s >= 3600)
		snprintf(buf, size, "%u:%02u:%02u", s / 3600, s / 60 % 60,
		    s % 60);
	else
		snprintf(buf, size, "%u:%02u", s / 60, s % 60);
}

/*
 * Writes the line in one call: piecemeal writes to an unbuffered stderr
 * would flicker.  The last column is left alone, as writing it makes some
 * terminals wrap before the carriage return.
 */
static void
progress_draw(struct progress *p, uint64_t done, gint64 now)
{
	GString		*line;
	char		 left[16], right[64], eta[16];
	double		 elapsed, rate;
	unsigned	 pct;
	int		 room, bar, fill, i;

	if (done > p->total)
		done = p->total;
	pct = (unsigned)(done * 100 / p->total);
	elapsed = (double)(now - p->started) / 1e6;
	rate = elapsed > 0 ? (double)done / elapsed : 0;
	progress_eta(eta, sizeof(eta), rate > 0 ?
	    (double)(p->total - done) / rate : -1);
	snprintf(left, sizeof(left), "%3u%% ", pct);
	snprintf(right, sizeof(right), "  %.1f MB/s  %s left", rate / 1e6,
	    eta);

	room = progress_columns() - 1;
	bar = room - (int)strlen(left) - (int)strlen(right) - 2;
	line = g_string_new("\r");
	g_string_append(line, left);
	if (bar >= PROGRESS_BAR_MIN) {
		fill = (int)((uint64_t)bar * done / p->total);
		g_string_append_c(line, '[');
		for (i = 0; i < bar; i++)
			g_string_append_c(line, i < fill ? '#' : '-');
		g_string_append_c(line, ']');
		g_string_append(line, right);
	} else {
		g_string_append(line, right + 1);
		if (line->len - 1 > (size_t)MAX(room, 0))
			g_string_truncate(line, 1 + (size_t)MAX(room, 0));
	}
	/* Erase what a longer line drawn before left behind. */
	g_string_append(line, "\033[K");
	fwrite(line->str, 1, line->len, stderr);
	fflush(stderr);
	g_string_free(line, TRUE);

	p->drawn = true;
	p->drawn_at = now;
}

struct progress *
progress_new(uint64_t total_bytes)
{
	struct progress	*p;
	const char	*term;

	if (total_bytes < PROGRESS_MIN_BYTES || !isatty(STDERR_FILENO))
		return NULL;
	/* A dumb terminal would print the erase sequence as text. */
	if ((term = g_getenv("TERM")) != NULL && strcmp(term, "dumb") == 0)
		return NULL;
	p = g_new0(struct progress, 1);
	p->total = total_bytes;
	p->started = g_get_monotonic_time();
	/* The first draw waits one interval: a fast read shows nothing. */
	p->drawn_at = p->started;
	return p;
}

bool
progress_due(const struct progress *p)
{
	return p != NULL &&
	    g_get_monotonic_time() - p->drawn_at >= PROGRESS_INTERVAL_US;
}

void
progress_update(struct progress *p, uint64_t done)
{
	gint64	 now;

	if (p == NULL)
		return;
	now = g_get_monotonic_time();
	if (now - p->drawn_at < PROGRESS_INTERVAL_US)
		return;
	progress_draw(p, done, now);
}

void
progress_done(struct progress *p)
{
	if (p == NULL)
		return;
	if (p->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	g_free(p);
}
