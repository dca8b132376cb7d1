/*
 * The ladder diagram of one session.
 *
 *	session 7  app=live  stream=cam1  role=play
 *	        client 10.0.0.1:51234               server 10.0.0.2:1935
 *	        |                                                      |
 *	  0.000 |----------------------- C0+C1 ----------------------->|
 *	  0.001 |<--------------------- S0+S1+S2 ----------------------|
 *	  0.045 |-- command connect #1 app=live tcUrl=rtmp://10.0.0… ->|
 *	  0.050 |---------------- command play #4 cam1 --------------->|
 *	  0.120 |<--------- video ×250, audio ×430 (10.0 s) -----------|
 *	 10.200 |================= !! stall 5.0 s !! ==================|
 *	        |                       … 3 more                       |
 *	 15.300 +-------------------- end: closed ---------------------+
 *
 * Lines are built to a count of columns, not of bytes: summaries carry
 * names from the wire, which may be any UTF-8, or not UTF-8 at all, or
 * hold escape sequences, so every label is cleaned and measured before
 * it is placed.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "dump.h"
#include "ladder.h"

#define LADDER_ELLIPSIS	"\xe2\x80\xa6"	/* U+2026 */
#define LADDER_TIMES	"\xc3\x97"	/* U+00D7 */
#define LADDER_TIME_MIN	7		/* "999.999": most sessions fit */

struct ladder {
	struct dump_out		 out;
	const struct session	*s;
	int			 width;
	int			 margin;	/* the time and one space */
	int			 inner;		/* columns between lifelines */
};

/*
 * A character's columns on a terminal.  Wide (CJK) characters take two,
 * combining marks none; getting this wrong would push the server lifeline
 * out of line.
 */
static int
ladder_char_cols(gunichar c)
{
	if (g_unichar_iszerowidth(c))
		return 0;
	if (g_unichar_iswide(c))
		return 2;
	return 1;
}

/*
 * Appends src to dst as printable UTF-8: bytes that are not UTF-8 and
 * control characters (C0, DEL, C1, which a terminal would act on) become
 * '?'.  Returns the columns appended.
 */
static int
ladder_clean(GString *dst, const char *src)
{
	const char	*p = src, *end = src + strlen(src);
	int		 cols = 0;

	while (p < end) {
		gunichar c = g_utf8_get_char_validated(p, end - p);

		if (c == (gunichar)-1 || c == (gunichar)-2) {
			g_string_append_c(dst, '?');
			cols++;
			p++;
			continue;
		}
		if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {
			g_string_append_c(dst, c == '\t' ? ' ' : '?');
			cols++;
		} else {
			g_string_append_unichar(dst, c);
			cols += ladder_char_cols(c);
		}
		p = g_utf8_next_char(p);
	}
	return cols;
}

/*
 * Cuts the clean text of str from byte from on to at most max columns,
 * ending it with an ellipsis when something was cut.  Returns the columns
 * left.
 */
static int
ladder_cut(GString *str, size_t from, int cols, int max)
{
	const char	*p;
	int		 kept = 0, c;

	if (cols <= max)
		return cols;
	if (max <= 0) {
		g_string_truncate(str, from);
		return 0;
	}
	p = str->str + from;
	while (*p != '\0') {
		c = ladder_char_cols(g_utf8_get_char(p));
		if (kept + c > max - 1)
			break;
		kept += c;
		p = g_utf8_next_char(p);
	}
	g_string_truncate(str, (size_t)(p - str->str));
	g_string_append(str, LADDER_ELLIPSIS);
	return kept + 1;
}

static void
ladder_repeat(struct dump_out *o, const char *unit, int n)
{
	size_t	 len = strlen(unit);

	while (n-- > 0)
		dump_out_bytes(o, unit, len);
}

static void
ladder_time_str(double rel, char *buf, size_t size)
{
	/* Nonsense times must not widen the margin of every line. */
	if (!isfinite(rel) || fabs(rel) >= 1e8)
		g_strlcpy(buf, "?", size);
	else
		snprintf(buf, size, "%.3f", rel);
}

/* The left margin: the time relative to the start, or blanks. */
static void
ladder_margin(struct ladder *l, bool have_t, double t)
{
	char	 buf[32];

	if (!have_t) {
		ladder_repeat(&l->out, " ", l->margin);
		return;
	}
	ladder_time_str(t - l->s->start, buf, sizeof(buf));
	ladder_repeat(&l->out, " ", l->margin - 1 - (int)strlen(buf));
	dump_out_str(&l->out, buf);
	dump_out_bytes(&l->out, " ", 1);
}

/*
 * One line between the lifelines: edge, then fill with an optional head
 * on either side, and prefix + body + suffix centred.  The body is cut to
 * fit; prefix and suffix are ASCII marks that must survive the cut.
 *
 * Room for a head and one fill character is kept on both sides whatever
 * the direction, so that the same text sits in the same columns going
 * either way and the diagram reads down in straight columns.
 */
static void
ladder_span(struct ladder *l, const char *edge, const char *head_l,
    const char *fill, const char *prefix, const char *body,
    const char *suffix, const char *head_r)
{
	struct dump_out	*o = &l->out;
	GString		*label = g_string_new(prefix);
	int		 marks, cols, start, left, right;

	marks = (int)(strlen(prefix) + strlen(suffix));
	cols = ladder_clean(label, body);
	cols = ladder_cut(label, strlen(prefix), cols, l->inner - 6 - marks);
	g_string_append(label, suffix);
	cols += marks;

	dump_out_str(o, edge);
	if (cols == 0) {
		dump_out_str(o, head_l);
		ladder_repeat(o, fill, l->inner - (int)strlen(head_l) -
		    (int)strlen(head_r));
		dump_out_str(o, head_r);
	} else {
		start = (l->inner - cols) / 2;
		left = start - 1;
		right = l->inner - start - cols - 1;
		dump_out_str(o, head_l);
		ladder_repeat(o, fill, left - (int)strlen(head_l));
		dump_out_bytes(o, " ", 1);
		dump_out_bytes(o, label->str, label->len);
		dump_out_bytes(o, " ", 1);
		ladder_repeat(o, fill, right - (int)strlen(head_r));
		dump_out_str(o, head_r);
	}
	dump_out_str(o, edge);
	dump_out_end_record(o);
	g_string_free(label, TRUE);
}

static void
ladder_arrow(struct ladder *l, enum rtmp_dir dir, const char *text)
{
	if (dir == DIR_C2S)
		ladder_span(l, "|", "", "-", "", text, "", ">");
	else
		ladder_span(l, "|", "<", "-", "", text, "", "");
}

/* A run of media messages folded into one arrow. */
static void
ladder_media(struct ladder *l, const struct ladder_entry *e)
{
	GString	*text = g_string_new(NULL);
	double	 span = e->last_t - e->t;

	if (e->video > 0 || e->audio == 0)
		g_string_append_printf(text, "video " LADDER_TIMES "%" PRIu32,
		    e->video);
	if (e->audio > 0)
		g_string_append_printf(text, "%saudio " LADDER_TIMES "%" PRIu32,
		    text->len > 0 ? ", " : "", e->audio);
	g_string_append_printf(text, " (%.1f s)",
	    isfinite(span) && span > 0 ? span : 0.0);
	ladder_arrow(l, e->dir, text->str);
	g_string_free(text, TRUE);
}

static void
ladder_problem(struct ladder *l, const char *text)
{
	/* The model marks problems with a leading "!"; we mark them ours. */
	while (*text == '!' || *text == ' ')
		text++;
	ladder_span(l, "|", "", "=", "!! ", text, " !!", "");
}

/*
 * Where the session ended, or failing that how far it was seen: an open
 * session has no end time yet.
 */
static bool
ladder_end_time(const struct session *s, double *t)
{
	const struct ladder_entry	*e;

	if (s->end > 0 && s->end >= s->start) {
		*t = s->end;
		return true;
	}
	if (s->now > 0 && s->now >= s->start) {
		*t = s->now;
		return true;
	}
	if (s->ladder != NULL && s->ladder->len > 0 &&
	    (e = g_ptr_array_index(s->ladder, s->ladder->len - 1)) != NULL) {
		*t = e->text == NULL && e->last_t > e->t ? e->last_t : e->t;
		return true;
	}
	return false;
}

/* Columns of the widest time, so that all the lifelines line up. */
static int
ladder_margin_width(const struct session *s)
{
	const struct ladder_entry	*e;
	char				 buf[32];
	double				 t;
	int				 w = LADDER_TIME_MIN;
	guint				 i;

	for (i = 0; s->ladder != NULL && i < s->ladder->len; i++) {
		if ((e = g_ptr_array_index(s->ladder, i)) == NULL)
			continue;
		ladder_time_str(e->t - s->start, buf, sizeof(buf));
		w = MAX(w, (int)strlen(buf));
	}
	if (ladder_end_time(s, &t)) {
		ladder_time_str(t - s->start, buf, sizeof(buf));
		w = MAX(w, (int)strlen(buf));
	}
	return w + 1;
}

/* One line of text cut to the width, at column from. */
static void
ladder_text_line(struct ladder *l, int from, const char *text)
{
	GString	*line = g_string_new(NULL);
	int	 cols;

	cols = ladder_clean(line, text);
	ladder_cut(line, 0, cols, l->width - from);
	ladder_repeat(&l->out, " ", from);
	dump_out_bytes(&l->out, line->str, line->len);
	dump_out_end_record(&l->out);
	g_string_free(line, TRUE);
}

static void
ladder_header(struct ladder *l)
{
	const struct session		*s = l->s;
	const struct session_stream	*st = session_main_stream(s);
	struct dump_out			*o = &l->out;
	GString				*head, *cl, *sv;
	int				 ccols, scols, room;

	head = g_string_new(NULL);
	g_string_append_printf(head, "session %" PRIu64, s->id);
	if (s->app != NULL)
		g_string_append_printf(head, "  app=%s", s->app);
	if (st != NULL && st->name != NULL)
		g_string_append_printf(head, "  stream=%s", st->name);
	if (st != NULL && st->role != ROLE_NONE)
		g_string_append_printf(head, "  role=%s",
		    session_role_name(st->role));
	ladder_text_line(l, 0, head->str);
	g_string_free(head, TRUE);

	/* The names over their lifelines, or on two lines if they collide. */
	cl = g_string_new("client ");
	sv = g_string_new("server ");
	ccols = 7 + ladder_clean(cl, s->client_name);
	scols = 7 + ladder_clean(sv, s->server_name);
	room = l->width - l->margin;
	if (ccols + 2 + scols <= room) {
		ladder_repeat(o, " ", l->margin);
		dump_out_bytes(o, cl->str, cl->len);
		ladder_repeat(o, " ", room - ccols - scols);
		dump_out_bytes(o, sv->str, sv->len);
		dump_out_end_record(o);
	} else {
		ladder_cut(cl, 0, ccols, room);
		ladder_repeat(o, " ", l->margin);
		dump_out_bytes(o, cl->str, cl->len);
		dump_out_end_record(o);
		scols = ladder_cut(sv, 0, scols, room);
		ladder_repeat(o, " ", l->width - scols);
		dump_out_bytes(o, sv->str, sv->len);
		dump_out_end_record(o);
	}
	g_string_free(cl, TRUE);
	g_string_free(sv, TRUE);

	ladder_margin(l, false, 0);
	ladder_span(l, "|", "", " ", "", "", "", "");
}

static void
ladder_footer(struct ladder *l)
{
	const struct session	*s = l->s;
	char			*text;
	double			 t = 0;
	bool			 have_t;

	if (s->ladder_dropped > 0) {
		text = g_strdup_printf(LADDER_ELLIPSIS " %" PRIu32 " more",
		    s->ladder_dropped);
		ladder_margin(l, false, 0);
		ladder_span(l, "|", "", " ", "", text, "", "");
		g_free(text);
	}

	have_t = ladder_end_time(s, &t);
	if (s->how == SESSION_END_OPEN)
		text = g_strdup_printf("end: %s (capture ended)",
		    session_end_name(s->how));
	else
		text = g_strdup_printf("end: %s", session_end_name(s->how));
	ladder_margin(l, have_t, t);
	ladder_span(l, "+", "", "-", "", text, "", "");
	g_free(text);
}

void
ladder_print(FILE *out, const struct session *s, int width)
{
	struct ladder			 l;
	const struct ladder_entry	*e;
	guint				 i;

	memset(&l, 0, sizeof(l));
	l.out.fp = out;
	l.s = s;
	l.width = width <= 0 ? LADDER_WIDTH : MAX(width, LADDER_MIN_WIDTH);
	l.margin = ladder_margin_width(s);
	l.inner = l.width - l.margin - 2;

	ladder_header(&l);
	for (i = 0; s->ladder != NULL && i < s->ladder->len; i++) {
		if ((e = g_ptr_array_index(s->ladder, i)) == NULL)
			continue;
		ladder_margin(&l, true, e->t);
		if (e->text == NULL)
			ladder_media(&l, e);
		else if (e->problem)
			ladder_problem(&l, e->text);
		else
			ladder_arrow(&l, e->dir, e->text);
	}
	ladder_footer(&l);

	if (l.out.len > 0 && !l.out.failed)
		fwrite(l.out.buf, 1, l.out.len, out);
	g_free(l.out.buf);
}
