/*
 * Fuzzes the head of an HTTP request as the status endpoints read it
 * (src/http-request.c): where the head ends, then the request line and
 * the header lines checked and split in place.
 *
 * The input is what a client sent.  As status.c does, a head is parsed
 * only once its end is found, from a NUL-terminated copy of it, and one
 * holding a NUL byte is refused before.  Checked: the end lies within what
 * was sent; the answer is 0, 400 or 505; on 0 the method is a non-empty
 * token and the target a non-empty run of visible ASCII, both within the
 * copy and NUL-terminated there.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check-sink.h"
#include "http-request.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_within(const char *what, const char *p, const char *head, size_t len)
{
	size_t n;

	if (p < head || p >= head + len)
		check_fail("%s outside the head", what);
	n = strlen(p);
	if (n == 0 || p + n > head + len)
		check_fail("%s empty or past the head", what);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *head, *method = NULL, *target = NULL;
	const char *p;
	size_t len;
	int code;

	len = http_request_head_length((const char *)data, size);
	if (len > size)
		check_fail("the head ends at %zu of %zu bytes", len, size);
	if (len == 0 || memchr(data, '\0', len) != NULL)
		return 0;
	if (len < 2 || data[len - 1] != '\n' || (data[len - 2] != '\n' &&
	    (len < 3 || data[len - 2] != '\r' || data[len - 3] != '\n')))
		check_fail("the head of %zu bytes does not end in an empty "
		    "line", len);
	head = malloc(len + 1);
	if (head == NULL)
		return 0;
	memcpy(head, data, len);
	head[len] = '\0';
	code = http_request_parse(head, &method, &target);
	if (code != 0 && code != 400 && code != 505)
		check_fail("answer %d", code);
	if (code == 0) {
		check_within("the method", method, head, len);
		check_within("the target", target, head, len);
		for (p = method; *p != '\0'; p++)
			if ((unsigned char)*p <= 0x20 ||
			    (unsigned char)*p >= 0x7f ||
			    strchr("()<>@,;:\\\"/[]?={}", *p) != NULL)
				check_fail("method byte 0x%02x",
				    (unsigned char)*p);
		for (p = target; *p != '\0'; p++)
			if ((unsigned char)*p <= 0x20 ||
			    (unsigned char)*p >= 0x7f)
				check_fail("target byte 0x%02x",
				    (unsigned char)*p);
	}
	free(head);
	return 0;
}
