/*
 * A field sink that records what a decoder emitted, so that a message is
 * decoded once and replayed into every sink that wants it (JSON dump, text
 * dump, session model).  Keys, strings and notes are copied: a decoder may
 * emit them from its own stack.
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
	FIELD_NOTE,
};

struct field_entry {
	enum field_op	 op;
	bool		 array;		/* FIELD_BEGIN, FIELD_END */
	size_t		 off;		/* FIELD_KEY, FIELD_STRING, FIELD_NOTE: */
	size_t		 len;		/* the bytes in field_record.bytes */
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
	GString			*bytes;	/* keys, strings and notes */
};

void	field_record_init(struct field_record *);
void	field_record_clear(struct field_record *);
void	field_record_free(struct field_record *);
void	field_record_replay(const struct field_record *, struct field_sink *);
/* The value entry of a top-level key, or NULL. */
const struct field_entry *field_record_get(const struct field_record *,
	    const char *key);
/* A top-level string field (NULL if absent or not a string). */
const char	*field_record_string(const struct field_record *,
		    const char *key, size_t *len);
/* A top-level number field of any numeric kind; false if there is none. */
bool		 field_record_number(const struct field_record *,
		    const char *key, double *);
/* The bytes of a key, string or note entry. */
/* A number that is a whole uint32_t (a stream id from a peer); else false. */
bool		 field_record_u32(const struct field_record *,
		    const char *key, uint32_t *);
/* Whether a string field is there and equals want. */
bool		 field_record_is(const struct field_record *,
		    const char *key, const char *want);
const char	*field_record_str(const struct field_record *,
		    const struct field_entry *);

#endif
