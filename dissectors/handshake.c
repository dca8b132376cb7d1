/* RTMP handshake: see handshake.h for the layout. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "cursor.h"
#include "handshake.h"

/* Offsets within one side's 3073 handshake bytes. */
#define OFF_BLOCK1	1U
#define OFF_BLOCK2	(1U + HANDSHAKE_BLOCK)

void
handshake_init(struct handshake *h, bool server)
{
	memset(h, 0, sizeof(*h));
	h->server = server;
}

bool
handshake_done(const struct handshake *h)
{
	return h->pos >= HANDSHAKE_LEN;
}

bool
handshake_version_known(uint8_t version)
{
	return version == 3 || version == 6 || version == 8 || version == 9;
}

/* Copies the bytes of [pos, pos + n) that fall in [from, from + 8). */
static void
keep_head(uint8_t *head, uint32_t from, uint32_t pos, const uint8_t *p,
    size_t n)
{
	uint32_t i;

	for (i = 0; i < 8; i++)
		if (from + i >= pos && from + i - pos < n)
			head[i] = p[from + i - pos];
}

static uint32_t
be32(const uint8_t *p)
{
	struct cursor c;

	cursor_init(&c, p, 4);
	return cursor_u32be(&c);
}

static void
step_fill(const struct handshake *h, enum handshake_step_kind kind,
    struct handshake_step *step)
{
	memset(step, 0, sizeof(*step));
	step->kind = kind;
	step->version = h->version;
	if (kind == HANDSHAKE_C2) {
		step->time = be32(h->head2);
		step->zero = be32(h->head2 + 4);
		return;
	}
	step->time = be32(h->head1);
	step->zero = be32(h->head1 + 4);
	if (kind == HANDSHAKE_S0S1S2) {
		step->echo_time = be32(h->head2);
		step->echo_time2 = be32(h->head2 + 4);
	}
}

size_t
handshake_feed(struct handshake *h, const uint8_t *p, size_t n,
    struct handshake_step *step, bool *stepped)
{
	uint32_t boundary, take;

	*stepped = false;
	if (handshake_done(h) || n == 0)
		return 0;
	/* The client's first step ends after C1; the server's after S2. */
	boundary = (!h->server && h->pos < OFF_BLOCK2) ? OFF_BLOCK2 :
	    HANDSHAKE_LEN;
	take = boundary - h->pos;
	if (take > n)
		take = (uint32_t)n;
	if (h->pos == 0)
		h->version = p[0];
	keep_head(h->head1, OFF_BLOCK1, h->pos, p, take);
	keep_head(h->head2, OFF_BLOCK2, h->pos, p, take);
	h->pos += take;
	if (h->pos == boundary) {
		*stepped = true;
		step_fill(h, h->server ? HANDSHAKE_S0S1S2 :
		    boundary == OFF_BLOCK2 ? HANDSHAKE_C0C1 : HANDSHAKE_C2,
		    step);
	}
	return take;
}

size_t
handshake_skip(struct handshake *h, uint64_t lost)
{
	uint32_t left = HANDSHAKE_LEN - h->pos;
	uint32_t take = lost < left ? (uint32_t)lost : left;

	h->pos += take;
	return take;
}

const char *
handshake_step_name(enum handshake_step_kind kind)
{
	switch (kind) {
	case HANDSHAKE_C0C1:
		return "C0C1";
	case HANDSHAKE_C2:
		return "C2";
	default:
		return "S0S1S2";
	}
}

void
handshake_step_fields(const struct handshake_step *step, struct field_sink *s)
{
	field_cstr(s, "handshake", handshake_step_name(step->kind));
	switch (step->kind) {
	case HANDSHAKE_C0C1:
		field_uint(s, "version", step->version);
		field_uint(s, "time", step->time);
		field_uint(s, "zero", step->zero);
		break;
	case HANDSHAKE_C2:
		field_uint(s, "time", step->time);
		field_uint(s, "time2", step->zero);
		break;
	case HANDSHAKE_S0S1S2:
		field_uint(s, "version", step->version);
		field_uint(s, "time", step->time);
		field_uint(s, "zero", step->zero);
		field_uint(s, "echo_time", step->echo_time);
		field_uint(s, "echo_time2", step->echo_time2);
		break;
	}
}
