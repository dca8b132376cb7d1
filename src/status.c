/*
 * The status endpoints: a small HTTP/1.1 server and the event log, both on
 * the main loop with non-blocking sockets (no threads).  They read the
 * session model and the backend pool, and hear events as a session
 * observer and a pool watcher; they never see bytes of RTMP.
 *
 * HTTP: one request per connection.  The head is read (at most 8 KiB,
 * within 5 s) and answered with Content-Length and Connection: close.
 * Once the answer is out the connection lingers a moment, reading, so
 * that bytes a client sent after its head do not turn the close into a
 * reset that could cut the answer short.
 *
 * Event log: each reader gets every event as one JSON line.  What a reader
 * has not taken yet is held, up to 64 KiB; a reader past that is dropped
 * with a line on stderr, never waited for.  What readers send is ignored.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/types.h>
#include <sys/socket.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dump.h"
#include "http-request.h"
#include "options.h"
#include "proxy.h"
#include "report.h"
#include "status.h"
#include "status-metrics.h"

#define HTTP_HEAD_MAX		8192
#define HTTP_HEAD_TIMEOUT_MS	5000
#define HTTP_SEND_TIMEOUT_MS	30000
#define HTTP_LINGER_MS		500
#define HTTP_MAX_CLIENTS	64
#define LOG_READER_HELD		(64U * 1024U)	/* bytes held per reader */
#define LOG_READER_SNDBUF	(64 * 1024)	/* and by the kernel */
#define LOG_MAX_READERS		64
#define STATUS_EVENTS_MAX	1000		/* backend changes kept */

enum http_phase {
	HTTP_READ,		/* the request head */
	HTTP_SEND,		/* the answer */
	HTTP_LINGER,		/* answered: reading until the client closes */
};

struct http_client {
	struct status		*st;
	GSocketConnection	*conn;
	GSocket			*sock;
	GSource			*io;
	guint			 timer;
	enum http_phase		 phase;
	char			 head[HTTP_HEAD_MAX];
	size_t			 len;
	struct dump_out		 out;
	size_t			 sent;
};

struct log_reader {
	struct status		*st;
	GSocketConnection	*conn;
	GSocket			*sock;
	GSource			*in;		/* NULL once the reader half-closed */
	GSource			*out;		/* while bytes are held */
	GByteArray		*held;
	char			 name[ENDPOINT_STRLEN];
};

/* A backend's change of state, kept for /api/events. */
struct status_backend_event {
	double			 at;
	char			*backend;
	enum backend_state	 from;
	enum backend_state	 to;
	char			*error;
	/* A proxy event instead (what is set): what, client, session. */
	const char		*what;
	char			*client;
	uint64_t		 session;
};

/* A session seen starting and not ended yet. */
struct status_seen {
	uint64_t		 id;
	bool			 stream_told;
};

struct status {
	struct status_sources	 src;
	char			*mode;
	GSocketService		*http;
	GSocketService		*log;
	GPtrArray		*clients;	/* struct http_client * */
	GPtrArray		*readers;	/* struct log_reader * */
	struct status_counts	 counts;
	struct status_seen	*last_seen;	/* messages come in runs */
	struct status_backend_event ring[STATUS_EVENTS_MAX];
	size_t			 ring_next;
	size_t			 ring_len;
	struct dump_out		 line;		/* an event line being made */
};

/* Every kind of health.h, so each series exists from the start. */
static const char *const problem_kinds[] = {
	"connect_rejected", "handshake_failed", "stream_error", "abrupt_close",
	"backend_down", "stall", "ping_timeout", "av_desync", "malformed",
	"limit", "capture_gap",
};

static const struct {
	int		 code;
	const char	*reason;
} http_reasons[] = {
	{ 200, "OK" },
	{ 400, "Bad Request" },
	{ 404, "Not Found" },
	{ 202, "Accepted" },
	{ 405, "Method Not Allowed" },
	{ 409, "Conflict" },
	{ 408, "Request Timeout" },
	{ 431, "Request Header Fields Too Large" },
	{ 505, "HTTP Version Not Supported" },
	{ 0, NULL },
};

static const struct {
	enum backend_check	 check;
	const char		*name;
} check_names[] = {
	{ CHECK_NONE, "none" },
	{ CHECK_TCP, "tcp" },
	{ CHECK_HANDSHAKE, "handshake" },
	{ CHECK_CONNECT, "connect" },
	{ 0, NULL },
};

static double
wall_now(void)
{
	return (double)g_get_real_time() / 1e6;
}

static double
round3(double v)
{
	return round(v * 1000.0) / 1000.0;
}

static bool
would_block(const GError *err)
{
	return g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
}

/* ------------------------------------------------------------------ */
/* Addresses                                                            */

gboolean
status_parse_address(const char *flag, const char *value,
    uint16_t default_port, GSocketAddress **out, GError **err)
{
	g_autofree char *host = NULL;
	const char *colon, *close, *port = NULL;
	GInetAddress *ia = NULL;
	uint16_t n = default_port;
	bool bracketed = false;

	colon = strchr(value, ':');
	if (value[0] == '[') {
		/* [V6ADDR] or [V6ADDR]:PORT */
		if ((close = strchr(value, ']')) == NULL)
			goto bad;
		host = g_strndup(value + 1, (gsize)(close - value - 1));
		if (close[1] == ':')
			port = close + 2;
		else if (close[1] != '\0')
			goto bad;
		bracketed = true;
	} else if (colon != NULL && strchr(colon + 1, ':') == NULL) {
		host = g_strndup(value, (gsize)(colon - value));
		port = colon + 1;
	} else if (colon != NULL) {
		host = g_strdup(value);		/* an IPv6 address alone */
	} else if (value[0] != '\0' &&
	    strspn(value, "0123456789") == strlen(value)) {
		host = g_strdup("127.0.0.1");
		port = value;
	} else {
		host = g_strdup(value);
	}
	if (port != NULL && !options_value_port(port, &n))
		goto bad;
	if (strcmp(host, "localhost") == 0) {
		g_free(host);
		host = g_strdup("127.0.0.1");
	}
	if ((ia = g_inet_address_new_from_string(host)) == NULL)
		goto bad;
	if (bracketed &&
	    g_inet_address_get_family(ia) != G_SOCKET_FAMILY_IPV6) {
		g_object_unref(ia);
		goto bad;
	}
	*out = g_inet_socket_address_new(ia, n);
	g_object_unref(ia);
	return TRUE;
bad:
	g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
	    "--%s: '%s' is not [ADDR:]PORT (a port 1-65535 after an optional "
	    "IP address: 8080, 0.0.0.0:8080, [::1]:8080)", flag, value);
	return FALSE;
}

gboolean
status_check_addresses(const char *http, const char *log, GError **err)
{
	g_autoptr(GSocketAddress) a = NULL;
	g_autoptr(GSocketAddress) b = NULL;

	return (http == NULL || status_parse_address("http", http,
	    STATUS_HTTP_PORT, &a, err)) && (log == NULL ||
	    status_parse_address("log-port", log, STATUS_LOG_PORT, &b, err));
}

/* "ip:port" or "[ip6]:port" of a connection's peer. */
static void
peer_name(GSocketConnection *conn, char *buf, size_t len)
{
	GSocketAddress *sa;
	GInetAddress *ia;
	char *ip;

	g_strlcpy(buf, "?", len);
	sa = g_socket_connection_get_remote_address(conn, NULL);
	if (sa == NULL)
		return;
	if (G_IS_INET_SOCKET_ADDRESS(sa)) {
		ia = g_inet_socket_address_get_address(
		    G_INET_SOCKET_ADDRESS(sa));
		ip = g_inet_address_to_string(ia);
		snprintf(buf, len, g_inet_address_get_family(ia) ==
		    G_SOCKET_FAMILY_IPV6 ? "[%s]:%u" : "%s:%u", ip,
		    (unsigned)g_inet_socket_address_get_port(
		    G_INET_SOCKET_ADDRESS(sa)));
		g_free(ip);
	}
	g_object_unref(sa);
}

static GSocketService *
listen_on(const char *flag, const char *value, uint16_t default_port,
    GCallback incoming, struct status *st, GError **err)
{
	g_autoptr(GSocketAddress) sa = NULL;
	g_autoptr(GError) e = NULL;
	GSocketService *svc;

	if (!status_parse_address(flag, value, default_port, &sa, err))
		return NULL;
	svc = g_socket_service_new();
	if (!g_socket_listener_add_address(G_SOCKET_LISTENER(svc), sa,
	    G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, NULL, &e)) {
		g_set_error(err, e->domain, e->code, "--%s %s: %s", flag,
		    value, e->message);
		g_object_unref(svc);
		return NULL;
	}
	g_signal_connect(svc, "incoming", incoming, st);
	g_socket_service_start(svc);
	return svc;
}

static void
service_free(GSocketService *svc)
{
	if (svc == NULL)
		return;
	g_socket_service_stop(svc);
	g_socket_listener_close(G_SOCKET_LISTENER(svc));
	g_object_unref(svc);
}

static void
source_drop(GSource **src)
{
	if (*src == NULL)
		return;
	g_source_destroy(*src);
	g_source_unref(*src);
	*src = NULL;
}

/* ------------------------------------------------------------------ */
/* JSON                                                                 */

static void
json_opt(struct field_sink *j, const char *key, const char *v)
{
	if (v != NULL) {
		field_cstr(j, key, v);
	} else {
		j->ops->key(j, key, strlen(key));
		j->ops->null(j);
	}
}

/* Who a session is, in every event about it. */
static void
json_who(struct field_sink *j, const struct session *s)
{
	field_uint(j, "session", s->id);
	field_cstr(j, "client", s->client_name);
	field_cstr(j, "server", s->server_name);
}

static bool
reported(const struct session *s)
{
	return s->state != SESSION_NOT_RTMP;
}

static void
api_sessions(struct status *st, struct dump_out *o)
{
	GPtrArray *all = session_table_sessions(st->src.sessions);
	struct json_sink js;
	struct field_sink *j = &js.sink;
	guint i;

	json_sink_init(&js, o);
	j->ops->begin(j, false);
	field_cstr(j, "mode", st->mode);
	j->ops->key(j, "sessions", 8);
	j->ops->begin(j, true);
	for (i = 0; i < all->len; i++)
		if (reported(g_ptr_array_index(all, i)))
			report_session_json(j, g_ptr_array_index(all, i));
	j->ops->end(j, true);
	j->ops->end(j, false);
	dump_out_str(o, "\n");
}

/* One session by its number; false when there is none. */
static bool
api_session(struct status *st, const char *id, struct dump_out *o)
{
	GPtrArray *all = session_table_sessions(st->src.sessions);
	const struct session *s;
	struct json_sink js;
	uint64_t n;
	guint i;

	if (id[0] == '\0' || strspn(id, "0123456789") != strlen(id) ||
	    !g_ascii_string_to_unsigned(id, 10, 0, G_MAXUINT64, &n, NULL))
		return false;
	for (i = 0; i < all->len; i++) {
		s = g_ptr_array_index(all, i);
		if (s->id != n || !reported(s))
			continue;
		json_sink_init(&js, o);
		report_session_json(&js.sink, s);
		dump_out_str(o, "\n");
		return true;
	}
	return false;
}

static const char *
check_name(enum backend_check check)
{
	size_t i;

	for (i = 0; check_names[i].name != NULL; i++)
		if (check_names[i].check == check)
			return check_names[i].name;
	return "?";
}

static void
api_backends(struct status *st, struct dump_out *o)
{
	const struct backend *b;
	struct json_sink js;
	struct field_sink *j = &js.sink;
	GPtrArray *all;
	guint i;

	json_sink_init(&js, o);
	j->ops->begin(j, false);
	field_cstr(j, "mode", st->mode);
	j->ops->key(j, "backends", 8);
	j->ops->begin(j, true);
	all = st->src.backends != NULL ?
	    backend_pool_list(st->src.backends) : NULL;
	for (i = 0; all != NULL && i < all->len; i++) {
		b = g_ptr_array_index(all, i);
		j->ops->begin(j, false);
		field_cstr(j, "name", b->cfg.name);
		field_cstr(j, "host", b->cfg.host);
		field_uint(j, "port", b->cfg.port);
		field_cstr(j, "state", backend_state_name(b->state));
		field_number(j, "state_since", b->state_since);
		field_bool(j, "held_down", b->held_down);
		field_sint(j, "priority", b->cfg.priority);
		field_uint(j, "weight", b->cfg.weight);
		field_cstr(j, "check", check_name(b->cfg.check));
		field_number(j, "last_check", b->last_check);
		field_number(j, "check_ms", round3(b->check_ms));
		json_opt(j, "last_error", b->last_error);
		field_uint(j, "checks_ok", b->checks_ok);
		field_uint(j, "checks_failed", b->checks_failed);
		field_uint(j, "sessions", b->sessions);
		field_uint(j, "sessions_total", b->sessions_total);
		field_uint(j, "bytes_to", b->bytes_to);
		field_uint(j, "bytes_from", b->bytes_from);
		j->ops->end(j, false);
	}
	j->ops->end(j, true);
	j->ops->end(j, false);
	dump_out_str(o, "\n");
}

/* An entry of /api/events: a session's problem or a backend's change. */
struct event_ref {
	double					 at;
	guint					 seq;
	const struct session			*s;
	const struct session_problem		*p;
	const struct status_backend_event	*b;
	const struct session_redirect		*r;
};

/* Newest first; of two at the same time, the one recorded later. */
static gint
event_newer_first(gconstpointer a, gconstpointer b)
{
	const struct event_ref *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? 1 : -1;
	return x->seq < y->seq ? 1 : x->seq > y->seq ? -1 : 0;
}

/* The keys of a ring event after its event and time. */
static void
json_ring_event(struct field_sink *j, const struct status_backend_event *e)
{
	if (e->what != NULL) {
		field_cstr(j, "what", e->what);
		field_cstr(j, "client", e->client);
		json_opt(j, "backend", e->backend);
		if (e->session != 0)
			field_uint(j, "session", e->session);
		field_cstr(j, "detail", e->error);
		return;
	}
	field_cstr(j, "backend", e->backend);
	field_cstr(j, "from", backend_state_name(e->from));
	field_cstr(j, "to", backend_state_name(e->to));
	json_opt(j, "error", e->error);
}

static void
api_events(struct status *st, struct dump_out *o)
{
	GPtrArray *all = session_table_sessions(st->src.sessions);
	GArray *refs = g_array_new(FALSE, TRUE, sizeof(struct event_ref));
	const struct status_backend_event *be;
	const struct session *s;
	struct event_ref r;
	struct json_sink js;
	struct field_sink *j = &js.sink;
	guint i, k;

	memset(&r, 0, sizeof(r));
	for (i = 0; i < all->len; i++) {
		s = g_ptr_array_index(all, i);
		if (!reported(s))
			continue;
		r.s = s;
		for (k = 0; k < s->problems->len; k++, r.seq++) {
			r.p = &g_array_index(s->problems,
			    struct session_problem, k);
			r.at = r.p->at;
			g_array_append_val(refs, r);
		}
		r.p = NULL;
		for (k = 0; s->redirects != NULL && k < s->redirects->len;
		    k++, r.seq++) {
			r.r = &g_array_index(s->redirects,
			    struct session_redirect, k);
			r.at = r.r->at;
			g_array_append_val(refs, r);
		}
		r.r = NULL;
	}
	r.s = NULL;
	for (i = 0; i < st->ring_len; i++) {
		r.b = &st->ring[(st->ring_next + STATUS_EVENTS_MAX -
		    st->ring_len + i) % STATUS_EVENTS_MAX];
		r.at = r.b->at;
		g_array_append_val(refs, r);
		r.seq++;
	}
	g_array_sort(refs, event_newer_first);

	json_sink_init(&js, o);
	j->ops->begin(j, false);
	field_cstr(j, "mode", st->mode);
	j->ops->key(j, "events", 6);
	j->ops->begin(j, true);
	for (i = 0; i < refs->len; i++) {
		r = g_array_index(refs, struct event_ref, i);
		j->ops->begin(j, false);
		if (r.p != NULL) {
			field_cstr(j, "event", "problem");
			field_number(j, "at", r.p->at);
			json_who(j, r.s);
			field_cstr(j, "kind", r.p->kind);
			field_number(j, "duration_ms", round3(r.p->duration_ms));
			field_cstr(j, "detail", r.p->detail);
			field_cstr(j, "dir", rtmp_dir_name(r.p->dir));
		} else if (r.r != NULL) {
			field_cstr(j, "event", "redirect");
			json_who(j, r.s);
			report_redirect_fields(j, r.r);
		} else {
			be = r.b;
			field_cstr(j, "event", be->what != NULL ? "proxy" :
			    "backend");
			field_number(j, "at", be->at);
			json_ring_event(j, be);
		}
		j->ops->end(j, false);
	}
	j->ops->end(j, true);
	j->ops->end(j, false);
	dump_out_str(o, "\n");
	g_array_free(refs, TRUE);
}

/* ------------------------------------------------------------------ */
/* HTTP                                                                 */

static void	http_watch(struct http_client *, GIOCondition, guint);

static void
http_close(struct http_client *c)
{
	g_ptr_array_remove_fast(c->st->clients, c);
	source_drop(&c->io);
	if (c->timer != 0)
		g_source_remove(c->timer);
	g_io_stream_close(G_IO_STREAM(c->conn), NULL, NULL);
	g_object_unref(c->conn);
	g_free(c->out.buf);
	g_free(c);
}

static const char *
http_reason(int code)
{
	size_t i;

	for (i = 0; http_reasons[i].reason != NULL; i++)
		if (http_reasons[i].code == code)
			return http_reasons[i].reason;
	return "Error";
}

/* The answer goes out as the socket takes it. */
static void
http_reply(struct http_client *c, int code, const char *type,
    const struct dump_out *body, bool head_only, const char *extra)
{
	dump_out_printf(&c->out, "HTTP/1.1 %d %s\r\n"
	    "Server: rtmpscope/%s\r\n"
	    "Content-Type: %s\r\n"
	    "Content-Length: %" G_GSIZE_FORMAT "\r\n"
	    "Cache-Control: no-store\r\n"
	    "Connection: close\r\n"
	    "%s\r\n", code, http_reason(code), PACKAGE_VERSION, type,
	    body->len, extra != NULL ? extra : "");
	if (!head_only && body->len > 0)
		dump_out_bytes(&c->out, body->buf, body->len);
	c->phase = HTTP_SEND;
	http_watch(c, G_IO_OUT, HTTP_SEND_TIMEOUT_MS);
}

static void
http_error(struct http_client *c, int code, bool head_only,
    const char *extra)
{
	struct dump_out body;

	memset(&body, 0, sizeof(body));
	dump_out_printf(&body, "{\"error\":\"%s\",\"status\":%d}\n",
	    http_reason(code), code);
	http_reply(c, code, "application/json", &body, head_only, extra);
	g_free(body.buf);
}

/*
 * POST /api/sessions/ID/redirect: 202 when the move has begun (its
 * outcome comes as an event), 404 for no such session, 409 when it
 * cannot move now, 405 for any other POST.
 */
static void
http_post(struct http_client *c, const char *path)
{
	struct status *st = c->st;
	struct dump_out body;
	struct json_sink js;
	const char *why = NULL, *id_end;
	uint64_t id;
	char *end;

	if (!g_str_has_prefix(path, "/api/sessions/") ||
	    (id_end = strchr(path + strlen("/api/sessions/"), '/')) == NULL ||
	    strcmp(id_end, "/redirect") != 0 || st->src.redirect == NULL) {
		http_error(c, 405, false, "Allow: GET, HEAD\r\n");
		return;
	}
	id = g_ascii_strtoull(path + strlen("/api/sessions/"), &end, 10);
	if (end != id_end || end == path + strlen("/api/sessions/")) {
		http_error(c, 404, false, NULL);
		return;
	}
	memset(&body, 0, sizeof(body));
	json_sink_init(&js, &body);
	js.sink.ops->begin(&js.sink, false);
	if (st->src.redirect(st->src.redirect_ctx, id, &why)) {
		field_uint(&js.sink, "id", id);
		field_cstr(&js.sink, "redirect", "started");
		js.sink.ops->end(&js.sink, false);
		dump_out_str(&body, "\n");
		http_reply(c, 202, "application/json", &body, false, NULL);
	} else {
		field_uint(&js.sink, "id", id);
		field_cstr(&js.sink, "error", why);
		js.sink.ops->end(&js.sink, false);
		dump_out_str(&body, "\n");
		http_reply(c, strstr(why, "no such") != NULL ? 404 : 409,
		    "application/json", &body, false, NULL);
	}
	g_free(body.buf);
}

static void
http_answer(struct http_client *c, size_t len)
{
	struct status *st = c->st;
	g_autofree char *head = NULL;
	char *method, *target, *path, *q, root[] = "/";
	struct dump_out body;
	const char *type = "application/json";
	bool head_only;
	int code;

	if (memchr(c->head, '\0', len) != NULL) {
		http_error(c, 400, false, NULL);
		return;
	}
	head = g_strndup(c->head, len);
	if ((code = http_request_parse(head, &method, &target)) != 0) {
		http_error(c, code, false, NULL);
		return;
	}
	head_only = strcmp(method, "HEAD") == 0;
	if (strcmp(method, "POST") == 0) {
		http_post(c, target);
		return;
	}
	if (!head_only && strcmp(method, "GET") != 0) {
		http_error(c, 405, false, "Allow: GET, HEAD\r\n");
		return;
	}
	/* The absolute form names the path after the authority. */
	path = target;
	if (g_ascii_strncasecmp(target, "http://", 7) == 0 &&
	    (path = strchr(target + 7, '/')) == NULL)
		path = root;
	if ((q = strchr(path, '?')) != NULL)
		*q = '\0';

	memset(&body, 0, sizeof(body));
	code = 200;
	if (strcmp(path, "/api/sessions") == 0)
		api_sessions(st, &body);
	else if (g_str_has_prefix(path, "/api/sessions/")) {
		if (!api_session(st, path + strlen("/api/sessions/"), &body))
			code = 404;
	} else if (strcmp(path, "/api/backends") == 0)
		api_backends(st, &body);
	else if (strcmp(path, "/api/events") == 0)
		api_events(st, &body);
	else if (strcmp(path, "/metrics") == 0) {
		status_metrics_write(&body, &st->src, &st->counts);
		type = "text/plain; version=0.0.4; charset=utf-8";
	} else if (strcmp(path, "/") == 0) {
		dump_out_str(&body, "rtmpscope status: /api/sessions "
		    "/api/sessions/ID /api/backends /api/events /metrics\n");
		type = "text/plain; charset=utf-8";
	} else
		code = 404;
	if (code == 200)
		http_reply(c, 200, type, &body, head_only, NULL);
	else
		http_error(c, code, head_only, NULL);
	g_free(body.buf);
}

static void
http_read(struct http_client *c)
{
	g_autoptr(GError) err = NULL;
	gssize n;
	size_t len;

	n = g_socket_receive(c->sock, c->head + c->len,
	    sizeof(c->head) - c->len, NULL, &err);
	if (n < 0 && would_block(err))
		return;
	if (n <= 0) {
		http_close(c);	/* gone before asking */
		return;
	}
	c->len += (size_t)n;
	if ((len = http_request_head_length(c->head, c->len)) > 0)
		http_answer(c, len);
	else if (c->len == sizeof(c->head))
		http_error(c, 431, false, NULL);
}

static void
http_send(struct http_client *c)
{
	g_autoptr(GError) err = NULL;
	gssize n;

	while (c->sent < c->out.len) {
		n = g_socket_send(c->sock, c->out.buf + c->sent,
		    c->out.len - c->sent, NULL, &err);
		if (n < 0 && would_block(err))
			return;
		if (n < 0) {
			http_close(c);
			return;
		}
		c->sent += (size_t)n;
	}
	g_socket_shutdown(c->sock, FALSE, TRUE, NULL);
	c->phase = HTTP_LINGER;
	http_watch(c, G_IO_IN, HTTP_LINGER_MS);
}

static void
http_linger(struct http_client *c)
{
	g_autoptr(GError) err = NULL;
	char scratch[1024];
	gssize n;

	n = g_socket_receive(c->sock, scratch, sizeof(scratch), NULL, &err);
	if (n < 0 && would_block(err))
		return;
	if (n <= 0)
		http_close(c);
}

static gboolean
http_ready(GSocket *sock, GIOCondition cond, gpointer data)
{
	struct http_client *c = data;

	switch (c->phase) {
	case HTTP_READ:
		http_read(c);
		break;
	case HTTP_SEND:
		http_send(c);
		break;
	case HTTP_LINGER:
		http_linger(c);
		break;
	}
	/* A phase change or a close has replaced or destroyed the source. */
	return G_SOURCE_CONTINUE;
}

static gboolean
http_timeout(gpointer data)
{
	struct http_client *c = data;

	c->timer = 0;
	if (c->phase == HTTP_READ)
		http_error(c, 408, false, NULL);
	else
		http_close(c);
	return G_SOURCE_REMOVE;
}

/* Waits for cond on the socket, for at most timeout_ms. */
static void
http_watch(struct http_client *c, GIOCondition cond, guint timeout_ms)
{
	source_drop(&c->io);
	c->io = g_socket_create_source(c->sock, cond | G_IO_HUP | G_IO_ERR,
	    NULL);
	g_source_set_callback(c->io, G_SOURCE_FUNC(http_ready), c, NULL);
	g_source_attach(c->io, NULL);
	if (c->timer != 0)
		g_source_remove(c->timer);
	c->timer = g_timeout_add(timeout_ms, http_timeout, c);
}

static gboolean
http_incoming(GSocketService *svc, GSocketConnection *conn,
    GObject *source, gpointer data)
{
	struct status *st = data;
	struct http_client *c;

	/* Over the limit the connection is closed as it is let go. */
	if (st->clients->len >= HTTP_MAX_CLIENTS)
		return TRUE;
	c = g_new0(struct http_client, 1);
	c->st = st;
	c->conn = g_object_ref(conn);
	c->sock = g_socket_connection_get_socket(conn);
	g_socket_set_blocking(c->sock, FALSE);
	c->phase = HTTP_READ;
	g_ptr_array_add(st->clients, c);
	http_watch(c, G_IO_IN, HTTP_HEAD_TIMEOUT_MS);
	return TRUE;
}

/* ------------------------------------------------------------------ */
/* The event log                                                        */

static void
log_reader_close(struct log_reader *r)
{
	g_ptr_array_remove_fast(r->st->readers, r);
	source_drop(&r->in);
	source_drop(&r->out);
	g_io_stream_close(G_IO_STREAM(r->conn), NULL, NULL);
	g_object_unref(r->conn);
	g_byte_array_free(r->held, TRUE);
	g_free(r);
}

/* Sends what is held; false when the reader has gone (and is freed). */
static bool
log_reader_flush(struct log_reader *r)
{
	g_autoptr(GError) err = NULL;
	gssize n;

	while (r->held->len > 0) {
		n = g_socket_send(r->sock, (const char *)r->held->data,
		    r->held->len, NULL, &err);
		if (n < 0 && would_block(err))
			return true;
		if (n < 0) {
			log_reader_close(r);
			return false;
		}
		g_byte_array_remove_range(r->held, 0, (guint)n);
	}
	return true;
}

static gboolean
log_reader_writable(GSocket *sock, GIOCondition cond, gpointer data)
{
	struct log_reader *r = data;

	if (log_reader_flush(r) && r->held->len == 0)
		source_drop(&r->out);
	return G_SOURCE_CONTINUE;
}

/* What a reader sends is read and ignored; a half-close is not a leave. */
static gboolean
log_reader_readable(GSocket *sock, GIOCondition cond, gpointer data)
{
	g_autoptr(GError) err = NULL;
	struct log_reader *r = data;
	char scratch[512];
	gssize n;

	n = g_socket_receive(r->sock, scratch, sizeof(scratch), NULL, &err);
	if (n < 0 && would_block(err))
		return G_SOURCE_CONTINUE;
	if (n < 0 || (cond & (G_IO_HUP | G_IO_ERR)) != 0)
		log_reader_close(r);
	else if (n == 0)
		source_drop(&r->in);
	return G_SOURCE_CONTINUE;
}

static void
log_reader_send(struct log_reader *r, const char *p, size_t n)
{
	g_autoptr(GError) err = NULL;
	gssize sent;

	if (r->held->len == 0) {
		sent = g_socket_send(r->sock, p, n, NULL, &err);
		if (sent < 0 && !would_block(err)) {
			log_reader_close(r);
			return;
		}
		if (sent > 0) {
			p += sent;
			n -= (size_t)sent;
		}
		if (n == 0)
			return;
	}
	if (n > LOG_READER_HELD - r->held->len) {
		fprintf(stderr, "rtmpscope: --log-port: dropped reader %s: "
		    "it fell %u KiB behind\n", r->name, LOG_READER_HELD / 1024);
		log_reader_close(r);
		return;
	}
	g_byte_array_append(r->held, (const guint8 *)p, (guint)n);
	if (r->out == NULL) {
		r->out = g_socket_create_source(r->sock,
		    G_IO_OUT | G_IO_HUP | G_IO_ERR, NULL);
		g_source_set_callback(r->out,
		    G_SOURCE_FUNC(log_reader_writable), r, NULL);
		g_source_attach(r->out, NULL);
	}
}

/* The event being made, for every reader. */
static void
log_line_begin(struct status *st, struct json_sink *js, const char *event,
    double t)
{
	st->line.len = 0;
	json_sink_init(js, &st->line);
	js->sink.ops->begin(&js->sink, false);
	field_cstr(&js->sink, "event", event);
	field_number(&js->sink, "t", t);
}

static void
log_line_end(struct status *st, struct json_sink *js)
{
	guint i;

	js->sink.ops->end(&js->sink, false);
	dump_out_str(&st->line, "\n");
	/* Backwards: a reader dropped takes the last one's place. */
	for (i = st->readers->len; i-- > 0;)
		log_reader_send(g_ptr_array_index(st->readers, i),
		    st->line.buf, st->line.len);
}

static gboolean
log_incoming(GSocketService *svc, GSocketConnection *conn,
    GObject *source, gpointer data)
{
	struct status *st = data;
	struct log_reader *r;
	struct json_sink js;
	char name[ENDPOINT_STRLEN];

	if (st->readers->len >= LOG_MAX_READERS) {
		peer_name(conn, name, sizeof(name));
		fprintf(stderr, "rtmpscope: --log-port: refused reader %s: "
		    "%d readers already\n", name, LOG_MAX_READERS);
		return TRUE;
	}
	r = g_new0(struct log_reader, 1);
	r->st = st;
	r->conn = g_object_ref(conn);
	r->sock = g_socket_connection_get_socket(conn);
	g_socket_set_blocking(r->sock, FALSE);
	/* Else the kernel would hold megabytes before a reader is behind. */
	(void)g_socket_set_option(r->sock, SOL_SOCKET, SO_SNDBUF,
	    LOG_READER_SNDBUF, NULL);
	r->held = g_byte_array_new();
	peer_name(conn, r->name, sizeof(r->name));
	r->in = g_socket_create_source(r->sock, G_IO_IN | G_IO_HUP | G_IO_ERR,
	    NULL);
	g_source_set_callback(r->in, G_SOURCE_FUNC(log_reader_readable), r,
	    NULL);
	g_source_attach(r->in, NULL);

	/* A first line, to this reader only: it is connected, and to what. */
	st->line.len = 0;
	json_sink_init(&js, &st->line);
	js.sink.ops->begin(&js.sink, false);
	field_cstr(&js.sink, "event", "hello");
	field_number(&js.sink, "t", wall_now());
	field_cstr(&js.sink, "mode", st->mode);
	field_cstr(&js.sink, "version", PACKAGE_VERSION);
	field_uint(&js.sink, "sessions_open",
	    g_hash_table_size(st->counts.open));
	js.sink.ops->end(&js.sink, false);
	dump_out_str(&st->line, "\n");
	g_ptr_array_add(st->readers, r);
	log_reader_send(r, st->line.buf, st->line.len);
	return TRUE;
}

/* ------------------------------------------------------------------ */
/* Events                                                               */

/* The first handshake step or message of a session starts it. */
static struct status_seen *
status_saw(struct status *st, const struct session *s)
{
	struct status_seen *seen = st->last_seen;
	struct json_sink js;

	if (seen != NULL && seen->id == s->id)
		return seen;
	seen = g_hash_table_lookup(st->counts.open, &s->id);
	if (seen == NULL) {
		seen = g_new0(struct status_seen, 1);
		seen->id = s->id;
		g_hash_table_insert(st->counts.open, &seen->id, seen);
		st->counts.sessions_total++;
		if (st->readers->len > 0) {
			log_line_begin(st, &js, "session_start", s->now);
			json_who(&js.sink, s);
			field_number(&js.sink, "start", s->start);
			field_bool(&js.sink, "joined", s->joined);
			log_line_end(st, &js);
		}
	}
	st->last_seen = seen;
	return seen;
}

static void
on_handshake(void *ctx, const struct session *s, enum rtmp_dir dir,
    const struct handshake_step *step)
{
	status_saw(ctx, s);
}

/* A session's stream is known (publish or play): say what it is. */
static void
on_message(void *ctx, const struct session *s, enum rtmp_dir dir,
    const struct rtmp_message *m, const struct field_record *f,
    enum msg_status status)
{
	struct status *st = ctx;
	struct status_seen *seen = status_saw(st, s);
	const struct session_stream *ms;
	struct json_sink js;

	if (seen->stream_told || (m->type != RTMP_COMMAND_AMF0 &&
	    m->type != RTMP_COMMAND_AMF3))
		return;
	if ((ms = session_main_stream(s)) == NULL)
		return;
	seen->stream_told = true;
	if (st->readers->len == 0)
		return;
	log_line_begin(st, &js, "session_stream", s->now);
	json_who(&js.sink, s);
	field_cstr(&js.sink, "role", session_role_name(ms->role));
	json_opt(&js.sink, "app", s->app);
	json_opt(&js.sink, "stream", ms->name);
	log_line_end(st, &js);
}

static void
on_problem(void *ctx, const struct session *s, enum rtmp_dir dir,
    const char *kind, const char *detail)
{
	struct status *st = ctx;
	struct status_problem_count pc, *c;
	const struct session_problem *last = NULL;
	struct json_sink js;
	guint i;

	for (i = 0; i < st->counts.problems->len; i++) {
		c = &g_array_index(st->counts.problems,
		    struct status_problem_count, i);
		if (strcmp(c->kind, kind) == 0)
			break;
	}
	if (i == st->counts.problems->len) {
		pc.kind = g_strdup(kind);
		pc.n = 0;
		g_array_append_val(st->counts.problems, pc);
	}
	g_array_index(st->counts.problems, struct status_problem_count, i).n++;
	if (st->readers->len == 0)
		return;
	/* The problem just recorded has its time (a timeout's is earlier). */
	if (s->problems->len > 0)
		last = &g_array_index(s->problems, struct session_problem,
		    s->problems->len - 1);
	log_line_begin(st, &js, "problem",
	    last != NULL && last->detail == detail ? last->at : s->now);
	json_who(&js.sink, s);
	field_cstr(&js.sink, "kind", kind);
	field_cstr(&js.sink, "detail", detail);
	field_cstr(&js.sink, "dir", rtmp_dir_name(dir));
	log_line_end(st, &js);
}

static void
on_redirected(void *ctx, const struct session *s,
    const struct session_redirect *r)
{
	struct status *st = ctx;
	struct json_sink js;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(status_redirect_outcomes); i++)
		if (strcmp(r->outcome, status_redirect_outcomes[i]) == 0)
			st->counts.redirects[i]++;
	if (st->readers->len == 0)
		return;
	log_line_begin(st, &js, "redirect", r->at);
	json_who(&js.sink, s);
	report_redirect_fields(&js.sink, r);
	log_line_end(st, &js);
}

static void
on_ended(void *ctx, const struct session *s)
{
	struct status *st = ctx;
	const struct session_stream *ms;
	struct status_seen *seen;
	struct json_sink js;

	seen = g_hash_table_lookup(st->counts.open, &s->id);
	if (seen == NULL)
		return;		/* never started: not counted */
	if (st->last_seen == seen)
		st->last_seen = NULL;
	g_hash_table_remove(st->counts.open, &s->id);
	st->counts.ended_bytes[DIR_C2S] += s->dirs[DIR_C2S].bytes;
	st->counts.ended_bytes[DIR_S2C] += s->dirs[DIR_S2C].bytes;
	if (st->readers->len == 0)
		return;
	ms = session_main_stream(s);
	log_line_begin(st, &js, "session_end", s->end);
	json_who(&js.sink, s);
	field_cstr(&js.sink, "how", session_end_name(s->how));
	field_cstr(&js.sink, "role", session_role_name(ms != NULL ?
	    ms->role : ROLE_NONE));
	json_opt(&js.sink, "app", s->app);
	json_opt(&js.sink, "stream", ms != NULL ? ms->name : NULL);
	field_number(&js.sink, "duration", round3(s->end - s->start));
	field_uint(&js.sink, "bytes_c2s", s->dirs[DIR_C2S].bytes);
	field_uint(&js.sink, "bytes_s2c", s->dirs[DIR_S2C].bytes);
	field_uint(&js.sink, "messages", s->dirs[DIR_C2S].messages +
	    s->dirs[DIR_S2C].messages);
	field_uint(&js.sink, "problems", s->problems->len);
	field_cstr(&js.sink, "health", health_name(session_health(s)));
	log_line_end(st, &js);
}

/* The next slot of the ring of events, the oldest let go. */
static struct status_backend_event *
ring_push(struct status *st)
{
	struct status_backend_event *e = &st->ring[st->ring_next];

	if (st->ring_len == STATUS_EVENTS_MAX) {
		g_free(e->backend);
		g_free(e->error);
		g_free(e->client);
	} else
		st->ring_len++;
	st->ring_next = (st->ring_next + 1) % STATUS_EVENTS_MAX;
	memset(e, 0, sizeof(*e));
	return e;
}

static void
ring_log(struct status *st, const struct status_backend_event *e)
{
	struct json_sink js;

	if (st->readers->len == 0)
		return;
	log_line_begin(st, &js, e->what != NULL ? "proxy" : "backend", e->at);
	json_ring_event(&js.sink, e);
	log_line_end(st, &js);
}

static void
on_backend(void *ctx, const struct backend *b, enum backend_state old)
{
	struct status *st = ctx;
	struct status_backend_event *e = ring_push(st);

	e->at = wall_now();
	e->backend = g_strdup(b->cfg.name);
	e->from = old;
	e->to = b->state;
	e->error = g_strdup(b->last_error);
	ring_log(st, e);
}

/* The proxy refused or closed a connection on its own. */
static void
on_proxy(void *ctx, const struct proxy_event *pe)
{
	struct status *st = ctx;
	struct status_backend_event *e = ring_push(st);

	e->at = pe->at;
	e->what = pe->what;
	e->client = g_strdup(pe->client);
	e->backend = g_strdup(pe->backend);
	e->session = pe->session;
	e->error = g_strdup(pe->detail);
	ring_log(st, e);
}

/* ------------------------------------------------------------------ */

struct status *
status_new(const struct status_sources *src, const char *http,
    const char *log, GError **err)
{
	struct session_observer obs;
	struct status_problem_count pc;
	struct status *st;
	size_t i;

	st = g_new0(struct status, 1);
	st->src = *src;
	st->mode = g_strdup(src->mode != NULL ? src->mode : "live");
	st->src.mode = st->mode;
	st->clients = g_ptr_array_new();
	st->readers = g_ptr_array_new();
	st->counts.open = g_hash_table_new_full(g_int64_hash, g_int64_equal,
	    NULL, g_free);
	st->counts.problems = g_array_new(FALSE, TRUE,
	    sizeof(struct status_problem_count));
	for (i = 0; i < G_N_ELEMENTS(problem_kinds); i++) {
		pc.kind = g_strdup(problem_kinds[i]);
		pc.n = 0;
		g_array_append_val(st->counts.problems, pc);
	}
	if ((http != NULL && (st->http = listen_on("http", http,
	    STATUS_HTTP_PORT, G_CALLBACK(http_incoming), st, err)) == NULL) ||
	    (log != NULL && (st->log = listen_on("log-port", log,
	    STATUS_LOG_PORT, G_CALLBACK(log_incoming), st, err)) == NULL)) {
		status_free(st);
		return NULL;
	}
	/* Registered last: a status that failed leaves no observer behind. */
	memset(&obs, 0, sizeof(obs));
	obs.handshake = on_handshake;
	obs.message = on_message;
	obs.problem = on_problem;
	obs.ended = on_ended;
	obs.redirected = on_redirected;
	obs.ctx = st;
	session_table_observe(src->sessions, &obs);
	if (src->backends != NULL)
		backend_pool_watch(src->backends, on_backend, st);
	if (src->proxy != NULL)
		proxy_watch(src->proxy, on_proxy, st);
	return st;
}

void
status_free(struct status *st)
{
	struct log_reader *r;
	size_t i;

	if (st == NULL)
		return;
	service_free(st->http);
	service_free(st->log);
	while (st->clients->len > 0)
		http_close(g_ptr_array_index(st->clients, 0));
	/* Readers get what is held if they can take it now (the ends). */
	while (st->readers->len > 0) {
		r = g_ptr_array_index(st->readers, 0);
		if (log_reader_flush(r))
			log_reader_close(r);
	}
	g_ptr_array_free(st->clients, TRUE);
	g_ptr_array_free(st->readers, TRUE);
	g_hash_table_destroy(st->counts.open);
	for (i = 0; i < st->counts.problems->len; i++)
		g_free(g_array_index(st->counts.problems,
		    struct status_problem_count, i).kind);
	g_array_free(st->counts.problems, TRUE);
	for (i = 0; i < STATUS_EVENTS_MAX; i++) {
		g_free(st->ring[i].backend);
		g_free(st->ring[i].error);
		g_free(st->ring[i].client);
	}
	g_free(st->line.buf);
	g_free(st->mode);
	g_free(st);
}
