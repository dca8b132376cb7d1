/*
 * Writing RTMP: AMF0 values and chunked messages, appended to a GByteArray.
 *
 * The reading side lives in dissectors/ (amf0.c, chunk-demux.c); this is
 * its mirror for the parts of rtmpscope that speak RTMP themselves (the
 * simulated origin, the proxy's redirects).  Nothing here does I/O: the
 * caller sends the bytes.
 *
 * AMF0 (AMF 0 specification, 2.2 - 2.11), markers:
 *
 *   0x00 number  | f64be |          0x05 null
 *   0x01 boolean | u8 |             0x08 ECMA array | count:u32be | pairs |
 *   0x02 string  | len:u16be | utf8 |   0x0c long string | len:u32be | utf8 |
 *   0x03 object  | pairs | 0x00 0x00 0x09 |
 *
 * where a pair is | len:u16be | key | value |.
 */
#ifndef RTMPSCOPE_RTMP_ENCODE_H
#define RTMPSCOPE_RTMP_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

/* AMF0 values. */
void	enc_amf0_number(GByteArray *, double);
void	enc_amf0_bool(GByteArray *, bool);
/* A string, or a long string past 65535 bytes. */
void	enc_amf0_string(GByteArray *, const char *);
void	enc_amf0_null(GByteArray *);
/* An object: begin, then key + value pairs, then end. */
void	enc_amf0_object_begin(GByteArray *);
void	enc_amf0_ecma_begin(GByteArray *, uint32_t count);
void	enc_amf0_key(GByteArray *, const char *);
/* Ends an object or an ECMA array. */
void	enc_amf0_object_end(GByteArray *);

/* A key and its value, inside an object or an ECMA array. */
void	enc_amf0_prop_number(GByteArray *, const char *, double);
void	enc_amf0_prop_bool(GByteArray *, const char *, bool);
void	enc_amf0_prop_string(GByteArray *, const char *, const char *);

/*
 * The sending side of a chunk stream: what the peer's demultiplexer
 * remembers per chunk stream id, so that headers can be compressed.
 */
#define CHUNK_WRITER_STREAMS	16	/* chunk stream ids in use at once */

struct chunk_writer_stream {
	uint32_t	 csid;		/* 0: free */
	uint32_t	 ts;		/* the last message's timestamp */
	uint32_t	 len;
	uint32_t	 msid;
	uint8_t		 type;
};

struct chunk_writer {
	uint32_t			 chunk_size;
	struct chunk_writer_stream	 streams[CHUNK_WRITER_STREAMS];
};

/* Starts with the default chunk size (128). */
void	chunk_writer_init(struct chunk_writer *);
/*
 * The chunk size of what follows.  Call it right after appending the Set
 * Chunk Size message that announces it.
 */
void	chunk_writer_set_chunk_size(struct chunk_writer *, uint32_t);

/*
 * Appends one message as chunks.  csid is 2..65599; the first chunk is
 * fmt 0 for a new chunk stream, a new message stream id or a timestamp that
 * goes back, fmt 1 otherwise; continuation chunks are fmt 3 and repeat an
 * extended timestamp.  Returns false (nothing appended) for a csid out of
 * range, a body over 16 MiB - 1 or more chunk streams than tracked.
 */
bool	chunk_writer_message(struct chunk_writer *, GByteArray *out,
	    uint32_t csid, uint8_t type, uint32_t msid, uint32_t ts,
	    const uint8_t *body, size_t len);

/* A chunk basic header: fmt and csid in 1, 2 or 3 bytes. */
void	chunk_basic_header(GByteArray *out, uint8_t fmt, uint32_t csid);
/* How many of those bytes csid takes. */
size_t	chunk_basic_header_len(uint32_t csid);

/* Protocol control messages (csid 2, stream 0). */
void	chunk_writer_control(struct chunk_writer *, GByteArray *out,
	    uint8_t type, uint32_t value);
void	chunk_writer_peer_bandwidth(struct chunk_writer *, GByteArray *out,
	    uint32_t window, uint8_t limit_type);
/*
 * Whether received bytes in all call for an Acknowledgement: window more
 * of them since *acked (RTMP 1.0, 5.4.3 and 5.4.4); then *acked is
 * received, and the sequence number to send is (uint32_t)received.
 */
bool	rtmp_ack_due(uint32_t window, uint64_t received, uint64_t *acked);
/* User control events with one 32-bit value (Stream Begin, ping, ...). */
void	chunk_writer_user_control(struct chunk_writer *, GByteArray *out,
	    uint16_t event, uint32_t value);

#endif
