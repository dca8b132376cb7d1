/*
 * A sparkline: one character per value, eight heights of block, the
 * newest value at the right.  Without UTF-8, ASCII stands in.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "screens.h"

static const char *const spark_utf8[] = {
	" ", "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
	"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",
};
static const char *const spark_ascii[] = {
	" ", ".", ".", "-", "-", "=", "=", "#", "#",
};

double
ui_sparkline(WINDOW *win, int y, int x, int width, bool utf8,
    const double *values, unsigned int n, double max)
{
	const char *const	*glyphs = utf8 ? spark_utf8 : spark_ascii;
	unsigned int		 first, i;
	double			 v;
	int			 level, col;

	if (width <= 0)
		return 0;
	first = n > (unsigned int)width ? n - (unsigned int)width : 0;
	if (max <= 0)
		for (i = first; i < n; i++)
			if (values[i] > max)
				max = values[i];
	col = x + width - (int)(n - first);
	for (i = first; i < n; i++, col++) {
		v = values[i] / max * 8 + 0.5;
		/* Clamped before the cast: a value far over max is 8. */
		if (!(values[i] > 0) || !(max > 0))
			level = 0;
		else if (v >= 8)
			level = 8;
		else if (v < 1)
			level = 1;	/* something, however little */
		else
			level = (int)v;
		mvwaddstr(win, y, col, glyphs[level]);
	}
	return max;
}
