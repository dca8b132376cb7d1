/*
 * The --simulate-origin mode: one origin on the main loop.  The line
 * "rtmpscope: simulated origin on ADDR:PORT" on stdout says it listens
 * (with the port it got when asked for port 0), so a script can wait for it.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib-unix.h>

#include "origin.h"
#include "run-origin.h"

#define EXIT_USAGE	2

/* A source that may already be gone (it fired and removed itself). */
static void
source_remove_live(guint id)
{
	if (id != 0 && g_main_context_find_source_by_id(NULL, id) != NULL)
		g_source_remove(id);
}

static gboolean
origin_stop(gpointer data)
{
	g_main_loop_quit(data);
	return G_SOURCE_REMOVE;
}

int
run_origin(const struct options *opts)
{
	g_autoptr(GError) err = NULL;
	struct origin_faults faults;
	struct origin *o;
	GMainLoop *loop;
	guint sigint, sigterm, timer = 0;
	size_t i;

	memset(&faults, 0, sizeof(faults));
	for (i = 0; opts->faults != NULL && opts->faults[i] != NULL; i++) {
		if (!origin_faults_parse(opts->faults[i], &faults, &err)) {
			fprintf(stderr, "rtmpscope: %s (see rtmpscope "
			    "--help)\n", err->message);
			return EXIT_USAGE;
		}
	}
	if ((o = origin_new(opts->simulate_origin, &faults, &err)) == NULL) {
		fprintf(stderr, "rtmpscope: %s\n", err->message);
		return g_error_matches(err, ORIGIN_ERROR, 0) ? EXIT_USAGE :
		    EXIT_FAILURE;
	}
	for (i = 0; i < FAULT_KIND_COUNT; i++)
		if (faults.f[i].set)
			fprintf(stderr, "rtmpscope: origin: fault %s "
			    "(value %u ms, from %u ms)\n",
			    origin_fault_name((enum origin_fault_kind)i),
			    faults.f[i].value_ms, faults.f[i].at_ms);
	printf("rtmpscope: simulated origin on %s\n", origin_address(o));
	fflush(stdout);

	loop = g_main_loop_new(NULL, FALSE);
	sigint = g_unix_signal_add(SIGINT, origin_stop, loop);
	sigterm = g_unix_signal_add(SIGTERM, origin_stop, loop);
	if (opts->duration > 0)
		timer = g_timeout_add_seconds(opts->duration, origin_stop,
		    loop);
	g_main_loop_run(loop);
	source_remove_live(sigint);
	source_remove_live(sigterm);
	source_remove_live(timer);
	origin_free(o);
	g_main_loop_unref(loop);
	return EXIT_SUCCESS;
}
