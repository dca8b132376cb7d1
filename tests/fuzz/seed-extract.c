/*
 * Seed extractor for the fuzz corpora (run by seeds.sh, not a harness).
 *
 *	seed-extract STREAM OUTDIR
 *
 * STREAM is one direction of an RTMP connection as it went over TCP,
 * handshake included.  The chunk stream after the handshake goes through
 * the real demultiplexer; every message it gives is written to OUTDIR as
 * corpus files of the harnesses that take its parts:
 *
 *	messages/	type byte + kept body
 *	amf0/		bodies of AMF0 commands and data (types 18, 20)
 *	amf3/		bodies of AMF3 commands and data after their format byte
 *	codec/		parser selector + sequence header record
 *
 * File names are the message's index in the stream, so that a second run
 * overwrites rather than grows.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunk.h"
#include "handshake.h"
#include "message.h"

#define MAX_PER_KIND	64U

struct extract {
	const char	*outdir;
	const char	*tag;
	unsigned	 index;
	unsigned	 count[4];
};

enum kind { K_MESSAGES, K_AMF0, K_AMF3, K_CODEC };
static const char *const kind_dirs[] = { "messages", "amf0", "amf3",
    "codec" };

static void
write_seed(struct extract *x, enum kind k, uint8_t prefix, bool prefixed,
    const uint8_t *p, size_t n)
{
	char path[4096];
	FILE *fp;

	if (x->count[k] >= MAX_PER_KIND)
		return;
	x->count[k]++;
	snprintf(path, sizeof(path), "%s/%s/%s-%u", x->outdir, kind_dirs[k],
	    x->tag, x->index);
	if ((fp = fopen(path, "wb")) == NULL) {
		perror(path);
		exit(1);
	}
	if (prefixed)
		fputc(prefix, fp);
	if (n > 0)
		fwrite(p, 1, n, fp);
	fclose(fp);
}

/* The codec.h parser selector of fuzz-codec.c for a fourcc, or -1. */
static int
fourcc_parser(const uint8_t *f)
{
	if (memcmp(f, "avc1", 4) == 0)
		return 0;
	if (memcmp(f, "hvc1", 4) == 0)
		return 1;
	if (memcmp(f, "av01", 4) == 0)
		return 2;
	if (memcmp(f, "vp09", 4) == 0)
		return 3;
	if (memcmp(f, "Opus", 4) == 0)
		return 6;
	if (memcmp(f, "fLaC", 4) == 0)
		return 7;
	return -1;
}

static void
on_message(void *ctx, const struct rtmp_message *m)
{
	struct extract *x = ctx;
	const uint8_t *b = m->body;
	uint32_t n = m->kept;
	int sel;

	x->index++;
	write_seed(x, K_MESSAGES, m->type, true, b, n);
	if (m->type == RTMP_COMMAND_AMF0 || m->type == RTMP_DATA_AMF0)
		write_seed(x, K_AMF0, 0, false, b, n);
	if ((m->type == RTMP_COMMAND_AMF3 || m->type == RTMP_DATA_AMF3) &&
	    n > 1)
		write_seed(x, K_AMF3, 0, false, b + 1, n - 1);
	if (m->type == RTMP_VIDEO && n > 5) {
		if ((b[0] & 0x80) == 0 && (b[0] & 0x0f) == 7 && b[1] == 0)
			write_seed(x, K_CODEC, 0, true, b + 5, n - 5);
		else if ((b[0] & 0x80) != 0 && (b[0] & 0x0f) == 0 &&
		    (sel = fourcc_parser(b + 1)) >= 0)
			write_seed(x, K_CODEC, (uint8_t)sel, true, b + 5,
			    n - 5);
	}
	if (m->type == RTMP_AUDIO && n > 2) {
		if ((b[0] >> 4) == 10 && b[1] == 0)
			write_seed(x, K_CODEC, 5, true, b + 2, n - 2);
		else if ((b[0] >> 4) == 9 && (b[0] & 0x0f) == 0 && n > 5 &&
		    (sel = fourcc_parser(b + 1)) >= 0)
			write_seed(x, K_CODEC, (uint8_t)sel, true, b + 5,
			    n - 5);
	}
}

static const struct chunk_demux_ops extract_ops = { on_message, NULL };

int
main(int argc, char **argv)
{
	struct extract x;
	struct chunk_demux d;
	uint8_t *buf;
	size_t n, cap;
	FILE *fp;
	const char *slash;

	if (argc != 3) {
		fprintf(stderr, "usage: seed-extract STREAM OUTDIR\n");
		return 2;
	}
	if ((fp = fopen(argv[1], "rb")) == NULL) {
		perror(argv[1]);
		return 1;
	}
	cap = 1 << 20;
	n = 0;
	buf = malloc(cap);
	while (buf != NULL) {
		n += fread(buf + n, 1, cap - n, fp);
		if (n < cap)
			break;
		cap *= 2;
		buf = realloc(buf, cap);
	}
	fclose(fp);
	if (buf == NULL)
		return 1;
	memset(&x, 0, sizeof(x));
	x.outdir = argv[2];
	slash = strrchr(argv[1], '/');
	x.tag = slash != NULL ? slash + 1 : argv[1];
	chunk_demux_init(&d, &extract_ops, &x);
	if (n > HANDSHAKE_LEN && buf[0] == HANDSHAKE_VERSION_PLAIN)
		chunk_demux_feed(&d, buf + HANDSHAKE_LEN, n - HANDSHAKE_LEN);
	else {
		chunk_demux_join(&d);
		chunk_demux_feed(&d, buf, n);
	}
	chunk_demux_finish(&d);
	chunk_demux_free(&d);
	free(buf);
	return 0;
}
