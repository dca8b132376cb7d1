#!/bin/sh
# oracle.sh — rtmpscope's message dump against Wireshark's rtmpt dissector.
#
# For every capture in samples/, compare `rtmpscope -r CAP --dump=json` with
# `tshark -d tcp.port==1935,rtmpt -T pdml`, message by message per TCP
# connection and direction (type, length, chunk stream, timestamp, command
# name).  One TAP line per capture, with the agreement as a percentage.
# Needs tshark and python3; skips without them.

. "$(dirname "$0")/tap.sh"

command -v tshark >/dev/null 2>&1 || tap_skip_all "tshark not installed"
command -v python3 >/dev/null 2>&1 || tap_skip_all "python3 not installed"
[ -x "$RTMPSCOPE" ] || tap_skip_all "no rtmpscope binary at $RTMPSCOPE"

set -- "$SRCDIR"/samples/*.pcap
[ -e "$1" ] || tap_skip_all "no captures in $SRCDIR/samples"

out=$(python3 "$SRCDIR/tests/rtmp-compare.py" oracle --port 1935 "$@") || {
	echo "$out"
	exit 1
}
echo "$out"
! echo "$out" | grep -q '^not ok'
