/* The command line (GOptionContext); every flag is in man/rtmpscope.1. */
#ifndef RTMPSCOPE_OPTIONS_H
#define RTMPSCOPE_OPTIONS_H

#include <glib.h>

#include "dump.h"

#define OPTIONS_MAX_PORTS	64
#define RTMP_DEFAULT_PORT	1935

struct options {
	char			*read_file;
	uint16_t		 ports[OPTIONS_MAX_PORTS];
	size_t			 nports;
	enum dump_format	 dump;
	gboolean		 version;
};

/*
 * Parses argv into *opts.  FALSE with *err set (one line that names the
 * flag) on an unknown flag or a bad value: the caller exits with status 2.
 */
gboolean	options_parse(struct options *, int argc, char **argv,
		    GError **err);
void		options_clear(struct options *);

#endif
