/*
 * The simulated origin: a small RTMP server on the main loop (see origin.h).
 *
 * One listening GSocket; per client an RTMP peer (rtmp-peer.c: the socket
 * with its sources and outbound queue, the dissectors' chunk demultiplexer
 * and decoders for what the client sends, a chunk writer for the answers)
 * and the server side of the handshake.  Players
 * get media from a 10 ms timer that sends whatever frames are due by the
 * wall clock since their play began, so timestamps follow real time.
 *
 * Nothing is freed inside a demultiplexer callback: a client that must go is
 * marked and closed by the source callback that fed it.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

#include "chunk.h"
#include "field-record.h"
#include "handshake.h"
#include "message.h"
#include "origin.h"
#include "rtmp-encode.h"
#include "rtmp-peer.h"

#define ORIGIN_WINDOW		2500000U
#define ORIGIN_CHUNK_SIZE	4096U
#define PEER_BW_DYNAMIC		2
#define PING_EVERY_MS		5000
#define MEDIA_TICK_MS		10
#define GARBAGE_TICK_MS		100
#define GARBAGE_BYTES		1024	/* per tick */
#define GARBAGE_FOR_MS		10000	/* then the connection is closed */
#define OUT_MAX			(8U * 1024U * 1024U)	/* unread: give up */

#define DEFAULT_STALL_AT_MS	3000
#define DEFAULT_STALL_MS	5000
#define DEFAULT_DIE_MS		10000
#define DEFAULT_SLOW_MS		6000

/* Chunk stream ids, as nginx-rtmp uses them. */
#define CSID_CONTROL		2
#define CSID_COMMAND		3
#define CSID_STREAM		5
#define CSID_AUDIO		6
#define CSID_VIDEO		7

#define STREAM_ID		1U	/* the one stream createStream makes */

static const char *const fault_names[FAULT_KIND_COUNT] = {
	"stall", "die", "slow-handshake", "reject-connect",
	"stream-not-found", "no-ping-reply", "garbage",
};

enum client_phase {
	PHASE_C0C1,		/* reading C0 + C1 */
	PHASE_C2,		/* S0 S1 S2 sent (or due), reading C2 */
	PHASE_CHUNKS,		/* RTMP */
	PHASE_GARBAGE,		/* sending nonsense, ignoring the client */
};

struct origin {
	GSocket			*listener;
	GSource			*accept_src;
	char			 address[80];
	struct origin_faults	 faults;
	gint64			 start_us;
	GList			*clients;
	guint			 die_timer;
	uint64_t		 next_id;
};

struct client {
	struct origin		*o;
	uint64_t		 id;
	char			 peer[80];
	struct rtmp_peer	 rtmp;
	gint64			 start_us;

	enum client_phase	 phase;
	uint8_t			 c0c1[1 + HANDSHAKE_BLOCK];
	size_t			 hs_have;
	size_t			 c2_left;
	guint			 hs_timer;
	char			 app[64];

	guint			 ping_timer;
	guint			 garbage_timer;
	gint64			 garbage_us;

	/* Playing. */
	bool			 playing;
	uint32_t		 play_msid;
	char			 stream[128];
	gint64			 play_us;
	uint32_t		 play_len_ms;	/* play's len, 0: no end */
	guint			 media_timer;
	struct origin_media_clock clock;
	uint32_t		 gop_base;	/* the frame a GOP began at */
	bool			 stalled;

	/* Publishing. */
	bool			 publishing;
	uint64_t		 pub_audio;
	uint64_t		 pub_video;
	uint64_t		 pub_bytes;
};

G_DEFINE_QUARK(rtmpscope-origin-error-quark, origin_error)

const char *
origin_fault_name(enum origin_fault_kind k)
{
	return (unsigned)k < FAULT_KIND_COUNT ? fault_names[k] : "?";
}

/* ------------------------------------------------------------------ */
/* --fault                                                              */

/* "500ms", "5s", "1.5s", "2m", "3" (seconds) -> milliseconds. */
static bool
parse_time(const char *s, uint32_t *ms)
{
	char *end;
	double v, scale = 1000.0;

	if (*s == '\0' || *s == '-' || *s == '+' || g_ascii_isspace(*s))
		return false;
	errno = 0;
	v = g_ascii_strtod(s, &end);
	if (errno != 0 || end == s)
		return false;
	if (strcmp(end, "ms") == 0)
		scale = 1.0;
	else if (strcmp(end, "m") == 0)
		scale = 60000.0;
	else if (*end != '\0' && strcmp(end, "s") != 0)
		return false;
	v *= scale;
	if (!isfinite(v) || v < 0 || v > 86400000.0)
		return false;
	*ms = (uint32_t)llround(v);
	return true;
}

static bool
parse_fault(const char *item, struct origin_faults *faults, GError **err)
{
	g_autofree char *copy = g_strdup(item);
	struct origin_fault f;
	char *name, *value, *at;
	int k;

	memset(&f, 0, sizeof(f));
	name = g_strstrip(copy);
	if ((at = strchr(name, '@')) != NULL)
		*at++ = '\0';
	if ((value = strchr(name, ':')) != NULL)
		*value++ = '\0';
	for (k = 0; k < FAULT_KIND_COUNT; k++)
		if (strcmp(name, fault_names[k]) == 0)
			break;
	if (k == FAULT_KIND_COUNT) {
		g_set_error(err, ORIGIN_ERROR, 0, "--fault: '%s' is not a "
		    "fault (stall, die, slow-handshake, reject-connect, "
		    "stream-not-found, no-ping-reply, garbage)", name);
		return false;
	}
	if (value != NULL && k != FAULT_STALL && k != FAULT_DIE &&
	    k != FAULT_SLOW_HANDSHAKE) {
		g_set_error(err, ORIGIN_ERROR, 0, "--fault: %s takes no "
		    "value, only @START", name);
		return false;
	}
	if ((value != NULL && !parse_time(value, &f.value_ms)) ||
	    (at != NULL && !parse_time(at, &f.at_ms))) {
		g_set_error(err, ORIGIN_ERROR, 0, "--fault: '%s' is not "
		    "NAME[:TIME][@TIME] with times like 500ms, 5s or 2m", item);
		return false;
	}
	switch (k) {
	case FAULT_STALL:
		if (value == NULL)
			f.value_ms = DEFAULT_STALL_MS;
		if (at == NULL)
			f.at_ms = DEFAULT_STALL_AT_MS;
		break;
	case FAULT_DIE:
		/* die:20s and die@20s say the same. */
		if (value != NULL && at != NULL) {
			g_set_error(err, ORIGIN_ERROR, 0, "--fault: die takes "
			    "one time, die:T or die@T");
			return false;
		}
		if (value != NULL)
			f.at_ms = f.value_ms;
		else if (at == NULL)
			f.at_ms = DEFAULT_DIE_MS;
		break;
	case FAULT_SLOW_HANDSHAKE:
		if (value == NULL)
			f.value_ms = DEFAULT_SLOW_MS;
		break;
	default:
		break;
	}
	f.set = true;
	faults->f[k] = f;
	return true;
}

bool
origin_faults_parse(const char *list, struct origin_faults *faults,
    GError **err)
{
	g_auto(GStrv) items = g_strsplit(list, ",", -1);
	size_t i;

	for (i = 0; items[i] != NULL; i++) {
		if (*g_strstrip(items[i]) == '\0')
			continue;
		if (!parse_fault(items[i], faults, err))
			return false;
	}
	return true;
}

/* Milliseconds since the origin started. */
static uint32_t
origin_ms(const struct origin *o)
{
	return (uint32_t)((g_get_monotonic_time() - o->start_us) / 1000);
}

/* Whether a fault (other than stall and die) applies now. */
static bool
fault_on(const struct origin *o, enum origin_fault_kind k)
{
	const struct origin_fault *f = &o->faults.f[k];

	return f->set && origin_ms(o) >= f->at_ms;
}

static void client_close(struct client *);

static void
client_log(const struct client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
client_log(const struct client *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "rtmpscope: origin: client %" G_GUINT64_FORMAT
	    " (%s): ", c->id, c->peer);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ------------------------------------------------------------------ */
/* Sending                                                              */

/* onStatus on a stream: level, code, description (and the stream name). */
static void
send_status(struct client *c, uint32_t msid, const char *level,
    const char *code, const char *description)
{
	GByteArray *b = rtmp_command_begin("onStatus", 0);

	enc_amf0_null(b);
	enc_amf0_object_begin(b);
	enc_amf0_prop_string(b, "level", level);
	enc_amf0_prop_string(b, "code", code);
	enc_amf0_prop_string(b, "description", description);
	if (c->stream[0] != '\0')
		enc_amf0_prop_string(b, "details", c->stream);
	enc_amf0_prop_string(b, "clientid", "rtmpscope");
	enc_amf0_object_end(b);
	rtmp_peer_send(&c->rtmp, CSID_STREAM, RTMP_COMMAND_AMF0, msid, 0, b);
}

/* ------------------------------------------------------------------ */
/* Timers                                                               */

static gboolean
client_ping(gpointer data)
{
	struct client *c = data;
	uint32_t ms;

	ms = (uint32_t)((g_get_monotonic_time() - c->start_us) / 1000);
	rtmp_peer_user_control(&c->rtmp, RTMP_UC_PING_REQUEST, ms);
	rtmp_peer_flush(&c->rtmp);
	if (c->rtmp.dead) {
		c->ping_timer = 0;
		client_close(c);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static void stop_play(struct client *, const char *);

/* A play with a duration ends as FMS ends it: Stream EOF, Play.Stop. */
static void
end_of_play(struct client *c)
{
	rtmp_peer_user_control(&c->rtmp, RTMP_UC_STREAM_EOF, c->play_msid);
	send_status(c, c->play_msid, "status", "NetStream.Play.Stop",
	    "Stopped playing the stream (its duration was reached).");
	stop_play(c, "duration reached");
}

static void
send_video(struct client *c, uint32_t n)
{
	GByteArray *b = g_byte_array_new();
	uint32_t index = (n - c->gop_base) % ORIGIN_GOP;

	origin_media_video_frame(b, index, (n - c->gop_base) / ORIGIN_GOP);
	rtmp_peer_send(&c->rtmp, CSID_VIDEO, RTMP_VIDEO, c->play_msid,
	    origin_media_video_ts(n), b);
}

static void
send_audio(struct client *c, uint32_t n)
{
	GByteArray *b = g_byte_array_new();

	origin_media_audio_frame(b);
	rtmp_peer_send(&c->rtmp, CSID_AUDIO, RTMP_AUDIO, c->play_msid,
	    origin_media_audio_ts(n), b);
}

/* Sends the frames due by now, in timestamp order; a stall drops them. */
static gboolean
client_media(gpointer data)
{
	struct client *c = data;
	const struct origin_fault *stall = &c->o->faults.f[FAULT_STALL];
	uint32_t now_ms, n;
	bool in_stall, video;

	now_ms = (uint32_t)((g_get_monotonic_time() - c->play_us) / 1000);
	in_stall = stall->set && now_ms >= stall->at_ms &&
	    now_ms - stall->at_ms < stall->value_ms;
	if (in_stall && !c->stalled) {
		client_log(c, "fault stall: no media for %u ms",
		    stall->value_ms);
		c->stalled = true;
	} else if (!in_stall && c->stalled) {
		client_log(c, "stall over");
		c->stalled = false;
		/* Players start again from a key frame. */
		c->gop_base = c->clock.vframes;
	}
	while (origin_media_next(&c->clock, now_ms, &video, &n)) {
		if (in_stall)
			continue;
		if (video)
			send_video(c, n);
		else
			send_audio(c, n);
	}
	if (c->play_len_ms > 0 && now_ms >= c->play_len_ms) {
		c->media_timer = 0;	/* this source: it ends by returning */
		end_of_play(c);
	}
	rtmp_peer_flush(&c->rtmp);
	if (c->rtmp.dead) {
		c->media_timer = 0;
		client_close(c);
		return G_SOURCE_REMOVE;
	}
	return c->media_timer != 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
client_garbage(gpointer data)
{
	struct client *c = data;
	uint8_t junk[GARBAGE_BYTES];
	size_t i;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)g_random_int_range(0, 256);
	g_byte_array_append(c->rtmp.out, junk, sizeof(junk));
	if ((g_get_monotonic_time() - c->garbage_us) / 1000 >= GARBAGE_FOR_MS)
		c->rtmp.closing = true;
	rtmp_peer_flush(&c->rtmp);
	if (c->rtmp.dead) {
		c->garbage_timer = 0;
		client_close(c);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------ */
/* Commands                                                             */

static const char *
field_text(struct client *c, const char *key, size_t *len)
{
	return field_record_string(&c->rtmp.fields, key, len);
}

static bool
field_value(struct client *c, const char *key, double *v)
{
	return field_record_number(&c->rtmp.fields, key, v);
}

/* A string field into a buffer, control characters shown as '.'. */
static void
field_copy(struct client *c, const char *key, char *buf, size_t size)
{
	const char *s;
	size_t len, i;

	buf[0] = '\0';
	if ((s = field_text(c, key, &len)) == NULL)
		return;
	len = MIN(len, size - 1);
	for (i = 0; i < len; i++)
		buf[i] = g_ascii_iscntrl(s[i]) ? '.' : s[i];
	buf[len] = '\0';
}

static void
on_connect(struct client *c, double txn)
{
	GByteArray *b;

	field_copy(c, "app", c->app, sizeof(c->app));
	if (fault_on(c->o, FAULT_REJECT_CONNECT)) {
		client_log(c, "connect app=%s: fault reject-connect", c->app);
		b = rtmp_command_begin("_error", txn);
		enc_amf0_null(b);
		enc_amf0_object_begin(b);
		enc_amf0_prop_string(b, "level", "error");
		enc_amf0_prop_string(b, "code",
		    "NetConnection.Connect.Rejected");
		enc_amf0_prop_string(b, "description", "Connection rejected "
		    "by the simulated origin (fault reject-connect).");
		enc_amf0_object_end(b);
		rtmp_peer_send(&c->rtmp, CSID_COMMAND, RTMP_COMMAND_AMF0, 0, 0,
		    b);
		c->rtmp.closing = true;
		return;
	}
	client_log(c, "connect app=%s", c->app);
	rtmp_peer_control(&c->rtmp, RTMP_WINDOW_ACK_SIZE, ORIGIN_WINDOW);
	chunk_writer_peer_bandwidth(&c->rtmp.w, c->rtmp.out, ORIGIN_WINDOW,
	    PEER_BW_DYNAMIC);
	rtmp_peer_control(&c->rtmp, RTMP_SET_CHUNK_SIZE, ORIGIN_CHUNK_SIZE);
	chunk_writer_set_chunk_size(&c->rtmp.w, ORIGIN_CHUNK_SIZE);

	b = rtmp_command_begin("_result", txn);
	enc_amf0_object_begin(b);
	enc_amf0_prop_string(b, "fmsVer", "FMS/3,5,7,7009");
	enc_amf0_prop_number(b, "capabilities", 31);
	enc_amf0_prop_number(b, "mode", 1);
	enc_amf0_object_end(b);
	enc_amf0_object_begin(b);
	enc_amf0_prop_string(b, "level", "status");
	enc_amf0_prop_string(b, "code", "NetConnection.Connect.Success");
	enc_amf0_prop_string(b, "description", "Connection succeeded.");
	enc_amf0_prop_number(b, "objectEncoding", 0);
	enc_amf0_object_end(b);
	rtmp_peer_send(&c->rtmp, CSID_COMMAND, RTMP_COMMAND_AMF0, 0, 0, b);

	if (c->ping_timer == 0)
		c->ping_timer = g_timeout_add(PING_EVERY_MS, client_ping, c);
}

static void
stop_play(struct client *c, const char *why)
{
	if (!c->playing)
		return;
	client_log(c, "play %s ends (%s): %u video, %u audio frames", c->stream,
	    why, c->clock.vframes, c->clock.aframes);
	c->playing = false;
	if (c->media_timer != 0) {
		g_source_remove(c->media_timer);
		c->media_timer = 0;
	}
}

static void
stop_publish(struct client *c, const char *why)
{
	if (!c->publishing)
		return;
	client_log(c, "publish %s ends (%s): %" G_GUINT64_FORMAT " video, %"
	    G_GUINT64_FORMAT " audio messages, %" G_GUINT64_FORMAT " bytes",
	    c->stream, why, c->pub_video, c->pub_audio, c->pub_bytes);
	c->publishing = false;
}

static void
on_play(struct client *c, uint32_t msid)
{
	GByteArray *b;
	double len;

	field_copy(c, "stream", c->stream, sizeof(c->stream));
	if (msid == 0)
		msid = STREAM_ID;
	if (fault_on(c->o, FAULT_STREAM_NOT_FOUND)) {
		client_log(c, "play %s: fault stream-not-found", c->stream);
		send_status(c, msid, "error", "NetStream.Play.StreamNotFound",
		    "No such stream (fault stream-not-found).");
		return;
	}
	if (c->playing || c->publishing)
		return;
	client_log(c, "play %s", c->stream);
	c->playing = true;
	c->play_msid = msid;

	rtmp_peer_user_control(&c->rtmp, RTMP_UC_STREAM_BEGIN, msid);
	send_status(c, msid, "status", "NetStream.Play.Reset",
	    "Playing and resetting the stream.");
	send_status(c, msid, "status", "NetStream.Play.Start",
	    "Started playing the stream.");

	b = g_byte_array_new();
	enc_amf0_string(b, "|RtmpSampleAccess");
	enc_amf0_bool(b, true);
	enc_amf0_bool(b, true);
	rtmp_peer_send(&c->rtmp, CSID_STREAM, RTMP_DATA_AMF0, msid, 0, b);

	b = g_byte_array_new();
	origin_media_metadata(b);
	rtmp_peer_send(&c->rtmp, CSID_STREAM, RTMP_DATA_AMF0, msid, 0, b);

	b = g_byte_array_new();
	origin_media_video_config(b);
	rtmp_peer_send(&c->rtmp, CSID_VIDEO, RTMP_VIDEO, msid, 0, b);
	b = g_byte_array_new();
	origin_media_audio_config(b);
	rtmp_peer_send(&c->rtmp, CSID_AUDIO, RTMP_AUDIO, msid, 0, b);

	c->play_us = g_get_monotonic_time();
	c->clock.vframes = c->clock.aframes = c->gop_base = 0;
	c->stalled = false;
	/* play(name, start, len): len > 0 plays that long (rtmpdump --stop). */
	c->play_len_ms = 0;
	if (field_value(c, "duration", &len) && len > 0 && len < 86400000.0)
		c->play_len_ms = (uint32_t)len;
	c->media_timer = g_timeout_add(MEDIA_TICK_MS, client_media, c);
}

static void
on_publish(struct client *c, uint32_t msid)
{
	field_copy(c, "stream", c->stream, sizeof(c->stream));
	if (msid == 0)
		msid = STREAM_ID;
	if (c->playing || c->publishing)
		return;
	client_log(c, "publish %s", c->stream);
	c->publishing = true;
	c->pub_audio = c->pub_video = c->pub_bytes = 0;
	rtmp_peer_user_control(&c->rtmp, RTMP_UC_STREAM_BEGIN, msid);
	send_status(c, msid, "status", "NetStream.Publish.Start",
	    "Start publishing.");
}

/* An answer to a command that only wants one: _result(txn, null[, v]). */
static void
send_result(struct client *c, double txn, bool with_value, double value)
{
	GByteArray *b = rtmp_command_begin("_result", txn);

	enc_amf0_null(b);
	if (with_value)
		enc_amf0_number(b, value);
	rtmp_peer_send(&c->rtmp, CSID_COMMAND, RTMP_COMMAND_AMF0, 0, 0, b);
}

static bool
is_name(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && memcmp(name, want, len) == 0;
}

static void
on_command(struct client *c, const struct rtmp_message *m)
{
	const char *name;
	size_t len;
	double txn = 0;

	if ((name = field_text(c, "name", &len)) == NULL)
		return;
	(void)field_value(c, "txn", &txn);
	if (is_name(name, len, "connect")) {
		on_connect(c, txn);
	} else if (is_name(name, len, "createStream")) {
		send_result(c, txn, true, STREAM_ID);
	} else if (is_name(name, len, "play") || is_name(name, len, "play2")) {
		on_play(c, m->msid);
	} else if (is_name(name, len, "publish")) {
		on_publish(c, m->msid);
	} else if (is_name(name, len, "deleteStream")) {
		if (c->playing || c->publishing) {
			stop_play(c, "deleteStream");
			stop_publish(c, "deleteStream");
		}
	} else if (is_name(name, len, "closeStream")) {
		stop_play(c, "closeStream");
		stop_publish(c, "closeStream");
	} else if (is_name(name, len, "FCUnpublish")) {
		stop_publish(c, "FCUnpublish");
		if (txn > 0)
			send_result(c, txn, false, 0);
	} else if (is_name(name, len, "getStreamLength")) {
		send_result(c, txn, true, 0);
	} else if (txn > 0 && !is_name(name, len, "_result") &&
	    !is_name(name, len, "_error")) {
		/* releaseStream, FCPublish, ...: acknowledged, nothing more. */
		send_result(c, txn, false, 0);
	}
}

/* ------------------------------------------------------------------ */
/* What the client sends                                                */

static void
client_media_message(void *ctx, const struct rtmp_message *m)
{
	struct client *c = ctx;

	if (c->publishing) {
		if (m->type == RTMP_AUDIO)
			c->pub_audio++;
		else
			c->pub_video++;
		c->pub_bytes += m->len;
	}
}

/* Decoded into c->rtmp.fields (a Window Ack Size is the peer's). */
static void
client_message(void *ctx, const struct rtmp_message *m)
{
	struct client *c = ctx;
	uint32_t ts;

	switch (m->type) {
	case RTMP_COMMAND_AMF0:
	case RTMP_COMMAND_AMF3:
		on_command(c, m);
		break;
	case RTMP_USER_CONTROL:
		if (!rtmp_peer_ping_request(&c->rtmp, &ts))
			break;
		if (fault_on(c->o, FAULT_NO_PING_REPLY)) {
			client_log(c, "ping %u: fault no-ping-reply", ts);
			break;
		}
		rtmp_peer_user_control(&c->rtmp, RTMP_UC_PING_RESPONSE, ts);
		break;
	case RTMP_DATA_AMF0:
	case RTMP_DATA_AMF3:
		if (c->publishing)
			c->pub_bytes += m->len;
		break;
	default:
		break;
	}
}

static void
client_demux_event(void *ctx, enum chunk_event ev, uint64_t value)
{
	struct client *c = ctx;

	if (ev == CHUNK_EV_MALFORMED)
		client_log(c, "malformed chunk header (csid %" G_GUINT64_FORMAT
		    ")", value);
}

static void client_end(void *, enum rtmp_peer_end, const char *);
static void client_close_cb(void *);
static void client_input(void *, const uint8_t *, size_t);

static const struct rtmp_peer_ops client_peer_ops = {
	client_input,
	client_media_message,
	client_message,
	client_demux_event,
	client_end,
	client_close_cb,
};

/* S0 S1 S2: version 3, our time and random bytes, then C1 echoed. */
static void
send_s0s1s2(struct client *c)
{
	uint8_t s1[HANDSHAKE_BLOCK];

	/* A zero version: clients skip the digest check (no FP9 scheme). */
	rtmp_handshake_block(s1, (uint32_t)((g_get_monotonic_time() -
	    c->o->start_us) / 1000));
	g_byte_array_append(c->rtmp.out, (const guint8 *)"\x03", 1);
	g_byte_array_append(c->rtmp.out, s1, sizeof(s1));
	g_byte_array_append(c->rtmp.out, c->c0c1 + 1, HANDSHAKE_BLOCK);
}

static gboolean
client_slow_handshake(gpointer data)
{
	struct client *c = data;

	c->hs_timer = 0;
	send_s0s1s2(c);
	rtmp_peer_flush(&c->rtmp);
	if (c->rtmp.dead)
		client_close(c);
	return G_SOURCE_REMOVE;
}

static void
client_handshake_done(struct client *c)
{
	if (fault_on(c->o, FAULT_GARBAGE)) {
		client_log(c, "fault garbage: random bytes from now on");
		c->phase = PHASE_GARBAGE;
		c->garbage_us = g_get_monotonic_time();
		/* A first byte that starts no chunk: fmt 3 on csid 63. */
		g_byte_array_append(c->rtmp.out, (const guint8 *)"\xff", 1);
		c->garbage_timer = g_timeout_add(GARBAGE_TICK_MS,
		    client_garbage, c);
		(void)client_garbage(c);
		return;
	}
	c->phase = PHASE_CHUNKS;
	rtmp_peer_demux_start(&c->rtmp);
}

/* Consumes received bytes by phase. */
static void
client_input(void *ctx, const uint8_t *p, size_t n)
{
	struct client *c = ctx;
	size_t take;

	while (n > 0 && !c->rtmp.dead) {
		switch (c->phase) {
		case PHASE_C0C1:
			take = MIN(n, sizeof(c->c0c1) - c->hs_have);
			memcpy(c->c0c1 + c->hs_have, p, take);
			c->hs_have += take;
			p += take;
			n -= take;
			if (c->hs_have < sizeof(c->c0c1))
				break;
			if (c->c0c1[0] != HANDSHAKE_VERSION_PLAIN) {
				client_log(c, "handshake version %u: only "
				    "plain RTMP (3) is spoken", c->c0c1[0]);
				c->rtmp.dead = true;
				return;
			}
			c->phase = PHASE_C2;
			c->c2_left = HANDSHAKE_BLOCK;
			if (fault_on(c->o, FAULT_SLOW_HANDSHAKE)) {
				client_log(c, "fault slow-handshake: S0 S1 S2 "
				    "in %u ms", c->o->faults.f[
				    FAULT_SLOW_HANDSHAKE].value_ms);
				c->hs_timer = g_timeout_add(c->o->faults.f[
				    FAULT_SLOW_HANDSHAKE].value_ms,
				    client_slow_handshake, c);
			} else
				send_s0s1s2(c);
			break;
		case PHASE_C2:
			take = MIN(n, c->c2_left);
			c->c2_left -= take;
			p += take;
			n -= take;
			if (c->c2_left == 0)
				client_handshake_done(c);
			break;
		case PHASE_CHUNKS:
			rtmp_peer_feed(&c->rtmp, p, n);
			n = 0;
			break;
		case PHASE_GARBAGE:
			n = 0;
			break;
		}
	}
}

/* Why the connection ends, in the log. */
static void
client_end(void *ctx, enum rtmp_peer_end why, const char *message)
{
	struct client *c = ctx;

	switch (why) {
	case RTMP_PEER_RECEIVE_ERROR:
		client_log(c, "receive: %s", message);
		break;
	case RTMP_PEER_SEND_ERROR:
		client_log(c, "send: %s", message);
		break;
	case RTMP_PEER_EOF:
		client_log(c, "closed by the client");
		break;
	case RTMP_PEER_UNREAD:
		client_log(c, "not reading what is sent: closed");
		break;
	case RTMP_PEER_DRAINED:
		break;
	}
}

static void
client_close(struct client *c)
{
	struct origin *o = c->o;

	stop_play(c, "connection closed");
	stop_publish(c, "connection closed");
	if (c->hs_timer != 0)
		g_source_remove(c->hs_timer);
	if (c->ping_timer != 0)
		g_source_remove(c->ping_timer);
	if (c->garbage_timer != 0)
		g_source_remove(c->garbage_timer);
	if (c->media_timer != 0)
		g_source_remove(c->media_timer);
	rtmp_peer_clear(&c->rtmp);
	o->clients = g_list_remove(o->clients, c);
	g_free(c);
}

static void
client_close_cb(void *ctx)
{
	client_close(ctx);
}

/* ------------------------------------------------------------------ */
/* The listener                                                         */

static void
address_format(GSocketAddress *sa, char *buf, size_t size)
{
	GInetSocketAddress *isa;
	g_autofree char *ip = NULL;

	if (!G_IS_INET_SOCKET_ADDRESS(sa)) {
		g_strlcpy(buf, "?", size);
		return;
	}
	isa = G_INET_SOCKET_ADDRESS(sa);
	ip = g_inet_address_to_string(g_inet_socket_address_get_address(isa));
	if (g_inet_socket_address_get_address(isa) != NULL &&
	    g_inet_address_get_family(g_inet_socket_address_get_address(isa))
	    == G_SOCKET_FAMILY_IPV6)
		snprintf(buf, size, "[%s]:%u", ip,
		    g_inet_socket_address_get_port(isa));
	else
		snprintf(buf, size, "%s:%u", ip,
		    g_inet_socket_address_get_port(isa));
}

static void
client_new(struct origin *o, GSocket *sock)
{
	g_autoptr(GSocketAddress) peer = NULL;
	struct client *c;

	c = g_new0(struct client, 1);
	c->o = o;
	c->id = ++o->next_id;
	rtmp_peer_init(&c->rtmp, &client_peer_ops, c);
	c->rtmp.sock = sock;
	c->rtmp.out_max = OUT_MAX;
	c->start_us = g_get_monotonic_time();
	c->phase = PHASE_C0C1;
	if ((peer = g_socket_get_remote_address(sock, NULL)) != NULL)
		address_format(peer, c->peer, sizeof(c->peer));
	else
		g_strlcpy(c->peer, "?", sizeof(c->peer));
	rtmp_peer_attach(&c->rtmp);
	o->clients = g_list_prepend(o->clients, c);
	client_log(c, "connected");
}

static gboolean
origin_accept(GSocket *listener, GIOCondition cond, gpointer data)
{
	struct origin *o = data;
	GSocket *sock;

	(void)cond;
	for (;;) {
		g_autoptr(GError) err = NULL;

		sock = g_socket_accept(listener, NULL, &err);
		if (sock == NULL) {
			if (!g_error_matches(err, G_IO_ERROR,
			    G_IO_ERROR_WOULD_BLOCK))
				fprintf(stderr, "rtmpscope: origin: accept: "
				    "%s\n", err->message);
			break;
		}
		client_new(o, sock);
	}
	return G_SOURCE_CONTINUE;
}

static void
origin_stop_listening(struct origin *o)
{
	if (o->accept_src != NULL) {
		g_source_destroy(o->accept_src);
		g_source_unref(o->accept_src);
		o->accept_src = NULL;
	}
	if (o->listener != NULL) {
		g_socket_close(o->listener, NULL);
		g_object_unref(o->listener);
		o->listener = NULL;
	}
}

static gboolean
origin_die(gpointer data)
{
	struct origin *o = data;

	o->die_timer = 0;
	fprintf(stderr, "rtmpscope: origin: fault die: closing %u "
	    "connection(s) and the listener\n", g_list_length(o->clients));
	while (o->clients != NULL)
		client_close(o->clients->data);
	origin_stop_listening(o);
	return G_SOURCE_REMOVE;
}

/* "[ADDR:]PORT": an IPv4 or bracketed IPv6 literal, or localhost. */
static GSocketAddress *
parse_listen(const char *s, GError **err)
{
	g_autofree char *host = NULL;
	g_autoptr(GInetAddress) ip = NULL;
	const char *colon, *port_s;
	char *end;
	unsigned long port;

	if ((colon = strrchr(s, ':')) != NULL && strchr(s, ']') != NULL &&
	    colon < strchr(s, ']'))
		colon = NULL;
	if (colon == NULL) {
		host = g_strdup("127.0.0.1");
		port_s = s;
	} else {
		host = g_strndup(s, (gsize)(colon - s));
		port_s = colon + 1;
		if (host[0] == '[' && host[strlen(host) - 1] == ']') {
			memmove(host, host + 1, strlen(host));
			host[strlen(host) - 1] = '\0';
		}
		if (strcmp(host, "localhost") == 0) {
			g_free(host);
			host = g_strdup("127.0.0.1");
		}
	}
	errno = 0;
	port = strtoul(port_s, &end, 10);
	if (*port_s < '0' || *port_s > '9' || *end != '\0' || errno != 0 ||
	    port > 65535) {
		g_set_error(err, ORIGIN_ERROR, 0, "--simulate-origin: '%s' is "
		    "not [ADDR:]PORT (a port 0-65535, 0 for any)", s);
		return NULL;
	}
	if ((ip = g_inet_address_new_from_string(host)) == NULL) {
		g_set_error(err, ORIGIN_ERROR, 0, "--simulate-origin: '%s' is "
		    "not an IP address", host);
		return NULL;
	}
	return g_inet_socket_address_new(ip, (guint16)port);
}

bool
origin_address_valid(const char *addr_port)
{
	g_autoptr(GSocketAddress) sa = parse_listen(addr_port, NULL);

	return sa != NULL;
}

struct origin *
origin_new(const char *addr_port, const struct origin_faults *faults,
    GError **err)
{
	g_autoptr(GSocketAddress) sa = NULL;
	g_autoptr(GSocketAddress) bound = NULL;
	struct origin *o;

	if ((sa = parse_listen(addr_port, err)) == NULL)
		return NULL;
	o = g_new0(struct origin, 1);
	o->faults = *faults;
	o->start_us = g_get_monotonic_time();
	o->listener = g_socket_new(g_socket_address_get_family(sa),
	    G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, err);
	if (o->listener == NULL)
		goto fail;
	if (!g_socket_bind(o->listener, sa, TRUE, err) ||
	    !g_socket_listen(o->listener, err))
		goto fail;
	g_socket_set_blocking(o->listener, FALSE);
	if ((bound = g_socket_get_local_address(o->listener, err)) == NULL)
		goto fail;
	address_format(bound, o->address, sizeof(o->address));
	o->accept_src = g_socket_create_source(o->listener, G_IO_IN, NULL);
	g_source_set_callback(o->accept_src, (GSourceFunc)(void (*)(void))
	    origin_accept, o, NULL);
	g_source_attach(o->accept_src, NULL);
	if (faults->f[FAULT_DIE].set)
		o->die_timer = g_timeout_add(faults->f[FAULT_DIE].at_ms,
		    origin_die, o);
	return o;
fail:
	g_prefix_error(err, "--simulate-origin %s: ", addr_port);
	origin_free(o);
	return NULL;
}

const char *
origin_address(const struct origin *o)
{
	return o->address;
}

void
origin_free(struct origin *o)
{
	if (o == NULL)
		return;
	while (o->clients != NULL)
		client_close(o->clients->data);
	if (o->die_timer != 0)
		g_source_remove(o->die_timer);
	origin_stop_listening(o);
	g_free(o);
}
