/*
 * RTMP handshake (RTMP 1.0 specification, 5.2).
 *
 *  client                                   server
 *   C0  | version:1 |                        S0  | version:1 |
 *   C1  | time:4 | zero:4 | random:1528 |    S1  | time:4 | zero:4 | random:1528 |
 *   C2  | time:4 | time2:4 | echo:1528 |     S2  | time:4 | time2:4 | echo:1528 |
 *
 * Version 3 is plain RTMP; 6, 8 and 9 are encrypted (RTMPE) and cannot be
 * dissected past the handshake.  The "zero" field of C1/S1 carries the
 * Flash Player or server version in the digest handshake that most peers
 * use.  Each side sends 1 + 1536 + 1536 bytes; the chunk stream follows.
 */
#ifndef RTMPSCOPE_HANDSHAKE_H
#define RTMPSCOPE_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "field-sink.h"

#define HANDSHAKE_BLOCK		1536U
#define HANDSHAKE_LEN		(1U + 2U * HANDSHAKE_BLOCK)
#define HANDSHAKE_VERSION_PLAIN	3U

enum handshake_step_kind {
	HANDSHAKE_C0C1,
	HANDSHAKE_C2,
	HANDSHAKE_S0S1S2,
};

struct handshake_step {
	enum handshake_step_kind kind;
	uint8_t		 version;	/* C0C1, S0S1S2 */
	uint32_t	 time;		/* C1/S1 time, or C2 time */
	uint32_t	 zero;		/* C1/S1 zero (version) field, or C2 time2 */
	uint32_t	 echo_time;	/* S0S1S2: S2 time and time2 */
	uint32_t	 echo_time2;
};

/* One side's handshake in progress. */
struct handshake {
	bool		 server;
	uint32_t	 pos;		/* bytes of the handshake seen */
	uint8_t		 version;
	uint8_t		 head1[8];	/* first bytes of C1/S1 */
	uint8_t		 head2[8];	/* first bytes of C2/S2 */
};

void	handshake_init(struct handshake *, bool server);
bool	handshake_done(const struct handshake *);

/*
 * Consumes handshake bytes.  Returns how many of the n bytes belong to the
 * handshake; sets *step and returns with *stepped true when a step completes
 * (call again with the rest).
 */
size_t	handshake_feed(struct handshake *, const uint8_t *, size_t,
	    struct handshake_step *, bool *stepped);

/* Bytes lost by the capture inside the handshake: skipped, sync kept. */
size_t	handshake_skip(struct handshake *, uint64_t lost);

/* Whether bytes can start a client's C0 + C1 (the first byte is 3, 6, 8 or 9). */
bool	handshake_version_known(uint8_t version);

const char *handshake_step_name(enum handshake_step_kind);
void	handshake_step_fields(const struct handshake_step *,
	    struct field_sink *);

#endif
