#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "proxy.h"
#include "session.h"

/* The options being parsed, for the callbacks of GOptionContext. */
static struct options *parsing;

/* Digits only: no sign, no space, nothing after. */
static bool
all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

bool
options_value_port(const char *value, uint16_t *port)
{
	unsigned long n;

	if (!all_digits(value))
		return false;
	errno = 0;
	n = strtoul(value, NULL, 10);
	if (errno != 0 || n == 0 || n > 65535)
		return false;
	*port = (uint16_t)n;
	return true;
}

bool
options_value_dump(const char *value, enum dump_format *dump)
{
	if (value == NULL || strcmp(value, "text") == 0)
		*dump = DUMP_TEXT;
	else if (strcmp(value, "json") == 0)
		*dump = DUMP_JSON;
	else if (strcmp(value, "none") == 0)
		*dump = DUMP_NONE;
	else
		return false;
	return true;
}

bool
options_value_report(const char *value, enum report_format *report)
{
	if (value == NULL || strcmp(value, "text") == 0)
		*report = REPORT_TEXT;
	else if (strcmp(value, "json") == 0)
		*report = REPORT_JSON;
	else if (strcmp(value, "none") == 0)
		*report = REPORT_NONE;
	else
		return false;
	return true;
}

bool
options_value_fail_on(const char *value, bool *set, enum health *fail_on)
{
	enum health h;

	if (strcmp(value, "none") == 0) {
		*set = false;
		*fail_on = HEALTH_OK;
		return true;
	}
	if (!health_parse(value, &h))
		return false;
	*set = true;
	*fail_on = h;
	return true;
}

/*
 * A client address as the report prints it: "192.0.2.1:50000" or
 * "[2001:db8::1]:50000".  Written back in the same canonical form, so that
 * "[::0001]:50000" finds the session the report calls "[::1]:50000".
 */
static char *
canonical_client(const char *value)
{
	const char *colon;
	char host[INET6_ADDRSTRLEN + 2];
	char text[INET6_ADDRSTRLEN];
	unsigned char addr[sizeof(struct in6_addr)];
	size_t hostlen;
	uint16_t port;
	int af;

	if ((colon = strrchr(value, ':')) == NULL ||
	    !options_value_port(colon + 1, &port))
		return NULL;
	hostlen = (size_t)(colon - value);
	if (hostlen == 0 || hostlen >= sizeof(host))
		return NULL;
	memcpy(host, value, hostlen);
	host[hostlen] = '\0';
	if (host[0] == '[') {
		if (hostlen < 3 || host[hostlen - 1] != ']')
			return NULL;
		host[hostlen - 1] = '\0';
		af = AF_INET6;
		if (inet_pton(af, host + 1, addr) != 1)
			return NULL;
	} else {
		af = AF_INET;
		if (inet_pton(af, host, addr) != 1)
			return NULL;
	}
	if (inet_ntop(af, addr, text, sizeof(text)) == NULL)
		return NULL;
	if (af == AF_INET6)
		return g_strdup_printf("[%s]:%u", text, port);
	return g_strdup_printf("%s:%u", text, port);
}

bool
options_value_ladder(const char *value, bool *ladder, char **session)
{
	char *which;
	uint64_t n;

	if (value == NULL || strcmp(value, "all") == 0) {
		which = NULL;
	} else if (strcmp(value, "none") == 0) {
		g_free(*session);
		*session = NULL;
		*ladder = false;
		return true;
	} else if (all_digits(value)) {
		/* Session numbers start at 1; "007" is session 7. */
		errno = 0;
		n = strtoull(value, NULL, 10);
		if (errno != 0 || n == 0)
			return false;
		which = g_strdup_printf("%" PRIu64, n);
	} else if ((which = canonical_client(value)) == NULL)
		return false;
	g_free(*session);
	*session = which;
	*ladder = true;
	return true;
}

bool
options_value_replay(const char *value, enum replay_pace *pace)
{
	if (strcmp(value, "fast") == 0)
		*pace = REPLAY_FAST;
	else if (strcmp(value, "realtime") == 0)
		*pace = REPLAY_REALTIME;
	else
		return false;
	return true;
}

static gboolean
parse_port(const gchar *name, const gchar *value, gpointer data,
    GError **err)
{
	uint16_t port;

	if (!options_value_port(value, &port)) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		    "--port: '%s' is not " OPTIONS_EXPECT_PORT, value);
		return FALSE;
	}
	if (parsing->nports == OPTIONS_MAX_PORTS) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		    "--port: at most %d ports", OPTIONS_MAX_PORTS);
		return FALSE;
	}
	parsing->ports[parsing->nports++] = port;
	parsing->given |= OPTIONS_GIVEN_PORT;
	return TRUE;
}

/* How every flag's parse ends: one line naming it, or its given bit. */
static gboolean
flag_done(bool ok, const gchar *name, const gchar *value, const char *expect,
    unsigned int given, GError **err)
{
	if (!ok) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		    "%s: '%s' is not %s", name, value, expect);
		return FALSE;
	}
	parsing->given |= given;
	return TRUE;
}

static gboolean
parse_dump(const gchar *name, const gchar *value, gpointer data,
    GError **err)
{
	return flag_done(options_value_dump(value, &parsing->dump), name,
	    value, OPTIONS_EXPECT_DUMP, OPTIONS_GIVEN_DUMP, err);
}

static gboolean
parse_report(const gchar *name, const gchar *value, gpointer data,
    GError **err)
{
	return flag_done(options_value_report(value, &parsing->report), name,
	    value, OPTIONS_EXPECT_REPORT, OPTIONS_GIVEN_REPORT, err);
}

static gboolean
parse_fail_on(const gchar *name, const gchar *value, gpointer data,
    GError **err)
{
	return flag_done(options_value_fail_on(value, &parsing->fail_on_set,
	    &parsing->fail_on), name, value, OPTIONS_EXPECT_FAIL_ON,
	    OPTIONS_GIVEN_FAIL_ON, err);
}

static gboolean
parse_ladder(const gchar *name, const gchar *value, gpointer data,
    GError **err)
{
	return flag_done(options_value_ladder(value, &parsing->ladder,
	    &parsing->ladder_session), name, value, OPTIONS_EXPECT_LADDER,
	    OPTIONS_GIVEN_LADDER, err);
}

static gboolean
parse_replay(const gchar *name, const gchar *value, gpointer data,
    GError **err)
{
	return flag_done(options_value_replay(value, &parsing->replay), name,
	    value, OPTIONS_EXPECT_REPLAY, OPTIONS_GIVEN_REPLAY, err);
}

static gboolean
parse_duration(const gchar *name, const gchar *value, gpointer data,
    GError **err)
{
	char *end;
	unsigned long secs;

	errno = 0;
	secs = strtoul(value, &end, 10);
	if (errno != 0 || *value == '\0' || *end != '\0' || secs == 0 ||
	    secs > 31536000 || value[0] == '-' || value[0] == '+') {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		    "--duration: '%s' is not a number of seconds (1 or more)",
		    value);
		return FALSE;
	}
	parsing->duration = (unsigned)secs;
	parsing->given |= OPTIONS_GIVEN_DURATION;
	return TRUE;
}

static gboolean
parse_redirect(const gchar *name, const gchar *value, gpointer data,
    GError **err)
{
	enum redirect_mode mode;

	if (!redirect_mode_parse(value, &mode)) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		    "--redirect: '%s' is not failover, rtmp302, "
		    "reconnect-request or drop", value);
		return FALSE;
	}
	g_free(parsing->redirect);
	parsing->redirect = g_strdup(value);
	return TRUE;
}

gboolean
options_parse(struct options *opts, int argc, char **argv, GError **err)
{
	GOptionEntry entries[] = {
		{ "read", 'r', 0, G_OPTION_ARG_FILENAME, &opts->read_file,
		    "Read packets from a capture file (pcap or pcapng)",
		    "FILE" },
		{ "interface", 'i', 0, G_OPTION_ARG_STRING, &opts->interface,
		    "Capture live on an interface (any, lo, eth0, ...)", "IF" },
		{ "port", 'p', 0, G_OPTION_ARG_CALLBACK, (void *)parse_port,
		    "An RTMP server port (repeatable; default 1935)", "N" },
		{ "filter", 'f', 0, G_OPTION_ARG_STRING, &opts->filter,
		    "Only packets matching this BPF expression", "BPF" },
		{ "write", 'w', 0, G_OPTION_ARG_FILENAME, &opts->write_file,
		    "Live: also save the captured packets to FILE (pcap)",
		    "FILE" },
		{ "duration", 0, 0, G_OPTION_ARG_CALLBACK,
		    (void *)parse_duration,
		    "Live, proxy, origin and demo: stop after SECS seconds",
		    "SECS" },
		{ "user", 'Z', 0, G_OPTION_ARG_STRING, &opts->user,
		    "Live: drop privileges to USER once the capture is open",
		    "USER" },
		{ "listen", 0, 0, G_OPTION_ARG_STRING, &opts->listen,
		    "Proxy: accept RTMP clients on ADDR:PORT", "ADDR:PORT" },
		{ "backend", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opts->backends,
		    "Proxy: a backend (repeatable, in priority order)",
		    "HOST:PORT" },
		{ "redirect", 0, 0, G_OPTION_ARG_CALLBACK,
		    (void *)parse_redirect,
		    "Proxy: how an unhealthy session is moved: failover, "
		    "rtmp302, reconnect-request or drop", "MODE" },
		{ "http", 0, 0, G_OPTION_ARG_STRING, &opts->http,
		    "Serve the status API and /metrics on [ADDR:]PORT "
		    "(default port 10083, address 127.0.0.1)", "[ADDR:]PORT" },
		{ "log-port", 0, 0, G_OPTION_ARG_STRING, &opts->log_port,
		    "Send every event as a JSON line to readers of [ADDR:]PORT "
		    "(default port 10081)", "[ADDR:]PORT" },
		{ "simulate-origin", 0, 0, G_OPTION_ARG_STRING,
		    &opts->simulate_origin,
		    "Be a simulated RTMP origin on [ADDR:]PORT (address "
		    "127.0.0.1; port 0: any free port)", "[ADDR:]PORT" },
		{ "fault", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opts->faults,
		    "Simulated origin: misbehave (stall:5s@3s, die:20s, "
		    "reject-connect, slow-handshake, no-ping-reply, "
		    "stream-not-found, garbage; comma-separated)", "LIST" },
		{ "dump", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK,
		    (void *)parse_dump,
		    "Print every RTMP message, as text (default) or json",
		    "text|json" },
		{ "report", 0, G_OPTION_FLAG_OPTIONAL_ARG,
		    G_OPTION_ARG_CALLBACK, (void *)parse_report,
		    "Print a report of every session, as text (default) or "
		    "json", "text|json" },
		{ "fail-on", 0, 0, G_OPTION_ARG_CALLBACK, (void *)parse_fail_on,
		    "Exit with status 1 if a session's health is this bad "
		    "or worse", "warn|bad" },
		{ "ladder", 0, G_OPTION_FLAG_OPTIONAL_ARG,
		    G_OPTION_ARG_CALLBACK, (void *)parse_ladder,
		    "Draw the message ladder of a session (a number or a "
		    "client ip:port; default every session)", "SESSION" },
		{ "replay", 0, 0, G_OPTION_ARG_CALLBACK, (void *)parse_replay,
		    "Dashboard: read the file as fast as possible (default) "
		    "or at the pace it was captured", "fast|realtime" },
		{ "no-ui", 0, 0, G_OPTION_ARG_NONE, &opts->no_ui,
		    "Never open the dashboard, even on a terminal: the text "
		    "report at the end instead", NULL },
		{ "demo", 0, 0, G_OPTION_ARG_NONE, &opts->demo,
		    "Show the proxy at work on loopback: two simulated "
		    "origins, a publisher and three players; the first origin "
		    "fails and the sessions move to the second", NULL },
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &opts->config_file,
		    "Read settings from FILE (rtmpscope.conf(5)); flags win",
		    "FILE" },
		{ "version", 'V', 0, G_OPTION_ARG_NONE, &opts->version,
		    "Print the version and exit", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	GOptionContext *ctx;
	gboolean ok;

	memset(opts, 0, sizeof(*opts));
	opts->max_ended_sessions = SESSION_ENDED_KEEP;
	parsing = opts;
	ctx = g_option_context_new("- watch and dissect RTMP sessions");
	g_option_context_set_summary(ctx,
	    "Dissects RTMP traffic from capture files: every chunk, every "
	    "message,\nevery session, and how healthy each session was.");
	g_option_context_set_description(ctx,
	    "Examples:\n"
	    "  rtmpscope -r session.pcap --dump\n"
	    "  rtmpscope -r session.pcap -p 1935 -p 19350 --dump=json\n"
	    "  rtmpscope -r session.pcap --report=json --fail-on=bad\n"
	    "  rtmpscope -c rtmpscope.conf -r session.pcap --ladder=2\n"
	    "  rtmpscope --demo\n\n"
	    "See rtmpscope(1) and rtmpscope.conf(5).");
	g_option_context_add_main_entries(ctx, entries, NULL);
	ok = g_option_context_parse(ctx, &argc, &argv, err);
	if (ok && argc > 1) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
		    "unexpected argument '%s'", argv[1]);
		ok = FALSE;
	}
	g_option_context_free(ctx);
	parsing = NULL;
	if (ok && opts->read_file != NULL)
		opts->given |= OPTIONS_GIVEN_READ;
	if (ok && opts->interface != NULL)
		opts->given |= OPTIONS_GIVEN_INTERFACE;
	if (ok && opts->filter != NULL)
		opts->given |= OPTIONS_GIVEN_FILTER;
	if (ok && opts->write_file != NULL)
		opts->given |= OPTIONS_GIVEN_WRITE;
	if (ok && opts->user != NULL)
		opts->given |= OPTIONS_GIVEN_USER;
	if (ok && opts->listen != NULL)
		opts->given |= OPTIONS_GIVEN_LISTEN;
	if (ok && opts->backends != NULL)
		opts->given |= OPTIONS_GIVEN_BACKEND;
	if (ok && opts->http != NULL)
		opts->given |= OPTIONS_GIVEN_HTTP;
	if (ok && opts->log_port != NULL)
		opts->given |= OPTIONS_GIVEN_LOG_PORT;
	if (ok && opts->no_ui)
		opts->given |= OPTIONS_GIVEN_NO_UI;
	if (ok && opts->demo)
		opts->given |= OPTIONS_GIVEN_DEMO;
	if (ok && opts->simulate_origin != NULL)
		opts->given |= OPTIONS_GIVEN_SIMULATE_ORIGIN;
	if (ok && opts->faults != NULL)
		opts->given |= OPTIONS_GIVEN_FAULT;
	if (ok && opts->nports == 0)
		opts->ports[opts->nports++] = RTMP_DEFAULT_PORT;
	return ok;
}

void
options_clear(struct options *opts)
{
	g_free(opts->read_file);
	opts->read_file = NULL;
	g_free(opts->ladder_session);
	opts->ladder_session = NULL;
	g_free(opts->config_file);
	opts->config_file = NULL;
	g_free(opts->interface);
	g_free(opts->filter);
	g_free(opts->write_file);
	g_free(opts->user);
	opts->interface = opts->filter = opts->write_file = opts->user = NULL;
	g_free(opts->listen);
	g_free(opts->redirect);
	opts->redirect = NULL;
	g_free(opts->http);
	g_free(opts->log_port);
	g_strfreev(opts->backends);
	g_free(opts->simulate_origin);
	g_strfreev(opts->faults);
	opts->simulate_origin = NULL;
	opts->faults = NULL;
	opts->listen = opts->http = opts->log_port = NULL;
	opts->backends = NULL;
}
