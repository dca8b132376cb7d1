/*
 * The config file and the flags it shares with the command line: a good
 * file, every kind of mistake with the line it names, the command line
 * winning, and the table's defaults being the program's.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "config-file.h"
#include "health.h"
#include "options.h"
#include "session.h"

static char *tmpdir;

static int
group_setup(void **state)
{
	tmpdir = g_dir_make_tmp("test-config-XXXXXX", NULL);
	return tmpdir == NULL ? -1 : 0;
}

static int
group_teardown(void **state)
{
	GDir *dir;
	const char *name;
	char *path;

	if ((dir = g_dir_open(tmpdir, 0, NULL)) != NULL) {
		while ((name = g_dir_read_name(dir)) != NULL) {
			path = g_build_filename(tmpdir, name, NULL);
			g_unlink(path);
			g_free(path);
		}
		g_dir_close(dir);
	}
	g_rmdir(tmpdir);
	g_free(tmpdir);
	return 0;
}

/* Writes text to a file of the temporary directory; returns its path. */
static char *
write_conf(const char *name, const char *text)
{
	char *path = g_build_filename(tmpdir, name, NULL);

	assert_true(g_file_set_contents(path, text, -1, NULL));
	return path;
}

/* Parses a command line given as words, ending in NULL. */
static void
parse_args(struct options *opts, ...)
{
	char *argv[32];
	int argc = 0;
	const char *arg;
	va_list ap;
	GError *err = NULL;

	argv[argc++] = (char *)"rtmpscope";
	va_start(ap, opts);
	while ((arg = va_arg(ap, const char *)) != NULL && argc < 31)
		argv[argc++] = (char *)arg;
	va_end(ap);
	argv[argc] = NULL;
	if (!options_parse(opts, argc, argv, &err))
		fail_msg("options_parse: %s", err->message);
}

/* The message options_parse() gives for a bad command line. */
static char *
parse_args_error(const char *arg)
{
	char *argv[] = { (char *)"rtmpscope", (char *)arg, NULL };
	struct options opts;
	GError *err = NULL;
	char *msg;

	assert_false(options_parse(&opts, 2, argv, &err));
	assert_non_null(err);
	msg = g_strdup(err->message);
	g_error_free(err);
	options_clear(&opts);
	return msg;
}

/* Loads text as a config file over a bare command line; the error text. */
static char *
load_error(const char *name, const char *text, char **path)
{
	struct options opts;
	struct health_config health;
	GError *err = NULL;
	char *msg;

	*path = write_conf(name, text);
	parse_args(&opts, NULL);
	assert_false(config_load(*path, &opts, &health, &err));
	assert_non_null(err);
	assert_int_equal(err->domain, CONFIG_ERROR);
	msg = g_strdup(err->message);
	g_error_free(err);
	options_clear(&opts);
	return msg;
}

/* The error of a file is exactly "PATH" followed by suffix. */
static void
expect_error(const char *name, const char *text, const char *suffix)
{
	char *path, *msg, *want;

	msg = load_error(name, text, &path);
	want = g_strconcat(path, suffix, NULL);
	assert_string_equal(msg, want);
	g_free(want);
	g_free(msg);
	g_free(path);
}

static void
test_good_file(void **state)
{
	struct options opts;
	struct health_config health;
	GError *err = NULL;
	char *path;

	path = write_conf("good.conf",
	    "# a comment\n"
	    "\n"
	    "[rtmpscope]\n"
	    "read = /tmp/session.pcap\n"
	    "port = 1935\n"
	    "dump = json\n"
	    "report=text\n"
	    "fail-on = warn\n"
	    "ladder = [::0001]:50000\n"
	    "\n"
	    "[health]\n"
	    "  stall_ms = 2500  \n"
	    "handshake_timeout_ms=7000\r\n"
	    "ping_timeout_ms = 1\n"
	    "av_desync_ms = 4294967295\n");
	parse_args(&opts, NULL);
	assert_true(config_load(path, &opts, &health, &err));
	assert_null(err);
	assert_string_equal(opts.read_file, "/tmp/session.pcap");
	assert_int_equal(opts.nports, 1);
	assert_int_equal(opts.ports[0], 1935);
	assert_int_equal(opts.dump, DUMP_JSON);
	assert_int_equal(opts.report, REPORT_TEXT);
	assert_true(opts.fail_on_set);
	assert_int_equal(opts.fail_on, HEALTH_WARN);
	assert_true(opts.ladder);
	assert_string_equal(opts.ladder_session, "[::1]:50000");
	assert_int_equal(health.stall_ms, 2500);
	assert_int_equal(health.handshake_timeout_ms, 7000);
	assert_int_equal(health.ping_timeout_ms, 1);
	assert_int_equal(health.av_desync_ms, 4294967295u);
	options_clear(&opts);
	g_free(path);
}

/* An empty file, or one with a group and no keys: all defaults. */
static void
test_empty_file(void **state)
{
	struct options opts;
	struct health_config health, defaults;
	GError *err = NULL;
	char *path;

	health_config_defaults(&defaults);
	path = write_conf("empty.conf", "");
	parse_args(&opts, NULL);
	memset(&health, 0xff, sizeof(health));
	assert_true(config_load(path, &opts, &health, &err));
	assert_memory_equal(&health, &defaults, sizeof(health));
	assert_null(opts.read_file);
	assert_int_equal(opts.nports, 1);
	assert_int_equal(opts.ports[0], RTMP_DEFAULT_PORT);
	assert_int_equal(opts.dump, DUMP_NONE);
	assert_int_equal(opts.report, REPORT_NONE);
	assert_false(opts.fail_on_set);
	assert_false(opts.ladder);
	options_clear(&opts);
	g_free(path);

	path = write_conf("groups.conf", "[health]\n[rtmpscope]\n");
	parse_args(&opts, NULL);
	assert_true(config_load(path, &opts, &health, &err));
	assert_memory_equal(&health, &defaults, sizeof(health));
	options_clear(&opts);
	g_free(path);
}

static void
test_ports(void **state)
{
	struct options opts;
	struct health_config health;
	GError *err = NULL;
	char *path;

	path = write_conf("ports.conf",
	    "[rtmpscope]\nport = 1935;19350; 8080 ;\n");
	parse_args(&opts, NULL);
	assert_true(config_load(path, &opts, &health, &err));
	assert_int_equal(opts.nports, 3);
	assert_int_equal(opts.ports[0], 1935);
	assert_int_equal(opts.ports[1], 19350);
	assert_int_equal(opts.ports[2], 8080);
	options_clear(&opts);
	g_free(path);

	expect_error("port-bad.conf", "[rtmpscope]\nport = 1935;abc\n",
	    ":2: [rtmpscope] port: 'abc' is not a port number (1-65535)");
	expect_error("port-zero.conf", "\n[rtmpscope]\n\nport = 0\n",
	    ":4: [rtmpscope] port: '0' is not a port number (1-65535)");
	expect_error("port-big.conf", "[rtmpscope]\nport=65536\n",
	    ":2: [rtmpscope] port: '65536' is not a port number (1-65535)");
	expect_error("port-none.conf", "[rtmpscope]\nport=\n",
	    ":2: [rtmpscope] port: give 1 to 64 ports, separated by ';'");
}

/* A flag given on the command line wins; the file fills the others. */
static void
test_command_line_wins(void **state)
{
	struct options opts;
	struct health_config health;
	GError *err = NULL;
	char *path;

	path = write_conf("wins.conf",
	    "[rtmpscope]\n"
	    "read = from-file.pcap\n"
	    "port = 1936;1937\n"
	    "dump = text\n"
	    "report = json\n"
	    "fail-on = warn\n"
	    "ladder = 4\n");
	parse_args(&opts, "-r", "from-flag.pcap", "-p", "19350",
	    "--dump=json", "--fail-on=bad", NULL);
	assert_int_equal(opts.given, OPTIONS_GIVEN_READ | OPTIONS_GIVEN_PORT |
	    OPTIONS_GIVEN_DUMP | OPTIONS_GIVEN_FAIL_ON);
	assert_true(config_load(path, &opts, &health, &err));
	assert_string_equal(opts.read_file, "from-flag.pcap");
	assert_int_equal(opts.nports, 1);
	assert_int_equal(opts.ports[0], 19350);
	assert_int_equal(opts.dump, DUMP_JSON);
	assert_int_equal(opts.fail_on, HEALTH_BAD);
	/* Not on the command line: from the file. */
	assert_int_equal(opts.report, REPORT_JSON);
	assert_true(opts.ladder);
	assert_string_equal(opts.ladder_session, "4");
	options_clear(&opts);

	/* "none" on the command line turns off what the file turns on. */
	parse_args(&opts, "--report=none", "--ladder=none", NULL);
	assert_true(config_load(path, &opts, &health, &err));
	assert_int_equal(opts.report, REPORT_NONE);
	assert_false(opts.ladder);
	assert_null(opts.ladder_session);
	assert_string_equal(opts.read_file, "from-file.pcap");
	options_clear(&opts);
	g_free(path);

	/* A value the command line overrides must still be good. */
	expect_error("wins-bad.conf", "[rtmpscope]\ndump = xml\n",
	    ":2: [rtmpscope] dump: 'xml' is not a dump format "
	    "(text, json or none)");
	path = write_conf("wins-bad2.conf", "[rtmpscope]\ndump = xml\n");
	parse_args(&opts, "--dump", NULL);
	assert_false(config_load(path, &opts, &health, &err));
	assert_non_null(err);
	g_clear_error(&err);
	options_clear(&opts);
	g_free(path);
}

/* max_ended_sessions: a count, 0 for every one; no flag. */
static void
test_max_ended_sessions(void **state)
{
	struct options opts;
	struct health_config health;
	GError *err = NULL;
	char *path;

	path = write_conf("ended.conf",
	    "[rtmpscope]\nmax_ended_sessions = 0\n");
	parse_args(&opts, NULL);
	assert_true(config_load(path, &opts, &health, &err));
	assert_int_equal(opts.max_ended_sessions, 0);
	options_clear(&opts);
	g_free(path);
	path = write_conf("ended5.conf", "[rtmpscope]\nmax_ended_sessions=5\n");
	parse_args(&opts, "-r", "x.pcap", NULL);
	assert_true(config_load(path, &opts, &health, &err));
	assert_int_equal(opts.max_ended_sessions, 5);
	options_clear(&opts);
	g_free(path);
	expect_error("ended-neg.conf", "[rtmpscope]\nmax_ended_sessions = -1\n",
	    ":2: [rtmpscope] max_ended_sessions: '-1' is not a non-negative "
	    "integer");
	expect_error("ended-big.conf",
	    "[rtmpscope]\nmax_ended_sessions = 4294967296\n",
	    ":2: [rtmpscope] max_ended_sessions: '4294967296' is too large "
	    "(at most 4294967295)");
}

/* The keys of the flags --replay, --no-ui, --http, --log-port,
 * --simulate-origin, --fault and --demo: set from the file, the flag wins. */
static void
test_flag_keys(void **state)
{
	struct options opts;
	struct health_config health;
	GError *err = NULL;
	char *path;

	path = write_conf("flag-keys.conf",
	    "[rtmpscope]\n"
	    "replay = realtime\n"
	    "no-ui = true\n"
	    "http = 0.0.0.0:18083\n"
	    "log-port = [::1]\n"
	    "simulate-origin = 127.0.0.1:0\n"
	    "fault = stall:5s@3s,no-ping-reply\n"
	    "demo = true\n");
	parse_args(&opts, NULL);
	assert_true(config_load(path, &opts, &health, &err));
	assert_int_equal(opts.replay, REPLAY_REALTIME);
	assert_true(opts.no_ui);
	assert_string_equal(opts.http, "0.0.0.0:18083");
	assert_string_equal(opts.log_port, "[::1]");
	assert_string_equal(opts.simulate_origin, "127.0.0.1:0");
	assert_non_null(opts.faults);
	assert_string_equal(opts.faults[0], "stall:5s@3s,no-ping-reply");
	assert_null(opts.faults[1]);
	assert_true(opts.demo);
	options_clear(&opts);

	parse_args(&opts, "--replay=fast", "--http=10090", "--log-port=10091",
	    "--simulate-origin=1936", "--fault=die:2s", NULL);
	assert_true(config_load(path, &opts, &health, &err));
	assert_int_equal(opts.replay, REPLAY_FAST);
	assert_string_equal(opts.http, "10090");
	assert_string_equal(opts.log_port, "10091");
	assert_string_equal(opts.simulate_origin, "1936");
	assert_string_equal(opts.faults[0], "die:2s");
	assert_null(opts.faults[1]);
	options_clear(&opts);
	g_free(path);

	/* false in the file does not undo the flag. */
	path = write_conf("flag-keys-off.conf",
	    "[rtmpscope]\nno-ui = false\ndemo = false\nhttp =\n");
	parse_args(&opts, "--no-ui", NULL);
	assert_true(config_load(path, &opts, &health, &err));
	assert_true(opts.no_ui);
	assert_false(opts.demo);
	assert_null(opts.http);
	options_clear(&opts);
	g_free(path);

	expect_error("replay.conf", "[rtmpscope]\nreplay = slow\n",
	    ":2: [rtmpscope] replay: 'slow' is not a pace (fast or realtime)");
	expect_error("no-ui.conf", "[rtmpscope]\nno-ui = yes\n",
	    ":2: [rtmpscope] no-ui: 'yes' is not true or false");
	expect_error("http.conf", "[rtmpscope]\nhttp = 70000\n",
	    ":2: [rtmpscope] http: '70000' is not an address ([ADDR:]PORT)");
	expect_error("log-port.conf", "[rtmpscope]\nlog-port = host:x\n",
	    ":2: [rtmpscope] log-port: 'host:x' is not an address "
	    "([ADDR:]PORT)");
	expect_error("origin.conf", "[rtmpscope]\nsimulate-origin = a:b\n",
	    ":2: [rtmpscope] simulate-origin: 'a:b' is not an address "
	    "([ADDR:]PORT)");
	expect_error("fault.conf", "[rtmpscope]\nfault = stall:5s,melt\n",
	    ":2: [rtmpscope] fault: 'stall:5s,melt' is not a list of faults "
	    "(stall, die, slow-handshake, reject-connect, stream-not-found, "
	    "no-ping-reply, garbage, with times like stall:5s@3s)");
}

static void
test_bad_values(void **state)
{
	expect_error("ms-abc.conf",
	    "# thresholds\n[health]\nstall_ms = abc\n",
	    ":3: [health] stall_ms: 'abc' is not a positive integer");
	expect_error("ms-zero.conf", "[health]\nav_desync_ms = 0\n",
	    ":2: [health] av_desync_ms: '0' is not a positive integer");
	expect_error("ms-neg.conf", "[health]\nping_timeout_ms = -5\n",
	    ":2: [health] ping_timeout_ms: '-5' is not a positive integer");
	expect_error("ms-empty.conf", "[health]\nstall_ms =\n",
	    ":2: [health] stall_ms: '' is not a positive integer");
	expect_error("ms-unit.conf", "[health]\nstall_ms = 2s\n",
	    ":2: [health] stall_ms: '2s' is not a positive integer");
	expect_error("ms-big.conf",
	    "[health]\nhandshake_timeout_ms = 4294967296\n",
	    ":2: [health] handshake_timeout_ms: '4294967296' is too large "
	    "(at most 4294967295)");
	expect_error("ms-huge.conf",
	    "[health]\nstall_ms = 99999999999999999999999\n",
	    ":2: [health] stall_ms: '99999999999999999999999' is too large "
	    "(at most 4294967295)");
	/* The key's line, not the line of another key that contains it. */
	expect_error("ms-line.conf",
	    "[health]\nmy_stall_ms_x = 1\n", ":2: unknown key "
	    "'my_stall_ms_x' in [health]");
	expect_error("ms-line2.conf",
	    "[rtmpscope]\nstall_ms = 1\n[health]\nstall_ms = 1\n"
	    "stall_ms_other = 3\n",
	    ":2: unknown key 'stall_ms' in [rtmpscope]");
	expect_error("ms-line3.conf",
	    "[health]\nav_desync_ms = 5\n\n[rtmpscope]\ndump = text\n"
	    "[health]\n\tstall_ms\t= x\n",
	    ":7: [health] stall_ms: 'x' is not a positive integer");
	expect_error("report.conf", "[rtmpscope]\nreport = html\n",
	    ":2: [rtmpscope] report: 'html' is not a report format "
	    "(text, json or none)");
	expect_error("fail-on.conf", "[rtmpscope]\nfail-on = ok\n",
	    ":2: [rtmpscope] fail-on: 'ok' is not a severity "
	    "(warn, bad or none)");
	expect_error("ladder.conf", "[rtmpscope]\nladder = 1.2.3.4\n",
	    ":2: [rtmpscope] ladder: '1.2.3.4' is not a session "
	    "(a number, a client ip:port, all or none)");
	expect_error("utf8.conf", "[rtmpscope]\nread = a\xff.pcap\n",
	    ":2: [rtmpscope] read: the value is not UTF-8");
	expect_error("utf8-list.conf", "[rtmpscope]\nport = 1935;\xff\n",
	    ":2: [rtmpscope] port: the value is not UTF-8");
}

static void
test_unknown(void **state)
{
	expect_error("key.conf", "[health]\nstall_ms = 1\n\nstal_ms = 2\n",
	    ":4: unknown key 'stal_ms' in [health]");
	expect_error("group.conf",
	    "[health]\nstall_ms = 1\n\n  [helth]  \nstall_ms = 2\n",
	    ":4: unknown group [helth]");
	expect_error("locale.conf", "[health]\nstall_ms[fr] = 1\n",
	    ":2: unknown key 'stall_ms[fr]' in [health]");
	expect_error("twice.conf",
	    "[health]\nstall_ms = 1\n[rtmpscope]\ndump=text\n[health]\n"
	    "stall_ms = 2\n",
	    ":6: [health] stall_ms: given twice");
}

static void
test_syntax(void **state)
{
	char *path, *msg, *want;

	msg = load_error("syntax.conf",
	    "[health]\nstall_ms = 1\n\nthis is not a key\nping_timeout_ms=1\n",
	    &path);
	want = g_strconcat(path, ":4: ", NULL);
	assert_true(g_str_has_prefix(msg, want));
	assert_non_null(strstr(msg, "this is not a key"));
	g_free(want);
	g_free(msg);
	g_free(path);

	/* A key before any group. */
	msg = load_error("nogroup.conf", "# hello\n\nstall_ms = 1\n", &path);
	want = g_strconcat(path, ":3: ", NULL);
	assert_true(g_str_has_prefix(msg, want));
	g_free(want);
	g_free(msg);
	g_free(path);

	/* The bad line last, with no newline after it. */
	msg = load_error("last.conf", "[health]\nstall_ms = 1\n[oops", &path);
	want = g_strconcat(path, ":3: ", NULL);
	assert_true(g_str_has_prefix(msg, want));
	g_free(want);
	g_free(msg);
	g_free(path);
}

static void
test_nul(void **state)
{
	struct options opts;
	struct health_config health;
	GError *err = NULL;
	char *path, *want;
	static const char text[] = "[health]\nstall_ms = 1\nav\0desync\n";

	path = g_build_filename(tmpdir, "nul.conf", NULL);
	assert_true(g_file_set_contents(path, text, sizeof(text) - 1, NULL));
	parse_args(&opts, NULL);
	assert_false(config_load(path, &opts, &health, &err));
	want = g_strconcat(path, ":3: a NUL byte: not a text file", NULL);
	assert_string_equal(err->message, want);
	g_clear_error(&err);
	options_clear(&opts);
	g_free(want);
	g_free(path);
}

static void
test_unreadable(void **state)
{
	struct options opts;
	struct health_config health;
	GError *err = NULL;
	char *path, *want;

	path = g_build_filename(tmpdir, "does-not-exist.conf", NULL);
	parse_args(&opts, NULL);
	assert_false(config_load(path, &opts, &health, &err));
	assert_int_equal(err->code, CONFIG_ERROR_READ);
	want = g_strconcat(path, ": No such file or directory", NULL);
	assert_string_equal(err->message, want);
	g_clear_error(&err);
	g_free(want);

	assert_false(config_load(tmpdir, &opts, &health, &err));
	want = g_strconcat(tmpdir, ": Is a directory", NULL);
	assert_string_equal(err->message, want);
	g_clear_error(&err);
	g_free(want);
	options_clear(&opts);
	g_free(path);
}

/*
 * The table's defaults are the program's: a file setting every key to the
 * default it prints changes nothing, and the shipped sample is that file.
 */
static void
test_defaults(void **state)
{
	struct options opts, bare;
	struct health_config health, defaults;
	GError *err = NULL;
	GRegex *re;
	char *path, *text, *sample, *sample_text, *uncommented;
	const char *srcdir;
	size_t len;
	FILE *fp;

	fp = open_memstream(&text, &len);
	assert_non_null(fp);
	config_write_defaults(fp);
	fclose(fp);

	re = g_regex_new("^#([a-z][a-z_-]* =)", G_REGEX_MULTILINE, 0, NULL);
	uncommented = g_regex_replace(re, text, -1, 0, "\\1", 0, NULL);
	g_regex_unref(re);
	assert_non_null(strstr(uncommented, "\nstall_ms = 2000\n"));
	assert_non_null(strstr(uncommented, "\nport = 1935\n"));

	path = write_conf("defaults.conf", uncommented);
	parse_args(&bare, NULL);
	parse_args(&opts, NULL);
	assert_true(config_load(path, &opts, &health, &err));
	health_config_defaults(&defaults);
	assert_memory_equal(&health, &defaults, sizeof(health));
	assert_null(opts.read_file);
	assert_int_equal(opts.nports, bare.nports);
	assert_memory_equal(opts.ports, bare.ports,
	    bare.nports * sizeof(bare.ports[0]));
	assert_int_equal(opts.dump, bare.dump);
	assert_int_equal(opts.report, bare.report);
	assert_int_equal(opts.fail_on_set, bare.fail_on_set);
	assert_int_equal(opts.ladder, bare.ladder);
	assert_null(opts.ladder_session);
	assert_int_equal(opts.max_ended_sessions, bare.max_ended_sessions);
	assert_int_equal(bare.max_ended_sessions, SESSION_ENDED_KEEP);
	options_clear(&opts);
	options_clear(&bare);
	g_free(path);

	/* The commented file loads too, and the sample is exactly it. */
	path = write_conf("commented.conf", text);
	parse_args(&opts, NULL);
	assert_true(config_load(path, &opts, &health, &err));
	options_clear(&opts);
	g_free(path);

	if ((srcdir = getenv("SRCDIR")) == NULL)
		srcdir = ".";
	sample = g_build_filename(srcdir, "samples", "rtmpscope.conf", NULL);
	assert_true(g_file_get_contents(sample, &sample_text, NULL, NULL));
	assert_string_equal(sample_text, text);
	g_free(sample_text);
	g_free(sample);
	g_free(uncommented);
	free(text);
}

/* The new flags on the command line. */
static void
test_flags(void **state)
{
	struct options opts;
	char *msg;

	parse_args(&opts, NULL);
	assert_int_equal(opts.given, 0);
	assert_int_equal(opts.report, REPORT_NONE);
	assert_false(opts.fail_on_set);
	assert_false(opts.ladder);
	assert_null(opts.config_file);
	options_clear(&opts);

	parse_args(&opts, "--report", "--ladder", "-c", "x.conf", NULL);
	assert_int_equal(opts.report, REPORT_TEXT);
	assert_true(opts.ladder);
	assert_null(opts.ladder_session);
	assert_string_equal(opts.config_file, "x.conf");
	assert_int_equal(opts.given,
	    OPTIONS_GIVEN_REPORT | OPTIONS_GIVEN_LADDER);
	options_clear(&opts);

	parse_args(&opts, "--report=json", "--fail-on=warn", "--ladder=007",
	    "--config=y.conf", NULL);
	assert_int_equal(opts.report, REPORT_JSON);
	assert_true(opts.fail_on_set);
	assert_int_equal(opts.fail_on, HEALTH_WARN);
	assert_string_equal(opts.ladder_session, "7");
	assert_string_equal(opts.config_file, "y.conf");
	options_clear(&opts);

	parse_args(&opts, "--ladder=192.0.2.1:50000", NULL);
	assert_string_equal(opts.ladder_session, "192.0.2.1:50000");
	options_clear(&opts);
	parse_args(&opts, "--ladder=[2001:DB8:0::1]:1935", "--ladder=all",
	    NULL);
	assert_true(opts.ladder);
	assert_null(opts.ladder_session);
	options_clear(&opts);
	parse_args(&opts, "--ladder=[2001:DB8:0::1]:1935", NULL);
	assert_string_equal(opts.ladder_session, "[2001:db8::1]:1935");
	options_clear(&opts);

	msg = parse_args_error("--fail-on=maybe");
	assert_string_equal(msg,
	    "--fail-on: 'maybe' is not a severity (warn, bad or none)");
	g_free(msg);
	msg = parse_args_error("--report=xml");
	assert_string_equal(msg,
	    "--report: 'xml' is not a report format (text, json or none)");
	g_free(msg);
	msg = parse_args_error("--ladder=0");
	assert_non_null(strstr(msg, "--ladder: '0' is not a session"));
	g_free(msg);
	msg = parse_args_error("--ladder=::1:1935");
	assert_non_null(strstr(msg, "--ladder: '::1:1935'"));
	g_free(msg);
	msg = parse_args_error("--ladder=1.2.3.4:0");
	assert_non_null(strstr(msg, "--ladder: '1.2.3.4:0'"));
	g_free(msg);
	msg = parse_args_error("--ladder=");
	assert_non_null(strstr(msg, "--ladder: ''"));
	g_free(msg);
	msg = parse_args_error("--fail-on");
	assert_non_null(strstr(msg, "--fail-on"));
	g_free(msg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_command_line_wins),
		cmocka_unit_test(test_max_ended_sessions),
		cmocka_unit_test(test_flag_keys),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_flags),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
