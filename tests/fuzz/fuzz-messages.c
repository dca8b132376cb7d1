/*
 * Fuzzes the message decoders (dissectors/msg-*.c through msg_decode) and
 * the aggregate iterator.
 *
 * Input byte 0 is the message type; the rest is the body.  The body is
 * decoded three times, as the demultiplexer could hand it over:
 *  - whole (kept == len);
 *  - kept as msg_keep decides from its first LIMIT_MESSAGE_PROBE bytes;
 *  - cut at an input-chosen length (the last input byte, as a fraction of
 *    256 of the body), as a keep limit or a lost capture would cut it.
 * Each goes into the checking sink; an aggregate's sub-messages are walked
 * and decoded too (check_message).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check-sink.h"
#include "hard-limits.h"
#include "message.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtmp_message m;
	const uint8_t *body;
	uint32_t len, keep;
	size_t probe;

	if (size < 1 || size - 1 > LIMIT_MESSAGE_KEEP_MAX)
		return 0;
	body = data + 1;
	len = (uint32_t)(size - 1);

	memset(&m, 0, sizeof(m));
	m.csid = 3;
	m.fmt = 0;
	m.type = data[0];
	m.msid = 1;
	m.ts = 1000;
	m.len = len;
	m.body = len > 0 ? body : NULL;
	m.kept = len;
	(void)check_message(&m);

	probe = len < LIMIT_MESSAGE_PROBE ? len : LIMIT_MESSAGE_PROBE;
	keep = msg_keep(m.type, body, probe, len);
	if (keep > len)
		check_fail("msg_keep %u for a body of %u", keep, len);
	if (keep < len) {
		m.kept = keep;
		(void)check_message(&m);
	}

	if (len > 0) {
		m.kept = (uint32_t)(((uint64_t)len * data[size - 1]) / 256);
		m.recovered = true;
		(void)check_message(&m);
	}
	return 0;
}
