/*
 * A field sink that records what a decoder emitted, so that a message is
 * decoded once and replayed into every sink that wants it (JSON dump, text
 * dump, session model).  String values point into the message body: a
 * record is valid only while its message is.
 */
#ifndef RTMPSCOPE_FIELD_RECORD_H
#define RTMPSCOPE_FIELD_RECORD_H

#include <glib.h>

#include "field-sink.h"

enum field_op {
	FIELD_KEY,
	FIELD_UINT,
	FIELD_SINT,
	FIELD_NUMBER,
	FIELD_BOOL,
	FIELD_NULL,
	FIELD_STRING,
	FIELD_BEGIN,
	FIELD_END,
};

struct field_entry {
	enum field_op	 op;
	bool		 array;		/* FIELD_BEGIN, FIELD_END */
	const char	*str;		/* FIELD_KEY, FIELD_STRING */
	size_t		 len;
	union {
		uint64_t u;
		int64_t	 i;
		double	 d;
		bool	 b;
	} v;
};

struct field_record {
	struct field_sink	 sink;	/* first: a record is a sink */
	GArray			*entries;
};

void	field_record_init(struct field_record *);
void	field_record_clear(struct field_record *);
void	field_record_free(struct field_record *);
void	field_record_replay(const struct field_record *, struct field_sink *);
/* The value entry of a top-level key, or NULL. */
const struct field_entry *field_record_get(const struct field_record *,
	    const char *key);

#endif
