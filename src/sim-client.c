/*
 * Simulated RTMP clients: see sim-client.h.
 *
 * One RTMP peer per client (rtmp-peer.c: a GSocket read by a source and
 * written by another while the kernel's buffer is full, the chunk writer).
 * The server's chunks go through the dissectors' demultiplexer; a message
 * is decoded into a field record and acted on (a _result moves the
 * commands along, onStatus starts the stream, a ping is answered).  A
 * publisher's frames come from a 10 ms timer that sends what is due by the
 * wall clock since Publish.Start, so that timestamps follow real time as an
 * encoder's do.
 *
 * Nothing is freed inside a demultiplexer callback: a client that must
 * end is marked, and the source callback that fed it closes it.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <gio/gio.h>

#include "chunk.h"
#include "field-record.h"
#include "handshake.h"
#include "message.h"
#include "origin.h"
#include "rtmp-encode.h"
#include "rtmp-peer.h"
#include "sim-client.h"

#define SIM_CHUNK_SIZE		4096U	/* a publisher's, as OBS sets it */
#define SIM_WINDOW		2500000U
#define SIM_BUFFER_MS		1000U	/* a player's Set Buffer Length */
#define MEDIA_TICK_MS		10
#define OUT_MAX			(2U * 1024U * 1024U)	/* then frames wait */

/* Chunk stream ids, as ffmpeg uses them. */
#define CSID_CONTROL		2
#define CSID_COMMAND		3
#define CSID_AUDIO		4
#define CSID_DATA		5
#define CSID_VIDEO		6
#define CSID_STREAM		8

#define TXN_CONNECT		1

/* The first byte of a video tag: frame type (high nibble), codec. */
#define VIDEO_FRAME_KEY		1
#define AVC_SEQUENCE_HEADER	0
#define AAC_SEQUENCE_HEADER	0

struct sim_client {
	enum sim_role		 role;
	char			 label[32];
	char			 host[64];
	uint16_t		 port;
	char			 app[64];
	char			 stream[128];
	char			 address[80];
	struct sim_client_stats	 st;

	struct rtmp_peer	 rtmp;
	GSource			*connect_src;	/* while connecting */
	char			 dead_why[128];

	uint8_t			 s0s1[1 + HANDSHAKE_BLOCK];
	size_t			 hs_have;	/* of S0 S1 S2 */

	double			 next_txn;
	double			 create_txn;
	uint32_t		 msid;		/* createStream's answer */

	/* A player's media clock. */
	gint64			 last_media_us;
	bool			 have_video_ts;

	/* A publisher's frames, due by the wall clock. */
	guint			 media_timer;
	gint64			 publish_us;
	struct origin_media_clock clock;
	uint32_t		 gop_base;	/* the frame a GOP began at */
	bool			 waiting_key;	/* frames were skipped */
};

static void sim_log(const struct sim_client *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
sim_log(const struct sim_client *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "rtmpscope: demo: %s: ", c->label);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Marks the client for closing; the first reason is the one kept. */
static void
sim_fail(struct sim_client *c, const char *why)
{
	if (!c->rtmp.dead)
		g_strlcpy(c->dead_why, why, sizeof(c->dead_why));
	c->rtmp.dead = true;
}

static void
sim_close(struct sim_client *c)
{
	if (c->connect_src != NULL) {
		g_source_destroy(c->connect_src);
		g_source_unref(c->connect_src);
		c->connect_src = NULL;
	}
	if (c->media_timer != 0) {
		g_source_remove(c->media_timer);
		c->media_timer = 0;
	}
	rtmp_peer_close(&c->rtmp);
	if (c->st.state != SIM_ENDED) {
		g_strlcpy(c->st.end, c->dead_why[0] != '\0' ? c->dead_why :
		    "closed", sizeof(c->st.end));
		if (c->st.state != SIM_IDLE)
			sim_log(c, "ended (%s): %" G_GUINT64_FORMAT
			    " video (%" G_GUINT64_FORMAT " key), %"
			    G_GUINT64_FORMAT " audio frames %s", c->st.end,
			    c->st.video, c->st.keyframes, c->st.audio,
			    c->role == SIM_PLAYER ? "received" : "sent");
		c->st.state = SIM_ENDED;
	}
}

/* ------------------------------------------------------------------ */
/* Sending                                                              */

/* A command: name, a new transaction id (or 0), a null command object. */
static GByteArray *
sim_command(struct sim_client *c, const char *name, double *txn)
{
	double t = 0;

	if (txn != NULL)
		t = *txn = c->next_txn++;
	return rtmp_command_begin(name, t);
}

/* A command on the connection (stream 0). */
static void
sim_send_command(struct sim_client *c, GByteArray *body)
{
	rtmp_peer_send(&c->rtmp, CSID_COMMAND, RTMP_COMMAND_AMF0, 0, 0, body);
}

/* releaseStream, FCPublish, FCUnpublish: name, 0, null, the stream. */
static void
sim_stream_command(struct sim_client *c, const char *name)
{
	GByteArray *b = sim_command(c, name, NULL);

	enc_amf0_null(b);
	enc_amf0_string(b, c->stream);
	sim_send_command(c, b);
}

static void
send_connect(struct sim_client *c)
{
	g_autofree char *tc_url = g_strdup_printf("rtmp://%s:%u/%s", c->host,
	    c->port, c->app);
	GByteArray *b;
	double txn;

	c->next_txn = TXN_CONNECT;
	b = sim_command(c, "connect", &txn);
	enc_amf0_object_begin(b);
	enc_amf0_prop_string(b, "app", c->app);
	if (c->role == SIM_PUBLISHER) {
		enc_amf0_prop_string(b, "type", "nonprivate");
		enc_amf0_prop_string(b, "flashVer",
		    "FMLE/3.0 (compatible; rtmpscope demo)");
		enc_amf0_prop_string(b, "tcUrl", tc_url);
	} else {
		enc_amf0_prop_string(b, "flashVer", "LNX 9,0,124,2");
		enc_amf0_prop_string(b, "tcUrl", tc_url);
		enc_amf0_prop_bool(b, "fpad", false);
		enc_amf0_prop_number(b, "capabilities", 15);
		enc_amf0_prop_number(b, "audioCodecs", 4071);
		enc_amf0_prop_number(b, "videoCodecs", 252);
		enc_amf0_prop_number(b, "videoFunction", 1);
	}
	enc_amf0_object_end(b);
	sim_send_command(c, b);
}

/* After connect's _result: the window, then the stream. */
static void
send_create_stream(struct sim_client *c)
{
	GByteArray *b;

	rtmp_peer_control(&c->rtmp, RTMP_WINDOW_ACK_SIZE, SIM_WINDOW);
	if (c->role == SIM_PUBLISHER) {
		sim_stream_command(c, "releaseStream");
		sim_stream_command(c, "FCPublish");
	}
	b = sim_command(c, "createStream", &c->create_txn);
	enc_amf0_null(b);
	sim_send_command(c, b);
}

/* Set Buffer Length (user control 3): stream id, then milliseconds. */
static void
send_buffer_length(struct sim_client *c)
{
	uint8_t body[10] = { 0, RTMP_UC_SET_BUFFER_LENGTH,
	    (uint8_t)(c->msid >> 24), (uint8_t)(c->msid >> 16),
	    (uint8_t)(c->msid >> 8), (uint8_t)c->msid,
	    (uint8_t)(SIM_BUFFER_MS >> 24), (uint8_t)(SIM_BUFFER_MS >> 16),
	    (uint8_t)(SIM_BUFFER_MS >> 8), (uint8_t)SIM_BUFFER_MS };

	(void)chunk_writer_message(&c->rtmp.w, c->rtmp.out, CSID_CONTROL,
	    RTMP_USER_CONTROL, 0, 0, body, sizeof(body));
}

/* After createStream's _result: play or publish on the new stream. */
static void
send_start(struct sim_client *c)
{
	GByteArray *b;

	if (c->role == SIM_PLAYER) {
		b = sim_command(c, "play", NULL);
		enc_amf0_null(b);
		enc_amf0_string(b, c->stream);
		enc_amf0_number(b, -2000);	/* live, else recorded */
		rtmp_peer_send(&c->rtmp, CSID_STREAM, RTMP_COMMAND_AMF0,
		    c->msid, 0, b);
		send_buffer_length(c);
	} else {
		b = sim_command(c, "publish", NULL);
		enc_amf0_null(b);
		enc_amf0_string(b, c->stream);
		enc_amf0_string(b, "live");
		rtmp_peer_send(&c->rtmp, CSID_STREAM, RTMP_COMMAND_AMF0,
		    c->msid, 0, b);
	}
}

/* ------------------------------------------------------------------ */
/* A publisher's media                                                  */

/* @setDataFrame onMetaData, then the AVC and AAC sequence headers. */
static void
send_stream_head(struct sim_client *c)
{
	GByteArray *b = g_byte_array_new();

	enc_amf0_string(b, "@setDataFrame");
	origin_media_metadata(b);
	rtmp_peer_send(&c->rtmp, CSID_DATA, RTMP_DATA_AMF0, c->msid, 0, b);
	b = g_byte_array_new();
	origin_media_video_config(b);
	rtmp_peer_send(&c->rtmp, CSID_VIDEO, RTMP_VIDEO, c->msid, 0, b);
	b = g_byte_array_new();
	origin_media_audio_config(b);
	rtmp_peer_send(&c->rtmp, CSID_AUDIO, RTMP_AUDIO, c->msid, 0, b);
}

static void
send_video(struct sim_client *c, uint32_t n)
{
	GByteArray *b = g_byte_array_new();
	uint32_t index = (n - c->gop_base) % ORIGIN_GOP;

	origin_media_video_frame(b, index, n / ORIGIN_GOP);
	rtmp_peer_send(&c->rtmp, CSID_VIDEO, RTMP_VIDEO, c->msid,
	    origin_media_video_ts(n), b);
	c->st.video++;
	if (index == 0)
		c->st.keyframes++;
}

static void
send_audio(struct sim_client *c, uint32_t n)
{
	GByteArray *b = g_byte_array_new();

	origin_media_audio_frame(b);
	rtmp_peer_send(&c->rtmp, CSID_AUDIO, RTMP_AUDIO, c->msid,
	    origin_media_audio_ts(n), b);
	c->st.audio++;
}

/*
 * Sends the frames due by now, in timestamp order.  While the socket does
 * not take what is queued (the proxy is not reading), frames are skipped,
 * as an encoder drops them; video starts again from a key frame.
 */
static gboolean
sim_media(gpointer data)
{
	struct sim_client *c = data;
	uint32_t now_ms, n;
	bool full, video;

	now_ms = (uint32_t)((g_get_monotonic_time() - c->publish_us) / 1000);
	full = rtmp_peer_pending(&c->rtmp) > OUT_MAX;
	while (origin_media_next(&c->clock, now_ms, &video, &n)) {
		if (full) {
			c->st.skipped++;
			if (video)
				c->waiting_key = true;
		} else if (video) {
			if (c->waiting_key) {
				c->gop_base = n;
				c->waiting_key = false;
			}
			send_video(c, n);
		} else
			send_audio(c, n);
	}
	rtmp_peer_flush(&c->rtmp);
	if (c->rtmp.dead) {
		c->media_timer = 0;
		sim_close(c);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------ */
/* What the server sends                                                */

/* A player's media: counted, its clock and gaps followed. */
static void
on_media(void *ctx, const struct rtmp_message *m)
{
	struct sim_client *c = ctx;
	gint64 now = g_get_monotonic_time();
	double gap;

	if (c->role != SIM_PLAYER || m->kept < 2)
		return;
	if (m->type == RTMP_VIDEO) {
		/* AVC sequence headers (and E-RTMP's) are not frames. */
		if ((m->body[0] & 0x0f) == 7 &&
		    m->body[1] == AVC_SEQUENCE_HEADER)
			return;
		c->st.video++;
		if ((m->body[0] >> 4) == VIDEO_FRAME_KEY)
			c->st.keyframes++;
		if (c->have_video_ts && m->ts < c->st.video_ts)
			c->st.ts_backwards++;
		c->st.video_ts = m->ts;
		c->have_video_ts = true;
	} else {
		if ((m->body[0] >> 4) == 10 && m->body[1] == AAC_SEQUENCE_HEADER)
			return;
		c->st.audio++;
	}
	if (c->last_media_us != 0) {
		gap = (double)(now - c->last_media_us) / 1000.0;
		if (gap > c->st.longest_gap_ms)
			c->st.longest_gap_ms = gap;
	}
	c->last_media_us = now;
}

static bool
name_is(const char *name, size_t len, const char *want)
{
	return name != NULL && strlen(want) == len &&
	    memcmp(name, want, len) == 0;
}

static void
on_status(struct sim_client *c)
{
	const struct field_record *f = &c->rtmp.fields;
	const char *code, *level;
	size_t clen, llen;

	if ((code = field_record_string(f, "code", &clen)) == NULL)
		return;
	level = field_record_string(f, "level", &llen);
	g_strlcpy(c->st.status, code, MIN(clen + 1, sizeof(c->st.status)));
	sim_log(c, "onStatus %s", c->st.status);
	if (name_is(level, llen, "error")) {
		sim_fail(c, c->st.status);
		return;
	}
	if (c->st.state != SIM_COMMANDS)
		return;
	if (c->role == SIM_PLAYER &&
	    name_is(code, clen, "NetStream.Play.Start")) {
		c->st.state = SIM_STREAMING;
	} else if (c->role == SIM_PUBLISHER &&
	    name_is(code, clen, "NetStream.Publish.Start")) {
		c->st.state = SIM_STREAMING;
		send_stream_head(c);
		c->publish_us = g_get_monotonic_time();
		c->media_timer = g_timeout_add(MEDIA_TICK_MS, sim_media, c);
	}
}

static void
on_command(struct sim_client *c)
{
	const struct field_record *f = &c->rtmp.fields;
	const char *name;
	size_t len;
	double txn = 0, v;

	if ((name = field_record_string(f, "name", &len)) == NULL)
		return;
	(void)field_record_number(f, "txn", &txn);
	if (name_is(name, len, "_error") && (txn == TXN_CONNECT ||
	    txn == c->create_txn)) {
		sim_fail(c, txn == TXN_CONNECT ? "connect rejected" :
		    "createStream failed");
	} else if (name_is(name, len, "_result") && txn == TXN_CONNECT) {
		send_create_stream(c);
	} else if (name_is(name, len, "_result") && txn == c->create_txn &&
	    c->msid == 0) {
		if (!field_record_number(f, "value", &v) || v < 1 ||
		    v > 0xffffff) {
			sim_fail(c, "createStream gave no stream id");
			return;
		}
		c->msid = (uint32_t)v;
		send_start(c);
	} else if (name_is(name, len, "onStatus")) {
		on_status(c);
	}
}

/* Decoded into c->rtmp.fields (a Window Ack Size is the peer's). */
static void
sim_demux_message(void *ctx, const struct rtmp_message *m)
{
	struct sim_client *c = ctx;
	uint32_t ts;

	switch (m->type) {
	case RTMP_COMMAND_AMF0:
	case RTMP_COMMAND_AMF3:
		on_command(c);
		break;
	case RTMP_USER_CONTROL:
		if (rtmp_peer_ping_request(&c->rtmp, &ts))
			rtmp_peer_user_control(&c->rtmp,
			    RTMP_UC_PING_RESPONSE, ts);
		break;
	default:
		break;
	}
}

static void
sim_demux_event(void *ctx, enum chunk_event ev, uint64_t value)
{
	struct sim_client *c = ctx;

	if (ev == CHUNK_EV_MALFORMED || ev == CHUNK_EV_RESYNC)
		sim_log(c, "the server's chunk stream %s (%" G_GUINT64_FORMAT
		    ")", ev == CHUNK_EV_MALFORMED ? "is malformed" :
		    "resynchronised", value);
}

static void sim_input(void *, const uint8_t *, size_t);
static void sim_end(void *, enum rtmp_peer_end, const char *);
static void sim_close_cb(void *);

static const struct rtmp_peer_ops sim_peer_ops = {
	sim_input,
	on_media,
	sim_demux_message,
	sim_demux_event,
	sim_end,
	sim_close_cb,
};

/* C2 echoes S1 (its time, then ours); then connect. */
static void
sim_handshake_done(struct sim_client *c)
{
	const uint8_t *s1 = c->s0s1 + 1;
	uint32_t t = (uint32_t)(g_get_monotonic_time() / 1000);
	uint8_t c2[HANDSHAKE_BLOCK];

	memcpy(c2, s1, HANDSHAKE_BLOCK);
	c2[4] = (uint8_t)(t >> 24);
	c2[5] = (uint8_t)(t >> 16);
	c2[6] = (uint8_t)(t >> 8);
	c2[7] = (uint8_t)t;
	g_byte_array_append(c->rtmp.out, c2, sizeof(c2));
	rtmp_peer_demux_start(&c->rtmp);
	c->st.state = SIM_COMMANDS;
	if (c->role == SIM_PUBLISHER) {
		rtmp_peer_control(&c->rtmp, RTMP_SET_CHUNK_SIZE,
		    SIM_CHUNK_SIZE);
		chunk_writer_set_chunk_size(&c->rtmp.w, SIM_CHUNK_SIZE);
	}
	send_connect(c);
}

/* Received bytes, by phase: S0 S1 S2, then chunks. */
static void
sim_input(void *ctx, const uint8_t *p, size_t n)
{
	struct sim_client *c = ctx;
	size_t take;

	c->st.bytes_in += n;
	if (c->st.state == SIM_HANDSHAKE) {
		/* S0 and S1 are kept; S2 (our C1 echoed) is passed over. */
		take = MIN(n, HANDSHAKE_LEN - c->hs_have);
		if (c->hs_have < sizeof(c->s0s1))
			memcpy(c->s0s1 + c->hs_have, p,
			    MIN(take, sizeof(c->s0s1) - c->hs_have));
		c->hs_have += take;
		p += take;
		n -= take;
		if (c->s0s1[0] != HANDSHAKE_VERSION_PLAIN) {
			sim_fail(c, "the server's handshake is not plain RTMP");
			return;
		}
		if (c->hs_have < HANDSHAKE_LEN)
			return;
		sim_handshake_done(c);
	}
	if (n > 0 && c->rtmp.demux_ready)
		rtmp_peer_feed(&c->rtmp, p, n);
}

/* Why the connection ends: the client's end reason. */
static void
sim_end(void *ctx, enum rtmp_peer_end why, const char *message)
{
	struct sim_client *c = ctx;

	switch (why) {
	case RTMP_PEER_RECEIVE_ERROR:
	case RTMP_PEER_SEND_ERROR:
		sim_fail(c, message);
		break;
	case RTMP_PEER_EOF:
		sim_fail(c, "closed by the server");
		break;
	case RTMP_PEER_UNREAD:	/* no out_max: frames are skipped */
		sim_fail(c, "the server does not read");
		break;
	case RTMP_PEER_DRAINED:
		sim_fail(c, "stopped");
		break;
	}
}

static void
sim_close_cb(void *ctx)
{
	sim_close(ctx);
}

/* ------------------------------------------------------------------ */
/* Connecting                                                           */

/* C0 C1: version 3, our time, zero, random bytes. */
static void
send_c0c1(struct sim_client *c)
{
	uint8_t c1[HANDSHAKE_BLOCK];

	rtmp_handshake_block(c1, (uint32_t)(g_get_monotonic_time() / 1000));
	g_byte_array_append(c->rtmp.out, (const guint8 *)"\x03", 1);
	g_byte_array_append(c->rtmp.out, c1, sizeof(c1));
}

static void
sim_connected(struct sim_client *c)
{
	g_autoptr(GSocketAddress) local = NULL;
	g_autofree char *ip = NULL;
	GInetSocketAddress *isa;

	if ((local = g_socket_get_local_address(c->rtmp.sock, NULL)) != NULL &&
	    G_IS_INET_SOCKET_ADDRESS(local)) {
		isa = G_INET_SOCKET_ADDRESS(local);
		ip = g_inet_address_to_string(
		    g_inet_socket_address_get_address(isa));
		snprintf(c->address, sizeof(c->address), strchr(ip, ':') !=
		    NULL ? "[%s]:%u" : "%s:%u", ip,
		    g_inet_socket_address_get_port(isa));
	}
	c->st.state = SIM_HANDSHAKE;
	rtmp_peer_attach(&c->rtmp);
	sim_log(c, "connected from %s, %s %s/%s", c->address,
	    c->role == SIM_PLAYER ? "playing" : "publishing", c->app,
	    c->stream);
	send_c0c1(c);
	rtmp_peer_flush(&c->rtmp);
}

/* The non-blocking connect has finished, one way or the other. */
static gboolean
sim_connect_ready(GSocket *sock, GIOCondition cond, gpointer data)
{
	g_autoptr(GError) err = NULL;
	struct sim_client *c = data;

	(void)cond;
	g_source_unref(c->connect_src);
	c->connect_src = NULL;
	if (!g_socket_check_connect_result(sock, &err)) {
		sim_fail(c, err->message);
		sim_close(c);
		return G_SOURCE_REMOVE;
	}
	sim_connected(c);
	if (c->rtmp.dead)
		sim_close(c);
	return G_SOURCE_REMOVE;
}

void
sim_client_start(struct sim_client *c)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GInetAddress) ip = NULL;
	g_autoptr(GSocketAddress) sa = NULL;

	if (c->st.state != SIM_IDLE)
		return;
	c->st.state = SIM_CONNECTING;
	if ((ip = g_inet_address_new_from_string(c->host)) == NULL) {
		sim_fail(c, "not an IP address");
		sim_close(c);
		return;
	}
	sa = g_inet_socket_address_new(ip, c->port);
	c->rtmp.sock = g_socket_new(g_socket_address_get_family(sa),
	    G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &err);
	if (c->rtmp.sock == NULL) {
		sim_fail(c, err->message);
		sim_close(c);
		return;
	}
	g_socket_set_blocking(c->rtmp.sock, FALSE);
	if (g_socket_connect(c->rtmp.sock, sa, NULL, &err)) {
		sim_connected(c);
		if (c->rtmp.dead)
			sim_close(c);
		return;
	}
	if (!g_error_matches(err, G_IO_ERROR, G_IO_ERROR_PENDING)) {
		sim_fail(c, err->message);
		sim_close(c);
		return;
	}
	c->connect_src = g_socket_create_source(c->rtmp.sock, G_IO_OUT, NULL);
	g_source_set_callback(c->connect_src, (GSourceFunc)(void (*)(void))
	    sim_connect_ready, c, NULL);
	g_source_attach(c->connect_src, NULL);
}

void
sim_client_stop(struct sim_client *c)
{
	GByteArray *b;

	if (c->st.state == SIM_IDLE || c->st.state == SIM_CONNECTING) {
		sim_fail(c, "stopped");
		sim_close(c);
		return;
	}
	if (c->st.state == SIM_ENDED || c->rtmp.closing)
		return;
	if (c->media_timer != 0) {
		g_source_remove(c->media_timer);
		c->media_timer = 0;
	}
	if (c->msid != 0 && c->rtmp.demux_ready) {
		if (c->role == SIM_PUBLISHER)
			sim_stream_command(c, "FCUnpublish");
		b = sim_command(c, "deleteStream", NULL);
		enc_amf0_null(b);
		enc_amf0_number(b, c->msid);
		sim_send_command(c, b);
	}
	c->rtmp.closing = true;
	rtmp_peer_flush(&c->rtmp);
	if (c->rtmp.dead)
		sim_close(c);
}

struct sim_client *
sim_client_new(enum sim_role role, const char *label, const char *host,
    uint16_t port, const char *app, const char *stream)
{
	struct sim_client *c = g_new0(struct sim_client, 1);

	c->role = role;
	g_strlcpy(c->label, label, sizeof(c->label));
	g_strlcpy(c->host, host, sizeof(c->host));
	c->port = port;
	g_strlcpy(c->app, app, sizeof(c->app));
	g_strlcpy(c->stream, stream, sizeof(c->stream));
	rtmp_peer_init(&c->rtmp, &sim_peer_ops, c);
	c->rtmp.sent_count = &c->st.bytes_out;
	c->st.state = SIM_IDLE;
	return c;
}

enum sim_role
sim_client_role(const struct sim_client *c)
{
	return c->role;
}

const char *
sim_client_label(const struct sim_client *c)
{
	return c->label;
}

const char *
sim_client_address(const struct sim_client *c)
{
	return c->address;
}

const struct sim_client_stats *
sim_client_get_stats(const struct sim_client *c)
{
	return &c->st;
}

void
sim_client_free(struct sim_client *c)
{
	if (c == NULL)
		return;
	/* Quietly: the caller has told what it did. */
	c->st.state = SIM_ENDED;
	sim_close(c);
	rtmp_peer_clear(&c->rtmp);
	g_free(c);
}
