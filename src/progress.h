/*
 * A progress bar on stderr while a large capture file is read: percent,
 * bar, throughput and time left on one line that redraws in place.
 */
#ifndef RTMPSCOPE_PROGRESS_H
#define RTMPSCOPE_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#define PROGRESS_MIN_BYTES	(8U * 1024U * 1024U)	/* smaller: no bar */
#define PROGRESS_INTERVAL_US	200000			/* between redraws */

struct progress;

/*
 * NULL when stderr is not a terminal or the file is too small to wait
 * for; every other function takes NULL and does nothing, so callers need
 * not check.
 */
struct progress	*progress_new(uint64_t total_bytes);
/*
 * Whether progress_update() would redraw now: lets the caller skip
 * asking how far it is (capture_progress() costs a system call).
 */
bool		 progress_due(const struct progress *);
/* Cheap when not due: redraws at most every PROGRESS_INTERVAL_US. */
void		 progress_update(struct progress *, uint64_t done);
/* Clears the line and frees. */
void		 progress_done(struct progress *);

#endif
