#!/bin/bash
# record.sh -- record a large capture of real RTMP traffic at line rate.
#
# Inside a private network namespace (loopback with an Ethernet MTU of 1500
# and GSO capped at the MTU, so segments look like they would on a wire),
# start nginx-rtmp, then let several ffmpeg publishers push a short H.264+AAC
# FLV as fast as the server takes it (-stream_loop, -c copy, no -re) while one
# or more ffmpeg players pull a stream back, and tcpdump records all of it.
#
# The capture goes outside the repository and is reused unless --rerecord.
# A sidecar FILE.info records how it was made, including tcpdump's drops.
#
# Needs root, nginx + libnginx-mod-rtmp, ffmpeg (libx264, aac), tcpdump,
# iproute2.  See bench/README.
set -eu

PROG=${0##*/}
BENCH_DIR=${BENCH_DIR:-/tmp/rtmpscope-bench}
OUT=${BENCH_PCAP:-$BENCH_DIR/big.pcap}
SIZE_MB=${BENCH_SIZE_MB:-400}
PUBLISHERS=${BENCH_PUBLISHERS:-3}
PLAYERS=${BENCH_PLAYERS:-1}
MAX_SECONDS=${BENCH_MAX_SECONDS:-600}
ALLOW_DROPS=${BENCH_ALLOW_DROPS:-0}
# tcpdump's kernel ring, KiB.  At line rate on a 2-core machine 64 MiB was
# not enough (about 15% dropped on 400 MB); memory is cheap here.
TCPDUMP_BUFFER_KB=${BENCH_TCPDUMP_BUFFER_KB:-524288}
RTMP_MODULE=${RTMP_MODULE:-/usr/lib/nginx/modules/ngx_rtmp_module.so}
PORT=1935
RERECORD=0
# Capture bytes per byte of FLV sent: Ethernet/IP/TCP headers (66 per
# 1448-byte segment), pcap record headers, ACKs.  Measured ~1.08-1.10.
OVERHEAD=1.09

usage() {
	cat <<EOF
usage: $PROG [--size MB] [--out FILE] [--publishers N] [--players N] [--rerecord]

  --size MB        approximate capture size (default $SIZE_MB; env BENCH_SIZE_MB)
  --out FILE       capture path (default $OUT; env BENCH_PCAP)
  --publishers N   ffmpeg publishers, 1-8 (default $PUBLISHERS; env BENCH_PUBLISHERS)
  --players N      ffmpeg players, 0-N publishers (default $PLAYERS; env BENCH_PLAYERS)
  --rerecord       record again even if FILE exists

Other env: BENCH_DIR (cache of the source FLV, default $BENCH_DIR),
BENCH_MAX_SECONDS (hard stop, default $MAX_SECONDS), BENCH_ALLOW_DROPS=1
(keep a capture even if tcpdump dropped packets), BENCH_TCPDUMP_BUFFER_KB
(tcpdump -B, default $TCPDUMP_BUFFER_KB).
EOF
}

die() {
	echo "$PROG: $*" >&2
	exit 1
}

log() {
	echo "$PROG: $*" >&2
}

while [ $# -gt 0 ]; do
	case $1 in
	--size)		[ $# -ge 2 ] || die "--size needs a value"; SIZE_MB=$2; shift ;;
	--size=*)	SIZE_MB=${1#*=} ;;
	--out)		[ $# -ge 2 ] || die "--out needs a value"; OUT=$2; shift ;;
	--out=*)	OUT=${1#*=} ;;
	--publishers)	[ $# -ge 2 ] || die "--publishers needs a value"; PUBLISHERS=$2; shift ;;
	--publishers=*)	PUBLISHERS=${1#*=} ;;
	--players)	[ $# -ge 2 ] || die "--players needs a value"; PLAYERS=$2; shift ;;
	--players=*)	PLAYERS=${1#*=} ;;
	--rerecord)	RERECORD=1 ;;
	-h|--help)	usage; exit 0 ;;
	*)		usage >&2; exit 2 ;;
	esac
	shift
done

case $SIZE_MB in ''|*[!0-9]*) die "--size must be a whole number of MB" ;; esac
case $PUBLISHERS in [1-8]) ;; *) die "--publishers must be 1-8" ;; esac
case $PLAYERS in ''|*[!0-9]*) die "--players must be a number" ;; esac
[ "$PLAYERS" -le "$PUBLISHERS" ] || die "--players must not exceed --publishers"
[ "$SIZE_MB" -ge 1 ] || die "--size must be at least 1"

if [ -s "$OUT" ] && [ "$RERECORD" = 0 ]; then
	log "reusing $OUT ($(($(stat -c %s "$OUT") / 1048576)) MiB; --rerecord to record again)"
	exit 0
fi

[ "$(id -u)" = 0 ] || die "must run as root (network namespace, tcpdump)"
for c in ip nginx ffmpeg tcpdump timeout; do
	command -v "$c" >/dev/null 2>&1 || die "missing command: $c"
done
[ -f "$RTMP_MODULE" ] || die "missing nginx rtmp module: $RTMP_MODULE (apt-get install libnginx-mod-rtmp)"

mkdir -p "$BENCH_DIR" "$(dirname "$OUT")"

# --- the source: 10 s of 1280x720 30 fps H.264 (~4 Mbit/s) + AAC, made once.
SRC=$BENCH_DIR/src-720p30-10s.flv
if [ ! -s "$SRC" ]; then
	log "encoding source $SRC (once)"
	ffmpeg -nostdin -hide_banner -loglevel error -y \
	    -f lavfi -i testsrc2=size=1280x720:rate=30 \
	    -f lavfi -i sine=frequency=440:sample_rate=44100 \
	    -t 10 -c:v libx264 -preset veryfast -pix_fmt yuv420p \
	    -b:v 4M -minrate 4M -maxrate 4M -bufsize 4M -x264-params nal-hrd=cbr \
	    -g 60 -c:a aac -b:a 128k -f flv "$SRC.tmp" ||
	    die "ffmpeg could not encode the source"
	mv "$SRC.tmp" "$SRC"
fi
SRC_BYTES=$(stat -c %s "$SRC")

# Each publisher sends the file (loops) times; each player receives one
# publisher's stream once more.
STREAMS=$((PUBLISHERS + PLAYERS))
LOOPS=$(awk -v t="$SIZE_MB" -v s="$SRC_BYTES" -v n="$STREAMS" -v o="$OVERHEAD" \
    'BEGIN { l = int(t * 1048576 / (s * n * o) + 0.5); if (l < 1) l = 1; print l }')
CAP_BYTES=$((SIZE_MB * 1048576 * 2 + 16 * 1048576))	# safety stop

# --- everything below is torn down by cleanup().
NS=rtmpscope-bench-$$
WORK=$(mktemp -d /tmp/rtmpscope-bench-run.XXXXXX)
PIDS=""
TCPDUMP_PID=""
NS_MADE=0

cleanup() {
	local rc=$? p n
	trap - EXIT INT TERM
	for p in $PIDS $TCPDUMP_PID; do
		kill -TERM "$p" 2>/dev/null || true
	done
	if [ -s "$WORK/nginx.pid" ]; then
		kill -TERM "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
	fi
	for p in $PIDS $TCPDUMP_PID; do
		n=0
		while kill -0 "$p" 2>/dev/null && [ $n -lt 30 ]; do
			sleep 0.1; n=$((n + 1))
		done
		kill -KILL "$p" 2>/dev/null || true
	done
	if [ -s "$WORK/nginx.pid" ]; then
		p=$(cat "$WORK/nginx.pid"); n=0
		while kill -0 "$p" 2>/dev/null && [ $n -lt 30 ]; do
			sleep 0.1; n=$((n + 1))
		done
		kill -KILL "$p" 2>/dev/null || true
	fi
	if [ "$NS_MADE" = 1 ]; then
		ip netns del "$NS" 2>/dev/null || true
	fi
	rm -f "$OUT.tmp"
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ip netns add "$NS" || die "ip netns add failed"
NS_MADE=1
ip -n "$NS" link set lo up mtu 1500
# Without this, loopback passes 64 KB GSO super-packets and tcpdump sees
# those instead of MTU-sized segments.
ip -n "$NS" link set lo gso_max_size 1500 2>/dev/null ||
    log "warning: cannot cap GSO on lo; captured segments may exceed the MTU"
# Not for background jobs: "$!" of a backgrounded function is a subshell.
nsexec() { ip netns exec "$NS" "$@"; }

cat >"$WORK/nginx.conf" <<EOF
daemon on;
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/error.log warn;
load_module $RTMP_MODULE;
events { worker_connections 256; }
rtmp {
	server {
		listen 127.0.0.1:$PORT;
		chunk_size 4096;
		application live { live on; }
	}
}
EOF
nsexec nginx -p "$WORK" -e "$WORK/error.log" -c "$WORK/nginx.conf" ||
    die "nginx failed to start: $(tail -n 5 "$WORK/error.log" 2>/dev/null)"
n=0
until nsexec bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" 2>/dev/null; do
	n=$((n + 1))
	[ $n -lt 50 ] || die "nginx-rtmp does not listen on 127.0.0.1:$PORT"
	sleep 0.1
done
# That probe was a real TCP connection; it happens before tcpdump starts.

log "recording ~$SIZE_MB MB: $PUBLISHERS publishers x $LOOPS plays of $SRC ($SRC_BYTES bytes), $PLAYERS players"
START=$(date +%s.%N)
# -Z root: tcpdump would otherwise open the output file as user tcpdump.
ip netns exec "$NS" tcpdump -i lo -s 0 -B "$TCPDUMP_BUFFER_KB" -Z root -w "$OUT.tmp" "tcp port $PORT" \
    2>"$WORK/tcpdump.err" &
TCPDUMP_PID=$!
n=0
until grep -q "listening on" "$WORK/tcpdump.err" 2>/dev/null; do
	n=$((n + 1))
	kill -0 "$TCPDUMP_PID" 2>/dev/null || die "tcpdump failed: $(cat "$WORK/tcpdump.err")"
	[ $n -lt 100 ] || die "tcpdump did not start"
	sleep 0.1
done

PLAYER_PIDS=""
i=0
while [ $i -lt "$PLAYERS" ]; do
	ip netns exec "$NS" ffmpeg -nostdin -hide_banner -loglevel error \
	    -i "rtmp://127.0.0.1:$PORT/live/s$i" -c copy -f null - \
	    >"$WORK/player$i.log" 2>&1 &
	PLAYER_PIDS="$PLAYER_PIDS $!"
	i=$((i + 1))
done
PIDS="$PLAYER_PIDS"
[ "$PLAYERS" -gt 0 ] && sleep 0.5	# let players connect and ask to play first

PUB_PIDS=""
i=0
while [ $i -lt "$PUBLISHERS" ]; do
	# nice: tcpdump must win the CPU, or the kernel drops packets.
	ip netns exec "$NS" nice -n 10 ffmpeg -nostdin -hide_banner -loglevel error \
	    -stream_loop $((LOOPS - 1)) -i "$SRC" -c copy \
	    -f flv "rtmp://127.0.0.1:$PORT/live/s$i" \
	    >"$WORK/publisher$i.log" 2>&1 &
	PUB_PIDS="$PUB_PIDS $!"
	i=$((i + 1))
done
PIDS="$PIDS $PUB_PIDS"

# Wait for the publishers, bounded in time and in capture size.
STOPPED=""
n=0
while :; do
	alive=0
	for p in $PUB_PIDS; do
		kill -0 "$p" 2>/dev/null && alive=1
	done
	[ $alive = 1 ] || break
	sz=$(stat -c %s "$OUT.tmp" 2>/dev/null || echo 0)
	if [ "$sz" -gt "$CAP_BYTES" ]; then
		STOPPED="size cap"; break
	fi
	if [ $n -ge $((MAX_SECONDS * 5)) ]; then
		STOPPED="time limit ${MAX_SECONDS}s"; break
	fi
	sleep 0.2; n=$((n + 1))
done
if [ -n "$STOPPED" ]; then
	log "warning: stopping publishers early ($STOPPED)"
	for p in $PUB_PIDS; do kill -TERM "$p" 2>/dev/null || true; done
fi
PUB_FAIL=0
i=0
for p in $PUB_PIDS; do
	if ! wait "$p"; then
		[ -n "$STOPPED" ] || { log "publisher $i failed:"; tail -n 5 "$WORK/publisher$i.log" >&2; PUB_FAIL=1; }
	fi
	i=$((i + 1))
done

# Players do not notice the end of a live stream; give them a moment to
# drain, then stop them (ffmpeg closes cleanly on SIGTERM as on SIGINT).
# SIGINT is no use here: background jobs of a script start with it ignored.
sleep 1
for p in $PLAYER_PIDS; do kill -TERM "$p" 2>/dev/null || true; done
for p in $PLAYER_PIDS; do
	n=0
	while kill -0 "$p" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
	kill -KILL "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
done
PIDS=""
# Stop nginx while tcpdump still runs, so the server's closes are captured.
NGINX_PID=$(cat "$WORK/nginx.pid")
kill -QUIT "$NGINX_PID" 2>/dev/null || true
n=0
while kill -0 "$NGINX_PID" 2>/dev/null && [ $n -lt 50 ]; do
	sleep 0.1; n=$((n + 1))
done
sleep 0.3
kill -TERM "$TCPDUMP_PID" 2>/dev/null || true
wait "$TCPDUMP_PID" || true
TCPDUMP_PID=""
END=$(date +%s.%N)

[ "$PUB_FAIL" = 0 ] || die "a publisher failed; see above"
CAPTURED=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured.*/\1/p' "$WORK/tcpdump.err")
DROPPED=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' "$WORK/tcpdump.err")
[ -n "$DROPPED" ] || die "cannot read tcpdump's drop count: $(cat "$WORK/tcpdump.err")"
BYTES=$(stat -c %s "$OUT.tmp")
SECS=$(awk -v a="$START" -v b="$END" 'BEGIN { printf "%.1f", b - a }')
log "captured $CAPTURED packets, $((BYTES / 1048576)) MiB in ${SECS}s; dropped by kernel: $DROPPED"
if [ "$DROPPED" != 0 ] && [ "$ALLOW_DROPS" != 1 ]; then
	die "tcpdump dropped $DROPPED packets; try fewer --publishers, a larger BENCH_TCPDUMP_BUFFER_KB, or BENCH_ALLOW_DROPS=1"
fi
mv "$OUT.tmp" "$OUT"
cat >"$OUT.info" <<EOF
recorded: $(date -u +%Y-%m-%dT%H:%M:%SZ)
bytes: $BYTES
packets: $CAPTURED
dropped_by_kernel: $DROPPED
seconds: $SECS
publishers: $PUBLISHERS
players: $PLAYERS
plays_per_publisher: $LOOPS
source: $SRC ($SRC_BYTES bytes)
stopped_early: ${STOPPED:-no}
EOF
log "wrote $OUT (details in $OUT.info)"
