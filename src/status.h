/*
 * The status endpoints (the seed's ports): an HTTP server (--http, default
 * 127.0.0.1:10083) answering
 *   GET /api/sessions        every session, as the report's JSON sessions
 *   GET /api/sessions/ID     one session
 *   GET /api/backends        the backend pool (proxy mode)
 *   GET /api/events          every problem (and redirect), newest first
 *   POST /api/sessions/ID/redirect   move a proxied session (202)
 *   GET /metrics             Prometheus text format
 * and the event log (--log-port, default 127.0.0.1:10081): every event as
 * one JSON line to every connected reader (a slow reader is dropped, never
 * waited for).  Both run on the main loop, in live-capture and proxy mode.
 */
#ifndef RTMPSCOPE_STATUS_H
#define RTMPSCOPE_STATUS_H

#include <gio/gio.h>

#include "backends.h"
#include "session.h"

struct proxy;

#define STATUS_HTTP_PORT	10083
#define STATUS_LOG_PORT		10081

struct status_sources {
	struct session_table	*sessions;
	struct backend_pool	*backends;	/* NULL unless proxy mode */
	const char		*mode;		/* "live", "proxy" */
	/* Source figures for /metrics (may be NULL). */
	void			 (*figures)(void *ctx, uint64_t *packets,
				    uint64_t *bytes, uint64_t *drops);
	void			*ctx;
	/* Proxy mode: the proxy's own events (NULL: none). */
	struct proxy		*proxy;
	/* Proxy mode: POST /api/sessions/ID/redirect (NULL: none). */
	bool			 (*redirect)(void *ctx, uint64_t id,
				    const char **why);
	void			*redirect_ctx;
};

struct status;

/*
 * Starts the HTTP server on http ("[ADDR:]PORT", NULL: none) and the event
 * log on log ("[ADDR:]PORT", NULL: none).  Without an address, 127.0.0.1.
 */
struct status	*status_new(const struct status_sources *, const char *http,
		    const char *log, GError **err);
/*
 * Stops both servers.  The session table and the backend pool keep the
 * observer and the watcher status_new gave them, and cannot forget them:
 * call this once both are done, after run_end() and backend_pool_free().
 * Readers of the event log then also get the session ends run_end tells.
 */
void		 status_free(struct status *);

/*
 * "[ADDR:]PORT" of the flag (without its dashes: "http", "log-port"):
 * "PORT" is 127.0.0.1:PORT, "ADDR:PORT", "[V6ADDR]:PORT", and an address
 * alone takes default_port.  ADDR is an IP address or "localhost".  FALSE
 * with *err (G_OPTION_ERROR_BAD_VALUE, one line naming the flag) on a bad
 * value; options and config parsing may call it to check a value early.
 */
gboolean	 status_parse_address(const char *flag, const char *value,
		    uint16_t default_port, GSocketAddress **out, GError **err);
/* Both values (NULL: not given) are good; for option parsing. */
gboolean	 status_check_addresses(const char *http, const char *log,
		    GError **err);

#endif
