#!/bin/sh
# retention.sh — max_ended_sessions bounds the ended sessions a long
# run keeps (issue 8).  A proxy in front of a simulated origin, keeping 3,
# relays 10 clients that do the RTMP handshake and leave: /metrics must
# count 7 forgotten (and still 10 sessions in rtmpscope_sessions_total),
# /api/sessions list the last 3, the one before them answer 404, and the
# report at the end list 3 sessions with capture.sessions_evicted 7.  A
# capture file read with the same key still reports every session.  As
# root, a live capture of lo keeping 2 does the same for 6 clients.
#
# Every process is started here and stopped by its pid; every wait is
# bounded; the whole takes a few seconds.  TAP.

. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/peers.sh"

command -v python3 >/dev/null 2>&1 || tap_skip_all "no python3"
[ -x "$RTMPSCOPE" ] || tap_skip_all "no rtmpscope binary at $RTMPSCOPE"

work_dir retention

tap_plan 14

set -- $(free_ports 3)
PP=$1 H1=$2 H2=$3

# clients PORT N: N clients, one after the other, each doing the
# handshake (C0C1, S0S1S2, C2) and closing.
clients() {
	python3 - "$1" "$2" <<'PY'
import os, socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port), 5)
    s.settimeout(5)
    s.sendall(b"\x03" + bytes(8) + os.urandom(1528))
    got = b""
    while len(got) < 1 + 2 * 1536:
        b = s.recv(65536)
        if not b:
            sys.exit("closed after %d bytes of S0S1S2" % len(got))
        got += b
    s.sendall(got[1 + 1536:1 + 2 * 1536])
    s.close()
PY
}

# wait_metric HTTP NAME VALUE: until /metrics says NAME VALUE (10 s).
wait_metric() {
	python3 - "$@" <<'PY'
import sys, time, urllib.request
port, name, want = sys.argv[1], sys.argv[2], sys.argv[3]
got = None
for _ in range(100):
    try:
        text = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % port,
                                      timeout=2).read().decode()
        for line in text.splitlines():
            if line.split(" ")[0] == name:
                got = line.split(" ")[1]
        if got == want:
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.1)
print("# %s: %s, not %s" % (name, got, want))
sys.exit(1)
PY
}

# check_report FILE SESSIONS EVICTED: the JSON report says so.
check_report() {
	python3 - "$@" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
n, ev = len(doc["sessions"]), doc["capture"].get("sessions_evicted")
if n != int(sys.argv[2]) or ev != int(sys.argv[3]):
    print("# %d sessions, sessions_evicted %s" % (n, ev))
    sys.exit(1)
PY
}

origin_free_port origin
OP=$orport
[ -n "$OP" ] || tap_skip_all "the simulated origin did not start: $(cat "$tmp/origin.err")"

# The proxy.
cat >"$tmp/proxy.conf" <<CONF
[rtmpscope]
max_ended_sessions = 3

[backend origin]
address = 127.0.0.1:$OP
check = none
CONF
"$RTMPSCOPE" --listen "127.0.0.1:$PP" -c "$tmp/proxy.conf" \
    --http "127.0.0.1:$H1" --report=json >"$tmp/proxy.json" \
    2>"$tmp/proxy.err" </dev/null &
proxy=$!
pids="$pids $proxy"
if wait_port "$PP" && wait_port "$H1"; then
	tap_ok "the proxy listens, keeping 3 ended sessions"
else
	tap_not_ok "the proxy listens, keeping 3 ended sessions"
	tap_diag "$(cat "$tmp/proxy.err")"
fi
tap_check "10 clients through the proxy, one after the other" \
    clients "$PP" 10
tap_check "/metrics: rtmpscope_sessions_evicted_total 7" \
    wait_metric "$H1" rtmpscope_sessions_evicted_total 7
tap_check "/metrics: rtmpscope_sessions_total still 10" \
    wait_metric "$H1" rtmpscope_sessions_total 10
python3 - "$H1" >"$tmp/api.out" 2>&1 <<'PY'
import json, sys, urllib.error, urllib.request
base = "http://127.0.0.1:%s" % sys.argv[1]
doc = json.load(urllib.request.urlopen(base + "/api/sessions", timeout=5))
ids = [s["id"] for s in doc["sessions"]]
print("# ids %s" % ids)
ok = len(ids) == 3 and ids == list(range(ids[0], ids[0] + 3))
try:
    urllib.request.urlopen(base + "/api/sessions/%d" % (ids[0] - 1),
                           timeout=5)
    print("# /api/sessions/%d answered" % (ids[0] - 1))
    ok = False
except urllib.error.HTTPError as e:
    ok = ok and e.code == 404
sys.exit(0 if ok else 1)
PY
st=$?
if [ $st -eq 0 ]; then
	tap_ok "/api/sessions lists the last 3; the one before is 404"
else
	tap_not_ok "/api/sessions lists the last 3; the one before is 404"
	tap_diag "$(cat "$tmp/api.out")"
fi
stop "$proxy" TERM 150
tap_check "the report at the end: 3 sessions, sessions_evicted 7" \
    check_report "$tmp/proxy.json" 3 7
tap_check "the summary says 7 were forgotten" \
    grep -q "7 ended sessions forgotten (max_ended_sessions)" "$tmp/proxy.err"

# A capture file keeps every session, whatever the key says.
printf '[rtmpscope]\nmax_ended_sessions = 1\n' >"$tmp/one.conf"
"$RTMPSCOPE" -c "$tmp/one.conf" -r "$SRCDIR/samples/publish-play-cs4096.pcap" \
    --report=json >"$tmp/file.json" 2>"$tmp/file.err"
tap_check "-r with max_ended_sessions = 1: every session (3), none evicted" \
    check_report "$tmp/file.json" 3 0
"$RTMPSCOPE" -c "$tmp/one.conf" -r "$SRCDIR/samples/publish-play-cs4096.pcap" \
    --report=text >"$tmp/file.txt" 2>&1
tap_check "-r text report: no word of forgotten sessions" \
    sh -c '! grep -q "max_ended_sessions" "$1"' sh "$tmp/file.txt"

# Live capture of lo: the same bound.
if [ "$(id -u)" -ne 0 ]; then
	for d in "live capture listens" "6 clients to the origin, captured" \
	    "live /metrics: rtmpscope_sessions_evicted_total 4" \
	    "live /metrics: rtmpscope_sessions_total 6" \
	    "live report: 2 sessions, sessions_evicted 4"; do
		tap_skip "$d" "live capture needs root"
	done
	tap_done
	exit
fi
printf '[rtmpscope]\nmax_ended_sessions = 2\n' >"$tmp/two.conf"
"$RTMPSCOPE" -c "$tmp/two.conf" -i lo -p "$OP" -f "tcp port $OP" \
    --duration 40 --http "127.0.0.1:$H2" --report=json \
    >"$tmp/live.json" 2>"$tmp/live.err" </dev/null &
live=$!
pids="$pids $live"
if wait_port "$H2"; then
	tap_ok "live capture listens"
else
	tap_not_ok "live capture listens"
	tap_diag "$(cat "$tmp/live.err")"
fi
tap_check "6 clients to the origin, captured" clients "$OP" 6
tap_check "live /metrics: rtmpscope_sessions_evicted_total 4" \
    wait_metric "$H2" rtmpscope_sessions_evicted_total 4
tap_check "live /metrics: rtmpscope_sessions_total 6" \
    wait_metric "$H2" rtmpscope_sessions_total 6
stop "$live" TERM 150
tap_check "live report: 2 sessions, sessions_evicted 4" \
    check_report "$tmp/live.json" 2 4
tap_done
