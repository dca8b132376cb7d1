#!/bin/sh
# record.sh — re-record the bundled sample captures from real peers.
#
# Everything happens inside a private network namespace whose loopback has
# an Ethernet MTU (1500) and no GSO/TSO super-packets, so the TCP segments in
# the captures have the sizes a real LAN would give them (MSS 1448).
# Peers: nginx + libnginx-mod-rtmp (server), ffmpeg (publisher and player),
# rtmpdump (player, librtmp).  The RTMP port is always 1935, the default port
# rtmpscope decodes.
#
# Usage: samples/record.sh [OUTDIR]      (default: the directory of this script)
# Needs root (ip netns), nginx, libnginx-mod-rtmp, ffmpeg, rtmpdump, tcpdump.
# The captures differ from run to run (times, ports, encoder output); their
# structure (which peers, which chunk sizes, which messages) does not.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
mkdir -p "$out"
out=$(cd "$out" && pwd)

module=${NGX_RTMP_MODULE:-/usr/lib/nginx/modules/ngx_rtmp_module.so}
port=1935
ns=rtmpscope-rec-$$
tmp=$(mktemp -d /tmp/rtmpscope-rec.XXXXXX)
pids=""

for tool in ip nginx ffmpeg rtmpdump tcpdump timeout; do
	command -v "$tool" >/dev/null 2>&1 || { echo "record.sh: $tool not found" >&2; exit 1; }
done
[ -r "$module" ] || { echo "record.sh: $module not found (libnginx-mod-rtmp)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "record.sh: needs root for ip netns" >&2; exit 1; }

cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null || true
	done
	for p in $pids; do
		wait "$p" 2>/dev/null || true
	done
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# Background jobs are started as "ip netns exec NS CMD &" (never through a
# shell function), so that $! is the pid of CMD itself: ip execs it.
inns="ip netns exec $ns"

ip netns add "$ns"
ip -n "$ns" link set lo up mtu 1500
# One MSS per packet on the wire: no 64 KB GSO super-segments in the capture.
ip -n "$ns" link set lo gso_max_size 1500 gso_max_segs 1 2>/dev/null || true

# start_nginx CHUNK_SIZE [EXTRA_APP_DIRECTIVES]
start_nginx() {
	mkdir -p "$tmp/nginx/logs"
	cat >"$tmp/nginx/nginx.conf" <<EOF
load_module $module;
daemon off;
master_process off;
worker_processes 1;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log info;
events { worker_connections 64; }
rtmp {
	server {
		listen 127.0.0.1:$port;
		chunk_size $1;
		application live {
			live on;
			${2:-}
		}
	}
}
EOF
	$inns nginx -p "$tmp/nginx/" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/logs/error.log" &
	nginx_pid=$!
	pids="$pids $nginx_pid"
	i=0
	until $inns ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; do
		i=$((i + 1))
		[ $i -lt 50 ] || { echo "record.sh: nginx did not start" >&2; cat "$tmp/nginx/logs/error.log" >&2; exit 1; }
		sleep 0.1
	done
}

stop_nginx() {
	kill "$nginx_pid" 2>/dev/null || true
	wait "$nginx_pid" 2>/dev/null || true
	pids=$(echo "$pids" | sed "s/ $nginx_pid\$//; s/ $nginx_pid / /")
}

# start_capture FILE
start_capture() {
	$inns tcpdump -Z root -i lo -U -s 0 -w "$tmp/cap.pcap" "tcp port $port" 2>"$tmp/tcpdump.log" &
	tcpdump_pid=$!
	pids="$pids $tcpdump_pid"
	i=0
	until grep -q "listening on" "$tmp/tcpdump.log" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 50 ] || { echo "record.sh: tcpdump did not start" >&2; cat "$tmp/tcpdump.log" >&2; exit 1; }
		sleep 0.1
	done
	capture_file=$1
}

stop_capture() {
	sleep 0.5 # let the last FIN/ACKs through
	kill -INT "$tcpdump_pid" 2>/dev/null || true
	wait "$tcpdump_pid" 2>/dev/null || true
	pids=$(echo "$pids" | sed "s/ $tcpdump_pid\$//; s/ $tcpdump_pid / /")
	mv "$tmp/cap.pcap" "$out/$capture_file"
	size=$(wc -c <"$out/$capture_file")
	packets=$(grep -o '^[0-9]* packets captured' "$tmp/tcpdump.log" || echo '? packets captured')
	echo "wrote $out/$capture_file ($size bytes, $packets)"
}

# publish NAME SECONDS [EXTRA_OUTPUT_OPTIONS] — runs in the background, sets pub_pid
publish() {
	name=$1 secs=$2
	shift 2
	$inns timeout 30 ffmpeg -hide_banner -nostdin -loglevel error -re \
	    -f lavfi -i "testsrc2=size=320x240:rate=15" \
	    -f lavfi -i "sine=frequency=440:sample_rate=44100" \
	    -c:v libx264 -preset ultrafast -tune zerolatency -g 15 -b:v 150k \
	    -maxrate 150k -bufsize 150k -threads 1 \
	    -c:a aac -b:a 32k -ac 1 -t "$secs" "$@" \
	    -f flv "rtmp://127.0.0.1:$port/live/$name" &
	pub_pid=$!
	pids="$pids $pub_pid"
}

# play_ffmpeg NAME SECONDS — background, sets play_pid
play_ffmpeg() {
	$inns timeout 10 ffmpeg -hide_banner -nostdin -loglevel error \
	    -analyzeduration 500000 -probesize 32768 -i "rtmp://127.0.0.1:$port/live/$1" -t "$2" -c copy -f flv -y /dev/null &
	play_pid=$!
	pids="$pids $play_pid"
}

# play_rtmpdump NAME SECONDS — background, sets dump_pid.  rtmpdump's --stop
# counts stream time, so a timeout (SIGINT: rtmpdump closes cleanly) bounds it
# when the stream's timestamps do not start near zero.
play_rtmpdump() {
	$inns timeout -s INT "$(($2 + 2))" rtmpdump -q -r "rtmp://127.0.0.1:$port/live/$1" \
	    -v -B "$2" -o /dev/null &
	dump_pid=$!
	pids="$pids $dump_pid"
}

wait_all() {
	for p in "$@"; do
		wait "$p" 2>/dev/null || true
		pids=$(echo "$pids" | sed "s/ $p\$//; s/ $p / /")
	done
}

# 1. nginx chunk_size 4096: ffmpeg publishes 4 s; an ffmpeg player and an
#    rtmpdump player join after 1 s and play about 2 s each.
start_nginx 4096
start_capture publish-play-cs4096.pcap
publish cam 4
sleep 1
play_ffmpeg cam 2
p1=$play_pid
play_rtmpdump cam 2
wait_all "$p1" "$dump_pid" "$pub_pid"
stop_capture
stop_nginx

# 2. nginx chunk_size 128: ffmpeg publishes 3 s and an ffmpeg player
#    plays 2 s; every message above 128 bytes is split into many chunks.
start_nginx 128
start_capture publish-cs128.pcap
publish small 3
sleep 0.5
play_ffmpeg small 1.5
wait_all "$play_pid" "$pub_pid"
stop_capture
stop_nginx

# 3. Extended timestamps: the publisher starts its clock at 16800 s, above
#    0xFFFFFF ms, after sequence headers at 0, so its first media message on
#    each chunk stream has a delta above 0xFFFFFF in the extended field; with
#    chunk_size 128 the first keyframe's fmt 3 continuation chunks repeat it.
#    An rtmpdump player joins after 1 s (fmt 0 headers, extended timestamps).
start_nginx 128
start_capture ext-timestamp.pcap
publish ext 3 -output_ts_offset 16800
sleep 1
play_rtmpdump ext 1
wait_all "$dump_pid" "$pub_pid"
stop_capture
stop_nginx

# 4. nginx chunk_size 60000: whole video frames go out in one chunk, larger
#    than a TCP segment; ffmpeg publishes 3 s, rtmpdump plays 1.5 s.
start_nginx 60000
start_capture cs60000.pcap
publish big 3
sleep 1
play_rtmpdump big 1
wait_all "$dump_pid" "$pub_pid"
stop_capture
stop_nginx

echo "port $port"
