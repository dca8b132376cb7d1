#!/bin/sh
# Live capture on loopback with real peers: nginx-rtmp and an ffmpeg
# publisher; rtmpscope -i lo -p PORT --report=json --duration N sees the
# publish session with its stream name and about the frames sent.  TAP.
RTMPSCOPE=${RTMPSCOPE:-$(dirname "$0")/../rtmpscope}
. "$(dirname "$0")/peers.sh"
echo "1..7"
skip_all() {
	for i in 1 2 3 4 5 6 7; do echo "ok $i # SKIP $1"; done
	exit 0
}
[ "$(id -u)" -eq 0 ] || skip_all "live capture needs root"
command -v nginx >/dev/null && [ -f "$MODULE" ] || skip_all "no nginx with the rtmp module"
command -v ffmpeg >/dev/null || skip_all "no ffmpeg"

tmp=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	[ -f "$tmp/nginx/nginx.pid" ] && kill "$(cat "$tmp/nginx/nginx.pid")" 2>/dev/null
	tmux -L "rtmpscope-live-$$" kill-server 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
set -- $(free_ports 2)
port=$1 oport=$2
start_nginx nginx "$port"
"$RTMPSCOPE" -i lo -f "tcp port $port" -p "$port" --duration 8 --report=json >"$tmp/report.json" 2>"$tmp/err" &
scope=$!
pids="$pids $scope"
sleep 1.5
ffmpeg -nostdin -loglevel error -re -f lavfi -i testsrc2=size=320x240:rate=15 \
    -f lavfi -i sine=frequency=440:sample_rate=44100 -c:v libx264 \
    -preset ultrafast -g 15 -b:v 150k -c:a aac -b:a 32k -ac 1 -t 4 \
    -f flv "rtmp://127.0.0.1:$port/live/livetest" 2>"$tmp/ffmpeg.err"
wait "$scope"
status=$?
[ $status -eq 0 ] && echo "ok 1 - rtmpscope -i lo --duration 8 stops by itself, status 0" ||
    { echo "not ok 1 - rtmpscope -i lo exited $status"; sed 's/^/# /' "$tmp/err"; }
python3 - "$tmp/report.json" <<'PY'
import json, sys
n = 1
def check(ok, name, why=""):
    global n
    n += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", n, name))
    if not ok and why:
        print("# " + str(why))
try:
    doc = json.load(open(sys.argv[1]))
except Exception as e:
    doc = {"sessions": []}
pub = [s for s in doc["sessions"] if s["role"] == "publish"]
check(len(pub) == 1, "one publish session seen live", doc["sessions"])
s = pub[0] if pub else {}
check(s.get("app") == "live" and s.get("stream") == "livetest",
      "with its app and stream name", (s.get("app"), s.get("stream")))
frames = s.get("video_frames", 0)
check(54 <= frames <= 66, "video frames close to the 60 sent (4 s at 15 fps)",
      frames)
check(s.get("health") == "ok" and s.get("width") == 320,
      "healthy, 320x240", (s.get("health"), s.get("width")))
PY

# The dashboard, live: a player of the simulated origin appears on screen,
# and q gives the terminal back with status 0.
if ! command -v tmux >/dev/null; then
	echo "ok 6 # SKIP no tmux"
	echo "ok 7 # SKIP no tmux"
	exit 0
fi
"$RTMPSCOPE" --simulate-origin "127.0.0.1:$oport" --duration 30 >"$tmp/origin.out" 2>&1 &
pids="$pids $!"
tm="tmux -L rtmpscope-live-$$"
$tm new-session -d -x 160 -y 30 "$RTMPSCOPE -i lo -f 'tcp port $oport' -p $oport; echo EXIT=\$?; sleep 30"
sleep 1.5
ffmpeg -nostdin -loglevel error -i "rtmp://127.0.0.1:$oport/live/x" -t 8 -c copy -f null - 2>/dev/null &
pids="$pids $!"
seen=false
for i in 1 2 3 4 5 6 7 8 9 10; do
	sleep 1
	if $tm capture-pane -p | grep -q "live/x *play"; then
		seen=true
		break
	fi
done
$seen && echo "ok 6 - the live dashboard shows the player as it plays" ||
    { echo "not ok 6 - the live dashboard shows the player as it plays"; $tm capture-pane -p | sed 's/^/# /' | head -8; }
$tm send-keys q
exited=false
for i in 1 2 3 4 5; do
	sleep 1
	if $tm capture-pane -p | grep -q "EXIT=0"; then
		exited=true
		break
	fi
done
$exited && echo "ok 7 - q leaves the live dashboard with status 0" ||
    echo "not ok 7 - q leaves the live dashboard with status 0"
