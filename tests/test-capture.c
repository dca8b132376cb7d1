/*
 * Capture decoding: frames built by hand for every link type, cut at every
 * length, and small capture files written with libpcap and read back.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/types.h>
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <pcap/pcap.h>

#include "capture.h"

#define SPORT		50000
#define DPORT		1935
#define SEQ		0x01020304U
#define ACK		0xa0b0c0d0U
#define PAYLOAD		"RTMP!"
#define PAYLOAD_LEN	5

static const uint8_t ip4_src[4] = { 192, 0, 2, 1 };
static const uint8_t ip4_dst[4] = { 192, 0, 2, 2 };
static const uint8_t ip6_src[16] = {
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t ip6_dst[16] = {
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };

/* A frame under construction: link header first, then IP, TCP, payload. */
struct frame {
	uint8_t		 b[512];
	size_t		 len;
	size_t		 headers;	/* bytes before the payload */
	int		 family;
};

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void
put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* TCP header with optlen bytes of NOP options, then the payload. */
static size_t
tcp_build(uint8_t *p, size_t optlen, uint16_t sport, uint16_t dport,
    uint32_t seq, const char *payload, size_t plen)
{
	put16(p, sport);
	put16(p + 2, dport);
	put32(p + 4, seq);
	put32(p + 8, ACK);
	p[12] = (uint8_t)(((20 + optlen) / 4) << 4);
	p[13] = TCP_PSH | TCP_ACK;
	put16(p + 14, 65535);
	put16(p + 16, 0);
	put16(p + 18, 0);
	memset(p + 20, 1, optlen);
	memcpy(p + 20 + optlen, payload, plen);
	return 20 + optlen + plen;
}

static void
frame_ipv4(struct frame *f, size_t ipopt, size_t tcpopt)
{
	uint8_t	*p = f->b + f->len;
	size_t	 hl = 20 + ipopt, tl;

	memset(p, 0, hl);
	p[0] = (uint8_t)(0x40 | hl / 4);
	p[6] = 0x40;				/* DF */
	p[8] = 64;
	p[9] = 6;
	memcpy(p + 12, ip4_src, 4);
	memcpy(p + 16, ip4_dst, 4);
	memset(p + 20, 1, ipopt);		/* NOP options */
	tl = hl + tcp_build(p + hl, tcpopt, SPORT, DPORT, SEQ, PAYLOAD,
	    PAYLOAD_LEN);
	put16(p + 2, (uint16_t)tl);
	f->headers = f->len + hl + 20 + tcpopt;
	f->len += tl;
	f->family = 4;
}

/*
 * IPv6, optionally with hop-by-hop (8 bytes) and destination options
 * (16 bytes) headers, and optionally a fragment header.
 */
static void
frame_ipv6(struct frame *f, bool ext, bool frag, uint16_t offm)
{
	uint8_t	*p = f->b + f->len, *q, *nh;
	size_t	 tl;

	memset(p, 0, 40);
	p[0] = 0x60;
	p[7] = 64;
	memcpy(p + 8, ip6_src, 16);
	memcpy(p + 24, ip6_dst, 16);
	nh = p + 6;
	q = p + 40;
	if (ext) {
		*nh = 0;
		memset(q, 0, 8);
		q[2] = 1;			/* PadN */
		q[3] = 4;
		nh = q;
		q += 8;
		*nh = 60;
		memset(q, 0, 16);
		q[1] = 1;
		q[2] = 1;
		q[3] = 12;
		nh = q;
		q += 16;
	}
	if (frag) {
		*nh = 44;
		memset(q, 0, 8);
		put16(q + 2, offm);
		put32(q + 4, 0x12345678);
		nh = q;
		q += 8;
	}
	*nh = 6;
	tl = (size_t)(q - p) + tcp_build(q, 0, SPORT, DPORT, SEQ, PAYLOAD,
	    PAYLOAD_LEN);
	put16(p + 4, (uint16_t)(tl - 40));
	f->headers = (size_t)(q - f->b) + 20;
	f->len += tl;
	f->family = 6;
}

static void
frame_ip(struct frame *f, int family)
{
	if (family == 4)
		frame_ipv4(f, 4, 12);
	else
		frame_ipv6(f, true, false, 0);
}

static uint16_t
ethertype(int family)
{
	return family == 4 ? 0x0800 : 0x86dd;
}

static void
frame_ethernet(struct frame *f, int family, int vlans)
{
	uint16_t	tag;
	int		i;

	memset(f, 0, sizeof *f);
	memset(f->b, 0xaa, 12);
	f->len = 12;
	for (i = 0; i < vlans; i++) {
		/* Stacked: 802.1ad outside, then the old 0x9100, 802.1Q in. */
		if (i == 0 && vlans > 1)
			tag = 0x88a8;
		else if (i == 1 && vlans > 2)
			tag = 0x9100;
		else
			tag = 0x8100;
		put16(f->b + f->len, tag);
		put16(f->b + f->len + 2, (uint16_t)(100 + i));
		f->len += 4;
	}
	put16(f->b + f->len, ethertype(family));
	f->len += 2;
	frame_ip(f, family);
}

static void
frame_sll(struct frame *f, int family)
{
	memset(f, 0, sizeof *f);
	put16(f->b, 0);				/* to us */
	put16(f->b + 2, 772);			/* ARPHRD_LOOPBACK */
	put16(f->b + 4, 6);
	put16(f->b + 14, ethertype(family));
	f->len = 16;
	frame_ip(f, family);
}

static void
frame_sll2(struct frame *f, int family)
{
	memset(f, 0, sizeof *f);
	put16(f->b, ethertype(family));
	put32(f->b + 4, 1);			/* ifindex */
	put16(f->b + 8, 1);			/* ARPHRD_ETHER */
	f->b[11] = 6;
	f->len = 20;
	frame_ip(f, family);
}

static void
frame_null(struct frame *f, int family, uint32_t af, bool big_endian)
{
	memset(f, 0, sizeof *f);
	if (big_endian)
		put32(f->b, af);
	else
		put32le(f->b, af);
	f->len = 4;
	frame_ip(f, family);
}

static void
frame_raw(struct frame *f, int family)
{
	memset(f, 0, sizeof *f);
	frame_ip(f, family);
}

static void
check_decoded(const struct frame *f, int dlt)
{
	struct capture_stats	st;
	struct tcp_segment	seg;

	memset(&st, 0, sizeof st);
	assert_true(capture_decode_frame(dlt, f->b, (uint32_t)f->len,
	    (uint32_t)f->len, 12.5, &seg, &st));
	assert_int_equal(st.tcp_segments, 1);
	assert_int_equal(st.bad_headers + st.not_tcp + st.fragments +
	    st.snaplen_cut, 0);
	assert_int_equal(seg.src.family, f->family);
	assert_int_equal(seg.dst.family, f->family);
	if (f->family == 4) {
		assert_memory_equal(seg.src.addr, ip4_src, 4);
		assert_memory_equal(seg.dst.addr, ip4_dst, 4);
	} else {
		assert_memory_equal(seg.src.addr, ip6_src, 16);
		assert_memory_equal(seg.dst.addr, ip6_dst, 16);
	}
	assert_int_equal(seg.src.port, SPORT);
	assert_int_equal(seg.dst.port, DPORT);
	assert_int_equal(seg.seq, SEQ);
	assert_int_equal(seg.ack, ACK);
	assert_int_equal(seg.flags, TCP_PSH | TCP_ACK);
	assert_ptr_equal(seg.payload, f->b + f->headers);
	assert_int_equal(seg.caplen, PAYLOAD_LEN);
	assert_int_equal(seg.len, PAYLOAD_LEN);
	assert_memory_equal(seg.payload, PAYLOAD, PAYLOAD_LEN);
	assert_true(seg.t == 12.5);
}

static void
test_ethernet(void **state)
{
	struct frame	f;
	char		buf[ENDPOINT_STRLEN];

	(void)state;
	frame_ethernet(&f, 4, 0);
	check_decoded(&f, DLT_EN10MB);
	frame_ethernet(&f, 6, 0);
	check_decoded(&f, DLT_EN10MB);
	/* Options in both IP and TCP headers. */
	memset(&f, 0, sizeof f);
	put16(f.b + 12, 0x0800);
	f.len = 14;
	frame_ipv4(&f, 40, 40);
	check_decoded(&f, DLT_EN10MB);
	{
		struct capture_stats	st = { 0 };
		struct tcp_segment	seg;

		assert_true(capture_decode_frame(DLT_EN10MB, f.b,
		    (uint32_t)f.len, (uint32_t)f.len, 0, &seg, &st));
		assert_string_equal(endpoint_format(&seg.src, buf, sizeof buf),
		    "192.0.2.1:50000");
	}
}

static void
test_ethernet_padding(void **state)
{
	struct frame		f;
	struct capture_stats	st = { 0 };
	struct tcp_segment	seg;

	(void)state;
	memset(&f, 0, sizeof f);
	put16(f.b + 12, 0x0800);
	f.len = 14;
	frame_ipv4(&f, 0, 0);
	/* 59 bytes: padded to the 60-byte Ethernet minimum. */
	assert_int_equal(f.len, 59);
	f.b[59] = 0xee;
	assert_true(capture_decode_frame(DLT_EN10MB, f.b, 60, 64, 0, &seg,
	    &st));
	assert_int_equal(seg.caplen, PAYLOAD_LEN);
	assert_int_equal(seg.len, PAYLOAD_LEN);
	assert_int_equal(st.snaplen_cut, 0);
}

static void
test_vlan(void **state)
{
	struct frame	f;

	(void)state;
	frame_ethernet(&f, 4, 1);
	check_decoded(&f, DLT_EN10MB);
	frame_ethernet(&f, 6, 1);
	check_decoded(&f, DLT_EN10MB);
}

static void
test_double_vlan(void **state)
{
	struct frame	f;

	(void)state;
	frame_ethernet(&f, 4, 2);
	assert_int_equal(f.b[12], 0x88);	/* 802.1ad outer tag */
	check_decoded(&f, DLT_EN10MB);
	frame_ethernet(&f, 6, 3);
	check_decoded(&f, DLT_EN10MB);
}

static void
test_sll(void **state)
{
	struct frame	f;

	(void)state;
	frame_sll(&f, 4);
	check_decoded(&f, DLT_LINUX_SLL);
	frame_sll(&f, 6);
	check_decoded(&f, DLT_LINUX_SLL);
}

static void
test_sll2(void **state)
{
	struct frame	f;

	(void)state;
	frame_sll2(&f, 4);
	check_decoded(&f, 276);
	frame_sll2(&f, 6);
	check_decoded(&f, 276);
}

static void
test_raw(void **state)
{
	struct frame	f;

	(void)state;
	frame_raw(&f, 4);
	check_decoded(&f, DLT_RAW);
	check_decoded(&f, 12);
	check_decoded(&f, 14);
	check_decoded(&f, 101);
	check_decoded(&f, 228);			/* DLT_IPV4 */
	frame_raw(&f, 6);
	check_decoded(&f, DLT_RAW);
	check_decoded(&f, 14);
	check_decoded(&f, 229);			/* DLT_IPV6 */
}

static void
test_raw_ipv6_ext(void **state)
{
	struct frame	f;

	(void)state;
	memset(&f, 0, sizeof f);
	frame_ipv6(&f, true, false, 0);
	assert_int_equal(f.headers, 40 + 8 + 16 + 20);
	check_decoded(&f, DLT_RAW);
	/* An atomic fragment (offset 0, M 0) is a whole packet. */
	memset(&f, 0, sizeof f);
	frame_ipv6(&f, true, true, 0);
	check_decoded(&f, DLT_RAW);
}

static void
test_null(void **state)
{
	struct frame	f;

	(void)state;
	frame_null(&f, 4, 2, false);
	check_decoded(&f, DLT_NULL);
	frame_null(&f, 4, 2, true);
	check_decoded(&f, DLT_NULL);
	frame_null(&f, 6, 24, false);
	check_decoded(&f, DLT_NULL);
	frame_null(&f, 6, 28, true);
	check_decoded(&f, DLT_NULL);
	frame_null(&f, 6, 30, false);
	check_decoded(&f, DLT_NULL);
	frame_null(&f, 6, 30, true);
	check_decoded(&f, DLT_NULL);
}

static void
test_loop(void **state)
{
	struct frame		f;
	struct capture_stats	st = { 0 };
	struct tcp_segment	seg;

	(void)state;
	frame_null(&f, 4, 2, true);
	check_decoded(&f, DLT_LOOP);
	frame_null(&f, 6, 24, true);
	check_decoded(&f, DLT_LOOP);
	/* DLT_LOOP is always network order: a little-endian AF is not IP. */
	frame_null(&f, 4, 2, false);
	assert_false(capture_decode_frame(DLT_LOOP, f.b, (uint32_t)f.len,
	    (uint32_t)f.len, 0, &seg, &st));
	assert_int_equal(st.not_tcp, 1);
}

/* Every way to build a frame, for the truncation test. */
static void
frame_kind(struct frame *f, int kind, int *dlt)
{
	switch (kind) {
	case 0:
		frame_ethernet(f, 4, 0);
		*dlt = DLT_EN10MB;
		break;
	case 1:
		frame_ethernet(f, 6, 2);
		*dlt = DLT_EN10MB;
		break;
	case 2:
		frame_sll(f, 4);
		*dlt = DLT_LINUX_SLL;
		break;
	case 3:
		frame_sll2(f, 6);
		*dlt = 276;
		break;
	case 4:
		frame_raw(f, 4);
		*dlt = DLT_RAW;
		break;
	case 5:
		frame_raw(f, 6);
		*dlt = DLT_RAW;
		break;
	case 6:
		frame_null(f, 4, 2, false);
		*dlt = DLT_NULL;
		break;
	case 7:
		frame_null(f, 6, 30, true);
		*dlt = DLT_LOOP;
		break;
	case 8:
		frame_raw(f, 4);
		*dlt = 228;
		break;
	default:
		frame_raw(f, 6);
		*dlt = 229;
		break;
	}
}

static void
test_truncated(void **state)
{
	struct frame		f;
	struct capture_stats	st;
	struct tcp_segment	seg;
	uint8_t			*copy;
	int			kind, dlt;
	size_t			n;

	(void)state;
	for (kind = 0; kind < 10; kind++) {
		frame_kind(&f, kind, &dlt);
		for (n = 0; n <= f.len; n++) {
			/* An exact-size copy: ASan sees any overread. */
			copy = g_malloc(n > 0 ? n : 1);
			memcpy(copy, f.b, n);
			memset(&st, 0, sizeof st);
			if (n < f.headers) {
				assert_false(capture_decode_frame(dlt, copy,
				    (uint32_t)n, (uint32_t)f.len, 0, &seg,
				    &st));
				assert_int_equal(st.bad_headers, 1);
				assert_int_equal(st.tcp_segments, 0);
			} else {
				/* Only the payload is cut: still a segment. */
				assert_true(capture_decode_frame(dlt, copy,
				    (uint32_t)n, (uint32_t)f.len, 0, &seg,
				    &st));
				assert_int_equal(seg.caplen, n - f.headers);
				assert_int_equal(seg.len, PAYLOAD_LEN);
				assert_int_equal(st.snaplen_cut,
				    n < f.len ? 1 : 0);
			}
			g_free(copy);
		}
	}
	/* A NULL frame of no bytes. */
	memset(&st, 0, sizeof st);
	assert_false(capture_decode_frame(DLT_EN10MB, NULL, 0, 0, 0, &seg,
	    &st));
	assert_int_equal(st.bad_headers, 1);
}

static void
test_snaplen_cut(void **state)
{
	struct frame		f;
	struct capture_stats	st = { 0 };
	struct tcp_segment	seg;

	(void)state;
	frame_ethernet(&f, 4, 1);
	assert_true(capture_decode_frame(DLT_EN10MB, f.b,
	    (uint32_t)f.len - 2, (uint32_t)f.len, 0, &seg, &st));
	assert_int_equal(seg.caplen, PAYLOAD_LEN - 2);
	assert_int_equal(seg.len, PAYLOAD_LEN);
	assert_ptr_equal(seg.payload, f.b + f.headers);
	assert_int_equal(st.snaplen_cut, 1);
	assert_int_equal(st.tcp_segments, 1);
}

static void
test_ipv4_fragment(void **state)
{
	struct frame		f;
	struct capture_stats	st = { 0 };
	struct tcp_segment	seg;
	uint8_t			*ip;

	(void)state;
	frame_raw(&f, 4);
	ip = f.b;
	/* First part of a fragmented packet: MF set, offset 0. */
	put16(ip + 6, 0x2000);
	assert_false(capture_decode_frame(DLT_RAW, f.b, (uint32_t)f.len,
	    (uint32_t)f.len, 0, &seg, &st));
	/* A later part: offset 185 (1480 bytes). */
	put16(ip + 6, 185);
	assert_false(capture_decode_frame(DLT_RAW, f.b, (uint32_t)f.len,
	    (uint32_t)f.len, 0, &seg, &st));
	assert_int_equal(st.fragments, 2);
	assert_int_equal(st.bad_headers + st.tcp_segments, 0);
	/* DF alone is not a fragment. */
	put16(ip + 6, 0x4000);
	assert_true(capture_decode_frame(DLT_RAW, f.b, (uint32_t)f.len,
	    (uint32_t)f.len, 0, &seg, &st));
}

static void
test_ipv6_fragment(void **state)
{
	struct frame		f;
	struct capture_stats	st = { 0 };
	struct tcp_segment	seg;

	(void)state;
	memset(&f, 0, sizeof f);
	frame_ipv6(&f, false, true, 0x0001);	/* offset 0, M */
	assert_false(capture_decode_frame(DLT_RAW, f.b, (uint32_t)f.len,
	    (uint32_t)f.len, 0, &seg, &st));
	memset(&f, 0, sizeof f);
	frame_ipv6(&f, true, true, 100 << 3);	/* offset 100, last */
	assert_false(capture_decode_frame(DLT_RAW, f.b, (uint32_t)f.len,
	    (uint32_t)f.len, 0, &seg, &st));
	assert_int_equal(st.fragments, 2);
	assert_int_equal(st.bad_headers + st.tcp_segments, 0);
}

static void
test_not_tcp(void **state)
{
	struct frame		f;
	struct capture_stats	st = { 0 };
	struct tcp_segment	seg;

	(void)state;
	frame_raw(&f, 4);
	f.b[9] = 17;				/* UDP */
	assert_false(capture_decode_frame(DLT_RAW, f.b, (uint32_t)f.len,
	    (uint32_t)f.len, 0, &seg, &st));
	frame_ethernet(&f, 4, 0);
	put16(f.b + 12, 0x0806);		/* ARP */
	assert_false(capture_decode_frame(DLT_EN10MB, f.b, (uint32_t)f.len,
	    (uint32_t)f.len, 0, &seg, &st));
	memset(&f, 0, sizeof f);
	frame_ipv6(&f, false, false, 0);
	f.b[6] = 58;				/* ICMPv6 */
	assert_false(capture_decode_frame(DLT_RAW, f.b, (uint32_t)f.len,
	    (uint32_t)f.len, 0, &seg, &st));
	assert_int_equal(st.not_tcp, 3);
	assert_int_equal(st.bad_headers, 0);
}

static void
test_malformed(void **state)
{
	struct frame		f;
	struct capture_stats	st = { 0 };
	struct tcp_segment	seg;
	uint32_t		len;

	(void)state;
	frame_raw(&f, 4);
	len = (uint32_t)f.len;
	f.b[0] = 0x44;				/* IHL 4 */
	assert_false(capture_decode_frame(DLT_RAW, f.b, len, len, 0, &seg,
	    &st));
	frame_raw(&f, 4);
	f.b[24 + 12] = 0x40;			/* TCP data offset 4 */
	assert_false(capture_decode_frame(DLT_RAW, f.b, len, len, 0, &seg,
	    &st));
	frame_raw(&f, 4);
	put16(f.b + 2, 1000);			/* longer than the frame */
	assert_false(capture_decode_frame(DLT_RAW, f.b, len, len, 0, &seg,
	    &st));
	frame_raw(&f, 4);
	put16(f.b + 2, 30);		/* shorter than the TCP header */
	assert_false(capture_decode_frame(DLT_RAW, f.b, len, len, 0, &seg,
	    &st));
	frame_raw(&f, 4);
	f.b[0] = 0x55;				/* IPv5 */
	assert_false(capture_decode_frame(DLT_RAW, f.b, len, len, 0, &seg,
	    &st));
	assert_false(capture_decode_frame(228, f.b, len, len, 0, &seg, &st));
	frame_raw(&f, 4);			/* IPv4 where IPv6 is said */
	assert_false(capture_decode_frame(229, f.b, len, len, 0, &seg, &st));
	assert_int_equal(st.bad_headers, 7);
	assert_int_equal(st.tcp_segments, 0);
}

static void
test_tso_zero_length(void **state)
{
	struct frame		f;
	struct capture_stats	st = { 0 };
	struct tcp_segment	seg;

	(void)state;
	/* Captured before segmentation offload: IPv4 total length 0. */
	frame_ethernet(&f, 4, 0);
	put16(f.b + 14 + 2, 0);
	assert_true(capture_decode_frame(DLT_EN10MB, f.b, (uint32_t)f.len,
	    (uint32_t)f.len, 0, &seg, &st));
	assert_int_equal(seg.len, PAYLOAD_LEN);
	assert_int_equal(seg.caplen, PAYLOAD_LEN);
}

/* Capture files. */

static char	*tmpdir;

static int
group_setup(void **state)
{
	(void)state;
	tmpdir = g_dir_make_tmp("rtmpscope-test-capture-XXXXXX", NULL);
	return tmpdir != NULL ? 0 : -1;
}

static int
group_teardown(void **state)
{
	GDir		*d;
	const char	*name;
	char		*path;

	(void)state;
	d = g_dir_open(tmpdir, 0, NULL);
	if (d != NULL) {
		while ((name = g_dir_read_name(d)) != NULL) {
			path = g_build_filename(tmpdir, name, NULL);
			(void)g_unlink(path);
			g_free(path);
		}
		g_dir_close(d);
	}
	(void)g_rmdir(tmpdir);
	g_free(tmpdir);
	return 0;
}

/* An Ethernet frame from SPORT to dport with sequence number seq. */
static size_t
eth_frame(uint8_t *b, uint16_t dport, uint32_t seq, const char *payload)
{
	size_t	plen = strlen(payload), tl;

	memset(b, 0, 34);
	put16(b + 12, 0x0800);
	b[14] = 0x45;
	b[22] = 64;
	b[23] = 6;
	memcpy(b + 26, ip4_src, 4);
	memcpy(b + 30, ip4_dst, 4);
	tl = 20 + tcp_build(b + 34, 0, SPORT, dport, seq, payload, plen);
	put16(b + 16, (uint16_t)tl);
	return 14 + tl;
}

struct file_packet {
	uint16_t	 dport;
	uint32_t	 seq;
	const char	*payload;
	bool		 udp;
};

static char *
write_pcap(const char *name, int dlt, const struct file_packet *pk,
    size_t n)
{
	pcap_t			*p;
	pcap_dumper_t		*d;
	struct pcap_pkthdr	 h;
	uint8_t			 b[256];
	char			*path;
	size_t			 i, len;

	path = g_build_filename(tmpdir, name, NULL);
	p = pcap_open_dead(dlt, 65535);
	assert_non_null(p);
	d = pcap_dump_open(p, path);
	assert_non_null(d);
	for (i = 0; i < n; i++) {
		len = eth_frame(b, pk[i].dport, pk[i].seq, pk[i].payload);
		if (pk[i].udp)
			b[23] = 17;
		memset(&h, 0, sizeof h);
		h.ts.tv_sec = 1700000000 + (time_t)i;
		h.ts.tv_usec = 250000;
		h.caplen = h.len = (bpf_u_int32)len;
		pcap_dump((u_char *)d, &h, b);
	}
	pcap_dump_close(d);
	pcap_close(p);
	return path;
}

struct got {
	int		 n;
	uint32_t	 seq[16];
	double		 t[16];
	char		 data[256];
};

static void
got_segment(void *ctx, const struct tcp_segment *seg)
{
	struct got	*g = ctx;

	if (g->n < 16) {
		g->seq[g->n] = seg->seq;
		g->t[g->n] = seg->t;
	}
	g->n++;
	if (strlen(g->data) + seg->caplen < sizeof g->data)
		strncat(g->data, (const char *)seg->payload, seg->caplen);
}

static const struct file_packet four[] = {
	{ 1935, 100, "C0C1", false },
	{ 80, 200, "GET /", false },
	{ 1935, 104, "C2", false },
	{ 1935, 106, "connect", false },
};

static void
test_file_run(void **state)
{
	static const struct file_packet pk[] = {
		{ 1935, 100, "C0C1", false },
		{ 53, 1, "dns", true },
		{ 1935, 104, "C2", false },
	};
	struct capture			*cap;
	const struct capture_stats	*st;
	struct got			 got = { 0 };
	GError				*err = NULL;
	uint64_t			 done, total;
	char				*path;
	GStatBuf			 sb;

	(void)state;
	path = write_pcap("run.pcap", DLT_EN10MB, pk, G_N_ELEMENTS(pk));
	cap = capture_open_file(path, NULL, &err);
	assert_non_null(cap);
	assert_null(err);
	assert_int_equal(capture_linktype(cap), DLT_EN10MB);
	capture_progress(cap, &done, &total);
	assert_int_equal(g_stat(path, &sb), 0);
	assert_int_equal(total, (uint64_t)sb.st_size);
	assert_true(done <= total);
	assert_true(capture_run(cap, got_segment, &got, &err));
	assert_null(err);
	assert_int_equal(got.n, 2);
	assert_int_equal(got.seq[0], 100);
	assert_int_equal(got.seq[1], 104);
	assert_true(got.t[1] == 1700000002.25);
	assert_string_equal(got.data, "C0C1C2");
	st = capture_get_stats(cap);
	assert_int_equal(st->packets, 3);
	assert_int_equal(st->tcp_segments, 2);
	assert_int_equal(st->not_tcp, 1);
	assert_true(st->bytes > 3 * 54);
	capture_progress(cap, &done, &total);
	assert_int_equal(done, total);
	capture_close(cap);
	g_free(path);
}

static void
test_file_truncated(void **state)
{
	struct capture	*cap;
	struct got	 got = { 0 };
	GError		*err = NULL;
	char		*path;
	GStatBuf	 sb;

	(void)state;
	path = write_pcap("cut.pcap", DLT_EN10MB, four, G_N_ELEMENTS(four));
	assert_int_equal(g_stat(path, &sb), 0);
	/* Cut the last record in the middle of its data. */
	assert_int_equal(truncate(path, sb.st_size - 3), 0);
	cap = capture_open_file(path, NULL, &err);
	assert_non_null(cap);
	assert_false(capture_run(cap, got_segment, &got, &err));
	assert_non_null(err);
	assert_true(g_error_matches(err, CAPTURE_ERROR, CAPTURE_ERROR_READ));
	assert_non_null(strstr(err->message, "truncated"));
	assert_int_equal(got.n, 3);
	assert_string_equal(got.data, "C0C1GET /C2");
	g_error_free(err);
	capture_close(cap);
	g_free(path);
}

static void
test_file_garbage(void **state)
{
	struct capture	*cap;
	GError		*err = NULL;
	char		*path;
	uint8_t		 junk[1000];
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof junk; i++)
		junk[i] = (uint8_t)g_random_int();
	junk[0] = 'X';				/* surely no magic number */
	path = g_build_filename(tmpdir, "junk.pcap", NULL);
	assert_true(g_file_set_contents(path, (const char *)junk, sizeof junk,
	    NULL));
	cap = capture_open_file(path, NULL, &err);
	assert_null(cap);
	assert_true(g_error_matches(err, CAPTURE_ERROR, CAPTURE_ERROR_OPEN));
	assert_non_null(strstr(err->message, "unknown file format"));
	g_error_free(err);
	g_free(path);
}

static void
test_file_missing(void **state)
{
	struct capture	*cap;
	GError		*err = NULL;
	char		*path;

	(void)state;
	path = g_build_filename(tmpdir, "no-such.pcap", NULL);
	cap = capture_open_file(path, NULL, &err);
	assert_null(cap);
	assert_true(g_error_matches(err, CAPTURE_ERROR, CAPTURE_ERROR_OPEN));
	assert_non_null(strstr(err->message, "No such file"));
	g_error_free(err);
	g_free(path);
}

static void
test_file_filter(void **state)
{
	struct capture	*cap;
	struct got	 got = { 0 };
	GError		*err = NULL;
	char		*path;

	(void)state;
	path = write_pcap("filter.pcap", DLT_EN10MB, four, G_N_ELEMENTS(four));
	cap = capture_open_file(path, "tcp port 1935", &err);
	assert_non_null(cap);
	assert_true(capture_run(cap, got_segment, &got, &err));
	assert_int_equal(got.n, 3);
	assert_string_equal(got.data, "C0C1C2connect");
	/* Packets the filter drops are not read at all. */
	assert_int_equal(capture_get_stats(cap)->packets, 3);
	capture_close(cap);

	cap = capture_open_file(path, "tcp port", &err);
	assert_null(cap);
	assert_true(g_error_matches(err, CAPTURE_ERROR, CAPTURE_ERROR_FILTER));
	assert_non_null(strstr(err->message, "tcp port"));
	g_error_free(err);
	g_free(path);
}

static void
test_file_linktype(void **state)
{
	struct capture	*cap;
	GError		*err = NULL;
	char		*path;

	(void)state;
	path = write_pcap("wifi.pcap", DLT_IEEE802_11, four, 1);
	cap = capture_open_file(path, NULL, &err);
	assert_null(cap);
	assert_true(g_error_matches(err, CAPTURE_ERROR,
	    CAPTURE_ERROR_LINKTYPE));
	assert_non_null(strstr(err->message, "IEEE802_11"));
	g_error_free(err);
	g_free(path);
}

/* pcapng: section header, interface description, one enhanced packet. */
static void
test_file_pcapng(void **state)
{
	struct capture	*cap;
	struct got	 got = { 0 };
	GError		*err = NULL;
	uint8_t		 b[512], frame[128];
	size_t		 n = 0, flen, blen;
	char		*path;

	(void)state;
	put32le(b + n, 0x0a0d0d0a);		/* SHB */
	put32le(b + n + 4, 28);
	put32le(b + n + 8, 0x1a2b3c4d);
	b[n + 12] = 1;				/* version 1.0 */
	b[n + 13] = 0;
	b[n + 14] = 0;
	b[n + 15] = 0;
	memset(b + n + 16, 0xff, 8);		/* section length unknown */
	put32le(b + n + 24, 28);
	n += 28;
	put32le(b + n, 1);			/* IDB */
	put32le(b + n + 4, 20);
	b[n + 8] = DLT_EN10MB;
	b[n + 9] = 0;
	b[n + 10] = b[n + 11] = 0;
	put32le(b + n + 12, 65535);
	put32le(b + n + 16, 20);
	n += 20;
	flen = eth_frame(frame, 1935, 4242, "pcapng!");
	blen = 32 + ((flen + 3) & ~(size_t)3);
	memset(b + n, 0, blen);
	put32le(b + n, 6);			/* EPB */
	put32le(b + n + 4, (uint32_t)blen);
	put32le(b + n + 8, 0);			/* interface 0 */
	put32le(b + n + 12, 0);
	put32le(b + n + 16, 1000000);		/* 1 s in microseconds */
	put32le(b + n + 20, (uint32_t)flen);
	put32le(b + n + 24, (uint32_t)flen);
	memcpy(b + n + 28, frame, flen);
	put32le(b + n + blen - 4, (uint32_t)blen);
	n += blen;

	path = g_build_filename(tmpdir, "one.pcapng", NULL);
	assert_true(g_file_set_contents(path, (const char *)b, (gssize)n,
	    NULL));
	cap = capture_open_file(path, NULL, &err);
	assert_non_null(cap);
	assert_true(capture_run(cap, got_segment, &got, &err));
	assert_int_equal(got.n, 1);
	assert_int_equal(got.seq[0], 4242);
	assert_true(got.t[0] == 1.0);
	assert_string_equal(got.data, "pcapng!");
	capture_close(cap);
	g_free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ethernet),
		cmocka_unit_test(test_ethernet_padding),
		cmocka_unit_test(test_vlan),
		cmocka_unit_test(test_double_vlan),
		cmocka_unit_test(test_sll),
		cmocka_unit_test(test_sll2),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_raw_ipv6_ext),
		cmocka_unit_test(test_null),
		cmocka_unit_test(test_loop),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_snaplen_cut),
		cmocka_unit_test(test_ipv4_fragment),
		cmocka_unit_test(test_ipv6_fragment),
		cmocka_unit_test(test_not_tcp),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_tso_zero_length),
		cmocka_unit_test(test_file_run),
		cmocka_unit_test(test_file_truncated),
		cmocka_unit_test(test_file_garbage),
		cmocka_unit_test(test_file_missing),
		cmocka_unit_test(test_file_filter),
		cmocka_unit_test(test_file_linktype),
		cmocka_unit_test(test_file_pcapng),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
