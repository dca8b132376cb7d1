/*
 * Fuzzes the proxy's failover engine (src/splice.c, src/replay.c) and the
 * bytes it writes: the proxy must never send a broken chunk stream, to the
 * client or to a backend.
 *
 * The harness plays every part around a struct splice the way src/proxy.c
 * drives it.  First a realistic session through the old backend, built by
 * the harness: the client's messages go through the session's C2S
 * demultiplexer into replay_client_message, the old backend's through a
 * demultiplexer that stands for the client (the checking demultiplexer)
 * into replay_server_message.  The old backend's last message may be cut
 * (the move comes in the middle of it): the proxy takes the client over as
 * conn_take_over_client does, splice_complete_partials' bytes first, then a
 * chunk writer of its own.  Then a splice starts (splice_init, splice_begin)
 * and the rest of the input is records, each one of:
 *
 *  | 00 hi:6 | lo:8 | bytes |	the new backend's bytes, (hi << 8 | lo) + 1
 *				of them, to splice_from_backend in one call
 *  | 01 c t:5 | arg:8 |		a message of the new backend (template t,
 *				c: on a csid of 2 or 3 header bytes), chunked
 *				by the harness's writer for that backend
 *  | 10 c t:5 | arg:8 |		a message of the client (template t, c: on
 *				another stream id), through the C2S
 *				demultiplexer, replay_client_message and
 *				splice_from_client
 *  | 11 k:6 | arg:8 | [bytes] |	k % 4: 0 a failover to the next backend (a
 *				fresh splice), 1 the clock advances arg / 10 s,
 *				2 S0 S1 S2 in pieces of arg + 1 bytes, 3 a
 *				message of the client whose body is the arg + 1
 *				bytes that follow, of type 20, 18, 4 or 17 by
 *				(k >> 2) % 4
 *
 * After each record what the splice queued is drained as conn_splice_flush
 * does: to_client into the checking demultiplexer (whose messages go to
 * replay_server_message, as the session's do), to_backend past the
 * handshake into another checking demultiplexer.  Neither may ever report a
 * malformed header, a bad chunk size, a resync or an abort, and after each
 * drain neither may hold a partial message (the proxy writes whole
 * messages).  A splice that failed is replaced, as conn_splice_flush does,
 * up to SPLICES_MAX times.  Built with -DFUZZ_SPLICE_TRACE, the harness
 * says on stderr how each record left the splice.
 *
 * The first three bytes choose the session:
 *
 *  mode:   bit 0 a publisher (with cached metadata and sequence headers),
 *	    not a player; bit 1 the new backend's handshake reply comes from
 *	    the records (else the harness sends S0 S1 S2 at each splice_begin);
 *	    bits 2-3 the old backend's chunk size (128, 4096, 3, 65536); bit 4
 *	    timestamps start near 2^24 (extended timestamps); bit 5 the
 *	    client's commands are AMF3 (type 17); bit 6 the old backend's media
 *	    go on csids of 2 and 3 header bytes; bit 7 the partials mode below
 *  cut:    bytes of the old backend's last message the client never gets
 *  variant: bit 0 play with a transaction id (ffmpeg), not 0 (librtmp);
 *	    bit 1 two streams; bit 2 a Set Buffer Length; bit 3 the old
 *	    backend's stream id is 5, not 1; bit 4 the move comes before any
 *	    media; bit 5 the client sets chunk size 4096 (as OBS does)
 *
 * The partials mode (mode bit 7) fuzzes splice_complete_partials alone:
 * | mode | flags | bytes |: the bytes go to a fresh demultiplexer (flags
 * bits 0-2 its chunk size: 128, 1, 2, 3, 7, 4096, 65536, 2^31 - 1; bit 3
 * keep_all), in one feed or, with bit 4, in 64 pieces; then, when
 * splice_complete_partials says the stream can be completed, its bytes:
 * every partial message must then be delivered, with no event but a limit,
 * and no partial may be left.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "check-sink.h"
#include "chunk.h"
#include "field-record.h"
#include "handshake.h"
#include "hard-limits.h"
#include "message.h"
#include "replay.h"
#include "rtmp-encode.h"
#include "splice.h"

#define M_PUBLISH	0x01U
#define M_RAW_HS	0x02U
#define M_CHUNK_SHIFT	2
#define M_EXT_TS	0x10U
#define M_AMF3		0x20U
#define M_HIGH_CSID	0x40U
#define M_PARTIALS	0x80U

#define V_PLAY_TXN	0x01U
#define V_TWO_STREAMS	0x02U
#define V_BUFFER	0x04U
#define V_OTHER_MSID	0x08U
#define V_NO_MEDIA	0x10U
#define V_CLIENT_CHUNK	0x20U

#define P_KEEP_ALL	0x08U
#define P_PIECES	0x10U

#define HEADER_LEN	3U
#define HS_REPLY	(1U + 2U * HANDSHAKE_BLOCK)	/* S0 S1 S2, C0 C1 C2 */
#define SPLICES_MAX	8U
#define BIG_UNIT	64U	/* a big message is (arg + 1) of these */

#define CSID_CONTROL	2U
#define CSID_COMMAND	3U
#define CSID_AUDIO	4U
#define CSID_DATA	5U
#define CSID_VIDEO	6U
#define CSID_PLAY	8U

#define UC_STREAM_BEGIN		0U
#define UC_SET_BUFFER		3U
#define UC_PING_REQUEST		6U
#define UC_PING_RESPONSE	7U

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Everything around one splice: the proxy's, the client's, the backends'. */
struct fz {
	uint8_t			 mode;
	uint8_t			 variant;
	double			 now;

	/* The proxy's (struct conn). */
	struct replay		 replay;
	struct splice		 sp;
	struct chunk_writer	 to_client;
	bool			 rewriting;
	unsigned		 splices;

	/* The client: its sending side and the session's C2S demux. */
	struct chunk_writer	 cw;
	struct chunk_demux	 c2s;
	struct field_record	 c2s_fields;
	uint32_t		 cts;
	uint32_t		 cmsid;		/* its stream */
	uint32_t		 cmsid2;	/* a second one, or 0 */
	double			 ctxn;

	/* What the client receives, checked. */
	struct chunk_demux	 client;
	struct field_record	 client_fields;
	uint64_t		 client_messages;

	/* The old backend's sending side. */
	struct chunk_writer	 ow;
	uint32_t		 ots;

	/* The new backend: its sending side, and what it is sent, checked. */
	struct chunk_writer	 bw;
	uint32_t		 bts;
	uint32_t		 bmsid;
	struct chunk_demux	 backend;
	uint64_t		 backend_seen;	/* of to_backend, C0 C1 C2 too */
};

/* Bytes fed from a buffer of their own: ASan sees a read past the end. */
static size_t
feed(struct chunk_demux *d, const uint8_t *p, size_t n)
{
	uint8_t *copy;
	size_t used;

	if (n == 0)
		return 0;
	if ((copy = malloc(n)) == NULL)
		abort();
	memcpy(copy, p, n);
	used = chunk_demux_feed(d, copy, n);
	free(copy);
	return used;
}

static const char *
event_name(enum chunk_event ev)
{
	switch (ev) {
	case CHUNK_EV_MALFORMED:	return "malformed";
	case CHUNK_EV_RESYNC:		return "resync";
	case CHUNK_EV_BAD_CHUNK_SIZE:	return "bad chunk size";
	case CHUNK_EV_LIMIT:		return "limit";
	case CHUNK_EV_ABORTED:		return "aborted";
	}
	return "?";
}

/* No partial message, no header half read: the writer wrote whole ones. */
static void
check_whole(const struct chunk_demux *d, const char *who)
{
	static struct chunk_partial parts[LIMIT_CHUNK_STREAMS];
	uint32_t left;
	size_t n;

	if (!chunk_demux_partials(d, parts, G_N_ELEMENTS(parts), &n, &left))
		check_fail("%s: the stream stops inside a chunk header or is "
		    "out of sync", who);
	if (n != 0 || left != 0)
		check_fail("%s: %zu partial messages (csid %u, %u bytes "
		    "missing), %u left in the chunk", who, n,
		    n > 0 ? parts[0].csid : 0, n > 0 ? parts[0].missing : 0,
		    left);
}

static void
check_envelope(const struct rtmp_message *m, const char *who)
{
	if (m->csid < 2 || m->csid > 65599)
		check_fail("%s: csid %u", who, m->csid);
	if (m->kept > m->len || m->len > LIMIT_MESSAGE_LEN_MAX)
		check_fail("%s: kept %u of %u", who, m->kept, m->len);
}

/* The client's view: what the proxy writes to it, as the session sees it. */

static void
client_deliver(struct fz *z, const struct rtmp_message *m)
{
	field_record_clear(&z->client_fields);
	(void)msg_decode(m, &z->client_fields.sink);
	replay_server_message(&z->replay, m, &z->client_fields, z->now);
}

static void
client_message(void *ctx, const struct rtmp_message *m)
{
	struct fz *z = ctx;
	struct aggregate_iter it;
	struct rtmp_message sub;

	check_envelope(m, "client");
	z->client_messages++;
	client_deliver(z, m);
	if (m->type != RTMP_AGGREGATE)
		return;
	aggregate_iter_init(&it, m);
	while (aggregate_next(&it, &sub))
		client_deliver(z, &sub);
}

static void
client_event(void *ctx, enum chunk_event ev, uint64_t value)
{
	struct fz *z = ctx;

	if (ev == CHUNK_EV_LIMIT)
		return;
	check_fail("client: %s event (%llu) in what the proxy sent%s",
	    event_name(ev), (unsigned long long)value,
	    z->rewriting ? " after the move" : " before the move");
}

static const struct chunk_demux_ops client_ops = {
	client_message,
	client_event,
};

/* The session's C2S side: the replay learns, the splice relays. */

static void
c2s_deliver(struct fz *z, const struct rtmp_message *m)
{
	field_record_clear(&z->c2s_fields);
	(void)msg_decode(m, &z->c2s_fields.sink);
	replay_client_message(&z->replay, m, &z->c2s_fields, z->now);
	if (z->rewriting)
		splice_from_client(&z->sp, m, &z->c2s_fields);
}

static void
c2s_message(void *ctx, const struct rtmp_message *m)
{
	struct fz *z = ctx;
	struct aggregate_iter it;
	struct rtmp_message sub;

	check_envelope(m, "c2s");
	c2s_deliver(z, m);
	if (m->type != RTMP_AGGREGATE)
		return;
	aggregate_iter_init(&it, m);
	while (aggregate_next(&it, &sub))
		c2s_deliver(z, &sub);
}

static void
c2s_event(void *ctx, enum chunk_event ev, uint64_t value)
{
	if (ev != CHUNK_EV_LIMIT)
		check_fail("c2s: %s event (%llu) in the harness's client "
		    "stream", event_name(ev), (unsigned long long)value);
}

static const struct chunk_demux_ops c2s_ops = {
	c2s_message,
	c2s_event,
};

/* What the proxy sends the new backend. */

static void
backend_message(void *ctx, const struct rtmp_message *m)
{
	check_envelope(m, "backend");
}

static void
backend_event(void *ctx, enum chunk_event ev, uint64_t value)
{
	if (ev != CHUNK_EV_LIMIT)
		check_fail("backend: %s event (%llu) in what the proxy sent",
		    event_name(ev), (unsigned long long)value);
}

static const struct chunk_demux_ops backend_check_ops = {
	backend_message,
	backend_event,
};

/* conn_splice_flush: the splice's bytes go out. */
static void
drain(struct fz *z)
{
	GByteArray *b;
	size_t skip;

	b = z->sp.to_client;
	if (b != NULL && b->len > 0) {
		if (!z->rewriting)
			check_fail("bytes for the client before the move");
		feed(&z->client, b->data, b->len);
		g_byte_array_set_size(b, 0);
	}
	b = z->sp.to_backend;
	if (b != NULL && b->len > 0) {
		skip = 0;
		if (z->backend_seen < HS_REPLY)
			skip = (size_t)MIN((uint64_t)b->len,
			    HS_REPLY - z->backend_seen);
		if (z->backend_seen == 0 && b->data[0] != 3)
			check_fail("C0 is %u", b->data[0]);
		z->backend_seen += b->len;
		feed(&z->backend, b->data + skip, b->len - skip);
		g_byte_array_set_size(b, 0);
	}
	if (z->rewriting)
		check_whole(&z->client, "client");
	if (z->backend_seen > HS_REPLY)
		check_whole(&z->backend, "backend");
}

/* Message bodies. */

static void
put_bytes(GByteArray *b, const void *p, size_t n)
{
	g_byte_array_append(b, p, (guint)n);
}

static void
put_u8(GByteArray *b, uint8_t v)
{
	put_bytes(b, &v, 1);
}

static void
put_u32(GByteArray *b, uint32_t v)
{
	uint8_t p[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	put_bytes(b, p, 4);
}

/* Filler for media bodies: not zeros, not all alike. */
static void
put_fill(GByteArray *b, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		put_u8(b, (uint8_t)(seed + i * 7));
}

static void
cmd_begin(GByteArray *b, bool amf3, const char *name, double txn)
{
	if (amf3)
		put_u8(b, 0);	/* AMF3 command: an AMF0 body after a 0 */
	enc_amf0_string(b, name);
	enc_amf0_number(b, txn);
}

static void
status_info(GByteArray *b, const char *level, const char *code)
{
	enc_amf0_object_begin(b);
	enc_amf0_prop_string(b, "level", level);
	enc_amf0_prop_string(b, "code", code);
	enc_amf0_prop_string(b, "description", code);
	enc_amf0_object_end(b);
}

static void
connect_result(GByteArray *b, bool amf3, double txn)
{
	cmd_begin(b, amf3, "_result", txn);
	enc_amf0_object_begin(b);
	enc_amf0_prop_string(b, "fmsVer", "FMS/3,0,1,123");
	enc_amf0_prop_number(b, "capabilities", 31);
	enc_amf0_object_end(b);
	enc_amf0_object_begin(b);
	enc_amf0_prop_string(b, "level", "status");
	enc_amf0_prop_string(b, "code", "NetConnection.Connect.Success");
	enc_amf0_prop_string(b, "description", "Connection succeeded.");
	enc_amf0_prop_number(b, "objectEncoding", amf3 ? 3 : 0);
	enc_amf0_object_end(b);
}

static void
create_result(GByteArray *b, bool amf3, double txn, uint32_t msid)
{
	cmd_begin(b, amf3, "_result", txn);
	enc_amf0_null(b);
	enc_amf0_number(b, msid);
}

static void
metadata(GByteArray *b, bool set_data_frame)
{
	if (set_data_frame)
		enc_amf0_string(b, "@setDataFrame");
	enc_amf0_string(b, "onMetaData");
	enc_amf0_ecma_begin(b, 6);
	enc_amf0_prop_number(b, "duration", 0);
	enc_amf0_prop_number(b, "width", 1280);
	enc_amf0_prop_number(b, "height", 720);
	enc_amf0_prop_number(b, "videocodecid", 7);
	enc_amf0_prop_number(b, "audiocodecid", 10);
	enc_amf0_prop_number(b, "framerate", 25);
	enc_amf0_object_end(b);
}

static const uint8_t avc_config[] = {
	0x17, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0x00, 0x1b,
	0x67, 0x64, 0x00, 0x1f, 0xac, 0xd9, 0x40, 0x50, 0x05, 0xbb, 0x01,
	0x10, 0x00, 0x00, 0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0x20,
	0xf1, 0x83, 0x19, 0x60,
	0x01, 0x00, 0x04, 0x68, 0xeb, 0xe3, 0xcb,
};
static const uint8_t aac_config[] = { 0xaf, 0x00, 0x12, 0x10 };

static void
video_frame(GByteArray *b, bool key, size_t size, uint8_t seed)
{
	uint8_t head[5] = { key ? 0x17 : 0x27, 0x01, 0x00, 0x00, 0x28 };

	put_bytes(b, head, sizeof(head));
	put_u32(b, (uint32_t)(size > 9 ? size - 9 : 0));
	put_fill(b, size > 9 ? size - 9 : 0, seed);
}

static void
audio_frame(GByteArray *b, size_t size, uint8_t seed)
{
	put_u8(b, 0xaf);
	put_u8(b, 0x01);
	put_fill(b, size > 2 ? size - 2 : 0, seed);
}

/* Enhanced RTMP: | 1 | frame type:3 | packet type:4 | fourcc | ... */
static void
video_ex(GByteArray *b, bool config, uint8_t seed)
{
	/* A key frame: SequenceStart (0) or CodedFrames (1). */
	put_u8(b, (uint8_t)(0x80 | 0x10 | (config ? 0 : 1)));
	put_bytes(b, "hvc1", 4);
	if (!config)
		put_bytes(b, "\0\0\0", 3);	/* composition time */
	put_fill(b, 24, seed);
}

/* An aggregate: | type:1 | len:3 | ts:3 | ts hi:1 | stream:3 | body |
 * back pointer:4 |, a video and an audio sub-message. */
static void
aggregate(GByteArray *b, uint32_t ts, uint8_t seed)
{
	GByteArray *sub = g_byte_array_new();
	int i;

	for (i = 0; i < 2; i++) {
		g_byte_array_set_size(sub, 0);
		if (i == 0)
			video_frame(sub, (seed & 1) != 0, 40, seed);
		else
			audio_frame(sub, 20, seed);
		put_u8(b, i == 0 ? RTMP_VIDEO : RTMP_AUDIO);
		put_u8(b, (uint8_t)(sub->len >> 16));
		put_u8(b, (uint8_t)(sub->len >> 8));
		put_u8(b, (uint8_t)sub->len);
		put_u8(b, (uint8_t)(ts >> 16));
		put_u8(b, (uint8_t)(ts >> 8));
		put_u8(b, (uint8_t)ts);
		put_u8(b, (uint8_t)(ts >> 24));
		put_bytes(b, "\0\0\0", 3);
		put_bytes(b, sub->data, sub->len);
		put_u32(b, sub->len + 11);
	}
	g_byte_array_unref(sub);
}

/* The old backend: what it sent before the move. */

static void
old_send(struct fz *z, uint32_t csid, uint8_t type, uint32_t msid,
    uint32_t ts, const GByteArray *body, size_t cut)
{
	GByteArray *out = g_byte_array_new();

	if (!chunk_writer_message(&z->ow, out, csid, type, msid, ts,
	    body->data, body->len))
		check_fail("old backend: a message not written");
	if (cut > out->len)
		cut = out->len;
	feed(&z->client, out->data, out->len - cut);
	g_byte_array_unref(out);
}

static void
old_control(struct fz *z, uint8_t type, uint32_t value)
{
	GByteArray *out = g_byte_array_new();

	chunk_writer_control(&z->ow, out, type, value);
	if (type == RTMP_SET_CHUNK_SIZE)
		chunk_writer_set_chunk_size(&z->ow, value);
	feed(&z->client, out->data, out->len);
	g_byte_array_unref(out);
}

static void
old_user_control(struct fz *z, uint16_t ev, uint32_t value)
{
	GByteArray *out = g_byte_array_new();

	chunk_writer_user_control(&z->ow, out, ev, value);
	feed(&z->client, out->data, out->len);
	g_byte_array_unref(out);
}

/* The client: what it sends, before and after the move. */

static void
client_send(struct fz *z, uint32_t csid, uint8_t type, uint32_t msid,
    uint32_t ts, const GByteArray *body)
{
	GByteArray *out = g_byte_array_new();

	if (!chunk_writer_message(&z->cw, out, csid, type, msid, ts,
	    body->data, body->len))
		check_fail("client: a message not written");
	feed(&z->c2s, out->data, out->len);
	g_byte_array_unref(out);
}

static uint8_t
cmd_type(const struct fz *z)
{
	return (z->mode & M_AMF3) ? RTMP_COMMAND_AMF3 : RTMP_COMMAND_AMF0;
}

static void
client_connect(struct fz *z)
{
	GByteArray *b = g_byte_array_new();

	cmd_begin(b, z->mode & M_AMF3, "connect", 1);
	enc_amf0_object_begin(b);
	enc_amf0_prop_string(b, "app", "live");
	enc_amf0_prop_string(b, "type", "nonprivate");
	enc_amf0_prop_string(b, "flashVer", "FMLE/3.0 (compatible; fuzz)");
	enc_amf0_prop_string(b, "tcUrl", "rtmp://127.0.0.1:1935/live");
	enc_amf0_prop_bool(b, "fpad", false);
	enc_amf0_prop_number(b, "capabilities", 239);
	enc_amf0_prop_number(b, "audioCodecs", 3575);
	enc_amf0_prop_number(b, "videoCodecs", 252);
	enc_amf0_prop_number(b, "videoFunction", 1);
	enc_amf0_prop_number(b, "objectEncoding", (z->mode & M_AMF3) ? 3 : 0);
	enc_amf0_object_end(b);
	client_send(z, CSID_COMMAND, cmd_type(z), 0, 0, b);
	g_byte_array_unref(b);
}

static void
client_command(struct fz *z, uint32_t csid, uint32_t msid, const char *name,
    double txn, const char *arg1, const char *arg2)
{
	GByteArray *b = g_byte_array_new();

	cmd_begin(b, z->mode & M_AMF3, name, txn);
	enc_amf0_null(b);
	if (arg1 != NULL)
		enc_amf0_string(b, arg1);
	if (arg2 != NULL)
		enc_amf0_string(b, arg2);
	client_send(z, csid, cmd_type(z), msid, 0, b);
	g_byte_array_unref(b);
}

static void
client_control(struct fz *z, uint8_t type, uint32_t value)
{
	GByteArray *b = g_byte_array_new();

	put_u32(b, value);
	client_send(z, CSID_CONTROL, type, 0, 0, b);
	if (type == RTMP_SET_CHUNK_SIZE)
		chunk_writer_set_chunk_size(&z->cw, value);
	g_byte_array_unref(b);
}

static void
client_user_control(struct fz *z, uint16_t ev, uint32_t v1, bool two,
    uint32_t v2)
{
	GByteArray *b = g_byte_array_new();

	put_u8(b, (uint8_t)(ev >> 8));
	put_u8(b, (uint8_t)ev);
	put_u32(b, v1);
	if (two)
		put_u32(b, v2);
	client_send(z, CSID_CONTROL, RTMP_USER_CONTROL, 0, 0, b);
	g_byte_array_unref(b);
}

/*
 * The session before the move, as ffmpeg, librtmp or OBS and a server like
 * nginx-rtmp have it; cut bytes of the old backend's last message are
 * never sent.
 */
static void
old_session(struct fz *z, uint8_t cut)
{
	static const uint32_t sizes[4] = { 128, 4096, 3, 65536 };
	bool amf3 = (z->mode & M_AMF3) != 0;
	bool publish = (z->mode & M_PUBLISH) != 0;
	uint32_t msid = (z->variant & V_OTHER_MSID) ? 5 : 1;
	uint32_t vcsid = (z->mode & M_HIGH_CSID) ? 64 + 200 : CSID_VIDEO;
	uint32_t acsid = (z->mode & M_HIGH_CSID) ? 320 + 1000 : CSID_AUDIO;
	uint32_t base = (z->mode & M_EXT_TS) ? 0xffffffU - 100 : 0;
	GByteArray *b = g_byte_array_new();
	int i;

	z->cmsid = msid;
	if (z->variant & V_CLIENT_CHUNK)
		client_control(z, RTMP_SET_CHUNK_SIZE, 4096);
	client_connect(z);
	old_control(z, RTMP_WINDOW_ACK_SIZE, 2500000);
	{
		GByteArray *o = g_byte_array_new();

		chunk_writer_peer_bandwidth(&z->ow, o, 2500000, 2);
		feed(&z->client, o->data, o->len);
		g_byte_array_unref(o);
	}
	old_control(z, RTMP_SET_CHUNK_SIZE,
	    sizes[(z->mode >> M_CHUNK_SHIFT) & 3]);
	connect_result(b, amf3, 1);
	old_send(z, CSID_COMMAND, cmd_type(z), 0, 0, b, 0);
	client_control(z, RTMP_WINDOW_ACK_SIZE, 2500000);

	if (!publish) {
		client_command(z, CSID_COMMAND, 0, "createStream", 2, NULL,
		    NULL);
		if (z->variant & V_TWO_STREAMS)
			client_command(z, CSID_COMMAND, 0, "createStream", 3,
			    NULL, NULL);
		g_byte_array_set_size(b, 0);
		create_result(b, amf3, 2, msid);
		old_send(z, CSID_COMMAND, cmd_type(z), 0, 0, b, 0);
		if (z->variant & V_TWO_STREAMS) {
			z->cmsid2 = msid + 1;
			g_byte_array_set_size(b, 0);
			create_result(b, amf3, 3, msid + 1);
			old_send(z, CSID_COMMAND, cmd_type(z), 0, 0, b, 0);
		}
		client_command(z, CSID_PLAY, msid, "play",
		    (z->variant & V_PLAY_TXN) ? 4 : 0, "stream", NULL);
		if (z->variant & V_BUFFER)
			client_user_control(z, UC_SET_BUFFER, msid, true, 3000);
		if (z->cmsid2 != 0)
			client_command(z, CSID_PLAY + 1, z->cmsid2, "play",
			    (z->variant & V_PLAY_TXN) ? 5 : 0, "stream2",
			    NULL);
		old_user_control(z, UC_STREAM_BEGIN, msid);
		g_byte_array_set_size(b, 0);
		cmd_begin(b, amf3, "onStatus", 0);
		enc_amf0_null(b);
		status_info(b, "status", "NetStream.Play.Reset");
		old_send(z, CSID_DATA, cmd_type(z), msid, base, b, 0);
		g_byte_array_set_size(b, 0);
		cmd_begin(b, amf3, "onStatus", 0);
		enc_amf0_null(b);
		status_info(b, "status", "NetStream.Play.Start");
		old_send(z, CSID_DATA, cmd_type(z), msid, base, b, 0);
		g_byte_array_set_size(b, 0);
		enc_amf0_string(b, "|RtmpSampleAccess");
		enc_amf0_bool(b, true);
		enc_amf0_bool(b, true);
		old_send(z, CSID_DATA, RTMP_DATA_AMF0, msid, base, b, 0);
		if ((z->variant & V_NO_MEDIA) == 0) {
			g_byte_array_set_size(b, 0);
			metadata(b, false);
			old_send(z, CSID_DATA, RTMP_DATA_AMF0, msid, base, b,
			    0);
			g_byte_array_set_size(b, 0);
			put_bytes(b, avc_config, sizeof(avc_config));
			old_send(z, vcsid, RTMP_VIDEO, msid, base, b, 0);
			g_byte_array_set_size(b, 0);
			put_bytes(b, aac_config, sizeof(aac_config));
			old_send(z, acsid, RTMP_AUDIO, msid, base, b, 0);
			for (i = 0; i < 6; i++) {
				g_byte_array_set_size(b, 0);
				video_frame(b, i == 0, 300, (uint8_t)i);
				old_send(z, vcsid, RTMP_VIDEO, msid,
				    base + 40U * (uint32_t)i, b, 0);
				g_byte_array_set_size(b, 0);
				audio_frame(b, 30, (uint8_t)i);
				old_send(z, acsid, RTMP_AUDIO, msid,
				    base + 23U * (uint32_t)i, b, 0);
			}
			z->ots = base + 240;
		}
		/* The last message: where the move cuts in. */
		g_byte_array_set_size(b, 0);
		video_frame(b, false, 3000, 9);
		old_send(z, vcsid, RTMP_VIDEO, msid, base + 240, b, cut);
	} else {
		client_command(z, CSID_COMMAND, 0, "releaseStream", 2,
		    "stream", NULL);
		client_command(z, CSID_COMMAND, 0, "FCPublish", 3, "stream",
		    NULL);
		client_command(z, CSID_COMMAND, 0, "createStream", 4, NULL,
		    NULL);
		g_byte_array_set_size(b, 0);
		cmd_begin(b, amf3, "_result", 2);
		enc_amf0_null(b);
		old_send(z, CSID_COMMAND, cmd_type(z), 0, 0, b, 0);
		g_byte_array_set_size(b, 0);
		cmd_begin(b, amf3, "onFCPublish", 0);
		enc_amf0_null(b);
		status_info(b, "status", "NetStream.Publish.Start");
		old_send(z, CSID_COMMAND, cmd_type(z), 0, 0, b, 0);
		g_byte_array_set_size(b, 0);
		create_result(b, amf3, 4, msid);
		old_send(z, CSID_COMMAND, cmd_type(z), 0, 0, b, 0);
		client_command(z, CSID_AUDIO, msid, "publish", 5, "stream",
		    "live");
		g_byte_array_set_size(b, 0);
		cmd_begin(b, amf3, "onStatus", 0);
		enc_amf0_null(b);
		status_info(b, "status", "NetStream.Publish.Start");
		old_send(z, CSID_DATA, cmd_type(z), msid, 0, b, 0);
		if ((z->variant & V_NO_MEDIA) == 0) {
			g_byte_array_set_size(b, 0);
			metadata(b, true);
			client_send(z, CSID_AUDIO, RTMP_DATA_AMF0, msid, base,
			    b);
			g_byte_array_set_size(b, 0);
			put_bytes(b, avc_config, sizeof(avc_config));
			client_send(z, CSID_VIDEO, RTMP_VIDEO, msid, base, b);
			g_byte_array_set_size(b, 0);
			put_bytes(b, aac_config, sizeof(aac_config));
			client_send(z, CSID_AUDIO, RTMP_AUDIO, msid, base, b);
			for (i = 0; i < 6; i++) {
				g_byte_array_set_size(b, 0);
				video_frame(b, i == 0, 300, (uint8_t)i);
				client_send(z, CSID_VIDEO, RTMP_VIDEO, msid,
				    base + 40U * (uint32_t)i, b);
				g_byte_array_set_size(b, 0);
				audio_frame(b, 30, (uint8_t)i);
				client_send(z, CSID_AUDIO, RTMP_AUDIO, msid,
				    base + 23U * (uint32_t)i, b);
			}
			z->cts = base + 240;
		}
		/* The last message: an acknowledgement window, then a
		 * command longer than a chunk, where the move cuts in. */
		old_control(z, RTMP_ACK, 100000);
		g_byte_array_set_size(b, 0);
		cmd_begin(b, amf3, "onStatus", 0);
		enc_amf0_null(b);
		enc_amf0_object_begin(b);
		enc_amf0_prop_string(b, "level", "status");
		enc_amf0_prop_string(b, "code", "NetStream.Publish.Notify");
		enc_amf0_key(b, "description");
		{
			char text[400];

			memset(text, 'x', sizeof(text) - 1);
			text[sizeof(text) - 1] = '\0';
			enc_amf0_string(b, text);
		}
		enc_amf0_object_end(b);
		old_send(z, CSID_DATA, cmd_type(z), msid, 0, b, cut);
	}
	z->ctxn = 10;
	if (z->cts == 0)
		z->cts = base;
	g_byte_array_unref(b);
}

/* The new backend. */

static void
backend_bytes(struct fz *z, const uint8_t *p, size_t n)
{
	uint8_t *copy;

	if (n == 0)
		return;
	if ((copy = malloc(n)) == NULL)
		abort();
	memcpy(copy, p, n);
	splice_from_backend(&z->sp, copy, n);
	free(copy);
}

/* S0 S1 S2 in pieces of piece bytes (0: at once). */
static void
backend_handshake(struct fz *z, size_t piece)
{
	uint8_t hs[HS_REPLY];
	size_t i, n;

	hs[0] = 3;
	for (i = 1; i < sizeof(hs); i++)
		hs[i] = (uint8_t)(i * 13 + (i >> 8));
	memset(hs + 1, 0, 8);
	if (piece == 0)
		piece = sizeof(hs);
	for (i = 0; i < sizeof(hs); i += n) {
		n = MIN(piece, sizeof(hs) - i);
		backend_bytes(z, hs + i, n);
	}
}

/* conn_failover: a fresh splice towards the next backend. */
static void
splice_next(struct fz *z)
{
	splice_free(&z->sp);
	splice_init(&z->sp, &z->replay, &z->to_client);
	splice_begin(&z->sp);
	chunk_writer_init(&z->bw);
	z->bts = 0;
	z->bmsid = 1;
	chunk_demux_free(&z->backend);
	chunk_demux_init(&z->backend, &backend_check_ops, z);
	z->backend_seen = 0;
	z->splices++;
	if ((z->mode & M_RAW_HS) == 0)
		backend_handshake(z, 0);
	drain(z);
}

static const struct replay_command *
command_of_txn(const struct replay *r, double txn)
{
	const struct replay_command *rc;
	guint i;

	for (i = 0; i < r->commands->len; i++) {
		rc = g_ptr_array_index(r->commands, i);
		if (rc->txn == txn)
			return rc;
	}
	return NULL;
}

enum backend_template {
	BT_RESULT, BT_ERROR, BT_STATUS, BT_STATUS_ERROR, BT_VIDEO_KEY,
	BT_VIDEO, BT_VIDEO_CONFIG, BT_AUDIO, BT_AUDIO_CONFIG, BT_METADATA,
	BT_STREAM_BEGIN, BT_PING, BT_WINDOW, BT_CHUNK_SIZE, BT_PEER_BW,
	BT_AGGREGATE, BT_VIDEO_EX, BT_ABORT, BT_ACK, BT_RESULT_AMF3,
	BT_BIG_VIDEO, BT_OTHER, BT_SAMPLE_ACCESS, BT_BW_DONE, BT_COUNT
};

static void
backend_template(struct fz *z, unsigned t, bool high, uint8_t arg)
{
	static const uint32_t chunk_sizes[8] = {
		1, 2, 128, 4096, 65536, 0, 0x7fffffff, 0x80000000,
	};
	static const char *const codes[4] = {
		NULL, "NetStream.Play.Reset", "NetStream.Data.Start",
		"NetStream.Play.PublishNotify",
	};
	GByteArray *b = g_byte_array_new(), *out = g_byte_array_new();
	const struct replay_command *rc;
	uint32_t csid = CSID_COMMAND, msid = 0, ts = 0, set_size = 0;
	uint8_t type = RTMP_COMMAND_AMF0;
	double txn;
	bool amf3 = false;

	txn = z->sp.waiting && z->sp.waiting_txn != 0 && (arg & 0x80) == 0 ?
	    z->sp.waiting_txn : (double)(arg & 0x0f);
	switch ((enum backend_template)(t % BT_COUNT)) {
	case BT_RESULT_AMF3:
		amf3 = true;
		type = RTMP_COMMAND_AMF3;
		/* FALLTHROUGH */
	case BT_RESULT:
		rc = command_of_txn(&z->replay, txn);
		if (rc != NULL && strcmp(rc->name, "createStream") == 0) {
			z->bmsid = 1U + (arg >> 4) % 6U;
			create_result(b, amf3, txn, z->bmsid);
		} else
			connect_result(b, amf3, txn);
		break;
	case BT_ERROR:
		cmd_begin(b, false, "_error", txn);
		enc_amf0_null(b);
		status_info(b, "error", "NetConnection.Connect.Rejected");
		break;
	case BT_STATUS:
		msid = z->sp.waiting && z->sp.waiting_txn == 0 &&
		    (arg & 0x80) == 0 ? z->sp.waiting_msid : z->bmsid;
		cmd_begin(b, false, "onStatus", 0);
		enc_amf0_null(b);
		status_info(b, "status", codes[arg & 3] != NULL ?
		    codes[arg & 3] : (z->mode & M_PUBLISH) ?
		    "NetStream.Publish.Start" : "NetStream.Play.Start");
		csid = CSID_DATA;
		break;
	case BT_STATUS_ERROR:
		msid = z->bmsid;
		cmd_begin(b, false, "onStatus", 0);
		enc_amf0_null(b);
		status_info(b, "error", "NetStream.Play.StreamNotFound");
		csid = CSID_DATA;
		break;
	case BT_VIDEO_KEY:
	case BT_VIDEO:
		video_frame(b, t % BT_COUNT == BT_VIDEO_KEY, 9U + arg, arg);
		type = RTMP_VIDEO;
		break;
	case BT_VIDEO_CONFIG:
		put_bytes(b, avc_config, sizeof(avc_config));
		type = RTMP_VIDEO;
		break;
	case BT_AUDIO:
		audio_frame(b, 2U + arg, arg);
		type = RTMP_AUDIO;
		break;
	case BT_AUDIO_CONFIG:
		put_bytes(b, aac_config, sizeof(aac_config));
		type = RTMP_AUDIO;
		break;
	case BT_METADATA:
		metadata(b, false);
		type = RTMP_DATA_AMF0;
		msid = z->bmsid;
		csid = CSID_DATA;
		break;
	case BT_STREAM_BEGIN:
	case BT_PING:
		put_u8(b, 0);
		put_u8(b, t % BT_COUNT == BT_PING ? UC_PING_REQUEST :
		    UC_STREAM_BEGIN);
		put_u32(b, t % BT_COUNT == BT_PING ? arg : z->bmsid);
		type = RTMP_USER_CONTROL;
		csid = CSID_CONTROL;
		break;
	case BT_WINDOW:
		put_u32(b, (uint32_t)(arg + 1) * 64U);
		type = RTMP_WINDOW_ACK_SIZE;
		csid = CSID_CONTROL;
		break;
	case BT_CHUNK_SIZE:
		set_size = chunk_sizes[arg & 7];
		put_u32(b, set_size);
		type = RTMP_SET_CHUNK_SIZE;
		csid = CSID_CONTROL;
		break;
	case BT_PEER_BW:
		put_u32(b, 2500000);
		put_u8(b, arg % 3);
		type = RTMP_SET_PEER_BANDWIDTH;
		csid = CSID_CONTROL;
		break;
	case BT_AGGREGATE:
		aggregate(b, z->bts + 40, arg);
		type = RTMP_AGGREGATE;
		break;
	case BT_VIDEO_EX:
		video_ex(b, (arg & 1) != 0, arg);
		type = RTMP_VIDEO;
		break;
	case BT_ABORT:
		put_u32(b, arg);
		type = RTMP_ABORT;
		csid = CSID_CONTROL;
		break;
	case BT_ACK:
		put_u32(b, (uint32_t)arg << 8);
		type = RTMP_ACK;
		csid = CSID_CONTROL;
		break;
	case BT_BIG_VIDEO:
		video_frame(b, (arg & 1) != 0, (size_t)(arg + 1) * BIG_UNIT,
		    arg);
		type = RTMP_VIDEO;
		break;
	case BT_OTHER:
		put_fill(b, arg & 0x1f, arg);
		type = (arg & 0x20) ? RTMP_SHARED_OBJECT_AMF0 :
		    (uint8_t)(0x30 + (arg >> 6));
		msid = z->bmsid;
		break;
	case BT_SAMPLE_ACCESS:
		enc_amf0_string(b, "|RtmpSampleAccess");
		enc_amf0_bool(b, true);
		enc_amf0_bool(b, true);
		type = RTMP_DATA_AMF0;
		msid = z->bmsid;
		csid = CSID_DATA;
		break;
	case BT_BW_DONE:
		cmd_begin(b, false, "onBWDone", 0);
		enc_amf0_null(b);
		break;
	case BT_COUNT:
		break;
	}
	if (type == RTMP_AUDIO || type == RTMP_VIDEO ||
	    type == RTMP_AGGREGATE) {
		msid = z->bmsid;
		csid = type == RTMP_AUDIO ? CSID_AUDIO : CSID_VIDEO;
		/* A jump past the 24-bit timestamp field now and then. */
		z->bts += arg == 0xff ? 0x1000000U : 40U;
		ts = z->bts;
	}
	if (high)
		csid = (arg & 1) ? 320U + arg * 3U : 64U + arg;
	if (!chunk_writer_message(&z->bw, out, csid, type, msid, ts, b->data,
	    b->len))
		goto out;	/* more csids than the writer tracks */
	if (set_size != 0)
		chunk_writer_set_chunk_size(&z->bw, set_size);
	backend_bytes(z, out->data, out->len);
out:
	g_byte_array_unref(b);
	g_byte_array_unref(out);
}

enum client_template {
	CT_VIDEO_KEY, CT_VIDEO, CT_VIDEO_CONFIG, CT_AUDIO, CT_AUDIO_CONFIG,
	CT_METADATA, CT_SET_BUFFER, CT_PING_RESPONSE, CT_ACK, CT_CHUNK_SIZE,
	CT_WINDOW, CT_CALL, CT_CREATE_STREAM, CT_PLAY, CT_DELETE_STREAM,
	CT_CLOSE_STREAM, CT_RECEIVE_VIDEO, CT_PUBLISH, CT_ABORT,
	CT_PING_REQUEST, CT_AGGREGATE, CT_STREAM_BEGIN, CT_BIG_VIDEO,
	CT_COUNT
};

static void
client_template(struct fz *z, unsigned t, bool other, uint8_t arg)
{
	static const uint32_t chunk_sizes[4] = { 128, 4096, 60, 65536 };
	GByteArray *b = g_byte_array_new();
	uint32_t msid = other ? arg % 4U : z->cmsid;
	uint32_t csid = CSID_COMMAND, v;
	uint8_t type = cmd_type(z);
	bool amf3 = (z->mode & M_AMF3) != 0;

	switch ((enum client_template)(t % CT_COUNT)) {
	case CT_VIDEO_KEY:
	case CT_VIDEO:
		video_frame(b, t % CT_COUNT == CT_VIDEO_KEY, 9U + arg, arg);
		type = RTMP_VIDEO;
		break;
	case CT_VIDEO_CONFIG:
		put_bytes(b, avc_config, sizeof(avc_config));
		type = RTMP_VIDEO;
		break;
	case CT_AUDIO:
		audio_frame(b, 2U + arg, arg);
		type = RTMP_AUDIO;
		break;
	case CT_AUDIO_CONFIG:
		put_bytes(b, aac_config, sizeof(aac_config));
		type = RTMP_AUDIO;
		break;
	case CT_METADATA:
		metadata(b, true);
		type = RTMP_DATA_AMF0;
		csid = CSID_AUDIO;
		break;
	case CT_SET_BUFFER:
		client_user_control(z, UC_SET_BUFFER, msid, true,
		    (uint32_t)arg * 100U);
		goto out;
	case CT_PING_RESPONSE:
		client_user_control(z, UC_PING_RESPONSE, arg, false, 0);
		goto out;
	case CT_PING_REQUEST:
		client_user_control(z, UC_PING_REQUEST, arg, false, 0);
		goto out;
	case CT_STREAM_BEGIN:
		client_user_control(z, UC_STREAM_BEGIN, msid, false, 0);
		goto out;
	case CT_ACK:
		client_control(z, RTMP_ACK, (uint32_t)arg << 10);
		goto out;
	case CT_CHUNK_SIZE:
		client_control(z, RTMP_SET_CHUNK_SIZE, chunk_sizes[arg & 3]);
		goto out;
	case CT_WINDOW:
		client_control(z, RTMP_WINDOW_ACK_SIZE,
		    (uint32_t)(arg + 1) * 10000U);
		goto out;
	case CT_ABORT:
		client_control(z, RTMP_ABORT, arg);
		goto out;
	case CT_CALL:
		cmd_begin(b, amf3, (arg & 1) ? "FCUnpublish" :
		    "getStreamLength", z->ctxn++);
		enc_amf0_null(b);
		enc_amf0_string(b, "stream");
		msid = (arg & 2) ? msid : 0;
		break;
	case CT_CREATE_STREAM:
		cmd_begin(b, amf3, "createStream", z->ctxn++);
		enc_amf0_null(b);
		msid = 0;
		break;
	case CT_PLAY:
	case CT_PUBLISH:
		cmd_begin(b, amf3, t % CT_COUNT == CT_PLAY ? "play" :
		    "publish", (arg & 1) ? z->ctxn++ : 0);
		enc_amf0_null(b);
		enc_amf0_string(b, "stream");
		csid = CSID_PLAY;
		break;
	case CT_DELETE_STREAM:
		cmd_begin(b, amf3, "deleteStream", 0);
		enc_amf0_null(b);
		enc_amf0_number(b, msid);
		msid = 0;
		break;
	case CT_CLOSE_STREAM:
		cmd_begin(b, amf3, "closeStream", 0);
		enc_amf0_null(b);
		break;
	case CT_RECEIVE_VIDEO:
		cmd_begin(b, amf3, "receiveVideo", 0);
		enc_amf0_null(b);
		enc_amf0_bool(b, (arg & 1) != 0);
		break;
	case CT_AGGREGATE:
		aggregate(b, z->cts + 40, arg);
		type = RTMP_AGGREGATE;
		break;
	case CT_BIG_VIDEO:
		video_frame(b, (arg & 1) != 0, (size_t)(arg + 1) * BIG_UNIT,
		    arg);
		type = RTMP_VIDEO;
		break;
	case CT_COUNT:
		break;
	}
	v = 0;
	if (type == RTMP_AUDIO || type == RTMP_VIDEO ||
	    type == RTMP_AGGREGATE) {
		csid = type == RTMP_AUDIO ? CSID_AUDIO : CSID_VIDEO;
		z->cts += arg == 0xff ? 0x1000000U : 40U;
		v = z->cts;
	}
	client_send(z, csid, type, msid, v, b);
out:
	g_byte_array_unref(b);
}

/* A message of the client with a body of the input's. */
static void
client_raw(struct fz *z, unsigned kind, const uint8_t *p, size_t n)
{
	static const uint8_t types[4] = {
		RTMP_COMMAND_AMF0, RTMP_DATA_AMF0, RTMP_USER_CONTROL,
		RTMP_COMMAND_AMF3,
	};
	GByteArray *b = g_byte_array_new();
	uint8_t type = types[kind & 3];

	put_bytes(b, p, n);
	client_send(z, type == RTMP_USER_CONTROL ? CSID_CONTROL :
	    CSID_COMMAND, type, type == RTMP_USER_CONTROL ? 0 : z->cmsid,
	    0, b);
	g_byte_array_unref(b);
}

/* splice_complete_partials alone, on whatever a demux was fed. */

struct partial_check {
	uint64_t	 messages;
	bool		 padding;
};

static void
partial_message(void *ctx, const struct rtmp_message *m)
{
	struct partial_check *pc = ctx;

	check_envelope(m, "partials");
	pc->messages++;
}

static void
partial_event(void *ctx, enum chunk_event ev, uint64_t value)
{
	struct partial_check *pc = ctx;

	if (pc->padding && ev != CHUNK_EV_LIMIT)
		check_fail("partials: %s event (%llu) in the completion bytes",
		    event_name(ev), (unsigned long long)value);
}

static const struct chunk_demux_ops partial_ops = {
	partial_message,
	partial_event,
};

static void
fuzz_partials(const uint8_t *data, size_t size)
{
	static const uint32_t sizes[8] = {
		128, 1, 2, 3, 7, 4096, 65536, 0x7fffffff,
	};
	static struct chunk_partial parts[LIMIT_CHUNK_STREAMS];
	struct partial_check pc = { 0, false };
	struct chunk_demux d;
	GByteArray *pad;
	uint32_t left;
	size_t n, off, piece;
	uint8_t flags;

	if (size < 2)
		return;
	flags = data[1];
	data += 2;
	size -= 2;
	chunk_demux_init(&d, &partial_ops, &pc);
	chunk_demux_set_chunk_size(&d, sizes[flags & 7]);
	d.keep_all = (flags & P_KEEP_ALL) != 0;
	piece = (flags & P_PIECES) ? size / 64 + 1 : size + 1;
	for (off = 0; off < size; off += piece)
		feed(&d, data + off, MIN(piece, size - off));

	pad = g_byte_array_new();
	if (splice_complete_partials(&d, pad)) {
		if (pad->len > LIMIT_SPLICE_PAD_MAX)
			check_fail("partials: %u bytes of completion, over "
			    "LIMIT_SPLICE_PAD_MAX", pad->len);
		if (!chunk_demux_partials(&d, parts, G_N_ELEMENTS(parts), &n,
		    &left))
			check_fail("partials: the demux changed its mind");
		pc.padding = true;
		pc.messages = 0;
		feed(&d, pad->data, pad->len);
		check_whole(&d, "partials");
		if (pc.messages != n)
			check_fail("partials: %zu partial messages, %llu "
			    "completed", n, (unsigned long long)pc.messages);
	}
	g_byte_array_unref(pad);
	chunk_demux_free(&d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz z;
	GByteArray *pad;
	size_t off, n;
	uint8_t op, arg;

	if (size < 1)
		return 0;
	if (data[0] & M_PARTIALS) {
		fuzz_partials(data, size);
		return 0;
	}
	if (size < HEADER_LEN)
		return 0;

	memset(&z, 0, sizeof(z));
	z.mode = data[0];
	z.variant = data[2];
	z.now = 1000.0;
	replay_init(&z.replay);
	chunk_writer_init(&z.cw);
	chunk_writer_init(&z.ow);
	chunk_demux_init(&z.c2s, &c2s_ops, &z);
	chunk_demux_init(&z.client, &client_ops, &z);
	chunk_demux_init(&z.backend, &backend_check_ops, &z);
	field_record_init(&z.c2s_fields);
	field_record_init(&z.client_fields);

	old_session(&z, data[1]);

	/* conn_take_over_client. */
	pad = g_byte_array_new();
	if (!splice_complete_partials(&z.client, pad)) {
		/* The move fails: "the backend stopped inside a chunk
		 * header". */
		g_byte_array_unref(pad);
		goto out;
	}
	z.rewriting = true;
	feed(&z.client, pad->data, pad->len);
	g_byte_array_unref(pad);
	check_whole(&z.client, "client, completed");
	chunk_writer_init(&z.to_client);
	chunk_writer_set_chunk_size(&z.to_client, z.client.chunk_size);
	z.c2s.keep_all = true;
	splice_next(&z);

	for (off = HEADER_LEN; size - off >= 2;) {
		op = data[off];
		arg = data[off + 1];
		off += 2;
		z.now += 0.02;
		switch (op >> 6) {
		case 0:
			n = ((size_t)(op & 0x3f) << 8 | arg) + 1;
			n = MIN(n, size - off);
			backend_bytes(&z, data + off, n);
			off += n;
			break;
		case 1:
			backend_template(&z, op & 0x1f, (op & 0x20) != 0, arg);
			break;
		case 2:
			client_template(&z, op & 0x1f, (op & 0x20) != 0, arg);
			break;
		default:
			switch ((op & 0x3f) % 4) {
			case 0:
				drain(&z);
				splice_next(&z);
				break;
			case 1:
				z.now += arg / 10.0;
				break;
			case 2:
				backend_handshake(&z, (size_t)arg + 1);
				break;
			default:
				n = MIN((size_t)arg + 1, size - off);
				client_raw(&z, (op >> 2) & 3, data + off, n);
				off += n;
				break;
			}
			break;
		}
		drain(&z);
#ifdef FUZZ_SPLICE_TRACE
		fprintf(stderr, "op %02x %02x: splice %u state %d%s%s%s, "
		    "client %llu messages\n", op, arg, z.splices,
		    (int)z.sp.state, z.sp.state == SPLICE_FAILED ? " " : "",
		    z.sp.state == SPLICE_FAILED ? z.sp.reason : "",
		    z.sp.media ? ", media" : "",
		    (unsigned long long)z.client_messages);
#endif
		if (z.sp.state == SPLICE_FAILED && z.splices < SPLICES_MAX)
			splice_next(&z);
	}
	drain(&z);

out:
	splice_free(&z.sp);
	replay_clear(&z.replay);
	chunk_demux_free(&z.c2s);
	chunk_demux_free(&z.client);
	chunk_demux_free(&z.backend);
	field_record_free(&z.c2s_fields);
	field_record_free(&z.client_fields);
	return 0;
}
