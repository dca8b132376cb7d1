/*
 * Proxy mode (--listen): the relay, the backend pool and the status
 * endpoints on one GMainLoop, and the report of the other modes at the
 * end.  SIGHUP reloads the config file (backends and the [proxy] settings
 * that can change) without dropping sessions; SIGTERM drains (no new
 * clients; the open sessions end, or are closed after drain_timeout_ms);
 * SIGINT, a second SIGTERM and --duration stop at once.
 */
#ifndef RTMPSCOPE_RUN_PROXY_H
#define RTMPSCOPE_RUN_PROXY_H

#include "health.h"
#include "options.h"

/* Returns the exit status. */
int	run_proxy(const struct options *, const struct health_config *);

#endif
