/*
 * The dashboard's core: it owns the terminal (nothing else in rtmpscope
 * draws on it), maps colours by meaning to what the terminal can show,
 * keeps the stack of open screens, dispatches keys and redraws.
 *
 * Nothing redraws where it happens: the keyboard, the refresh timer and
 * SIGWINCH only mark the dashboard dirty, and ui_redraw(), run from an
 * idle source, is the one place that draws.
 *
 * A key that asks the program for something (r in proxy mode: move a
 * session) is answered in the key line, which shows the answer for a few
 * seconds instead of the keys.
 *
 * The terminal is given back on every way out: ui_free(), exit() (an
 * atexit handler), SIGINT/SIGTERM/SIGHUP (which quit the main loop, so
 * the caller frees everything; SIGHUP stays the caller's with keep_hup),
 * and the fatal signals (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT), whose
 * handler calls endwin() and lets the signal kill the process as it
 * would have.
 *
 * RTMPSCOPE_UI_TIMING=FILE appends the time each redraw took (from the
 * model's sampling to doupdate(), in microseconds, one per line) to FILE;
 * bench/ui-redraw.sh reads it.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/ioctl.h>

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "screens.h"

#define UI_REFRESH_MS		500	/* the timer marks the screen dirty */
#define UI_STACK_MAX		8
#define UI_MIN_COLS		40
#define UI_MIN_ROWS		10
#define UI_ESCDELAY_MS		25
#define UI_KEY_ESC		27
#define UI_KEY_CTRL_L		12
#define UI_MESSAGE_US		(4 * G_USEC_PER_SEC)	/* shown this long */

const struct ui_screen_entry *const ui_screens[] = {
	&ui_screen_sessions_entry,
	&ui_screen_session_entry,
	&ui_screen_events_entry,
	&ui_screen_backends_entry,
	&ui_screen_help_entry,
	NULL
};

const struct ui_key_help ui_global_keys[] = {
	{ "q", "quit" },
	{ "space", "pause or resume reading" },
	{ "Esc Backspace", "back to the previous screen" },
	{ "e", "events: every problem and redirect, newest first" },
	{ "b", "backends: the proxy's servers and their health" },
	{ "?", "this help" },
	{ "Ctrl-L", "redraw the terminal" },
	{ NULL, NULL }
};

struct ui_screen {
	const struct ui_screen_entry	*entry;
	void				*data;
};

struct ui {
	struct ui_context	 ctx;
	SCREEN			*term;
	GMainLoop		*loop;
	struct ui_screen	 stack[UI_STACK_MAX];
	int			 depth;
	struct ui_history	*history;
	struct ui_source_stats	 src;
	bool			 utf8;
	bool			 paused;
	bool			 dirty;
	/* A short answer in the key line (r), until message_until. */
	char			 message[160];
	bool			 message_bad;
	gint64			 message_until;	/* monotonic, us */
	guint			 redraw_id;
	guint			 timer_id;
	guint			 stdin_id;
	guint			 signal_ids[4];
	FILE			*timing;	/* RTMPSCOPE_UI_TIMING */
};

/* A colour meaning: its pair, and what stands in without colours. */
struct ui_colour_def {
	short	 fg;
	short	 bg;
	attr_t	 colour;	/* added to the pair */
	attr_t	 mono;
};

static const struct ui_colour_def ui_colour_defs[UI_COLOUR_COUNT] = {
	[UI_NORMAL] =	{ -1, -1, A_NORMAL, A_NORMAL },
	[UI_TITLE] =	{ COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE },
	[UI_HEADER] =	{ COLOR_BLACK, COLOR_GREEN, A_NORMAL, A_REVERSE },
	[UI_SELECTED] =	{ COLOR_BLACK, COLOR_CYAN, A_NORMAL,
			    A_REVERSE | A_BOLD },
	[UI_OK] =	{ COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
	[UI_WARN] =	{ COLOR_YELLOW, -1, A_BOLD, A_BOLD },
	[UI_BAD] =	{ COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[UI_DIM] =	{ COLOR_CYAN, -1, A_NORMAL, A_DIM },
	[UI_C2S] =	{ COLOR_CYAN, -1, A_NORMAL, A_NORMAL },
	[UI_S2C] =	{ COLOR_MAGENTA, -1, A_NORMAL, A_NORMAL },
	[UI_KEY] =	{ COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
	[UI_SPARK] =	{ COLOR_GREEN, -1, A_BOLD, A_NORMAL },
	[UI_PROMPT] =	{ COLOR_YELLOW, -1, A_BOLD, A_BOLD },
	[UI_PAUSED] =	{ COLOR_BLACK, COLOR_YELLOW, A_NORMAL,
			    A_REVERSE | A_BOLD },
};

static attr_t			 ui_attrs[UI_COLOUR_COUNT];
/* For the handlers that run when things go wrong. */
static volatile sig_atomic_t	 ui_terminal_taken;
static bool			 ui_atexit_set;
static const int		 ui_fatal_signals[] = {
	SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT,
};

static void	 ui_redraw_soon(struct ui *);

#define UI_ERROR	(ui_error_quark())
static GQuark
ui_error_quark(void)
{
	return g_quark_from_static_string("ui-error-quark");
}

attr_t
ui_attr(enum ui_colour c)
{
	return ui_attrs[c];
}

attr_t
ui_health_attr(enum health h)
{
	switch (h) {
	case HEALTH_BAD:
		return ui_attr(UI_BAD);
	case HEALTH_WARN:
		return ui_attr(UI_WARN);
	default:
		return ui_attr(UI_OK);
	}
}

struct session *
ui_find_session(struct session_table *t, uint64_t id)
{
	GPtrArray	*all = session_table_sessions(t);
	struct session	*s;
	guint		 lo = 0, hi = all->len, mid;

	/* Numbered in order of arrival, kept in that order. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		s = g_ptr_array_index(all, mid);
		if (s->id == id)
			return s->state == SESSION_NOT_RTMP ? NULL : s;
		if (s->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void
ui_colours_init(void)
{
	const struct ui_colour_def	*d;
	short				 bg_default = -1;
	int				 i;

	if (!has_colors() || getenv("NO_COLOR") != NULL ||
	    start_color() == ERR) {
		for (i = 0; i < UI_COLOUR_COUNT; i++)
			ui_attrs[i] = ui_colour_defs[i].mono;
		return;
	}
	if (use_default_colors() == ERR)
		bg_default = COLOR_BLACK;
	for (i = 0; i < UI_COLOUR_COUNT; i++) {
		d = &ui_colour_defs[i];
		if (i == UI_NORMAL || i >= COLOR_PAIRS) {
			ui_attrs[i] = d->mono;
			continue;
		}
		init_pair((short)i, d->fg < 0 && bg_default >= 0 ?
		    COLOR_WHITE : d->fg, d->bg < 0 ? bg_default : d->bg);
		ui_attrs[i] = COLOR_PAIR(i) | d->colour;
	}
}

/* Gives the terminal back: safe to call twice, and from a handler. */
static void
ui_restore_terminal(void)
{
	if (!ui_terminal_taken)
		return;
	ui_terminal_taken = 0;
	endwin();
}

static void
ui_atexit(void)
{
	ui_restore_terminal();
}

/*
 * A crash: the terminal is given back before the process dies of the
 * signal (SA_RESETHAND put the default action back; the signal raised
 * again, unblocked by SA_NODEFER, then does what it would have done).
 */
static void
ui_fatal(int sig)
{
	ui_restore_terminal();
	raise(sig);
}

static void
ui_fatal_handlers(bool install)
{
	struct sigaction	 sa;
	size_t			 i;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	if (install) {
		sa.sa_handler = ui_fatal;
		sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	} else
		sa.sa_handler = SIG_DFL;
	for (i = 0; i < G_N_ELEMENTS(ui_fatal_signals); i++)
		sigaction(ui_fatal_signals[i], &sa, NULL);
}

static void
ui_screen_push(struct ui *ui, const struct ui_screen_entry *entry,
    uint64_t session)
{
	struct ui_screen	*top;

	if (ui->depth == UI_STACK_MAX) {
		top = &ui->stack[--ui->depth];
		top->entry->destroy(top->data);
	}
	ui->stack[ui->depth].entry = entry;
	ui->stack[ui->depth].data = entry->create(session);
	ui->depth++;
}

static void
ui_screen_pop(struct ui *ui)
{
	struct ui_screen	*top;

	if (ui->depth <= 1)
		return;
	top = &ui->stack[--ui->depth];
	top->entry->destroy(top->data);
}

struct ui *
ui_new(const struct ui_context *ctx, GError **err)
{
	const char	*timing;
	struct ui	*ui;
	SCREEN		*term;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		g_set_error(err, UI_ERROR, 0,
		    "the dashboard needs a terminal");
		return NULL;
	}
	/* Wide characters from the locale; numbers stay C for the dumps. */
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	term = newterm(NULL, stdout, stdin);
	if (term == NULL) {
		g_set_error(err, UI_ERROR, 0,
		    "cannot use the terminal (TERM=%s)",
		    getenv("TERM") != NULL ? getenv("TERM") : "");
		return NULL;
	}
	ui = g_new0(struct ui, 1);
	ui->ctx = *ctx;
	ui->term = term;
	set_term(term);
	ui_terminal_taken = 1;
	if (!ui_atexit_set) {
		atexit(ui_atexit);
		ui_atexit_set = true;
	}
	ui_fatal_handlers(true);

	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(UI_ESCDELAY_MS);
	curs_set(0);
	ui_colours_init();
	ui->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	ui_text_init(ui->utf8);

	ui->history = ui_history_new();
	if ((timing = getenv("RTMPSCOPE_UI_TIMING")) != NULL &&
	    *timing != '\0')
		ui->timing = fopen(timing, "a");
	ui_screen_push(ui, ui_screens[0], 0);
	return ui;
}

/* The top line: where the data come from and how far reading has got. */
static void
ui_draw_title(struct ui *ui)
{
	const struct ui_source_stats	*src = &ui->src;
	attr_t				 title = ui_attr(UI_TITLE);
	char				 buf[256], clock[32], bytes[32];
	const char			*state, *name;
	int				 x = 0, pct;

	ui_fill(stdscr, 0, 0, COLS, title);
	x += ui_text(stdscr, 0, x, COLS - x, 0, false, " rtmpscope  ");
	x += ui_text(stdscr, 0, x, COLS / 3, 0, true,
	    src->source != NULL ? src->source : "");
	if (src->paused) {
		state = "PAUSED";
		wattrset(stdscr, ui_attr(UI_PAUSED));
		x += ui_text(stdscr, 0, x + 2, COLS - x - 2, 0, false, state);
		x += 2;
		wattrset(stdscr, title);
	}
	if (src->live)
		snprintf(buf, sizeof(buf), "  live");
	else if (src->done)
		snprintf(buf, sizeof(buf), "  read to the end");
	else {
		pct = src->progress_total == 0 ? 0 :
		    (int)(src->progress_done * 100 / src->progress_total);
		snprintf(buf, sizeof(buf), "  reading %d%%%s", pct,
		    src->pace != NULL ? (strcmp(src->pace, "realtime") == 0 ?
		    " at capture pace" : "") : "");
	}
	x += ui_text(stdscr, 0, x, COLS - x, 0, false, buf);
	ui_fmt_bytes(bytes, sizeof(bytes), src->bytes);
	name = src->packets_name != NULL ? src->packets_name : "packets";
	/* "1 packet", "2 packets": the names given are plurals. */
	snprintf(buf, sizeof(buf), "  %" G_GUINT64_FORMAT " %.*s, %s",
	    src->packets, (int)strlen(name) - (src->packets == 1 ? 1 : 0),
	    name, bytes);
	x += ui_text(stdscr, 0, x, COLS - x, 0, false, buf);
	if (src->error != NULL) {
		wattrset(stdscr, ui_attr(UI_PAUSED));
		x += ui_text(stdscr, 0, x + 2, COLS - x - 2, 0, true,
		    src->error) + 2;
		wattrset(stdscr, title);
	}
	if (src->now > 0) {
		ui_fmt_clock(clock, sizeof(clock), src->now);
		snprintf(buf, sizeof(buf), "%s ", clock);
		if (x + 2 + ui_text_cols(buf) <= COLS)
			ui_text_right(stdscr, 0, 0, COLS, buf);
	}
}

/* The second line: totals over every session. */
static void
ui_draw_totals(struct ui *ui)
{
	GPtrArray	*all = session_table_sessions(ui->ctx.sessions);
	const struct session_table_stats *st =
	    session_table_stats(ui->ctx.sessions);
	const struct session *s;
	struct ui_rates	 r;
	double		 kbps[2] = { 0, 0 };
	unsigned int	 n = 0, active = 0, nbad = 0, nwarn = 0, nproblems = 0;
	char		 buf[256], in[16], out[16];
	guint		 i;
	int		 x = 1;

	for (i = 0; i < all->len; i++) {
		s = g_ptr_array_index(all, i);
		if (s->state == SESSION_NOT_RTMP)
			continue;
		n++;
		if (s->state != SESSION_ENDED) {
			active++;
			ui_history_rates(ui->history, s, &r);
			kbps[0] += r.kbps[0];
			kbps[1] += r.kbps[1];
		}
		nproblems += s->problems != NULL ? s->problems->len : 0;
		switch (session_health(s)) {
		case HEALTH_BAD:
			nbad++;
			break;
		case HEALTH_WARN:
			nwarn++;
			break;
		default:
			break;
		}
	}
	ui_fmt_kbps(in, sizeof(in), kbps[0]);
	ui_fmt_kbps(out, sizeof(out), kbps[1]);
	wattrset(stdscr, ui_attr(UI_NORMAL));
	snprintf(buf, sizeof(buf), "%u session%s, %u open", n,
	    n == 1 ? "" : "s", active);
	x += ui_text(stdscr, 1, x, COLS - x, 0, true, buf);
	/* Live and proxy: the oldest ended ones let go (max_ended_sessions). */
	if (st->evicted > 0) {
		snprintf(buf, sizeof(buf), " (+%" G_GUINT64_FORMAT
		    " forgotten)", st->evicted);
		wattrset(stdscr, ui_attr(UI_DIM));
		x += ui_text(stdscr, 1, x, COLS - x, 0, true, buf);
		wattrset(stdscr, ui_attr(UI_NORMAL));
	}
	snprintf(buf, sizeof(buf), "   c2s %sb/s  s2c %sb/s   %u problem%s: ",
	    in, out, nproblems, nproblems == 1 ? "" : "s");
	x += ui_text(stdscr, 1, x, COLS - x, 0, true, buf);
	wattrset(stdscr, nbad > 0 ? ui_attr(UI_BAD) : ui_attr(UI_NORMAL));
	snprintf(buf, sizeof(buf), "%u bad", nbad);
	x += ui_text(stdscr, 1, x, COLS - x, 0, true, buf);
	wattrset(stdscr, ui_attr(UI_NORMAL));
	x += ui_text(stdscr, 1, x, COLS - x, 0, false, ", ");
	wattrset(stdscr, nwarn > 0 ? ui_attr(UI_WARN) : ui_attr(UI_NORMAL));
	snprintf(buf, sizeof(buf), "%u warn", nwarn);
	x += ui_text(stdscr, 1, x, COLS - x, 0, true, buf);
	wattrset(stdscr, ui_attr(UI_NORMAL));
	snprintf(buf, sizeof(buf), "   drops %" G_GUINT64_FORMAT
	    "   malformed %" G_GUINT64_FORMAT "   gaps %" G_GUINT64_FORMAT,
	    ui->src.drops, st->malformed, st->gaps);
	ui_text(stdscr, 1, x, COLS - x, 0, true, buf);
}

/*
 * A transient answer for the key line (the refresh timer takes it away
 * once it is old).
 */
static void
ui_message(struct ui *ui, bool bad, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void
ui_message(struct ui *ui, bool bad, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(ui->message, sizeof(ui->message), fmt, ap);
	va_end(ap);
	ui->message_bad = bad;
	ui->message_until = g_get_monotonic_time() + UI_MESSAGE_US;
}

/* The bottom line: the screen's keys, the text it is reading, or news. */
static void
ui_draw_keys(struct ui *ui)
{
	const struct ui_screen		*top = &ui->stack[ui->depth - 1];
	const struct ui_key_help	*k;
	const char			*prompt;
	int				 y = LINES - 1, x = 0;

	ui_fill(stdscr, y, 0, COLS, ui_attr(UI_NORMAL));
	if (top->entry->prompt != NULL &&
	    (prompt = top->entry->prompt(top->data)) != NULL) {
		wattrset(stdscr, ui_attr(UI_PROMPT));
		x += ui_text(stdscr, y, 0, COLS - 1, 0, false, "filter: ");
		wattrset(stdscr, ui_attr(UI_NORMAL));
		x += ui_text(stdscr, y, x, COLS - x - 1, 0, false, prompt);
		wattrset(stdscr, ui_attr(UI_KEY));
		ui_text(stdscr, y, x, 1, 0, false, " ");
		wattrset(stdscr, ui_attr(UI_DIM));
		ui_text(stdscr, y, x + 2, COLS - x - 2, 0, true,
		    "  Enter keeps it, Esc clears it");
		return;
	}
	if (ui->message[0] != '\0' &&
	    g_get_monotonic_time() < ui->message_until) {
		wattrset(stdscr, ui_attr(ui->message_bad ? UI_BAD :
		    UI_PROMPT));
		ui_text(stdscr, y, 0, COLS - 1, 0, true, ui->message);
		return;
	}
	ui->message[0] = '\0';
	k = top->entry->hints;
	if (ui->ctx.redirect != NULL && top->entry->redirect_hints != NULL)
		k = top->entry->redirect_hints;
	for (; k->keys != NULL && x < COLS; k++) {
		wattrset(stdscr, ui_attr(UI_KEY));
		x += ui_text(stdscr, y, x, COLS - x, 0, false, k->keys);
		wattrset(stdscr, ui_attr(UI_NORMAL));
		if (x + 1 + ui_text_cols(k->what) > COLS)
			break;
		x += ui_text(stdscr, y, x, COLS - x, 0, false, " ");
		x += ui_text(stdscr, y, x, COLS - x, 0, false, k->what);
		x += ui_text(stdscr, y, x, COLS - x, 0, false, "  ");
	}
}

static void
ui_redraw(struct ui *ui)
{
	const struct ui_screen	*top = &ui->stack[ui->depth - 1];
	struct ui_view		 view;
	gint64			 start = g_get_monotonic_time();

	memset(&ui->src, 0, sizeof(ui->src));
	if (ui->ctx.stats != NULL)
		ui->ctx.stats(ui->ctx.ctx, &ui->src);
	ui->src.paused = ui->paused;
	ui_history_sample(ui->history, ui->ctx.sessions, ui->src.now);

	werase(stdscr);
	if (COLS < UI_MIN_COLS || LINES < UI_MIN_ROWS) {
		wattrset(stdscr, ui_attr(UI_NORMAL));
		ui_text(stdscr, 0, 0, COLS, 0, true, "rtmpscope: the terminal "
		    "is too small (40x10 at least); q quits");
	} else {
		ui_draw_title(ui);
		ui_draw_totals(ui);
		memset(&view, 0, sizeof(view));
		view.win = stdscr;
		view.top = 2;
		view.rows = LINES - 3;
		view.cols = COLS;
		view.sessions = ui->ctx.sessions;
		view.backends = ui->ctx.backends;
		view.src = &ui->src;
		view.history = ui->history;
		view.utf8 = ui->utf8;
		view.redirect = ui->ctx.redirect != NULL;
		wattrset(stdscr, ui_attr(UI_NORMAL));
		top->entry->draw(top->data, &view);
		ui_draw_keys(ui);
	}
	wattrset(stdscr, A_NORMAL);
	wnoutrefresh(stdscr);
	doupdate();
	if (ui->timing != NULL) {
		fprintf(ui->timing, "%" G_GINT64_FORMAT "\n",
		    g_get_monotonic_time() - start);
		fflush(ui->timing);
	}
}

static gboolean
ui_redraw_cb(gpointer data)
{
	struct ui	*ui = data;

	ui->redraw_id = 0;
	if (ui->dirty) {
		ui->dirty = false;
		ui_redraw(ui);
	}
	return G_SOURCE_REMOVE;
}

/* The one way to get a redraw: mark, and let the idle source draw. */
static void
ui_redraw_soon(struct ui *ui)
{
	ui->dirty = true;
	/* Before the reader's idle work, which runs at default-idle. */
	if (ui->redraw_id == 0)
		ui->redraw_id = g_idle_add_full(G_PRIORITY_HIGH_IDLE,
		    ui_redraw_cb, ui, NULL);
}

void
ui_mark_dirty(struct ui *ui)
{
	ui_redraw_soon(ui);
}

/* Keys every screen shares, when the screen on top did not take one. */
static enum ui_result
ui_global_key(struct ui *ui, int key, struct ui_open *open)
{
	const struct ui_screen_entry *const	*e;

	switch (key) {
	case 'q':
	case 'Q':
		return UI_QUIT;
	case ' ':
		ui->paused = !ui->paused;
		if (ui->ctx.pause != NULL)
			ui->ctx.pause(ui->ctx.ctx, ui->paused);
		return UI_REDRAW;
	case UI_KEY_ESC:
	case KEY_BACKSPACE:
	case 127:
	case 8:
		return ui->depth > 1 ? UI_BACK : UI_HANDLED;
	case UI_KEY_CTRL_L:
		clearok(curscr, TRUE);
		return UI_REDRAW;
	case KEY_RESIZE:
		return UI_REDRAW;
	default:
		break;
	}
	for (e = ui_screens; *e != NULL; e++) {
		if ((*e)->open_key == 0 || (*e)->open_key != key)
			continue;
		/* The same key again closes it. */
		if (ui->stack[ui->depth - 1].entry == *e)
			return UI_BACK;
		open->entry = *e;
		open->session = 0;
		return UI_OPEN;
	}
	return UI_UNHANDLED;
}

/* r: the proxy is asked; its answer shows in the key line. */
static void
ui_redirect(struct ui *ui, uint64_t id)
{
	const char	*why = NULL;

	if (ui->ctx.redirect == NULL)
		return;
	if (ui->ctx.redirect(ui->ctx.redirect_ctx, id, &why))
		ui_message(ui, false, "moving session %" G_GUINT64_FORMAT "%s",
		    id, ui->utf8 ? "\xe2\x80\xa6" : "...");
	else
		ui_message(ui, true, "session %" G_GUINT64_FORMAT ": %s", id,
		    why != NULL ? why : "cannot move it");
}

static void
ui_key(struct ui *ui, int key)
{
	struct ui_screen	*top = &ui->stack[ui->depth - 1];
	struct ui_view		 view;
	struct ui_open		 open;
	enum ui_result		 r;
	int			 i;

	memset(&view, 0, sizeof(view));
	view.win = stdscr;
	view.top = 2;
	view.rows = LINES - 3;
	view.cols = COLS;
	view.sessions = ui->ctx.sessions;
	view.backends = ui->ctx.backends;
	view.src = &ui->src;
	view.history = ui->history;
	view.utf8 = ui->utf8;
	view.redirect = ui->ctx.redirect != NULL;
	memset(&open, 0, sizeof(open));
	r = top->entry->key(top->data, &view, key, &open);
	if (r == UI_UNHANDLED)
		r = ui_global_key(ui, key, &open);
	switch (r) {
	case UI_UNHANDLED:
	case UI_HANDLED:
		break;
	case UI_REDRAW:
		ui_redraw_soon(ui);
		break;
	case UI_BACK:
		ui_screen_pop(ui);
		ui_redraw_soon(ui);
		break;
	case UI_OPEN:
		/* A screen already open is gone back to, not opened twice. */
		for (i = ui->depth - 1; i > 0; i--)
			if (ui->stack[i].entry == open.entry &&
			    open.entry->open_key != 0)
				break;
		if (i > 0)
			while (ui->depth > i + 1)
				ui_screen_pop(ui);
		else
			ui_screen_push(ui, open.entry, open.session);
		ui_redraw_soon(ui);
		break;
	case UI_REDIRECT:
		ui_redirect(ui, open.session);
		ui_redraw_soon(ui);
		break;
	case UI_QUIT:
		if (ui->loop != NULL)
			g_main_loop_quit(ui->loop);
		break;
	}
}

static gboolean
ui_stdin_cb(gint fd, GIOCondition cond, gpointer data)
{
	struct ui	*ui = data;
	int		 key;

	while ((key = wgetch(stdscr)) != ERR)
		ui_key(ui, key);
	if (cond & (G_IO_HUP | G_IO_ERR)) {
		/* The terminal went away: nobody to show anything to. */
		ui->stdin_id = 0;
		if (ui->loop != NULL)
			g_main_loop_quit(ui->loop);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static gboolean
ui_timer_cb(gpointer data)
{
	ui_redraw_soon(data);
	return G_SOURCE_CONTINUE;
}

static gboolean
ui_winch_cb(gpointer data)
{
	struct ui	*ui = data;
	struct winsize	 ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
	ui_redraw_soon(ui);
	return G_SOURCE_CONTINUE;
}

static gboolean
ui_quit_cb(gpointer data)
{
	struct ui	*ui = data;

	if (ui->loop != NULL)
		g_main_loop_quit(ui->loop);
	return G_SOURCE_CONTINUE;
}

void
ui_attach(struct ui *ui, GMainLoop *loop)
{
	ui->loop = loop;
	ui->stdin_id = g_unix_fd_add(STDIN_FILENO, G_IO_IN | G_IO_HUP |
	    G_IO_ERR, ui_stdin_cb, ui);
	ui->timer_id = g_timeout_add(UI_REFRESH_MS, ui_timer_cb, ui);
	/* After newterm(): these replace the handlers curses put there. */
	ui->signal_ids[0] = g_unix_signal_add(SIGWINCH, ui_winch_cb, ui);
	ui->signal_ids[1] = g_unix_signal_add(SIGINT, ui_quit_cb, ui);
	ui->signal_ids[2] = g_unix_signal_add(SIGTERM, ui_quit_cb, ui);
	/* Proxy mode reloads its settings on SIGHUP: not ours then. */
	if (!ui->ctx.keep_hup)
		ui->signal_ids[3] = g_unix_signal_add(SIGHUP, ui_quit_cb,
		    ui);
	ui_redraw_soon(ui);
}

void
ui_free(struct ui *ui)
{
	size_t	 i;

	if (ui == NULL)
		return;
	if (ui->redraw_id != 0)
		g_source_remove(ui->redraw_id);
	if (ui->timer_id != 0)
		g_source_remove(ui->timer_id);
	if (ui->stdin_id != 0)
		g_source_remove(ui->stdin_id);
	for (i = 0; i < G_N_ELEMENTS(ui->signal_ids); i++)
		if (ui->signal_ids[i] != 0)
			g_source_remove(ui->signal_ids[i]);
	while (ui->depth > 0) {
		ui->depth--;
		ui->stack[ui->depth].entry->destroy(ui->stack[ui->depth].data);
	}
	ui_restore_terminal();
	ui_fatal_handlers(false);
	delscreen(ui->term);
	ui_history_free(ui->history);
	if (ui->timing != NULL)
		fclose(ui->timing);
	g_free(ui);
}
