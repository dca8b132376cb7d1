/*
 * The help screen: the keys of every screen, read from the screen table,
 * so a new screen's keys show here without a word written in this file.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>

#include "screens.h"

#define HELP_KEYS_COLS	20

struct help_screen {
	int	 top;		/* first line shown */
	int	 lines;		/* lines at the last draw */
	int	 rows;
};

static const struct ui_key_help help_hints[] = {
	{ "Up Down", "scroll" },
	{ "Esc", "back" },
	{ "q", "quit" },
	{ NULL, NULL }
};

static const struct ui_key_help help_keys[] = {
	{ "Up Down PgUp PgDn", "scroll this help" },
	{ NULL, NULL }
};

static void *
help_create(uint64_t session)
{
	return g_new0(struct help_screen, 1);
}

static void
help_destroy(void *data)
{
	g_free(data);
}

/* Draws line n of the help if it is on screen; returns the next n. */
static int
help_line(struct help_screen *hs, const struct ui_view *v, int n,
    attr_t attr, const char *keys, const char *text)
{
	int	 y = v->top + n - hs->top;

	if (y >= v->top && y < v->top + v->rows) {
		wattrset(v->win, attr);
		if (keys != NULL) {
			/* Key names stand out; a colour's name is in it. */
			wattrset(v->win, attr == ui_attr(UI_NORMAL) ?
			    ui_attr(UI_PROMPT) : attr);
			ui_text(v->win, y, 4, HELP_KEYS_COLS, 0, true, keys);
			wattrset(v->win, attr);
			ui_text(v->win, y, 5 + HELP_KEYS_COLS,
			    v->cols - 6 - HELP_KEYS_COLS, 0, true, text);
		} else
			ui_text(v->win, y, 2, v->cols - 3, 0, true, text);
	}
	return n + 1;
}

static int
help_keys_of(struct help_screen *hs, const struct ui_view *v, int n,
    const char *title, const struct ui_key_help *k)
{
	n = help_line(hs, v, n, ui_attr(UI_NORMAL) | A_BOLD, NULL, title);
	for (; k->keys != NULL; k++)
		n = help_line(hs, v, n, ui_attr(UI_NORMAL), k->keys, k->what);
	return n + 1;
}

static void
help_draw(void *data, const struct ui_view *v)
{
	struct help_screen			*hs = data;
	const struct ui_screen_entry *const	*e;
	char					 title[64];
	int					 n = 0;

	hs->rows = v->rows;
	n = help_line(hs, v, n, ui_attr(UI_NORMAL), NULL,
	    "rtmpscope's dashboard: every RTMP session of the capture, "
	    "how it is doing, and what it said.");
	n++;
	n = help_keys_of(hs, v, n, "Everywhere", ui_global_keys);
	for (e = ui_screens; *e != NULL; e++) {
		if (*e == &ui_screen_help_entry)
			continue;
		snprintf(title, sizeof(title), "The %s screen%s", (*e)->name,
		    *e == ui_screens[0] ? " (the first)" : "");
		n = help_keys_of(hs, v, n, title, (*e)->keys);
	}
	n = help_line(hs, v, n, ui_attr(UI_NORMAL) | A_BOLD, NULL,
	    "Colours");
	n = help_line(hs, v, n, ui_attr(UI_OK), "ok", "no problem");
	n = help_line(hs, v, n, ui_attr(UI_WARN), "warn", "stall, "
	    "ping_timeout, av_desync, malformed, limit; a redirect that "
	    "moved the session");
	n = help_line(hs, v, n, ui_attr(UI_BAD), "bad", "connect_rejected, "
	    "handshake_failed, stream_error, abrupt_close; a redirect that "
	    "failed or dropped the client");
	n = help_line(hs, v, n, ui_attr(UI_C2S), "c2s", "client to server "
	    "(a publisher's media; C2S b/s)");
	n = help_line(hs, v, n, ui_attr(UI_S2C), "s2c", "server to client "
	    "(a player's media; S2C b/s)");
	n++;
	n = help_line(hs, v, n, ui_attr(UI_DIM), NULL, "Bitrates are "
	    "per second of capture time between two looks at the session; "
	    "ended sessions show their average.");
	n = help_line(hs, v, n, ui_attr(UI_DIM), NULL, "Without colours "
	    "(or with NO_COLOR set), bold and underline stand for them.");
	hs->lines = n;
}

static enum ui_result
help_key(void *data, const struct ui_view *v, int key, struct ui_open *open)
{
	struct help_screen	*hs = data;
	int			 max = hs->lines - hs->rows;

	if (max < 0)
		max = 0;
	switch (key) {
	case KEY_UP:
	case 'k':
		hs->top--;
		break;
	case KEY_DOWN:
	case 'j':
		hs->top++;
		break;
	case KEY_PPAGE:
		hs->top -= hs->rows - 1;
		break;
	case KEY_NPAGE:
		hs->top += hs->rows - 1;
		break;
	case KEY_HOME:
	case 'g':
		hs->top = 0;
		break;
	case KEY_END:
	case 'G':
		hs->top = max;
		break;
	default:
		return UI_UNHANDLED;
	}
	if (hs->top > max)
		hs->top = max;
	if (hs->top < 0)
		hs->top = 0;
	return UI_REDRAW;
}

const struct ui_screen_entry ui_screen_help_entry = {
	.name = "help",
	.open_key = '?',
	.hints = help_hints,
	.keys = help_keys,
	.create = help_create,
	.destroy = help_destroy,
	.draw = help_draw,
	.key = help_key,
	.prompt = NULL,
};
