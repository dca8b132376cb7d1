#!/bin/sh
# proxy.sh — proxy mode with real peers on loopback: two nginx-rtmp
# backends, ffmpeg and rtmpdump publishing and playing through
# rtmpscope --listen.  Checks that a player gets the whole stream, that
# the report knows each proxied session (app, stream, role, backend), that
# a dead backend is skipped and one that comes back is used again, that
# SIGHUP adds a backend, and that the relay is transparent: the FLV tags a
# player gets through the proxy are the ones it gets straight from nginx.
#
# Every process is started here and stopped by its pid; every wait is
# bounded.  TAP.

. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/peers.sh"

command -v python3 >/dev/null 2>&1 || tap_skip_all "python3 not installed"
command -v nginx >/dev/null 2>&1 && [ -f "$MODULE" ] ||
    tap_skip_all "no nginx with the rtmp module"
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 ||
    tap_skip_all "no ffmpeg"
command -v rtmpdump >/dev/null 2>&1 || tap_skip_all "no rtmpdump"
[ -x "$RTMPSCOPE" ] || tap_skip_all "no rtmpscope binary at $RTMPSCOPE"

work_dir proxy

# Free ports: bound all at once, so no two are the same.
set -- $(free_ports 11)
B1=$1 B2=$2 B3=$3 P1=$4 P2=$5 P3=$6 P4=$7 P5=$8 P6=$9 B4=${10} P7=${11}

# publish PORT STREAM SECONDS: ffmpeg in real time, 1 s GOP; $! its pid.
publish() {
	ffmpeg -nostdin -loglevel error -re -f lavfi \
	    -i testsrc2=size=320x240:rate=15 \
	    -f lavfi -i sine=frequency=440:sample_rate=44100 -c:v libx264 \
	    -preset ultrafast -g 15 -b:v 150k -c:a aac -b:a 32k -ac 1 \
	    -t "$3" -f flv "rtmp://127.0.0.1:$1/live/$2" \
	    2>>"$tmp/publish.err" &
}

# run_scope PORT ARGS...: rtmpscope --listen on PORT; $! its pid.
run_scope() {
	_port=$1
	shift
	"$RTMPSCOPE" --listen "127.0.0.1:$_port" --report=json "$@" \
	    >"$tmp/report-$_port.json" 2>"$tmp/err-$_port" &
}

# report PORT PYTHON: runs the check in PYTHON on the report of PORT, with
# `sessions` (list), `pub`/`play` (by role) and the port numbers at hand;
# the check prints "ok" or why not.
report() {
	python3 - "$tmp/report-$1.json" "$B1" "$B2" "$B3" "$2" <<'PY'
import json, sys
try:
    doc = json.load(open(sys.argv[1]))
except Exception as e:
    print("no report: %s" % e)
    sys.exit(0)
B1, B2, B3 = sys.argv[2:5]
sessions = doc.get("sessions", [])
pub = [s for s in sessions if s.get("role") == "publish"]
play = [s for s in sessions if s.get("role") == "play"]
def on(s, port):
    return port in (s.get("backend") or "") or \
        s.get("server", "").endswith(":" + port)
try:
    ok = eval("(" + sys.argv[5] + ")")
except Exception as e:
    ok = False
print("ok" if ok else "got %s" % json.dumps([{k: s.get(k) for k in
    ("client", "server", "backend", "app", "stream", "role", "health")}
    for s in sessions]))
PY
}

check_report() {
	_desc=$1
	_out=$(report "$2" "$3")
	if [ "$_out" = ok ]; then
		tap_ok "$_desc"
	else
		tap_not_ok "$_desc"
		tap_diag "$_out"
		tap_diag "$(cat "$tmp/err-$2")"
	fi
}

start_nginx b1 "$B1"
nginx1=$ngpid
start_nginx b2 "$B2"
nginx2=$ngpid
wait_port "$B1" && wait_port "$B2" ||
    { tap_skip_all "nginx did not start: $(cat "$tmp"/b*/stderr)"; }

tap_plan 21

# 1-6: a publisher and two players through the proxy.
run_scope "$P1" --backend "127.0.0.1:$B1" --backend "127.0.0.1:$B2"
scope=$!
pids="$pids $scope"
tap_check "rtmpscope --listen accepts connections" wait_port "$P1"
publish "$P1" s 7
pub=$!
pids="$pids $pub"
sleep 2
ffmpeg -nostdin -loglevel error -i "rtmp://127.0.0.1:$P1/live/s" -t 3 \
    -c copy -f flv "$tmp/play.flv" 2>"$tmp/play.err" &
player=$!
timeout 10 rtmpdump -q -v -r "rtmp://127.0.0.1:$P1/live/s" \
    -o "$tmp/dump.flv" -B 3000 >/dev/null 2>"$tmp/rtmpdump.err" &
dumper=$!
pids="$pids $player $dumper"
n=0
while kill -0 "$player" 2>/dev/null && [ $n -lt 150 ]; do
	sleep 0.1
	n=$((n + 1))
done
stop "$player" KILL 1
stop "$pub" TERM 50
stop "$dumper" INT 20
dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 \
    "$tmp/play.flv" 2>/dev/null)
if python3 -c "import sys; sys.exit(not 2.5 <= float('${dur:-0}') <= 3.6)"
then
	tap_ok "the ffmpeg player got 3 s through the proxy ($dur s)"
else
	tap_not_ok "the ffmpeg player got 3 s through the proxy"
	tap_diag "duration '$dur'; $(cat "$tmp/play.err")"
fi
vframes=$(ffprobe -v error -select_streams v -count_packets \
    -show_entries stream=nb_read_packets -of csv=p=0 "$tmp/dump.flv" \
    2>/dev/null)
if [ "${vframes:-0}" -ge 15 ]; then
	tap_ok "the rtmpdump player got video through the proxy ($vframes frames)"
else
	tap_not_ok "the rtmpdump player got video through the proxy"
	tap_diag "frames '$vframes'; $(cat "$tmp/rtmpdump.err")"
fi
stop "$scope" TERM 150
check_report "the report has the publish session: app, stream, backend 1" \
    "$P1" 'len(pub) == 1 and pub[0]["app"] == "live" and
    pub[0]["stream"] == "s" and on(pub[0], B1)'
check_report "and both players, with their backend" "$P1" \
    'len(play) == 2 and all(s["stream"] == "s" and on(s, B1) for s in play)'
check_report "every proxied session is healthy or warned, none bad" "$P1" \
    'all(s["health"] != "bad" for s in pub + play)'

# 7-8: a dead first backend is skipped.
run_scope "$P2" --backend "127.0.0.1:$B3" --backend "127.0.0.1:$B2"
scope=$!
pids="$pids $scope"
wait_port "$P2"
publish "$P2" dead 2
pub=$!
await "$pub" 100
publish "$P2" dead2 2
pub=$!
await "$pub" 100
stop "$scope" TERM 150
check_report "a dead first backend is skipped: sessions on the second" \
    "$P2" 'len(pub) == 2 and all(on(s, B2) for s in pub)'
if grep -q "accepted, 0 refused" "$tmp/err-$P2"; then
	tap_ok "no client was turned away"
else
	tap_not_ok "no client was turned away"
	tap_diag "$(cat "$tmp/err-$P2")"
fi

# 9-10: a backend that comes back is used again after `rise` checks.
cat >"$tmp/rise.conf" <<CONF
[backend first]
address = 127.0.0.1:$B3
check = tcp
interval_ms = 200
timeout_ms = 200
rise = 2
fall = 1

[backend second]
address = 127.0.0.1:$B2
check = tcp
interval_ms = 200
timeout_ms = 200
CONF
run_scope "$P3" -c "$tmp/rise.conf"
scope=$!
pids="$pids $scope"
wait_port "$P3"
sleep 0.6
publish "$P3" before 2
pub=$!
await "$pub" 100
start_nginx b3 "$B3"
nginx3=$ngpid
wait_port "$B3"
sleep 1.2
publish "$P3" after 2
pub=$!
await "$pub" 100
stop "$scope" TERM 150
check_report "while the first backend is down, sessions go to the second" \
    "$P3" '[s["stream"] for s in pub if on(s, B2)] == ["before"]'
check_report "the first backend back up gets the next session" \
    "$P3" '[s["stream"] for s in pub if on(s, B3)] == ["after"]'

# 11-12: SIGHUP with a new backend first in the file.
cat >"$tmp/hup.conf" <<CONF
[backend second]
address = 127.0.0.1:$B2
CONF
run_scope "$P4" -c "$tmp/hup.conf"
scope=$!
pids="$pids $scope"
wait_port "$P4"
publish "$P4" one 2
pub=$!
await "$pub" 100
cat >"$tmp/hup.conf" <<CONF
[backend first]
address = 127.0.0.1:$B1
priority = 0

[backend second]
address = 127.0.0.1:$B2
priority = 1
CONF
kill -HUP "$scope"
sleep 0.8
publish "$P4" two 2
pub=$!
await "$pub" 100
printf '[backend broken]\naddress = nonsense\n' >"$tmp/hup.conf"
kill -HUP "$scope"
sleep 0.5
publish "$P4" three 2
pub=$!
await "$pub" 100
stop "$scope" TERM 150
check_report "SIGHUP adds a backend: the next session goes to it" \
    "$P4" '[(s["stream"], on(s, B2) and "2" or on(s, B1) and "1")
    for s in pub] == [("one", "2"), ("two", "1"), ("three", "1")]'
if grep -q "SIGHUP:.*stay" "$tmp/err-$P4"; then
	tap_ok "a bad config file on SIGHUP keeps the settings and says why"
else
	tap_not_ok "a bad config file on SIGHUP keeps the settings and says why"
	tap_diag "$(cat "$tmp/err-$P4")"
fi

# 13-14: SIGTERM drains: a session going on when it comes goes on to its end.
run_scope "$P5" --backend "127.0.0.1:$B1"
scope=$!
pids="$pids $scope"
wait_port "$P5"
publish "$P5" drain 4
pub=$!
sleep 1.5
kill -TERM "$scope"
sleep 0.3
if wait_port "$P5" 3; then
	tap_not_ok "draining: the listening socket is closed"
else
	tap_ok "draining: the listening socket is closed"
fi
wait "$pub"
pubstatus=$?
stop "$scope" TERM 50
check_report "draining: the session goes on to its end, then the report" \
    "$P5" "len(pub) == 1 and $pubstatus == 0 and pub[0]['video_frames'] >= 50"

# 15-17: backpressure and half-close, with a backend of our own that
# reads nothing for 2 s, then everything to the end, then answers.
cat >"$tmp/raw.conf" <<CONF
[proxy]
queue_bytes = 65536

[backend raw]
address = 127.0.0.1:$B4
check = none
CONF
run_scope "$P6" -c "$tmp/raw.conf"
scope=$!
pids="$pids $scope"
wait_port "$P6"
timeout 60 python3 - "$P6" "$B4" "$scope" "$tap_n" <<'PY'
import socket, sys, threading, time
port, bport, pid, n = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
TOTAL = 64 << 20
failed = 0

def say(ok, what, why=""):
    global n, failed
    n += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", n, what))
    if not ok:
        failed += 1
        if why:
            print("# " + why)

def rss():
    for line in open("/proc/%s/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024

ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", bport))
ls.listen(8)
got = []

def backend():
    c, _ = ls.accept()
    time.sleep(2.5)
    total = 0
    while True:
        b = c.recv(1 << 20)
        if not b:
            break
        total += len(b)
    got.append(total)
    c.sendall(b"bye %d" % total)
    c.close()

threading.Thread(target=backend, daemon=True).start()
sent = [0]
def sender(s):
    block = b"x" * 65536
    while sent[0] < TOTAL:
        s.sendall(block)
        sent[0] += len(block)
    s.shutdown(socket.SHUT_WR)

r0 = rss()
s = socket.create_connection(("127.0.0.1", port))
t = threading.Thread(target=sender, args=(s,), daemon=True)
t.start()
time.sleep(2.0)
r1, stuck = rss(), sent[0]
say(stuck < TOTAL, "backpressure: the sender is held back while the backend "
    "does not read", "all %d bytes were taken" % stuck)
say(r1 - r0 < 4 << 20, "and the proxy does not hold what it cannot pass on",
    "RSS grew by %d KiB" % ((r1 - r0) >> 10))
reply = b""
s.settimeout(20)
try:
    while True:
        b = s.recv(4096)
        if not b:
            break
        reply += b
except OSError as e:
    reply += b" (%s)" % str(e).encode()
say(reply == b"bye %d" % TOTAL, "half-close: the backend gets every byte, "
    "then the end, and its answer comes back", repr(reply[:80]))
sys.exit(failed)
PY
tap_failed=$((tap_failed + $?))
tap_n=$((tap_n + 3))
stop "$scope" TERM 150

# 18-21: transparency.  One publish straight to nginx; two rtmpdump players
# at once, one through the proxy and one straight; the FLV tags compared
# from the first keyframe both have, payload by payload.
run_scope "$P7" --backend "127.0.0.1:$B1"
scope=$!
pids="$pids $scope"
wait_port "$P7"
publish "$B1" t 8
pub=$!
sleep 1.5
timeout -s INT 5 rtmpdump -q -v -r "rtmp://127.0.0.1:$P7/live/t" \
    -o "$tmp/via.flv" >/dev/null 2>"$tmp/via.err" &
d1=$!
timeout -s INT 5 rtmpdump -q -v -r "rtmp://127.0.0.1:$B1/live/t" \
    -o "$tmp/direct.flv" >/dev/null 2>"$tmp/direct.err" &
d2=$!
pids="$pids $d1 $d2"
await "$d1" 80
await "$d2" 20
stop "$pub" TERM 50
stop "$scope" TERM 150
python3 - "$tmp/via.flv" "$tmp/direct.flv" "$tap_n" <<'PY'
import sys

def tags(path):
    """(type, payload) of every whole FLV tag."""
    try:
        data = open(path, "rb").read()
    except OSError:
        return []
    if data[:3] != b"FLV" or len(data) < 13:
        return []
    off = int.from_bytes(data[5:9], "big") + 4
    out = []
    while off + 11 <= len(data):
        kind = data[off] & 0x1f
        size = int.from_bytes(data[off + 1:off + 4], "big")
        if off + 11 + size + 4 > len(data):
            break
        out.append((kind, data[off + 11:off + 11 + size]))
        off += 11 + size + 4
    return out

def keyframe(t):
    return t[0] == 9 and len(t[1]) > 1 and t[1][0] >> 4 == 1 and t[1][1] == 1

via, direct = tags(sys.argv[1]), tags(sys.argv[2])
n = int(sys.argv[3])
failed = []
def say(ok, what, why=""):
    global n
    n += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", n, what))
    if not ok:
        failed.append(what)
        if why:
            print("# " + why)

say(len(via) > 30 and len(direct) > 30, "both players got FLV tags",
    "through the proxy %d, straight %d" % (len(via), len(direct)))
# The first keyframe of one that the other has too.
start = None
index = {p: i for i, (k, p) in reversed(list(enumerate(direct))) if keyframe((k, p))}
for i, t in enumerate(via):
    if keyframe(t) and t[1] in index:
        start = (i, index[t[1]])
        break
say(start is not None, "they share a keyframe")
run = 0
bad = None
if start is not None:
    i, j = start
    while i < len(via) and j < len(direct):
        if via[i] != direct[j]:
            bad = (i, j, via[i][0], len(via[i][1]), direct[j][0],
                   len(direct[j][1]))
            break
        run += 1
        i += 1
        j += 1
say(run >= 30, "from it, the tags match in type, size and payload",
    "%d tags matched" % run)
say(bad is None or run >= 30 and (bad[0] >= len(via) - 3 or
    bad[1] >= len(direct) - 3), "up to the end of the shorter file",
    "first difference after %d tags: %r" % (run, bad))
sys.exit(len(failed))
PY
tap_failed=$((tap_failed + $?))
tap_n=$((tap_n + 4))
[ -s "$tmp/via.flv" ] && [ -s "$tmp/direct.flv" ] ||
    tap_diag "$(cat "$tmp/via.err" "$tmp/direct.err" "$tmp/err-$P7" "$tmp/publish.err" 2>&1 | tail -20)"
tap_done
