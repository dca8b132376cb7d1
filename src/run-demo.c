/*
 * --demo: see run-demo.h.
 *
 * The origins and the clients are put on the default main context before
 * run_proxy runs it: the clients' start timer fires once the loop runs,
 * when the proxy already listens.  Ports: the proxy takes --listen, else
 * the first free one from 19350; the status API --http, else the first
 * free one from 10083 (its usual port); the origins the next free ones
 * after the proxy's.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>

#include "origin.h"
#include "run-demo.h"
#include "run-proxy.h"
#include "run.h"
#include "sim-client.h"

#define DEMO_HOST		"127.0.0.1"
#define DEMO_APP		"live"
#define DEMO_STREAM		"demo"
#define DEMO_PLAYERS		3
#define DEMO_CLIENTS		(1 + DEMO_PLAYERS)
/*
 * Origin 1's faults: each play gets no media from 6 s after it began
 * (the proxy's stall rule moves a player after 1 s of that), and at 10 s
 * the origin closes everything (the publisher is moved then).
 */
#define DEMO_STALL_AT_S		6
#define DEMO_DIE_AT_S		10
#define DEMO_PROXY_PORT		19350
#define DEMO_HTTP_PORT		10083
#define DEMO_PORT_TRIES		50
#define DEMO_FIRST_CLIENT_MS	500	/* the publisher, then the players */
#define DEMO_CLIENT_EVERY_MS	250
#define DEMO_STOP_EARLY_MS	500	/* --duration: clients leave first */

struct demo {
	struct origin		*origin[2];
	struct sim_client	*clients[DEMO_CLIENTS];
	unsigned		 started;
	guint			 start_timer;
	guint			 stop_timer;
};

/* Whether nobody listens on port (bound and let go at once). */
static bool
port_free(uint16_t port)
{
	g_autoptr(GInetAddress) ip = g_inet_address_new_from_string(DEMO_HOST);
	g_autoptr(GSocketAddress) sa = g_inet_socket_address_new(ip, port);
	g_autoptr(GSocket) s = NULL;
	bool ok;

	s = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
	    G_SOCKET_PROTOCOL_TCP, NULL);
	if (s == NULL)
		return false;
	ok = g_socket_bind(s, sa, TRUE, NULL);
	g_socket_close(s, NULL);
	return ok;
}

/* The first free port from first on, else any the kernel gives. */
static uint16_t
pick_port(uint16_t first)
{
	g_autoptr(GInetAddress) ip = g_inet_address_new_from_string(DEMO_HOST);
	g_autoptr(GSocketAddress) any = g_inet_socket_address_new(ip, 0);
	g_autoptr(GSocketAddress) bound = NULL;
	g_autoptr(GSocket) s = NULL;
	uint16_t port = 0;
	unsigned i;

	for (i = 0; i < DEMO_PORT_TRIES; i++)
		if (port_free((uint16_t)(first + i)))
			return (uint16_t)(first + i);
	s = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
	    G_SOCKET_PROTOCOL_TCP, NULL);
	if (s != NULL && g_socket_bind(s, any, TRUE, NULL) &&
	    (bound = g_socket_get_local_address(s, NULL)) != NULL)
		port = g_inet_socket_address_get_port(
		    G_INET_SOCKET_ADDRESS(bound));
	if (s != NULL)
		g_socket_close(s, NULL);
	return port;
}

/* The port of "ADDR:PORT" (or "PORT"), 0 if there is none. */
static uint16_t
address_port(const char *addr)
{
	const char *colon = strrchr(addr, ':');
	uint16_t port;

	return options_value_port(colon != NULL ? colon + 1 : addr, &port) ?
	    port : 0;
}

/*
 * Where the clients connect, for the proxy's "ADDR:PORT": ADDR, or
 * 127.0.0.1 for a wildcard or a name.
 */
static char *
client_host(const char *listen)
{
	const char *colon = strrchr(listen, ':');
	g_autofree char *host = g_strndup(listen,
	    colon != NULL ? (gsize)(colon - listen) : 0);
	g_autoptr(GInetAddress) ip = NULL;
	size_t len = strlen(host);

	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		memmove(host, host + 1, len - 2);
		host[len - 2] = '\0';
	}
	if ((ip = g_inet_address_new_from_string(host)) == NULL ||
	    g_inet_address_get_is_any(ip))
		return g_strdup(DEMO_HOST);
	return g_steal_pointer(&host);
}

/*
 * An origin on the first free port from *next on (so that the origins
 * follow the proxy's port, easy to tell apart on the dashboard), else on
 * any port.
 */
static struct origin *
demo_origin(uint16_t *next, const struct origin_faults *faults, GError **err)
{
	char addr[32];
	struct origin *o;
	unsigned i;

	for (i = 0; i < DEMO_PORT_TRIES && *next != 0; i++) {
		snprintf(addr, sizeof(addr), DEMO_HOST ":%u", *next);
		*next = *next < 65535 ? (uint16_t)(*next + 1) : 0;
		if ((o = origin_new(addr, faults, NULL)) != NULL)
			return o;
	}
	return origin_new(DEMO_HOST ":0", faults, err);
}

/* The publisher first, then a player each DEMO_CLIENT_EVERY_MS. */
static gboolean
demo_start_next(gpointer data)
{
	struct demo *d = data;

	sim_client_start(d->clients[d->started++]);
	if (d->started < DEMO_CLIENTS)
		return G_SOURCE_CONTINUE;
	d->start_timer = 0;
	return G_SOURCE_REMOVE;
}

/* --duration: the clients end their streams before the proxy stops. */
static gboolean
demo_stop_clients(gpointer data)
{
	struct demo *d = data;
	unsigned i;

	d->stop_timer = 0;
	for (i = 0; i < DEMO_CLIENTS; i++)
		sim_client_stop(d->clients[i]);
	return G_SOURCE_REMOVE;
}

static void
demo_summary(const struct demo *d)
{
	const struct sim_client_stats *st;
	const struct sim_client *c;
	unsigned i;

	for (i = 0; i < DEMO_CLIENTS; i++) {
		c = d->clients[i];
		st = sim_client_get_stats(c);
		/* The proxy stopped before this one's turn. */
		if (st->state == SIM_IDLE)
			continue;
		fprintf(stderr, "rtmpscope: demo: %s (%s): %" G_GUINT64_FORMAT
		    " video frames (%" G_GUINT64_FORMAT " key), %"
		    G_GUINT64_FORMAT " audio frames %s", sim_client_label(c),
		    sim_client_address(c)[0] != '\0' ? sim_client_address(c) :
		    "not connected", st->video, st->keyframes, st->audio,
		    sim_client_role(c) == SIM_PLAYER ? "received" : "sent");
		if (sim_client_role(c) == SIM_PLAYER)
			fprintf(stderr, ", longest gap %.0f ms, %"
			    G_GUINT64_FORMAT " timestamps back",
			    st->longest_gap_ms, st->ts_backwards);
		else
			fprintf(stderr, ", %" G_GUINT64_FORMAT " skipped",
			    st->skipped);
		if (st->state == SIM_ENDED)
			fprintf(stderr, "; ended: %s\n", st->end);
		else if (st->state == SIM_STREAMING)
			fprintf(stderr, "; connected to the end\n");
		else
			fprintf(stderr, "; its stream had not started\n");
	}
}

/* What run_proxy will do: open the dashboard (as proxy_run_ui decides). */
static bool
demo_has_dashboard(const struct options *opts)
{
	return isatty(STDOUT_FILENO) && !opts->no_ui &&
	    opts->dump == DUMP_NONE && opts->report == REPORT_NONE &&
	    !opts->ladder;
}

/*
 * Under the dashboard, stderr (the origins' and clients' lines) goes to a
 * log file; *saved is the terminal's, for demo_log_end.
 */
static char *
demo_log_begin(int *saved)
{
	g_autoptr(GError) err = NULL;
	char *path = NULL;
	int fd;

	*saved = -1;
	if ((fd = g_file_open_tmp("rtmpscope-demo-XXXXXX.log", &path,
	    &err)) < 0) {
		fprintf(stderr, "rtmpscope: demo: no log file (%s): the "
		    "dashboard may be written over\n", err->message);
		return NULL;
	}
	fflush(stderr);
	if ((*saved = dup(STDERR_FILENO)) < 0 ||
	    dup2(fd, STDERR_FILENO) < 0) {
		if (*saved >= 0)
			close(*saved);
		*saved = -1;
		close(fd);
		(void)unlink(path);
		g_free(path);
		return NULL;
	}
	close(fd);
	return path;
}

static void
demo_log_end(int saved)
{
	if (saved < 0)
		return;
	fflush(stderr);
	(void)dup2(saved, STDERR_FILENO);
	close(saved);
}

int
run_demo(const struct options *opts, const struct health_config *health)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *listen = NULL, *http = NULL, *log = NULL;
	g_autofree char *host = NULL;
	struct options dopts;
	struct origin_faults faults[2];
	struct demo d;
	char *backends[3] = { NULL, NULL, NULL };
	char label[32];
	uint16_t proxy_port = 0, next_port;
	unsigned i;
	int status, saved;

	if (opts->read_file != NULL || opts->interface != NULL ||
	    opts->simulate_origin != NULL || opts->backends != NULL) {
		fprintf(stderr, "rtmpscope: --demo runs its own proxy, "
		    "origins and clients: no -r, -i, --simulate-origin or "
		    "--backend (see rtmpscope --help)\n");
		return EXIT_USAGE;
	}
	memset(&d, 0, sizeof(d));
	memset(faults, 0, sizeof(faults));
	faults[0].f[FAULT_STALL].set = true;
	faults[0].f[FAULT_STALL].at_ms = DEMO_STALL_AT_S * 1000;
	faults[0].f[FAULT_STALL].value_ms = 60 * 1000;
	faults[0].f[FAULT_DIE].set = true;
	faults[0].f[FAULT_DIE].at_ms = DEMO_DIE_AT_S * 1000;

	/* The proxy's and the status API's ports, before anything listens. */
	if (opts->listen != NULL)
		listen = g_strdup(opts->listen);
	else if ((proxy_port = pick_port(DEMO_PROXY_PORT)) != 0)
		listen = g_strdup_printf(DEMO_HOST ":%u", proxy_port);
	if (listen == NULL || (proxy_port = address_port(listen)) == 0) {
		fprintf(stderr, "rtmpscope: --demo: no port for the proxy "
		    "(give one with --listen ADDR:PORT)\n");
		return listen == NULL ? EXIT_FAILURE : EXIT_USAGE;
	}
	if (opts->http != NULL)
		http = g_strdup(opts->http);
	else
		http = g_strdup_printf(DEMO_HOST ":%u",
		    pick_port(DEMO_HTTP_PORT));

	next_port = proxy_port < 65535 ? (uint16_t)(proxy_port + 1) : 0;
	for (i = 0; i < 2; i++) {
		d.origin[i] = demo_origin(&next_port, &faults[i], &err);
		if (d.origin[i] == NULL) {
			fprintf(stderr, "rtmpscope: demo: origin %u: %s\n",
			    i + 1, err->message);
			status = EXIT_FAILURE;
			goto out;
		}
		backends[i] = g_strdup(origin_address(d.origin[i]));
	}
	host = client_host(listen);
	fprintf(stderr, "rtmpscope: demo: proxy on %s: rtmp://%s%s%s:%u/"
	    DEMO_APP "/" DEMO_STREAM "\n", listen,
	    strchr(host, ':') != NULL ? "[" : "", host,
	    strchr(host, ':') != NULL ? "]" : "", proxy_port);
	fprintf(stderr, "rtmpscope: demo: origin 1 on %s: each play stalls "
	    "%d s after it began; the origin dies %d s from now\n",
	    backends[0], DEMO_STALL_AT_S, DEMO_DIE_AT_S);
	fprintf(stderr, "rtmpscope: demo: origin 2 on %s\n", backends[1]);
	fprintf(stderr, "rtmpscope: demo: status API on http://%s/api/"
	    "sessions\n", http);
	fprintf(stderr, "rtmpscope: demo: 1 publisher and %d players of "
	    DEMO_APP "/" DEMO_STREAM " through the proxy, from %.1f s\n",
	    DEMO_PLAYERS, DEMO_FIRST_CLIENT_MS / 1000.0);

	d.clients[0] = sim_client_new(SIM_PUBLISHER, "publisher", host,
	    proxy_port, DEMO_APP, DEMO_STREAM);
	for (i = 1; i < DEMO_CLIENTS; i++) {
		snprintf(label, sizeof(label), "player %u", i);
		d.clients[i] = sim_client_new(SIM_PLAYER, label, host,
		    proxy_port, DEMO_APP, DEMO_STREAM);
	}
	d.start_timer = g_timeout_add(DEMO_FIRST_CLIENT_MS, demo_start_next,
	    &d);
	/* --duration: the clients end their streams first, as people do. */
	if (opts->duration > 0 &&
	    opts->duration * 1000U > DEMO_STOP_EARLY_MS * 2)
		d.stop_timer = g_timeout_add(opts->duration * 1000U -
		    DEMO_STOP_EARLY_MS, demo_stop_clients, &d);

	/* The user's flags, with the demo's proxy, backends and status API. */
	dopts = *opts;
	dopts.listen = listen;
	dopts.backends = backends;
	dopts.http = http;
	saved = -1;
	if (demo_has_dashboard(opts))
		log = demo_log_begin(&saved);
	status = run_proxy(&dopts, health);
	/* The origins' last lines before the clients' summary that ends. */
	for (i = 0; i < 2; i++) {
		origin_free(d.origin[i]);
		d.origin[i] = NULL;
	}
	demo_log_end(saved);
	if (log != NULL)
		fprintf(stderr, "rtmpscope: demo: what the proxy, the origins "
		    "and the clients said is in %s\n", log);
	demo_summary(&d);
out:
	if (d.start_timer != 0)
		g_source_remove(d.start_timer);
	if (d.stop_timer != 0)
		g_source_remove(d.stop_timer);
	for (i = 0; i < DEMO_CLIENTS; i++)
		sim_client_free(d.clients[i]);
	for (i = 0; i < 2; i++) {
		origin_free(d.origin[i]);
		g_free(backends[i]);
	}
	return status;
}
