/*
 * Bounded reader for untrusted bytes.
 *
 * Every read of packet or message data goes through a cursor.  Range checks
 * are written as "n <= len - off" so that they cannot overflow.  The status
 * is sticky: after the first failed read every further read returns zero and
 * the caller checks the status once at the end.
 *
 * TRUNCATED means the bytes ran out (the capture cut them, or they have not
 * arrived yet): the caller may wait or give up quietly.  MALFORMED means the
 * bytes are there but make no sense (the peer sent nonsense): the caller
 * counts it and flags the session.
 */
#ifndef RTMPSCOPE_CURSOR_H
#define RTMPSCOPE_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum cursor_status {
	CURSOR_OK = 0,
	CURSOR_TRUNCATED,
	CURSOR_MALFORMED,
};

struct cursor {
	const uint8_t		*data;
	size_t			 len;
	size_t			 off;
	enum cursor_status	 status;
};

static inline void
cursor_init(struct cursor *c, const uint8_t *data, size_t len)
{
	c->data = data;
	c->len = len;
	c->off = 0;
	c->status = CURSOR_OK;
}

static inline bool
cursor_ok(const struct cursor *c)
{
	return c->status == CURSOR_OK;
}

static inline size_t
cursor_remaining(const struct cursor *c)
{
	return c->status == CURSOR_OK ? c->len - c->off : 0;
}

/* Marks the cursor malformed unless it already failed. */
static inline void
cursor_fail(struct cursor *c, enum cursor_status why)
{
	if (c->status == CURSOR_OK)
		c->status = why;
}

/* True when n more bytes can be read; otherwise marks the cursor truncated. */
static inline bool
cursor_need(struct cursor *c, size_t n)
{
	if (c->status != CURSOR_OK)
		return false;
	if (n > c->len - c->off) {
		c->status = CURSOR_TRUNCATED;
		return false;
	}
	return true;
}

static inline const uint8_t *
cursor_bytes(struct cursor *c, size_t n)
{
	const uint8_t *p;

	if (!cursor_need(c, n))
		return NULL;
	p = c->data + c->off;
	c->off += n;
	return p;
}

static inline void
cursor_skip(struct cursor *c, size_t n)
{
	(void)cursor_bytes(c, n);
}

static inline uint8_t
cursor_u8(struct cursor *c)
{
	const uint8_t *p = cursor_bytes(c, 1);

	return p != NULL ? p[0] : 0;
}

static inline uint8_t
cursor_peek_u8(const struct cursor *c)
{
	if (c->status != CURSOR_OK || c->off >= c->len)
		return 0;
	return c->data[c->off];
}

static inline uint16_t
cursor_u16be(struct cursor *c)
{
	const uint8_t *p = cursor_bytes(c, 2);

	return p != NULL ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

static inline uint32_t
cursor_u24be(struct cursor *c)
{
	const uint8_t *p = cursor_bytes(c, 3);

	return p != NULL ? (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2] : 0;
}

static inline int32_t
cursor_s24be(struct cursor *c)
{
	uint32_t v = cursor_u24be(c);

	return (v & 0x800000) ? (int32_t)v - 0x1000000 : (int32_t)v;
}

static inline uint32_t
cursor_u32be(struct cursor *c)
{
	const uint8_t *p = cursor_bytes(c, 4);

	return p != NULL ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3] : 0;
}

static inline uint32_t
cursor_u32le(struct cursor *c)
{
	const uint8_t *p = cursor_bytes(c, 4);

	return p != NULL ? (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0] : 0;
}

/* One range check for all 8 bytes: a short read moves nothing, yields 0. */
static inline uint64_t
cursor_u64be(struct cursor *c)
{
	const uint8_t *p = cursor_bytes(c, 8);
	uint64_t v = 0;
	size_t i;

	if (p == NULL)
		return 0;
	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static inline double
cursor_f64be(struct cursor *c)
{
	uint64_t bits = cursor_u64be(c);
	double d;

	memcpy(&d, &bits, sizeof(d));
	return d;
}

#endif
