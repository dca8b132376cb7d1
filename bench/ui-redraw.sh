#!/bin/sh
# ui-redraw.sh [SESSIONS] [SECONDS] -- the dashboard with many sessions:
# "with 1,000 sessions, a redraw stays under 50 ms and capture keeps up".
#
# 1. bench/ui-sessions.py writes a capture of SESSIONS (default 1000)
#    RTMP sessions all open at once for SECONDS (default 20) of capture
#    time, into $BENCH_DIR (default /tmp/rtmpscope-bench).
# 2. The dashboard opens it in tmux at 160x45 with RTMPSCOPE_UI_TIMING=FILE,
#    which makes ui.c append the duration of every redraw (microseconds,
#    one per line, from the model's sampling to doupdate()).  While it
#    reads and after, keys walk the screens as a person would: down the
#    table, each sort column, the session screen, the events.
# 3. Fast replay: the time until the dashboard says "read to the end",
#    against rtmpscope --report on the same file (the same pipeline with
#    no screen).  Realtime replay (--replay=realtime): the time to read
#    the file must be the capture's own duration, give or take 10 %.
# 4. Prints median, p99 and max redraw time, PASS/FAIL against 50 ms.
#
# Needs tmux and python3.  Not a test: CI does not run it.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
RTMPSCOPE=${RTMPSCOPE:-$top/rtmpscope}
BENCH_DIR=${BENCH_DIR:-/tmp/rtmpscope-bench}
n=${1:-1000}
secs=${2:-20}
limit_us=50000
sock="rtmpscope-bench-$$"
mkdir -p "$BENCH_DIR"
pcap="$BENCH_DIR/ui-$n-$secs.pcap"
timing="$BENCH_DIR/ui-timing.$$"
trap 'tmux -L "$sock" kill-server >/dev/null 2>&1; rm -f "$timing" "$timing.rt"' EXIT

tm() {
	tmux -L "$sock" -f /dev/null "$@"
}
now() {
	date +%s.%N
}
# wait_for SESSION PATTERN SECONDS
wait_for() {
	_end=$(($(date +%s) + $3))
	while [ "$(date +%s)" -le "$_end" ]; do
		tm capture-pane -p -t "$1" | grep -Eq -- "$2" && return 0
		sleep 0.05
	done
	echo "timed out waiting for /$2/" >&2
	tm capture-pane -p -t "$1" >&2
	return 1
}

[ -f "$pcap" ] || python3 "$here/ui-sessions.py" "$pcap" "$n" "$secs"
cat "$pcap" >/dev/null		# from the page cache for every run

# The same pipeline without a screen.
t0=$(now)
"$RTMPSCOPE" -r "$pcap" --report=json >/dev/null 2>&1
t1=$(now)
report_s=$(echo "$t1 $t0" | awk '{ print $1 - $2 }')

# Fast replay, with keys pressed while it reads and after.
rm -f "$timing"
t0=$(now)
tm new-session -d -s fast -x 160 -y 45 \
    "RTMPSCOPE_UI_TIMING=$timing LC_ALL=C.UTF-8 $RTMPSCOPE -r $pcap"
wait_for fast 'read to the end' 120
t1=$(now)
fast_s=$(echo "$t1 $t0" | awk '{ print $1 - $2 }')
for k in Down Down Down PageDown PageDown End Home; do
	tm send-keys -t fast "$k"; sleep 0.1
done
for i in $(seq 1 14); do
	tm send-keys -t fast '>'; sleep 0.1
done
tm send-keys -t fast i; sleep 0.2
tm send-keys -t fast Enter; sleep 1
tm send-keys -t fast Tab; sleep 0.3
tm send-keys -t fast Escape e; sleep 1
tm send-keys -t fast Escape; sleep 2	# the refresh timer's redraws
tm send-keys -t fast q
sleep 0.5

# Realtime replay: must take the capture's duration, no more.
t0=$(now)
tm new-session -d -s rt -x 160 -y 45 \
    "RTMPSCOPE_UI_TIMING=$timing.rt LC_ALL=C.UTF-8 $RTMPSCOPE -r $pcap --replay=realtime"
wait_for rt 'read to the end' $((secs * 3 + 30))
t1=$(now)
rt_s=$(echo "$t1 $t0" | awk '{ print $1 - $2 }')
tm send-keys -t rt q
sleep 0.5

cat "$timing" "$timing.rt" | sort -n | awk -v limit="$limit_us" \
    -v n="$n" -v report="$report_s" -v fast="$fast_s" -v rt="$rt_s" \
    -v secs="$secs" '
{ v[NR] = $1 }
END {
	if (NR == 0) { print "no redraw timed"; exit 1 }
	med = v[int((NR + 1) / 2)]
	p99 = v[int(NR * 0.99) > 0 ? int(NR * 0.99) : 1]
	max = v[NR]
	printf "%d sessions, %d redraws timed\n", n, NR
	printf "redraw: median %.1f ms, p99 %.1f ms, max %.1f ms (limit %.0f ms)\n", \
	    med / 1000, p99 / 1000, max / 1000, limit / 1000
	printf "fast replay: read in %.2f s with the dashboard, %.2f s for --report\n", \
	    fast, report
	printf "realtime replay: read in %.2f s for %.1f s of capture\n", rt, secs
	ok = 1
	if (p99 < limit) print "PASS redraw p99 under 50 ms"
	else { print "FAIL redraw p99 under 50 ms"; ok = 0 }
	if (rt <= secs * 1.1 + 1) print "PASS realtime replay keeps up"
	else { print "FAIL realtime replay keeps up"; ok = 0 }
	exit ok ? 0 : 1
}'
