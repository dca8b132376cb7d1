/*
 * Where decoders put what they found.
 *
 * A decoder never prints: it calls a field sink with keys and typed values,
 * in order.  The JSON dump, the text dump and (later) the session model each
 * implement a sink, so one decoder serves them all.  Inside an object every
 * value is preceded by a key; inside an array values come without keys.
 */
#ifndef RTMPSCOPE_FIELD_SINK_H
#define RTMPSCOPE_FIELD_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct field_sink;

struct field_sink_ops {
	/* Keys are bytes too: AMF names from the wire end by length. */
	void	(*key)(struct field_sink *, const char *key, size_t len);
	void	(*uint)(struct field_sink *, uint64_t);
	void	(*sint)(struct field_sink *, int64_t);
	void	(*number)(struct field_sink *, double);
	void	(*boolean)(struct field_sink *, bool);
	void	(*null)(struct field_sink *);
	/* Raw bytes from the wire; the sink escapes them as it needs. */
	void	(*string)(struct field_sink *, const char *, size_t);
	void	(*begin)(struct field_sink *, bool array);
	void	(*end)(struct field_sink *, bool array);
	/*
	 * A phrase for people ("connect #1 app=live", "key avc seq-hdr
	 * 1280x720"), before or after the fields.  Machine formats ignore it;
	 * the text dump prints it in place of the fields.
	 */
	void	(*note)(struct field_sink *, const char *, size_t);
};

struct field_sink {
	const struct field_sink_ops	*ops;
};

static inline void
field_uint(struct field_sink *s, const char *key, uint64_t v)
{
	s->ops->key(s, key, strlen(key));
	s->ops->uint(s, v);
}

static inline void
field_sint(struct field_sink *s, const char *key, int64_t v)
{
	s->ops->key(s, key, strlen(key));
	s->ops->sint(s, v);
}

static inline void
field_number(struct field_sink *s, const char *key, double v)
{
	s->ops->key(s, key, strlen(key));
	s->ops->number(s, v);
}

static inline void
field_bool(struct field_sink *s, const char *key, bool v)
{
	s->ops->key(s, key, strlen(key));
	s->ops->boolean(s, v);
}

static inline void
field_null(struct field_sink *s, const char *key)
{
	s->ops->key(s, key, strlen(key));
	s->ops->null(s);
}

static inline void
field_str(struct field_sink *s, const char *key, const char *v, size_t n)
{
	s->ops->key(s, key, strlen(key));
	s->ops->string(s, v, n);
}

/* A NUL-terminated string constant, such as a name from a table. */
void	field_cstr(struct field_sink *, const char *key, const char *v);

/* A bounded buffer to build a note in; output past its end is dropped. */
struct note {
	char	 buf[256];
	size_t	 len;
};

void	note_init(struct note *);
void	note_add(struct note *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Appends a constant string: no formatting on the per-message path. */
void	note_add_str(struct note *, const char *);
/* Appends bytes from the wire, control characters shown as '.'. */
void	note_add_bytes(struct note *, const char *, size_t);
void	note_emit(struct note *, struct field_sink *);

#endif
