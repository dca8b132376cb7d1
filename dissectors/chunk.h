/*
 * RTMP chunk stream demultiplexer, one per direction.
 *
 * Bytes go in as they arrive (any split); whole messages come out through
 * chunk_demux_ops.message, with the body bytes their decoder asked to keep.
 * Chunk payloads are consumed in place: a media body is never assembled,
 * only its first bytes are copied (see msg_decoder.keep).
 *
 * Chunk basic header (1, 2 or 3 bytes):
 *
 *   0 1 2 3 4 5 6 7      csid 2..63
 *  +-+-+-+-+-+-+-+-+
 *  |fmt|   csid    |
 *  +-+-+-+-+-+-+-+-+
 *  |fmt|    0      |  csid - 64  |                       csid 64..319
 *  |fmt|    1      |  (csid - 64) as 16 bits, little-endian |  64..65599
 *
 * Chunk message header, by fmt (timestamps and lengths big-endian, the
 * message stream id little-endian):
 *
 *  fmt 0: | timestamp:3 | length:3 | type:1 | msid:4 |   11 bytes
 *  fmt 1: | ts delta:3  | length:3 | type:1 |            7 bytes
 *  fmt 2: | ts delta:3  |                                3 bytes
 *  fmt 3: (nothing: everything as the previous chunk of this csid)
 *
 * followed, when the 3-byte timestamp field is 0xffffff, by a 4-byte
 * extended timestamp.  A fmt 3 chunk of a chunk stream whose last header had
 * an extended timestamp repeats it; some senders leave it out, so the four
 * bytes are taken as the extended timestamp only when they equal the last
 * one (the "peek rule").  A fmt 3 chunk that begins a new message adds the
 * previous delta; after fmt 0 that delta is the fmt 0 timestamp itself
 * (RTMP 1.0 specification, 5.3.1.2.4).
 *
 * Without a handshake (a capture that starts mid-session) or after bytes
 * were lost, the demultiplexer hunts: it holds the bytes and looks for a
 * fmt 0 or fmt 1 header whose type, length and first body byte make sense
 * and whose continuation chunks sit where a plausible chunk size puts them.
 * Chunk streams learned that way are marked recovered until a fmt 0 header
 * gives their absolute timestamp and stream id.
 */
#ifndef RTMPSCOPE_CHUNK_H
#define RTMPSCOPE_CHUNK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hard-limits.h"
#include "message.h"

#define CHUNK_SIZE_DEFAULT	128U
#define CHUNK_HEADER_MAX	18U	/* 3 basic + 11 message + 4 extended */
#define HUNT_PENDING		32U	/* positions awaiting more bytes */

enum chunk_event {
	CHUNK_EV_MALFORMED,	/* a header that cannot be (value: csid) */
	CHUNK_EV_RESYNC,	/* synchronised again (value: bytes skipped) */
	CHUNK_EV_BAD_CHUNK_SIZE, /* Set Chunk Size 0 or over the limit */
	CHUNK_EV_LIMIT,		/* a limit hit (value: enum limit_kind) */
	CHUNK_EV_ABORTED,	/* Abort dropped a partial message (csid) */
};

struct chunk_demux_ops {
	void	(*message)(void *ctx, const struct rtmp_message *);
	void	(*event)(void *ctx, enum chunk_event, uint64_t value);
};

struct chunk_stream;

struct chunk_demux_stats {
	uint64_t	 bytes;
	uint64_t	 chunks;
	uint64_t	 messages;
	uint64_t	 malformed;
	uint64_t	 resyncs;
	uint64_t	 skipped;	/* bytes passed over while hunting */
	uint64_t	 dropped;	/* messages lost to gaps */
};

struct chunk_demux {
	const struct chunk_demux_ops	*ops;
	void				*ctx;

	uint32_t		 chunk_size;
	bool			 chunk_size_known;
	/*
	 * Joined mid-stream, the chunk size may stay unknown while every
	 * message fits in one chunk: this much is proven.
	 */
	uint32_t		 chunk_size_min;
	bool			 hunting;
	bool			 doubt;		/* hunting only to check position 0 */
	bool			 lost;		/* hunting because sync was lost */
	bool			 at_end;	/* no byte will follow */

	/* Chunk streams, looked up by csid (small ids through an index). */
	struct chunk_stream	*streams;
	uint32_t		 nstreams;
	uint32_t		 cap_streams;
	uint16_t		 low_index[64];	/* csid < 64 -> slot + 1 */
	uint64_t		 clock;		/* for least-recently-used */
	uint32_t		 last_msid;	/* last non-zero media msid */

	/* A header split across feeds, assembled here. */
	uint8_t			 hdr[CHUNK_HEADER_MAX];
	uint8_t			 hdr_len;

	/* The chunk whose payload is being read. */
	int32_t			 cur;		/* slot, -1 for none */
	uint32_t		 chunk_left;

	/* Bytes held while hunting for a chunk boundary. */
	uint8_t			*hunt;
	size_t			 hunt_len;
	size_t			 hunt_pos;	/* where scanning goes on */
	uint32_t		 pending[HUNT_PENDING]; /* undecided positions */
	uint8_t			 npending;
	uint64_t		 hunt_trimmed;	/* held bytes dropped so far */

	/*
	 * What a relay that rewrites the stream needs (the proxy's redirect):
	 * whole bodies, where each message began, and a stop after the
	 * message that decides it.
	 */
	bool			 keep_all;	/* keep bodies whole, up to
						   LIMIT_MESSAGE_RELAY_MAX */
	bool			 stop;		/* set from ops.message */
	bool			 unplaced;	/* hunted: positions unknown */
	uint64_t		 pos;		/* bytes consumed in sync */
	uint64_t		 hdr_start;	/* where the header began */

	struct chunk_demux_stats stats;
};

void	chunk_demux_init(struct chunk_demux *, const struct chunk_demux_ops *,
	    void *ctx);
void	chunk_demux_free(struct chunk_demux *);

/*
 * Feeds bytes of one direction, in order.  Returns the bytes consumed: all
 * of them, unless ops.message set d->stop (then the feed ends right after
 * that message's last chunk, and stop is cleared).
 */
size_t	chunk_demux_feed(struct chunk_demux *, const uint8_t *, size_t);

/*
 * A message the receiver has part of: what a writer that takes over the
 * stream must still send for it (in continuation chunks) to leave the
 * receiver's demultiplexer clean.
 */
struct chunk_partial {
	uint32_t	 csid;
	uint8_t		 type;		/* of the message */
	uint32_t	 missing;	/* body bytes still owed */
	bool		 ext;		/* continuation chunks repeat ext_field */
	uint32_t	 ext_field;
};

/*
 * The partial messages, at most max of them; *chunk_left is what the
 * current chunk still owes (payload bytes without a header: the first
 * partial is its stream's).  False when the stream stopped inside a chunk
 * header or is not in sync: nothing can complete it then.
 */
bool	chunk_demux_partials(const struct chunk_demux *,
	    struct chunk_partial *out, size_t max, size_t *n,
	    uint32_t *chunk_left);

/*
 * Bytes were lost (or the stream is joined in the middle): drop partial
 * messages and hunt for the next chunk boundary.  Chunk stream state is
 * kept, since it usually still holds after a gap.
 */
void	chunk_demux_resync(struct chunk_demux *);

/*
 * The capture lost n bytes here.  When they fall inside the payload of the
 * current chunk the demultiplexer stays in sync (the message they belong to
 * is dropped if they hit its kept bytes) and returns true; otherwise it
 * hunts for the next chunk boundary and returns false.
 */
bool	chunk_demux_skip(struct chunk_demux *, uint64_t n);

/*
 * The stream is joined in the middle (no handshake seen): nothing is known,
 * not even the chunk size.  Hunts for the first chunk boundary.
 */
void	chunk_demux_join(struct chunk_demux *);

/*
 * No byte will follow: a message held while hunting whose end is the end of
 * the stream is taken (a lone last message after a mid-session start).
 */
void	chunk_demux_finish(struct chunk_demux *);

/* Sets the chunk size, as a Set Chunk Size message in this direction does. */
void	chunk_demux_set_chunk_size(struct chunk_demux *, uint32_t);

#endif
