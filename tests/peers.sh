# peers.sh — helpers for the scripts that run real peers on loopback
# (nginx-rtmp, the simulated origin, rtmpscope --listen, ffmpeg); source it
# after tap.sh (the bench scripts source it alone, as ../tests/peers.sh):
#
#   . "$(dirname "$0")/tap.sh"
#   . "$(dirname "$0")/peers.sh"
#
# It needs python3.  start_nginx also wants $tmp (the work directory) and
# $pids (the pids the script's cleanup kills), which work_dir makes; MODULE is the rtmp module
# nginx loads (the Debian/Ubuntu libnginx-mod-rtmp path unless set before).
# Nothing here prints TAP; every wait is bounded.

: "${MODULE:=/usr/lib/nginx/modules/ngx_rtmp_module.so}"

# work_dir NAME: $tmp, a new directory ${TMPDIR:-/tmp}/rtmpscope-NAME.XXXXXX,
# and $pids, empty, for the script's peers.  On exit every pid in $pids is
# killed (-9) and $tmp removed, or kept (and said, "# kept DIR") when
# KEEP_TMP is set; INT and TERM exit 1, through that.  It sets the EXIT,
# INT and TERM traps: for a script whose cleanup does no more than that.
work_dir() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/rtmpscope-$1.XXXXXX")
	pids=""
	trap peers_cleanup EXIT
	trap 'exit 1' INT TERM
}
peers_cleanup() {
	for _peers_p in $pids; do kill -9 "$_peers_p" 2>/dev/null; done
	if [ -n "${KEEP_TMP:-}" ]; then echo "# kept $tmp"; else rm -rf "$tmp"; fi
}

# free_ports N: N free TCP ports of 127.0.0.1, one a line.  They are bound
# all at once, so no two are the same; they are free again when it returns.
#   set -- $(free_ports 3); A=$1 B=$2 C=$3
free_ports() {
	python3 - "$1" <<'PY'
import socket, sys
ss = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss: s.bind(("127.0.0.1", 0))
print("\n".join(str(s.getsockname()[1]) for s in ss))
PY
}

# wait_port PORT [TENTHS]: until something accepts a connection on
# 127.0.0.1:PORT, at most TENTHS tries (50 unless given) some 0.1 s apart
# (each connect may take up to 0.2 s more).  Status 0 once it does, 1 if it
# never did.
wait_port() {
	python3 - "$1" "${2:-50}" <<'PY'
import socket, sys, time
port, tries = int(sys.argv[1]), int(sys.argv[2])
for _ in range(tries):
    try:
        socket.create_connection(("127.0.0.1", port), 0.2).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
PY
}

# wait_exit PID TENTHS: until PID has ended (kill -0 fails), at most
# TENTHS/10 s, polling every 0.1 s.  Signals nothing and does not reap it.
# Status 0 if it has ended, 1 if it is still there.
wait_exit() {
	_peers_n=0
	while kill -0 "$1" 2>/dev/null; do
		[ $_peers_n -lt "$2" ] || return 1
		sleep 0.1
		_peers_n=$((_peers_n + 1))
	done
	return 0
}

# stop PID [SIGNAL] [TENTHS]: send SIGNAL (TERM unless given) to PID, wait
# until it ends, at most TENTHS/10 s (100 unless given), then kill -9 it
# and reap it (PID must be a child of this shell for the reaping).  It is
# gone when this returns; the status says nothing.
stop() {
	kill -"${2:-TERM}" "$1" 2>/dev/null
	wait_exit "$1" "${3:-100}"
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# await PID TENTHS: let PID end by itself, at most TENTHS/10 s; then (or
# at once if it has ended) stop PID TERM 20.  For a peer with a run of its
# own (ffmpeg -t, a client with --seconds) that must not be cut short.
await() {
	wait_exit "$1" "$2"
	stop "$1" TERM 20
}

# origin_free_port NAME [ARG...]: rtmpscope --simulate-origin on a port
# of its own choosing (127.0.0.1:0), --duration 60 and the ARGs (--fault
# LIST), in the background: stdout $tmp/NAME.out, stderr $tmp/NAME.err.
# $orpid is its pid, added to $pids; $orport the port it says it took (its
# line "rtmpscope: simulated origin on 127.0.0.1:PORT"), waited for at most
# 5 s: empty, and status 1, if it never said.
origin_free_port() {
	_peers_name=$1
	shift
	"$RTMPSCOPE" --simulate-origin 127.0.0.1:0 --duration 60 "$@" \
	    >"$tmp/$_peers_name.out" 2>"$tmp/$_peers_name.err" &
	orpid=$!
	pids="$pids $orpid"
	orport=
	_peers_n=0
	while [ $_peers_n -lt 50 ]; do
		orport=$(sed -n 's/^rtmpscope: simulated origin on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' \
		    "$tmp/$_peers_name.out" 2>/dev/null)
		[ -z "$orport" ] || return 0
		sleep 0.1
		_peers_n=$((_peers_n + 1))
	done
	return 1
}

# start_nginx NAME PORT [EXTRA_APP_CONFIG [CONNECTIONS]]: an nginx-rtmp of
# its own prefix, $tmp/NAME, listening on 127.0.0.1:PORT with one
# application, live (live on; then EXTRA_APP_CONFIG, directives, if given).
# One process (daemon off, master_process off: SIGSTOP stops all of it),
# worker_connections CONNECTIONS (512 unless given; when given, also
# worker_rlimit_nofile twice that).  Its stderr is $tmp/NAME/stderr, its
# error log $tmp/NAME/logs/error.log.  It runs in the background and is not
# waited for (wait_port PORT): $ngpid is its pid, added to $pids.
start_nginx() {
	mkdir -p "$tmp/$1/logs"
	_peers_main=
	if [ -n "${4:-}" ]; then
		_peers_main="worker_rlimit_nofile $(($4 * 2));
"
	fi
	cat >"$tmp/$1/nginx.conf" <<CONF
load_module $MODULE;
daemon off;
master_process off;
${_peers_main}pid $tmp/$1/nginx.pid;
error_log $tmp/$1/logs/error.log;
events { worker_connections ${4:-512}; }
rtmp { server { listen 127.0.0.1:$2; chunk_size 4096;
    application live { live on;${3:+ $3} } } }
CONF
	nginx -p "$tmp/$1" -c "$tmp/$1/nginx.conf" 2>"$tmp/$1/stderr" &
	ngpid=$!
	pids="$pids $ngpid"
}
