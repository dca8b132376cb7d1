#!/bin/sh
# fuzz-regressions.sh — the inputs the fuzz harnesses once failed on
# (tests/fuzz/regressions/NAME-*.bin, see its README), replayed by the
# normal test suite: each through tests/fuzz/replay-NAME, the harness NAME
# built by make check with tests/fuzz/replay-main.c instead of libFuzzer
# (with the sanitizers on a configure --enable-sanitizers build).
#
# A file is ok when the harness runs it to the end within $FUZZ_REPLAY_TIMEOUT
# seconds (20): no abort() from a check, no signal, no sanitizer report.
# Every harness also runs once on an empty input and on the first 4 KiB of a
# sample capture, so that one without regressions is still built and run.
# The seed corpora are generated (tests/fuzz/seeds.sh, with clang), not
# kept in the tree: they are not replayed here; tests/fuzz/run.sh does.
#
# FUZZ_REPLAY_BIN: where the replay-NAME programs are (default tests/fuzz
# of the build tree, next to $RTMPSCOPE).

. "$(dirname "$0")/tap.sh"

TIMEOUT=${FUZZ_REPLAY_TIMEOUT:-20}
bin=${FUZZ_REPLAY_BIN:-$(dirname "$RTMPSCOPE")/tests/fuzz}
# Every harness in the tree: one without its replay program in
# Makefile.am's FUZZ_REPLAY is "not ok".
harnesses=
nharnesses=0
for f in "$SRCDIR"/tests/fuzz/fuzz-*.c; do
	[ -f "$f" ] || continue
	f=$(basename "$f" .c)
	harnesses="$harnesses ${f#fuzz-}"
	nharnesses=$((nharnesses + 1))
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rtmpscope-fuzz-replay.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

: >"$tmp/empty"
sample=
for f in "$SRCDIR"/samples/*.pcap; do
	[ -f "$f" ] && { sample=$f; break; }
done
[ -n "$sample" ] && head -c 4096 "$sample" >"$tmp/sample"

set --
for r in "$SRCDIR"/tests/fuzz/regressions/*-*.bin; do
	[ -f "$r" ] && set -- "$@" "$r"
done
smokes=1
[ -n "$sample" ] && smokes=2
tap_plan $(($# + smokes * nharnesses))

# replay NAME FILE: the harness NAME on FILE; sets why (empty when clean).
replay() {
	_prog=$bin/replay-$1
	why=
	if [ ! -x "$_prog" ]; then
		why="no $_prog (make check builds it)"
		return
	fi
	timeout -k 5 "$TIMEOUT" "$_prog" "$2" >"$tmp/out" 2>"$tmp/err"
	_st=$?
	case $_st in
	0) ;;
	124 | 137) why="no end within ${TIMEOUT}s (exit $_st)" ;;
	*) if [ "$_st" -gt 128 ]; then
		why="killed by signal $((_st - 128))"
	else
		why="exit status $_st"
	fi ;;
	esac
	if grep -q 'fuzz check failed\|runtime error\|Sanitizer' "$tmp/err"; then
		why="${why:+$why, }a check failed or a sanitizer report"
	fi
	if [ -n "$why" ]; then
		grep -E 'fuzz check failed|runtime error|ERROR|SUMMARY|^ *#[0-9] ' \
		    "$tmp/err" | head -12 | sed 's/^/# /'
		grep '^not ok' "$tmp/out" | sed 's/^/# /'
	fi
}

for r in "$@"; do
	base=$(basename "$r" .bin)
	name=${base%%-*}
	replay "$name" "$r"
	if [ -z "$why" ]; then
		tap_ok "$base: replay-$name runs it clean"
	else
		tap_not_ok "$base: replay-$name: $why"
	fi
done

for name in $harnesses; do
	for input in empty sample; do
		[ "$input" = sample ] && [ -z "$sample" ] && continue
		replay "$name" "$tmp/$input"
		what="an empty input"
		[ "$input" = sample ] && what="4 KiB of $(basename "$sample")"
		if [ -z "$why" ]; then
			tap_ok "replay-$name on $what"
		else
			tap_not_ok "replay-$name on $what: $why"
		fi
	done
done
tap_done
