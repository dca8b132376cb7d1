/*
 * The message dump: one record per message or handshake step, JSON or text.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"

#define OUT_FLUSH_AT	(256U * 1024U)

struct dump {
	enum dump_format	 format;
	struct dump_out		 out;
	bool			 have_t0;
	double			 t0;	/* text times are relative to it */
};

void
dump_out_bytes(struct dump_out *o, const char *p, size_t n)
{
	if (n > o->cap - o->len) {
		o->cap = MAX(o->cap * 2, o->len + n + OUT_FLUSH_AT);
		o->buf = g_realloc(o->buf, o->cap);
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

void
dump_out_str(struct dump_out *o, const char *s)
{
	dump_out_bytes(o, s, strlen(s));
}

void
dump_out_printf(struct dump_out *o, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		dump_out_bytes(o, small, (size_t)n);
		return;
	}
	va_start(ap, fmt);
	{
		char *big = g_strdup_vprintf(fmt, ap);

		dump_out_str(o, big);
		g_free(big);
	}
	va_end(ap);
}

void
dump_out_u64(struct dump_out *o, uint64_t v)
{
	char digits[24];
	size_t i = sizeof(digits);

	do {
		digits[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	dump_out_bytes(o, digits + i, sizeof(digits) - i);
}

void
dump_out_i64(struct dump_out *o, int64_t v)
{
	if (v < 0) {
		dump_out_bytes(o, "-", 1);
		dump_out_u64(o, (uint64_t)0 - (uint64_t)v);
	} else {
		dump_out_u64(o, (uint64_t)v);
	}
}

/*
 * A time as seconds with microseconds, right-aligned in width characters
 * (0: no padding); the hot path of every record, so no printf.
 */
void
dump_out_seconds(struct dump_out *o, double v, int width)
{
	char buf[48], *p = buf + sizeof(buf), wide[400];
	uint64_t us;
	bool neg = v < 0;
	int i;

	/*
	 * A capture's time is any 64-bit count of seconds: beyond 10^12 s
	 * the microseconds would not fit the digits below (nor a uint64_t).
	 */
	if (!(fabs(v) < 1e12)) {
		snprintf(wide, sizeof(wide), "%*.6f", width, isfinite(v) ? v :
		    0.0);
		dump_out_str(o, wide);
		return;
	}
	us = (uint64_t)((neg ? -v : v) * 1e6 + 0.5);
	for (i = 0; i < 6; i++, us /= 10)
		*--p = (char)('0' + us % 10);
	*--p = '.';
	do {
		*--p = (char)('0' + us % 10);
		us /= 10;
	} while (us != 0);
	if (neg)
		*--p = '-';
	while (buf + sizeof(buf) - p < width)
		*--p = ' ';
	dump_out_bytes(o, p, (size_t)(buf + sizeof(buf) - p));
}

/* The shortest of 15, 16 or 17 digits that reads back as the same value. */
static void
dump_out_shortest(struct dump_out *o, double v)
{
	char buf[32];
	int digits;

	for (digits = 15; digits < 17; digits++) {
		snprintf(buf, sizeof(buf), "%.*g", digits, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	if (digits == 17)
		snprintf(buf, sizeof(buf), "%.17g", v);
	dump_out_str(o, buf);
}

/* Integral values print as integers; others as short as exact. */
void
dump_out_double(struct dump_out *o, double v)
{
	if (!isfinite(v))
		dump_out_str(o, "null");
	else if (v == floor(v) && fabs(v) < 1e15)
		dump_out_i64(o, (int64_t)v);
	else
		dump_out_shortest(o, v);
}

void
dump_out_end_record(struct dump_out *o)
{
	dump_out_bytes(o, "\n", 1);
	if (o->len >= OUT_FLUSH_AT && !o->failed) {
		if (fwrite(o->buf, 1, o->len, o->fp) != o->len)
			o->failed = true;
		o->len = 0;
	}
}

bool
dump_flush(struct dump *d)
{
	struct dump_out *o = &d->out;

	if (o->len > 0 && !o->failed &&
	    fwrite(o->buf, 1, o->len, o->fp) != o->len)
		o->failed = true;
	o->len = 0;
	if (fflush(o->fp) != 0)
		o->failed = true;
	return !o->failed;
}

struct dump *
dump_new(enum dump_format format, FILE *fp)
{
	struct dump *d = g_new0(struct dump, 1);

	d->format = format;
	d->out.fp = fp;
	d->out.cap = OUT_FLUSH_AT * 2;
	d->out.buf = g_malloc(d->out.cap);
	return d;
}

void
dump_free(struct dump *d)
{
	g_free(d->out.buf);
	g_free(d);
}

/*
 * The envelope every record starts with.  JSON: t, client, server, dir.
 * Text: relative time, client > server, dir.
 */
static void
envelope(struct dump *d, const struct session *s, enum rtmp_dir dir)
{
	struct dump_out *o = &d->out;

	if (d->format == DUMP_JSON) {
		dump_out_str(o, "{\"t\":");
		dump_out_seconds(o, s->now, 0);
		dump_out_str(o, ",\"client\":");
		json_out_string(o, s->client_name, strlen(s->client_name));
		dump_out_str(o, ",\"server\":");
		json_out_string(o, s->server_name, strlen(s->server_name));
		dump_out_str(o, dir == DIR_C2S ? ",\"dir\":\"c2s\"" :
		    ",\"dir\":\"s2c\"");
		return;
	}
	if (!d->have_t0) {
		d->t0 = s->now;
		d->have_t0 = true;
	}
	dump_text_envelope(o, s, dir, d->t0);
}

void
dump_text_envelope(struct dump_out *o, const struct session *s,
    enum rtmp_dir dir, double t0)
{
	/* The client stays on the left, as in a ladder diagram. */
	dump_out_seconds(o, s->now - t0, 11);
	dump_out_str(o, " ");
	dump_out_str(o, s->client_name);
	dump_out_str(o, dir == DIR_C2S ? " > " : " < ");
	dump_out_str(o, s->server_name);
	dump_out_str(o, dir == DIR_C2S ? " c2s" : " s2c");
}

static void
dump_handshake(void *ctx, const struct session *s, enum rtmp_dir dir,
    const struct handshake_step *step)
{
	struct dump *d = ctx;
	struct json_sink js;
	struct text_sink ts;

	envelope(d, s, dir);
	if (d->format == DUMP_JSON) {
		json_sink_init(&js, &d->out);
		js.first = false;
		handshake_step_fields(step, &js.sink);
		dump_out_str(&d->out, "}");
	} else {
		text_sink_init(&ts, &d->out);
		handshake_step_fields(step, &ts.sink);
	}
	dump_out_end_record(&d->out);
}

static const char *
status_name(enum msg_status status)
{
	return status == MSG_TRUNCATED ? "truncated" : "invalid";
}

static void
json_message(struct dump *d, const struct rtmp_message *m,
    const struct field_record *fields, enum msg_status status)
{
	struct dump_out *o = &d->out;
	struct json_sink js;

	dump_out_str(o, ",\"csid\":");
	dump_out_u64(o, m->csid);
	dump_out_str(o, ",\"fmt\":");
	dump_out_u64(o, m->fmt);
	dump_out_str(o, ",\"ts\":");
	dump_out_u64(o, m->ts);
	dump_out_str(o, ",\"len\":");
	dump_out_u64(o, m->len);
	dump_out_str(o, ",\"type\":");
	dump_out_u64(o, m->type);
	dump_out_str(o, ",\"msid\":");
	dump_out_u64(o, m->msid);
	dump_out_str(o, ",\"type_name\":\"");
	dump_out_str(o, msg_type_name(m->type));
	dump_out_str(o, "\"");
	json_sink_init(&js, o);
	js.first = false;
	field_record_replay(fields, &js.sink);
	if (m->recovered)
		dump_out_str(o, ",\"recovered\":true");
	if (m->in_aggregate)
		dump_out_str(o, ",\"in_aggregate\":true");
	if (status != MSG_OK) {
		dump_out_str(o, ",\"malformed\":\"");
		dump_out_str(o, status_name(status));
		dump_out_str(o, "\"");
	}
	dump_out_str(o, "}");
}

void
dump_text_message(struct dump_out *o, const struct rtmp_message *m,
    const struct field_record *fields, enum msg_status status)
{
	struct text_sink ts;

	dump_out_str(o, " csid ");
	dump_out_u64(o, m->csid);
	dump_out_str(o, " fmt ");
	dump_out_u64(o, m->fmt);
	dump_out_str(o, " ts ");
	dump_out_u64(o, m->ts);
	dump_out_str(o, " len ");
	dump_out_u64(o, m->len);
	dump_out_str(o, " msid ");
	dump_out_u64(o, m->msid);
	/* A decoder's note names the type itself: it replaces all this. */
	text_sink_init(&ts, o);
	dump_out_str(o, " ");
	dump_out_str(o, msg_type_name(m->type));
	if (msg_decoder_find(m->type) == NULL)
		dump_out_printf(o, "(%u)", m->type);
	field_record_replay(fields, &ts.sink);
	if (m->recovered)
		dump_out_str(o, " [recovered]");
	if (m->in_aggregate)
		dump_out_str(o, " [in aggregate]");
	if (status != MSG_OK)
		dump_out_printf(o, " [malformed: %s]", status_name(status));
}

static void
dump_message(void *ctx, const struct session *s, enum rtmp_dir dir,
    const struct rtmp_message *m, const struct field_record *fields,
    enum msg_status status)
{
	struct dump *d = ctx;

	envelope(d, s, dir);
	if (d->format == DUMP_JSON)
		json_message(d, m, fields, status);
	else
		dump_text_message(&d->out, m, fields, status);
	dump_out_end_record(&d->out);
}

/* Problems appear in the text dump only: the JSON dump is messages. */
static void
dump_problem(void *ctx, const struct session *s, enum rtmp_dir dir,
    const char *kind, const char *detail)
{
	struct dump *d = ctx;

	if (d->format != DUMP_TEXT)
		return;
	envelope(d, s, dir);
	dump_out_printf(&d->out, " ! %s: %s", kind, detail);
	dump_out_end_record(&d->out);
}

void
dump_observer(struct dump *d, struct session_observer *o)
{
	memset(o, 0, sizeof(*o));
	o->handshake = dump_handshake;
	o->message = dump_message;
	o->problem = dump_problem;
	o->ctx = d;
}
