/*
 * Simulated RTMP clients: see sim-client.h.
 *
 * One GSocket per client, read by a GSocket source (and written by another
 * while the kernel's buffer is full).  The server's chunks go through the
 * dissectors' demultiplexer; a message is decoded into a field record and
 * acted on (a _result moves the commands along, onStatus starts the
 * stream, a ping is answered).  A publisher's frames come from a 10 ms
 * timer that sends what is due by the wall clock since Publish.Start, so
 * that timestamps follow real time as an encoder's do.
 *
 * Nothing is freed inside a demultiplexer callback: a client that must
 * end is marked, and the source callback that fed it closes it.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

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
#include "sim-client.h"

#define SIM_CHUNK_SIZE		4096U	/* a publisher's, as OBS sets it */
#define SIM_WINDOW		2500000U
#define SIM_BUFFER_MS		1000U	/* a player's Set Buffer Length */
#define MEDIA_TICK_MS		10
#define OUT_MAX			(2U * 1024U * 1024U)	/* then frames wait */
#define READ_BUF		16384

/* Chunk stream ids, as ffmpeg uses them. */
#define CSID_CONTROL		2
#define CSID_COMMAND		3
#define CSID_AUDIO		4
#define CSID_DATA		5
#define CSID_VIDEO		6
#define CSID_STREAM		8

#define UC_SET_BUFFER_LENGTH	3
#define UC_PING_REQUEST		6
#define UC_PING_RESPONSE	7

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

	GSocket			*sock;
	GSource			*in_src;
	GSource			*out_src;
	GByteArray		*out;
	guint			 out_pos;
	bool			 closing;	/* close once out is sent */
	bool			 dead;		/* close when it is safe */
	char			 dead_why[128];

	uint8_t			 s0s1[1 + HANDSHAKE_BLOCK];
	size_t			 hs_have;	/* of S0 S1 S2 */

	struct chunk_demux	 demux;
	bool			 demux_ready;
	struct field_record	 fields;
	struct chunk_writer	 w;
	uint32_t		 server_window;
	uint64_t		 acked;

	double			 next_txn;
	double			 create_txn;
	uint32_t		 msid;		/* createStream's answer */

	/* A player's media clock. */
	gint64			 last_media_us;
	bool			 have_video_ts;

	/* A publisher's frames, due by the wall clock. */
	guint			 media_timer;
	gint64			 publish_us;
	uint32_t		 vframes;	/* due so far, sent or not */
	uint32_t		 aframes;
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
	if (!c->dead)
		g_strlcpy(c->dead_why, why, sizeof(c->dead_why));
	c->dead = true;
}

static void
sim_close(struct sim_client *c)
{
	if (c->in_src != NULL) {
		g_source_destroy(c->in_src);
		g_source_unref(c->in_src);
		c->in_src = NULL;
	}
	if (c->out_src != NULL) {
		g_source_destroy(c->out_src);
		g_source_unref(c->out_src);
		c->out_src = NULL;
	}
	if (c->media_timer != 0) {
		g_source_remove(c->media_timer);
		c->media_timer = 0;
	}
	if (c->sock != NULL) {
		g_socket_close(c->sock, NULL);
		g_object_unref(c->sock);
		c->sock = NULL;
	}
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

static gboolean sim_writable(GSocket *, GIOCondition, gpointer);

/* Sends what is queued; the rest waits for the socket to be writable. */
static void
sim_flush(struct sim_client *c)
{
	g_autoptr(GError) err = NULL;
	gssize n;

	if (c->sock == NULL || c->dead)
		return;
	while (c->out_pos < c->out->len) {
		n = g_socket_send(c->sock,
		    (const gchar *)c->out->data + c->out_pos,
		    c->out->len - c->out_pos, NULL, &err);
		if (n < 0) {
			if (g_error_matches(err, G_IO_ERROR,
			    G_IO_ERROR_WOULD_BLOCK))
				break;
			sim_fail(c, err->message);
			return;
		}
		c->out_pos += (guint)n;
		c->st.bytes_out += (uint64_t)n;
	}
	if (c->out_pos == c->out->len) {
		g_byte_array_set_size(c->out, 0);
		c->out_pos = 0;
		if (c->out_src != NULL) {
			g_source_destroy(c->out_src);
			g_source_unref(c->out_src);
			c->out_src = NULL;
		}
		if (c->closing)
			sim_fail(c, "stopped");
		return;
	}
	if (c->out_src == NULL) {
		c->out_src = g_socket_create_source(c->sock, G_IO_OUT, NULL);
		g_source_set_callback(c->out_src, (GSourceFunc)(void (*)(void))
		    sim_writable, c, NULL);
		g_source_attach(c->out_src, NULL);
	}
}

static gboolean
sim_writable(GSocket *sock, GIOCondition cond, gpointer data)
{
	struct sim_client *c = data;

	(void)sock;
	(void)cond;
	sim_flush(c);
	if (c->dead) {
		sim_close(c);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

/* Bytes queued and not yet taken by the kernel. */
static guint
sim_pending(const struct sim_client *c)
{
	return c->out->len - c->out_pos;
}

static void
sim_message(struct sim_client *c, uint32_t csid, uint8_t type, uint32_t msid,
    uint32_t ts, GByteArray *body)
{
	(void)chunk_writer_message(&c->w, c->out, csid, type, msid, ts,
	    body->data, body->len);
	g_byte_array_unref(body);
}

/* A command: name, a new transaction id (or 0), a null command object. */
static GByteArray *
sim_command(struct sim_client *c, const char *name, double *txn)
{
	GByteArray *b = g_byte_array_new();
	double t = 0;

	if (txn != NULL)
		t = *txn = c->next_txn++;
	enc_amf0_string(b, name);
	enc_amf0_number(b, t);
	return b;
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
	sim_message(c, CSID_COMMAND, RTMP_COMMAND_AMF0, 0, 0, b);
}

/* After connect's _result: the window, then the stream. */
static void
send_create_stream(struct sim_client *c)
{
	GByteArray *b;

	chunk_writer_control(&c->w, c->out, RTMP_WINDOW_ACK_SIZE, SIM_WINDOW);
	if (c->role == SIM_PUBLISHER) {
		b = sim_command(c, "releaseStream", NULL);
		enc_amf0_null(b);
		enc_amf0_string(b, c->stream);
		sim_message(c, CSID_COMMAND, RTMP_COMMAND_AMF0, 0, 0, b);
		b = sim_command(c, "FCPublish", NULL);
		enc_amf0_null(b);
		enc_amf0_string(b, c->stream);
		sim_message(c, CSID_COMMAND, RTMP_COMMAND_AMF0, 0, 0, b);
	}
	b = sim_command(c, "createStream", &c->create_txn);
	enc_amf0_null(b);
	sim_message(c, CSID_COMMAND, RTMP_COMMAND_AMF0, 0, 0, b);
}

/* Set Buffer Length (user control 3): stream id, then milliseconds. */
static void
send_buffer_length(struct sim_client *c)
{
	uint8_t body[10] = { 0, UC_SET_BUFFER_LENGTH,
	    (uint8_t)(c->msid >> 24), (uint8_t)(c->msid >> 16),
	    (uint8_t)(c->msid >> 8), (uint8_t)c->msid,
	    (uint8_t)(SIM_BUFFER_MS >> 24), (uint8_t)(SIM_BUFFER_MS >> 16),
	    (uint8_t)(SIM_BUFFER_MS >> 8), (uint8_t)SIM_BUFFER_MS };

	(void)chunk_writer_message(&c->w, c->out, CSID_CONTROL,
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
		sim_message(c, CSID_STREAM, RTMP_COMMAND_AMF0, c->msid, 0, b);
		send_buffer_length(c);
	} else {
		b = sim_command(c, "publish", NULL);
		enc_amf0_null(b);
		enc_amf0_string(b, c->stream);
		enc_amf0_string(b, "live");
		sim_message(c, CSID_STREAM, RTMP_COMMAND_AMF0, c->msid, 0, b);
	}
}

/* ------------------------------------------------------------------ */
/* A publisher's media                                                  */

/* Frame n's timestamp: video every 40 ms, AAC every 1024 samples. */
static uint32_t
video_ts(uint32_t n)
{
	return n * ORIGIN_FRAME_MS;
}

static uint32_t
audio_ts(uint32_t n)
{
	return (uint32_t)((uint64_t)n * ORIGIN_AUDIO_SAMPLES * 1000 /
	    ORIGIN_AUDIO_RATE);
}

/* @setDataFrame onMetaData, then the AVC and AAC sequence headers. */
static void
send_stream_head(struct sim_client *c)
{
	GByteArray *b = g_byte_array_new();

	enc_amf0_string(b, "@setDataFrame");
	origin_media_metadata(b);
	sim_message(c, CSID_DATA, RTMP_DATA_AMF0, c->msid, 0, b);
	b = g_byte_array_new();
	origin_media_video_config(b);
	sim_message(c, CSID_VIDEO, RTMP_VIDEO, c->msid, 0, b);
	b = g_byte_array_new();
	origin_media_audio_config(b);
	sim_message(c, CSID_AUDIO, RTMP_AUDIO, c->msid, 0, b);
}

static void
send_video(struct sim_client *c, uint32_t n)
{
	GByteArray *b = g_byte_array_new();
	uint32_t index = (n - c->gop_base) % ORIGIN_GOP;

	origin_media_video_frame(b, index, n / ORIGIN_GOP);
	sim_message(c, CSID_VIDEO, RTMP_VIDEO, c->msid, video_ts(n), b);
	c->st.video++;
	if (index == 0)
		c->st.keyframes++;
}

static void
send_audio(struct sim_client *c, uint32_t n)
{
	GByteArray *b = g_byte_array_new();

	origin_media_audio_frame(b);
	sim_message(c, CSID_AUDIO, RTMP_AUDIO, c->msid, audio_ts(n), b);
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
	uint32_t now_ms, vts, ats;
	bool full;

	now_ms = (uint32_t)((g_get_monotonic_time() - c->publish_us) / 1000);
	full = sim_pending(c) > OUT_MAX;
	for (;;) {
		vts = video_ts(c->vframes);
		ats = audio_ts(c->aframes);
		if (vts > now_ms && ats > now_ms)
			break;
		if (vts <= ats) {
			if (full) {
				c->st.skipped++;
				c->waiting_key = true;
			} else {
				if (c->waiting_key) {
					c->gop_base = c->vframes;
					c->waiting_key = false;
				}
				send_video(c, c->vframes);
			}
			c->vframes++;
		} else {
			if (full)
				c->st.skipped++;
			else
				send_audio(c, c->aframes);
			c->aframes++;
		}
	}
	sim_flush(c);
	if (c->dead) {
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
on_media(struct sim_client *c, const struct rtmp_message *m)
{
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
	const char *code, *level;
	size_t clen, llen;

	if ((code = field_record_string(&c->fields, "code", &clen)) == NULL)
		return;
	level = field_record_string(&c->fields, "level", &llen);
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
	const char *name;
	size_t len;
	double txn = 0, v;

	if ((name = field_record_string(&c->fields, "name", &len)) == NULL)
		return;
	(void)field_record_number(&c->fields, "txn", &txn);
	if (name_is(name, len, "_error") && (txn == TXN_CONNECT ||
	    txn == c->create_txn)) {
		sim_fail(c, txn == TXN_CONNECT ? "connect rejected" :
		    "createStream failed");
	} else if (name_is(name, len, "_result") && txn == TXN_CONNECT) {
		send_create_stream(c);
	} else if (name_is(name, len, "_result") && txn == c->create_txn &&
	    c->msid == 0) {
		if (!field_record_number(&c->fields, "value", &v) || v < 1 ||
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

static void
sim_demux_message(void *ctx, const struct rtmp_message *m)
{
	struct sim_client *c = ctx;
	double v, ts;

	if (c->dead || c->closing)
		return;
	if (m->type == RTMP_AUDIO || m->type == RTMP_VIDEO) {
		on_media(c, m);
		return;
	}
	field_record_clear(&c->fields);
	if (msg_decode(m, &c->fields.sink) != MSG_OK)
		return;
	switch (m->type) {
	case RTMP_COMMAND_AMF0:
	case RTMP_COMMAND_AMF3:
		on_command(c);
		break;
	case RTMP_WINDOW_ACK_SIZE:
		if (field_record_number(&c->fields, "window", &v))
			c->server_window = (uint32_t)v;
		break;
	case RTMP_USER_CONTROL:
		if (field_record_number(&c->fields, "event", &v) &&
		    v == UC_PING_REQUEST &&
		    field_record_number(&c->fields, "ping_ts", &ts))
			chunk_writer_user_control(&c->w, c->out,
			    UC_PING_RESPONSE, (uint32_t)ts);
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

static const struct chunk_demux_ops sim_demux_ops = {
	sim_demux_message,
	sim_demux_event,
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
	g_byte_array_append(c->out, c2, sizeof(c2));
	chunk_demux_init(&c->demux, &sim_demux_ops, c);
	c->demux_ready = true;
	c->st.state = SIM_COMMANDS;
	if (c->role == SIM_PUBLISHER) {
		chunk_writer_control(&c->w, c->out, RTMP_SET_CHUNK_SIZE,
		    SIM_CHUNK_SIZE);
		chunk_writer_set_chunk_size(&c->w, SIM_CHUNK_SIZE);
	}
	send_connect(c);
}

/* Received bytes, by phase: S0 S1 S2, then chunks. */
static void
sim_input(struct sim_client *c, const uint8_t *p, size_t n)
{
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
	if (n > 0 && c->demux_ready)
		chunk_demux_feed(&c->demux, p, n);
	/* Acknowledge as the server's window asks. */
	if (c->server_window > 0 &&
	    c->st.bytes_in - c->acked >= c->server_window) {
		c->acked = c->st.bytes_in;
		chunk_writer_control(&c->w, c->out, RTMP_ACK,
		    (uint32_t)c->st.bytes_in);
	}
}

static gboolean
sim_readable(GSocket *sock, GIOCondition cond, gpointer data)
{
	struct sim_client *c = data;
	uint8_t buf[READ_BUF];
	gssize n;

	(void)cond;
	while (!c->dead) {
		g_autoptr(GError) err = NULL;

		n = g_socket_receive(sock, (gchar *)buf, sizeof(buf), NULL,
		    &err);
		if (n < 0) {
			if (!g_error_matches(err, G_IO_ERROR,
			    G_IO_ERROR_WOULD_BLOCK))
				sim_fail(c, err->message);
			break;
		}
		if (n == 0) {
			sim_fail(c, "closed by the server");
			break;
		}
		sim_input(c, buf, (size_t)n);
	}
	sim_flush(c);
	if (c->dead) {
		sim_close(c);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------ */
/* Connecting                                                           */

/* C0 C1: version 3, our time, zero, random bytes. */
static void
send_c0c1(struct sim_client *c)
{
	uint8_t c1[HANDSHAKE_BLOCK];
	uint32_t t = (uint32_t)(g_get_monotonic_time() / 1000), i;

	c1[0] = (uint8_t)(t >> 24);
	c1[1] = (uint8_t)(t >> 16);
	c1[2] = (uint8_t)(t >> 8);
	c1[3] = (uint8_t)t;
	memset(c1 + 4, 0, 4);
	for (i = 8; i < HANDSHAKE_BLOCK; i++)
		c1[i] = (uint8_t)g_random_int_range(0, 256);
	g_byte_array_append(c->out, (const guint8 *)"\x03", 1);
	g_byte_array_append(c->out, c1, sizeof(c1));
}

static void
sim_connected(struct sim_client *c)
{
	g_autoptr(GSocketAddress) local = NULL;
	g_autofree char *ip = NULL;
	GInetSocketAddress *isa;

	if ((local = g_socket_get_local_address(c->sock, NULL)) != NULL &&
	    G_IS_INET_SOCKET_ADDRESS(local)) {
		isa = G_INET_SOCKET_ADDRESS(local);
		ip = g_inet_address_to_string(
		    g_inet_socket_address_get_address(isa));
		snprintf(c->address, sizeof(c->address), strchr(ip, ':') !=
		    NULL ? "[%s]:%u" : "%s:%u", ip,
		    g_inet_socket_address_get_port(isa));
	}
	(void)g_socket_set_option(c->sock, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
	c->st.state = SIM_HANDSHAKE;
	c->in_src = g_socket_create_source(c->sock, G_IO_IN | G_IO_HUP |
	    G_IO_ERR, NULL);
	g_source_set_callback(c->in_src, (GSourceFunc)(void (*)(void))
	    sim_readable, c, NULL);
	g_source_attach(c->in_src, NULL);
	sim_log(c, "connected from %s, %s %s/%s", c->address,
	    c->role == SIM_PLAYER ? "playing" : "publishing", c->app,
	    c->stream);
	send_c0c1(c);
	sim_flush(c);
}

/* The non-blocking connect has finished, one way or the other. */
static gboolean
sim_connect_ready(GSocket *sock, GIOCondition cond, gpointer data)
{
	g_autoptr(GError) err = NULL;
	struct sim_client *c = data;

	(void)cond;
	g_source_unref(c->out_src);
	c->out_src = NULL;
	if (!g_socket_check_connect_result(sock, &err)) {
		sim_fail(c, err->message);
		sim_close(c);
		return G_SOURCE_REMOVE;
	}
	sim_connected(c);
	if (c->dead)
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
	c->sock = g_socket_new(g_socket_address_get_family(sa),
	    G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &err);
	if (c->sock == NULL) {
		sim_fail(c, err->message);
		sim_close(c);
		return;
	}
	g_socket_set_blocking(c->sock, FALSE);
	if (g_socket_connect(c->sock, sa, NULL, &err)) {
		sim_connected(c);
		if (c->dead)
			sim_close(c);
		return;
	}
	if (!g_error_matches(err, G_IO_ERROR, G_IO_ERROR_PENDING)) {
		sim_fail(c, err->message);
		sim_close(c);
		return;
	}
	c->out_src = g_socket_create_source(c->sock, G_IO_OUT, NULL);
	g_source_set_callback(c->out_src, (GSourceFunc)(void (*)(void))
	    sim_connect_ready, c, NULL);
	g_source_attach(c->out_src, NULL);
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
	if (c->st.state == SIM_ENDED || c->closing)
		return;
	if (c->media_timer != 0) {
		g_source_remove(c->media_timer);
		c->media_timer = 0;
	}
	if (c->msid != 0 && c->demux_ready) {
		if (c->role == SIM_PUBLISHER) {
			b = sim_command(c, "FCUnpublish", NULL);
			enc_amf0_null(b);
			enc_amf0_string(b, c->stream);
			sim_message(c, CSID_COMMAND, RTMP_COMMAND_AMF0, 0, 0,
			    b);
		}
		b = sim_command(c, "deleteStream", NULL);
		enc_amf0_null(b);
		enc_amf0_number(b, c->msid);
		sim_message(c, CSID_COMMAND, RTMP_COMMAND_AMF0, 0, 0, b);
	}
	c->closing = true;
	sim_flush(c);
	if (c->dead)
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
	c->out = g_byte_array_new();
	field_record_init(&c->fields);
	chunk_writer_init(&c->w);
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
	if (c->demux_ready)
		chunk_demux_free(&c->demux);
	field_record_free(&c->fields);
	g_byte_array_unref(c->out);
	g_free(c);
}
