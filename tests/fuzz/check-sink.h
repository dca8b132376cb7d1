/*
 * A field sink for the fuzz harnesses that keeps nothing and checks the
 * field-sink contract (field-sink.h) as the calls come: every begin has an
 * end of the same kind, a value inside an object follows a key, an array
 * holds values without keys, a note never splits a key from its value.
 * Every byte a decoder hands over is read, so that ASan sees a pointer that
 * leaves its buffer.  A violation abort()s: libFuzzer reports it as a crash
 * and keeps the input.
 */
#ifndef RTMPSCOPE_FUZZ_CHECK_SINK_H
#define RTMPSCOPE_FUZZ_CHECK_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "field-sink.h"
#include "message.h"

/* Deeper than any decoder may nest (LIMIT_AMF_DEPTH and its wrappers). */
#define CHECK_DEPTH_MAX	256U

struct check_sink {
	struct field_sink	 sink;	/* first: a check_sink is a sink */
	bool			 top_array;	/* the top level holds no keys */
	bool			 array[CHECK_DEPTH_MAX]; /* open containers */
	unsigned		 depth;
	bool			 key_pending;
	uint64_t		 values;	/* complete top-level values */
	unsigned		 sum;		/* of every byte read */
};

void	check_sink_init(struct check_sink *, bool top_array);
/* Nothing left open: called where a decoder's output must be complete. */
void	check_sink_done(struct check_sink *, const char *where);
void	check_fail(const char *, ...) __attribute__((noreturn,
	    format(printf, 1, 2)));
/* Reads n bytes so that ASan checks the range. */
void	check_touch(struct check_sink *, const void *, size_t);

/*
 * Decodes a message into a fresh check_sink and checks the result; walks
 * the sub-messages of an aggregate the way the session layer does.
 */
enum msg_status	check_message(const struct rtmp_message *);

#endif
