/*
 * Fuzzes the config file parser (src/config-file.c, rtmpscope.conf(5)).
 *
 * The input is the whole file.  The parser only reads a path, so the input
 * goes to a memfd (a file in /tmp named after the process where memfd_create
 * is missing, removed at exit) and the parser reads it through
 * /proc/self/fd/N.  It is read the ways rtmpscope reads it:
 *
 *  - config_load with no flag given (main.c): the [rtmpscope] keys set the
 *    options, [health] the health settings, the other groups checked;
 *  - config_load with every flag given: the keys are only checked, the
 *    flags' values stay (and nothing the file said leaks);
 *  - config_load_proxy into the defaults and an empty list (main.c's
 *    config_listens, run-proxy.c's first load);
 *  - config_load_proxy again, as on SIGHUP: the same settings, reloaded,
 *    over a list holding one --backend flag's backend.
 *
 * The contract of config-file.h is checked: FALSE always with an error of
 * CONFIG_ERROR, one line that names the file, TRUE never with one; a
 * failed proxy load changes nothing; every backend a good load appends has
 * a valid name, a host, a port and, with check = connect, an application.
 * A violation abort()s.  Everything is freed: LeakSanitizer sees the rest.
 */
#define _GNU_SOURCE
#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "backends.h"
#include "check-sink.h"
#include "config-file.h"
#include "health.h"
#include "options.h"
#include "proxy.h"
#include "session.h"

#define FLAG_BACKEND	"127.0.0.1:1936"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int	 conf_fd = -1;
static char	 conf_path[64];
static char	 tmp_path[64];

static void
remove_tmp(void)
{
	if (tmp_path[0] != '\0')
		(void)unlink(tmp_path);
}

static void
conf_open(void)
{
#ifdef MFD_CLOEXEC
	conf_fd = memfd_create("rtmpscope-fuzz.conf", MFD_CLOEXEC);
#endif
	if (conf_fd != -1) {
		snprintf(conf_path, sizeof(conf_path), "/proc/self/fd/%d",
		    conf_fd);
		if (access(conf_path, R_OK) == 0)
			return;
		close(conf_fd);
	}
	snprintf(tmp_path, sizeof(tmp_path), "/tmp/rtmpscope-fuzz-%ld.conf",
	    (long)getpid());
	conf_fd = open(tmp_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600);
	if (conf_fd == -1) {
		perror(tmp_path);
		abort();
	}
	atexit(remove_tmp);
	snprintf(conf_path, sizeof(conf_path), "%s", tmp_path);
}

static void
conf_write(const uint8_t *data, size_t size)
{
	size_t off = 0;
	ssize_t n;

	if (ftruncate(conf_fd, 0) == -1)
		abort();
	while (off < size) {
		n = pwrite(conf_fd, data + off, size - off, (off_t)off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			abort();
		off += (size_t)n;
	}
}

/* FALSE with a CONFIG_ERROR naming the file; TRUE without an error. */
static void
check_outcome(const char *what, gboolean ok, GError *err)
{
	if (ok && err != NULL)
		check_fail("%s: TRUE with an error: %s", what, err->message);
	if (ok)
		return;
	if (err == NULL)
		check_fail("%s: FALSE without an error", what);
	if (err->domain != CONFIG_ERROR)
		check_fail("%s: error of domain %s: %s", what,
		    g_quark_to_string(err->domain), err->message);
	if ((unsigned)err->code > CONFIG_ERROR_VALUE)
		check_fail("%s: error code %d", what, err->code);
	if (err->message == NULL || !g_str_has_prefix(err->message, conf_path))
		check_fail("%s: message does not name the file: %s", what,
		    err->message != NULL ? err->message : "(null)");
	if (strchr(err->message, '\n') != NULL)
		check_fail("%s: a message of more than one line: %s", what,
		    err->message);
}

static void
check_options(const struct options *o)
{
	size_t i;

	if (o->nports == 0 || o->nports > OPTIONS_MAX_PORTS)
		check_fail("%zu ports", o->nports);
	for (i = 0; i < o->nports; i++)
		if (o->ports[i] == 0)
			check_fail("port %zu is 0", i);
}

static void
check_health(const struct health_config *h)
{
	if (h->stall_ms == 0 || h->handshake_timeout_ms == 0 ||
	    h->ping_timeout_ms == 0 || h->av_desync_ms == 0)
		check_fail("a health setting of 0 ms");
}

static bool
name_ok(const char *name)
{
	const char *p;

	if (name == NULL || *name == '\0')
		return false;
	for (p = name; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p) && strchr("._-:[]", *p) == NULL)
			return false;
	return true;
}

static void
check_backends(const GArray *backends, guint from)
{
	const struct backend_config *b;
	guint i, k;

	for (i = from; i < backends->len; i++) {
		b = &g_array_index(backends, struct backend_config, i);
		if (!name_ok(b->name))
			check_fail("backend %u: name '%s'", i,
			    b->name != NULL ? b->name : "(null)");
		if (b->host == NULL || b->port == 0)
			check_fail("backend %s: no address", b->name);
		if (b->check == CHECK_CONNECT && b->check_app == NULL)
			check_fail("backend %s: check = connect without an "
			    "application", b->name);
		if (b->priority < 0 || b->weight == 0 || b->rise == 0 ||
		    b->fall == 0 || b->interval_ms == 0 || b->timeout_ms == 0)
			check_fail("backend %s: a setting out of range",
			    b->name);
		for (k = 0; k < i; k++)
			if (strcmp(g_array_index(backends,
			    struct backend_config, k).name, b->name) == 0)
				check_fail("backend %s given twice", b->name);
	}
}

static void
backends_free(GArray *backends)
{
	guint i;

	for (i = 0; i < backends->len; i++)
		backend_config_clear(&g_array_index(backends,
		    struct backend_config, i));
	g_array_free(backends, TRUE);
}

static void
options_start(struct options *o)
{
	/* What options_parse leaves when no flag is given. */
	memset(o, 0, sizeof(*o));
	o->max_ended_sessions = SESSION_ENDED_KEEP;
	o->ports[o->nports++] = RTMP_DEFAULT_PORT;
}

/* The options main.c reads the file into. */
static void
load_options(void)
{
	struct health_config health;
	struct options o;
	GError *err = NULL;
	gboolean ok;

	options_start(&o);
	ok = config_load(conf_path, &o, &health, &err);
	check_outcome("config_load", ok, err);
	if (ok) {
		check_options(&o);
		check_health(&health);
	}
	g_clear_error(&err);
	options_clear(&o);
}

/* Every flag given: the file's keys are checked and change nothing. */
static void
load_options_given(void)
{
	struct health_config health;
	struct options o;
	GError *err = NULL;
	gboolean ok;

	options_start(&o);
	o.given = ~0U;
	o.read_file = g_strdup("flag.pcap");
	o.interface = g_strdup("lo");
	o.filter = g_strdup("tcp");
	o.write_file = g_strdup("flag-out.pcap");
	o.user = g_strdup("nobody");
	o.ports[0] = 19350;
	o.duration = 7;
	o.dump = DUMP_JSON;
	o.report = REPORT_TEXT;
	o.no_ui = TRUE;
	o.http = g_strdup("10083");
	ok = config_load(conf_path, &o, &health, &err);
	check_outcome("config_load, flags given", ok, err);
	if (strcmp(o.read_file, "flag.pcap") != 0 ||
	    strcmp(o.interface, "lo") != 0 || strcmp(o.filter, "tcp") != 0 ||
	    strcmp(o.write_file, "flag-out.pcap") != 0 ||
	    strcmp(o.user, "nobody") != 0 || o.nports != 1 ||
	    o.ports[0] != 19350 || o.duration != 7 || o.dump != DUMP_JSON ||
	    o.report != REPORT_TEXT || o.ladder || o.fail_on_set ||
	    !o.no_ui || o.demo || strcmp(o.http, "10083") != 0 ||
	    o.log_port != NULL || o.simulate_origin != NULL ||
	    o.faults != NULL || o.replay != REPLAY_FAST)
		check_fail("the file won over a flag");
	g_clear_error(&err);
	options_clear(&o);
}

/* Proxy mode: a first load, then a reload over a --backend flag's. */
static void
load_proxy(void)
{
	struct proxy_config cfg;
	struct backend_config flag;
	enum balance balance = BALANCE_PRIORITY;
	GArray *backends;
	GError *err = NULL;
	char *listen;
	gboolean ok;

	proxy_config_defaults(&cfg);
	backends = g_array_new(FALSE, TRUE, sizeof(struct backend_config));
	ok = config_load_proxy(conf_path, &cfg, backends, &balance, &err);
	check_outcome("config_load_proxy", ok, err);
	g_clear_error(&err);
	if (!ok && (backends->len != 0 || cfg.listen != NULL))
		check_fail("config_load_proxy failed and changed the settings");
	if (ok)
		check_backends(backends, 0);
	backends_free(backends);

	/* SIGHUP: the settings of the first load are replaced or kept. */
	backends = g_array_new(FALSE, TRUE, sizeof(struct backend_config));
	if (!backend_config_from_flag(FLAG_BACKEND, 0, &flag, NULL))
		check_fail("backend_config_from_flag(%s)", FLAG_BACKEND);
	g_array_append_val(backends, flag);
	listen = cfg.listen != NULL ? g_strdup(cfg.listen) : NULL;
	ok = config_load_proxy(conf_path, &cfg, backends, &balance, &err);
	check_outcome("config_load_proxy, reload", ok, err);
	g_clear_error(&err);
	if (!ok && (backends->len != 1 || g_strcmp0(listen, cfg.listen) != 0))
		check_fail("a failed reload changed the settings");
	if (strcmp(g_array_index(backends, struct backend_config, 0).name,
	    FLAG_BACKEND) != 0)
		check_fail("the flag's backend is not first");
	if (ok)
		check_backends(backends, 0);
	g_free(listen);
	backends_free(backends);
	proxy_config_clear(&cfg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (conf_fd == -1)
		conf_open();
	conf_write(data, size);
	load_options();
	load_options_given();
	load_proxy();
	return 0;
}
