/*
 * Fuzzes the AMF0 decoder (dissectors/amf0.c).
 *
 * The whole input is one message body of AMF0 values.  amf0_decode is
 * called value after value until the cursor is at the end or fails; each
 * call must emit exactly one well-formed value into the checking sink (whose
 * top level is an array) and, when it succeeds, move the cursor.  Where
 * amf0_decode succeeds, amf0_skip over the same value must end at the same
 * place.  The body is also searched as an object for a key
 * (amf0_object_find), the value found is noted (amf0_note_value), and read
 * as a string (amf0_read_string).
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

/* Large: kept out of the stack. */
static struct amf_refs	refs, skip_refs;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct check_sink cs;
	struct cursor c, sc;
	struct note note;
	enum msg_status st, sst;
	uint64_t before;
	uint32_t value_off;
	size_t off, slen;
	const char *s;

	if (size > 1024 * 1024)
		return 0;
	amf_refs_init(&refs, data);
	amf_refs_init(&skip_refs, data);
	check_sink_init(&cs, true);
	cursor_init(&c, data, size);
	cursor_init(&sc, data, size);
	while (cursor_ok(&c) && c.off < c.len) {
		off = c.off;
		before = cs.values;
		st = amf0_decode(&c, &refs, &cs.sink, 0);
		check_sink_done(&cs, "amf0_decode");
		if (cs.values != before + 1)
			check_fail("amf0_decode at %zu emitted %llu values",
			    off, (unsigned long long)(cs.values - before));
		if (st == MSG_OK && !cursor_ok(&c))
			check_fail("amf0_decode OK with the cursor failed");
		if (st == MSG_OK && c.off == off)
			check_fail("amf0_decode OK without moving at %zu",
			    off);
		if (c.off > c.len)
			check_fail("cursor past its end");
		/*
		 * An unresolved reference is MALFORMED with the cursor
		 * unmarked: decoding goes on after it.
		 */
		if (!cursor_ok(&c))
			break;
		if (c.off == off)
			check_fail("amf0_decode stuck at %zu", off);
		/* The skipper must agree with the decoder. */
		cursor_init(&sc, data, size);
		sc.off = off;
		sst = amf0_skip(&sc, &skip_refs);
		if (st == MSG_OK && sst == MSG_OK && sc.off != c.off)
			check_fail("amf0_skip at %zu ends at %zu, "
			    "amf0_decode at %zu", off, sc.off, c.off);
	}

	amf_refs_init(&refs, data);
	if (size > 0 && size <= UINT32_MAX &&
	    amf0_object_find(&refs, size, 0, "app", &value_off)) {
		if (value_off > size)
			check_fail("amf0_object_find: value at %u of %zu",
			    value_off, size);
		note_init(&note);
		amf0_note_value(&note, &refs, size, value_off);
		if (note.len >= sizeof(note.buf) ||
		    note.buf[note.len] != '\0')
			check_fail("note not terminated");
	}
	note_init(&note);
	amf0_note_value(&note, &refs, size, 0);
	if (note.len >= sizeof(note.buf))
		check_fail("note length %zu", note.len);

	cursor_init(&c, data, size);
	s = amf0_read_string(&c, &slen);
	if (s != NULL) {
		if (s < (const char *)data || slen > size ||
		    s + slen > (const char *)data + size)
			check_fail("amf0_read_string outside the body");
		check_touch(&cs, s, slen);
	}
	return 0;
}
