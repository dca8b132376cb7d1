/*
 * RTMP messages and the decoder registry.
 *
 * The chunk demultiplexer hands over whole messages: the envelope (type,
 * length, stream id, absolute timestamp) and the bytes of the body that the
 * message's decoder asked to keep.  Each message family lives in a file of
 * its own (msg-control.c, msg-user-control.c, ...) and exports one
 * msg_decoder per type; msg-registry.c lists them.  Adding a type is adding
 * one row there.
 */
#ifndef RTMPSCOPE_MESSAGE_H
#define RTMPSCOPE_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "field-sink.h"

enum rtmp_type {
	RTMP_SET_CHUNK_SIZE = 1,
	RTMP_ABORT = 2,
	RTMP_ACK = 3,
	RTMP_USER_CONTROL = 4,
	RTMP_WINDOW_ACK_SIZE = 5,
	RTMP_SET_PEER_BANDWIDTH = 6,
	RTMP_AUDIO = 8,
	RTMP_VIDEO = 9,
	RTMP_DATA_AMF3 = 15,
	RTMP_SHARED_OBJECT_AMF3 = 16,
	RTMP_COMMAND_AMF3 = 17,
	RTMP_DATA_AMF0 = 18,
	RTMP_SHARED_OBJECT_AMF0 = 19,
	RTMP_COMMAND_AMF0 = 20,
	RTMP_AGGREGATE = 22,
};

struct rtmp_message {
	uint32_t	 csid;		/* chunk stream id, 2..65599 */
	uint8_t		 fmt;		/* fmt of the first chunk */
	uint8_t		 type;
	uint32_t	 msid;
	uint32_t	 len;		/* length on the wire */
	uint32_t	 ts;		/* absolute timestamp, ms (mod 2^32) */
	const uint8_t	*body;		/* the kept bytes */
	uint32_t	 kept;		/* bytes at body, <= len */
	bool		 recovered;	/* decoded after a resync: state guessed */
	bool		 in_aggregate;	/* a sub-message of an aggregate */
	/*
	 * Where its first chunk header began, in bytes consumed by the
	 * demultiplexer (chunk_demux.pos), when placed.
	 */
	bool		 placed;
	uint64_t	 offset;
};

/*
 * What a decoder reports about one message.  Decoders return MSG_OK,
 * MSG_TRUNCATED when the kept body ends before the fields do (for example a
 * body cut at LIMIT_MESSAGE_KEEP_MAX) or MSG_MALFORMED when the body
 * contradicts the specification; the caller counts the last two.
 */
enum msg_status {
	MSG_OK = 0,
	MSG_TRUNCATED,
	MSG_MALFORMED,
};

/* The status a cursor ended in, as a decoder reports it. */
enum msg_status	msg_status_of(int cursor_status);

struct msg_decoder {
	uint8_t		 type;
	const char	*type_name;
	/*
	 * How many body bytes to keep, decided on the first
	 * min(len, LIMIT_MESSAGE_PROBE) bytes.  NULL keeps everything (capped
	 * at LIMIT_MESSAGE_KEEP_MAX).
	 */
	uint32_t	(*keep)(const uint8_t *probe, size_t n, uint32_t len);
	/* Emits the type-specific fields of the dump contract. */
	enum msg_status	(*decode)(const struct rtmp_message *,
			    struct field_sink *);
};

/* The decoder for a type, or NULL for a type rtmpscope does not know. */
const struct msg_decoder	*msg_decoder_find(uint8_t type);

/* The type_name of the dump contract ("unknown" for unknown types). */
const char			*msg_type_name(uint8_t type);

/* Bytes of a body to keep for a type, given its first bytes. */
uint32_t	 msg_keep(uint8_t type, const uint8_t *probe, size_t n,
		    uint32_t len);

/*
 * Decodes the body of a message into a sink: the type-specific fields only,
 * not the envelope.  Unknown types emit nothing and return MSG_OK.
 */
enum msg_status	 msg_decode(const struct rtmp_message *, struct field_sink *);

/* The sub-messages of an aggregate (type 22), one by one. */
struct aggregate_iter {
	const struct rtmp_message	*parent;
	uint32_t			 off;
	uint32_t			 count;
	uint32_t			 first_ts;
	enum msg_status			 status;	/* after the last */
};

void	aggregate_iter_init(struct aggregate_iter *,
	    const struct rtmp_message *);
/* The next sub-message, pointing into the parent's body; false at the end. */
bool	aggregate_next(struct aggregate_iter *, struct rtmp_message *);

/* Number-to-name tables, tcpdump style: terminated by { 0, NULL }. */
struct value_name {
	uint32_t	 value;
	const char	*name;
};

const char	*value_name_lookup(const struct value_name *, uint32_t,
		    const char *fallback);

/* Names of the legacy video codec ids and sound formats ("avc", "aac"). */
const char	*video_codec_name(unsigned codec);
const char	*sound_format_name(unsigned format);

#endif
