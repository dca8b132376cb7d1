/*
 * The backend pool of proxy mode (backends.h): the backends, their state,
 * their checks and the choice of a backend for a new session.
 *
 * A check is one small state machine on the main loop (struct
 * backend_probe): connect, then by its kind the handshake and a connect
 * command, each step an async GIO call, the whole under one timeout.  A
 * probe that is finished (by its result, its timeout, a reload or the
 * pool's end) is detached from its backend at once; it frees itself when
 * its last async call comes back (cancelled), since GIO always calls back.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

#include "amf.h"
#include "backends.h"
#include "chunk.h"
#include "cursor.h"
#include "handshake.h"
#include "message.h"

#define BACKEND_DEFAULT_PORT		1935
#define BACKEND_HOLD_DOWN_MS		10000U
/* Passive marks in a row that hold a backend down. */
#define BACKEND_MARKS_HOLD		2U
/* Read size while waiting for the answer to connect. */
#define BACKEND_PROBE_READ		4096U
#define BACKEND_CHUNK_OUT		128U	/* the default chunk size */
#define BACKEND_FLASH_VER		"FMLE/3.0 (rtmpscope)"

struct backend_probe;

struct backend_node {
	struct backend		 b;		/* first: the public part */
	struct backend_pool	*pool;
	size_t			 seq;		/* order given */
	bool			 checked;	/* a check has finished */
	bool			 seen;		/* during backend_pool_set() */
	unsigned		 marks_in_row;	/* passive marks, no success */
	int64_t			 rr_current;	/* weighted round robin */
	guint			 check_timer;
	guint			 down_timer;	/* hold-down or passive retry */
	struct backend_probe	*probe;
};

struct backend_watcher {
	backend_state_fn	 fn;
	void			*ctx;
};

struct backend_pool {
	enum balance		 balance;
	unsigned		 hold_down_ms;
	GPtrArray		*nodes;		/* by priority, then seq */
	GArray			*watchers;	/* struct backend_watcher */
	GPtrArray		*retired;	/* freed on idle */
	guint			 retire_idle;
};

enum backend_probe_step {
	PROBE_CONNECTING,
	PROBE_SENDING_C0C1,
	PROBE_READING_S0S1S2,
	PROBE_SENDING_C2,
	PROBE_READING_REPLY,
};

struct backend_probe {
	struct backend_node	*node;		/* NULL once finished */
	enum backend_check	 kind;
	enum backend_probe_step	 step;
	unsigned		 timeout_ms;
	GCancellable		*cancel;
	GSocketClient		*client;
	GSocketConnection	*conn;
	guint			 timer;
	gint64			 started;	/* monotonic, us */
	bool			 pending;	/* an async call is out */
	GByteArray		*out;
	uint8_t			 in[HANDSHAKE_LEN];
	size_t			 in_len;
	bool			 demux_on;
	struct chunk_demux	 demux;
	int			 verdict;	/* 1 _result, -1 _error */
	char			*error_code;
};

static void	backend_check_schedule(struct backend_node *, unsigned ms);
static void	backend_probe_finish(struct backend_probe *, bool ok,
		    const char *error);

static const char *const backend_state_names[] = {
	[BACKEND_UP] = "up",
	[BACKEND_DOWN] = "down",
	[BACKEND_DRAINING] = "draining",
};

static const char *const backend_check_names[] = {
	[CHECK_NONE] = "none",
	[CHECK_TCP] = "tcp",
	[CHECK_HANDSHAKE] = "handshake",
	[CHECK_CONNECT] = "connect",
};

static const char *const balance_names[] = {
	[BALANCE_PRIORITY] = "priority",
	[BALANCE_ROUND_ROBIN] = "round-robin",
	[BALANCE_LEAST_SESSIONS] = "least-sessions",
};

static struct backend_node *
backend_node_of(const struct backend *b)
{
	return (struct backend_node *)(void *)b;
}

static double
backend_now(void)
{
	return (double)g_get_real_time() / 1e6;
}

const char *
backend_state_name(enum backend_state s)
{
	if ((size_t)s >= G_N_ELEMENTS(backend_state_names))
		return "unknown";
	return backend_state_names[s];
}

const char *
backend_check_name(enum backend_check c)
{
	if ((size_t)c >= G_N_ELEMENTS(backend_check_names))
		return "unknown";
	return backend_check_names[c];
}

const char *
balance_name(enum balance b)
{
	if ((size_t)b >= G_N_ELEMENTS(balance_names))
		return "unknown";
	return balance_names[b];
}

bool
backend_check_parse(const char *s, enum backend_check *out)
{
	size_t i;

	for (i = 0; s != NULL && i < G_N_ELEMENTS(backend_check_names); i++)
		if (strcmp(s, backend_check_names[i]) == 0) {
			*out = (enum backend_check)i;
			return true;
		}
	return false;
}

bool
balance_parse(const char *s, enum balance *out)
{
	size_t i;

	for (i = 0; s != NULL && i < G_N_ELEMENTS(balance_names); i++)
		if (strcmp(s, balance_names[i]) == 0) {
			*out = (enum balance)i;
			return true;
		}
	return false;
}

void
backend_config_defaults(struct backend_config *c)
{
	memset(c, 0, sizeof(*c));
	c->port = BACKEND_DEFAULT_PORT;
	c->priority = 0;
	c->weight = 1;
	c->check = CHECK_HANDSHAKE;
	c->interval_ms = 2000;
	c->timeout_ms = 1000;
	c->rise = 2;
	c->fall = 3;
}

void
backend_config_clear(struct backend_config *c)
{
	g_free(c->name);
	g_free(c->host);
	g_free(c->check_app);
	c->name = c->host = c->check_app = NULL;
}

void
backend_config_copy(struct backend_config *dst,
    const struct backend_config *src)
{
	*dst = *src;
	dst->name = g_strdup(src->name);
	dst->host = g_strdup(src->host);
	dst->check_app = g_strdup(src->check_app);
}

bool
backend_address_parse(const char *s, char **host, uint16_t *port)
{
	const char *colon, *close, *p;
	unsigned long n;
	char *end;

	if (s == NULL)
		return false;
	if (*s == '[') {
		/* [V6]:PORT */
		if ((close = strchr(s, ']')) == NULL || close == s + 1 ||
		    close[1] != ':')
			return false;
		for (p = s + 1; p < close; p++)
			if (!g_ascii_isxdigit(*p) && *p != ':' && *p != '.')
				return false;
		colon = close + 1;
	} else {
		if ((colon = strrchr(s, ':')) == NULL || colon == s ||
		    memchr(s, ':', (size_t)(colon - s)) != NULL)
			return false;
		for (p = s; p < colon; p++)
			if (!g_ascii_isalnum(*p) && *p != '.' && *p != '-' &&
			    *p != '_')
				return false;
		close = colon;
	}
	if (!g_ascii_isdigit(colon[1]))
		return false;
	n = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || n == 0 || n > 65535 || end - (colon + 1) > 5)
		return false;
	if (*s == '[')
		*host = g_strndup(s + 1, (size_t)(close - s - 1));
	else
		*host = g_strndup(s, (size_t)(colon - s));
	*port = (uint16_t)n;
	return true;
}

gboolean
backend_config_from_flag(const char *hostport, int priority,
    struct backend_config *c, GError **err)
{
	char *host;
	uint16_t port;

	if (!backend_address_parse(hostport, &host, &port)) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		    "--backend: '%s' is not an address (HOST:PORT)",
		    hostport != NULL ? hostport : "");
		return FALSE;
	}
	backend_config_defaults(c);
	c->name = g_strdup(hostport);
	c->host = host;
	c->port = port;
	c->priority = priority;
	return TRUE;
}

/* State. */

static void
backend_set_state(struct backend_node *n, enum backend_state state)
{
	struct backend_pool *pool = n->pool;
	struct backend_watcher *w;
	enum backend_state old = n->b.state;
	guint i;

	if (old == state)
		return;
	n->b.state = state;
	n->b.state_since = backend_now();
	n->rr_current = 0;
	for (i = 0; i < pool->watchers->len; i++) {
		w = &g_array_index(pool->watchers, struct backend_watcher, i);
		w->fn(w->ctx, &n->b, old);
	}
}

static void
backend_set_error(struct backend_node *n, const char *why)
{
	g_free(n->b.last_error);
	n->b.last_error = why != NULL ? g_strdup(why) : NULL;
}

/* The hold-down is over, or a passive-only backend may be tried again. */
static gboolean
backend_down_over(gpointer data)
{
	struct backend_node *n = data;

	n->down_timer = 0;
	n->b.held_down = false;
	if (n->b.state == BACKEND_DOWN && (n->b.cfg.check == CHECK_NONE ||
	    n->b.ok_in_row >= n->b.cfg.rise)) {
		/* Passive only: a fresh start, as when it was added. */
		n->b.failed_in_row = 0;
		backend_set_state(n, BACKEND_UP);
	}
	return G_SOURCE_REMOVE;
}

static void
backend_down_timer(struct backend_node *n, unsigned ms)
{
	if (n->down_timer != 0)
		g_source_remove(n->down_timer);
	n->down_timer = g_timeout_add(ms, backend_down_over, n);
}

/* Down, and a passive-only backend gets its retry. */
static void
backend_go_down(struct backend_node *n)
{
	backend_set_state(n, BACKEND_DOWN);
	if (n->b.cfg.check == CHECK_NONE && n->down_timer == 0)
		backend_down_timer(n, n->pool->hold_down_ms > 0 ?
		    n->pool->hold_down_ms : BACKEND_HOLD_DOWN_MS);
}

static void
backend_check_result(struct backend_node *n, bool ok, double ms,
    const char *error)
{
	struct backend *b = &n->b;
	bool first = !n->checked;

	n->checked = true;
	b->last_check = backend_now();
	if (ok) {
		b->checks_ok++;
		b->check_ms = ms;
		b->ok_in_row++;
		b->failed_in_row = 0;
		backend_set_error(n, NULL);
		if (b->state == BACKEND_DOWN && !b->held_down &&
		    b->ok_in_row >= b->cfg.rise)
			backend_set_state(n, BACKEND_UP);
	} else {
		b->checks_failed++;
		b->failed_in_row++;
		b->ok_in_row = 0;
		backend_set_error(n, error);
		/* Optimistic until the first check says otherwise. */
		if (b->state == BACKEND_UP &&
		    (first || b->failed_in_row >= b->cfg.fall))
			backend_go_down(n);
	}
}

void
backend_pool_mark_failed(struct backend_pool *pool, struct backend *b,
    const char *why)
{
	struct backend_node *n = backend_node_of(b);

	backend_set_error(n, why);
	b->ok_in_row = 0;
	b->failed_in_row++;
	if (b->state == BACKEND_DRAINING)
		return;
	if (++n->marks_in_row >= BACKEND_MARKS_HOLD &&
	    pool->hold_down_ms > 0) {
		n->marks_in_row = 0;
		b->held_down = true;
		backend_down_timer(n, pool->hold_down_ms);
		backend_set_state(n, BACKEND_DOWN);
	} else if (b->state == BACKEND_UP && b->failed_in_row >= b->cfg.fall)
		backend_go_down(n);
}

void
backend_pool_mark_ok(struct backend_pool *pool, struct backend *b)
{
	backend_node_of(b)->marks_in_row = 0;
}

/* Checks. */

static void
backend_probe_free(struct backend_probe *p)
{
	if (p->timer != 0)
		g_source_remove(p->timer);
	if (p->conn != NULL) {
		g_io_stream_close(G_IO_STREAM(p->conn), NULL, NULL);
		g_object_unref(p->conn);
	}
	g_clear_object(&p->client);
	g_clear_object(&p->cancel);
	if (p->out != NULL)
		g_byte_array_unref(p->out);
	if (p->demux_on)
		chunk_demux_free(&p->demux);
	g_free(p->error_code);
	g_free(p);
}

/*
 * Called first thing by every async callback: false (and the probe freed
 * if nobody waits for it any more) when the probe is over.
 */
static bool
backend_probe_back(struct backend_probe *p)
{
	p->pending = false;
	if (p->node != NULL)
		return true;
	backend_probe_free(p);
	return false;
}

/* Stops a probe: its backend forgets it, its calls are cancelled. */
static void
backend_probe_detach(struct backend_probe *p)
{
	if (p->node != NULL)
		p->node->probe = NULL;
	p->node = NULL;
	if (p->timer != 0) {
		g_source_remove(p->timer);
		p->timer = 0;
	}
	g_cancellable_cancel(p->cancel);
	if (!p->pending)
		backend_probe_free(p);
}

static void
backend_probe_finish(struct backend_probe *p, bool ok, const char *error)
{
	struct backend_node *n = p->node;
	double ms;

	if (n == NULL)
		return;
	ms = (double)(g_get_monotonic_time() - p->started) / 1000.0;
	backend_probe_detach(p);
	backend_check_schedule(n, n->b.cfg.interval_ms);
	backend_check_result(n, ok, ms, error);
}

static void
backend_probe_fail_io(struct backend_probe *p, const char *doing,
    GError *err)
{
	char *msg;

	msg = g_strdup_printf("%s: %s", doing, err->message);
	g_error_free(err);
	backend_probe_finish(p, false, msg);
	g_free(msg);
}

static gboolean
backend_probe_timeout(gpointer data)
{
	static const char *const doing[] = {
		[PROBE_CONNECTING] = "connecting",
		[PROBE_SENDING_C0C1] = "sending C0C1",
		[PROBE_READING_S0S1S2] = "waiting for S0S1S2",
		[PROBE_SENDING_C2] = "sending C2",
		[PROBE_READING_REPLY] = "waiting for the answer to connect",
	};
	struct backend_probe *p = data;
	char *msg;

	p->timer = 0;
	msg = g_strdup_printf("timed out after %u ms %s", p->timeout_ms,
	    doing[p->step]);
	backend_probe_finish(p, false, msg);
	g_free(msg);
	return G_SOURCE_REMOVE;
}

/* AMF0, as much as a connect command needs. */

static void
backend_amf0_bytes(GByteArray *out, const void *p, size_t n)
{
	g_byte_array_append(out, p, (guint)n);
}

static void
backend_amf0_u16(GByteArray *out, size_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	backend_amf0_bytes(out, b, 2);
}

/* A key of an object: | len:2 | utf8 | */
static void
backend_amf0_key(GByteArray *out, const char *key)
{
	size_t n = strlen(key);

	backend_amf0_u16(out, n);
	backend_amf0_bytes(out, key, n);
}

/* | 0x02 | len:2 | utf8 |  (callers keep it under 64 KiB) */
static void
backend_amf0_string(GByteArray *out, const char *s)
{
	uint8_t marker = AMF0_STRING;
	size_t n = MIN(strlen(s), 0xffffU);

	backend_amf0_bytes(out, &marker, 1);
	backend_amf0_u16(out, n);
	backend_amf0_bytes(out, s, n);
}

/* | 0x00 | IEEE 754 double, big-endian:8 | */
static void
backend_amf0_number(GByteArray *out, double v)
{
	uint8_t b[9];
	uint64_t bits;
	int i;

	memcpy(&bits, &v, sizeof(bits));
	b[0] = AMF0_NUMBER;
	for (i = 0; i < 8; i++)
		b[1 + i] = (uint8_t)(bits >> (56 - 8 * i));
	backend_amf0_bytes(out, b, sizeof(b));
}

/*
 * connect(txn 1, {app, type, flashVer, tcUrl}) as chunks of csid 3: a fmt
 * 0 header, then a fmt 3 header (0xc3) every 128 bytes of body.
 *
 *  | 0x03 | ts:3 = 0 | length:3 | type:1 = 20 | msid:4 = 0 | body ...
 */
static void
backend_connect_command(GByteArray *out, const char *host, uint16_t port,
    const char *app)
{
	static const uint8_t object_end[] = { 0, 0, AMF0_OBJECT_END };
	GByteArray *body = g_byte_array_new();
	uint8_t hdr[12], marker = AMF0_OBJECT, cont = 0xc3;
	char *url;
	size_t off, n;

	url = g_strdup_printf(strchr(host, ':') != NULL ?
	    "rtmp://[%s]:%u/%s" : "rtmp://%s:%u/%s", host, port, app);
	backend_amf0_string(body, "connect");
	backend_amf0_number(body, 1);
	backend_amf0_bytes(body, &marker, 1);
	backend_amf0_key(body, "app");
	backend_amf0_string(body, app);
	backend_amf0_key(body, "type");
	backend_amf0_string(body, "nonprivate");
	backend_amf0_key(body, "flashVer");
	backend_amf0_string(body, BACKEND_FLASH_VER);
	backend_amf0_key(body, "tcUrl");
	backend_amf0_string(body, url);
	backend_amf0_bytes(body, object_end, sizeof(object_end));
	g_free(url);

	memset(hdr, 0, sizeof(hdr));
	hdr[0] = 0x03;
	hdr[4] = (uint8_t)(body->len >> 16);
	hdr[5] = (uint8_t)(body->len >> 8);
	hdr[6] = (uint8_t)body->len;
	hdr[7] = RTMP_COMMAND_AMF0;
	g_byte_array_append(out, hdr, sizeof(hdr));
	for (off = 0; off < body->len; off += n) {
		if (off > 0)
			g_byte_array_append(out, &cont, 1);
		n = MIN(body->len - off, BACKEND_CHUNK_OUT);
		g_byte_array_append(out, body->data + off, (guint)n);
	}
	g_byte_array_unref(body);
}

/*
 * A command message from the backend: _result or _error of our connect.
 *
 *  | "_result"/"_error" | txn | properties | information {code, ...} |
 */
static void
backend_probe_message(void *ctx, const struct rtmp_message *m)
{
	struct backend_probe *p = ctx;
	struct amf_refs *refs;
	struct cursor c;
	const char *name, *code;
	size_t len, code_len;
	uint32_t info, value;

	if (m->type != RTMP_COMMAND_AMF0 || m->kept < m->len ||
	    p->verdict != 0)
		return;
	cursor_init(&c, m->body, m->kept);
	if ((name = amf0_read_string(&c, &len)) == NULL)
		return;
	if (len == 7 && memcmp(name, "_result", 7) == 0) {
		p->verdict = 1;
		return;
	}
	if (len != 6 || memcmp(name, "_error", 6) != 0)
		return;
	p->verdict = -1;
	refs = g_new(struct amf_refs, 1);
	amf_refs_init(refs, m->body);
	if (amf0_skip(&c, refs) == MSG_OK && amf0_skip(&c, refs) == MSG_OK) {
		info = (uint32_t)c.off;
		if (amf0_object_find(refs, m->kept, info, "code", &value)) {
			cursor_init(&c, m->body, m->kept);
			cursor_skip(&c, value);
			if ((code = amf0_read_string(&c, &code_len)) != NULL)
				p->error_code = g_strndup(code, code_len);
		}
	}
	g_free(refs);
}

static void
backend_probe_event(void *ctx, enum chunk_event ev, uint64_t value)
{
}

static const struct chunk_demux_ops backend_probe_demux_ops = {
	backend_probe_message,
	backend_probe_event,
};

static void	backend_probe_read(struct backend_probe *);
static void	backend_probe_write(struct backend_probe *);

static void
backend_probe_reply(struct backend_probe *p, const uint8_t *buf, size_t n)
{
	char *msg;

	chunk_demux_feed(&p->demux, buf, n);
	if (p->verdict > 0)
		backend_probe_finish(p, true, NULL);
	else if (p->verdict < 0) {
		msg = g_strdup_printf("connect: _error %s", p->error_code !=
		    NULL ? p->error_code : "(no code)");
		backend_probe_finish(p, false, msg);
		g_free(msg);
	} else
		backend_probe_read(p);
}

static void
backend_probe_handshake(struct backend_probe *p)
{
	/* C2: S1 echoed. */
	g_byte_array_set_size(p->out, 0);
	g_byte_array_append(p->out, p->in + 1, HANDSHAKE_BLOCK);
	if (p->kind == CHECK_CONNECT)
		backend_connect_command(p->out, p->node->b.cfg.host,
		    p->node->b.cfg.port, p->node->b.cfg.check_app != NULL ?
		    p->node->b.cfg.check_app : "");
	p->step = PROBE_SENDING_C2;
	backend_probe_write(p);
}

static void
backend_probe_read_done(GObject *src, GAsyncResult *res, gpointer data)
{
	struct backend_probe *p = data;
	GError *err = NULL;
	gssize n;
	char msg[64];

	n = g_input_stream_read_finish(G_INPUT_STREAM(src), res, &err);
	if (!backend_probe_back(p)) {
		g_clear_error(&err);
		return;
	}
	if (n < 0) {
		backend_probe_fail_io(p, p->step == PROBE_READING_S0S1S2 ?
		    "handshake" : "connect", err);
		return;
	}
	if (n == 0) {
		backend_probe_finish(p, false, p->step ==
		    PROBE_READING_S0S1S2 ? "closed during the handshake" :
		    "closed before answering connect");
		return;
	}
	if (p->step == PROBE_READING_REPLY) {
		backend_probe_reply(p, p->out->data, (size_t)n);
		return;
	}
	p->in_len += (size_t)n;
	if (p->in[0] != HANDSHAKE_VERSION_PLAIN) {
		snprintf(msg, sizeof(msg),
		    "handshake: S0 is version %u, not 3", p->in[0]);
		backend_probe_finish(p, false, msg);
	} else if (p->in_len < HANDSHAKE_LEN)
		backend_probe_read(p);
	else
		backend_probe_handshake(p);
}

static void
backend_probe_read(struct backend_probe *p)
{
	GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(p->conn));

	p->pending = true;
	if (p->step == PROBE_READING_REPLY) {
		g_byte_array_set_size(p->out, BACKEND_PROBE_READ);
		g_input_stream_read_async(in, p->out->data, BACKEND_PROBE_READ,
		    G_PRIORITY_DEFAULT, p->cancel, backend_probe_read_done, p);
	} else
		g_input_stream_read_async(in, p->in + p->in_len,
		    HANDSHAKE_LEN - p->in_len, G_PRIORITY_DEFAULT, p->cancel,
		    backend_probe_read_done, p);
}

static void
backend_probe_write_done(GObject *src, GAsyncResult *res, gpointer data)
{
	struct backend_probe *p = data;
	GError *err = NULL;
	gboolean ok;

	ok = g_output_stream_write_all_finish(G_OUTPUT_STREAM(src), res, NULL,
	    &err);
	if (!backend_probe_back(p)) {
		g_clear_error(&err);
		return;
	}
	if (!ok) {
		backend_probe_fail_io(p, p->step == PROBE_SENDING_C2 &&
		    p->kind == CHECK_CONNECT ? "connect" : "handshake", err);
		return;
	}
	if (p->step == PROBE_SENDING_C0C1) {
		p->step = PROBE_READING_S0S1S2;
		backend_probe_read(p);
	} else if (p->kind == CHECK_HANDSHAKE)
		backend_probe_finish(p, true, NULL);
	else {
		p->step = PROBE_READING_REPLY;
		chunk_demux_init(&p->demux, &backend_probe_demux_ops, p);
		p->demux_on = true;
		backend_probe_read(p);
	}
}

static void
backend_probe_write(struct backend_probe *p)
{
	GOutputStream *out;

	out = g_io_stream_get_output_stream(G_IO_STREAM(p->conn));
	p->pending = true;
	g_output_stream_write_all_async(out, p->out->data, p->out->len,
	    G_PRIORITY_DEFAULT, p->cancel, backend_probe_write_done, p);
}

/* C0 | C1: | 3 | time:4 | zero:4 | random:1528 | */
static void
backend_probe_c0c1(struct backend_probe *p)
{
	uint8_t c0c1[HANDSHAKE_BLOCK + 1];
	uint32_t t, r;
	size_t i;

	memset(c0c1, 0, sizeof(c0c1));
	c0c1[0] = HANDSHAKE_VERSION_PLAIN;
	t = (uint32_t)(g_get_monotonic_time() / 1000);
	c0c1[1] = (uint8_t)(t >> 24);
	c0c1[2] = (uint8_t)(t >> 16);
	c0c1[3] = (uint8_t)(t >> 8);
	c0c1[4] = (uint8_t)t;
	for (i = 9; i < sizeof(c0c1); i += 4) {
		r = g_random_int();
		memcpy(c0c1 + i, &r, MIN(4, sizeof(c0c1) - i));
	}
	p->out = g_byte_array_sized_new(HANDSHAKE_BLOCK + 512);
	g_byte_array_append(p->out, c0c1, sizeof(c0c1));
	p->step = PROBE_SENDING_C0C1;
	backend_probe_write(p);
}

static void
backend_probe_connected(GObject *src, GAsyncResult *res, gpointer data)
{
	struct backend_probe *p = data;
	GSocketConnection *conn;
	GError *err = NULL;

	conn = g_socket_client_connect_finish(G_SOCKET_CLIENT(src), res, &err);
	if (!backend_probe_back(p)) {
		g_clear_error(&err);
		if (conn != NULL)
			g_object_unref(conn);
		return;
	}
	if (conn == NULL) {
		backend_probe_fail_io(p, "connect", err);
		return;
	}
	p->conn = conn;
	if (p->kind == CHECK_TCP)
		backend_probe_finish(p, true, NULL);
	else
		backend_probe_c0c1(p);
}

static void
backend_probe_start(struct backend_node *n)
{
	struct backend_probe *p;
	GSocketConnectable *addr;

	p = g_new0(struct backend_probe, 1);
	p->node = n;
	p->kind = n->b.cfg.check;
	p->step = PROBE_CONNECTING;
	p->timeout_ms = n->b.cfg.timeout_ms;
	p->cancel = g_cancellable_new();
	p->client = g_socket_client_new();
	p->started = g_get_monotonic_time();
	n->probe = p;
	p->timer = g_timeout_add(p->timeout_ms, backend_probe_timeout, p);
	addr = g_network_address_new(n->b.cfg.host, n->b.cfg.port);
	p->pending = true;
	g_socket_client_connect_async(p->client, addr, p->cancel,
	    backend_probe_connected, p);
	g_object_unref(addr);
}

static gboolean
backend_check_due(gpointer data)
{
	struct backend_node *n = data;

	n->check_timer = 0;
	if (n->probe == NULL)
		backend_probe_start(n);
	return G_SOURCE_REMOVE;
}

/* The next check in ms (0: now, from the loop); none for CHECK_NONE. */
static void
backend_check_schedule(struct backend_node *n, unsigned ms)
{
	if (n->check_timer != 0)
		g_source_remove(n->check_timer);
	n->check_timer = 0;
	if (n->b.cfg.check == CHECK_NONE || n->b.state == BACKEND_DRAINING ||
	    n->b.cfg.host == NULL)
		return;
	if (ms == 0)
		n->check_timer = g_idle_add(backend_check_due, n);
	else
		n->check_timer = g_timeout_add(ms, backend_check_due, n);
}

static void
backend_checks_stop(struct backend_node *n)
{
	if (n->check_timer != 0)
		g_source_remove(n->check_timer);
	n->check_timer = 0;
	if (n->probe != NULL)
		backend_probe_detach(n->probe);
}

/* The pool. */

static void
backend_node_free(struct backend_node *n)
{
	backend_checks_stop(n);
	if (n->down_timer != 0)
		g_source_remove(n->down_timer);
	backend_config_clear(&n->b.cfg);
	g_free(n->b.last_error);
	g_free(n);
}

struct backend_pool *
backend_pool_new(enum balance balance)
{
	struct backend_pool *pool;

	pool = g_new0(struct backend_pool, 1);
	pool->balance = balance;
	pool->hold_down_ms = BACKEND_HOLD_DOWN_MS;
	pool->nodes = g_ptr_array_new();
	pool->watchers = g_array_new(FALSE, FALSE,
	    sizeof(struct backend_watcher));
	pool->retired = g_ptr_array_new();
	return pool;
}

static gboolean
backend_pool_bury(gpointer data)
{
	struct backend_pool *pool = data;
	guint i;

	pool->retire_idle = 0;
	for (i = 0; i < pool->retired->len; i++)
		backend_node_free(g_ptr_array_index(pool->retired, i));
	g_ptr_array_set_size(pool->retired, 0);
	return G_SOURCE_REMOVE;
}

void
backend_pool_free(struct backend_pool *pool)
{
	guint i;

	if (pool == NULL)
		return;
	if (pool->retire_idle != 0)
		g_source_remove(pool->retire_idle);
	backend_pool_bury(pool);
	for (i = 0; i < pool->nodes->len; i++)
		backend_node_free(g_ptr_array_index(pool->nodes, i));
	g_ptr_array_unref(pool->nodes);
	g_ptr_array_unref(pool->retired);
	g_array_unref(pool->watchers);
	g_free(pool);
}

/* Out of the list now; freed from the loop, after whoever called us. */
static void
backend_pool_retire(struct backend_pool *pool, struct backend_node *n)
{
	backend_checks_stop(n);
	g_ptr_array_remove(pool->nodes, n);
	g_ptr_array_add(pool->retired, n);
	if (pool->retire_idle == 0)
		pool->retire_idle = g_idle_add(backend_pool_bury, pool);
}

static gint
backend_node_cmp(gconstpointer a, gconstpointer b)
{
	const struct backend_node *x = *(struct backend_node *const *)a;
	const struct backend_node *y = *(struct backend_node *const *)b;

	if (x->b.cfg.priority != y->b.cfg.priority)
		return x->b.cfg.priority < y->b.cfg.priority ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return 0;
}

static struct backend_node *
backend_pool_find_node(const struct backend_pool *pool, const char *name)
{
	struct backend_node *n;
	guint i;

	for (i = 0; i < pool->nodes->len; i++) {
		n = g_ptr_array_index(pool->nodes, i);
		if (g_strcmp0(n->b.cfg.name, name) == 0)
			return n;
	}
	return NULL;
}

/* Whether the checks must start over with the new settings. */
static bool
backend_check_changed(const struct backend_config *a,
    const struct backend_config *b)
{
	return g_strcmp0(a->host, b->host) != 0 || a->port != b->port ||
	    a->check != b->check ||
	    g_strcmp0(a->check_app, b->check_app) != 0 ||
	    a->interval_ms != b->interval_ms || a->timeout_ms != b->timeout_ms;
}

void
backend_pool_set(struct backend_pool *pool, const struct backend_config *cfgs,
    size_t ncfgs)
{
	struct backend_node *n;
	GPtrArray *gone;
	bool restart;
	size_t i;

	for (i = 0; i < pool->nodes->len; i++)
		((struct backend_node *)g_ptr_array_index(pool->nodes,
		    i))->seen = false;
	for (i = 0; i < ncfgs; i++) {
		if ((n = backend_pool_find_node(pool, cfgs[i].name)) == NULL) {
			n = g_new0(struct backend_node, 1);
			n->pool = pool;
			backend_config_copy(&n->b.cfg, &cfgs[i]);
			n->b.state = BACKEND_UP;
			n->b.state_since = backend_now();
			g_ptr_array_add(pool->nodes, n);
			restart = true;
		} else {
			restart = backend_check_changed(&n->b.cfg, &cfgs[i]) ||
			    n->b.state == BACKEND_DRAINING;
			backend_config_clear(&n->b.cfg);
			backend_config_copy(&n->b.cfg, &cfgs[i]);
			if (n->b.state == BACKEND_DRAINING) {
				/* Back in the file: a fresh start. */
				n->checked = false;
				n->b.ok_in_row = n->b.failed_in_row = 0;
				backend_set_state(n, BACKEND_UP);
			}
		}
		n->seq = i;
		n->seen = true;
		if (restart) {
			backend_checks_stop(n);
			backend_check_schedule(n, 0);
		}
		if (n->b.cfg.check == CHECK_NONE &&
		    n->b.state == BACKEND_DOWN && n->down_timer == 0)
			backend_down_timer(n, pool->hold_down_ms > 0 ?
			    pool->hold_down_ms : BACKEND_HOLD_DOWN_MS);
	}
	gone = g_ptr_array_new();
	for (i = 0; i < pool->nodes->len; i++) {
		n = g_ptr_array_index(pool->nodes, i);
		if (!n->seen)
			g_ptr_array_add(gone, n);
	}
	for (i = 0; i < gone->len; i++) {
		n = g_ptr_array_index(gone, i);
		if (n->b.state != BACKEND_DRAINING) {
			backend_checks_stop(n);
			if (n->down_timer != 0)
				g_source_remove(n->down_timer);
			n->down_timer = 0;
			n->b.held_down = false;
			backend_set_state(n, BACKEND_DRAINING);
		}
		if (n->b.sessions == 0)
			backend_pool_retire(pool, n);
	}
	g_ptr_array_unref(gone);
	g_ptr_array_sort(pool->nodes, backend_node_cmp);
}

void
backend_pool_set_balance(struct backend_pool *pool, enum balance balance)
{
	guint i;

	pool->balance = balance;
	for (i = 0; i < pool->nodes->len; i++)
		((struct backend_node *)g_ptr_array_index(pool->nodes,
		    i))->rr_current = 0;
}

void
backend_pool_set_hold_down(struct backend_pool *pool, unsigned ms)
{
	pool->hold_down_ms = ms;
}

static bool
backend_can_take(const struct backend_node *n, const struct backend *avoid)
{
	return n->b.state == BACKEND_UP && !n->b.held_down && &n->b != avoid;
}

struct backend *
backend_pool_pick(struct backend_pool *pool, const struct backend *avoid)
{
	struct backend_node *n, *best = NULL;
	int64_t total = 0;
	guint i;

	for (i = 0; i < pool->nodes->len; i++) {
		n = g_ptr_array_index(pool->nodes, i);
		if (!backend_can_take(n, avoid))
			continue;
		switch (pool->balance) {
		case BALANCE_PRIORITY:
			return &n->b;
		case BALANCE_LEAST_SESSIONS:
			if (best == NULL || n->b.sessions < best->b.sessions)
				best = n;
			break;
		case BALANCE_ROUND_ROBIN:
			/* nginx's smooth weighted round robin. */
			n->rr_current += n->b.cfg.weight;
			total += n->b.cfg.weight;
			if (best == NULL || n->rr_current > best->rr_current)
				best = n;
			break;
		}
	}
	if (best == NULL)
		return NULL;
	if (pool->balance == BALANCE_ROUND_ROBIN)
		best->rr_current -= total;
	return &best->b;
}

void
backend_session_begin(struct backend_pool *pool, struct backend *b)
{
	b->sessions++;
	b->sessions_total++;
}

void
backend_session_end(struct backend_pool *pool, struct backend *b)
{
	if (b->sessions > 0)
		b->sessions--;
	if (b->sessions == 0 && b->state == BACKEND_DRAINING)
		backend_pool_retire(pool, backend_node_of(b));
}

GPtrArray *
backend_pool_list(const struct backend_pool *pool)
{
	GPtrArray *list;
	guint i;

	list = g_ptr_array_sized_new(pool->nodes->len);
	for (i = 0; i < pool->nodes->len; i++)
		g_ptr_array_add(list, g_ptr_array_index(pool->nodes, i));
	return list;
}

struct backend *
backend_pool_find(const struct backend_pool *pool, const char *name)
{
	struct backend_node *n = backend_pool_find_node(pool, name);

	return n != NULL ? &n->b : NULL;
}

void
backend_pool_watch(struct backend_pool *pool, backend_state_fn fn, void *ctx)
{
	struct backend_watcher w = { fn, ctx };

	g_array_append_val(pool->watchers, w);
}
