/*
 * The head of an HTTP/1.1 request (RFC 9112), as the status endpoints read
 * it from whoever connects: where it ends, and its request line checked
 * and split in place.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdbool.h>
#include <string.h>

#include <glib.h>

#include "http-request.h"

/* RFC 9110 tchar: the characters of a method or a header name. */
static bool
is_token(const char *p, size_t n)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (p[i] == '\0' || (!g_ascii_isalnum(p[i]) &&
		    strchr("!#$%&'*+-.^_`|~", p[i]) == NULL))
			return false;
	return true;
}

/* The next line of the head, without its CR LF; NULL at the end. */
static char *
next_line(char **cursor)
{
	char *line = *cursor, *nl;

	if ((nl = strchr(line, '\n')) == NULL)
		return NULL;
	*nl = '\0';
	if (nl > line && nl[-1] == '\r')
		nl[-1] = '\0';
	*cursor = nl + 1;
	return line;
}

/*
 *   request-line = method SP request-target SP HTTP-version CRLF
 *   *( field-name ":" OWS field-value OWS CRLF )
 *   CRLF
 *
 * 0 when well formed, with *method and *target pointing into head;
 * otherwise the status to answer.
 */
int
http_request_parse(char *head, char **method, char **target)
{
	char *cursor = head, *line, *sp, *version, *colon;
	size_t i;

	if ((line = next_line(&cursor)) == NULL)
		return 400;
	*method = line;
	if ((sp = strchr(line, ' ')) == NULL)
		return 400;
	*sp = '\0';
	*target = sp + 1;
	if ((sp = strchr(*target, ' ')) == NULL)
		return 400;
	*sp = '\0';
	version = sp + 1;
	if (!is_token(*method, strlen(*method)) || (*target)[0] == '\0')
		return 400;
	for (i = 0; (*target)[i] != '\0'; i++)
		if ((unsigned char)(*target)[i] <= 0x20 ||
		    (unsigned char)(*target)[i] >= 0x7f)
			return 400;
	if (strncmp(version, "HTTP/", 5) != 0 ||
	    !g_ascii_isdigit(version[5]) || version[6] != '.' ||
	    !g_ascii_isdigit(version[7]) || version[8] != '\0')
		return 400;
	if (version[5] != '1')
		return 505;
	while ((line = next_line(&cursor)) != NULL && line[0] != '\0') {
		/* No folded lines, no space before the colon. */
		if ((colon = strchr(line, ':')) == NULL ||
		    !is_token(line, (size_t)(colon - line)))
			return 400;
	}
	return 0;
}

/* Where the head ends (past its empty line), 0 if it has not yet. */
size_t
http_request_head_length(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] != '\n')
			continue;
		if (i + 1 < n && p[i + 1] == '\n')
			return i + 2;
		if (i + 2 < n && p[i + 1] == '\r' && p[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}
