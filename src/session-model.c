/*
 * The session model: what a connection's messages say about it (who asked
 * for what, which streams, which codecs, how media flows) and the health
 * rules that turn that into problems.  Summaries only: a session's memory
 * does not grow with its messages (the ladder is capped).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dump.h"
#include "session-model.h"

#define STATUS_CODES_MAX	32

/* Media flow from the publisher, or to the player. */
static enum rtmp_dir
media_dir(const struct session *s)
{
	const struct session_stream *st = session_main_stream(s);

	return st != NULL && st->role == ROLE_PLAY ? DIR_S2C : DIR_C2S;
}

static void
ladder_free(gpointer p)
{
	struct ladder_entry *e = p;

	g_free(e->text);
	g_free(e);
}

static void
stream_free(gpointer p)
{
	struct session_stream *st = p;

	g_free(st->name);
	g_free(st->publish_type);
	g_free(st);
}

void
session_model_init(struct session *s)
{
	s->streams = g_ptr_array_new_with_free_func(stream_free);
	s->status_codes = g_ptr_array_new_with_free_func(g_free);
	s->problems = g_array_new(FALSE, TRUE, sizeof(struct session_problem));
	s->ladder = g_ptr_array_new_with_free_func(ladder_free);
	s->rtt_ms = -1;
}

void
session_model_free(struct session *s)
{
	guint i;

	g_free(s->backend);
	g_free(s->app);
	g_free(s->tc_url);
	g_free(s->flash_ver);
	g_free(s->swf_url);
	g_free(s->page_url);
	g_free(s->fourcc_list);
	if (s->streams != NULL)
		g_ptr_array_free(s->streams, TRUE);
	if (s->status_codes != NULL)
		g_ptr_array_free(s->status_codes, TRUE);
	if (s->problems != NULL) {
		for (i = 0; i < s->problems->len; i++)
			g_free(g_array_index(s->problems,
			    struct session_problem, i).detail);
		g_array_free(s->problems, TRUE);
	}
	if (s->ladder != NULL)
		g_ptr_array_free(s->ladder, TRUE);
	if (s->log != NULL)
		g_queue_free_full(s->log, g_free);
	if (s->redirects != NULL) {
		for (i = 0; i < s->redirects->len; i++) {
			struct session_redirect *r = &g_array_index(
			    s->redirects, struct session_redirect, i);

			g_free(r->from);
			g_free(r->to);
			g_free(r->detail);
		}
		g_array_free(s->redirects, TRUE);
	}
}

/* Field lookups in a decoded message's record. */
static char *
field_dup(const struct field_record *f, const char *key)
{
	const char *v;
	size_t len;

	v = field_record_string(f, key, &len);
	return v != NULL ? g_strndup(v, len) : NULL;
}


static void
replace(char **slot, char *value)
{
	if (value == NULL)
		return;
	g_free(*slot);
	*slot = value;
}

/* The strings of a top-level array field, joined with commas. */
static char *
field_join(const struct field_record *f, const char *key)
{
	const struct field_entry *e = field_record_get(f, key);
	const struct field_entry *end;
	GString *out;

	if (e == NULL || e->op != FIELD_BEGIN || !e->array)
		return NULL;
	out = g_string_new(NULL);
	end = &g_array_index(f->entries, struct field_entry,
	    f->entries->len - 1);
	for (e++; e <= end && e->op != FIELD_END; e++) {
		if (e->op != FIELD_STRING)
			continue;
		if (out->len > 0)
			g_string_append_c(out, ',');
		g_string_append_len(out, field_record_str(f, e),
		    (gssize)e->len);
	}
	return g_string_free(out, FALSE);
}

/* ------------------------------------------------------------------ */
/* The ladder                                                           */

static struct ladder_entry *
ladder_add(struct session *s, enum rtmp_dir dir, double t)
{
	struct ladder_entry *e;

	if (s->ladder->len >= SESSION_LADDER_MAX) {
		s->ladder_dropped++;
		return NULL;
	}
	e = g_new0(struct ladder_entry, 1);
	e->t = e->last_t = t;
	e->dir = dir;
	g_ptr_array_add(s->ladder, e);
	return e;
}

static void
ladder_text(struct session *s, enum rtmp_dir dir, double t, char *text,
    bool problem)
{
	struct ladder_entry *e = ladder_add(s, dir, t);

	if (e == NULL) {
		g_free(text);
		return;
	}
	e->text = text;
	e->problem = problem;
}

/* Media messages in a row fold into one entry of the ladder. */
static void
ladder_media(struct session *s, enum rtmp_dir dir, uint8_t type, double t)
{
	struct ladder_entry *e = s->ladder->len > 0 ?
	    g_ptr_array_index(s->ladder, s->ladder->len - 1) : NULL;

	if (e == NULL || e->text != NULL || e->dir != dir)
		e = ladder_add(s, dir, t);
	if (e == NULL)
		return;
	e->last_t = t;
	if (type == RTMP_VIDEO)
		e->video++;
	else
		e->audio++;
}

/* A control message's line: its note, or its type and fields. */
static char *
message_summary(const struct rtmp_message *m, const struct field_record *f)
{
	struct dump_out out;
	struct text_sink ts;
	char *text;

	memset(&out, 0, sizeof(out));
	text_sink_init(&ts, &out);
	dump_out_str(&out, msg_type_name(m->type));
	field_record_replay(f, &ts.sink);
	/* A note replaced the type name and starts with its separator. */
	text = g_strstrip(g_strndup(out.buf, out.len));
	g_free(out.buf);
	return text;
}

/* ------------------------------------------------------------------ */
/* Problems                                                             */

guint
session_problem(struct session *s, enum rtmp_dir dir, const char *kind,
    double at, double duration_ms, bool open, const char *fmt, ...)
{
	struct session_problem p;
	va_list ap;

	memset(&p, 0, sizeof(p));
	p.kind = kind;
	p.dir = dir;
	p.at = at;
	p.duration_ms = duration_ms;
	p.open = open;
	va_start(ap, fmt);
	p.detail = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_array_append_val(s->problems, p);
	ladder_text(s, dir, at, g_strdup_printf("%s: %s", kind, p.detail),
	    true);
	session_tell_problem(s, dir, kind, p.detail);
	return s->problems->len - 1;
}

/* An open problem ends now; a stall's detail then says how long. */
static void
problem_finish(struct session_problem *p, double now)
{
	p->open = false;
	p->duration_ms = (now - p->at) * 1000.0;
	if (strcmp(p->kind, "stall") == 0) {
		g_free(p->detail);
		p->detail = g_strdup_printf("no audio or video for %.1f s",
		    p->duration_ms / 1000.0);
	}
}

/* Closes the last open problem of a kind: it lasted until now. */
static void
problem_close(struct session *s, const char *kind, double now)
{
	struct session_problem *p;
	guint i;

	for (i = s->problems->len; i-- > 0;) {
		p = &g_array_index(s->problems, struct session_problem, i);
		if (p->open && strcmp(p->kind, kind) == 0) {
			problem_finish(p, now);
			return;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Streams                                                              */

static struct session_stream *
stream_by_msid(struct session *s, uint32_t msid)
{
	struct session_stream *st;
	guint i;

	for (i = s->streams->len; i-- > 0;) {
		st = g_ptr_array_index(s->streams, i);
		if (st->msid == msid && !st->closed)
			return st;
	}
	return NULL;
}

static struct session_stream *
stream_by_name(struct session *s, const char *name, size_t len)
{
	struct session_stream *st;
	guint i;

	for (i = s->streams->len; i-- > 0;) {
		st = g_ptr_array_index(s->streams, i);
		if (st->name != NULL && strlen(st->name) == len &&
		    memcmp(st->name, name, len) == 0 && !st->closed)
			return st;
	}
	return NULL;
}

static void
stream_start(struct session *s, uint32_t msid, enum session_role role,
    const struct field_record *f, double now)
{
	struct session_stream *st = g_new0(struct session_stream, 1);

	st->msid = msid;
	st->role = role;
	st->name = field_dup(f, "stream");
	st->publish_type = field_dup(f, "publish_type");
	st->start = now;
	g_ptr_array_add(s->streams, st);
	/* Waiting for the first media counts as no media. */
	if (s->media.last_t < now)
		s->media.last_t = now;
}

/* Whether a stream publishes or plays right now: stalls are counted. */
static bool
media_expected(const struct session *s)
{
	const struct session_stream *st;
	guint i;

	for (i = 0; i < s->streams->len; i++) {
		st = g_ptr_array_index(s->streams, i);
		if (st->role != ROLE_NONE && !st->closed)
			return true;
	}
	return false;
}

static void
status_code_seen(struct session *s, const struct field_record *f)
{
	const char *code;
	size_t len;
	guint i;

	code = field_record_string(f, "code", &len);
	if (code == NULL)
		return;
	for (i = 0; i < s->status_codes->len; i++)
		if (strncmp(g_ptr_array_index(s->status_codes, i), code,
		    len) == 0 && ((char *)g_ptr_array_index(
		    s->status_codes, i))[len] == '\0')
			return;
	if (s->status_codes->len < STATUS_CODES_MAX)
		g_ptr_array_add(s->status_codes, g_strndup(code, len));
}

/* What the server said in onStatus (and _result/_error info objects). */
static void
on_status(struct session *s, enum rtmp_dir dir, uint32_t msid,
    const struct field_record *f)
{
	struct session_stream *st;
	char *code, *description;

	status_code_seen(s, f);
	if (field_record_is(f, "level", "error")) {
		/* A refused stream never publishes or plays. */
		st = stream_by_msid(s, msid);
		if (st != NULL)
			st->closed = true;
		code = field_dup(f, "code");
		description = field_dup(f, "description");
		session_problem(s, dir, "stream_error", s->now, 0, false,
		    "%s%s%s", code != NULL ? code : "error",
		    description != NULL ? ": " : "",
		    description != NULL ? description : "");
		g_free(code);
		g_free(description);
	}
	/* The server ended the stream: no more media is owed. */
	if (field_record_is(f, "code", "NetStream.Play.Stop") ||
	    field_record_is(f, "code", "NetStream.Play.Complete") ||
	    field_record_is(f, "code", "NetStream.Play.UnpublishNotify") ||
	    field_record_is(f, "code", "NetStream.Unpublish.Success")) {
		st = stream_by_msid(s, msid);
		if (st != NULL)
			st->closed = true;
	}
}

static void
on_connect(struct session *s, const struct field_record *f)
{
	double v;

	s->connect_seen = true;
	s->connect_answered = false;
	if (field_record_number(f, "txn", &v))
		s->connect_txn = v;
	replace(&s->app, field_dup(f, "app"));
	replace(&s->tc_url, field_dup(f, "tcUrl"));
	replace(&s->flash_ver, field_dup(f, "flashVer"));
	replace(&s->swf_url, field_dup(f, "swfUrl"));
	replace(&s->page_url, field_dup(f, "pageUrl"));
	replace(&s->fourcc_list, field_join(f, "fourCcList"));
	s->has_object_encoding = field_record_number(f, "objectEncoding",
	    &s->object_encoding);
	s->has_caps_ex = field_record_number(f, "capsEx", &s->caps_ex);
}

/* The answer to a command: connect's and createStream's matter. */
static void
on_result(struct session *s, enum rtmp_dir dir, bool error,
    const struct field_record *f)
{
	char *code, *description;
	uint32_t value;
	double txn;

	if (!field_record_number(f, "txn", &txn))
		return;
	if (s->connect_seen && !s->connect_answered && txn == s->connect_txn) {
		s->connect_answered = true;
		status_code_seen(s, f);
		if (error) {
			code = field_dup(f, "code");
			description = field_dup(f, "description");
			session_problem(s, dir, "connect_rejected", s->now, 0,
			    false, "_error for connect to '%s'%s%s%s%s",
			    s->app != NULL ? s->app : "", code != NULL ? ": " :
			    "", code != NULL ? code : "", description != NULL ?
			    ": " : "", description != NULL ? description : "");
			g_free(code);
			g_free(description);
		}
		return;
	}
	if (!error && txn == s->create_txn &&
	    field_record_u32(f, "value", &value)) {
		s->create_txn = -1;
		if (s->ncreated < G_N_ELEMENTS(s->created))
			s->created[s->ncreated++] = value;
	}
}

static void
on_command(struct session *s, enum rtmp_dir dir,
    const struct rtmp_message *m, const struct field_record *f)
{
	struct session_stream *st;
	const char *name;
	uint32_t msid;
	size_t len;
	double v;

	if (field_record_is(f, "name", "connect") && dir == DIR_C2S) {
		on_connect(s, f);
	} else if (field_record_is(f, "name", "_result")) {
		on_result(s, dir, false, f);
	} else if (field_record_is(f, "name", "_error")) {
		on_result(s, dir, true, f);
	} else if (field_record_is(f, "name", "createStream")) {
		if (field_record_number(f, "txn", &v))
			s->create_txn = v;
	} else if (field_record_is(f, "name", "publish") && dir == DIR_C2S) {
		stream_start(s, m->msid, ROLE_PUBLISH, f, s->now);
	} else if ((field_record_is(f, "name", "play") ||
	    field_record_is(f, "name", "play2")) && dir == DIR_C2S) {
		stream_start(s, m->msid, ROLE_PLAY, f, s->now);
	} else if (field_record_is(f, "name", "deleteStream") && dir == DIR_C2S) {
		if (field_record_u32(f, "stream_id", &msid) &&
		    (st = stream_by_msid(s, msid)) != NULL)
			st->closed = true;
	} else if (field_record_is(f, "name", "closeStream") && dir == DIR_C2S) {
		if ((st = stream_by_msid(s, m->msid)) != NULL)
			st->closed = true;
	} else if (field_record_is(f, "name", "FCUnpublish") && dir == DIR_C2S) {
		name = field_record_string(f, "stream", &len);
		if (name != NULL && (st = stream_by_name(s, name, len)) != NULL)
			st->closed = true;
	} else if (field_record_is(f, "name", "onStatus")) {
		on_status(s, dir, m->msid, f);
	}
}

/* ------------------------------------------------------------------ */
/* Media                                                                */

/* A stall ends when media comes back: it lasted the gap. */
static void
media_arrived(struct session *s, double now)
{
	const struct health_config *hc = session_table_health(s->table);
	double gap_ms;

	gap_ms = (now - s->media.last_t) * 1000.0;
	if (s->stalled) {
		problem_close(s, "stall", now);
		s->stalled = false;
	} else if (s->media.last_t > 0 && media_expected(s) &&
	    gap_ms >= hc->stall_ms) {
		session_problem(s, media_dir(s), "stall", s->media.last_t,
		    gap_ms, false, "no audio or video for %.1f s",
		    gap_ms / 1000.0);
	}
	if (s->media.first_t == 0)
		s->media.first_t = now;
	s->media.last_t = now;
}

static void
bitrate_window(struct session_media *md, uint32_t bytes, double now)
{
	if (md->window_start == 0)
		md->window_start = now;
	/* Close every whole second that passed (quiet ones as 0). */
	while (now - md->window_start >= 1.0) {
		md->kbps[md->nkbps % SESSION_KBPS_WINDOWS] =
		    (uint32_t)(md->window_bytes * 8 / 1000);
		md->fps[md->nkbps % SESSION_KBPS_WINDOWS] =
		    (uint16_t)MIN(md->window_frames, G_MAXUINT16);
		md->nkbps++;
		md->window_bytes = 0;
		md->window_frames = 0;
		md->window_start += 1.0;
		if (now - md->window_start > SESSION_KBPS_WINDOWS)
			md->window_start = now;
	}
	md->window_bytes += bytes;
}

static void
drift(struct session *s, enum rtmp_dir dir, const struct rtmp_message *m)
{
	const struct health_config *hc = session_table_health(s->table);
	struct session_media *md = &s->media;

	if (m->type == RTMP_AUDIO) {
		md->have_audio_ts[dir] = true;
		md->last_audio_ts[dir] = m->ts;
	} else {
		md->have_dir_video_ts[dir] = true;
		md->last_dir_video_ts[dir] = m->ts;
	}
	/* Recovered streams count from unknown bases: no drift to see. */
	if (m->recovered || !md->have_audio_ts[dir] ||
	    !md->have_dir_video_ts[dir])
		return;
	md->drift_ms = (int64_t)(int32_t)(md->last_audio_ts[dir] -
	    md->last_dir_video_ts[dir]);
	if (!s->desynced && llabs(md->drift_ms) > hc->av_desync_ms) {
		s->desynced = true;
		session_problem(s, dir, "av_desync", s->now, 0, true,
		    "audio %s video by %lld ms", md->drift_ms > 0 ? "ahead of" :
		    "behind", llabs(md->drift_ms));
	} else if (s->desynced && llabs(md->drift_ms) <= hc->av_desync_ms) {
		s->desynced = false;
		problem_close(s, "av_desync", s->now);
	}
}

static void
on_video(struct session *s, enum rtmp_dir dir, const struct rtmp_message *m,
    const struct field_record *f)
{
	struct session_media *md = &s->media;
	const char *fourcc;
	double frame = 0, packet = -1, codec, v;
	bool config, frame_data;
	size_t len;

	(void)field_record_number(f, "frame_type", &frame);
	fourcc = field_record_string(f, "fourcc", &len);
	if (fourcc != NULL && len < sizeof(md->video_codec)) {
		memcpy(md->video_codec, fourcc, len);
		md->video_codec[len] = '\0';
		(void)field_record_number(f, "packet_type", &packet);
		config = packet == 0;
		frame_data = packet == 1 || packet == 3;
	} else {
		if (field_record_number(f, "codec", &codec))
			g_strlcpy(md->video_codec,
			    video_codec_name((unsigned)codec),
			    sizeof(md->video_codec));
		(void)field_record_number(f, "avc_packet_type", &packet);
		config = packet == 0;
		frame_data = frame != 5 && packet != 0 && packet != 2;
	}
	if (config) {
		if (field_record_number(f, "width", &v))
			md->width = (uint32_t)v;
		if (field_record_number(f, "height", &v))
			md->height = (uint32_t)v;
		if ((fourcc = field_record_string(f, "profile", &len)) != NULL)
			g_strlcpy(md->video_profile, fourcc, MIN(len + 1,
			    sizeof(md->video_profile)));
		if ((fourcc = field_record_string(f, "level", &len)) != NULL)
			g_strlcpy(md->video_level, fourcc, MIN(len + 1,
			    sizeof(md->video_level)));
		return;
	}
	if (!frame_data)
		return;
	md->video_frames++;
	md->window_frames++;
	if (!md->have_video_ts) {
		md->have_video_ts = true;
		md->first_video_ts = m->ts;
	} else {
		md->timed_frames++;
	}
	md->last_video_ts = m->ts;
	if (frame == 1) {
		md->keyframes++;
		if (md->have_key_ts && m->ts > md->last_key_ts) {
			md->gop_sum_ms += m->ts - md->last_key_ts;
			md->gops++;
		}
		md->have_key_ts = true;
		md->last_key_ts = m->ts;
	}
	drift(s, dir, m);
}

static void
on_audio(struct session *s, enum rtmp_dir dir, const struct rtmp_message *m,
    const struct field_record *f)
{
	struct session_media *md = &s->media;
	const char *fourcc;
	double format = -1, packet = -1, v;
	size_t len;

	fourcc = field_record_string(f, "fourcc", &len);
	if (fourcc != NULL && len < sizeof(md->audio_codec)) {
		memcpy(md->audio_codec, fourcc, len);
		md->audio_codec[len] = '\0';
		(void)field_record_number(f, "packet_type", &packet);
	} else if (field_record_number(f, "sound_format", &format)) {
		g_strlcpy(md->audio_codec, sound_format_name((unsigned)format),
		    sizeof(md->audio_codec));
		(void)field_record_number(f, "aac_packet_type", &packet);
	}
	if (packet == 0) {
		if (field_record_number(f, "sample_rate", &v))
			md->audio_rate = (uint32_t)v;
		if (field_record_number(f, "channels", &v))
			md->audio_channels = (uint32_t)v;
		return;
	}
	md->audio_frames++;
	drift(s, dir, m);
}

static void
on_media(struct session *s, enum rtmp_dir dir, const struct rtmp_message *m,
    const struct field_record *f)
{
	media_arrived(s, s->now);
	s->media.bytes += m->len;
	bitrate_window(&s->media, m->len, s->now);
	if (m->type == RTMP_VIDEO)
		on_video(s, dir, m, f);
	else
		on_audio(s, dir, m, f);
	ladder_media(s, dir, m->type, s->now);
}

/* ------------------------------------------------------------------ */
/* Entry points                                                         */

void
session_model_handshake(struct session *s, enum rtmp_dir dir,
    const struct handshake_step *step)
{
	static const char *const names[] = { "C0+C1", "C2", "S0+S1+S2" };

	ladder_text(s, dir, s->now, g_strdup_printf("%s version %u",
	    names[step->kind], step->version), false);
}

static void
on_control(struct session *s, enum rtmp_dir dir,
    const struct rtmp_message *m, const struct field_record *f)
{
	const char *event;
	size_t len;
	double v;

	switch (m->type) {
	case RTMP_SET_CHUNK_SIZE:
		if (field_record_number(f, "chunk_size", &v))
			s->chunk_size[dir] = (uint32_t)v;
		break;
	case RTMP_WINDOW_ACK_SIZE:
		if (field_record_number(f, "window", &v))
			s->window[dir] = (uint32_t)v;
		break;
	case RTMP_SET_PEER_BANDWIDTH:
		if (field_record_number(f, "window", &v))
			s->peer_bandwidth[dir] = (uint32_t)v;
		break;
	case RTMP_ACK:
		/* The sender counts what it received from the other side. */
		if (field_record_number(f, "ack_seq", &v)) {
			s->ack_seq[dir] = (uint32_t)v;
			s->ack_lag[dir] = (int64_t)s->dirs[!dir].bytes -
			    (int64_t)s->ack_seq[dir];
		}
		break;
	case RTMP_USER_CONTROL:
		event = field_record_string(f, "event_name", &len);
		if (event == NULL || !field_record_number(f, "ping_ts", &v))
			break;
		if (strncmp(event, "ping_request", len) == 0) {
			s->ping_pending = true;
			s->ping_value = (uint32_t)v;
			s->ping_dir = dir;
			s->ping_t = s->now;
		} else if (s->ping_pending && dir != s->ping_dir &&
		    (uint32_t)v == s->ping_value) {
			s->ping_pending = false;
			s->rtt_ms = (s->now - s->ping_t) * 1000.0;
			problem_close(s, "ping_timeout", s->now);
		}
		break;
	default:
		break;
	}
}

void
session_model_message(struct session *s, enum rtmp_dir dir,
    const struct rtmp_message *m, const struct field_record *f,
    enum msg_status status)
{
	if (m->type == RTMP_AUDIO || m->type == RTMP_VIDEO) {
		on_media(s, dir, m, f);
		return;
	}
	if (!m->in_aggregate)
		ladder_text(s, dir, s->now, message_summary(m, f), false);
	if (status != MSG_OK)
		return;
	if (m->type == RTMP_COMMAND_AMF0 || m->type == RTMP_COMMAND_AMF3)
		on_command(s, dir, m, f);
	else
		on_control(s, dir, m, f);
}

void
session_model_check(struct session *s, double now)
{
	const struct health_config *hc = session_table_health(s->table);
	bool handshaking;

	handshaking = !s->joined && (s->state == SESSION_HANDSHAKE ||
	    s->state == SESSION_UNDECIDED) && s->dirs[DIR_C2S].started;
	if (handshaking && !s->handshake_late &&
	    (now - s->start) * 1000.0 >= hc->handshake_timeout_ms) {
		s->handshake_late = true;
		session_problem(s, DIR_C2S, "handshake_failed", s->start,
		    (now - s->start) * 1000.0, false,
		    "handshake not complete after %u ms",
		    hc->handshake_timeout_ms);
	}
	if (s->ping_pending && !s->ping_late &&
	    (now - s->ping_t) * 1000.0 >= hc->ping_timeout_ms) {
		s->ping_late = true;
		session_problem(s, s->ping_dir, "ping_timeout", s->ping_t, 0,
		    true, "ping request %u unanswered for %u ms",
		    s->ping_value, hc->ping_timeout_ms);
	}
	if (!s->stalled && media_expected(s) && s->media.last_t > 0 &&
	    (now - s->media.last_t) * 1000.0 >= hc->stall_ms) {
		s->stalled = true;
		session_problem(s, media_dir(s), "stall", s->media.last_t, 0,
		    true, "no audio or video since %.3f s",
		    s->media.last_t - s->start);
	}
}

void
session_model_end(struct session *s, enum session_end how, double now)
{
	struct session_problem *p;
	guint i;

	s->how = how;
	session_model_check(s, now);
	if (!s->joined && s->state == SESSION_HANDSHAKE && !s->handshake_late &&
	    how != SESSION_END_OPEN)
		session_problem(s, DIR_C2S, "handshake_failed", now, 0, false,
		    "closed during the handshake");
	if (s->connect_seen && !s->connect_answered && how != SESSION_END_OPEN)
		session_problem(s, DIR_S2C, "connect_rejected", now, 0, false,
		    "connection closed before connect was answered");
	/*
	 * Players and publishers often reset the connection right after a
	 * clean deleteStream (unread bytes make the kernel send RST): only a
	 * stream still going, or a reset before any stream, is abrupt.
	 */
	if (how != SESSION_END_OPEN && media_expected(s))
		session_problem(s, media_dir(s), "abrupt_close", now, 0, false,
		    "%s while %s, without deleteStream",
		    how == SESSION_END_RESET ? "reset" : "closed",
		    session_role_name(session_main_stream(s)->role));
	else if (how == SESSION_END_RESET && s->streams->len == 0)
		session_problem(s, DIR_C2S, "abrupt_close", now, 0, false,
		    "connection reset");
	/* What is still going on lasted until the end. */
	for (i = 0; i < s->problems->len; i++) {
		p = &g_array_index(s->problems, struct session_problem, i);
		if (p->open)
			problem_finish(p, now);
	}
}

/* ------------------------------------------------------------------ */
/* Readers                                                              */

const char *
session_role_name(enum session_role role)
{
	switch (role) {
	case ROLE_PUBLISH:
		return "publish";
	case ROLE_PLAY:
		return "play";
	default:
		return "none";
	}
}

const char *
session_end_name(enum session_end how)
{
	switch (how) {
	case SESSION_END_CLOSED:
		return "closed";
	case SESSION_END_RESET:
		return "reset";
	default:
		return "open";
	}
}

const struct session_stream *
session_main_stream(const struct session *s)
{
	const struct session_stream *st;
	guint i;

	for (i = 0; s->streams != NULL && i < s->streams->len; i++) {
		st = g_ptr_array_index(s->streams, i);
		if (st->role != ROLE_NONE)
			return st;
	}
	return NULL;
}

enum health
session_health(const struct session *s)
{
	enum health worst = HEALTH_OK, h;
	guint i;

	for (i = 0; s->problems != NULL && i < s->problems->len; i++) {
		h = health_of_kind(g_array_index(s->problems,
		    struct session_problem, i).kind);
		if (h > worst)
			worst = h;
	}
	return worst;
}

double
session_fps(const struct session *s)
{
	const struct session_media *md = &s->media;
	uint32_t span = md->last_video_ts - md->first_video_ts;

	if (md->timed_frames == 0 || span == 0)
		return 0;
	return (double)md->timed_frames * 1000.0 / span;
}

double
session_kbps(const struct session *s)
{
	const struct session_media *md = &s->media;
	double span = md->last_t - md->first_t;

	if (span <= 0)
		return 0;
	return (double)md->bytes * 8.0 / span / 1000.0;
}

double
session_gop_ms(const struct session *s)
{
	const struct session_media *md = &s->media;

	return md->gops == 0 ? 0 : (double)md->gop_sum_ms / md->gops;
}
