/*
 * Packet sources: libpcap capture files, decoded down to TCP.
 *
 * Every header is read through a bounded cursor.  A frame whose headers are
 * cut by the snapshot length or make no sense is counted in bad_headers and
 * skipped; a payload cut by the snapshot length is handed on with
 * caplen < len so that flow reassembly can report the missing bytes.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

#include "cursor.h"
#include "capture.h"

struct capture {
	pcap_t			*pcap;
	int			 dlt;
	uint64_t		 size;		/* file size, 0 if unknown */
	struct capture_stats	 stats;
	/* A record read but not yet due (capture_hold_after). */
	double			 hold_after;
	bool			 held;
	struct pcap_pkthdr	 held_hdr;
	uint8_t			*held_data;
	size_t			 held_size;
};

/* The link layers rtmpscope decodes, whatever their DLT_ number. */
enum capture_link {
	CAPTURE_LINK_NONE,
	CAPTURE_LINK_ETHERNET,
	CAPTURE_LINK_SLL,
	CAPTURE_LINK_SLL2,
	CAPTURE_LINK_RAW,		/* version nibble says IPv4 or IPv6 */
	CAPTURE_LINK_IPV4,
	CAPTURE_LINK_IPV6,
	CAPTURE_LINK_NULL,		/* AF value, writer's byte order */
	CAPTURE_LINK_LOOP,		/* AF value in network byte order */
};

/* Not every libpcap defines these. */
#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2		276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4		228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6		229
#endif
#define CAPTURE_LINKTYPE_RAW	101	/* LINKTYPE_RAW, if pcap passes it on */

#define ETHERTYPE_IPV4		0x0800
#define ETHERTYPE_IPV6		0x86dd
#define ETHERTYPE_VLAN		0x8100	/* 802.1Q */
#define ETHERTYPE_QINQ		0x88a8	/* 802.1ad */
#define ETHERTYPE_QINQ_OLD	0x9100	/* pre-standard stacked VLAN */

#define IPPROTO_NUM_HOPOPTS	0
#define IPPROTO_NUM_TCP		6
#define IPPROTO_NUM_ROUTING	43
#define IPPROTO_NUM_FRAGMENT	44
#define IPPROTO_NUM_DSTOPTS	60

/* BSD address families as DLT_NULL and DLT_LOOP carry them. */
#define CAPTURE_AF_INET		2
#define CAPTURE_AF_INET6_LINUX	10
#define CAPTURE_AF_INET6_BSD	24	/* NetBSD, OpenBSD, BSD/OS */
#define CAPTURE_AF_INET6_FREEBSD 28
#define CAPTURE_AF_INET6_DARWIN	30

GQuark
capture_error_quark(void)
{
	return g_quark_from_static_string("capture-error-quark");
}

static enum capture_link
capture_link_kind(int dlt)
{
	/* First: on OpenBSD DLT_LOOP is 12, which is DLT_RAW elsewhere. */
	if (dlt == DLT_LOOP)
		return CAPTURE_LINK_LOOP;
	/* Raw IP has been 12 and 14 depending on the OS that wrote the file. */
	if (dlt == DLT_RAW || dlt == 12 || dlt == 14 ||
	    dlt == CAPTURE_LINKTYPE_RAW)
		return CAPTURE_LINK_RAW;
	switch (dlt) {
	case DLT_EN10MB:
		return CAPTURE_LINK_ETHERNET;
	case DLT_LINUX_SLL:
		return CAPTURE_LINK_SLL;
	case DLT_LINUX_SLL2:
		return CAPTURE_LINK_SLL2;
	case DLT_IPV4:
		return CAPTURE_LINK_IPV4;
	case DLT_IPV6:
		return CAPTURE_LINK_IPV6;
	case DLT_NULL:
		return CAPTURE_LINK_NULL;
	default:
		return CAPTURE_LINK_NONE;
	}
}

/* What the link layer says comes next. */
enum capture_net {
	CAPTURE_NET_IPV4,
	CAPTURE_NET_IPV6,
	CAPTURE_NET_BY_VERSION,	/* look at the IP version nibble */
	CAPTURE_NET_OTHER,
	CAPTURE_NET_BAD,
};

static enum capture_net
capture_net_from_ethertype(uint16_t type)
{
	switch (type) {
	case ETHERTYPE_IPV4:
		return CAPTURE_NET_IPV4;
	case ETHERTYPE_IPV6:
		return CAPTURE_NET_IPV6;
	default:
		return CAPTURE_NET_OTHER;
	}
}

static enum capture_net
capture_net_from_af(uint32_t af)
{
	switch (af) {
	case CAPTURE_AF_INET:
		return CAPTURE_NET_IPV4;
	case CAPTURE_AF_INET6_LINUX:
	case CAPTURE_AF_INET6_BSD:
	case CAPTURE_AF_INET6_FREEBSD:
	case CAPTURE_AF_INET6_DARWIN:
		return CAPTURE_NET_IPV6;
	default:
		return CAPTURE_NET_OTHER;
	}
}

/*
 * Ethernet II, with any number of 802.1Q / 802.1ad tags:
 *
 *	+-------------+-------------+------+ - - - - - - - - - +------+
 *	| dst mac (6) | src mac (6) | type | [0x8100 TCI (2)]... | type |
 *	+-------------+-------------+------+ - - - - - - - - - +------+
 *
 * A tag's type word sits where the EtherType would be; the real EtherType
 * follows the last tag's TCI.
 */
static enum capture_net
capture_link_ethernet(struct cursor *c)
{
	uint16_t	type;

	cursor_skip(c, 12);
	type = cursor_u16be(c);
	while (cursor_ok(c) && (type == ETHERTYPE_VLAN ||
	    type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD)) {
		cursor_skip(c, 2);		/* PCP, DEI, VLAN id */
		type = cursor_u16be(c);
	}
	if (!cursor_ok(c))
		return CAPTURE_NET_BAD;
	return capture_net_from_ethertype(type);
}

/*
 * Linux cooked capture v1 (DLT_LINUX_SLL), 16 bytes:
 *
 *	+-------------+--------------+-------------+---------------+----------+
 *	| pkttype (2) | ARPHRD (2)   | addrlen (2) | address (8)   | proto (2)|
 *	+-------------+--------------+-------------+---------------+----------+
 */
static enum capture_net
capture_link_sll(struct cursor *c)
{
	uint16_t	proto;

	cursor_skip(c, 14);
	proto = cursor_u16be(c);
	if (!cursor_ok(c))
		return CAPTURE_NET_BAD;
	return capture_net_from_ethertype(proto);
}

/*
 * Linux cooked capture v2 (DLT_LINUX_SLL2), 20 bytes:
 *
 *	+-----------+--------------+--------------+------------+
 *	| proto (2) | reserved (2) | ifindex (4)  | ARPHRD (2) |
 *	+-----------+-------+------+--------------+------------+
 *	| pkttype (1) | addrlen (1) | address (8)              |
 *	+-------------+-------------+--------------------------+
 */
static enum capture_net
capture_link_sll2(struct cursor *c)
{
	uint16_t	proto;

	proto = cursor_u16be(c);
	cursor_skip(c, 18);
	if (!cursor_ok(c))
		return CAPTURE_NET_BAD;
	return capture_net_from_ethertype(proto);
}

/*
 * BSD loopback: a 4-byte address family.  DLT_NULL writes it in the byte
 * order of the capturing host, which the file does not record: a value that
 * does not fit 16 bits was written the other way round.  DLT_LOOP writes it
 * in network byte order.
 */
static enum capture_net
capture_link_null(struct cursor *c, bool network_order)
{
	const uint8_t	*p;
	uint32_t	 af;

	p = cursor_bytes(c, 4);
	if (p == NULL)
		return CAPTURE_NET_BAD;
	af = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
	if (!network_order && (af & 0xffff) == 0)
		af = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
		    (uint32_t)p[1] << 8 | p[0];
	return capture_net_from_af(af);
}

/* The addresses and lengths the network layer hands to the TCP decoder. */
struct capture_ip {
	uint8_t		 family;
	const uint8_t	*src;
	const uint8_t	*dst;
	uint32_t	 wire_len;	/* after the IP headers, on the wire */
};

/*
 * IPv4 (RFC 791):
 *
 *	 0                   1                   2                   3
 *	+-------+-------+---------------+-------------------------------+
 *	|Version|  IHL  |Type of Service|          Total Length         |
 *	+-------+-------+---------------+-----+-------------------------+
 *	|         Identification        |Flags|     Fragment Offset     |
 *	+---------------+---------------+-----+-------------------------+
 *	|  Time to Live |    Protocol   |        Header Checksum        |
 *	+---------------+---------------+-------------------------------+
 *	|                        Source Address                         |
 *	+---------------------------------------------------------------+
 *	|                     Destination Address                       |
 *	+---------------------------------------------------------------+
 *	|                 Options (IHL > 5)                             |
 *	+---------------------------------------------------------------+
 *
 * Total Length bounds the packet: bytes after it are link padding.  The
 * cursor is shortened to it, so the TCP decoder never reads the padding.
 */
static bool
capture_ipv4(struct cursor *c, uint32_t link_wire, struct capture_ip *ip,
    struct capture_stats *stats)
{
	size_t		 start = c->off;
	uint8_t		 vihl, proto;
	uint16_t	 frag;
	uint32_t	 total, hlen;
	size_t		 avail;

	vihl = cursor_u8(c);
	cursor_skip(c, 1);
	total = cursor_u16be(c);
	cursor_skip(c, 2);
	frag = cursor_u16be(c);
	cursor_skip(c, 1);
	proto = cursor_u8(c);
	cursor_skip(c, 2);
	ip->src = cursor_bytes(c, 4);
	ip->dst = cursor_bytes(c, 4);
	if (!cursor_ok(c) || (vihl >> 4) != 4 || (vihl & 0x0f) < 5) {
		stats->bad_headers++;
		return false;
	}
	hlen = (uint32_t)(vihl & 0x0f) * 4;
	cursor_skip(c, hlen - 20);			/* options */
	if (!cursor_ok(c)) {
		stats->bad_headers++;
		return false;
	}
	/*
	 * A packet captured before TCP segmentation offload split it has a
	 * total length of 0: the frame's own length is all there is.
	 */
	if (total == 0)
		total = link_wire;
	/* A packet longer than the frame that carried it is nonsense. */
	if (total < hlen || total > link_wire) {
		stats->bad_headers++;
		return false;
	}
	if ((frag & 0x3fff) != 0) {			/* MF or an offset */
		stats->fragments++;
		return false;
	}
	if (proto != IPPROTO_NUM_TCP) {
		stats->not_tcp++;
		return false;
	}
	/* Drop link padding: the packet ends where Total Length says. */
	avail = c->len - start;
	if (total <= avail)
		c->len = start + total;
	ip->family = 4;
	ip->wire_len = total - hlen;
	return true;
}

/*
 * IPv6 (RFC 8200) and the extension headers a TCP segment may follow:
 *
 *	+-------+---------------+---------------------------------------+
 *	|Version| Traffic Class |              Flow Label               |
 *	+-------+---------------+---------------+-----------------------+
 *	|        Payload Length         |  Next Header  |   Hop Limit   |
 *	+-------------------------------+---------------+---------------+
 *	|                   Source Address (16)                         |
 *	|                 Destination Address (16)                      |
 *	+---------------------------------------------------------------+
 *
 *	hop-by-hop (0), routing (43), destination options (60):
 *	+---------------+---------------+-------------------------------+
 *	|  Next Header  |  Hdr Ext Len  |  (8 + Hdr Ext Len * 8 bytes)  |
 *	+---------------+---------------+-------------------------------+
 *
 *	fragment (44):
 *	+---------------+---------------+-------------------------+--+-+
 *	|  Next Header  |   Reserved    |     Fragment Offset     |Res|M|
 *	+---------------+---------------+-------------------------+--+-+
 *	|                        Identification                         |
 *	+---------------------------------------------------------------+
 */
static bool
capture_ipv6(struct cursor *c, uint32_t link_wire, struct capture_ip *ip,
    struct capture_stats *stats)
{
	size_t		 start = c->off, avail;
	uint8_t		 vtc, next, extlen;
	uint16_t	 plen, offm;
	uint32_t	 total;

	vtc = cursor_u8(c);
	cursor_skip(c, 3);
	plen = cursor_u16be(c);
	next = cursor_u8(c);
	cursor_skip(c, 1);
	ip->src = cursor_bytes(c, 16);
	ip->dst = cursor_bytes(c, 16);
	if (!cursor_ok(c) || (vtc >> 4) != 6) {
		stats->bad_headers++;
		return false;
	}
	/* A jumbogram (RFC 2675) says 0: the frame's length is all there is. */
	total = plen != 0 ? (uint32_t)plen + 40 : link_wire;
	/* A packet longer than the frame that carried it is nonsense. */
	if (total < 40 || total > link_wire) {
		stats->bad_headers++;
		return false;
	}
	avail = c->len - start;
	if (total <= avail)
		c->len = start + total;

	for (;;) {
		switch (next) {
		case IPPROTO_NUM_HOPOPTS:
		case IPPROTO_NUM_ROUTING:
		case IPPROTO_NUM_DSTOPTS:
			next = cursor_u8(c);
			extlen = cursor_u8(c);
			cursor_skip(c, 6 + (size_t)extlen * 8);
			break;
		case IPPROTO_NUM_FRAGMENT:
			next = cursor_u8(c);
			cursor_skip(c, 1);
			offm = cursor_u16be(c);
			cursor_skip(c, 4);
			/* An atomic fragment (offset 0, M 0) is whole. */
			if (cursor_ok(c) && (offm & 0xfff9) != 0) {
				stats->fragments++;
				return false;
			}
			break;
		case IPPROTO_NUM_TCP:
			if (c->off - start > total) {
				stats->bad_headers++;
				return false;
			}
			ip->family = 6;
			ip->wire_len = total - (uint32_t)(c->off - start);
			return true;
		default:
			stats->not_tcp++;
			return false;
		}
		if (!cursor_ok(c)) {
			stats->bad_headers++;
			return false;
		}
	}
}

/*
 * TCP (RFC 9293):
 *
 *	+-------------------------------+-------------------------------+
 *	|          Source Port          |        Destination Port       |
 *	+-------------------------------+-------------------------------+
 *	|                        Sequence Number                        |
 *	+---------------------------------------------------------------+
 *	|                     Acknowledgment Number                     |
 *	+-------+-------+-+-+-+-+-+-+-+-+-------------------------------+
 *	|  Data |       |C|E|U|A|P|R|S|F|                               |
 *	| Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 *	+-------+-------+-+-+-+-+-+-+-+-+-------------------------------+
 *	|           Checksum            |         Urgent Pointer        |
 *	+-------------------------------+-------------------------------+
 *	|                    Options (Data Offset > 5)                  |
 *	+---------------------------------------------------------------+
 */
static bool
capture_tcp(struct cursor *c, const struct capture_ip *ip, double t,
    struct tcp_segment *seg, struct capture_stats *stats)
{
	uint8_t		 doff;
	uint32_t	 hlen;
	size_t		 caplen;

	memset(seg, 0, sizeof *seg);
	seg->src.port = cursor_u16be(c);
	seg->dst.port = cursor_u16be(c);
	seg->seq = cursor_u32be(c);
	seg->ack = cursor_u32be(c);
	doff = cursor_u8(c) >> 4;
	seg->flags = cursor_u8(c);
	cursor_skip(c, 6);
	if (!cursor_ok(c) || doff < 5) {
		stats->bad_headers++;
		return false;
	}
	hlen = (uint32_t)doff * 4;
	cursor_skip(c, hlen - 20);			/* options */
	if (!cursor_ok(c) || hlen > ip->wire_len) {
		stats->bad_headers++;
		return false;
	}

	seg->src.family = seg->dst.family = ip->family;
	memcpy(seg->src.addr, ip->src, ip->family == 6 ? 16 : 4);
	memcpy(seg->dst.addr, ip->dst, ip->family == 6 ? 16 : 4);
	seg->len = ip->wire_len - hlen;
	caplen = cursor_remaining(c);
	if (caplen > seg->len)
		caplen = seg->len;
	seg->caplen = (uint32_t)caplen;
	seg->payload = cursor_bytes(c, caplen);
	seg->t = t;
	if (seg->caplen < seg->len)
		stats->snaplen_cut++;
	stats->tcp_segments++;
	return true;
}

gboolean
capture_decode_frame(int dlt, const uint8_t *frame, uint32_t caplen,
    uint32_t wirelen, double t, struct tcp_segment *seg,
    struct capture_stats *stats)
{
	struct cursor		c;
	struct capture_ip	ip;
	enum capture_net	net;
	uint32_t		link_wire;
	bool			ok;

	cursor_init(&c, frame, frame != NULL ? caplen : 0);
	switch (capture_link_kind(dlt)) {
	case CAPTURE_LINK_ETHERNET:
		net = capture_link_ethernet(&c);
		break;
	case CAPTURE_LINK_SLL:
		net = capture_link_sll(&c);
		break;
	case CAPTURE_LINK_SLL2:
		net = capture_link_sll2(&c);
		break;
	case CAPTURE_LINK_RAW:
		net = CAPTURE_NET_BY_VERSION;
		break;
	case CAPTURE_LINK_IPV4:
		net = CAPTURE_NET_IPV4;
		break;
	case CAPTURE_LINK_IPV6:
		net = CAPTURE_NET_IPV6;
		break;
	case CAPTURE_LINK_NULL:
		net = capture_link_null(&c, false);
		break;
	case CAPTURE_LINK_LOOP:
		net = capture_link_null(&c, true);
		break;
	default:
		net = CAPTURE_NET_OTHER;
		break;
	}
	if (net == CAPTURE_NET_BY_VERSION) {
		if (cursor_remaining(&c) == 0) {
			stats->bad_headers++;
			return FALSE;
		}
		switch (cursor_peek_u8(&c) >> 4) {
		case 4:
			net = CAPTURE_NET_IPV4;
			break;
		case 6:
			net = CAPTURE_NET_IPV6;
			break;
		default:
			net = CAPTURE_NET_BAD;
			break;
		}
	}

	/* Bytes of the network packet on the wire, if the link knew them. */
	if (wirelen < caplen)
		wirelen = caplen;
	link_wire = c.off <= wirelen ? wirelen - (uint32_t)c.off : 0;

	switch (net) {
	case CAPTURE_NET_IPV4:
		ok = capture_ipv4(&c, link_wire, &ip, stats);
		break;
	case CAPTURE_NET_IPV6:
		ok = capture_ipv6(&c, link_wire, &ip, stats);
		break;
	case CAPTURE_NET_OTHER:
		stats->not_tcp++;
		return FALSE;
	default:
		stats->bad_headers++;
		return FALSE;
	}
	if (!ok)
		return FALSE;
	return capture_tcp(&c, &ip, t, seg, stats);
}

struct capture *
capture_open_file(const char *path, const char *bpf, GError **err)
{
	char			 errbuf[PCAP_ERRBUF_SIZE];
	struct capture		*cap;
	struct bpf_program	 prog;
	struct stat		 st;
	const char		*name;
	FILE			*f;

	errbuf[0] = '\0';
	cap = g_new0(struct capture, 1);
	cap->hold_after = HUGE_VAL;
	cap->pcap = pcap_open_offline(path, errbuf);
	if (cap->pcap == NULL) {
		g_set_error(err, CAPTURE_ERROR, CAPTURE_ERROR_OPEN, "%s: %s",
		    path, errbuf[0] != '\0' ? errbuf : "cannot open");
		g_free(cap);
		return NULL;
	}

	cap->dlt = pcap_datalink(cap->pcap);
	if (capture_link_kind(cap->dlt) == CAPTURE_LINK_NONE) {
		name = pcap_datalink_val_to_name(cap->dlt);
		g_set_error(err, CAPTURE_ERROR, CAPTURE_ERROR_LINKTYPE,
		    "%s: link type %d (%s) is not supported", path, cap->dlt,
		    name != NULL ? name : "unknown");
		capture_close(cap);
		return NULL;
	}

	if (bpf != NULL && *bpf != '\0') {
		if (pcap_compile(cap->pcap, &prog, bpf, 1,
		    PCAP_NETMASK_UNKNOWN) == -1) {
			g_set_error(err, CAPTURE_ERROR, CAPTURE_ERROR_FILTER,
			    "filter \"%s\": %s", bpf, pcap_geterr(cap->pcap));
			capture_close(cap);
			return NULL;
		}
		if (pcap_setfilter(cap->pcap, &prog) == -1) {
			g_set_error(err, CAPTURE_ERROR, CAPTURE_ERROR_FILTER,
			    "filter \"%s\": %s", bpf, pcap_geterr(cap->pcap));
			pcap_freecode(&prog);
			capture_close(cap);
			return NULL;
		}
		pcap_freecode(&prog);
	}

	f = pcap_file(cap->pcap);
	if (f != NULL && fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode))
		cap->size = (uint64_t)st.st_size;
	return cap;
}

void
capture_close(struct capture *cap)
{
	if (cap == NULL)
		return;
	if (cap->pcap != NULL)
		pcap_close(cap->pcap);
	g_free(cap->held_data);
	g_free(cap);
}

/* Counts a record and hands its TCP segment, if any, on. */
static void
capture_deliver(struct capture *cap, const struct pcap_pkthdr *hdr,
    const u_char *data, capture_segment_fn fn, void *ctx)
{
	struct tcp_segment	 seg;
	double			 t;

	cap->stats.packets++;
	cap->stats.bytes += hdr->caplen;
	t = (double)hdr->ts.tv_sec + (double)hdr->ts.tv_usec / 1e6;
	if (capture_decode_frame(cap->dlt, data, hdr->caplen, hdr->len, t,
	    &seg, &cap->stats))
		fn(ctx, &seg);
}

static double
capture_record_time(const struct pcap_pkthdr *hdr)
{
	return (double)hdr->ts.tv_sec + (double)hdr->ts.tv_usec / 1e6;
}

/* Keeps a record that is not due yet: libpcap reuses its buffer. */
static void
capture_hold(struct capture *cap, const struct pcap_pkthdr *hdr,
    const u_char *data)
{
	if (cap->held_size < hdr->caplen) {
		cap->held_data = g_realloc(cap->held_data, hdr->caplen);
		cap->held_size = hdr->caplen;
	}
	memcpy(cap->held_data, data, hdr->caplen);
	cap->held_hdr = *hdr;
	cap->held = true;
}

gboolean
capture_run_some(struct capture *cap, capture_segment_fn fn, void *ctx,
    unsigned int max_packets, gboolean *eof, GError **err)
{
	struct pcap_pkthdr	*hdr;
	const u_char		*data;
	unsigned int		 n = 0;
	int			 r = 1;

	*eof = FALSE;
	if (cap->held) {
		if (capture_record_time(&cap->held_hdr) > cap->hold_after)
			return TRUE;
		cap->held = false;
		capture_deliver(cap, &cap->held_hdr, cap->held_data, fn, ctx);
		n++;
	}
	while (n < max_packets) {
		r = pcap_next_ex(cap->pcap, &hdr, &data);
		if (r == 0)			/* a live capture's timeout */
			continue;
		if (r != 1)
			break;
		if (capture_record_time(hdr) > cap->hold_after) {
			capture_hold(cap, hdr, data);
			return TRUE;
		}
		capture_deliver(cap, hdr, data, fn, ctx);
		n++;
	}
	if (r == 1)
		return TRUE;
	*eof = TRUE;
	if (r == PCAP_ERROR_BREAK)		/* end of file */
		return TRUE;
	g_set_error(err, CAPTURE_ERROR, CAPTURE_ERROR_READ,
	    "after %" G_GUINT64_FORMAT " packets: %s", cap->stats.packets,
	    r == PCAP_ERROR ? pcap_geterr(cap->pcap) : "read error");
	return FALSE;
}

gboolean
capture_run(struct capture *cap, capture_segment_fn fn, void *ctx,
    GError **err)
{
	gboolean	 eof = FALSE;

	while (!eof)
		if (!capture_run_some(cap, fn, ctx, G_MAXUINT, &eof, err))
			return FALSE;
	return TRUE;
}

void
capture_hold_after(struct capture *cap, double t)
{
	cap->hold_after = t;
}

gboolean
capture_held_time(const struct capture *cap, double *t)
{
	if (!cap->held)
		return FALSE;
	*t = capture_record_time(&cap->held_hdr);
	return TRUE;
}

const struct capture_stats *
capture_get_stats(const struct capture *cap)
{
	return &cap->stats;
}

int
capture_linktype(const struct capture *cap)
{
	return cap->dlt;
}

void
capture_progress(const struct capture *cap, uint64_t *done, uint64_t *total)
{
	FILE	*f;
	long	 pos;

	*done = 0;
	*total = cap->size;
	f = pcap_file(cap->pcap);
	if (f != NULL && (pos = ftell(f)) > 0)
		*done = (uint64_t)pos;
	if (*done > *total)
		*total = *done;
}
