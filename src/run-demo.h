/*
 * --demo: the proxy at work, with nothing else installed.  On loopback,
 * in this one process and main loop: two simulated origins (origin.h),
 * the proxy in front of them (run_proxy, with its dashboard, status API
 * and report), then one publisher and three players of live/demo through
 * the proxy (sim-client.h).  Origin 1 stops sending media to each player
 * 6 s into its play and dies at 10 s; the proxy carries the players (its
 * stall rule) and the publisher (the backend closed) to origin 2, and the
 * clients never notice.
 *
 * The addresses are printed on stderr at the start, one line each.  While
 * the dashboard is open, what would go to stderr goes to a log file, named
 * at the end.
 */
#ifndef RTMPSCOPE_RUN_DEMO_H
#define RTMPSCOPE_RUN_DEMO_H

#include "health.h"
#include "options.h"

/* Returns the exit status. */
int	run_demo(const struct options *, const struct health_config *);

#endif
