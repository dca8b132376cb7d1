#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "field-record.h"

static struct field_entry *
record_push(struct field_sink *s, enum field_op op)
{
	struct field_record *r = (struct field_record *)s;
	struct field_entry e;

	memset(&e, 0, sizeof(e));
	e.op = op;
	g_array_append_val(r->entries, e);
	return &g_array_index(r->entries, struct field_entry,
	    r->entries->len - 1);
}

/* Pushes an entry whose bytes are copied into the record. */
static void
record_bytes(struct field_sink *s, enum field_op op, const char *p,
    size_t len)
{
	struct field_record *r = (struct field_record *)s;
	struct field_entry *e = record_push(s, op);

	e->off = r->bytes->len;
	e->len = len;
	g_string_append_len(r->bytes, p, (gssize)len);
}

static void
record_key(struct field_sink *s, const char *key, size_t len)
{
	record_bytes(s, FIELD_KEY, key, len);
}

static void
record_uint(struct field_sink *s, uint64_t v)
{
	record_push(s, FIELD_UINT)->v.u = v;
}

static void
record_sint(struct field_sink *s, int64_t v)
{
	record_push(s, FIELD_SINT)->v.i = v;
}

static void
record_number(struct field_sink *s, double v)
{
	record_push(s, FIELD_NUMBER)->v.d = v;
}

static void
record_bool(struct field_sink *s, bool v)
{
	record_push(s, FIELD_BOOL)->v.b = v;
}

static void
record_null(struct field_sink *s)
{
	record_push(s, FIELD_NULL);
}

static void
record_string(struct field_sink *s, const char *v, size_t n)
{
	record_bytes(s, FIELD_STRING, v, n);
}

static void
record_begin(struct field_sink *s, bool array)
{
	record_push(s, FIELD_BEGIN)->array = array;
}

static void
record_end(struct field_sink *s, bool array)
{
	record_push(s, FIELD_END)->array = array;
}

static void
record_note(struct field_sink *s, const char *v, size_t n)
{
	record_bytes(s, FIELD_NOTE, v, n);
}

static const struct field_sink_ops record_ops = {
	record_key, record_uint, record_sint, record_number, record_bool,
	record_null, record_string, record_begin, record_end, record_note,
};

void
field_record_init(struct field_record *r)
{
	r->sink.ops = &record_ops;
	r->entries = g_array_sized_new(FALSE, FALSE, sizeof(struct field_entry),
	    32);
	r->bytes = g_string_sized_new(256);
}

void
field_record_clear(struct field_record *r)
{
	g_array_set_size(r->entries, 0);
	g_string_truncate(r->bytes, 0);
}

void
field_record_free(struct field_record *r)
{
	if (r->entries != NULL)
		g_array_free(r->entries, TRUE);
	if (r->bytes != NULL)
		g_string_free(r->bytes, TRUE);
	r->entries = NULL;
	r->bytes = NULL;
}

void
field_record_replay(const struct field_record *r, struct field_sink *s)
{
	const struct field_entry *e;
	guint i;

	for (i = 0; i < r->entries->len; i++) {
		e = &g_array_index(r->entries, struct field_entry, i);
		switch (e->op) {
		case FIELD_KEY:
			s->ops->key(s, field_record_str(r, e), e->len);
			break;
		case FIELD_UINT:
			s->ops->uint(s, e->v.u);
			break;
		case FIELD_SINT:
			s->ops->sint(s, e->v.i);
			break;
		case FIELD_NUMBER:
			s->ops->number(s, e->v.d);
			break;
		case FIELD_BOOL:
			s->ops->boolean(s, e->v.b);
			break;
		case FIELD_NULL:
			s->ops->null(s);
			break;
		case FIELD_STRING:
			s->ops->string(s, field_record_str(r, e), e->len);
			break;
		case FIELD_BEGIN:
			s->ops->begin(s, e->array);
			break;
		case FIELD_END:
			s->ops->end(s, e->array);
			break;
		case FIELD_NOTE:
			if (s->ops->note != NULL)
				s->ops->note(s, field_record_str(r, e), e->len);
			break;
		}
	}
}

const struct field_entry *
field_record_get(const struct field_record *r, const char *key)
{
	const struct field_entry *e;
	guint i;
	int depth = 0;

	for (i = 0; i + 1 < r->entries->len; i++) {
		e = &g_array_index(r->entries, struct field_entry, i);
		if (e->op == FIELD_BEGIN)
			depth++;
		else if (e->op == FIELD_END)
			depth--;
		else if (depth == 0 && e->op == FIELD_KEY &&
		    e->len == strlen(key) &&
		    memcmp(field_record_str(r, e), key, e->len) == 0)
			return e + 1;
	}
	return NULL;
}

const char *
field_record_str(const struct field_record *r, const struct field_entry *e)
{
	return r->bytes->str + e->off;
}

const char *
field_record_string(const struct field_record *r, const char *key,
    size_t *len)
{
	const struct field_entry *e = field_record_get(r, key);

	if (e == NULL || e->op != FIELD_STRING)
		return NULL;
	*len = e->len;
	return field_record_str(r, e);
}

bool
field_record_number(const struct field_record *r, const char *key,
    double *out)
{
	const struct field_entry *e = field_record_get(r, key);

	if (e == NULL)
		return false;
	switch (e->op) {
	case FIELD_UINT:
		*out = (double)e->v.u;
		return true;
	case FIELD_SINT:
		*out = (double)e->v.i;
		return true;
	case FIELD_NUMBER:
		*out = e->v.d;
		return true;
	default:
		return false;
	}
}

bool
field_record_is(const struct field_record *f, const char *key,
    const char *want)
{
	const char *v;
	size_t len;

	v = field_record_string(f, key, &len);
	return v != NULL && len == strlen(want) && memcmp(v, want, len) == 0;
}

bool
field_record_u32(const struct field_record *f, const char *key, uint32_t *out)
{
	double v;

	/* NaN fails both comparisons; a cast out of range is undefined. */
	if (!field_record_number(f, key, &v) || !(v >= 0 && v <= UINT32_MAX))
		return false;
	*out = (uint32_t)v;
	return true;
}
