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
	uint16_t		 port;		/* default 1935 */
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
/* A deep copy: *dst is overwritten (clear it first if it held one). */
void		 backend_config_copy(struct backend_config *dst,
		    const struct backend_config *src);
/*
 * "HOST:PORT", "[V6ADDR]:PORT": the host (new string) and port 1-65535.
 * false, outputs untouched, on anything else.
 */
bool		 backend_address_parse(const char *, char **host,
		    uint16_t *port);
/*
 * A backend from --backend HOST:PORT: named by its address, at the given
 * priority (the flag's position), the other settings at their defaults.
 * FALSE with *err ("--backend: 'x' is not an address (HOST:PORT)").
 */
gboolean	 backend_config_from_flag(const char *hostport, int priority,
		    struct backend_config *, GError **err);

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
/*
 * A backend marked failed twice in a row by live traffic is held down
 * this long, whatever its checks say (proxy_config.hold_down_ms; 0: never).
 * Passive-only backends (CHECK_NONE) put down by marks come back up after
 * it too.  Default 10000.
 */
void		 backend_pool_set_hold_down(struct backend_pool *, unsigned ms);
/*
 * A backend for a new session, never `avoid`; NULL when none is up.
 * Picking does not count a session: backend_session_begin() does.
 */
struct backend	*backend_pool_pick(struct backend_pool *,
		    const struct backend *avoid);
/*
 * The proxy's part: begin when a session is relayed to a backend, end
 * when it leaves it (closed, or redirected elsewhere).  A draining
 * backend goes when its last session ends: the pointer must not be used
 * after the end of its last session.
 */
void		 backend_session_begin(struct backend_pool *, struct backend *);
void		 backend_session_end(struct backend_pool *, struct backend *);
/*
 * Live traffic says a backend failed (refused, reset, handshake timeout,
 * _error on connect): it counts toward `fall` like a failed check, and a
 * second mark in a row holds the backend down (held_down) for hold_down_ms.
 */
void		 backend_pool_mark_failed(struct backend_pool *,
		    struct backend *, const char *why);
/* Live traffic says a backend works (a session got its connect answered
 * with _result): the marks are no longer "in a row". */
void		 backend_pool_mark_ok(struct backend_pool *, struct backend *);
/*
 * Every backend, in priority order (struct backend *), draining ones
 * included: a new array the caller frees with g_ptr_array_unref(); the
 * backends stay the pool's.
 */
GPtrArray	*backend_pool_list(const struct backend_pool *);
struct backend	*backend_pool_find(const struct backend_pool *,
		    const char *name);

/* Told when a backend changes state (for events and the log port). */
typedef void	(*backend_state_fn)(void *ctx, const struct backend *,
		    enum backend_state old);
void		 backend_pool_watch(struct backend_pool *, backend_state_fn,
		    void *ctx);

const char	*backend_state_name(enum backend_state);
const char	*backend_check_name(enum backend_check);
const char	*balance_name(enum balance);
/* The words of the config file: none, tcp, handshake, connect ... */
bool		 backend_check_parse(const char *, enum backend_check *);
/* ... and priority, round-robin, least-sessions. */
bool		 balance_parse(const char *, enum balance *);

#endif
