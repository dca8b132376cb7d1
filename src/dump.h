/*
 * The message dump (--dump=json|text): a session observer that prints one
 * record per RTMP message and handshake step, as the contract in the
 * architecture page says.  It never parses bytes: it prints the envelope
 * and replays the fields the decoders recorded.
 */
#ifndef RTMPSCOPE_DUMP_H
#define RTMPSCOPE_DUMP_H

#include <stdio.h>

#include "session.h"

enum dump_format {
	DUMP_NONE,
	DUMP_TEXT,
	DUMP_JSON,
};

struct dump;

struct dump	*dump_new(enum dump_format, FILE *);
void		 dump_free(struct dump *);
/* The observer to register with session_table_observe(). */
void		 dump_observer(struct dump *, struct session_observer *);
/* Flushes what is buffered; false on a write error (errno set). */
bool		 dump_flush(struct dump *);

/* A buffered writer shared by the JSON and text formats. */
struct dump_out {
	FILE	*fp;
	char	*buf;
	size_t	 len;
	size_t	 cap;
	bool	 failed;
};

void	dump_out_bytes(struct dump_out *, const char *, size_t);
void	dump_out_str(struct dump_out *, const char *);
void	dump_out_printf(struct dump_out *, const char *, ...)
	    G_GNUC_PRINTF(2, 3);
void	dump_out_u64(struct dump_out *, uint64_t);
void	dump_out_i64(struct dump_out *, int64_t);
void	dump_out_double(struct dump_out *, double);
void	dump_out_seconds(struct dump_out *, double, int width);
/* One record is complete: flush when the buffer is full enough. */
void	dump_out_end_record(struct dump_out *);

/*
 * The --dump=text form of a record: its start (time relative to t0,
 * client > or < server, direction) and a message's rest.
 */
void	dump_text_envelope(struct dump_out *, const struct session *,
	    enum rtmp_dir, double t0);
void	dump_text_message(struct dump_out *, const struct rtmp_message *,
	    const struct field_record *, enum msg_status);

/* JSON: the sink writing values, and string quoting. */
struct json_sink {
	struct field_sink	 sink;
	struct dump_out		*out;
	bool			 first;		/* no comma before next item */
	bool			 after_key;
};

void	json_sink_init(struct json_sink *, struct dump_out *);
void	json_out_string(struct dump_out *, const char *, size_t);

/* Text: key=value pairs for people. */
struct text_sink {
	struct field_sink	 sink;
	struct dump_out		*out;
	int			 depth;
	bool			 first;
	bool			 quiet;		/* a note said it all */
	bool			 cut;		/* a nested value was cut */
	size_t			 nested_start;	/* out->len at its start */
	size_t			 start;		/* out->len at the first field */
};

void	text_sink_init(struct text_sink *, struct dump_out *);

#endif
