/*
 * Bounded bit reader for codec headers (H.264/H.265 parameter sets, AV1
 * sequence headers, AAC AudioSpecificConfig).
 *
 * Bits are read most significant first.  Like the byte cursor, the status
 * is sticky: after the first failed read every read returns zero and the
 * caller checks the status once.  TRUNCATED: the bits ran out.  MALFORMED:
 * the bits are there but break the syntax (an exp-Golomb code with 32 or
 * more leading zeros, a value out of its range as the caller decides).
 *
 * In NAL mode the reader drops emulation prevention bytes on the fly: the
 * 0x03 of every 0x00 0x00 0x03 is not part of the RBSP (H.264 7.4.1,
 * H.265 7.4.2).  The RBSP is never copied.
 *
 * Invariant: after any read fewer than 8 bits stay cached, and they are
 * the low bits of the byte at off - 1; so the position in the raw bytes is
 * always off * 8 - nbits.
 */
#ifndef RTMPSCOPE_BITREADER_H
#define RTMPSCOPE_BITREADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"

/* ue(v) codes of 32 or more leading zero bits do not fit 32 bits. */
#define BITREADER_UE_MAX_ZEROS	32

struct bitreader {
	const uint8_t		*data;
	size_t			 len;
	size_t			 off;		/* next raw byte to load */
	uint64_t		 cache;		/* low nbits: loaded, unread */
	unsigned		 nbits;
	unsigned		 zeros;		/* 0x00 bytes just loaded */
	bool			 nal;		/* drop emulation prevention */
	enum cursor_status	 status;
};

static inline void
bitreader_init(struct bitreader *br, const uint8_t *data, size_t len)
{
	br->data = data;
	br->len = data != NULL ? len : 0;
	br->off = 0;
	br->cache = 0;
	br->nbits = 0;
	br->zeros = 0;
	br->nal = false;
	br->status = CURSOR_OK;
}

/* A NAL unit: emulation prevention bytes are removed while reading. */
static inline void
bitreader_init_nal(struct bitreader *br, const uint8_t *data, size_t len)
{
	bitreader_init(br, data, len);
	br->nal = true;
}

static inline bool
bitreader_ok(const struct bitreader *br)
{
	return br->status == CURSOR_OK;
}

static inline void
bitreader_fail(struct bitreader *br, enum cursor_status why)
{
	if (br->status == CURSOR_OK)
		br->status = why;
}

/* Bits consumed so far, counted in raw bytes (emulation bytes included). */
static inline size_t
bitreader_pos(const struct bitreader *br)
{
	return br->off * 8 - br->nbits;
}

/* Bits left; an upper bound in NAL mode (emulation bytes not yet seen). */
static inline size_t
bitreader_left(const struct bitreader *br)
{
	if (br->status != CURSOR_OK)
		return 0;
	return (br->len - br->off) * 8 + br->nbits;
}

/* Loads whole bytes until n bits are cached; n <= 32. */
static inline bool
bitreader_fill(struct bitreader *br, unsigned n)
{
	uint8_t b;

	while (br->nbits < n) {
		if (br->off >= br->len) {
			bitreader_fail(br, CURSOR_TRUNCATED);
			return false;
		}
		b = br->data[br->off++];
		if (br->nal && br->zeros >= 2 && b == 0x03) {
			br->zeros = 0;
			continue;
		}
		br->zeros = b == 0 ? br->zeros + 1 : 0;
		br->cache = br->cache << 8 | b;
		br->nbits += 8;
	}
	return true;
}

/* u(n), f(n): n bits, 0 <= n <= 32. */
static inline uint32_t
bitreader_u(struct bitreader *br, unsigned n)
{
	uint64_t v;

	if (br->status != CURSOR_OK || n == 0)
		return 0;
	if (n > 32) {
		bitreader_fail(br, CURSOR_MALFORMED);
		return 0;
	}
	if (!bitreader_fill(br, n))
		return 0;
	br->nbits -= n;
	v = br->cache >> br->nbits;
	br->cache &= ((uint64_t)1 << br->nbits) - 1;
	return (uint32_t)(v & (((uint64_t)1 << n) - 1));
}

static inline bool
bitreader_flag(struct bitreader *br)
{
	return bitreader_u(br, 1) != 0;
}

static inline void
bitreader_skip(struct bitreader *br, size_t n)
{
	unsigned step;

	while (n > 0 && br->status == CURSOR_OK) {
		step = n > 32 ? 32 : (unsigned)n;
		(void)bitreader_u(br, step);
		n -= step;
	}
}

/* Drops the bits up to the next byte boundary of the raw bytes. */
static inline void
bitreader_align(struct bitreader *br)
{
	br->nbits = 0;
	br->cache = 0;
}

/*
 * ue(v), 9.1: leadingZeroBits zeros, a one, then leadingZeroBits bits;
 * codeNum = 2^leadingZeroBits - 1 + those bits.  At most 31 zeros fit 32
 * bits (codeNum <= 2^32 - 2); 32 zeros mark the reader malformed.
 */
static inline uint32_t
bitreader_ue(struct bitreader *br)
{
	unsigned zeros = 0;
	uint64_t v;

	for (;;) {
		if (bitreader_u(br, 1) != 0)
			break;
		if (br->status != CURSOR_OK)
			return 0;
		if (++zeros >= BITREADER_UE_MAX_ZEROS) {
			bitreader_fail(br, CURSOR_MALFORMED);
			return 0;
		}
	}
	v = ((uint64_t)1 << zeros) - 1 + bitreader_u(br, zeros);
	return br->status == CURSOR_OK ? (uint32_t)v : 0;
}

/* se(v), 9.1.1: codeNum k maps to (-1)^(k+1) * Ceil(k / 2). */
static inline int32_t
bitreader_se(struct bitreader *br)
{
	uint32_t k = bitreader_ue(br);

	if (k & 1)
		return (int32_t)(k / 2 + 1);
	return -(int32_t)(k / 2);
}

/*
 * more_rbsp_data(), 7.2: true while bits other than the stop bit of
 * rbsp_trailing_bits() remain.  Trailing zero bytes and a final emulation
 * byte (cabac_zero_words) are not RBSP data.
 */
static inline bool
bitreader_more_rbsp(const struct bitreader *br)
{
	size_t last, stop;
	unsigned bit;
	uint8_t b;

	if (br->status != CURSOR_OK)
		return false;
	last = br->len;
	while (last > 0) {
		b = br->data[last - 1];
		if (b == 0x00 || (br->nal && b == 0x03 && last >= 3 &&
		    br->data[last - 2] == 0 && br->data[last - 3] == 0)) {
			last--;
			continue;
		}
		break;
	}
	if (last == 0)
		return false;
	b = br->data[last - 1];
	for (bit = 0; (b & (1U << bit)) == 0; bit++)
		continue;
	stop = (last - 1) * 8 + (7 - bit);
	return bitreader_pos(br) < stop;
}

#endif
