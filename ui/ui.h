/*
 * The dashboard: an ncurses view of the session model, the way htop shows
 * processes.  It reads the model (session.h) and never parses bytes; it
 * owns the terminal while it runs (init, colours by meaning, teardown on
 * exit, on a signal and on a crash).
 *
 * It lives in the program's one GMainLoop: ui_attach() adds the keyboard
 * (stdin), a redraw timer, SIGWINCH, and INT/TERM/HUP (which quit; HUP
 * stays the caller's with keep_hup); timers and model changes only mark
 * the screen dirty, one place redraws.  Quitting (q) calls g_main_loop_quit.
 */
#ifndef RTMPSCOPE_UI_H
#define RTMPSCOPE_UI_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "session.h"

struct backend_pool;

/* What the source says about itself, for the header line. */
struct ui_source_stats {
	const char	*source;	/* file name or interface */
	bool		 live;
	bool		 done;		/* a file read to its end */
	bool		 paused;	/* reading paused (space) */
	uint64_t	 packets;
	const char	*packets_name;	/* what packets counts; NULL: packets */
	uint64_t	 bytes;
	uint64_t	 drops;		/* kernel/interface drops (live) */
	uint64_t	 progress_done;	/* bytes of the file read */
	uint64_t	 progress_total;
	double		 now;		/* capture (or wall) time now */
	double		 first;		/* time of the first packet, 0 none */
	const char	*error;		/* why reading stopped early, or NULL */
	const char	*pace;		/* "fast", "realtime", NULL (live) */
};

struct ui_context {
	struct session_table	*sessions;
	/* Fills the source's figures; called at each redraw. */
	void			 (*stats)(void *ctx, struct ui_source_stats *);
	/* Space: pause or resume reading (the UI shows it). */
	void			 (*pause)(void *ctx, bool paused);
	void			*ctx;
	/* Proxy mode: the backends (the Backends screen); NULL otherwise. */
	struct backend_pool	*backends;
	/* SIGHUP is the caller's (proxy mode reloads): the UI leaves it. */
	bool			 keep_hup;
	/*
	 * Proxy mode: key r asks to move a session to another backend; true
	 * when the move has begun, else false with *why.  NULL otherwise.
	 */
	bool			 (*redirect)(void *ctx, uint64_t session_id,
				    const char **why);
	void			*redirect_ctx;
};

struct ui;

/* Takes the terminal; NULL with *err when it cannot (no terminal). */
struct ui	*ui_new(const struct ui_context *, GError **err);
void		 ui_attach(struct ui *, GMainLoop *);
void		 ui_mark_dirty(struct ui *);
/* Gives the terminal back as it was. */
void		 ui_free(struct ui *);

#endif
