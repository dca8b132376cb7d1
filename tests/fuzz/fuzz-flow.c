/*
 * Fuzzes TCP reassembly (src/flow.c) through flow_table_new with flow_ops
 * that check what the session layer is told.
 *
 * The input is a 10-byte header and then 6-byte segment records:
 *
 *  | ISN side 0:4 | ISN side 1:4 | stop:1 | reserved:1 |
 *  | what:1 | seq offset:2 | len:1 | cap:1 | ack:1 | ...
 *
 * what: bit 0 the side (0 the client 10.0.0.1, 1 the server 10.0.0.2:1935),
 * bit 1 the connection (client port 50000 or 50001), bits 2-5 SYN, FIN,
 * RST, ACK, bits 6-7 the capture time that passes before it (0, 1 ms, 2 s,
 * 11 s: past LIMIT_TCP_HOLE_SECONDS).  The segment's sequence number is the
 * side's ISN plus the offset; len bytes are on the wire, of which cap & 0x7f
 * (when cap bit 7 is set) or all are captured; a SYN+ACK acknowledges the
 * other side's ISN + 1 + (signed) ack.  When stop is not zero the session
 * layer wants no more data after stop * 64 bytes of a connection.
 *
 * Payload bytes are not taken from the input: byte s of a side's sequence
 * space is a hash of (connection, side, s), so that every byte delivered can
 * be checked against the position the deliveries before it put it at.
 * Checked: every delivered byte is the byte sent at its place in sequence
 * space and was captured in a segment of that connection; deliveries and
 * gaps of a side move forward only; nothing reaches a connection after its
 * end or after it declined data; every open gets exactly one end once
 * flow_table_finish has run.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-sink.h"
#include "flow.h"
#include "packet.h"

#define HEADER_LEN	10U
#define RECORD_LEN	6U

#define W_SIDE		0x01U
#define W_CONN		0x02U
#define W_SYN		0x04U
#define W_FIN		0x08U
#define W_RST		0x10U
#define W_ACK		0x20U

#define MAX_SESSIONS	4096U
#define MAX_CANDIDATES	1024U

/* Sequence space covered by the bitmaps, relative to a side's ISN. */
#define REL_BASE	1024
#define REL_SPAN	(65536 + 2048)

struct sess {
	bool		 live;
	bool		 declined;	/* data returned false */
	int		 conn;
	int		 myside[2];	/* flow side -> client 0 / server 1 */
	uint64_t	 delivered;
	/* Where each flow side's next byte may be, in sequence space. */
	bool		 started[2];
	uint32_t	 cand[2][MAX_CANDIDATES];
	unsigned	 ncand[2];
};

struct conn_state {
	struct endpoint	 ep[2];		/* client, server */
	uint32_t	 isn[2];
	/* Captured bytes of the current connection, by side. */
	uint8_t		 captured[2][REL_SPAN / 8];
	/* Segments of the current connection: candidate start points. */
	uint32_t	 starts[2][MAX_CANDIDATES];
	unsigned	 nstarts[2];
};

struct harness {
	struct conn_state	 conns[2];
	struct sess		 sess[MAX_SESSIONS];
	unsigned		 nsess;
	unsigned		 ended;
	uint64_t		 stop_after;
	const struct tcp_segment *cur;	/* being processed */
	int			 cur_conn;
	int			 cur_side;
};

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct harness	h;

static uint8_t
wire_byte(int conn, int side, uint32_t s)
{
	uint32_t x = s * 2654435761U ^ (uint32_t)(conn * 2 + side) *
	    0x9e3779b9U;

	x ^= x >> 15;
	x *= 0x85ebca6bU;
	x ^= x >> 13;
	return (uint8_t)x;
}

static bool
rel_of(const struct conn_state *c, int side, uint32_t s, size_t *bit)
{
	int64_t r = (int32_t)(s - c->isn[side]) + (int64_t)REL_BASE;

	if (r < 0 || r >= REL_SPAN)
		return false;
	*bit = (size_t)r;
	return true;
}

static void
mark_captured(struct conn_state *c, int side, uint32_t seq, uint32_t caplen)
{
	size_t bit;
	uint32_t i;

	for (i = 0; i < caplen; i++)
		if (rel_of(c, side, seq + i, &bit))
			c->captured[side][bit / 8] |= 1U << (bit % 8);
}

static bool
is_captured(const struct conn_state *c, int side, uint32_t s)
{
	size_t bit;

	if (!rel_of(c, side, s, &bit))
		return false;
	return (c->captured[side][bit / 8] & (1U << (bit % 8))) != 0;
}

static void
add_start(struct conn_state *c, int side, uint32_t s)
{
	unsigned i;

	for (i = 0; i < c->nstarts[side]; i++)
		if (c->starts[side][i] == s)
			return;
	if (c->nstarts[side] < MAX_CANDIDATES)
		c->starts[side][c->nstarts[side]++] = s;
}

/* What a segment tells the checker before the flow table sees it. */
static void
note_segment(struct conn_state *c, int side, const struct tcp_segment *seg)
{
	uint32_t seq = seg->seq;

	if (seg->flags & TCP_SYN) {
		add_start(c, side, seq + 1);
		seq++;
		if (seg->flags & TCP_ACK)
			add_start(c, !side, seg->ack);
	}
	add_start(c, side, seq);
	mark_captured(c, side, seq, seg->caplen);
}

static void
reset_conn(struct conn_state *c)
{
	memset(c->captured, 0, sizeof(c->captured));
	c->nstarts[0] = c->nstarts[1] = 0;
}

static struct sess *
sess_of(void *session, const char *what)
{
	struct sess *s = session;

	if (s < h.sess || s >= h.sess + h.nsess)
		check_fail("%s: unknown session handle", what);
	if (!s->live)
		check_fail("%s: session %td after its end", what, s - h.sess);
	return s;
}

static void *
op_open(void *ctx, const struct endpoint *side0,
    const struct endpoint *side1, bool syn_seen, double t)
{
	struct conn_state *c = &h.conns[h.cur_conn];
	struct sess *s;

	if (h.nsess >= MAX_SESSIONS)
		check_fail("more than %u connections", MAX_SESSIONS);
	s = &h.sess[h.nsess++];
	memset(s, 0, sizeof(*s));
	s->live = true;
	s->conn = h.cur_conn;
	if (endpoint_equal(side0, &c->ep[0]) &&
	    endpoint_equal(side1, &c->ep[1])) {
		s->myside[0] = 0;
		s->myside[1] = 1;
	} else if (endpoint_equal(side0, &c->ep[1]) &&
	    endpoint_equal(side1, &c->ep[0])) {
		s->myside[0] = 1;
		s->myside[1] = 0;
	} else
		check_fail("open: endpoints of no segment");
	/* A new connection: only the segment that opened it counts. */
	reset_conn(c);
	note_segment(c, h.cur_side, h.cur);
	return s;
}

/* Candidate positions of a side's first byte, from the segments seen. */
static void
start_side(struct sess *s, int fside)
{
	const struct conn_state *c = &h.conns[s->conn];
	int side = s->myside[fside];

	if (s->started[fside])
		return;
	s->started[fside] = true;
	memcpy(s->cand[fside], c->starts[side],
	    c->nstarts[side] * sizeof(uint32_t));
	s->ncand[fside] = c->nstarts[side];
	if (s->ncand[fside] == 0)
		check_fail("bytes from a side that sent no segment");
}

static bool
op_data(void *ctx, void *session, int fside, const uint8_t *bytes,
    size_t len, double t)
{
	struct sess *s = sess_of(session, "data");
	const struct conn_state *c = &h.conns[s->conn];
	int side;
	unsigned i, k;
	size_t j;

	if (fside != 0 && fside != 1)
		check_fail("data on side %d", fside);
	if (s->declined)
		check_fail("data after the session declined it");
	if (len == 0 || len > 65536)
		check_fail("data of %zu bytes", len);
	side = s->myside[fside];
	start_side(s, fside);
	for (i = 0, k = 0; i < s->ncand[fside]; i++) {
		uint32_t pos = s->cand[fside][i];

		for (j = 0; j < len; j++)
			if (bytes[j] != wire_byte(s->conn, side,
			    pos + (uint32_t)j) ||
			    !is_captured(c, side, pos + (uint32_t)j))
				break;
		if (j == len)
			s->cand[fside][k++] = pos + (uint32_t)len;
	}
	if (k == 0)
		check_fail("side %d: %zu bytes delivered that were not sent "
		    "there (first %02x)", side, len, bytes[0]);
	s->ncand[fside] = k;
	s->delivered += len;
	if (h.stop_after > 0 && s->delivered >= h.stop_after) {
		s->declined = true;
		return false;
	}
	return true;
}

static void
op_gap(void *ctx, void *session, int fside, uint64_t lost, double t)
{
	struct sess *s = sess_of(session, "gap");
	unsigned i;

	if (fside != 0 && fside != 1)
		check_fail("gap on side %d", fside);
	if (s->declined)
		check_fail("gap after the session declined data");
	if (lost == 0 || lost > UINT32_MAX)
		check_fail("gap of %llu bytes", (unsigned long long)lost);
	start_side(s, fside);
	for (i = 0; i < s->ncand[fside]; i++)
		s->cand[fside][i] += (uint32_t)lost;
}

static void
op_end(void *ctx, void *session, enum flow_end how, double t)
{
	struct sess *s = sess_of(session, "end");

	if ((unsigned)how > FLOW_END_EVICTED)
		check_fail("end how %d", (int)how);
	s->live = false;
	h.ended++;
}

static const struct flow_ops check_flow_ops = {
	op_open,
	op_data,
	op_gap,
	op_end,
};

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const double steps[4] = { 0.0, 0.001, 2.0, 11.0 };
	struct flow_table *ft;
	struct tcp_segment seg;
	struct conn_state *c;
	const struct flow_stats *st;
	const uint8_t *r;
	uint8_t *payload;
	double t = 1000.0;
	size_t off;
	uint32_t i;
	int side, conn;

	if (size < HEADER_LEN)
		return 0;
	memset(&h, 0, sizeof(h));
	for (conn = 0; conn < 2; conn++) {
		c = &h.conns[conn];
		c->ep[0] = (struct endpoint){ 4, (uint16_t)(50000 + conn),
		    { 10, 0, 0, 1 } };
		c->ep[1] = (struct endpoint){ 4, 1935, { 10, 0, 0, 2 } };
		c->isn[0] = be32(data);
		c->isn[1] = be32(data + 4);
	}
	h.stop_after = (uint64_t)data[8] * 64;

	ft = flow_table_new(&check_flow_ops, NULL);
	for (off = HEADER_LEN; size - off >= RECORD_LEN; off += RECORD_LEN) {
		r = data + off;
		side = r[0] & W_SIDE;
		conn = (r[0] & W_CONN) ? 1 : 0;
		c = &h.conns[conn];
		t += steps[r[0] >> 6];

		memset(&seg, 0, sizeof(seg));
		seg.src = c->ep[side];
		seg.dst = c->ep[!side];
		seg.seq = c->isn[side] + ((uint32_t)r[1] << 8 | r[2]);
		seg.ack = c->isn[!side] + 1 + (uint32_t)(int32_t)(int8_t)r[5];
		seg.flags = (uint8_t)(((r[0] & W_SYN) ? TCP_SYN : 0) |
		    ((r[0] & W_FIN) ? TCP_FIN : 0) |
		    ((r[0] & W_RST) ? TCP_RST : 0) |
		    ((r[0] & W_ACK) ? TCP_ACK : 0));
		seg.len = r[3];
		seg.caplen = (r[4] & 0x80) ? (r[4] & 0x7fU) : seg.len;
		if (seg.caplen > seg.len)
			seg.caplen = seg.len;
		seg.t = t;
		/* Exactly caplen bytes: ASan catches a read past them. */
		payload = malloc(seg.caplen > 0 ? seg.caplen : 1);
		if (payload == NULL)
			abort();
		for (i = 0; i < seg.caplen; i++)
			payload[i] = wire_byte(conn, side, seg.seq +
			    ((seg.flags & TCP_SYN) ? 1U : 0U) + i);
		seg.payload = payload;

		note_segment(c, side, &seg);
		h.cur = &seg;
		h.cur_conn = conn;
		h.cur_side = side;
		flow_table_segment(ft, &seg);
		h.cur = NULL;
		free(payload);
	}
	flow_table_finish(ft, t + 1.0);
	if (h.ended != h.nsess)
		check_fail("%u connections opened, %u ended", h.nsess,
		    h.ended);
	st = flow_table_stats(ft);
	if (st->connections != h.nsess)
		check_fail("stats: %llu connections, %u opened",
		    (unsigned long long)st->connections, h.nsess);
	flow_table_free(ft);
	return 0;
}
