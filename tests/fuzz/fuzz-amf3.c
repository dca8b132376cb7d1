/*
 * Fuzzes the AMF3 decoder (dissectors/amf3.c).
 *
 * The whole input is one message body of AMF3 values.  amf3_decode is
 * called value after value until the cursor is at the end or fails; each
 * call must emit exactly one well-formed value into the checking sink (whose
 * top level is an array) and, when it succeeds, move the cursor.  The
 * reference tables live across the values of the body, as in a message;
 * references to references are bounded by LIMIT_AMF_REPLAYED, so each input
 * must finish well within libFuzzer's timeout.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "amf.h"
#include "check-sink.h"
#include "cursor.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct amf_refs	refs;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct check_sink cs;
	struct cursor c;
	enum msg_status st;
	uint64_t before;
	size_t off;

	if (size > 1024 * 1024)
		return 0;
	amf_refs_init(&refs, data);
	check_sink_init(&cs, true);
	cursor_init(&c, data, size);
	while (cursor_ok(&c) && c.off < c.len) {
		off = c.off;
		before = cs.values;
		st = amf3_decode(&c, &refs, &cs.sink, 0);
		check_sink_done(&cs, "amf3_decode");
		if (cs.values != before + 1)
			check_fail("amf3_decode at %zu emitted %llu values",
			    off, (unsigned long long)(cs.values - before));
		if (st == MSG_OK && !cursor_ok(&c))
			check_fail("amf3_decode OK with the cursor failed");
		if (st == MSG_OK && c.off == off)
			check_fail("amf3_decode OK without moving at %zu",
			    off);
		if (c.off > c.len)
			check_fail("cursor past its end");
		if (refs.nstrings > AMF_REFS_MAX ||
		    refs.nobjects > AMF_REFS_MAX ||
		    refs.ntraits > AMF_REFS_MAX ||
		    refs.nmembers > AMF_REFS_MAX)
			check_fail("reference table over AMF_REFS_MAX");
		/*
		 * An unresolved reference is MALFORMED with the cursor
		 * unmarked: decoding goes on after it.
		 */
		if (!cursor_ok(&c))
			break;
		if (c.off == off)
			check_fail("amf3_decode stuck at %zu", off);
	}
	cursor_init(&c, data, size);
	(void)amf3_read_u29(&c);
	return 0;
}
