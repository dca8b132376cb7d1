/* Session health: severities and thresholds (see health.h). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "health.h"

static const struct {
	const char	*kind;
	enum health	 severity;
} kind_severity[] = {
	{ "connect_rejected", HEALTH_BAD },
	{ "handshake_failed", HEALTH_BAD },
	{ "stream_error", HEALTH_BAD },
	{ "abrupt_close", HEALTH_BAD },
	{ "backend_down", HEALTH_BAD },
	{ "stall", HEALTH_WARN },
	{ "ping_timeout", HEALTH_WARN },
	{ "av_desync", HEALTH_WARN },
	{ "malformed", HEALTH_WARN },
	{ "limit", HEALTH_WARN },
	{ "capture_gap", HEALTH_OK },
};

void
health_config_defaults(struct health_config *c)
{
	c->stall_ms = 2000;
	c->handshake_timeout_ms = 5000;
	c->ping_timeout_ms = 10000;
	c->av_desync_ms = 1000;
}

enum health
health_of_kind(const char *kind)
{
	size_t i;

	for (i = 0; i < sizeof(kind_severity) / sizeof(kind_severity[0]); i++)
		if (strcmp(kind_severity[i].kind, kind) == 0)
			return kind_severity[i].severity;
	return HEALTH_WARN;
}

const char *
health_name(enum health h)
{
	switch (h) {
	case HEALTH_BAD:
		return "bad";
	case HEALTH_WARN:
		return "warn";
	default:
		return "ok";
	}
}

bool
health_parse(const char *s, enum health *out)
{
	if (strcmp(s, "warn") == 0)
		*out = HEALTH_WARN;
	else if (strcmp(s, "bad") == 0)
		*out = HEALTH_BAD;
	else
		return false;
	return true;
}
