/*
 * What a moved session replays: see replay.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "av-ex.h"
#include "cursor.h"
#include "replay.h"

/* The commands worth replaying: what builds a connection and its streams. */
static const char *const replayed_names[] = {
	"connect", "createStream", "play", "play2", "publish",
	"releaseStream", "FCPublish", "FCSubscribe", "receiveAudio",
	"receiveVideo", NULL,
};

static void
command_free(gpointer p)
{
	struct replay_command *rc = p;

	g_bytes_unref(rc->body);
	g_free(rc);
}

void
replay_init(struct replay *r)
{
	memset(r, 0, sizeof(*r));
	r->commands = g_ptr_array_new_with_free_func(command_free);
}

void
replay_clear(struct replay *r)
{
	unsigned i;

	if (r->commands != NULL)
		g_ptr_array_free(r->commands, TRUE);
	g_clear_pointer(&r->metadata, g_bytes_unref);
	for (i = 0; i < r->nconfigs; i++)
		g_clear_pointer(&r->configs[i].body, g_bytes_unref);
	memset(r, 0, sizeof(*r));
}

struct replay_stream *
replay_stream(struct replay *r, uint32_t client_msid)
{
	unsigned i;

	for (i = 0; i < r->nstreams; i++)
		if (r->streams[i].client_msid == client_msid)
			return &r->streams[i];
	return NULL;
}

static struct replay_stream *
stream_add(struct replay *r, uint32_t client_msid)
{
	struct replay_stream *st = replay_stream(r, client_msid);

	if (st != NULL || r->nstreams == REPLAY_STREAMS_MAX)
		return st;
	st = &r->streams[r->nstreams++];
	memset(st, 0, sizeof(*st));
	st->client_msid = client_msid;
	/* Until a move, the backend's ids are the client's. */
	st->backend_msid = client_msid;
	return st;
}

static void
stream_remove(struct replay *r, uint32_t client_msid)
{
	struct replay_stream *st = replay_stream(r, client_msid);
	guint i;

	struct replay_command *rc;

	if (st == NULL)
		return;
	*st = r->streams[--r->nstreams];
	/* Its commands go, and the createStream that made it. */
	for (i = r->commands->len; i-- > 0;) {
		rc = g_ptr_array_index(r->commands, i);
		if (rc->msid == client_msid || (rc->msid == 0 &&
		    strcmp(rc->name, "createStream") == 0 &&
		    rc->created == client_msid))
			g_ptr_array_remove_index(r->commands, i);
	}
}

uint32_t
replay_client_msid(const struct replay *r, uint32_t backend_msid)
{
	unsigned i;

	if (backend_msid == 0)
		return 0;
	for (i = 0; i < r->nstreams; i++)
		if (r->streams[i].backend_msid == backend_msid)
			return r->streams[i].client_msid;
	return backend_msid;
}

uint32_t
replay_backend_msid(const struct replay *r, uint32_t client_msid)
{
	unsigned i;

	if (client_msid == 0)
		return 0;
	for (i = 0; i < r->nstreams; i++)
		if (r->streams[i].client_msid == client_msid)
			return r->streams[i].backend_msid;
	return client_msid;
}

bool
replay_is_publisher(const struct replay *r)
{
	unsigned i;

	for (i = 0; i < r->nstreams; i++)
		if (r->streams[i].publish)
			return true;
	return false;
}

bool
replay_connect_answered(const struct replay *r)
{
	const struct replay_command *rc;
	guint i;

	for (i = 0; i < r->commands->len; i++) {
		rc = g_ptr_array_index(r->commands, i);
		if (strcmp(rc->name, "connect") == 0)
			return rc->answered;
	}
	return false;
}

bool
replay_is_player(const struct replay *r)
{
	unsigned i;

	for (i = 0; i < r->nstreams; i++)
		if (r->streams[i].play)
			return true;
	return false;
}

/*
 * Video tag header (FLV 10.1, E.4.3.1; Enhanced RTMP for the ex header):
 *
 *   legacy: | frame type:4 | codec id:4 | AVCPacketType:8 (AVC, HEVC) |
 *   ex:     | 1 | frame type:3 | packet type:4 | [ModEx ...] [Multitrack
 *           | multitrack type:4 | packet type:4 |] fourcc:32 | track id |
 *
 * (av-ex.h has the whole ex layout.)  frame type 1 is a key frame; a
 * sequence header is AVCPacketType 0 or ex packet type 0 (SequenceStart)
 * or 5 (MPEG2TSSequenceStart).
 *
 * Audio tag header: | sound format:4 | rate:2 | size:1 | type:1 |, with
 * AACPacketType 0 for the AAC sequence header; sound format 9 is the ex
 * header, whose low 4 bits are the packet type (0 SequenceStart, 4
 * MultichannelConfig: both configure the decoder), with ModEx and
 * Multitrack as for video.
 */
#define VIDEO_COMMAND_FRAME	5	/* frame type */

/*
 * An Enhanced RTMP body: its packet type once ModEx and Multitrack are
 * read past, and its first track's id (0 without Multitrack).  False for
 * a legacy body, a video command frame, or a header cut short.
 */
static bool
media_ex(uint8_t type, const uint8_t *b, size_t len, uint8_t *packet,
    uint8_t *track)
{
	struct av_ex_header h;
	struct av_ex_track t;
	struct cursor c;
	bool video = type == RTMP_VIDEO;

	if ((type != RTMP_VIDEO && type != RTMP_AUDIO) || len < 1 ||
	    (video ? (b[0] & 0x80) == 0 : (b[0] >> 4) != 9))
		return false;
	if (video && ((b[0] >> 4) & 7) == VIDEO_COMMAND_FRAME &&
	    (b[0] & 0x0f) != VIDEO_METADATA)
		return false;
	cursor_init(&c, b + 1, len - 1);
	if (!av_ex_header_parse(&c, b[0] & 0x0f, video ? VIDEO_MULTITRACK :
	    AUDIO_MULTITRACK, true, &h))
		return false;
	*packet = h.packet_type;
	*track = h.multitrack && av_ex_track_next(&c, &h, &t) && t.has_id ?
	    t.id : 0;
	return true;
}

bool
media_is_config(uint8_t type, const uint8_t *b, size_t len)
{
	uint8_t packet, track;

	if (media_ex(type, b, len, &packet, &track))
		return type == RTMP_VIDEO ? packet == VIDEO_SEQUENCE_START ||
		    packet == VIDEO_MPEG2TS_SEQUENCE_START :
		    packet == AUDIO_SEQUENCE_START ||
		    packet == AUDIO_MULTICHANNEL_CONFIG;
	if (len < 2)
		return false;
	if (type == RTMP_VIDEO)
		return ((b[0] & 0x0f) == 7 || (b[0] & 0x0f) == 12 ||
		    (b[0] & 0x0f) == 13) && (b[0] & 0x80) == 0 && b[1] == 0;
	if (type == RTMP_AUDIO)
		return (b[0] >> 4) == 10 && b[1] == 0;
	return false;
}

/*
 * Which configuration a config body is, for the cache: one of each kind
 * (packet type) and track, so that every track of a multitrack stream
 * keeps its own.
 */
static uint16_t
media_config_key(uint8_t type, const uint8_t *b, size_t len)
{
	uint8_t packet, track;

	if (!media_ex(type, b, len, &packet, &track))
		return 0;
	return (uint16_t)((packet + 1U) << 8 | track);
}

bool
media_is_keyframe(const uint8_t *b, size_t len)
{
	if (len < 1)
		return false;
	if ((b[0] & 0x80) != 0)
		return ((b[0] >> 4) & 0x07) == 1;
	return (b[0] >> 4) == 1;
}

static void
cache(GBytes **slot, const struct rtmp_message *m)
{
	g_clear_pointer(slot, g_bytes_unref);
	*slot = g_bytes_new(m->body, m->kept);
}

/* A configuration replaces the one of its type, kind and track. */
static void
cache_config(struct replay *r, const struct rtmp_message *m)
{
	uint16_t key = media_config_key(m->type, m->body, m->kept);
	struct replay_config *rc;
	unsigned i;

	for (i = 0; i < r->nconfigs; i++) {
		rc = &r->configs[i];
		if (rc->type == m->type && rc->key == key) {
			cache(&rc->body, m);
			return;
		}
	}
	if (r->nconfigs == REPLAY_CONFIGS_MAX)
		return;		/* more tracks than any encoder sends */
	rc = &r->configs[r->nconfigs++];
	rc->type = m->type;
	rc->key = key;
	rc->body = NULL;
	cache(&rc->body, m);
}

static bool
name_replayed(const struct field_record *f)
{
	int i;

	for (i = 0; replayed_names[i] != NULL; i++)
		if (field_record_is(f, "name", replayed_names[i]))
			return true;
	return false;
}

static void
client_command(struct replay *r, const struct rtmp_message *m,
    const struct field_record *f, double now)
{
	struct replay_command *rc;
	struct replay_stream *st;
	const char *name;
	size_t len;
	uint32_t id;

	if (field_record_is(f, "name", "deleteStream")) {
		if (field_record_u32(f, "stream_id", &id))
			stream_remove(r, id);
		return;
	}
	if (field_record_is(f, "name", "closeStream")) {
		stream_remove(r, m->msid);
		return;
	}
	if (!name_replayed(f) || r->commands->len >= REPLAY_COMMANDS_MAX)
		return;
	rc = g_new0(struct replay_command, 1);
	rc->type = m->type;
	rc->msid = m->msid;
	rc->csid = m->csid;
	(void)field_record_number(f, "txn", &rc->txn);
	name = field_record_string(f, "name", &len);
	memcpy(rc->name, name, MIN(len, sizeof(rc->name) - 1));
	rc->body = g_bytes_new(m->body, m->kept);
	/* A play or publish is answered by onStatus, not by its txn. */
	rc->answered = rc->txn == 0;
	g_ptr_array_add(r->commands, rc);
	if (field_record_is(f, "name", "createStream") &&
	    r->ncreate < REPLAY_STREAMS_MAX)
		r->create_txn[r->ncreate++] = rc->txn;
	if (m->msid != 0 && (st = stream_add(r, m->msid)) != NULL) {
		if (field_record_is(f, "name", "publish"))
			st->publish = true;
		else if (strncmp(rc->name, "play", 4) == 0) {
			st->play = true;
			r->play_sent = now;
		}
	}
}

void
replay_client_message(struct replay *r, const struct rtmp_message *m,
    const struct field_record *f, double now)
{
	struct replay_stream *st;
	uint32_t ev, id;

	if (m->kept < m->len)
		return;		/* cut: nothing to replay from it */
	switch (m->type) {
	case RTMP_COMMAND_AMF0:
	case RTMP_COMMAND_AMF3:
		client_command(r, m, f, now);
		break;
	case RTMP_DATA_AMF0:
	case RTMP_DATA_AMF3:
		if (field_record_is(f, "name", "@setDataFrame")) {
			cache(&r->metadata, m);
			r->metadata_type = m->type;
		}
		break;
	case RTMP_VIDEO:
	case RTMP_AUDIO:
		if (m->type == RTMP_VIDEO)
			r->client_video = true;
		if (media_is_config(m->type, m->body, m->kept))
			cache_config(r, m);
		break;
	case RTMP_WINDOW_ACK_SIZE:
		(void)field_record_u32(f, "window", &r->client_window);
		break;
	case RTMP_USER_CONTROL:
		if (field_record_u32(f, "event", &ev) && ev == 3 &&
		    field_record_u32(f, "stream_id", &id) &&
		    (st = stream_add(r, id)) != NULL &&
		    field_record_u32(f, "buffer_ms", &st->buffer_ms))
			st->has_buffer = true;
		break;
	default:
		break;
	}
}

/* The reply to a command: the client has it now. */
static void
answered(struct replay *r, const struct field_record *f)
{
	struct replay_command *rc;
	unsigned i;
	double txn;
	uint32_t id;
	guint k;

	if (!field_record_number(f, "txn", &txn) || txn == 0)
		return;
	for (k = 0; k < r->commands->len; k++) {
		rc = g_ptr_array_index(r->commands, k);
		if (rc->txn != txn)
			continue;
		rc->answered = true;
		if (field_record_u32(f, "value", &id) && id > 0)
			rc->created = id;
	}
	for (i = 0; i < r->ncreate; i++) {
		if (r->create_txn[i] != txn)
			continue;
		r->create_txn[i] = r->create_txn[--r->ncreate];
		if (field_record_is(f, "name", "_result") &&
		    field_record_u32(f, "value", &id) && id > 0)
			(void)stream_add(r, id);
		break;
	}
}

static void
clock_tick(struct replay_clock *c, uint32_t ts)
{
	if (c->seen && ts > c->ts && ts - c->ts < 1000)
		c->step = ts - c->ts;
	if (!c->seen || (int32_t)(ts - c->ts) > 0)
		c->ts = ts;
	c->seen = true;
}

void
replay_server_message(struct replay *r, const struct rtmp_message *m,
    const struct field_record *f, double now)
{
	struct replay_stream *st;

	switch (m->type) {
	case RTMP_COMMAND_AMF0:
	case RTMP_COMMAND_AMF3:
		if (field_record_is(f, "name", "_result") ||
		    field_record_is(f, "name", "_error"))
			answered(r, f);
		else if (field_record_is(f, "name", "onStatus") &&
		    (field_record_is(f, "code", "NetStream.Play.Start") ||
		    field_record_is(f, "code", "NetStream.Publish.Start")) &&
		    (st = replay_stream(r, m->msid)) != NULL)
			st->started = true;
		break;
	case RTMP_VIDEO:
	case RTMP_AUDIO:
		if (m->in_aggregate && m->kept == 0)
			break;
		clock_tick(&r->clock[m->type == RTMP_VIDEO], m->ts);
		if (m->type == RTMP_VIDEO)
			r->video_to_client = true;
		r->media_to_client = true;
		r->last_media_to_client = now;
		break;
	default:
		break;
	}
}
