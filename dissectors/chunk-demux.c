/*
 * RTMP chunk stream demultiplexer: see chunk.h for the wire format and the
 * contract.  Two modes:
 *
 *  - synchronised: headers are parsed in place from the caller's bytes
 *    (assembled in d->hdr only when split across feeds), payload bytes are
 *    counted and only the bytes a decoder keeps are copied;
 *  - hunting: bytes are held in d->hunt until an anchor (a header whose
 *    fields and continuation make sense) is found; the held bytes from the
 *    anchor on are then replayed in synchronised mode.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>

#include "chunk.h"
#include "cursor.h"

/* Bytes held while hunting: room for a few chunks of the largest size tried. */
#define HUNT_CAP		(256U * 1024U)

/* Largest messages a hunt believes in, by family. */
#define ANCHOR_AUDIO_MAX	(64U * 1024U)
#define ANCHOR_MEDIA_MAX	(4U * 1024U * 1024U)
#define ANCHOR_AMF_MAX		(1024U * 1024U)

/* A kept body up to this size lives inside the chunk stream slot. */
#define SMALL_BODY		32U

/* Kept bodies larger than this are freed when their message completes. */
#define BODY_RETAIN_MAX		(64U * 1024U)

#define TS_EXTENDED		0xffffffU

struct chunk_stream {
	uint32_t	 csid;
	bool		 known;		/* a fmt 0/1 header gave length, type */
	bool		 recovered;	/* timestamp base or msid guessed */
	bool		 ext;		/* the last header had an extended ts */
	bool		 in_progress;
	bool		 keep_decided;
	bool		 discard;	/* bytes of it were lost */
	uint8_t		 type;
	uint8_t		 first_fmt;
	uint32_t	 ext_field;	/* raw value of that extended ts */
	uint32_t	 ts;
	uint32_t	 delta;
	uint32_t	 len;
	uint32_t	 msid;
	uint32_t	 received;
	uint32_t	 keep;
	uint32_t	 kept;
	uint32_t	 heap_cap;
	uint8_t		*heap;
	uint64_t	 used;
	bool		 placed;	/* start is known */
	uint64_t	 start;		/* where the message began */
	uint8_t		 small[SMALL_BODY];
};

struct chunk_header {
	uint8_t		 fmt;
	uint8_t		 type;
	bool		 ext;
	uint32_t	 csid;
	uint32_t	 ts_field;	/* timestamp or delta, extended applied */
	uint32_t	 ext_field;
	uint32_t	 len;
	uint32_t	 msid;
};

enum verdict {
	VERDICT_NO,
	VERDICT_YES,
	VERDICT_MORE,		/* cannot tell without more bytes */
};

/* Chunk sizes tried when hunting without knowing the chunk size. */
static const uint32_t chunk_size_guesses[] = {
	128, 256, 512, 1000, 1024, 1200, 1300, 1400, 1448, 1500, 2048,
	4000, 4096, 5000, 8192, 10000, 16384, 32768, 60000, 65536, 131072,
};

static size_t	demux_bytes(struct chunk_demux *, const uint8_t *, size_t);
static void	message_complete(struct chunk_demux *, struct chunk_stream *);

static uint8_t *
stream_body(struct chunk_stream *s)
{
	return s->heap != NULL ? s->heap : s->small;
}

static int32_t
stream_find(const struct chunk_demux *d, uint32_t csid)
{
	uint32_t i;

	if (csid < 64)
		return (int32_t)d->low_index[csid] - 1;
	for (i = 0; i < d->nstreams; i++)
		if (d->streams[i].csid == csid)
			return (int32_t)i;
	return -1;
}

static void
stream_forget(struct chunk_demux *d, int32_t slot)
{
	struct chunk_stream *s = &d->streams[slot];

	if (s->csid < 64)
		d->low_index[s->csid] = 0;
	free(s->heap);
	memset(s, 0, sizeof(*s));
}

/* The slot of a chunk stream, created (or recycled) when new. */
static int32_t
stream_get(struct chunk_demux *d, uint32_t csid)
{
	struct chunk_stream *grown;
	int32_t slot = stream_find(d, csid);
	uint32_t i, cap;

	if (slot >= 0)
		return slot;
	if (d->nstreams < d->cap_streams) {
		slot = (int32_t)d->nstreams++;
	} else if (d->cap_streams < LIMIT_CHUNK_STREAMS) {
		cap = d->cap_streams == 0 ? 8 : d->cap_streams * 2;
		if (cap > LIMIT_CHUNK_STREAMS)
			cap = LIMIT_CHUNK_STREAMS;
		grown = realloc(d->streams, cap * sizeof(*grown));
		if (grown == NULL)
			return -1;
		d->streams = grown;
		d->cap_streams = cap;
		slot = (int32_t)d->nstreams++;
	} else {
		/* Recycle the least recently used stream but the current one. */
		slot = -1;
		for (i = 0; i < d->nstreams; i++) {
			if ((int32_t)i == d->cur)
				continue;
			if (slot < 0 || d->streams[i].used <
			    d->streams[slot].used)
				slot = (int32_t)i;
		}
		stream_forget(d, slot);
		if (d->ops->event != NULL)
			d->ops->event(d->ctx, CHUNK_EV_LIMIT,
			    LIMIT_HIT_CHUNK_STREAMS);
	}
	memset(&d->streams[slot], 0, sizeof(d->streams[slot]));
	d->streams[slot].csid = csid;
	if (csid < 64)
		d->low_index[csid] = (uint16_t)(slot + 1);
	return slot;
}

void
chunk_demux_init(struct chunk_demux *d, const struct chunk_demux_ops *ops,
    void *ctx)
{
	memset(d, 0, sizeof(*d));
	d->ops = ops;
	d->ctx = ctx;
	d->chunk_size = CHUNK_SIZE_DEFAULT;
	d->chunk_size_known = true;
	d->cur = -1;
}

void
chunk_demux_free(struct chunk_demux *d)
{
	uint32_t i;

	for (i = 0; i < d->nstreams; i++)
		free(d->streams[i].heap);
	free(d->streams);
	free(d->hunt);
	d->streams = NULL;
	d->hunt = NULL;
	d->nstreams = d->cap_streams = 0;
}

void
chunk_demux_set_chunk_size(struct chunk_demux *d, uint32_t size)
{
	d->chunk_size = size;
	d->chunk_size_known = true;
}

/* The chunk size is at least min, and maybe much more. */
static void
chunk_size_at_least(struct chunk_demux *d, uint32_t min)
{
	if (min > d->chunk_size_min)
		d->chunk_size_min = min;
	d->chunk_size = LIMIT_CHUNK_SIZE_MAX;
	d->chunk_size_known = false;
}

static void
event(struct chunk_demux *d, enum chunk_event ev, uint64_t value)
{
	if (d->ops->event != NULL)
		d->ops->event(d->ctx, ev, value);
}

/* Drops every partial message: their missing bytes will never come. */
static void
drop_partials(struct chunk_demux *d, bool mark_recovered)
{
	uint32_t i;

	for (i = 0; i < d->nstreams; i++) {
		d->streams[i].in_progress = false;
		if (mark_recovered)
			d->streams[i].recovered = true;
	}
	d->cur = -1;
	d->chunk_left = 0;
}

/*
 * Starts hunting; the bytes of a header being assembled are held first.
 * With sync lost, partial messages are dropped and every chunk stream's
 * timestamp becomes a guess.
 */
static void
hunt_begin(struct chunk_demux *d, size_t first_pos, bool lost)
{
	if (lost)
		drop_partials(d, true);
	d->unplaced = true;
	d->doubt = !lost;
	d->lost = lost;
	d->hunting = true;
	d->hunt_len = 0;
	d->hunt_pos = first_pos;
	d->npending = 0;
	d->hunt_trimmed = 0;
	if (d->hunt == NULL)
		d->hunt = malloc(HUNT_CAP);
	if (d->hunt != NULL && d->hdr_len > 0) {
		memcpy(d->hunt, d->hdr, d->hdr_len);
		d->hunt_len = d->hdr_len;
	}
	d->hdr_len = 0;
}

void
chunk_demux_resync(struct chunk_demux *d)
{
	d->hdr_len = 0;
	hunt_begin(d, 0, true);
}

bool
chunk_demux_skip(struct chunk_demux *d, uint64_t n)
{
	struct chunk_stream *s;

	if (n == 0)
		return true;
	if (!d->hunting && d->cur >= 0 && n <= d->chunk_left) {
		s = &d->streams[d->cur];
		if (!s->keep_decided || s->kept < s->keep)
			s->discard = true;
		s->received += (uint32_t)n;
		d->chunk_left -= (uint32_t)n;
		if (d->chunk_left == 0) {
			d->cur = -1;
			if (s->received == s->len)
				message_complete(d, s);
		}
		return true;
	}
	/* Held bytes and what follows the gap are not contiguous. */
	d->stats.skipped += d->hunt_len;
	d->hunt_len = 0;
	chunk_demux_resync(d);
	return false;
}

void
chunk_demux_join(struct chunk_demux *d)
{
	d->chunk_size_known = false;
	d->chunk_size_min = 0;
	chunk_demux_resync(d);
}

static void
malformed(struct chunk_demux *d, uint32_t csid)
{
	d->stats.malformed++;
	event(d, CHUNK_EV_MALFORMED, csid);
	/* Position 0 of the held bytes is the bad header: start past it. */
	hunt_begin(d, 1, true);
}

/*
 * With the chunk size unknown, a message longer than any seen so far may be
 * cut into chunks: where its continuation is (or is not) tells.  The header
 * at position 0 of the held bytes is judged again by anchor_at().
 */
static bool
size_in_doubt(const struct chunk_demux *d, const struct chunk_header *h)
{
	const struct chunk_stream *s;
	int32_t slot;
	uint32_t len;

	if (d->chunk_size_known)
		return false;
	if (h->fmt <= 1) {
		len = h->len;
	} else {
		slot = stream_find(d, h->csid);
		if (slot < 0)
			return false;
		s = &d->streams[slot];
		if (h->fmt == 3 && s->in_progress)
			return false;
		len = s->len;
	}
	return len > d->chunk_size_min;
}

/*
 * Parses a basic header.  Returns its length (1..3), 0 when more bytes are
 * needed.
 */
static size_t
basic_header(const uint8_t *p, size_t n, uint8_t *fmt, uint32_t *csid)
{
	if (n < 1)
		return 0;
	*fmt = p[0] >> 6;
	switch (p[0] & 0x3f) {
	case 0:
		if (n < 2)
			return 0;
		*csid = 64 + (uint32_t)p[1];
		return 2;
	case 1:
		if (n < 3)
			return 0;
		*csid = 64 + (uint32_t)p[1] + ((uint32_t)p[2] << 8);
		return 3;
	default:
		*csid = p[0] & 0x3f;
		return 1;
	}
}

/*
 * Parses a chunk header.  Returns its length, 0 when more bytes are needed.
 * A fmt 3 header of a stream whose last header was extended takes the four
 * following bytes as the extended timestamp only if they repeat it.
 */
static size_t
header_parse(const struct chunk_demux *d, const uint8_t *p, size_t n,
    struct chunk_header *h)
{
	struct cursor c;
	const struct chunk_stream *s;
	size_t bh;
	int32_t slot;
	uint32_t peek;

	bh = basic_header(p, n, &h->fmt, &h->csid);
	if (bh == 0)
		return 0;
	cursor_init(&c, p, n);
	cursor_skip(&c, bh);
	h->ext = false;
	h->ts_field = 0;
	switch (h->fmt) {
	case 0:
	case 1:
	case 2:
		h->ts_field = cursor_u24be(&c);
		if (h->fmt <= 1) {
			h->len = cursor_u24be(&c);
			h->type = cursor_u8(&c);
		}
		if (h->fmt == 0)
			h->msid = cursor_u32le(&c);
		if (h->ts_field == TS_EXTENDED) {
			h->ext = true;
			h->ext_field = h->ts_field = cursor_u32be(&c);
		}
		break;
	default:
		slot = stream_find(d, h->csid);
		s = slot >= 0 ? &d->streams[slot] : NULL;
		if (s != NULL && s->ext) {
			peek = cursor_u32be(&c);
			if (!cursor_ok(&c))
				return 0;
			if (peek == s->ext_field)
				h->ext = true;
			else
				c.off -= 4;
		}
		break;
	}
	return cursor_ok(&c) ? c.off : 0;
}

/* Starts a message on a stream from a fmt 0..2 header or a new fmt 3. */
static void
message_begin(struct chunk_demux *d, struct chunk_stream *s, uint8_t fmt)
{
	s->in_progress = true;
	s->placed = !d->unplaced;
	s->start = d->hdr_start;
	s->first_fmt = fmt;
	s->received = 0;
	s->kept = 0;
	s->keep = 0;
	s->keep_decided = false;
	s->discard = false;
}

/*
 * Applies a parsed header to its chunk stream.  Returns false when the
 * header cannot be right (fmt 2 or 3 on a stream never described).
 */
static bool
header_apply(struct chunk_demux *d, const struct chunk_header *h)
{
	struct chunk_stream *s;
	int32_t slot;

	slot = stream_get(d, h->csid);
	if (slot < 0)
		return false;
	s = &d->streams[slot];
	s->used = ++d->clock;

	if (h->fmt <= 2 && s->in_progress) {
		/* A new header in the middle of a message: the rest is lost. */
		s->in_progress = false;
		d->stats.malformed++;
		event(d, CHUNK_EV_MALFORMED, h->csid);
	}
	switch (h->fmt) {
	case 0:
		s->known = true;
		s->recovered = false;
		s->len = h->len;
		s->type = h->type;
		s->msid = h->msid;
		s->ts = s->delta = h->ts_field;
		if (h->type >= RTMP_AUDIO && h->msid != 0)
			d->last_msid = h->msid;
		break;
	case 1:
		if (!s->known) {
			/* Joined mid-stream: the base and stream id are guesses. */
			s->recovered = true;
			s->ts = 0;
			s->msid = h->type < RTMP_AUDIO ? 0 :
			    (d->last_msid != 0 ? d->last_msid : 1);
		}
		s->known = true;
		s->len = h->len;
		s->type = h->type;
		s->delta = h->ts_field;
		s->ts += s->delta;
		break;
	case 2:
		if (!s->known)
			return false;
		s->delta = h->ts_field;
		s->ts += s->delta;
		break;
	default:
		if (!s->known)
			return false;
		if (!s->in_progress)
			s->ts += s->delta;
		break;
	}
	if (h->fmt <= 2) {
		s->ext = h->ext;
		s->ext_field = h->ext_field;
	}
	if (!s->in_progress)
		message_begin(d, s, h->fmt);
	if (s->len > LIMIT_MESSAGE_LEN_MAX)
		return false;
	d->cur = slot;
	d->chunk_left = s->len - s->received;
	if (d->chunk_left > d->chunk_size)
		d->chunk_left = d->chunk_size;
	d->stats.chunks++;
	return true;
}

static bool
body_reserve(struct chunk_stream *s, uint32_t n)
{
	uint8_t *grown;

	if (n <= SMALL_BODY && s->heap == NULL)
		return true;
	if (s->heap != NULL && n <= s->heap_cap)
		return true;
	grown = realloc(s->heap, n);
	if (grown == NULL)
		return false;
	if (s->heap == NULL)
		memcpy(grown, s->small, s->kept);
	s->heap = grown;
	s->heap_cap = n;
	return true;
}

static void
body_copy(struct chunk_stream *s, const uint8_t *p, uint32_t n)
{
	memcpy(stream_body(s) + s->kept, p, n);
	s->kept += n;
}

/* Keeps what the message's decoder wants of a run of payload bytes. */
static void
body_store(struct chunk_demux *d, struct chunk_stream *s, const uint8_t *p,
    uint32_t n)
{
	uint32_t probe, c, want;

	if (!s->keep_decided) {
		probe = s->len < LIMIT_MESSAGE_PROBE ? s->len :
		    LIMIT_MESSAGE_PROBE;
		c = probe - s->kept;
		if (c > n)
			c = n;
		body_copy(s, p, c);
		p += c;
		n -= c;
		if (s->kept < probe)
			return;
		want = d->keep_all ? s->len :
		    msg_keep(s->type, stream_body(s), s->kept, s->len);
		if (want > s->len)
			want = s->len;
		if (d->keep_all && want > LIMIT_MESSAGE_RELAY_MAX) {
			want = LIMIT_MESSAGE_RELAY_MAX;
			event(d, CHUNK_EV_LIMIT, LIMIT_HIT_MESSAGE_KEEP);
		} else if (!d->keep_all && want > LIMIT_MESSAGE_KEEP_MAX) {
			want = LIMIT_MESSAGE_KEEP_MAX;
			event(d, CHUNK_EV_LIMIT, LIMIT_HIT_MESSAGE_KEEP);
		}
		if (want < s->kept)
			want = s->kept;
		if (!body_reserve(s, want))
			want = s->kept;
		s->keep = want;
		s->keep_decided = true;
	}
	c = s->keep - s->kept;
	if (c > n)
		c = n;
	if (c > 0)
		body_copy(s, p, c);
}

static void
message_complete(struct chunk_demux *d, struct chunk_stream *s)
{
	struct rtmp_message m;
	struct cursor c;
	uint32_t value;
	int32_t slot;

	s->in_progress = false;
	if (s->discard) {
		d->stats.dropped++;
		return;
	}
	d->stats.messages++;
	m.csid = s->csid;
	m.fmt = s->first_fmt;
	m.type = s->type;
	m.msid = s->msid;
	m.len = s->len;
	m.ts = s->ts;
	m.body = stream_body(s);
	m.kept = s->kept;
	m.recovered = s->recovered;
	m.in_aggregate = false;
	m.placed = s->placed;
	m.offset = s->start;

	cursor_init(&c, m.body, m.kept);
	value = cursor_u32be(&c);
	if (m.type == RTMP_SET_CHUNK_SIZE && cursor_ok(&c)) {
		/* The top bit is reserved; 0 would stall the stream. */
		value &= 0x7fffffff;
		if (value == 0)
			event(d, CHUNK_EV_BAD_CHUNK_SIZE, value);
		else
			chunk_demux_set_chunk_size(d, value);
	} else if (m.type == RTMP_ABORT && cursor_ok(&c)) {
		slot = stream_find(d, value);
		if (slot >= 0 && d->streams[slot].in_progress) {
			d->streams[slot].in_progress = false;
			event(d, CHUNK_EV_ABORTED, value);
		}
	}
	d->ops->message(d->ctx, &m);

	if (s->heap != NULL && s->heap_cap > BODY_RETAIN_MAX) {
		free(s->heap);
		s->heap = NULL;
		s->heap_cap = 0;
	}
}

/* Consumes payload bytes of the current chunk. */
static size_t
payload(struct chunk_demux *d, const uint8_t *p, size_t n)
{
	struct chunk_stream *s = &d->streams[d->cur];
	uint32_t take;

	take = n < d->chunk_left ? (uint32_t)n : d->chunk_left;
	if (!s->keep_decided || s->kept < s->keep)
		body_store(d, s, p, take);
	s->received += take;
	d->chunk_left -= take;
	if (d->chunk_left == 0) {
		d->cur = -1;
		if (s->received == s->len)
			message_complete(d, s);
	}
	return take;
}

/* A zero-length message has no payload: it completes with its header. */
static void
empty_message(struct chunk_demux *d)
{
	struct chunk_stream *s = &d->streams[d->cur];

	d->cur = -1;
	s->keep_decided = true;
	message_complete(d, s);
}

/*
 * One step in synchronised mode: a header or some payload.  Returns the
 * bytes of p consumed.  On a malformed header it switches to hunting and
 * returns without consuming the header's bytes.
 */
static size_t
demux_step(struct chunk_demux *d, const uint8_t *p, size_t n)
{
	struct chunk_header h;
	uint8_t leftover[CHUNK_HEADER_MAX];
	size_t r, c, old;

	if (d->cur >= 0)
		return payload(d, p, n);

	if (d->hdr_len == 0) {
		d->hdr_start = d->pos;
		r = header_parse(d, p, n, &h);
		if (r == 0) {
			/* n < CHUNK_HEADER_MAX here: a full header parses. */
			memcpy(d->hdr, p, n);
			d->hdr_len = (uint8_t)n;
			return n;
		}
		if (size_in_doubt(d, &h)) {
			hunt_begin(d, 0, false);
			return 0;
		}
		if (!header_apply(d, &h)) {
			malformed(d, h.csid);
			return 0;
		}
		if (d->chunk_left == 0)
			empty_message(d);
		return r;
	}

	/* A header split across feeds: complete it in d->hdr. */
	old = d->hdr_len;
	c = CHUNK_HEADER_MAX - old;
	if (c > n)
		c = n;
	memcpy(d->hdr + old, p, c);
	r = header_parse(d, d->hdr, old + c, &h);
	if (r == 0) {
		d->hdr_len = (uint8_t)(old + c);
		return c;
	}
	if (size_in_doubt(d, &h)) {
		hunt_begin(d, 0, false);
		return 0;
	}
	if (!header_apply(d, &h)) {
		malformed(d, h.csid);
		return 0;
	}
	d->hdr_len = 0;
	if (d->chunk_left == 0)
		empty_message(d);
	if (r >= old)
		return r - old;
	/*
	 * The peek rule read past the header: those bytes are payload, fed
	 * again (and counted again: uncount them).
	 */
	memcpy(leftover, d->hdr + r, old - r);
	d->pos -= old - r;
	(void)demux_bytes(d, leftover, old - r);
	return 0;
}

/*
 * Whether a length fits a type.  Beyond what the specification fixes, the
 * caps are generous for real traffic (a 4 MiB key frame, a 1 MiB command)
 * and keep a hunt from trusting random bytes that claim huge messages.
 */
static bool
type_len_plausible(uint8_t type, uint32_t len)
{
	switch (type) {
	case RTMP_SET_CHUNK_SIZE:
	case RTMP_ABORT:
	case RTMP_ACK:
	case RTMP_WINDOW_ACK_SIZE:
		return len == 4;
	case RTMP_SET_PEER_BANDWIDTH:
		return len == 5;
	case RTMP_USER_CONTROL:
		return len >= 2 && len <= 64;
	case RTMP_AUDIO:
		return len >= 1 && len <= ANCHOR_AUDIO_MAX;
	case RTMP_VIDEO:
	case RTMP_AGGREGATE:
		return len >= 1 && len <= ANCHOR_MEDIA_MAX &&
		    (type != RTMP_AGGREGATE || len >= 11);
	case RTMP_DATA_AMF3:
	case RTMP_COMMAND_AMF3:
	case RTMP_SHARED_OBJECT_AMF3:
	case RTMP_SHARED_OBJECT_AMF0:
		return len >= 2 && len <= ANCHOR_AMF_MAX;
	case RTMP_DATA_AMF0:
	case RTMP_COMMAND_AMF0:
		return len >= 3 && len <= ANCHOR_AMF_MAX;
	default:
		return false;
	}
}

/* Whether the first bytes of a body fit its type; n may be short of len. */
static bool
body_plausible(uint8_t type, const uint8_t *b, size_t n)
{
	uint8_t v, frame;

	if (n == 0)
		return true;
	v = b[0];
	switch (type) {
	case RTMP_SET_CHUNK_SIZE:
		return (v & 0x80) == 0;
	case RTMP_USER_CONTROL:
		return v == 0;
	case RTMP_VIDEO:
		frame = (v >> 4) & 7;
		if (frame < 1 || frame > 5)
			return false;
		if (v & 0x80)
			return (v & 0x0f) <= 7;
		return ((v & 0x0f) >= 1 && (v & 0x0f) <= 7) ||
		    (v & 0x0f) == 12;
	case RTMP_AUDIO:
		return (v >> 4) != 12 && (v >> 4) != 13;
	case RTMP_DATA_AMF0:
	case RTMP_COMMAND_AMF0:
		return v == 0x02;
	case RTMP_DATA_AMF3:
	case RTMP_COMMAND_AMF3:
		return v == 0x00;
	case RTMP_AGGREGATE:
		return v == RTMP_AUDIO || v == RTMP_VIDEO ||
		    v == RTMP_DATA_AMF0;
	default:
		return true;
	}
}

/*
 * Whether a fmt 0 or fmt 1 header at p makes sense on its own.  Fills *h
 * and *hl (header length) on YES.
 */
static enum verdict
header_plausible(const uint8_t *p, size_t n, struct chunk_header *h,
    size_t *hl)
{
	struct cursor c;
	size_t bh;

	bh = basic_header(p, n, &h->fmt, &h->csid);
	if (bh == 0)
		return VERDICT_MORE;
	if (h->fmt > 1)
		return VERDICT_NO;
	cursor_init(&c, p, n);
	cursor_skip(&c, bh);
	h->ts_field = cursor_u24be(&c);
	h->len = cursor_u24be(&c);
	h->type = cursor_u8(&c);
	h->msid = h->fmt == 0 ? cursor_u32le(&c) : 0;
	h->ext = false;
	if (h->ts_field == TS_EXTENDED) {
		h->ext = true;
		h->ext_field = h->ts_field = cursor_u32be(&c);
	}
	if (!cursor_ok(&c))
		return VERDICT_MORE;
	if (!type_len_plausible(h->type, h->len))
		return VERDICT_NO;
	if (h->fmt == 0 && (h->type < RTMP_AUDIO ? h->msid != 0 :
	    h->msid > 0xffff))
		return VERDICT_NO;
	if (h->len > 0 && c.off >= n)
		return VERDICT_MORE;
	if (!body_plausible(h->type, p + c.off, n - c.off))
		return VERDICT_NO;
	*hl = c.off;
	return VERDICT_YES;
}

/* Whether the bytes at p start a fmt 3 chunk of csid (extended ts or not). */
static enum verdict
continuation_at(const uint8_t *p, size_t n, const struct chunk_header *a,
    size_t *len)
{
	uint8_t fmt;
	uint32_t csid;
	size_t bh;

	bh = basic_header(p, n, &fmt, &csid);
	if (bh == 0)
		return VERDICT_MORE;
	if (fmt != 3 || csid != a->csid)
		return VERDICT_NO;
	*len = bh;
	if (a->ext) {
		if (n < bh + 4)
			return VERDICT_MORE;
		if ((uint32_t)p[bh] << 24 == (a->ext_field & 0xff000000U) &&
		    ((uint32_t)p[bh + 1] << 16 | (uint32_t)p[bh + 2] << 8 |
		    p[bh + 3]) == (a->ext_field & 0xffffffU))
			*len += 4;
	}
	return VERDICT_YES;
}

/* Whatever header follows a chunk, when the chunk size is known. */
static enum verdict
next_plausible(const struct chunk_demux *d, const uint8_t *p, size_t n,
    uint32_t anchor_csid)
{
	struct chunk_header h;
	size_t hl, bh;
	int32_t slot;

	bh = basic_header(p, n, &h.fmt, &h.csid);
	if (bh == 0)
		return VERDICT_MORE;
	if (h.fmt <= 1)
		return header_plausible(p, n, &h, &hl);
	if (h.csid == anchor_csid)
		return VERDICT_YES;
	slot = stream_find(d, h.csid);
	return slot >= 0 && d->streams[slot].known ? VERDICT_YES : VERDICT_NO;
}

static enum verdict
worst(enum verdict a, enum verdict b)
{
	if (a == VERDICT_MORE || b == VERDICT_MORE)
		return VERDICT_MORE;
	return a == VERDICT_YES && b == VERDICT_YES ? VERDICT_YES : VERDICT_NO;
}

/*
 * A header an anchor can start at: a plausible fmt 0 or fmt 1 header, or
 * a fmt 2 or fmt 3 header of a chunk stream already described (after a gap,
 * or while the chunk size is being learned).
 */
static enum verdict
anchor_header(const struct chunk_demux *d, const uint8_t *p, size_t n,
    struct chunk_header *h, size_t *hl)
{
	const struct chunk_stream *s;
	int32_t slot;
	size_t r;

	if (basic_header(p, n, &h->fmt, &h->csid) == 0)
		return VERDICT_MORE;
	if (h->fmt <= 1)
		return header_plausible(p, n, h, hl);
	slot = stream_find(d, h->csid);
	if (slot < 0 || !d->streams[slot].known ||
	    d->streams[slot].in_progress)
		return VERDICT_NO;
	s = &d->streams[slot];
	r = header_parse(d, p, n, h);
	if (r == 0)
		return VERDICT_MORE;
	h->len = s->len;
	h->type = s->type;
	if (h->fmt == 3 && h->ext)
		h->ext_field = s->ext_field;
	if (s->len > 0 && r >= n)
		return VERDICT_MORE;
	if (!body_plausible(h->type, p + r, n - r))
		return VERDICT_NO;
	*hl = r;
	return VERDICT_YES;
}

/*
 * Whether a message starts at p.  With the chunk size known: a plausible
 * header whose first chunk is followed by a plausible header.  Without it:
 * a header whose fmt 3 continuation sits where one of the usual chunk sizes
 * puts it (twice when the message is long enough) gives the chunk size
 * (*exact); a header followed by another right after its whole body says
 * only that the chunk size is at least the message's length.
 */
static enum verdict
anchor_at(const struct chunk_demux *d, const uint8_t *p, size_t n,
    uint32_t *size, bool *exact)
{
	struct chunk_header h;
	enum verdict v, first, second, result;
	size_t hl = 0, off, cl, i;
	uint32_t cs;

	v = anchor_header(d, p, n, &h, &hl);
	if (v != VERDICT_YES)
		return v;
	*exact = true;

	if (d->chunk_size_known) {
		cs = d->chunk_size;
		off = hl + (h.len < cs ? h.len : cs);
		if (off > HUNT_CAP)
			return VERDICT_NO;
		*size = cs;
		if (off >= n)
			return d->at_end && off == n ? VERDICT_YES :
			    VERDICT_MORE;
		return next_plausible(d, p + off, n - off, h.csid);
	}

	result = VERDICT_NO;
	for (i = 0; i < sizeof(chunk_size_guesses) /
	    sizeof(chunk_size_guesses[0]); i++) {
		cs = chunk_size_guesses[i];
		if (cs < d->chunk_size_min)
			continue;
		if (h.len <= cs)
			break;
		off = hl + cs;
		if (off + 3 + 4 + cs + 7 > HUNT_CAP)
			break;
		first = off >= n ? VERDICT_MORE :
		    continuation_at(p + off, n - off, &h, &cl);
		if (first == VERDICT_YES && h.len > 2 * cs) {
			off += cl + cs;
			second = off >= n ? VERDICT_MORE :
			    continuation_at(p + off, n - off, &h, &cl);
			first = worst(first, second);
		}
		if (first == VERDICT_YES) {
			*size = cs;
			return VERDICT_YES;
		}
		if (first == VERDICT_MORE)
			result = VERDICT_MORE;
	}

	/* The whole message in one chunk. */
	off = hl + h.len;
	if (off > HUNT_CAP)
		return result;
	*size = h.len;
	*exact = false;
	if (off >= n)
		return d->at_end && off == n && result == VERDICT_NO ?
		    VERDICT_YES : VERDICT_MORE;
	v = next_plausible(d, p + off, n - off, h.csid);
	if (v == VERDICT_YES && result == VERDICT_NO)
		return VERDICT_YES;
	return v == VERDICT_NO ? result : VERDICT_MORE;
}

/* Drops the first n held bytes: no anchor can start in them. */
static void
hunt_trim(struct chunk_demux *d, size_t n)
{
	uint8_t i;

	d->stats.skipped += n;
	d->hunt_trimmed += n;
	memmove(d->hunt, d->hunt + n, d->hunt_len - n);
	d->hunt_len -= n;
	d->hunt_pos -= n;
	for (i = 0; i < d->npending; i++)
		d->pending[i] -= (uint32_t)n;
}

/*
 * Finds the earliest proven anchor in the held bytes.  A position that
 * needs more bytes to be judged is kept pending while the scan goes on, so
 * one unlikely header cannot hold up a good one behind it.  Returns the
 * position, or SIZE_MAX with the pending positions kept for the next call.
 */
static size_t
hunt_scan(struct chunk_demux *d, uint32_t *cs, bool *exact)
{
	enum verdict v;
	size_t pos, best = SIZE_MAX;
	uint32_t size = 0;
	uint8_t i, kept = 0;
	bool ex = true;

	/*
	 * A header in doubt is the stream's next header for sure: only if it
	 * cannot be one is anything after it looked at.
	 */
	if (d->doubt) {
		v = anchor_at(d, d->hunt, d->hunt_len, &size, &ex);
		if (v == VERDICT_MORE && d->hunt_len < HUNT_CAP)
			return SIZE_MAX;
		d->doubt = false;
		if (v == VERDICT_YES) {
			d->hunt_pos = 1;
			*cs = size;
			*exact = ex;
			return 0;
		}
		d->hunt_pos = 1;
	}

	for (i = 0; i < d->npending; i++) {
		pos = d->pending[i];
		v = best == SIZE_MAX ? anchor_at(d, d->hunt + pos,
		    d->hunt_len - pos, &size, &ex) : VERDICT_MORE;
		if (v == VERDICT_YES) {
			best = pos;
			*cs = size;
			*exact = ex;
		} else if (v == VERDICT_MORE) {
			d->pending[kept++] = (uint32_t)pos;
		}
	}
	d->npending = kept;
	if (best != SIZE_MAX)
		return best;
	for (pos = d->hunt_pos; pos < d->hunt_len; pos++) {
		v = anchor_at(d, d->hunt + pos, d->hunt_len - pos, &size,
		    &ex);
		if (v == VERDICT_YES) {
			d->hunt_pos = pos + 1;
			*cs = size;
			*exact = ex;
			return pos;
		}
		if (v == VERDICT_MORE && d->npending < HUNT_PENDING)
			d->pending[d->npending++] = (uint32_t)pos;
	}
	d->hunt_pos = pos;
	return SIZE_MAX;
}

/*
 * Looks for an anchor in the held bytes; on one, replays the bytes from it
 * in synchronised mode.  Keeps the held bytes bounded.  Iterative: a replay
 * that loses sync again refills the hunt buffer and the loop goes on.
 */
static void
hunt_run(struct chunk_demux *d)
{
	uint8_t *held;
	size_t pos, off, len, room, c, low;
	uint32_t cs = 0;
	bool exact = true;

	while (d->hunting && d->hunt != NULL) {
		pos = hunt_scan(d, &cs, &exact);
		if (pos == SIZE_MAX) {
			low = d->npending > 0 ? d->pending[0] : d->hunt_pos;
			if (low == 0 && d->hunt_len == HUNT_CAP) {
				/* Full, and the oldest pending can never tell. */
				memmove(d->pending, d->pending + 1,
				    --d->npending * sizeof(d->pending[0]));
				low = d->npending > 0 ? d->pending[0] :
				    d->hunt_pos;
			}
			if (low > 0 && (d->hunt_len == HUNT_CAP ||
			    low >= HUNT_CAP / 4))
				hunt_trim(d, low);
			return;
		}

		/* Confirming a header in doubt is no resynchronisation. */
		d->stats.skipped += pos;
		if (d->lost) {
			d->stats.resyncs++;
			event(d, CHUNK_EV_RESYNC, d->hunt_trimmed + pos);
		}
		d->hunting = false;
		d->npending = 0;
		if (exact)
			chunk_demux_set_chunk_size(d, cs);
		else
			chunk_size_at_least(d, cs);

		/* Detach the held bytes and replay them from the anchor. */
		held = d->hunt;
		len = d->hunt_len;
		d->hunt = NULL;
		d->hunt_len = 0;
		off = pos;
		while (off < len && !d->hunting)
			off += demux_step(d, held + off, len - off);
		if (d->hunting && d->hunt != NULL) {
			/* Lost again: what was not replayed is hunted next. */
			room = HUNT_CAP - d->hunt_len;
			c = len - off < room ? len - off : room;
			memcpy(d->hunt + d->hunt_len, held + off, c);
			d->hunt_len += c;
		}
		free(held);
	}
}

static size_t
demux_bytes(struct chunk_demux *d, const uint8_t *p, size_t n)
{
	size_t used, room, total = n;

	while (n > 0) {
		if (!d->hunting) {
			used = demux_step(d, p, n);
			d->pos += used;
			p += used;
			n -= used;
			if (d->stop) {
				d->stop = false;
				return total - n;
			}
			continue;
		}
		if (d->hunt == NULL) {
			d->hunt = malloc(HUNT_CAP);
			if (d->hunt == NULL)
				return total;
		}
		room = HUNT_CAP - d->hunt_len;
		used = n < room ? n : room;
		memcpy(d->hunt + d->hunt_len, p, used);
		d->hunt_len += used;
		p += used;
		n -= used;
		hunt_run(d);
		/* Out of sync, a stop cannot be placed: everything is taken. */
		d->stop = false;
	}
	return total;
}

void
chunk_demux_finish(struct chunk_demux *d)
{
	if (!d->hunting || d->hunt == NULL)
		return;
	d->at_end = true;
	hunt_run(d);
	d->at_end = false;
}

size_t
chunk_demux_feed(struct chunk_demux *d, const uint8_t *p, size_t n)
{
	size_t used;

	d->stop = false;
	used = demux_bytes(d, p, n);
	d->stats.bytes += used;
	return used;
}

bool
chunk_demux_partials(const struct chunk_demux *d, struct chunk_partial *out,
    size_t max, size_t *n, uint32_t *chunk_left)
{
	const struct chunk_stream *s;
	uint32_t i;

	*n = 0;
	*chunk_left = 0;
	if (d->hunting || d->hdr_len > 0)
		return false;
	/* The current chunk's stream first: its bytes come without a header. */
	if (d->cur >= 0) {
		s = &d->streams[d->cur];
		*chunk_left = d->chunk_left;
		if (max > 0) {
			out[0] = (struct chunk_partial){ s->csid, s->type,
			    s->len - s->received, s->ext, s->ext_field };
			*n = 1;
		}
	}
	for (i = 0; i < d->nstreams && *n < max; i++) {
		s = &d->streams[i];
		if (!s->in_progress || (int32_t)i == d->cur)
			continue;
		out[(*n)++] = (struct chunk_partial){ s->csid, s->type,
		    s->len - s->received, s->ext, s->ext_field };
	}
	return true;
}
