#!/bin/sh
# One command on a fresh Debian machine: install what is missing, build,
# and run the whole test suite.  Ends with "N passed, N failed".
#
#   ./run-tests.sh            the suite
#   ./run-tests.sh --full     also the whole suite again under
#                             AddressSanitizer (leak checking on) and
#                             UndefinedBehaviorSanitizer, and every fuzz
#                             harness for FUZZ_SECONDS (30), from
#                             FUZZ_SEED (1), after its regression
#                             inputs (what CI runs)
set -u
cd "$(dirname "$0")"
full=false
[ "${1:-}" = "--full" ] && full=true
pass=0
fail=0
skip=0

# How many lines of a file match (0 when the file is missing).
tally() {
	n=$(grep -c "$1" "$2" 2>/dev/null)
	echo "${n:-0}"
}

# Adds a build directory's automake results to the totals, prints its TAP.
count() {
	dir=$1 label=$2
	for log in "$dir"/tests/*.log; do
		[ "$(basename "$log")" = test-suite.log ] && continue
		grep -E '^(ok|not ok|1\.\.)|^# (SKIP|TODO)' "$log" |
		    sed "s|^|$label$(basename "$log" .log): |"
	done
	cat "$dir"/tests/*.trs >"$dir/.results" 2>/dev/null
	pass=$((pass + $(tally '^:test-result: \(PASS\|XFAIL\)' "$dir/.results")))
	fail=$((fail + $(tally '^:test-result: \(FAIL\|XPASS\|ERROR\)' "$dir/.results")))
	skip=$((skip + $(tally '^:test-result: SKIP' "$dir/.results")))
	rm -f "$dir/.results"
}

./install-deps.sh "$($full && echo full || echo test)" || exit 1
{ [ -x configure ] || ./autogen.sh; } &&
    { [ -f Makefile ] || ./configure --quiet; } &&
    make --quiet -j"$(nproc)" || exit 1
rm -f tests/*.trs tests/*.log
make --quiet -j"$(nproc)" check >tests/.check.log 2>&1
status=$?
count . ""
if [ "$status" -ne 0 ]; then
	echo "== failures:"
	if [ -f tests/test-suite.log ]; then
		head -200 tests/test-suite.log
	else
		tail -40 tests/.check.log
	fi
	fail=$((fail + 1))
fi

if $full; then
	# The same sources (tracked and new) built with the sanitizers.
	san=$(mktemp -d)
	trap 'rm -rf "$san"' EXIT
	{ git ls-files; git ls-files --others --exclude-standard; } |
	    tar -cf - -T - | tar -C "$san" -xf -
	# gcc's -fsanitize=undefined leaves out float-cast-overflow (clang's
	# has it): the (uint32_t) casts of a peer's 1e20 that
	# tests/fuzz-regressions.sh replays (regressions/splice-*-1e20.bin)
	# are only caught with it.
	( cd "$san" && ./autogen.sh && ./configure --quiet \
	    --enable-sanitizers --disable-werror \
	    CFLAGS="-g -O2 -fsanitize=float-cast-overflow" &&
	    make --quiet -j"$(nproc)" >.build.log 2>&1 &&
	    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    make --quiet -j"$(nproc)" check >.check.log 2>&1 )
	sanstatus=$?
	[ -d "$san/tests" ] && count "$san" "sanitizers: "
	if [ "$sanstatus" -ne 0 ]; then
		status=1
		fail=$((fail + 1))
		echo "== sanitizer failures:"
		if [ -f "$san/tests/test-suite.log" ]; then
			head -200 "$san/tests/test-suite.log"
		else
			tail -40 "$san/.build.log" "$san/.check.log" 2>/dev/null
		fi
	fi

	# Every fuzz harness for a short smoke: any finding fails.  A fixed
	# seed (FUZZ_SEED, 1) on the generated seed corpus: CI's run is one
	# that tests/fuzz/run.sh repeats anywhere; longer hunts use new seeds.
	fz=$(mktemp -d)
	if tests/fuzz/build.sh "$fz/bin" >"$fz/build.log" 2>&1 &&
	    FUZZ_BIN=$fz/bin FUZZ_CORPUS=$fz/corpus FUZZ_CRASHES=$fz/crashes \
	    FUZZ_SEED=${FUZZ_SEED:-1} \
	    tests/fuzz/run.sh "${FUZZ_SECONDS:-30}" >"$fz/run.log" 2>&1; then
		:
	else
		status=1
	fi
	grep -E '^(ok|not ok)' "$fz/run.log" | sed 's|^|fuzz: |'
	pass=$((pass + $(tally '^ok' "$fz/run.log")))
	fail=$((fail + $(tally '^not ok' "$fz/run.log")))
	if ! grep -q '^ok' "$fz/run.log" 2>/dev/null; then
		fail=$((fail + 1))
		echo "fuzz: not ok - the harnesses did not build or run"
		tail -20 "$fz/build.log" "$fz/run.log" 2>/dev/null
	fi
	rm -rf "$fz"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$status" -eq 0 ] && [ "$fail" -eq 0 ]
