/*
 * The session layer: orientation, handshake and chunk demultiplexing of
 * every RTMP connection, and the events its sinks read.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>

#include "dump.h"
#include "session-model.h"

#define MAX_OBSERVERS	8

#define TICK_SECONDS	0.5	/* how often timeouts are checked */

struct session_table {
	struct health_config		 health;
	bool				 keep_log;
	struct dump_out			 line;		/* a log line being made */
	double				 next_tick;
	uint16_t			*ports;
	size_t				 nports;
	GPtrArray			*sessions;
	struct session_observer		 observers[MAX_OBSERVERS];
	size_t				 nobservers;
	struct field_record		 fields;	/* reused per message */
	uint64_t			 next_id;
	struct session_table_stats	 stats;
	/*
	 * The ended sessions (struct session *), in the order they ended,
	 * and how many of them are kept: 0, every one.
	 */
	GQueue				 ended;
	uint32_t			 max_ended;
};

static void	demux_message(void *, const struct rtmp_message *);
static void	demux_event(void *, enum chunk_event, uint64_t);

static const struct chunk_demux_ops session_demux_ops = {
	demux_message,
	demux_event,
};

const char *
rtmp_dir_name(enum rtmp_dir dir)
{
	return dir == DIR_C2S ? "c2s" : "s2c";
}

struct session_table *
session_table_new(const uint16_t *ports, size_t nports,
    const struct health_config *health)
{
	struct session_table *t = g_new0(struct session_table, 1);

	if (health != NULL)
		t->health = *health;
	else
		health_config_defaults(&t->health);
	t->ports = g_memdup2(ports, nports * sizeof(*ports));
	t->nports = nports;
	t->sessions = g_ptr_array_new();
	field_record_init(&t->fields);
	return t;
}

static void
session_release(struct session *s)
{
	chunk_demux_free(&s->dirs[DIR_C2S].demux);
	chunk_demux_free(&s->dirs[DIR_S2C].demux);
}

/* Where a session is in the table: numbered as it came, kept in order. */
static guint
table_index(const struct session_table *t, const struct session *s)
{
	const struct session *at;
	guint lo = 0, hi = t->sessions->len, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		at = g_ptr_array_index(t->sessions, mid);
		if (at->id == s->id)
			return mid;
		if (at->id < s->id)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* A session is in its table from session_open until it is freed. */
	g_assert_not_reached();
	return 0;
}

/* Out of the table and freed; the order of the others is kept. */
static void
session_forget(struct session *s)
{
	struct session_table *t = s->table;

	g_ptr_array_remove_index(t->sessions, table_index(t, s));
	session_release(s);
	session_model_free(s);
	g_free(s);
}

/* The ended sessions beyond the bound go, those that ended first first. */
static void
table_trim(struct session_table *t)
{
	if (t->max_ended == 0)
		return;
	while (t->ended.length > t->max_ended) {
		session_forget(g_queue_pop_head(&t->ended));
		t->stats.evicted++;
	}
}

void
session_table_free(struct session_table *t)
{
	guint i;

	for (i = 0; i < t->sessions->len; i++) {
		session_release(g_ptr_array_index(t->sessions, i));
		session_model_free(g_ptr_array_index(t->sessions, i));
		g_free(g_ptr_array_index(t->sessions, i));
	}
	g_ptr_array_free(t->sessions, TRUE);
	g_queue_clear(&t->ended);
	field_record_free(&t->fields);
	g_free(t->line.buf);
	g_free(t->ports);
	g_free(t);
}

void
session_table_observe(struct session_table *t,
    const struct session_observer *o)
{
	if (t->nobservers < MAX_OBSERVERS)
		t->observers[t->nobservers++] = *o;
}

const struct session_table_stats *
session_table_stats(const struct session_table *t)
{
	return &t->stats;
}

static bool
is_server_port(const struct session_table *t, uint16_t port)
{
	size_t i;

	for (i = 0; i < t->nports; i++)
		if (t->ports[i] == port)
			return true;
	return false;
}

void
session_table_keep_log(struct session_table *t, bool keep)
{
	t->keep_log = keep;
}

void
session_table_keep_ended(struct session_table *t, uint32_t max)
{
	t->max_ended = max;
	table_trim(t);
}

/* Appends the line being made to a session's log, within its bound. */
static void
log_line(struct session *s)
{
	struct session_table *t = s->table;

	if (s->log == NULL)
		s->log = g_queue_new();
	g_queue_push_tail(s->log, g_strndup(t->line.buf, t->line.len));
	while (s->log->length > SESSION_LOG_MAX)
		g_free(g_queue_pop_head(s->log));
	t->line.len = 0;
}

const struct health_config *
session_table_health(const struct session_table *t)
{
	return &t->health;
}

GPtrArray *
session_table_sessions(const struct session_table *t)
{
	return t->sessions;
}

void
session_tell_problem(struct session *s, enum rtmp_dir dir, const char *kind,
    const char *detail)
{
	struct session_table *t = s->table;
	size_t i;

	if (t->keep_log) {
		dump_text_envelope(&t->line, s, dir, s->start);
		dump_out_printf(&t->line, " ! %s: %s", kind, detail);
		log_line(s);
	}
	for (i = 0; i < t->nobservers; i++)
		if (t->observers[i].problem != NULL)
			t->observers[i].problem(t->observers[i].ctx, s, dir,
			    kind, detail);
}

/* A problem happening now, recorded on the session. */
static void
problem(struct session *s, enum rtmp_dir dir, const char *kind,
    const char *detail)
{
	session_problem(s, dir, kind, s->now, 0, false, "%s", detail);
}

static void
tell_handshake(struct session *s, enum rtmp_dir dir,
    const struct handshake_step *step)
{
	struct session_table *t = s->table;
	size_t i;

	session_model_handshake(s, dir, step);
	for (i = 0; i < t->nobservers; i++)
		if (t->observers[i].handshake != NULL)
			t->observers[i].handshake(t->observers[i].ctx, s, dir,
			    step);
}

struct session *
session_open(struct session_table *t, const struct endpoint *side0,
    const struct endpoint *side1, bool syn_seen, double now)
{
	struct session *s = g_new0(struct session, 1);
	bool server0 = is_server_port(t, side0->port);
	bool server1 = is_server_port(t, side1->port);
	int i;

	s->id = ++t->next_id;
	s->table = t;
	session_model_init(s);
	s->start = s->end = s->now = now;
	s->on_server_port = server0 || server1;
	/*
	 * The SYN's sender is the client; without one, the side not on a
	 * server port.  The handshake may still say otherwise.
	 */
	s->client_side = (!syn_seen && server0 && !server1) ? 1 : 0;
	s->client = s->client_side == 0 ? *side0 : *side1;
	s->server = s->client_side == 0 ? *side1 : *side0;
	endpoint_format(&s->client, s->client_name, sizeof(s->client_name));
	endpoint_format(&s->server, s->server_name, sizeof(s->server_name));
	for (i = 0; i < 2; i++) {
		s->dirs[i].session = s;
		s->dirs[i].dir = (enum rtmp_dir)i;
		handshake_init(&s->dirs[i].hs, i == DIR_S2C);
		chunk_demux_init(&s->dirs[i].demux, &session_demux_ops,
		    &s->dirs[i]);
	}
	if (syn_seen) {
		s->state = SESSION_UNDECIDED;
	} else if (s->on_server_port) {
		s->state = SESSION_ACTIVE;
		s->joined = true;
		chunk_demux_join(&s->dirs[DIR_C2S].demux);
		chunk_demux_join(&s->dirs[DIR_S2C].demux);
	} else {
		/* Mid-stream on another port: nothing says it is RTMP. */
		s->state = SESSION_NOT_RTMP;
		t->stats.not_rtmp++;
	}
	g_ptr_array_add(t->sessions, s);
	return s;
}

/* A connection that turned out not to be RTMP is forgotten. */
static bool
not_rtmp(struct session *s)
{
	s->state = SESSION_NOT_RTMP;
	s->table->stats.not_rtmp++;
	return false;
}

/* Joins a connection on an RTMP port whose first bytes are no handshake. */
static void
join(struct session *s)
{
	s->joined = true;
	s->state = SESSION_ACTIVE;
	chunk_demux_join(&s->dirs[DIR_C2S].demux);
	chunk_demux_join(&s->dirs[DIR_S2C].demux);
}

/*
 * The first bytes of a connection whose SYN was seen decide what it is: a
 * client C0 (a known handshake version, sent first) begins a handshake.
 */
static bool
decide(struct session *s, enum rtmp_dir dir, uint8_t first)
{
	char detail[96];

	if (dir == DIR_C2S && handshake_version_known(first)) {
		s->state = SESSION_HANDSHAKE;
		return true;
	}
	if (!s->on_server_port)
		return not_rtmp(s);
	snprintf(detail, sizeof(detail), "the %s opened with 0x%02x, no "
	    "RTMP version; looking for chunks", dir == DIR_C2S ? "client" :
	    "server", first);
	problem(s, dir, "handshake_failed", detail);
	join(s);
	return true;
}

/*
 * On a port that is not a server port, RTMP is believed when the server
 * answers a client's 1537 bytes of C0 + C1 with a known S0 version.
 */
static bool
confirm_heuristic(struct session *s, uint8_t s0)
{
	if (s->on_server_port || !s->has_pending_c0c1)
		return true;
	if (s->dirs[DIR_C2S].bytes != 1U + HANDSHAKE_BLOCK ||
	    !handshake_version_known(s0))
		return not_rtmp(s);
	double now = s->now;

	/* Told now, stamped with the time of the packet that completed it. */
	s->has_pending_c0c1 = false;
	s->now = s->pending_c0c1_t;
	tell_handshake(s, DIR_C2S, &s->pending_c0c1);
	s->now = now;
	return true;
}

static void
handshake_step_done(struct session *s, enum rtmp_dir dir,
    const struct handshake_step *step)
{
	char detail[64];

	if (step->kind == HANDSHAKE_C0C1 && !s->on_server_port) {
		s->pending_c0c1 = *step;
		s->pending_c0c1_t = s->now;
		s->has_pending_c0c1 = true;
	} else {
		tell_handshake(s, dir, step);
	}
	if (step->kind != HANDSHAKE_C2 &&
	    step->version != HANDSHAKE_VERSION_PLAIN) {
		snprintf(detail, sizeof(detail), "%s version %u: %s",
		    handshake_step_name(step->kind), step->version,
		    handshake_version_known(step->version) ?
		    "encrypted (RTMPE)" : "unknown");
		problem(s, dir, "handshake_failed", detail);
		s->state = SESSION_UNDECODABLE;
	}
	if (handshake_done(&s->dirs[DIR_C2S].hs) &&
	    handshake_done(&s->dirs[DIR_S2C].hs) &&
	    s->state == SESSION_HANDSHAKE)
		s->state = SESSION_ACTIVE;
}

bool
session_feed(struct session *s, int side, const uint8_t *p, size_t n,
    double now)
{
	enum rtmp_dir dir = side == s->client_side ? DIR_C2S : DIR_S2C;
	struct session_dir *d = &s->dirs[dir];
	struct handshake_step step;
	bool stepped;
	size_t used;

	s->fed = n;
	if (s->state == SESSION_NOT_RTMP)
		return false;
	if (n == 0)
		return true;
	/* A timeout that ran out before these bytes is judged first. */
	if (s->state != SESSION_UNDECIDED)
		session_model_check(s, now);
	s->now = s->end = now;
	if (s->state == SESSION_UNDECIDED && !decide(s, dir, p[0]))
		return false;
	if (dir == DIR_S2C && !d->started && !confirm_heuristic(s, p[0]))
		return false;
	d->started = true;
	d->bytes += n;

	while (n > 0 && !s->joined && !handshake_done(&d->hs)) {
		used = handshake_feed(&d->hs, p, n, &step, &stepped);
		p += used;
		n -= used;
		if (stepped)
			handshake_step_done(s, dir, &step);
	}
	if (n > 0 && s->state != SESSION_UNDECODABLE)
		s->fed -= n - chunk_demux_feed(&d->demux, p, n);
	return true;
}

void
session_stop_feed(struct session *s, enum rtmp_dir dir)
{
	s->dirs[dir].demux.stop = true;
}

bool
session_redirect_succeeded(const struct session_redirect *r)
{
	return r->outcome != NULL && (strcmp(r->outcome, "moved") == 0 ||
	    strcmp(r->outcome, "redirected") == 0);
}

void
session_add_redirect(struct session *s, const struct session_redirect *r)
{
	struct session_table *t = s->table;
	struct session_redirect copy = *r;
	size_t i;

	copy.from = g_strdup(r->from);
	copy.to = g_strdup(r->to);
	copy.detail = g_strdup(r->detail);
	if (s->redirects == NULL)
		s->redirects = g_array_new(FALSE, FALSE,
		    sizeof(struct session_redirect));
	g_array_append_val(s->redirects, copy);
	for (i = 0; i < t->nobservers; i++)
		if (t->observers[i].redirected != NULL)
			t->observers[i].redirected(t->observers[i].ctx, s,
			    &copy);
}

void
session_gap(struct session *s, int side, uint64_t lost, double now)
{
	enum rtmp_dir dir = side == s->client_side ? DIR_C2S : DIR_S2C;
	struct session_dir *d = &s->dirs[dir];
	char detail[96];

	if (s->state == SESSION_NOT_RTMP || lost == 0)
		return;
	s->now = s->end = now;
	s->gaps++;
	d->gap_bytes += lost;
	s->table->stats.gaps++;
	s->table->stats.gap_bytes += lost;
	snprintf(detail, sizeof(detail), "%" G_GUINT64_FORMAT
	    " bytes lost by the capture", lost);
	problem(s, dir, "capture_gap", detail);
	if (s->state == SESSION_UNDECIDED) {
		join(s);
		return;
	}
	if (!s->joined && !handshake_done(&d->hs))
		lost -= handshake_skip(&d->hs, lost);
	if (lost > 0 && s->state != SESSION_UNDECODABLE)
		chunk_demux_skip(&d->demux, lost);
}

void
session_end(struct session *s, enum session_end how, double now)
{
	struct session_table *t = s->table;
	size_t i;

	s->end = now;
	/* No byte ever came (a refused connect): there was no RTMP. */
	if (s->state == SESSION_UNDECIDED)
		s->state = SESSION_NOT_RTMP;
	if (s->state == SESSION_NOT_RTMP) {
		/* Nothing to report: forget it. */
		session_forget(s);
		return;
	}
	/* What is still held while hunting may hold a last message. */
	if (s->state != SESSION_UNDECODABLE) {
		chunk_demux_finish(&s->dirs[DIR_C2S].demux);
		chunk_demux_finish(&s->dirs[DIR_S2C].demux);
	}
	session_model_end(s, how, now);
	s->state = SESSION_ENDED;
	for (i = 0; i < t->nobservers; i++)
		if (t->observers[i].ended != NULL)
			t->observers[i].ended(t->observers[i].ctx, s);
	session_release(s);
	/* The newest ended: if one must go, an older one does. */
	g_queue_push_tail(&t->ended, s);
	table_trim(t);
}

/* Decodes a message once and hands it to every observer. */
static void
deliver(struct session_dir *d, const struct rtmp_message *m)
{
	struct session *s = d->session;
	struct session_table *t = s->table;
	enum msg_status status;
	size_t i;

	d->messages++;
	t->stats.messages++;
	field_record_clear(&t->fields);
	status = msg_decode(m, &t->fields.sink);
	if (status != MSG_OK) {
		s->malformed++;
		t->stats.malformed++;
	}
	session_model_message(s, d->dir, m, &t->fields, status);
	if (t->keep_log) {
		dump_text_envelope(&t->line, s, d->dir, s->start);
		dump_text_message(&t->line, m, &t->fields, status);
		log_line(s);
	}
	for (i = 0; i < t->nobservers; i++)
		if (t->observers[i].message != NULL)
			t->observers[i].message(t->observers[i].ctx, s, d->dir,
			    m, &t->fields, status);
}

static void
demux_message(void *ctx, const struct rtmp_message *m)
{
	struct session_dir *d = ctx;
	struct aggregate_iter it;
	struct rtmp_message sub;

	deliver(d, m);
	if (m->type != RTMP_AGGREGATE)
		return;
	/* Each sub-message is a message of its own. */
	aggregate_iter_init(&it, m);
	while (aggregate_next(&it, &sub))
		deliver(d, &sub);
}

static void
demux_event(void *ctx, enum chunk_event ev, uint64_t value)
{
	static const char *const limit_names[LIMIT_HIT_COUNT] = {
		"chunk streams", "message body kept", "TCP bytes held",
		"sessions", "AMF nesting",
	};
	struct session_dir *d = ctx;
	struct session *s = d->session;
	char detail[96];

	switch (ev) {
	case CHUNK_EV_MALFORMED:
		s->malformed++;
		s->table->stats.malformed++;
		snprintf(detail, sizeof(detail),
		    "chunk header on csid %" G_GUINT64_FORMAT
		    " cannot be decoded; resynchronising", value);
		problem(s, d->dir, "malformed", detail);
		break;
	case CHUNK_EV_BAD_CHUNK_SIZE:
		s->malformed++;
		s->table->stats.malformed++;
		problem(s, d->dir, "malformed",
		    "Set Chunk Size 0 ignored");
		break;
	case CHUNK_EV_RESYNC:
		s->resyncs++;
		s->table->stats.resyncs++;
		s->table->stats.resync_skipped += value;
		break;
	case CHUNK_EV_LIMIT:
		s->limit_hits++;
		s->table->stats.limit_hits++;
		snprintf(detail, sizeof(detail), "limit reached: %s",
		    value < LIMIT_HIT_COUNT ? limit_names[value] : "?");
		problem(s, d->dir, "limit", detail);
		break;
	case CHUNK_EV_ABORTED:
		break;
	}
}

/* The flow layer's callbacks, for sources that reassemble TCP. */
static void *
flow_open(void *ctx, const struct endpoint *side0,
    const struct endpoint *side1, bool syn_seen, double now)
{
	return session_open(ctx, side0, side1, syn_seen, now);
}

static bool
flow_data(void *ctx, void *session, int side, const uint8_t *p, size_t n,
    double now)
{
	return session_feed(session, side, p, n, now);
}

static void
flow_gap(void *ctx, void *session, int side, uint64_t lost, double now)
{
	session_gap(session, side, lost, now);
}

static void
flow_end(void *ctx, void *session, enum flow_end how, double now)
{
	session_end(session, how == FLOW_END_RESET ? SESSION_END_RESET :
	    how == FLOW_END_CLOSED ? SESSION_END_CLOSED : SESSION_END_OPEN,
	    now);
}

void
session_table_tick(struct session_table *t, double now)
{
	struct session *s;
	guint i;

	if (now < t->next_tick)
		return;
	t->next_tick = now + TICK_SECONDS;
	for (i = 0; i < t->sessions->len; i++) {
		s = g_ptr_array_index(t->sessions, i);
		if (s->state != SESSION_ENDED)
			session_model_check(s, now);
	}
}

void
session_table_finish(struct session_table *t, double now)
{
	g_autoptr(GPtrArray) open = g_ptr_array_new();
	struct session *s;
	guint i;

	/*
	 * Each end may free older ended sessions and move the table under
	 * an index: the open ones are listed first.  An open session is
	 * never freed, and one ended here is not looked at again.
	 */
	for (i = 0; i < t->sessions->len; i++) {
		s = g_ptr_array_index(t->sessions, i);
		if (s->state != SESSION_ENDED && s->state != SESSION_NOT_RTMP)
			g_ptr_array_add(open, s);
	}
	for (i = 0; i < open->len; i++)
		session_end(g_ptr_array_index(open, i), SESSION_END_OPEN, now);
}

const struct flow_ops session_flow_ops = {
	flow_open,
	flow_data,
	flow_gap,
	flow_end,
};
