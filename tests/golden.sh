#!/bin/sh
# Golden tests, tcpdump style: each line of tests/golden/TESTLIST is
#   name  capture  expected-output  options...
# The capture is read with the options and the output compared with the
# checked-in expected output.  TAP output.
#   tests/golden.sh --update   rewrites the expected outputs (review the diff!)
RTMPSCOPE=${RTMPSCOPE:-$(dirname "$0")/../rtmpscope}
SRCDIR=${SRCDIR:-$(dirname "$0")/..}
list="$SRCDIR/tests/golden/TESTLIST"
update=false
[ "${1:-}" = "--update" ] && update=true
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

echo "1..$(grep -cv '^[[:space:]]*\(#\|$\)' "$list")"
n=0
failed=0
while read -r name capture expected options; do
	case "$name" in ''|'#'*) continue ;; esac
	n=$((n + 1))
	# shellcheck disable=SC2086 # options are words
	"$RTMPSCOPE" -r "$SRCDIR/$capture" $options >"$tmp" 2>/dev/null
	if $update; then
		cp "$tmp" "$SRCDIR/tests/golden/$expected"
		echo "ok $n - $name # updated"
	elif diff -u "$SRCDIR/tests/golden/$expected" "$tmp" >"$tmp.diff"; then
		echo "ok $n - $name"
	else
		failed=$((failed + 1))
		echo "not ok $n - $name"
		head -40 "$tmp.diff" | sed 's/^/# /'
	fi
	rm -f "$tmp.diff"
done <"$list"
[ $failed -eq 0 ]
