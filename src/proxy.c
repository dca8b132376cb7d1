/*
 * The relay of proxy mode: see proxy.h.
 *
 * A connection is a client peer and an upstream (a backend peer, the
 * backend it belongs to and the state of its connect).  Each peer owns the
 * queue of the bytes waiting to be written to it, so the upstream can be
 * replaced whole while the client and the session stay.
 *
 * Bytes read from one peer are fed to the session, then written to the
 * other at once when its queue is empty (the usual case: no copy, no
 * wait); what the kernel does not take is queued.  A peer is read only
 * while the other peer's queue is under queue_bytes, and never more than
 * the room left, so a queue never holds more than queue_bytes.
 *
 * Every socket is polled through one GSource whose events follow what the
 * peer wants (g_source_modify_unix_fd): a GSocket source has its condition
 * fixed at creation and would have to be destroyed and made again at every
 * turn of the backpressure.  A peer that wants nothing is not polled at
 * all, so a hung-up socket cannot wake the loop while it waits.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <gio/gio.h>

#include "proxy.h"
#include "rtmp-encode.h"
#include "splice.h"

#define PROXY_READ_MAX		65536	/* bytes read per wake-up at most */
#define PROXY_ACCEPT_MAX	64	/* connections accepted per wake-up */
#define PROXY_TICK_MS		100	/* timeouts are checked this often */
#define PROXY_BACKLOG		1024
#define MOVES_KEPT		16	/* redirect times kept per connection */

struct conn;

/* One socket of a connection and the bytes waiting to be written to it. */
struct peer {
	struct conn	*conn;
	int		 side;		/* of the session: 0 client, 1 backend */
	GSocket		*sock;
	GSource		*src;
	gpointer	 tag;		/* the fd in src; NULL: not polled */
	GIOCondition	 events;
	GByteArray	*outq;		/* NULL when empty */
	size_t		 outq_off;	/* bytes of outq already written */
	bool		 eof;		/* it will send no more */
	bool		 shut;		/* we will send it no more */
};

/* The backend side: what a swap of backends replaces. */
struct upstream {
	struct peer	 peer;
	struct backend	*backend;
	GSocketAddress	*addr;
	GCancellable	*resolving;	/* a host name being resolved */
	double		 connect_start;
	bool		 connected;
	bool		 answered;	/* connect answered: told the pool */
};

struct conn {
	struct proxy	*proxy;
	GList		 link;		/* in proxy->conns */
	struct peer	 client;
	struct upstream	*up;
	struct endpoint	 client_ep;
	struct session	*session;	/* NULL until the backend answers */
	bool		 feeding;	/* the session still wants bytes */
	double		 accepted;
	double		 last_io;
	unsigned	 tries;		/* backends tried */

	/* Redirects (see splice.h for the failover). */
	struct replay	 replay;	/* learned from every message */
	struct splice	*splice;	/* the upstream speaks through it */
	struct chunk_writer to_client;	/* ours, from the first move on */
	bool		 rewriting;	/* the first move has happened */
	bool		 moving;	/* a redirect under way: move */
	struct session_redirect move;
	double		 move_media;	/* last media before it, or 0 */
	double		 attempt_start;	/* of the current backend */
	const struct backend *avoid;	/* the backend moved away from */
	/* A redirect decided inside a feed, made when the feed returns. */
	const char	*trigger;
	const char	*deferred;	/* decided outside a feed */
	char		 trigger_detail[160];
	bool		 cut_placed;	/* the deciding message's offset */
	uint64_t	 cut;
	double		 moves[MOVES_KEPT];	/* when, a ring */
	unsigned	 nmoves;
	bool		 end_when_flushed;	/* the client gets its last bytes */
	double		 end_by;	/* a client asked to reconnect */
};

struct proxy {
	struct proxy_config	 cfg;
	struct backend_pool	*pool;
	struct session_table	*sessions;
	GSocket			*listener;
	GSource			*accept_src;
	GSource			*tick;
	GQueue			 conns;
	struct proxy_stats	 stats;
	struct {
		proxy_event_fn	 fn;
		void		*ctx;
	}			 watchers[PROXY_WATCHERS];
	/* proxy_drain */
	void			 (*drain_done)(void *);
	void			*drain_ctx;
	GSource			*drain_timer;
	uint8_t			 buf[PROXY_READ_MAX];
};

static void	conn_update(struct conn *);
static void	conn_end(struct conn *, enum session_end);
static void	upstream_start(struct conn *, const struct backend *avoid);
static void	upstream_free(struct proxy *, struct upstream *);
static void	conn_redirect(struct conn *, const char *reason,
		    const char *detail);
static bool	conn_backend_lost(struct conn *, const char *reason,
		    const char *detail);
static void	conn_splice_flush(struct conn *);
static void	move_finish(struct conn *, const char *outcome,
		    const char *detail);
static void	conn_move_failed(struct conn *, const char *detail);
static bool	conn_to_client(struct conn *, const uint8_t *, size_t);

static double
wall_now(void)
{
	return (double)g_get_real_time() / 1e6;
}

/* "ADDR:PORT", "[ADDR6]:PORT" or ":PORT" (every address). */
static GSocketAddress *
parse_listen(const char *spec, GError **err)
{
	g_autofree char *host = NULL;
	g_autoptr(GInetAddress) ia = NULL;
	const char *colon = strrchr(spec, ':');
	char *end;
	unsigned long port;
	size_t hlen;

	if (colon == NULL || colon[1] == '\0')
		goto bad;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || port == 0 || port > 65535)
		goto bad;
	hlen = (size_t)(colon - spec);
	if (hlen >= 2 && spec[0] == '[' && spec[hlen - 1] == ']')
		host = g_strndup(spec + 1, hlen - 2);
	else
		host = g_strndup(spec, hlen);
	if (host[0] == '\0')
		ia = g_inet_address_new_any(G_SOCKET_FAMILY_IPV4);
	else
		ia = g_inet_address_new_from_string(host);
	if (ia == NULL)
		goto bad;
	return g_inet_socket_address_new(ia, (guint16)port);
bad:
	g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
	    "--listen: '%s' is not ADDR:PORT (an IP address and a port)",
	    spec);
	return NULL;
}

static void
endpoint_from_address(GSocketAddress *sa, struct endpoint *ep)
{
	GInetAddress *ia;
	gsize n;

	memset(ep, 0, sizeof(*ep));
	if (sa == NULL || !G_IS_INET_SOCKET_ADDRESS(sa))
		return;
	ia = g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(sa));
	ep->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(sa));
	n = g_inet_address_get_native_size(ia);
	ep->family = n == 4 ? 4 : 6;
	memcpy(ep->addr, g_inet_address_to_bytes(ia), MIN(n, sizeof(ep->addr)));
}

void
proxy_watch(struct proxy *px, proxy_event_fn fn, void *ctx)
{
	size_t i;

	for (i = 0; i < PROXY_WATCHERS; i++)
		if (px->watchers[i].fn == NULL) {
			px->watchers[i].fn = fn;
			px->watchers[i].ctx = ctx;
			return;
		}
}

/* Tells the watchers what the proxy did to a client, and why. */
static void
proxy_tell(struct proxy *px, const struct endpoint *client,
    const struct backend *b, uint64_t session, const char *what,
    const char *fmt, ...) G_GNUC_PRINTF(6, 7);

static void
proxy_tell(struct proxy *px, const struct endpoint *client,
    const struct backend *b, uint64_t session, const char *what,
    const char *fmt, ...)
{
	struct proxy_event ev;
	va_list ap;
	size_t i;

	memset(&ev, 0, sizeof(ev));
	ev.at = wall_now();
	ev.what = what;
	endpoint_format(client, ev.client, sizeof(ev.client));
	ev.backend = b != NULL ? b->cfg.name : NULL;
	ev.session = session;
	va_start(ap, fmt);
	vsnprintf(ev.detail, sizeof(ev.detail), fmt, ap);
	va_end(ap);
	for (i = 0; i < PROXY_WATCHERS; i++)
		if (px->watchers[i].fn != NULL)
			px->watchers[i].fn(px->watchers[i].ctx, &ev);
}

/* Peers: a socket polled for what it wants, and its queue. */

static size_t
peer_queued(const struct peer *p)
{
	return p->outq == NULL ? 0 : p->outq->len - p->outq_off;
}

static void	peer_ready(struct peer *, GIOCondition);

struct peer_source {
	GSource		 base;
	struct peer	*peer;
};

static gboolean
peer_dispatch(GSource *src, GSourceFunc fn, gpointer data)
{
	struct peer *p = ((struct peer_source *)src)->peer;

	if (p->tag != NULL)
		peer_ready(p, g_source_query_unix_fd(src, p->tag));
	return G_SOURCE_CONTINUE;
}

static GSourceFuncs peer_source_funcs = {
	.dispatch = peer_dispatch,
};

static void
peer_init(struct peer *p, struct conn *c, int side, GSocket *sock)
{
	memset(p, 0, sizeof(*p));
	p->conn = c;
	p->side = side;
	p->sock = sock;
	g_socket_set_blocking(sock, FALSE);
	p->src = g_source_new(&peer_source_funcs, sizeof(struct peer_source));
	((struct peer_source *)p->src)->peer = p;
	g_source_attach(p->src, NULL);
}

static void
peer_poll(struct peer *p, GIOCondition want)
{
	if (want == p->events && (want == 0) == (p->tag == NULL))
		return;
	if (want == 0) {
		g_source_remove_unix_fd(p->src, p->tag);
		p->tag = NULL;
	} else if (p->tag == NULL)
		p->tag = g_source_add_unix_fd(p->src,
		    g_socket_get_fd(p->sock), want);
	else
		g_source_modify_unix_fd(p->src, p->tag, want);
	p->events = want;
}

/* A reset passes on as a reset: close without lingering. */
static void
peer_abort(struct peer *p)
{
	struct linger l = { 1, 0 };

	if (p->sock != NULL)
		(void)setsockopt(g_socket_get_fd(p->sock), SOL_SOCKET,
		    SO_LINGER, &l, sizeof(l));
}

static void
peer_close(struct peer *p)
{
	if (p->src != NULL) {
		g_source_destroy(p->src);
		g_source_unref(p->src);
		p->src = NULL;
		p->tag = NULL;
	}
	if (p->sock != NULL) {
		(void)g_socket_close(p->sock, NULL);
		g_object_unref(p->sock);
		p->sock = NULL;
	}
	if (p->outq != NULL)
		g_byte_array_unref(p->outq);
	p->outq = NULL;
}

/*
 * Writes what the queue holds, then, from data, what the kernel takes;
 * the rest of data is queued.  False when the peer is gone.
 */
static bool
peer_write(struct peer *p, const uint8_t *data, size_t len)
{
	g_autoptr(GError) e = NULL;
	gssize n;

	if (peer_queued(p) > 0) {
		n = g_socket_send(p->sock, (const char *)p->outq->data +
		    p->outq_off, peer_queued(p), NULL, &e);
		if (n < 0 && !g_error_matches(e, G_IO_ERROR,
		    G_IO_ERROR_WOULD_BLOCK))
			return false;
		g_clear_error(&e);
		if (n > 0)
			p->outq_off += (size_t)n;
		if (peer_queued(p) == 0) {
			/* Empty: give the memory back, idle sessions are many. */
			g_byte_array_unref(p->outq);
			p->outq = NULL;
			p->outq_off = 0;
		} else if (p->outq_off >= p->outq->len / 2) {
			g_byte_array_remove_range(p->outq, 0, p->outq_off);
			p->outq_off = 0;
		}
	}
	if (len > 0 && peer_queued(p) == 0) {
		n = g_socket_send(p->sock, (const char *)data, len, NULL, &e);
		if (n < 0 && !g_error_matches(e, G_IO_ERROR,
		    G_IO_ERROR_WOULD_BLOCK))
			return false;
		if (n > 0) {
			data += n;
			len -= (size_t)n;
		}
	}
	if (len > 0) {
		if (p->outq == NULL)
			p->outq = g_byte_array_sized_new(len);
		g_byte_array_append(p->outq, data, len);
	}
	return true;
}

/* Connections. */

static struct peer *
conn_other(struct conn *c, struct peer *p)
{
	return p == &c->client ? &c->up->peer : &c->client;
}

/*
 * What each peer waits for: to be read while the other peer has room in
 * its queue, to be written while its own queue holds bytes.  The client
 * is not read before a backend has answered: its bytes wait in the kernel.
 */
static void
conn_update(struct conn *c)
{
	unsigned limit = c->proxy->cfg.queue_bytes;
	struct peer *cl = &c->client, *be;
	GIOCondition want;

	if (c->up == NULL) {
		/* Sent elsewhere: the client's last bytes, then its close. */
		peer_poll(cl, (peer_queued(cl) > 0 ? G_IO_OUT : 0) |
		    (cl->eof ? 0 : G_IO_IN));
		return;
	}
	be = &c->up->peer;
	if (!c->up->connected) {
		peer_poll(cl, 0);
		if (be->sock != NULL)
			peer_poll(be, G_IO_OUT);
		return;
	}
	want = 0;
	if (!cl->eof && !be->shut && peer_queued(be) < limit)
		want |= G_IO_IN;
	if (peer_queued(cl) > 0)
		want |= G_IO_OUT;
	peer_poll(cl, want);
	want = 0;
	if (!be->eof && !cl->shut && peer_queued(cl) < limit)
		want |= G_IO_IN;
	if (peer_queued(be) > 0)
		want |= G_IO_OUT;
	peer_poll(be, want);
}

/* A peer that sent its last byte: the other is told once it has it all. */
static void
conn_pass_eof(struct conn *c)
{
	struct peer *p[2];
	int i;

	if (c->up == NULL) {
		if (c->client.eof)
			conn_end(c, SESSION_END_CLOSED);
		else
			conn_update(c);
		return;
	}
	p[0] = &c->client;
	p[1] = &c->up->peer;
	for (i = 0; i < 2; i++) {
		struct peer *to = p[1 - i];

		if (p[i]->eof && !to->shut && peer_queued(to) == 0) {
			(void)g_socket_shutdown(to->sock, FALSE, TRUE, NULL);
			to->shut = true;
		}
	}
	if (p[0]->eof && p[1]->eof && p[0]->shut && p[1]->shut)
		conn_end(c, SESSION_END_CLOSED);
	else
		conn_update(c);
}

static bool
connect_rejected(const struct session *s)
{
	guint i;

	for (i = 0; i < s->problems->len; i++)
		if (strcmp(g_array_index(s->problems, struct session_problem,
		    i).kind, "connect_rejected") == 0)
			return true;
	return false;
}

static void
conn_feed(struct conn *c, int side, const uint8_t *data, size_t len)
{
	struct session *s = c->session;

	if (s == NULL || !c->feeding)
		return;
	c->feeding = session_feed(s, side, data, len, c->last_io);
	if (!c->feeding)
		proxy_tell(c->proxy, &c->client_ep, c->up != NULL ?
		    c->up->backend : NULL, s->id, "not-rtmp", "the %s's "
		    "first bytes are no RTMP handshake (0x%02x): relayed "
		    "as they are until the idle timeout", side == 0 ?
		    "client" : "backend", len > 0 ? data[0] : 0);
	/* The backend answered a connect: its failures are no longer in a row. */
	if (side == 1 && !c->up->answered && s->connect_answered) {
		c->up->answered = true;
		if (!connect_rejected(s))
			backend_pool_mark_ok(c->proxy->pool, c->up->backend);
	}
}

/*
 * A backend that resets, closes or does not answer before the handshake is
 * through fails the session: the pool is told (a passive mark).
 */
static void
conn_blame_backend(struct conn *c, const char *why)
{
	struct session *s = c->session;

	/* A client that left first (a port probe, say) is not the backend's
	 * fault: its close is only the echo. */
	if (c->client.eof || s == NULL || s->dirs[DIR_C2S].bytes == 0)
		return;
	if (s->state == SESSION_UNDECIDED || s->state == SESSION_HANDSHAKE)
		backend_pool_mark_failed(c->proxy->pool, c->up->backend, why);
}

/*
 * A redirect decided on a message of the backend (an onStatus error, a
 * connect refused) stopped the feed right after it: the client gets what
 * came before that message, never the message itself (unless it began
 * in an earlier read, already passed on).  Returns the bytes to pass.
 */
static size_t
conn_cut(struct conn *c, uint64_t pos_before)
{
	struct session *s = c->session;
	uint64_t pos_after = s->dirs[DIR_S2C].demux.pos;

	if (!c->cut_placed || c->cut < pos_before || c->cut > pos_after)
		return s->fed;
	return s->fed - (size_t)(pos_after - c->cut);
}

/* The client: bytes of its own, or after a move what the proxy writes. */
static bool
conn_to_client(struct conn *c, const uint8_t *data, size_t len)
{
	conn_feed(c, 1, data, len);
	return peer_write(&c->client, data, len);
}

/*
 * A write failed: a backend that is gone is lost as if it had reset (a
 * publisher's bytes often meet the dead socket before its reset is
 * read); a client that is gone ends the session.
 */
static void
conn_write_failed(struct conn *c, struct peer *p)
{
	if (p != &c->client && conn_backend_lost(c, "backend-reset",
	    "a write to the backend failed"))
		return;
	conn_end(c, SESSION_END_RESET);
}

static void
peer_read(struct peer *p)
{
	struct conn *c = p->conn;
	struct proxy *px = c->proxy;
	struct peer *to = c->up != NULL ? conn_other(c, p) : NULL;
	struct backend *b = c->up != NULL ? c->up->backend : NULL;
	g_autoptr(GError) e = NULL;
	size_t room = to == NULL ? sizeof(px->buf) : px->cfg.queue_bytes -
	    MIN(peer_queued(to), px->cfg.queue_bytes);
	uint64_t pos_before = 0;
	size_t pass;
	gssize n;

	if (room == 0)
		return;
	n = g_socket_receive(p->sock, (char *)px->buf,
	    MIN(room, sizeof(px->buf)), NULL, &e);
	if (n < 0) {
		if (g_error_matches(e, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
			return;
		if (p->side == 1 && conn_backend_lost(c, "backend-reset",
		    e->message))
			return;
		if (p->side == 1)
			conn_blame_backend(c, e->message);
		conn_end(c, SESSION_END_RESET);
		return;
	}
	if (n == 0) {
		if (p->side == 1 && conn_backend_lost(c, "backend-close",
		    "the backend closed the connection"))
			return;
		if (p->side == 1)
			conn_blame_backend(c, "closed during the handshake");
		p->eof = true;
		conn_pass_eof(c);
		return;
	}
	c->last_io = wall_now();
	if (p == &c->client) {
		px->stats.bytes_c2b += (uint64_t)n;
		if (b != NULL)
			b->bytes_to += (uint64_t)n;
	} else {
		px->stats.bytes_b2c += (uint64_t)n;
		b->bytes_from += (uint64_t)n;
	}
	if (to == NULL) {
		/* Sent elsewhere: what the client still says is only seen. */
		conn_feed(c, 0, px->buf, (size_t)n);
		return;
	}
	if (c->rewriting) {
		/* Messages, not bytes: the splice rewrites both ways. */
		if (p->side == 1) {
			splice_from_backend(c->splice, px->buf, (size_t)n);
		} else {
			conn_feed(c, 0, px->buf, (size_t)n);
			splice_acknowledge_client(c->splice,
			    c->session->dirs[DIR_C2S].bytes);
		}
		conn_splice_flush(c);
		return;
	}
	if (p->side == 1 && c->session != NULL)
		pos_before = c->session->dirs[DIR_S2C].demux.pos;
	conn_feed(c, p->side, px->buf, (size_t)n);
	pass = (size_t)n;
	if (c->trigger != NULL && p->side == 1)
		pass = conn_cut(c, pos_before);
	if (!peer_write(to, px->buf, pass)) {
		conn_write_failed(c, to);
		return;
	}
	if (c->trigger != NULL) {
		conn_redirect(c, c->trigger, c->trigger_detail);
		return;
	}
	conn_update(c);
}

static void	upstream_connected(struct conn *);

static void
peer_ready(struct peer *p, GIOCondition got)
{
	struct conn *c = p->conn;

	if (c->up != NULL && p == &c->up->peer && !c->up->connected) {
		upstream_connected(c);
		return;
	}
	if ((got & G_IO_OUT) != 0 || ((got & (G_IO_ERR | G_IO_HUP)) != 0 &&
	    (p->events & G_IO_IN) == 0)) {
		c->last_io = wall_now();
		if (!peer_write(p, NULL, 0)) {
			conn_write_failed(c, p);
			return;
		}
		if (peer_queued(p) == 0 && c->end_when_flushed &&
		    p == &c->client) {
			conn_end(c, SESSION_END_CLOSED);
			return;
		}
		if (peer_queued(p) == 0 && c->up != NULL &&
		    conn_other(c, p)->eof) {
			conn_pass_eof(c);
			return;
		}
		if ((got & (G_IO_ERR | G_IO_HUP)) != 0 &&
		    (p->events & G_IO_IN) == 0 && peer_queued(p) > 0) {
			/* Hung up with bytes still for it: they go nowhere. */
			conn_end(c, SESSION_END_RESET);
			return;
		}
		conn_update(c);
	}
	if ((got & (G_IO_IN | G_IO_ERR | G_IO_HUP)) != 0 &&
	    (p->events & G_IO_IN) != 0)
		peer_read(p);
}

/* Upstreams: a backend picked, connected to, or given up on. */

static void
upstream_free(struct proxy *px, struct upstream *up)
{
	if (up == NULL)
		return;
	if (up->resolving != NULL) {
		g_cancellable_cancel(up->resolving);
		g_object_unref(up->resolving);
	}
	peer_close(&up->peer);
	backend_session_end(px->pool, up->backend);
	g_clear_object(&up->addr);
	g_free(up);
}

/* The backend did not answer: mark it and try another. */
static void
upstream_failed(struct conn *c, const char *why)
{
	struct proxy *px = c->proxy;
	struct backend *b = c->up->backend;

	px->stats.backend_failures++;
	backend_pool_mark_failed(px->pool, b, why);
	upstream_free(px, c->up);
	c->up = NULL;
	upstream_start(c, b);
}

static void
upstream_connect(struct conn *c)
{
	struct upstream *up = c->up;
	g_autoptr(GError) e = NULL;
	GSocket *sock;

	sock = g_socket_new(g_socket_address_get_family(up->addr),
	    G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &e);
	if (sock == NULL) {
		upstream_failed(c, e->message);
		return;
	}
	peer_init(&up->peer, c, 1, sock);
	g_socket_set_option(sock, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
	if (g_socket_connect(sock, up->addr, NULL, &e) ||
	    g_error_matches(e, G_IO_ERROR, G_IO_ERROR_PENDING)) {
		conn_update(c);
		return;
	}
	upstream_failed(c, e->message);
}

static void
upstream_resolved(GObject *obj, GAsyncResult *res, gpointer data)
{
	g_autoptr(GError) e = NULL;
	GList *addrs;
	struct conn *c;

	addrs = g_resolver_lookup_by_name_finish(G_RESOLVER(obj), res, &e);
	if (g_error_matches(e, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;		/* the connection is gone */
	c = data;
	g_clear_object(&c->up->resolving);
	if (addrs == NULL) {
		upstream_failed(c, e->message);
		return;
	}
	c->up->addr = g_inet_socket_address_new(addrs->data,
	    c->up->backend->cfg.port);
	g_resolver_free_addresses(addrs);
	upstream_connect(c);
}

/*
 * A backend for the connection, never `avoid` (the one that just failed);
 * the client is closed when none is up or every one has been tried.
 */
static void
upstream_start(struct conn *c, const struct backend *avoid)
{
	struct proxy *px = c->proxy;
	g_autoptr(GPtrArray) all = backend_pool_list(px->pool);
	g_autoptr(GInetAddress) ia = NULL;
	struct upstream *up;
	struct backend *b;

	b = backend_pool_pick(px->pool, avoid);
	if (b == NULL || c->tries++ >= all->len) {
		if (c->moving) {
			conn_move_failed(c, b == NULL ? "no backend is up" :
			    "every backend was tried");
			return;
		}
		px->stats.refused++;
		proxy_tell(px, &c->client_ep, NULL, 0, "refused", "%s",
		    b == NULL ? "no backend is up" : "every backend was tried");
		conn_end(c, SESSION_END_CLOSED);
		return;
	}
	up = g_new0(struct upstream, 1);
	/* Counted from now: a reload keeps the backend while it is used. */
	up->backend = b;
	backend_session_begin(px->pool, b);
	up->connect_start = c->attempt_start = wall_now();
	c->up = up;
	ia = g_inet_address_new_from_string(b->cfg.host);
	if (ia != NULL) {
		up->addr = g_inet_socket_address_new(ia, b->cfg.port);
		upstream_connect(c);
		return;
	}
	up->resolving = g_cancellable_new();
	g_resolver_lookup_by_name_async(g_resolver_get_default(), b->cfg.host,
	    up->resolving, upstream_resolved, c);
}

/* The connect finished: relay, and the session begins. */
static void
upstream_connected(struct conn *c)
{
	struct proxy *px = c->proxy;
	struct upstream *up = c->up;
	g_autoptr(GError) e = NULL;
	struct endpoint be;

	if (!g_socket_check_connect_result(up->peer.sock, &e)) {
		upstream_failed(c, e->message);
		return;
	}
	up->connected = true;
	c->last_io = wall_now();
	if (c->moving) {
		/* The new backend of a move: the splice speaks to it. */
		g_free(c->session->backend);
		c->session->backend = g_strdup(up->backend->cfg.name);
		splice_begin(c->splice);
		conn_splice_flush(c);
		return;
	}
	endpoint_from_address(up->addr, &be);
	c->session = session_open(px->sessions, &c->client_ep, &be, true,
	    c->last_io);
	c->session->backend = g_strdup(up->backend->cfg.name);
	c->session->owner = c;
	c->feeding = true;
	conn_update(c);
}

static void
conn_end(struct conn *c, enum session_end how)
{
	struct proxy *px = c->proxy;

	if (c->moving)
		move_finish(c, "failed", "the client left during the move");
	if (c->splice != NULL) {
		splice_free(c->splice);
		g_free(c->splice);
	}
	replay_clear(&c->replay);
	if (c->session != NULL)
		c->session->owner = NULL;
	if (how == SESSION_END_RESET) {
		peer_abort(&c->client);
		if (c->up != NULL)
			peer_abort(&c->up->peer);
	}
	upstream_free(px, c->up);
	peer_close(&c->client);
	if (c->session != NULL)
		session_end(c->session, how, wall_now());
	g_queue_unlink(&px->conns, &c->link);
	px->stats.active--;
	g_free(c);
	if (px->drain_done != NULL && px->conns.length == 0) {
		void (*done)(void *) = px->drain_done;

		px->drain_done = NULL;
		done(px->drain_ctx);
	}
}

/* Redirects: when, how, and what is recorded. */

static bool
conn_can_move(const struct conn *c)
{
	const struct session *s = c->session;

	return s != NULL && s->state == SESSION_ACTIVE && s->connect_seen &&
	    c->up != NULL && c->up->connected && !c->client.eof &&
	    c->end_by == 0 && !c->end_when_flushed;
}

/*
 * Enhanced RTMP: bit 0 of connect's capsEx says the client follows a
 * NetConnection.Connect.ReconnectRequest.  capsEx is any AMF number off the
 * wire, so it is range-checked before it is taken as bits.
 */
static bool
client_can_reconnect(const struct session *s)
{
	return s->has_caps_ex && s->caps_ex >= 0 && s->caps_ex <= UINT32_MAX &&
	    ((uint32_t)s->caps_ex & 1U) != 0;
}

static void
move_begin(struct conn *c, const char *reason, const char *detail)
{
	struct session_redirect *r = &c->move;
	const struct session *s = c->session;

	memset(r, 0, sizeof(*r));
	r->at = wall_now();
	r->from = g_strdup(c->up != NULL ? c->up->backend->cfg.name : "");
	r->reason = reason;
	r->mode = redirect_mode_name(c->proxy->cfg.redirect);
	r->detail = g_strdup(detail);
	r->media_gap_ms = r->switch_ms = -1;
	/* The last media: the client's own for a publisher. */
	c->move_media = s->media.last_t > 0 && (s->media.video_frames > 0 ||
	    s->media.audio_frames > 0) ? s->media.last_t : 0;
	c->moving = true;
}

static void
move_finish(struct conn *c, const char *outcome, const char *detail)
{
	struct proxy *px = c->proxy;
	struct session_redirect *r = &c->move;
	double now = wall_now();
	bool moved = strcmp(outcome, "moved") == 0;

	if (!c->moving)
		return;
	c->moving = false;
	r->outcome = outcome;
	if (moved && c->up != NULL) {
		g_free(r->to);
		r->to = g_strdup(c->up->backend->cfg.name);
		r->switch_ms = (now - r->at) * 1000;
		if (c->move_media > 0)
			r->media_gap_ms = (now - c->move_media) * 1000;
	}
	if (detail != NULL) {
		g_free(r->detail);
		r->detail = g_strdup(detail);
	}
	if (session_redirect_succeeded(r))
		px->stats.redirects++;
	else
		px->stats.redirects_failed++;
	if (c->session != NULL)
		session_add_redirect(c->session, r);
	g_free(r->from);
	g_free(r->to);
	g_free(r->detail);
	memset(r, 0, sizeof(*r));
	c->moves[c->nmoves++ % MOVES_KEPT] = now;
}

static void
conn_move_failed(struct conn *c, const char *detail)
{
	move_finish(c, "failed", detail);
	conn_end(c, SESSION_END_RESET);
}

/*
 * From the first move on, the proxy writes to the client itself: first
 * what completes the messages the old backend left half sent, then its
 * own chunks, with the chunk size the client already has.
 */
static bool
conn_take_over_client(struct conn *c)
{
	struct session *s = c->session;
	struct chunk_demux *d = &s->dirs[DIR_S2C].demux;
	g_autoptr(GByteArray) pad = g_byte_array_new();

	if (c->rewriting)
		return true;
	if (!splice_complete_partials(d, pad))
		return false;
	chunk_writer_init(&c->to_client);
	chunk_writer_set_chunk_size(&c->to_client, d->chunk_size);
	c->rewriting = true;
	s->dirs[DIR_C2S].demux.keep_all = true;
	c->splice = g_new0(struct splice, 1);
	splice_init(c->splice, &c->replay, &c->to_client);
	splice_acknowledge_client(c->splice, s->dirs[DIR_C2S].bytes);
	return pad->len == 0 || conn_to_client(c, pad->data, pad->len);
}

/* rtmp://HOST:PORT/APP of a backend, for the client to go to. */
static char *
backend_url(const struct backend *b, const struct session *s)
{
	bool v6 = strchr(b->cfg.host, ':') != NULL;

	return g_strdup_printf("rtmp://%s%s%s:%u/%s", v6 ? "[" : "",
	    b->cfg.host, v6 ? "]" : "", b->cfg.port,
	    s->app != NULL ? s->app : "");
}

/*
 * The legacy redirect of Flash Media Server and SRS: the connect refused,
 * with where to go instead.
 *
 *   "_error", txn of connect, null,
 *   { level: "error", code: "NetConnection.Connect.Rejected",
 *     description, ex: { code: 302, redirect: "rtmp://HOST:PORT/APP" } }
 *
 * Enhanced RTMP v2 Reconnect, for a client whose connect had capsEx & 1:
 *
 *   "onStatus", 0, null,
 *   { level: "status", code: "NetConnection.Connect.ReconnectRequest",
 *     description, tcUrl: "rtmp://HOST:PORT/APP" }
 */
static bool
conn_send_elsewhere(struct conn *c, const struct backend *to, bool rtmp302)
{
	g_autoptr(GByteArray) body = g_byte_array_new();
	g_autoptr(GByteArray) out = g_byte_array_new();
	g_autofree char *url = backend_url(to, c->session);

	enc_amf0_string(body, rtmp302 ? "_error" : "onStatus");
	enc_amf0_number(body, rtmp302 ? c->session->connect_txn : 0);
	enc_amf0_null(body);
	enc_amf0_object_begin(body);
	enc_amf0_prop_string(body, "level", rtmp302 ? "error" : "status");
	enc_amf0_prop_string(body, "code", rtmp302 ?
	    "NetConnection.Connect.Rejected" :
	    "NetConnection.Connect.ReconnectRequest");
	enc_amf0_prop_string(body, "description", rtmp302 ?
	    "Redirected to another server" : "Reconnect to another server");
	if (rtmp302) {
		enc_amf0_key(body, "ex");
		enc_amf0_object_begin(body);
		enc_amf0_prop_number(body, "code", 302);
		enc_amf0_prop_string(body, "redirect", url);
		enc_amf0_object_end(body);
	} else {
		enc_amf0_prop_string(body, "tcUrl", url);
	}
	enc_amf0_object_end(body);
	(void)chunk_writer_message(&c->to_client, out, 3, RTMP_COMMAND_AMF0, 0,
	    0, body->data, body->len);
	return conn_to_client(c, out->data, out->len);
}

/* Failover: the next backend, through a new splice. */
static void
conn_failover(struct conn *c)
{
	struct proxy *px = c->proxy;
	const struct backend *old = c->up->backend;

	upstream_free(px, c->up);
	c->up = NULL;
	splice_free(c->splice);
	splice_init(c->splice, &c->replay, &c->to_client);
	c->tries = 0;
	upstream_start(c, old);
}

/* Moves in the last minute: the flapping guard. */
static unsigned
conn_recent_moves(const struct conn *c, double now)
{
	unsigned i, n = 0;

	for (i = 0; i < MIN(c->nmoves, MOVES_KEPT); i++)
		if (now - c->moves[i] < 60)
			n++;
	return n;
}

static void
conn_redirect(struct conn *c, const char *reason, const char *detail)
{
	struct proxy *px = c->proxy;
	struct session *s = c->session;
	enum redirect_mode mode = px->cfg.redirect;
	bool lost = strncmp(reason, "backend-", 8) == 0 &&
	    strcmp(reason, "backend-down") != 0;
	struct backend *next;
	double now = wall_now();
	unsigned recent;
	char why[64];

	c->trigger = NULL;
	if (c->moving)
		return;
	recent = conn_recent_moves(c, now);
	if (recent >= px->cfg.redirect_max_per_minute) {
		if (!lost)
			return;		/* it stays where it is */
		snprintf(why, sizeof(why), "moved %u times in a minute",
		    recent);
		move_begin(c, reason, detail);
		conn_move_failed(c, why);
		return;
	}
	/*
	 * While its backend is still there, a session only moves when it has
	 * somewhere to go: stalled, it may yet recover where it is.
	 */
	if (!lost && backend_pool_pick(px->pool, c->up->backend) == NULL)
		return;
	move_begin(c, reason, detail);
	if (mode == REDIRECT_RECONNECT && !client_can_reconnect(s))
		mode = REDIRECT_FAILOVER;	/* the client cannot */
	if (mode == REDIRECT_RTMP302 && replay_connect_answered(&c->replay))
		mode = REDIRECT_FAILOVER;	/* only at connect time */
	c->move.mode = redirect_mode_name(mode);
	if (mode == REDIRECT_DROP) {
		move_finish(c, "dropped", NULL);
		conn_end(c, SESSION_END_CLOSED);
		return;
	}
	if (!conn_take_over_client(c)) {
		conn_move_failed(c, "what the old backend left half sent cannot be "
		    "completed");
		return;
	}
	if (mode == REDIRECT_FAILOVER) {
		conn_failover(c);
		return;
	}
	next = backend_pool_pick(px->pool, c->up->backend);
	if (next == NULL) {
		conn_move_failed(c, "no other backend is up");
		return;
	}
	if (!conn_send_elsewhere(c, next, mode == REDIRECT_RTMP302)) {
		conn_move_failed(c, "the client is gone");
		return;
	}
	c->move.to = g_strdup(next->cfg.name);
	upstream_free(px, c->up);
	c->up = NULL;
	move_finish(c, "redirected", NULL);
	if (mode == REDIRECT_RTMP302) {
		/* Closed once the client has the answer. */
		c->end_when_flushed = true;
		if (peer_queued(&c->client) == 0) {
			conn_end(c, SESSION_END_CLOSED);
			return;
		}
	} else {
		/* The client closes and reconnects; it has this long. */
		c->end_by = now + px->cfg.handshake_timeout_ms / 1000.0;
	}
	conn_update(c);
}

/*
 * The backend closed or reset the connection: a moved session goes on
 * elsewhere (true); otherwise the caller passes the close on.
 */
static bool
conn_backend_lost(struct conn *c, const char *reason, const char *detail)
{
	struct proxy *px = c->proxy;
	struct backend *b;

	if (c->up == NULL || c->client.eof)
		return false;
	b = c->up->backend;
	if (c->moving) {
		/* The new backend failed before the session was through. */
		backend_pool_mark_failed(px->pool, b, detail);
		upstream_free(px, c->up);
		c->up = NULL;
		splice_free(c->splice);
		splice_init(c->splice, &c->replay, &c->to_client);
		upstream_start(c, b);
		return true;
	}
	if (!conn_can_move(c) || (px->cfg.redirect_on & RULE_BACKEND_CLOSE) == 0)
		return false;
	backend_pool_mark_failed(px->pool, b, detail);
	conn_redirect(c, reason, detail);
	return true;
}

/* The splice's bytes go out; how it went decides what comes next. */
static void
conn_splice_flush(struct conn *c)
{
	struct proxy *px = c->proxy;
	struct splice *sp = c->splice;
	struct backend *b;
	bool ok;

	if (sp->to_client->len > 0) {
		ok = conn_to_client(c, sp->to_client->data, sp->to_client->len);
		g_byte_array_set_size(sp->to_client, 0);
		if (!ok) {
			conn_end(c, SESSION_END_RESET);
			return;
		}
	}
	if (c->up != NULL && c->up->connected && sp->to_backend->len > 0) {
		ok = peer_write(&c->up->peer, sp->to_backend->data,
		    sp->to_backend->len);
		g_byte_array_set_size(sp->to_backend, 0);
		if (!ok && conn_backend_lost(c, "backend-reset",
		    "a write to the backend failed"))
			return;
		if (!ok) {
			conn_end(c, SESSION_END_RESET);
			return;
		}
	}
	if (sp->state == SPLICE_FAILED && c->up != NULL) {
		if (!c->moving) {
			/* Relaying again, the new backend failed in turn. */
			conn_redirect(c, sp->reason, sp->detail);
			return;
		}
		/* This backend will not do: the next one. */
		b = c->up->backend;
		if (strcmp(sp->reason, "stream-error") != 0)
			backend_pool_mark_failed(px->pool, b, sp->detail);
		upstream_free(px, c->up);
		c->up = NULL;
		splice_free(sp);
		splice_init(sp, &c->replay, &c->to_client);
		upstream_start(c, b);
		return;
	}
	if (c->moving && (sp->media || (sp->state == SPLICE_READY &&
	    !replay_is_player(&c->replay) &&
	    !replay_is_publisher(&c->replay))))
		move_finish(c, "moved", NULL);
	conn_update(c);
}

/*
 * The session layer's messages: what the replay learns, what a moved
 * client says, and the redirects that a backend's message decides.
 */
static void
proxy_on_message(void *ctx, const struct session *cs, enum rtmp_dir dir,
    const struct rtmp_message *m, const struct field_record *f,
    enum msg_status status)
{
	struct session *s = (struct session *)cs;
	struct conn *c = s->owner;
	struct proxy *px = ctx;
	const char *reason = NULL, *code;
	size_t len;
	double txn;

	if (c == NULL || c->proxy != px)
		return;
	if (dir == DIR_C2S) {
		replay_client_message(&c->replay, m, f, s->now);
		/* Sent elsewhere (c->up NULL), what it says goes nowhere. */
		if (c->rewriting && c->up != NULL)
			splice_from_client(c->splice, m, f);
		return;
	}
	if (!c->rewriting && c->trigger == NULL && !c->moving &&
	    (m->type == RTMP_COMMAND_AMF0 || m->type == RTMP_COMMAND_AMF3)) {
		if (field_record_is(f, "name", "_error") &&
		    field_record_number(f, "txn", &txn) &&
		    txn == s->connect_txn &&
		    (px->cfg.redirect_on & RULE_CONNECT_REJECTED) != 0)
			reason = "connect-rejected";
		else if (field_record_is(f, "name", "onStatus") &&
		    field_record_is(f, "level", "error") &&
		    (px->cfg.redirect_on & RULE_STREAM_ERROR) != 0)
			reason = "stream-error";
		if (reason != NULL && conn_can_move(c)) {
			/* Made when the feed returns, without this message. */
			code = field_record_string(f, "code", &len);
			c->trigger = reason;
			snprintf(c->trigger_detail, sizeof(c->trigger_detail),
			    "%.*s", code != NULL ? (int)len : 0,
			    code != NULL ? code : "");
			c->cut = m->offset;
			c->cut_placed = m->placed;
			session_stop_feed(s, DIR_S2C);
			return;
		}
	}
	replay_server_message(&c->replay, m, f, s->now);
	(void)status;
}

/* A ping the client sent that the backend left unanswered. */
static void
proxy_on_problem(void *ctx, const struct session *cs, enum rtmp_dir dir,
    const char *kind, const char *detail)
{
	struct session *s = (struct session *)cs;
	struct conn *c = s->owner;

	if (c == NULL || c->proxy != ctx || dir != DIR_C2S ||
	    strcmp(kind, "ping_timeout") != 0 ||
	    (c->proxy->cfg.redirect_on & RULE_PING_TIMEOUT) == 0)
		return;
	c->deferred = "ping-timeout";
	g_strlcpy(c->trigger_detail, detail, sizeof(c->trigger_detail));
}

/* The redirects that time decides: checked at every tick. */
static void
conn_check_moves(struct conn *c, double now)
{
	struct proxy *px = c->proxy;
	const struct session *s = c->session;
	const struct session_stream *st;
	double since;
	char detail[96];

	if (c->moving) {
		if ((now - c->attempt_start) * 1000 >=
		    px->cfg.connect_timeout_ms + px->cfg.handshake_timeout_ms &&
		    c->up != NULL && c->up->connected)
			conn_backend_lost(c, "stall", "the new backend did not "
			    "start the stream in time");
		return;
	}
	if (c->end_by > 0 && now >= c->end_by) {
		conn_end(c, SESSION_END_CLOSED);
		return;
	}
	if (!conn_can_move(c))
		return;
	if (c->deferred != NULL) {
		const char *reason = c->deferred;

		c->deferred = NULL;
		conn_redirect(c, reason, c->trigger_detail);
		return;
	}
	if (c->up->backend->state == BACKEND_DOWN &&
	    (px->cfg.redirect_on & RULE_BACKEND_DOWN) != 0) {
		conn_redirect(c, "backend-down", "the checks put the backend "
		    "down");
		return;
	}
	/* A player still playing that has had no media for too long. */
	st = session_main_stream(s);
	if ((px->cfg.redirect_on & RULE_STALL) == 0 || st == NULL ||
	    st->role != ROLE_PLAY || st->closed)
		return;
	/* A client that does not take its bytes stalls itself, not the
	 * backend: while it holds bytes back, the backend is not read. */
	if (peer_queued(&c->client) > 0)
		return;
	since = MAX(c->replay.last_media_to_client, c->replay.play_sent);
	if (c->nmoves > 0)
		since = MAX(since, c->moves[(c->nmoves - 1) % MOVES_KEPT]);
	if (since > 0 && (now - since) * 1000 >= px->cfg.redirect_stall_ms) {
		snprintf(detail, sizeof(detail), "no media for %.0f ms",
		    (now - since) * 1000);
		conn_redirect(c, "stall", detail);
	}
}

bool
proxy_redirect(struct proxy *px, uint64_t id, const char **why)
{
	struct conn *c;
	GList *l;

	for (l = px->conns.head; l != NULL; l = l->next) {
		c = l->data;
		if (c->session == NULL || c->session->id != id)
			continue;
		if (c->moving) {
			*why = "a move is under way";
			return false;
		}
		if (!conn_can_move(c)) {
			*why = "the session is not relaying yet";
			return false;
		}
		if (conn_recent_moves(c, wall_now()) >=
		    px->cfg.redirect_max_per_minute) {
			*why = "moved redirect_max_per_minute times in the "
			    "last minute";
			return false;
		}
		if (backend_pool_pick(px->pool, c->up->backend) == NULL) {
			*why = "no other backend is up";
			return false;
		}
		conn_redirect(c, "manual", "asked by hand");
		return true;
	}
	*why = "no such session in the proxy";
	return false;
}

/* Accepting. */

static void
proxy_accept_one(struct proxy *px, GSocket *sock)
{
	g_autoptr(GSocketAddress) remote = NULL;
	struct endpoint ep;
	struct conn *c;

	remote = g_socket_get_remote_address(sock, NULL);
	endpoint_from_address(remote, &ep);
	if (px->stats.active >= px->cfg.max_connections) {
		px->stats.refused++;
		proxy_tell(px, &ep, NULL, 0, "refused", "%u connections open "
		    "(max_connections)", px->cfg.max_connections);
		(void)g_socket_close(sock, NULL);
		g_object_unref(sock);
		return;
	}
	px->stats.accepted++;
	px->stats.active++;
	c = g_new0(struct conn, 1);
	c->proxy = px;
	c->link.data = c;
	replay_init(&c->replay);
	g_queue_push_tail_link(&px->conns, &c->link);
	peer_init(&c->client, c, 0, sock);
	g_socket_set_option(sock, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
	c->client_ep = ep;
	c->accepted = c->last_io = wall_now();
	upstream_start(c, NULL);
}

static gboolean
proxy_accept(GSocket *ls, GIOCondition cond, gpointer data)
{
	struct proxy *px = data;
	GSocket *sock;
	int i;

	for (i = 0; i < PROXY_ACCEPT_MAX; i++) {
		sock = g_socket_accept(ls, NULL, NULL);
		if (sock == NULL)
			break;
		proxy_accept_one(px, sock);
	}
	return G_SOURCE_CONTINUE;
}

/* Timeouts: connect, handshake, idle. */
static gboolean
proxy_tick(gpointer data)
{
	struct proxy *px = data;
	double now = wall_now();
	GList *l, *next;
	struct conn *c;

	for (l = px->conns.head; l != NULL; l = next) {
		next = l->next;
		c = l->data;
		if (c->up != NULL && !c->up->connected) {
			if ((now - c->up->connect_start) * 1000 >=
			    px->cfg.connect_timeout_ms)
				upstream_failed(c, "connect timed out");
			continue;
		}
		if (c->session != NULL && c->feeding &&
		    (c->session->state == SESSION_UNDECIDED ||
		    c->session->state == SESSION_HANDSHAKE) &&
		    (now - c->accepted) * 1000 >= px->cfg.handshake_timeout_ms) {
			/* The client said C0C1 and the backend said nothing. */
			bool mute = c->session->dirs[DIR_S2C].bytes == 0 &&
			    c->session->dirs[DIR_C2S].bytes > 0;

			if (mute)
				conn_blame_backend(c, "no answer to C0C1");
			proxy_tell(px, &c->client_ep, c->up != NULL ?
			    c->up->backend : NULL, c->session->id,
			    "handshake-timeout", "handshake "
			    "not done after %u ms (handshake_timeout_ms)%s",
			    px->cfg.handshake_timeout_ms, mute ? ": the "
			    "backend did not answer C0C1" : "");
			conn_end(c, SESSION_END_CLOSED);
		}
		else if ((now - c->last_io) * 1000 >= px->cfg.idle_timeout_ms) {
			proxy_tell(px, &c->client_ep, c->up != NULL ?
			    c->up->backend : NULL, c->session != NULL ?
			    c->session->id : 0, "idle-timeout", "no byte "
			    "either way for %u ms (idle_timeout_ms)",
			    px->cfg.idle_timeout_ms);
			conn_end(c, SESSION_END_CLOSED);
		}
		else
			conn_check_moves(c, now);
	}
	return G_SOURCE_CONTINUE;
}

struct proxy *
proxy_new(const struct proxy_config *cfg, struct backend_pool *pool,
    struct session_table *sessions, GError **err)
{
	g_autoptr(GSocketAddress) addr = NULL;
	struct proxy *px;

	if (cfg->listen == NULL) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
		    "--listen: no address");
		return NULL;
	}
	if ((addr = parse_listen(cfg->listen, err)) == NULL)
		return NULL;
	px = g_new0(struct proxy, 1);
	px->pool = pool;
	px->sessions = sessions;
	session_table_observe(sessions, &(struct session_observer){
	    .message = proxy_on_message, .problem = proxy_on_problem,
	    .ctx = px });
	proxy_set_config(px, cfg);
	px->listener = g_socket_new(g_socket_address_get_family(addr),
	    G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, err);
	if (px->listener == NULL)
		goto fail;
	g_socket_set_blocking(px->listener, FALSE);
	g_socket_set_listen_backlog(px->listener, PROXY_BACKLOG);
	if (!g_socket_bind(px->listener, addr, TRUE, err) ||
	    !g_socket_listen(px->listener, err)) {
		g_prefix_error(err, "--listen %s: ", cfg->listen);
		goto fail;
	}
	px->accept_src = g_socket_create_source(px->listener, G_IO_IN, NULL);
	g_source_set_callback(px->accept_src, G_SOURCE_FUNC(proxy_accept), px,
	    NULL);
	g_source_attach(px->accept_src, NULL);
	px->tick = g_timeout_source_new(PROXY_TICK_MS);
	g_source_set_callback(px->tick, proxy_tick, px, NULL);
	g_source_attach(px->tick, NULL);
	return px;
fail:
	g_clear_object(&px->listener);
	proxy_config_clear(&px->cfg);
	g_free(px);
	return NULL;
}

void
proxy_set_config(struct proxy *px, const struct proxy_config *cfg)
{
	char *listen = px->cfg.listen;

	px->cfg = *cfg;
	px->cfg.listen = listen != NULL ? listen : g_strdup(cfg->listen);
	if (px->cfg.queue_bytes == 0)
		px->cfg.queue_bytes = 1;
}

static void
proxy_stop_accepting(struct proxy *px)
{
	if (px->accept_src != NULL) {
		g_source_destroy(px->accept_src);
		g_source_unref(px->accept_src);
		px->accept_src = NULL;
	}
	if (px->listener != NULL) {
		(void)g_socket_close(px->listener, NULL);
		g_clear_object(&px->listener);
	}
}

static void
proxy_close_all(struct proxy *px)
{
	while (px->conns.head != NULL)
		conn_end(px->conns.head->data, SESSION_END_CLOSED);
}

static gboolean
proxy_drain_expired(gpointer data)
{
	struct proxy *px = data;

	g_source_unref(px->drain_timer);
	px->drain_timer = NULL;
	proxy_close_all(px);	/* the last one calls drain_done */
	return G_SOURCE_REMOVE;
}

static gboolean
proxy_drained(gpointer data)
{
	struct proxy *px = data;
	void (*done)(void *) = px->drain_done;

	px->drain_done = NULL;
	if (done != NULL)
		done(px->drain_ctx);
	return G_SOURCE_REMOVE;
}

void
proxy_drain(struct proxy *px, void (*done)(void *), void *ctx)
{
	proxy_stop_accepting(px);
	px->drain_done = done;
	px->drain_ctx = ctx;
	if (px->conns.length == 0) {
		/* Told from the loop, as when the last connection ends. */
		g_idle_add(proxy_drained, px);
		return;
	}
	if (px->drain_timer == NULL) {
		px->drain_timer = g_timeout_source_new(px->cfg.drain_timeout_ms);
		g_source_set_callback(px->drain_timer, proxy_drain_expired, px,
		    NULL);
		g_source_attach(px->drain_timer, NULL);
	}
}

const struct proxy_stats *
proxy_get_stats(const struct proxy *px)
{
	return &px->stats;
}

void
proxy_free(struct proxy *px)
{
	if (px == NULL)
		return;
	px->drain_done = NULL;
	proxy_stop_accepting(px);
	proxy_close_all(px);
	if (px->drain_timer != NULL) {
		g_source_destroy(px->drain_timer);
		g_source_unref(px->drain_timer);
	}
	g_source_destroy(px->tick);
	g_source_unref(px->tick);
	g_idle_remove_by_data(px);
	proxy_config_clear(&px->cfg);
	g_free(px);
}
