/*
 * The failover engine of the proxy's redirect (splice.c, replay.c), seen
 * as the peers see it, without sockets.
 *
 * An original session is played through real chunk writers and a real
 * demultiplexer, and its messages are given to struct replay as the proxy
 * gives them (decoded fields, so the names are the dissector's).  Then a
 * scripted backend, built with chunk_writer and the AMF0 encoders, answers
 * the splice: S0 S1 S2, its control messages, _result, onStatus, media.
 * What the splice emits on either side (to_backend, to_client) is decoded
 * again with a chunk_demux (keep_all) and msg_decode, and the tests assert
 * on decoded messages: type, stream id, timestamp, command name, txn,
 * status codes.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "chunk.h"
#include "field-record.h"
#include "message.h"
#include "replay.h"
#include "rtmp-encode.h"
#include "splice.h"

#define S0S1S2_LEN	(1U + 2U * 1536U)	/* and C0 C1 C2 */
#define C0C1_LEN	(1U + 1536U)

/* The ids of the original session and of the new backend. */
#define OLD_MSID	1U
#define NEW_MSID	7U
/* The last media timestamp the client saw. */
#define CLIENT_LAST_TS	5000U

/* ------------------------------------------------------------------ */
/* A peer's receiving side: bytes to decoded messages.                 */

struct dmsg {
	struct rtmp_message	 m;	/* body points into bytes */
	GBytes			*bytes;
	struct field_record	 f;
};

struct peer {
	struct chunk_demux	 d;
	GPtrArray		*msgs;		/* struct dmsg * */
	unsigned		 bad;		/* malformed, bad chunk size */
};

static void
dmsg_free(gpointer p)
{
	struct dmsg *dm = p;

	g_bytes_unref(dm->bytes);
	field_record_free(&dm->f);
	g_free(dm);
}

static void
peer_message(void *ctx, const struct rtmp_message *m)
{
	struct peer *p = ctx;
	struct dmsg *dm = g_new0(struct dmsg, 1);

	dm->m = *m;
	dm->bytes = g_bytes_new(m->body, m->kept);
	dm->m.body = g_bytes_get_data(dm->bytes, NULL);
	field_record_init(&dm->f);
	(void)msg_decode(&dm->m, &dm->f.sink);
	g_ptr_array_add(p->msgs, dm);
}

static void
peer_event(void *ctx, enum chunk_event ev, uint64_t value)
{
	struct peer *p = ctx;

	(void)value;
	if (ev == CHUNK_EV_MALFORMED || ev == CHUNK_EV_BAD_CHUNK_SIZE ||
	    ev == CHUNK_EV_RESYNC)
		p->bad++;
}

static const struct chunk_demux_ops peer_ops = {
	.message = peer_message,
	.event = peer_event,
};

static void
peer_init(struct peer *p)
{
	memset(p, 0, sizeof(*p));
	chunk_demux_init(&p->d, &peer_ops, p);
	p->d.keep_all = true;
	p->msgs = g_ptr_array_new_with_free_func(dmsg_free);
}

static void
peer_free(struct peer *p)
{
	chunk_demux_free(&p->d);
	g_ptr_array_free(p->msgs, TRUE);
}

static void
peer_feed(struct peer *p, const uint8_t *b, size_t n)
{
	if (n == 0)
		return;
	assert_int_equal(chunk_demux_feed(&p->d, b, n), n);
	assert_int_equal(p->bad, 0);
}

static const struct dmsg *
peer_msg(const struct peer *p, guint i)
{
	assert_true(i < p->msgs->len);
	return g_ptr_array_index(p->msgs, i);
}

/* Field access on a decoded message. */

static const char *
dm_str(const struct dmsg *dm, const char *key)
{
	static char buf[256];
	const char *s;
	size_t len;

	s = field_record_string(&dm->f, key, &len);
	if (s == NULL)
		return "(none)";
	snprintf(buf, sizeof(buf), "%.*s", (int)len, s);
	return buf;
}

static double
dm_num(const struct dmsg *dm, const char *key)
{
	double v;

	return field_record_number(&dm->f, key, &v) ? v : -1;
}

static bool
dm_is_cmd(const struct dmsg *dm, const char *name)
{
	return (dm->m.type == RTMP_COMMAND_AMF0 ||
	    dm->m.type == RTMP_COMMAND_AMF3) &&
	    field_record_is(&dm->f, "name", name);
}

static bool
dm_is_media(const struct dmsg *dm)
{
	return dm->m.type == RTMP_AUDIO || dm->m.type == RTMP_VIDEO;
}

/* The last body byte: media bodies are filled with a tag. */
static uint8_t
dm_tag(const struct dmsg *dm)
{
	return dm->m.kept > 0 ? dm->m.body[dm->m.kept - 1] : 0;
}

/* The first message at or after from that is the command name, or -1. */
static int
peer_find_cmd(const struct peer *p, guint from, const char *name)
{
	guint i;

	for (i = from; i < p->msgs->len; i++)
		if (dm_is_cmd(peer_msg(p, i), name))
			return (int)i;
	return -1;
}

static int
peer_find_type(const struct peer *p, guint from, uint8_t type)
{
	guint i;

	for (i = from; i < p->msgs->len; i++)
		if (peer_msg(p, i)->m.type == type)
			return (int)i;
	return -1;
}

/* ------------------------------------------------------------------ */
/* Bodies.                                                             */

static GByteArray *
cmd(const char *name, double txn)
{
	GByteArray *b = g_byte_array_new();

	enc_amf0_string(b, name);
	enc_amf0_number(b, txn);
	return b;
}

static GByteArray *
body_connect(double txn, const char *app, const char *tc_url)
{
	GByteArray *b = cmd("connect", txn);

	enc_amf0_object_begin(b);
	enc_amf0_prop_string(b, "app", app);
	enc_amf0_prop_string(b, "flashVer", "LNX 9,0,124,2");
	enc_amf0_prop_string(b, "tcUrl", tc_url);
	enc_amf0_prop_bool(b, "fpad", false);
	enc_amf0_prop_number(b, "capabilities", 15);
	enc_amf0_prop_number(b, "audioCodecs", 4071);
	enc_amf0_prop_number(b, "videoCodecs", 252);
	enc_amf0_prop_number(b, "videoFunction", 1);
	enc_amf0_object_end(b);
	return b;
}

/* name txn null [string] */
static GByteArray *
body_simple(const char *name, double txn, const char *arg)
{
	GByteArray *b = cmd(name, txn);

	enc_amf0_null(b);
	if (arg != NULL)
		enc_amf0_string(b, arg);
	return b;
}

static GByteArray *
body_play(double txn, const char *stream)
{
	GByteArray *b = body_simple("play", txn, stream);

	enc_amf0_number(b, -1000);
	return b;
}

static GByteArray *
body_publish(double txn, const char *stream)
{
	GByteArray *b = body_simple("publish", txn, stream);

	enc_amf0_string(b, "live");
	return b;
}

static GByteArray *
body_number_arg(const char *name, double txn, double v)
{
	GByteArray *b = body_simple(name, txn, NULL);

	enc_amf0_number(b, v);
	return b;
}

static GByteArray *
body_bool_arg(const char *name, double txn, bool v)
{
	GByteArray *b = body_simple(name, txn, NULL);

	enc_amf0_bool(b, v);
	return b;
}

static GByteArray *
body_result_connect(double txn)
{
	GByteArray *b = cmd("_result", txn);

	enc_amf0_object_begin(b);
	enc_amf0_prop_string(b, "fmsVer", "FMS/3,0,1,123");
	enc_amf0_prop_number(b, "capabilities", 31);
	enc_amf0_object_end(b);
	enc_amf0_object_begin(b);
	enc_amf0_prop_string(b, "level", "status");
	enc_amf0_prop_string(b, "code", "NetConnection.Connect.Success");
	enc_amf0_prop_string(b, "description", "Connection succeeded.");
	enc_amf0_prop_number(b, "objectEncoding", 0);
	enc_amf0_object_end(b);
	return b;
}

static GByteArray *
body_error_connect(double txn)
{
	GByteArray *b = cmd("_error", txn);

	enc_amf0_null(b);
	enc_amf0_object_begin(b);
	enc_amf0_prop_string(b, "level", "error");
	enc_amf0_prop_string(b, "code", "NetConnection.Connect.Rejected");
	enc_amf0_prop_string(b, "description", "no such application");
	enc_amf0_object_end(b);
	return b;
}

static GByteArray *
body_result_value(double txn, double v)
{
	return body_number_arg("_result", txn, v);
}

static GByteArray *
body_status(const char *level, const char *code)
{
	GByteArray *b = cmd("onStatus", 0);

	enc_amf0_null(b);
	enc_amf0_object_begin(b);
	enc_amf0_prop_string(b, "level", level);
	enc_amf0_prop_string(b, "code", code);
	enc_amf0_prop_string(b, "description", code);
	enc_amf0_object_end(b);
	return b;
}

static GByteArray *
body_sample_access(void)
{
	GByteArray *b = g_byte_array_new();

	enc_amf0_string(b, "|RtmpSampleAccess");
	enc_amf0_bool(b, false);
	enc_amf0_bool(b, false);
	return b;
}

static GByteArray *
body_metadata(bool set_data_frame)
{
	GByteArray *b = g_byte_array_new();

	if (set_data_frame)
		enc_amf0_string(b, "@setDataFrame");
	enc_amf0_string(b, "onMetaData");
	enc_amf0_ecma_begin(b, 3);
	enc_amf0_prop_number(b, "width", 1280);
	enc_amf0_prop_number(b, "height", 720);
	enc_amf0_prop_number(b, "framerate", 25);
	enc_amf0_object_end(b);
	return b;
}

static GByteArray *
body_bytes(const uint8_t *p, size_t n)
{
	GByteArray *b = g_byte_array_new();

	g_byte_array_append(b, p, (guint)n);
	return b;
}

/* A 32-bit value: Window Ack Size, Acknowledgement, ... */
static GByteArray *
body_u32(uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	return body_bytes(b, sizeof(b));
}

/* | event:2 | value:4 | [more:4] | */
static GByteArray *
body_uc(uint16_t ev, uint32_t v)
{
	uint8_t b[6] = { (uint8_t)(ev >> 8), (uint8_t)ev, (uint8_t)(v >> 24),
	    (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	return body_bytes(b, sizeof(b));
}

static GByteArray *
body_uc_buffer(uint32_t stream, uint32_t ms)
{
	GByteArray *b = body_uc(3, stream);
	uint8_t more[4] = { (uint8_t)(ms >> 24), (uint8_t)(ms >> 16),
	    (uint8_t)(ms >> 8), (uint8_t)ms };

	g_byte_array_append(b, more, sizeof(more));
	return b;
}

/* A media body: two header bytes, then tag bytes up to len. */
static GByteArray *
body_media(uint8_t b0, uint8_t b1, uint8_t tag, size_t len)
{
	GByteArray *b = g_byte_array_new();
	uint8_t h[2] = { b0, b1 };

	g_byte_array_append(b, h, 2);
	while (b->len < len)
		g_byte_array_append(b, &tag, 1);
	return b;
}

static const uint8_t avc_seq[] = {
	0x17, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0x00, 0x04, 0x67, 0x64, 0x00,
	0x1f, 0x01, 0x00, 0x04, 0x68, 0xee, 0x3c, 0x80,
};
static const uint8_t aac_seq[] = { 0xaf, 0x00, 0x12, 0x10 };

#define VIDEO_KEY	0x17
#define VIDEO_INTER	0x27
#define AUDIO_AAC	0xaf

/* ------------------------------------------------------------------ */
/* The fixture: an original session, a splice, a scripted backend.     */

/* One direction of a connection: a writer and the receiver's decoder. */
struct side {
	struct chunk_writer	 w;
	GByteArray		*bytes;
	struct peer		 rx;
};

struct backend {
	struct chunk_writer	 w;
	GByteArray		*out;		/* to the splice */
	uint64_t		 sent;		/* bytes given to the splice */
	struct peer		 rx;		/* what it got after C2 */
	GByteArray		*hs;		/* C0 C1 C2 */
	uint8_t			 s1[1536];
};

struct fx {
	struct replay		 r;
	struct side		 cl;		/* the client's messages */
	struct side		 sv;		/* the old backend's */
	struct chunk_writer	 client_cw;	/* the proxy's to the client */
	struct peer		 client_rx;	/* what the client gets */
	struct splice		 sp;
	bool			 spliced;
	struct backend		 be;
	double			 now;
};

static void
side_init(struct side *s)
{
	chunk_writer_init(&s->w);
	s->bytes = g_byte_array_new();
	peer_init(&s->rx);
}

static void
side_free(struct side *s)
{
	g_byte_array_unref(s->bytes);
	peer_free(&s->rx);
}

/* Writes one message (body consumed) and returns it decoded. */
static const struct dmsg *
side_send(struct side *s, uint32_t csid, uint8_t type, uint32_t msid,
    uint32_t ts, GByteArray *body)
{
	guint before = s->rx.msgs->len;

	g_byte_array_set_size(s->bytes, 0);
	assert_true(chunk_writer_message(&s->w, s->bytes, csid, type, msid,
	    ts, body->data, body->len));
	g_byte_array_unref(body);
	peer_feed(&s->rx, s->bytes->data, s->bytes->len);
	assert_int_equal(s->rx.msgs->len, before + 1);
	return peer_msg(&s->rx, before);
}

/* The original session: what the proxy saw pass. */
static void
orig_client(struct fx *fx, uint32_t csid, uint8_t type, uint32_t msid,
    uint32_t ts, GByteArray *body)
{
	const struct dmsg *dm = side_send(&fx->cl, csid, type, msid, ts, body);

	fx->now += 0.01;
	replay_client_message(&fx->r, &dm->m, &dm->f, fx->now);
}

static void
orig_server(struct fx *fx, uint32_t csid, uint8_t type, uint32_t msid,
    uint32_t ts, GByteArray *body)
{
	const struct dmsg *dm = side_send(&fx->sv, csid, type, msid, ts, body);

	fx->now += 0.01;
	replay_server_message(&fx->r, &dm->m, &dm->f, fx->now);
}

static int
setup(void **state)
{
	struct fx *fx = g_new0(struct fx, 1);
	size_t i;

	replay_init(&fx->r);
	side_init(&fx->cl);
	side_init(&fx->sv);
	chunk_writer_init(&fx->client_cw);
	peer_init(&fx->client_rx);
	chunk_writer_init(&fx->be.w);
	fx->be.out = g_byte_array_new();
	fx->be.hs = g_byte_array_new();
	peer_init(&fx->be.rx);
	for (i = 0; i < sizeof(fx->be.s1); i++)
		fx->be.s1[i] = (uint8_t)(i * 7 + 1);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	if (fx->spliced)
		splice_free(&fx->sp);
	replay_clear(&fx->r);
	side_free(&fx->cl);
	side_free(&fx->sv);
	peer_free(&fx->client_rx);
	g_byte_array_unref(fx->be.out);
	g_byte_array_unref(fx->be.hs);
	peer_free(&fx->be.rx);
	g_free(fx);
	return 0;
}

/* What the splice wrote goes to each peer (the caller sends it). */
static void
drain(struct fx *fx)
{
	GByteArray *tb = fx->sp.to_backend;
	size_t hs;

	hs = MIN((size_t)tb->len, (size_t)S0S1S2_LEN - fx->be.hs->len);
	g_byte_array_append(fx->be.hs, tb->data, (guint)hs);
	peer_feed(&fx->be.rx, tb->data + hs, tb->len - hs);
	g_byte_array_set_size(tb, 0);
	peer_feed(&fx->client_rx, fx->sp.to_client->data,
	    fx->sp.to_client->len);
	g_byte_array_set_size(fx->sp.to_client, 0);
}

/* The backend's bytes go to the splice, in one piece or byte by byte. */
static void
pump_split(struct fx *fx, bool bytewise)
{
	GByteArray *o = fx->be.out;
	size_t i;

	if (bytewise)
		for (i = 0; i < o->len; i++)
			splice_from_backend(&fx->sp, o->data + i, 1);
	else if (o->len > 0)
		splice_from_backend(&fx->sp, o->data, o->len);
	fx->be.sent += o->len;
	g_byte_array_set_size(o, 0);
	drain(fx);
}

static void
pump(struct fx *fx)
{
	pump_split(fx, false);
}

static void
be_msg(struct fx *fx, uint32_t csid, uint8_t type, uint32_t msid,
    uint32_t ts, GByteArray *body)
{
	assert_true(chunk_writer_message(&fx->be.w, fx->be.out, csid, type,
	    msid, ts, body->data, body->len));
	g_byte_array_unref(body);
}

/* A client message after the move. */
static void
move_client(struct fx *fx, uint32_t csid, uint8_t type, uint32_t msid,
    uint32_t ts, GByteArray *body)
{
	const struct dmsg *dm = side_send(&fx->cl, csid, type, msid, ts, body);

	splice_from_client(&fx->sp, &dm->m, &dm->f);
	drain(fx);
}

/* The client's txn of a command the backend got, or -1. */
static double
be_txn_of(const struct fx *fx, const char *name)
{
	int i = peer_find_cmd(&fx->be.rx, 0, name);

	return i < 0 ? -1 : dm_num(peer_msg(&fx->be.rx, (guint)i), "txn");
}

/* ------------------------------------------------------------------ */
/* Original sessions.                                                  */

static void
session_connect(struct fx *fx)
{
	orig_client(fx, 3, RTMP_COMMAND_AMF0, 0, 0,
	    body_connect(1, "live", "rtmp://origin-a/live"));
	orig_server(fx, 2, RTMP_WINDOW_ACK_SIZE, 0, 0, body_u32(2500000));
	orig_server(fx, 3, RTMP_COMMAND_AMF0, 0, 0, body_result_connect(1));
}

/*
 * A player: connect, createStream (the old backend gives 1), play with a
 * buffer length, media up to CLIENT_LAST_TS (video every 40 ms, audio).
 */
static void
session_player(struct fx *fx)
{
	session_connect(fx);
	orig_client(fx, 3, RTMP_COMMAND_AMF0, 0, 0, body_simple("createStream",
	    2, NULL));
	orig_server(fx, 3, RTMP_COMMAND_AMF0, 0, 0,
	    body_result_value(2, OLD_MSID));
	orig_client(fx, 8, RTMP_COMMAND_AMF0, OLD_MSID, 0,
	    body_play(3, "cam"));
	orig_client(fx, 2, RTMP_USER_CONTROL, 0, 0,
	    body_uc_buffer(OLD_MSID, 3000));
	orig_server(fx, 2, RTMP_USER_CONTROL, 0, 0, body_uc(0, OLD_MSID));
	orig_server(fx, 5, RTMP_COMMAND_AMF0, OLD_MSID, 0,
	    body_status("status", "NetStream.Play.Reset"));
	orig_server(fx, 5, RTMP_COMMAND_AMF0, OLD_MSID, 0,
	    body_status("status", "NetStream.Play.Start"));
	orig_server(fx, 6, RTMP_VIDEO, OLD_MSID, 4920,
	    body_bytes(avc_seq, sizeof(avc_seq)));
	orig_server(fx, 4, RTMP_AUDIO, OLD_MSID, 4920,
	    body_bytes(aac_seq, sizeof(aac_seq)));
	orig_server(fx, 6, RTMP_VIDEO, OLD_MSID, 4920,
	    body_media(VIDEO_KEY, 1, 'k', 300));
	orig_server(fx, 4, RTMP_AUDIO, OLD_MSID, 4944,
	    body_media(AUDIO_AAC, 1, 'a', 20));
	orig_server(fx, 6, RTMP_VIDEO, OLD_MSID, 4960,
	    body_media(VIDEO_INTER, 1, 'i', 100));
	orig_server(fx, 4, RTMP_AUDIO, OLD_MSID, 4967,
	    body_media(AUDIO_AAC, 1, 'a', 20));
	orig_server(fx, 4, RTMP_AUDIO, OLD_MSID, 4990,
	    body_media(AUDIO_AAC, 1, 'a', 20));
	orig_server(fx, 6, RTMP_VIDEO, OLD_MSID, CLIENT_LAST_TS,
	    body_media(VIDEO_INTER, 1, 'i', 100));
}

/*
 * A publisher: connect, releaseStream, FCPublish, createStream (1),
 * publish, @setDataFrame and the sequence headers, media to 10000 ms.
 */
static void
session_publisher(struct fx *fx)
{
	session_connect(fx);
	orig_client(fx, 3, RTMP_COMMAND_AMF0, 0, 0,
	    body_simple("releaseStream", 2, "cam"));
	orig_client(fx, 3, RTMP_COMMAND_AMF0, 0, 0,
	    body_simple("FCPublish", 3, "cam"));
	orig_client(fx, 3, RTMP_COMMAND_AMF0, 0, 0,
	    body_simple("createStream", 4, NULL));
	orig_server(fx, 3, RTMP_COMMAND_AMF0, 0, 0,
	    body_result_value(4, OLD_MSID));
	orig_client(fx, 8, RTMP_COMMAND_AMF0, OLD_MSID, 0,
	    body_publish(5, "cam"));
	orig_server(fx, 5, RTMP_COMMAND_AMF0, OLD_MSID, 0,
	    body_status("status", "NetStream.Publish.Start"));
	orig_client(fx, 4, RTMP_DATA_AMF0, OLD_MSID, 0, body_metadata(true));
	orig_client(fx, 6, RTMP_VIDEO, OLD_MSID, 0,
	    body_bytes(avc_seq, sizeof(avc_seq)));
	orig_client(fx, 4, RTMP_AUDIO, OLD_MSID, 0,
	    body_bytes(aac_seq, sizeof(aac_seq)));
	orig_client(fx, 6, RTMP_VIDEO, OLD_MSID, 9960,
	    body_media(VIDEO_KEY, 1, 'k', 300));
	orig_client(fx, 4, RTMP_AUDIO, OLD_MSID, 9990,
	    body_media(AUDIO_AAC, 1, 'a', 20));
	orig_client(fx, 6, RTMP_VIDEO, OLD_MSID, 10000,
	    body_media(VIDEO_INTER, 1, 'i', 100));
}

/* ------------------------------------------------------------------ */
/* The scripted backend, step by step.                                 */

static void
splice_start(struct fx *fx)
{
	splice_init(&fx->sp, &fx->r, &fx->client_cw);
	fx->spliced = true;
	splice_begin(&fx->sp);
	drain(fx);
}

/* S0 S1 S2: S2 echoes C1. */
static void
be_handshake(struct fx *fx, uint8_t version)
{
	assert_true(fx->be.hs->len >= C0C1_LEN);
	g_byte_array_append(fx->be.out, &version, 1);
	g_byte_array_append(fx->be.out, fx->be.s1, sizeof(fx->be.s1));
	g_byte_array_append(fx->be.out, fx->be.hs->data + 1, 1536);
}

/* Window, peer bandwidth, chunk size 4096, onBWDone, _result (txn 1). */
static void
be_connect_reply(struct fx *fx, uint32_t window)
{
	chunk_writer_control(&fx->be.w, fx->be.out, RTMP_WINDOW_ACK_SIZE,
	    window);
	chunk_writer_peer_bandwidth(&fx->be.w, fx->be.out, window, 2);
	chunk_writer_control(&fx->be.w, fx->be.out, RTMP_SET_CHUNK_SIZE, 4096);
	chunk_writer_set_chunk_size(&fx->be.w, 4096);
	be_msg(fx, 3, RTMP_COMMAND_AMF0, 0, 0, body_result_connect(
	    be_txn_of(fx, "connect")));
	be_msg(fx, 3, RTMP_COMMAND_AMF0, 0, 0, body_number_arg("onBWDone", 0,
	    8192));
}

static void
be_create_reply(struct fx *fx, uint32_t id)
{
	be_msg(fx, 3, RTMP_COMMAND_AMF0, 0, 0,
	    body_result_value(be_txn_of(fx, "createStream"), id));
}

static void
be_play_start(struct fx *fx)
{
	be_msg(fx, 2, RTMP_USER_CONTROL, 0, 0, body_uc(0, NEW_MSID));
	be_msg(fx, 5, RTMP_COMMAND_AMF0, NEW_MSID, 0,
	    body_status("status", "NetStream.Play.Reset"));
	be_msg(fx, 5, RTMP_COMMAND_AMF0, NEW_MSID, 0,
	    body_status("status", "NetStream.Play.Start"));
}

/*
 * The new backend's media: its clock starts at 0.  Tags: 'I' the inter
 * frame before the key frame, 'K' the key frame, 'a'/'b' audio, 'i' an
 * inter frame after.
 */
static void
be_media(struct fx *fx)
{
	be_msg(fx, 5, RTMP_DATA_AMF0, NEW_MSID, 0, body_sample_access());
	be_msg(fx, 5, RTMP_DATA_AMF0, NEW_MSID, 0, body_metadata(false));
	be_msg(fx, 6, RTMP_VIDEO, NEW_MSID, 0,
	    body_bytes(avc_seq, sizeof(avc_seq)));
	be_msg(fx, 4, RTMP_AUDIO, NEW_MSID, 0,
	    body_bytes(aac_seq, sizeof(aac_seq)));
	be_msg(fx, 6, RTMP_VIDEO, NEW_MSID, 20,
	    body_media(VIDEO_INTER, 1, 'I', 200));
	be_msg(fx, 6, RTMP_VIDEO, NEW_MSID, 40,
	    body_media(VIDEO_KEY, 1, 'K', 1000));
	be_msg(fx, 4, RTMP_AUDIO, NEW_MSID, 43,
	    body_media(AUDIO_AAC, 1, 'a', 30));
	be_msg(fx, 4, RTMP_AUDIO, NEW_MSID, 66,
	    body_media(AUDIO_AAC, 1, 'b', 30));
	be_msg(fx, 6, RTMP_VIDEO, NEW_MSID, 80,
	    body_media(VIDEO_INTER, 1, 'i', 200));
}

/* A player moved up to READY. */
static void
player_ready(struct fx *fx)
{
	session_player(fx);
	splice_start(fx);
	be_handshake(fx, 3);
	pump(fx);
	be_connect_reply(fx, 2500000);
	pump(fx);
	be_create_reply(fx, NEW_MSID);
	pump(fx);
	be_play_start(fx);
	pump(fx);
	assert_int_equal(fx->sp.state, SPLICE_READY);
}

/* ------------------------------------------------------------------ */
/* The handshake.                                                      */

static void
test_splice_sends_c0c1_first(void **state)
{
	struct fx *fx = *state;
	uint8_t zero[4] = { 0 };

	session_player(fx);
	splice_init(&fx->sp, &fx->r, &fx->client_cw);
	fx->spliced = true;
	assert_int_equal(fx->sp.state, SPLICE_HANDSHAKE);
	assert_int_equal(fx->sp.to_backend->len, 0);
	splice_begin(&fx->sp);
	assert_int_equal(fx->sp.to_backend->len, C0C1_LEN);
	assert_int_equal(fx->sp.to_backend->data[0], 3);
	/* C1: time, then four zero bytes. */
	assert_memory_equal(fx->sp.to_backend->data + 5, zero, 4);
	assert_int_equal(fx->sp.to_client->len, 0);
	assert_int_equal(fx->sp.state, SPLICE_HANDSHAKE);
	/* Nothing more until the backend speaks. */
	drain(fx);
	assert_int_equal(fx->be.rx.msgs->len, 0);
}

static void
check_c2_and_connect(struct fx *fx)
{
	const struct dmsg *dm;

	assert_int_equal(fx->be.hs->len, S0S1S2_LEN);
	/* C2 echoes S1. */
	assert_memory_equal(fx->be.hs->data + C0C1_LEN, fx->be.s1, 1536);
	assert_int_equal(fx->sp.state, SPLICE_REPLAY);
	assert_true(fx->be.rx.msgs->len >= 2);
	dm = peer_msg(&fx->be.rx, 0);
	assert_int_equal(dm->m.type, RTMP_SET_CHUNK_SIZE);
	assert_int_equal(dm_num(dm, "chunk_size"), 4096);
	dm = peer_msg(&fx->be.rx, 1);
	assert_true(dm_is_cmd(dm, "connect"));
	assert_int_equal(dm->m.msid, 0);
	assert_int_equal(dm_num(dm, "txn"), 1);
	assert_string_equal(dm_str(dm, "app"), "live");
	assert_string_equal(dm_str(dm, "tcUrl"), "rtmp://origin-a/live");
	/* Only connect: createStream waits for its _result. */
	assert_int_equal(fx->be.rx.msgs->len, 2);
	assert_int_equal(fx->client_rx.msgs->len, 0);
}

static void
test_splice_c2_echoes_s1_then_connect(void **state)
{
	struct fx *fx = *state;

	session_player(fx);
	splice_start(fx);
	be_handshake(fx, 3);
	pump(fx);
	check_c2_and_connect(fx);
}

static void
test_splice_handshake_byte_by_byte(void **state)
{
	struct fx *fx = *state;

	session_player(fx);
	splice_start(fx);
	be_handshake(fx, 3);
	pump_split(fx, true);
	check_c2_and_connect(fx);
	/* And the backend's messages, byte by byte too. */
	be_connect_reply(fx, 2500000);
	pump_split(fx, true);
	assert_true(peer_find_cmd(&fx->be.rx, 0, "createStream") >= 0);
}

/* S0 S1 S2 and the first messages in one read. */
static void
test_splice_handshake_and_reply_in_one_read(void **state)
{
	struct fx *fx = *state;

	session_player(fx);
	splice_start(fx);
	be_handshake(fx, 3);
	/* The backend answers connect before it is sent: txn 1 is known. */
	chunk_writer_control(&fx->be.w, fx->be.out, RTMP_WINDOW_ACK_SIZE,
	    2500000);
	be_msg(fx, 3, RTMP_COMMAND_AMF0, 0, 0, body_result_connect(1));
	pump(fx);
	assert_memory_equal(fx->be.hs->data + C0C1_LEN, fx->be.s1, 1536);
	assert_true(peer_find_cmd(&fx->be.rx, 0, "connect") >= 0);
	assert_true(peer_find_cmd(&fx->be.rx, 0, "createStream") >= 0);
}

static void
test_splice_handshake_bad_version_fails(void **state)
{
	struct fx *fx = *state;

	session_player(fx);
	splice_start(fx);
	be_handshake(fx, 6);
	pump(fx);
	assert_int_equal(fx->sp.state, SPLICE_FAILED);
	assert_string_equal(fx->sp.reason, "malformed");
	assert_int_equal(fx->be.hs->len, C0C1_LEN);
}

/* ------------------------------------------------------------------ */
/* The player's replay.                                                */

static void
test_splice_replays_create_stream_and_play_on_new_msid(void **state)
{
	struct fx *fx = *state;
	const struct dmsg *dm;
	guint mark;
	int i;

	session_player(fx);
	splice_start(fx);
	be_handshake(fx, 3);
	pump(fx);
	mark = fx->be.rx.msgs->len;
	be_connect_reply(fx, 2500000);
	pump(fx);

	/* createStream with the client's txn, and nothing after it yet. */
	i = peer_find_cmd(&fx->be.rx, mark, "createStream");
	assert_true(i >= 0);
	dm = peer_msg(&fx->be.rx, (guint)i);
	assert_int_equal(dm_num(dm, "txn"), 2);
	assert_int_equal(dm->m.msid, 0);
	assert_int_equal(peer_find_cmd(&fx->be.rx, mark, "play"), -1);
	assert_int_equal(fx->sp.state, SPLICE_REPLAY);

	/* The new backend gives 7 where the old one gave 1. */
	mark = fx->be.rx.msgs->len;
	be_create_reply(fx, NEW_MSID);
	pump(fx);
	i = peer_find_cmd(&fx->be.rx, mark, "play");
	assert_true(i >= 0);
	dm = peer_msg(&fx->be.rx, (guint)i);
	assert_int_equal(dm->m.msid, NEW_MSID);
	assert_int_equal(dm_num(dm, "txn"), 3);
	assert_string_equal(dm_str(dm, "stream"), "cam");
	/* The buffer length goes with it, for the new stream id. */
	i = peer_find_type(&fx->be.rx, mark, RTMP_USER_CONTROL);
	assert_true(i >= 0);
	dm = peer_msg(&fx->be.rx, (guint)i);
	assert_int_equal(dm_num(dm, "event"), 3);
	assert_int_equal(dm_num(dm, "stream_id"), NEW_MSID);
	assert_int_equal(dm_num(dm, "buffer_ms"), 3000);
	assert_int_equal(fx->sp.state, SPLICE_REPLAY);
	assert_int_equal(replay_backend_msid(&fx->r, OLD_MSID), NEW_MSID);
	assert_int_equal(replay_client_msid(&fx->r, NEW_MSID), OLD_MSID);

	/* Play.Reset is not enough; Play.Start is. */
	be_msg(fx, 2, RTMP_USER_CONTROL, 0, 0, body_uc(0, NEW_MSID));
	be_msg(fx, 5, RTMP_COMMAND_AMF0, NEW_MSID, 0,
	    body_status("status", "NetStream.Play.Reset"));
	pump(fx);
	assert_int_equal(fx->sp.state, SPLICE_REPLAY);
	be_msg(fx, 5, RTMP_COMMAND_AMF0, NEW_MSID, 0,
	    body_status("status", "NetStream.Play.Start"));
	pump(fx);
	assert_int_equal(fx->sp.state, SPLICE_READY);
	/* Every command once. */
	assert_int_equal(peer_find_cmd(&fx->be.rx, 0, "connect"), 1);
	assert_int_equal(peer_find_cmd(&fx->be.rx, 2, "connect"), -1);
	i = peer_find_cmd(&fx->be.rx, 0, "createStream");
	assert_int_equal(peer_find_cmd(&fx->be.rx, (guint)i + 1,
	    "createStream"), -1);
	i = peer_find_cmd(&fx->be.rx, 0, "play");
	assert_int_equal(peer_find_cmd(&fx->be.rx, (guint)i + 1, "play"), -1);
}

static void
test_splice_swallows_replies_the_client_saw(void **state)
{
	struct fx *fx = *state;
	const struct dmsg *dm;
	guint i;

	player_ready(fx);
	/* The replay itself shows the client nothing. */
	assert_int_equal(fx->client_rx.msgs->len, 0);
	be_media(fx);
	pump(fx);
	assert_true(fx->client_rx.msgs->len > 0);
	for (i = 0; i < fx->client_rx.msgs->len; i++) {
		dm = peer_msg(&fx->client_rx, i);
		assert_false(dm_is_cmd(dm, "_result"));
		assert_false(dm_is_cmd(dm, "_error"));
		assert_false(dm_is_cmd(dm, "onBWDone"));
		assert_false(dm_is_cmd(dm, "onStatus"));
		assert_int_not_equal(dm->m.type, RTMP_USER_CONTROL);
		assert_int_not_equal(dm->m.type, RTMP_WINDOW_ACK_SIZE);
		assert_int_not_equal(dm->m.type, RTMP_SET_PEER_BANDWIDTH);
		assert_int_not_equal(dm->m.type, RTMP_SET_CHUNK_SIZE);
	}
}

static void
test_splice_player_media_from_key_frame_on_client_msid(void **state)
{
	struct fx *fx = *state;
	const struct dmsg *dm;
	bool video_seen = false, key_seen = false, audio_seen = false;
	guint i;

	player_ready(fx);
	be_media(fx);
	pump(fx);
	assert_true(fx->sp.media);
	for (i = 0; i < fx->client_rx.msgs->len; i++) {
		dm = peer_msg(&fx->client_rx, i);
		/* On the client's stream id, not the backend's. */
		assert_int_equal(dm->m.msid, OLD_MSID);
		if (!dm_is_media(dm))
			continue;
		/* Never the inter frame before the key frame. */
		assert_int_not_equal(dm_tag(dm), 'I');
		if (dm->m.type == RTMP_VIDEO && !video_seen)
			assert_true(media_is_config(RTMP_VIDEO, dm->m.body,
			    dm->m.kept) || media_is_keyframe(dm->m.body,
			    dm->m.kept));
		if (dm->m.type == RTMP_VIDEO)
			video_seen = true;
		if (dm->m.type == RTMP_VIDEO && dm_tag(dm) == 'K') {
			key_seen = true;
			assert_int_equal(dm->m.len, 1000);
		}
		/* Audio frames come after the key frame. */
		if (dm->m.type == RTMP_AUDIO && !media_is_config(RTMP_AUDIO,
		    dm->m.body, dm->m.kept)) {
			assert_true(key_seen);
			audio_seen = true;
		}
	}
	assert_true(key_seen);
	assert_true(audio_seen);
	/* The first media message is a sequence header or the key frame. */
	for (i = 0; i < fx->client_rx.msgs->len; i++) {
		dm = peer_msg(&fx->client_rx, i);
		if (!dm_is_media(dm))
			continue;
		assert_true(media_is_config(dm->m.type, dm->m.body,
		    dm->m.kept) || (dm->m.type == RTMP_VIDEO &&
		    media_is_keyframe(dm->m.body, dm->m.kept)));
		break;
	}
	/* The inter frame after the key frame goes through. */
	dm = peer_msg(&fx->client_rx, fx->client_rx.msgs->len - 1);
	assert_int_equal(dm_tag(dm), 'i');
}

static void
check_rebased(const struct fx *fx)
{
	const struct dmsg *dm;
	uint32_t last[2] = { 0, 0 };
	bool seen[2] = { false, false };
	unsigned media = 0;
	int k;
	guint i;

	for (i = 0; i < fx->client_rx.msgs->len; i++) {
		dm = peer_msg(&fx->client_rx, i);
		if (!dm_is_media(dm))
			continue;
		media++;
		k = dm->m.type == RTMP_VIDEO;
		/* They continue where the client's clock stood. */
		assert_in_range(dm->m.ts, CLIENT_LAST_TS + 1,
		    CLIENT_LAST_TS + 99);
		/* Monotonic per type. */
		if (seen[k])
			assert_true(dm->m.ts >= last[k]);
		seen[k] = true;
		last[k] = dm->m.ts;
	}
	assert_true(media >= 4);
}

static void
test_splice_player_timestamps_rebased_and_monotonic(void **state)
{
	struct fx *fx = *state;
	const struct dmsg *dm;
	uint32_t key_ts = 0;
	guint i;

	player_ready(fx);
	be_media(fx);
	pump(fx);
	check_rebased(fx);
	/* The spacing of the new backend's clock is kept. */
	for (i = 0; i < fx->client_rx.msgs->len; i++) {
		dm = peer_msg(&fx->client_rx, i);
		if (!dm_is_media(dm))
			continue;
		if (dm_tag(dm) == 'K')
			key_ts = dm->m.ts;
		if (dm_tag(dm) == 'i')
			assert_int_equal(dm->m.ts, key_ts + 40);
		if (dm_tag(dm) == 'b')
			assert_int_equal(dm->m.ts, key_ts + 26);
	}
	assert_true(key_ts > CLIENT_LAST_TS);
}

/*
 * The new backend's audio lags its video a little (interleaving): the
 * first audio frame after the key frame has a timestamp below the key
 * frame's.  The client's audio must still not go backwards, not even
 * behind the AAC sequence header the splice sent it.
 */
static void
test_splice_audio_behind_the_key_frame_stays_monotonic(void **state)
{
	struct fx *fx = *state;

	player_ready(fx);
	be_msg(fx, 6, RTMP_VIDEO, NEW_MSID, 0,
	    body_bytes(avc_seq, sizeof(avc_seq)));
	be_msg(fx, 4, RTMP_AUDIO, NEW_MSID, 0,
	    body_bytes(aac_seq, sizeof(aac_seq)));
	be_msg(fx, 6, RTMP_VIDEO, NEW_MSID, 40,
	    body_media(VIDEO_KEY, 1, 'K', 500));
	be_msg(fx, 4, RTMP_AUDIO, NEW_MSID, 23,
	    body_media(AUDIO_AAC, 1, 'a', 30));
	be_msg(fx, 4, RTMP_AUDIO, NEW_MSID, 46,
	    body_media(AUDIO_AAC, 1, 'b', 30));
	be_msg(fx, 6, RTMP_VIDEO, NEW_MSID, 80,
	    body_media(VIDEO_INTER, 1, 'i', 200));
	pump(fx);
	check_rebased(fx);
}

/* Media split over many reads: the same result. */
static void
test_splice_player_media_byte_by_byte(void **state)
{
	struct fx *fx = *state;

	player_ready(fx);
	be_media(fx);
	pump_split(fx, true);
	check_rebased(fx);
	assert_int_equal(dm_tag(peer_msg(&fx->client_rx,
	    fx->client_rx.msgs->len - 1)), 'i');
}

static void
check_pong(struct fx *fx, guint mark, uint32_t value)
{
	const struct dmsg *dm;
	int i;

	i = peer_find_type(&fx->be.rx, mark, RTMP_USER_CONTROL);
	assert_true(i >= 0);
	dm = peer_msg(&fx->be.rx, (guint)i);
	assert_int_equal(dm_num(dm, "event"), 7);
	assert_int_equal(dm_num(dm, "ping_ts"), value);
	assert_int_equal(dm->m.msid, 0);
}

static void
test_splice_answers_backend_ping(void **state)
{
	struct fx *fx = *state;
	guint mark, i;

	session_player(fx);
	splice_start(fx);
	be_handshake(fx, 3);
	pump(fx);
	/* During the replay. */
	mark = fx->be.rx.msgs->len;
	be_msg(fx, 2, RTMP_USER_CONTROL, 0, 0, body_uc(6, 0x1234));
	pump(fx);
	check_pong(fx, mark, 0x1234);
	assert_int_equal(fx->sp.state, SPLICE_REPLAY);
	be_connect_reply(fx, 2500000);
	pump(fx);
	be_create_reply(fx, NEW_MSID);
	pump(fx);
	be_play_start(fx);
	pump(fx);
	assert_int_equal(fx->sp.state, SPLICE_READY);
	be_media(fx);
	/* Once relaying. */
	mark = fx->be.rx.msgs->len;
	be_msg(fx, 2, RTMP_USER_CONTROL, 0, 0, body_uc(6, 0xabcdef01));
	pump(fx);
	check_pong(fx, mark, 0xabcdef01);
	for (i = 0; i < fx->client_rx.msgs->len; i++)
		assert_int_not_equal(peer_msg(&fx->client_rx, i)->m.type,
		    RTMP_USER_CONTROL);
}

static void
test_splice_play_error_fails_with_stream_error(void **state)
{
	struct fx *fx = *state;

	session_player(fx);
	splice_start(fx);
	be_handshake(fx, 3);
	pump(fx);
	be_connect_reply(fx, 2500000);
	pump(fx);
	be_create_reply(fx, NEW_MSID);
	pump(fx);
	be_msg(fx, 5, RTMP_COMMAND_AMF0, NEW_MSID, 0,
	    body_status("error", "NetStream.Play.StreamNotFound"));
	pump(fx);
	assert_int_equal(fx->sp.state, SPLICE_FAILED);
	assert_string_equal(fx->sp.reason, "stream-error");
	assert_non_null(strstr(fx->sp.detail,
	    "NetStream.Play.StreamNotFound"));
	/* Media after it go nowhere. */
	be_media(fx);
	pump(fx);
	assert_int_equal(fx->client_rx.msgs->len, 0);
	assert_int_equal(fx->sp.state, SPLICE_FAILED);
}

static void
test_splice_connect_error_fails_connect_rejected(void **state)
{
	struct fx *fx = *state;

	session_player(fx);
	splice_start(fx);
	be_handshake(fx, 3);
	pump(fx);
	chunk_writer_control(&fx->be.w, fx->be.out, RTMP_WINDOW_ACK_SIZE,
	    2500000);
	be_msg(fx, 3, RTMP_COMMAND_AMF0, 0, 0, body_error_connect(1));
	pump(fx);
	assert_int_equal(fx->sp.state, SPLICE_FAILED);
	assert_string_equal(fx->sp.reason, "connect-rejected");
	assert_non_null(strstr(fx->sp.detail,
	    "NetConnection.Connect.Rejected"));
	assert_int_equal(peer_find_cmd(&fx->be.rx, 0, "createStream"), -1);
	assert_int_equal(fx->client_rx.msgs->len, 0);
}

/* A client command during the replay waits for it, then goes mapped. */
static void
test_splice_holds_client_commands_during_replay(void **state)
{
	struct fx *fx = *state;
	const struct dmsg *dm;
	int i;

	session_player(fx);
	splice_start(fx);
	be_handshake(fx, 3);
	pump(fx);
	move_client(fx, 8, RTMP_COMMAND_AMF0, OLD_MSID, 0,
	    body_bool_arg("receiveAudio", 0, false));
	/* Its own Set Chunk Size and acknowledgements stay with the proxy. */
	move_client(fx, 2, RTMP_ACK, 0, 0, body_u32(1000));
	assert_int_equal(peer_find_cmd(&fx->be.rx, 0, "receiveAudio"), -1);
	be_connect_reply(fx, 2500000);
	pump(fx);
	be_create_reply(fx, NEW_MSID);
	pump(fx);
	assert_int_equal(peer_find_cmd(&fx->be.rx, 0, "receiveAudio"), -1);
	be_play_start(fx);
	pump(fx);
	assert_int_equal(fx->sp.state, SPLICE_READY);
	i = peer_find_cmd(&fx->be.rx, 0, "receiveAudio");
	assert_true(i > peer_find_cmd(&fx->be.rx, 0, "play"));
	dm = peer_msg(&fx->be.rx, (guint)i);
	assert_int_equal(dm->m.msid, NEW_MSID);
	assert_int_equal(peer_find_type(&fx->be.rx, 0, RTMP_ACK), -1);
}

/* Once relaying, stream ids are mapped both ways. */
static void
test_splice_ready_maps_stream_ids_both_ways(void **state)
{
	struct fx *fx = *state;
	const struct dmsg *dm;
	guint mark;
	int i;

	player_ready(fx);
	be_media(fx);
	pump(fx);
	/* Backend to client. */
	mark = fx->client_rx.msgs->len;
	be_msg(fx, 2, RTMP_USER_CONTROL, 0, 0, body_uc(1, NEW_MSID));
	be_msg(fx, 5, RTMP_COMMAND_AMF0, NEW_MSID, 0,
	    body_status("status", "NetStream.Play.Stop"));
	pump(fx);
	i = peer_find_type(&fx->client_rx, mark, RTMP_USER_CONTROL);
	assert_true(i >= 0);
	dm = peer_msg(&fx->client_rx, (guint)i);
	assert_int_equal(dm_num(dm, "event"), 1);
	assert_int_equal(dm_num(dm, "stream_id"), OLD_MSID);
	i = peer_find_cmd(&fx->client_rx, mark, "onStatus");
	assert_true(i >= 0);
	dm = peer_msg(&fx->client_rx, (guint)i);
	assert_int_equal(dm->m.msid, OLD_MSID);
	assert_string_equal(dm_str(dm, "code"), "NetStream.Play.Stop");

	/* Client to backend. */
	mark = fx->be.rx.msgs->len;
	move_client(fx, 2, RTMP_USER_CONTROL, 0, 0,
	    body_uc_buffer(OLD_MSID, 500));
	move_client(fx, 8, RTMP_COMMAND_AMF0, OLD_MSID, 0,
	    body_number_arg("seek", 0, 0));
	move_client(fx, 2, RTMP_USER_CONTROL, 0, 0, body_uc(7, 99));
	i = peer_find_type(&fx->be.rx, mark, RTMP_USER_CONTROL);
	assert_true(i >= 0);
	dm = peer_msg(&fx->be.rx, (guint)i);
	assert_int_equal(dm_num(dm, "event"), 3);
	assert_int_equal(dm_num(dm, "stream_id"), NEW_MSID);
	assert_int_equal(dm_num(dm, "buffer_ms"), 500);
	/* The client's ping response is its own business. */
	assert_int_equal(peer_find_type(&fx->be.rx, (guint)i + 1,
	    RTMP_USER_CONTROL), -1);
	i = peer_find_cmd(&fx->be.rx, mark, "seek");
	assert_true(i >= 0);
	assert_int_equal(peer_msg(&fx->be.rx, (guint)i)->m.msid, NEW_MSID);
}

/*
 * Buffer Empty (31) and Buffer Ready (32) carry a stream id too (the
 * dissector reads one): the client must get its own.
 */
static void
test_splice_maps_buffer_empty_and_ready(void **state)
{
	struct fx *fx = *state;
	const struct dmsg *dm;
	guint mark;
	int i;

	player_ready(fx);
	be_media(fx);
	pump(fx);
	mark = fx->client_rx.msgs->len;
	be_msg(fx, 2, RTMP_USER_CONTROL, 0, 0, body_uc(31, NEW_MSID));
	be_msg(fx, 2, RTMP_USER_CONTROL, 0, 0, body_uc(32, NEW_MSID));
	pump(fx);
	i = peer_find_type(&fx->client_rx, mark, RTMP_USER_CONTROL);
	assert_true(i >= 0);
	dm = peer_msg(&fx->client_rx, (guint)i);
	assert_int_equal(dm_num(dm, "event"), 31);
	assert_int_equal(dm_num(dm, "stream_id"), OLD_MSID);
	i = peer_find_type(&fx->client_rx, (guint)i + 1, RTMP_USER_CONTROL);
	assert_true(i >= 0);
	dm = peer_msg(&fx->client_rx, (guint)i);
	assert_int_equal(dm_num(dm, "event"), 32);
	assert_int_equal(dm_num(dm, "stream_id"), OLD_MSID);
}

static void
test_splice_acknowledges_backend_window(void **state)
{
	struct fx *fx = *state;
	const struct dmsg *dm;
	int i, round;

	session_player(fx);
	splice_start(fx);
	be_handshake(fx, 3);
	pump(fx);
	be_connect_reply(fx, 4096);
	pump(fx);
	be_create_reply(fx, NEW_MSID);
	pump(fx);
	be_play_start(fx);
	pump(fx);
	for (round = 0; round < 4; round++) {
		be_media(fx);
		pump(fx);
	}
	assert_true(fx->be.sent > 4096 * 2);
	i = peer_find_type(&fx->be.rx, 0, RTMP_ACK);
	assert_true(i >= 0);
	dm = peer_msg(&fx->be.rx, (guint)i);
	assert_true(dm_num(dm, "ack_seq") >= 4096);
	assert_true(dm_num(dm, "ack_seq") <= (double)fx->be.sent);
}

/* The Acknowledgements the client gets after the move, over two splices. */
static void
acks_expected(struct fx *fx, uint64_t received, int want_seq)
{
	guint mark = fx->client_rx.msgs->len;
	int i;

	splice_acknowledge_client(&fx->sp, received);
	drain(fx);
	i = peer_find_type(&fx->client_rx, mark, RTMP_ACK);
	if (want_seq < 0) {
		assert_int_equal(i, -1);
		return;
	}
	assert_true(i >= 0);
	assert_int_equal(dm_num(peer_msg(&fx->client_rx, (guint)i), "ack_seq"),
	    want_seq);
	assert_int_equal(peer_find_type(&fx->client_rx, (guint)i + 1,
	    RTMP_ACK), -1);
}

static void
test_splice_acknowledges_the_client_window(void **state)
{
	struct fx *fx = *state;

	session_publisher(fx);
	orig_client(fx, 2, RTMP_WINDOW_ACK_SIZE, 0, 0, body_u32(1000));
	assert_int_equal(fx->r.client_window, 1000);
	splice_start(fx);
	/* At the move: where the count starts, no Acknowledgement yet. */
	acks_expected(fx, 5000, -1);
	acks_expected(fx, 5999, -1);
	acks_expected(fx, 6000, 6000);
	acks_expected(fx, 6500, -1);
	acks_expected(fx, 7100, 7100);
	/* The next backend: the count goes on from the last one sent. */
	splice_free(&fx->sp);
	splice_init(&fx->sp, &fx->r, &fx->client_cw);
	acks_expected(fx, 8000, -1);
	acks_expected(fx, 8100, 8100);
	/* The sequence number is the count modulo 2^32. */
	acks_expected(fx, (UINT64_C(1) << 32) + 50, 50);
}

static void
test_splice_no_client_window_no_acks(void **state)
{
	struct fx *fx = *state;

	session_publisher(fx);
	splice_start(fx);
	acks_expected(fx, 5000, -1);
	acks_expected(fx, 5000000, -1);
	assert_int_equal(fx->r.client_acked, 0);
}

/* ------------------------------------------------------------------ */
/* The publisher.                                                      */

/* The publisher's session moved: the splice is ready for its media. */
static void
publisher_moved(struct fx *fx)
{
	guint mark;
	int i;

	splice_start(fx);
	be_handshake(fx, 3);
	pump(fx);
	be_connect_reply(fx, 2500000);
	pump(fx);
	/* releaseStream and FCPublish do not wait; createStream does. */
	assert_true(peer_find_cmd(&fx->be.rx, 0, "releaseStream") >= 0);
	assert_true(peer_find_cmd(&fx->be.rx, 0, "FCPublish") >= 0);
	assert_true(peer_find_cmd(&fx->be.rx, 0, "createStream") >= 0);
	assert_int_equal(peer_find_cmd(&fx->be.rx, 0, "publish"), -1);
	mark = fx->be.rx.msgs->len;
	be_create_reply(fx, NEW_MSID);
	pump(fx);
	i = peer_find_cmd(&fx->be.rx, mark, "publish");
	assert_true(i >= 0);
	assert_int_equal(peer_msg(&fx->be.rx, (guint)i)->m.msid, NEW_MSID);
	assert_int_equal(dm_num(peer_msg(&fx->be.rx, (guint)i), "txn"), 5);
	assert_string_equal(dm_str(peer_msg(&fx->be.rx, (guint)i), "stream"),
	    "cam");
	/* Media before Publish.Start go nowhere. */
	mark = fx->be.rx.msgs->len;
	move_client(fx, 6, RTMP_VIDEO, OLD_MSID, 10000,
	    body_media(VIDEO_KEY, 1, 'x', 300));
	assert_int_equal(fx->be.rx.msgs->len, mark);
	assert_int_equal(fx->sp.state, SPLICE_REPLAY);

	be_msg(fx, 5, RTMP_COMMAND_AMF0, NEW_MSID, 0,
	    body_status("status", "NetStream.Publish.Start"));
	pump(fx);
	assert_int_equal(fx->sp.state, SPLICE_READY);
	assert_int_equal(fx->client_rx.msgs->len, 0);
}

static void
publisher_ready(struct fx *fx)
{
	session_publisher(fx);
	publisher_moved(fx);
}

/*
 * A multitrack publisher (Enhanced RTMP v2): each track's sequence header
 * is kept, a new one replaces its own track's only, and all of them go to
 * the new backend before the key frame, video's then audio's.
 */
static void
test_splice_publisher_multitrack_configs(void **state)
{
	static const uint8_t track0[] = {
		0x96, 0x00, 'h', 'v', 'c', '1', 0, 1, 0xaa,
	};
	static const uint8_t track1[] = {
		0x96, 0x00, 'h', 'v', 'c', '1', 1, 1, 0xbb,
	};
	static const uint8_t track1_again[] = {
		0x96, 0x00, 'h', 'v', 'c', '1', 1, 1, 0xcc,
	};
	static const uint8_t opus2[] = { 0x95, 0x00, 'O', 'p', 'u', 's', 2, 1 };
	static const struct {
		const uint8_t	*body;
		size_t		 len;
	} want[] = {
		{ avc_seq, sizeof(avc_seq) },
		{ track0, sizeof(track0) },
		{ track1_again, sizeof(track1_again) },
		{ aac_seq, sizeof(aac_seq) },
		{ opus2, sizeof(opus2) },
	};
	struct fx *fx = *state;
	const struct dmsg *dm;
	guint mark, i;

	session_publisher(fx);
	orig_client(fx, 6, RTMP_VIDEO, OLD_MSID, 5000,
	    body_bytes(track0, sizeof(track0)));
	orig_client(fx, 6, RTMP_VIDEO, OLD_MSID, 5000,
	    body_bytes(track1, sizeof(track1)));
	orig_client(fx, 6, RTMP_VIDEO, OLD_MSID, 5040,
	    body_bytes(track1_again, sizeof(track1_again)));
	orig_client(fx, 4, RTMP_AUDIO, OLD_MSID, 5040,
	    body_bytes(opus2, sizeof(opus2)));
	/* The legacy AVC and AAC headers, tracks 0 and 1, Opus track 2. */
	assert_int_equal(fx->r.nconfigs, 5);

	publisher_moved(fx);
	mark = fx->be.rx.msgs->len;
	move_client(fx, 6, RTMP_VIDEO, OLD_MSID, 10040,
	    body_media(VIDEO_KEY, 1, 'K', 600));
	/* The metadata, five headers, the key frame. */
	assert_int_equal(fx->be.rx.msgs->len, mark + 7);
	assert_int_equal(peer_msg(&fx->be.rx, mark)->m.type, RTMP_DATA_AMF0);
	for (i = 0; i < G_N_ELEMENTS(want); i++) {
		dm = peer_msg(&fx->be.rx, mark + 1 + i);
		assert_int_equal(dm->m.type, i < 3 ? RTMP_VIDEO : RTMP_AUDIO);
		assert_int_equal(dm->m.msid, NEW_MSID);
		assert_int_equal(dm->m.len, want[i].len);
		assert_memory_equal(dm->m.body, want[i].body, want[i].len);
	}
	assert_true(media_is_keyframe(peer_msg(&fx->be.rx, mark + 6)->m.body,
	    1));
}

static void
test_splice_publisher_sends_cache_before_key_frame(void **state)
{
	struct fx *fx = *state;
	const struct dmsg *dm;
	gsize n;
	const uint8_t *p;
	guint mark, i;

	publisher_ready(fx);
	mark = fx->be.rx.msgs->len;
	/* Before a key frame: dropped. */
	move_client(fx, 4, RTMP_AUDIO, OLD_MSID, 10013,
	    body_media(AUDIO_AAC, 1, 'a', 20));
	move_client(fx, 6, RTMP_VIDEO, OLD_MSID, 10020,
	    body_media(VIDEO_INTER, 1, 'I', 100));
	move_client(fx, 6, RTMP_VIDEO, OLD_MSID, 10020,
	    body_bytes(avc_seq, sizeof(avc_seq)));
	assert_int_equal(fx->be.rx.msgs->len, mark);
	assert_false(fx->sp.media);

	/* The key frame: metadata, video config, audio config, key frame. */
	move_client(fx, 6, RTMP_VIDEO, OLD_MSID, 10040,
	    body_media(VIDEO_KEY, 1, 'K', 600));
	move_client(fx, 4, RTMP_AUDIO, OLD_MSID, 10046,
	    body_media(AUDIO_AAC, 1, 'b', 20));
	assert_int_equal(fx->be.rx.msgs->len, mark + 5);
	for (i = mark; i < mark + 5; i++)
		assert_int_equal(peer_msg(&fx->be.rx, i)->m.msid, NEW_MSID);

	dm = peer_msg(&fx->be.rx, mark);
	assert_int_equal(dm->m.type, RTMP_DATA_AMF0);
	assert_string_equal(dm_str(dm, "name"), "@setDataFrame");
	p = g_bytes_get_data(fx->r.metadata, &n);
	assert_int_equal(dm->m.len, n);
	assert_memory_equal(dm->m.body, p, n);

	dm = peer_msg(&fx->be.rx, mark + 1);
	assert_int_equal(dm->m.type, RTMP_VIDEO);
	assert_int_equal(dm->m.len, sizeof(avc_seq));
	assert_memory_equal(dm->m.body, avc_seq, sizeof(avc_seq));

	dm = peer_msg(&fx->be.rx, mark + 2);
	assert_int_equal(dm->m.type, RTMP_AUDIO);
	assert_int_equal(dm->m.len, sizeof(aac_seq));
	assert_memory_equal(dm->m.body, aac_seq, sizeof(aac_seq));

	dm = peer_msg(&fx->be.rx, mark + 3);
	assert_int_equal(dm->m.type, RTMP_VIDEO);
	assert_int_equal(dm_tag(dm), 'K');
	assert_int_equal(dm->m.len, 600);
	assert_int_equal(dm->m.ts, 10040);

	dm = peer_msg(&fx->be.rx, mark + 4);
	assert_int_equal(dm->m.type, RTMP_AUDIO);
	assert_int_equal(dm_tag(dm), 'b');
	assert_int_equal(dm->m.ts, 10046);
	assert_true(fx->sp.media);
	/* The cache goes once. */
	move_client(fx, 6, RTMP_VIDEO, OLD_MSID, 10080,
	    body_media(VIDEO_KEY, 1, 'L', 300));
	assert_int_equal(fx->be.rx.msgs->len, mark + 6);
	assert_int_equal(dm_tag(peer_msg(&fx->be.rx, mark + 5)), 'L');
	/* Nothing reached the client. */
	assert_int_equal(fx->client_rx.msgs->len, 0);
}

/* ------------------------------------------------------------------ */
/* splice_complete_partials.                                           */

struct partial_fx {
	struct peer		 p;
	GByteArray		*wire;
	GByteArray		*fill;
	GByteArray		*done;		/* the completion */
	uint8_t			 body[300];
};

static void
partial_init(struct partial_fx *t, uint32_t csid, uint32_t ts)
{
	struct chunk_writer w;
	size_t i;

	peer_init(&t->p);
	t->wire = g_byte_array_new();
	t->fill = g_byte_array_new();
	t->done = g_byte_array_new();
	for (i = 0; i < sizeof(t->body); i++)
		t->body[i] = (uint8_t)(i % 251 + 1);
	t->body[0] = VIDEO_INTER;
	chunk_writer_init(&w);
	assert_true(chunk_writer_message(&w, t->wire, csid, RTMP_VIDEO, 1, ts,
	    t->body, sizeof(t->body)));
}

static void
partial_free(struct partial_fx *t)
{
	peer_free(&t->p);
	g_byte_array_unref(t->wire);
	g_byte_array_unref(t->fill);
	g_byte_array_unref(t->done);
}

static void
check_clean(const struct chunk_demux *d)
{
	struct chunk_partial parts[4];
	uint32_t left = 99;
	size_t n = 99;

	assert_true(chunk_demux_partials(d, parts, 4, &n, &left));
	assert_int_equal(n, 0);
	assert_int_equal(left, 0);
}

/*
 * Feeds the first cut bytes, completes, checks the message and the end.
 * Returns the length of the completion.
 */
static size_t
partial_run(struct partial_fx *t, size_t cut, size_t body_got, uint32_t ts)
{
	const struct dmsg *dm;
	uint8_t zeros[300] = { 0 };
	size_t filled;

	peer_feed(&t->p, t->wire->data, cut);
	assert_int_equal(t->p.msgs->len, 0);
	assert_true(splice_complete_partials(&t->p.d, t->fill));
	assert_true(t->fill->len > 0);
	peer_feed(&t->p, t->fill->data, t->fill->len);
	assert_int_equal(t->p.msgs->len, 1);
	dm = peer_msg(&t->p, 0);
	assert_int_equal(dm->m.type, RTMP_VIDEO);
	assert_int_equal(dm->m.msid, 1);
	assert_int_equal(dm->m.ts, ts);
	assert_int_equal(dm->m.len, 300);
	assert_int_equal(dm->m.kept, 300);
	assert_memory_equal(dm->m.body, t->body, body_got);
	assert_memory_equal(dm->m.body + body_got, zeros, 300 - body_got);
	check_clean(&t->p.d);
	filled = t->fill->len;
	g_byte_array_set_size(t->done, 0);
	g_byte_array_append(t->done, t->fill->data, t->fill->len);
	/* The stream goes on: a whole message after it is read as one. */
	g_byte_array_set_size(t->fill, 0);
	{
		struct chunk_writer w;

		chunk_writer_init(&w);
		assert_true(chunk_writer_message(&w, t->fill, 6, RTMP_AUDIO, 1,
		    ts + 10, aac_seq, sizeof(aac_seq)));
	}
	peer_feed(&t->p, t->fill->data, t->fill->len);
	assert_int_equal(t->p.msgs->len, 2);
	dm = peer_msg(&t->p, 1);
	assert_int_equal(dm->m.type, RTMP_AUDIO);
	assert_int_equal(dm->m.len, sizeof(aac_seq));
	assert_int_equal(dm->m.ts, ts + 10);
	return filled;
}

/* 300 bytes at chunk size 128: | 12 | 128 | 1 | 128 | 1 | 44 |. */
static void
test_partials_cut_in_the_first_chunk(void **state)
{
	struct partial_fx t;

	(void)state;
	partial_init(&t, 6, 1000);
	assert_int_equal(t.wire->len, 12 + 128 + 1 + 128 + 1 + 44);
	/* The rest of the chunk, then two continuation chunks. */
	assert_int_equal(partial_run(&t, 12 + 50, 50, 1000),
	    78 + 1 + 128 + 1 + 44);
	partial_free(&t);
}

static void
test_partials_cut_in_a_later_chunk(void **state)
{
	struct partial_fx t;

	(void)state;
	partial_init(&t, 6, 1000);
	partial_run(&t, 12 + 128 + 1 + 128 + 1 + 20, 128 + 128 + 20, 1000);
	partial_free(&t);
}

static void
test_partials_cut_at_a_chunk_boundary(void **state)
{
	struct partial_fx t;

	(void)state;
	/* Before the continuation chunk's header. */
	partial_init(&t, 6, 1000);
	partial_run(&t, 12 + 128, 128, 1000);
	partial_free(&t);
	/* After its one-byte header, before its payload. */
	partial_init(&t, 6, 1000);
	partial_run(&t, 12 + 128 + 1, 128, 1000);
	partial_free(&t);
	/* A two-byte basic header (csid 100). */
	partial_init(&t, 100, 1000);
	partial_run(&t, 13 + 128 + 2 + 60, 128 + 60, 1000);
	partial_free(&t);
}

/*
 * An extended timestamp: | 12 | ext 4 | 128 | 1 | ext 4 | 128 | 1 | ext 4
 * | 44 |; the continuation chunks must repeat it.
 */
static void
test_partials_with_extended_timestamp(void **state)
{
	struct partial_fx t;
	const uint32_t ts = 0x01000000;
	static const uint8_t cont[5] = { 0xc6, 0x01, 0x00, 0x00, 0x00 };

	(void)state;
	partial_init(&t, 6, ts);
	assert_int_equal(t.wire->len, 16 + 128 + 5 + 128 + 5 + 44);
	/* 98 bytes of the chunk, then | fmt 3 csid 6 | ext | 44 |. */
	assert_int_equal(partial_run(&t, 16 + 128 + 5 + 30, 128 + 30, ts),
	    98 + 5 + 44);
	assert_memory_equal(t.done->data + 98, cont, sizeof(cont));
	partial_free(&t);

	partial_init(&t, 6, ts);
	partial_run(&t, 16 + 40, 40, ts);
	partial_free(&t);

	/* At a chunk boundary, the basic header not yet read. */
	partial_init(&t, 6, ts);
	assert_int_equal(partial_run(&t, 16 + 128, 128, ts),
	    5 + 128 + 5 + 44);
	assert_memory_equal(t.done->data, cont, sizeof(cont));
	assert_memory_equal(t.done->data + 5 + 128, cont, sizeof(cont));
	partial_free(&t);
}

/* Two messages in progress: the current chunk's and another stream's. */
static void
test_partials_two_streams(void **state)
{
	struct chunk_writer w;
	struct peer p;
	GByteArray *a, *b, *in, *fill;
	uint8_t body_a[300], body_b[200];
	const struct dmsg *dm;
	bool got_a = false, got_b = false;
	guint i;

	(void)state;
	memset(body_a, 0x11, sizeof(body_a));
	body_a[0] = VIDEO_INTER;
	memset(body_b, 0x22, sizeof(body_b));
	body_b[0] = AUDIO_AAC;
	a = g_byte_array_new();
	b = g_byte_array_new();
	in = g_byte_array_new();
	fill = g_byte_array_new();
	chunk_writer_init(&w);
	assert_true(chunk_writer_message(&w, a, 6, RTMP_VIDEO, 1, 500, body_a,
	    sizeof(body_a)));
	assert_true(chunk_writer_message(&w, b, 4, RTMP_AUDIO, 1, 510, body_b,
	    sizeof(body_b)));
	/* A's first chunk, then B's header and 60 bytes of its payload. */
	g_byte_array_append(in, a->data, 12 + 128);
	g_byte_array_append(in, b->data, 12 + 60);
	peer_init(&p);
	peer_feed(&p, in->data, in->len);
	assert_int_equal(p.msgs->len, 0);
	assert_true(splice_complete_partials(&p.d, fill));
	peer_feed(&p, fill->data, fill->len);
	assert_int_equal(p.msgs->len, 2);
	for (i = 0; i < 2; i++) {
		dm = peer_msg(&p, i);
		if (dm->m.type == RTMP_VIDEO) {
			got_a = true;
			assert_int_equal(dm->m.len, 300);
			assert_int_equal(dm->m.ts, 500);
			assert_memory_equal(dm->m.body, body_a, 128);
			assert_int_equal(dm->m.body[299], 0);
		} else {
			got_b = true;
			assert_int_equal(dm->m.type, RTMP_AUDIO);
			assert_int_equal(dm->m.len, 200);
			assert_int_equal(dm->m.ts, 510);
			assert_memory_equal(dm->m.body, body_b, 60);
			assert_int_equal(dm->m.body[199], 0);
		}
	}
	assert_true(got_a && got_b);
	check_clean(&p.d);
	peer_free(&p);
	g_byte_array_unref(a);
	g_byte_array_unref(b);
	g_byte_array_unref(in);
	g_byte_array_unref(fill);
}

static void
test_partials_inside_a_header_is_false(void **state)
{
	struct partial_fx t;

	(void)state;
	/* In the fmt 0 header. */
	partial_init(&t, 6, 1000);
	peer_feed(&t.p, t.wire->data, 5);
	assert_false(splice_complete_partials(&t.p.d, t.fill));
	partial_free(&t);
	/* In a continuation header: the basic header, not the ext ts. */
	partial_init(&t, 6, 0x01000000);
	peer_feed(&t.p, t.wire->data, 16 + 128 + 1);
	assert_false(splice_complete_partials(&t.p.d, t.fill));
	partial_free(&t);
	/* A two-byte basic header cut after its first byte. */
	partial_init(&t, 100, 1000);
	peer_feed(&t.p, t.wire->data, 13 + 128 + 1);
	assert_false(splice_complete_partials(&t.p.d, t.fill));
	partial_free(&t);
	/* Hunting: not in sync. */
	partial_init(&t, 6, 1000);
	chunk_demux_join(&t.p.d);
	assert_false(splice_complete_partials(&t.p.d, t.fill));
	partial_free(&t);
}

static void
test_partials_none_is_true_and_empty(void **state)
{
	struct partial_fx t;

	(void)state;
	partial_init(&t, 6, 1000);
	assert_true(splice_complete_partials(&t.p.d, t.fill));
	assert_int_equal(t.fill->len, 0);
	peer_feed(&t.p, t.wire->data, t.wire->len);
	assert_int_equal(t.p.msgs->len, 1);
	assert_true(splice_complete_partials(&t.p.d, t.fill));
	assert_int_equal(t.fill->len, 0);
	partial_free(&t);
}

/*
 * LIMIT_SPLICE_PAD_MAX counts the bytes on the wire: at chunk size 1, a
 * video message on csid 300 (a 2-byte basic header) with an extended
 * timestamp takes 7 bytes a byte of payload.  Begun with 1 byte of
 * LIMIT_SPLICE_PAD_MAX / 4: refused at chunk size 1, completed at 4096.
 */
static void
test_partials_bounded_by_wire_bytes(void **state)
{
	const uint32_t len = LIMIT_SPLICE_PAD_MAX / 4;
	const uint8_t head[] = {
		0x01, 300 - 64, 0x00,		/* fmt 0, csid 300, 3 bytes */
		0xff, 0xff, 0xff,		/* timestamp: extended */
		(uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len,
		RTMP_VIDEO, 0x01, 0x00, 0x00, 0x00,
		0x01, 0x00, 0x00, 0x00,		/* extended timestamp */
		VIDEO_INTER,
	};
	struct peer p;
	GByteArray *fill = g_byte_array_new();
	uint64_t chunks;

	(void)state;
	peer_init(&p);
	chunk_demux_set_chunk_size(&p.d, 1);
	peer_feed(&p, head, sizeof(head));
	assert_false(splice_complete_partials(&p.d, fill));
	peer_free(&p);

	peer_init(&p);
	chunk_demux_set_chunk_size(&p.d, 4096);
	peer_feed(&p, head, sizeof(head));
	assert_true(splice_complete_partials(&p.d, fill));
	/* 4095 more in this chunk, then | fmt 3 csid 300 | ext | ... |. */
	chunks = (len - 4096 + 4095) / 4096;
	assert_int_equal(fill->len, len - 1 + chunks * (2 + 4));
	peer_feed(&p, fill->data, fill->len);
	assert_int_equal(p.msgs->len, 1);
	assert_int_equal(peer_msg(&p, 0)->m.len, len);
	peer_free(&p);
	g_byte_array_unref(fill);
}

/* ------------------------------------------------------------------ */
/* media_is_config, media_is_keyframe.                                 */

#define IS_CONFIG(type, ...) ({						\
	static const uint8_t b_[] = { __VA_ARGS__ };			\
	media_is_config((type), b_, sizeof(b_)); })
#define IS_KEY(...) ({							\
	static const uint8_t b_[] = { __VA_ARGS__ };			\
	media_is_keyframe(b_, sizeof(b_)); })

static void
test_media_legacy_video(void **state)
{
	(void)state;
	/* AVC (codec 7): sequence header, key frame, inter, end of seq. */
	assert_true(IS_CONFIG(RTMP_VIDEO, 0x17, 0x00, 0, 0, 0, 1));
	assert_true(IS_KEY(0x17, 0x00, 0, 0, 0, 1));
	assert_false(IS_CONFIG(RTMP_VIDEO, 0x17, 0x01, 0, 0, 0, 1));
	assert_true(IS_KEY(0x17, 0x01, 0, 0, 0, 1));
	assert_false(IS_CONFIG(RTMP_VIDEO, 0x27, 0x01, 0, 0, 0, 1));
	assert_false(IS_KEY(0x27, 0x01, 0, 0, 0, 1));
	assert_false(IS_CONFIG(RTMP_VIDEO, 0x17, 0x02, 0, 0, 0));
	/* HEVC (codec 12) as the legacy extension sends it. */
	assert_true(IS_CONFIG(RTMP_VIDEO, 0x1c, 0x00, 0, 0, 0, 1));
	assert_false(IS_CONFIG(RTMP_VIDEO, 0x1c, 0x01, 0, 0, 0, 1));
	assert_true(IS_KEY(0x1c, 0x01, 0, 0, 0, 1));
	assert_false(IS_KEY(0x2c, 0x01, 0, 0, 0, 1));
	assert_false(IS_CONFIG(RTMP_VIDEO, 0x2c, 0x01, 0, 0, 0, 1));
	/* Sorenson H.263 and VP6 have no sequence header. */
	assert_false(IS_CONFIG(RTMP_VIDEO, 0x12, 0x00, 0x84));
	assert_true(IS_KEY(0x12, 0x00, 0x84));
	assert_false(IS_CONFIG(RTMP_VIDEO, 0x14, 0x00, 0x00));
	assert_false(IS_KEY(0x24, 0x00));
	/* Too short. */
	assert_false(IS_CONFIG(RTMP_VIDEO, 0x17));
	assert_false(media_is_config(RTMP_VIDEO, NULL, 0));
	assert_false(media_is_keyframe(NULL, 0));
	/* A video body is not audio config, nor data. */
	assert_false(IS_CONFIG(RTMP_DATA_AMF0, 0x17, 0x00, 0, 0, 0));
	assert_false(IS_CONFIG(RTMP_AUDIO, 0x17, 0x00, 0, 0, 0));
}

/* Enhanced RTMP: | 1 | frame type:3 | packet type:4 | fourcc:4 |. */
static void
test_media_ex_video(void **state)
{
	(void)state;
	/* SequenceStart (0), key. */
	assert_true(IS_CONFIG(RTMP_VIDEO, 0x90, 'h', 'v', 'c', '1', 1));
	assert_true(IS_CONFIG(RTMP_VIDEO, 0x90, 'a', 'v', '0', '1', 1));
	/* MPEG2TSSequenceStart (5). */
	assert_true(IS_CONFIG(RTMP_VIDEO, 0x95, 'a', 'v', '0', '1', 1));
	/* CodedFrames (1), CodedFramesX (3): key and inter. */
	assert_false(IS_CONFIG(RTMP_VIDEO, 0x91, 'h', 'v', 'c', '1', 0, 0,
	    0));
	assert_true(IS_KEY(0x91, 'h', 'v', 'c', '1', 0, 0, 0));
	assert_true(IS_KEY(0x93, 'h', 'v', 'c', '1'));
	assert_false(IS_CONFIG(RTMP_VIDEO, 0x93, 'h', 'v', 'c', '1'));
	assert_false(IS_KEY(0xa1, 'h', 'v', 'c', '1', 0, 0, 0));
	assert_false(IS_CONFIG(RTMP_VIDEO, 0xa1, 'h', 'v', 'c', '1', 0, 0,
	    0));
	assert_false(IS_KEY(0xa3, 'v', 'p', '0', '9'));
	/* SequenceEnd (2), Metadata (4): not config. */
	assert_false(IS_CONFIG(RTMP_VIDEO, 0x92, 'h', 'v', 'c', '1'));
	assert_false(IS_CONFIG(RTMP_VIDEO, 0x94, 'h', 'v', 'c', '1'));
	/* A disposable inter frame (3), a command frame (5). */
	assert_false(IS_KEY(0xb1, 'a', 'v', '0', '1'));
	assert_false(IS_KEY(0xd1, 'a', 'v', '0', '1'));
	assert_false(IS_CONFIG(RTMP_VIDEO, 0xd0, 0x00));
	/* Multitrack (6): | multitrack type:4 | packet type:4 | fourcc |
	 * track id | ...: one track's SequenceStart, CodedFrames. */
	assert_true(IS_CONFIG(RTMP_VIDEO, 0x96, 0x00, 'h', 'v', 'c', '1', 1,
	    1));
	assert_false(IS_CONFIG(RTMP_VIDEO, 0x96, 0x01, 'h', 'v', 'c', '1', 1,
	    0, 0, 0));
	assert_true(IS_KEY(0x96, 0x01, 'h', 'v', 'c', '1', 1, 0, 0, 0));
	/* ManyTracks (1): track id and a 24-bit size each. */
	assert_true(IS_CONFIG(RTMP_VIDEO, 0x96, 0x10, 'a', 'v', '0', '1', 2,
	    0, 0, 1, 0x81));
	/* ModEx (7): | size - 1 | data | mod type:4 | packet type:4 |. */
	assert_true(IS_CONFIG(RTMP_VIDEO, 0x97, 2, 0, 0, 9, 0x00, 'h', 'v',
	    'c', '1', 1));
	assert_false(IS_CONFIG(RTMP_VIDEO, 0x97, 2, 0, 0, 9, 0x01, 'h', 'v',
	    'c', '1', 0, 0, 0));
	/* Cut before its FourCC: not a header to keep. */
	assert_false(IS_CONFIG(RTMP_VIDEO, 0x90, 'h', 'v'));
	assert_false(IS_CONFIG(RTMP_VIDEO, 0x96, 0x00));
}

static void
test_media_audio(void **state)
{
	(void)state;
	/* AAC: sequence header, raw frame. */
	assert_true(IS_CONFIG(RTMP_AUDIO, 0xaf, 0x00, 0x12, 0x10));
	assert_true(IS_CONFIG(RTMP_AUDIO, 0xa0, 0x00, 0x12, 0x10));
	assert_false(IS_CONFIG(RTMP_AUDIO, 0xaf, 0x01, 0x21, 0x00));
	assert_false(IS_CONFIG(RTMP_AUDIO, 0xaf));
	/* MP3, Speex, Nellymoser: no sequence header. */
	assert_false(IS_CONFIG(RTMP_AUDIO, 0x2f, 0x00, 0xff));
	assert_false(IS_CONFIG(RTMP_AUDIO, 0xb6, 0x00));
	assert_false(IS_CONFIG(RTMP_AUDIO, 0x6e, 0x00));
	/* Enhanced RTMP audio: sound format 9, packet type in the low bits. */
	assert_true(IS_CONFIG(RTMP_AUDIO, 0x90, 'O', 'p', 'u', 's', 1));
	assert_true(IS_CONFIG(RTMP_AUDIO, 0x90, 'm', 'p', '4', 'a', 0x12,
	    0x10));
	assert_false(IS_CONFIG(RTMP_AUDIO, 0x91, 'O', 'p', 'u', 's', 0xfc));
	assert_false(IS_CONFIG(RTMP_AUDIO, 0x92, 'O', 'p', 'u', 's'));
	/* MultichannelConfig (4) configures the decoder too. */
	assert_true(IS_CONFIG(RTMP_AUDIO, 0x94, 'O', 'p', 'u', 's', 0, 2));
	assert_false(media_is_config(RTMP_AUDIO, NULL, 0));
	/* Multitrack audio (5): a track's SequenceStart. */
	assert_true(IS_CONFIG(RTMP_AUDIO, 0x95, 0x00, 'O', 'p', 'u', 's', 2,
	    1));
	assert_false(IS_CONFIG(RTMP_AUDIO, 0x95, 0x01, 'O', 'p', 'u', 's', 2,
	    0xfc));
	/* An audio body is not video config. */
	assert_false(IS_CONFIG(RTMP_VIDEO, 0xaf, 0x00, 0x12, 0x10));
}

/* ------------------------------------------------------------------ */
/* struct replay.                                                      */

static const struct replay_command *
command_at(const struct replay *r, guint i)
{
	assert_true(i < r->commands->len);
	return g_ptr_array_index(r->commands, i);
}

static int
command_find(const struct replay *r, const char *name, uint32_t msid)
{
	guint i;

	for (i = 0; i < r->commands->len; i++)
		if (strcmp(command_at(r, i)->name, name) == 0 &&
		    command_at(r, i)->msid == msid)
			return (int)i;
	return -1;
}

static void
test_replay_learns_the_player_session(void **state)
{
	struct fx *fx = *state;
	const struct replay_stream *st;
	const struct replay_command *rc;

	session_player(fx);
	assert_int_equal(fx->r.commands->len, 3);
	rc = command_at(&fx->r, 0);
	assert_string_equal(rc->name, "connect");
	assert_int_equal(rc->txn, 1);
	assert_true(rc->answered);
	rc = command_at(&fx->r, 1);
	assert_string_equal(rc->name, "createStream");
	assert_true(rc->answered);
	assert_int_equal(rc->created, OLD_MSID);
	rc = command_at(&fx->r, 2);
	assert_string_equal(rc->name, "play");
	assert_int_equal(rc->msid, OLD_MSID);
	assert_int_equal(rc->csid, 8);
	assert_true(replay_connect_answered(&fx->r));
	assert_true(replay_is_player(&fx->r));
	assert_false(replay_is_publisher(&fx->r));
	assert_int_equal(fx->r.nstreams, 1);
	st = replay_stream(&fx->r, OLD_MSID);
	assert_non_null(st);
	assert_true(st->play);
	assert_true(st->has_buffer);
	assert_int_equal(st->buffer_ms, 3000);
	assert_true(fx->r.clock[1].seen);
	assert_int_equal(fx->r.clock[1].ts, CLIENT_LAST_TS);
	assert_int_equal(fx->r.clock[1].step, 40);
	assert_int_equal(fx->r.clock[0].ts, 4990);
	assert_true(fx->r.video_to_client);
	assert_true(fx->r.media_to_client);
	assert_int_equal(fx->r.ncreate, 0);
}

static void
test_replay_learns_the_publisher_cache(void **state)
{
	struct fx *fx = *state;
	gsize n;

	session_publisher(fx);
	assert_true(replay_is_publisher(&fx->r));
	assert_false(replay_is_player(&fx->r));
	assert_non_null(fx->r.metadata);
	assert_int_equal(fx->r.metadata_type, RTMP_DATA_AMF0);
	assert_int_equal(fx->r.nconfigs, 2);
	assert_int_equal(fx->r.configs[0].type, RTMP_VIDEO);
	(void)g_bytes_get_data(fx->r.configs[0].body, &n);
	assert_int_equal(n, sizeof(avc_seq));
	assert_int_equal(fx->r.configs[1].type, RTMP_AUDIO);
	assert_true(fx->r.client_video);
	/* publish is not answered by a txn. */
	assert_int_equal(command_find(&fx->r, "publish", OLD_MSID), 4);
	assert_false(command_at(&fx->r, 1)->answered);	/* releaseStream */
}

static void
test_replay_delete_stream_removes_it_and_its_commands(void **state)
{
	struct fx *fx = *state;

	session_player(fx);
	orig_client(fx, 8, RTMP_COMMAND_AMF0, OLD_MSID, 0,
	    body_bool_arg("receiveVideo", 0, true));
	assert_int_equal(command_find(&fx->r, "receiveVideo", OLD_MSID), 3);
	orig_client(fx, 3, RTMP_COMMAND_AMF0, 0, 0,
	    body_number_arg("deleteStream", 0, OLD_MSID));
	assert_null(replay_stream(&fx->r, OLD_MSID));
	assert_int_equal(fx->r.nstreams, 0);
	assert_int_equal(command_find(&fx->r, "play", OLD_MSID), -1);
	assert_int_equal(command_find(&fx->r, "receiveVideo", OLD_MSID), -1);
	assert_int_equal(command_find(&fx->r, "connect", 0), 0);
	assert_false(replay_is_player(&fx->r));

	/* closeStream on the stream itself does the same. */
	orig_client(fx, 3, RTMP_COMMAND_AMF0, 0, 0,
	    body_simple("createStream", 9, NULL));
	orig_server(fx, 3, RTMP_COMMAND_AMF0, 0, 0, body_result_value(9, 2));
	orig_client(fx, 8, RTMP_COMMAND_AMF0, 2, 0, body_play(10, "other"));
	assert_non_null(replay_stream(&fx->r, 2));
	assert_true(replay_is_player(&fx->r));
	orig_client(fx, 8, RTMP_COMMAND_AMF0, 2, 0,
	    body_simple("closeStream", 0, NULL));
	assert_null(replay_stream(&fx->r, 2));
	assert_int_equal(command_find(&fx->r, "play", 2), -1);
	assert_false(replay_is_player(&fx->r));
}

/*
 * A player that changes streams (createStream, play, deleteStream) many
 * times: what is left to replay is the current stream, whatever the
 * history.  After the last switch, play must be among the commands.
 */
static void
test_replay_stream_switches_keep_the_current_play(void **state)
{
	struct fx *fx = *state;
	double txn = 2;
	int round;

	session_connect(fx);
	for (round = 0; round < 20; round++) {
		orig_client(fx, 3, RTMP_COMMAND_AMF0, 0, 0,
		    body_simple("createStream", txn, NULL));
		orig_server(fx, 3, RTMP_COMMAND_AMF0, 0, 0,
		    body_result_value(txn, OLD_MSID));
		orig_client(fx, 8, RTMP_COMMAND_AMF0, OLD_MSID, 0,
		    body_play(0, round % 2 ? "cam" : "other"));
		txn++;
		if (round == 19)
			break;
		orig_client(fx, 3, RTMP_COMMAND_AMF0, 0, 0,
		    body_number_arg("deleteStream", 0, OLD_MSID));
	}
	assert_true(replay_is_player(&fx->r));
	assert_true(command_find(&fx->r, "play", OLD_MSID) >= 0);
	assert_true(fx->r.commands->len <= REPLAY_COMMANDS_MAX);
}

static void
test_replay_commands_are_bounded(void **state)
{
	struct fx *fx = *state;
	int i;

	session_connect(fx);
	/* Commands that build nothing are not kept. */
	orig_client(fx, 3, RTMP_COMMAND_AMF0, 0, 0,
	    body_simple("getStreamLength", 2, "cam"));
	orig_client(fx, 3, RTMP_COMMAND_AMF0, 0, 0,
	    body_simple("_checkbw", 3, NULL));
	assert_int_equal(fx->r.commands->len, 1);
	for (i = 0; i < 3 * REPLAY_COMMANDS_MAX; i++)
		orig_client(fx, 3, RTMP_COMMAND_AMF0, 0, 0,
		    body_simple("FCSubscribe", 10 + i, "cam"));
	assert_int_equal(fx->r.commands->len, REPLAY_COMMANDS_MAX);
	assert_string_equal(command_at(&fx->r, 0)->name, "connect");
	assert_string_equal(command_at(&fx->r, REPLAY_COMMANDS_MAX - 1)->name,
	    "FCSubscribe");
}

/* A cut message (kept < len) is not cached. */
static void
test_replay_cut_messages_are_not_cached(void **state)
{
	struct fx *fx = *state;
	struct side s;
	const struct dmsg *dm;
	struct rtmp_message m;

	side_init(&s);
	dm = side_send(&s, 3, RTMP_COMMAND_AMF0, 0, 0,
	    body_connect(1, "live", "rtmp://origin-a/live"));
	m = dm->m;
	m.kept = m.len - 1;
	replay_client_message(&fx->r, &m, &dm->f, 1);
	assert_int_equal(fx->r.commands->len, 0);
	m.kept = m.len;
	replay_client_message(&fx->r, &m, &dm->f, 1);
	assert_int_equal(fx->r.commands->len, 1);

	dm = side_send(&s, 4, RTMP_DATA_AMF0, 1, 0, body_metadata(true));
	m = dm->m;
	m.kept = 10;
	replay_client_message(&fx->r, &m, &dm->f, 1);
	assert_null(fx->r.metadata);

	dm = side_send(&s, 6, RTMP_VIDEO, 1, 0,
	    body_bytes(avc_seq, sizeof(avc_seq)));
	m = dm->m;
	m.kept = 5;
	replay_client_message(&fx->r, &m, &dm->f, 1);
	assert_int_equal(fx->r.nconfigs, 0);

	dm = side_send(&s, 4, RTMP_AUDIO, 1, 0,
	    body_bytes(aac_seq, sizeof(aac_seq)));
	m = dm->m;
	m.kept = 2;
	replay_client_message(&fx->r, &m, &dm->f, 1);
	assert_int_equal(fx->r.nconfigs, 0);
	m.kept = m.len;
	replay_client_message(&fx->r, &m, &dm->f, 1);
	assert_int_equal(fx->r.nconfigs, 1);
	assert_int_equal(fx->r.configs[0].type, RTMP_AUDIO);
	side_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_splice_sends_c0c1_first),
		T(test_splice_c2_echoes_s1_then_connect),
		T(test_splice_handshake_byte_by_byte),
		T(test_splice_handshake_and_reply_in_one_read),
		T(test_splice_handshake_bad_version_fails),
		T(test_splice_replays_create_stream_and_play_on_new_msid),
		T(test_splice_swallows_replies_the_client_saw),
		T(test_splice_player_media_from_key_frame_on_client_msid),
		T(test_splice_player_timestamps_rebased_and_monotonic),
		T(test_splice_audio_behind_the_key_frame_stays_monotonic),
		T(test_splice_player_media_byte_by_byte),
		T(test_splice_answers_backend_ping),
		T(test_splice_play_error_fails_with_stream_error),
		T(test_splice_connect_error_fails_connect_rejected),
		T(test_splice_holds_client_commands_during_replay),
		T(test_splice_ready_maps_stream_ids_both_ways),
		T(test_splice_maps_buffer_empty_and_ready),
		T(test_splice_acknowledges_backend_window),
		T(test_splice_acknowledges_the_client_window),
		T(test_splice_no_client_window_no_acks),
		T(test_splice_publisher_sends_cache_before_key_frame),
		T(test_splice_publisher_multitrack_configs),
		cmocka_unit_test(test_partials_cut_in_the_first_chunk),
		cmocka_unit_test(test_partials_cut_in_a_later_chunk),
		cmocka_unit_test(test_partials_cut_at_a_chunk_boundary),
		cmocka_unit_test(test_partials_with_extended_timestamp),
		cmocka_unit_test(test_partials_two_streams),
		cmocka_unit_test(test_partials_inside_a_header_is_false),
		cmocka_unit_test(test_partials_none_is_true_and_empty),
		cmocka_unit_test(test_partials_bounded_by_wire_bytes),
		cmocka_unit_test(test_media_legacy_video),
		cmocka_unit_test(test_media_ex_video),
		cmocka_unit_test(test_media_audio),
		T(test_replay_learns_the_player_session),
		T(test_replay_learns_the_publisher_cache),
		T(test_replay_delete_stream_removes_it_and_its_commands),
		T(test_replay_stream_switches_keep_the_current_play),
		T(test_replay_commands_are_bounded),
		T(test_replay_cut_messages_are_not_cached),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
