/*
 * --simulate-origin: runs the simulated RTMP origin (origin.h) on a main
 * loop until SIGINT, SIGTERM or --duration.
 */
#ifndef RTMPSCOPE_RUN_ORIGIN_H
#define RTMPSCOPE_RUN_ORIGIN_H

#include "options.h"

/* The exit status: 0, 1 on a failure to listen, 2 on a bad --fault. */
int	run_origin(const struct options *);

#endif
