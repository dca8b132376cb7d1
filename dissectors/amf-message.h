/*
 * What the command, data and shared-object decoders share: walking the AMF0
 * values of a message body and copying chosen ones to the top level.
 */
#ifndef RTMPSCOPE_AMF_MESSAGE_H
#define RTMPSCOPE_AMF_MESSAGE_H

#include "amf.h"

#define AMF_MESSAGE_ARGS	8	/* argument positions remembered */

/*
 * A key copied from an object to the top level, under a name that cannot
 * clash with the envelope's keys (connect's "type", play2's "len").
 */
struct amf_key_copy {
	const char	*wire;
	const char	*as;
};

struct amf_message {
	struct amf_refs	 refs;
	struct cursor	 c;		/* after the values walked so far */
	uint32_t	 args[AMF_MESSAGE_ARGS];	/* offsets */
	uint32_t	 nargs;
	enum msg_status	 status;	/* of the walk */
};

/* Starts on a body, past the leading byte of the AMF3 types. */
void	amf_message_init(struct amf_message *, const struct rtmp_message *,
	    bool amf3);
/* Walks the remaining values, remembering where the first ones start. */
void	amf_message_walk(struct amf_message *);
/* The marker of argument i, or 0xff when there is none. */
uint8_t	amf_message_marker(const struct amf_message *, uint32_t i);
/* Copies keys of the object at argument i to the top level (and the note). */
void	amf_message_copy_keys(struct amf_message *, uint32_t i,
	    const struct amf_key_copy *keys, struct field_sink *,
	    struct note *, bool emit);
/* Emits argument i's value under a key (and in the note). */
void	amf_message_copy_arg(struct amf_message *, uint32_t i,
	    const char *key, struct field_sink *, struct note *, bool emit);
/* Emits "args": every value from argument `from` on, in full. */
enum msg_status	amf_message_args(struct amf_message *, uint32_t from,
	    struct field_sink *);

#endif
