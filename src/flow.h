/*
 * TCP connections and their reassembly.
 *
 * The flow table follows every TCP connection it is shown, reassembles each
 * direction into an ordered byte stream and hands the bytes to the session
 * layer through flow_ops.  It knows TCP, not RTMP:
 *  - in-order data is delivered at once, without copying;
 *  - retransmitted and overlapping bytes are trimmed, never delivered twice;
 *  - out-of-order segments are held (bounded by LIMIT_TCP_HELD_*) and
 *    delivered when the hole before them fills;
 *  - a hole that never fills (the capture dropped a packet, the snapshot
 *    length cut a payload, the held bytes or the hole's age passed their
 *    limits, the connection ended) is reported with flow_ops.gap and the
 *    data after it is delivered;
 *  - SYN starts a connection, FIN ends a direction, RST ends both; a SYN on a
 *    4-tuple whose connection ended (or with a new initial sequence number)
 *    starts a new connection.
 */
#ifndef RTMPSCOPE_FLOW_H
#define RTMPSCOPE_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "packet.h"

enum flow_end {
	FLOW_END_CLOSED,	/* FIN in both directions */
	FLOW_END_RESET,		/* RST */
	FLOW_END_OPEN,		/* still open when the capture ended */
	FLOW_END_EVICTED,	/* dropped to stay within LIMIT_SESSIONS */
};

/*
 * The two sides of a connection are numbered 0 and 1.  Side 0 is the one
 * that sent the SYN when it was seen; otherwise the sender of the first
 * packet seen.  syn_seen tells which case it is.
 */
struct flow_ops {
	/* A new connection; returns the session layer's handle (non-NULL). */
	void	*(*open)(void *ctx, const struct endpoint *side0,
		    const struct endpoint *side1, bool syn_seen, double t);
	/*
	 * Ordered bytes from one side.  Returns false when the session layer
	 * wants no more data from this connection (not RTMP); the flow then
	 * only tracks its end.
	 */
	bool	 (*data)(void *ctx, void *session, int side,
		    const uint8_t *bytes, size_t len, double t);
	/* Bytes of a side that the capture lost; data resumes after them. */
	void	 (*gap)(void *ctx, void *session, int side, uint64_t lost,
		    double t);
	/* The connection ended; the handle is not used again. */
	void	 (*end)(void *ctx, void *session, enum flow_end how, double t);
};

struct flow_stats {
	uint64_t	 connections;
	uint64_t	 retransmitted_bytes;	/* trimmed duplicates */
	uint64_t	 out_of_order_segments;	/* held, later delivered */
	uint64_t	 gaps;
	uint64_t	 gap_bytes;
	uint64_t	 held_limit_hits;	/* LIMIT_TCP_HELD_* reached */
	uint64_t	 evictions;		/* LIMIT_SESSIONS reached */
};

struct flow_table;

struct flow_table	*flow_table_new(const struct flow_ops *, void *ctx);
/* Ends every open connection (FLOW_END_OPEN) after flushing held data. */
void			 flow_table_finish(struct flow_table *, double t);
void			 flow_table_free(struct flow_table *);
void			 flow_table_segment(struct flow_table *,
			    const struct tcp_segment *);
const struct flow_stats	*flow_table_stats(const struct flow_table *);

#endif
