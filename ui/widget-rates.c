/*
 * Rates the dashboard works out itself, by sampling the session model at
 * each redraw: bytes each way per second of capture time, and frames per
 * second.  The model keeps counters; turning them into "now" figures is a
 * matter of looking twice, which is the viewer's business.
 *
 * A session that has ended (or was never seen twice) gets the average of
 * its life instead: after a file has been read as fast as possible, that
 * is the figure worth showing.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "screens.h"

#define RATES_MIN_SPAN	1.0	/* seconds of capture time between samples */
#define RATES_FPS_KEEP	300	/* one-second fps values kept */

struct rates_entry {
	uint64_t	 id;
	unsigned int	 generation;	/* last sample that saw it */
	bool		 sampled;
	double		 t;
	uint64_t	 bytes[2];
	uint64_t	 frames;
	bool		 have_rate;
	double		 kbps[2];
	double		 fps;
	float		 fps_ring[RATES_FPS_KEEP];
	unsigned int	 nfps;		/* values pushed, ever */
	float		 fps_line[RATES_FPS_KEEP];	/* unrolled, oldest first */
};

struct ui_history {
	GHashTable	*entries;	/* id -> struct rates_entry */
	unsigned int	 generation;
};

struct ui_history *
ui_history_new(void)
{
	struct ui_history *h = g_new0(struct ui_history, 1);

	h->entries = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL,
	    g_free);
	return h;
}

void
ui_history_free(struct ui_history *h)
{
	if (h == NULL)
		return;
	g_hash_table_destroy(h->entries);
	g_free(h);
}

static gboolean
rates_stale(gpointer key, gpointer value, gpointer data)
{
	const struct rates_entry	*e = value;
	const struct ui_history		*h = data;

	return e->generation != h->generation;
}

static void
rates_sample(struct rates_entry *e, const struct session *s, double now)
{
	double		 dt = now - e->t, fps;
	unsigned int	 k, secs;
	int		 d;

	if (!e->sampled || dt < 0) {
		e->sampled = true;
		e->t = now;
		for (d = 0; d < 2; d++)
			e->bytes[d] = s->dirs[d].bytes;
		e->frames = s->media.video_frames;
		return;
	}
	if (dt < RATES_MIN_SPAN)
		return;
	for (d = 0; d < 2; d++) {
		e->kbps[d] = (double)(s->dirs[d].bytes - e->bytes[d]) * 8 /
		    dt / 1000;
		e->bytes[d] = s->dirs[d].bytes;
	}
	fps = (double)(s->media.video_frames - e->frames) / dt;
	e->fps = fps;
	e->frames = s->media.video_frames;
	e->have_rate = true;
	e->t = now;
	/* Each second the sample spans gets the sample's rate. */
	secs = dt > RATES_FPS_KEEP ? RATES_FPS_KEEP : (unsigned int)dt;
	for (k = 0; k < secs; k++)
		e->fps_ring[e->nfps++ % RATES_FPS_KEEP] = (float)fps;
}

void
ui_history_sample(struct ui_history *h, struct session_table *t, double now)
{
	GPtrArray		*all = session_table_sessions(t);
	struct session		*s;
	struct rates_entry	*e;
	guint			 i;

	h->generation++;
	for (i = 0; i < all->len; i++) {
		s = g_ptr_array_index(all, i);
		if (s->state == SESSION_NOT_RTMP)
			continue;
		e = g_hash_table_lookup(h->entries, &s->id);
		if (e == NULL) {
			e = g_new0(struct rates_entry, 1);
			e->id = s->id;
			g_hash_table_insert(h->entries, &e->id, e);
		}
		e->generation = h->generation;
		if (s->state != SESSION_ENDED)
			rates_sample(e, s, now);
	}
	g_hash_table_foreach_remove(h->entries, rates_stale, h);
}

void
ui_history_rates(struct ui_history *h, const struct session *s,
    struct ui_rates *r)
{
	struct rates_entry	*e;
	double			 span;
	unsigned int		 i, n, first;
	int			 d;

	memset(r, 0, sizeof(*r));
	e = g_hash_table_lookup(h->entries, &s->id);
	if (e != NULL && e->have_rate && s->state != SESSION_ENDED) {
		r->kbps[0] = e->kbps[0];
		r->kbps[1] = e->kbps[1];
		r->fps = e->fps;
	} else {
		span = (s->state == SESSION_ENDED ? s->end : s->now) -
		    s->start;
		/* Bytes of a blink are not a rate of many megabits. */
		if (span < RATES_MIN_SPAN)
			span = RATES_MIN_SPAN;
		for (d = 0; d < 2; d++)
			r->kbps[d] = (double)s->dirs[d].bytes * 8 / span /
			    1000;
		r->fps = session_fps(s);
	}
	if (e == NULL)
		return;
	n = e->nfps < RATES_FPS_KEEP ? e->nfps : RATES_FPS_KEEP;
	first = e->nfps - n;
	for (i = 0; i < n; i++)
		e->fps_line[i] = e->fps_ring[(first + i) % RATES_FPS_KEEP];
	r->fps_history = e->fps_line;
	r->nfps = n;
}
