# tap.sh — tiny TAP helpers for the shell tests; source it.
#
#   . "$SRCDIR/tests/tap.sh"
#   tap_plan 3            (or: tap_skip_all "reason")
#   tap_ok "description"; tap_not_ok "description"; tap_skip "description" "reason"
#   tap_check "description" command args...   (ok when the command succeeds)
#   tap_diag "text"       (a "# " line)
#   tap_done              (exit status: 1 if anything failed)
#
# Also sets RTMPSCOPE and SRCDIR when unset: the binary is ../rtmpscope and the
# source tree .. relative to the sourcing script (make check sets both).

tap_n=0
tap_failed=0

: "${SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${RTMPSCOPE:=$(cd "$(dirname "$0")/.." && pwd)/rtmpscope}"
export SRCDIR RTMPSCOPE

tap_plan() {
	echo "1..$1"
}

tap_skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

tap_ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $*"
}

tap_not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $*"
}

tap_skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP ${2:-}"
}

tap_diag() {
	echo "$*" | sed 's/^/# /'
}

tap_check() {
	_tap_desc=$1
	shift
	if "$@"; then
		tap_ok "$_tap_desc"
	else
		tap_not_ok "$_tap_desc"
	fi
}

tap_done() {
	[ "$tap_failed" -eq 0 ]
}
