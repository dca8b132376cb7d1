/*
 * A main() for the fuzz harnesses without libFuzzer: make check builds each
 * harness with it (tests/fuzz/replay-NAME), with the project's compiler and
 * flags (the sanitizers too, with configure --enable-sanitizers), and
 * tests/fuzz-regressions.sh replays the regression inputs through it.
 *
 *	tests/fuzz/replay-NAME FILE...
 *
 * Calls LLVMFuzzerInitialize first when the harness has one, then
 * LLVMFuzzerTestOneInput once per FILE, on the whole file in a heap buffer
 * of exactly its size (as libFuzzer does: ASan sees a read past its end).
 * Says how each went in TAP on stdout, flushed line by line.  A harness that
 * finds a violation abort()s, and a sanitizer stops the process: the exit
 * status is then a signal's, or the sanitizer's, and the lines before it
 * say which files ran clean.  Exits 0 when every file ran, 1 when a file
 * could not be read or the harness returned what libFuzzer rejects (other
 * than 0 and -1), 2 on a usage error.
 *
 * Without AddressSanitizer (which needs its address space) the address
 * space is capped at REPLAY_LIMIT_MB (default 2048, as run.sh's
 * -rss_limit_mb; 0 for no cap), so that an input that makes a harness
 * allocate without bound fails at once instead of swapping.
 */
#include <sys/resource.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define REPLAY_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define REPLAY_ASAN	1
#endif
#endif

#define REPLAY_LIMIT_MB_DEFAULT	2048UL
#define REPLAY_FILE_MAX		(64UL * 1024 * 1024)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
/* Optional: a harness may define it, as with libFuzzer. */
int	LLVMFuzzerInitialize(int *, char ***) __attribute__((weak));

/* Reads the whole of path into a buffer of exactly its size. */
static uint8_t *
read_file(const char *path, size_t *lenp)
{
	FILE *f;
	uint8_t *buf, *p;
	size_t len, cap, n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	len = 0;
	cap = 4096;
	buf = malloc(cap);
	while (buf != NULL) {
		if (len == cap) {
			if (cap >= REPLAY_FILE_MAX) {
				free(buf);
				buf = NULL;
				errno = EFBIG;
				break;
			}
			cap *= 2;
			if ((p = realloc(buf, cap)) == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = p;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0) {
			if (ferror(f)) {
				free(buf);
				buf = NULL;
			}
			break;
		}
	}
	(void)fclose(f);
	if (buf == NULL)
		return NULL;
	/* Exactly len bytes (at least one to allocate), read in place. */
	if ((p = malloc(len > 0 ? len : 1)) == NULL) {
		free(buf);
		return NULL;
	}
	memcpy(p, buf, len);
	free(buf);
	*lenp = len;
	return p;
}

static void
limit_memory(void)
{
#ifndef REPLAY_ASAN
	struct rlimit rl;
	unsigned long mb;
	const char *s;
	char *end;

	mb = REPLAY_LIMIT_MB_DEFAULT;
	if ((s = getenv("REPLAY_LIMIT_MB")) != NULL && *s != '\0') {
		errno = 0;
		mb = strtoul(s, &end, 10);
		if (errno != 0 || *end != '\0') {
			fprintf(stderr, "replay: bad REPLAY_LIMIT_MB %s\n", s);
			exit(2);
		}
	}
	if (mb == 0)
		return;
	if (getrlimit(RLIMIT_AS, &rl) != 0)
		return;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < (rlim_t)mb << 20)
		return;
	rl.rlim_cur = (rlim_t)mb << 20;
	(void)setrlimit(RLIMIT_AS, &rl);
#endif
}

int
main(int argc, char **argv)
{
	uint8_t *data;
	size_t len;
	int i, rc, status;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE...\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	limit_memory();
	if (LLVMFuzzerInitialize != NULL)
		(void)LLVMFuzzerInitialize(&argc, &argv);

	printf("1..%d\n", argc - 1);
	status = 0;
	for (i = 1; i < argc; i++) {
		if ((data = read_file(argv[i], &len)) == NULL) {
			printf("not ok %d - %s: %s\n", i, argv[i],
			    strerror(errno));
			status = 1;
			continue;
		}
		rc = LLVMFuzzerTestOneInput(data, len);
		free(data);
		if (rc != 0 && rc != -1) {
			printf("not ok %d - %s: the harness returned %d\n", i,
			    argv[i], rc);
			status = 1;
			continue;
		}
		printf("ok %d - %s (%zu bytes)\n", i, argv[i], len);
	}
	return status;
}
