/*
 * A TCP segment as the capture layer hands it to flow reassembly: addresses,
 * sequence numbers and the payload, nothing about RTMP.
 */
#ifndef RTMPSCOPE_PACKET_H
#define RTMPSCOPE_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct endpoint {
	uint8_t		 family;	/* 4 or 6 */
	uint16_t	 port;
	uint8_t		 addr[16];	/* IPv4 in the first 4 bytes */
};

#define TCP_FIN		0x01
#define TCP_SYN		0x02
#define TCP_RST		0x04
#define TCP_PSH		0x08
#define TCP_ACK		0x10

struct tcp_segment {
	struct endpoint	 src;
	struct endpoint	 dst;
	uint32_t	 seq;
	uint32_t	 ack;
	uint8_t		 flags;
	const uint8_t	*payload;
	uint32_t	 caplen;	/* payload bytes present in the capture */
	uint32_t	 len;		/* payload bytes on the wire (>= caplen) */
	double		 t;		/* capture time, seconds */
};

bool	 endpoint_equal(const struct endpoint *, const struct endpoint *);
/* "ip:port", "[ip6]:port"; buf of at least ENDPOINT_STRLEN bytes. */
#define ENDPOINT_STRLEN	64
char	*endpoint_format(const struct endpoint *, char *buf, size_t len);

#endif
