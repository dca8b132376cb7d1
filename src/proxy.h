/*
 * Proxy mode: accept RTMP clients, connect each to a backend of the pool,
 * relay both directions byte for byte on the main loop, and feed what
 * passes to the session layer (session_feed), so the dump, the report, the
 * dashboard and the health rules see proxied sessions like captured ones.
 *
 * Each direction has a bounded queue: while the slow side's queue is over
 * queue_bytes, the fast side is not read (backpressure).  A connection
 * whose handshake does not complete within handshake_timeout_ms, or that
 * is idle for idle_timeout_ms, is closed; max_connections bounds clients.
 * A half-close is passed on.  The backend side of a connection can be
 * swapped while the client stays (the redirect builds on it).
 */
#ifndef RTMPSCOPE_PROXY_H
#define RTMPSCOPE_PROXY_H

#include <glib.h>

#include "backends.h"
#include "session.h"

/* What a redirect does ([proxy] redirect). */
enum redirect_mode {
	REDIRECT_FAILOVER,	/* carry the session to another backend */
	REDIRECT_RTMP302,	/* at connect: _error with ex.code 302 */
	REDIRECT_RECONNECT,	/* E-RTMP v2 NetConnection.Connect.ReconnectRequest */
	REDIRECT_DROP,		/* close the client: it reconnects */
};

/* When a session is redirected ([proxy] redirect_on): a bit each. */
enum redirect_rule {
	RULE_BACKEND_CLOSE = 1 << 0,	/* backend-close and backend-reset */
	RULE_BACKEND_DOWN = 1 << 1,	/* the checks put its backend down */
	RULE_STALL = 1 << 2,		/* a player's media stalled */
	RULE_PING_TIMEOUT = 1 << 3,	/* the backend left a ping unanswered */
	RULE_STREAM_ERROR = 1 << 4,	/* onStatus level error */
	RULE_CONNECT_REJECTED = 1 << 5,	/* _error for connect */
	RULE_ALL = (1 << 6) - 1,
};

struct proxy_config {
	char		*listen;		/* "ADDR:PORT" */
	unsigned	 max_connections;	/* 1000 */
	unsigned	 connect_timeout_ms;	/* to a backend: 3000 */
	unsigned	 handshake_timeout_ms;	/* 5000 */
	unsigned	 idle_timeout_ms;	/* 60000 */
	unsigned	 queue_bytes;		/* per direction: 1 MiB */
	unsigned	 drain_timeout_ms;	/* SIGTERM: 10000 */
	unsigned	 hold_down_ms;		/* backend_pool_set_hold_down: 10000 */
	enum redirect_mode redirect;		/* failover */
	unsigned	 redirect_on;		/* enum redirect_rule: all */
	unsigned	 redirect_stall_ms;	/* a player without media: 1000 */
	unsigned	 redirect_max_per_minute; /* per session: 3 */
};

struct proxy_stats {
	uint64_t	 accepted;
	uint64_t	 refused;	/* over max_connections, no backend up */
	uint64_t	 active;
	uint64_t	 bytes_c2b;
	uint64_t	 bytes_b2c;
	uint64_t	 backend_failures;	/* connects refused or timed out */
	uint64_t	 redirects;		/* sessions moved or sent away */
	uint64_t	 redirects_failed;
};

/*
 * What the proxy did to a connection on its own, with why: refused it,
 * closed it on a timeout, found it not RTMP.  Told to watchers (the
 * status endpoints' events and log, the standard error when headless).
 */
struct proxy_event {
	double		 at;
	const char	*what;		/* "refused", "not-rtmp", ... */
	char		 client[ENDPOINT_STRLEN];
	const char	*backend;	/* its name, or NULL */
	uint64_t	 session;	/* 0: none */
	char		 detail[160];
};

typedef void	(*proxy_event_fn)(void *ctx, const struct proxy_event *);

struct proxy;

void		 proxy_config_defaults(struct proxy_config *);
void		 proxy_config_clear(struct proxy_config *);

/* "failover", "rtmp302", "reconnect-request", "drop". */
const char	*redirect_mode_name(enum redirect_mode);
bool		 redirect_mode_parse(const char *, enum redirect_mode *);
/*
 * A list of rules separated by ',', ';' or spaces: backend-close,
 * backend-down, stall, ping-timeout, stream-error, connect-rejected, all
 * or none.  False (*mask untouched) on an unknown word.
 */
bool		 redirect_rules_parse(const char *, unsigned *mask);

/* Listens; NULL with *err (address in use, permission) on failure. */
struct proxy	*proxy_new(const struct proxy_config *, struct backend_pool *,
		    struct session_table *, GError **err);
/*
 * New settings (SIGHUP): they apply to the next connection and the next
 * timeout check; the listening address stays what it was.
 */
void		 proxy_set_config(struct proxy *, const struct proxy_config *);
/* Stops accepting; calls done when every connection has ended or after
 * drain_timeout_ms (then closing what is left). */
void		 proxy_drain(struct proxy *, void (*done)(void *), void *ctx);
const struct proxy_stats *proxy_get_stats(const struct proxy *);
/* Up to PROXY_WATCHERS watchers of struct proxy_event. */
#define PROXY_WATCHERS	4
void		 proxy_watch(struct proxy *, proxy_event_fn, void *ctx);
/*
 * Moves a session by hand (the dashboard's r, POST .../redirect), with
 * the configured mode.  False with *why when there is no such proxied
 * session or it cannot move now (not connected yet, moving already).
 */
bool		 proxy_redirect(struct proxy *, uint64_t session_id,
		    const char **why);
void		 proxy_free(struct proxy *);

#endif
