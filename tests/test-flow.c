/*
 * TCP reassembly: a recording flow_ops logs every callback, and each test
 * compares the log with what the rules in flow.h say should happen.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "hard-limits.h"
#include "flow.h"

#define REC_SESSIONS	4

struct rec {
	GString		*log;
	GByteArray	*stream[REC_SESSIONS][2];
	struct endpoint	 side0, side1;	/* of the last open */
	int		 opens;
	int		 ends;
	uint64_t	 lost;
	int		 data_budget;	/* data calls before returning false */
	int		 data_calls;
	int		 gap_calls;
	double		 last_t;	/* of the last callback */
};

static const char *const end_names[] = { "closed", "reset", "open", "evicted" };

static void *
rec_open(void *ctx, const struct endpoint *s0, const struct endpoint *s1,
    bool syn_seen, double t)
{
	struct rec	*r = ctx;
	char		 a[ENDPOINT_STRLEN], b[ENDPOINT_STRLEN];

	r->last_t = t;
	r->opens++;
	r->side0 = *s0;
	r->side1 = *s1;
	if (r->opens <= REC_SESSIONS)
		g_string_append_printf(r->log, "open#%d %s %s syn=%d|",
		    r->opens, endpoint_format(s0, a, sizeof a),
		    endpoint_format(s1, b, sizeof b), syn_seen);
	return GINT_TO_POINTER(r->opens);
}

static bool
rec_data(void *ctx, void *session, int side, const uint8_t *bytes,
    size_t len, double t)
{
	struct rec	*r = ctx;
	int		 id = GPOINTER_TO_INT(session);

	r->last_t = t;
	assert_true(len > 0);
	assert_true(side == 0 || side == 1);
	r->data_calls++;
	if (id <= REC_SESSIONS) {
		g_byte_array_append(r->stream[id - 1][side], bytes, (guint)len);
		if (len <= 32)
			g_string_append_printf(r->log, "data#%d/%d %.*s|", id,
			    side, (int)len, (const char *)bytes);
		else if (r->log->len < 4096)
			g_string_append_printf(r->log, "data#%d/%d len=%zu|",
			    id, side, len);
	}
	if (r->data_budget > 0 && --r->data_budget == 0)
		return false;
	return true;
}

static void
rec_gap(void *ctx, void *session, int side, uint64_t lost, double t)
{
	struct rec	*r = ctx;
	int		 id = GPOINTER_TO_INT(session);

	r->last_t = t;
	r->lost += lost;
	r->gap_calls++;
	if (id <= REC_SESSIONS && r->log->len < 4096)
		g_string_append_printf(r->log, "gap#%d/%d %" G_GUINT64_FORMAT
		    "|", id, side, lost);
}

static void
rec_end(void *ctx, void *session, enum flow_end how, double t)
{
	struct rec	*r = ctx;
	int		 id = GPOINTER_TO_INT(session);

	r->last_t = t;
	r->ends++;
	if (id <= REC_SESSIONS)
		g_string_append_printf(r->log, "end#%d %s|", id,
		    end_names[how]);
}

static const struct flow_ops rec_ops = {
	.open = rec_open,
	.data = rec_data,
	.gap = rec_gap,
	.end = rec_end,
};

struct fixture {
	struct rec		 rec;
	struct flow_table	*ft;
};

static int
setup(void **state)
{
	struct fixture	*fx = g_new0(struct fixture, 1);
	int		 i;

	fx->rec.log = g_string_new("");
	for (i = 0; i < REC_SESSIONS; i++) {
		fx->rec.stream[i][0] = g_byte_array_new();
		fx->rec.stream[i][1] = g_byte_array_new();
	}
	fx->ft = flow_table_new(&rec_ops, &fx->rec);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*fx = *state;
	int		 i;

	flow_table_free(fx->ft);
	g_string_free(fx->rec.log, TRUE);
	for (i = 0; i < REC_SESSIONS; i++) {
		g_byte_array_free(fx->rec.stream[i][0], TRUE);
		g_byte_array_free(fx->rec.stream[i][1], TRUE);
	}
	g_free(fx);
	return 0;
}

/* Client 10.0.0.1:50000 (dir 0) and server 10.0.0.2:1935 (dir 1). */
static struct endpoint client4 = { 4, 50000, { 10, 0, 0, 1 } };
static struct endpoint server4 = { 4, 1935, { 10, 0, 0, 2 } };

static void
seg_send(struct fixture *fx, int dir, uint32_t seq, uint8_t flags,
    const void *data, uint32_t caplen, uint32_t len, double t)
{
	struct tcp_segment	seg;

	memset(&seg, 0, sizeof seg);
	seg.src = dir == 0 ? client4 : server4;
	seg.dst = dir == 0 ? server4 : client4;
	seg.seq = seq;
	seg.ack = 0;
	seg.flags = flags;
	seg.payload = data;
	seg.caplen = caplen;
	seg.len = len;
	seg.t = t;
	flow_table_segment(fx->ft, &seg);
}

/* A segment with a string payload, wholly captured. */
static void
send_str(struct fixture *fx, int dir, uint32_t seq, uint8_t flags,
    const char *s, double t)
{
	seg_send(fx, dir, seq, flags, s, (uint32_t)strlen(s),
	    (uint32_t)strlen(s), t);
}

/* SYN from the client (ISN c), SYN+ACK from the server (ISN s), ACK. */
static void
handshake(struct fixture *fx, uint32_t c, uint32_t s, double t)
{
	struct tcp_segment	seg;

	send_str(fx, 0, c, TCP_SYN, "", t);
	memset(&seg, 0, sizeof seg);
	seg.src = server4;
	seg.dst = client4;
	seg.seq = s;
	seg.ack = c + 1;
	seg.flags = TCP_SYN | TCP_ACK;
	seg.t = t;
	flow_table_segment(fx->ft, &seg);
	send_str(fx, 0, c + 1, TCP_ACK, "", t);
}

static void
assert_stream(struct fixture *fx, int session, int side, const char *want)
{
	GByteArray	*b = fx->rec.stream[session - 1][side];

	assert_int_equal(b->len, strlen(want));
	assert_memory_equal(b->data, want, b->len);
}

static void
test_in_order(void **state)
{
	struct fixture	*fx = *state;

	handshake(fx, 1000, 5000, 1.0);
	send_str(fx, 0, 1001, TCP_ACK | TCP_PSH, "hello", 1.1);
	send_str(fx, 0, 1006, TCP_ACK | TCP_PSH, " world", 1.2);
	send_str(fx, 1, 5001, TCP_ACK | TCP_PSH, "ok", 1.3);
	send_str(fx, 0, 1012, TCP_ACK | TCP_FIN, "", 1.4);
	send_str(fx, 1, 5003, TCP_ACK | TCP_FIN, "", 1.5);
	/* The last ACK of the close must not start a connection. */
	send_str(fx, 0, 1013, TCP_ACK, "", 1.6);
	assert_string_equal(fx->rec.log->str,
	    "open#1 10.0.0.1:50000 10.0.0.2:1935 syn=1|"
	    "data#1/0 hello|data#1/0  world|data#1/1 ok|end#1 closed|");
	assert_int_equal(flow_table_stats(fx->ft)->connections, 1);
	assert_int_equal(flow_table_stats(fx->ft)->retransmitted_bytes, 0);
	flow_table_finish(fx->ft, 2.0);
	assert_int_equal(fx->rec.ends, 1);
}

static void
test_retransmit_exact(void **state)
{
	struct fixture	*fx = *state;

	handshake(fx, 1000, 5000, 1.0);
	send_str(fx, 0, 1001, TCP_ACK, "hello", 1.1);
	send_str(fx, 0, 1001, TCP_ACK, "hello", 1.2);
	send_str(fx, 0, 1006, TCP_ACK, "!", 1.3);
	assert_stream(fx, 1, 0, "hello!");
	assert_int_equal(flow_table_stats(fx->ft)->retransmitted_bytes, 5);
	flow_table_finish(fx->ft, 2.0);
	assert_string_equal(fx->rec.log->str,
	    "open#1 10.0.0.1:50000 10.0.0.2:1935 syn=1|"
	    "data#1/0 hello|data#1/0 !|end#1 open|");
}

static void
test_retransmit_overlap(void **state)
{
	struct fixture	*fx = *state;

	handshake(fx, 1000, 5000, 1.0);
	send_str(fx, 0, 1001, TCP_ACK, "hello", 1.1);
	send_str(fx, 0, 1003, TCP_ACK, "llo world", 1.2);
	/* Overlapping a held segment too. */
	send_str(fx, 0, 1020, TCP_ACK, "cdef", 1.3);
	send_str(fx, 0, 1018, TCP_ACK, "abcd", 1.4);
	send_str(fx, 0, 1012, TCP_ACK, "123456", 1.5);
	assert_stream(fx, 1, 0, "hello world123456abcdef");
	assert_int_equal(flow_table_stats(fx->ft)->retransmitted_bytes, 3 + 2);
	assert_int_equal(flow_table_stats(fx->ft)->gaps, 0);
}

static void
test_out_of_order(void **state)
{
	struct fixture	*fx = *state;

	handshake(fx, 1000, 5000, 1.0);
	send_str(fx, 0, 1011, TCP_ACK, "three", 1.1);
	send_str(fx, 0, 1006, TCP_ACK, "two..", 1.2);
	assert_int_equal(fx->rec.data_calls, 0);
	send_str(fx, 0, 1001, TCP_ACK, "one..", 1.3);
	assert_string_equal(fx->rec.log->str,
	    "open#1 10.0.0.1:50000 10.0.0.2:1935 syn=1|"
	    "data#1/0 one..|data#1/0 two..|data#1/0 three|");
	assert_int_equal(flow_table_stats(fx->ft)->out_of_order_segments, 2);
	/* A retransmission of a held segment is not held twice. */
	send_str(fx, 0, 1030, TCP_ACK, "z", 1.4);
	send_str(fx, 0, 1030, TCP_ACK, "z", 1.5);
	send_str(fx, 0, 1016, TCP_ACK, "abcdefghijklmn", 1.6);
	assert_stream(fx, 1, 0, "one..two..threeabcdefghijklmnz");
	assert_int_equal(flow_table_stats(fx->ft)->retransmitted_bytes, 1);
}

static void
test_hole_at_fin(void **state)
{
	struct fixture	*fx = *state;

	handshake(fx, 1000, 5000, 1.0);
	send_str(fx, 0, 1001, TCP_ACK, "aaaa", 1.1);
	send_str(fx, 0, 1010, TCP_ACK, "bbbb", 1.2);	/* 5 bytes lost */
	send_str(fx, 0, 1020, TCP_ACK, "cc", 1.3);	/* 6 bytes lost */
	/* And the 3 bytes before the FIN never came either. */
	send_str(fx, 0, 1025, TCP_ACK | TCP_FIN, "", 1.4);
	/* A FIN may overtake data: the holes wait for it. */
	assert_string_equal(fx->rec.log->str,
	    "open#1 10.0.0.1:50000 10.0.0.2:1935 syn=1|data#1/0 aaaa|");
	/* Data after the FIN is ignored. */
	send_str(fx, 0, 1025, TCP_ACK, "xyz", 1.5);
	send_str(fx, 1, 5001, TCP_ACK | TCP_FIN, "", 1.6);
	assert_int_equal(fx->rec.ends, 0);
	/* At the end of the capture the holes are gaps; both FINs: closed. */
	flow_table_finish(fx->ft, 2.0);
	assert_string_equal(fx->rec.log->str,
	    "open#1 10.0.0.1:50000 10.0.0.2:1935 syn=1|"
	    "data#1/0 aaaa|gap#1/0 5|data#1/0 bbbb|gap#1/0 6|data#1/0 cc|"
	    "gap#1/0 3|end#1 closed|");
	assert_int_equal(flow_table_stats(fx->ft)->gaps, 3);
	assert_int_equal(flow_table_stats(fx->ft)->gap_bytes, 14);
	assert_int_equal(fx->rec.ends, 1);
	assert_stream(fx, 1, 0, "aaaabbbbcc");
}

static void
test_hole_at_finish(void **state)
{
	struct fixture	*fx = *state;

	handshake(fx, 1000, 5000, 1.0);
	send_str(fx, 1, 5001, TCP_ACK, "hi", 1.1);
	send_str(fx, 1, 5010, TCP_ACK, "there", 1.2);
	flow_table_finish(fx->ft, 3.0);
	assert_string_equal(fx->rec.log->str,
	    "open#1 10.0.0.1:50000 10.0.0.2:1935 syn=1|"
	    "data#1/1 hi|gap#1/1 7|data#1/1 there|end#1 open|");
}

static void
test_hole_age(void **state)
{
	struct fixture	*fx = *state;

	handshake(fx, 1000, 5000, 1.0);
	send_str(fx, 0, 1001, TCP_ACK, "a", 1.0);
	send_str(fx, 0, 1003, TCP_ACK, "c", 2.0);
	/* Not old enough yet. */
	send_str(fx, 1, 5001, TCP_ACK, "", 2.0 + LIMIT_TCP_HOLE_SECONDS - 1);
	assert_int_equal(fx->rec.gap_calls, 0);
	send_str(fx, 1, 5001, TCP_ACK, "", 2.0 + LIMIT_TCP_HOLE_SECONDS + 1);
	assert_int_equal(fx->rec.gap_calls, 1);
	assert_true(fx->rec.last_t == 2.0 + LIMIT_TCP_HOLE_SECONDS + 1);
	assert_int_equal(fx->rec.lost, 1);
	assert_stream(fx, 1, 0, "ac");
}

static void
test_hole_age_other_flow(void **state)
{
	struct fixture		*fx = *state;
	struct tcp_segment	 seg;

	/* A hole in a quiet connection ages out on others' packets. */
	handshake(fx, 1000, 5000, 1.0);
	send_str(fx, 0, 1005, TCP_ACK, "late", 1.0);
	assert_int_equal(fx->rec.gap_calls, 0);
	memset(&seg, 0, sizeof seg);
	seg.src = client4;
	seg.src.port = 50001;
	seg.dst = server4;
	seg.flags = TCP_SYN;
	seg.t = 1.0 + LIMIT_TCP_HOLE_SECONDS + 2;
	flow_table_segment(fx->ft, &seg);
	assert_int_equal(fx->rec.lost, 4);
	assert_stream(fx, 1, 0, "late");
}

static void
test_held_bytes_limit(void **state)
{
	struct fixture	*fx = *state;
	static uint8_t	 big[65536];
	uint32_t	 seq, n;

	memset(big, 'x', sizeof big);
	handshake(fx, 1000, 5000, 1.0);
	/* A 10-byte hole, then more than the limit held behind it. */
	seq = 1011;
	for (n = 0; n <= LIMIT_TCP_HELD_BYTES / sizeof big; n++) {
		seg_send(fx, 0, seq, TCP_ACK, big, sizeof big, sizeof big, 1.1);
		seq += sizeof big;
	}
	assert_int_equal(flow_table_stats(fx->ft)->held_limit_hits, 1);
	assert_int_equal(fx->rec.gap_calls, 1);
	assert_int_equal(fx->rec.lost, 10);
	assert_int_equal(fx->rec.stream[0][0]->len, seq - 1011);
	/* Delivery goes on in order after the gap. */
	send_str(fx, 0, seq, TCP_ACK, "end", 1.2);
	assert_int_equal(fx->rec.stream[0][0]->len, seq + 3 - 1011);
}

static void
test_held_segments_limit(void **state)
{
	struct fixture	*fx = *state;
	uint32_t	 seq, n;

	handshake(fx, 1000, 5000, 1.0);
	/* Held segments with holes of one byte between them. */
	seq = 1002;
	for (n = 0; n <= LIMIT_TCP_HELD_SEGMENTS; n++) {
		send_str(fx, 0, seq, TCP_ACK, "y", 1.1);
		seq += 2;
	}
	assert_int_equal(flow_table_stats(fx->ft)->held_limit_hits, 1);
	/* One hole declared brings the count back within the limit. */
	assert_int_equal(fx->rec.gap_calls, 1);
	assert_int_equal(fx->rec.stream[0][0]->len, 1);
	flow_table_finish(fx->ft, 2.0);
	assert_int_equal(fx->rec.stream[0][0]->len,
	    LIMIT_TCP_HELD_SEGMENTS + 1);
	assert_int_equal(fx->rec.lost, LIMIT_TCP_HELD_SEGMENTS + 1);
}

static void
test_held_total_limit(void **state)
{
	struct fixture		*fx = *state;
	static uint8_t		 big[65536];
	struct tcp_segment	 seg;
	unsigned		 flows, n;

	/* Each connection holds just under its own limit. */
	memset(big, 'z', sizeof big);
	memset(&seg, 0, sizeof seg);
	seg.dst = server4;
	seg.flags = TCP_ACK;
	seg.payload = big;
	seg.caplen = seg.len = sizeof big;
	for (flows = 0; flows <= LIMIT_TCP_HELD_TOTAL /
	    (LIMIT_TCP_HELD_BYTES - sizeof big); flows++) {
		seg.src = client4;
		seg.src.port = (uint16_t)(40000 + flows);
		seg.seq = 1;
		seg.t = 1.0;
		flow_table_segment(fx->ft, &seg);	/* mid-stream start */
		seg.seq = 100 + sizeof big;
		for (n = 0; n < LIMIT_TCP_HELD_BYTES / sizeof big - 1; n++) {
			flow_table_segment(fx->ft, &seg);
			seg.seq += sizeof big;
		}
	}
	assert_true(flow_table_stats(fx->ft)->held_limit_hits >= 1);
	assert_int_equal(flow_table_stats(fx->ft)->held_limit_hits,
	    flow_table_stats(fx->ft)->gaps);
	/*
	 * The connection that crossed the limit gave up its hole (99 bytes)
	 * and that was enough.
	 */
	assert_int_equal(flow_table_stats(fx->ft)->gaps, 1);
	assert_int_equal(fx->rec.lost, 99);
	flow_table_finish(fx->ft, 2.0);
}

static void
test_snaplen_cut(void **state)
{
	struct fixture	*fx = *state;

	handshake(fx, 1000, 5000, 1.0);
	seg_send(fx, 0, 1001, TCP_ACK, "abcdefghij", 3, 10, 1.1);
	send_str(fx, 0, 1011, TCP_ACK, "next", 1.2);
	/* Cut and out of order: held, then delivered with its own gap. */
	seg_send(fx, 0, 1020, TCP_ACK, "KLMNOP", 2, 6, 1.3);
	send_str(fx, 0, 1015, TCP_ACK, "01234", 1.4);
	send_str(fx, 0, 1026, TCP_ACK, "!", 1.5);
	assert_string_equal(fx->rec.log->str,
	    "open#1 10.0.0.1:50000 10.0.0.2:1935 syn=1|"
	    "data#1/0 abc|gap#1/0 7|data#1/0 next|data#1/0 01234|"
	    "data#1/0 KL|gap#1/0 4|data#1/0 !|");
	assert_int_equal(flow_table_stats(fx->ft)->gap_bytes, 11);
}

static void
test_syn_orientation(void **state)
{
	struct fixture	*fx = *state;

	send_str(fx, 0, 1000, TCP_SYN, "", 1.0);
	assert_true(endpoint_equal(&fx->rec.side0, &client4));
	assert_true(endpoint_equal(&fx->rec.side1, &server4));
	send_str(fx, 1, 7, TCP_SYN | TCP_ACK, "", 1.0);
	send_str(fx, 1, 8, TCP_ACK, "srv", 1.1);
	send_str(fx, 0, 1001, TCP_ACK, "cli", 1.2);
	assert_stream(fx, 1, 0, "cli");
	assert_stream(fx, 1, 1, "srv");
	assert_int_equal(fx->rec.opens, 1);
}

static void
test_synack_orientation(void **state)
{
	struct fixture		*fx = *state;
	struct tcp_segment	 seg;

	/* The SYN was missed: the SYN+ACK's receiver is the client. */
	memset(&seg, 0, sizeof seg);
	seg.src = server4;
	seg.dst = client4;
	seg.seq = 9000;
	seg.ack = 3001;
	seg.flags = TCP_SYN | TCP_ACK;
	seg.t = 1.0;
	flow_table_segment(fx->ft, &seg);
	assert_string_equal(fx->rec.log->str,
	    "open#1 10.0.0.1:50000 10.0.0.2:1935 syn=1|");
	send_str(fx, 0, 3001, TCP_ACK, "C0C1", 1.1);
	send_str(fx, 1, 9001, TCP_ACK, "S0S1", 1.2);
	assert_stream(fx, 1, 0, "C0C1");
	assert_stream(fx, 1, 1, "S0S1");
	assert_int_equal(fx->rec.gap_calls, 0);
}

static void
test_midstream(void **state)
{
	struct fixture	*fx = *state;

	/* A bare ACK on an unknown tuple starts nothing. */
	send_str(fx, 0, 77, TCP_ACK, "", 0.5);
	assert_int_equal(fx->rec.opens, 0);
	send_str(fx, 1, 123456, TCP_ACK, "media", 1.0);
	assert_string_equal(fx->rec.log->str,
	    "open#1 10.0.0.2:1935 10.0.0.1:50000 syn=0|data#1/0 media|");
	send_str(fx, 1, 123461, TCP_ACK, "more", 1.1);
	send_str(fx, 0, 42, TCP_ACK, "ack", 1.2);
	send_str(fx, 0, 45, TCP_ACK, "ack", 1.3);
	assert_stream(fx, 1, 0, "mediamore");
	assert_stream(fx, 1, 1, "ackack");
	assert_int_equal(fx->rec.gap_calls, 0);
}

static void
test_rst(void **state)
{
	struct fixture	*fx = *state;

	handshake(fx, 1000, 5000, 1.0);
	send_str(fx, 0, 1001, TCP_ACK, "ab", 1.1);
	send_str(fx, 0, 1005, TCP_ACK, "ef", 1.2);
	send_str(fx, 1, 5001, TCP_RST | TCP_ACK, "", 1.3);
	assert_string_equal(fx->rec.log->str,
	    "open#1 10.0.0.1:50000 10.0.0.2:1935 syn=1|"
	    "data#1/0 ab|gap#1/0 2|data#1/0 ef|end#1 reset|");
	/* Late packets of the reset connection start nothing. */
	send_str(fx, 0, 1007, TCP_RST, "", 1.4);
	send_str(fx, 0, 1007, TCP_ACK, "", 1.4);
	assert_int_equal(fx->rec.opens, 1);
	flow_table_finish(fx->ft, 2.0);
	assert_int_equal(fx->rec.ends, 1);
}

static void
test_reuse_after_close(void **state)
{
	struct fixture	*fx = *state;

	handshake(fx, 1000, 5000, 1.0);
	send_str(fx, 0, 1001, TCP_ACK, "one", 1.1);
	send_str(fx, 0, 1004, TCP_ACK | TCP_FIN, "", 1.2);
	/* Half closed; a new SYN on the same tuple is a new connection. */
	handshake(fx, 2000000, 6000, 2.0);
	send_str(fx, 0, 2000001, TCP_ACK, "two", 2.1);
	assert_string_equal(fx->rec.log->str,
	    "open#1 10.0.0.1:50000 10.0.0.2:1935 syn=1|data#1/0 one|"
	    "end#1 closed|"
	    "open#2 10.0.0.1:50000 10.0.0.2:1935 syn=1|data#2/0 two|");
	assert_int_equal(flow_table_stats(fx->ft)->connections, 2);
}

static void
test_reuse_new_isn(void **state)
{
	struct fixture	*fx = *state;

	handshake(fx, 1000, 5000, 1.0);
	/* A repeated SYN is the same connection. */
	send_str(fx, 0, 1000, TCP_SYN, "", 1.05);
	send_str(fx, 0, 1001, TCP_ACK, "one", 1.1);
	/* The close was missed: a SYN with a new ISN after data. */
	handshake(fx, 90000, 6000, 5.0);
	send_str(fx, 0, 90001, TCP_ACK, "two", 5.1);
	send_str(fx, 1, 6001, TCP_ACK, "2", 5.2);
	flow_table_finish(fx->ft, 6.0);
	assert_string_equal(fx->rec.log->str,
	    "open#1 10.0.0.1:50000 10.0.0.2:1935 syn=1|data#1/0 one|"
	    "end#1 closed|"
	    "open#2 10.0.0.1:50000 10.0.0.2:1935 syn=1|data#2/0 two|"
	    "data#2/1 2|end#2 open|");
}

static void
test_wraparound(void **state)
{
	struct fixture	*fx = *state;

	handshake(fx, 0xfffffff8U, 0xfffffffeU, 1.0);
	/* Client data from 0xfffffff9 across 2^32. */
	send_str(fx, 0, 0xfffffff9U, TCP_ACK, "0123456", 1.1);
	send_str(fx, 0, 0x00000004U, TCP_ACK, "bcd", 1.2);	/* held */
	send_str(fx, 0, 0x00000000U, TCP_ACK, "789a", 1.3);
	send_str(fx, 0, 0xfffffffcU, TCP_ACK, "3456789", 1.4);	/* dup */
	send_str(fx, 1, 0xffffffffU, TCP_ACK, "xy", 1.5);
	send_str(fx, 1, 0x00000001U, TCP_ACK, "z", 1.6);
	send_str(fx, 0, 7, TCP_ACK | TCP_FIN, "", 1.7);
	send_str(fx, 1, 2, TCP_ACK | TCP_FIN, "", 1.8);
	assert_stream(fx, 1, 0, "0123456789abcd");
	assert_stream(fx, 1, 1, "xyz");
	assert_int_equal(fx->rec.gap_calls, 0);
	assert_int_equal(flow_table_stats(fx->ft)->retransmitted_bytes, 7);
	assert_int_equal(fx->rec.ends, 1);
}

static void
test_data_false(void **state)
{
	struct fixture	*fx = *state;

	fx->rec.data_budget = 3;
	handshake(fx, 1000, 5000, 1.0);
	send_str(fx, 0, 1001, TCP_ACK, "one", 1.1);
	send_str(fx, 0, 1010, TCP_ACK, "held", 1.2);
	send_str(fx, 0, 1007, TCP_ACK, "thr", 1.3);
	/* "two" fills the hole; data says no more while draining "thr". */
	send_str(fx, 0, 1004, TCP_ACK, "two", 1.4);
	send_str(fx, 1, 5001, TCP_ACK, "srv", 1.5);
	send_str(fx, 0, 1014, TCP_ACK, "more", 1.6);
	send_str(fx, 0, 1018, TCP_ACK | TCP_FIN, "", 1.7);
	send_str(fx, 1, 5001, TCP_ACK | TCP_FIN, "", 1.8);
	assert_string_equal(fx->rec.log->str,
	    "open#1 10.0.0.1:50000 10.0.0.2:1935 syn=1|"
	    "data#1/0 one|data#1/0 two|data#1/0 thr|end#1 closed|");
	assert_int_equal(fx->rec.gap_calls, 0);
}

static void
test_ipv6(void **state)
{
	struct fixture		*fx = *state;
	struct tcp_segment	 seg;
	struct endpoint		 c6, s6;
	char			 buf[ENDPOINT_STRLEN];

	memset(&c6, 0, sizeof c6);
	c6.family = 6;
	c6.port = 50000;
	c6.addr[0] = 0x20;
	c6.addr[1] = 0x01;
	c6.addr[2] = 0x0d;
	c6.addr[3] = 0xb8;
	c6.addr[15] = 1;
	s6 = c6;
	s6.port = 1935;
	s6.addr[15] = 2;

	memset(&seg, 0, sizeof seg);
	seg.src = c6;
	seg.dst = s6;
	seg.seq = 10;
	seg.flags = TCP_SYN;
	seg.t = 1.0;
	flow_table_segment(fx->ft, &seg);
	seg.src = s6;
	seg.dst = c6;
	seg.seq = 20;
	seg.ack = 11;
	seg.flags = TCP_SYN | TCP_ACK;
	flow_table_segment(fx->ft, &seg);
	seg.seq = 21;
	seg.flags = TCP_ACK;
	seg.payload = (const uint8_t *)"v6";
	seg.caplen = seg.len = 2;
	flow_table_segment(fx->ft, &seg);
	seg.src = c6;
	seg.dst = s6;
	seg.seq = 11;
	seg.payload = (const uint8_t *)"six";
	seg.caplen = seg.len = 3;
	flow_table_segment(fx->ft, &seg);
	/* The same ports over IPv4 are another connection. */
	send_str(fx, 0, 1, TCP_ACK, "four", 1.5);
	assert_string_equal(fx->rec.log->str,
	    "open#1 [2001:db8::1]:50000 [2001:db8::2]:1935 syn=1|"
	    "data#1/1 v6|data#1/0 six|"
	    "open#2 10.0.0.1:50000 10.0.0.2:1935 syn=0|data#2/0 four|");
	assert_string_equal(endpoint_format(&s6, buf, sizeof buf),
	    "[2001:db8::2]:1935");
	assert_false(endpoint_equal(&c6, &s6));
}

static void
test_endpoint(void **state)
{
	char		buf[ENDPOINT_STRLEN];
	struct endpoint	a = client4, b = client4;

	(void)state;
	assert_string_equal(endpoint_format(&server4, buf, sizeof buf),
	    "10.0.0.2:1935");
	/* Bytes past an IPv4 address do not count. */
	b.addr[10] = 0x55;
	assert_true(endpoint_equal(&a, &b));
	b.port++;
	assert_false(endpoint_equal(&a, &b));
}

static void
test_sessions_limit(void **state)
{
	struct fixture		*fx = *state;
	struct tcp_segment	 seg;
	uint32_t		 i;

	memset(&seg, 0, sizeof seg);
	seg.dst = server4;
	seg.flags = TCP_SYN;
	for (i = 0; i <= LIMIT_SESSIONS; i++) {
		seg.src = client4;
		seg.src.addr[2] = (uint8_t)(i >> 16);
		seg.src.port = (uint16_t)i;
		seg.t = 1.0 + i * 1e-6;
		flow_table_segment(fx->ft, &seg);
	}
	assert_int_equal(flow_table_stats(fx->ft)->evictions, 1);
	assert_int_equal(fx->rec.ends, 1);
	assert_string_equal(fx->rec.log->str + fx->rec.log->len -
	    strlen("end#1 evicted|"), "end#1 evicted|");
	/* Touching the oldest keeps it: the next eviction takes number 2. */
	seg.src = client4;
	seg.src.addr[2] = 0;
	seg.src.port = 1;
	seg.flags = TCP_ACK;
	flow_table_segment(fx->ft, &seg);
	seg.src.addr[2] = 9;
	seg.flags = TCP_SYN;
	flow_table_segment(fx->ft, &seg);
	assert_int_equal(flow_table_stats(fx->ft)->evictions, 2);
	assert_string_equal(fx->rec.log->str + fx->rec.log->len -
	    strlen("end#3 evicted|"), "end#3 evicted|");
	flow_table_finish(fx->ft, 3.0);
	assert_int_equal(fx->rec.ends, LIMIT_SESSIONS + 2);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_in_order),
		T(test_retransmit_exact),
		T(test_retransmit_overlap),
		T(test_out_of_order),
		T(test_hole_at_fin),
		T(test_hole_at_finish),
		T(test_hole_age),
		T(test_hole_age_other_flow),
		T(test_held_bytes_limit),
		T(test_held_segments_limit),
		T(test_held_total_limit),
		T(test_snaplen_cut),
		T(test_syn_orientation),
		T(test_synack_orientation),
		T(test_midstream),
		T(test_rst),
		T(test_reuse_after_close),
		T(test_reuse_new_isn),
		T(test_wraparound),
		T(test_data_false),
		T(test_ipv6),
		cmocka_unit_test(test_endpoint),
		T(test_sessions_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
