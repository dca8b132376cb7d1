/*
 * The backend pool of proxy mode: the media servers rtmpscope relays to,
 * their health (active checks with HAProxy-like rise/fall counts, passive
 * marks from live traffic) and the choice of a backend for a new session.
 *
 *  state     gets new sessions   how it gets there
 *  up        yes                 `rise` checks in a row succeeded
 *  down      no                  `fall` checks in a row failed, or passive marks
 *  draining  no                  removed by a reload: its sessions go on
 *
 * A backend starts up (optimistic, like HAProxy) unless its first check
 * fails.  Checks run on the main loop: a non-blocking TCP connect, then,
 * by the check kind, a full RTMP handshake and a connect to an application
 * answered by _result.
 */
#ifndef RTMPSCOPE_BACKENDS_H
#define RTMPSCOPE_BACKENDS_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

enum backend_state {
	BACKEND_UP,
	BACKEND_DOWN,
	BACKEND_DRAINING,
};

enum backend_check {
	CHECK_NONE,		/* passive marks only */
	CHECK_TCP,		/* a TCP connect */
	CHECK_HANDSHAKE,	/* TCP, then C0C1/S0S1S2/C2 */
	CHECK_CONNECT,		/* the handshake, then connect(app) -> _result */
};

enum balance {
	BALANCE_PRIORITY,	/* the first up backend by priority (default) */
	BALANCE_ROUND_ROBIN,	/* up backends in turn, by weight */
	BALANCE_LEAST_SESSIONS,	/* the up backend with the fewest sessions */
};

struct backend_config {
	char			*name;
	char			*host;
	uint16_t		 port;
	int			 priority;	/* lower first; default: order given */
	unsigned		 weight;	/* round robin; default 1 */
	enum backend_check	 check;		/* default CHECK_HANDSHAKE */
	char			*check_app;	/* CHECK_CONNECT: the application */
	unsigned		 interval_ms;	/* 2000 */
	unsigned		 timeout_ms;	/* 1000 */
	unsigned		 rise;		/* 2 */
	unsigned		 fall;		/* 3 */
};

struct backend {
	struct backend_config	 cfg;
	enum backend_state	 state;
	unsigned		 ok_in_row;
	unsigned		 failed_in_row;
	uint64_t		 checks_ok;
	uint64_t		 checks_failed;
	double			 last_check;	/* wall time, seconds */
	double			 check_ms;	/* latency of the last good check */
	char			*last_error;	/* NULL when none */
	double			 state_since;
	uint64_t		 sessions;	/* relayed now */
	uint64_t		 sessions_total;
	uint64_t		 bytes_to;	/* client -> backend */
	uint64_t		 bytes_from;
	bool			 held_down;	/* after failing twice: a pause */
};

struct backend_pool;

void		 backend_config_defaults(struct backend_config *);
void		 backend_config_clear(struct backend_config *);

struct backend_pool *backend_pool_new(enum balance);
void		 backend_pool_free(struct backend_pool *);
/*
 * Sets the backends (at start and on SIGHUP): new ones are added, known
 * ones (same name) take their new settings, missing ones drain and go
 * when their last session has.  Checks start or stop with them.
 */
void		 backend_pool_set(struct backend_pool *,
		    const struct backend_config *, size_t n);
void		 backend_pool_set_balance(struct backend_pool *, enum balance);
/* A backend for a new session, never `avoid`; NULL when none is up. */
struct backend	*backend_pool_pick(struct backend_pool *,
		    const struct backend *avoid);
/* Live traffic says a backend failed (refused, reset, _error on connect). */
void		 backend_pool_mark_failed(struct backend_pool *,
		    struct backend *, const char *why);
/* Every backend, in priority order (struct backend *). */
GPtrArray	*backend_pool_list(const struct backend_pool *);
struct backend	*backend_pool_find(const struct backend_pool *,
		    const char *name);

/* Told when a backend changes state (for events and the log port). */
typedef void	(*backend_state_fn)(void *ctx, const struct backend *,
		    enum backend_state old);
void		 backend_pool_watch(struct backend_pool *, backend_state_fn,
		    void *ctx);

const char	*backend_state_name(enum backend_state);
bool		 backend_check_parse(const char *, enum backend_check *);
bool		 balance_parse(const char *, enum balance *);

#endif
