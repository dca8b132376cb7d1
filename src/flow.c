/*
 * TCP connections and their reassembly (see flow.h for the rules).
 *
 * Connections live in a hash table keyed by their canonical 4-tuple, and on
 * a list ordered by last activity so that the least recently active one can
 * be evicted in O(1).  The last connection looked up is cached: consecutive
 * packets of a capture usually belong to the same connection.
 *
 * Each direction keeps the next sequence number it expects.  In-order data
 * goes to the session layer straight from the packet buffer; only segments
 * that arrive ahead of a hole are copied, into a list sorted by sequence
 * number, until the hole fills or is declared a gap.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <glib.h>

#include "hard-limits.h"
#include "flow.h"

/* An out-of-order segment, copied out of the packet buffer. */
struct flow_held {
	struct flow_held	*next;
	uint32_t		 seq;
	uint32_t		 caplen;	/* bytes in data[] */
	uint32_t		 len;		/* bytes on the wire */
	double			 t;		/* when it arrived */
	uint8_t			 data[];
};

struct flow_dir {
	struct flow_held	*head;		/* sorted by seq */
	struct flow_held	*tail;
	size_t			 held_bytes;
	unsigned		 held_count;
	double			 oldest_t;	/* arrival of the oldest held */
	uint32_t		 next_seq;
	uint32_t		 isn;
	bool			 seq_known;
	bool			 syn_seen;
	bool			 fin_seen;
	uint32_t		 fin_seq;	/* the FIN's sequence number */
	bool			 finished;	/* every byte before the FIN is in */
};

/*
 * The 4-tuple with the lower (address, port) first, so that both
 * directions find the same connection.  Every byte is set, padding
 * included: the key is hashed and compared as raw memory.
 */
struct flow_key {
	uint8_t		 addr[2][16];
	uint16_t	 port[2];
	uint8_t		 family;
	uint8_t		 pad[3];
};

struct flow {
	struct flow_key	 key;
	struct endpoint	 side[2];
	void		*session;
	struct flow_dir	 dir[2];
	struct flow	*newer;		/* activity list */
	struct flow	*older;
	bool		 carried_data;
	bool		 data_off;	/* the session layer wants no more */
};

struct flow_table {
	const struct flow_ops	*ops;
	void			*ctx;
	GHashTable		*flows;
	struct flow		*last;		/* last looked up */
	struct flow		*newest;
	struct flow		*oldest;
	unsigned		 count;
	size_t			 held_total;
	double			 next_sweep;	/* next age check, capture time */
	struct flow_stats	 stats;
};

/* Capture seconds between scans of every connection for old holes. */
#define FLOW_SWEEP_SECONDS	1.0

static void	flow_drain(struct flow_table *, struct flow *, int, double);

static inline bool
flow_endpoint_equal(const struct endpoint *a, const struct endpoint *b)
{
	if (a->port != b->port || a->family != b->family)
		return false;
	return memcmp(a->addr, b->addr, a->family == 6 ? 16 : 4) == 0;
}

static int
flow_endpoint_cmp(const struct endpoint *a, const struct endpoint *b)
{
	int	r;

	r = memcmp(a->addr, b->addr, a->family == 6 ? 16 : 4);
	if (r != 0)
		return r;
	return (int)a->port - (int)b->port;
}

static void
flow_key_make(struct flow_key *key, const struct endpoint *a,
    const struct endpoint *b)
{
	size_t	alen = a->family == 6 ? 16 : 4;

	memset(key, 0, sizeof *key);
	key->family = a->family;
	if (flow_endpoint_cmp(a, b) > 0) {
		const struct endpoint *tmp = a;

		a = b;
		b = tmp;
	}
	memcpy(key->addr[0], a->addr, alen);
	memcpy(key->addr[1], b->addr, alen);
	key->port[0] = a->port;
	key->port[1] = b->port;
}

static guint
flow_key_hash(gconstpointer p)
{
	const uint8_t	*k = p;
	uint32_t	 h = 2166136261U, w;
	size_t		 i;

	/* The key is a whole number of words: mix them in one by one. */
	G_STATIC_ASSERT(sizeof(struct flow_key) % 4 == 0);
	for (i = 0; i < sizeof(struct flow_key); i += 4) {
		memcpy(&w, k + i, 4);
		h = (h ^ w) * 16777619U;
		h ^= h >> 15;
	}
	return h;
}

static gboolean
flow_key_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct flow_key)) == 0;
}

/* Activity list: newest at the front, evictions from the back. */
static void
flow_lru_unlink(struct flow_table *ft, struct flow *f)
{
	if (f->newer != NULL)
		f->newer->older = f->older;
	else
		ft->newest = f->older;
	if (f->older != NULL)
		f->older->newer = f->newer;
	else
		ft->oldest = f->newer;
	f->newer = f->older = NULL;
}

static void
flow_lru_push(struct flow_table *ft, struct flow *f)
{
	f->newer = NULL;
	f->older = ft->newest;
	if (ft->newest != NULL)
		ft->newest->newer = f;
	ft->newest = f;
	if (ft->oldest == NULL)
		ft->oldest = f;
}

static void
flow_held_free(struct flow_table *ft, struct flow_dir *d)
{
	struct flow_held	*h, *next;

	for (h = d->head; h != NULL; h = next) {
		next = h->next;
		g_free(h);
	}
	ft->held_total -= d->held_bytes;
	d->head = d->tail = NULL;
	d->held_bytes = 0;
	d->held_count = 0;
}

/* The session layer wants no more data: keep tracking, hold nothing. */
static void
flow_stop_data(struct flow_table *ft, struct flow *f)
{
	f->data_off = true;
	flow_held_free(ft, &f->dir[0]);
	flow_held_free(ft, &f->dir[1]);
}

static void
flow_report_gap(struct flow_table *ft, struct flow *f, int side,
    uint64_t lost, double t)
{
	ft->stats.gaps++;
	ft->stats.gap_bytes += lost;
	ft->ops->gap(ft->ctx, f->session, side, lost, t);
}

/*
 * Hands bytes that are next in sequence to the session layer; the part of
 * the segment that the snapshot length cut is a gap at once.  Returns false
 * when the session layer wants no more.
 */
static bool
flow_deliver(struct flow_table *ft, struct flow *f, int side,
    const uint8_t *bytes, uint32_t caplen, uint32_t len, double t)
{
	if (caplen > 0 &&
	    !ft->ops->data(ft->ctx, f->session, side, bytes, caplen, t)) {
		flow_stop_data(ft, f);
		return false;
	}
	if (caplen < len)
		flow_report_gap(ft, f, side, len - caplen, t);
	return true;
}

static void
flow_oldest_update(struct flow_dir *d)
{
	struct flow_held	*h;

	if (d->head == NULL)
		return;
	d->oldest_t = d->head->t;
	for (h = d->head->next; h != NULL; h = h->next)
		if (h->t < d->oldest_t)
			d->oldest_t = h->t;
}

/* Delivers the held segments that the next expected byte has reached. */
static void
flow_drain(struct flow_table *ft, struct flow *f, int side, double t)
{
	struct flow_dir		*d = &f->dir[side];
	struct flow_held	*h;
	uint32_t		 off, cut;
	bool			 ok, oldest_gone = false;

	while ((h = d->head) != NULL &&
	    (int32_t)(h->seq - d->next_seq) <= 0) {
		if (h->t <= d->oldest_t)
			oldest_gone = true;
		d->head = h->next;
		if (d->head == NULL)
			d->tail = NULL;
		d->held_bytes -= h->caplen;
		d->held_count--;
		ft->held_total -= h->caplen;

		off = d->next_seq - h->seq;
		if (off >= h->len) {
			ft->stats.retransmitted_bytes += h->len;
			g_free(h);
			continue;
		}
		ft->stats.retransmitted_bytes += off;
		cut = off < h->caplen ? off : h->caplen;
		d->next_seq = h->seq + h->len;
		ft->stats.out_of_order_segments++;
		ok = flow_deliver(ft, f, side, h->data + cut, h->caplen - cut,
		    h->len - off, t);
		g_free(h);
		if (!ok)
			return;
	}
	if (oldest_gone)
		flow_oldest_update(d);
}

/* Declares the first hole of a direction lost and delivers what follows. */
static void
flow_gap_first(struct flow_table *ft, struct flow *f, int side, double t)
{
	struct flow_dir		*d = &f->dir[side];
	struct flow_held	*h = d->head;

	if (h == NULL)
		return;
	if ((int32_t)(h->seq - d->next_seq) > 0) {
		flow_report_gap(ft, f, side, h->seq - d->next_seq, t);
		d->next_seq = h->seq;
	}
	flow_drain(ft, f, side, t);
}

/* Delivers everything held, in order, with a gap before each hole. */
static void
flow_flush(struct flow_table *ft, struct flow *f, int side, double t)
{
	while (f->dir[side].head != NULL)
		flow_gap_first(ft, f, side, t);
}

static void
flow_check_age(struct flow_table *ft, struct flow *f, int side, double t)
{
	struct flow_dir	*d = &f->dir[side];

	while (d->head != NULL && t - d->oldest_t > LIMIT_TCP_HOLE_SECONDS)
		flow_gap_first(ft, f, side, t);
}

static void
flow_check_limits(struct flow_table *ft, struct flow *f, int side, double t)
{
	struct flow_dir	*d = &f->dir[side];
	struct flow	*g;

	if (d->held_bytes > LIMIT_TCP_HELD_BYTES ||
	    d->held_count > LIMIT_TCP_HELD_SEGMENTS) {
		ft->stats.held_limit_hits++;
		while (d->head != NULL &&
		    (d->held_bytes > LIMIT_TCP_HELD_BYTES ||
		    d->held_count > LIMIT_TCP_HELD_SEGMENTS))
			flow_gap_first(ft, f, side, t);
	}
	if (ft->held_total > LIMIT_TCP_HELD_TOTAL) {
		/* This direction first, then the least recently active. */
		ft->stats.held_limit_hits++;
		flow_flush(ft, f, side, t);
		for (g = ft->oldest; g != NULL &&
		    ft->held_total > LIMIT_TCP_HELD_TOTAL; g = g->newer) {
			flow_flush(ft, g, 0, t);
			flow_flush(ft, g, 1, t);
		}
	}
}

/*
 * Copies a segment that starts beyond the next expected byte into the
 * direction's sorted list.  Segments usually arrive in order after a hole,
 * so the tail is tried first.
 */
static void
flow_hold(struct flow_table *ft, struct flow *f, int side, uint32_t seq,
    const uint8_t *bytes, uint32_t caplen, uint32_t len, double t)
{
	struct flow_dir		*d = &f->dir[side];
	struct flow_held	*h, *prev, *cur;

	prev = NULL;
	if (d->tail != NULL && (int32_t)(seq - d->tail->seq) > 0) {
		if ((int32_t)(d->tail->seq + d->tail->len - (seq + len)) >= 0) {
			ft->stats.retransmitted_bytes += len;
			return;
		}
		prev = d->tail;
	} else {
		for (cur = d->head; cur != NULL; prev = cur, cur = cur->next) {
			if ((int32_t)(cur->seq - seq) > 0)
				break;
			/* Already held whole: a retransmission. */
			if ((int32_t)(cur->seq + cur->len - (seq + len)) >= 0) {
				ft->stats.retransmitted_bytes += len;
				return;
			}
		}
	}

	h = g_malloc(sizeof *h + caplen);
	h->seq = seq;
	h->caplen = caplen;
	h->len = len;
	h->t = t;
	if (caplen > 0)
		memcpy(h->data, bytes, caplen);
	if (prev == NULL) {
		h->next = d->head;
		d->head = h;
	} else {
		h->next = prev->next;
		prev->next = h;
	}
	if (h->next == NULL)
		d->tail = h;
	if (d->held_count == 0 || t < d->oldest_t)
		d->oldest_t = t;
	d->held_bytes += caplen;
	d->held_count++;
	ft->held_total += caplen;
}

static void
flow_data(struct flow_table *ft, struct flow *f, int side, uint32_t seq,
    const uint8_t *bytes, uint32_t caplen, uint32_t len, double t)
{
	struct flow_dir	*d = &f->dir[side];
	int32_t		 off;
	uint32_t	 cut;

	f->carried_data = true;
	if (!d->seq_known) {
		d->next_seq = seq;
		d->seq_known = true;
	}
	if (f->data_off || d->finished)
		return;
	/* Nothing is sent after a FIN: bytes beyond it are nonsense. */
	if (d->fin_seen && (int32_t)(seq + len - d->fin_seq) > 0) {
		if ((int32_t)(seq - d->fin_seq) >= 0)
			return;
		len = d->fin_seq - seq;
		caplen = caplen < len ? caplen : len;
	}

	off = (int32_t)(d->next_seq - seq);
	if (off < 0) {
		flow_hold(ft, f, side, seq, bytes, caplen, len, t);
		flow_check_limits(ft, f, side, t);
		return;
	}
	if (off > 0) {
		/* Starts before the next expected byte: trim what was seen. */
		if ((uint32_t)off >= len) {
			ft->stats.retransmitted_bytes += len;
			return;
		}
		ft->stats.retransmitted_bytes += (uint32_t)off;
		cut = (uint32_t)off < caplen ? (uint32_t)off : caplen;
		bytes += cut;
		caplen -= cut;
		len -= (uint32_t)off;
		seq = d->next_seq;
	}
	d->next_seq = seq + len;
	if (!flow_deliver(ft, f, side, bytes, caplen, len, t))
		return;
	if (d->head != NULL)
		flow_drain(ft, f, side, t);
}

/* Flushes what is held, tells the session layer and forgets the flow. */
static void
flow_end(struct flow_table *ft, struct flow *f, enum flow_end how, double t)
{
	struct flow_dir	*d;
	int		 side;

	for (side = 0; side < 2; side++) {
		flow_flush(ft, f, side, t);
		/* Bytes between the last delivered and a FIN never came. */
		d = &f->dir[side];
		if (d->fin_seen && !f->data_off &&
		    (int32_t)(d->fin_seq - d->next_seq) > 0) {
			flow_report_gap(ft, f, side, d->fin_seq - d->next_seq,
			    t);
			d->next_seq = d->fin_seq;
		}
	}
	ft->ops->end(ft->ctx, f->session, how, t);
	flow_held_free(ft, &f->dir[0]);
	flow_held_free(ft, &f->dir[1]);
	if (ft->last == f)
		ft->last = NULL;
	flow_lru_unlink(ft, f);
	g_hash_table_remove(ft->flows, &f->key);
	ft->count--;
	g_free(f);
}

/*
 * A direction is finished once every byte before its FIN was delivered or
 * declared lost; the connection ends when both are.  Returns true when the
 * flow is gone.
 */
static bool
flow_try_finish(struct flow_table *ft, struct flow *f, int side, double t)
{
	struct flow_dir	*d = &f->dir[side];

	if (!d->fin_seen || d->finished)
		return false;
	/* A connection whose data is not wanted needs no byte of it. */
	if (!f->data_off && (d->head != NULL ||
	    (int32_t)(d->fin_seq - d->next_seq) > 0))
		return false;
	d->finished = true;
	if (!f->dir[!side].finished)
		return false;
	flow_end(ft, f, FLOW_END_CLOSED, t);
	return true;
}

static struct flow *
flow_find(struct flow_table *ft, const struct tcp_segment *seg, int *side)
{
	struct flow	*f = ft->last;
	struct flow_key	 key;

	if (f != NULL) {
		if (flow_endpoint_equal(&seg->src, &f->side[0]) &&
		    flow_endpoint_equal(&seg->dst, &f->side[1])) {
			*side = 0;
			return f;
		}
		if (flow_endpoint_equal(&seg->src, &f->side[1]) &&
		    flow_endpoint_equal(&seg->dst, &f->side[0])) {
			*side = 1;
			return f;
		}
	}
	flow_key_make(&key, &seg->src, &seg->dst);
	f = g_hash_table_lookup(ft->flows, &key);
	if (f == NULL)
		return NULL;
	*side = flow_endpoint_equal(&seg->src, &f->side[0]) ? 0 : 1;
	ft->last = f;
	return f;
}

static struct flow *
flow_create(struct flow_table *ft, const struct tcp_segment *seg, int *side)
{
	struct flow	*f;
	bool		 syn = (seg->flags & TCP_SYN) != 0;

	if (ft->count >= LIMIT_SESSIONS && ft->oldest != NULL) {
		ft->stats.evictions++;
		flow_end(ft, ft->oldest, FLOW_END_EVICTED, seg->t);
	}

	f = g_new0(struct flow, 1);
	if (syn && (seg->flags & TCP_ACK) != 0) {
		/*
		 * The SYN was missed but the SYN+ACK names the client: it is
		 * side 0, and the ACK number is its next sequence number.
		 */
		f->side[0] = seg->dst;
		f->side[1] = seg->src;
		f->dir[0].next_seq = seg->ack;
		f->dir[0].isn = seg->ack - 1;
		f->dir[0].seq_known = true;
		f->dir[0].syn_seen = true;
		*side = 1;
	} else {
		f->side[0] = seg->src;
		f->side[1] = seg->dst;
		*side = 0;
	}
	flow_key_make(&f->key, &seg->src, &seg->dst);
	g_hash_table_insert(ft->flows, &f->key, f);
	flow_lru_push(ft, f);
	ft->count++;
	ft->stats.connections++;
	ft->last = f;
	f->session = ft->ops->open(ft->ctx, &f->side[0], &f->side[1], syn,
	    seg->t);
	return f;
}

/*
 * A SYN without ACK on a known 4-tuple is a new connection when the old one
 * was closing, or when it carried data and the SYN has another initial
 * sequence number.  A repeated SYN is not.
 */
static bool
flow_is_reuse(const struct flow *f, int side, uint32_t seq)
{
	const struct flow_dir	*d = &f->dir[side];

	if (f->dir[0].fin_seen || f->dir[1].fin_seen)
		return true;
	if (!f->carried_data)
		return false;
	return !d->syn_seen || d->isn != seq;
}

static void
flow_sweep(struct flow_table *ft, double t)
{
	struct flow	*f;

	for (f = ft->oldest; f != NULL; f = f->newer) {
		if (f->dir[0].head != NULL)
			flow_check_age(ft, f, 0, t);
		if (f->dir[1].head != NULL)
			flow_check_age(ft, f, 1, t);
	}
}

void
flow_table_segment(struct flow_table *ft, const struct tcp_segment *seg)
{
	struct flow	*f;
	struct flow_dir	*d;
	uint32_t	 seq = seg->seq;
	double		 t = seg->t;
	bool		 syn, synonly;
	int		 side = 0;

	syn = (seg->flags & TCP_SYN) != 0;
	synonly = syn && (seg->flags & TCP_ACK) == 0;

	f = flow_find(ft, seg, &side);
	if (f != NULL && synonly && flow_is_reuse(f, side, seq)) {
		flow_end(ft, f, FLOW_END_CLOSED, t);
		f = NULL;
	}
	if (f == NULL) {
		/*
		 * Only a SYN or data starts following a connection: a bare
		 * ACK, FIN or RST on an unknown 4-tuple is usually the tail of
		 * one that has just ended.
		 */
		if ((seg->flags & TCP_RST) != 0 || (!syn && seg->len == 0))
			return;
		f = flow_create(ft, seg, &side);
	} else if (ft->newest != f) {
		flow_lru_unlink(ft, f);
		flow_lru_push(ft, f);
	}
	d = &f->dir[side];

	if (syn) {
		/*
		 * Before any data a new ISN replaces the old (a connection
		 * attempt repeated); after data, a late SYN+ACK must not move
		 * the stream back.
		 */
		if (!d->seq_known || (!f->carried_data && d->isn != seq)) {
			d->next_seq = seq + 1;
			d->seq_known = true;
		}
		if (!d->syn_seen || !f->carried_data) {
			d->syn_seen = true;
			d->isn = seq;
		}
		seq++;				/* the SYN takes one number */
	}
	if (seg->len > 0)
		flow_data(ft, f, side, seq, seg->payload, seg->caplen,
		    seg->len, t);
	else if (!d->seq_known && (seg->flags & TCP_FIN) != 0) {
		d->next_seq = seq;
		d->seq_known = true;
	}

	if (d->head != NULL)
		flow_check_age(ft, f, side, t);
	if (f->dir[!side].head != NULL)
		flow_check_age(ft, f, !side, t);

	if ((seg->flags & TCP_RST) != 0) {
		flow_end(ft, f, FLOW_END_RESET, t);
		f = NULL;
	} else {
		if ((seg->flags & TCP_FIN) != 0 && !d->fin_seen) {
			d->fin_seen = true;
			d->fin_seq = seq + seg->len;
		}
		/* A FIN may come before data it follows: wait for the data. */
		if (flow_try_finish(ft, f, side, t) ||
		    flow_try_finish(ft, f, !side, t))
			f = NULL;
	}

	if (ft->held_total > 0 && t >= ft->next_sweep) {
		ft->next_sweep = t + FLOW_SWEEP_SECONDS;
		flow_sweep(ft, t);
	}
}

struct flow_table *
flow_table_new(const struct flow_ops *ops, void *ctx)
{
	struct flow_table	*ft;

	ft = g_new0(struct flow_table, 1);
	ft->ops = ops;
	ft->ctx = ctx;
	ft->flows = g_hash_table_new(flow_key_hash, flow_key_equal);
	return ft;
}

void
flow_table_finish(struct flow_table *ft, double t)
{
	struct flow	*f;

	/* Both FINs seen, a hole before one never filled: closed all the same. */
	while ((f = ft->oldest) != NULL)
		flow_end(ft, f, f->dir[0].fin_seen && f->dir[1].fin_seen ?
		    FLOW_END_CLOSED : FLOW_END_OPEN, t);
}

void
flow_table_free(struct flow_table *ft)
{
	struct flow	*f, *next;

	if (ft == NULL)
		return;
	/* Without flow_table_finish the session layer hears nothing more. */
	for (f = ft->oldest; f != NULL; f = next) {
		next = f->newer;
		flow_held_free(ft, &f->dir[0]);
		flow_held_free(ft, &f->dir[1]);
		g_free(f);
	}
	g_hash_table_destroy(ft->flows);
	g_free(ft);
}

const struct flow_stats *
flow_table_stats(const struct flow_table *ft)
{
	return &ft->stats;
}
