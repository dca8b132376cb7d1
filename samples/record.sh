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
# Usage: samples/record.sh [OUTDIR [CAPTURE...]]
#   OUTDIR   where the captures go (default: the directory of this script)
#   CAPTURE  record only these (e.g. stall.pcap killed-player.pcap);
#            default: all of them
# Needs root (ip netns), nginx, libnginx-mod-rtmp, ffmpeg, rtmpdump, tcpdump.
# The captures differ from run to run (times, ports, encoder output); their
# structure (which peers, which chunk sizes, which messages, which faults)
# does not.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
[ $# -gt 0 ] && shift
wanted=" $* "
mkdir -p "$out"
out=$(cd "$out" && pwd)

# want CAPTURE — true when CAPTURE is to be recorded in this run
want() {
	[ "$wanted" = "  " ] || case "$wanted" in *" $1 "*) true ;; *) false ;; esac
}

module=${NGX_RTMP_MODULE:-/usr/lib/nginx/modules/ngx_rtmp_module.so}
port=1935
ns=rtmpscope-rec-$$
tmp=$(mktemp -d /tmp/rtmpscope-rec.XXXXXX)
pids=""

for tool in ip nginx ffmpeg rtmpdump tcpdump timeout pgrep; do
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
# Besides "live" the server has a video-on-demand application "vod" that plays
# files from an empty directory: every play there is NetStream.Play.StreamNotFound.
start_nginx() {
	mkdir -p "$tmp/nginx/logs" "$tmp/vod"
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
		application vod {
			play $tmp/vod;
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

# libpcap hands packets over a ring block at a time, a block once it is full
# or 1 s old, and tcpdump drops what is still in the ring when it is stopped:
# wait 2 s, or a session's last messages and its FINs are lost.  (Not
# --immediate-mode: with -s 0 its ring holds only 8 packets and drops bursts.)
stop_capture() {
	sleep 2
	kill -INT "$tcpdump_pid" 2>/dev/null || true
	wait "$tcpdump_pid" 2>/dev/null || true
	pids=$(echo "$pids" | sed "s/ $tcpdump_pid\$//; s/ $tcpdump_pid / /")
	mv "$tmp/cap.pcap" "$out/$capture_file"
	size=$(wc -c <"$out/$capture_file")
	packets=$(grep -o '^[0-9]* packets captured' "$tmp/tcpdump.log" || echo '? packets captured')
	echo "wrote $out/$capture_file ($size bytes, $packets)"
}

# url NAME — rtmp URL of stream NAME in application live, or of APP/NAME
url() {
	case $1 in
	*/*) echo "rtmp://127.0.0.1:$port/$1" ;;
	*) echo "rtmp://127.0.0.1:$port/live/$1" ;;
	esac
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
	    -f flv "$(url "$name")" &
	pub_pid=$!
	pids="$pids $pub_pid"
}

# play_ffmpeg NAME SECONDS — background, sets play_pid
play_ffmpeg() {
	$inns timeout "$((${2%.*} + 10))" ffmpeg -hide_banner -nostdin -loglevel error \
	    -analyzeduration 500000 -probesize 32768 -i "$(url "$1")" -t "$2" -c copy -f flv -y /dev/null &
	play_pid=$!
	pids="$pids $play_pid"
}

# play_rtmpdump NAME SECONDS — background, sets dump_pid.  rtmpdump's --stop
# counts stream time, so a timeout (SIGINT: rtmpdump closes cleanly) bounds it
# when the stream's timestamps do not start near zero.
play_rtmpdump() {
	$inns timeout -s INT "$(($2 + 2))" rtmpdump -q -r "$(url "$1")" \
	    -v -B "$2" -o /dev/null &
	dump_pid=$!
	pids="$pids $dump_pid"
}

# child_of PID — the pid of the program that timeout(1) PID runs: signals
# meant for the peer itself (STOP, CONT, KILL) go there, not to timeout.
child_of() {
	i=0
	until c=$(pgrep -P "$1"); do
		i=$((i + 1))
		[ $i -lt 50 ] || { echo "record.sh: no child of $1" >&2; exit 1; }
		sleep 0.1
	done
	echo "$c"
}

wait_all() {
	for p in "$@"; do
		wait "$p" 2>/dev/null || true
		pids=$(echo "$pids" | sed "s/ $p\$//; s/ $p / /")
	done
}

# 1. nginx chunk_size 4096: ffmpeg publishes 4 s; an ffmpeg player and an
#    rtmpdump player join after 1 s and play about 2 s each.
if want publish-play-cs4096.pcap; then
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
fi

# 2. nginx chunk_size 128: ffmpeg publishes 3 s and an ffmpeg player
#    plays 2 s; every message above 128 bytes is split into many chunks.
if want publish-cs128.pcap; then
	start_nginx 128
	start_capture publish-cs128.pcap
	publish small 3
	sleep 0.5
	play_ffmpeg small 1.5
	wait_all "$play_pid" "$pub_pid"
	stop_capture
	stop_nginx
fi

# 3. Extended timestamps: the publisher starts its clock at 16800 s, above
#    0xFFFFFF ms, after sequence headers at 0, so its first media message on
#    each chunk stream has a delta above 0xFFFFFF in the extended field; with
#    chunk_size 128 the first keyframe's fmt 3 continuation chunks repeat it.
#    An rtmpdump player joins after 1 s (fmt 0 headers, extended timestamps).
if want ext-timestamp.pcap; then
	start_nginx 128
	start_capture ext-timestamp.pcap
	publish ext 3 -output_ts_offset 16800
	sleep 1
	play_rtmpdump ext 1
	wait_all "$dump_pid" "$pub_pid"
	stop_capture
	stop_nginx
fi

# 4. nginx chunk_size 60000: whole video frames go out in one chunk, larger
#    than a TCP segment; ffmpeg publishes 3 s, rtmpdump plays 1.5 s.
if want cs60000.pcap; then
	start_nginx 60000
	start_capture cs60000.pcap
	publish big 3
	sleep 1
	play_rtmpdump big 1
	wait_all "$dump_pid" "$pub_pid"
	stop_capture
	stop_nginx
fi

# The captures below are for the session report (tests/report.sh): one
# healthy session pair, then one fault each, all with nginx chunk_size 4096.

# 5. Clean: ffmpeg publishes live/clean for 6 s, an ffmpeg player plays 4 s
#    from 0.5 s on.  What ffmpeg was asked for is what the report must find.
if want clean.pcap; then
	start_nginx 4096
	start_capture clean.pcap
	publish clean 6
	sleep 0.5
	play_ffmpeg clean 4
	wait_all "$play_pid" "$pub_pid"
	stop_capture
	stop_nginx
fi

# 6. Stall: ffmpeg publishes live/stall for 9 s of media, an ffmpeg player
#    joins after 0.5 s; 2 s in, the publisher is frozen with SIGSTOP for 5 s,
#    then resumed with SIGCONT.  With -re it then sends the 5 s it owes at
#    once and goes on for 2 s at its own pace: the gap is in capture time.
if want stall.pcap; then
	start_nginx 4096
	start_capture stall.pcap
	publish stall 9
	encoder=$(child_of "$pub_pid")
	sleep 0.5
	play_ffmpeg stall 8
	sleep 1.5
	kill -STOP "$encoder"
	sleep 5
	kill -CONT "$encoder"
	wait_all "$play_pid" "$pub_pid"
	stop_capture
	stop_nginx
fi

# 7. Connect rejected: ffmpeg publishes to, and rtmpdump plays from, an
#    application the server does not have (nosuchapp).  nginx-rtmp answers
#    connect by closing the connection (FIN), with no _error.
if want connect-rejected.pcap; then
	start_nginx 4096
	start_capture connect-rejected.pcap
	publish nosuchapp/x 2
	wait_all "$pub_pid"
	play_rtmpdump nosuchapp/x 1
	wait_all "$dump_pid"
	stop_capture
	stop_nginx
fi

# 8. Play of a missing stream: in "live" nginx answers NetStream.Play.Start
#    and waits for a publisher, so the players ask "vod", whose directory is
#    empty: onStatus NetStream.Play.StreamNotFound (level error), then the
#    players give up.  ffmpeg first, then rtmpdump.
if want play-missing.pcap; then
	start_nginx 4096
	start_capture play-missing.pcap
	play_ffmpeg vod/missing.flv 2
	wait_all "$play_pid"
	play_rtmpdump vod/missing.flv 2
	wait_all "$dump_pid"
	stop_capture
	stop_nginx
fi

# 9. Killed player: ffmpeg publishes live/kill for 4 s, an ffmpeg player
#    joins after 0.5 s and is killed with SIGKILL 1.5 s later; the kernel
#    closes its socket (FIN, or RST if unread data was left) with no
#    deleteStream and no closeStream.
if want killed-player.pcap; then
	start_nginx 4096
	start_capture killed-player.pcap
	publish kill 4
	sleep 0.5
	play_ffmpeg kill 3
	player=$(child_of "$play_pid")
	sleep 1.5
	kill -KILL "$player"
	wait_all "$play_pid" "$pub_pid"
	stop_capture
	stop_nginx
fi

echo "port $port"
