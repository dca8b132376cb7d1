/*
 * The session table's bound on ended sessions (session_table_keep_ended):
 * many short sessions go through one table, and the table must hold the
 * open ones and at most the bound of ended ones, the first ended freed
 * first, each counted, the rest still in order of id (the dashboard and
 * the status API find a session by its id with a binary search).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "session.h"

#define T0		1700000000.0	/* capture times: wall-clock seconds */
#define SERVER_PORT	1935

#define CLIENT		0		/* flow sides: the SYN's sender first */
#define SERVER		1

/* A table, and what its observer was told. */
struct fixture {
	struct session_table	*t;
	GArray			*ended;		/* uint64_t ids, as told */
	double			 now;
	unsigned int		 opened;
};

/* The session told of is still in the table, not yet freed. */
static void
on_ended(void *ctx, const struct session *s)
{
	struct fixture *fx = ctx;
	GPtrArray *all = session_table_sessions(fx->t);
	guint i;

	for (i = 0; i < all->len; i++)
		if (g_ptr_array_index(all, i) == s)
			break;
	assert_true(i < all->len);
	assert_int_equal(s->state, SESSION_ENDED);
	g_array_append_val(fx->ended, s->id);
}

static int
setup(void **state)
{
	static const uint16_t ports[] = { SERVER_PORT };
	struct session_observer o;
	struct fixture *fx = g_new0(struct fixture, 1);

	fx->t = session_table_new(ports, 1, NULL);
	fx->ended = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	fx->now = T0;
	memset(&o, 0, sizeof(o));
	o.ended = on_ended;
	o.ctx = fx;
	session_table_observe(fx->t, &o);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	session_table_free(fx->t);
	g_array_free(fx->ended, TRUE);
	g_free(fx);
	return 0;
}

/*
 * A connection from its own client port.  Without its SYN, on the server
 * port: joined, so RTMP from the start.  With the SYN: undecided until
 * its first bytes.
 */
static struct session *
open_session(struct fixture *fx, bool syn)
{
	struct endpoint client, server;
	struct session *s;

	memset(&client, 0, sizeof(client));
	memset(&server, 0, sizeof(server));
	client.family = server.family = 4;
	client.addr[0] = server.addr[0] = 10;
	client.addr[3] = 1;
	server.addr[3] = 2;
	client.port = (uint16_t)(40000 + fx->opened++ % 20000);
	server.port = SERVER_PORT;
	fx->now += 0.1;
	s = session_open(fx->t, &client, &server, syn, fx->now);
	assert_non_null(s);
	return s;
}

/* A plain handshake, so the session holds what real ones hold. */
static void
handshake(struct fixture *fx, struct session *s)
{
	static const uint8_t zeros[2 * 1536];
	uint8_t c0[1] = { 3 };

	assert_true(session_feed(s, CLIENT, c0, 1, fx->now));
	assert_true(session_feed(s, CLIENT, zeros, 1536, fx->now));
	assert_true(session_feed(s, SERVER, c0, 1, fx->now + 0.01));
	assert_true(session_feed(s, SERVER, zeros, 2 * 1536,
	    fx->now + 0.01));
	assert_true(session_feed(s, CLIENT, zeros, 1536, fx->now + 0.02));
	assert_int_equal(s->state, SESSION_ACTIVE);
}

static void
end_session(struct fixture *fx, struct session *s)
{
	fx->now += 0.1;
	session_end(s, SESSION_END_CLOSED, fx->now);
}

/* One short session: opened, shaken hands, ended. */
static uint64_t
churn_one(struct fixture *fx)
{
	struct session *s = open_session(fx, true);
	uint64_t id = s->id;

	handshake(fx, s);
	end_session(fx, s);
	return id;
}

static GPtrArray *
all_of(struct fixture *fx)
{
	return session_table_sessions(fx->t);
}

static uint64_t
id_at(struct fixture *fx, guint i)
{
	return ((struct session *)g_ptr_array_index(all_of(fx), i))->id;
}

static guint
count_ended(struct fixture *fx)
{
	GPtrArray *all = all_of(fx);
	guint i, n = 0;

	for (i = 0; i < all->len; i++)
		n += ((struct session *)g_ptr_array_index(all, i))->state ==
		    SESSION_ENDED;
	return n;
}

/* In order of id, as they were opened. */
static void
assert_in_id_order(struct fixture *fx)
{
	guint i;

	for (i = 1; i < all_of(fx)->len; i++)
		assert_true(id_at(fx, i - 1) < id_at(fx, i));
}

static bool
has_id(struct fixture *fx, uint64_t id)
{
	guint i;

	for (i = 0; i < all_of(fx)->len; i++)
		if (id_at(fx, i) == id)
			return true;
	return false;
}

/* 1000 short sessions through a table that keeps 25: the last 25 stay. */
static void
test_bound_holds(void **state)
{
	struct fixture *fx = *state;
	uint64_t last = 0;
	guint i;

	session_table_keep_ended(fx->t, 25);
	for (i = 0; i < 1000; i++) {
		last = churn_one(fx);
		assert_true(all_of(fx)->len <= 25);
	}
	assert_int_equal(all_of(fx)->len, 25);
	assert_int_equal(session_table_stats(fx->t)->evicted, 1000 - 25);
	assert_int_equal(fx->ended->len, 1000);
	for (i = 0; i < 25; i++)
		assert_int_equal(id_at(fx, i), last - 24 + i);
}

/* Open sessions are never freed, however many end around them. */
static void
test_open_kept(void **state)
{
	struct fixture *fx = *state;
	struct session *open[4];
	uint64_t ids[4];
	guint i;

	session_table_keep_ended(fx->t, 3);
	for (i = 0; i < 4; i++) {
		open[i] = open_session(fx, true);
		handshake(fx, open[i]);
		ids[i] = open[i]->id;
	}
	for (i = 0; i < 50; i++)
		churn_one(fx);
	assert_int_equal(all_of(fx)->len, 4 + 3);
	assert_int_equal(count_ended(fx), 3);
	assert_int_equal(session_table_stats(fx->t)->evicted, 50 - 3);
	for (i = 0; i < 4; i++) {
		assert_true(has_id(fx, ids[i]));
		assert_int_equal(open[i]->state, SESSION_ACTIVE);
	}
	assert_in_id_order(fx);

	/* Ending them, last first: the churned ones go, then the first. */
	for (i = 4; i-- > 0;)
		end_session(fx, open[i]);
	assert_int_equal(all_of(fx)->len, 3);
	assert_int_equal(session_table_stats(fx->t)->evicted, 50 - 3 + 4);
	assert_false(has_id(fx, ids[3]));
	assert_true(has_id(fx, ids[2]));
	assert_true(has_id(fx, ids[1]));
	assert_true(has_id(fx, ids[0]));
	assert_in_id_order(fx);
}

/* The first to end goes first, not the first opened. */
static void
test_first_ended_first(void **state)
{
	struct fixture *fx = *state;
	struct session *a, *b, *c;
	uint64_t ida, idb, idc;

	session_table_keep_ended(fx->t, 2);
	a = open_session(fx, false);
	b = open_session(fx, false);
	c = open_session(fx, false);
	ida = a->id;
	idb = b->id;
	idc = c->id;
	end_session(fx, b);
	end_session(fx, a);
	end_session(fx, c);
	assert_int_equal(all_of(fx)->len, 2);
	assert_int_equal(session_table_stats(fx->t)->evicted, 1);
	assert_false(has_id(fx, idb));
	assert_int_equal(id_at(fx, 0), ida);
	assert_int_equal(id_at(fx, 1), idc);
}

/* 0, the default, keeps every session; a bound set later applies at once. */
static void
test_unbounded_then_bound(void **state)
{
	struct fixture *fx = *state;
	guint i;

	for (i = 0; i < 200; i++)
		churn_one(fx);
	assert_int_equal(all_of(fx)->len, 200);
	assert_int_equal(session_table_stats(fx->t)->evicted, 0);

	session_table_keep_ended(fx->t, 10);
	assert_int_equal(all_of(fx)->len, 10);
	assert_int_equal(session_table_stats(fx->t)->evicted, 190);
	assert_int_equal(id_at(fx, 0), 191);
	assert_in_id_order(fx);

	session_table_keep_ended(fx->t, 0);
	churn_one(fx);
	assert_int_equal(all_of(fx)->len, 11);
}

/* Connections that never said a byte are freed, not counted as evicted. */
static void
test_not_rtmp_not_counted(void **state)
{
	struct fixture *fx = *state;
	guint i;

	session_table_keep_ended(fx->t, 5);
	for (i = 0; i < 20; i++)
		end_session(fx, open_session(fx, true));
	assert_int_equal(all_of(fx)->len, 0);
	assert_int_equal(session_table_stats(fx->t)->evicted, 0);
	assert_int_equal(fx->ended->len, 0);
}

/*
 * The end of the capture ends every open session, whatever else ending
 * one frees: undecided connections (freed as not RTMP) and sessions
 * beyond the bound are removed from under the walk.
 */
static void
test_finish(void **state)
{
	struct fixture *fx = *state;
	guint i;

	session_table_keep_ended(fx->t, 3);
	for (i = 0; i < 8; i++) {
		if (i % 2 == 0)
			(void)open_session(fx, true);	/* no byte: undecided */
		else
			handshake(fx, open_session(fx, true));
	}
	session_table_finish(fx->t, fx->now + 1);
	assert_int_equal(fx->ended->len, 4);
	assert_int_equal(all_of(fx)->len, 3);
	assert_int_equal(count_ended(fx), 3);
	assert_int_equal(session_table_stats(fx->t)->evicted, 1);
	assert_in_id_order(fx);

	/* Unbounded, the same: every open one ends. */
	session_table_keep_ended(fx->t, 0);
	for (i = 0; i < 8; i++) {
		if (i % 2 == 0)
			(void)open_session(fx, true);
		else
			handshake(fx, open_session(fx, true));
	}
	session_table_finish(fx->t, fx->now + 1);
	assert_int_equal(fx->ended->len, 8);
	assert_int_equal(all_of(fx)->len, 3 + 4);
	assert_int_equal(count_ended(fx), 3 + 4);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_bound_holds),
		T(test_open_kept),
		T(test_first_ended_first),
		T(test_unbounded_then_bound),
		T(test_not_rtmp_not_counted),
		T(test_finish),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
