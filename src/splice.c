/*
 * The failover of a redirect: see splice.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>

#include "handshake.h"
#include "splice.h"

#define SPLICE_CHUNK_SIZE	4096U	/* what the proxy sends the backend */
#define HANDSHAKE_REPLY		(1U + 2U * HANDSHAKE_BLOCK)	/* S0 S1 S2 */
#define CSID_COMMAND		3U
#define CSID_DATA		5U

/* User control events whose value is a message stream id. */
#define UC_STREAM_ID_EVENTS_MAX	4U	/* 0 Stream Begin .. 4 Is Recorded */
#define UC_BUFFER_EMPTY		31U
#define UC_BUFFER_READY		32U
#define UC_SET_BUFFER_LENGTH	3U
#define UC_PING_REQUEST		6U
#define UC_PING_RESPONSE	7U

/* A client message held while the commands are replayed. */
struct held {
	uint8_t		 type;
	uint32_t	 csid;
	uint32_t	 msid;
	uint32_t	 ts;
	GBytes		*body;
};

static void
held_free(gpointer p)
{
	struct held *h = p;

	g_bytes_unref(h->body);
	g_free(h);
}

static void
fail(struct splice *sp, const char *reason, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static void
fail(struct splice *sp, const char *reason, const char *fmt, ...)
{
	va_list ap;

	if (sp->state == SPLICE_FAILED)
		return;
	sp->state = SPLICE_FAILED;
	sp->reason = reason;
	va_start(ap, fmt);
	vsnprintf(sp->detail, sizeof(sp->detail), fmt, ap);
	va_end(ap);
}

static uint32_t
get_u32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
put_u32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Writing to each side. */

static void
to_client(struct splice *sp, uint32_t csid, uint8_t type, uint32_t msid,
    uint32_t ts, const uint8_t *body, size_t len)
{
	if (!chunk_writer_message(sp->client_writer, sp->to_client, csid,
	    type, replay_client_msid(sp->replay, msid), ts, body, len))
		fail(sp, "malformed", "cannot relay a message of type %u on "
		    "csid %u to the client", type, csid);
}

static void
to_backend(struct splice *sp, uint32_t csid, uint8_t type,
    uint32_t client_msid, uint32_t ts, const uint8_t *body, size_t len)
{
	if (!chunk_writer_message(&sp->backend_writer, sp->to_backend, csid,
	    type, replay_backend_msid(sp->replay, client_msid), ts, body, len))
		fail(sp, "malformed", "cannot relay a message of type %u on "
		    "csid %u to the backend", type, csid);
}

static void
to_backend_bytes(struct splice *sp, uint32_t csid, uint8_t type,
    uint32_t client_msid, uint32_t ts, GBytes *b)
{
	gsize n;
	const uint8_t *p = g_bytes_get_data(b, &n);

	to_backend(sp, csid, type, client_msid, ts, p, n);
}

/*
 * A user control event (| event:2 | value:4 | [more:4] |) with the stream
 * id of events 0..4, 31 and 32 mapped by map (towards the client or the
 * backend).
 */
static bool
user_control_mapped(const struct rtmp_message *m, uint8_t out[10],
    uint32_t (*map)(const struct replay *, uint32_t), const struct replay *r)
{
	uint16_t ev;

	if (m->kept != 6 && m->kept != 10)
		return false;
	memcpy(out, m->body, m->kept);
	ev = (uint16_t)(m->body[0] << 8 | m->body[1]);
	if (ev <= UC_STREAM_ID_EVENTS_MAX || ev == UC_BUFFER_EMPTY ||
	    ev == UC_BUFFER_READY)
		put_u32be(out + 2, map(r, get_u32be(m->body + 2)));
	return true;
}

/* Replaying the client's commands. */

static void	release_held(struct splice *);

static bool
command_is(const struct replay_command *rc, const char *name)
{
	return strcmp(rc->name, name) == 0;
}

static void
ready(struct splice *sp)
{
	sp->state = SPLICE_READY;
	sp->waiting = false;
	release_held(sp);
}

/*
 * Sends commands in order; connect and createStream wait for their
 * _result, play and publish for their onStatus, the others go on at once
 * (servers do not all answer releaseStream or FCPublish).
 */
static void
replay_next(struct splice *sp)
{
	struct replay_command *rc;
	struct replay_stream *st;
	GPtrArray *cmds = sp->replay->commands;
	uint8_t uc[10];

	while (!sp->waiting && sp->state == SPLICE_REPLAY &&
	    sp->next < cmds->len) {
		rc = g_ptr_array_index(cmds, sp->next++);
		to_backend_bytes(sp, rc->csid, rc->type, rc->msid, 0, rc->body);
		if (command_is(rc, "connect") || command_is(rc, "createStream")) {
			sp->waiting = true;
			sp->waiting_txn = rc->txn;
		} else if (command_is(rc, "play") || command_is(rc, "play2") ||
		    command_is(rc, "publish")) {
			sp->waiting = true;
			sp->waiting_txn = 0;
			sp->waiting_msid = replay_backend_msid(sp->replay,
			    rc->msid);
			st = replay_stream(sp->replay, rc->msid);
			if (st != NULL && st->has_buffer) {
				/* | event:2 | stream id:4 | length ms:4 | */
				uc[0] = 0;
				uc[1] = UC_SET_BUFFER_LENGTH;
				put_u32be(uc + 2, sp->waiting_msid);
				put_u32be(uc + 6, st->buffer_ms);
				(void)chunk_writer_message(&sp->backend_writer,
				    sp->to_backend, 2, RTMP_USER_CONTROL, 0, 0,
				    uc, sizeof(uc));
			}
		}
	}
	if (!sp->waiting && sp->state == SPLICE_REPLAY)
		ready(sp);
}

static struct replay_command *
command_by_txn(const struct splice *sp, double txn)
{
	GPtrArray *cmds = sp->replay->commands;
	struct replay_command *rc;
	guint i;

	for (i = 0; i < sp->next && i < cmds->len; i++) {
		rc = g_ptr_array_index(cmds, i);
		if (rc->txn == txn && txn != 0)
			return rc;
	}
	return NULL;
}

/* _result or _error from the new backend. */
static void
backend_reply(struct splice *sp, const struct rtmp_message *m, bool error)
{
	struct replay_command *rc;
	struct replay_stream *st;
	const char *code;
	size_t len;
	double txn = 0;
	uint32_t id;

	(void)field_record_number(&sp->fields, "txn", &txn);
	rc = command_by_txn(sp, txn);
	if (rc == NULL) {
		/* A command the client sent after the move. */
		if (sp->state == SPLICE_READY)
			to_client(sp, m->csid, m->type, m->msid, m->ts, m->body,
			    m->kept);
		return;
	}
	if (error && command_is(rc, "connect")) {
		code = field_record_string(&sp->fields, "code", &len);
		fail(sp, "connect-rejected", "connect refused: %.*s",
		    code != NULL ? (int)len : 5, code != NULL ? code : "error");
		return;
	}
	if (!error && command_is(rc, "createStream") &&
	    field_record_u32(&sp->fields, "value", &id) && id > 0 &&
	    (st = replay_stream(sp->replay, rc->created)) != NULL)
		st->backend_msid = id;
	/* What the client has seen already is not said twice. */
	if (!rc->answered)
		to_client(sp, m->csid, m->type, m->msid, m->ts, m->body,
		    m->kept);
	if (sp->waiting && sp->waiting_txn == txn) {
		sp->waiting = false;
		replay_next(sp);
	}
}

/* Whether the client saw its stream start (backend_msid is the new one). */
static bool
client_started(const struct splice *sp, uint32_t backend_msid)
{
	const struct replay_stream *st = replay_stream(sp->replay,
	    replay_client_msid(sp->replay, backend_msid));

	return st == NULL || st->started;
}

static void
backend_status(struct splice *sp, const struct rtmp_message *m)
{
	const char *code;
	size_t len;

	code = field_record_string(&sp->fields, "code", &len);
	if (field_record_is(&sp->fields, "level", "error")) {
		fail(sp, "stream-error", "%.*s", code != NULL ? (int)len : 5,
		    code != NULL ? code : "error");
		return;
	}
	if (sp->state == SPLICE_READY || !client_started(sp, m->msid)) {
		/* Passed on, or the client never had them (its first
		 * backend refused the stream): Play.Reset, Play.Start. */
		to_client(sp, m->csid, m->type, m->msid, m->ts, m->body,
		    m->kept);
	}
	/* Play.Reset, Play.Start, Publish.Start: the client has its own. */
	if (sp->state != SPLICE_READY && sp->waiting && sp->waiting_txn == 0 &&
	    m->msid == sp->waiting_msid &&
	    (field_record_is(&sp->fields, "code", "NetStream.Play.Start") ||
	    field_record_is(&sp->fields, "code", "NetStream.Publish.Start"))) {
		sp->waiting = false;
		replay_next(sp);
	}
}

static void
backend_command(struct splice *sp, const struct rtmp_message *m)
{
	field_record_clear(&sp->fields);
	(void)msg_decode(m, &sp->fields.sink);
	if (field_record_is(&sp->fields, "name", "_result"))
		backend_reply(sp, m, false);
	else if (field_record_is(&sp->fields, "name", "_error"))
		backend_reply(sp, m, true);
	else if (field_record_is(&sp->fields, "name", "onStatus"))
		backend_status(sp, m);
	else if (sp->state == SPLICE_READY)
		to_client(sp, m->csid, m->type, m->msid, m->ts, m->body,
		    m->kept);
}

static void
backend_user_control(struct splice *sp, const struct rtmp_message *m)
{
	uint8_t out[10];
	uint16_t ev;

	if (m->kept < 2)
		return;
	ev = (uint16_t)(m->body[0] << 8 | m->body[1]);
	if (ev == UC_PING_REQUEST && m->kept >= 6) {
		chunk_writer_user_control(&sp->backend_writer, sp->to_backend,
		    UC_PING_RESPONSE, get_u32be(m->body + 2));
		return;
	}
	/* Stream Begin and friends of the replay: the client had its own,
	 * unless its stream never started. */
	if ((sp->state != SPLICE_READY && (m->kept < 6 ||
	    client_started(sp, get_u32be(m->body + 2)))) ||
	    !user_control_mapped(m, out, replay_client_msid, sp->replay))
		return;
	(void)chunk_writer_message(sp->client_writer, sp->to_client, 2,
	    RTMP_USER_CONTROL, 0, 0, out, m->kept);
}

/*
 * Where the new backend's clock must start so that the client's goes on:
 * one step after the latest media timestamp the client has.
 */
static uint32_t
client_clock_next(const struct replay *r)
{
	const struct replay_clock *a = &r->clock[0], *v = &r->clock[1];
	uint32_t base, step;

	if (!a->seen && !v->seen)
		return 0;
	if (!a->seen || (v->seen && (int32_t)(v->ts - a->ts) > 0))
		base = v->ts;
	else
		base = a->ts;
	step = v->step != 0 ? v->step : a->step != 0 ? a->step : 1;
	return base + step;
}

/*
 * A timestamp for the client: rebased, and never behind what the client
 * has of its type, from the old backend or from this splice.
 */
static uint32_t
client_ts(struct splice *sp, uint8_t type, uint32_t ts)
{
	const struct replay_clock *c = &sp->replay->clock[type == RTMP_VIDEO];
	int kind = type == RTMP_VIDEO;
	uint32_t out = sp->have_offset ? ts + sp->offset :
	    client_clock_next(sp->replay);

	if (c->seen && (int32_t)(out - c->ts) < 0)
		out = c->ts;
	if (sp->sent[kind] && (int32_t)(out - sp->last_sent[kind]) < 0)
		out = sp->last_sent[kind];
	sp->sent[kind] = true;
	sp->last_sent[kind] = out;
	return out;
}

/* A player's media from the new backend. */
static void
backend_media(struct splice *sp, const struct rtmp_message *m)
{
	bool config = media_is_config(m->type, m->body, m->kept);

	if (sp->state != SPLICE_READY)
		return;
	/*
	 * Video from a key frame on.  Audio goes at once: the player hears
	 * on while the picture waits for the new backend's next key frame
	 * (up to a GOP), and the clock set by the first of them holds both.
	 */
	if (!config && m->type == RTMP_VIDEO && !sp->key_seen) {
		if (!media_is_keyframe(m->body, m->kept))
			return;
		sp->key_seen = true;
	}
	if (!config && !sp->have_offset) {
		sp->offset = client_clock_next(sp->replay) - m->ts;
		sp->have_offset = true;
	}
	to_client(sp, m->csid, m->type, m->msid, client_ts(sp, m->type, m->ts),
	    m->body, m->kept);
	if (!config)
		sp->media = true;
}

static void
backend_message(void *ctx, const struct rtmp_message *m)
{
	struct splice *sp = ctx;

	if (sp->state == SPLICE_FAILED)
		return;
	if (m->kept < m->len) {
		fail(sp, "malformed", "a message of %u bytes from the backend "
		    "is over the relay limit", m->len);
		return;
	}
	switch (m->type) {
	case RTMP_WINDOW_ACK_SIZE:
		if (m->kept >= 4)
			sp->backend_window = get_u32be(m->body);
		break;
	case RTMP_SET_CHUNK_SIZE:	/* taken by the demultiplexer */
	case RTMP_ABORT:
	case RTMP_ACK:
	case RTMP_SET_PEER_BANDWIDTH:
		break;
	case RTMP_USER_CONTROL:
		backend_user_control(sp, m);
		break;
	case RTMP_COMMAND_AMF0:
	case RTMP_COMMAND_AMF3:
		backend_command(sp, m);
		break;
	case RTMP_AUDIO:
	case RTMP_VIDEO:
		backend_media(sp, m);
		break;
	default:
		/* Data, shared objects, aggregates: once the stream is back. */
		if (sp->state == SPLICE_READY)
			to_client(sp, m->csid, m->type, m->msid,
			    client_ts(sp, RTMP_VIDEO, m->ts), m->body, m->kept);
		break;
	}
}

static void
backend_event(void *ctx, enum chunk_event ev, uint64_t value)
{
	struct splice *sp = ctx;

	if (ev == CHUNK_EV_MALFORMED || ev == CHUNK_EV_BAD_CHUNK_SIZE)
		fail(sp, "malformed", "the backend's chunk stream cannot be "
		    "decoded (csid %" G_GUINT64_FORMAT ")", value);
}

static const struct chunk_demux_ops backend_ops = {
	.message = backend_message,
	.event = backend_event,
};

/* The client's messages after the move. */

static void
release_held(struct splice *sp)
{
	g_autoptr(GPtrArray) held = sp->held;
	struct held *h;
	guint i;

	sp->held = g_ptr_array_new_with_free_func(held_free);
	for (i = 0; i < held->len; i++) {
		h = g_ptr_array_index(held, i);
		to_backend_bytes(sp, h->csid, h->type, h->msid, h->ts, h->body);
	}
}

/*
 * A publisher's media: the new backend gets the metadata and sequence
 * headers first, with the key frame's timestamp, then the media.
 */
static void
client_media(struct splice *sp, const struct rtmp_message *m)
{
	const struct replay *r = sp->replay;
	bool config = media_is_config(m->type, m->body, m->kept);
	unsigned i, pass;

	if (!sp->published) {
		if (config)
			return;		/* the cached ones go with the start */
		if (r->client_video ? m->type != RTMP_VIDEO ||
		    !media_is_keyframe(m->body, m->kept) : m->type != RTMP_AUDIO)
			return;
		if (r->metadata != NULL)
			to_backend_bytes(sp, CSID_DATA, r->metadata_type,
			    m->msid, m->ts, r->metadata);
		/* Video's then audio's, every track's, as they came. */
		for (pass = 0; pass < 2; pass++)
			for (i = 0; i < r->nconfigs; i++)
				if (r->configs[i].type == (pass == 0 ?
				    RTMP_VIDEO : RTMP_AUDIO))
					to_backend_bytes(sp, m->csid + pass,
					    r->configs[i].type, m->msid,
					    m->ts, r->configs[i].body);
		sp->published = true;
	}
	to_backend(sp, m->csid, m->type, m->msid, m->ts, m->body, m->kept);
	sp->media = true;
}

/*
 * Acknowledgement (RTMP 1.0, 5.4.3): a peer that announced a window with
 * Window Acknowledgement Size (5.4.4) expects one each time that many more
 * of its bytes were received, carrying the count so far:
 *
 *  | type 3 | sequence number: u32 (bytes received, modulo 2^32) |
 *
 * Before the move the backend's reached the client.  After it, the new
 * backend's count only what the proxy replayed to it, and are dropped;
 * the proxy sends its own, on the client's count.
 */
void
splice_acknowledge_client(struct splice *sp, uint64_t received)
{
	struct replay *r = sp->replay;

	if (r->client_window == 0 || sp->state == SPLICE_FAILED)
		return;
	if (r->client_acked == 0 || received < r->client_acked) {
		r->client_acked = received;
		return;
	}
	if (rtmp_ack_due(r->client_window, received, &r->client_acked))
		chunk_writer_control(sp->client_writer, sp->to_client,
		    RTMP_ACK, (uint32_t)received);
}

void
splice_from_client(struct splice *sp, const struct rtmp_message *m,
    const struct field_record *f)
{
	struct held *h;
	uint8_t out[10];
	uint16_t ev;

	if (sp->state == SPLICE_FAILED || m->in_aggregate ||
	    m->kept < m->len)
		return;		/* the message cut by the move, too */
	switch (m->type) {
	case RTMP_ACK:		/* the proxy acknowledges the backend */
	case RTMP_ABORT:
	case RTMP_SET_CHUNK_SIZE:	/* the proxy chunks its own way */
		return;
	case RTMP_USER_CONTROL:
		if (m->kept < 2)
			return;
		ev = (uint16_t)(m->body[0] << 8 | m->body[1]);
		if (ev == UC_PING_RESPONSE || sp->state != SPLICE_READY ||
		    !user_control_mapped(m, out, replay_backend_msid,
		    sp->replay))
			return;
		(void)chunk_writer_message(&sp->backend_writer,
		    sp->to_backend, 2, RTMP_USER_CONTROL, 0, 0, out,
		    m->kept);
		return;
	case RTMP_AUDIO:
	case RTMP_VIDEO:
		if (sp->state == SPLICE_READY)
			client_media(sp, m);
		return;
	default:
		break;
	}
	if (sp->state == SPLICE_READY) {
		to_backend(sp, m->csid, m->type, m->msid, m->ts, m->body,
		    m->kept);
		return;
	}
	if (sp->held->len >= SPLICE_QUEUE_MAX) {
		fail(sp, "stall", "more than %u client messages waiting for "
		    "the backend", SPLICE_QUEUE_MAX);
		return;
	}
	h = g_new0(struct held, 1);
	h->type = m->type;
	h->csid = m->csid;
	h->msid = m->msid;
	h->ts = m->ts;
	h->body = g_bytes_new(m->body, m->kept);
	g_ptr_array_add(sp->held, h);
	(void)f;
}

/* Life. */

void
splice_init(struct splice *sp, struct replay *r,
    struct chunk_writer *client_writer)
{
	unsigned i;

	memset(sp, 0, sizeof(*sp));
	sp->state = SPLICE_HANDSHAKE;
	sp->replay = r;
	sp->client_writer = client_writer;
	sp->to_backend = g_byte_array_new();
	sp->to_client = g_byte_array_new();
	sp->held = g_ptr_array_new_with_free_func(held_free);
	chunk_writer_init(&sp->backend_writer);
	chunk_demux_init(&sp->demux, &backend_ops, sp);
	sp->demux.keep_all = true;
	field_record_init(&sp->fields);
	/* No stream exists on the new backend until its createStream. */
	for (i = 0; i < r->nstreams; i++)
		r->streams[i].backend_msid = 0;
}

void
splice_free(struct splice *sp)
{
	if (sp->to_backend == NULL)
		return;
	g_byte_array_unref(sp->to_backend);
	g_byte_array_unref(sp->to_client);
	g_ptr_array_free(sp->held, TRUE);
	chunk_demux_free(&sp->demux);
	field_record_free(&sp->fields);
	sp->to_backend = NULL;
}

/*
 * C0 and C1 of a plain handshake: version 3, then time, four zero bytes
 * and random bytes (RTMP 1.0 specification, 5.2.2 and 5.2.3).
 */
void
splice_begin(struct splice *sp)
{
	uint8_t c1[HANDSHAKE_BLOCK];
	uint8_t c0 = 3;
	size_t i;

	memset(c1, 0, 8);
	for (i = 8; i < sizeof(c1); i++)
		c1[i] = (uint8_t)g_random_int();
	g_byte_array_append(sp->to_backend, &c0, 1);
	g_byte_array_append(sp->to_backend, c1, sizeof(c1));
}

/* S0 S1 S2 read: C2 echoes S1, then the replay begins. */
static void
handshake_done_send(struct splice *sp)
{
	g_byte_array_append(sp->to_backend, sp->s1, sizeof(sp->s1));
	chunk_writer_control(&sp->backend_writer, sp->to_backend,
	    RTMP_SET_CHUNK_SIZE, SPLICE_CHUNK_SIZE);
	chunk_writer_set_chunk_size(&sp->backend_writer, SPLICE_CHUNK_SIZE);
	sp->state = SPLICE_REPLAY;
	replay_next(sp);
}

void
splice_from_backend(struct splice *sp, const uint8_t *p, size_t n)
{
	uint32_t take;

	if (sp->state == SPLICE_HANDSHAKE) {
		take = (uint32_t)MIN(n, HANDSHAKE_REPLY - sp->hs_got);
		if (sp->hs_got == 0 && take > 0 && p[0] != 3) {
			fail(sp, "malformed", "the backend answered the "
			    "handshake with version %u", p[0]);
			return;
		}
		/* S1 is bytes 1 .. 1536 of the reply. */
		if (sp->hs_got + take > 1 && sp->hs_got < 1 + HANDSHAKE_BLOCK) {
			uint32_t from = MAX(sp->hs_got, 1U);
			uint32_t to = MIN(sp->hs_got + take,
			    1U + HANDSHAKE_BLOCK);

			memcpy(sp->s1 + from - 1, p + (from - sp->hs_got),
			    to - from);
		}
		sp->hs_got += take;
		sp->backend_bytes += take;
		p += take;
		n -= take;
		if (sp->hs_got < HANDSHAKE_REPLY)
			return;
		handshake_done_send(sp);
	}
	if (n == 0 || sp->state == SPLICE_FAILED)
		return;
	sp->backend_bytes += n;
	(void)chunk_demux_feed(&sp->demux, p, n);
	if (rtmp_ack_due(sp->backend_window, sp->backend_bytes,
	    &sp->backend_acked))
		chunk_writer_control(&sp->backend_writer, sp->to_backend,
		    RTMP_ACK, (uint32_t)sp->backend_bytes);
}

bool
splice_complete_partials(const struct chunk_demux *d, GByteArray *out)
{
	struct chunk_partial parts[LIMIT_CHUNK_STREAMS];
	uint32_t chunk_left, left, c, first;
	uint64_t total = 0, chunks;
	uint8_t ext[4];
	size_t n, i;
	static const uint8_t zeros[4096];

	if (!chunk_demux_partials(d, parts, G_N_ELEMENTS(parts), &n,
	    &chunk_left) || d->chunk_size == 0)
		return false;
	for (i = 0; i < n; i++) {
		/*
		 * Zeros would make a Set Chunk Size, an Abort or a window
		 * that act on the client's stream: no completing those.
		 */
		if (parts[i].type == RTMP_SET_CHUNK_SIZE ||
		    parts[i].type == RTMP_ABORT ||
		    parts[i].type == RTMP_WINDOW_ACK_SIZE ||
		    parts[i].type == RTMP_SET_PEER_BANDWIDTH)
			return false;
		/*
		 * The bytes it takes on the wire: the payload, and a header
		 * for every chunk after the one under way (at chunk size 1,
		 * up to 7 bytes a byte).
		 */
		first = i == 0 ? MIN(chunk_left, parts[i].missing) : 0;
		chunks = ((uint64_t)parts[i].missing - first + d->chunk_size -
		    1) / d->chunk_size;
		total += parts[i].missing + chunks *
		    (chunk_basic_header_len(parts[i].csid) +
		    (parts[i].ext ? 4U : 0U));
	}
	if (total > LIMIT_SPLICE_PAD_MAX)
		return false;
	for (i = 0; i < n; i++) {
		left = parts[i].missing;
		put_u32be(ext, parts[i].ext_field);
		/* The current chunk goes on without a header. */
		c = i == 0 ? chunk_left : 0;
		for (;;) {
			left -= c;
			while (c > 0) {
				uint32_t z = MIN(c, (uint32_t)sizeof(zeros));

				g_byte_array_append(out, zeros, z);
				c -= z;
			}
			if (left == 0)
				break;
			chunk_basic_header(out, 3, parts[i].csid);
			if (parts[i].ext)
				g_byte_array_append(out, ext, sizeof(ext));
			c = MIN(left, d->chunk_size);
		}
	}
	return true;
}
