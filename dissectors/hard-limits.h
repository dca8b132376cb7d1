/*
 * Every hard limit of rtmpscope, in one place.
 *
 * A limit that is hit is a counted event on the session (enum limit_kind),
 * never a crash and never unbounded growth.  Values are chosen so that one
 * session stays well under a megabyte in the common case and the whole
 * program stays under 64 MiB on any capture.
 */
#ifndef RTMPSCOPE_HARD_LIMITS_H
#define RTMPSCOPE_HARD_LIMITS_H

/* Largest Set Chunk Size value accepted (the field is 31 bits). */
#define LIMIT_CHUNK_SIZE_MAX		0x7fffffffU

/* Message length is a 24-bit field on the wire: at most 16 MiB - 1. */
#define LIMIT_MESSAGE_LEN_MAX		0xffffffU

/*
 * Bytes of one message body kept for the decoders.  Media bodies keep only
 * their first bytes (see msg_decoder.keep); AMF messages, sequence headers
 * and aggregates are kept whole up to this size and flagged when cut.
 */
#define LIMIT_MESSAGE_KEEP_MAX		(1024U * 1024U)

/*
 * A relay that rewrites the stream (the proxy after a redirect) keeps
 * bodies whole: a message longer than this cannot be relayed and ends
 * the session.
 */
#define LIMIT_MESSAGE_RELAY_MAX		(8U * 1024U * 1024U)

/*
 * Bytes a takeover of the client's stream may write to complete the
 * messages the old backend left half sent, chunk headers included (at
 * chunk size 1 a byte of payload takes up to 8); more and the move fails.
 */
#define LIMIT_SPLICE_PAD_MAX		(8U * 1024U * 1024U)

/* Bytes looked at before a decoder decides how much of a body to keep. */
#define LIMIT_MESSAGE_PROBE		16U

/* Chunk streams tracked at once per direction. */
#define LIMIT_CHUNK_STREAMS		256U

/* Nesting depth and element count of AMF values. */
#define LIMIT_AMF_DEPTH			32U
#define LIMIT_AMF_ELEMENTS		65536U
/*
 * Values decoded again through references, per message: references to
 * references multiply (16 references to an array of 16 references to ...),
 * so without a budget a few hundred bytes could cost minutes.
 */
#define LIMIT_AMF_REPLAYED		65536U

/* TCP reassembly: bytes and segments held out of order per direction. */
#define LIMIT_TCP_HELD_BYTES		(4U * 1024U * 1024U)
#define LIMIT_TCP_HELD_SEGMENTS		4096U
/* Capture seconds a hole may stay open before it is declared a gap. */
#define LIMIT_TCP_HOLE_SECONDS		10.0

/* Bytes held out of order across every connection. */
#define LIMIT_TCP_HELD_TOTAL		(32U * 1024U * 1024U)

/* Connections tracked at once. */
#define LIMIT_SESSIONS			65536U

/* Bytes scanned for a chunk boundary before a resync gives up a window. */
#define LIMIT_RESYNC_WINDOW		(64U * 1024U)

enum limit_kind {
	LIMIT_HIT_CHUNK_STREAMS,	/* more chunk streams than tracked */
	LIMIT_HIT_MESSAGE_KEEP,		/* a kept body was cut */
	LIMIT_HIT_TCP_HELD,		/* out-of-order data dropped */
	LIMIT_HIT_SESSIONS,		/* a connection was not tracked */
	LIMIT_HIT_AMF,			/* AMF depth or element count */
	LIMIT_HIT_COUNT
};

#endif
