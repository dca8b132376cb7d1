#!/bin/sh
# status.sh — the status endpoints in live mode, with real peers on
# loopback: nginx-rtmp, an ffmpeg publisher, and a client that quits in
# the middle of its handshake.  rtmpscope -i lo --http H --log-port L is
# asked, while the publisher runs and after, for /api/sessions,
# /api/sessions/ID, /api/backends, /api/events and /metrics (checked by a
# Prometheus text-format parser of our own, and by promtool when there is
# one); a reader of the log port must get the session's start, stream and
# end and the handshake problem as JSON lines; bad requests get 400, 404,
# 405, 431 and 505.  Bad flag values exit 2 with one line, without root.
#
# Every wait is bounded.  Needs root (live capture), nginx with the rtmp
# module, ffmpeg and python3; skips otherwise.

. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/peers.sh"

PLAN=28
tap_plan $PLAN
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rtmpscope-status.XXXXXX")
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	[ -f "$tmp/nginx/nginx.pid" ] &&
	    kill "$(cat "$tmp/nginx/nginx.pid" 2>/dev/null)" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# bad_value FLAG VALUE — exits 2 with one line naming the flag.
bad_value() {
	"$RTMPSCOPE" -i lo --duration 1 "$1" "$2" >"$tmp/out" 2>"$tmp/err"
	st=$?
	if [ $st -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
	    grep -q -- "$1" "$tmp/err" && [ ! -s "$tmp/out" ]; then
		tap_ok "$1 $2: exit 2, one line naming the flag"
	else
		tap_not_ok "$1 $2: exit $st"
		tap_diag "$(cat "$tmp/err")"
	fi
}
bad_value --http nonsense
bad_value --log-port 127.0.0.1:70000
bad_value --http '[127.0.0.1]:8080'

skip_rest() {
	while [ "$tap_n" -lt $PLAN ]; do tap_skip "status endpoints" "$1"; done
	exit 0
}
[ "$(id -u)" -eq 0 ] || skip_rest "live capture needs root"
command -v nginx >/dev/null && [ -f "$MODULE" ] ||
    skip_rest "no nginx with the rtmp module"
command -v ffmpeg >/dev/null || skip_rest "no ffmpeg"
command -v python3 >/dev/null || skip_rest "no python3"

set -- $(free_ports 3)
port=$1 http=$2 log=$3
start_nginx nginx "$port"

# Only this test's RTMP port: other tests may run on lo at the same time.
"$RTMPSCOPE" -i lo -p "$port" -f "tcp port $port" --duration 90 \
    --report=json --http "127.0.0.1:$http" --log-port "127.0.0.1:$log" \
    >"$tmp/report.json" 2>"$tmp/err" &
scope=$!
pids="$pids $scope"

# The whole exchange, in Python: TAP results on stdout as "ok|not ok\tname".
python3 - "$http" "$log" "$port" "$tmp" "$RTMPSCOPE" >"$tmp/results" <<'PY'
import json, math, os, re, shutil, socket, subprocess, sys, threading, time
import urllib.request, urllib.error

http, logp, port, tmp, rtmpscope = int(sys.argv[1]), int(sys.argv[2]), \
    int(sys.argv[3]), sys.argv[4], sys.argv[5]
base = "http://127.0.0.1:%d" % http

def result(ok, name, why=None):
    print("%s\t%s" % ("ok" if ok else "not ok", name))
    if not ok and why is not None:
        for line in str(why).splitlines()[:20]:
            print("#\t" + line)
    sys.stdout.flush()

def get(path, method="GET"):
    req = urllib.request.Request(base + path, method=method)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()

def raw(data, timeout=5):
    """Sends bytes, returns the status code of the answer (or None)."""
    s = socket.create_connection(("127.0.0.1", http), timeout=timeout)
    s.sendall(data)
    got = b""
    try:
        while True:
            b = s.recv(4096)
            if not b:
                break
            got += b
    except socket.timeout:
        pass
    s.close()
    m = re.match(rb"HTTP/1\.1 (\d{3}) ", got)
    return int(m.group(1)) if m else None

# --- A Prometheus text-format (0.0.4) parser: the grammar and the rules.
NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
def parse_metrics(text):
    """Returns ({(name, labels): value}, {family: type}, errors)."""
    errors, series, types, helps = [], {}, {}, {}
    done, current = set(), None
    if not text.endswith("\n"):
        errors.append("does not end with a newline")
    for n, line in enumerate(text.split("\n")[:-1], 1):
        if line == "":
            continue
        if line.startswith("#"):
            m = re.match(r"# (HELP|TYPE) (%s) ?(.*)$" % NAME, line)
            if not m:
                continue                # a plain comment
            kind, fam, rest = m.groups()
            table = helps if kind == "HELP" else types
            if fam in table:
                errors.append("%d: second %s for %s" % (n, kind, fam))
            if kind == "TYPE":
                if rest not in ("counter", "gauge", "histogram", "summary",
                                "untyped"):
                    errors.append("%d: bad type %r" % (n, rest))
                if fam in done or fam == current:
                    errors.append("%d: TYPE after samples of %s" % (n, fam))
            elif re.search(r"\\[^\\n]", rest):
                errors.append("%d: bad escape in HELP" % n)
            table[fam] = rest
            continue
        m = re.match(r"(%s)(\{.*\})?[ \t]+(\S+)([ \t]+-?\d+)?$" % NAME, line)
        if not m:
            errors.append("%d: not a sample: %r" % (n, line))
            continue
        name, lab, value, _ = m.groups()
        labels = {}
        if lab:
            body, pos = lab[1:-1], 0
            while pos < len(body):
                lm = re.match(r'(%s)="((?:[^"\\\n]|\\[\\"n])*)"(,?)' % LABEL,
                              body[pos:])
                if not lm:
                    errors.append("%d: bad labels %r" % (n, lab))
                    break
                if lm.group(1) in labels:
                    errors.append("%d: label %s twice" % (n, lm.group(1)))
                labels[lm.group(1)] = lm.group(2)
                pos += lm.end()
                if not lm.group(3) and pos < len(body):
                    errors.append("%d: bad labels %r" % (n, lab))
                    break
        try:
            v = float(value.replace("Inf", "inf"))
        except ValueError:
            errors.append("%d: bad value %r" % (n, value))
            continue
        fam = name
        for suffix in ("_bucket", "_sum", "_count"):
            base_name = name[:-len(suffix)]
            if name.endswith(suffix) and \
                    types.get(base_name) in ("histogram", "summary"):
                fam = base_name
        if fam != current:
            if fam in done:
                errors.append("%d: samples of %s not together" % (n, fam))
            if current is not None:
                done.add(current)
            current = fam
        if fam not in types or fam not in helps:
            errors.append("%d: %s without HELP and TYPE before it" % (n, fam))
        if types.get(fam) == "counter" and (v < 0 or math.isnan(v)):
            errors.append("%d: counter %s is %r" % (n, name, value))
        key = (name, tuple(sorted(labels.items())))
        if key in series:
            errors.append("%d: series %s%s twice" % (n, name, lab or ""))
        series[key] = v
    for fam in set(types) | set(helps):
        if not any(k[0] == fam or k[0].startswith(fam + "_") for k in series):
            pass                        # an empty family is allowed
    return series, types, errors

def metric(series, name, **labels):
    return series.get((name, tuple(sorted(labels.items()))))

# --- Wait for the endpoints.
deadline = time.time() + 30
while time.time() < deadline:
    try:
        socket.create_connection(("127.0.0.1", http), timeout=1).close()
        break
    except OSError:
        time.sleep(0.1)

# --- A reader of the log port, for the whole run.
lines, reader_ok = [], threading.Event()
def read_log():
    try:
        s = socket.create_connection(("127.0.0.1", logp), timeout=20)
        buf = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            buf += b
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                lines.append(line)
                if line.startswith(b'{"event":"hello"'):
                    reader_ok.set()
    except OSError:
        pass
    reader_ok.set()
threading.Thread(target=read_log, daemon=True).start()
reader_ok.wait(5)

# --- A publisher for 6 seconds.
ff = subprocess.Popen(["ffmpeg", "-nostdin", "-loglevel", "error", "-re",
    "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=15",
    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
    "-c:v", "libx264", "-preset", "ultrafast", "-g", "15", "-b:v", "150k",
    "-c:a", "aac", "-b:a", "32k", "-ac", "1", "-t", "6",
    "-f", "flv", "rtmp://127.0.0.1:%d/live/statustest" % port],
    stderr=open(os.path.join(tmp, "ffmpeg.err"), "w"))
time.sleep(3.5)

# --- While it publishes.
code, hdr, body = get("/api/sessions")
try:
    doc = json.loads(body)
    pub = [s for s in doc["sessions"] if s.get("role") == "publish"]
except Exception as e:
    doc, pub = None, []
result(code == 200 and hdr.get("Content-Type") == "application/json" and
       len(pub) == 1 and pub[0].get("app") == "live" and
       pub[0].get("stream") == "statustest",
       "/api/sessions lists the publish session with app, stream and role",
       (code, body[:2000]))
sid = pub[0]["id"] if pub else 0
need = ["client", "server", "start", "end", "app", "tc_url", "flash_ver",
        "stream", "role", "bytes_c2s", "bytes_s2c", "messages",
        "video_frames", "keyframes", "audio_frames", "video_codec",
        "audio_codec", "width", "height", "fps", "kbps", "gop_ms", "health",
        "problems"]
missing = [k for k in need if pub and k not in pub[0]]
result(pub and not missing, "with the report's fields", missing)

code, hdr, body = get("/api/sessions/%d" % sid)
try:
    one = json.loads(body)
except Exception:
    one = {}
result(code == 200 and one.get("id") == sid and
       one.get("stream") == "statustest" and one.get("width") == 320,
       "/api/sessions/ID is that session", (code, body[:500]))
codes = [get(p)[0] for p in ("/api/sessions/999999", "/api/sessions/abc",
                             "/api/sessions/", "/nothing")]
result(codes == [404] * 4, "unknown session ids and paths: 404", codes)

code, hdr, text1 = get("/metrics")
text1 = text1.decode("utf-8", "replace")
series1, types1, errors = parse_metrics(text1)
result(code == 200 and
       hdr.get("Content-Type", "").startswith("text/plain; version=0.0.4") and
       not errors, "/metrics parses as Prometheus text format 0.0.4",
       "\n".join(errors) or hdr.get("Content-Type"))
want = {"rtmpscope_sessions": "gauge", "rtmpscope_sessions_total": "counter",
        "rtmpscope_bytes_total": "counter",
        "rtmpscope_messages_total": "counter",
        "rtmpscope_problems_total": "counter",
        "rtmpscope_capture_packets_total": "counter",
        "rtmpscope_capture_drops_total": "counter"}
wrong = {k: types1.get(k) for k in want if types1.get(k) != want[k]}
result(not wrong, "every metric family with its type", wrong)
up = metric(series1, "rtmpscope_sessions", role="publish", health="ok")
result(up == 1 and metric(series1, "rtmpscope_sessions_total") >= 1 and
       (metric(series1, "rtmpscope_messages_total") or 0) > 100 and
       (metric(series1, "rtmpscope_bytes_total", dir="c2s") or 0) > 10000 and
       (metric(series1, "rtmpscope_capture_packets_total") or 0) > 0,
       "one healthy publish session open, messages, bytes and packets counted",
       text1)
promtool = shutil.which("promtool")
if promtool:
    p = subprocess.run([promtool, "check", "metrics"], input=text1.encode(),
                       capture_output=True)
    result(p.returncode == 0, "promtool check metrics",
           (p.stdout + p.stderr).decode())
else:
    print("ok\tpromtool check metrics # SKIP no promtool")

# --- A client that leaves in the middle of its handshake.
c = socket.create_connection(("127.0.0.1", port), timeout=5)
c.sendall(b"\x03" + bytes(1536))
got = b""
while len(got) < 3073:
    b = c.recv(8192)
    if not b:
        break
    got += b
c.close()

ff.wait(timeout=20)

# --- A reader that never reads, while 600 clients leave mid-handshake
# (three events each): it must be dropped, and the others served on.
slow = socket.socket()
slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
slow.connect(("127.0.0.1", logp))
for i in range(600):
    c = socket.create_connection(("127.0.0.1", port), timeout=5)
    c.sendall(b"\x03" + bytes(1536))
    got = b""
    while len(got) < 3073:
        b = c.recv(8192)
        if not b:
            break
        got += b
    c.close()
# Dropped: what the kernel held, then the end (or a reset).
time.sleep(2)
dropped, deadline = False, time.time() + 10
slow.settimeout(1)
while not dropped and time.time() < deadline:
    try:
        dropped = slow.recv(1 << 20) == b""
    except socket.timeout:
        pass
    except OSError:
        dropped = True
slow.close()

# --- After.
code, hdr, body = get("/api/events")
try:
    events = json.loads(body)["events"]
except Exception:
    events = None
result(code == 200 and isinstance(events, list), "/api/events is JSON",
       body[:500])
hs = [e for e in events or [] if e.get("kind") == "handshake_failed"]
keys = {"event", "at", "session", "client", "server", "kind",
        "duration_ms", "detail", "dir"}
ats = [e["at"] for e in events or []]
result(hs and keys <= set(hs[0]) and ats == sorted(ats, reverse=True),
       "with the handshake problem, its session and client, newest first",
       events)
code, hdr, body = get("/api/backends")
result(code == 200 and json.loads(body).get("backends") == [],
       "/api/backends: none in live mode", body)

code, hdr, text2 = get("/metrics")
series2, _, errors = parse_metrics(text2.decode())
grew = [k for k in series1 if k[0].endswith("_total") and
        series2.get(k, -1) < series1[k]]
result(not errors and not grew and
       metric(series2, "rtmpscope_sessions_total") >= 2 and
       metric(series2, "rtmpscope_problems_total",
              kind="handshake_failed") >= 1 and
       metric(series2, "rtmpscope_sessions", role="publish",
              health="ok") == 0,
       "later: counters never went down, the problem counted, "
       "the publish session closed", errors or grew or text2.decode())
code, hdr, body = get("/metrics", "HEAD")
result(code == 200 and body == b"" and int(hdr["Content-Length"]) > 0,
       "HEAD /metrics: the head only, with its length")

# --- Bad requests.
result(raw(b"POST /metrics HTTP/1.1\r\nHost: x\r\n\r\n") == 405,
       "POST: 405")
result(raw(b"this is not http\r\n\r\n") == 400 and
       raw(b"GET /metrics HTTP/1.1\r\nno colon here\r\n\r\n") == 400,
       "junk: 400")
result(raw(b"GET /metrics HTTP/2.0\r\n\r\n") == 505, "HTTP/2.0: 505")
result(raw(b"GET /metrics HTTP/1.1\r\nX: " + b"a" * 9000) == 431,
       "a head over 8 KiB: 431")
t = time.time()
code = raw(b"GET /metrics HTTP/1.1\r\n", timeout=10)
result(code == 408 and 4 <= time.time() - t <= 8,
       "a head not finished in 5 s: 408", (code, time.time() - t))

# --- What the log reader got.
time.sleep(0.5)
try:
    evs = [json.loads(l) for l in lines]
    bad = None
except Exception as e:
    evs, bad = [], e
kinds = [e.get("event") for e in evs]
result(bad is None and kinds and kinds[0] == "hello",
       "the log port sends JSON lines, a hello first", bad or lines[:5])
start = [e for e in evs if e.get("event") == "session_start"]
stream = [e for e in evs if e.get("event") == "session_stream" and
          e.get("stream") == "statustest" and e.get("role") == "publish"]
end = [e for e in evs if e.get("event") == "session_end" and
       stream and e.get("session") == stream[0]["session"]]
result(len(start) >= 2 and stream and end and
       end[0].get("health") == "ok" and
       end[0].get("how") in ("closed", "reset"),
       "session start, stream (publish live/statustest) and end", evs)
prob = [e for e in evs if e.get("event") == "problem" and
        e.get("kind") == "handshake_failed"]
result(prob and {"t", "session", "client", "server", "detail"} <= set(prob[0]),
       "the handshake problem, as it happened", evs)
# Every one the model has (the capture may lose a few on a busy machine).
result(dropped and len(prob) == len(hs) and len(hs) >= 300,
       "a reader that does not read is dropped; the others get every event",
       (dropped, len(prob), len(hs)))
PY
while IFS="$(printf '\t')" read -r st name; do
	case "$st" in
	ok) tap_ok "$name" ;;
	"not ok") tap_not_ok "$name" ;;
	"#") tap_diag "$name" ;;
	esac
done <"$tmp/results"

# Another instance on the same port: exit 1 with one line.
"$RTMPSCOPE" -i lo -p "$port" --duration 1 --http "127.0.0.1:$http" \
    >/dev/null 2>"$tmp/err2"
st=$?
if [ $st -eq 1 ] && [ "$(wc -l <"$tmp/err2")" -eq 1 ] &&
    grep -q -- "--http" "$tmp/err2"; then
	tap_ok "an HTTP port in use: exit 1, one line"
else
	tap_not_ok "an HTTP port in use: exit $st"
	tap_diag "$(cat "$tmp/err2")"
fi

drop="^rtmpscope: --log-port: dropped reader 127.0.0.1:[0-9]*: it fell 64 KiB"
if grep -q "$drop behind\$" "$tmp/err"; then
	tap_ok "the slow reader's drop is told on stderr"
else
	tap_not_ok "the slow reader's drop is told on stderr"
	tap_diag "$(cat "$tmp/err")"
fi
kill -TERM "$scope"
wait "$scope"
st=$?
if [ $st -eq 0 ] && grep -q '"stream": *"statustest"' "$tmp/report.json"; then
	tap_ok "SIGTERM: exit 0, and the report has the session"
else
	tap_not_ok "SIGTERM: exit $st"
	tap_diag "$(cat "$tmp/err")"
fi
while [ "$tap_n" -lt $PLAN ]; do tap_not_ok "a check did not run"; done
tap_done
