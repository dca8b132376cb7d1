/* Enhanced RTMP extended headers and tracks: see av-ex.h. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "av-ex.h"

#define MODEX_MAX	8	/* ModEx prefixes followed before giving up */

static bool
read_fourcc(struct cursor *c, uint8_t fourcc[4])
{
	const uint8_t *p = cursor_bytes(c, 4);

	if (p == NULL)
		return false;
	memcpy(fourcc, p, 4);
	return true;
}

bool
av_ex_header_parse(struct cursor *c, uint8_t packet_type,
    uint8_t multitrack_value, bool fourcc, struct av_ex_header *h)
{
	const uint8_t *data;
	uint32_t size;
	uint8_t b, mods = 0;

	memset(h, 0, sizeof(*h));
	while (packet_type == AV_EX_MODEX) {
		if (++mods > MODEX_MAX) {
			cursor_fail(c, CURSOR_MALFORMED);
			return false;
		}
		size = (uint32_t)cursor_u8(c) + 1;
		if (size == 256)
			size = (uint32_t)cursor_u16be(c) + 1;
		data = cursor_bytes(c, size);
		b = cursor_u8(c);
		if (!cursor_ok(c))
			return false;
		packet_type = b & 0x0f;
		if ((b >> 4) == AV_EX_MOD_TIMESTAMP_NANO && size >= 3) {
			h->has_nano = true;
			h->nano_offset = (uint32_t)data[0] << 16 |
			    (uint32_t)data[1] << 8 | data[2];
		}
	}
	if (packet_type == multitrack_value) {
		b = cursor_u8(c);
		h->multitrack = true;
		h->multitrack_type = b >> 4;
		packet_type = b & 0x0f;
		if (h->multitrack_type > AV_MANY_TRACKS_MANY_CODECS ||
		    packet_type == multitrack_value)
			cursor_fail(c, CURSOR_MALFORMED);
		if (h->multitrack_type == AV_MANY_TRACKS_MANY_CODECS)
			fourcc = false;
	}
	h->packet_type = packet_type;
	if (fourcc)
		h->has_fourcc = read_fourcc(c, h->fourcc);
	return cursor_ok(c);
}

bool
av_ex_track_next(struct cursor *c, const struct av_ex_header *h,
    struct av_ex_track *t)
{
	size_t start;

	memset(t, 0, sizeof(*t));
	if (cursor_remaining(c) == 0)
		return false;
	if (h->has_fourcc)
		memcpy(t->fourcc, h->fourcc, 4);
	if (!h->multitrack) {
		t->size = (uint32_t)cursor_remaining(c);
	} else {
		if (h->multitrack_type == AV_MANY_TRACKS_MANY_CODECS &&
		    !read_fourcc(c, t->fourcc))
			return false;
		t->id = cursor_u8(c);
		t->has_id = true;
		if (h->multitrack_type != AV_ONE_TRACK)
			t->size = cursor_u24be(c);
		if (!cursor_ok(c))
			return false;
		if (h->multitrack_type == AV_ONE_TRACK)
			t->size = (uint32_t)cursor_remaining(c);
	}
	start = c->off;
	if (!cursor_need(c, t->size))
		return false;
	cursor_init(&t->body, c->data, start + t->size);
	cursor_skip(&t->body, start);
	cursor_skip(c, t->size);
	return true;
}

enum msg_status
av_ex_tracks(struct cursor *c, const struct av_ex_header *h,
    av_ex_track_fn track, struct field_sink *out, struct note *note)
{
	struct av_ex_track t;

	if (!h->multitrack) {
		if (av_ex_track_next(c, h, &t))
			track(h->packet_type, &t, out, note);
		return msg_status_of(c->status);
	}
	field_uint(out, "multitrack_type", h->multitrack_type);
	if (h->has_fourcc)
		field_str(out, "fourcc", (const char *)h->fourcc, 4);
	note_add_str(note, " multitrack");
	out->ops->key(out, "tracks", 6);
	out->ops->begin(out, true);
	while (av_ex_track_next(c, h, &t)) {
		out->ops->begin(out, false);
		note_add(note, " [%u", t.id);
		track(h->packet_type, &t, out, note);
		note_add_str(note, "]");
		out->ops->end(out, false);
	}
	out->ops->end(out, true);
	return msg_status_of(c->status);
}
