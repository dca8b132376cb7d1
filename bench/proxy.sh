#!/bin/sh
# bench/proxy.sh -- proxy mode: what the relay costs.  Not a test (CI does
# not run it); needs nginx + libnginx-mod-rtmp, ffmpeg (libx264, aac),
# python3 and haproxy (apt-get install -y haproxy).
#
#   throughput  one stream published as fast as it goes (ffmpeg -c copy of a
#               high-bitrate FLV, no -re) to nginx-rtmp: straight, through
#               rtmpscope --listen, through HAProxy in TCP mode.  Best of
#               RUNS; the relay's CPU time is read from /proc.
#   latency     an RTMP client (handshake, connect) timing createStream ->
#               _result round trips on each path; p50 and p99, and what the
#               proxies add to the straight path.
#   memory      1,000 clients through rtmpscope, handshake done, then idle:
#               rtmpscope's RSS before and after, per session.
#
# Targets (the issue): >= 90 % of the straight throughput, <= 1 ms p99
# added latency, < 100 KiB per idle session.
#
#   bench/proxy.sh [--quick]        BENCH_DIR (/tmp/rtmpscope-bench) keeps
#                                   the test file between runs
set -u
here=$(cd "$(dirname "$0")" && pwd)
RTMPSCOPE=${RTMPSCOPE:-$here/../rtmpscope}
BENCH_DIR=${BENCH_DIR:-/tmp/rtmpscope-bench}
. "$here/../tests/peers.sh"
RUNS=3
SECONDS_OF_VIDEO=120
PINGS=2000
IDLE=1000
if [ "${1:-}" = --quick ]; then
	RUNS=1 SECONDS_OF_VIDEO=10 PINGS=300 IDLE=200
fi

for tool in nginx ffmpeg python3 haproxy; do
	command -v $tool >/dev/null 2>&1 ||
	    { echo "bench/proxy.sh: needs $tool" >&2; exit 1; }
done
[ -x "$RTMPSCOPE" ] || { echo "bench/proxy.sh: no $RTMPSCOPE" >&2; exit 1; }
mkdir -p "$BENCH_DIR"
tmp=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

set -- $(free_ports 3)
NGINX=$1 SCOPE=$2 HAPROXY=$3

file=$BENCH_DIR/proxy-fast-$SECONDS_OF_VIDEO.flv
if [ ! -s "$file" ]; then
	echo "making $file (720p, 20 Mbit/s, $SECONDS_OF_VIDEO s: ~300 MB)"
	ffmpeg -nostdin -loglevel error -f lavfi \
	    -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=frequency=440 \
	    -t "$SECONDS_OF_VIDEO" -c:v libx264 -preset ultrafast -b:v 20M \
	    -maxrate 20M -bufsize 20M -g 60 -c:a aac -b:a 128k -f flv "$file"
fi
size=$(stat -c %s "$file")

start_nginx nginx "$NGINX" "" 4096
cat >"$tmp/scope.conf" <<CONF
[proxy]
max_connections = $((IDLE + 100))
idle_timeout_ms = 600000
CONF
"$RTMPSCOPE" --listen "127.0.0.1:$SCOPE" --backend "127.0.0.1:$NGINX" \
    -c "$tmp/scope.conf" --report=none --dump=none >"$tmp/scope.out" \
    2>"$tmp/scope.err" &
scope=$!
pids="$pids $scope"
cat >"$tmp/haproxy.cfg" <<CONF
global
    maxconn 8000
defaults
    mode tcp
    timeout connect 5s
    timeout client 600s
    timeout server 600s
listen rtmp
    bind 127.0.0.1:$HAPROXY
    server nginx 127.0.0.1:$NGINX
CONF
haproxy -db -f "$tmp/haproxy.cfg" >"$tmp/haproxy.log" 2>&1 &
pids="$pids $!"
wait_port "$NGINX" 100 && wait_port "$SCOPE" 100 && wait_port "$HAPROXY" 100 ||
    { echo "bench/proxy.sh: a server did not start" >&2; cat "$tmp/nginx/stderr" "$tmp/scope.err"; exit 1; }

cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

echo
echo "throughput: $((size / 1000000)) MB published as fast as it goes, best of $RUNS"
for path in straight:$NGINX rtmpscope:$SCOPE haproxy:$HAPROXY; do
	name=${path%%:*}
	port=${path#*:}
	best=""
	i=0
	c0=$(cpu_ticks "$scope")
	while [ $i -lt $RUNS ]; do
		t=$(python3 -c '
import subprocess, sys, time
t = time.monotonic()
subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-i", sys.argv[1],
    "-c", "copy", "-f", "flv", "rtmp://127.0.0.1:%s/live/fast" % sys.argv[2]],
    check=True)
print("%.3f" % (time.monotonic() - t))' "$file" "$port")
		best=$(python3 -c "print(min(float(x) for x in '$best $t'.split()))")
		i=$((i + 1))
	done
	c1=$(cpu_ticks "$scope")
	mbs=$(python3 -c "print('%.0f' % ($size / $best / 1e6))")
	eval "mbs_$name=$mbs"
	printf '  %-10s %6s MB/s  (%s s)' "$name" "$mbs" "$best"
	[ "$name" = rtmpscope ] &&
	    printf '  rtmpscope CPU %s s for %s runs' \
	    "$(python3 -c "print(($c1 - $c0) / 100)")" "$RUNS"
	echo
done
python3 -c "
s, r, h = $mbs_straight, $mbs_rtmpscope, $mbs_haproxy
print('  rtmpscope %.0f %% of straight (target >= 90 %%), haproxy %.0f %%' %
    (100 * r / s, 100 * h / s))"

echo
echo "latency: createStream -> _result round trips, $PINGS per path"
python3 - "$NGINX" "$SCOPE" "$HAPROXY" "$PINGS" <<'PY'
import os, socket, struct, sys, time

def amf_str(s):
    b = s.encode()
    return b"\x02" + struct.pack(">H", len(b)) + b

def amf_num(v):
    return b"\x00" + struct.pack(">d", v)

def command(body):
    # fmt 0 on csid 3, type 20, stream 0: bodies here are under 128 bytes.
    assert len(body) <= 128
    return (b"\x03" + b"\x00\x00\x00" + len(body).to_bytes(3, "big") +
            b"\x14" + b"\x00\x00\x00\x00" + body)

def read_until(s, needle):
    buf = b""
    while needle not in buf:
        chunk = s.recv(65536)
        if not chunk:
            raise EOFError
        buf += chunk
    return buf

def client(port):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(b"\x03" + bytes(8) + os.urandom(1528))
    got = b""
    while len(got) < 3073:
        got += s.recv(3073 - len(got))
    s.sendall(got[1:1537])
    obj = (b"\x03" + b"\x00\x03app" + amf_str("live") +
           b"\x00\x05tcUrl" + amf_str("rtmp://127.0.0.1/live") + b"\x00\x00\x09")
    s.sendall(command(amf_str("connect") + amf_num(1) + obj))
    read_until(s, b"_result")
    time.sleep(0.2)
    s.setblocking(False)
    try:
        while s.recv(65536):
            pass
    except BlockingIOError:
        pass
    s.setblocking(True)
    return s

def rounds(port, n):
    s = client(port)
    out = []
    for i in range(n):
        msg = command(amf_str("createStream") + amf_num(2 + i) + b"\x05")
        t = time.perf_counter()
        s.sendall(msg)
        read_until(s, b"_result")
        out.append((time.perf_counter() - t) * 1e6)
    s.close()
    out.sort()
    return out

def pct(v, p):
    return v[min(len(v) - 1, int(len(v) * p / 100))]

names = ("straight", "rtmpscope", "haproxy")
ports = [int(p) for p in sys.argv[1:4]]
n = int(sys.argv[4])
res = {}
for name, port in zip(names, ports):
    res[name] = rounds(port, n)
for name in names:
    v = res[name]
    line = "  %-10s p50 %6.0f us  p99 %6.0f us" % (name, pct(v, 50), pct(v, 99))
    if name != "straight":
        line += "   added: p50 %+5.0f us  p99 %+5.0f us" % (
            pct(v, 50) - pct(res["straight"], 50),
            pct(v, 99) - pct(res["straight"], 99))
    print(line)
PY

echo
echo "memory: $IDLE idle sessions through rtmpscope (handshake done)"
python3 - "$SCOPE" "$IDLE" "$scope" <<'PY'
import os, socket, sys, time

port, n, pid = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]

def rss_kib():
    for line in open("/proc/%s/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

time.sleep(0.5)
before = rss_kib()
socks = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"\x03" + bytes(8) + os.urandom(1528))
    socks.append(s)
for s in socks:
    got = b""
    while len(got) < 3073:
        got += s.recv(3073 - len(got))
    s.sendall(got[1:1537])
time.sleep(1.0)
after = rss_kib()
print("  rtmpscope RSS %d KiB before, %d KiB with %d sessions: %.1f KiB per "
      "session (target < 100)" % (before, after, n, (after - before) / n))
for s in socks:
    s.close()
PY
kill -TERM "$scope"
n=0
while kill -0 "$scope" 2>/dev/null && [ $n -lt 150 ]; do sleep 0.1; n=$((n + 1)); done
grep "proxy:" "$tmp/scope.err" | sed 's/^/  /'
