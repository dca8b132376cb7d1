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
	c->redirect = REDIRECT_FAILOVER;
	c->redirect_on = RULE_ALL;
	c->redirect_stall_ms = 1000;
	c->redirect_max_per_minute = 3;
}

static const char *const mode_names[] = {
	[REDIRECT_FAILOVER] = "failover",
	[REDIRECT_RTMP302] = "rtmp302",
	[REDIRECT_RECONNECT] = "reconnect-request",
	[REDIRECT_DROP] = "drop",
};

const char *
redirect_mode_name(enum redirect_mode m)
{
	return (size_t)m < G_N_ELEMENTS(mode_names) ? mode_names[m] : "?";
}

bool
redirect_mode_parse(const char *s, enum redirect_mode *out)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(mode_names); i++)
		if (strcmp(s, mode_names[i]) == 0) {
			*out = (enum redirect_mode)i;
			return true;
		}
	return false;
}

static const struct {
	const char	*name;
	unsigned	 mask;
} rule_names[] = {
	{ "backend-close", RULE_BACKEND_CLOSE },
	{ "backend-down", RULE_BACKEND_DOWN },
	{ "stall", RULE_STALL },
	{ "ping-timeout", RULE_PING_TIMEOUT },
	{ "stream-error", RULE_STREAM_ERROR },
	{ "connect-rejected", RULE_CONNECT_REJECTED },
	{ "all", RULE_ALL },
	{ "none", 0 },
};

bool
redirect_rules_parse(const char *s, unsigned *mask)
{
	g_auto(GStrv) words = g_strsplit_set(s, ",; \t", -1);
	unsigned m = 0;
	size_t i, k;
	bool known;

	for (i = 0; words[i] != NULL; i++) {
		if (words[i][0] == '\0')
			continue;
		known = false;
		for (k = 0; k < G_N_ELEMENTS(rule_names); k++)
			if (strcmp(words[i], rule_names[k].name) == 0) {
				m |= rule_names[k].mask;
				known = true;
			}
		if (!known)
			return false;
	}
	*mask = m;
	return true;
}

void
proxy_config_clear(struct proxy_config *c)
{
	g_free(c->listen);
	c->listen = NULL;
}
