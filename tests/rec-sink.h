/*
 * A field sink for the unit tests that records every field as "key=value;"
 * (objects and arrays as "{...};" and "[...];") in a buffer, cut at its
 * size, and counts what it was given.
 */
#ifndef RTMPSCOPE_TESTS_REC_SINK_H
#define RTMPSCOPE_TESTS_REC_SINK_H

#include <stddef.h>

#include "field-sink.h"

struct rec_sink {
	struct field_sink	 sink;
	char			 buf[4096];
	size_t			 len;
	unsigned		 calls;
};

void	rec_init(struct rec_sink *);

#endif
