/*
 * The ladder: one session's exchange drawn as a text sequence diagram,
 * client lifeline on the left, server on the right, one arrow per entry
 * of the session model's ladder (session.h, struct ladder_entry).
 */
#ifndef RTMPSCOPE_LADDER_H
#define RTMPSCOPE_LADDER_H

#include <stdio.h>

#include "session.h"

#define LADDER_WIDTH	100	/* columns when the caller has no terminal */
#define LADDER_MIN_WIDTH 40	/* narrower than this cannot hold an arrow */

/*
 * Prints the diagram in at most width columns (0 or less: LADDER_WIDTH).
 * The output is UTF-8: the ellipsis of cut text and the multiplication
 * sign of media runs are the only characters outside ASCII it adds.
 */
void	ladder_print(FILE *out, const struct session *s, int width);

#endif
