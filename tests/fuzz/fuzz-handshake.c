/*
 * Fuzzes the handshake tracker (dissectors/handshake.c).
 *
 * The input is an 8-byte header and then one side's bytes:
 *
 *  | skip at:2 | skip len:2 | split sizes:4 | bytes ... |
 *
 * The bytes go to a client-side and a server-side tracker, in pieces whose
 * sizes cycle through the split bytes (b * 16 + 1 bytes).  When skip len is
 * not zero the capture "loses" that many bytes at offset skip at: they are
 * left out and handshake_skip is told.  Each tracker must consume at most
 * the handshake's 3073 bytes, never stall, step in order (client C0C1 then
 * C2, server S0S1S2) and, when nothing was lost before a field, report the
 * field's bytes as they are in the input.  Step fields go through the
 * checking sink.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check-sink.h"
#include "handshake.h"

#define HEADER_LEN	8U
#define NSPLITS		4U

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static uint32_t
be32_at(const uint8_t *p, size_t n, size_t off)
{
	if (off + 4 > n)
		return 0;
	return (uint32_t)p[off] << 24 | (uint32_t)p[off + 1] << 16 |
	    (uint32_t)p[off + 2] << 8 | p[off + 3];
}

/* Checks a step against the input, when no byte of it was lost. */
static void
check_step(const struct handshake_step *st, bool server, unsigned nsteps,
    const uint8_t *p, size_t n, bool lost)
{
	struct check_sink cs;
	const char *name;

	name = handshake_step_name(st->kind);
	if (name == NULL)
		check_fail("no name for step %d", (int)st->kind);
	if (server && st->kind != HANDSHAKE_S0S1S2)
		check_fail("server stepped %s", name);
	if (!server && st->kind != (nsteps == 0 ? HANDSHAKE_C0C1 :
	    HANDSHAKE_C2) && !lost)
		check_fail("client step %u is %s", nsteps, name);
	if (server && nsteps > 0)
		check_fail("server stepped twice");
	if (!server && nsteps > 1)
		check_fail("client stepped three times");
	if (!lost) {
		if (st->kind != HANDSHAKE_C2 && st->version != p[0])
			check_fail("%s version %u, byte 0 is %u", name,
			    st->version, p[0]);
		if (st->kind == HANDSHAKE_C2 &&
		    (st->time != be32_at(p, n, 1U + HANDSHAKE_BLOCK) ||
		    st->zero != be32_at(p, n, 5U + HANDSHAKE_BLOCK)))
			check_fail("C2 times differ from the input");
		if (st->kind != HANDSHAKE_C2 &&
		    (st->time != be32_at(p, n, 1) ||
		    st->zero != be32_at(p, n, 5)))
			check_fail("%s C1/S1 fields differ from the input",
			    name);
		if (st->kind == HANDSHAKE_S0S1S2 &&
		    (st->echo_time != be32_at(p, n, 1U + HANDSHAKE_BLOCK) ||
		    st->echo_time2 != be32_at(p, n, 5U + HANDSHAKE_BLOCK)))
			check_fail("S2 times differ from the input");
	}
	check_sink_init(&cs, false);
	handshake_step_fields(st, &cs.sink);
	check_sink_done(&cs, "handshake_step_fields");
}

static void
run_side(bool server, const uint8_t *hdr, const uint8_t *p, size_t n)
{
	struct handshake hs;
	struct handshake_step step;
	size_t off, piece, used, skip_at, skip_len, taken, consumed;
	unsigned nsteps = 0, i;
	bool stepped, lost = false;

	skip_at = (size_t)hdr[0] << 8 | hdr[1];
	skip_len = (size_t)hdr[2] << 8 | hdr[3];
	handshake_init(&hs, server);
	consumed = 0;
	for (off = 0, i = 0; off < n && !handshake_done(&hs); i++) {
		if (skip_len > 0 && !lost && off >= skip_at) {
			lost = true;
			taken = handshake_skip(&hs, skip_len);
			if (taken > skip_len)
				check_fail("handshake_skip took %zu of %zu",
				    taken, skip_len);
			consumed += taken;
			off += skip_len < n - off ? skip_len : n - off;
			continue;
		}
		piece = (size_t)hdr[4 + i % NSPLITS] * 16 + 1;
		if (piece > n - off)
			piece = n - off;
		if (skip_len > 0 && !lost && piece > skip_at - off)
			piece = skip_at - off;
		/* Step by step: a step returns with the rest unread. */
		while (piece > 0) {
			used = handshake_feed(&hs, p + off, piece, &step,
			    &stepped);
			if (used > piece)
				check_fail("handshake_feed used %zu of %zu",
				    used, piece);
			if (used == 0 && !handshake_done(&hs))
				check_fail("handshake_feed stalled at %zu",
				    off);
			consumed += used;
			off += used;
			piece -= used;
			if (stepped) {
				check_step(&step, server, nsteps, p, n, lost);
				nsteps++;
			}
			if (handshake_done(&hs))
				break;
		}
	}
	if (hs.pos > HANDSHAKE_LEN)
		check_fail("handshake pos %u", hs.pos);
	if (consumed > HANDSHAKE_LEN || consumed != hs.pos)
		check_fail("consumed %zu, pos %u", consumed, hs.pos);
	if (handshake_done(&hs) && !lost &&
	    nsteps != (server ? 1U : 2U))
		check_fail("%s done after %u steps", server ? "server" :
		    "client", nsteps);
	/* Done: nothing more is taken. */
	if (handshake_done(&hs) && n > 0 &&
	    handshake_feed(&hs, p, n, &step, &stepped) != 0)
		check_fail("handshake_feed took bytes after the end");
	(void)handshake_version_known(n > 0 ? p[0] : 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < HEADER_LEN)
		return 0;
	run_side(false, data, data + HEADER_LEN, size - HEADER_LEN);
	run_side(true, data, data + HEADER_LEN, size - HEADER_LEN);
	return 0;
}
