/*
 * Endpoints of a TCP segment: comparison and printing.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "packet.h"

bool
endpoint_equal(const struct endpoint *a, const struct endpoint *b)
{
	size_t	alen;

	if (a->family != b->family || a->port != b->port)
		return false;
	/* Only the address bytes of the family count: the rest may be junk. */
	alen = a->family == 6 ? 16 : 4;
	return memcmp(a->addr, b->addr, alen) == 0;
}

char *
endpoint_format(const struct endpoint *ep, char *buf, size_t len)
{
	char		 addr[INET6_ADDRSTRLEN];
	const char	*a;

	if (len == 0)
		return buf;
	if (ep->family == 6) {
		a = inet_ntop(AF_INET6, ep->addr, addr, sizeof addr);
		snprintf(buf, len, "[%s]:%u", a != NULL ? a : "?",
		    (unsigned)ep->port);
	} else if (ep->family == 4) {
		a = inet_ntop(AF_INET, ep->addr, addr, sizeof addr);
		snprintf(buf, len, "%s:%u", a != NULL ? a : "?",
		    (unsigned)ep->port);
	} else
		snprintf(buf, len, "?:%u", (unsigned)ep->port);
	return buf;
}
