/*
 * The settings of proxy mode (struct proxy_config, proxy.h): defaults and
 * clearing.  The [proxy] group of the config file (config-file.c) says the
 * same defaults in its table; a test holds them together.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <glib.h>

#include "proxy.h"

void
proxy_config_defaults(struct proxy_config *c)
{
	memset(c, 0, sizeof(*c));
	c->listen = NULL;
	c->max_connections = 1000;
	c->connect_timeout_ms = 3000;
	c->handshake_timeout_ms = 5000;
	c->idle_timeout_ms = 60000;
	c->queue_bytes = 1024 * 1024;
	c->drain_timeout_ms = 10000;
	c->hold_down_ms = 10000;
}

void
proxy_config_clear(struct proxy_config *c)
{
	g_free(c->listen);
	c->listen = NULL;
}
