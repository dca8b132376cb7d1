/*
 * The ladder diagram, rendered from sessions built by hand, and the
 * progress bar, drawn on a pseudo-terminal: the bar only ever draws on a
 * terminal, so that is the only place it can be seen.
 */
#define _GNU_SOURCE	/* grantpt(), unlockpt(), ptsname() */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/ioctl.h>

#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>

#include "ladder.h"
#include "progress.h"
#include "session.h"

#define T0	1700000000.0	/* capture times are wall-clock seconds */

static void
entry_free(gpointer p)
{
	struct ladder_entry *e = p;

	g_free(e->text);
	g_free(e);
}

static void
stream_free(gpointer p)
{
	struct session_stream *st = p;

	g_free(st->name);
	g_free(st);
}

static struct session *
mk_session(void)
{
	struct session *s = g_new0(struct session, 1);

	s->id = 7;
	g_strlcpy(s->client_name, "10.0.0.1:51234", sizeof(s->client_name));
	g_strlcpy(s->server_name, "10.0.0.2:1935", sizeof(s->server_name));
	s->start = T0;
	s->end = T0 + 15.3;
	s->how = SESSION_END_CLOSED;
	s->ladder = g_ptr_array_new_with_free_func(entry_free);
	s->streams = g_ptr_array_new_with_free_func(stream_free);
	return s;
}

static void
free_session(struct session *s)
{
	g_ptr_array_free(s->ladder, TRUE);
	g_ptr_array_free(s->streams, TRUE);
	g_free(s->app);
	g_free(s);
}

static void
add_text(struct session *s, double rel, enum rtmp_dir dir, const char *text)
{
	struct ladder_entry *e = g_new0(struct ladder_entry, 1);

	e->t = T0 + rel;
	e->dir = dir;
	e->text = g_strdup(text);
	g_ptr_array_add(s->ladder, e);
}

static void
add_problem(struct session *s, double rel, const char *text)
{
	add_text(s, rel, DIR_S2C, text);
	((struct ladder_entry *)g_ptr_array_index(s->ladder,
	    s->ladder->len - 1))->problem = true;
}

static void
add_media(struct session *s, double rel, double rel_last, enum rtmp_dir dir,
    uint32_t video, uint32_t audio)
{
	struct ladder_entry *e = g_new0(struct ladder_entry, 1);

	e->t = T0 + rel;
	e->last_t = T0 + rel_last;
	e->dir = dir;
	e->video = video;
	e->audio = audio;
	g_ptr_array_add(s->ladder, e);
}

static void
add_stream(struct session *s, const char *name, enum session_role role)
{
	struct session_stream *st = g_new0(struct session_stream, 1);

	st->msid = 1;
	st->name = g_strdup(name);
	st->role = role;
	g_ptr_array_add(s->streams, st);
}

/* The diagram as lines, without their newlines. */
static char **
render(const struct session *s, int width)
{
	char	*buf = NULL, **lines;
	size_t	 len = 0;
	FILE	*f = open_memstream(&buf, &len);

	assert_non_null(f);
	ladder_print(f, s, width);
	assert_int_equal(fclose(f), 0);
	assert_true(len > 0);
	assert_int_equal(buf[len - 1], '\n');
	buf[len - 1] = '\0';
	lines = g_strsplit(buf, "\n", -1);
	free(buf);
	return lines;
}

/* The line that contains needle; fails when there is none. */
static const char *
find_line(char **lines, const char *needle)
{
	for (; *lines != NULL; lines++)
		if (strstr(*lines, needle) != NULL)
			return *lines;
	fail_msg("no line with \"%s\"", needle);
	return NULL;
}

/* Terminal columns, as the ladder counts them. */
static int
cols(const char *p)
{
	int	 n = 0;

	assert_true(g_utf8_validate(p, -1, NULL));
	for (; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		n += g_unichar_iszerowidth(c) ? 0 : g_unichar_iswide(c) ? 2 : 1;
	}
	return n;
}

/* Byte offset of a column (all ASCII before it in these tests). */
static const char *
at_col(const char *line, int col)
{
	const char *p = line;

	while (col-- > 0 && *p != '\0')
		p = g_utf8_next_char(p);
	return p;
}

/* A typical session: handshake, connect, play, media, a stall. */
static struct session *
mk_play_session(void)
{
	struct session *s = mk_session();

	s->app = g_strdup("live");
	add_stream(s, "cam1", ROLE_PLAY);
	add_text(s, 0, DIR_C2S, "C0+C1");
	add_text(s, 0.001, DIR_S2C, "S0+S1+S2");
	add_text(s, 0.002, DIR_C2S, "C2");
	add_text(s, 0.045, DIR_C2S,
	    "command connect #1 app=live tcUrl=rtmp://10.0.0.2/live");
	add_text(s, 0.046, DIR_S2C, "window ack size 2500000");
	add_text(s, 0.047, DIR_S2C,
	    "command _result #1 NetConnection.Connect.Success");
	add_text(s, 0.050, DIR_C2S, "command play #4 cam1");
	add_media(s, 0.120, 10.120, DIR_S2C, 250, 430);
	add_problem(s, 10.2, "! stall 5.0 s");
	add_media(s, 15.2, 15.7, DIR_S2C, 0, 3);
	return s;
}

static void
test_arrows(void **state)
{
	struct session	*s = mk_play_session();
	char		**l = render(s, 80);
	const char	*line;

	(void)state;
	/* Client to server points right, server to client left. */
	line = find_line(l, " C0+C1 ");
	assert_true(g_str_has_prefix(line, "  0.000 |-"));
	assert_true(g_str_has_suffix(line, "->|"));
	line = find_line(l, " S0+S1+S2 ");
	assert_true(g_str_has_prefix(line, "  0.001 |<-"));
	assert_true(g_str_has_suffix(line, "--|"));
	line = find_line(l, " command play #4 cam1 ");
	assert_true(g_str_has_prefix(line, "  0.050 |-"));
	assert_true(g_str_has_suffix(line, "->|"));
	line = find_line(l, "NetConnection.Connect.Success");
	assert_true(g_str_has_prefix(line, "  0.047 |<-"));
	g_strfreev(l);
	free_session(s);
}

static void
test_header(void **state)
{
	struct session	*s = mk_play_session();
	char		**l = render(s, 80);

	(void)state;
	assert_string_equal(l[0], "session 7  app=live  stream=cam1  role=play");
	/* The names over their lifelines: client left, server right. */
	assert_true(g_str_has_prefix(l[1], "        client 10.0.0.1:51234 "));
	assert_true(g_str_has_suffix(l[1], " server 10.0.0.2:1935"));
	assert_int_equal(cols(l[1]), 80);
	assert_true(g_str_has_prefix(l[2], "        |    "));
	assert_true(g_str_has_suffix(l[2], "    |"));
	g_strfreev(l);
	free_session(s);
}

/* At every width the lifelines stay straight and nothing passes the edge. */
static void
test_widths(void **state)
{
	static const int	 widths[] = { 80, 160, 0, 20, 57 };
	struct session		*s = mk_play_session();
	char			**l, **p;
	size_t			 i;
	int			 w;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(widths); i++) {
		l = render(s, widths[i]);
		w = widths[i] <= 0 ? LADDER_WIDTH :
		    MAX(widths[i], LADDER_MIN_WIDTH);
		/* The names may take two lines when narrow. */
		p = l + 1;
		while (*p != NULL && !g_str_has_prefix(*p, "        |"))
			p++;
		assert_true(p - l == 2 || p - l == 3);
		for (; *p != NULL; p++) {
			assert_int_equal(cols(*p), w);
			assert_true(*at_col(*p, 8) == '|' ||
			    *at_col(*p, 8) == '+');
			assert_true(*at_col(*p, w - 1) == '|' ||
			    *at_col(*p, w - 1) == '+');
		}
		for (p = l; *p != NULL; p++)
			assert_true(cols(*p) <= w);
		g_strfreev(l);
	}
	free_session(s);
}

static void
test_cut(void **state)
{
	struct session	*s = mk_session();
	char		**l;
	const char	*line;
	char		 text[300], *xs, *want;

	(void)state;
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	memcpy(text, "command connect", 15);
	add_text(s, 0.045, DIR_C2S, text);
	add_text(s, 0.046, DIR_S2C, text);

	l = render(s, 80);
	/*
	 * 80 columns: a margin of 8, 2 lifelines, 6 for heads, fill and
	 * spaces leave 64 for the text, the last of them the ellipsis.
	 */
	xs = g_strnfill(63 - 15, 'x');
	want = g_strdup_printf("  0.045 |-- command connect%s\xe2\x80\xa6 ->|",
	    xs);
	assert_string_equal(find_line(l, "|-- command connectx"), want);
	g_free(want);
	want = g_strdup_printf("  0.046 |<- command connect%s\xe2\x80\xa6 --|",
	    xs);
	assert_string_equal(find_line(l, "|<- command connectx"), want);
	g_free(want);
	g_free(xs);
	g_strfreev(l);

	/* Wider, more of it shows: 160 - 8 - 2 - 6 columns. */
	l = render(s, 160);
	line = find_line(l, "command connect");
	assert_int_equal(cols(line), 160);
	xs = g_strnfill(143 - 15, 'x');
	want = g_strdup_printf("command connect%s\xe2\x80\xa6 ->|", xs);
	assert_true(g_str_has_suffix(line, want));
	g_free(want);
	g_free(xs);
	g_strfreev(l);
	free_session(s);
}

/* Names from the wire: control bytes, broken UTF-8, wide characters. */
static void
test_clean(void **state)
{
	struct session	*s = mk_session();
	char		**l, **p;
	const char	*line;

	(void)state;
	add_text(s, 1, DIR_C2S, "command play bad\x1b[2J\tname\xff\xfe");
	add_text(s, 2, DIR_C2S, "command play \xe7\x9b\xb4\xe6\x92\xad");
	l = render(s, 60);
	line = find_line(l, "command play bad");
	assert_non_null(strstr(line, " command play bad?[2J name?? "));
	line = find_line(l, "command play \xe7\x9b\xb4");
	assert_int_equal(cols(line), 60);
	for (p = l; *p != NULL; p++)
		assert_null(strchr(*p, '\x1b'));
	g_strfreev(l);
	free_session(s);
}

static void
test_media(void **state)
{
	struct session	*s = mk_play_session();
	char		**l = render(s, 80);
	const char	*line;

	(void)state;
	line = find_line(l, " video \xc3\x97" "250, audio \xc3\x97" "430 "
	    "(10.0 s) ");
	assert_true(g_str_has_prefix(line, "  0.120 |<-"));
	assert_true(g_str_has_suffix(line, "-|"));
	line = find_line(l, " audio \xc3\x97" "3 (0.5 s) ");
	assert_true(g_str_has_prefix(line, " 15.200 |<-"));
	assert_null(strstr(line, "video"));
	g_strfreev(l);
	free_session(s);
}

static void
test_problem(void **state)
{
	struct session	*s = mk_play_session();
	char		**l = render(s, 80);
	const char	*line, *mark;
	int		 before, after;

	(void)state;
	line = find_line(l, "!! stall 5.0 s !!");
	assert_true(g_str_has_prefix(line, " 10.200 |===="));
	assert_true(g_str_has_suffix(line, "====|"));
	/* Centred between the lifelines, give or take a column. */
	mark = strstr(line, " !! stall");
	before = (int)(mark - line) - 9;
	after = (int)strlen(mark + strlen(" !! stall 5.0 s !! ")) - 1;
	assert_true(abs(before - after) <= 1);
	g_strfreev(l);
	free_session(s);
}

static void
test_footer(void **state)
{
	struct session	*s = mk_play_session();
	char		**l, **p;
	const char	*line;
	int		 n;

	(void)state;
	s->ladder_dropped = 17;
	l = render(s, 80);
	for (n = 0, p = l; *p != NULL; p++)
		n++;
	line = l[n - 2];
	assert_true(g_str_has_prefix(line, "        |      "));
	assert_non_null(strstr(line, " \xe2\x80\xa6 17 more "));
	line = l[n - 1];
	assert_true(g_str_has_prefix(line, " 15.300 +---"));
	assert_non_null(strstr(line, "--- end: closed ---"));
	assert_true(g_str_has_suffix(line, "---+"));
	g_strfreev(l);

	/* Nothing dropped, nothing said. */
	s->ladder_dropped = 0;
	l = render(s, 80);
	for (p = l; *p != NULL; p++)
		assert_null(strstr(*p, "more"));
	g_strfreev(l);
	free_session(s);
}

/* A session with no ladder yet and no end: still a diagram. */
static void
test_empty(void **state)
{
	struct session	*s = mk_session();
	char		**l;

	(void)state;
	s->end = 0;
	s->how = SESSION_END_OPEN;
	l = render(s, 80);
	assert_string_equal(l[0], "session 7");
	assert_true(g_str_has_prefix(l[2], "        |"));
	assert_true(g_str_has_prefix(l[3], "        +---"));
	assert_non_null(strstr(l[3], " end: open (capture ended) "));
	assert_null(l[4]);
	g_strfreev(l);

	g_ptr_array_free(s->ladder, TRUE);
	s->ladder = NULL;
	l = render(s, 80);
	assert_non_null(strstr(l[3], "end: open"));
	g_strfreev(l);
	s->ladder = g_ptr_array_new();
	free_session(s);
}

/* Long names that cannot share a line go on two. */
static void
test_long_names(void **state)
{
	struct session	*s = mk_session();
	char		**l;

	(void)state;
	g_strlcpy(s->client_name, "[2001:db8:1234:5678:9abc:def0:1234:5678]:51234",
	    sizeof(s->client_name));
	g_strlcpy(s->server_name, "[2001:db8:1234:5678:9abc:def0:1234:9999]:1935",
	    sizeof(s->server_name));
	l = render(s, 80);
	assert_true(g_str_has_prefix(l[1], "        client [2001:db8:"));
	assert_true(g_str_has_suffix(l[2], "server [2001:db8:1234:5678:9abc:"
	    "def0:1234:9999]:1935"));
	assert_int_equal(cols(l[2]), 80);
	assert_true(g_str_has_prefix(l[3], "        |"));
	g_strfreev(l);
	free_session(s);
}

/* Times past 999 s widen the margin for every line alike. */
static void
test_long_times(void **state)
{
	struct session	*s = mk_session();
	char		**l, **p;

	(void)state;
	add_text(s, 0.5, DIR_C2S, "C0+C1");
	add_text(s, 12345.678, DIR_S2C, "command onStatus");
	s->end = T0 + 12400;
	l = render(s, 80);
	assert_true(g_str_has_prefix(find_line(l, "C0+C1"), "    0.500 |-"));
	assert_true(g_str_has_prefix(find_line(l, "onStatus"), "12345.678 |<"));
	for (p = l + 2; *p != NULL; p++) {
		assert_int_equal(cols(*p), 80);
		assert_true(*at_col(*p, 10) == '|' || *at_col(*p, 10) == '+');
	}
	g_strfreev(l);
	free_session(s);
}

static void
test_progress_quiet(void **state)
{
	(void)state;
	/* Too small for a bar, terminal or not. */
	assert_null(progress_new(1024));
	if (!isatty(STDERR_FILENO))
		assert_null(progress_new(1ULL << 33));
	/* NULL is a bar that draws nothing. */
	assert_false(progress_due(NULL));
	progress_update(NULL, 1);
	progress_done(NULL);
}

/* Everything the terminal got so far, waiting at most ms for the first. */
static GString *
pty_read(int fd, int ms)
{
	GString		*got = g_string_new(NULL);
	struct pollfd	 pfd = { .fd = fd, .events = POLLIN };
	char		 buf[512];
	ssize_t		 n;

	while (poll(&pfd, 1, got->len == 0 ? ms : 50) > 0 &&
	    (n = read(fd, buf, sizeof(buf))) > 0)
		g_string_append_len(got, buf, n);
	return got;
}

/*
 * Everything is drawn first and checked after stderr is back, so that a
 * failure can be read.
 */
static void
test_progress_draw(void **state)
{
	struct winsize	 ws = { .ws_row = 24, .ws_col = 60 };
	struct progress	*p, *narrow;
	GString		*wide_line, *cleared, *narrow_line;
	const char	*name;
	int		 master, slave, saved;
	bool		 due_early, due_later, due_again;

	(void)state;
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master == -1 || grantpt(master) == -1 || unlockpt(master) == -1 ||
	    (name = ptsname(master)) == NULL ||
	    (slave = open(name, O_RDWR | O_NOCTTY)) == -1)
		skip();
	assert_int_equal(ioctl(slave, TIOCSWINSZ, &ws), 0);
	g_setenv("TERM", "xterm", TRUE);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved != -1);
	assert_int_not_equal(dup2(slave, STDERR_FILENO), -1);

	p = progress_new(100ULL * 1000 * 1000);
	/* Nothing at first: a quick read should not flash a bar. */
	progress_update(p, 1000);
	due_early = progress_due(p);
	g_usleep(PROGRESS_INTERVAL_US + 20000);
	due_later = progress_due(p);
	progress_update(p, 42ULL * 1000 * 1000);
	/* And not again until another interval has passed. */
	due_again = progress_due(p);
	progress_update(p, 43ULL * 1000 * 1000);
	wide_line = pty_read(master, 1000);
	progress_done(p);
	cleared = pty_read(master, 1000);

	/* A narrow terminal gets the numbers without a bar. */
	ws.ws_col = 30;
	ioctl(slave, TIOCSWINSZ, &ws);
	narrow = progress_new(100ULL * 1000 * 1000);
	g_usleep(PROGRESS_INTERVAL_US + 20000);
	progress_update(narrow, 100ULL * 1000 * 1000);
	narrow_line = pty_read(master, 1000);
	progress_done(narrow);

	assert_int_not_equal(dup2(saved, STDERR_FILENO), -1);
	close(saved);
	close(slave);
	close(master);

	assert_non_null(p);
	assert_non_null(narrow);
	assert_false(due_early);
	assert_true(due_later);
	assert_false(due_again);
	assert_true(g_str_has_prefix(wide_line->str, "\r 42% [###"));
	assert_non_null(strstr(wide_line->str, "---] "));
	assert_non_null(strstr(wide_line->str, " MB/s "));
	assert_true(g_str_has_suffix(wide_line->str, " left\033[K"));
	assert_null(strstr(wide_line->str, " 43%"));
	/* Fits the 60 columns with one to spare. */
	assert_int_equal(wide_line->len - strlen("\r\033[K"), 59);
	assert_string_equal(cleared->str, "\r\033[K");
	assert_true(g_str_has_prefix(narrow_line->str, "\r100% "));
	assert_null(strstr(narrow_line->str, "% ["));
	assert_true(narrow_line->len - strlen("\r\033[K") <= 29);
	g_string_free(wide_line, TRUE);
	g_string_free(cleared, TRUE);
	g_string_free(narrow_line, TRUE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arrows),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_widths),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_media),
		cmocka_unit_test(test_problem),
		cmocka_unit_test(test_footer),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_long_names),
		cmocka_unit_test(test_long_times),
		cmocka_unit_test(test_progress_quiet),
		cmocka_unit_test(test_progress_draw),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
