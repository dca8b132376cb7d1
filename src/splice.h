/*
 * The failover of a redirect: one new backend taking over a live session
 * whose client stays connected to the proxy.
 *
 * The proxy speaks RTMP to the new backend as the client did: a plain
 * handshake, then the client's own commands replayed from struct replay
 * (connect with the same app and tcUrl, createStream, play or publish, in
 * order, with the client's transaction ids).  Replies the client has
 * already seen are swallowed; the others are passed on.  Message stream
 * ids are mapped both ways (the new backend's createStream may give other
 * ids than the old one did).
 *
 * Once the stream is started again:
 *  - to a player, the new backend's video goes out from a key frame
 *    (after the sequence headers) and its audio at once, their timestamps
 *    rebased to continue where the client's clock stood (monotonic per
 *    media type), on the proxy's own
 *    chunk writer towards the client (struct chunk_writer, kept across
 *    moves);
 *  - from a publisher, the cached metadata and sequence headers go to the
 *    new backend first, then the client's media from its next key frame.
 * Protocol control from the new backend stays with the proxy: it answers
 * pings and acknowledges the backend's window itself.
 *
 * No I/O: bytes for each side accumulate in to_backend and to_client and
 * the caller sends them.  The state tells the caller how it went.
 */
#ifndef RTMPSCOPE_SPLICE_H
#define RTMPSCOPE_SPLICE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "chunk.h"
#include "field-record.h"
#include "replay.h"
#include "rtmp-encode.h"

enum splice_state {
	SPLICE_HANDSHAKE,	/* C0 C1 sent, waiting for S0 S1 S2 */
	SPLICE_REPLAY,		/* the client's commands being replayed */
	SPLICE_READY,		/* relaying */
	SPLICE_FAILED,		/* this backend will not do: see reason */
};

#define SPLICE_QUEUE_MAX	64	/* client messages held while replaying */

struct splice {
	enum splice_state	 state;
	const char		*reason;	/* FAILED: a redirect reason */
	char			 detail[160];
	bool			 media;		/* the first media went through */

	GByteArray		*to_backend;
	GByteArray		*to_client;

	struct replay		*replay;
	struct chunk_writer	*client_writer;	/* the proxy's, kept */
	struct chunk_writer	 backend_writer;
	struct chunk_demux	 demux;		/* the new backend's bytes */
	struct field_record	 fields;

	/* Handshake. */
	uint8_t			 s1[1536];
	uint32_t		 hs_got;	/* of S0 S1 S2 */

	/* Replay: the next command to send, the txn awaited. */
	guint			 next;
	bool			 waiting;
	double			 waiting_txn;
	uint32_t		 waiting_msid;	/* play/publish: onStatus */
	GPtrArray		*held;		/* client messages (GBytes) */

	/* A player's media. */
	bool			 key_seen;
	bool			 have_offset;
	uint32_t		 offset;	/* added to the backend's ts */
	bool			 sent[2];	/* audio, video (other: video) */
	uint32_t		 last_sent[2];
	/* A publisher's media. */
	bool			 published;

	/* Acknowledgements to the backend. */
	uint32_t		 backend_window;
	uint64_t		 backend_bytes;
	uint64_t		 backend_acked;
};

void	splice_init(struct splice *, struct replay *,
	    struct chunk_writer *client_writer);
void	splice_free(struct splice *);

/* Queues C0 C1. */
void	splice_begin(struct splice *);
/* Bytes the new backend sent. */
void	splice_from_backend(struct splice *, const uint8_t *, size_t);
/*
 * The client has sent received bytes in all (handshake included): an
 * Acknowledgement to it each time its window is crossed.  The first call,
 * at the move, only sets where the count starts.
 */
void	splice_acknowledge_client(struct splice *, uint64_t received);
/* A whole message the client sent (after the move). */
void	splice_from_client(struct splice *, const struct rtmp_message *,
	    const struct field_record *);

/*
 * The bytes that take a client's half-received messages to their end:
 * what the client's demultiplexer (d, fed what the client got) still
 * waits for, as zero bytes in continuation chunks.  False when d stopped
 * inside a chunk header: then no byte can make the stream whole.
 */
bool	splice_complete_partials(const struct chunk_demux *d, GByteArray *out);

#endif
