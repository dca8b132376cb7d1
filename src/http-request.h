/*
 * The head of an HTTP/1.1 request, as the status endpoints read it.
 */
#ifndef RTMPSCOPE_HTTP_REQUEST_H
#define RTMPSCOPE_HTTP_REQUEST_H

#include <stddef.h>

/*
 * Where the head of n bytes at p ends (past its empty line, LF LF or
 * LF CR LF), 0 when it has not ended yet.
 */
size_t	http_request_head_length(const char *p, size_t n);
/*
 * Checks the head (NUL-terminated, written over) and points *method and
 * *target into it: 0 when it is well formed, otherwise the status to
 * answer (400, or 505 for an HTTP version other than 1.x).
 */
int	http_request_parse(char *head, char **method, char **target);

#endif
