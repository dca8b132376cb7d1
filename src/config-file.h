/*
 * The config file, rtmpscope.conf(5): a GKeyFile read through one table of
 * keys.  Not named config.h: that name is autoconf's, and "config.h" in a
 * file of src/ would find this header first.
 */
#ifndef RTMPSCOPE_CONFIG_FILE_H
#define RTMPSCOPE_CONFIG_FILE_H

#include <stdio.h>

#include <glib.h>

#include "backends.h"
#include "health.h"
#include "options.h"
#include "proxy.h"

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

/*
 * Proxy mode's part of the file (at start and on SIGHUP): *cfg set to the
 * defaults and the [proxy] group, *balance to its balance key, and one
 * struct backend_config per [backend NAME] group appended to backends (a
 * GArray of struct backend_config, which may already hold the --backend
 * flags': a group's priority defaults to its index in the array, and a
 * name already there is an error).  Every other group is checked too.
 * FALSE with *err, and nothing changed, on the first problem: a bad file
 * on reload keeps the old settings.  *cfg must hold settings (from
 * proxy_config_defaults() or a previous load): they are cleared.
 */
gboolean	config_load_proxy(const char *path, struct proxy_config *cfg,
		    GArray *backends, enum balance *balance, GError **err);

/* A config file with every key at its default, commented out. */
void		config_write_defaults(FILE *);

#endif
