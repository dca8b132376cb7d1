/*
 * The backend pool: routing by each balance, the states through passive
 * marks and through real checks against tiny servers on 127.0.0.1 (one
 * that accepts and closes, one that speaks the server side of the
 * handshake and answers connect, one that never answers, a closed port),
 * hold-down, reloads, and the [proxy] and [backend NAME] groups of the
 * config file.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "backends.h"
#include "config-file.h"
#include "proxy.h"

#define WAIT_MS		3000	/* the longest any test waits for a state */

static char *tmpdir;

/* Configs. */

static struct backend_config
cfg(const char *name, int priority, enum backend_check check, uint16_t port)
{
	struct backend_config c;

	backend_config_defaults(&c);
	c.name = g_strdup(name);
	c.host = g_strdup("127.0.0.1");
	c.port = port;
	c.priority = priority;
	c.check = check;
	c.interval_ms = 30;
	c.timeout_ms = 500;
	return c;
}

static void
cfgs_clear(struct backend_config *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		backend_config_clear(&c[i]);
}

/* State changes, as a watcher sees them. */

struct change {
	char			*name;
	enum backend_state	 old, now;
	unsigned		 ok_in_row, failed_in_row;
	bool			 held_down;
};

static GArray *changes;

static void
watch_record(void *ctx, const struct backend *b, enum backend_state old)
{
	struct change c;

	c.name = g_strdup(b->cfg.name);
	c.old = old;
	c.now = b->state;
	c.ok_in_row = b->ok_in_row;
	c.failed_in_row = b->failed_in_row;
	c.held_down = b->held_down;
	g_array_append_val(changes, c);
}

static void
changes_reset(void)
{
	guint i;

	for (i = 0; i < changes->len; i++)
		g_free(g_array_index(changes, struct change, i).name);
	g_array_set_size(changes, 0);
}

static const struct change *
change_at(guint i)
{
	assert_true(i < changes->len);
	return &g_array_index(changes, struct change, i);
}

/* The main loop, for a bounded time. */

static gboolean
tick(gpointer data)
{
	return G_SOURCE_CONTINUE;
}

typedef bool (*cond_fn)(struct backend *, uint64_t);

/* Runs the loop until cond holds (true) or ms pass (false). */
static bool
run_until(struct backend *b, cond_fn cond, uint64_t arg, unsigned ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
	guint id = g_timeout_add(5, tick, NULL);
	bool ok;

	while (!(ok = cond != NULL && cond(b, arg)) &&
	    g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, TRUE);
	g_source_remove(id);
	return ok;
}

static void
run_for(unsigned ms)
{
	run_until(NULL, NULL, 0, ms);
}

static bool
cond_checks(struct backend *b, uint64_t n)
{
	return b->checks_ok + b->checks_failed >= n;
}

static bool
cond_ok(struct backend *b, uint64_t n)
{
	return b->checks_ok >= n;
}

static bool
cond_failed(struct backend *b, uint64_t n)
{
	return b->checks_failed >= n;
}

static bool
cond_state(struct backend *b, uint64_t state)
{
	return b->state == (enum backend_state)state;
}

static bool
contains(const GByteArray *a, const void *needle, size_t n)
{
	size_t i;

	for (i = 0; n <= a->len && i <= a->len - n; i++)
		if (memcmp(a->data + i, needle, n) == 0)
			return true;
	return false;
}

/* Servers, each connection on a thread of its own (blocking I/O). */

enum server_kind {
	SERVER_CLOSE,		/* accepts and closes */
	SERVER_HANDSHAKE,	/* S0S1S2 echoing C1, reads C2 */
	SERVER_BAD_VERSION,	/* S0 = 6 */
	SERVER_SILENT,		/* never a byte */
	SERVER_CONNECT_OK,	/* the handshake, then _result */
	SERVER_CONNECT_ERROR,	/* the handshake, then _error */
};

struct server {
	GSocketService	*svc;
	uint16_t	 port;
	enum server_kind kind;
	gint		 accepted;
	gint		 c2_echoed;	/* C2 was S1 */
	GMutex		 lock;
	GByteArray	*command;	/* the connect message received */
};

static void
put_str(GByteArray *b, const char *s)
{
	uint8_t h[3] = { 0x02, (uint8_t)(strlen(s) >> 8),
	    (uint8_t)strlen(s) };

	g_byte_array_append(b, h, 3);
	g_byte_array_append(b, (const guint8 *)s, (guint)strlen(s));
}

static void
put_key(GByteArray *b, const char *k)
{
	uint8_t h[2] = { (uint8_t)(strlen(k) >> 8), (uint8_t)strlen(k) };

	g_byte_array_append(b, h, 2);
	g_byte_array_append(b, (const guint8 *)k, (guint)strlen(k));
}

static void
put_num(GByteArray *b, double v)
{
	uint8_t h[9];
	uint64_t bits;
	int i;

	memcpy(&bits, &v, 8);
	h[0] = 0x00;
	for (i = 0; i < 8; i++)
		h[1 + i] = (uint8_t)(bits >> (56 - 8 * i));
	g_byte_array_append(b, h, 9);
}

/* Set Chunk Size 4096, then _result or _error of connect in one chunk. */
static GByteArray *
connect_reply(bool ok)
{
	static const uint8_t scs[] = {
		0x02, 0, 0, 0, 0, 0, 4, 0x01, 0, 0, 0, 0, 0, 0, 0x10, 0,
	};
	static const uint8_t obj = 0x03, end[] = { 0, 0, 0x09 };
	GByteArray *body = g_byte_array_new(), *out = g_byte_array_new();
	uint8_t hdr[12] = { 0x03, 0, 0, 0, 0, 0, 0, 0x14, 0, 0, 0, 0 };

	put_str(body, ok ? "_result" : "_error");
	put_num(body, 1);
	g_byte_array_append(body, &obj, 1);
	put_key(body, "fmsVer");
	put_str(body, "FMS/3,0,1,123");
	g_byte_array_append(body, end, 3);
	g_byte_array_append(body, &obj, 1);
	put_key(body, "level");
	put_str(body, ok ? "status" : "error");
	put_key(body, "code");
	put_str(body, ok ? "NetConnection.Connect.Success" :
	    "NetConnection.Connect.Rejected");
	g_byte_array_append(body, end, 3);
	hdr[5] = (uint8_t)(body->len >> 8);
	hdr[6] = (uint8_t)body->len;
	g_byte_array_append(out, scs, sizeof(scs));
	g_byte_array_append(out, hdr, sizeof(hdr));
	g_byte_array_append(out, body->data, body->len);
	g_byte_array_unref(body);
	return out;
}

static gboolean
server_run(GThreadedSocketService *svc, GSocketConnection *conn,
    GObject *source, gpointer data)
{
	struct server *s = data;
	GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(conn));
	GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(conn));
	uint8_t c0c1[1537], s0s1s2[3073], c2[1536], hdr[12], buf[4096];
	GByteArray *reply;
	gsize n;
	size_t len, i;

	g_atomic_int_inc(&s->accepted);
	switch (s->kind) {
	case SERVER_CLOSE:
		return TRUE;
	case SERVER_SILENT:
		/* Until the client gives up. */
		while (g_input_stream_read(in, buf, sizeof(buf), NULL,
		    NULL) > 0)
			continue;
		return TRUE;
	default:
		break;
	}
	if (!g_input_stream_read_all(in, c0c1, sizeof(c0c1), &n, NULL, NULL) ||
	    n != sizeof(c0c1))
		return TRUE;
	s0s1s2[0] = s->kind == SERVER_BAD_VERSION ? 6 : 3;
	for (i = 1; i <= 1536; i++)
		s0s1s2[i] = (uint8_t)(i * 7);
	memcpy(s0s1s2 + 1537, c0c1 + 1, 1536);
	if (!g_output_stream_write_all(out, s0s1s2, sizeof(s0s1s2), NULL,
	    NULL, NULL) || s->kind == SERVER_BAD_VERSION)
		return TRUE;
	if (!g_input_stream_read_all(in, c2, sizeof(c2), &n, NULL, NULL) ||
	    n != sizeof(c2))
		return TRUE;
	if (memcmp(c2, s0s1s2 + 1, 1536) == 0)
		g_atomic_int_inc(&s->c2_echoed);
	if (s->kind == SERVER_HANDSHAKE)
		return TRUE;
	/* connect: | 0x03 | ts:3 | len:3 | 20 | msid:4 |, 0xc3 every 128 */
	if (!g_input_stream_read_all(in, hdr, sizeof(hdr), &n, NULL, NULL) ||
	    n != sizeof(hdr))
		return TRUE;
	len = (size_t)hdr[4] << 16 | (size_t)hdr[5] << 8 | hdr[6];
	len += (len - 1) / 128;
	if (len > sizeof(buf) || !g_input_stream_read_all(in, buf, len, &n,
	    NULL, NULL) || n != len)
		return TRUE;
	g_mutex_lock(&s->lock);
	if (s->command->len == 0) {
		g_byte_array_append(s->command, hdr, sizeof(hdr));
		g_byte_array_append(s->command, buf, (guint)len);
	}
	g_mutex_unlock(&s->lock);
	reply = connect_reply(s->kind == SERVER_CONNECT_OK);
	g_output_stream_write_all(out, reply->data, reply->len, NULL, NULL,
	    NULL);
	g_byte_array_unref(reply);
	/* Until the client closes. */
	while (g_input_stream_read(in, buf, sizeof(buf), NULL, NULL) > 0)
		continue;
	return TRUE;
}

/* A server on 127.0.0.1, on port (0: a free one). */
static struct server *
server_start(enum server_kind kind, uint16_t port)
{
	struct server *s = g_new0(struct server, 1);
	GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	GSocketAddress *addr = g_inet_socket_address_new(lo, port), *bound;
	GError *err = NULL;

	s->kind = kind;
	g_mutex_init(&s->lock);
	s->command = g_byte_array_new();
	s->svc = g_threaded_socket_service_new(8);
	if (!g_socket_listener_add_address(G_SOCKET_LISTENER(s->svc), addr,
	    G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound, &err))
		fail_msg("listen: %s", err->message);
	s->port = g_inet_socket_address_get_port(
	    G_INET_SOCKET_ADDRESS(bound));
	g_object_unref(bound);
	g_object_unref(addr);
	g_object_unref(lo);
	g_signal_connect(s->svc, "run", G_CALLBACK(server_run), s);
	g_socket_service_start(s->svc);
	return s;
}

static void
server_stop(struct server *s)
{
	g_socket_service_stop(s->svc);
	g_socket_listener_close(G_SOCKET_LISTENER(s->svc));
	/* Let the connections' threads end before the struct goes. */
	run_for(100);
	g_object_unref(s->svc);
	g_byte_array_unref(s->command);
	g_mutex_clear(&s->lock);
	g_free(s);
}

/* A port nothing listens on. */
static uint16_t
closed_port(void)
{
	struct server *s = server_start(SERVER_CLOSE, 0);
	uint16_t port = s->port;

	server_stop(s);
	return port;
}

static struct backend_pool *
pool_new(enum balance balance)
{
	struct backend_pool *pool = backend_pool_new(balance);

	changes_reset();
	backend_pool_watch(pool, watch_record, NULL);
	return pool;
}

static void
pool_free(struct backend_pool *pool)
{
	backend_pool_free(pool);
	/* The cancelled checks call back, and free themselves. */
	run_for(50);
}

/* Routing. */

static void
test_priority(void **state)
{
	struct backend_config c[3];
	struct backend_pool *pool = pool_new(BALANCE_PRIORITY);
	struct backend *a, *b, *x;
	GPtrArray *list;

	c[0] = cfg("a", 1, CHECK_NONE, 1);
	c[1] = cfg("b", 0, CHECK_NONE, 2);
	c[2] = cfg("c", 2, CHECK_NONE, 3);
	backend_pool_set(pool, c, 3);
	a = backend_pool_find(pool, "a");
	b = backend_pool_find(pool, "b");
	assert_non_null(a);
	assert_null(backend_pool_find(pool, "z"));
	assert_int_equal(a->state, BACKEND_UP);

	list = backend_pool_list(pool);
	assert_int_equal(list->len, 3);
	assert_string_equal(((struct backend *)list->pdata[0])->cfg.name, "b");
	assert_string_equal(((struct backend *)list->pdata[1])->cfg.name, "a");
	assert_string_equal(((struct backend *)list->pdata[2])->cfg.name, "c");
	g_ptr_array_unref(list);

	assert_ptr_equal(backend_pool_pick(pool, NULL), b);
	assert_ptr_equal(backend_pool_pick(pool, NULL), b);
	assert_ptr_equal(backend_pool_pick(pool, b), a);

	/* Down: skipped. */
	b->cfg.fall = 1;
	backend_pool_mark_failed(pool, b, "connection refused");
	assert_int_equal(b->state, BACKEND_DOWN);
	assert_string_equal(b->last_error, "connection refused");
	assert_ptr_equal(backend_pool_pick(pool, NULL), a);
	x = backend_pool_pick(pool, a);
	assert_string_equal(x->cfg.name, "c");

	/* Draining: skipped. */
	backend_session_begin(pool, a);
	backend_pool_set(pool, c + 1, 2);
	assert_int_equal(a->state, BACKEND_DRAINING);
	assert_ptr_equal(backend_pool_pick(pool, NULL), x);
	assert_null(backend_pool_pick(pool, x));
	backend_session_end(pool, a);

	pool_free(pool);
	cfgs_clear(c, 3);
}

static void
test_round_robin(void **state)
{
	struct backend_config c[3];
	struct backend_pool *pool = pool_new(BALANCE_ROUND_ROBIN);
	struct backend *a, *b, *x, *prev = NULL;
	unsigned na = 0, nb = 0, i;

	c[0] = cfg("a", 0, CHECK_NONE, 1);
	c[1] = cfg("b", 1, CHECK_NONE, 2);
	c[2] = cfg("c", 2, CHECK_NONE, 3);
	c[0].weight = 3;
	c[2].fall = 1;
	backend_pool_set(pool, c, 3);
	a = backend_pool_find(pool, "a");
	b = backend_pool_find(pool, "b");
	backend_pool_mark_failed(pool, backend_pool_find(pool, "c"), "reset");
	for (i = 0; i < 8; i++) {
		x = backend_pool_pick(pool, NULL);
		assert_true(x == a || x == b);
		if (x == b) {
			/* Smooth: b's turns are spread out. */
			assert_ptr_not_equal(prev, b);
			nb++;
		} else
			na++;
		prev = x;
	}
	assert_int_equal(na, 6);
	assert_int_equal(nb, 2);
	for (i = 0; i < 4; i++)
		assert_ptr_equal(backend_pool_pick(pool, a), b);

	/* Equal weights: in turn. */
	backend_pool_find(pool, "a")->cfg.weight = 1;
	backend_pool_set_balance(pool, BALANCE_ROUND_ROBIN);
	x = backend_pool_pick(pool, NULL);
	assert_ptr_not_equal(backend_pool_pick(pool, NULL), x);
	assert_ptr_equal(backend_pool_pick(pool, NULL), x);
	pool_free(pool);
	cfgs_clear(c, 3);
}

static void
test_least_sessions(void **state)
{
	struct backend_config c[3];
	struct backend_pool *pool = pool_new(BALANCE_LEAST_SESSIONS);
	struct backend *a, *b, *d;

	c[0] = cfg("a", 0, CHECK_NONE, 1);
	c[1] = cfg("b", 1, CHECK_NONE, 2);
	c[2] = cfg("c", 2, CHECK_NONE, 3);
	backend_pool_set(pool, c, 3);
	a = backend_pool_find(pool, "a");
	b = backend_pool_find(pool, "b");
	d = backend_pool_find(pool, "c");
	assert_ptr_equal(backend_pool_pick(pool, NULL), a);
	backend_session_begin(pool, a);
	backend_session_begin(pool, a);
	backend_session_begin(pool, b);
	assert_ptr_equal(backend_pool_pick(pool, NULL), d);
	backend_session_begin(pool, d);
	backend_session_begin(pool, d);
	assert_ptr_equal(backend_pool_pick(pool, NULL), b);
	/* a and c tie at 2: the first by priority. */
	assert_ptr_equal(backend_pool_pick(pool, b), a);
	backend_session_end(pool, a);
	backend_session_end(pool, a);
	assert_int_equal(a->sessions, 0);
	assert_int_equal(a->sessions_total, 2);
	assert_ptr_equal(backend_pool_pick(pool, NULL), a);
	/* Down ones are skipped, however few their sessions. */
	a->cfg.fall = 1;
	backend_pool_mark_failed(pool, a, "reset");
	assert_ptr_equal(backend_pool_pick(pool, NULL), b);
	pool_free(pool);
	cfgs_clear(c, 3);
}

/* Passive marks: fall, hold-down after two in a row, the retry. */
static void
test_passive(void **state)
{
	struct backend_config c[1];
	struct backend_pool *pool = pool_new(BALANCE_PRIORITY);
	struct backend *a;
	gint64 t0;

	c[0] = cfg("a", 0, CHECK_NONE, 1);
	backend_pool_set_hold_down(pool, 150);
	backend_pool_set(pool, c, 1);
	a = backend_pool_find(pool, "a");

	backend_pool_mark_failed(pool, a, "connection refused");
	assert_int_equal(a->state, BACKEND_UP);
	assert_int_equal(a->failed_in_row, 1);
	assert_false(a->held_down);
	/* A live success: the next mark is not "in a row". */
	backend_pool_mark_ok(pool, a);
	backend_pool_mark_failed(pool, a, "reset");
	assert_int_equal(a->state, BACKEND_UP);
	assert_false(a->held_down);
	assert_int_equal(changes->len, 0);

	t0 = g_get_monotonic_time();
	backend_pool_mark_failed(pool, a, "handshake timeout");
	assert_int_equal(a->state, BACKEND_DOWN);
	assert_true(a->held_down);
	assert_string_equal(a->last_error, "handshake timeout");
	assert_null(backend_pool_pick(pool, NULL));
	assert_int_equal(changes->len, 1);
	assert_int_equal(change_at(0)->old, BACKEND_UP);
	assert_int_equal(change_at(0)->now, BACKEND_DOWN);
	assert_true(change_at(0)->held_down);

	/* Passive only: up again when the hold is over. */
	assert_true(run_until(a, cond_state, BACKEND_UP, WAIT_MS));
	assert_true(g_get_monotonic_time() - t0 >= 140 * 1000);
	assert_false(a->held_down);
	assert_ptr_equal(backend_pool_pick(pool, NULL), a);
	assert_int_equal(changes->len, 2);

	/* Without hold-down, fall decides. */
	backend_pool_set_hold_down(pool, 0);
	a->cfg.fall = 3;
	backend_pool_mark_failed(pool, a, "x");
	backend_pool_mark_failed(pool, a, "x");
	assert_int_equal(a->state, BACKEND_UP);
	backend_pool_mark_failed(pool, a, "x");
	assert_int_equal(a->state, BACKEND_DOWN);
	assert_false(a->held_down);
	pool_free(pool);
	cfgs_clear(c, 1);
}

/* Real checks. */

static void
test_check_tcp(void **state)
{
	struct server *s = server_start(SERVER_CLOSE, 0);
	struct backend_config c[1];
	struct backend_pool *pool = pool_new(BALANCE_PRIORITY);
	struct backend *a;

	c[0] = cfg("a", 0, CHECK_TCP, s->port);
	backend_pool_set(pool, c, 1);
	a = backend_pool_find(pool, "a");
	assert_true(run_until(a, cond_ok, 3, WAIT_MS));
	assert_int_equal(a->state, BACKEND_UP);
	assert_int_equal(a->checks_failed, 0);
	assert_null(a->last_error);
	assert_true(a->check_ms > 0);
	assert_true(a->last_check > 0);
	/* The server counts on its own threads. */
	run_for(50);
	assert_true(g_atomic_int_get(&s->accepted) >= 3);
	assert_int_equal(changes->len, 0);
	pool_free(pool);
	server_stop(s);
	cfgs_clear(c, 1);
}

/* Refused: down at the first check; a server comes: up after `rise`. */
static void
test_check_refused_then_rise(void **state)
{
	struct backend_config c[1];
	struct backend_pool *pool = pool_new(BALANCE_PRIORITY);
	struct backend *a;
	struct server *s;
	uint16_t port = closed_port();

	c[0] = cfg("a", 0, CHECK_TCP, port);
	c[0].rise = 3;
	backend_pool_set(pool, c, 1);
	a = backend_pool_find(pool, "a");
	assert_int_equal(a->state, BACKEND_UP);
	assert_true(run_until(a, cond_failed, 1, WAIT_MS));
	assert_int_equal(a->state, BACKEND_DOWN);
	assert_non_null(a->last_error);
	assert_non_null(strstr(a->last_error, "refused"));
	assert_int_equal(changes->len, 1);

	s = server_start(SERVER_CLOSE, port);
	assert_true(run_until(a, cond_state, BACKEND_UP, WAIT_MS));
	assert_int_equal(changes->len, 2);
	assert_int_equal(change_at(1)->old, BACKEND_DOWN);
	assert_int_equal(change_at(1)->ok_in_row, 3);
	assert_null(a->last_error);
	pool_free(pool);
	server_stop(s);
	cfgs_clear(c, 1);
}

static void
test_check_handshake(void **state)
{
	struct server *s = server_start(SERVER_HANDSHAKE, 0);
	struct backend_config c[1];
	struct backend_pool *pool = pool_new(BALANCE_PRIORITY);
	struct backend *a;

	c[0] = cfg("a", 0, CHECK_HANDSHAKE, s->port);
	backend_pool_set(pool, c, 1);
	a = backend_pool_find(pool, "a");
	assert_true(run_until(a, cond_ok, 2, WAIT_MS));
	assert_int_equal(a->state, BACKEND_UP);
	assert_int_equal(a->checks_failed, 0);
	/* Give the server's thread the time to compare C2. */
	run_for(50);
	assert_true(g_atomic_int_get(&s->c2_echoed) >= 2);
	pool_free(pool);
	server_stop(s);
	cfgs_clear(c, 1);
}

/* A handshake check against what is not an RTMP server fails. */
static void
test_check_handshake_fails(void **state)
{
	static const struct {
		enum server_kind kind;
		const char *error;
	} cases[] = {
		/* Or reset, if C0C1 came before the close. */
		{ SERVER_CLOSE, "closed during the handshake" },
		{ SERVER_BAD_VERSION, "handshake: S0 is version 6, not 3" },
		{ SERVER_SILENT, "timed out after 100 ms waiting for S0S1S2" },
	};
	struct backend_config c[1];
	struct backend_pool *pool;
	struct backend *a;
	struct server *s;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		s = server_start(cases[i].kind, 0);
		pool = pool_new(BALANCE_PRIORITY);
		c[0] = cfg("a", 0, CHECK_HANDSHAKE, s->port);
		c[0].timeout_ms = 100;
		backend_pool_set(pool, c, 1);
		a = backend_pool_find(pool, "a");
		assert_true(run_until(a, cond_failed, 1, WAIT_MS));
		assert_int_equal(a->state, BACKEND_DOWN);
		assert_int_equal(a->checks_ok, 0);
		assert_non_null(a->last_error);
		if (cases[i].kind != SERVER_CLOSE ||
		    strstr(a->last_error, "reset") == NULL)
			assert_string_equal(a->last_error, cases[i].error);
		assert_null(backend_pool_pick(pool, NULL));
		pool_free(pool);
		server_stop(s);
		cfgs_clear(c, 1);
	}
}

/* Up, then the server goes: down after exactly `fall` failed checks. */
static void
test_check_fall(void **state)
{
	struct server *s = server_start(SERVER_HANDSHAKE, 0);
	struct backend_config c[1];
	struct backend_pool *pool = pool_new(BALANCE_PRIORITY);
	struct backend *a;

	c[0] = cfg("a", 0, CHECK_HANDSHAKE, s->port);
	c[0].fall = 2;
	backend_pool_set(pool, c, 1);
	a = backend_pool_find(pool, "a");
	assert_true(run_until(a, cond_ok, 1, WAIT_MS));
	server_stop(s);
	assert_true(run_until(a, cond_state, BACKEND_DOWN, WAIT_MS));
	assert_int_equal(changes->len, 1);
	assert_int_equal(change_at(0)->old, BACKEND_UP);
	assert_int_equal(change_at(0)->failed_in_row, 2);
	assert_true(a->state_since > 0);
	pool_free(pool);
	cfgs_clear(c, 1);
}

static void
test_check_connect(void **state)
{
	struct server *s = server_start(SERVER_CONNECT_OK, 0);
	struct backend_config c[1];
	struct backend_pool *pool = pool_new(BALANCE_PRIORITY);
	struct backend *a;
	GByteArray *body;
	char *url;
	guint i;

	c[0] = cfg("a", 0, CHECK_CONNECT, s->port);
	/* Long enough for the command to take two chunks. */
	c[0].check_app = g_strdup("live-for-the-check");
	backend_pool_set(pool, c, 1);
	a = backend_pool_find(pool, "a");
	assert_true(run_until(a, cond_checks, 2, WAIT_MS));
	assert_int_equal(a->checks_failed, 0);
	assert_int_equal(a->state, BACKEND_UP);
	pool_free(pool);

	/*
	 * What the server got: connect on csid 3, type 20, msid 0, its
	 * body in chunks of 128 bytes, each after the first behind 0xc3.
	 */
	g_mutex_lock(&s->lock);
	assert_true(s->command->len > 12 + 128);
	assert_int_equal(s->command->data[0], 0x03);
	assert_int_equal(s->command->data[7], 20);
	assert_int_equal(s->command->data[8] | s->command->data[11], 0);
	body = g_byte_array_new();
	for (i = 12; i < s->command->len; i++) {
		if ((i - 12) % 129 == 128) {
			assert_int_equal(s->command->data[i], 0xc3);
			continue;
		}
		g_byte_array_append(body, s->command->data + i, 1);
	}
	assert_int_equal(body->len, (guint)s->command->data[5] << 8 |
	    s->command->data[6]);
	g_mutex_unlock(&s->lock);
	url = g_strdup_printf("rtmp://127.0.0.1:%u/live-for-the-check",
	    s->port);
	assert_memory_equal(body->data, "\x02\x00\x07" "connect", 10);
	assert_true(contains(body, "\x00\x03" "app"
	    "\x02\x00\x12" "live-for-the-check", 26));
	assert_true(contains(body,
	    "\x02\x00\x0a" "nonprivate", 13));
	assert_true(contains(body, "flashVer", 8));
	assert_true(contains(body, url, strlen(url)));
	assert_memory_equal(body->data + body->len - 3, "\x00\x00\x09", 3);
	g_free(url);
	g_byte_array_unref(body);
	server_stop(s);

	s = server_start(SERVER_CONNECT_ERROR, 0);
	pool = pool_new(BALANCE_PRIORITY);
	c[0].port = s->port;
	backend_pool_set(pool, c, 1);
	a = backend_pool_find(pool, "a");
	assert_true(run_until(a, cond_failed, 1, WAIT_MS));
	assert_int_equal(a->state, BACKEND_DOWN);
	assert_string_equal(a->last_error,
	    "connect: _error NetConnection.Connect.Rejected");
	pool_free(pool);
	server_stop(s);
	cfgs_clear(c, 1);
}

/* Held down by two marks in a row: down while its checks pass. */
static void
test_hold_down(void **state)
{
	struct server *s = server_start(SERVER_CLOSE, 0);
	struct backend_config c[1];
	struct backend_pool *pool = pool_new(BALANCE_PRIORITY);
	struct backend *a;
	uint64_t ok;
	gint64 t0;

	c[0] = cfg("a", 0, CHECK_TCP, s->port);
	c[0].rise = 1;
	backend_pool_set_hold_down(pool, 400);
	backend_pool_set(pool, c, 1);
	a = backend_pool_find(pool, "a");
	assert_true(run_until(a, cond_ok, 1, WAIT_MS));
	t0 = g_get_monotonic_time();
	backend_pool_mark_failed(pool, a, "_error NetConnection.Connect.Rejected");
	backend_pool_mark_failed(pool, a, "_error NetConnection.Connect.Rejected");
	assert_int_equal(a->state, BACKEND_DOWN);
	assert_true(a->held_down);
	ok = a->checks_ok;
	run_for(200);
	assert_true(a->checks_ok > ok + 1);
	assert_int_equal(a->state, BACKEND_DOWN);
	assert_true(run_until(a, cond_state, BACKEND_UP, WAIT_MS));
	assert_true(g_get_monotonic_time() - t0 >= 390 * 1000);
	assert_false(a->held_down);
	assert_int_equal(changes->len, 2);
	pool_free(pool);
	server_stop(s);
	cfgs_clear(c, 1);
}

/* Reloads: add, update by name, remove -> draining -> gone; back again. */
static void
test_reload(void **state)
{
	struct backend_config c[4];
	struct backend_pool *pool = pool_new(BALANCE_PRIORITY);
	struct backend *a, *b;
	GPtrArray *list;

	c[0] = cfg("a", 0, CHECK_NONE, 1);
	c[1] = cfg("b", 1, CHECK_NONE, 2);
	c[2] = cfg("c", 2, CHECK_NONE, 3);
	backend_pool_set(pool, c, 3);
	a = backend_pool_find(pool, "a");
	b = backend_pool_find(pool, "b");
	backend_session_begin(pool, a);

	/* b changes, d comes, a and c go. */
	c[1].weight = 5;
	c[1].priority = 7;
	c[3] = cfg("d", 3, CHECK_NONE, 4);
	backend_pool_set(pool, (struct backend_config[]){ c[1], c[3] }, 2);
	assert_ptr_equal(backend_pool_find(pool, "b"), b);
	assert_int_equal(b->cfg.weight, 5);
	assert_int_equal(b->state, BACKEND_UP);
	assert_non_null(backend_pool_find(pool, "d"));
	assert_null(backend_pool_find(pool, "c"));
	assert_ptr_equal(backend_pool_find(pool, "a"), a);
	assert_int_equal(a->state, BACKEND_DRAINING);
	/* a and c went; a new backend is no change of state. */
	assert_int_equal(changes->len, 2);
	list = backend_pool_list(pool);
	assert_int_equal(list->len, 3);
	assert_string_equal(((struct backend *)list->pdata[0])->cfg.name, "a");
	assert_string_equal(((struct backend *)list->pdata[1])->cfg.name, "d");
	assert_string_equal(((struct backend *)list->pdata[2])->cfg.name, "b");
	g_ptr_array_unref(list);
	assert_string_equal(backend_pool_pick(pool, NULL)->cfg.name, "d");

	/* Back in the file while draining: up again, its session kept. */
	backend_pool_set(pool, c, 2);
	assert_ptr_equal(backend_pool_find(pool, "a"), a);
	assert_int_equal(a->state, BACKEND_UP);
	assert_int_equal(a->sessions, 1);
	/* a: draining -> up, then d: up -> draining. */
	assert_int_equal(changes->len, 4);
	assert_string_equal(change_at(2)->name, "a");
	assert_int_equal(change_at(2)->old, BACKEND_DRAINING);
	assert_int_equal(change_at(2)->now, BACKEND_UP);
	assert_string_equal(change_at(3)->name, "d");
	assert_int_equal(change_at(3)->now, BACKEND_DRAINING);

	/* Out again; gone with its last session. */
	backend_pool_set(pool, c + 1, 1);
	assert_int_equal(a->state, BACKEND_DRAINING);
	backend_pool_mark_failed(pool, a, "reset");
	assert_int_equal(a->state, BACKEND_DRAINING);
	backend_session_end(pool, a);
	assert_null(backend_pool_find(pool, "a"));
	assert_null(backend_pool_find(pool, "d"));
	list = backend_pool_list(pool);
	assert_int_equal(list->len, 1);
	g_ptr_array_unref(list);
	run_for(20);

	/* Checks start and stop with a reload. */
	backend_pool_set(pool, NULL, 0);
	assert_null(backend_pool_pick(pool, NULL));
	pool_free(pool);
	cfgs_clear(c, 4);
}

/* Names and words. */
static void
test_words(void **state)
{
	enum balance bal;
	enum backend_check chk;
	struct backend_config bc;
	GError *err = NULL;
	char *host = NULL;
	uint16_t port = 0;
	size_t i;
	static const char *const bad[] = {
		"host", "host:", ":1935", "h:0", "h:65536", "::1:1935",
		"", "[::1]1935", "[]:1", "h:12a", "a b:1", "h:-1",
	};

	assert_true(balance_parse("round-robin", &bal));
	assert_int_equal(bal, BALANCE_ROUND_ROBIN);
	assert_true(balance_parse("least-sessions", &bal));
	assert_int_equal(bal, BALANCE_LEAST_SESSIONS);
	assert_true(balance_parse("priority", &bal));
	assert_int_equal(bal, BALANCE_PRIORITY);
	assert_false(balance_parse("random", &bal));
	assert_true(backend_check_parse("connect", &chk));
	assert_int_equal(chk, CHECK_CONNECT);
	assert_true(backend_check_parse("none", &chk));
	assert_int_equal(chk, CHECK_NONE);
	assert_false(backend_check_parse("icmp", &chk));
	assert_string_equal(backend_state_name(BACKEND_DRAINING), "draining");
	assert_string_equal(backend_check_name(CHECK_HANDSHAKE), "handshake");
	assert_string_equal(balance_name(BALANCE_LEAST_SESSIONS),
	    "least-sessions");

	assert_true(backend_address_parse("[::1]:1935", &host, &port));
	assert_string_equal(host, "::1");
	assert_int_equal(port, 1935);
	g_free(host);
	assert_true(backend_address_parse("origin-1.example:65535", &host,
	    &port));
	assert_string_equal(host, "origin-1.example");
	g_free(host);
	for (i = 0; i < G_N_ELEMENTS(bad); i++)
		assert_false(backend_address_parse(bad[i], &host, &port));

	assert_true(backend_config_from_flag("127.0.0.1:1936", 2, &bc, &err));
	assert_string_equal(bc.name, "127.0.0.1:1936");
	assert_string_equal(bc.host, "127.0.0.1");
	assert_int_equal(bc.port, 1936);
	assert_int_equal(bc.priority, 2);
	assert_int_equal(bc.check, CHECK_HANDSHAKE);
	assert_int_equal(bc.weight, 1);
	assert_int_equal(bc.interval_ms, 2000);
	assert_int_equal(bc.timeout_ms, 1000);
	assert_int_equal(bc.rise, 2);
	assert_int_equal(bc.fall, 3);
	backend_config_clear(&bc);
	assert_false(backend_config_from_flag("origin", 0, &bc, &err));
	assert_string_equal(err->message,
	    "--backend: 'origin' is not an address (HOST:PORT)");
	g_clear_error(&err);
}

/* The config file. */

static char *
write_conf(const char *name, const char *text)
{
	char *path = g_build_filename(tmpdir, name, NULL);

	assert_true(g_file_set_contents(path, text, -1, NULL));
	return path;
}

static GArray *
backends_new(void)
{
	return g_array_new(FALSE, TRUE, sizeof(struct backend_config));
}

static void
backends_free(GArray *a)
{
	cfgs_clear((struct backend_config *)(void *)a->data, a->len);
	g_array_free(a, TRUE);
}

static struct backend_config *
backend_at(GArray *a, guint i)
{
	assert_true(i < a->len);
	return &g_array_index(a, struct backend_config, i);
}

static void
test_config_good(void **state)
{
	struct proxy_config pc;
	enum balance bal = BALANCE_PRIORITY;
	GArray *bs = backends_new();
	struct backend_config flag, *b;
	GError *err = NULL;
	char *path;

	path = write_conf("proxy.conf",
	    "[proxy]\n"
	    "listen = 0.0.0.0:1935\n"
	    "balance = least-sessions\n"
	    "max_connections = 50\n"
	    "connect_timeout_ms = 1500\n"
	    "handshake_timeout_ms = 2500\n"
	    "idle_timeout_ms = 30000\n"
	    "queue_bytes = 65536\n"
	    "drain_timeout_ms = 4000\n"
	    "hold_down_ms = 0\n"
	    "\n"
	    "[backend origin1]\n"
	    "address = 127.0.0.1:1936\n"
	    "weight = 3\n"
	    "check = connect\n"
	    "check_app = live\n"
	    "interval_ms = 500\n"
	    "timeout_ms = 250\n"
	    "rise = 1\n"
	    "fall = 5\n"
	    "\n"
	    "[health]\n"
	    "stall_ms = 100\n"
	    "[backend origin-2]\n"
	    "address = [::1]:1937\n"
	    "priority = 0\n"
	    "check = none\n");
	proxy_config_defaults(&pc);
	assert_true(backend_config_from_flag("10.0.0.1:1935", 0, &flag, &err));
	g_array_append_val(bs, flag);
	assert_true(config_load_proxy(path, &pc, bs, &bal, &err));
	assert_null(err);
	assert_string_equal(pc.listen, "0.0.0.0:1935");
	assert_int_equal(bal, BALANCE_LEAST_SESSIONS);
	assert_int_equal(pc.max_connections, 50);
	assert_int_equal(pc.connect_timeout_ms, 1500);
	assert_int_equal(pc.handshake_timeout_ms, 2500);
	assert_int_equal(pc.idle_timeout_ms, 30000);
	assert_int_equal(pc.queue_bytes, 65536);
	assert_int_equal(pc.drain_timeout_ms, 4000);
	assert_int_equal(pc.hold_down_ms, 0);
	assert_int_equal(bs->len, 3);
	assert_string_equal(backend_at(bs, 0)->name, "10.0.0.1:1935");
	b = backend_at(bs, 1);
	assert_string_equal(b->name, "origin1");
	assert_string_equal(b->host, "127.0.0.1");
	assert_int_equal(b->port, 1936);
	assert_int_equal(b->priority, 1);	/* after the flag */
	assert_int_equal(b->weight, 3);
	assert_int_equal(b->check, CHECK_CONNECT);
	assert_string_equal(b->check_app, "live");
	assert_int_equal(b->interval_ms, 500);
	assert_int_equal(b->timeout_ms, 250);
	assert_int_equal(b->rise, 1);
	assert_int_equal(b->fall, 5);
	b = backend_at(bs, 2);
	assert_string_equal(b->name, "origin-2");
	assert_string_equal(b->host, "::1");
	assert_int_equal(b->port, 1937);
	assert_int_equal(b->priority, 0);
	assert_int_equal(b->check, CHECK_NONE);
	assert_null(b->check_app);
	assert_int_equal(b->weight, 1);

	/* config_load() reads the same file. */
	{
		struct options opts;
		struct health_config health;

		memset(&opts, 0, sizeof(opts));
		assert_true(config_load(path, &opts, &health, &err));
		assert_int_equal(health.stall_ms, 100);
		options_clear(&opts);
	}
	proxy_config_clear(&pc);
	backends_free(bs);
	g_free(path);
}

/* The defaults: proxy_config_defaults(), the table and the sample agree. */
static void
test_config_defaults(void **state)
{
	struct proxy_config pc, def;
	enum balance bal = BALANCE_ROUND_ROBIN;
	GArray *bs = backends_new();
	GError *err = NULL;
	GRegex *re;
	char *path, *text, *uncommented;
	size_t len;
	FILE *fp;

	proxy_config_defaults(&def);
	assert_int_equal(def.hold_down_ms, 10000);
	assert_int_equal(def.max_connections, 1000);
	assert_int_equal(def.queue_bytes, 1048576);
	assert_null(def.listen);

	path = write_conf("empty.conf", "[proxy]\n");
	proxy_config_defaults(&pc);
	pc.listen = g_strdup("stale");
	assert_true(config_load_proxy(path, &pc, bs, &bal, &err));
	assert_int_equal(bal, BALANCE_PRIORITY);
	assert_memory_equal(&pc, &def, sizeof(pc));
	assert_int_equal(bs->len, 0);
	g_free(path);

	fp = open_memstream(&text, &len);
	config_write_defaults(fp);
	fclose(fp);
	assert_non_null(strstr(text, "\n[proxy]\n"));
	assert_non_null(strstr(text, "\n# [backend origin1]\n"));
	re = g_regex_new("^#([a-z][a-z_-]* =)", G_REGEX_MULTILINE, 0, NULL);
	uncommented = g_regex_replace(re, text, -1, 0, "\\1", 0, NULL);
	g_regex_unref(re);
	path = write_conf("defaults.conf", uncommented);
	bal = BALANCE_ROUND_ROBIN;
	assert_true(config_load_proxy(path, &pc, bs, &bal, &err));
	assert_int_equal(bal, BALANCE_PRIORITY);
	assert_memory_equal(&pc, &def, sizeof(pc));
	assert_int_equal(bs->len, 0);
	g_free(path);
	g_free(uncommented);

	/* The example group, uncommented, is a good backend. */
	re = g_regex_new("^# ?(\\[backend|[a-z_]+ =)", G_REGEX_MULTILINE, 0,
	    NULL);
	uncommented = g_regex_replace(re, strstr(text, "# [backend"), -1, 0,
	    "\\1", 0, NULL);
	g_regex_unref(re);
	path = write_conf("example.conf", uncommented);
	assert_true(config_load_proxy(path, &pc, bs, &bal, &err));
	assert_int_equal(bs->len, 1);
	assert_string_equal(backend_at(bs, 0)->name, "origin1");
	assert_int_equal(backend_at(bs, 0)->port, 1936);
	g_free(path);
	g_free(uncommented);
	free(text);
	proxy_config_clear(&pc);
	backends_free(bs);
}

/* The error of a file is exactly "PATH" followed by suffix. */
static void
expect_error(const char *text, const char *suffix)
{
	struct proxy_config pc;
	enum balance bal = BALANCE_ROUND_ROBIN;
	GArray *bs = backends_new();
	struct backend_config flag;
	struct options opts;
	struct health_config health;
	GError *err = NULL;
	char *path, *want;

	path = write_conf("bad.conf", text);
	proxy_config_defaults(&pc);
	pc.max_connections = 7;
	assert_true(backend_config_from_flag("127.0.0.1:1935", 0, &flag,
	    &err));
	g_array_append_val(bs, flag);
	assert_false(config_load_proxy(path, &pc, bs, &bal, &err));
	assert_non_null(err);
	assert_int_equal(err->domain, CONFIG_ERROR);
	want = g_strconcat(path, suffix, NULL);
	assert_string_equal(err->message, want);
	g_clear_error(&err);
	/* Nothing changed: a reload keeps the old settings. */
	assert_int_equal(pc.max_connections, 7);
	assert_int_equal(bal, BALANCE_ROUND_ROBIN);
	assert_int_equal(bs->len, 1);

	/* config_load() finds the same problem (but the flag's name). */
	if (strstr(suffix, "by --backend") == NULL) {
		memset(&opts, 0, sizeof(opts));
		assert_false(config_load(path, &opts, &health, &err));
		assert_string_equal(err->message, want);
		g_clear_error(&err);
		options_clear(&opts);
	}
	g_free(want);
	proxy_config_clear(&pc);
	backends_free(bs);
	g_free(path);
}

static void
test_config_errors(void **state)
{
	expect_error("[proxy]\nbalance = random\n",
	    ":2: [proxy] balance: 'random' is not a balance (priority, "
	    "round-robin or least-sessions)");
	expect_error("[proxy]\nmax_connections = 0\n",
	    ":2: [proxy] max_connections: '0' is not a positive integer");
	expect_error("[proxy]\nconnect_timeout_ms = 3s\n",
	    ":2: [proxy] connect_timeout_ms: '3s' is not a positive integer");
	expect_error("[proxy]\nqueue_bytes = 4294967296\n",
	    ":2: [proxy] queue_bytes: '4294967296' is too large "
	    "(at most 4294967295)");
	expect_error("[proxy]\nhold_down_ms = -1\n",
	    ":2: [proxy] hold_down_ms: '-1' is not a non-negative integer");
	expect_error("[proxy]\nlisten = localhost\n",
	    ":2: [proxy] listen: 'localhost' is not an address "
	    "(ADDR:PORT or :PORT)");
	expect_error("[proxy]\nlisten = :0\n",
	    ":2: [proxy] listen: ':0' is not an address (ADDR:PORT or :PORT)");
	expect_error("[proxy]\nlisten = :1935\nlisten = :1936\n",
	    ":3: [proxy] listen: given twice");
	expect_error("[proxy]\nbackend = 1.2.3.4:1935\n",
	    ":2: unknown key 'backend' in [proxy]");
	expect_error("[proxy]\n[backend]\naddress = h:1\n",
	    ":2: [backend]: '' is not a backend name (letters, digits and "
	    "._-:[]): [backend NAME]");
	expect_error("[backend a b]\naddress = h:1\n",
	    ":1: [backend a b]: 'a b' is not a backend name (letters, digits "
	    "and ._-:[]): [backend NAME]");
	expect_error("[backends]\n", ":1: unknown group [backends]");
	expect_error("# none\n[backend a]\nweight = 2\n",
	    ":2: [backend a] address: missing (HOST:PORT)");
	expect_error("[backend a]\naddress = origin\n",
	    ":2: [backend a] address: 'origin' is not an address (HOST:PORT)");
	expect_error("[backend a]\naddress = origin:0\n",
	    ":2: [backend a] address: 'origin:0' is not an address "
	    "(HOST:PORT)");
	expect_error("[backend a]\naddress = [::1]:99999\n",
	    ":2: [backend a] address: '[::1]:99999' is not an address "
	    "(HOST:PORT)");
	expect_error("[backend a]\naddress = h:1\ncheck = icmp\n",
	    ":3: [backend a] check: 'icmp' is not a check (none, tcp, "
	    "handshake or connect)");
	expect_error("[backend a]\naddress = h:1\n\ncheck = connect\n",
	    ":4: [backend a] check_app: needed with check = connect");
	expect_error("[backend a]\naddress = h:1\npriority = -1\n",
	    ":3: [backend a] priority: '-1' is not a non-negative integer");
	expect_error("[backend a]\naddress = h:1\npriority = 2147483648\n",
	    ":3: [backend a] priority: '2147483648' is too large "
	    "(at most 2147483647)");
	expect_error("[backend a]\naddress = h:1\nweight = 0\n",
	    ":3: [backend a] weight: '0' is not a positive integer");
	expect_error("[backend a]\naddress = h:1\nrise = x\n",
	    ":3: [backend a] rise: 'x' is not a positive integer");
	expect_error("[backend a]\naddress = h:1\nfall = 0\n",
	    ":3: [backend a] fall: '0' is not a positive integer");
	expect_error("[backend a]\naddress = h:1\ninterval_ms = 0\n",
	    ":3: [backend a] interval_ms: '0' is not a positive integer");
	expect_error("[backend a]\naddress = h:1\ntimeout_ms = 1.5\n",
	    ":3: [backend a] timeout_ms: '1.5' is not a positive integer");
	expect_error("[backend a]\naddress = h:1\nadress = h:2\n",
	    ":3: unknown key 'adress' in [backend a]");
	expect_error("[backend a]\naddress = h:1\n[backend b]\naddress = h:2\n"
	    "[backend a]\naddress = h:3\n",
	    ":6: [backend a] address: given twice");
	expect_error("[backend x]\naddress = h:1\n[backend 127.0.0.1:1935]\n"
	    "address = h:2\n",
	    ":3: [backend 127.0.0.1:1935]: a backend named '127.0.0.1:1935' "
	    "is already given (by --backend)");
	expect_error("[backend a]\naddress = h:1\ncheck_app[fr] = x\n",
	    ":3: unknown key 'check_app[fr]' in [backend a]");
	/* Other groups are checked too. */
	expect_error("[backend a]\naddress = h:1\n[health]\nstall_ms = 0\n",
	    ":4: [health] stall_ms: '0' is not a positive integer");
}

static int
group_setup(void **state)
{
	changes = g_array_new(FALSE, FALSE, sizeof(struct change));
	tmpdir = g_dir_make_tmp("test-backends-XXXXXX", NULL);
	return tmpdir == NULL ? -1 : 0;
}

static int
group_teardown(void **state)
{
	GDir *dir;
	const char *name;
	char *path;

	changes_reset();
	g_array_free(changes, TRUE);
	if ((dir = g_dir_open(tmpdir, 0, NULL)) != NULL) {
		while ((name = g_dir_read_name(dir)) != NULL) {
			path = g_build_filename(tmpdir, name, NULL);
			g_unlink(path);
			g_free(path);
		}
		g_dir_close(dir);
	}
	g_rmdir(tmpdir);
	g_free(tmpdir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_priority),
		cmocka_unit_test(test_round_robin),
		cmocka_unit_test(test_least_sessions),
		cmocka_unit_test(test_passive),
		cmocka_unit_test(test_check_tcp),
		cmocka_unit_test(test_check_refused_then_rise),
		cmocka_unit_test(test_check_handshake),
		cmocka_unit_test(test_check_handshake_fails),
		cmocka_unit_test(test_check_fall),
		cmocka_unit_test(test_check_connect),
		cmocka_unit_test(test_hold_down),
		cmocka_unit_test(test_reload),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_config_good),
		cmocka_unit_test(test_config_defaults),
		cmocka_unit_test(test_config_errors),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
