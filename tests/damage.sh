#!/bin/sh
# damage.sh — rtmpscope on damaged captures against rtmpscope on clean ones.
#
# For every capture in samples/, pcap-damage.py makes three damaged copies:
#   --reorder     runs of 2-4 segments shuffled within each direction
#   --retransmit  duplicated segments, and segments overlapping two others
#   --cut-third   the first third of the packets dropped (no handshake)
# Reordered and retransmitted copies must give exactly the clean capture's
# messages (every dump key but "t").  The cut copy must give at least 95% of
# the clean messages completed after each stream's resync point (recovered
# messages compared on type, len, csid, dir and name only).  tshark's figure
# on the same damaged capture is printed as a diagnostic when tshark exists.

. "$(dirname "$0")/tap.sh"

command -v python3 >/dev/null 2>&1 || tap_skip_all "python3 not installed"
[ -x "$RTMPSCOPE" ] || tap_skip_all "no rtmpscope binary at $RTMPSCOPE"

set -- "$SRCDIR"/samples/*.pcap
[ -e "$1" ] || tap_skip_all "no captures in $SRCDIR/samples"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rtmpscope-damage.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

modes="reorder retransmit cut-third"
tap_plan $(($# * 3))
n=0
for cap in "$@"; do
	base=$(basename "$cap" .pcap)
	for mode in $modes; do
		n=$((n + 1))
		out="$tmp/$base-$mode.pcap"
		if ! python3 "$SRCDIR/tests/pcap-damage.py" -q "--$mode" "$cap" "$out"; then
			echo "not ok $n - $base.pcap --$mode: pcap-damage.py failed"
			tap_failed=$((tap_failed + 1))
			continue
		fi
		line=$(python3 "$SRCDIR/tests/rtmp-compare.py" damage --mode "$mode" \
		    --number "$n" "$cap" "$out")
		echo "$line"
		case $line in
		"not ok"*) tap_failed=$((tap_failed + 1)) ;;
		esac
	done
done
tap_done
