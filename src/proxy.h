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

struct proxy_config {
	char		*listen;		/* "ADDR:PORT" */
	unsigned	 max_connections;	/* 1000 */
	unsigned	 connect_timeout_ms;	/* to a backend: 3000 */
	unsigned	 handshake_timeout_ms;	/* 5000 */
	unsigned	 idle_timeout_ms;	/* 60000 */
	unsigned	 queue_bytes;		/* per direction: 1 MiB */
	unsigned	 drain_timeout_ms;	/* SIGTERM: 10000 */
	unsigned	 hold_down_ms;		/* backend_pool_set_hold_down: 10000 */
};

struct proxy_stats {
	uint64_t	 accepted;
	uint64_t	 refused;	/* over max_connections, no backend up */
	uint64_t	 active;
	uint64_t	 bytes_c2b;
	uint64_t	 bytes_b2c;
	uint64_t	 backend_failures;	/* connects refused or timed out */
};

struct proxy;

void		 proxy_config_defaults(struct proxy_config *);
void		 proxy_config_clear(struct proxy_config *);

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
void		 proxy_free(struct proxy *);

#endif
