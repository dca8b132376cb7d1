#!/bin/sh
# proxy-abuse.sh — proxy mode under abuse, on loopback.  One rtmpscope
# proxy (short timeouts, 50 connections, 256 KiB queues) in front of a
# simulated origin relays an ffmpeg player for 8 s while Python abusers
# go at it: a slowloris (one byte of C0C1 a second), a player that never
# reads, garbage instead of a handshake, and a flood of 200 connections;
# a second proxy has for backends a server that accepts and never answers
# and one that answers with garbage.  Each abuser must be closed within its
# timeout (seen from the client), the proxy must say why (the report's
# problems, its counters, the status API's backends), stay alive, and the
# player must get its whole 8 s.
#
# The player that never reads is closed only once the kernel's send buffer
# to it (autotuned up to tcp_wmem's max, 4 MiB here: some 20 s of the
# origin's media) and then queue_bytes are full, and idle_timeout_ms has
# passed: about 25 s; it is watched for 40 s at most.
#
# Every process is started here and stopped by its pid; every wait is
# bounded; the whole takes about 30 s.  TAP.

. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/peers.sh"

for tool in python3 ffmpeg ffprobe; do
	command -v "$tool" >/dev/null 2>&1 || tap_skip_all "no $tool"
done
[ -x "$RTMPSCOPE" ] || tap_skip_all "no rtmpscope binary at $RTMPSCOPE"

work_dir abuse

set -- $(free_ports 5)
P1=$1 P2=$2 BH=$3 BG=$4 H2=$5

# The origin, on a free port it prints.
origin_free_port origin
OP=$orport
[ -n "$OP" ] || tap_skip_all "the simulated origin did not start: $(cat "$tmp/origin.err")"

# The bad backends of the second proxy: one accepts and never answers, one
# answers every C0C1 with garbage.  They live until killed.
python3 - "$BH" "$BG" >"$tmp/bad.out" 2>&1 <<'PY' &
import os, socket, sys, threading, time
def serve(port, garbage):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(64)
    held = []
    while True:
        c, _ = ls.accept()
        held.append(c)          # never closed by us
        if garbage:
            def answer(c=c):
                try:
                    got = 0
                    c.settimeout(10)
                    while got < 1:
                        got += len(c.recv(4096))
                    c.sendall(b"\x47" + os.urandom(3072))
                except OSError:
                    pass
            threading.Thread(target=answer, daemon=True).start()
for port, g in ((int(sys.argv[1]), False), (int(sys.argv[2]), True)):
    threading.Thread(target=serve, args=(port, g), daemon=True).start()
time.sleep(120)
PY
bad=$!
pids="$pids $bad"

cat >"$tmp/p1.conf" <<CONF
[proxy]
max_connections = 50
handshake_timeout_ms = 2000
idle_timeout_ms = 3000
queue_bytes = 262144

[backend origin]
address = 127.0.0.1:$OP
check = none
CONF
cat >"$tmp/p2.conf" <<CONF
[proxy]
max_connections = 50
handshake_timeout_ms = 2000
idle_timeout_ms = 3000
queue_bytes = 262144
balance = least-sessions
hold_down_ms = 0

[backend hang]
address = 127.0.0.1:$BH
check = none

[backend garbage]
address = 127.0.0.1:$BG
check = none
CONF
"$RTMPSCOPE" --listen "127.0.0.1:$P1" -c "$tmp/p1.conf" --report=json \
    >"$tmp/report1.json" 2>"$tmp/err1" &
scope1=$!
"$RTMPSCOPE" --listen "127.0.0.1:$P2" -c "$tmp/p2.conf" --report=json \
    --http "127.0.0.1:$H2" >"$tmp/report2.json" 2>"$tmp/err2" &
scope2=$!
pids="$pids $scope1 $scope2"
wait_port "$P1" && wait_port "$P2" && wait_port "$BH" && wait_port "$BG" &&
    wait_port "$H2" || tap_skip_all "the proxies did not start: $(cat "$tmp/err1" "$tmp/err2")"

tap_plan 23

# The player, through the first proxy, for the whole of the abuse.
ffmpeg -nostdin -loglevel error -i "rtmp://127.0.0.1:$P1/live/x" -t 8 \
    -c copy -f flv "$tmp/play.flv" 2>"$tmp/play.err" &
player=$!
pids="$pids $player"
sleep 1

# The abusers, all at once, each in a thread; results as lines of JSON.
timeout 40 python3 - "$P1" "$P2" "$H2" >"$tmp/abuse.json" 2>"$tmp/abuse.err" <<'PY'
import json, os, socket, struct, sys, threading, time, urllib.request
P1, P2, H2 = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
out = {}
lock = threading.Lock()

def result(name, **kw):
    with lock:
        out[name] = kw

def wait_close(s, limit, drain=True):
    """Seconds until recv gives 0 or a reset, None if not within limit."""
    t0 = time.time()
    s.settimeout(0.1)
    got = 0
    while time.time() - t0 < limit:
        try:
            b = s.recv(65536)
        except socket.timeout:
            continue
        except OSError as e:   # ECONNRESET
            return time.time() - t0, "reset", got
        if not b:
            return time.time() - t0, "eof", got
        got += len(b)
    return None, "open", got

def connect(port):
    return socket.create_connection(("127.0.0.1", port), timeout=5)

C0C1 = b"\x03" + b"\0" * 8 + os.urandom(1528)

def slowloris():
    s = connect(P1)
    t0 = time.time()
    s.setblocking(False)
    sent, closed = 0, None
    for i in range(15):            # bounded: 15 bytes, 15 s at most
        try:
            s.send(C0C1[i:i + 1])
            sent += 1
        except OSError:
            closed = time.time() - t0, "reset"
            break
        end = time.time() + 1
        while time.time() < end:
            try:
                b = s.recv(65536)
            except BlockingIOError:
                time.sleep(0.05)
                continue
            except OSError:
                closed = time.time() - t0, "reset"
                break
            if not b:
                closed = time.time() - t0, "eof"
                break
        if closed:
            break
    result("slowloris", after=closed and closed[0], how=closed and closed[1],
           sent=sent, port=s.getsockname()[1])

def amf_str(v):
    return b"\x02" + struct.pack("!H", len(v)) + v.encode()

def amf_num(v):
    return b"\x00" + struct.pack("!d", v)

def msg(csid, mtype, body, msid=0):
    return (bytes([csid]) + b"\0\0\0" + struct.pack("!I", len(body))[1:] +
            bytes([mtype]) + struct.pack("<I", msid) + body)

def tcp_state(lport, rport):
    """The state (hex, as in /proc/net/tcp) of 127.0.0.1:lport's socket
    connected to 127.0.0.1:rport; None when there is none."""
    want = ("0100007F:%04X" % lport, "0100007F:%04X" % rport)
    for line in open("/proc/net/tcp").readlines()[1:]:
        f = line.split()
        if (f[1], f[2]) == want:
            return f[3]
    return None

def never_reads():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(5)
    s.connect(("127.0.0.1", P1))
    s.sendall(C0C1)
    got = b""
    while len(got) < 3073:
        b = s.recv(3073 - len(got))
        if not b:
            result("never_reads", error="closed in the handshake")
            return
        got += b
    s.sendall(got[1:1537])
    body = (amf_str("connect") + amf_num(1) + b"\x03" +
            struct.pack("!H", 3) + b"app" + amf_str("live") +
            struct.pack("!H", 5) + b"tcUrl" +
            amf_str("rtmp://127.0.0.1:%d/live" % P1) + b"\0\0\x09")
    s.sendall(msg(3, 20, body))
    s.sendall(msg(3, 20, amf_str("createStream") + amf_num(2) + b"\x05"))
    s.sendall(msg(8, 20, amf_str("play") + amf_num(0) + b"\x05" +
                  amf_str("abuse"), 1))
    # Reads nothing; watches, in /proc/net/tcp, the proxy's end of the
    # connection leave ESTABLISHED (a close cannot reach a client whose
    # window is shut).
    t0 = time.time()
    me = s.getsockname()[1]
    closed = None
    while closed is None and time.time() - t0 < 40:
        time.sleep(0.1)
        if tcp_state(P1, me) != "01":
            closed = time.time() - t0
    after, how, got = wait_close(s, 3)
    result("never_reads", closed=closed, how=how, drained=got, port=me,
           played_at=t0)

def garbage_client():
    s = connect(P1)
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + os.urandom(2000))
    after, how, got = wait_close(s, 8)
    result("garbage_client", after=after, how=how, got=got,
           port=s.getsockname()[1])

def flood():
    time.sleep(1)                  # the others are in by then
    socks = []
    for _ in range(200):
        try:
            socks.append(connect(P1))
        except OSError as e:
            result("flood", error=str(e))
            return
    t0 = time.time()
    closed = {}
    for s in socks:
        s.setblocking(False)
    while time.time() - t0 < 6 and len(closed) < len(socks):
        for i, s in enumerate(socks):
            if i in closed:
                continue
            try:
                b = s.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                closed[i] = time.time() - t0
                continue
            if not b:
                closed[i] = time.time() - t0
        time.sleep(0.05)
    fast = sum(1 for v in closed.values() if v < 1.0)
    result("flood", attempts=len(socks), closed=len(closed), fast=fast,
           slowest=max(closed.values()) if closed else None)
    for s in socks:
        s.close()

def bad_backend(name, delay):
    time.sleep(delay)          # least-sessions: the second goes elsewhere
    s = connect(P2)
    s.sendall(C0C1)
    after, how, got = wait_close(s, 8)
    result(name, after=after, how=how, got=got, port=s.getsockname()[1])

def backends_api():
    time.sleep(6)                  # after the hang client's timeout
    try:
        body = urllib.request.urlopen(
            "http://127.0.0.1:%d/api/backends" % H2, timeout=5).read()
        result("api_backends", body=json.loads(body))
    except Exception as e:
        result("api_backends", error=str(e))

threads = [threading.Thread(target=f, args=a) for f, a in (
    (slowloris, ()), (never_reads, ()), (garbage_client, ()), (flood, ()),
    (bad_backend, ("p2_first", 0)),
    (bad_backend, ("p2_second", 0.5)),
    (backends_api, ()))]
for t in threads:
    t.start()
for t in threads:
    t.join(30)
json.dump(out, sys.stdout)
PY

# The player: bounded wait for its end.
n=0
while kill -0 "$player" 2>/dev/null && [ $n -lt 150 ]; do
	sleep 0.1
	n=$((n + 1))
done
stop "$player" KILL 1

alive1=no alive2=no
kill -0 "$scope1" 2>/dev/null && alive1=yes
kill -0 "$scope2" 2>/dev/null && alive2=yes
stop "$scope1" TERM 50
stop "$scope2" TERM 50

_diag=
# check DESC PYTHON-EXPRESSION: over `a` (the abusers' results), `r1`, `r2`
# (the reports' sessions), `e1`, `e2` (the proxies' stderr) and `by_port`.
check() {
	_out=$(python3 - "$tmp" "$2" <<'PY'
import json, sys
tmp, expr = sys.argv[1], sys.argv[2]
def load(path, default):
    try:
        return json.load(open(path))
    except Exception:
        return default
a = load(tmp + "/abuse.json", {})
r1 = load(tmp + "/report1.json", {}).get("sessions", [])
r2 = load(tmp + "/report2.json", {}).get("sessions", [])
e1 = open(tmp + "/err1").read()
e2 = open(tmp + "/err2").read()
def session(r, name):
    port = str(a.get(name, {}).get("port"))
    for s in r:
        if s.get("client", "").endswith(":" + port):
            return s
    return {}
# The second proxy's clients: which went where (least-sessions, and the
# probe of wait_port holds the first backend for a while).
p2 = [n for n in ("p2_first", "p2_second") if n in a]
hang = [n for n in p2 if session(r2, n).get("backend") == "hang"]
hang = a[hang[0]] if hang else {}
garb = [n for n in p2 if a[n].get("got") == 3073]
garb = a[garb[0]] if garb else {}
def kinds(s, dir=None):
    return [p["kind"] for p in s.get("problems", [])
            if dir is None or p.get("dir") == dir]
import re
def logged(e, name, what):
    # A line of the proxy's log for this abuser's client: its reason.
    port = str(a.get(name, {}).get("port"))
    return [l for l in e.splitlines() if ":" + port + ": " + what in l]
def counter(e, what):
    m = re.search(r"(\d+) " + what, e)
    return int(m.group(1)) if m else -1
try:
    ok = eval("(" + expr + ")")
    why = "false"
except Exception as e:
    ok, why = False, "%s: %s" % (type(e).__name__, e)
print("ok" if ok else "no (%s)" % why)
PY
)
	if [ "$_out" = ok ]; then
		tap_ok "$1"
	else
		tap_not_ok "$1"
		tap_diag "$_out"
		_diag=yes
	fi
}

dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 \
    "$tmp/play.flv" 2>/dev/null)
if python3 -c "import sys; sys.exit(not 7.2 <= float('${dur:-0}') <= 8.8)"
then
	tap_ok "the player through the proxy got its 8 s during the abuse ($dur s)"
else
	tap_not_ok "the player through the proxy got its 8 s during the abuse"
	tap_diag "duration '$dur'; $(cat "$tmp/play.err")"
fi
if [ $alive1 = yes ] && [ $alive2 = yes ]; then
	tap_ok "both proxies stayed alive"
else
	tap_not_ok "both proxies stayed alive"
	tap_diag "$(cat "$tmp/err1" "$tmp/err2")"
fi

check "slowloris: closed by the handshake timeout (2 s)" \
    'a["slowloris"]["how"] in ("eof", "reset") and
    1.8 <= a["slowloris"]["after"] <= 3.0'
check "slowloris: the report has it closed, handshake_failed" \
    'session(r1, "slowloris").get("how") == "closed" and
    "handshake_failed" in kinds(session(r1, "slowloris"), "c2s")'
check "a client that never reads: closed once stalled for the idle timeout" \
    'a["never_reads"]["closed"] is not None and
    a["never_reads"]["how"] in ("eof", "reset")'
check "and what it held was queue_bytes plus the kernel's buffers at most" \
    'a["never_reads"]["drained"] <= 262144 + 65536 +
    int(open("/proc/sys/net/ipv4/tcp_wmem").read().split()[2])'
check "the report has it closed (abrupt_close)" \
    'session(r1, "never_reads").get("how") in ("closed", "reset") and
    "abrupt_close" in kinds(session(r1, "never_reads"))'
check "the proxy logs why: the idle timeout" \
    'logged(e1, "never_reads", "idle-timeout")'
check "slowloris: the proxy logs why: the handshake timeout" \
    'logged(e1, "slowloris", "handshake-timeout")'
check "garbage instead of a handshake: closed within the idle timeout" \
    'a["garbage_client"]["how"] in ("eof", "reset") and
    a["garbage_client"]["after"] <= 4.0'
check "and the proxy counts it not RTMP (no session in the report)" \
    'counter(e1, "not RTMP") >= 1'
check "and logs why: not RTMP, the client's first bytes" \
    'logged(e1, "garbage_client", "not-rtmp") and
    "client" in logged(e1, "garbage_client", "not-rtmp")[0]'
check "a flood of 200: every connection closed within 3 s" \
    'a["flood"]["attempts"] == 200 and a["flood"]["closed"] == 200 and
    a["flood"]["slowest"] <= 3.0'
check "those over max_connections at once" \
    'a["flood"]["fast"] >= 150'
check "and the proxy counts them refused" \
    'counter(e1, "refused") >= 150'
check "and logs each refusal with its reason" \
    'len([l for l in e1.splitlines() if ": refused: " in l and
    "max_connections" in l]) >= 150'
check "a backend that never answers: the client closed at the handshake timeout" \
    'hang["how"] in ("eof", "reset") and 1.8 <= hang["after"] <= 3.0'
check "and the report has it handshake_failed; the status API says why" \
    '[s for s in r2 if s.get("backend") == "hang" and
    "handshake_failed" in kinds(s, "c2s")] and
    [b for b in a["api_backends"]["body"]["backends"]
    if b["name"] == "hang" and "no answer" in (b.get("last_error") or "")]'
check "a backend that answers garbage: the client closed by the idle timeout" \
    'garb["how"] in ("eof", "reset") and 2.5 <= garb["after"] <= 4.0'
check "and the proxy counts it not RTMP (no session in the report)" \
    'counter(e2, "not RTMP") >= 1'
check "and logs why: the backend's answer is no RTMP handshake" \
    '[l for l in e2.splitlines() if "not-rtmp" in l and "backend" in l]'
check "the hung backend: the proxy logs that it did not answer C0C1" \
    '[l for l in e2.splitlines() if "handshake-timeout via hang" in l and
    "did not answer" in l]'
check "the first proxy's final line counts what it did" \
    'counter(e1, "clients accepted") >= 50'
# The figures, for the record.
python3 - "$tmp/abuse.json" <<'PY' | while read -r line; do tap_diag "$line"; done
import json, sys
try:
    a = json.load(open(sys.argv[1]))
except Exception:
    sys.exit(0)
for k, v in sorted(a.items()):
    if k != "api_backends":
        print("%s: %s" % (k, ", ".join("%s=%s" % (x, round(y, 2) if
            isinstance(y, float) else y) for x, y in sorted(v.items())
            if x not in ("port", "played_at"))))
PY
if [ -n "$_diag" ]; then
	tap_diag "abusers: $(cat "$tmp/abuse.json" "$tmp/abuse.err")"
	tap_diag "proxy 1: $(cat "$tmp/err1")"
	tap_diag "proxy 2: $(cat "$tmp/err2")"
fi
tap_done
