/*
 * Fuzzes the offline pipeline after the capture layer: TCP reassembly
 * (src/flow.c), the session layer (src/session.c), the handshake, the chunk
 * demultiplexer, every message decoder, the field record and both dumps.
 *
 * The input is one TCP connection between 10.0.0.1:50000 and a server on
 * port 1935 (or 8080), a mode byte and then records:
 *
 *  | mode:1 | what:1 | len:2 | [hole:1] | payload: len bytes | ...
 *
 * mode: bit 0 no three-way handshake is seen (the capture starts
 * mid-connection), bit 1 the server listens on 8080 (not an RTMP port: the
 * handshake heuristic decides), bit 2 the senders of the records are
 * swapped (the server speaks first), bits 3-4 how it ends (0 the capture
 * stops, 1 FIN both ways, 2 RST).
 * what: bit 0 the sender (0 the client, 1 the server), bit 1 a hole of
 * hole + 1 bytes precedes the segment (they never come: a capture gap once
 * the hole ages or the capture ends), bit 2 the snapshot length cut the
 * segment to half, bits 6-7 the capture time that passes before it (0,
 * 1 ms, 2 s, 11 s).  len is big-endian, cut to what the input holds.
 *
 * seeds.sh turns the TCP payloads of the sample captures into such records.
 * Each message's field record is replayed into the checking sink; the JSON
 * and text dumps write to /dev/null, and so do the JSON and text reports at
 * the end (the session model and health rules run on every message, and
 * session_table_tick on every segment).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "check-sink.h"
#include "dump.h"
#include "field-record.h"
#include "flow.h"
#include "packet.h"
#include "report.h"
#include "session.h"

#define M_NO_SYN	0x01U
#define M_OTHER_PORT	0x02U
#define M_SWAP		0x04U
#define M_END_SHIFT	3

#define W_SIDE		0x01U
#define W_HOLE		0x02U
#define W_SNAPLEN	0x04U

#define ISN_CLIENT	0xfffff000U	/* wraps within the first 4 KiB */
#define ISN_SERVER	0x10000000U

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct pipe_check {
	uint64_t	 messages;
	uint64_t	 problems;
	uint64_t	 ended;
};

static void
chk_handshake(void *ctx, const struct session *s, enum rtmp_dir dir,
    const struct handshake_step *step)
{
	struct check_sink cs;

	if (dir != DIR_C2S && dir != DIR_S2C)
		check_fail("handshake in direction %d", (int)dir);
	check_sink_init(&cs, false);
	handshake_step_fields(step, &cs.sink);
	check_sink_done(&cs, "handshake step");
}

static void
chk_message(void *ctx, const struct session *s, enum rtmp_dir dir,
    const struct rtmp_message *m, const struct field_record *fields,
    enum msg_status status)
{
	struct pipe_check *pc = ctx;
	struct check_sink cs;

	if (s->state == SESSION_NOT_RTMP || s->state == SESSION_ENDED)
		check_fail("message on a session in state %d",
		    (int)s->state);
	if (m->kept > m->len)
		check_fail("kept %u > len %u", m->kept, m->len);
	check_sink_init(&cs, false);
	check_touch(&cs, m->body, m->kept);
	field_record_replay(fields, &cs.sink);
	check_sink_done(&cs, "replayed field record");
	if (status != MSG_OK && status != MSG_TRUNCATED &&
	    status != MSG_MALFORMED)
		check_fail("status %d", (int)status);
	pc->messages++;
}

static void
chk_problem(void *ctx, const struct session *s, enum rtmp_dir dir,
    const char *kind, const char *detail)
{
	struct pipe_check *pc = ctx;
	struct check_sink cs;

	if (kind == NULL || detail == NULL)
		check_fail("problem without kind or detail");
	check_sink_init(&cs, false);
	check_touch(&cs, kind, strlen(kind));
	check_touch(&cs, detail, strlen(detail));
	pc->problems++;
}

static void
chk_ended(void *ctx, const struct session *s)
{
	struct pipe_check *pc = ctx;

	if (s->state != SESSION_ENDED)
		check_fail("ended in state %d", (int)s->state);
	pc->ended++;
}

static FILE	*devnull;

static void
segment(struct flow_table *ft, const struct endpoint *src,
    const struct endpoint *dst, uint32_t seq, uint32_t ack, uint8_t flags,
    const uint8_t *p, uint32_t caplen, uint32_t len, double t)
{
	struct tcp_segment seg;
	uint8_t *copy = NULL;

	memset(&seg, 0, sizeof(seg));
	seg.src = *src;
	seg.dst = *dst;
	seg.seq = seq;
	seg.ack = ack;
	seg.flags = flags;
	if (caplen > 0) {
		/* A buffer of its own: ASan catches a read past it. */
		copy = malloc(caplen);
		if (copy == NULL)
			abort();
		memcpy(copy, p, caplen);
	}
	seg.payload = copy;
	seg.caplen = caplen;
	seg.len = len;
	seg.t = t;
	flow_table_segment(ft, &seg);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const double steps[4] = { 0.0, 0.001, 2.0, 11.0 };
	static const uint16_t ports[] = { 1935 };
	struct endpoint ep[2] = {
		{ 4, 50000, { 10, 0, 0, 1 } },
		{ 4, 1935, { 10, 0, 0, 2 } },
	};
	struct pipe_check pc = { 0, 0, 0 };
	struct session_observer chk, ojson, otext;
	struct report_capture rc;
	struct session_table *st;
	struct flow_table *ft;
	struct dump *json, *text;
	uint32_t seq[2] = { ISN_CLIENT, ISN_SERVER };
	uint32_t len, caplen;
	double t = 1700000000.0;
	size_t off;
	uint8_t mode, what, endhow;
	int side;

	if (size < 1)
		return 0;
	if (devnull == NULL && (devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	mode = data[0];
	endhow = (mode >> M_END_SHIFT) & 3;
	if (mode & M_OTHER_PORT)
		ep[1].port = 8080;

	st = session_table_new(ports, 1, NULL);
	memset(&chk, 0, sizeof(chk));
	chk.handshake = chk_handshake;
	chk.message = chk_message;
	chk.problem = chk_problem;
	chk.ended = chk_ended;
	chk.ctx = &pc;
	session_table_observe(st, &chk);
	json = dump_new(DUMP_JSON, devnull);
	dump_observer(json, &ojson);
	session_table_observe(st, &ojson);
	text = dump_new(DUMP_TEXT, devnull);
	dump_observer(text, &otext);
	session_table_observe(st, &otext);
	ft = flow_table_new(&session_flow_ops, st);

	if ((mode & M_NO_SYN) == 0) {
		segment(ft, &ep[0], &ep[1], seq[0], 0, TCP_SYN, NULL, 0, 0,
		    t);
		segment(ft, &ep[1], &ep[0], seq[1], seq[0] + 1,
		    TCP_SYN | TCP_ACK, NULL, 0, 0, t);
		seq[0]++;
		seq[1]++;
		segment(ft, &ep[0], &ep[1], seq[0], seq[1], TCP_ACK, NULL, 0,
		    0, t);
	}

	for (off = 1; size - off >= 3;) {
		what = data[off];
		len = (uint32_t)data[off + 1] << 8 | data[off + 2];
		off += 3;
		side = (what & W_SIDE) ^ ((mode & M_SWAP) ? 1 : 0);
		if (what & W_HOLE) {
			if (off >= size)
				break;
			seq[side] += (uint32_t)data[off++] + 1;
		}
		if (len > size - off)
			len = (uint32_t)(size - off);
		caplen = (what & W_SNAPLEN) ? len / 2 : len;
		t += steps[what >> 6];
		segment(ft, &ep[side], &ep[!side], seq[side], seq[!side],
		    TCP_ACK | TCP_PSH, data + off, caplen, len, t);
		seq[side] += len;
		off += len;
		session_table_tick(st, t);
	}

	if (endhow == 1) {
		segment(ft, &ep[0], &ep[1], seq[0], seq[1],
		    TCP_FIN | TCP_ACK, NULL, 0, 0, t);
		segment(ft, &ep[1], &ep[0], seq[1], seq[0] + 1,
		    TCP_FIN | TCP_ACK, NULL, 0, 0, t);
	} else if (endhow == 2) {
		segment(ft, &ep[1], &ep[0], seq[1], seq[0], TCP_RST, NULL, 0,
		    0, t);
	}
	flow_table_finish(ft, t + 1.0);
	session_table_finish(st, t + 1.0);
	memset(&rc, 0, sizeof(rc));
	rc.source = "fuzz";
	rc.first_t = 1700000000.0;
	rc.last_t = t + 1.0;
	rc.connections = 1;
	rc.stats = session_table_stats(st);
	(void)report_print(devnull, REPORT_JSON, &rc, st);
	(void)report_print(devnull, REPORT_TEXT, &rc, st);
	(void)report_worst_health(st);
	if (pc.ended > 1)
		check_fail("one connection ended %llu times",
		    (unsigned long long)pc.ended);
	(void)dump_flush(json);
	(void)dump_flush(text);
	flow_table_free(ft);
	session_table_free(st);
	dump_free(json);
	dump_free(text);
	return 0;
}
