/*
 * The session report: a JSON document (the contract) or a table for
 * people, from the session model.  JSON goes through the dump's JSON sink,
 * so quoting is done in one place.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <string.h>

#include "dump.h"
#include "report.h"

/* Sessions the report speaks of: every RTMP one. */
static bool
reported(const struct session *s)
{
	return s->state != SESSION_NOT_RTMP;
}

enum health
report_worst_health(const struct session_table *t)
{
	GPtrArray *all = session_table_sessions(t);
	enum health worst = HEALTH_OK, h;
	guint i;

	for (i = 0; i < all->len; i++) {
		if (!reported(g_ptr_array_index(all, i)))
			continue;
		h = session_health(g_ptr_array_index(all, i));
		if (h > worst)
			worst = h;
	}
	return worst;
}

/* Rounded so the JSON reads well (3 decimals). */
static double
round3(double v)
{
	return round(v * 1000.0) / 1000.0;
}

static void
json_opt_str(struct field_sink *j, const char *key, const char *v)
{
	if (v != NULL && v[0] != '\0') {
		field_cstr(j, key, v);
	} else {
		j->ops->key(j, key, strlen(key));
		j->ops->null(j);
	}
}

static void
json_streams(struct field_sink *j, const struct session *s)
{
	const struct session_stream *st;
	guint i;

	j->ops->key(j, "streams", 7);
	j->ops->begin(j, true);
	for (i = 0; i < s->streams->len; i++) {
		st = g_ptr_array_index(s->streams, i);
		j->ops->begin(j, false);
		json_opt_str(j, "name", st->name);
		field_cstr(j, "role", session_role_name(st->role));
		field_uint(j, "msid", st->msid);
		if (st->publish_type != NULL)
			field_cstr(j, "publish_type", st->publish_type);
		field_number(j, "start", st->start);
		field_bool(j, "closed", st->closed);
		j->ops->end(j, false);
	}
	j->ops->end(j, true);
}

static void	text_redirects(struct dump_out *,
		    const struct report_capture *, GPtrArray *);

static void
json_problems(struct field_sink *j, const struct session *s)
{
	const struct session_problem *p;
	guint i;

	j->ops->key(j, "problems", 8);
	j->ops->begin(j, true);
	for (i = 0; i < s->problems->len; i++) {
		p = &g_array_index(s->problems, struct session_problem, i);
		j->ops->begin(j, false);
		field_cstr(j, "kind", p->kind);
		field_number(j, "at", p->at);
		field_number(j, "duration_ms", round3(p->duration_ms));
		field_cstr(j, "detail", p->detail);
		field_cstr(j, "dir", rtmp_dir_name(p->dir));
		j->ops->end(j, false);
	}
	j->ops->end(j, true);
}

void
report_redirect_fields(struct field_sink *j, const struct session_redirect *r)
{
	field_number(j, "at", r->at);
	json_opt_str(j, "from", r->from);
	json_opt_str(j, "to", r->to);
	field_cstr(j, "reason", r->reason);
	field_cstr(j, "mode", r->mode);
	field_cstr(j, "outcome", r->outcome);
	json_opt_str(j, "detail", r->detail);
	if (r->media_gap_ms >= 0)
		field_number(j, "media_gap_ms", round3(r->media_gap_ms));
	else
		field_null(j, "media_gap_ms");
	if (r->switch_ms >= 0)
		field_number(j, "switch_ms", round3(r->switch_ms));
	else
		field_null(j, "switch_ms");
}

/* In proxy mode: every move of the session, oldest first. */
static void
json_redirects(struct field_sink *j, const struct session *s)
{
	guint i;

	j->ops->key(j, "redirects", 9);
	j->ops->begin(j, true);
	for (i = 0; s->redirects != NULL && i < s->redirects->len; i++) {
		j->ops->begin(j, false);
		report_redirect_fields(j, &g_array_index(s->redirects,
		    struct session_redirect, i));
		j->ops->end(j, false);
	}
	j->ops->end(j, true);
}

void
report_session_json(struct field_sink *j, const struct session *s)
{
	const struct session_stream *main_stream = session_main_stream(s);
	const struct session_media *md = &s->media;
	guint i;

	j->ops->begin(j, false);
	field_uint(j, "id", s->id);
	field_cstr(j, "client", s->client_name);
	field_cstr(j, "server", s->server_name);
	field_number(j, "start", s->start);
	field_number(j, "end", s->end);
	field_cstr(j, "how", session_end_name(s->how));
	if (s->backend != NULL) {
		field_cstr(j, "backend", s->backend);
		json_redirects(j, s);
	}
	field_bool(j, "joined", s->joined);
	json_opt_str(j, "app", s->app);
	json_opt_str(j, "tc_url", s->tc_url);
	json_opt_str(j, "flash_ver", s->flash_ver);
	json_opt_str(j, "stream", main_stream != NULL ? main_stream->name :
	    NULL);
	field_cstr(j, "role", session_role_name(main_stream != NULL ?
	    main_stream->role : ROLE_NONE));
	json_streams(j, s);
	field_uint(j, "bytes_c2s", s->dirs[DIR_C2S].bytes);
	field_uint(j, "bytes_s2c", s->dirs[DIR_S2C].bytes);
	field_uint(j, "messages", s->dirs[DIR_C2S].messages +
	    s->dirs[DIR_S2C].messages);
	field_uint(j, "video_frames", md->video_frames);
	field_uint(j, "keyframes", md->keyframes);
	field_uint(j, "audio_frames", md->audio_frames);
	json_opt_str(j, "video_codec", md->video_codec);
	json_opt_str(j, "audio_codec", md->audio_codec);
	field_uint(j, "width", md->width);
	field_uint(j, "height", md->height);
	json_opt_str(j, "video_profile", md->video_profile);
	json_opt_str(j, "video_level", md->video_level);
	field_uint(j, "audio_rate", md->audio_rate);
	field_uint(j, "audio_channels", md->audio_channels);
	field_number(j, "fps", round3(session_fps(s)));
	field_number(j, "kbps", round3(session_kbps(s)));
	field_number(j, "gop_ms", round3(session_gop_ms(s)));
	field_number(j, "av_drift_ms", (double)md->drift_ms);
	if (s->rtt_ms >= 0)
		field_number(j, "rtt_ms", round3(s->rtt_ms));
	if (s->has_object_encoding)
		field_number(j, "object_encoding", s->object_encoding);
	if (s->has_caps_ex)
		field_number(j, "caps_ex", s->caps_ex);
	if (s->fourcc_list != NULL)
		field_cstr(j, "fourcc_list", s->fourcc_list);
	j->ops->key(j, "status_codes", 12);
	j->ops->begin(j, true);
	for (i = 0; i < s->status_codes->len; i++)
		j->ops->string(j, g_ptr_array_index(s->status_codes, i),
		    strlen(g_ptr_array_index(s->status_codes, i)));
	j->ops->end(j, true);
	j->ops->key(j, "created_streams", 15);
	j->ops->begin(j, true);
	for (i = 0; i < s->ncreated; i++)
		j->ops->uint(j, s->created[i]);
	j->ops->end(j, true);
	field_uint(j, "messages_c2s", s->dirs[DIR_C2S].messages);
	field_uint(j, "messages_s2c", s->dirs[DIR_S2C].messages);
	field_uint(j, "chunk_size_c2s", s->chunk_size[DIR_C2S]);
	field_uint(j, "chunk_size_s2c", s->chunk_size[DIR_S2C]);
	field_uint(j, "window_c2s", s->window[DIR_C2S]);
	field_uint(j, "window_s2c", s->window[DIR_S2C]);
	field_uint(j, "peer_bandwidth_c2s", s->peer_bandwidth[DIR_C2S]);
	field_uint(j, "peer_bandwidth_s2c", s->peer_bandwidth[DIR_S2C]);
	field_sint(j, "ack_lag_c2s", s->ack_lag[DIR_C2S]);
	field_sint(j, "ack_lag_s2c", s->ack_lag[DIR_S2C]);
	if (md->first_t > 0) {
		field_number(j, "first_media", md->first_t);
		field_number(j, "last_media", md->last_t);
	}
	field_uint(j, "malformed", s->malformed);
	field_uint(j, "capture_gap_bytes", s->dirs[DIR_C2S].gap_bytes +
	    s->dirs[DIR_S2C].gap_bytes);
	field_cstr(j, "health", health_name(session_health(s)));
	json_problems(j, s);
	j->ops->end(j, false);
}

static void
json_report(struct dump_out *o, const struct report_capture *cap,
    const struct session_table *t)
{
	GPtrArray *all = session_table_sessions(t);
	struct json_sink js;
	struct field_sink *j = &js.sink;
	guint i;

	json_sink_init(&js, o);
	j->ops->begin(j, false);
	j->ops->key(j, "capture", 7);
	j->ops->begin(j, false);
	field_cstr(j, "source", cap->source);
	field_uint(j, "packets", cap->packets);
	field_uint(j, "bytes", cap->bytes);
	field_number(j, "start", cap->first_t);
	field_number(j, "end", cap->last_t);
	field_number(j, "duration", round3(cap->last_t - cap->first_t));
	field_uint(j, "connections", cap->connections);
	field_uint(j, "not_rtmp", cap->stats->not_rtmp);
	field_uint(j, "messages", cap->stats->messages);
	field_uint(j, "malformed", cap->stats->malformed);
	field_uint(j, "capture_gaps", cap->stats->gaps);
	field_uint(j, "capture_gap_bytes", cap->stats->gap_bytes);
	field_uint(j, "resyncs", cap->stats->resyncs);
	field_uint(j, "drops", cap->drops);
	/* Live and proxy: ended sessions not listed (max_ended_sessions). */
	field_uint(j, "sessions_evicted", cap->stats->evicted);
	j->ops->end(j, false);
	j->ops->key(j, "sessions", 8);
	j->ops->begin(j, true);
	for (i = 0; i < all->len; i++)
		if (reported(g_ptr_array_index(all, i)))
			report_session_json(j, g_ptr_array_index(all, i));
	j->ops->end(j, true);
	j->ops->end(j, false);
	dump_out_bytes(o, "\n", 1);
}

/* "app/stream", or what is known of it. */
static char *
app_stream(const struct session *s)
{
	const struct session_stream *st = session_main_stream(s);

	return g_strdup_printf("%s/%s", s->app != NULL ? s->app : "?",
	    st != NULL && st->name != NULL ? st->name : "");
}

static void
text_report(struct dump_out *o, const struct report_capture *cap,
    const struct session_table *t)
{
	GPtrArray *all = session_table_sessions(t);
	const struct session_problem *p;
	const struct session_stream *st;
	const struct session *s;
	char *name, res[24], codecs[40];
	guint i, k, nproblems = 0, nsessions = 0;

	for (i = 0; i < all->len; i++)
		nsessions += reported(g_ptr_array_index(all, i));
	dump_out_printf(o, "%s: %" G_GUINT64_FORMAT " packets, %.1f s, %u "
	    "RTMP session%s, %" G_GUINT64_FORMAT " messages", cap->source,
	    cap->packets, cap->last_t - cap->first_t, nsessions,
	    nsessions == 1 ? "" : "s", cap->stats->messages);
	if (cap->stats->evicted > 0)
		dump_out_printf(o, "; %" G_GUINT64_FORMAT " earlier ended "
		    "session%s not listed (max_ended_sessions)",
		    cap->stats->evicted, cap->stats->evicted == 1 ? "" : "s");
	dump_out_str(o, "\n\n");
	dump_out_printf(o, "%3s %-21s %-21s %-20s %-7s %7s %8s %5s %-9s "
	    "%-11s %s\n", "#", "client", "server", "app/stream", "role",
	    "dur s", "kbps", "fps", "size", "codecs", "health");
	for (i = 0; i < all->len; i++) {
		s = g_ptr_array_index(all, i);
		if (!reported(s))
			continue;
		st = session_main_stream(s);
		name = app_stream(s);
		if (s->media.width != 0)
			snprintf(res, sizeof(res), "%ux%u", s->media.width,
			    s->media.height);
		else
			g_strlcpy(res, "-", sizeof(res));
		snprintf(codecs, sizeof(codecs), "%s/%s",
		    s->media.video_codec[0] ? s->media.video_codec : "-",
		    s->media.audio_codec[0] ? s->media.audio_codec : "-");
		dump_out_printf(o, "%3" G_GUINT64_FORMAT " %-21s %-21s %-20s "
		    "%-7s %7.1f %8.1f %5.1f %-9s %-11s %s\n", s->id,
		    s->client_name, s->server_name, name,
		    session_role_name(st != NULL ? st->role : ROLE_NONE),
		    s->end - s->start, session_kbps(s), session_fps(s), res,
		    codecs, health_name(session_health(s)));
		g_free(name);
		nproblems += s->problems->len;
	}
	text_redirects(o, cap, all);
	if (nproblems == 0) {
		dump_out_str(o, "\nNo problems.\n");
		return;
	}
	dump_out_str(o, "\nProblems:\n");
	for (i = 0; i < all->len; i++) {
		s = g_ptr_array_index(all, i);
		if (!reported(s))
			continue;
		for (k = 0; k < s->problems->len; k++) {
			p = &g_array_index(s->problems, struct session_problem,
			    k);
			dump_out_printf(o, "%3" G_GUINT64_FORMAT " %+9.3f s  "
			    "%-17s %-5s", s->id, p->at - cap->first_t, p->kind,
			    health_name(health_of_kind(p->kind)));
			if (p->duration_ms > 0)
				dump_out_printf(o, " %8.1f s", p->duration_ms /
				    1000.0);
			else
				dump_out_str(o, "           ");
			dump_out_printf(o, "  %s\n", p->detail);
		}
	}
}

/* Proxy mode: every move, one line each. */
static void
text_redirects(struct dump_out *o, const struct report_capture *cap,
    GPtrArray *all)
{
	const struct session_redirect *r;
	const struct session *s;
	bool any = false;
	guint i, k;

	for (i = 0; i < all->len; i++) {
		s = g_ptr_array_index(all, i);
		for (k = 0; s->redirects != NULL && k < s->redirects->len;
		    k++) {
			r = &g_array_index(s->redirects,
			    struct session_redirect, k);
			if (!any)
				dump_out_str(o, "\nRedirects:\n");
			any = true;
			dump_out_printf(o, "%3" G_GUINT64_FORMAT " %+9.3f s  "
			    "%-16s %s -> %s  %s %s", s->id, r->at -
			    cap->first_t, r->reason, r->from, r->to != NULL ?
			    r->to : "-", r->mode, r->outcome);
			if (r->media_gap_ms >= 0)
				dump_out_printf(o, ", media gap %.0f ms",
				    r->media_gap_ms);
			if (r->detail != NULL)
				dump_out_printf(o, "  (%s)", r->detail);
			dump_out_str(o, "\n");
		}
	}
}

bool
report_print(FILE *fp, enum report_format format,
    const struct report_capture *cap, const struct session_table *t)
{
	struct dump_out o;
	bool ok;

	memset(&o, 0, sizeof(o));
	o.fp = fp;
	if (format == REPORT_JSON)
		json_report(&o, cap, t);
	else
		text_report(&o, cap, t);
	ok = fwrite(o.buf, 1, o.len, fp) == o.len && fflush(fp) == 0;
	g_free(o.buf);
	return ok;
}
