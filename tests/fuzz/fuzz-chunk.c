/*
 * Fuzzes the chunk demultiplexer (dissectors/chunk-demux.c).
 *
 * The input is a 13-byte header and then one direction's chunk stream, as
 * it follows the handshake:
 *
 *  | flags:1 | skip at:2 | skip len:2 | split sizes:8 | stream ... |
 *
 * The stream goes to two demultiplexers at once: a fresh one (handshake
 * done, chunk size 128) and one told chunk_demux_join (joined mid-stream).
 * It is fed in pieces whose sizes cycle through the eight split bytes (b + 1
 * bytes, or (b - 0xef) KiB for b >= 0xf0).  When skip len is not zero the
 * capture "loses" that many bytes at offset skip at: they are left out and
 * chunk_demux_skip is told (with flags bit 0 the count is multiplied by
 * 65536, a gap longer than the input).  With flags bit 1 the joined
 * demultiplexer is finished and fed the rest afresh after a resync.  Both
 * end with chunk_demux_finish.
 *
 * Every message goes through msg_decode (and aggregate_next) into the
 * checking sink; the message envelope and the events are checked too.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check-sink.h"
#include "chunk.h"
#include "hard-limits.h"
#include "message.h"

#define HEADER_LEN	13U
#define NSPLITS		8U

#define F_LONG_GAP	0x01U
#define F_REJOIN	0x02U

struct demux_check {
	const char	*name;
	uint64_t	 messages;
	uint64_t	 events;
};

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
on_message(void *ctx, const struct rtmp_message *m)
{
	struct demux_check *dc = ctx;

	if (m->csid < 2 || m->csid > 65599)
		check_fail("%s: csid %u", dc->name, m->csid);
	if (m->fmt > 3)
		check_fail("%s: fmt %u", dc->name, m->fmt);
	if (m->len > LIMIT_MESSAGE_LEN_MAX)
		check_fail("%s: len %u", dc->name, m->len);
	if (m->in_aggregate)
		check_fail("%s: demuxed message marked in_aggregate",
		    dc->name);
	dc->messages++;
	(void)check_message(m);
}

static void
on_event(void *ctx, enum chunk_event ev, uint64_t value)
{
	struct demux_check *dc = ctx;

	if (ev == CHUNK_EV_LIMIT && value >= LIMIT_HIT_COUNT)
		check_fail("%s: limit event %llu", dc->name,
		    (unsigned long long)value);
	if ((unsigned)ev > CHUNK_EV_ABORTED)
		check_fail("%s: event %d", dc->name, (int)ev);
	dc->events++;
}

static const struct chunk_demux_ops check_demux_ops = {
	on_message,
	on_event,
};

static size_t
split_size(uint8_t b)
{
	return b >= 0xf0 ? (size_t)(b - 0xef) * 1024 : (size_t)b + 1;
}

static void
check_stats(const struct chunk_demux *d, const struct demux_check *dc,
    uint64_t fed)
{
	if (d->stats.bytes != fed)
		check_fail("%s: stats.bytes %llu, fed %llu", dc->name,
		    (unsigned long long)d->stats.bytes,
		    (unsigned long long)fed);
	if (d->stats.messages > d->stats.bytes)
		check_fail("%s: more messages than bytes", dc->name);
	if (d->hunt_len > 0 && d->hunt == NULL)
		check_fail("%s: hunt_len %zu without a buffer", dc->name,
		    d->hunt_len);
	if (d->hdr_len > CHUNK_HEADER_MAX)
		check_fail("%s: hdr_len %u", dc->name, d->hdr_len);
	if (d->nstreams > LIMIT_CHUNK_STREAMS)
		check_fail("%s: %u chunk streams", dc->name, d->nstreams);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chunk_demux fresh, joined;
	struct demux_check cfresh = { "fresh", 0, 0 };
	struct demux_check cjoined = { "joined", 0, 0 };
	const uint8_t *splits, *p;
	size_t n, off, piece, skip_at, skip_len, i;
	uint64_t lost, fed;
	uint8_t flags;
	bool skipped = false;

	if (size < HEADER_LEN)
		return 0;
	flags = data[0];
	skip_at = (size_t)data[1] << 8 | data[2];
	skip_len = (size_t)data[3] << 8 | data[4];
	splits = data + 5;
	p = data + HEADER_LEN;
	n = size - HEADER_LEN;

	chunk_demux_init(&fresh, &check_demux_ops, &cfresh);
	chunk_demux_init(&joined, &check_demux_ops, &cjoined);
	chunk_demux_join(&joined);

	fed = 0;
	for (off = 0, i = 0; off < n; i++) {
		if (skip_len > 0 && !skipped && off >= skip_at) {
			/* The capture lost bytes here. */
			skipped = true;
			lost = skip_len;
			if (flags & F_LONG_GAP)
				lost <<= 16;
			off += lost < n - off ? (size_t)lost : n - off;
			(void)chunk_demux_skip(&fresh, lost);
			(void)chunk_demux_skip(&joined, lost);
			if ((flags & F_REJOIN) != 0) {
				chunk_demux_finish(&joined);
				chunk_demux_resync(&joined);
			}
			continue;
		}
		piece = split_size(splits[i % NSPLITS]);
		if (piece > n - off)
			piece = n - off;
		if (!skipped && skip_len > 0 && off < skip_at &&
		    piece > skip_at - off)
			piece = skip_at - off;
		chunk_demux_feed(&fresh, p + off, piece);
		chunk_demux_feed(&joined, p + off, piece);
		fed += piece;
		off += piece;
	}
	chunk_demux_finish(&fresh);
	chunk_demux_finish(&joined);
	check_stats(&fresh, &cfresh, fed);
	check_stats(&joined, &cjoined, fed);

	chunk_demux_free(&fresh);
	chunk_demux_free(&joined);
	/* Freeing twice is what the session layer does on a table free. */
	chunk_demux_free(&joined);
	return 0;
}
