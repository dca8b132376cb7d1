/*
 * The config file (rtmpscope.conf(5)).  One table says every key: its
 * group, type, default, where its value goes and what it means; reading a
 * file and writing the defaults both walk it.
 *
 * GKeyFile parses; it does not say on which line a key or a bad line is,
 * so the messages find their line in the text themselves.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backends.h"
#include "config-file.h"
#include "origin.h"
#include "proxy.h"
#include "status.h"

/* Larger than any config file a person writes. */
#define CONFIG_MAX_BYTES	(1024 * 1024)

/* The table's group for every [backend NAME] group. */
#define CONFIG_BACKEND		"backend"
#define CONFIG_BACKEND_EXAMPLE	"origin1"

/* Numbers are stored through uint32_t pointers into unsigned fields. */
G_STATIC_ASSERT(sizeof(unsigned) == sizeof(uint32_t));

enum config_type {
	CONFIG_MS,		/* milliseconds: a positive integer */
	CONFIG_MS_OR_ZERO,	/* milliseconds, 0 turning a thing off */
	CONFIG_COUNT,		/* a positive integer */
	CONFIG_COUNT_OR_ZERO,	/* an integer, 0 meaning no limit */
	CONFIG_PRIORITY,	/* an integer, 0 or more */
	CONFIG_LISTEN,		/* ADDR:PORT, [ADDR6]:PORT or :PORT; empty */
	CONFIG_ADDRESS,		/* HOST:PORT or [ADDR6]:PORT */
	CONFIG_BALANCE,		/* priority, round-robin, least-sessions */
	CONFIG_REDIRECT,	/* failover, rtmp302, reconnect-request, drop */
	CONFIG_REDIRECT_ON,	/* a list of redirect rules */
	CONFIG_CHECK,		/* none, tcp, handshake, connect */
	CONFIG_READ,		/* a capture file; empty: none */
	CONFIG_STRING,		/* a string option; empty: none */
	CONFIG_SECONDS,		/* a positive number of seconds; 0: none */
	CONFIG_PORTS,		/* a list of ports: 1935;19350 */
	CONFIG_DUMP,		/* text, json, none */
	CONFIG_REPORT,		/* text, json, none */
	CONFIG_FAIL_ON,		/* warn, bad, none */
	CONFIG_LADDER,		/* a session, all, none */
	CONFIG_REPLAY,		/* fast, realtime */
	CONFIG_SWITCH,		/* true or false */
	CONFIG_ENDPOINT,	/* a status endpoint: [ADDR:]PORT; empty */
	CONFIG_ORIGIN,		/* a simulated origin: [ADDR:]PORT; empty */
	CONFIG_FAULTS,		/* a simulated origin's faults; empty */
};

/* The struct a key's value goes to. */
enum config_dest {
	DEST_OPTION,		/* struct options, unless the flag was given */
	DEST_HEALTH,		/* struct health_config */
	DEST_PROXY,		/* struct proxy_config */
	DEST_BACKEND,		/* struct backend_config of the group */
};

struct config_key {
	const char		*group;
	const char		*key;
	enum config_type	 type;
	/* The default; for [backend NAME] keys, the example's value. */
	const char		*def;
	enum config_dest	 dest;
	/* The field (string options, health, proxy and backend keys), */
	size_t			 field;
	/* and for options, the flag the command line may have given. */
	unsigned int		 option;
	const char		*what;
};

#define HEALTH_FIELD(f) \
	DEST_HEALTH, offsetof(struct health_config, f), 0
#define OPTION(given)		DEST_OPTION, 0, (given)
/* An option with a field of struct options, and the flag that sets it. */
#define OPTION_FIELD(given, f) \
	DEST_OPTION, offsetof(struct options, f), (given)
/* An option of the file alone: no flag wins over it. */
#define FILE_OPTION(f)		DEST_OPTION, offsetof(struct options, f), 0
#define PROXY_FIELD(f)		DEST_PROXY, offsetof(struct proxy_config, f), 0
#define BACKEND_FIELD(f) \
	DEST_BACKEND, offsetof(struct backend_config, f), 0

static const struct config_key config_keys[] = {
	{ "rtmpscope", "read", CONFIG_READ, "", OPTION(OPTIONS_GIVEN_READ),
	    "Read packets from this capture file (pcap or pcapng); "
	    "empty: none" },
	{ "rtmpscope", "interface", CONFIG_STRING, "",
	    OPTION_FIELD(OPTIONS_GIVEN_INTERFACE, interface),
	    "Capture live on this interface; empty: none" },
	{ "rtmpscope", "filter", CONFIG_STRING, "",
	    OPTION_FIELD(OPTIONS_GIVEN_FILTER, filter),
	    "Only packets matching this BPF expression; empty: all" },
	{ "rtmpscope", "write", CONFIG_STRING, "",
	    OPTION_FIELD(OPTIONS_GIVEN_WRITE, write_file),
	    "Live: also save the captured packets to this file; empty: none" },
	{ "rtmpscope", "duration", CONFIG_SECONDS, "0",
	    OPTION(OPTIONS_GIVEN_DURATION),
	    "Live: stop after this many seconds; 0: until stopped" },
	{ "rtmpscope", "user", CONFIG_STRING, "",
	    OPTION_FIELD(OPTIONS_GIVEN_USER, user),
	    "Live: drop privileges to this user once the capture is open; "
	    "empty: stay" },
	{ "rtmpscope", "port", CONFIG_PORTS, "1935",
	    OPTION(OPTIONS_GIVEN_PORT),
	    "The RTMP server ports, separated by ';'" },
	{ "rtmpscope", "dump", CONFIG_DUMP, "none",
	    OPTION(OPTIONS_GIVEN_DUMP),
	    "Print every RTMP message: text, json or none" },
	{ "rtmpscope", "report", CONFIG_REPORT, "none",
	    OPTION(OPTIONS_GIVEN_REPORT),
	    "Print a report of every session: text, json or none" },
	{ "rtmpscope", "fail-on", CONFIG_FAIL_ON, "none",
	    OPTION(OPTIONS_GIVEN_FAIL_ON),
	    "Exit with status 1 if a session's health is this or worse: "
	    "warn, bad or none" },
	{ "rtmpscope", "ladder", CONFIG_LADDER, "none",
	    OPTION(OPTIONS_GIVEN_LADDER),
	    "Draw the message ladder of a session (a number or a client "
	    "ip:port), all or none" },
	{ "rtmpscope", "replay", CONFIG_REPLAY, "fast",
	    OPTION(OPTIONS_GIVEN_REPLAY),
	    "Dashboard: read a capture file as fast as possible (fast) or at "
	    "the pace it was captured (realtime)" },
	{ "rtmpscope", "no-ui", CONFIG_SWITCH, "false",
	    OPTION_FIELD(OPTIONS_GIVEN_NO_UI, no_ui),
	    "Never open the dashboard, even on a terminal: true or false" },
	{ "rtmpscope", "http", CONFIG_ENDPOINT, "",
	    OPTION_FIELD(OPTIONS_GIVEN_HTTP, http),
	    "Live and proxy: serve the status API and /metrics on "
	    "[ADDR:]PORT (port 10083, address 127.0.0.1 by default); empty: "
	    "none" },
	{ "rtmpscope", "log-port", CONFIG_ENDPOINT, "",
	    OPTION_FIELD(OPTIONS_GIVEN_LOG_PORT, log_port),
	    "Live and proxy: send every event as a JSON line to readers of "
	    "[ADDR:]PORT (port 10081 by default); empty: none" },
	{ "rtmpscope", "simulate-origin", CONFIG_ORIGIN, "",
	    OPTION_FIELD(OPTIONS_GIVEN_SIMULATE_ORIGIN, simulate_origin),
	    "Be a simulated RTMP origin on [ADDR:]PORT; empty: none" },
	{ "rtmpscope", "fault", CONFIG_FAULTS, "",
	    OPTION_FIELD(OPTIONS_GIVEN_FAULT, faults),
	    "Simulated origin: misbehave, as a comma-separated list of "
	    "faults like stall:5s@3s; empty: none" },
	{ "rtmpscope", "demo", CONFIG_SWITCH, "false",
	    OPTION_FIELD(OPTIONS_GIVEN_DEMO, demo),
	    "Show the proxy at work on loopback: true or false" },
	{ "rtmpscope", "max_ended_sessions", CONFIG_COUNT_OR_ZERO,
	    G_STRINGIFY(SESSION_ENDED_KEEP), FILE_OPTION(max_ended_sessions),
	    "Live and proxy: ended sessions kept, the first ended forgotten "
	    "first; 0: all (a capture file keeps all)" },
	{ "health", "stall_ms", CONFIG_MS, "2000", HEALTH_FIELD(stall_ms),
	    "No audio or video for this long while publishing or playing "
	    "is a stall" },
	{ "health", "handshake_timeout_ms", CONFIG_MS, "5000",
	    HEALTH_FIELD(handshake_timeout_ms),
	    "A handshake not complete after this long has failed" },
	{ "health", "ping_timeout_ms", CONFIG_MS, "10000",
	    HEALTH_FIELD(ping_timeout_ms),
	    "A ping request unanswered for this long is a ping timeout" },
	{ "health", "av_desync_ms", CONFIG_MS, "1000",
	    HEALTH_FIELD(av_desync_ms),
	    "Audio and video timestamps further apart than this are out "
	    "of sync" },
	{ "proxy", "listen", CONFIG_LISTEN, "", PROXY_FIELD(listen),
	    "Proxy: accept RTMP clients on ADDR:PORT (:PORT: every address); "
	    "--listen wins" },
	{ "proxy", "balance", CONFIG_BALANCE, "priority",
	    DEST_PROXY, 0, 0,
	    "How a new session picks its backend: priority, round-robin or "
	    "least-sessions" },
	{ "proxy", "max_connections", CONFIG_COUNT, "1000",
	    PROXY_FIELD(max_connections),
	    "Clients relayed at once; more are refused" },
	{ "proxy", "connect_timeout_ms", CONFIG_MS, "3000",
	    PROXY_FIELD(connect_timeout_ms),
	    "A backend that does not accept within this long has failed" },
	{ "proxy", "handshake_timeout_ms", CONFIG_MS, "5000",
	    PROXY_FIELD(handshake_timeout_ms),
	    "A client whose handshake is not done after this long is closed" },
	{ "proxy", "idle_timeout_ms", CONFIG_MS, "60000",
	    PROXY_FIELD(idle_timeout_ms),
	    "A connection with no byte either way for this long is closed" },
	{ "proxy", "queue_bytes", CONFIG_COUNT, "1048576",
	    PROXY_FIELD(queue_bytes),
	    "Bytes queued per direction before the sender is not read" },
	{ "proxy", "drain_timeout_ms", CONFIG_MS, "10000",
	    PROXY_FIELD(drain_timeout_ms),
	    "On SIGTERM, sessions have this long to end before they are "
	    "closed" },
	{ "proxy", "hold_down_ms", CONFIG_MS_OR_ZERO, "10000",
	    PROXY_FIELD(hold_down_ms),
	    "A backend failing twice in a row in live traffic stays down this "
	    "long; 0: never held" },
	{ "proxy", "redirect", CONFIG_REDIRECT, "failover",
	    PROXY_FIELD(redirect),
	    "What moving a session does: failover (carry it to another "
	    "backend), rtmp302, reconnect-request or drop; --redirect wins" },
	{ "proxy", "redirect_on", CONFIG_REDIRECT_ON,
	    "backend-close,backend-down,stall,ping-timeout,stream-error,"
	    "connect-rejected", PROXY_FIELD(redirect_on),
	    "When a session is moved: any of backend-close, backend-down, "
	    "stall, ping-timeout, stream-error, connect-rejected; all; none" },
	{ "proxy", "redirect_stall_ms", CONFIG_MS, "1000",
	    PROXY_FIELD(redirect_stall_ms),
	    "A player that gets no media for this long is moved (rule stall)" },
	{ "proxy", "redirect_max_per_minute", CONFIG_COUNT, "3",
	    PROXY_FIELD(redirect_max_per_minute),
	    "A session is not moved more often than this in a minute" },
	{ CONFIG_BACKEND, "address", CONFIG_ADDRESS, "127.0.0.1:1936",
	    BACKEND_FIELD(host),
	    "The backend's HOST:PORT ([ADDR6]:PORT for IPv6); required" },
	{ CONFIG_BACKEND, "priority", CONFIG_PRIORITY, "0",
	    BACKEND_FIELD(priority),
	    "Lower first; default: the backend's place in the list" },
	{ CONFIG_BACKEND, "weight", CONFIG_COUNT, "1", BACKEND_FIELD(weight),
	    "Its share of the sessions with balance = round-robin" },
	{ CONFIG_BACKEND, "check", CONFIG_CHECK, "handshake",
	    BACKEND_FIELD(check),
	    "The active check: none, tcp, handshake or connect" },
	{ CONFIG_BACKEND, "check_app", CONFIG_STRING, "live",
	    BACKEND_FIELD(check_app),
	    "The application that check = connect connects to; required "
	    "with it" },
	{ CONFIG_BACKEND, "interval_ms", CONFIG_MS, "2000",
	    BACKEND_FIELD(interval_ms),
	    "The time between the end of a check and the next" },
	{ CONFIG_BACKEND, "timeout_ms", CONFIG_MS, "1000",
	    BACKEND_FIELD(timeout_ms),
	    "A check not done after this long has failed" },
	{ CONFIG_BACKEND, "rise", CONFIG_COUNT, "2", BACKEND_FIELD(rise),
	    "Good checks in a row that bring a down backend up" },
	{ CONFIG_BACKEND, "fall", CONFIG_COUNT, "3", BACKEND_FIELD(fall),
	    "Failed checks in a row that put an up backend down" },
};
#define CONFIG_NKEYS	(sizeof(config_keys) / sizeof(config_keys[0]))

/* A file being read, for the messages. */
struct config_file {
	const char		*path;
	const char		*text;		/* NUL-terminated */
	size_t			 len;
	struct options		*opts;		/* NULL: values only checked */
	struct health_config	*health;
	struct proxy_config	*proxy;
	enum balance		*balance;
	struct backend_config	*backend;	/* of the [backend NAME] read */
};

GQuark
config_error_quark(void)
{
	return g_quark_from_static_string("config-error-quark");
}

/* Control characters and bytes that are not UTF-8 as \xNN escapes. */
static char *
one_line(char *msg)
{
	GString *out = g_string_sized_new(strlen(msg));
	const char *p = msg, *end = msg + strlen(msg), *bad;

	while (p < end) {
		if (g_utf8_validate(p, end - p, &bad))
			bad = end;
		for (; p < bad; p++) {
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				g_string_append_printf(out, "\\x%02x",
				    (unsigned char)*p);
			else
				g_string_append_c(out, *p);
		}
		if (p < end) {
			g_string_append_printf(out, "\\x%02x",
			    (unsigned char)*p);
			p++;
		}
	}
	g_free(msg);
	return g_string_free(out, FALSE);
}

/* "FILE:LINE: message", or "FILE: message" when the line is unknown. */
static void G_GNUC_PRINTF(5, 6)
config_fail(GError **err, enum config_error_code code, const char *path,
    unsigned int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	/*
	 * One line, whatever a value holds: an escaped "\n" in the file is
	 * a newline in GKeyFile's value, and bytes that are not UTF-8 would
	 * be copied raw.
	 */
	msg = one_line(msg);
	if (line > 0)
		g_set_error(err, CONFIG_ERROR, code, "%s:%u: %s", path, line,
		    msg);
	else
		g_set_error(err, CONFIG_ERROR, code, "%s: %s", path, msg);
	g_free(msg);
}

static gboolean
config_read(const char *path, char **text, size_t *len, GError **err)
{
	GString *buf;
	struct stat st;
	ssize_t n;
	size_t used;
	int fd, saved;

	if ((fd = open(path, O_RDONLY)) == -1) {
		config_fail(err, CONFIG_ERROR_READ, path, 0, "%s",
		    g_strerror(errno));
		return FALSE;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		config_fail(err, CONFIG_ERROR_READ, path, 0, "%s",
		    g_strerror(EISDIR));
		return FALSE;
	}
	buf = g_string_sized_new(4096);
	for (;;) {
		used = buf->len;
		g_string_set_size(buf, used + 4096);
		n = read(fd, buf->str + used, 4096);
		g_string_set_size(buf, used + (n > 0 ? (size_t)n : 0));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			saved = errno;
			close(fd);
			g_string_free(buf, TRUE);
			config_fail(err, CONFIG_ERROR_READ, path, 0, "%s",
			    g_strerror(saved));
			return FALSE;
		}
		if (n == 0)
			break;
		if (buf->len > CONFIG_MAX_BYTES) {
			close(fd);
			g_string_free(buf, TRUE);
			config_fail(err, CONFIG_ERROR_READ, path, 0,
			    "larger than %d bytes: not a config file",
			    CONFIG_MAX_BYTES);
			return FALSE;
		}
	}
	close(fd);
	*len = buf->len;
	*text = g_string_free(buf, FALSE);
	return TRUE;
}

/* The next line of text from *p: its start and length without "\r\n". */
static bool
config_next_line(const char **p, const char **line, size_t *len)
{
	const char *nl;

	if (**p == '\0')
		return false;
	*line = *p;
	if ((nl = strchr(*p, '\n')) == NULL) {
		*len = strlen(*p);
		*p += *len;
	} else {
		*len = (size_t)(nl - *p);
		*p = nl + 1;
	}
	if (*len > 0 && (*line)[*len - 1] == '\r')
		(*len)--;
	return true;
}

/* If the line is a group header, "[name]", the name. */
static bool
config_line_group(const char *line, size_t len, const char **name,
    size_t *namelen)
{
	const char *end = line + len, *close;

	while (line < end && g_ascii_isspace(*line))
		line++;
	while (end > line && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (line == end || *line != '[' || end[-1] != ']')
		return false;
	if ((close = memchr(line, ']', (size_t)(end - line))) != end - 1)
		return false;
	*name = line + 1;
	*namelen = (size_t)(end - line - 2);
	return true;
}

/* Whether the line sets key: ^\s*KEY\s*= */
static bool
config_line_sets(const char *line, size_t len, const char *key)
{
	const char *end = line + len;
	size_t klen = strlen(key);

	while (line < end && g_ascii_isspace(*line))
		line++;
	if ((size_t)(end - line) < klen || memcmp(line, key, klen) != 0)
		return false;
	line += klen;
	while (line < end && (*line == ' ' || *line == '\t'))
		line++;
	return line < end && *line == '=';
}

/*
 * The line (from 1) of the nth "[group]" header if key is NULL, else of
 * the nth line setting key inside a section of that group; 0 if none.
 */
static unsigned int
config_find_line(const char *text, const char *group, const char *key,
    unsigned int nth)
{
	const char *p = text, *line, *name;
	size_t len, namelen;
	unsigned int lineno = 0;
	bool inside = false;

	while (config_next_line(&p, &line, &len)) {
		lineno++;
		if (config_line_group(line, len, &name, &namelen)) {
			inside = namelen == strlen(group) &&
			    memcmp(name, group, namelen) == 0;
			if (inside && key == NULL && --nth == 0)
				return lineno;
			continue;
		}
		if (inside && key != NULL && config_line_sets(line, len, key) &&
		    --nth == 0)
			return lineno;
	}
	return 0;
}

/*
 * The first "key[locale] =" line inside a section of group, and its key.
 * GKeyFile reads them as translations and does not list them; rtmpscope
 * has none, so each is a mistake to point at.
 */
static char *
config_find_locale_key(const char *text, const char *group,
    unsigned int *lineno)
{
	const char *p = text, *line, *end, *eq, *name;
	size_t len, namelen;
	bool inside = false;

	*lineno = 0;
	while (config_next_line(&p, &line, &len)) {
		(*lineno)++;
		if (config_line_group(line, len, &name, &namelen)) {
			inside = namelen == strlen(group) &&
			    memcmp(name, group, namelen) == 0;
			continue;
		}
		end = line + len;
		while (line < end && g_ascii_isspace(*line))
			line++;
		if (!inside || line == end || *line == '#' ||
		    (eq = memchr(line, '=', (size_t)(end - line))) == NULL ||
		    memchr(line, '[', (size_t)(eq - line)) == NULL)
			continue;
		while (eq > line && (eq[-1] == ' ' || eq[-1] == '\t'))
			eq--;
		return g_strndup(line, (size_t)(eq - line));
	}
	return NULL;
}

/*
 * The line GKeyFile could not parse: the shortest run of whole lines from
 * the start that it refuses.  Its errors are about one line each, so a
 * prefix fails exactly when it holds the bad line; bisect.
 */
static unsigned int
config_syntax_line(const char *text, size_t len)
{
	GArray *ends;
	GKeyFile *kf;
	const char *p;
	size_t lo, hi, mid, end;
	gboolean ok;

	ends = g_array_new(FALSE, FALSE, sizeof(size_t));
	for (p = text; p < text + len; p++)
		if (*p == '\n') {
			end = (size_t)(p - text) + 1;
			g_array_append_val(ends, end);
		}
	if (len > 0 && text[len - 1] != '\n')
		g_array_append_val(ends, len);
	/* Invariant: the first lo lines parse, the first hi lines do not. */
	lo = 0;
	hi = ends->len;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		kf = g_key_file_new();
		ok = g_key_file_load_from_data(kf, text,
		    g_array_index(ends, size_t, mid - 1), G_KEY_FILE_NONE, NULL);
		g_key_file_free(kf);
		if (ok)
			lo = mid;
		else
			hi = mid;
	}
	g_array_free(ends, TRUE);
	return (unsigned int)hi;
}

/* The table's group of a file's group: [backend NAME] is "backend". */
static const char *
config_table_group(const char *group)
{
	size_t n = strlen(CONFIG_BACKEND);

	if (strncmp(group, CONFIG_BACKEND, n) == 0 &&
	    (group[n] == '\0' || group[n] == ' '))
		return CONFIG_BACKEND;
	return group;
}

static const struct config_key *
config_find_key(const char *group, const char *key)
{
	size_t i;

	group = config_table_group(group);
	for (i = 0; i < CONFIG_NKEYS; i++)
		if (strcmp(config_keys[i].group, group) == 0 &&
		    strcmp(config_keys[i].key, key) == 0)
			return &config_keys[i];
	return NULL;
}

static bool
config_known_group(const char *group)
{
	size_t i;

	group = config_table_group(group);
	for (i = 0; i < CONFIG_NKEYS; i++)
		if (strcmp(config_keys[i].group, group) == 0)
			return true;
	return false;
}

/*
 * A number that fits a uint32_t (an int for a priority): positive, or 0
 * too for the types that allow it.
 */
static gboolean
config_set_number(const struct config_file *cf, const char *group,
    const struct config_key *k, unsigned int line, const char *value,
    void *slot, GError **err)
{
	unsigned long long n, max;
	const char *p;
	bool zero_ok;

	zero_ok = k->type == CONFIG_MS_OR_ZERO ||
	    k->type == CONFIG_COUNT_OR_ZERO || k->type == CONFIG_PRIORITY;
	max = k->type == CONFIG_PRIORITY ? INT_MAX : UINT32_MAX;
	for (p = value; *p >= '0' && *p <= '9'; p++)
		continue;
	errno = 0;
	if (*value == '\0' || *p != '\0' ||
	    ((n = strtoull(value, NULL, 10)) == 0 && !zero_ok)) {
		config_fail(err, CONFIG_ERROR_VALUE, cf->path, line,
		    "[%s] %s: '%s' is not a %s integer", group, k->key, value,
		    zero_ok ? "non-negative" : "positive");
		return FALSE;
	}
	if (errno == ERANGE || n > max) {
		config_fail(err, CONFIG_ERROR_VALUE, cf->path, line,
		    "[%s] %s: '%s' is too large (at most %llu)", group, k->key,
		    value, max);
		return FALSE;
	}
	if (k->type == CONFIG_PRIORITY)
		*(int *)slot = (int)n;
	else
		*(uint32_t *)slot = (uint32_t)n;
	return TRUE;
}

/* ADDR:PORT, [ADDR6]:PORT or :PORT (every address). */
static bool
config_value_listen(const char *value)
{
	uint16_t port;
	char *host;

	if (value[0] == ':')
		return options_value_port(value + 1, &port);
	if (!backend_address_parse(value, &host, &port))
		return false;
	g_free(host);
	return true;
}

static gboolean
config_set_ports(const struct config_file *cf, const struct config_key *k,
    unsigned int line, GKeyFile *kf, bool apply, GError **err)
{
	uint16_t ports[OPTIONS_MAX_PORTS];
	GError *kerr = NULL;
	char **list;
	gsize i, n;

	list = g_key_file_get_string_list(kf, k->group, k->key, &n, &kerr);
	if (list == NULL) {
		config_fail(err, CONFIG_ERROR_VALUE, cf->path, line,
		    "[%s] %s: %s", k->group, k->key,
		    g_error_matches(kerr, G_KEY_FILE_ERROR,
		    G_KEY_FILE_ERROR_UNKNOWN_ENCODING) ?
		    "the value is not UTF-8" : kerr->message);
		g_error_free(kerr);
		return FALSE;
	}
	if (n == 0 || n > OPTIONS_MAX_PORTS) {
		config_fail(err, CONFIG_ERROR_VALUE, cf->path, line,
		    "[%s] %s: give 1 to %d ports, separated by ';'", k->group,
		    k->key, OPTIONS_MAX_PORTS);
		g_strfreev(list);
		return FALSE;
	}
	for (i = 0; i < n; i++) {
		g_strstrip(list[i]);
		if (!options_value_port(list[i], &ports[i])) {
			config_fail(err, CONFIG_ERROR_VALUE, cf->path, line,
			    "[%s] %s: '%s' is not " OPTIONS_EXPECT_PORT,
			    k->group, k->key, list[i]);
			g_strfreev(list);
			return FALSE;
		}
	}
	g_strfreev(list);
	if (apply) {
		memcpy(cf->opts->ports, ports, n * sizeof(ports[0]));
		cf->opts->nports = n;
	}
	return TRUE;
}

/* Checks one key's value and, unless the command line won, sets it. */
static gboolean
config_set(const struct config_file *cf, GKeyFile *kf, const char *group,
    const struct config_key *k, unsigned int line, GError **err)
{
	struct options *o = cf->opts, scratch;
	struct origin_faults faults;
	GError *kerr = NULL;
	const char *expect = NULL;
	char *value, *end, **str, ***list;
	unsigned long secs;
	gboolean ok = TRUE;
	bool apply;
	void *base = NULL, *slot;
	uint16_t port;

	/* Only options have a flag that may win over the file. */
	apply = k->dest == DEST_OPTION && o != NULL &&
	    (o->given & k->option) == 0;
	if (k->type == CONFIG_PORTS)
		return config_set_ports(cf, k, line, kf, apply, err);

	if ((value = g_key_file_get_string(kf, group, k->key,
	    &kerr)) == NULL) {
		/* GLib's message would copy the bytes that are not UTF-8. */
		config_fail(err, CONFIG_ERROR_VALUE, cf->path, line,
		    "[%s] %s: %s", group, k->key,
		    g_error_matches(kerr, G_KEY_FILE_ERROR,
		    G_KEY_FILE_ERROR_UNKNOWN_ENCODING) ?
		    "the value is not UTF-8" : kerr->message);
		g_error_free(kerr);
		return FALSE;
	}
	g_strstrip(value);
	/* The command line won: check the value, keep the flag's. */
	memset(&scratch, 0, sizeof(scratch));
	if (!apply)
		o = &scratch;
	switch (k->dest) {
	case DEST_OPTION:
		base = o;
		break;
	case DEST_HEALTH:
		base = cf->health;
		break;
	case DEST_PROXY:
		base = cf->proxy;
		break;
	case DEST_BACKEND:
		base = cf->backend;
		break;
	}
	slot = (char *)base + k->field;

	switch (k->type) {
	case CONFIG_MS:
	case CONFIG_MS_OR_ZERO:
	case CONFIG_COUNT:
	case CONFIG_COUNT_OR_ZERO:
	case CONFIG_PRIORITY:
		ok = config_set_number(cf, group, k, line, value, slot, err);
		break;
	case CONFIG_LISTEN:
		str = slot;
		if (*value != '\0' && !config_value_listen(value))
			expect = "an address (ADDR:PORT or :PORT)";
		else {
			g_free(*str);
			*str = *value == '\0' ? NULL : g_strdup(value);
		}
		break;
	case CONFIG_ADDRESS:
		/* Two fields, host and port: set here. */
		if (!backend_address_parse(value, &end, &port))
			expect = "an address (HOST:PORT)";
		else {
			g_free(cf->backend->host);
			cf->backend->host = end;
			cf->backend->port = port;
		}
		break;
	case CONFIG_BALANCE:
		if (!balance_parse(value, cf->balance))
			expect = "a balance (priority, round-robin or "
			    "least-sessions)";
		break;
	case CONFIG_REDIRECT:
		if (!redirect_mode_parse(value, slot))
			expect = "a redirect mode (failover, rtmp302, "
			    "reconnect-request or drop)";
		break;
	case CONFIG_REDIRECT_ON:
		if (!redirect_rules_parse(value, slot))
			expect = "redirect rules (backend-close, backend-down, "
			    "stall, ping-timeout, stream-error, "
			    "connect-rejected, all or none)";
		break;
	case CONFIG_CHECK:
		if (!backend_check_parse(value, slot))
			expect = "a check (none, tcp, handshake or connect)";
		break;
	case CONFIG_READ:
		g_free(o->read_file);
		o->read_file = *value == '\0' ? NULL : g_strdup(value);
		break;
	case CONFIG_STRING:
		str = slot;
		g_free(*str);
		*str = *value == '\0' ? NULL : g_strdup(value);
		break;
	case CONFIG_SECONDS:
		errno = 0;
		secs = strtoul(value, &end, 10);
		if (errno != 0 || *value == '\0' || *end != '\0' ||
		    value[0] == '-' || secs > 31536000)
			expect = "a number of seconds";
		else
			o->duration = (unsigned)secs;
		break;
	case CONFIG_DUMP:
		if (!options_value_dump(value, &o->dump))
			expect = OPTIONS_EXPECT_DUMP;
		break;
	case CONFIG_REPORT:
		if (!options_value_report(value, &o->report))
			expect = OPTIONS_EXPECT_REPORT;
		break;
	case CONFIG_FAIL_ON:
		if (!options_value_fail_on(value, &o->fail_on_set,
		    &o->fail_on))
			expect = OPTIONS_EXPECT_FAIL_ON;
		break;
	case CONFIG_LADDER:
		if (!options_value_ladder(value, &o->ladder,
		    &o->ladder_session))
			expect = OPTIONS_EXPECT_LADDER;
		break;
	case CONFIG_REPLAY:
		if (!options_value_replay(value, &o->replay))
			expect = OPTIONS_EXPECT_REPLAY;
		break;
	case CONFIG_SWITCH:
		if (strcmp(value, "true") == 0)
			*(gboolean *)slot = TRUE;
		else if (strcmp(value, "false") == 0)
			*(gboolean *)slot = FALSE;
		else
			expect = "true or false";
		break;
	case CONFIG_ENDPOINT:
	case CONFIG_ORIGIN:
		str = slot;
		if (*value != '\0' && (k->type == CONFIG_ENDPOINT ?
		    !status_check_addresses(value, NULL, NULL) :
		    !origin_address_valid(value)))
			expect = "an address ([ADDR:]PORT)";
		else {
			g_free(*str);
			*str = *value == '\0' ? NULL : g_strdup(value);
		}
		break;
	case CONFIG_FAULTS:
		memset(&faults, 0, sizeof(faults));
		if (*value != '\0' && !origin_faults_parse(value, &faults,
		    NULL))
			expect = "a list of faults (stall, die, slow-handshake, "
			    "reject-connect, stream-not-found, no-ping-reply, "
			    "garbage, with times like stall:5s@3s)";
		else {
			/* As one --fault flag with the whole list. */
			list = slot;
			g_strfreev(*list);
			*list = NULL;
			if (*value != '\0') {
				*list = g_new0(char *, 2);
				(*list)[0] = g_strdup(value);
			}
		}
		break;
	case CONFIG_PORTS:
		break;
	}
	if (expect != NULL) {
		config_fail(err, CONFIG_ERROR_VALUE, cf->path, line,
		    "[%s] %s: '%s' is not %s", group, k->key, value,
		    expect);
		ok = FALSE;
	}
	/* What a checked-only value left in the scratch options. */
	options_clear(&scratch);
	g_free(value);
	return ok;
}

/* Every key of one group: known, once each, with a good value. */
static gboolean
config_group(const struct config_file *cf, GKeyFile *kf, const char *group,
    GError **err)
{
	const struct config_key *k;
	bool seen[CONFIG_NKEYS];
	char **keys, *locale;
	size_t i;
	unsigned int line;
	gboolean ok = TRUE;

	if (!config_known_group(group)) {
		config_fail(err, CONFIG_ERROR_GROUP, cf->path,
		    config_find_line(cf->text, group, NULL, 1),
		    "unknown group [%s]", group);
		return FALSE;
	}
	/* GKeyFile lists the keys in file order, a key given twice twice. */
	memset(seen, 0, sizeof(seen));
	keys = g_key_file_get_keys(kf, group, NULL, NULL);
	for (i = 0; ok && keys != NULL && keys[i] != NULL; i++) {
		if ((k = config_find_key(group, keys[i])) == NULL) {
			config_fail(err, CONFIG_ERROR_KEY, cf->path,
			    config_find_line(cf->text, group, keys[i], 1),
			    "unknown key '%s' in [%s]", keys[i], group);
			ok = FALSE;
		} else if (seen[k - config_keys]) {
			config_fail(err, CONFIG_ERROR_DUPLICATE, cf->path,
			    config_find_line(cf->text, group, keys[i], 2),
			    "[%s] %s: given twice", group, keys[i]);
			ok = FALSE;
		} else
			seen[k - config_keys] = true;
	}
	for (i = 0; ok && keys != NULL && keys[i] != NULL; i++) {
		k = config_find_key(group, keys[i]);
		ok = config_set(cf, kf, group, k,
		    config_find_line(cf->text, group, keys[i], 1), err);
	}
	g_strfreev(keys);
	if (ok && (locale = config_find_locale_key(cf->text, group,
	    &line)) != NULL) {
		config_fail(err, CONFIG_ERROR_KEY, cf->path, line,
		    "unknown key '%s' in [%s]", locale, group);
		g_free(locale);
		ok = FALSE;
	}
	return ok;
}

/* A backend's name: what --backend would name it, or a plain word. */
static bool
config_backend_name_ok(const char *name)
{
	const char *p;

	if (*name == '\0')
		return false;
	for (p = name; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p) && strchr("._-:[]", *p) == NULL)
			return false;
	return true;
}

/*
 * One [backend NAME] group, appended to backends when good.  Its priority
 * defaults to its place in the list (after the --backend flags).
 */
static gboolean
config_backend(struct config_file *cf, GKeyFile *kf, const char *group,
    GArray *backends, GError **err)
{
	struct backend_config bc;
	const char *name = group + strlen(CONFIG_BACKEND);
	unsigned int line;
	guint i;

	line = config_find_line(cf->text, group, NULL, 1);
	if (*name == ' ')
		name++;
	if (!config_backend_name_ok(name)) {
		config_fail(err, CONFIG_ERROR_GROUP, cf->path, line,
		    "[%s]: '%s' is not a backend name (letters, digits and "
		    "._-:[]): [backend NAME]", group, name);
		return FALSE;
	}
	for (i = 0; i < backends->len; i++)
		if (strcmp(g_array_index(backends, struct backend_config,
		    i).name, name) == 0) {
			config_fail(err, CONFIG_ERROR_DUPLICATE, cf->path, line,
			    "[%s]: a backend named '%s' is already given "
			    "(by --backend)", group, name);
			return FALSE;
		}
	backend_config_defaults(&bc);
	bc.name = g_strdup(name);
	bc.priority = (int)backends->len;
	cf->backend = &bc;
	if (!config_group(cf, kf, group, err))
		goto fail;
	if (bc.host == NULL) {
		config_fail(err, CONFIG_ERROR_VALUE, cf->path, line,
		    "[%s] address: missing (HOST:PORT)", group);
		goto fail;
	}
	if (bc.check == CHECK_CONNECT && bc.check_app == NULL) {
		config_fail(err, CONFIG_ERROR_VALUE, cf->path,
		    config_find_line(cf->text, group, "check", 1),
		    "[%s] check_app: needed with check = connect", group);
		goto fail;
	}
	cf->backend = NULL;
	g_array_append_val(backends, bc);
	return TRUE;
fail:
	cf->backend = NULL;
	backend_config_clear(&bc);
	return FALSE;
}

/*
 * Reads a file: every group, every key checked; what the caller did not
 * ask for (NULL) is read into scratch and dropped.
 */
static gboolean
config_parse(const char *path, struct options *opts,
    struct health_config *health, struct proxy_config *proxy,
    GArray *backends, enum balance *balance, GError **err)
{
	struct config_file cf;
	GKeyFile *kf;
	GError *kerr = NULL;
	char *text, **groups, *nul;
	const char *p;
	size_t len, i;
	unsigned int line;
	gboolean ok = TRUE;

	if (!config_read(path, &text, &len, err))
		return FALSE;
	/* The line scans below stop at a NUL: refuse it here. */
	if ((nul = memchr(text, '\0', len)) != NULL) {
		for (line = 1, p = text; p < nul; p++)
			line += *p == '\n';
		config_fail(err, CONFIG_ERROR_SYNTAX, path, line,
		    "a NUL byte: not a text file");
		g_free(text);
		return FALSE;
	}
	memset(&cf, 0, sizeof(cf));
	cf.path = path;
	cf.text = text;
	cf.len = len;
	cf.opts = opts;
	cf.health = health;
	cf.proxy = proxy;
	cf.balance = balance;

	kf = g_key_file_new();
	if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE,
	    &kerr)) {
		config_fail(err, CONFIG_ERROR_SYNTAX, path,
		    config_syntax_line(text, len), "%s", kerr->message);
		g_error_free(kerr);
		g_key_file_free(kf);
		g_free(text);
		return FALSE;
	}
	groups = g_key_file_get_groups(kf, NULL);
	for (i = 0; ok && groups[i] != NULL; i++) {
		if (strcmp(config_table_group(groups[i]),
		    CONFIG_BACKEND) == 0)
			ok = config_backend(&cf, kf, groups[i], backends, err);
		else
			ok = config_group(&cf, kf, groups[i], err);
	}
	g_strfreev(groups);
	g_key_file_free(kf);
	g_free(text);
	return ok;
}

static void
config_backends_free(GArray *backends)
{
	guint i;

	for (i = 0; i < backends->len; i++)
		backend_config_clear(&g_array_index(backends,
		    struct backend_config, i));
	g_array_free(backends, TRUE);
}

gboolean
config_load(const char *path, struct options *opts,
    struct health_config *health, GError **err)
{
	struct proxy_config proxy;
	enum balance balance = BALANCE_PRIORITY;
	GArray *backends;
	gboolean ok;

	health_config_defaults(health);
	proxy_config_defaults(&proxy);
	backends = g_array_new(FALSE, TRUE, sizeof(struct backend_config));
	ok = config_parse(path, opts, health, &proxy, backends, &balance,
	    err);
	config_backends_free(backends);
	proxy_config_clear(&proxy);
	return ok;
}

gboolean
config_load_proxy(const char *path, struct proxy_config *cfg,
    GArray *backends, enum balance *balance, GError **err)
{
	struct health_config health;
	struct proxy_config proxy;
	enum balance bal = BALANCE_PRIORITY;
	GArray *found;
	guint i, nflags = backends->len;
	gboolean ok;

	health_config_defaults(&health);
	proxy_config_defaults(&proxy);
	/* The flags' backends, to number and check names after them. */
	found = g_array_new(FALSE, TRUE, sizeof(struct backend_config));
	g_array_set_size(found, backends->len);
	for (i = 0; i < backends->len; i++)
		backend_config_copy(&g_array_index(found,
		    struct backend_config, i), &g_array_index(backends,
		    struct backend_config, i));
	ok = config_parse(path, NULL, &health, &proxy, found, &bal, err);
	if (!ok) {
		config_backends_free(found);
		proxy_config_clear(&proxy);
		return FALSE;
	}
	for (i = nflags; i < found->len; i++)
		g_array_append_val(backends, g_array_index(found,
		    struct backend_config, i));
	/* Moved to backends: only the copies of the flags' are freed. */
	g_array_set_size(found, nflags);
	config_backends_free(found);
	proxy_config_clear(cfg);
	*cfg = proxy;
	*balance = bal;
	return TRUE;
}

void
config_write_defaults(FILE *fp)
{
	const char *group = NULL;
	size_t i;

	fputs("# rtmpscope.conf: settings for rtmpscope(1), described in "
	    "rtmpscope.conf(5).\n"
	    "# Every key is shown at its default, commented out.  A flag "
	    "on the command\n"
	    "# line wins over the key of the same name.\n", fp);
	for (i = 0; i < CONFIG_NKEYS; i++) {
		if (strcmp(config_keys[i].group, CONFIG_BACKEND) == 0)
			continue;
		if (group == NULL || strcmp(group, config_keys[i].group) != 0) {
			group = config_keys[i].group;
			fprintf(fp, "\n[%s]\n", group);
		}
		fprintf(fp, "# %s.\n#%s =%s%s\n", config_keys[i].what,
		    config_keys[i].key, *config_keys[i].def != '\0' ? " " : "",
		    config_keys[i].def);
	}
	/* "# key": not "#key", which would read as a default to uncomment. */
	fputs("\n# Proxy mode: one [backend NAME] group per backend, for "
	    "example:\n#\n# [" CONFIG_BACKEND " " CONFIG_BACKEND_EXAMPLE
	    "]\n", fp);
	for (i = 0; i < CONFIG_NKEYS; i++) {
		if (strcmp(config_keys[i].group, CONFIG_BACKEND) != 0)
			continue;
		fprintf(fp, "#   %s.\n# %s = %s\n", config_keys[i].what,
		    config_keys[i].key, config_keys[i].def);
	}
}
