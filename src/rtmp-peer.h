/*
 * One end of an RTMP connection on the main loop, as the simulated origin
 * (origin.c) and the simulated clients (sim-client.c) share it.
 *
 * A non-blocking GSocket read by a G_IO_IN source; an outbound queue that
 * a G_IO_OUT source drains while the kernel's buffer is full; a chunk
 * writer (rtmp-encode.c) for what is sent; the dissectors' chunk
 * demultiplexer and a field record for what is received, answering the
 * other end's Window Acknowledgement Size with Acknowledgements.
 *
 * The owner speaks the protocol: ops->input gets the bytes received (its
 * handshake, then rtmp_peer_feed), ops->media and ops->message what the
 * demultiplexer makes of them.  Nothing is closed inside a callback: what
 * must end is marked dead (ops->end says why), and the source callback
 * that saw it calls ops->close once the callbacks have returned.
 */
#ifndef RTMP_PEER_H
#define RTMP_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gio/gio.h>

#include "chunk.h"
#include "field-record.h"
#include "message.h"
#include "rtmp-encode.h"

/* Why a connection ends (ops->end); message for the errors. */
enum rtmp_peer_end {
	RTMP_PEER_RECEIVE_ERROR,
	RTMP_PEER_SEND_ERROR,
	RTMP_PEER_EOF,		/* closed by the other end */
	RTMP_PEER_UNREAD,	/* more than out_max queued */
	RTMP_PEER_DRAINED,	/* closing, and everything is sent */
};

struct rtmp_peer_ops {
	/* Bytes received (already counted in bytes_in). */
	void	(*input)(void *ctx, const uint8_t *p, size_t n);
	/* An audio or video message (none once dead or closing). */
	void	(*media)(void *ctx, const struct rtmp_message *);
	/* Any other message, decoded into the peer's fields. */
	void	(*message)(void *ctx, const struct rtmp_message *);
	/* The demultiplexer's events (malformed, resynchronised). */
	void	(*demux_event)(void *ctx, enum chunk_event, uint64_t);
	/*
	 * Why the peer ends, just before it is marked dead (p->dead is
	 * still false); message NULL but for errors.
	 */
	void	(*end)(void *ctx, enum rtmp_peer_end, const char *message);
	/* Close and free the owner (from a source callback). */
	void	(*close)(void *ctx);
};

struct rtmp_peer {
	const struct rtmp_peer_ops *ops;
	void			*ctx;
	GSocket			*sock;
	GSource			*in_src;
	GSource			*out_src;
	GByteArray		*out;
	guint			 out_pos;
	guint			 out_max;	/* more unread: dead; 0: any */
	uint64_t		*sent_count;	/* bytes sent added here */
	bool			 closing;	/* close once out is sent */
	bool			 dead;		/* close when it is safe */
	struct chunk_writer	 w;
	struct chunk_demux	 demux;
	bool			 demux_ready;
	struct field_record	 fields;
	uint64_t		 bytes_in;
	uint64_t		 acked;
	uint32_t		 window;	/* the other end's Window Ack */
};

void	rtmp_peer_init(struct rtmp_peer *, const struct rtmp_peer_ops *,
	    void *ctx);
/* Starts reading p->sock (connected): non-blocking, TCP_NODELAY. */
void	rtmp_peer_attach(struct rtmp_peer *);
/* The handshake is over: what follows is chunks. */
void	rtmp_peer_demux_start(struct rtmp_peer *);
void	rtmp_peer_feed(struct rtmp_peer *, const uint8_t *, size_t);
/* Sends what is queued; the rest waits for the socket to be writable. */
void	rtmp_peer_flush(struct rtmp_peer *);
/* Bytes queued and not yet taken by the kernel. */
guint	rtmp_peer_pending(const struct rtmp_peer *);
/* Stops the sources and closes the socket (again: nothing). */
void	rtmp_peer_close(struct rtmp_peer *);
/* rtmp_peer_close, then frees the rest. */
void	rtmp_peer_clear(struct rtmp_peer *);

/* Queues a message with body (which it unrefs). */
void	rtmp_peer_send(struct rtmp_peer *, uint32_t csid, uint8_t type,
	    uint32_t msid, uint32_t ts, GByteArray *body);
/* User control events. */
#define RTMP_UC_STREAM_BEGIN	0
#define RTMP_UC_STREAM_EOF	1
#define RTMP_UC_SET_BUFFER_LENGTH 3
#define RTMP_UC_PING_REQUEST	6
#define RTMP_UC_PING_RESPONSE	7

/* Whether the user control message in p->fields is a ping request. */
bool	rtmp_peer_ping_request(const struct rtmp_peer *, uint32_t *ts);
/* A control message (Set Chunk Size, Window Ack Size, ...) and a value. */
void	rtmp_peer_control(struct rtmp_peer *, uint8_t type, uint32_t value);
/* A user control event with its 4-byte value. */
void	rtmp_peer_user_control(struct rtmp_peer *, uint16_t event,
	    uint32_t value);
/* A command body: name, transaction id, then what the caller appends. */
GByteArray *rtmp_command_begin(const char *name, double txn);
/* C1 or S1: time (ms), four zero bytes, random bytes. */
void	rtmp_handshake_block(uint8_t *block, uint32_t time_ms);

#endif
