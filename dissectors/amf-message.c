/* Helpers of the AMF-encoded message families: see amf-message.h. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "amf-message.h"

void
amf_message_init(struct amf_message *a, const struct rtmp_message *m,
    bool amf3)
{
	amf_refs_init(&a->refs, m->body);
	cursor_init(&a->c, m->body, m->kept);
	/* Types 15, 16 and 17 lead with a format byte, 0 for AMF0 values. */
	if (amf3)
		cursor_skip(&a->c, 1);
	a->nargs = 0;
	a->status = msg_status_of(a->c.status);
}

void
amf_message_walk(struct amf_message *a)
{
	while (a->status == MSG_OK && cursor_remaining(&a->c) > 0) {
		if (a->nargs < AMF_MESSAGE_ARGS)
			a->args[a->nargs++] = (uint32_t)a->c.off;
		a->status = amf0_skip(&a->c, &a->refs);
	}
}

uint8_t
amf_message_marker(const struct amf_message *a, uint32_t i)
{
	return i < a->nargs ? a->refs.base[a->args[i]] : 0xff;
}

static void
copy_value(struct amf_message *a, uint32_t off, const char *key,
    struct field_sink *out, struct note *note, bool emit)
{
	struct cursor c;

	if (note != NULL) {
		note_add(note, " %s=", key);
		amf0_note_value(note, &a->refs, a->c.len, off);
	}
	if (!emit)
		return;
	cursor_init(&c, a->refs.base, a->c.len);
	cursor_skip(&c, off);
	out->ops->key(out, key, strlen(key));
	(void)amf0_decode(&c, &a->refs, out, 1);
}

void
amf_message_copy_keys(struct amf_message *a, uint32_t i,
    const struct amf_key_copy *keys, struct field_sink *out,
    struct note *note, bool emit)
{
	uint32_t off;

	if (i >= a->nargs)
		return;
	for (; keys->wire != NULL; keys++)
		if (amf0_object_find(&a->refs, a->c.len, a->args[i],
		    keys->wire, &off))
			copy_value(a, off, keys->as, out, note, emit);
}

void
amf_message_copy_arg(struct amf_message *a, uint32_t i, const char *key,
    struct field_sink *out, struct note *note, bool emit)
{
	if (i < a->nargs)
		copy_value(a, a->args[i], key, out, note, emit);
}

enum msg_status
amf_message_args(struct amf_message *a, uint32_t from, struct field_sink *out)
{
	struct cursor c;
	enum msg_status st = MSG_OK;

	out->ops->key(out, "args", 4);
	out->ops->begin(out, true);
	if (from < a->nargs) {
		cursor_init(&c, a->refs.base, a->c.len);
		cursor_skip(&c, a->args[from]);
		while (st == MSG_OK && cursor_remaining(&c) > 0)
			st = amf0_decode(&c, &a->refs, out, 1);
	}
	out->ops->end(out, true);
	return st;
}
