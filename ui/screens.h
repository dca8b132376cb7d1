/*
 * The dashboard's screens and what they share.
 *
 * A screen is one file (screen-*.c) with a const descriptor, as tmux does
 * its commands: what it is called, the keys it takes (for the help
 * screen), and its functions.  ui.c keeps a stack of open screens, draws
 * the one on top between its own title and key lines, and hands it every
 * key first; a key handler never acts on the dashboard itself but says
 * what should happen next (enum ui_result).  Adding a screen is adding a
 * file and a row of ui_screens[].
 */
#ifndef RTMPSCOPE_UI_SCREENS_H
#define RTMPSCOPE_UI_SCREENS_H

#include <stdbool.h>
#include <stdint.h>

#include <curses.h>

#include "ui.h"

/* Colours by meaning; ui.c maps them to pairs, or to attributes alone. */
enum ui_colour {
	UI_NORMAL,
	UI_TITLE,	/* the top line */
	UI_HEADER,	/* column titles */
	UI_SELECTED,	/* the cursor's row */
	UI_OK,
	UI_WARN,
	UI_BAD,
	UI_DIM,		/* labels, quiet figures */
	UI_C2S,		/* client to server */
	UI_S2C,		/* server to client */
	UI_KEY,		/* key names in the key line */
	UI_SPARK,
	UI_PROMPT,	/* the filter being typed */
	UI_PAUSED,
	UI_COLOUR_COUNT,
};

/* What a key handler asks for. */
enum ui_result {
	UI_UNHANDLED,	/* not this screen's key: try the global ones */
	UI_HANDLED,	/* taken, nothing to show */
	UI_REDRAW,	/* taken, the screen changed */
	UI_BACK,	/* close this screen */
	UI_OPEN,	/* open the screen of struct ui_open */
	/* Ask the proxy to move struct ui_open's session (ui_view.redirect). */
	UI_REDIRECT,
	UI_QUIT,
};

struct ui_screen_entry;

struct ui_open {
	const struct ui_screen_entry	*entry;
	/* The session screen's session; with UI_REDIRECT, the one to move. */
	uint64_t			 session;
};

/* Figures the dashboard follows over time, per session (widget-rates.c). */
struct ui_rates {
	double		 kbps[2];	/* by direction, enum rtmp_dir */
	double		 fps;
	/* Frames per second of capture time, one value per second seen. */
	const float	*fps_history;
	unsigned int	 nfps;		/* values, oldest first */
};

struct ui_history;

/* Everything a screen draws with. */
struct ui_view {
	WINDOW				*win;
	int				 top;	/* the body: rows top.. */
	int				 rows;
	int				 cols;
	struct session_table		*sessions;
	struct backend_pool		*backends;	/* NULL: not a proxy */
	const struct ui_source_stats	*src;
	struct ui_history		*history;
	bool				 utf8;	/* the terminal takes UTF-8 */
	/* Proxy mode: r moves a session (a key returns UI_REDIRECT). */
	bool				 redirect;
};

struct ui_key_help {
	const char	*keys;
	const char	*what;
};

struct ui_screen_entry {
	const char			*name;
	/* The key that opens it from any screen (0: none). */
	int				 open_key;
	/* The key line: a few "key what" pairs. */
	const struct ui_key_help	*hints;
	/* The key line when r moves sessions (proxy mode); NULL: hints. */
	const struct ui_key_help	*redirect_hints;
	/* Every key, for the help screen; ends with { NULL, NULL }. */
	const struct ui_key_help	*keys;
	void		*(*create)(uint64_t session);
	void		 (*destroy)(void *);
	void		 (*draw)(void *, const struct ui_view *);
	enum ui_result	 (*key)(void *, const struct ui_view *, int key,
			    struct ui_open *);
	/* Non-NULL: a line of text being typed, shown in the key line. */
	const char	*(*prompt)(void *);
};

extern const struct ui_screen_entry	 ui_screen_sessions_entry;
extern const struct ui_screen_entry	 ui_screen_session_entry;
extern const struct ui_screen_entry	 ui_screen_events_entry;
extern const struct ui_screen_entry	 ui_screen_backends_entry;
extern const struct ui_screen_entry	 ui_screen_help_entry;
/* Every screen, the first the one the dashboard opens on; NULL ends it. */
extern const struct ui_screen_entry	*const ui_screens[];

/* ui.c */
attr_t		 ui_attr(enum ui_colour);
attr_t		 ui_health_attr(enum health);
/* A session by number, or NULL (gone, or never seen). */
struct session	*ui_find_session(struct session_table *, uint64_t id);
/* Keys the global dispatch takes (the help screen lists them). */
extern const struct ui_key_help	 ui_global_keys[];

/* widget-text.c: untrusted UTF-8 drawn to a count of columns. */
/* Whether the terminal takes UTF-8; otherwise non-ASCII becomes '?'. */
void		 ui_text_init(bool utf8);
/*
 * Draws text at (y, x) in at most maxcols columns after skipping skip
 * columns; control characters and bytes that are not UTF-8 become '?',
 * text that does not fit ends in an ellipsis if ellipsis is set.
 * Returns the columns drawn.
 */
int		 ui_text(WINDOW *, int y, int x, int maxcols, int skip,
		    bool ellipsis, const char *);
/* As ui_text, right-aligned in width columns. */
int		 ui_text_right(WINDOW *, int y, int x, int width, const char *);
/* The columns text takes (cleaned as ui_text would). */
int		 ui_text_cols(const char *);
/* Blanks the rest of the row from x in attr. */
void		 ui_fill(WINDOW *, int y, int x, int cols, attr_t);
void		 ui_fmt_kbps(char *, size_t, double kbps);
void		 ui_fmt_age(char *, size_t, double seconds);
void		 ui_fmt_bytes(char *, size_t, uint64_t);
/* Capture time as HH:MM:SS.mmm local time. */
void		 ui_fmt_clock(char *, size_t, double t);
/* Case-insensitive substring; an empty needle matches. */
bool		 ui_match(const char *haystack, const char *needle);
/* The state column's word: probing, handshake, active, closed, ... */
const char	*ui_state_name(const struct session *);
/* The problem that sets the session's health: the worst, latest. */
const struct session_problem *ui_main_problem(const struct session *);

/* widget-sparkline.c */
/*
 * Draws values (oldest first) as a sparkline of width columns, the newest
 * at the right; the scale runs from 0 to max (the largest value if 0).
 * Returns the largest value shown.
 */
double		 ui_sparkline(WINDOW *, int y, int x, int width, bool utf8,
		    const double *values, unsigned int n, double max);

/* widget-table.c: columns laid out to the terminal's width. */
struct ui_column {
	const char	*title;
	int		 min;		/* narrower than this: hidden */
	int		 want;		/* as wide as it needs */
	int		 keep;		/* 0 kept longest; higher dropped first */
	bool		 right;		/* numbers: right-aligned */
	bool		 grow;		/* takes what is left over */
};

/*
 * Gives each column a width (0: hidden) and a position within cols,
 * one blank between columns: the least kept columns go first when the
 * minimums do not fit; the room left goes to the most kept up to what
 * they want, then to the growing ones.
 */
void		 ui_table_layout(const struct ui_column *, int n, int cols,
		    int *x, int *width);
/* The header row, the sorted column marked (sort < 0: none). */
void		 ui_table_header(WINDOW *, int y, const struct ui_column *,
		    int n, const int *x, const int *width, int sort,
		    bool reverse, bool utf8);
/* The first row to show so that the cursor's row is on screen. */
int		 ui_table_scroll(int cursor, int scroll, int rows, int nrows);

/* The rows of a table under its header, cell by cell. */
struct ui_table_rows {
	const struct ui_column	*cols;
	int			 n;		/* columns */
	const int		*x, *width;	/* ui_table_layout's */
	int			 y, lines;	/* where, how many at most */
	int			 first;		/* the first row shown */
	int			 cursor;	/* the selected row */
	int			 nrows;
	/*
	 * Row row's text of column col into buf, and its colour into *attr
	 * (given the row's).  On the cursor's row every cell takes the
	 * row's colour, keeping only its A_BOLD.
	 */
	void			(*cell)(void *ctx, int row, int col,
				    char *buf, size_t len, attr_t *attr);
	void			*ctx;
};

void		 ui_table_rows(WINDOW *, const struct ui_table_rows *);

/* widget-rates.c: rates the dashboard works out by sampling the model. */
struct ui_history	*ui_history_new(void);
void			 ui_history_free(struct ui_history *);
/* Samples every session's counters at capture time now. */
void			 ui_history_sample(struct ui_history *,
			    struct session_table *, double now);
/* The rates of a session (zeros until it has been sampled twice). */
void			 ui_history_rates(struct ui_history *,
			    const struct session *, struct ui_rates *);

#endif
