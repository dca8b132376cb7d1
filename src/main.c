/*
 * rtmpscope: reads packets, follows TCP, dissects RTMP and prints what it
 * found.  main() wires a source, the flow table, the session layer and the
 * sinks together; none of them knows the others.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "dump.h"
#include "flow.h"
#include "options.h"
#include "session.h"

#define EXIT_USAGE	2

struct offline {
	struct flow_table	*flows;
	double			 last_t;
};

static void
offline_segment(void *ctx, const struct tcp_segment *seg)
{
	struct offline *run = ctx;

	run->last_t = seg->t;
	flow_table_segment(run->flows, seg);
}

/* A tcpdump-like summary on stderr, so stdout stays the dump. */
static void
print_summary(const struct capture *cap, const struct flow_table *flows,
    const struct session_table *sessions)
{
	const struct capture_stats *cs = capture_get_stats(cap);
	const struct flow_stats *fs = flow_table_stats(flows);
	const struct session_table_stats *ss = session_table_stats(sessions);

	fprintf(stderr, "rtmpscope: %" G_GUINT64_FORMAT " packets, %"
	    G_GUINT64_FORMAT " TCP connections (%" G_GUINT64_FORMAT
	    " not RTMP), %" G_GUINT64_FORMAT " RTMP messages, %"
	    G_GUINT64_FORMAT " malformed, %" G_GUINT64_FORMAT
	    " capture gaps (%" G_GUINT64_FORMAT " bytes), %" G_GUINT64_FORMAT
	    " resynchronisations (%" G_GUINT64_FORMAT " bytes passed over)\n",
	    cs->packets, fs->connections, ss->not_rtmp, ss->messages,
	    ss->malformed, ss->gaps, ss->gap_bytes, ss->resyncs,
	    ss->resync_skipped);
}

static int
run_offline(const struct options *opts)
{
	g_autoptr(GError) err = NULL;
	struct capture *cap;
	struct session_table *sessions;
	struct session_observer observer;
	struct dump *dump;
	struct offline run;
	int status = EXIT_SUCCESS;

	cap = capture_open_file(opts->read_file, NULL, &err);
	if (cap == NULL) {
		fprintf(stderr, "rtmpscope: %s\n", err->message);
		return EXIT_FAILURE;
	}
	sessions = session_table_new(opts->ports, opts->nports);
	dump = dump_new(opts->dump == DUMP_NONE ? DUMP_TEXT : opts->dump,
	    stdout);
	dump_observer(dump, &observer);
	session_table_observe(sessions, &observer);
	run.flows = flow_table_new(&session_flow_ops, sessions);
	run.last_t = 0;

	if (!capture_run(cap, offline_segment, &run, &err)) {
		fprintf(stderr, "rtmpscope: %s: %s\n", opts->read_file,
		    err->message);
		status = EXIT_FAILURE;
	}
	flow_table_finish(run.flows, run.last_t);
	if (!dump_flush(dump)) {
		perror("rtmpscope: writing the dump");
		status = EXIT_FAILURE;
	}
	print_summary(cap, run.flows, sessions);

	flow_table_free(run.flows);
	session_table_free(sessions);
	dump_free(dump);
	capture_close(cap);
	return status;
}

int
main(int argc, char **argv)
{
	g_autoptr(GError) err = NULL;
	struct options opts;
	int status;

	if (!options_parse(&opts, argc, argv, &err)) {
		fprintf(stderr, "rtmpscope: %s (see rtmpscope --help)\n",
		    err->message);
		options_clear(&opts);
		return EXIT_USAGE;
	}
	if (opts.version) {
		printf("rtmpscope %s\n", PACKAGE_VERSION);
		options_clear(&opts);
		return EXIT_SUCCESS;
	}
	if (opts.read_file == NULL) {
		fprintf(stderr, "rtmpscope: nothing to read: give a capture "
		    "with -r FILE (see rtmpscope --help)\n");
		options_clear(&opts);
		return EXIT_USAGE;
	}
	status = run_offline(&opts);
	options_clear(&opts);
	return status;
}
