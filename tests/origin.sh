#!/bin/sh
# The simulated origin (--simulate-origin) with real clients, and its faults
# as rtmpscope itself reports them.  TAP.
#
# Clients: ffmpeg plays (to null, and to an FLV that ffprobe reads),
# rtmpdump plays, ffmpeg publishes, a small Python client pings.  Faults:
# for each, an origin with that fault, `rtmpscope -i lo` capturing while a
# client plays (root only), and the problem the report must show.  The
# fault runs go on in the background while the clients are tried, so the
# whole takes about 15 seconds.  Every wait is bounded and every process
# is killed by its pid on exit.
. "${SRCDIR:-$(dirname "$0")/..}/tests/tap.sh"
. "$SRCDIR/tests/peers.sh"

for tool in ffmpeg ffprobe rtmpdump python3; do
	command -v "$tool" >/dev/null || tap_skip_all "no $tool"
done

tmp=$(mktemp -d)
: >"$tmp/pids"
cleanup() {
	for p in $(cat "$tmp/pids" 2>/dev/null); do
		kill "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# start_origin NAME [--fault LIST]: an origin on a free port; sets $port.
start_origin() {
	origin_free_port "$@"
	echo "$orpid" >>"$tmp/pids"
	port=$orport
}

# A minimal RTMP client: handshake, connect, one ping request (12345);
# prints "pong" if the origin answers it within SECS.
cat >"$tmp/pinger.py" <<'PY'
import os, socket, struct, sys, time
port, secs = int(sys.argv[1]), float(sys.argv[2])
def amf_str(s):
    return b"\x02" + struct.pack("!H", len(s)) + s.encode()
def msg(csid, mtype, body, msid=0):
    return (bytes([csid]) + b"\0\0\0" + struct.pack("!I", len(body))[1:] +
            bytes([mtype]) + struct.pack("<I", msid) + body)
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(b"\x03" + b"\0" * 8 + os.urandom(1528))
got = b""
while len(got) < 3073:
    chunk = s.recv(65536)
    if not chunk:
        sys.exit(1)
    got += chunk
s.sendall(got[1:1537])
app = "live"
body = (amf_str("connect") + b"\x00" + struct.pack("!d", 1) + b"\x03" +
        struct.pack("!H", 3) + b"app" + amf_str(app) + b"\0\0\x09")
s.sendall(msg(3, 20, body))
time.sleep(0.3)
s.sendall(msg(2, 4, struct.pack("!HI", 6, 12345)))
s.settimeout(0.2)
seen, end = got[3073:], time.time() + secs
while time.time() < end:
    try:
        chunk = s.recv(65536)
    except socket.timeout:
        continue
    if not chunk:
        break
    seen += chunk
print("pong" if struct.pack("!HI", 7, 12345) in seen else "no pong")
PY

# fault NAME FAULT SECS CLIENT...: an origin with FAULT, rtmpscope capturing
# its port for SECS, the client started 1.5 s in; the report goes to
# NAME.json.  Runs in the background.
fault() {
	_name=$1 _fault=$2 _secs=$3
	shift 3
	(
		start_origin "$_name" --fault "$_fault"
		[ -n "$port" ] || exit 1
		echo "$port" >"$tmp/$_name.port"
		"$RTMPSCOPE" -c "$tmp/scope.conf" -i lo -f "tcp port $port" \
		    -p "$port" --report=json --duration "$_secs" \
		    >"$tmp/$_name.json" 2>"$tmp/$_name.scope" &
		_scope=$!
		echo $_scope >>"$tmp/pids"
		sleep 1.5
		url=rtmp://127.0.0.1:$port/live/x
		# The client's own word: the origin's faults make most fail.
		eval "timeout $((_secs + 5)) $*" >"$tmp/$_name.client" 2>&1 &
		_client=$!
		echo $_client >>"$tmp/pids"
		wait $_client
		if [ "$_name" = die ]; then
			# Dead: nothing listens any more.
			python3 -c 'import socket, sys
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
    print("listening")
except OSError:
    print("refused")' "$port" >"$tmp/die.after"
		fi
		wait $_scope
	) &
	echo $! >>"$tmp/pids"
	fault_jobs="$fault_jobs $!"
}

plays='ffmpeg -nostdin -loglevel error -i $url -c copy -f null'
root=no
[ "$(id -u)" -eq 0 ] && root=yes
fault_jobs=
if [ $root = yes ]; then
	printf '[health]\nping_timeout_ms = 3000\n' >"$tmp/scope.conf"
	fault stall 'stall:4s@2s' 12 "$plays -t 8 -"
	fault reject reject-connect 6 "$plays -t 2 -"
	fault notfound stream-not-found 6 "$plays -t 2 -"
	fault slow slow-handshake 11 "$plays -t 2 -"
	fault noping no-ping-reply 8 'python3 $tmp/pinger.py $port 5'
	fault die 'die:5s' 8 "$plays -t 20 -"
	fault garbage garbage 7 "$plays -t 2 -"
fi

tap_plan 15

start_origin main
if [ -z "$port" ]; then
	tap_not_ok "the origin says where it listens"
	sed 's/^/# /' "$tmp/main.err"
	exit 1
fi
tap_ok "the origin says where it listens (127.0.0.1:$port)"
url=rtmp://127.0.0.1:$port/live/x

tap_check "ffmpeg plays 5 s from it (-c copy -f null)" \
    timeout 20 ffmpeg -nostdin -loglevel error -i "$url" -t 5 -c copy \
    -f null -

timeout 20 ffmpeg -nostdin -loglevel error -i "$url" -t 3 -c copy -f flv \
    -y "$tmp/rec.flv" 2>"$tmp/rec.err"
probe=$(ffprobe -v error -show_entries \
    stream=codec_name,width,height,sample_rate,channels -of csv=p=0 \
    "$tmp/rec.flv" 2>&1 | tr '\n' ' ')
case $probe in
*h264,320,240*aac,44100,2*|*aac,44100,2*h264,320,240*)
	tap_ok "ffprobe on the recording: h264 320x240 and aac 44100 Hz stereo" ;;
*)
	tap_not_ok "ffprobe on the recording: h264 320x240 and aac"
	tap_diag "ffprobe: $probe" ;;
esac

if ffmpeg -nostdin -v error -i "$tmp/rec.flv" -f null - >"$tmp/dec.err" 2>&1 &&
    ! [ -s "$tmp/dec.err" ]; then
	tap_ok "the synthetic pictures and sound decode without an error"
else
	tap_not_ok "the synthetic media decode"
	head -5 "$tmp/dec.err" | sed 's/^/# /'
fi

timeout 20 rtmpdump -q -r "$url" --live --stop 3 -o "$tmp/dump.flv" \
    >"$tmp/rtmpdump.err" 2>&1
status=$?
dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 \
    "$tmp/dump.flv" 2>/dev/null)
if [ $status -eq 0 ] && [ -s "$tmp/dump.flv" ] &&
    python3 -c "import sys; sys.exit(not 2.5 <= float(sys.argv[1]) <= 3.5)" \
    "${dur:-0}"; then
	tap_ok "rtmpdump --live --stop 3 plays 3 s into an FLV ($dur s)"
else
	tap_not_ok "rtmpdump --live --stop 3 (status $status, duration $dur)"
	tail -3 "$tmp/rtmpdump.err" | sed 's/^/# /'
fi

tap_check "ffmpeg publishes 3 s to it" \
    timeout 20 ffmpeg -nostdin -loglevel error -re \
    -f lavfi -i testsrc2=size=320x240:rate=25 \
    -f lavfi -i sine=frequency=440:sample_rate=44100 \
    -c:v libx264 -preset ultrafast -g 25 -c:a aac -t 3 \
    -f flv "rtmp://127.0.0.1:$port/live/p"
sleep 0.3
if grep -q 'publish p ends.* [1-9][0-9]* video, [1-9][0-9]* audio messages' \
    "$tmp/main.err"; then
	tap_ok "the origin counted the publisher's audio and video"
else
	tap_not_ok "the origin counted the publisher's audio and video"
	grep 'publish' "$tmp/main.err" | sed 's/^/# /'
fi

pong=$(timeout 10 python3 "$tmp/pinger.py" "$port" 1 2>&1)
if [ "$pong" = pong ]; then
	tap_ok "a ping request is answered"
else
	tap_not_ok "a ping request is answered ($pong)"
fi

if [ $root = no ]; then
	for f in stall reject-connect stream-not-found slow-handshake \
	    no-ping-reply die garbage; do
		tap_skip "fault $f seen by rtmpscope -i lo" "live capture needs root"
	done
	tap_done
	exit
fi

# Bounded: every fault job ends with its rtmpscope --duration.
for j in $fault_jobs; do
	wait "$j"
done

python3 - "$tmp" "$tap_n" <<'PY'
import json, os, sys
tmp, n = sys.argv[1], int(sys.argv[2])
failed = 0

def check(ok, name, why=""):
    global n, failed
    n += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", n, name))
    if not ok:
        failed += 1
        for line in str(why).splitlines():
            print("# " + line)

def read(path):
    try:
        with open(os.path.join(tmp, path)) as f:
            return f.read()
    except OSError:
        return ""

def sessions(name):
    port = read(name + ".port").strip()
    try:
        doc = json.loads(read(name + ".json"))
    except ValueError:
        return [], "no report: " + read(name + ".scope")[-300:]
    mine = [s for s in doc.get("sessions", [])
            if s.get("server", "").endswith(":" + port)]
    return mine, json.dumps([(s.get("role"), s.get("problems"))
                             for s in mine])[:900]

def problems(ss, kind):
    return [p for s in ss for p in s.get("problems", [])
            if p.get("kind") == kind]

ss, why = sessions("stall")
st = [p for s in ss if s.get("role") == "play"
      for p in s.get("problems", []) if p.get("kind") == "stall"]
check(len(st) >= 1 and 3300 <= st[0].get("duration_ms", 0) <= 5500,
      "stall:4s@2s: a stall of about 4 s on the player session", why)

ss, why = sessions("reject")
check(problems(ss, "connect_rejected"),
      "reject-connect: connect_rejected", why)

ss, why = sessions("notfound")
check([p for p in problems(ss, "stream_error")
       if "NetStream.Play.StreamNotFound" in p.get("detail", "")],
      "stream-not-found: stream_error NetStream.Play.StreamNotFound", why)

ss, why = sessions("slow")
check(problems(ss, "handshake_failed"),
      "slow-handshake: handshake_failed (not done within 5 s)", why)

ss, why = sessions("noping")
check([p for p in problems(ss, "ping_timeout")
       if "12345" in p.get("detail", "")],
      "no-ping-reply: ping_timeout on the client's ping (3 s timeout)",
      why + "\npinger: " + read("noping.client"))

ss, why = sessions("die")
plays = [s for s in ss if s.get("role") == "play"]
check(plays and problems(plays, "abrupt_close") and
      read("die.after").strip() == "refused",
      "die:5s: the player's session ends abruptly, the port refuses",
      why + "\nafter: " + read("die.after"))

ss, why = sessions("garbage")
check(problems(ss, "malformed"), "garbage: malformed", why)
sys.exit(1 if failed else 0)
PY
faults_ok=$?
tap_done && [ $faults_ok -eq 0 ]
