/*
 * The health rules of health.h, on real session objects: a session table
 * is opened, the RTMP handshake and chunked messages (AMF0 commands, user
 * control pings, audio and video) are fed at chosen capture times, and the
 * session's problems and verdict are read back.  Every rule with a
 * threshold is tried just under and just over it, with the default
 * thresholds and with changed ones.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "health.h"
#include "session.h"

#define T0		1700000000.0	/* capture times: wall-clock seconds */
#define TOL_MS		0.01		/* durations are computed from doubles */

#define CLIENT		0		/* flow sides: the SYN's sender first */
#define SERVER		1

/* Chunk stream ids of the sender, as Flash and most servers use them. */
#define CS_CONTROL	2
#define CS_COMMAND	3
#define CS_AUDIO	4
#define CS_VIDEO	6

#define MSG_USER_CONTROL	4
#define MSG_AUDIO		8
#define MSG_VIDEO		9
#define MSG_COMMAND_AMF0	20

#define MSID		1U	/* the stream createStream answers with */
#define CHUNK_SIZE	128U	/* nobody sends Set Chunk Size here */

/* ------------------------------------------------------------------ */
/* Bytes                                                                */

static void
b8(GByteArray *b, uint8_t v)
{
	g_byte_array_append(b, &v, 1);
}

static void
b16(GByteArray *b, uint16_t v)
{
	b8(b, (uint8_t)(v >> 8));
	b8(b, (uint8_t)v);
}

static void
b24(GByteArray *b, uint32_t v)
{
	b8(b, (uint8_t)(v >> 16));
	b8(b, (uint8_t)(v >> 8));
	b8(b, (uint8_t)v);
}

static void
b32(GByteArray *b, uint32_t v)
{
	b16(b, (uint16_t)(v >> 16));
	b16(b, (uint16_t)v);
}

static void
b32le(GByteArray *b, uint32_t v)
{
	b8(b, (uint8_t)v);
	b8(b, (uint8_t)(v >> 8));
	b8(b, (uint8_t)(v >> 16));
	b8(b, (uint8_t)(v >> 24));
}

/* AMF0 values. */
static void
amf_num(GByteArray *b, double d)
{
	uint64_t u;
	int i;

	memcpy(&u, &d, sizeof(u));
	b8(b, 0x00);
	for (i = 7; i >= 0; i--)
		b8(b, (uint8_t)(u >> (8 * i)));
}

static void
amf_key(GByteArray *b, const char *key)
{
	b16(b, (uint16_t)strlen(key));
	g_byte_array_append(b, (const guint8 *)key, (guint)strlen(key));
}

static void
amf_str(GByteArray *b, const char *s)
{
	b8(b, 0x02);
	amf_key(b, s);
}

static void
amf_null(GByteArray *b)
{
	b8(b, 0x05);
}

static void
amf_obj_begin(GByteArray *b)
{
	b8(b, 0x03);
}

static void
amf_obj_end(GByteArray *b)
{
	b24(b, 0x000009);
}

/* An info object: {level, code[, description]}. */
static void
amf_info(GByteArray *b, const char *level, const char *code,
    const char *description)
{
	amf_obj_begin(b);
	amf_key(b, "level");
	amf_str(b, level);
	amf_key(b, "code");
	amf_str(b, code);
	if (description != NULL) {
		amf_key(b, "description");
		amf_str(b, description);
	}
	amf_obj_end(b);
}

/*
 * One message as the sender chunks it: a fmt 0 header (absolute timestamp)
 * and fmt 3 continuations every CHUNK_SIZE bytes of body.
 */
static void
chunk_message(GByteArray *w, uint32_t csid, uint8_t type, uint32_t msid,
    uint32_t ts, const uint8_t *body, size_t len)
{
	size_t off = 0, n;

	assert_true(csid >= 2 && csid <= 63);
	assert_true(ts < 0xffffffU);
	b8(w, (uint8_t)csid);
	b24(w, ts);
	b24(w, (uint32_t)len);
	b8(w, type);
	b32le(w, msid);
	for (;;) {
		n = len - off < CHUNK_SIZE ? len - off : CHUNK_SIZE;
		g_byte_array_append(w, body + off, (guint)n);
		off += n;
		if (off >= len)
			break;
		b8(w, (uint8_t)(0xc0 | csid));
	}
}

/* ------------------------------------------------------------------ */
/* A conversation                                                       */

struct conv {
	struct session_table	*t;
	struct session		*s;
	enum session_role	 role;	/* of the stream started, if any */
};

/* Tables still open: a failed test's are freed by the teardown. */
static GPtrArray *open_tables;

static void
table_free(gpointer p)
{
	session_table_free(p);
}

static int
teardown(void **state)
{
	(void)state;
	if (open_tables != NULL) {
		g_ptr_array_free(open_tables, TRUE);
		open_tables = NULL;
	}
	return 0;
}

static void
conv_open(struct conv *c, const struct health_config *cfg, double t)
{
	static const uint16_t ports[] = { 1935 };
	struct endpoint client, server;

	memset(c, 0, sizeof(*c));
	memset(&client, 0, sizeof(client));
	memset(&server, 0, sizeof(server));
	client.family = server.family = 4;
	client.addr[0] = server.addr[0] = 10;
	client.addr[3] = 1;
	server.addr[3] = 2;
	client.port = 50000;
	server.port = 1935;
	c->t = session_table_new(ports, 1, cfg);
	assert_non_null(c->t);
	if (open_tables == NULL)
		open_tables = g_ptr_array_new_with_free_func(table_free);
	g_ptr_array_add(open_tables, c->t);
	c->s = session_open(c->t, &client, &server, true, t);
	assert_non_null(c->s);
}

static void
conv_free(struct conv *c)
{
	assert_true(g_ptr_array_remove(open_tables, c->t));
	c->t = NULL;
	c->s = NULL;
}

static void
feed(struct conv *c, int side, const uint8_t *p, size_t n, double t)
{
	assert_true(session_feed(c->s, side, p, n, t));
}

static void
feed_array(struct conv *c, int side, GByteArray *b, double t)
{
	feed(c, side, b->data, b->len, t);
	g_byte_array_free(b, TRUE);
}

/* C0 + C1: the version byte, then time, zero and 1528 bytes. */
static void
send_c0c1(struct conv *c, uint8_t version, double t)
{
	GByteArray *b = g_byte_array_new();
	guint i;

	b8(b, version);
	for (i = 0; i < 1536; i++)
		b8(b, (uint8_t)(i < 8 ? 0 : i * 31));
	assert_int_equal(b->len, 1537);
	feed_array(c, CLIENT, b, t);
}

static void
send_s0s1s2(struct conv *c, uint8_t version, double t)
{
	GByteArray *b = g_byte_array_new();
	guint i;

	b8(b, version);
	for (i = 0; i < 2 * 1536; i++)
		b8(b, (uint8_t)(i * 17));
	assert_int_equal(b->len, 3073);
	feed_array(c, SERVER, b, t);
}

static void
send_c2(struct conv *c, double t)
{
	GByteArray *b = g_byte_array_new();
	guint i;

	for (i = 0; i < 1536; i++)
		b8(b, (uint8_t)(i * 13));
	feed_array(c, CLIENT, b, t);
}

/* The whole handshake: C0C1 at t, S0S1S2 10 ms later, C2 10 ms after. */
static void
handshake(struct conv *c, double t)
{
	send_c0c1(c, 3, t);
	send_s0s1s2(c, 3, t + 0.01);
	send_c2(c, t + 0.02);
	assert_int_equal(c->s->state, SESSION_ACTIVE);
}

static void
send_msg(struct conv *c, int side, uint32_t csid, uint8_t type,
    uint32_t msid, uint32_t ts, GByteArray *body, double t)
{
	GByteArray *w = g_byte_array_new();

	chunk_message(w, csid, type, msid, ts, body->data, body->len);
	g_byte_array_free(body, TRUE);
	feed_array(c, side, w, t);
}

/* A command's name and transaction id; the rest is the caller's. */
static GByteArray *
command(const char *name, double txn)
{
	GByteArray *b = g_byte_array_new();

	amf_str(b, name);
	amf_num(b, txn);
	return b;
}

static void
send_connect(struct conv *c, double txn, double t)
{
	GByteArray *b = command("connect", txn);

	amf_obj_begin(b);
	amf_key(b, "app");
	amf_str(b, "live");
	amf_key(b, "tcUrl");
	amf_str(b, "rtmp://10.0.0.2/live");
	amf_obj_end(b);
	send_msg(c, CLIENT, CS_COMMAND, MSG_COMMAND_AMF0, 0, 0, b, t);
}

/* _result or _error with a properties object (or null) and info. */
static void
send_answer(struct conv *c, const char *name, double txn, const char *level,
    const char *code, const char *description, double t)
{
	GByteArray *b = command(name, txn);

	if (strcmp(level, "status") == 0) {
		amf_obj_begin(b);
		amf_key(b, "fmsVer");
		amf_str(b, "FMS/3,5,7,7009");
		amf_obj_end(b);
	} else {
		amf_null(b);
	}
	amf_info(b, level, code, description);
	send_msg(c, SERVER, CS_COMMAND, MSG_COMMAND_AMF0, 0, 0, b, t);
}

static void
send_create_stream(struct conv *c, double txn, double t)
{
	GByteArray *b = command("createStream", txn);

	amf_null(b);
	send_msg(c, CLIENT, CS_COMMAND, MSG_COMMAND_AMF0, 0, 0, b, t);
	b = command("_result", txn);
	amf_null(b);
	amf_num(b, MSID);
	send_msg(c, SERVER, CS_COMMAND, MSG_COMMAND_AMF0, 0, 0, b, t + 0.01);
}

/* publish or play on MSID. */
static void
send_start(struct conv *c, enum session_role role, const char *stream,
    double t)
{
	GByteArray *b = command(role == ROLE_PUBLISH ? "publish" : "play", 0);

	amf_null(b);
	amf_str(b, stream);
	if (role == ROLE_PUBLISH)
		amf_str(b, "live");
	send_msg(c, CLIENT, CS_COMMAND + 5, MSG_COMMAND_AMF0, MSID, 0, b, t);
	c->role = role;
}

static void
send_on_status(struct conv *c, const char *level, const char *code,
    const char *description, double t)
{
	GByteArray *b = command("onStatus", 0);

	amf_null(b);
	amf_info(b, level, code, description);
	send_msg(c, SERVER, CS_COMMAND + 2, MSG_COMMAND_AMF0, MSID, 0, b, t);
}

/* deleteStream, closeStream or FCUnpublish from the client. */
static void
send_stop(struct conv *c, const char *name, double t)
{
	GByteArray *b = command(name, 0);
	uint32_t msid = 0;

	amf_null(b);
	if (strcmp(name, "deleteStream") == 0)
		amf_num(b, MSID);
	else if (strcmp(name, "FCUnpublish") == 0)
		amf_str(b, "cam1");
	else
		msid = MSID;
	send_msg(c, CLIENT, CS_COMMAND + (msid != 0 ? 5 : 0),
	    MSG_COMMAND_AMF0, msid, 0, b, t);
}

/* User control event 6 (ping request) or 7 (ping response). */
static void
send_ping(struct conv *c, int side, uint16_t event, uint32_t value, double t)
{
	GByteArray *b = g_byte_array_new();

	b16(b, event);
	b32(b, value);
	send_msg(c, side, CS_CONTROL, MSG_USER_CONTROL, 0, 0, b, t);
}

/* AAC raw audio and AVC NALU video (key or inter), 20 bytes of payload. */
static void
send_audio(struct conv *c, int side, uint32_t ts, double t)
{
	GByteArray *b = g_byte_array_new();
	guint i;

	b8(b, 0xaf);
	b8(b, 0x01);
	for (i = 0; i < 20; i++)
		b8(b, (uint8_t)(i + 1));
	send_msg(c, side, CS_AUDIO, MSG_AUDIO, MSID, ts, b, t);
}

static void
send_video(struct conv *c, int side, uint32_t ts, bool key, double t)
{
	GByteArray *b = g_byte_array_new();
	guint i;

	b8(b, key ? 0x17 : 0x27);
	b8(b, 0x01);
	b24(b, 0);
	for (i = 0; i < 20; i++)
		b8(b, (uint8_t)(i + 1));
	send_msg(c, side, CS_VIDEO, MSG_VIDEO, MSID, ts, b, t);
}

/* Media from whoever sends it: the publisher, or the server to a player. */
static int
media_side(const struct conv *c)
{
	return c->role == ROLE_PLAY ? SERVER : CLIENT;
}

static void
media_video(struct conv *c, uint32_t ts, double t)
{
	send_video(c, media_side(c), ts, ts == 0, t);
}

static void
media_audio(struct conv *c, uint32_t ts, double t)
{
	send_audio(c, media_side(c), ts, t);
}

/* Handshake at T0, connect answered by T0 + 0.11. */
static void
conv_connected(struct conv *c, const struct health_config *cfg)
{
	conv_open(c, cfg, T0);
	handshake(c, T0);
	send_connect(c, 1, T0 + 0.1);
	send_answer(c, "_result", 1, "status", "NetConnection.Connect.Success",
	    "Connection succeeded.", T0 + 0.11);
	assert_true(c->s->connect_answered);
}

/* Connected, then a stream that publishes or plays from T0 + 0.23. */
static void
conv_streaming(struct conv *c, const struct health_config *cfg,
    enum session_role role)
{
	conv_connected(c, cfg);
	send_create_stream(c, 2, T0 + 0.2);
	send_start(c, role, "cam1", T0 + 0.22);
	send_on_status(c, "status", role == ROLE_PUBLISH ?
	    "NetStream.Publish.Start" : "NetStream.Play.Start", "started",
	    T0 + 0.23);
	assert_non_null(session_main_stream(c->s));
	assert_int_equal(session_main_stream(c->s)->role, role);
}

/* ------------------------------------------------------------------ */
/* Problems                                                             */

static void
print_problems(const struct session *s)
{
	const struct session_problem *p;
	guint i;

	print_message("# %u problem(s):\n", s->problems->len);
	for (i = 0; i < s->problems->len; i++) {
		p = &g_array_index(s->problems, struct session_problem, i);
		print_message("#   %s %s at T0%+.6f for %.3f ms%s: %s\n",
		    p->kind, rtmp_dir_name(p->dir), p->at - T0,
		    p->duration_ms, p->open ? " (open)" : "", p->detail);
	}
}

static guint
count_kind(const struct session *s, const char *kind)
{
	guint i, n = 0;

	for (i = 0; i < s->problems->len; i++)
		if (strcmp(g_array_index(s->problems, struct session_problem,
		    i).kind, kind) == 0)
			n++;
	return n;
}

/* The one problem of a kind: fails unless there is exactly one. */
static const struct session_problem *
one_problem(const struct session *s, const char *kind)
{
	guint i;

	if (count_kind(s, kind) != 1) {
		print_problems(s);
		fail_msg("expected one %s problem, found %u", kind,
		    count_kind(s, kind));
	}
	for (i = 0; i < s->problems->len; i++)
		if (strcmp(g_array_index(s->problems, struct session_problem,
		    i).kind, kind) == 0)
			return &g_array_index(s->problems,
			    struct session_problem, i);
	return NULL;
}

static void
no_problem(const struct session *s, const char *kind)
{
	if (count_kind(s, kind) != 0) {
		print_problems(s);
		fail_msg("expected no %s problem, found %u", kind,
		    count_kind(s, kind));
	}
}

static void
no_problems(const struct session *s)
{
	if (s->problems->len != 0) {
		print_problems(s);
		fail_msg("expected no problem");
	}
	assert_int_equal(session_health(s), HEALTH_OK);
}

static void
health_is(const struct session *s, enum health want)
{
	if (session_health(s) != want) {
		print_problems(s);
		fail_msg("health %s, expected %s", health_name(
		    session_health(s)), health_name(want));
	}
}

static void
near(double got, double want, double tol, const char *what)
{
	if (!(got - want <= tol && want - got <= tol))
		fail_msg("%s: %.6f, expected %.6f (+-%g)", what, got, want,
		    tol);
}

static void
detail_is(const struct session_problem *p, const char *want)
{
	if (strcmp(p->detail, want) != 0)
		fail_msg("%s detail \"%s\", expected \"%s\"", p->kind,
		    p->detail, want);
}

static void
detail_has(const struct session_problem *p, const char *want)
{
	if (strstr(p->detail, want) == NULL)
		fail_msg("%s detail \"%s\" lacks \"%s\"", p->kind, p->detail,
		    want);
}

/* Changed thresholds: every one lower than its default. */
static const struct health_config *
low_cfg(void)
{
	static struct health_config cfg;

	health_config_defaults(&cfg);
	cfg.stall_ms = 500;
	cfg.handshake_timeout_ms = 1000;
	cfg.ping_timeout_ms = 3000;
	cfg.av_desync_ms = 100;
	return &cfg;
}

static void
test_defaults(void **state)
{
	struct health_config cfg;

	(void)state;
	health_config_defaults(&cfg);
	assert_int_equal(cfg.stall_ms, 2000);
	assert_int_equal(cfg.handshake_timeout_ms, 5000);
	assert_int_equal(cfg.ping_timeout_ms, 10000);
	assert_int_equal(cfg.av_desync_ms, 1000);
	assert_int_equal(health_of_kind("stall"), HEALTH_WARN);
	assert_int_equal(health_of_kind("ping_timeout"), HEALTH_WARN);
	assert_int_equal(health_of_kind("av_desync"), HEALTH_WARN);
	assert_int_equal(health_of_kind("malformed"), HEALTH_WARN);
	assert_int_equal(health_of_kind("limit"), HEALTH_WARN);
	assert_int_equal(health_of_kind("connect_rejected"), HEALTH_BAD);
	assert_int_equal(health_of_kind("handshake_failed"), HEALTH_BAD);
	assert_int_equal(health_of_kind("stream_error"), HEALTH_BAD);
	assert_int_equal(health_of_kind("abrupt_close"), HEALTH_BAD);
	assert_int_equal(health_of_kind("capture_gap"), HEALTH_OK);
}

/* A clean session: publish, media, deleteStream, FIN.  Nothing to say. */
static void
test_clean_session(void **state)
{
	struct conv c;
	double t = T0 + 1;
	int i;

	(void)state;
	conv_streaming(&c, NULL, ROLE_PUBLISH);
	for (i = 0; i < 10; i++) {
		media_video(&c, (uint32_t)i * 100, t + i * 0.1);
		media_audio(&c, (uint32_t)i * 100 + 5, t + i * 0.1 + 0.01);
	}
	send_stop(&c, "deleteStream", t + 1.1);
	session_end(c.s, SESSION_END_CLOSED, t + 1.2);
	no_problems(c.s);
	assert_int_equal(c.s->media.video_frames, 10);
	assert_int_equal(c.s->media.audio_frames, 10);
	conv_free(&c);
}

/* ------------------------------------------------------------------ */
/* stall                                                                */

/* Media at t, then the next media gap_ms later; ended cleanly. */
static void
stall_case(const struct health_config *cfg, enum session_role role,
    double gap_ms, bool want)
{
	const struct session_problem *p;
	struct conv c;
	double t = T0 + 0.5, gap = gap_ms / 1000.0;
	char detail[64];

	conv_streaming(&c, cfg, role);
	media_video(&c, 0, t - 0.1);
	media_video(&c, 100, t);
	media_video(&c, 200, t + gap);
	media_video(&c, 300, t + gap + 0.1);
	send_stop(&c, "deleteStream", t + gap + 0.2);
	session_end(c.s, SESSION_END_CLOSED, t + gap + 0.3);
	if (!want) {
		no_problems(c.s);
	} else {
		p = one_problem(c.s, "stall");
		near(p->at, t, 1e-6, "stall at");
		near(p->duration_ms, gap_ms, TOL_MS, "stall duration_ms");
		assert_false(p->open);
		assert_int_equal(p->dir, role == ROLE_PLAY ? DIR_S2C :
		    DIR_C2S);
		snprintf(detail, sizeof(detail), "no audio or video for %.1f s",
		    gap_ms / 1000.0);
		detail_is(p, detail);
		assert_int_equal(c.s->problems->len, 1);
		health_is(c.s, HEALTH_WARN);
	}
	conv_free(&c);
}

static void
test_stall_under(void **state)
{
	(void)state;
	stall_case(NULL, ROLE_PUBLISH, 1999, false);
	stall_case(NULL, ROLE_PLAY, 1999, false);
	stall_case(low_cfg(), ROLE_PUBLISH, 499, false);
}

static void
test_stall_over(void **state)
{
	(void)state;
	stall_case(NULL, ROLE_PUBLISH, 2001, true);
	stall_case(NULL, ROLE_PLAY, 2001, true);
	stall_case(low_cfg(), ROLE_PUBLISH, 501, true);
	stall_case(low_cfg(), ROLE_PLAY, 501, true);
}

/* Exactly the threshold is a stall (">= stall_ms"). */
static void
test_stall_at_threshold(void **state)
{
	(void)state;
	stall_case(NULL, ROLE_PUBLISH, 2000, true);
	stall_case(low_cfg(), ROLE_PUBLISH, 500, true);
}

/* After publish, waiting for the first media counts as no media. */
static void
test_stall_before_first_media(void **state)
{
	const struct session_problem *p;
	struct conv c;

	(void)state;
	conv_streaming(&c, NULL, ROLE_PUBLISH);
	media_video(&c, 0, T0 + 0.22 + 1.999);
	no_problem(c.s, "stall");
	conv_free(&c);

	conv_streaming(&c, NULL, ROLE_PUBLISH);
	media_video(&c, 0, T0 + 0.22 + 2.001);
	p = one_problem(c.s, "stall");
	near(p->at, T0 + 0.22, 1e-6, "stall at");
	near(p->duration_ms, 2001, TOL_MS, "stall duration_ms");
	conv_free(&c);
}

/* Still stalled when the capture ends: the stall lasts until the end. */
static void
stall_at_end(const struct health_config *cfg, double after_ms, bool finish,
    bool want)
{
	const struct session_problem *p;
	struct conv c;
	double t = T0 + 0.5, end = t + after_ms / 1000.0;
	char detail[64];

	conv_streaming(&c, cfg, ROLE_PUBLISH);
	media_video(&c, 0, t - 0.1);
	media_audio(&c, 0, t);
	if (finish)
		session_table_finish(c.t, end);
	else
		session_end(c.s, SESSION_END_OPEN, end);
	assert_int_equal(c.s->state, SESSION_ENDED);
	assert_int_equal(c.s->how, SESSION_END_OPEN);
	if (!want) {
		no_problems(c.s);
	} else {
		p = one_problem(c.s, "stall");
		near(p->at, t, 1e-6, "stall at");
		near(p->duration_ms, after_ms, TOL_MS, "stall duration_ms");
		assert_false(p->open);
		snprintf(detail, sizeof(detail), "no audio or video for %.1f s",
		    after_ms / 1000.0);
		detail_is(p, detail);
		assert_int_equal(c.s->problems->len, 1);
		health_is(c.s, HEALTH_WARN);
	}
	conv_free(&c);
}

static void
test_stall_open_at_end(void **state)
{
	(void)state;
	stall_at_end(NULL, 3000, true, true);
	stall_at_end(NULL, 3000, false, true);
	stall_at_end(NULL, 1999, true, false);
	stall_at_end(NULL, 2001, false, true);
	stall_at_end(low_cfg(), 499, true, false);
	stall_at_end(low_cfg(), 501, true, true);
	stall_at_end(low_cfg(), 3000, false, true);
}

/* Seen by a tick while it lasts (open), closed when media comes back. */
static void
test_stall_tick_then_media(void **state)
{
	const struct session_problem *p;
	struct conv c;
	double t = T0 + 0.5;

	(void)state;
	conv_streaming(&c, NULL, ROLE_PLAY);
	media_video(&c, 0, t);
	session_table_tick(c.t, t + 1.999);
	no_problem(c.s, "stall");
	conv_free(&c);

	conv_streaming(&c, NULL, ROLE_PLAY);
	media_video(&c, 0, t);
	session_table_tick(c.t, t + 2.001);
	p = one_problem(c.s, "stall");
	assert_true(p->open);
	near(p->at, t, 1e-6, "stall at");
	assert_int_equal(p->dir, DIR_S2C);
	health_is(c.s, HEALTH_WARN);
	media_video(&c, 3000, t + 3);
	p = one_problem(c.s, "stall");
	assert_false(p->open);
	near(p->duration_ms, 3000, TOL_MS, "stall duration_ms");
	detail_is(p, "no audio or video for 3.0 s");
	/* Flowing again: the next gap is measured from the new media. */
	media_video(&c, 3100, t + 3 + 1.999);
	session_table_finish(c.t, t + 3 + 1.999 + 2.5);
	assert_int_equal(count_kind(c.s, "stall"), 2);
	p = &g_array_index(c.s->problems, struct session_problem,
	    c.s->problems->len - 1);
	assert_string_equal(p->kind, "stall");
	near(p->at, t + 3 + 1.999, 1e-6, "second stall at");
	near(p->duration_ms, 2500, TOL_MS, "second stall duration_ms");
	conv_free(&c);

	conv_streaming(&c, low_cfg(), ROLE_PUBLISH);
	media_video(&c, 0, t);
	session_table_tick(c.t, t + 0.499);
	no_problem(c.s, "stall");
	conv_free(&c);

	conv_streaming(&c, low_cfg(), ROLE_PUBLISH);
	media_video(&c, 0, t);
	session_table_tick(c.t, t + 0.501);
	p = one_problem(c.s, "stall");
	assert_true(p->open);
	media_video(&c, 1000, t + 1);
	p = one_problem(c.s, "stall");
	assert_false(p->open);
	near(p->duration_ms, 1000, TOL_MS, "stall duration_ms");
	conv_free(&c);
}

/* Before publish or play, no media is owed. */
static void
test_no_stall_before_stream(void **state)
{
	struct conv c;

	(void)state;
	conv_connected(&c, NULL);
	send_video(&c, CLIENT, 0, true, T0 + 1);
	send_video(&c, CLIENT, 40, false, T0 + 6);
	session_table_tick(c.t, T0 + 10);
	session_table_finish(c.t, T0 + 20);
	no_problems(c.s);
	conv_free(&c);

	/* Media before publish does not count against the stream. */
	conv_connected(&c, NULL);
	send_video(&c, CLIENT, 0, true, T0 + 1);
	send_create_stream(&c, 2, T0 + 5);
	send_start(&c, ROLE_PUBLISH, "cam1", T0 + 5.1);
	media_video(&c, 40, T0 + 5.1 + 1.999);
	session_table_finish(c.t, T0 + 5.1 + 2.1);
	no_problems(c.s);
	conv_free(&c);
}

/* After deleteStream (or closeStream, FCUnpublish, Play.Stop), none. */
static void
no_stall_after(const char *how, enum session_role role)
{
	struct conv c;
	double t = T0 + 1;

	conv_streaming(&c, NULL, role);
	media_video(&c, 0, t);
	if (strncmp(how, "NetStream.", 10) == 0)
		send_on_status(&c, "status", how, NULL, t + 0.5);
	else
		send_stop(&c, how, t + 0.5);
	session_table_tick(c.t, t + 10);
	media_video(&c, 100, t + 20);	/* in flight, late */
	session_table_finish(c.t, t + 30);
	no_problems(c.s);
	conv_free(&c);
}

static void
test_no_stall_after_stop(void **state)
{
	(void)state;
	no_stall_after("deleteStream", ROLE_PUBLISH);
	no_stall_after("deleteStream", ROLE_PLAY);
	no_stall_after("closeStream", ROLE_PLAY);
	no_stall_after("FCUnpublish", ROLE_PUBLISH);
	no_stall_after("NetStream.Play.Stop", ROLE_PLAY);
	no_stall_after("NetStream.Unpublish.Success", ROLE_PUBLISH);
}

/* ------------------------------------------------------------------ */
/* connect_rejected                                                     */

static void
test_connect_error(void **state)
{
	const struct session_problem *p;
	struct conv c;

	(void)state;
	conv_open(&c, NULL, T0);
	handshake(&c, T0);
	send_connect(&c, 1, T0 + 0.1);
	send_answer(&c, "_error", 1, "error", "NetConnection.Connect.Rejected",
	    "bad auth", T0 + 0.2);
	p = one_problem(c.s, "connect_rejected");
	assert_int_equal(p->dir, DIR_S2C);
	near(p->at, T0 + 0.2, 1e-6, "at");
	detail_is(p, "_error for connect to 'live': "
	    "NetConnection.Connect.Rejected: bad auth");
	health_is(c.s, HEALTH_BAD);
	/* The close that follows does not tell it twice. */
	session_end(c.s, SESSION_END_CLOSED, T0 + 0.3);
	assert_int_equal(count_kind(c.s, "connect_rejected"), 1);
	assert_int_equal(c.s->problems->len, 1);
	conv_free(&c);
}

/* An _error answering another transaction is not connect's. */
static void
test_connect_error_other_txn(void **state)
{
	struct conv c;
	GByteArray *b;

	(void)state;
	conv_open(&c, NULL, T0);
	handshake(&c, T0);
	send_connect(&c, 1, T0 + 0.1);
	send_answer(&c, "_error", 2, "error", "NetConnection.Call.Failed",
	    NULL, T0 + 0.2);
	no_problem(c.s, "connect_rejected");
	send_answer(&c, "_result", 1, "status",
	    "NetConnection.Connect.Success", NULL, T0 + 0.3);
	session_end(c.s, SESSION_END_CLOSED, T0 + 0.4);
	no_problems(c.s);
	conv_free(&c);

	/* Nor is a createStream refused after connect succeeded. */
	conv_connected(&c, NULL);
	b = command("createStream", 2);
	amf_null(b);
	send_msg(&c, CLIENT, CS_COMMAND, MSG_COMMAND_AMF0, 0, 0, b, T0 + 0.2);
	send_answer(&c, "_error", 2, "error", "NetConnection.Call.Failed",
	    NULL, T0 + 0.21);
	session_end(c.s, SESSION_END_CLOSED, T0 + 0.3);
	no_problems(c.s);
	conv_free(&c);
}

static void
closed_before_result(enum session_end how)
{
	const struct session_problem *p;
	struct conv c;

	conv_open(&c, NULL, T0);
	handshake(&c, T0);
	send_connect(&c, 1, T0 + 0.1);
	session_end(c.s, how, T0 + 2);
	p = one_problem(c.s, "connect_rejected");
	assert_int_equal(p->dir, DIR_S2C);
	near(p->at, T0 + 2, 1e-6, "at");
	detail_is(p, "connection closed before connect was answered");
	health_is(c.s, HEALTH_BAD);
	conv_free(&c);
}

static void
test_connect_closed_before_result(void **state)
{
	(void)state;
	closed_before_result(SESSION_END_CLOSED);
	closed_before_result(SESSION_END_RESET);
}

static void
test_connect_result(void **state)
{
	struct conv c;

	(void)state;
	conv_connected(&c, NULL);
	session_end(c.s, SESSION_END_CLOSED, T0 + 1);
	no_problems(c.s);
	conv_free(&c);
}

/* The capture ended before the answer: nothing is known. */
static void
test_connect_capture_ends(void **state)
{
	struct conv c;

	(void)state;
	conv_open(&c, NULL, T0);
	handshake(&c, T0);
	send_connect(&c, 1, T0 + 0.1);
	session_end(c.s, SESSION_END_OPEN, T0 + 2);
	no_problems(c.s);
	conv_free(&c);

	conv_open(&c, NULL, T0);
	handshake(&c, T0);
	send_connect(&c, 1, T0 + 0.1);
	session_table_finish(c.t, T0 + 30);
	no_problems(c.s);
	conv_free(&c);
}

/* ------------------------------------------------------------------ */
/* stream_error                                                         */

static void
test_stream_error(void **state)
{
	const struct session_problem *p;
	struct conv c;

	(void)state;
	conv_connected(&c, NULL);
	send_create_stream(&c, 2, T0 + 0.2);
	send_start(&c, ROLE_PLAY, "nosuch", T0 + 0.3);
	send_on_status(&c, "error", "NetStream.Play.StreamNotFound",
	    "nosuch not found", T0 + 0.4);
	p = one_problem(c.s, "stream_error");
	assert_int_equal(p->dir, DIR_S2C);
	near(p->at, T0 + 0.4, 1e-6, "at");
	detail_has(p, "NetStream.Play.StreamNotFound");
	detail_is(p, "NetStream.Play.StreamNotFound: nosuch not found");
	health_is(c.s, HEALTH_BAD);
	conv_free(&c);

	/* Without a description, the code alone. */
	conv_connected(&c, NULL);
	send_create_stream(&c, 2, T0 + 0.2);
	send_start(&c, ROLE_PUBLISH, "cam1", T0 + 0.3);
	send_on_status(&c, "error", "NetStream.Publish.BadName", NULL,
	    T0 + 0.4);
	p = one_problem(c.s, "stream_error");
	detail_is(p, "NetStream.Publish.BadName");
	/* A refused stream owes no media. */
	session_table_finish(c.t, T0 + 10);
	no_problem(c.s, "stall");
	conv_free(&c);
}

static void
test_stream_status_ok(void **state)
{
	struct conv c;

	(void)state;
	conv_streaming(&c, NULL, ROLE_PLAY);
	send_on_status(&c, "status", "NetStream.Play.Reset", "reset",
	    T0 + 0.3);
	send_on_status(&c, "warning", "NetStream.Play.InsufficientBW", NULL,
	    T0 + 0.35);
	media_video(&c, 0, T0 + 0.4);
	send_stop(&c, "deleteStream", T0 + 0.5);
	session_end(c.s, SESSION_END_CLOSED, T0 + 0.6);
	no_problems(c.s);
	conv_free(&c);
}

/* ------------------------------------------------------------------ */
/* handshake_failed                                                     */

/* C0C1 at T0, S0S1S2 at once, no C2; a tick at T0 + after_ms. */
static void
handshake_tick(const struct health_config *cfg, double after_ms, bool want)
{
	const struct session_problem *p;
	struct conv c;
	char detail[64];

	conv_open(&c, cfg, T0);
	send_c0c1(&c, 3, T0);
	send_s0s1s2(&c, 3, T0 + 0.01);
	assert_int_equal(c.s->state, SESSION_HANDSHAKE);
	session_table_tick(c.t, T0 + after_ms / 1000.0);
	if (!want) {
		no_problems(c.s);
	} else {
		p = one_problem(c.s, "handshake_failed");
		assert_int_equal(p->dir, DIR_C2S);
		near(p->at, T0, 1e-6, "at");
		near(p->duration_ms, after_ms, TOL_MS, "duration_ms");
		snprintf(detail, sizeof(detail),
		    "handshake not complete after %u ms",
		    session_table_health(c.t)->handshake_timeout_ms);
		detail_is(p, detail);
		health_is(c.s, HEALTH_BAD);
		/* The close that follows does not tell it again. */
		session_end(c.s, SESSION_END_CLOSED, T0 + after_ms / 1000.0 +
		    1);
		assert_int_equal(count_kind(c.s, "handshake_failed"), 1);
	}
	conv_free(&c);
}

static void
test_handshake_timeout_under(void **state)
{
	(void)state;
	handshake_tick(NULL, 4999, false);
	handshake_tick(low_cfg(), 999, false);
}

static void
test_handshake_timeout_over(void **state)
{
	(void)state;
	handshake_tick(NULL, 5001, true);
	handshake_tick(low_cfg(), 1001, true);
}

/* A handshake that completes in time is no problem, however long after. */
static void
test_handshake_in_time(void **state)
{
	struct conv c;

	(void)state;
	conv_open(&c, NULL, T0);
	send_c0c1(&c, 3, T0);
	send_s0s1s2(&c, 3, T0 + 2);
	send_c2(&c, T0 + 4.999);
	assert_int_equal(c.s->state, SESSION_ACTIVE);
	session_table_tick(c.t, T0 + 60);
	session_end(c.s, SESSION_END_CLOSED, T0 + 61);
	no_problems(c.s);
	conv_free(&c);
}

/*
 * Completed, but later than the timeout, with no tick in between (the
 * capture loop ticks after feeding, so a handshake completed by the packet
 * after the deadline is never seen pending): it was not complete within
 * handshake_timeout_ms.
 */
static void
late_handshake(const struct health_config *cfg, double after_ms)
{
	const struct session_problem *p;
	struct conv c;
	double done = T0 + after_ms / 1000.0;

	conv_open(&c, cfg, T0);
	send_c0c1(&c, 3, T0);
	session_table_tick(c.t, T0);
	send_s0s1s2(&c, 3, T0 + 0.01);
	session_table_tick(c.t, T0 + 0.01);
	send_c2(&c, done);
	session_table_tick(c.t, done);
	assert_int_equal(c.s->state, SESSION_ACTIVE);
	session_end(c.s, SESSION_END_CLOSED, done + 1);
	p = one_problem(c.s, "handshake_failed");
	near(p->at, T0, 1e-6, "at");
	health_is(c.s, HEALTH_BAD);
	conv_free(&c);
}

static void
test_handshake_completed_late(void **state)
{
	(void)state;
	late_handshake(NULL, 5001);
	late_handshake(low_cfg(), 1001);
}

static void
test_handshake_closed_during(void **state)
{
	const struct session_problem *p;
	enum session_end how;
	struct conv c;

	(void)state;
	for (how = SESSION_END_CLOSED; how <= SESSION_END_RESET; how++) {
		conv_open(&c, NULL, T0);
		send_c0c1(&c, 3, T0);
		send_s0s1s2(&c, 3, T0 + 0.01);
		session_end(c.s, how, T0 + 1);
		p = one_problem(c.s, "handshake_failed");
		near(p->at, T0 + 1, 1e-6, "at");
		detail_is(p, "closed during the handshake");
		health_is(c.s, HEALTH_BAD);
		conv_free(&c);
	}

	/* Only C0C1 seen. */
	conv_open(&c, NULL, T0);
	send_c0c1(&c, 3, T0);
	session_end(c.s, SESSION_END_CLOSED, T0 + 0.5);
	p = one_problem(c.s, "handshake_failed");
	detail_is(p, "closed during the handshake");
	conv_free(&c);
}

/*
 * The capture ended during the handshake: nothing was closed, so only the
 * timeout can tell (as connect_rejected and abrupt_close ignore
 * SESSION_END_OPEN).
 */
static void
test_handshake_capture_ends(void **state)
{
	const struct session_problem *p;
	struct conv c;

	(void)state;
	conv_open(&c, NULL, T0);
	send_c0c1(&c, 3, T0);
	send_s0s1s2(&c, 3, T0 + 0.01);
	session_table_finish(c.t, T0 + 4.999);
	assert_int_equal(c.s->how, SESSION_END_OPEN);
	no_problems(c.s);
	conv_free(&c);

	conv_open(&c, NULL, T0);
	send_c0c1(&c, 3, T0);
	session_end(c.s, SESSION_END_OPEN, T0 + 1);
	no_problems(c.s);
	conv_free(&c);

	/* Past the timeout, the timeout says it. */
	conv_open(&c, NULL, T0);
	send_c0c1(&c, 3, T0);
	session_table_finish(c.t, T0 + 5.001);
	p = one_problem(c.s, "handshake_failed");
	near(p->at, T0, 1e-6, "at");
	near(p->duration_ms, 5001, TOL_MS, "duration_ms");
	detail_is(p, "handshake not complete after 5000 ms");
	conv_free(&c);
}

static void
test_handshake_rtmpe(void **state)
{
	const struct session_problem *p;
	uint8_t version;
	struct conv c;
	char detail[64];

	(void)state;
	for (version = 6; version <= 9; version++) {
		if (version == 7)
			continue;
		conv_open(&c, NULL, T0);
		send_c0c1(&c, version, T0);
		p = one_problem(c.s, "handshake_failed");
		assert_int_equal(p->dir, DIR_C2S);
		near(p->at, T0, 1e-6, "at");
		snprintf(detail, sizeof(detail),
		    "C0C1 version %u: encrypted (RTMPE)", version);
		detail_is(p, detail);
		assert_int_equal(c.s->state, SESSION_UNDECODABLE);
		health_is(c.s, HEALTH_BAD);
		/* Undecodable is not "closed during the handshake" too. */
		session_end(c.s, SESSION_END_CLOSED, T0 + 1);
		assert_int_equal(count_kind(c.s, "handshake_failed"), 1);
		conv_free(&c);
	}
}

/* A version that is no RTMP at all, on the RTMP port. */
static void
test_handshake_unknown_version(void **state)
{
	const struct session_problem *p;
	struct conv c;

	(void)state;
	conv_open(&c, NULL, T0);
	send_c0c1(&c, 0x10, T0);
	p = one_problem(c.s, "handshake_failed");
	assert_int_equal(p->dir, DIR_C2S);
	detail_has(p, "0x10");
	health_is(c.s, HEALTH_BAD);
	conv_free(&c);

	/* The server answering with another version than 3. */
	conv_open(&c, NULL, T0);
	send_c0c1(&c, 3, T0);
	send_s0s1s2(&c, 6, T0 + 0.01);
	p = one_problem(c.s, "handshake_failed");
	assert_int_equal(p->dir, DIR_S2C);
	detail_is(p, "S0S1S2 version 6: encrypted (RTMPE)");
	conv_free(&c);
}

/* ------------------------------------------------------------------ */
/* ping_timeout                                                         */

/* The server pings at t; a tick at t + after_ms. */
static void
ping_tick(const struct health_config *cfg, double after_ms, bool want)
{
	const struct session_problem *p;
	struct conv c;
	double t = T0 + 1;
	char detail[80];

	conv_connected(&c, cfg);
	send_ping(&c, SERVER, 6, 4242, t);
	assert_true(c.s->ping_pending);
	session_table_tick(c.t, t + after_ms / 1000.0);
	if (!want) {
		no_problems(c.s);
	} else {
		p = one_problem(c.s, "ping_timeout");
		assert_int_equal(p->dir, DIR_S2C);
		near(p->at, t, 1e-6, "at");
		assert_true(p->open);
		snprintf(detail, sizeof(detail),
		    "ping request 4242 unanswered for %u ms",
		    session_table_health(c.t)->ping_timeout_ms);
		detail_is(p, detail);
		health_is(c.s, HEALTH_WARN);
		assert_int_equal(c.s->problems->len, 1);
		/* Answered at last: it lasted until then. */
		send_ping(&c, CLIENT, 7, 4242, t + after_ms / 1000.0 + 1);
		p = one_problem(c.s, "ping_timeout");
		assert_false(p->open);
		near(p->duration_ms, after_ms + 1000, TOL_MS, "duration_ms");
		near(c.s->rtt_ms, after_ms + 1000, TOL_MS, "rtt_ms");
		assert_int_equal(count_kind(c.s, "ping_timeout"), 1);
	}
	conv_free(&c);
}

static void
test_ping_timeout_under(void **state)
{
	(void)state;
	ping_tick(NULL, 9999, false);
	ping_tick(low_cfg(), 2999, false);
}

static void
test_ping_timeout_over(void **state)
{
	(void)state;
	ping_tick(NULL, 10001, true);
	ping_tick(low_cfg(), 3001, true);
}

static void
test_ping_answered(void **state)
{
	struct conv c;
	double t = T0 + 1;

	(void)state;
	conv_connected(&c, NULL);
	assert_true(c.s->rtt_ms < 0);
	send_ping(&c, SERVER, 6, 77, t);
	send_ping(&c, CLIENT, 7, 77, t + 0.05);
	assert_false(c.s->ping_pending);
	near(c.s->rtt_ms, 50, TOL_MS, "rtt_ms");
	session_table_tick(c.t, t + 60);
	session_end(c.s, SESSION_END_CLOSED, t + 61);
	no_problems(c.s);
	conv_free(&c);

	/* A response with another value answers nothing. */
	conv_connected(&c, NULL);
	send_ping(&c, SERVER, 6, 77, t);
	send_ping(&c, CLIENT, 7, 78, t + 0.05);
	assert_true(c.s->ping_pending);
	assert_true(c.s->rtt_ms < 0);
	session_table_tick(c.t, t + 10.001);
	(void)one_problem(c.s, "ping_timeout");
	conv_free(&c);
}

/* Still unanswered when the capture ends. */
static void
test_ping_open_at_end(void **state)
{
	const struct session_problem *p;
	struct conv c;
	double t = T0 + 1;

	(void)state;
	conv_connected(&c, NULL);
	send_ping(&c, SERVER, 6, 5, t);
	session_table_finish(c.t, t + 9.999);
	no_problems(c.s);
	conv_free(&c);

	conv_connected(&c, NULL);
	send_ping(&c, SERVER, 6, 5, t);
	session_table_finish(c.t, t + 11);
	p = one_problem(c.s, "ping_timeout");
	assert_false(p->open);
	near(p->at, t, 1e-6, "at");
	near(p->duration_ms, 11000, TOL_MS, "duration_ms");
	health_is(c.s, HEALTH_WARN);
	conv_free(&c);
}

/*
 * Answered, but only after the timeout, with no tick in between (the
 * answer and the tick came in the same packet): it was unanswered for
 * ping_timeout_ms all the same.
 */
static void
late_pong(const struct health_config *cfg, double after_ms)
{
	const struct session_problem *p;
	struct conv c;
	double t = T0 + 1;

	conv_connected(&c, cfg);
	send_ping(&c, SERVER, 6, 99, t);
	session_table_tick(c.t, t);
	send_ping(&c, CLIENT, 7, 99, t + after_ms / 1000.0);
	session_table_tick(c.t, t + after_ms / 1000.0);
	near(c.s->rtt_ms, after_ms, TOL_MS, "rtt_ms");
	session_end(c.s, SESSION_END_OPEN, t + after_ms / 1000.0 + 1);
	p = one_problem(c.s, "ping_timeout");
	near(p->at, t, 1e-6, "at");
	health_is(c.s, HEALTH_WARN);
	conv_free(&c);
}

static void
test_ping_answered_late(void **state)
{
	(void)state;
	late_pong(NULL, 10001);
	late_pong(low_cfg(), 3001);
}

/* ------------------------------------------------------------------ */
/* abrupt_close                                                         */

static void
abrupt(enum session_role role, enum session_end how, const char *want)
{
	const struct session_problem *p;
	struct conv c;

	conv_streaming(&c, NULL, role);
	media_video(&c, 0, T0 + 0.5);
	session_end(c.s, how, T0 + 0.6);
	p = one_problem(c.s, "abrupt_close");
	assert_int_equal(p->dir, role == ROLE_PLAY ? DIR_S2C : DIR_C2S);
	near(p->at, T0 + 0.6, 1e-6, "at");
	detail_is(p, want);
	assert_int_equal(c.s->problems->len, 1);
	health_is(c.s, HEALTH_BAD);
	conv_free(&c);
}

static void
test_abrupt_reset_playing(void **state)
{
	(void)state;
	abrupt(ROLE_PLAY, SESSION_END_RESET,
	    "reset while play, without deleteStream");
	abrupt(ROLE_PUBLISH, SESSION_END_RESET,
	    "reset while publish, without deleteStream");
}

static void
test_abrupt_fin_publishing(void **state)
{
	(void)state;
	abrupt(ROLE_PUBLISH, SESSION_END_CLOSED,
	    "closed while publish, without deleteStream");
	abrupt(ROLE_PLAY, SESSION_END_CLOSED,
	    "closed while play, without deleteStream");
}

/* A clean stop, then a close or a reset: not abrupt. */
static void
clean_stop(const char *stop, enum session_role role, enum session_end how)
{
	struct conv c;

	conv_streaming(&c, NULL, role);
	media_video(&c, 0, T0 + 0.5);
	send_stop(&c, stop, T0 + 0.6);
	session_end(c.s, how, T0 + 0.7);
	no_problems(c.s);
	conv_free(&c);
}

static void
test_abrupt_after_delete_stream(void **state)
{
	(void)state;
	clean_stop("deleteStream", ROLE_PLAY, SESSION_END_RESET);
	clean_stop("deleteStream", ROLE_PUBLISH, SESSION_END_RESET);
	clean_stop("deleteStream", ROLE_PUBLISH, SESSION_END_CLOSED);
	clean_stop("closeStream", ROLE_PLAY, SESSION_END_CLOSED);
	clean_stop("closeStream", ROLE_PLAY, SESSION_END_RESET);
	clean_stop("FCUnpublish", ROLE_PUBLISH, SESSION_END_CLOSED);
	clean_stop("FCUnpublish", ROLE_PUBLISH, SESSION_END_RESET);
}

static void
test_abrupt_reset_before_stream(void **state)
{
	const struct session_problem *p;
	struct conv c;

	(void)state;
	conv_connected(&c, NULL);
	session_end(c.s, SESSION_END_RESET, T0 + 1);
	p = one_problem(c.s, "abrupt_close");
	assert_int_equal(p->dir, DIR_C2S);
	near(p->at, T0 + 1, 1e-6, "at");
	detail_is(p, "connection reset");
	assert_int_equal(c.s->problems->len, 1);
	health_is(c.s, HEALTH_BAD);
	conv_free(&c);

	/* A FIN before any stream is a normal close. */
	conv_connected(&c, NULL);
	session_end(c.s, SESSION_END_CLOSED, T0 + 1);
	no_problems(c.s);
	conv_free(&c);
}

/* The capture ended while the stream went on: nothing abrupt about it. */
static void
test_abrupt_not_when_open(void **state)
{
	struct conv c;

	(void)state;
	conv_streaming(&c, NULL, ROLE_PUBLISH);
	media_video(&c, 0, T0 + 0.5);
	session_end(c.s, SESSION_END_OPEN, T0 + 0.6);
	no_problems(c.s);
	conv_free(&c);
}

/* ------------------------------------------------------------------ */
/* av_desync                                                            */

/* Video at ts 0, then audio at ts audio_ts (or the other way round). */
static void
desync_case(const struct health_config *cfg, uint32_t apart, bool audio_ahead,
    bool want)
{
	const struct session_problem *p;
	struct conv c;
	double t = T0 + 0.5;
	char detail[64];

	conv_streaming(&c, cfg, ROLE_PUBLISH);
	if (audio_ahead) {
		media_video(&c, 1000, t);
		media_audio(&c, 1000 + apart, t + 0.01);
	} else {
		media_audio(&c, 1000, t);
		media_video(&c, 1000 + apart, t + 0.01);
	}
	if (!want) {
		no_problems(c.s);
		session_end(c.s, SESSION_END_OPEN, t + 0.4);
		no_problems(c.s);
		conv_free(&c);
		return;
	}
	p = one_problem(c.s, "av_desync");
	assert_true(p->open);
	assert_int_equal(p->dir, DIR_C2S);
	near(p->at, t + 0.01, 1e-6, "at");
	snprintf(detail, sizeof(detail), "audio %s video by %u ms",
	    audio_ahead ? "ahead of" : "behind", apart);
	detail_is(p, detail);
	health_is(c.s, HEALTH_WARN);
	/* Back in sync: it lasted until then. */
	if (audio_ahead)
		media_video(&c, 1000 + apart, t + 0.31);
	else
		media_audio(&c, 1000 + apart, t + 0.31);
	p = one_problem(c.s, "av_desync");
	assert_false(p->open);
	near(p->duration_ms, 300, TOL_MS, "duration_ms");
	session_end(c.s, SESSION_END_OPEN, t + 0.4);
	assert_int_equal(c.s->problems->len, 1);
	conv_free(&c);
}

static void
test_av_desync_under(void **state)
{
	(void)state;
	desync_case(NULL, 1000, true, false);
	desync_case(NULL, 1000, false, false);
	desync_case(low_cfg(), 100, true, false);
	desync_case(low_cfg(), 100, false, false);
}

static void
test_av_desync_over(void **state)
{
	(void)state;
	desync_case(NULL, 1001, true, true);
	desync_case(NULL, 1001, false, true);
	desync_case(low_cfg(), 101, true, true);
	desync_case(low_cfg(), 101, false, true);
}

/* Still apart at the end: the desync lasts until the end. */
static void
test_av_desync_open_at_end(void **state)
{
	const struct session_problem *p;
	struct conv c;
	double t = T0 + 1;

	(void)state;
	conv_streaming(&c, NULL, ROLE_PLAY);
	media_video(&c, 0, t);
	media_audio(&c, 5000, t + 0.1);
	media_video(&c, 40, t + 0.2);
	session_table_finish(c.t, t + 1.1);
	p = one_problem(c.s, "av_desync");
	assert_false(p->open);
	assert_int_equal(p->dir, DIR_S2C);
	near(p->duration_ms, 1000, TOL_MS, "duration_ms");
	conv_free(&c);
}

/* Audio one way and video the other are not compared. */
static void
test_av_desync_per_direction(void **state)
{
	struct conv c;
	double t = T0 + 1;

	(void)state;
	conv_streaming(&c, NULL, ROLE_PUBLISH);
	send_video(&c, CLIENT, 0, true, t);
	send_audio(&c, SERVER, 50000, t + 0.01);
	session_end(c.s, SESSION_END_OPEN, t + 0.5);
	no_problems(c.s);
	conv_free(&c);
}

/* ------------------------------------------------------------------ */
/* capture_gap, malformed                                               */

static void
test_capture_gap(void **state)
{
	const struct session_problem *p;
	GByteArray *w, *body;
	struct conv c;
	double t = T0 + 1;
	guint i;

	(void)state;
	conv_streaming(&c, NULL, ROLE_PUBLISH);
	media_video(&c, 0, t);
	/* A video message of 100 bytes; 30 of its body lost mid-way. */
	body = g_byte_array_new();
	b8(body, 0x27);
	b8(body, 0x01);
	b24(body, 0);
	for (i = 0; i < 95; i++)
		b8(body, (uint8_t)i);
	w = g_byte_array_new();
	chunk_message(w, CS_VIDEO, MSG_VIDEO, MSID, 40, body->data, body->len);
	g_byte_array_free(body, TRUE);
	assert_int_equal(w->len, 12 + 100);
	feed(&c, CLIENT, w->data, 12 + 50, t + 0.04);
	session_gap(c.s, CLIENT, 30, t + 0.05);
	feed(&c, CLIENT, w->data + 12 + 80, 20, t + 0.06);
	g_byte_array_free(w, TRUE);
	media_video(&c, 80, t + 0.08);
	send_stop(&c, "deleteStream", t + 0.1);
	session_end(c.s, SESSION_END_CLOSED, t + 0.2);

	p = one_problem(c.s, "capture_gap");
	assert_int_equal(p->dir, DIR_C2S);
	near(p->at, t + 0.05, 1e-6, "at");
	detail_is(p, "30 bytes lost by the capture");
	assert_int_equal(c.s->problems->len, 1);
	assert_int_equal(c.s->gaps, 1);
	assert_int_equal(c.s->dirs[DIR_C2S].gap_bytes, 30);
	assert_int_equal(session_health(c.s), HEALTH_OK);
	conv_free(&c);

	/* A gap on its own, between messages, from the server. */
	conv_connected(&c, NULL);
	session_gap(c.s, SERVER, 1000, T0 + 1);
	session_table_finish(c.t, T0 + 2);
	p = one_problem(c.s, "capture_gap");
	assert_int_equal(p->dir, DIR_S2C);
	detail_is(p, "1000 bytes lost by the capture");
	assert_int_equal(session_health(c.s), HEALTH_OK);
	conv_free(&c);
}

static void
test_malformed_chunk_header(void **state)
{
	static const uint8_t fmt2[] = { 0x80 | 10, 0x00, 0x00, 0x28 };
	const struct session_problem *p;
	struct conv c;

	(void)state;
	conv_connected(&c, NULL);
	feed(&c, CLIENT, fmt2, sizeof(fmt2), T0 + 1);
	if (count_kind(c.s, "malformed") < 1) {
		print_problems(c.s);
		fail_msg("no malformed problem");
	}
	p = &g_array_index(c.s->problems, struct session_problem, 0);
	assert_string_equal(p->kind, "malformed");
	assert_int_equal(p->dir, DIR_C2S);
	near(p->at, T0 + 1, 1e-6, "at");
	detail_is(p, "chunk header on csid 10 cannot be decoded; "
	    "resynchronising");
	assert_true(c.s->malformed >= 1);
	health_is(c.s, HEALTH_WARN);
	session_table_finish(c.t, T0 + 2);
	health_is(c.s, HEALTH_WARN);
	conv_free(&c);

	/* fmt 3 on a never-seen csid, right after the handshake. */
	conv_open(&c, NULL, T0);
	handshake(&c, T0);
	{
		static const uint8_t fmt3[] = { 0xc0 | 20, 0x01, 0x02 };

		feed(&c, CLIENT, fmt3, sizeof(fmt3), T0 + 0.5);
	}
	p = &g_array_index(c.s->problems, struct session_problem, 0);
	assert_string_equal(p->kind, "malformed");
	detail_is(p, "chunk header on csid 20 cannot be decoded; "
	    "resynchronising");
	health_is(c.s, HEALTH_WARN);
	conv_free(&c);
}

/* ------------------------------------------------------------------ */
/* The verdict                                                          */

static void
test_health_worst(void **state)
{
	struct conv c;
	double t = T0 + 1;

	(void)state;
	/* A stall (warn), then a FIN while publishing (bad): bad. */
	conv_streaming(&c, NULL, ROLE_PUBLISH);
	media_video(&c, 0, t);
	media_video(&c, 100, t + 2.5);
	health_is(c.s, HEALTH_WARN);
	session_end(c.s, SESSION_END_CLOSED, t + 2.6);
	assert_int_equal(count_kind(c.s, "stall"), 1);
	assert_int_equal(count_kind(c.s, "abrupt_close"), 1);
	health_is(c.s, HEALTH_BAD);
	conv_free(&c);

	/* bad first, warn after: still bad. */
	conv_connected(&c, NULL);
	send_create_stream(&c, 2, T0 + 0.2);
	send_start(&c, ROLE_PLAY, "nosuch", T0 + 0.3);
	send_on_status(&c, "error", "NetStream.Play.StreamNotFound", NULL,
	    T0 + 0.4);
	send_ping(&c, SERVER, 6, 1, T0 + 0.5);
	session_table_tick(c.t, T0 + 11);
	assert_int_equal(count_kind(c.s, "ping_timeout"), 1);
	health_is(c.s, HEALTH_BAD);
	conv_free(&c);

	/* warn and a capture gap (none): warn. */
	conv_connected(&c, NULL);
	session_gap(c.s, SERVER, 10, T0 + 1);
	health_is(c.s, HEALTH_OK);
	send_ping(&c, SERVER, 6, 1, T0 + 2);
	session_table_finish(c.t, T0 + 13);
	health_is(c.s, HEALTH_WARN);
	conv_free(&c);
}

int
main(void)
{
#define T(f)	cmocka_unit_test_teardown(f, teardown)
	const struct CMUnitTest tests[] = {
		T(test_defaults),
		T(test_clean_session),
		T(test_stall_under),
		T(test_stall_over),
		T(test_stall_at_threshold),
		T(test_stall_before_first_media),
		T(test_stall_open_at_end),
		T(test_stall_tick_then_media),
		T(test_no_stall_before_stream),
		T(test_no_stall_after_stop),
		T(test_connect_error),
		T(test_connect_error_other_txn),
		T(test_connect_closed_before_result),
		T(test_connect_result),
		T(test_connect_capture_ends),
		T(test_stream_error),
		T(test_stream_status_ok),
		T(test_handshake_timeout_under),
		T(test_handshake_timeout_over),
		T(test_handshake_in_time),
		T(test_handshake_completed_late),
		T(test_handshake_closed_during),
		T(test_handshake_capture_ends),
		T(test_handshake_rtmpe),
		T(test_handshake_unknown_version),
		T(test_ping_timeout_under),
		T(test_ping_timeout_over),
		T(test_ping_answered),
		T(test_ping_open_at_end),
		T(test_ping_answered_late),
		T(test_abrupt_reset_playing),
		T(test_abrupt_fin_publishing),
		T(test_abrupt_after_delete_stream),
		T(test_abrupt_reset_before_stream),
		T(test_abrupt_not_when_open),
		T(test_av_desync_under),
		T(test_av_desync_over),
		T(test_av_desync_open_at_end),
		T(test_av_desync_per_direction),
		T(test_capture_gap),
		T(test_malformed_chunk_header),
		T(test_health_worst),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
