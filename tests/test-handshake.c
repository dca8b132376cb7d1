/*
 * The handshake: both sides fed whole, split at every byte offset and byte
 * by byte.  Each step must fire exactly once, at the byte that completes it,
 * with its fields parsed, and the chunk stream after the handshake must be
 * left to the caller.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "handshake.h"
#include "rec-sink.h"

/* Bytes after the handshake: the start of the chunk stream. */
#define TAIL_LEN	16U
#define WIRE_LEN	(HANDSHAKE_LEN + TAIL_LEN)

#define C1_TIME		0x01020304U
#define C1_ZERO		0x80000702U	/* Flash Player 128.0.7.2 style */
#define C2_TIME		0xa1b2c3d4U
#define C2_TIME2	0x0badf00dU
#define S1_TIME		0x00000000U
#define S1_ZERO		0x04050001U
#define S2_TIME		C1_TIME
#define S2_TIME2	0x11223344U

static const uint8_t set_chunk_size_4096[TAIL_LEN] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x10, 0x00,
};

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * One side's handshake bytes plus TAIL_LEN bytes of chunk stream.  Client:
 * C0 C1 C2; server: S0 S1 S2.  The random and echo parts are a pattern
 * that also mimics the field values, so a parser reading from the wrong
 * offset would be caught.
 */
static void
make_side(uint8_t *w, bool server, uint8_t version)
{
	size_t i;

	for (i = 0; i < WIRE_LEN; i++)
		w[i] = (uint8_t)(i * 7 + 3);
	w[0] = version;
	put32(w + 1, server ? S1_TIME : C1_TIME);
	put32(w + 5, server ? S1_ZERO : C1_ZERO);
	put32(w + 1 + HANDSHAKE_BLOCK, server ? S2_TIME : C2_TIME);
	put32(w + 5 + HANDSHAKE_BLOCK, server ? S2_TIME2 : C2_TIME2);
	/* The chunk stream: a Set Chunk Size 4096 on csid 2. */
	memcpy(w + HANDSHAKE_LEN, set_chunk_size_4096, TAIL_LEN);
}

struct fired {
	struct handshake_step	 step[4];
	size_t			 at[4];		/* bytes consumed when it fired */
	int			 n;
	size_t			 consumed;	/* total handshake bytes */
	size_t			 offered;	/* total bytes offered */
};

/*
 * Feeds one piece as a caller does: call again with the rest after each
 * step, stop when the handshake takes no more.
 */
static void
feed_piece(struct handshake *h, const uint8_t *p, size_t n, struct fired *f)
{
	struct handshake_step step;
	bool stepped;
	size_t used;

	f->offered += n;
	while (n > 0) {
		used = handshake_feed(h, p, n, &step, &stepped);
		assert_true(used <= n);
		f->consumed += used;
		if (stepped) {
			assert_true(f->n < 4);
			f->step[f->n] = step;
			f->at[f->n] = f->consumed;
			f->n++;
		}
		if (used == 0) {
			assert_false(stepped);
			break;
		}
		p += used;
		n -= used;
	}
}

static void
check_client(const struct fired *f, uint8_t version)
{
	assert_int_equal(f->n, 2);
	assert_int_equal(f->step[0].kind, HANDSHAKE_C0C1);
	assert_int_equal(f->at[0], 1 + HANDSHAKE_BLOCK);
	assert_int_equal(f->step[0].version, version);
	assert_int_equal(f->step[0].time, C1_TIME);
	assert_int_equal(f->step[0].zero, C1_ZERO);
	assert_int_equal(f->step[1].kind, HANDSHAKE_C2);
	assert_int_equal(f->at[1], HANDSHAKE_LEN);
	assert_int_equal(f->step[1].time, C2_TIME);
	assert_int_equal(f->step[1].zero, C2_TIME2);
	assert_int_equal(f->consumed, HANDSHAKE_LEN);
}

static void
check_server(const struct fired *f)
{
	assert_int_equal(f->n, 1);
	assert_int_equal(f->step[0].kind, HANDSHAKE_S0S1S2);
	assert_int_equal(f->at[0], HANDSHAKE_LEN);
	assert_int_equal(f->step[0].version, 3);
	assert_int_equal(f->step[0].time, S1_TIME);
	assert_int_equal(f->step[0].zero, S1_ZERO);
	assert_int_equal(f->step[0].echo_time, S2_TIME);
	assert_int_equal(f->step[0].echo_time2, S2_TIME2);
	assert_int_equal(f->consumed, HANDSHAKE_LEN);
}

static void
test_handshake_client_whole(void **state)
{
	struct handshake h;
	struct fired f;
	uint8_t w[WIRE_LEN];

	(void)state;
	make_side(w, false, 3);
	memset(&f, 0, sizeof(f));
	handshake_init(&h, false);
	assert_false(handshake_done(&h));
	feed_piece(&h, w, WIRE_LEN, &f);
	check_client(&f, 3);
	assert_true(handshake_done(&h));
	/* The tail (the chunk stream) was offered but not consumed. */
	assert_int_equal(f.offered - f.consumed, TAIL_LEN);
}

static void
test_handshake_client_split_at_every_offset(void **state)
{
	struct handshake h;
	struct fired f;
	uint8_t w[WIRE_LEN];
	size_t a;

	(void)state;
	make_side(w, false, 3);
	for (a = 0; a <= WIRE_LEN; a++) {
		memset(&f, 0, sizeof(f));
		handshake_init(&h, false);
		feed_piece(&h, w, a, &f);
		feed_piece(&h, w + a, WIRE_LEN - a, &f);
		check_client(&f, 3);
	}
}

static void
test_handshake_client_c0c1_then_c2_split_at_every_offset(void **state)
{
	struct handshake h;
	struct fired f;
	uint8_t w[WIRE_LEN];
	size_t a;

	(void)state;
	make_side(w, false, 3);
	/* C0C1 arrives whole; C2 (and the tail) cut in two anywhere. */
	for (a = 1 + HANDSHAKE_BLOCK; a <= WIRE_LEN; a++) {
		memset(&f, 0, sizeof(f));
		handshake_init(&h, false);
		feed_piece(&h, w, 1 + HANDSHAKE_BLOCK, &f);
		assert_int_equal(f.n, 1);
		assert_int_equal(f.step[0].kind, HANDSHAKE_C0C1);
		feed_piece(&h, w + 1 + HANDSHAKE_BLOCK,
		    a - (1 + HANDSHAKE_BLOCK), &f);
		assert_int_equal(f.n, a >= HANDSHAKE_LEN ? 2 : 1);
		feed_piece(&h, w + a, WIRE_LEN - a, &f);
		check_client(&f, 3);
	}
}

static void
test_handshake_client_byte_by_byte(void **state)
{
	struct handshake h;
	struct fired f;
	uint8_t w[WIRE_LEN];
	size_t i;

	(void)state;
	make_side(w, false, 3);
	memset(&f, 0, sizeof(f));
	handshake_init(&h, false);
	for (i = 0; i < WIRE_LEN; i++) {
		feed_piece(&h, w + i, 1, &f);
		/* Each step fires on the byte that completes it, not later. */
		if (i + 1 == 1 + HANDSHAKE_BLOCK)
			assert_int_equal(f.n, 1);
		if (i + 1 == HANDSHAKE_LEN)
			assert_int_equal(f.n, 2);
	}
	check_client(&f, 3);
}

static void
test_handshake_client_in_odd_pieces(void **state)
{
	static const size_t sizes[] = { 2, 3, 7, 9, 64, 100, 1000, 1535 };
	struct handshake h;
	struct fired f;
	uint8_t w[WIRE_LEN];
	size_t k, off, n;

	(void)state;
	make_side(w, false, 6);
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		memset(&f, 0, sizeof(f));
		handshake_init(&h, false);
		for (off = 0; off < WIRE_LEN; off += n) {
			n = sizes[k] < WIRE_LEN - off ? sizes[k] :
			    WIRE_LEN - off;
			feed_piece(&h, w + off, n, &f);
		}
		check_client(&f, 6);
	}
}

static void
test_handshake_server_whole_and_split_at_every_offset(void **state)
{
	struct handshake h;
	struct fired f;
	uint8_t w[WIRE_LEN];
	size_t a;

	(void)state;
	make_side(w, true, 3);
	memset(&f, 0, sizeof(f));
	handshake_init(&h, true);
	feed_piece(&h, w, WIRE_LEN, &f);
	check_server(&f);
	assert_int_equal(f.offered - f.consumed, TAIL_LEN);
	for (a = 0; a <= WIRE_LEN; a++) {
		memset(&f, 0, sizeof(f));
		handshake_init(&h, true);
		feed_piece(&h, w, a, &f);
		assert_int_equal(f.n, a >= HANDSHAKE_LEN ? 1 : 0);
		feed_piece(&h, w + a, WIRE_LEN - a, &f);
		check_server(&f);
	}
}

static void
test_handshake_server_byte_by_byte(void **state)
{
	struct handshake h;
	struct fired f;
	uint8_t w[WIRE_LEN];
	size_t i;

	(void)state;
	make_side(w, true, 3);
	memset(&f, 0, sizeof(f));
	handshake_init(&h, true);
	for (i = 0; i < WIRE_LEN; i++) {
		feed_piece(&h, w + i, 1, &f);
		assert_int_equal(f.n, i + 1 >= HANDSHAKE_LEN ? 1 : 0);
	}
	check_server(&f);
}

static void
test_handshake_feed_returns_consumed_bytes_only(void **state)
{
	struct handshake h;
	struct handshake_step step;
	bool stepped;
	uint8_t w[WIRE_LEN];
	size_t used;

	(void)state;
	make_side(w, false, 3);
	handshake_init(&h, false);
	/* All bytes at once: the first call stops at the end of C1. */
	used = handshake_feed(&h, w, WIRE_LEN, &step, &stepped);
	assert_int_equal(used, 1 + HANDSHAKE_BLOCK);
	assert_true(stepped);
	assert_int_equal(step.kind, HANDSHAKE_C0C1);
	used = handshake_feed(&h, w + used, WIRE_LEN - used, &step, &stepped);
	assert_int_equal(used, HANDSHAKE_BLOCK);
	assert_true(stepped);
	assert_int_equal(step.kind, HANDSHAKE_C2);
	/* Done: nothing more is taken, nothing fires. */
	used = handshake_feed(&h, w + HANDSHAKE_LEN, TAIL_LEN, &step,
	    &stepped);
	assert_int_equal(used, 0);
	assert_false(stepped);
	/* An empty feed takes nothing either. */
	handshake_init(&h, false);
	stepped = true;
	used = handshake_feed(&h, w, 0, &step, &stepped);
	assert_int_equal(used, 0);
	assert_false(stepped);
	assert_int_equal(h.pos, 0);
}

static void
test_handshake_skip_inside_keeps_the_count(void **state)
{
	struct handshake h;
	struct fired f;
	uint8_t w[WIRE_LEN];

	(void)state;
	make_side(w, false, 3);
	/* Lose bytes 100..199 of C1 (the random part): C0C1 still fires. */
	memset(&f, 0, sizeof(f));
	handshake_init(&h, false);
	feed_piece(&h, w, 100, &f);
	assert_int_equal(handshake_skip(&h, 100), 100);
	f.consumed += 100;
	f.offered += 100;
	feed_piece(&h, w + 200, WIRE_LEN - 200, &f);
	check_client(&f, 3);
	assert_true(handshake_done(&h));
}

static void
test_handshake_skip_across_c1_then_c2_fires(void **state)
{
	struct handshake h;
	struct fired f;
	uint8_t w[WIRE_LEN];

	(void)state;
	make_side(w, false, 3);
	memset(&f, 0, sizeof(f));
	handshake_init(&h, false);
	feed_piece(&h, w, 1000, &f);
	/* The end of C1 is lost: no C0C1 step, but C2 is still C2. */
	assert_int_equal(handshake_skip(&h, 1 + HANDSHAKE_BLOCK - 1000),
	    1 + HANDSHAKE_BLOCK - 1000);
	f.consumed += 1 + HANDSHAKE_BLOCK - 1000;
	f.offered += 1 + HANDSHAKE_BLOCK - 1000;
	feed_piece(&h, w + 1 + HANDSHAKE_BLOCK, WIRE_LEN - 1 - HANDSHAKE_BLOCK,
	    &f);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.step[0].kind, HANDSHAKE_C2);
	assert_int_equal(f.at[0], HANDSHAKE_LEN);
	assert_int_equal(f.step[0].time, C2_TIME);
	assert_int_equal(f.step[0].zero, C2_TIME2);
	assert_int_equal(f.offered - f.consumed, TAIL_LEN);
}

static void
test_handshake_skip_over_c2_fields_reads_zero(void **state)
{
	struct handshake h;
	struct fired f;
	uint8_t w[WIRE_LEN];

	(void)state;
	make_side(w, false, 3);
	memset(&f, 0, sizeof(f));
	handshake_init(&h, false);
	feed_piece(&h, w, 1000, &f);
	/* Bytes 1000..1999 are lost, C2's time fields with them. */
	assert_int_equal(handshake_skip(&h, 1000), 1000);
	f.consumed += 1000;
	f.offered += 1000;
	feed_piece(&h, w + 2000, WIRE_LEN - 2000, &f);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.step[0].kind, HANDSHAKE_C2);
	assert_int_equal(f.at[0], HANDSHAKE_LEN);
	assert_int_equal(f.step[0].time, 0);
	assert_int_equal(f.step[0].zero, 0);
	assert_int_equal(f.offered - f.consumed, TAIL_LEN);
}

static void
test_handshake_skip_is_bounded_by_the_handshake(void **state)
{
	struct handshake h;

	(void)state;
	handshake_init(&h, true);
	assert_int_equal(handshake_skip(&h, 10), 10);
	assert_int_equal(handshake_skip(&h, UINT64_MAX), HANDSHAKE_LEN - 10);
	assert_true(handshake_done(&h));
	assert_int_equal(handshake_skip(&h, 5), 0);
	assert_int_equal(h.pos, HANDSHAKE_LEN);

	handshake_init(&h, false);
	assert_int_equal(handshake_skip(&h, 0), 0);
	assert_int_equal(handshake_skip(&h, (uint64_t)1 << 40),
	    HANDSHAKE_LEN);
	assert_true(handshake_done(&h));
}

static void
test_handshake_skip_the_whole_handshake_leaves_the_stream(void **state)
{
	struct handshake h;
	struct fired f;
	uint8_t w[WIRE_LEN];

	(void)state;
	make_side(w, true, 3);
	memset(&f, 0, sizeof(f));
	handshake_init(&h, true);
	feed_piece(&h, w, 5, &f);
	assert_int_equal(handshake_skip(&h, HANDSHAKE_LEN), HANDSHAKE_LEN - 5);
	feed_piece(&h, w + HANDSHAKE_LEN, TAIL_LEN, &f);
	assert_int_equal(f.n, 0);
	assert_int_equal(f.consumed, 5);
}

static void
test_handshake_version_known_values(void **state)
{
	unsigned v;

	(void)state;
	for (v = 0; v < 256; v++)
		assert_int_equal(handshake_version_known((uint8_t)v),
		    v == 3 || v == 6 || v == 8 || v == 9);
	assert_int_equal(HANDSHAKE_VERSION_PLAIN, 3);
}

static void
test_handshake_version_is_the_first_byte(void **state)
{
	static const uint8_t versions[] = { 3, 6, 8, 9, 0x16, 0x47 };
	struct handshake h;
	struct fired f;
	uint8_t w[WIRE_LEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(versions); i++) {
		make_side(w, false, versions[i]);
		memset(&f, 0, sizeof(f));
		handshake_init(&h, false);
		feed_piece(&h, w, 1, &f);
		feed_piece(&h, w + 1, WIRE_LEN - 1, &f);
		check_client(&f, versions[i]);
		assert_int_equal(h.version, versions[i]);
	}
}

static void
test_handshake_step_names(void **state)
{
	(void)state;
	assert_string_equal(handshake_step_name(HANDSHAKE_C0C1), "C0C1");
	assert_string_equal(handshake_step_name(HANDSHAKE_C2), "C2");
	assert_string_equal(handshake_step_name(HANDSHAKE_S0S1S2), "S0S1S2");
}

static void
test_handshake_step_fields_into_a_sink(void **state)
{
	struct handshake h;
	struct fired f;
	struct rec_sink r;
	uint8_t c[WIRE_LEN];
	uint8_t s[WIRE_LEN];
	char want[256];

	(void)state;
	make_side(c, false, 3);
	make_side(s, true, 3);
	memset(&f, 0, sizeof(f));
	handshake_init(&h, false);
	feed_piece(&h, c, WIRE_LEN, &f);
	handshake_init(&h, true);
	feed_piece(&h, s, WIRE_LEN, &f);
	assert_int_equal(f.n, 3);

	rec_init(&r);
	handshake_step_fields(&f.step[0], &r.sink);
	snprintf(want, sizeof(want), "handshake=C0C1;version=3;time=%u;"
	    "zero=%u;", C1_TIME, C1_ZERO);
	assert_string_equal(r.buf, want);

	rec_init(&r);
	handshake_step_fields(&f.step[1], &r.sink);
	snprintf(want, sizeof(want), "handshake=C2;time=%u;time2=%u;",
	    C2_TIME, C2_TIME2);
	assert_string_equal(r.buf, want);

	rec_init(&r);
	handshake_step_fields(&f.step[2], &r.sink);
	snprintf(want, sizeof(want), "handshake=S0S1S2;version=3;time=%u;"
	    "zero=%u;echo_time=%u;echo_time2=%u;", S1_TIME, S1_ZERO,
	    S2_TIME, S2_TIME2);
	assert_string_equal(r.buf, want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake_client_whole),
		cmocka_unit_test(test_handshake_client_split_at_every_offset),
		cmocka_unit_test(
		    test_handshake_client_c0c1_then_c2_split_at_every_offset),
		cmocka_unit_test(test_handshake_client_byte_by_byte),
		cmocka_unit_test(test_handshake_client_in_odd_pieces),
		cmocka_unit_test(
		    test_handshake_server_whole_and_split_at_every_offset),
		cmocka_unit_test(test_handshake_server_byte_by_byte),
		cmocka_unit_test(
		    test_handshake_feed_returns_consumed_bytes_only),
		cmocka_unit_test(test_handshake_skip_inside_keeps_the_count),
		cmocka_unit_test(test_handshake_skip_across_c1_then_c2_fires),
		cmocka_unit_test(test_handshake_skip_over_c2_fields_reads_zero),
		cmocka_unit_test(
		    test_handshake_skip_is_bounded_by_the_handshake),
		cmocka_unit_test(
		    test_handshake_skip_the_whole_handshake_leaves_the_stream),
		cmocka_unit_test(test_handshake_version_known_values),
		cmocka_unit_test(test_handshake_version_is_the_first_byte),
		cmocka_unit_test(test_handshake_step_names),
		cmocka_unit_test(test_handshake_step_fields_into_a_sink),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
