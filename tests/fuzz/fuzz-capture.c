/*
 * Fuzzes the frame decoder of the capture layer (src/capture.c,
 * capture_decode_frame): link layers, VLAN tags, IPv4 and IPv6 with their
 * extension headers, fragments and the TCP header.
 *
 * The input:
 *
 *  | link:1 | wire:1 | frame: the rest |
 *
 * link selects the link type (modulo their number): Ethernet, Linux cooked
 * (SLL and SLL2), raw IP (as DLT_RAW, 12, 14 and LINKTYPE_RAW 101), IPv4,
 * IPv6, BSD null and loop, and one no decoder knows.  wire gives the length
 * on the wire: bit 7 set, the frame's length less (wire & 0x7f) (a record
 * that says it captured more than was sent); clear, the frame's length plus
 * wire * 64 (a snapshot length cut it).  The frame is read in place, so
 * that ASan sees a read past its end.
 *
 * Checked: a segment's payload lies within the frame and is no longer than
 * the TCP length, whose header and addresses it took from its own family;
 * a frame that is not a segment is counted once, as not TCP, a fragment or
 * a bad header, and a segment as one segment.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>
#include <pcap/dlt.h>

#include "capture.h"
#include "check-sink.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const int link_types[] = {
	DLT_EN10MB, DLT_LINUX_SLL, 276 /* DLT_LINUX_SLL2 */, DLT_RAW, 12, 14,
	101 /* LINKTYPE_RAW */, 228 /* DLT_IPV4 */, 229 /* DLT_IPV6 */,
	DLT_NULL, DLT_LOOP, 147 /* DLT_USER0: unknown */,
};
#define NLINKS	(sizeof(link_types) / sizeof(link_types[0]))

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct capture_stats stats;
	struct tcp_segment seg;
	struct check_sink cs;
	const uint8_t *frame;
	uint32_t caplen, wirelen;
	uint64_t counted;
	gboolean ok;
	int dlt;

	if (size < 2 || size - 2 > UINT32_MAX)
		return 0;
	dlt = link_types[data[0] % NLINKS];
	frame = data + 2;
	caplen = (uint32_t)(size - 2);
	if ((data[1] & 0x80) != 0)
		wirelen = caplen - MIN((uint32_t)(data[1] & 0x7f), caplen);
	else
		wirelen = caplen + (uint32_t)data[1] * 64;

	memset(&stats, 0, sizeof(stats));
	ok = capture_decode_frame(dlt, caplen > 0 ? frame : NULL, caplen,
	    wirelen, 1.5, &seg, &stats);
	counted = stats.not_tcp + stats.fragments + stats.bad_headers;
	if (!ok) {
		if (stats.tcp_segments != 0 || counted != 1)
			check_fail("no segment, but %llu segments and %llu "
			    "reasons counted",
			    (unsigned long long)stats.tcp_segments,
			    (unsigned long long)counted);
		return 0;
	}
	if (stats.tcp_segments != 1 || counted != 0)
		check_fail("a segment, but %llu segments and %llu reasons "
		    "counted", (unsigned long long)stats.tcp_segments,
		    (unsigned long long)counted);
	if (seg.src.family != seg.dst.family ||
	    (seg.src.family != 4 && seg.src.family != 6))
		check_fail("address families %d and %d",
		    (int)seg.src.family, (int)seg.dst.family);
	if (seg.caplen > seg.len)
		check_fail("%u bytes captured of a %u-byte payload",
		    seg.caplen, seg.len);
	if (seg.caplen > 0 && (seg.payload < frame ||
	    seg.payload + seg.caplen > frame + caplen))
		check_fail("the payload (%u bytes at offset %td) is not "
		    "within the %u-byte frame", seg.caplen,
		    seg.payload - frame, caplen);
	if ((seg.caplen < seg.len) != (stats.snaplen_cut == 1))
		check_fail("%u of %u bytes captured, snaplen_cut %llu",
		    seg.caplen, seg.len,
		    (unsigned long long)stats.snaplen_cut);
	if (seg.t != 1.5)
		check_fail("the segment's time is %g", seg.t);
	check_sink_init(&cs, false);
	check_touch(&cs, seg.payload, seg.caplen);
	return 0;
}
