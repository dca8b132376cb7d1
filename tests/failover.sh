#!/bin/sh
# failover.sh — issue 7: the proxy carries unhealthy sessions to a healthy
# backend.  Real peers on loopback: nginx-rtmp backends (killed with
# kill -9, or stopped with SIGSTOP), the simulated origin with its faults,
# ffmpeg publishing (one stream to two backends with -f tee) and playing,
# and tests/rtmp-client.py, a player of our own that measures the gap in
# media it sees and follows a 302 or a ReconnectRequest.
#
#   (flags) a bad --redirect, a bad redirect_on: exit 2, one line
#   (0) the client itself: plays from the simulated origin, follows a 302
#       from a fake server of its own
#   (a) failover, backend killed under an ffmpeg player and our player
#   (b) failover of a publisher; a player straight on the survivor
#   (c) failover, backend stalled (SIGSTOP)
#   (d) failover on StreamNotFound (simulated origin) to a real nginx
#   (e) rtmp302: the exact _error, followed by our client; rtmpscope's own
#       dissector reads it from a capture
#   (f) reconnect-request: the exact onStatus to a client with capsEx 1;
#       a client without capsEx is failed over
#   (g) 50 players moved at once
#   (h) drop; and redirect_on without backend-close: no move
#   (i) by hand: POST /api/sessions/ID/redirect; 404; the flapping guard
#
# The media gap each player saw and the time from the fault to the first
# media byte after it are printed as TAP comments.  Every process is
# started here and stopped by its pid; every wait is bounded; the whole
# takes about two minutes.  FAILOVER_KEEP=1 keeps the work directory;
# FAILOVER_ONLY="a d" runs only those sections.
# TAP; the plan comes last.

. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/peers.sh"

CLIENT=$SRCDIR/tests/rtmp-client.py
command -v python3 >/dev/null 2>&1 || tap_skip_all "python3 not installed"
command -v nginx >/dev/null 2>&1 && [ -f "$MODULE" ] ||
    tap_skip_all "no nginx with the rtmp module"
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 ||
    tap_skip_all "no ffmpeg"
ffmpeg -hide_banner -encoders 2>/dev/null | grep -q libx264 ||
    tap_skip_all "ffmpeg has no libx264"
[ -x "$RTMPSCOPE" ] || tap_skip_all "no rtmpscope binary at $RTMPSCOPE"
[ -f "$CLIENT" ] || tap_skip_all "no $CLIENT"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rtmpscope-failover.XXXXXX")
pids=""
stopped=""
cleanup() {
	for p in $stopped; do kill -CONT "$p" 2>/dev/null; done
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	if [ -n "${FAILOVER_KEEP:-}" ]; then
		echo "# kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Free ports, all different; take_port VAR takes the next.
free_ports 48 >"$tmp/ports"
port_i=0
take_port() {
	port_i=$((port_i + 1))
	eval "$1=$(sed -n "${port_i}p" "$tmp/ports")"
}

now() {
	date +%s.%N
}

# finish PID TENTHS: wait for PID to end, at most TENTHS/10 s, then kill
# it; $rc is its exit status, or "killed".
finish() {
	if wait_exit "$1" "$2"; then
		wait "$1"
		rc=$?
	else
		kill -9 "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		rc=killed
	fi
}

# backends TAG PORT...: an nginx on each port (start_nginx, one process,
# so SIGSTOP stops all of it), waited for; ngx_PORT names each for
# kill_backend.
backends() {
	_tag=$1
	shift
	for _p in "$@"; do
		start_nginx "$_tag-$_p" "$_p"
		eval "ngx_$_p=$ngpid"
	done
	for _p in "$@"; do
		wait_port "$_p" || tap_diag "nginx on $_p did not start: $(cat "$tmp/$_tag-$_p/stderr")"
	done
}

# start_origin NAME PORT [FAULTS]: the simulated origin; $! in $orpid.
start_origin() {
	if [ -n "${3:-}" ]; then
		"$RTMPSCOPE" --simulate-origin "127.0.0.1:$2" --duration 120 \
		    --fault "$3" >"$tmp/$1.out" 2>"$tmp/$1.err" &
	else
		"$RTMPSCOPE" --simulate-origin "127.0.0.1:$2" --duration 120 \
		    >"$tmp/$1.out" 2>"$tmp/$1.err" &
	fi
	orpid=$!
	pids="$pids $orpid"
	eval "ngx_$2=$orpid"
	wait_port "$2" || tap_diag "the origin on $2 did not start: $(cat "$tmp/$1.err")"
}

ENC="-c:v libx264 -preset ultrafast -tune zerolatency -g 25 -b:v 200k
    -c:a aac -b:a 48k -ar 44100"
# publish_tee STREAM SECONDS PORT...: one ffmpeg publishing one stream
# to nginx on every port (a 1 s GOP); a slave that fails is dropped, the
# others go on.  $pubpid is its pid.
publish_tee() {
	_stream=$1 _secs=$2
	shift 2
	_outs=
	for _p in "$@"; do
		_outs="$_outs${_outs:+|}[f=flv:onfail=ignore]rtmp://127.0.0.1:$_p/live/$_stream"
	done
	# shellcheck disable=SC2086
	ffmpeg -nostdin -loglevel error -re \
	    -f lavfi -i testsrc=size=320x240:rate=25 \
	    -f lavfi -i sine=frequency=440:sample_rate=44100 \
	    -map 0:v -map 1:a $ENC -flags +global_header -t "$_secs" \
	    -f tee "$_outs" 2>>"$tmp/publish-$_stream.err" &
	pubpid=$!
	pids="$pids $pubpid"
}

# publish URL SECONDS LOG: one ffmpeg publishing to URL; $pubpid.
publish() {
	# shellcheck disable=SC2086
	ffmpeg -nostdin -loglevel error -re \
	    -f lavfi -i testsrc=size=320x240:rate=25 \
	    -f lavfi -i sine=frequency=440:sample_rate=44100 \
	    $ENC -t "$2" -f flv "$1" 2>>"$3" &
	pubpid=$!
	pids="$pids $pubpid"
}

# wait_stream PORT STREAM: until our client gets media of STREAM straight
# from PORT (at most 8 tries of 0.7 s).
wait_stream() {
	_i=0
	while [ $_i -lt 8 ]; do
		python3 "$CLIENT" "rtmp://127.0.0.1:$1/live/$2" --seconds 0.7 \
		    --timeout 2 >/dev/null 2>&1 && return 0
		_i=$((_i + 1))
	done
	tap_diag "stream $2 never showed on $1"
	return 1
}

# scope NAME LISTEN HTTP ARGS...: the proxy, with its status endpoint and
# the JSON report at exit; $scpid is its pid.
scope() {
	_name=$1 _lp=$2 _hp=$3
	shift 3
	"$RTMPSCOPE" --listen "127.0.0.1:$_lp" --http "127.0.0.1:$_hp" \
	    --report=json "$@" >"$tmp/$_name.report" 2>"$tmp/$_name.err" &
	scpid=$!
	pids="$pids $scpid"
	wait_port "$_lp" 30 && wait_port "$_hp" 10 ||
	    tap_diag "rtmpscope $_name did not listen: $(cat "$tmp/$_name.err")"
}

# play_client NAME URL ARGS...: our player in the background; its
# summary is NAME.json; $clpid.
play_client() {
	_name=$1 _url=$2
	shift 2
	python3 "$CLIENT" "$_url" "$@" >"$tmp/$_name.json" 2>"$tmp/$_name.err" &
	clpid=$!
	pids="$pids $clpid"
}

# play_ffmpeg NAME URL SECONDS: an ffmpeg player, -c copy to NAME.flv;
# $ffpid, and NAME.t0 its start.
play_ffmpeg() {
	now >"$tmp/$1.t0"
	ffmpeg -nostdin -loglevel error -i "$2" -t "$3" -c copy -f flv \
	    -y "$tmp/$1.flv" 2>"$tmp/$1.err" &
	ffpid=$!
	pids="$pids $ffpid"
}

cat >"$tmp/h.py" <<'PY'
"""Helpers: HTTP to the status endpoint, and the checks."""
import json, os, sys, urllib.error, urllib.request

def http(method, url):
    req = urllib.request.Request(url, method=method,
                                 data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(req, timeout=3) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")
    except Exception as e:
        return 0, "%s: %s" % (type(e).__name__, e)

def port_of(name):
    return str(name or "").rsplit(":", 1)[-1]

def load(v):
    if os.path.isfile(v):
        try:
            with open(v) as f:
                return json.load(f)
        except ValueError as e:
            with open(v, errors="replace") as f:
                return {"unreadable": str(e), "text": f.read()[-600:]}
    return v

def sessions(doc, stream=None, role=None):
    ss = doc.get("sessions", []) if isinstance(doc, dict) else []
    return [s for s in ss if isinstance(s, dict) and
            (stream is None or s.get("stream") == stream) and
            (role is None or s.get("role") == role)]

KEYS = {"at", "from", "to", "reason", "mode", "outcome", "media_gap_ms"}
REASONS = {"backend-close", "backend-reset", "backend-down", "stall",
           "ping-timeout", "stream-error", "connect-rejected", "manual"}
OUTCOMES = {"moved", "failed", "redirected", "dropped"}
MODES = {"failover", "rtmp302", "reconnect-request", "drop"}

def bad_records(doc):
    """Redirect records that do not follow the contract."""
    out = []
    for s in sessions(doc):
        for r in s.get("redirects") or []:
            if not isinstance(r, dict) or not KEYS <= set(r) or \
                    r.get("reason") not in REASONS or \
                    r.get("outcome") not in OUTCOMES or \
                    r.get("mode") not in MODES:
                out.append(r)
        if "redirects" not in s or "backend" not in s:
            out.append({"session without backend or redirects": s.get("id")})
    return out

def redirects(s, outcome=None):
    return [r for r in s.get("redirects") or []
            if outcome is None or r.get("outcome") == outcome]

def one(s, frm, to, mode="failover", outcome="moved", reasons=None):
    """Exactly one redirect: frm -> to, mode, outcome, a reason of reasons."""
    rs = s.get("redirects") or []
    if len(rs) != 1:
        return False
    r = rs[0]
    return (r.get("outcome") == outcome and r.get("mode") == mode and
            port_of(r.get("from")) == str(frm) and
            (to is None or port_of(r.get("to")) == str(to)) and
            (reasons is None or r.get("reason") in reasons))

def media_after(c, t):
    """Media messages the client got in whole seconds after wall time t."""
    m = c.get("media") or {}
    start = c.get("start_wall") or 0
    return sum(n for k, n in (m.get("per_second") or {}).items()
               if start + int(k) >= float(t))

def gap_over(c, t):
    """The client's longest wall gap in media that spans t: (ms, from, to)."""
    for g in (c.get("media") or {}).get("wall_gaps") or []:
        if g["from"] <= float(t) + 0.05 and g["to"] >= float(t):
            return g
    return None

def brief(v):
    if not isinstance(v, dict):
        return v
    if "sessions" in v and "count" not in v:
        return [{k: s.get(k) for k in ("id", "client", "backend", "role",
                 "stream", "how", "health", "redirects")}
                for s in sessions(v)]
    if "sessions" in v:
        bad = [s for s in v["sessions"] if s.get("result") != "played"]
        return {"results": v.get("results"),
                "not played": [brief(s) for s in bad[:3]]}
    if "result" in v:
        m = v.get("media") or {}
        return {"result": v.get("result"), "detail": v.get("detail"),
                "media": {k: m.get(k) for k in ("count", "first_wall",
                          "last_wall", "max_wall_gap_ms", "wall_gaps",
                          "ts_backwards", "ts_backwards_examples")},
                "errors": v.get("errors"),
                "statuses": [(s.get("info") or {}).get("code")
                             for s in v.get("statuses") or []],
                "reconnect_request": v.get("reconnect_request"),
                "connections": [{k: c.get(k) for k in ("url", "server",
                                 "connect", "end", "media", "end_at")}
                                for c in v.get("connections") or []],
                "closed_at": v.get("closed_at")}
    return v

def cmd_check(expr, pairs):
    env = {"sessions": sessions, "bad_records": bad_records,
           "redirects": redirects, "one": one, "port_of": port_of,
           "media_after": media_after, "gap_over": gap_over,
           "REASONS": REASONS, "OUTCOMES": OUTCOMES}
    for p in pairs:
        k, v = p.split("=", 1)
        env[k] = load(v)
    try:
        ok = eval("(" + expr + "\n)", env)
    except Exception as e:
        ok = False
        print("%s: %s" % (type(e).__name__, e))
    if ok:
        print("ok")
        return
    print("expected: " + " ".join(expr.split()))
    for p in pairs:
        k = p.split("=", 1)[0]
        text = json.dumps(brief(env[k]))
        print("%s = %s" % (k, text[:2500] + ("..." if len(text) > 2500 else "")))

def cmd_find(hport, stream, role, want, tenths):
    """Wait until `want` open sessions of stream and role are up; print
    id and backend of each, one per line."""
    import time
    for _ in range(int(tenths)):
        code, body = http("GET", "http://127.0.0.1:%s/api/sessions" % hport)
        try:
            ss = [s for s in sessions(json.loads(body), stream, role)
                  if s.get("how", "open") == "open"]
        except ValueError:
            ss = []
        if len(ss) >= int(want):
            break
        time.sleep(0.1)
    for s in ss:
        print(s.get("id"), s.get("backend"))

if __name__ == "__main__":
    what = sys.argv[1]
    if what in ("get", "post"):
        code, body = http(what.upper(), sys.argv[2])
        if what == "post":
            print(code)
        else:
            print(body)
        sys.exit(0 if 200 <= code < 300 else 1)
    if what == "check":
        cmd_check(sys.argv[2], sys.argv[3:])
    if what == "find":
        cmd_find(*sys.argv[2:7])
PY

# check DESC EXPR NAME=FILE-or-VALUE...: ok when EXPR holds over the JSON
# files (and values) given; else the expression and what they hold.
check() {
	_desc=$1
	shift
	_out=$(python3 "$tmp/h.py" check "$@" 2>&1)
	if [ "$_out" = ok ]; then
		tap_ok "$_desc"
	else
		tap_not_ok "$_desc"
		tap_diag "$_out"
	fi
}

# api HTTPPORT PATH FILE: GET into FILE.
api() {
	python3 "$tmp/h.py" get "http://127.0.0.1:$1$2" >"$3"
}

# find_sessions HTTPPORT STREAM ROLE N: "id backend" lines of the open
# sessions, once there are N (at most 5 s).
find_sessions() {
	python3 "$tmp/h.py" find "$1" "$2" "$3" "$4" 50
}

# kill_backend NAME [SIGNAL]: the nginx (or origin) behind backend NAME
# (host:port); $killed_at is when.
kill_backend() {
	_bp=${1##*:}
	eval "_bpid=\${ngx_$_bp:-}"
	if [ -z "$_bpid" ]; then
		tap_diag "no process of ours behind backend '$1'"
		killed_at=$(now)
		return 1
	fi
	killed_at=$(now)
	kill -"${2:-9}" "$_bpid"
	[ "${2:-9}" = STOP ] && stopped="$stopped $_bpid"
	return 0
}

# flv_gap FILE: the largest step between consecutive video DTS (ms) and
# the number of video packets.
flv_gap() {
	ffprobe -v error -select_streams v -show_entries packet=dts_time \
	    -of csv=p=0 "$1" 2>/dev/null | python3 -c '
import sys
ts = [float(l.strip().rstrip(",")) for l in sys.stdin if l.strip().rstrip(",") not in ("", "N/A")]
gaps = [b - a for a, b in zip(ts, ts[1:])]
print("%.0f %d" % (max(gaps) * 1000 if gaps else -1, len(ts)))'
}

duration() {
	ffprobe -v error -show_entries format=duration -of csv=p=0 "$1" \
	    2>/dev/null
}

# end_scenario: everything of the scenario but the proxy stopped.
end_scenario() {
	for _p in $pids; do
		kill -9 "$_p" 2>/dev/null
	done
	for _p in $stopped; do
		kill -CONT "$_p" 2>/dev/null
		kill -9 "$_p" 2>/dev/null
	done
	for _p in $pids; do
		wait "$_p" 2>/dev/null
	done
	pids=""
	stopped=""
}

t_begin=$(now)

# want SECTION: FAILOVER_ONLY (e.g. "a d") runs only those sections.
want() {
	[ -z "${FAILOVER_ONLY:-}" ] && return 0
	case " $FAILOVER_ONLY " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

# ---------------------------------------------------------------- flags
# bad_value WHAT ARGS...: rtmpscope ARGS exits 2 with one line naming WHAT.
if want flags; then
bad_value() {
	_what=$1
	shift
	timeout 5 "$RTMPSCOPE" "$@" >"$tmp/bad.out" 2>"$tmp/bad.err" </dev/null
	_st=$?
	if [ $_st -eq 2 ] && [ "$(wc -l <"$tmp/bad.err")" -eq 1 ] &&
	    grep -q -- "$_what" "$tmp/bad.err"; then
		tap_ok "$_what: a bad value exits 2 with one line naming it"
	else
		tap_not_ok "$_what: a bad value exits 2 with one line naming it"
		tap_diag "exit $_st; $(cat "$tmp/bad.err")"
	fi
}
take_port PX
bad_value --redirect --listen "127.0.0.1:$PX" --backend 127.0.0.1:1 \
    --redirect sideways
printf '[proxy]\nredirect_on = stall, sideways\n' >"$tmp/bad.conf"
bad_value redirect_on --listen "127.0.0.1:$PX" --backend 127.0.0.1:1 \
    -c "$tmp/bad.conf"
fi

# ---------------------------------------------------------------- (0)
# Our client against the simulated origin, and a fake server that sends
# every connect away with a 302 to that origin.
if want 0; then
take_port O0
take_port F0
start_origin origin0 "$O0"
cat >"$tmp/fake302.py" <<'PY'
import socket, struct, sys, threading
port, target = int(sys.argv[1]), sys.argv[2]
def s(v):
    b = v.encode()
    return b"\x02" + struct.pack(">H", len(b)) + b
def prop(k, v):
    return struct.pack(">H", len(k)) + k.encode() + v
def recv_some(c, buf):
    b = c.recv(65536)
    if not b:
        raise EOFError
    return buf + b
def serve(c):
    try:
        c.settimeout(5)
        buf = b""
        while len(buf) < 1537:
            buf = recv_some(c, buf)
        c.sendall(b"\x03" + bytes(1536) + buf[1:1537])
        buf = buf[1537:]
        while len(buf) < 1536:
            buf = recv_some(c, buf)
        buf, csize, txn = buf[1536:], 128, None
        while txn is None:          # fmt 0 messages on one-byte csids
            while len(buf) < 12:
                buf = recv_some(c, buf)
            ln, mt = int.from_bytes(buf[4:7], "big"), buf[7]
            need = 12 + ln + (ln - 1) // csize
            while len(buf) < need:
                buf = recv_some(c, buf)
            body, p, left = b"", 12, ln
            while left:
                n = min(left, csize)
                body += buf[p:p + n]
                p += n + (1 if left > n else 0)
                left -= n
            buf = buf[p:]
            if mt == 1:
                csize = struct.unpack(">I", body[:4])[0]
            elif mt == 20 and body[3:10] == b"connect":
                txn = struct.unpack(">d", body[11:19])[0]
        ex = (b"\x03" + prop("code", b"\x00" + struct.pack(">d", 302)) +
              prop("redirect", s(target)) + b"\x00\x00\x09")
        info = (b"\x03" + prop("level", s("error")) +
                prop("code", s("NetConnection.Connect.Rejected")) +
                prop("description", s("moved")) + prop("ex", ex) +
                b"\x00\x00\x09")
        body = s("_error") + b"\x00" + struct.pack(">d", txn) + b"\x05" + info
        out = (b"\x03\0\0\0" + struct.pack(">I", len(body))[1:] + b"\x14" +
               bytes(4))
        for i in range(0, len(body), 128):
            out += (b"\xc3" if i else b"") + body[i:i + 128]
        c.sendall(out)
    except (OSError, EOFError):
        pass
    c.close()
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port))
ls.listen(8)
ls.settimeout(20)
try:
    while True:
        c, _ = ls.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()
except socket.timeout:
    pass
PY
python3 "$tmp/fake302.py" "$F0" "rtmp://127.0.0.1:$O0/live" &
pids="$pids $!"
wait_port "$F0" 30
play_client c0 "rtmp://127.0.0.1:$O0/live/x" --seconds 2
finish "$clpid" 100
check "(0) our client plays 2 s from the simulated origin, timestamps in order" \
    'c["result"] == "played" and c["media"]["video"] >= 40 and
    c["media"]["ts_backwards"] == {"audio": 0, "video": 0}' c="$tmp/c0.json"
play_client c0f "rtmp://127.0.0.1:$F0/app/x" --seconds 2 --follow-302
finish "$clpid" 100
check "(0) and follows a 302 from a fake server to it" \
    'c["result"] == "played" and c["followed_302"] and
    c["redirected_to"] == "rtmp://127.0.0.1:" + O + "/live" and
    c["connections"][1]["media"] > 0' c="$tmp/c0f.json" O="$O0"
end_scenario
fi

# ---------------------------------------------------------------- (a)
# Failover (the default mode) when the backend in use dies under an ffmpeg
# player and our player; the stream is published to both backends.
if want a; then
take_port B1; take_port B2; take_port P; take_port H
backends a "$B1" "$B2"
publish_tee x 40 "$B1" "$B2"
wait_stream "$B2" x
scope a "$P" "$H" --backend "127.0.0.1:$B1" --backend "127.0.0.1:$B2"
play_ffmpeg a "rtmp://127.0.0.1:$P/live/x" 10
player=$ffpid
play_client a-ours "rtmp://127.0.0.1:$P/live/x" --seconds 10
ours=$clpid
find_sessions "$H" x play 2 >"$tmp/a.found"
in_use=$(awk 'NR == 1 { print $2 }' "$tmp/a.found")
tap_diag "(a) sessions before the kill: $(tr '\n' ' ' <"$tmp/a.found")"
sleep "$(python3 -c "import time; print(max(0, $(cat "$tmp/a.t0") + 3 - time.time()))")"
kill_backend "${in_use:-127.0.0.1:$B1}"
t_kill=$killed_at
finish "$player" 250
prc=$rc
t_end=$(now)
finish "$ours" 150
api "$H" /api/sessions "$tmp/a.api"
api "$H" /api/events "$tmp/a.events"
stop "$scpid" INT 50
wall=$(python3 -c "print('%.1f' % ($t_end - $(cat "$tmp/a.t0")))")
dur=$(duration "$tmp/a.flv")
set -- $(flv_gap "$tmp/a.flv")
flvgap=${1:--1}
if [ "$prc" = 0 ] && python3 -c "import sys; sys.exit(not float('${dur:-0}') >= 9.5)"; then
	tap_ok "(a) backend killed: the ffmpeg player ends well with 10 s of media ($dur s)"
else
	tap_not_ok "(a) backend killed: the ffmpeg player ends well with 10 s of media"
	tap_diag "exit $prc, duration '$dur'; stderr: $(tail -5 "$tmp/a.err")"
fi
if python3 -c "import sys; sys.exit(not $wall < 13.5)"; then
	tap_ok "(a) in about 10 s of wall time ($wall s)"
else
	tap_not_ok "(a) in about 10 s of wall time ($wall s)"
fi
check "(a) both players' sessions: one redirect each, moved from the dead backend to the other" \
    'len(sessions(d, "x", "play")) == 2 and
    all(one(s, B1, B2, reasons={"backend-close", "backend-reset", "backend-down"})
        and port_of(s["backend"]) == B2 for s in sessions(d, "x", "play"))
    and not bad_records(d)' d="$tmp/a.api" B1="$B1" B2="$B2"
check "(a) our player carried on: media after the kill, timestamps monotonic" \
    'c["result"] == "played" and len(c["connections"]) == 1 and
    media_after(c, float(t) + 1) >= 50 and
    c["media"]["ts_backwards"] == {"audio": 0, "video": 0}' \
    c="$tmp/a-ours.json" t="$t_kill"
check "(a) /api/events has the redirects" \
    'len([e for e in d["events"] if e.get("event", e.get("kind")) == "redirect"]) >= 2' \
    d="$tmp/a.events"
check "(a) the report at exit has them too, with every key" \
    'all(one(s, B1, B2) for s in sessions(d, "x", "play")) and
    len(sessions(d, "x", "play")) == 2 and not bad_records(d)' \
    d="$tmp/a.report" B1="$B1" B2="$B2"
python3 - "$tmp/a.api" "$tmp/a-ours.json" "$t_kill" "$flvgap" <<'PY' | sed 's/^/# /'
import json, sys
try:
    api = json.load(open(sys.argv[1]))
    gaps = [r.get("media_gap_ms") for s in api.get("sessions", [])
            for r in s.get("redirects") or []]
except Exception:
    gaps = "?"
try:
    c = json.load(open(sys.argv[2]))
    t = float(sys.argv[3])
    g = None
    for x in c["media"]["wall_gaps"]:
        if x["from"] <= t + 0.05 and x["to"] >= t:
            g = x
    seen = "%.0f ms (from %.0f ms before the kill)" % (g["ms"], (t - g["from"]) * 1000) if g else "none over the kill"
    first = "%.0f ms" % ((g["to"] - t) * 1000) if g else "?"
    mx = c["media"]["max_wall_gap_ms"]
except Exception as e:
    seen, first, mx = "?", "?", "?"
print("(a) media gap, kill -9: proxy's media_gap_ms %s; our player saw %s "
      "(largest %s ms); fault to first media after it %s; ffmpeg's FLV: "
      "largest video DTS step %s ms" % (gaps, seen, mx, first, sys.argv[4]))
PY
end_scenario
fi

# ---------------------------------------------------------------- (b)
# A publisher through the proxy; its backend dies; a player straight on
# the surviving backend gets the stream.
if want b; then
take_port B1; take_port B2; take_port P; take_port H
backends b "$B1" "$B2"
scope b "$P" "$H" --backend "127.0.0.1:$B1" --backend "127.0.0.1:$B2"
t0=$(now)
publish "rtmp://127.0.0.1:$P/live/y" 12 "$tmp/b-pub.err"
pub=$pubpid
find_sessions "$H" y publish 1 >"$tmp/b.found"
in_use=$(awk 'NR == 1 { print $2 }' "$tmp/b.found")
tap_diag "(b) publisher before the kill: $(tr '\n' ' ' <"$tmp/b.found")"
sleep "$(python3 -c "import time; print(max(0, $t0 + 3 - time.time()))")"
kill_backend "${in_use:-127.0.0.1:$B1}"
survivor=$B2
[ "${in_use##*:}" = "$B2" ] && survivor=$B1
sleep 2
timeout -s KILL 15 ffmpeg -nostdin -loglevel error \
    -i "rtmp://127.0.0.1:$survivor/live/y" -t 3 -c copy -f flv \
    -y "$tmp/b-direct.flv" 2>"$tmp/b-direct.err" &
direct=$!
pids="$pids $direct"
finish "$direct" 160
drc=$rc
finish "$pub" 200
prc=$rc
api "$H" /api/sessions "$tmp/b.api"
stop "$scpid" INT 50
if [ "$prc" = 0 ] && ! grep -qi error "$tmp/b-pub.err"; then
	tap_ok "(b) backend killed: the publisher runs to its end without an error"
else
	tap_not_ok "(b) backend killed: the publisher runs to its end without an error"
	tap_diag "exit $prc; $(tail -5 "$tmp/b-pub.err")"
fi
dur=$(duration "$tmp/b-direct.flv")
probe=$(ffprobe -v error -show_entries stream=codec_name,width -of csv=p=0 \
    "$tmp/b-direct.flv" 2>/dev/null | tr '\n' ' ')
if [ "$drc" = 0 ] && python3 -c "import sys; sys.exit(not float('${dur:-0}') >= 2.5)" &&
    echo "$probe" | grep -q 'h264,320'; then
	tap_ok "(b) a player straight on the surviving backend gets the stream ($dur s, $probe)"
else
	tap_not_ok "(b) a player straight on the surviving backend gets the stream"
	tap_diag "exit $drc, duration '$dur', streams '$probe'; $(tail -5 "$tmp/b-direct.err")"
fi
check "(b) the publish session: one redirect, moved" \
    'len(sessions(d, "y", "publish")) == 1 and
    one(sessions(d, "y", "publish")[0], B1, B2,
        reasons={"backend-close", "backend-reset", "backend-down"}) and
    not bad_records(d)' d="$tmp/b.api" B1="${in_use##*:}" B2="$survivor"
end_scenario
fi

# ---------------------------------------------------------------- (c)
# The same as (a), the backend stalled by SIGSTOP instead of killed.  Two
# publishers rather than a tee: a tee would block on the stopped nginx.
if want c; then
take_port B1; take_port B2; take_port P; take_port H
backends c "$B1" "$B2"
printf '[proxy]\nredirect_stall_ms = 1000\n' >"$tmp/c.conf"
publish "rtmp://127.0.0.1:$B1/live/x" 40 "$tmp/c-pub1.err"
publish "rtmp://127.0.0.1:$B2/live/x" 40 "$tmp/c-pub2.err"
wait_stream "$B1" x
wait_stream "$B2" x
scope c "$P" "$H" -c "$tmp/c.conf" --backend "127.0.0.1:$B1" \
    --backend "127.0.0.1:$B2"
play_ffmpeg c "rtmp://127.0.0.1:$P/live/x" 10
player=$ffpid
play_client c-ours "rtmp://127.0.0.1:$P/live/x" --seconds 10
ours=$clpid
find_sessions "$H" x play 2 >"$tmp/c.found"
in_use=$(awk 'NR == 1 { print $2 }' "$tmp/c.found")
sleep "$(python3 -c "import time; print(max(0, $(cat "$tmp/c.t0") + 3 - time.time()))")"
kill_backend "${in_use:-127.0.0.1:$B1}" STOP
t_kill=$killed_at
finish "$player" 250
prc=$rc
t_end=$(now)
finish "$ours" 150
api "$H" /api/sessions "$tmp/c.api"
stop "$scpid" INT 50
wall=$(python3 -c "print('%.1f' % ($t_end - $(cat "$tmp/c.t0")))")
dur=$(duration "$tmp/c.flv")
set -- $(flv_gap "$tmp/c.flv")
flvgap=${1:--1}
if [ "$prc" = 0 ] && python3 -c "import sys; sys.exit(not float('${dur:-0}') >= 9.5)"; then
	tap_ok "(c) backend stalled: the ffmpeg player ends well with 10 s of media ($dur s)"
else
	tap_not_ok "(c) backend stalled: the ffmpeg player ends well with 10 s of media"
	tap_diag "exit $prc, duration '$dur'; stderr: $(tail -5 "$tmp/c.err")"
fi
if python3 -c "import sys; sys.exit(not $wall < 14)"; then
	tap_ok "(c) in about 10 s of wall time ($wall s)"
else
	tap_not_ok "(c) in about 10 s of wall time ($wall s)"
fi
check "(c) both sessions: one redirect, reason stall, moved" \
    'len(sessions(d, "x", "play")) == 2 and
    all(one(s, B1, B2, reasons={"stall"}) for s in sessions(d, "x", "play"))
    and not bad_records(d)' d="$tmp/c.api" B1="$B1" B2="$B2"
check "(c) our player carried on: media after the stall, gap under 2.5 s" \
    'c["result"] == "played" and media_after(c, float(t) + 2) >= 50 and
    c["media"]["max_wall_gap_ms"] < 2500' c="$tmp/c-ours.json" t="$t_kill"
python3 - "$tmp/c.api" "$tmp/c-ours.json" "$t_kill" "$flvgap" <<'PY' | sed 's/^/# /'
import json, sys
try:
    gaps = [r.get("media_gap_ms") for s in json.load(open(sys.argv[1])).get("sessions", [])
            for r in s.get("redirects") or []]
except Exception:
    gaps = "?"
try:
    c = json.load(open(sys.argv[2]))
    t = float(sys.argv[3])
    g = [x for x in c["media"]["wall_gaps"] if x["from"] <= t + 0.05 and x["to"] >= t]
    seen = "%.0f ms" % g[0]["ms"] if g else "none over the stall"
    first = "%.0f ms" % ((g[0]["to"] - t) * 1000) if g else "?"
except Exception:
    seen = first = "?"
print("(c) media gap, SIGSTOP: proxy's media_gap_ms %s; our player saw %s; "
      "fault to first media after it %s; ffmpeg's FLV: largest video DTS "
      "step %s ms" % (gaps, seen, first, sys.argv[4]))
PY
end_scenario
fi

# ---------------------------------------------------------------- (d)
# The stream is not on the first backend (the simulated origin answers
# every play with StreamNotFound); it is on the second, a real nginx.
if want d; then
take_port O1; take_port B2; take_port P; take_port H
start_origin d-origin "$O1" stream-not-found
backends d "$B2"
publish "rtmp://127.0.0.1:$B2/live/x" 30 "$tmp/d-pub.err"
wait_stream "$B2" x
scope d "$P" "$H" --backend "127.0.0.1:$O1" --backend "127.0.0.1:$B2"
play_ffmpeg d "rtmp://127.0.0.1:$P/live/x" 5
player=$ffpid
play_client d-ours "rtmp://127.0.0.1:$P/live/x" --seconds 5
ours=$clpid
dumper=
if command -v rtmpdump >/dev/null 2>&1; then
	# librtmp ignores media until it has seen NetStream.Play.Start.
	timeout -s INT 6 rtmpdump -v -r "rtmp://127.0.0.1:$P/live/x" \
	    -o "$tmp/d-rtmpdump.flv" >/dev/null 2>"$tmp/d-rtmpdump.err" &
	dumper=$!
	pids="$pids $dumper"
fi
finish "$player" 150
prc=$rc
finish "$ours" 120
[ -n "$dumper" ] && finish "$dumper" 60
api "$H" /api/sessions "$tmp/d.api"
stop "$scpid" INT 50
dur=$(duration "$tmp/d.flv")
if [ "$prc" = 0 ] && python3 -c "import sys; sys.exit(not float('${dur:-0}') >= 4.5)"; then
	tap_ok "(d) StreamNotFound on the first backend: the ffmpeg player gets 5 s ($dur s)"
else
	tap_not_ok "(d) StreamNotFound on the first backend: the ffmpeg player gets 5 s"
	tap_diag "exit $prc, duration '$dur'; stderr: $(tail -5 "$tmp/d.err")"
fi
check "(d) our player saw media and no error status" \
    'c["result"] == "played" and not c["errors"] and
    not [s for s in c["statuses"] if (s.get("info") or {}).get("level") == "error"]' \
    c="$tmp/d-ours.json"
check "(d) it got NetStream.Play.Start, as from a server where the stream is" \
    '"NetStream.Play.Start" in [(s.get("info") or {}).get("code")
                                for s in c["statuses"]]' c="$tmp/d-ours.json"
if [ -n "$dumper" ]; then
	vframes=$(ffprobe -v error -select_streams v -count_packets \
	    -show_entries stream=nb_read_packets -of csv=p=0 \
	    "$tmp/d-rtmpdump.flv" 2>/dev/null)
	if [ "${vframes:-0}" -ge 50 ]; then
		tap_ok "(d) rtmpdump (librtmp) through the proxy gets the stream ($vframes frames)"
	else
		tap_not_ok "(d) rtmpdump (librtmp) through the proxy gets the stream"
		tap_diag "video frames '$vframes'; $(sort "$tmp/d-rtmpdump.err" | uniq -c | sort -rn | head -4)"
	fi
else
	tap_skip "(d) rtmpdump through the proxy gets the stream" "no rtmpdump"
fi
check "(d) every session: one redirect, reason stream-error, moved to the nginx" \
    'len(sessions(d, "x", "play")) == (3 if dump else 2) and
    all(one(s, O1, B2, reasons={"stream-error"}) for s in sessions(d, "x", "play"))
    and not bad_records(d)' d="$tmp/d.api" O1="$O1" B2="$B2" dump="$dumper"
end_scenario
fi

# ---------------------------------------------------------------- (e)
# rtmp302: the first backend rejects every connect; the client gets the
# 302 _error and follows it.  The capture of the proxy's port is read
# back with rtmpscope's own dissector.
if want e; then
take_port O1; take_port O2; take_port P; take_port H
start_origin e-origin1 "$O1" reject-connect
start_origin e-origin2 "$O2"
scope e "$P" "$H" --redirect rtmp302 --backend "127.0.0.1:$O1" \
    --backend "127.0.0.1:$O2"
capture=no
if [ "$(id -u)" -eq 0 ] && command -v tcpdump >/dev/null 2>&1; then
	: >"$tmp/e.tcpdump"
	tcpdump -i lo -U --immediate-mode -w "$tmp/e.pcap" "tcp port $P" \
	    2>"$tmp/e.tcpdump" &
	tdpid=$!
	pids="$pids $tdpid"
	_i=0
	while [ $_i -lt 30 ] && ! grep -q listening "$tmp/e.tcpdump"; do
		sleep 0.1
		_i=$((_i + 1))
	done
	grep -q listening "$tmp/e.tcpdump" && capture=yes
fi
play_client e-ours "rtmp://127.0.0.1:$P/live/x" --seconds 4 --follow-302
finish "$clpid" 150
if [ $capture = yes ]; then
	sleep 0.3
	stop "$tdpid" INT 30
	"$RTMPSCOPE" -r "$tmp/e.pcap" -p "$P" --dump=json >"$tmp/e.dump" \
	    2>"$tmp/e.dump.err"
fi
api "$H" /api/sessions "$tmp/e.api"
stop "$scpid" INT 50
check "(e) rtmp302: the connect is answered by _error: same txn, null command object, level, code, description, ex {code 302, redirect to the other backend}" \
    'len(c["errors"]) >= 1 and c["errors"][0]["txn"] == 1 and
    c["errors"][0]["command_object"] is None and
    c["errors"][0]["info"].get("level") == "error" and
    c["errors"][0]["info"].get("code") == "NetConnection.Connect.Rejected" and
    isinstance(c["errors"][0]["info"].get("description"), str) and
    c["errors"][0]["info"].get("ex") == {"code": 302,
        "redirect": "rtmp://127.0.0.1:" + O2 + "/live"}' \
    c="$tmp/e-ours.json" O2="$O2"
check "(e) then the proxy closes the connection" \
    'c["connections"][0].get("closed_after_error") is True' c="$tmp/e-ours.json"
check "(e) our client follows it and plays from the other backend" \
    'c["result"] == "played" and c["followed_302"] and
    len(c["connections"]) == 2 and
    c["connections"][1]["server"] == "127.0.0.1:" + O2 and
    c["connections"][1]["media"] > 50' c="$tmp/e-ours.json" O2="$O2"
check "(e) the session: a redirect, reason connect-rejected, mode rtmp302, outcome redirected" \
    'len(sessions(d)) >= 1 and
    any(one(s, O1, O2, mode="rtmp302", outcome="redirected",
            reasons={"connect-rejected"}) for s in sessions(d))
    and not bad_records(d)' d="$tmp/e.api" O1="$O1" O2="$O2"
if [ $capture = yes ]; then
	_out=$(python3 - "$tmp/e.dump" "$O2" <<'PY'
import json, sys
recs = []
for line in open(sys.argv[1]):
    try:
        r = json.loads(line)
    except ValueError:
        continue
    if r.get("dir") == "s2c" and r.get("name") == "_error":
        recs.append(r)
want = [None, {"level": "error", "code": "NetConnection.Connect.Rejected",
               "ex": {"code": 302, "redirect": "rtmp://127.0.0.1:%s/live" % sys.argv[2]}}]
ok = False
for r in recs:
    a = r.get("args") or []
    if (r.get("txn") == 1 and r.get("type") == 20 and len(a) == 2 and a[0] is None and
            isinstance(a[1], dict) and
            {k: a[1].get(k) for k in ("level", "code", "ex")} == want[1] and
            isinstance(a[1].get("description"), str)):
        ok = True
print("ok" if ok else "the dissector's _error records: %s" % json.dumps(recs)[:1500])
PY
)
	if [ "$_out" = ok ]; then
		tap_ok "(e) rtmpscope's dissector reads the same _error from a capture"
	else
		tap_not_ok "(e) rtmpscope's dissector reads the same _error from a capture"
		tap_diag "$_out"
		tap_diag "$(cat "$tmp/e.dump.err")"
	fi
else
	tap_skip "(e) rtmpscope's dissector reads the _error from a capture" \
	    "no tcpdump, or not root"
fi
end_scenario
fi

# ---------------------------------------------------------------- (f)
# reconnect-request: a client that advertised capsEx 1 gets the onStatus
# ReconnectRequest when its backend dies, and follows its tcUrl; one that
# did not is failed over.  From the config file.
if want f; then
take_port B1; take_port B2; take_port P; take_port H
backends f "$B1" "$B2"
publish_tee x 40 "$B1" "$B2"
wait_stream "$B2" x
printf '[proxy]\nredirect = reconnect-request\n' >"$tmp/f.conf"
scope f "$P" "$H" -c "$tmp/f.conf" --backend "127.0.0.1:$B1" \
    --backend "127.0.0.1:$B2"
capture=no
if [ "$(id -u)" -eq 0 ] && command -v tcpdump >/dev/null 2>&1; then
	: >"$tmp/f.tcpdump"
	tcpdump -i lo -U --immediate-mode -w "$tmp/f.pcap" "tcp port $P" \
	    2>"$tmp/f.tcpdump" &
	tdpid=$!
	pids="$pids $tdpid"
	_i=0
	while [ $_i -lt 30 ] && ! grep -q listening "$tmp/f.tcpdump"; do
		sleep 0.1
		_i=$((_i + 1))
	done
	grep -q listening "$tmp/f.tcpdump" && capture=yes
fi
t0=$(now)
play_client f-caps "rtmp://127.0.0.1:$P/live/x" --seconds 8 --caps-ex 1 \
    --expect-reconnect-request --follow-reconnect
caps=$clpid
play_client f-plain "rtmp://127.0.0.1:$P/live/x" --seconds 8
plain=$clpid
find_sessions "$H" x play 2 >"$tmp/f.found"
in_use=$(awk 'NR == 1 { print $2 }' "$tmp/f.found")
sleep "$(python3 -c "import time; print(max(0, $t0 + 3 - time.time()))")"
kill_backend "${in_use:-127.0.0.1:$B1}"
t_kill=$killed_at
finish "$caps" 150
finish "$plain" 50
if [ $capture = yes ]; then
	sleep 0.3
	stop "$tdpid" INT 30
	"$RTMPSCOPE" -r "$tmp/f.pcap" -p "$P" --dump=json >"$tmp/f.dump" \
	    2>"$tmp/f.dump.err"
fi
api "$H" /api/sessions "$tmp/f.api"
stop "$scpid" INT 50
check "(f) capsEx 1: onStatus, txn 0, null command object, level status, code NetConnection.Connect.ReconnectRequest, description, tcUrl of the other backend" \
    'c["reconnect_request"] is not None and
    c["reconnect_request"]["txn"] == 0 and
    c["reconnect_request"]["command_object"] is None and
    c["reconnect_request"]["info"].get("level") == "status" and
    isinstance(c["reconnect_request"]["info"].get("description"), str) and
    c["reconnect_request"]["info"].get("tcUrl") == "rtmp://127.0.0.1:" + B2 + "/live"' \
    c="$tmp/f-caps.json" B2="$B2"
check "(f) it came soon after the kill (within 2 s)" \
    'c["reconnect_request"] and c["reconnect_request"]["at"] - float(t) < 2' \
    c="$tmp/f-caps.json" t="$t_kill"
check "(f) the client follows the tcUrl and plays on" \
    'c["result"] == "played" and c["followed_reconnect"] and
    len(c["connections"]) == 2 and c["connections"][1]["media"] > 50' \
    c="$tmp/f-caps.json"
check "(f) a client without capsEx is failed over: no ReconnectRequest, media after the kill" \
    'c["result"] == "played" and c["reconnect_request"] is None and
    len(c["connections"]) == 1 and media_after(c, float(t) + 1) >= 50' \
    c="$tmp/f-plain.json" t="$t_kill"
check "(f) the sessions: one redirected (reconnect-request), one moved (failover)" \
    'sorted((r["mode"], r["outcome"]) for s in sessions(d, "x", "play")
            for r in redirects(s)) ==
    [("failover", "moved"), ("reconnect-request", "redirected")] and
    not bad_records(d)' d="$tmp/f.api"
if [ $capture = yes ]; then
	_out=$(python3 - "$tmp/f.dump" "$B2" <<'PY'
import json, sys
recs = []
for line in open(sys.argv[1]):
    try:
        r = json.loads(line)
    except ValueError:
        continue
    if r.get("dir") == "s2c" and r.get("name") == "onStatus" and \
            "ReconnectRequest" in json.dumps(r.get("args")):
        recs.append(r)
ok = False
for r in recs:
    a = r.get("args") or []
    if (r.get("txn") == 0 and len(a) == 2 and a[0] is None and
            isinstance(a[1], dict) and a[1].get("level") == "status" and
            a[1].get("code") == "NetConnection.Connect.ReconnectRequest" and
            isinstance(a[1].get("description"), str) and
            a[1].get("tcUrl") == "rtmp://127.0.0.1:%s/live" % sys.argv[2]):
        ok = True
print("ok" if ok else "the dissector's ReconnectRequest records: %s" % json.dumps(recs)[:1500])
PY
)
	if [ "$_out" = ok ]; then
		tap_ok "(f) rtmpscope's dissector reads the same onStatus from a capture"
	else
		tap_not_ok "(f) rtmpscope's dissector reads the same onStatus from a capture"
		tap_diag "$_out"
	fi
else
	tap_skip "(f) rtmpscope's dissector reads the onStatus from a capture" \
	    "no tcpdump, or not root"
fi
end_scenario
fi

# ---------------------------------------------------------------- (g)
# 50 players on one backend, moved at once when it dies.
if want g; then
take_port B1; take_port B2; take_port P; take_port H
backends g "$B1" "$B2"
publish_tee x 40 "$B1" "$B2"
wait_stream "$B2" x
scope g "$P" "$H" --backend "127.0.0.1:$B1" --backend "127.0.0.1:$B2"
t0=$(now)
play_client g-fifty "rtmp://127.0.0.1:$P/live/x" --count 50 --seconds 10 \
    --stagger-ms 20 --timeout 8
fifty=$clpid
find_sessions "$H" x play 50 >"$tmp/g.found"
tap_diag "(g) $(wc -l <"$tmp/g.found") players open, on $(awk '{print $2}' "$tmp/g.found" | sort | uniq -c | tr '\n' ' ')"
sleep "$(python3 -c "import time; print(max(0, $t0 + 4 - time.time()))")"
kill_backend "127.0.0.1:$B1"
t_kill=$killed_at
finish "$fifty" 300
frc=$rc
api "$H" /api/sessions "$tmp/g.api"
stop "$scpid" INT 50
check "(g) 50 players, backend killed: every one plays on to its end (exit $frc)" \
    'c["results"] == {"played": 50}' c="$tmp/g-fifty.json"
check "(g) every one got media after the kill, timestamps monotonic" \
    'all(media_after(s, float(t) + 1) >= 50 and
         s["media"]["ts_backwards"] == {"audio": 0, "video": 0}
         for s in c["sessions"])' c="$tmp/g-fifty.json" t="$t_kill"
check "(g) 50 sessions, each with one redirect, moved" \
    'len(sessions(d, "x", "play")) == 50 and
    all(one(s, B1, B2) for s in sessions(d, "x", "play")) and
    not bad_records(d)' d="$tmp/g.api" B1="$B1" B2="$B2"
python3 - "$tmp/g-fifty.json" "$t_kill" "$tmp/g.api" <<'PY' | sed 's/^/# /'
import json, sys
t = float(sys.argv[2])
try:
    ss = json.load(open(sys.argv[1]))["sessions"]
    seen = sorted(max([g["ms"] for g in s["media"]["wall_gaps"]
                       if g["from"] <= t + 0.05 and g["to"] >= t] or [0])
                  for s in ss)
    txt = "median %.0f ms, max %.0f ms" % (seen[len(seen) // 2], seen[-1])
except Exception as e:
    txt = "? (%s)" % e
try:
    gaps = sorted(r.get("media_gap_ms") or 0 for s in json.load(open(sys.argv[3]))["sessions"]
                  for r in s.get("redirects") or [])
    api = "median %s, max %s" % (gaps[len(gaps) // 2], gaps[-1])
except Exception:
    api = "?"
print("(g) 50 players: gap seen over the kill %s; proxy's media_gap_ms %s" % (txt, api))
PY
end_scenario
fi

# ---------------------------------------------------------------- (h)
# drop: the client's connection is closed when its backend dies (one
# client that stays away, one that connects again); and a proxy whose
# redirect_on leaves out backend-close does not move its session.
if want h; then
take_port B1; take_port B2; take_port P; take_port H; take_port P2; take_port H2
backends h "$B1" "$B2"
publish_tee x 40 "$B1" "$B2"
wait_stream "$B2" x
printf '[proxy]\nredirect = drop\n' >"$tmp/h.conf"
printf '[proxy]\nredirect_on = stall, ping-timeout, stream-error, connect-rejected\n' \
    >"$tmp/h2.conf"
scope h "$P" "$H" -c "$tmp/h.conf" --backend "127.0.0.1:$B1" \
    --backend "127.0.0.1:$B2"
hscope=$scpid
scope h2 "$P2" "$H2" -c "$tmp/h2.conf" --backend "127.0.0.1:$B1" \
    --backend "127.0.0.1:$B2"
h2scope=$scpid
t0=$(now)
play_client h-once "rtmp://127.0.0.1:$P/live/x" --seconds 7
once=$clpid
play_client h-again "rtmp://127.0.0.1:$P/live/x" --seconds 7 \
    --reconnect-on-close
again=$clpid
play_client h2-ours "rtmp://127.0.0.1:$P2/live/x" --seconds 7
h2c=$clpid
find_sessions "$H" x play 2 >/dev/null
find_sessions "$H2" x play 1 >/dev/null
sleep "$(python3 -c "import time; print(max(0, $t0 + 3 - time.time()))")"
kill_backend "127.0.0.1:$B1"
t_kill=$killed_at
finish "$once" 120
finish "$again" 60
finish "$h2c" 60
api "$H" /api/sessions "$tmp/h.api"
api "$H2" /api/sessions "$tmp/h2.api"
stop "$hscope" INT 50
stop "$h2scope" INT 50
check "(h) drop: the client's connection is closed at the kill (within 1.5 s)" \
    'c["result"] == "closed" and c["closed_by_peer"] and
    0 <= c["closed_at"] - float(t) < 1.5' c="$tmp/h-once.json" t="$t_kill"
check "(h) a client that connects again is routed to the healthy backend and plays" \
    'c["result"] == "played" and len(c["connections"]) == 2 and
    c["connections"][1]["media"] > 50' c="$tmp/h-again.json"
check "(h) the dropped sessions: one redirect each, mode drop, outcome dropped" \
    'len([s for s in sessions(d, "x", "play") if redirects(s)]) == 2 and
    all(one(s, B1, None, mode="drop", outcome="dropped")
        for s in sessions(d, "x", "play") if redirects(s)) and
    not bad_records(d)' d="$tmp/h.api" B1="$B1"
check "(h) redirect_on without backend-close: the session is not moved (no redirect record)" \
    'c["result"] == "closed" and len(sessions(d, "x", "play")) == 1 and
    not [r for s in sessions(d) for r in redirects(s)]' \
    c="$tmp/h2-ours.json" d="$tmp/h2.api"
end_scenario
fi

# ---------------------------------------------------------------- (i)
# By hand: POST /api/sessions/ID/redirect moves a live player from the
# first backend to the second and, again, back; the flapping guard
# (redirect_max_per_minute = 2) stops a third.  Unknown ids get 404.
if want i; then
take_port B1; take_port B2; take_port P; take_port H
backends i "$B1" "$B2"
publish_tee x 40 "$B1" "$B2"
wait_stream "$B2" x
printf '[proxy]\nredirect_max_per_minute = 2\n' >"$tmp/i.conf"
scope i "$P" "$H" -c "$tmp/i.conf" --backend "127.0.0.1:$B1" \
    --backend "127.0.0.1:$B2"
t0=$(now)
play_client i-ours "rtmp://127.0.0.1:$P/live/x" --seconds 10
ours=$clpid
sid=$(find_sessions "$H" x play 1 | awk 'NR == 1 { print $1 }')
sleep "$(python3 -c "import time; print(max(0, $t0 + 2.5 - time.time()))")"
t_post1=$(now)
code1=$(python3 "$tmp/h.py" post "http://127.0.0.1:$H/api/sessions/${sid:-0}/redirect")
sleep 1.5
api "$H" "/api/sessions/${sid:-0}" "$tmp/i.one"
t_post2=$(now)
code2=$(python3 "$tmp/h.py" post "http://127.0.0.1:$H/api/sessions/${sid:-0}/redirect")
sleep 1.5
api "$H" "/api/sessions/${sid:-0}" "$tmp/i.two"
code3=$(python3 "$tmp/h.py" post "http://127.0.0.1:$H/api/sessions/${sid:-0}/redirect")
code404=$(python3 "$tmp/h.py" post "http://127.0.0.1:$H/api/sessions/999999/redirect")
finish "$ours" 120
api "$H" "/api/sessions/${sid:-0}" "$tmp/i.three"
api "$H" /api/events "$tmp/i.events"
codeend=$(python3 "$tmp/h.py" post "http://127.0.0.1:$H/api/sessions/${sid:-0}/redirect")
stop "$scpid" INT 50
tap_diag "(i) session ${sid:-?}: POST answers $code1, $code2, then $code3 (guard), $code404 (unknown id), $codeend (ended)"
check "(i) POST /api/sessions/ID/redirect answers 202 and moves the player to the second backend" \
    'code == "202" and port_of(s.get("backend")) == B2 and
    one(s, B1, B2, reasons={"manual"})' \
    code="$code1" s="$tmp/i.one" B1="$B1" B2="$B2"
check "(i) a second POST moves it back" \
    'code == "202" and port_of(s.get("backend")) == B1 and
    [(port_of(r["from"]), port_of(r["to"]), r["reason"], r["outcome"])
     for r in s["redirects"]] == [(B1, B2, "manual", "moved"),
                                  (B2, B1, "manual", "moved")]' \
    code="$code2" s="$tmp/i.two" B1="$B1" B2="$B2"
check "(i) redirect_max_per_minute = 2: a third is not carried out" \
    'len(redirects(s, "moved")) == 2 and port_of(s.get("backend")) == B1' \
    s="$tmp/i.three" B1="$B1"
check "(i) the player carried on through both moves, timestamps monotonic" \
    'c["result"] == "played" and len(c["connections"]) == 1 and
    media_after(c, float(t) + 1) >= 50 and
    c["media"]["ts_backwards"] == {"audio": 0, "video": 0}' \
    c="$tmp/i-ours.json" t="$t_post2"
check "(i) /api/events has the manual redirects" \
    'len([e for e in d["events"] if e.get("event", e.get("kind")) == "redirect"
          and e.get("reason") == "manual"]) >= 2' d="$tmp/i.events"
check "(i) an unknown session id gets 404, an ended session 404 or 409" \
    'a == "404" and b in ("404", "409")' a="$code404" b="$codeend"
python3 - "$tmp/i-ours.json" "$t_post1" "$t_post2" "$tmp/i.three" <<'PY' | sed 's/^/# /'
import json, sys
try:
    c = json.load(open(sys.argv[1]))
    out = []
    for t in map(float, sys.argv[2:4]):
        g = [x for x in c["media"]["wall_gaps"] if x["from"] <= t + 1 and x["to"] >= t]
        out.append("%.0f ms" % max(x["ms"] for x in g) if g else "< %.0f ms" % c["media"]["wall_gaps"][-1]["ms"])
    api = [r.get("media_gap_ms") for r in json.load(open(sys.argv[4])).get("redirects") or []]
    print("(i) manual moves: gaps our player saw %s; proxy's media_gap_ms %s" % (out, api))
except Exception as e:
    print("(i) gaps: ? (%s)" % e)
PY
end_scenario
fi

tap_diag "$(python3 -c "print('the whole took %.0f s' % ($(now) - $t_begin))")"
tap_plan "$tap_n"
tap_done
