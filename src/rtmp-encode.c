/*
 * AMF0 values and RTMP chunks, written (see rtmp-encode.h).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "chunk.h"
#include "message.h"
#include "rtmp-encode.h"

#define AMF0_MARK_NUMBER	0x00
#define AMF0_MARK_BOOLEAN	0x01
#define AMF0_MARK_STRING	0x02
#define AMF0_MARK_OBJECT	0x03
#define AMF0_MARK_NULL		0x05
#define AMF0_MARK_ECMA_ARRAY	0x08
#define AMF0_MARK_OBJECT_END	0x09
#define AMF0_MARK_LONG_STRING	0x0c

#define CSID_MIN		2U
#define CSID_MAX		65599U
#define TS_FIELD_MAX		0xffffffU	/* larger: extended timestamp */
#define MESSAGE_LEN_MAX		0xffffffU

static void
put_u8(GByteArray *b, uint8_t v)
{
	g_byte_array_append(b, &v, 1);
}

static void
put_u16be(GByteArray *b, uint16_t v)
{
	uint8_t p[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	g_byte_array_append(b, p, sizeof(p));
}

static void
put_u24be(GByteArray *b, uint32_t v)
{
	uint8_t p[3] = { (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	g_byte_array_append(b, p, sizeof(p));
}

static void
put_u32be(GByteArray *b, uint32_t v)
{
	uint8_t p[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	g_byte_array_append(b, p, sizeof(p));
}

static void
put_u32le(GByteArray *b, uint32_t v)
{
	uint8_t p[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 24) };

	g_byte_array_append(b, p, sizeof(p));
}

void
enc_amf0_number(GByteArray *b, double v)
{
	uint64_t bits;
	uint8_t p[8];
	int i;

	memcpy(&bits, &v, sizeof(bits));
	for (i = 7; i >= 0; i--) {
		p[i] = (uint8_t)bits;
		bits >>= 8;
	}
	put_u8(b, AMF0_MARK_NUMBER);
	g_byte_array_append(b, p, sizeof(p));
}

void
enc_amf0_bool(GByteArray *b, bool v)
{
	put_u8(b, AMF0_MARK_BOOLEAN);
	put_u8(b, v ? 1 : 0);
}

void
enc_amf0_string(GByteArray *b, const char *s)
{
	size_t len = strlen(s);

	if (len > 0xffff) {
		put_u8(b, AMF0_MARK_LONG_STRING);
		put_u32be(b, (uint32_t)len);
	} else {
		put_u8(b, AMF0_MARK_STRING);
		put_u16be(b, (uint16_t)len);
	}
	g_byte_array_append(b, (const guint8 *)s, (guint)len);
}

void
enc_amf0_null(GByteArray *b)
{
	put_u8(b, AMF0_MARK_NULL);
}

void
enc_amf0_object_begin(GByteArray *b)
{
	put_u8(b, AMF0_MARK_OBJECT);
}

void
enc_amf0_ecma_begin(GByteArray *b, uint32_t count)
{
	put_u8(b, AMF0_MARK_ECMA_ARRAY);
	put_u32be(b, count);
}

/* A key is a u16 length and the UTF-8 bytes, without a marker. */
void
enc_amf0_key(GByteArray *b, const char *key)
{
	size_t len = strlen(key);

	if (len > 0xffff)
		len = 0xffff;
	put_u16be(b, (uint16_t)len);
	g_byte_array_append(b, (const guint8 *)key, (guint)len);
}

void
enc_amf0_object_end(GByteArray *b)
{
	put_u16be(b, 0);
	put_u8(b, AMF0_MARK_OBJECT_END);
}

void
enc_amf0_prop_number(GByteArray *b, const char *key, double v)
{
	enc_amf0_key(b, key);
	enc_amf0_number(b, v);
}

void
enc_amf0_prop_bool(GByteArray *b, const char *key, bool v)
{
	enc_amf0_key(b, key);
	enc_amf0_bool(b, v);
}

void
enc_amf0_prop_string(GByteArray *b, const char *key, const char *v)
{
	enc_amf0_key(b, key);
	enc_amf0_string(b, v);
}

void
chunk_writer_init(struct chunk_writer *w)
{
	memset(w, 0, sizeof(*w));
	w->chunk_size = CHUNK_SIZE_DEFAULT;
}

void
chunk_writer_set_chunk_size(struct chunk_writer *w, uint32_t size)
{
	if (size > 0 && size <= LIMIT_CHUNK_SIZE_MAX)
		w->chunk_size = size;
}

/* Basic header: 1, 2 or 3 bytes by csid (see chunk.h). */
void
chunk_basic_header(GByteArray *out, uint8_t fmt, uint32_t csid)
{
	if (csid < 64) {
		put_u8(out, (uint8_t)(fmt << 6 | csid));
	} else if (csid < 64 + 256) {
		put_u8(out, (uint8_t)(fmt << 6));
		put_u8(out, (uint8_t)(csid - 64));
	} else {
		put_u8(out, (uint8_t)(fmt << 6 | 1));
		put_u8(out, (uint8_t)((csid - 64) & 0xff));
		put_u8(out, (uint8_t)((csid - 64) >> 8));
	}
}

bool
rtmp_ack_due(uint32_t window, uint64_t received, uint64_t *acked)
{
	if (window == 0 || received - *acked < window)
		return false;
	*acked = received;
	return true;
}

size_t
chunk_basic_header_len(uint32_t csid)
{
	return csid < 64 ? 1 : csid < 64 + 256 ? 2 : 3;
}

static struct chunk_writer_stream *
writer_stream(struct chunk_writer *w, uint32_t csid, bool *fresh)
{
	struct chunk_writer_stream *free_slot = NULL;
	size_t i;

	for (i = 0; i < CHUNK_WRITER_STREAMS; i++) {
		if (w->streams[i].csid == csid) {
			*fresh = false;
			return &w->streams[i];
		}
		if (w->streams[i].csid == 0 && free_slot == NULL)
			free_slot = &w->streams[i];
	}
	if (free_slot != NULL) {
		memset(free_slot, 0, sizeof(*free_slot));
		free_slot->csid = csid;
	}
	*fresh = true;
	return free_slot;
}

/*
 *  fmt 0: | timestamp:3 | length:3 | type:1 | msid:4 (LE) | [ext ts:4]
 *  fmt 1: | ts delta:3  | length:3 | type:1 |               [ext ts:4]
 *  fmt 3: |                                                 [ext ts:4]
 */
bool
chunk_writer_message(struct chunk_writer *w, GByteArray *out, uint32_t csid,
    uint8_t type, uint32_t msid, uint32_t ts, const uint8_t *body,
    size_t len)
{
	struct chunk_writer_stream *s;
	uint32_t field, chunk;
	size_t off;
	bool fresh, ext;
	uint8_t fmt;

	if (csid < CSID_MIN || csid > CSID_MAX || len > MESSAGE_LEN_MAX)
		return false;
	if ((s = writer_stream(w, csid, &fresh)) == NULL)
		return false;
	if (fresh || s->msid != msid || ts < s->ts ||
	    ts - s->ts >= TS_FIELD_MAX) {
		fmt = 0;
		field = ts;
	} else {
		fmt = 1;
		field = ts - s->ts;
	}
	ext = field >= TS_FIELD_MAX;

	chunk_basic_header(out, fmt, csid);
	put_u24be(out, ext ? TS_FIELD_MAX : field);
	put_u24be(out, (uint32_t)len);
	put_u8(out, type);
	if (fmt == 0)
		put_u32le(out, msid);
	if (ext)
		put_u32be(out, field);

	for (off = 0;;) {
		chunk = (uint32_t)MIN(len - off, (size_t)w->chunk_size);
		if (chunk > 0)
			g_byte_array_append(out, body + off, chunk);
		off += chunk;
		if (off >= len)
			break;
		chunk_basic_header(out, 3, csid);
		if (ext)
			put_u32be(out, field);
	}
	s->ts = ts;
	s->len = (uint32_t)len;
	s->type = type;
	s->msid = msid;
	return true;
}

void
chunk_writer_control(struct chunk_writer *w, GByteArray *out, uint8_t type,
    uint32_t value)
{
	uint8_t body[4] = { (uint8_t)(value >> 24), (uint8_t)(value >> 16),
	    (uint8_t)(value >> 8), (uint8_t)value };

	(void)chunk_writer_message(w, out, 2, type, 0, 0, body, sizeof(body));
}

void
chunk_writer_peer_bandwidth(struct chunk_writer *w, GByteArray *out,
    uint32_t window, uint8_t limit_type)
{
	uint8_t body[5] = { (uint8_t)(window >> 24), (uint8_t)(window >> 16),
	    (uint8_t)(window >> 8), (uint8_t)window, limit_type };

	(void)chunk_writer_message(w, out, 2, RTMP_SET_PEER_BANDWIDTH, 0, 0,
	    body, sizeof(body));
}

void
chunk_writer_user_control(struct chunk_writer *w, GByteArray *out,
    uint16_t event, uint32_t value)
{
	uint8_t body[6] = { (uint8_t)(event >> 8), (uint8_t)event,
	    (uint8_t)(value >> 24), (uint8_t)(value >> 16),
	    (uint8_t)(value >> 8), (uint8_t)value };

	(void)chunk_writer_message(w, out, 2, RTMP_USER_CONTROL, 0, 0, body,
	    sizeof(body));
}
