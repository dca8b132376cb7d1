#!/bin/sh
# One command on a fresh Debian machine: install what is missing, build,
# and run the whole test suite.  Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")"
./install-deps.sh test || exit 1
{ [ -x configure ] || ./autogen.sh; } &&
    { [ -f Makefile ] || ./configure --quiet; } &&
    make --quiet -j"$(nproc)" || exit 1
rm -f tests/*.trs tests/*.log
make --quiet -j"$(nproc)" check >/dev/null 2>&1
status=$?
# Every TAP line of every test, then the totals.
for log in tests/*.log; do
	[ "$log" = tests/test-suite.log ] && continue
	grep -E '^(ok|not ok|1\.\.)|^# (SKIP|TODO)' "$log" | sed "s|^|$(basename "$log" .log): |"
done
pass=$(cat tests/*.trs | grep -c '^:test-result: \(PASS\|XFAIL\)')
fail=$(cat tests/*.trs | grep -c '^:test-result: \(FAIL\|XPASS\|ERROR\)')
skip=$(cat tests/*.trs | grep -c '^:test-result: SKIP')
[ "$status" -eq 0 ] || { echo "== failures:"; cat tests/test-suite.log | head -200; }
echo "$pass passed, $fail failed, $skip skipped"
[ "$status" -eq 0 ] && [ "$fail" -eq 0 ]
