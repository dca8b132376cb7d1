#!/bin/sh
# soak.sh [SECONDS] — proxy churn, RSS sampled each second (not in CI).
#
# rtmpscope --listen in front of a simulated origin (rtmpscope
# --simulate-origin) for SECONDS (600 by default): ffmpeg players come and
# go (one started every 1-3 s, each playing 2-8 s), and the origin is
# killed and started again on its port every 60 s (the proxy's tcp check
# takes it down and up).  rtmpscope's VmRSS is read from /proc/PID/status
# every second; after a 30 s warm-up the min, median and max are printed
# with the slope (KiB/min, least squares): PASS when under 64 KiB/min.
#
# The proxy keeps SOAK_KEEP ended sessions (max_ended_sessions, 10 by
# default): the bound is reached within the warm-up, so the slope shows
# what grows without a bound.  At the program's default (1000) a plateau
# some 6 MiB up would take half an hour of this churn to reach.
#
#   bench/soak.sh 180       three minutes
#   SOAK_KEEP=0 bench/soak.sh   every ended session kept: grows
#   SOAK_ARGS= bench/soak.sh    no --report=json at the end
#
# Everything on 127.0.0.1; every process started here is stopped by its
# pid.  Exit status 0 on PASS, 1 on FAIL, 2 when it could not run.

SECS=${1:-600}
WARMUP=30
LIMIT=64
SRC=$(cd "$(dirname "$0")/.." && pwd)
: "${RTMPSCOPE:=$SRC/rtmpscope}"
. "$SRC/tests/peers.sh"

for tool in python3 ffmpeg; do
	command -v "$tool" >/dev/null 2>&1 || { echo "soak: no $tool"; exit 2; }
done
[ -x "$RTMPSCOPE" ] || { echo "soak: no rtmpscope at $RTMPSCOPE"; exit 2; }
[ "$SECS" -gt "$((WARMUP + 30))" ] 2>/dev/null ||
    { echo "soak: SECONDS must be more than $((WARMUP + 30))"; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rtmpscope-soak.XXXXXX")
players=""
origin=""
scope=""
cleanup() {
	for p in $players $origin $scope; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

set -- $(free_ports 2)
OP=$1 PP=$2

# rand LO HI: an integer from LO to HI.
rand() {
	_r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
	echo $(($1 + _r % ($2 - $1 + 1)))
}

# The origin on its port; a few tries while the old socket lets go.
start_origin() {
	_t=0
	while [ $_t -lt 20 ]; do
		"$RTMPSCOPE" --simulate-origin "127.0.0.1:$OP" \
		    --duration $((SECS + 120)) >>"$tmp/origin.out" \
		    2>>"$tmp/origin.err" &
		origin=$!
		if wait_port "$OP" 20; then
			return 0
		fi
		stop "$origin" KILL 1
		_t=$((_t + 1))
	done
	echo "soak: the origin does not start again: $(tail -3 "$tmp/origin.err")"
	return 1
}

start_origin || exit 2
cat >"$tmp/soak.conf" <<CONF
[rtmpscope]
max_ended_sessions = ${SOAK_KEEP:-10}

[proxy]
handshake_timeout_ms = 3000
idle_timeout_ms = 5000
hold_down_ms = 2000

[backend origin]
address = 127.0.0.1:$OP
check = tcp
interval_ms = 500
timeout_ms = 300
CONF
"$RTMPSCOPE" --listen "127.0.0.1:$PP" -c "$tmp/soak.conf" \
    ${SOAK_ARGS---report=json} >"$tmp/report.out" 2>"$tmp/scope.err" </dev/null &
scope=$!
wait_port "$PP" || { echo "soak: rtmpscope: $(cat "$tmp/scope.err")"; exit 2; }

echo "soak: $SECS s of churn through 127.0.0.1:$PP (rtmpscope pid $scope)," \
    "origin restarted every 60 s"
: >"$tmp/rss"
started=0
restarts=0
t0=$(date +%s)
next_player=$t0
next_restart=$((t0 + 60))
now=$t0
while [ $((now - t0)) -lt "$SECS" ]; do
	if ! kill -0 "$scope" 2>/dev/null; then
		echo "soak: FAIL: rtmpscope died: $(tail -5 "$tmp/scope.err")"
		exit 1
	fi
	rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB$/\1/p' \
	    "/proc/$scope/status" 2>/dev/null)
	echo "$((now - t0)) $rss" >>"$tmp/rss"
	if [ "$now" -ge "$next_player" ]; then
		timeout 20 ffmpeg -nostdin -loglevel quiet \
		    -i "rtmp://127.0.0.1:$PP/live/s$started" -t "$(rand 2 8)" \
		    -c copy -f null - >/dev/null 2>&1 &
		players="$players $!"
		started=$((started + 1))
		next_player=$((now + $(rand 1 3)))
	fi
	if [ "$now" -ge "$next_restart" ]; then
		stop "$origin" KILL 1
		start_origin || exit 2
		restarts=$((restarts + 1))
		next_restart=$((now + 60))
	fi
	# Forget the players that are done.
	alive=""
	for p in $players; do
		if kill -0 "$p" 2>/dev/null; then
			alive="$alive $p"
		else
			wait "$p" 2>/dev/null
		fi
	done
	players=$alive
	sleep 1
	now=$(date +%s)
done
for p in $players; do stop "$p" TERM 100; done
players=""
stop "$scope" TERM 150
scope=""
stop "$origin" TERM 20
origin=""

echo "soak: $started players started, $restarts origin restarts"
grep "proxy:" "$tmp/scope.err" | sed 's/^/soak: /'
python3 - "$tmp/rss" "$WARMUP" "$LIMIT" <<'PY'
import statistics, sys
warm, limit = int(sys.argv[2]), float(sys.argv[3])
pts = []
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) == 2:
        pts.append((int(f[0]), int(f[1])))
after = [(t, r) for t, r in pts if t >= warm]
if len(after) < 10:
    print("soak: FAIL: too few samples (%d)" % len(after))
    sys.exit(1)
xs = [t / 60.0 for t, _ in after]
ys = [r for _, r in after]
mx, my = statistics.fmean(xs), statistics.fmean(ys)
slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / \
    sum((x - mx) ** 2 for x in xs)
print("soak: RSS over %d samples after %d s: min %d KiB, median %d KiB, "
      "max %d KiB (at start %d KiB)" % (len(ys), warm, min(ys),
      statistics.median(ys), max(ys), pts[0][1]))
ok = slope < limit
print("soak: slope %.1f KiB/min (limit %g): %s" % (slope, limit,
      "PASS" if ok else "FAIL"))
sys.exit(0 if ok else 1)
PY
