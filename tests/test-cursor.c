/*
 * The bounded reader: every reader at every buffer size around its width,
 * the sticky status, truncated versus malformed, and range checks that hold
 * for any n, SIZE_MAX included.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <string.h>

#include <cmocka.h>

#include "cursor.h"

static const uint8_t bytes[] = {
	0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a,
};

enum reader {
	R_U8, R_U16BE, R_U24BE, R_S24BE, R_U32BE, R_U32LE, R_U64BE, R_F64BE,
	R_COUNT
};

static const size_t reader_width[R_COUNT] = { 1, 2, 3, 3, 4, 4, 8, 8 };

/* Reads one value with a reader, widened so every reader compares alike. */
static uint64_t
read_with(struct cursor *c, enum reader r)
{
	double d;
	uint64_t bits;

	switch (r) {
	case R_U8:
		return cursor_u8(c);
	case R_U16BE:
		return cursor_u16be(c);
	case R_U24BE:
		return cursor_u24be(c);
	case R_S24BE:
		return (uint64_t)(int64_t)cursor_s24be(c);
	case R_U32BE:
		return cursor_u32be(c);
	case R_U32LE:
		return cursor_u32le(c);
	case R_U64BE:
		return cursor_u64be(c);
	default:
		d = cursor_f64be(c);
		memcpy(&bits, &d, sizeof(bits));
		return bits;
	}
}

/* What each reader must return for the first bytes of bytes[]. */
static uint64_t
expected_value(enum reader r)
{
	switch (r) {
	case R_U8:
		return 0x81;
	case R_U16BE:
		return 0x8182;
	case R_U24BE:
		return 0x818283;
	case R_S24BE:
		return (uint64_t)(int64_t)(0x818283 - 0x1000000);
	case R_U32BE:
		return 0x81828384;
	case R_U32LE:
		return 0x84838281;
	default:
		return 0x8182838485868788ULL;
	}
}

static void
test_cursor_init_starts_ok_at_offset_zero(void **state)
{
	struct cursor c;

	(void)state;
	cursor_init(&c, bytes, sizeof(bytes));
	assert_true(cursor_ok(&c));
	assert_int_equal(c.off, 0);
	assert_int_equal(c.status, CURSOR_OK);
	assert_int_equal(cursor_remaining(&c), sizeof(bytes));
}

static void
test_cursor_every_reader_at_every_size(void **state)
{
	struct cursor c;
	enum reader r;
	size_t size, w;
	uint64_t v;

	(void)state;
	for (r = 0; r < R_COUNT; r++) {
		w = reader_width[r];
		for (size = 0; size <= w + 2 && size <= sizeof(bytes);
		    size++) {
			cursor_init(&c, bytes, size);
			v = read_with(&c, r);
			if (size >= w) {
				assert_true(cursor_ok(&c));
				assert_true(v == expected_value(r));
				assert_int_equal(c.off, w);
				assert_int_equal(cursor_remaining(&c),
				    size - w);
			} else {
				/* Not enough bytes: zero, truncated, no move. */
				assert_false(cursor_ok(&c));
				assert_int_equal(c.status, CURSOR_TRUNCATED);
				assert_true(v == 0);
				assert_int_equal(c.off, 0);
				assert_int_equal(cursor_remaining(&c), 0);
			}
		}
	}
}

static void
test_cursor_every_reader_at_every_offset(void **state)
{
	struct cursor c;
	enum reader r;
	size_t start, w;

	(void)state;
	/* Start each read after `start` bytes; it fits or it truncates. */
	for (r = 0; r < R_COUNT; r++) {
		w = reader_width[r];
		for (start = 0; start <= sizeof(bytes); start++) {
			cursor_init(&c, bytes, sizeof(bytes));
			cursor_skip(&c, start);
			assert_true(cursor_ok(&c));
			(void)read_with(&c, r);
			if (start + w <= sizeof(bytes)) {
				assert_true(cursor_ok(&c));
				assert_int_equal(c.off, start + w);
			} else {
				assert_int_equal(c.status, CURSOR_TRUNCATED);
				assert_int_equal(c.off, start);
			}
		}
	}
}

static void
test_cursor_reads_advance_in_sequence(void **state)
{
	static const uint8_t seq[] = {
		0x07, 0x12, 0x34, 0xab, 0xcd, 0xef, 0x01, 0x02, 0x03, 0x04,
		0x04, 0x03, 0x02, 0x01,
	};
	struct cursor c;

	(void)state;
	cursor_init(&c, seq, sizeof(seq));
	assert_int_equal(cursor_u8(&c), 0x07);
	assert_int_equal(cursor_u16be(&c), 0x1234);
	assert_int_equal(cursor_u24be(&c), 0xabcdef);
	assert_int_equal(cursor_u32be(&c), 0x01020304);
	assert_int_equal(cursor_u32le(&c), 0x01020304);
	assert_true(cursor_ok(&c));
	assert_int_equal(cursor_remaining(&c), 0);
	/* At the end exactly: one more byte is one too many. */
	assert_int_equal(cursor_u8(&c), 0);
	assert_int_equal(c.status, CURSOR_TRUNCATED);
}

static void
test_cursor_status_is_sticky_after_truncation(void **state)
{
	struct cursor c;

	(void)state;
	cursor_init(&c, bytes, 3);
	assert_int_equal(cursor_u32be(&c), 0);	/* 4 > 3: truncated */
	assert_int_equal(c.status, CURSOR_TRUNCATED);
	/* The 3 bytes are there, but every later read yields nothing. */
	assert_int_equal(cursor_u8(&c), 0);
	assert_int_equal(cursor_u16be(&c), 0);
	assert_null(cursor_bytes(&c, 0));
	assert_null(cursor_bytes(&c, 1));
	assert_int_equal(cursor_peek_u8(&c), 0);
	assert_false(cursor_need(&c, 0));
	assert_int_equal(c.off, 0);
	assert_int_equal(cursor_remaining(&c), 0);
	assert_int_equal(c.status, CURSOR_TRUNCATED);
}

static void
test_cursor_status_is_sticky_after_malformed(void **state)
{
	struct cursor c;

	(void)state;
	cursor_init(&c, bytes, sizeof(bytes));
	assert_int_equal(cursor_u8(&c), 0x81);
	cursor_fail(&c, CURSOR_MALFORMED);
	assert_int_equal(c.status, CURSOR_MALFORMED);
	assert_int_equal(cursor_u8(&c), 0);
	assert_int_equal(cursor_u64be(&c), 0);
	assert_int_equal(cursor_remaining(&c), 0);
	assert_int_equal(c.off, 1);
	/* A later truncation does not hide that the bytes were nonsense. */
	assert_false(cursor_need(&c, 100));
	assert_int_equal(c.status, CURSOR_MALFORMED);
}

static void
test_cursor_fail_keeps_the_first_reason(void **state)
{
	struct cursor c;

	(void)state;
	cursor_init(&c, bytes, 1);
	(void)cursor_u16be(&c);
	assert_int_equal(c.status, CURSOR_TRUNCATED);
	cursor_fail(&c, CURSOR_MALFORMED);
	assert_int_equal(c.status, CURSOR_TRUNCATED);

	cursor_init(&c, bytes, sizeof(bytes));
	cursor_fail(&c, CURSOR_MALFORMED);
	cursor_fail(&c, CURSOR_TRUNCATED);
	assert_int_equal(c.status, CURSOR_MALFORMED);

	cursor_init(&c, bytes, sizeof(bytes));
	cursor_fail(&c, CURSOR_TRUNCATED);
	assert_int_equal(c.status, CURSOR_TRUNCATED);
	assert_false(cursor_ok(&c));
}

static void
test_cursor_truncated_and_malformed_are_distinct(void **state)
{
	struct cursor t, m;

	(void)state;
	cursor_init(&t, bytes, 2);
	(void)cursor_u24be(&t);
	cursor_init(&m, bytes, 2);
	cursor_fail(&m, CURSOR_MALFORMED);
	assert_int_equal(t.status, CURSOR_TRUNCATED);
	assert_int_equal(m.status, CURSOR_MALFORMED);
	assert_int_not_equal(t.status, m.status);
	assert_int_not_equal(CURSOR_OK, CURSOR_TRUNCATED);
	assert_int_not_equal(CURSOR_OK, CURSOR_MALFORMED);
}

static void
test_cursor_huge_n_cannot_overflow_the_range_check(void **state)
{
	struct cursor c;
	size_t at;

	(void)state;
	for (at = 0; at <= sizeof(bytes); at++) {
		cursor_init(&c, bytes, sizeof(bytes));
		cursor_skip(&c, at);
		assert_false(cursor_need(&c, SIZE_MAX));
		assert_int_equal(c.status, CURSOR_TRUNCATED);
		assert_int_equal(c.off, at);

		if (at > 0) {
			cursor_init(&c, bytes, sizeof(bytes));
			cursor_skip(&c, at);
			/* off + n wraps to exactly 0 here. */
			assert_null(cursor_bytes(&c, SIZE_MAX - at + 1));
			assert_int_equal(c.status, CURSOR_TRUNCATED);
			assert_int_equal(c.off, at);
		}

		cursor_init(&c, bytes, sizeof(bytes));
		cursor_skip(&c, at);
		cursor_skip(&c, SIZE_MAX - at);
		assert_int_equal(c.status, CURSOR_TRUNCATED);
		assert_int_equal(c.off, at);
	}
}

static void
test_cursor_need_checks_without_consuming(void **state)
{
	struct cursor c;

	(void)state;
	cursor_init(&c, bytes, 4);
	assert_true(cursor_need(&c, 0));
	assert_true(cursor_need(&c, 4));
	assert_int_equal(c.off, 0);
	assert_true(cursor_ok(&c));
	assert_false(cursor_need(&c, 5));
	assert_int_equal(c.status, CURSOR_TRUNCATED);
}

static void
test_cursor_bytes_returns_a_view_and_advances(void **state)
{
	struct cursor c;
	const uint8_t *p;

	(void)state;
	cursor_init(&c, bytes, sizeof(bytes));
	p = cursor_bytes(&c, 3);
	assert_ptr_equal(p, bytes);
	p = cursor_bytes(&c, 7);
	assert_ptr_equal(p, bytes + 3);
	assert_int_equal(cursor_remaining(&c), 0);
	/* Zero bytes at the very end is fine and not NULL. */
	p = cursor_bytes(&c, 0);
	assert_non_null(p);
	assert_true(cursor_ok(&c));
	assert_null(cursor_bytes(&c, 1));
	assert_int_equal(c.status, CURSOR_TRUNCATED);
}

static void
test_cursor_skip_past_the_end_truncates(void **state)
{
	struct cursor c;

	(void)state;
	cursor_init(&c, bytes, sizeof(bytes));
	cursor_skip(&c, sizeof(bytes));
	assert_true(cursor_ok(&c));
	cursor_skip(&c, 1);
	assert_int_equal(c.status, CURSOR_TRUNCATED);
	assert_int_equal(c.off, sizeof(bytes));
}

static void
test_cursor_peek_does_not_advance_or_fail(void **state)
{
	struct cursor c;

	(void)state;
	cursor_init(&c, bytes, 2);
	assert_int_equal(cursor_peek_u8(&c), 0x81);
	assert_int_equal(cursor_peek_u8(&c), 0x81);
	assert_int_equal(c.off, 0);
	(void)cursor_u16be(&c);
	/* At the end, peeking yields 0 but is no failed read. */
	assert_int_equal(cursor_peek_u8(&c), 0);
	assert_true(cursor_ok(&c));
}

static void
test_cursor_empty_and_null_buffers(void **state)
{
	struct cursor c;

	(void)state;
	cursor_init(&c, NULL, 0);
	assert_true(cursor_ok(&c));
	assert_int_equal(cursor_remaining(&c), 0);
	assert_int_equal(cursor_peek_u8(&c), 0);
	assert_int_equal(cursor_u8(&c), 0);
	assert_int_equal(c.status, CURSOR_TRUNCATED);
}

static void
test_cursor_s24_sign_extension(void **state)
{
	static const struct {
		uint8_t	b[3];
		int32_t	v;
	} cases[] = {
		{ { 0x00, 0x00, 0x00 }, 0 },
		{ { 0x00, 0x00, 0x01 }, 1 },
		{ { 0x7f, 0xff, 0xff }, 8388607 },
		{ { 0x80, 0x00, 0x00 }, -8388608 },
		{ { 0x80, 0x00, 0x01 }, -8388607 },
		{ { 0xff, 0xff, 0xff }, -1 },
		{ { 0xff, 0xff, 0xfe }, -2 },
		{ { 0xff, 0xff, 0xd8 }, -40 },
		{ { 0x00, 0x00, 0x28 }, 40 },
	};
	struct cursor c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cursor_init(&c, cases[i].b, 3);
		assert_int_equal(cursor_s24be(&c), cases[i].v);
		assert_true(cursor_ok(&c));
		cursor_init(&c, cases[i].b, 3);
		/* The unsigned reader sees the same bits unextended. */
		assert_int_equal(cursor_u24be(&c),
		    (uint32_t)cases[i].v & 0xffffffU);
	}
}

static void
test_cursor_u64_and_f64_big_endian(void **state)
{
	static const uint8_t ten[] = { 0x40, 0x24, 0, 0, 0, 0, 0, 0 };
	static const uint8_t minus_half[] = { 0xbf, 0xe0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t pi[] = {
		0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18 };
	static const uint8_t inf[] = { 0x7f, 0xf0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t nan[] = { 0x7f, 0xf8, 0, 0, 0, 0, 0, 0 };
	static const uint8_t big[] = {
		0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10 };
	struct cursor c;

	(void)state;
	cursor_init(&c, ten, 8);
	assert_true(cursor_f64be(&c) == 10.0);
	cursor_init(&c, minus_half, 8);
	assert_true(cursor_f64be(&c) == -0.5);
	cursor_init(&c, pi, 8);
	assert_true(cursor_f64be(&c) == 3.141592653589793);
	cursor_init(&c, inf, 8);
	assert_true(isinf(cursor_f64be(&c)));
	cursor_init(&c, nan, 8);
	assert_true(isnan(cursor_f64be(&c)));
	cursor_init(&c, big, 8);
	assert_true(cursor_u64be(&c) == 0xfedcba9876543210ULL);
	assert_int_equal(c.off, 8);

	/* 7 bytes: the high half reads, the low half fails, result 0. */
	cursor_init(&c, ten, 7);
	assert_true(cursor_f64be(&c) == 0.0);
	assert_int_equal(c.status, CURSOR_TRUNCATED);
	cursor_init(&c, big, 7);
	assert_true(cursor_u64be(&c) == 0);
	assert_int_equal(c.status, CURSOR_TRUNCATED);
}

static void
test_cursor_u32_byte_orders(void **state)
{
	static const uint8_t b[] = { 0x01, 0x00, 0x00, 0x00 };
	struct cursor c;

	(void)state;
	cursor_init(&c, b, 4);
	assert_int_equal(cursor_u32le(&c), 1);
	cursor_init(&c, b, 4);
	assert_int_equal(cursor_u32be(&c), 0x01000000);
	cursor_init(&c, bytes, 4);
	assert_true(cursor_u32be(&c) == 0x81828384U);	/* no sign trouble */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cursor_init_starts_ok_at_offset_zero),
		cmocka_unit_test(test_cursor_every_reader_at_every_size),
		cmocka_unit_test(test_cursor_every_reader_at_every_offset),
		cmocka_unit_test(test_cursor_reads_advance_in_sequence),
		cmocka_unit_test(test_cursor_status_is_sticky_after_truncation),
		cmocka_unit_test(test_cursor_status_is_sticky_after_malformed),
		cmocka_unit_test(test_cursor_fail_keeps_the_first_reason),
		cmocka_unit_test(
		    test_cursor_truncated_and_malformed_are_distinct),
		cmocka_unit_test(
		    test_cursor_huge_n_cannot_overflow_the_range_check),
		cmocka_unit_test(test_cursor_need_checks_without_consuming),
		cmocka_unit_test(test_cursor_bytes_returns_a_view_and_advances),
		cmocka_unit_test(test_cursor_skip_past_the_end_truncates),
		cmocka_unit_test(test_cursor_peek_does_not_advance_or_fail),
		cmocka_unit_test(test_cursor_empty_and_null_buffers),
		cmocka_unit_test(test_cursor_s24_sign_extension),
		cmocka_unit_test(test_cursor_u64_and_f64_big_endian),
		cmocka_unit_test(test_cursor_u32_byte_orders),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
