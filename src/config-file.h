/*
 * The config file, rtmpscope.conf(5): a GKeyFile read through one table of
 * keys.  Not named config.h: that name is autoconf's, and "config.h" in a
 * file of src/ would find this header first.
 */
#ifndef RTMPSCOPE_CONFIG_FILE_H
#define RTMPSCOPE_CONFIG_FILE_H

#include <stdio.h>

#include <glib.h>

#include "health.h"
#include "options.h"

#define CONFIG_ERROR	(config_error_quark())
GQuark	config_error_quark(void);

enum config_error_code {
	CONFIG_ERROR_READ,		/* missing, unreadable, too large */
	CONFIG_ERROR_SYNTAX,		/* GKeyFile could not parse a line */
	CONFIG_ERROR_GROUP,		/* a group rtmpscope does not know */
	CONFIG_ERROR_KEY,		/* a key the group does not have */
	CONFIG_ERROR_DUPLICATE,		/* a key given twice in its group */
	CONFIG_ERROR_VALUE,		/* a value of the wrong type or range */
};

/*
 * Reads the file at path.  *health is first set to the defaults, then to
 * what the [health] group says; the keys of the [rtmpscope] group set the
 * options the command line did not give (opts->given).  FALSE with *err
 * set to one line ("FILE:LINE: [health] stall_ms: 'abc' is not a positive
 * integer") on the first problem; *opts and *health may then be partly
 * set, and the caller exits with status 2.
 */
gboolean	config_load(const char *path, struct options *opts,
		    struct health_config *health, GError **err);

/* A config file with every key at its default, commented out. */
void		config_write_defaults(FILE *);

#endif
