#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

/* The options being parsed, for the callbacks of GOptionContext. */
static struct options *parsing;

static gboolean
parse_port(const gchar *name, const gchar *value, gpointer data,
    GError **err)
{
	char *end;
	unsigned long port;

	errno = 0;
	port = strtoul(value, &end, 10);
	if (errno != 0 || *value == '\0' || *end != '\0' || port == 0 ||
	    port > 65535 || value[0] == '-' || value[0] == '+') {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		    "--port: '%s' is not a port number (1-65535)", value);
		return FALSE;
	}
	if (parsing->nports == OPTIONS_MAX_PORTS) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		    "--port: at most %d ports", OPTIONS_MAX_PORTS);
		return FALSE;
	}
	parsing->ports[parsing->nports++] = (uint16_t)port;
	return TRUE;
}

static gboolean
parse_dump(const gchar *name, const gchar *value, gpointer data,
    GError **err)
{
	if (value == NULL || strcmp(value, "text") == 0) {
		parsing->dump = DUMP_TEXT;
	} else if (strcmp(value, "json") == 0) {
		parsing->dump = DUMP_JSON;
	} else {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		    "%s: '%s' is not a dump format (text or json)", name,
		    value);
		return FALSE;
	}
	return TRUE;
}

gboolean
options_parse(struct options *opts, int argc, char **argv, GError **err)
{
	GOptionEntry entries[] = {
		{ "read", 'r', 0, G_OPTION_ARG_FILENAME, &opts->read_file,
		    "Read packets from a capture file (pcap or pcapng)",
		    "FILE" },
		{ "port", 'p', 0, G_OPTION_ARG_CALLBACK, (void *)parse_port,
		    "An RTMP server port (repeatable; default 1935)", "N" },
		{ "dump", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK,
		    (void *)parse_dump,
		    "Print every RTMP message, as text (default) or json",
		    "text|json" },
		{ "version", 'V', 0, G_OPTION_ARG_NONE, &opts->version,
		    "Print the version and exit", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	GOptionContext *ctx;
	gboolean ok;

	memset(opts, 0, sizeof(*opts));
	parsing = opts;
	ctx = g_option_context_new("- watch and dissect RTMP sessions");
	g_option_context_set_summary(ctx,
	    "Dissects RTMP traffic from capture files: every chunk, every "
	    "message,\nevery session.");
	g_option_context_set_description(ctx,
	    "Examples:\n"
	    "  rtmpscope -r session.pcap --dump\n"
	    "  rtmpscope -r session.pcap -p 1935 -p 19350 --dump=json\n\n"
	    "See rtmpscope(1).");
	g_option_context_add_main_entries(ctx, entries, NULL);
	ok = g_option_context_parse(ctx, &argc, &argv, err);
	if (ok && argc > 1) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
		    "unexpected argument '%s'", argv[1]);
		ok = FALSE;
	}
	g_option_context_free(ctx);
	parsing = NULL;
	if (ok && opts->nports == 0)
		opts->ports[opts->nports++] = RTMP_DEFAULT_PORT;
	return ok;
}

void
options_clear(struct options *opts)
{
	g_free(opts->read_file);
	opts->read_file = NULL;
}
