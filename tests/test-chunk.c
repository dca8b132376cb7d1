/*
 * The chunk demultiplexer.  Streams are built from lists of messages by a
 * small chunker (wire_msg) that plays the sender: it cuts bodies at the
 * sender's chunk size, follows its own Set Chunk Size messages and writes
 * the fmt and extended timestamps each case asks for.  A recording
 * chunk_demux_ops keeps every message and event; every valid stream is also
 * fed split at every byte offset and byte by byte, which must change
 * nothing.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "chunk.h"
#include "hard-limits.h"
#include "message.h"

/* ------------------------------------------------------------------ */
/* The sender: messages to chunked bytes.                              */

#define F_OMIT_EXT	0x1U	/* fmt 3 chunks leave the extended ts out */
#define F_LONG_BASIC	0x2U	/* 3-byte basic header whatever the csid */

struct tmsg {
	uint32_t	 csid;
	uint8_t		 fmt;	/* of the first chunk */
	/*
	 * fmt 0: the absolute timestamp; fmt 1, 2: the delta; fmt 3: the
	 * extended timestamp field to repeat (if >= 0xffffff).  Extended
	 * when >= 0xffffff.
	 */
	uint32_t	 ts;
	uint32_t	 len;	/* written by fmt 0, 1; chunks the body always */
	uint8_t		 type;
	uint32_t	 msid;
	uint8_t		 head[8];	/* first nhead body bytes; then a pattern */
	uint8_t		 nhead;
	unsigned	 flags;
};

struct wire {
	uint8_t		*b;
	size_t		 len;
	size_t		 cap;
	uint32_t	 chunk_size;	/* the sender's */
};

static void
wire_init(struct wire *w)
{
	memset(w, 0, sizeof(*w));
	w->chunk_size = CHUNK_SIZE_DEFAULT;
}

static void
wire_free(struct wire *w)
{
	free(w->b);
	w->b = NULL;
}

static void
put(struct wire *w, const void *p, size_t n)
{
	uint8_t *grown;

	if (w->len + n > w->cap) {
		w->cap = (w->len + n) * 2 + 64;
		grown = realloc(w->b, w->cap);
		assert_non_null(grown);
		w->b = grown;
	}
	memcpy(w->b + w->len, p, n);
	w->len += n;
}

static void
put8(struct wire *w, uint8_t v)
{
	put(w, &v, 1);
}

static void
put24(struct wire *w, uint32_t v)
{
	uint8_t b[3] = { (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	put(w, b, 3);
}

static void
put32(struct wire *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	put(w, b, 4);
}

static void
put32le(struct wire *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 24) };

	put(w, b, 4);
}

static void
put_basic(struct wire *w, uint8_t fmt, uint32_t csid, bool long_form)
{
	uint8_t f = (uint8_t)(fmt << 6);

	if (csid >= 2 && csid <= 63 && !long_form) {
		put8(w, f | (uint8_t)csid);
	} else if (csid >= 64 && csid <= 319 && !long_form) {
		put8(w, f);
		put8(w, (uint8_t)(csid - 64));
	} else {
		put8(w, f | 1);
		put8(w, (uint8_t)(csid - 64));
		put8(w, (uint8_t)((csid - 64) >> 8));
	}
}

/* A chunk header; for fmt 3, ts is the extended field to repeat, if any. */
static void
put_header(struct wire *w, uint8_t fmt, uint32_t csid, uint32_t ts,
    uint32_t len, uint8_t type, uint32_t msid, unsigned flags)
{
	bool ext = ts >= 0xffffffU;

	put_basic(w, fmt, csid, (flags & F_LONG_BASIC) != 0);
	if (fmt <= 2)
		put24(w, ext ? 0xffffffU : ts);
	if (fmt <= 1) {
		put24(w, len);
		put8(w, type);
	}
	if (fmt == 0)
		put32le(w, msid);
	if (ext && (fmt <= 2 || !(flags & F_OMIT_EXT)))
		put32(w, ts);
}

static uint8_t
tmsg_byte(const struct tmsg *m, size_t i)
{
	if (i < m->nhead)
		return m->head[i];
	/* Bytes below 100: never a fmt 3 basic header, never 0xff. */
	return (uint8_t)((i * 7 + m->csid + m->type) % 100);
}

static void
put_body(struct wire *w, const struct tmsg *m, size_t off, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		put8(w, tmsg_byte(m, off + i));
}

/* The first chunk of a message (header and up to one chunk of body). */
static size_t
wire_first_chunk(struct wire *w, const struct tmsg *m)
{
	size_t n = m->len < w->chunk_size ? m->len : w->chunk_size;

	put_header(w, m->fmt, m->csid, m->ts, m->len, m->type, m->msid,
	    m->flags);
	put_body(w, m, 0, n);
	return n;
}

/* One fmt 3 continuation chunk from body offset off; returns bytes put. */
static size_t
wire_next_chunk(struct wire *w, const struct tmsg *m, size_t off)
{
	size_t n = m->len - off < w->chunk_size ? m->len - off :
	    w->chunk_size;

	put_header(w, 3, m->csid, m->ts, 0, 0, 0, m->flags);
	put_body(w, m, off, n);
	return n;
}

/* What a Set Chunk Size message does to the sender. */
static void
wire_follow(struct wire *w, const struct tmsg *m)
{
	uint32_t v;

	if (m->type != RTMP_SET_CHUNK_SIZE || m->len != 4)
		return;
	v = (uint32_t)tmsg_byte(m, 0) << 24 | (uint32_t)tmsg_byte(m, 1) << 16 |
	    (uint32_t)tmsg_byte(m, 2) << 8 | tmsg_byte(m, 3);
	v &= 0x7fffffffU;
	if (v != 0)
		w->chunk_size = v;
}

static void
wire_msg(struct wire *w, const struct tmsg *m)
{
	size_t off;

	off = wire_first_chunk(w, m);
	while (off < m->len)
		off += wire_next_chunk(w, m, off);
	wire_follow(w, m);
}

static void
wire_msgs(struct wire *w, const struct tmsg *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		wire_msg(w, &m[i]);
}

static struct tmsg
set_chunk_size_msg(uint32_t size)
{
	struct tmsg m = {
		.csid = 2, .fmt = 0, .len = 4, .type = RTMP_SET_CHUNK_SIZE,
		.nhead = 4,
	};

	m.head[0] = (uint8_t)(size >> 24);
	m.head[1] = (uint8_t)(size >> 16);
	m.head[2] = (uint8_t)(size >> 8);
	m.head[3] = (uint8_t)size;
	return m;
}

static struct tmsg
abort_msg(uint32_t csid)
{
	struct tmsg m = {
		.csid = 2, .fmt = 0, .len = 4, .type = RTMP_ABORT, .nhead = 4,
	};

	m.head[0] = (uint8_t)(csid >> 24);
	m.head[1] = (uint8_t)(csid >> 16);
	m.head[2] = (uint8_t)(csid >> 8);
	m.head[3] = (uint8_t)csid;
	return m;
}

/* ------------------------------------------------------------------ */
/* The receiver: a recording chunk_demux_ops.                          */

struct got {
	uint32_t	 csid;
	uint8_t		 fmt;
	uint8_t		 type;
	uint32_t	 len;
	uint32_t	 msid;
	uint32_t	 ts;
	uint32_t	 kept;
	bool		 recovered;
	uint8_t		*body;
};

struct ev {
	enum chunk_event ev;
	uint64_t	 value;
};

#define MAX_EVENTS	1024

struct rec {
	struct got	*msgs;
	size_t		 n;
	size_t		 cap;
	struct ev	 evs[MAX_EVENTS];
	size_t		 nev;
	size_t		 count[CHUNK_EV_ABORTED + 1];
	struct chunk_demux_stats stats;
	uint32_t	 chunk_size;
};

static void
rec_message(void *ctx, const struct rtmp_message *m)
{
	struct rec *r = ctx;
	struct got *g, *grown;

	assert_true(m->kept <= m->len);
	assert_false(m->in_aggregate);
	if (r->n == r->cap) {
		r->cap = r->cap == 0 ? 64 : r->cap * 2;
		grown = realloc(r->msgs, r->cap * sizeof(*grown));
		assert_non_null(grown);
		r->msgs = grown;
	}
	g = &r->msgs[r->n++];
	g->csid = m->csid;
	g->fmt = m->fmt;
	g->type = m->type;
	g->len = m->len;
	g->msid = m->msid;
	g->ts = m->ts;
	g->kept = m->kept;
	g->recovered = m->recovered;
	g->body = malloc(m->kept + 1);
	assert_non_null(g->body);
	if (m->kept > 0)
		memcpy(g->body, m->body, m->kept);
}

static void
rec_event(void *ctx, enum chunk_event ev, uint64_t value)
{
	struct rec *r = ctx;

	assert_true(ev <= CHUNK_EV_ABORTED);
	r->count[ev]++;
	if (r->nev < MAX_EVENTS) {
		r->evs[r->nev].ev = ev;
		r->evs[r->nev].value = value;
		r->nev++;
	}
}

static const struct chunk_demux_ops rec_ops = { rec_message, rec_event };

static void
rec_free(struct rec *r)
{

	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->msgs[i].body);
	free(r->msgs);
	free(r);
}

static struct rec *
rec_new(void)
{
	struct rec *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	return r;
}

enum start {
	START_SYNC,	/* after a handshake */
	START_JOIN,	/* joined mid-stream */
};

/*
 * Feeds bytes cut at the given offsets (ascending) into a fresh
 * demultiplexer and records what comes out.
 */
static struct rec *
run_cuts(const uint8_t *b, size_t len, const size_t *cuts, size_t ncuts,
    enum start start)
{
	struct chunk_demux d;
	struct rec *r = rec_new();
	size_t i, from = 0, to;

	chunk_demux_init(&d, &rec_ops, r);
	if (start == START_JOIN)
		chunk_demux_join(&d);
	for (i = 0; i <= ncuts; i++) {
		to = i < ncuts ? cuts[i] : len;
		assert_true(to >= from && to <= len);
		chunk_demux_feed(&d, b + from, to - from);
		from = to;
	}
	r->stats = d.stats;
	r->chunk_size = d.chunk_size;
	chunk_demux_free(&d);
	return r;
}

static struct rec *
run(const struct wire *w, enum start start)
{
	return run_cuts(w->b, w->len, NULL, 0, start);
}

static struct rec *
run_bytewise(const uint8_t *b, size_t len, enum start start)
{
	struct chunk_demux d;
	struct rec *r = rec_new();
	size_t i;

	chunk_demux_init(&d, &rec_ops, r);
	if (start == START_JOIN)
		chunk_demux_join(&d);
	for (i = 0; i < len; i++)
		chunk_demux_feed(&d, b + i, 1);
	r->stats = d.stats;
	r->chunk_size = d.chunk_size;
	chunk_demux_free(&d);
	return r;
}

static void
assert_rec_equal(const struct rec *a, const struct rec *b)
{
	size_t i;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		assert_int_equal(a->msgs[i].csid, b->msgs[i].csid);
		assert_int_equal(a->msgs[i].fmt, b->msgs[i].fmt);
		assert_int_equal(a->msgs[i].type, b->msgs[i].type);
		assert_int_equal(a->msgs[i].len, b->msgs[i].len);
		assert_int_equal(a->msgs[i].msid, b->msgs[i].msid);
		assert_int_equal(a->msgs[i].ts, b->msgs[i].ts);
		assert_int_equal(a->msgs[i].kept, b->msgs[i].kept);
		assert_int_equal(a->msgs[i].recovered, b->msgs[i].recovered);
		assert_memory_equal(a->msgs[i].body, b->msgs[i].body,
		    a->msgs[i].kept);
	}
	assert_int_equal(a->nev, b->nev);
	for (i = 0; i < a->nev; i++) {
		assert_int_equal(a->evs[i].ev, b->evs[i].ev);
		assert_int_equal(a->evs[i].value, b->evs[i].value);
	}
	assert_int_equal(a->stats.messages, b->stats.messages);
	assert_int_equal(a->stats.chunks, b->stats.chunks);
	assert_int_equal(a->stats.malformed, b->stats.malformed);
	assert_int_equal(a->stats.resyncs, b->stats.resyncs);
	assert_int_equal(a->stats.skipped, b->stats.skipped);
	assert_int_equal(a->stats.dropped, b->stats.dropped);
	assert_int_equal(a->stats.bytes, b->stats.bytes);
	assert_int_equal(a->chunk_size, b->chunk_size);
}

/* Split at every offset, in three at a stride, and byte by byte. */
static void
assert_split_invariant(const struct wire *w, enum start start)
{
	struct rec *whole, *other;
	size_t a, c, cuts[2], stride;

	whole = run(w, start);
	for (a = 0; a <= w->len; a++) {
		cuts[0] = a;
		other = run_cuts(w->b, w->len, cuts, 1, start);
		assert_rec_equal(whole, other);
		rec_free(other);
	}
	stride = w->len / 16 + 1;
	for (a = 0; a <= w->len; a += stride) {
		for (c = a; c <= w->len; c += w->len / 200 + 3) {
			cuts[0] = a;
			cuts[1] = c;
			other = run_cuts(w->b, w->len, cuts, 2, start);
			assert_rec_equal(whole, other);
			rec_free(other);
		}
	}
	other = run_bytewise(w->b, w->len, start);
	assert_rec_equal(whole, other);
	rec_free(other);
	rec_free(whole);
}

/* A message as it must come out: envelope, kept bytes, body bytes. */
static void
check_msg(const struct rec *r, size_t i, const struct tmsg *m,
    uint32_t ts, uint32_t msid, uint32_t kept)
{
	const struct got *g;
	size_t k;

	assert_true(i < r->n);
	g = &r->msgs[i];
	assert_int_equal(g->csid, m->csid);
	assert_int_equal(g->fmt, m->fmt);
	assert_int_equal(g->type, m->type);
	assert_int_equal(g->len, m->len);
	assert_int_equal(g->ts, ts);
	assert_int_equal(g->msid, msid);
	assert_int_equal(g->kept, kept);
	for (k = 0; k < kept; k++)
		assert_int_equal(g->body[k], tmsg_byte(m, k));
}

static size_t
count_events(const struct rec *r, enum chunk_event ev)
{
	return r->count[ev];
}

/* ------------------------------------------------------------------ */
/* Basic headers.                                                      */

static void
test_chunk_basic_header_all_forms(void **state)
{
	static const uint32_t csids[] = {
		2, 3, 63, 64, 65, 319, 320, 321, 1000, 65598, 65599,
	};
	struct wire w;
	struct tmsg m[sizeof(csids) / sizeof(csids[0])];
	struct rec *r;
	size_t i, n = sizeof(csids) / sizeof(csids[0]);

	(void)state;
	wire_init(&w);
	for (i = 0; i < n; i++) {
		memset(&m[i], 0, sizeof(m[i]));
		m[i].csid = csids[i];
		m[i].ts = (uint32_t)(100 * i);
		m[i].len = (uint32_t)(10 + i);
		m[i].type = RTMP_DATA_AMF0;
		m[i].msid = 1;
		m[i].head[0] = 0x02;
		m[i].nhead = 1;
	}
	wire_msgs(&w, m, n);
	/* 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3 basic header bytes. */
	assert_int_equal(w.len, 11 * 11 + 3 * 1 + 3 * 2 + 5 * 3 +
	    (10 * 11 + 55));
	r = run(&w, START_SYNC);
	assert_int_equal(r->n, n);
	for (i = 0; i < n; i++)
		check_msg(r, i, &m[i], (uint32_t)(100 * i), 1, m[i].len);
	assert_int_equal(r->nev, 0);
	rec_free(r);
	assert_split_invariant(&w, START_SYNC);
	wire_free(&w);
}

static void
test_chunk_basic_header_three_byte_form_of_small_csids(void **state)
{
	static const uint32_t csids[] = { 64, 100, 319 };
	struct wire w;
	struct tmsg m;
	struct rec *r;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		wire_init(&w);
		memset(&m, 0, sizeof(m));
		m.csid = csids[i];
		m.ts = 7;
		m.len = 300;
		m.type = RTMP_COMMAND_AMF0;
		m.msid = 0;
		/* fmt 0 in the 3-byte form, continuations in the 2-byte form. */
		m.flags = F_LONG_BASIC;
		(void)wire_first_chunk(&w, &m);
		m.flags = 0;
		(void)wire_next_chunk(&w, &m, 128);
		m.flags = F_LONG_BASIC;
		(void)wire_next_chunk(&w, &m, 256);
		r = run(&w, START_SYNC);
		assert_int_equal(r->n, 1);
		check_msg(r, 0, &m, 7, 0, 300);
		assert_int_equal(r->nev, 0);
		rec_free(r);
		assert_split_invariant(&w, START_SYNC);
		wire_free(&w);
	}
}

/* ------------------------------------------------------------------ */
/* Message headers and timestamps.                                     */

static void
test_chunk_each_fmt_accumulates_deltas(void **state)
{
	const struct tmsg m[] = {
		{ .csid = 4, .fmt = 0, .ts = 1000, .len = 10, .type = 8,
		  .msid = 1 },
		{ .csid = 4, .fmt = 1, .ts = 20, .len = 12, .type = 8 },
		{ .csid = 4, .fmt = 2, .ts = 30, .len = 12, .type = 8 },
		{ .csid = 4, .fmt = 3, .len = 12, .type = 8 },
		{ .csid = 4, .fmt = 3, .len = 12, .type = 8 },
		{ .csid = 4, .fmt = 1, .ts = 0, .len = 40, .type = 9 },
		{ .csid = 4, .fmt = 3, .len = 40, .type = 9 },
	};
	static const uint32_t ts[] = { 1000, 1020, 1050, 1080, 1110, 1110,
	    1110 };
	/* Audio of pattern bytes is short: whole; video keeps 16 of 40. */
	static const uint32_t kept[] = { 10, 12, 12, 12, 12, 16, 16 };
	struct wire w;
	struct rec *r;
	size_t i;

	(void)state;
	wire_init(&w);
	wire_msgs(&w, m, sizeof(m) / sizeof(m[0]));
	r = run(&w, START_SYNC);
	assert_int_equal(r->n, sizeof(m) / sizeof(m[0]));
	for (i = 0; i < r->n; i++)
		check_msg(r, i, &m[i], ts[i], 1, kept[i]);
	assert_int_equal(r->nev, 0);
	rec_free(r);
	assert_split_invariant(&w, START_SYNC);
	wire_free(&w);
}

static void
test_chunk_fmt3_after_fmt0_adds_the_fmt0_timestamp(void **state)
{
	const struct tmsg m[] = {
		{ .csid = 3, .fmt = 0, .ts = 500, .len = 6, .type = 4,
		  .msid = 0, .head = { 0, 0 }, .nhead = 2 },
		{ .csid = 3, .fmt = 3, .len = 6, .type = 4, .nhead = 2 },
		{ .csid = 3, .fmt = 3, .len = 6, .type = 4, .nhead = 2 },
	};
	struct wire w;
	struct rec *r;

	(void)state;
	wire_init(&w);
	wire_msgs(&w, m, 3);
	r = run(&w, START_SYNC);
	assert_int_equal(r->n, 3);
	/* RTMP 1.0, 5.3.1.2.4: the delta after fmt 0 is its timestamp. */
	check_msg(r, 0, &m[0], 500, 0, 6);
	check_msg(r, 1, &m[1], 1000, 0, 6);
	check_msg(r, 2, &m[2], 1500, 0, 6);
	rec_free(r);
	assert_split_invariant(&w, START_SYNC);
	wire_free(&w);
}

static void
test_chunk_fmt3_after_fmt2_adds_the_fmt2_delta(void **state)
{
	const struct tmsg m[] = {
		{ .csid = 8, .fmt = 0, .ts = 500, .len = 20, .type = 18,
		  .msid = 5 },
		{ .csid = 8, .fmt = 2, .ts = 40, .len = 20, .type = 18 },
		{ .csid = 8, .fmt = 3, .len = 20, .type = 18 },
		{ .csid = 8, .fmt = 3, .len = 20, .type = 18 },
		{ .csid = 8, .fmt = 2, .ts = 0, .len = 20, .type = 18 },
		{ .csid = 8, .fmt = 3, .len = 20, .type = 18 },
	};
	static const uint32_t ts[] = { 500, 540, 580, 620, 620, 620 };
	struct wire w;
	struct rec *r;
	size_t i;

	(void)state;
	wire_init(&w);
	wire_msgs(&w, m, 6);
	r = run(&w, START_SYNC);
	assert_int_equal(r->n, 6);
	for (i = 0; i < 6; i++)
		check_msg(r, i, &m[i], ts[i], 5, 20);
	rec_free(r);
	assert_split_invariant(&w, START_SYNC);
	wire_free(&w);
}

static void
test_chunk_fmt1_changes_length_and_type_keeps_msid(void **state)
{
	const struct tmsg m[] = {
		{ .csid = 6, .fmt = 0, .ts = 0, .len = 200, .type = 18,
		  .msid = 0x01020304 },
		{ .csid = 6, .fmt = 1, .ts = 33, .len = 5, .type = 20 },
		{ .csid = 6, .fmt = 1, .ts = 33, .len = 129, .type = 15 },
		{ .csid = 6, .fmt = 0, .ts = 7, .len = 3, .type = 18,
		  .msid = 9 },
	};
	struct wire w;
	struct rec *r;

	(void)state;
	wire_init(&w);
	wire_msgs(&w, m, 4);
	r = run(&w, START_SYNC);
	assert_int_equal(r->n, 4);
	/* The msid travels little-endian and only fmt 0 sets it. */
	check_msg(r, 0, &m[0], 0, 0x01020304, 200);
	check_msg(r, 1, &m[1], 33, 0x01020304, 5);
	check_msg(r, 2, &m[2], 66, 0x01020304, 129);
	check_msg(r, 3, &m[3], 7, 9, 3);
	rec_free(r);
	assert_split_invariant(&w, START_SYNC);
	wire_free(&w);
}

static void
test_chunk_timestamps_wrap_modulo_2_32(void **state)
{
	const struct tmsg m[] = {
		{ .csid = 4, .fmt = 0, .ts = 0xfffffff0U, .len = 4, .type = 8,
		  .msid = 1 },
		{ .csid = 4, .fmt = 2, .ts = 0x20, .len = 4, .type = 8 },
	};
	struct wire w;
	struct rec *r;

	(void)state;
	wire_init(&w);
	wire_msgs(&w, m, 2);
	r = run(&w, START_SYNC);
	assert_int_equal(r->n, 2);
	check_msg(r, 0, &m[0], 0xfffffff0U, 1, 4);
	check_msg(r, 1, &m[1], 0x10, 1, 4);
	rec_free(r);
	wire_free(&w);
}

/* ------------------------------------------------------------------ */
/* Extended timestamps.                                                */

static void
ext_fmt0_case(unsigned flags)
{
	const struct tmsg m[] = {
		{ .csid = 5, .fmt = 0, .ts = 0x01000000U, .len = 300,
		  .type = 18, .msid = 1, .flags = flags },
		/* fmt 3 new message: repeats (or not) the fmt 0 field. */
		{ .csid = 5, .fmt = 3, .ts = 0x01000000U, .len = 300,
		  .type = 18, .flags = flags },
		{ .csid = 5, .fmt = 1, .ts = 0x01000005U, .len = 200,
		  .type = 18, .flags = flags },
		{ .csid = 5, .fmt = 3, .ts = 0x01000005U, .len = 200,
		  .type = 18, .flags = flags },
		{ .csid = 5, .fmt = 2, .ts = 0x02000000U, .len = 200,
		  .type = 18, .flags = flags },
		{ .csid = 5, .fmt = 2, .ts = 10, .len = 200, .type = 18,
		  .flags = flags },
		/* Extended no more: fmt 3 chunks carry no 4 bytes at all. */
		{ .csid = 5, .fmt = 3, .ts = 10, .len = 200, .type = 18 },
	};
	static const uint32_t ts[] = {
		0x01000000U, 0x02000000U, 0x03000005U, 0x0400000aU,
		0x0600000aU, 0x06000014U, 0x0600001eU,
	};
	struct wire w;
	struct rec *r;
	size_t i;

	wire_init(&w);
	wire_msgs(&w, m, sizeof(m) / sizeof(m[0]));
	r = run(&w, START_SYNC);
	assert_int_equal(r->n, sizeof(m) / sizeof(m[0]));
	for (i = 0; i < r->n; i++)
		check_msg(r, i, &m[i], ts[i], 1, m[i].len);
	assert_int_equal(r->nev, 0);
	assert_int_equal(r->stats.malformed, 0);
	rec_free(r);
	assert_split_invariant(&w, START_SYNC);
	wire_free(&w);
}

static void
test_chunk_extended_timestamp_repeated_on_fmt3(void **state)
{
	(void)state;
	ext_fmt0_case(0);
}

static void
test_chunk_extended_timestamp_left_out_on_fmt3(void **state)
{
	(void)state;
	/* The peek rule: four body bytes that differ are body bytes. */
	ext_fmt0_case(F_OMIT_EXT);
}

static void
test_chunk_timestamp_0xffffff_is_extended(void **state)
{
	const struct tmsg m[] = {
		{ .csid = 3, .fmt = 0, .ts = 0xffffffU, .len = 150,
		  .type = 20, .msid = 0 },
		/* fmt 3 cannot change the length: 150 again. */
		{ .csid = 3, .fmt = 3, .ts = 0xffffffU, .len = 150,
		  .type = 20 },
	};
	struct wire w;
	struct rec *r;

	(void)state;
	wire_init(&w);
	wire_msgs(&w, m, 2);
	/* 12 + 4 + 128, 1 + 4 + 22, twice. */
	assert_int_equal(w.len, 2 * (144 + 27) - 11);
	r = run(&w, START_SYNC);
	assert_int_equal(r->n, 2);
	check_msg(r, 0, &m[0], 0xffffffU, 0, 150);
	check_msg(r, 1, &m[1], 0x1fffffeU, 0, 150);
	rec_free(r);
	assert_split_invariant(&w, START_SYNC);
	wire_free(&w);
}

static void
test_chunk_extended_left_out_body_equal_to_it_is_ambiguous(void **state)
{
	struct wire w;
	struct tmsg m = {
		.csid = 4, .fmt = 0, .ts = 0x01000000U, .len = 140,
		.type = 18, .msid = 1, .flags = F_OMIT_EXT,
	};
	struct rec *r;

	(void)state;
	/*
	 * A sender that leaves the bytes out, with a second chunk whose body
	 * starts with the very same four bytes: the peek rule takes them as
	 * the timestamp (the documented price of the rule), so the demuxer
	 * still waits for 4 more body bytes when the message has ended.
	 */
	wire_init(&w);
	(void)wire_first_chunk(&w, &m);
	put_basic(&w, 3, 4, false);
	put32(&w, 0x01000000U);
	put_body(&w, &m, 132, 8);
	r = run(&w, START_SYNC);
	assert_int_equal(r->n, 0);
	rec_free(r);
	wire_free(&w);
}

/* ------------------------------------------------------------------ */
/* Chunking and Set Chunk Size.                                        */

static void
test_chunk_message_split_in_many_chunks_at_128(void **state)
{
	const struct tmsg m[] = {
		{ .csid = 3, .fmt = 0, .ts = 1, .len = 1000, .type = 20,
		  .head = { 0x02 }, .nhead = 1 },
		{ .csid = 3, .fmt = 1, .ts = 1, .len = 128, .type = 20 },
		{ .csid = 3, .fmt = 1, .ts = 1, .len = 129, .type = 20 },
		{ .csid = 3, .fmt = 1, .ts = 1, .len = 256, .type = 20 },
	};
	struct wire w;
	struct rec *r;

	(void)state;
	wire_init(&w);
	wire_msgs(&w, m, 4);
	/* 8 chunks, 1 chunk, 2 chunks, 2 chunks. */
	assert_int_equal(w.len, 12 + 7 * 1 + 1000 + 8 + 128 + 8 + 1 + 129 +
	    8 + 1 + 256);
	r = run(&w, START_SYNC);
	assert_int_equal(r->n, 4);
	check_msg(r, 0, &m[0], 1, 0, 1000);
	check_msg(r, 1, &m[1], 2, 0, 128);
	check_msg(r, 2, &m[2], 3, 0, 129);
	check_msg(r, 3, &m[3], 4, 0, 256);
	assert_int_equal(r->stats.chunks, 13);
	assert_int_equal(r->stats.messages, 4);
	rec_free(r);
	assert_split_invariant(&w, START_SYNC);
	wire_free(&w);
}

static void
test_chunk_set_chunk_size_applies_to_following_chunks(void **state)
{
	struct tmsg m[] = {
		{ .csid = 3, .fmt = 0, .len = 300, .type = 20 },
		{ 0 },
		{ .csid = 3, .fmt = 1, .len = 300, .type = 20 },
		{ .csid = 3, .fmt = 1, .len = 5000, .type = 20 },
	};
	struct wire w;
	struct rec *r;

	(void)state;
	m[1] = set_chunk_size_msg(4096);
	wire_init(&w);
	wire_msgs(&w, m, 4);
	assert_int_equal(w.chunk_size, 4096);
	/* 300: 3 chunks at 128; then 1 chunk; then 2 chunks at 4096. */
	assert_int_equal(w.len, 12 + 2 + 300 + 16 + 8 + 300 + 8 + 1 + 5000);
	r = run(&w, START_SYNC);
	assert_int_equal(r->n, 4);
	check_msg(r, 0, &m[0], 0, 0, 300);
	check_msg(r, 1, &m[1], 0, 0, 4);
	check_msg(r, 2, &m[2], 0, 0, 300);
	check_msg(r, 3, &m[3], 0, 0, 5000);
	assert_int_equal(r->chunk_size, 4096);
	assert_int_equal(r->stats.chunks, 3 + 1 + 1 + 2);
	assert_int_equal(r->nev, 0);
	rec_free(r);
	assert_split_invariant(&w, START_SYNC);
	wire_free(&w);
}

static void
test_chunk_set_chunk_size_mid_message_of_another_stream(void **state)
{
	const struct tmsg big = { .csid = 6, .fmt = 0, .ts = 40, .len = 1000,
	    .type = 18, .msid = 1 };
	const struct tmsg scs = set_chunk_size_msg(1000);
	struct wire w;
	struct rec *r;
	size_t off;

	(void)state;
	/* One 128-byte chunk of csid 6, the new size, then the rest whole. */
	wire_init(&w);
	off = wire_first_chunk(&w, &big);
	wire_msg(&w, &scs);
	assert_int_equal(w.chunk_size, 1000);
	off += wire_next_chunk(&w, &big, off);
	assert_int_equal(off, 1000);
	r = run(&w, START_SYNC);
	assert_int_equal(r->n, 2);
	check_msg(r, 0, &scs, 0, 0, 4);
	check_msg(r, 1, &big, 40, 1, 1000);
	assert_int_equal(r->nev, 0);
	rec_free(r);
	assert_split_invariant(&w, START_SYNC);
	wire_free(&w);
}

static void
test_chunk_set_chunk_size_zero_is_refused(void **state)
{
	struct tmsg m[] = {
		{ 0 },
		{ .csid = 3, .fmt = 0, .len = 300, .type = 20 },
	};
	struct wire w;
	struct rec *r;

	(void)state;
	m[0] = set_chunk_size_msg(0);
	wire_init(&w);
	wire_msgs(&w, m, 2);
	r = run(&w, START_SYNC);
	assert_int_equal(count_events(r, CHUNK_EV_BAD_CHUNK_SIZE), 1);
	assert_int_equal(r->evs[0].ev, CHUNK_EV_BAD_CHUNK_SIZE);
	assert_int_equal(r->evs[0].value, 0);
	/* The message itself is still reported; the size stays 128. */
	assert_int_equal(r->n, 2);
	check_msg(r, 0, &m[0], 0, 0, 4);
	check_msg(r, 1, &m[1], 0, 0, 300);
	assert_int_equal(r->chunk_size, 128);
	rec_free(r);
	assert_split_invariant(&w, START_SYNC);
	wire_free(&w);
}

static void
test_chunk_set_chunk_size_max_is_accepted(void **state)
{
	struct tmsg m[] = {
		{ 0 },
		{ .csid = 3, .fmt = 0, .len = 70000, .type = 18 },
		{ .csid = 3, .fmt = 1, .len = 3, .type = 18 },
	};
	struct wire w;
	struct rec *r;

	(void)state;
	m[0] = set_chunk_size_msg(LIMIT_CHUNK_SIZE_MAX);
	wire_init(&w);
	wire_msgs(&w, m, 3);
	assert_int_equal(w.len, 16 + 12 + 70000 + 8 + 3);
	r = run(&w, START_SYNC);
	assert_int_equal(r->nev, 0);
	assert_int_equal(r->chunk_size, LIMIT_CHUNK_SIZE_MAX);
	assert_int_equal(r->n, 3);
	check_msg(r, 1, &m[1], 0, 0, 70000);
	check_msg(r, 2, &m[2], 0, 0, 3);
	rec_free(r);
	wire_free(&w);
}

static void
test_chunk_set_chunk_size_reserved_bit_is_ignored(void **state)
{
	struct tmsg m[] = {
		{ 0 },
		{ .csid = 3, .fmt = 0, .len = 300, .type = 18 },
	};
	struct wire w;
	struct rec *r;

	(void)state;
	m[0] = set_chunk_size_msg(0x80000100U);
	wire_init(&w);
	wire_msgs(&w, m, 2);
	assert_int_equal(w.chunk_size, 256);
	r = run(&w, START_SYNC);
	assert_int_equal(r->chunk_size, 256);
	assert_int_equal(r->n, 2);
	check_msg(r, 1, &m[1], 0, 0, 300);
	rec_free(r);
	wire_free(&w);
}

/* ------------------------------------------------------------------ */
/* Abort, interleaving, empty messages.                                */

static void
test_chunk_abort_discards_the_partial_message(void **state)
{
	const struct tmsg part = { .csid = 6, .fmt = 0, .ts = 10,
	    .len = 300, .type = 18, .msid = 1 };
	const struct tmsg ab = abort_msg(6);
	const struct tmsg next = { .csid = 6, .fmt = 0, .ts = 20, .len = 50,
	    .type = 18, .msid = 1 };
	struct wire w;
	struct rec *r;

	(void)state;
	wire_init(&w);
	(void)wire_first_chunk(&w, &part);
	wire_msg(&w, &ab);
	wire_msg(&w, &next);
	r = run(&w, START_SYNC);
	assert_int_equal(r->n, 2);
	check_msg(r, 0, &ab, 0, 0, 4);
	check_msg(r, 1, &next, 20, 1, 50);
	assert_int_equal(r->nev, 1);
	assert_int_equal(r->evs[0].ev, CHUNK_EV_ABORTED);
	assert_int_equal(r->evs[0].value, 6);
	assert_int_equal(r->stats.malformed, 0);
	rec_free(r);
	assert_split_invariant(&w, START_SYNC);
	wire_free(&w);
}

static void
test_chunk_abort_then_fmt3_starts_a_new_message(void **state)
{
	const struct tmsg part = { .csid = 6, .fmt = 0, .ts = 10,
	    .len = 300, .type = 18, .msid = 1 };
	const struct tmsg ab = abort_msg(6);
	const struct tmsg next = { .csid = 6, .fmt = 3, .len = 300,
	    .type = 18 };
	struct wire w;
	struct rec *r;

	(void)state;
	wire_init(&w);
	(void)wire_first_chunk(&w, &part);
	wire_msg(&w, &ab);
	wire_msg(&w, &next);
	r = run(&w, START_SYNC);
	assert_int_equal(r->n, 2);
	check_msg(r, 1, &next, 20, 1, 300);
	assert_int_equal(count_events(r, CHUNK_EV_ABORTED), 1);
	rec_free(r);
	wire_free(&w);
}

static void
test_chunk_abort_of_an_idle_stream_changes_nothing(void **state)
{
	struct tmsg m[] = {
		{ .csid = 6, .fmt = 0, .ts = 10, .len = 30, .type = 18,
		  .msid = 1 },
		{ 0 },
		{ 0 },
		{ .csid = 6, .fmt = 3, .len = 30, .type = 18 },
	};
	struct wire w;
	struct rec *r;

	(void)state;
	m[1] = abort_msg(6);
	m[2] = abort_msg(777);
	wire_init(&w);
	wire_msgs(&w, m, 4);
	r = run(&w, START_SYNC);
	assert_int_equal(r->n, 4);
	check_msg(r, 3, &m[3], 20, 1, 30);
	assert_int_equal(r->nev, 0);
	rec_free(r);
	wire_free(&w);
}

static void
test_chunk_two_streams_interleaved_mid_message(void **state)
{
	const struct tmsg a = { .csid = 4, .fmt = 0, .ts = 100, .len = 300,
	    .type = 8, .msid = 1, .head = { 0xaf, 0x00 }, .nhead = 2 };
	const struct tmsg v = { .csid = 6, .fmt = 0, .ts = 90, .len = 400,
	    .type = 9, .msid = 1, .head = { 0x17, 0x00 }, .nhead = 2 };
	const struct tmsg a2 = { .csid = 4, .fmt = 2, .ts = 23, .len = 300,
	    .type = 8, .head = { 0xaf, 0x01 }, .nhead = 2 };
	struct wire w;
	struct rec *r;
	size_t oa, ov, oa2;

	(void)state;
	wire_init(&w);
	oa = wire_first_chunk(&w, &a);
	ov = wire_first_chunk(&w, &v);
	oa += wire_next_chunk(&w, &a, oa);
	ov += wire_next_chunk(&w, &v, ov);
	oa += wire_next_chunk(&w, &a, oa);	/* a complete */
	assert_int_equal(oa, 300);
	oa2 = wire_first_chunk(&w, &a2);
	ov += wire_next_chunk(&w, &v, ov);
	oa2 += wire_next_chunk(&w, &a2, oa2);
	ov += wire_next_chunk(&w, &v, ov);	/* v complete */
	assert_int_equal(ov, 400);
	oa2 += wire_next_chunk(&w, &a2, oa2);
	assert_int_equal(oa2, 300);
	r = run(&w, START_SYNC);
	assert_int_equal(r->n, 3);
	check_msg(r, 0, &a, 100, 1, 300);	/* AAC sequence header: whole */
	check_msg(r, 1, &v, 90, 1, 400);	/* AVC sequence header: whole */
	check_msg(r, 2, &a2, 123, 1, 16);	/* raw AAC: its first bytes */
	assert_int_equal(r->nev, 0);
	rec_free(r);
	assert_split_invariant(&w, START_SYNC);
	wire_free(&w);
}

static void
test_chunk_zero_length_messages(void **state)
{
	const struct tmsg m[] = {
		{ .csid = 5, .fmt = 0, .ts = 10, .len = 0, .type = 18,
		  .msid = 1 },
		{ .csid = 5, .fmt = 3, .len = 0, .type = 18 },
		{ .csid = 5, .fmt = 2, .ts = 5, .len = 0, .type = 18 },
		{ .csid = 5, .fmt = 1, .ts = 5, .len = 0, .type = 9 },
		{ .csid = 5, .fmt = 1, .ts = 5, .len = 3, .type = 18 },
		{ .csid = 7, .fmt = 0, .ts = 1, .len = 0, .type = 8,
		  .msid = 1 },
	};
	static const uint32_t ts[] = { 10, 20, 25, 30, 35, 1 };
	struct wire w;
	struct rec *r;
	size_t i;

	(void)state;
	wire_init(&w);
	wire_msgs(&w, m, 6);
	r = run(&w, START_SYNC);
	assert_int_equal(r->n, 6);
	for (i = 0; i < 6; i++)
		check_msg(r, i, &m[i], ts[i], 1, m[i].len);
	assert_int_equal(r->nev, 0);
	rec_free(r);
	assert_split_invariant(&w, START_SYNC);
	wire_free(&w);
}

/* ------------------------------------------------------------------ */
/* What a message keeps of its body.                                   */

static void
test_chunk_keep_policy(void **state)
{
	const struct tmsg m[] = {
		/* AVC inter NALU: only its first bytes are kept. */
		{ .csid = 6, .fmt = 0, .ts = 0, .len = 5000, .type = 9,
		  .msid = 1, .head = { 0x27, 0x01, 0x00, 0x00, 0x28 },
		  .nhead = 5 },
		/* AVC sequence header: kept whole for the codec config. */
		{ .csid = 6, .fmt = 1, .ts = 0, .len = 700, .type = 9,
		  .head = { 0x17, 0x00, 0x00, 0x00, 0x00, 0x01 },
		  .nhead = 6 },
		/* AMF0 command: whole. */
		{ .csid = 3, .fmt = 0, .ts = 0, .len = 900, .type = 20,
		  .head = { 0x02, 0x00, 0x07, 'c', 'o', 'n', 'n', 'e' },
		  .nhead = 8 },
		/* A short NALU is kept whole since it is short. */
		{ .csid = 6, .fmt = 1, .ts = 40, .len = 10, .type = 9,
		  .head = { 0x27, 0x01 }, .nhead = 2 },
		/* Raw AAC: first bytes; AAC sequence header: whole. */
		{ .csid = 4, .fmt = 0, .ts = 0, .len = 400, .type = 8,
		  .msid = 1, .head = { 0xaf, 0x01 }, .nhead = 2 },
		{ .csid = 4, .fmt = 1, .ts = 0, .len = 400, .type = 8,
		  .head = { 0xaf, 0x00 }, .nhead = 2 },
		/* Enhanced RTMP: SequenceStart whole, CodedFrames not. */
		{ .csid = 6, .fmt = 1, .ts = 0, .len = 300, .type = 9,
		  .head = { 0x90, 'h', 'v', 'c', '1' }, .nhead = 5 },
		{ .csid = 6, .fmt = 1, .ts = 0, .len = 300, .type = 9,
		  .head = { 0x91, 'h', 'v', 'c', '1' }, .nhead = 5 },
		/* Unknown type: kept whole. */
		{ .csid = 9, .fmt = 0, .ts = 0, .len = 300, .type = 7,
		  .msid = 1 },
	};
	static const uint32_t kept[] = { 16, 700, 900, 10, 16, 400, 300, 16,
	    300 };
	static const uint32_t ts[] = { 0, 0, 0, 40, 0, 0, 40, 40, 0 };
	struct wire w;
	struct rec *r;
	size_t i;

	(void)state;
	wire_init(&w);
	wire_msgs(&w, m, sizeof(m) / sizeof(m[0]));
	r = run(&w, START_SYNC);
	assert_int_equal(r->n, sizeof(m) / sizeof(m[0]));
	for (i = 0; i < r->n; i++) {
		check_msg(r, i, &m[i], ts[i], m[i].csid == 3 ? 0 : 1,
		    kept[i]);
		assert_true(r->msgs[i].kept <= r->msgs[i].len);
	}
	assert_true(r->msgs[0].kept < r->msgs[0].len);
	rec_free(r);
	assert_split_invariant(&w, START_SYNC);
	wire_free(&w);
}

static void
test_chunk_keep_limit_cuts_a_huge_amf_body(void **state)
{
	struct tmsg m[] = {
		{ 0 },
		{ .csid = 3, .fmt = 0, .len = 2 * 1024 * 1024, .type = 18,
		  .head = { 0x02 }, .nhead = 1 },
		{ .csid = 3, .fmt = 1, .len = 5, .type = 18 },
	};
	struct wire w;
	struct rec *r;

	(void)state;
	m[0] = set_chunk_size_msg(65536);
	wire_init(&w);
	wire_msgs(&w, m, 3);
	r = run(&w, START_SYNC);
	assert_int_equal(r->n, 3);
	check_msg(r, 1, &m[1], 0, 0, LIMIT_MESSAGE_KEEP_MAX);
	check_msg(r, 2, &m[2], 0, 0, 5);
	assert_int_equal(count_events(r, CHUNK_EV_LIMIT), 1);
	assert_int_equal(r->evs[0].ev, CHUNK_EV_LIMIT);
	assert_int_equal(r->evs[0].value, LIMIT_HIT_MESSAGE_KEEP);
	rec_free(r);
	wire_free(&w);
}

/* ------------------------------------------------------------------ */
/* Bad headers, hunting, joining, gaps.                                */

/* A few valid messages to find after trouble. */
static const struct tmsg after_trouble[] = {
	{ .csid = 3, .fmt = 0, .ts = 0, .len = 20, .type = 20, .msid = 0,
	  .head = { 0x02, 0x00, 0x04, 'p', 'l', 'a', 'y', 0x00 }, .nhead = 8 },
	{ .csid = 4, .fmt = 0, .ts = 1000, .len = 200, .type = 8, .msid = 1,
	  .head = { 0xaf, 0x01 }, .nhead = 2 },
	{ .csid = 4, .fmt = 2, .ts = 23, .len = 200, .type = 8,
	  .head = { 0xaf, 0x01 }, .nhead = 2 },
	{ .csid = 3, .fmt = 0, .ts = 0, .len = 20, .type = 20, .msid = 0,
	  .head = { 0x02, 0x00, 0x04, 'p', 'l', 'a', 'y', 0x00 }, .nhead = 8 },
};

static void
check_after_trouble(const struct rec *r, size_t first)
{
	assert_int_equal(r->n, first + 4);
	check_msg(r, first, &after_trouble[0], 0, 0, 20);
	check_msg(r, first + 1, &after_trouble[1], 1000, 1, 16);
	check_msg(r, first + 2, &after_trouble[2], 1023, 1, 16);
	check_msg(r, first + 3, &after_trouble[3], 0, 0, 20);
	assert_false(r->msgs[first].recovered);
	assert_false(r->msgs[first + 1].recovered);
}

static void
test_chunk_fmt2_on_unknown_csid_is_malformed_then_resyncs(void **state)
{
	const struct tmsg before = { .csid = 3, .fmt = 0, .ts = 5, .len = 10,
	    .type = 20, .head = { 0x02 }, .nhead = 1 };
	struct wire w;
	struct rec *r;

	(void)state;
	wire_init(&w);
	wire_msg(&w, &before);
	/* fmt 2 on csid 9, never described, then some noise. */
	put8(&w, 0x80 | 9);
	put24(&w, 40);
	put(&w, "\xff\xff\xff\xff\xff", 5);
	wire_msgs(&w, after_trouble, 4);
	r = run(&w, START_SYNC);
	assert_true(count_events(r, CHUNK_EV_MALFORMED) >= 1);
	assert_int_equal(r->evs[0].ev, CHUNK_EV_MALFORMED);
	assert_int_equal(r->evs[0].value, 9);
	assert_int_equal(count_events(r, CHUNK_EV_RESYNC), 1);
	check_msg(r, 0, &before, 5, 0, 10);
	check_after_trouble(r, 1);
	assert_int_equal(r->stats.malformed, 1);
	assert_int_equal(r->stats.resyncs, 1);
	assert_int_equal(r->stats.skipped, 4 + 5);
	rec_free(r);
	assert_split_invariant(&w, START_SYNC);
	wire_free(&w);
}

static void
test_chunk_fmt3_on_unknown_csid_is_malformed_then_resyncs(void **state)
{
	struct wire w;
	struct rec *r;

	(void)state;
	wire_init(&w);
	put8(&w, 0xc0 | 12);
	put(&w, "\xfe\xfe\xfe", 3);
	wire_msgs(&w, after_trouble, 4);
	r = run(&w, START_SYNC);
	assert_int_equal(r->evs[0].ev, CHUNK_EV_MALFORMED);
	assert_int_equal(r->evs[0].value, 12);
	assert_int_equal(r->stats.malformed, 1);
	check_after_trouble(r, 0);
	rec_free(r);
	assert_split_invariant(&w, START_SYNC);
	wire_free(&w);
}

static void
test_chunk_new_header_mid_message_is_flagged_and_sync_kept(void **state)
{
	const struct tmsg part = { .csid = 6, .fmt = 0, .ts = 10,
	    .len = 300, .type = 18, .msid = 1 };
	const struct tmsg next = { .csid = 6, .fmt = 1, .ts = 10, .len = 30,
	    .type = 18 };
	struct wire w;
	struct rec *r;

	(void)state;
	wire_init(&w);
	(void)wire_first_chunk(&w, &part);
	wire_msg(&w, &next);
	r = run(&w, START_SYNC);
	assert_int_equal(r->n, 1);
	check_msg(r, 0, &next, 20, 1, 30);
	assert_int_equal(r->nev, 1);
	assert_int_equal(r->evs[0].ev, CHUNK_EV_MALFORMED);
	assert_int_equal(r->evs[0].value, 6);
	assert_int_equal(r->stats.resyncs, 0);
	rec_free(r);
	assert_split_invariant(&w, START_SYNC);
	wire_free(&w);
}

static void
test_chunk_fmt1_on_unknown_csid_is_taken_as_recovered(void **state)
{
	const struct tmsg m[] = {
		{ .csid = 4, .fmt = 1, .ts = 40, .len = 20, .type = 9,
		  .head = { 0x27, 0x01 }, .nhead = 2 },
		{ .csid = 4, .fmt = 2, .ts = 40, .len = 20, .type = 9,
		  .head = { 0x27, 0x01 }, .nhead = 2 },
		{ .csid = 4, .fmt = 0, .ts = 5000, .len = 20, .type = 9,
		  .msid = 3, .head = { 0x27, 0x01 }, .nhead = 2 },
	};
	struct wire w;
	struct rec *r;

	(void)state;
	wire_init(&w);
	wire_msgs(&w, m, 3);
	r = run(&w, START_SYNC);
	assert_int_equal(r->n, 3);
	/* The base is unknown: timestamps count from 0, msid guessed 1. */
	check_msg(r, 0, &m[0], 40, 1, 16);
	check_msg(r, 1, &m[1], 80, 1, 16);
	check_msg(r, 2, &m[2], 5000, 3, 16);
	assert_true(r->msgs[0].recovered);
	assert_true(r->msgs[1].recovered);
	assert_false(r->msgs[2].recovered);
	rec_free(r);
	wire_free(&w);
}

/* Garbage as a capture that starts mid-message would show. */
static void
put_garbage(struct wire *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		put8(w, i % 3 == 0 ? 0xff : (uint8_t)(i * 13 % 100));
}

static const struct tmsg joined[] = {
	{ .csid = 2, .fmt = 0, .len = 4, .type = RTMP_SET_CHUNK_SIZE,
	  .head = { 0, 0, 0x10, 0 }, .nhead = 4 },
	/* The anchor: a fmt 1 video message longer than one chunk. */
	{ .csid = 6, .fmt = 1, .ts = 40, .len = 5000, .type = 9,
	  .head = { 0x27, 0x01 }, .nhead = 2 },
	{ .csid = 6, .fmt = 1, .ts = 40, .len = 300, .type = 9,
	  .head = { 0x27, 0x01 }, .nhead = 2 },
	{ .csid = 4, .fmt = 0, .ts = 1000, .len = 200, .type = 8,
	  .msid = 1, .head = { 0xaf, 0x01 }, .nhead = 2 },
	{ .csid = 6, .fmt = 2, .ts = 40, .len = 300, .type = 9,
	  .head = { 0x27, 0x01 }, .nhead = 2 },
	{ .csid = 6, .fmt = 3, .len = 300, .type = 9,
	  .head = { 0x27, 0x01 }, .nhead = 2 },
	{ .csid = 4, .fmt = 1, .ts = 23, .len = 5000, .type = 8,
	  .head = { 0xaf, 0x01 }, .nhead = 2 },
	{ .csid = 6, .fmt = 0, .ts = 2000, .len = 300, .type = 9,
	  .msid = 1, .head = { 0x27, 0x01 }, .nhead = 2 },
	{ .csid = 6, .fmt = 3, .len = 300, .type = 9,
	  .head = { 0x27, 0x01 }, .nhead = 2 },
};

static void
build_joined(struct wire *w)
{
	struct wire sender;

	/* The sender's chunk size is 4096 from a message we never see. */
	wire_init(&sender);
	wire_msg(&sender, &joined[0]);
	wire_init(w);
	w->chunk_size = sender.chunk_size;
	wire_free(&sender);
	put_garbage(w, 300);
	wire_msgs(w, joined + 1, sizeof(joined) / sizeof(joined[0]) - 1);
}

static void
test_chunk_join_mid_stream_recovers_after_the_anchor(void **state)
{
	struct wire w;
	struct rec *r;

	(void)state;
	build_joined(&w);
	assert_int_equal(w.chunk_size, 4096);
	r = run(&w, START_JOIN);
	assert_int_equal(r->chunk_size, 4096);
	assert_int_equal(count_events(r, CHUNK_EV_RESYNC), 1);
	assert_int_equal(count_events(r, CHUNK_EV_MALFORMED), 0);
	assert_int_equal(r->stats.skipped, 300);
	assert_int_equal(r->n, 8);
	/* csid 6 learned from fmt 1: base 0, msid guessed, recovered. */
	check_msg(r, 0, &joined[1], 40, 1, 16);
	assert_true(r->msgs[0].recovered);
	check_msg(r, 1, &joined[2], 80, 1, 16);
	assert_true(r->msgs[1].recovered);
	/* csid 4 starts with fmt 0: nothing guessed. */
	check_msg(r, 2, &joined[3], 1000, 1, 16);
	assert_false(r->msgs[2].recovered);
	check_msg(r, 3, &joined[4], 120, 1, 16);
	assert_true(r->msgs[3].recovered);
	check_msg(r, 4, &joined[5], 160, 1, 16);
	assert_true(r->msgs[4].recovered);
	check_msg(r, 5, &joined[6], 1023, 1, 16);
	assert_false(r->msgs[5].recovered);
	/* A fmt 0 on csid 6 gives its absolute base: recovered no more. */
	check_msg(r, 6, &joined[7], 2000, 1, 16);
	assert_false(r->msgs[6].recovered);
	check_msg(r, 7, &joined[8], 4000, 1, 16);
	assert_false(r->msgs[7].recovered);
	rec_free(r);
	assert_split_invariant(&w, START_JOIN);
	wire_free(&w);
}

static const struct tmsg short_ones[] = {
	{ .csid = 3, .fmt = 0, .ts = 0, .len = 20, .type = 20, .msid = 0,
	  .head = { 0x02, 0x00, 0x04, 'p', 'l', 'a', 'y', 0x00 }, .nhead = 8 },
	{ .csid = 4, .fmt = 0, .ts = 1000, .len = 100, .type = 8, .msid = 1,
	  .head = { 0xaf, 0x01 }, .nhead = 2 },
	{ .csid = 4, .fmt = 2, .ts = 23, .len = 100, .type = 8,
	  .head = { 0xaf, 0x01 }, .nhead = 2 },
};

static void
test_chunk_join_resync_event_counts_every_skipped_byte(void **state)
{
	static const size_t garbage[] = { 300, 100000 };
	struct wire w;
	struct rec *r;
	size_t cut, i, k;

	(void)state;
	/* Bytes that can start nothing, then the joined stream. */
	for (k = 0; k < 2; k++) {
		wire_init(&w);
		w.chunk_size = 4096;
		for (i = 0; i < garbage[k]; i++)
			put8(&w, 0xff);
		wire_msgs(&w, joined + 1,
		    sizeof(joined) / sizeof(joined[0]) - 1);
		for (cut = 0; cut <= garbage[k] + 100;
		    cut += garbage[k] / 7 + 1) {
			r = run_cuts(w.b, w.len, &cut, 1, START_JOIN);
			assert_int_equal(r->n, 8);
			assert_int_equal(r->stats.skipped, garbage[k]);
			assert_int_equal(count_events(r, CHUNK_EV_RESYNC), 1);
			assert_int_equal(r->evs[0].ev, CHUNK_EV_RESYNC);
			assert_int_equal(r->evs[0].value, garbage[k]);
			rec_free(r);
		}
		wire_free(&w);
	}
}

static void
test_chunk_join_on_single_chunk_messages(void **state)
{
	struct wire w;
	struct rec *r;
	size_t i;

	(void)state;
	/*
	 * Every message fits in one chunk: the chunk size can never be
	 * learned, yet each message is followed by a plausible header.
	 */
	wire_init(&w);
	put_garbage(&w, 50);
	for (i = 0; i < 21; i++)
		wire_msg(&w, &short_ones[i % 3]);
	r = run(&w, START_JOIN);
	/* The first message after the noise anchors; the rest follow. */
	assert_true(count_events(r, CHUNK_EV_RESYNC) >= 1);
	assert_int_equal(r->evs[0].ev, CHUNK_EV_RESYNC);
	assert_int_equal(r->evs[0].value, 50);
	assert_int_equal(r->stats.skipped, 50);
	assert_int_equal(r->stats.malformed, 0);
	assert_int_equal(r->n, 21);
	for (i = 0; i < 21; i++)
		check_msg(r, i, &short_ones[i % 3],
		    i % 3 == 0 ? 0 : i % 3 == 1 ? 1000 : 1023,
		    i % 3 == 0 ? 0 : 1, i % 3 == 0 ? 20 : 16);
	rec_free(r);
	assert_split_invariant(&w, START_JOIN);
	wire_free(&w);
}

/* Messages for the gap tests, at chunk size 128. */
static const struct tmsg gappy[] = {
	/* 0: a NALU, 1000 bytes, only 16 kept. */
	{ .csid = 6, .fmt = 0, .ts = 0, .len = 1000, .type = 9, .msid = 1,
	  .head = { 0x27, 0x01 }, .nhead = 2 },
	/* 1: AMF0 data, kept whole. */
	{ .csid = 5, .fmt = 0, .ts = 0, .len = 300, .type = 18, .msid = 1,
	  .head = { 0x02 }, .nhead = 1 },
	/* 2, 3: small ones. */
	{ .csid = 6, .fmt = 1, .ts = 40, .len = 100, .type = 9,
	  .head = { 0x27, 0x01 }, .nhead = 2 },
	{ .csid = 3, .fmt = 0, .ts = 0, .len = 20, .type = 20, .msid = 0,
	  .head = { 0x02, 0x00, 0x04, 'p', 'l', 'a', 'y', 0x00 }, .nhead = 8 },
	{ .csid = 6, .fmt = 1, .ts = 40, .len = 100, .type = 9,
	  .head = { 0x27, 0x01 }, .nhead = 2 },
};

/* Feeds w with the bytes [from, from + n) lost, returns skip's result. */
static bool
feed_with_gap(const struct wire *w, size_t from, size_t n, struct rec *r)
{
	struct chunk_demux d;
	bool in_sync;

	chunk_demux_init(&d, &rec_ops, r);
	chunk_demux_feed(&d, w->b, from);
	in_sync = chunk_demux_skip(&d, n);
	chunk_demux_feed(&d, w->b + from + n, w->len - from - n);
	r->stats = d.stats;
	r->chunk_size = d.chunk_size;
	chunk_demux_free(&d);
	return in_sync;
}

static void
test_chunk_skip_after_the_kept_bytes_keeps_the_message(void **state)
{
	struct wire w;
	struct rec *r = rec_new();

	(void)state;
	wire_init(&w);
	wire_msgs(&w, gappy, 5);
	/* Inside the second chunk of message 0 (header at 12 + 128). */
	assert_true(feed_with_gap(&w, 12 + 128 + 1 + 10, 50, r));
	assert_int_equal(r->n, 5);
	check_msg(r, 0, &gappy[0], 0, 1, 16);
	check_msg(r, 1, &gappy[1], 0, 1, 300);
	check_msg(r, 2, &gappy[2], 40, 1, 16);
	check_msg(r, 3, &gappy[3], 0, 0, 20);
	check_msg(r, 4, &gappy[4], 80, 1, 16);
	assert_int_equal(r->nev, 0);
	assert_int_equal(r->stats.dropped, 0);
	rec_free(r);
	wire_free(&w);
}

static void
test_chunk_skip_inside_kept_bytes_drops_only_that_message(void **state)
{
	struct wire w;
	struct rec *r;
	size_t at;

	(void)state;
	wire_init(&w);
	wire_msgs(&w, gappy, 5);
	/* Message 1 starts after message 0: 12 + 1000 + 7 fmt 3 headers. */
	at = 12 + 1000 + 7;
	/* Inside the first bytes of the NALU: it goes, the rest stays. */
	r = rec_new();
	assert_true(feed_with_gap(&w, 12 + 3, 20, r));
	assert_int_equal(r->n, 4);
	check_msg(r, 0, &gappy[1], 0, 1, 300);
	assert_int_equal(r->stats.dropped, 1);
	rec_free(r);
	/* Inside the AMF body (its second chunk): it goes, the rest stays. */
	r = rec_new();
	assert_true(feed_with_gap(&w, at + 12 + 128 + 1 + 5, 100, r));
	assert_int_equal(r->n, 4);
	check_msg(r, 0, &gappy[0], 0, 1, 16);
	check_msg(r, 1, &gappy[2], 40, 1, 16);
	check_msg(r, 2, &gappy[3], 0, 0, 20);
	check_msg(r, 3, &gappy[4], 80, 1, 16);
	assert_int_equal(r->stats.dropped, 1);
	rec_free(r);
	/* The very last bytes of a chunk: the message ends with the gap. */
	r = rec_new();
	assert_true(feed_with_gap(&w, at + 12 + 128 + 1 + 100, 28, r));
	assert_int_equal(r->n, 4);
	assert_int_equal(r->stats.dropped, 1);
	rec_free(r);
	wire_free(&w);
}

static void
test_chunk_skip_across_a_chunk_boundary_hunts(void **state)
{
	struct wire w;
	struct rec *r = rec_new();
	size_t at;

	(void)state;
	wire_init(&w);
	wire_msgs(&w, gappy, 5);
	wire_msgs(&w, after_trouble, 4);
	at = 12 + 1000 + 7;
	/* From inside message 0's last chunk into message 1's first. */
	assert_false(feed_with_gap(&w, at - 10, 30, r));
	assert_int_equal(count_events(r, CHUNK_EV_RESYNC), 1);
	/* Sync comes back at the next plausible header. */
	assert_true(r->n >= 4);
	check_after_trouble(r, r->n - 4);
	rec_free(r);
	wire_free(&w);
}

static void
test_chunk_resync_drops_partial_messages(void **state)
{
	struct wire w;
	struct chunk_demux d;
	struct rec *r = rec_new();
	size_t i;

	(void)state;
	wire_init(&w);
	wire_msgs(&w, gappy + 1, 1);
	wire_msgs(&w, after_trouble, 4);
	chunk_demux_init(&d, &rec_ops, r);
	chunk_demux_feed(&d, w.b, 200);
	chunk_demux_resync(&d);
	assert_true(d.hunting);
	chunk_demux_feed(&d, w.b + 200, w.len - 200);
	r->stats = d.stats;
	chunk_demux_free(&d);
	for (i = 0; i < r->n; i++)
		assert_false(r->msgs[i].csid == 5);
	check_after_trouble(r, r->n - 4);
	rec_free(r);
	wire_free(&w);
}

/* ------------------------------------------------------------------ */
/* Limits.                                                             */

static void
test_chunk_more_csids_than_the_limit(void **state)
{
	struct wire w;
	struct tmsg m;
	struct rec *r;
	uint32_t i, n = LIMIT_CHUNK_STREAMS + 44;
	size_t k;

	(void)state;
	wire_init(&w);
	for (i = 0; i < n; i++) {
		memset(&m, 0, sizeof(m));
		m.csid = 3 + i * 211 % 65000;
		m.ts = i;
		m.len = 8;
		m.type = 18;
		m.msid = 1;
		wire_msg(&w, &m);
	}
	/* And a second message on each: some streams were recycled. */
	for (i = 0; i < n; i++) {
		memset(&m, 0, sizeof(m));
		m.csid = 3 + i * 211 % 65000;
		m.ts = 1;
		m.len = 8;
		m.type = 18;
		m.msid = 1;
		wire_msg(&w, &m);
	}
	r = run(&w, START_SYNC);
	assert_int_equal(r->n, 2 * n);
	for (k = 0; k < r->nev; k++) {
		assert_int_equal(r->evs[k].ev, CHUNK_EV_LIMIT);
		assert_int_equal(r->evs[k].value, LIMIT_HIT_CHUNK_STREAMS);
	}
	assert_int_equal(count_events(r, CHUNK_EV_LIMIT), 2 * n -
	    LIMIT_CHUNK_STREAMS);
	assert_int_equal(r->stats.malformed, 0);
	rec_free(r);
	wire_free(&w);
}

static void
test_chunk_small_csid_in_the_last_stream_slot(void **state)
{
	struct wire w;
	struct tmsg m;
	struct rec *r;
	uint32_t i;

	(void)state;
	/* Fill slots 0..254 with csids >= 64, so csid 3 gets slot 255. */
	wire_init(&w);
	for (i = 0; i < LIMIT_CHUNK_STREAMS - 1; i++) {
		memset(&m, 0, sizeof(m));
		m.csid = 64 + i;
		m.len = 4;
		m.type = 18;
		m.msid = 1;
		wire_msg(&w, &m);
	}
	memset(&m, 0, sizeof(m));
	m.csid = 3;
	m.ts = 9;
	m.len = 300;	/* fmt 3 continuations must find the stream */
	m.type = 20;
	wire_msg(&w, &m);
	m.fmt = 3;
	wire_msg(&w, &m);
	r = run(&w, START_SYNC);
	assert_int_equal(r->nev, 0);
	assert_int_equal(r->n, LIMIT_CHUNK_STREAMS + 1);
	m.fmt = 0;
	check_msg(r, LIMIT_CHUNK_STREAMS - 1, &m, 9, 0, 300);
	m.fmt = 3;
	check_msg(r, LIMIT_CHUNK_STREAMS, &m, 18, 0, 300);
	rec_free(r);
	wire_free(&w);
}

static void
test_chunk_stats_count_bytes_chunks_and_messages(void **state)
{
	struct wire w;
	struct rec *r;

	(void)state;
	wire_init(&w);
	wire_msgs(&w, gappy, 5);
	r = run(&w, START_SYNC);
	assert_int_equal(r->stats.bytes, w.len);
	assert_int_equal(r->stats.messages, 5);
	assert_int_equal(r->stats.chunks, 8 + 3 + 1 + 1 + 1);
	assert_int_equal(r->stats.malformed, 0);
	assert_int_equal(r->stats.resyncs, 0);
	assert_int_equal(r->stats.skipped, 0);
	assert_int_equal(r->stats.dropped, 0);
	rec_free(r);
	assert_split_invariant(&w, START_SYNC);
	wire_free(&w);
}

static void
test_chunk_everything_at_once_split_everywhere(void **state)
{
	struct wire w;
	const struct tmsg scs = set_chunk_size_msg(200);
	struct tmsg m;
	struct rec *r;

	(void)state;
	/* A session's worth of variety in one stream. */
	wire_init(&w);
	wire_msgs(&w, after_trouble, 4);
	wire_msg(&w, &scs);
	wire_msgs(&w, gappy, 5);
	memset(&m, 0, sizeof(m));
	m.csid = 400;
	m.ts = 0x01000000U;
	m.len = 450;
	m.type = 18;
	m.msid = 1;
	m.flags = F_OMIT_EXT;
	wire_msg(&w, &m);
	m.fmt = 3;
	wire_msg(&w, &m);
	r = run(&w, START_SYNC);
	assert_int_equal(r->n, 4 + 1 + 5 + 2);
	assert_int_equal(r->nev, 0);
	check_msg(r, 11, &m, 0x02000000U, 1, 450);
	rec_free(r);
	assert_split_invariant(&w, START_SYNC);
	wire_free(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chunk_basic_header_all_forms),
		cmocka_unit_test(
		    test_chunk_basic_header_three_byte_form_of_small_csids),
		cmocka_unit_test(test_chunk_each_fmt_accumulates_deltas),
		cmocka_unit_test(
		    test_chunk_fmt3_after_fmt0_adds_the_fmt0_timestamp),
		cmocka_unit_test(
		    test_chunk_fmt3_after_fmt2_adds_the_fmt2_delta),
		cmocka_unit_test(
		    test_chunk_fmt1_changes_length_and_type_keeps_msid),
		cmocka_unit_test(test_chunk_timestamps_wrap_modulo_2_32),
		cmocka_unit_test(test_chunk_extended_timestamp_repeated_on_fmt3),
		cmocka_unit_test(test_chunk_extended_timestamp_left_out_on_fmt3),
		cmocka_unit_test(test_chunk_timestamp_0xffffff_is_extended),
		cmocka_unit_test(
		    test_chunk_extended_left_out_body_equal_to_it_is_ambiguous),
		cmocka_unit_test(test_chunk_message_split_in_many_chunks_at_128),
		cmocka_unit_test(
		    test_chunk_set_chunk_size_applies_to_following_chunks),
		cmocka_unit_test(
		    test_chunk_set_chunk_size_mid_message_of_another_stream),
		cmocka_unit_test(test_chunk_set_chunk_size_zero_is_refused),
		cmocka_unit_test(test_chunk_set_chunk_size_max_is_accepted),
		cmocka_unit_test(
		    test_chunk_set_chunk_size_reserved_bit_is_ignored),
		cmocka_unit_test(test_chunk_abort_discards_the_partial_message),
		cmocka_unit_test(test_chunk_abort_then_fmt3_starts_a_new_message),
		cmocka_unit_test(
		    test_chunk_abort_of_an_idle_stream_changes_nothing),
		cmocka_unit_test(test_chunk_two_streams_interleaved_mid_message),
		cmocka_unit_test(test_chunk_zero_length_messages),
		cmocka_unit_test(test_chunk_keep_policy),
		cmocka_unit_test(test_chunk_keep_limit_cuts_a_huge_amf_body),
		cmocka_unit_test(
		    test_chunk_fmt2_on_unknown_csid_is_malformed_then_resyncs),
		cmocka_unit_test(
		    test_chunk_fmt3_on_unknown_csid_is_malformed_then_resyncs),
		cmocka_unit_test(
		    test_chunk_new_header_mid_message_is_flagged_and_sync_kept),
		cmocka_unit_test(
		    test_chunk_fmt1_on_unknown_csid_is_taken_as_recovered),
		cmocka_unit_test(
		    test_chunk_join_mid_stream_recovers_after_the_anchor),
		cmocka_unit_test(
		    test_chunk_join_resync_event_counts_every_skipped_byte),
		cmocka_unit_test(
		    test_chunk_join_on_single_chunk_messages),
		cmocka_unit_test(
		    test_chunk_skip_after_the_kept_bytes_keeps_the_message),
		cmocka_unit_test(
		    test_chunk_skip_inside_kept_bytes_drops_only_that_message),
		cmocka_unit_test(test_chunk_skip_across_a_chunk_boundary_hunts),
		cmocka_unit_test(test_chunk_resync_drops_partial_messages),
		cmocka_unit_test(test_chunk_more_csids_than_the_limit),
		cmocka_unit_test(test_chunk_small_csid_in_the_last_stream_slot),
		cmocka_unit_test(
		    test_chunk_stats_count_bytes_chunks_and_messages),
		cmocka_unit_test(
		    test_chunk_everything_at_once_split_everywhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
