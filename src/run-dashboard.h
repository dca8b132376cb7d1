/*
 * The dashboard over a capture file (-r with a terminal and neither
 * --dump nor --report): the file is read in slices from the main loop,
 * as fast as it goes or at the pace it was captured (--replay), and the
 * dashboard stays open on what was found until q.
 */
#ifndef RTMPSCOPE_RUN_DASHBOARD_H
#define RTMPSCOPE_RUN_DASHBOARD_H

#include "health.h"
#include "options.h"

/* Returns the exit status. */
int	run_dashboard(const struct options *, const struct health_config *);

#endif
