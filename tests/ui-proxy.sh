#!/bin/sh
# ui-proxy.sh — the dashboard of proxy mode, driven in tmux: rtmpscope
# --listen relays to two simulated origins (rtmpscope --simulate-origin,
# which streams synthetic media to players) and to a port where nothing
# listens; ffmpeg plays through it.  Checks that the sessions screen names
# the backend in the SERVER column, that b opens the Backends screen with
# the live backends up and the dead one down, that it fits 80 columns,
# that SIGHUP does not close the dashboard, that r on a player's row moves
# it to the other origin and that the Events screen (e) and the session
# screen list that redirect, and that q quits with status 0.
#
# Every process is started here and stopped by its pid; every wait is
# bounded (WAIT seconds).  tmux runs on a private socket, killed on exit.
# TAP.

. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/peers.sh"

command -v tmux >/dev/null 2>&1 || tap_skip_all "tmux not installed"
command -v python3 >/dev/null 2>&1 || tap_skip_all "python3 not installed"
command -v ffmpeg >/dev/null 2>&1 || tap_skip_all "no ffmpeg"
[ -x "$RTMPSCOPE" ] || tap_skip_all "no rtmpscope binary at $RTMPSCOPE"

WAIT=${WAIT:-10}
sock="rtmpscope-ui-proxy-$$"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rtmpscope-ui-proxy.XXXXXX")
pids=""
cleanup() {
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	tmux -L "$sock" kill-server >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
tm() {
	tmux -L "$sock" -f /dev/null "$@"
}

loc=C
locale -a 2>/dev/null | grep -qi '^c\.utf-\?8$' && loc=C.UTF-8

# Free ports, all different; DEAD stays unused.
set -- $(free_ports 4)
B=$1 DEAD=$2 P=$3 B2=$4

screen() {
	tm capture-pane -p -t "$1"
}

# wait_for NAME PATTERN — until the screen shows PATTERN (grep -E).
wait_for() {
	_n=0
	while [ "$_n" -lt $((WAIT * 10)) ]; do
		screen "$1" | grep -Eq -- "$2" && return 0
		sleep 0.1
		_n=$((_n + 1))
	done
	tap_diag "timed out waiting for /$2/ on:"
	tap_diag "$(screen "$1")"
	return 1
}

keys() {
	_s=$1
	shift
	tm send-keys -t "$_s" "$@"
}

# The rtmpscope under the pane's shell.
dash_pid() {
	ps -o pid= --ppid "$(tm list-panes -t "$1" -F '#{pane_pid}')" |
	    tr -d ' ' | head -n 1
}

widest() {
	screen "$1" | perl -CSD -ne 'chomp; $w = length if length > $w;
	    END { print $w + 0 }'
}

"$RTMPSCOPE" --simulate-origin "127.0.0.1:$B" --duration 40 \
    >"$tmp/origin.out" 2>"$tmp/origin.err" &
pids="$pids $!"
origin=$!
# The second origin, where r moves a player.
"$RTMPSCOPE" --simulate-origin "127.0.0.1:$B2" --duration 40 \
    >"$tmp/origin2.out" 2>"$tmp/origin2.err" &
pids="$pids $!"
origin2=$!
wait_port "$B" $((WAIT * 10)) && wait_port "$B2" $((WAIT * 10)) || {
    tap_diag "$(cat "$tmp/origin.err" "$tmp/origin2.err")";
    tap_skip_all "the simulated origins did not start"; }

cat >"$tmp/p.sh" <<EOF
LC_ALL=$loc; export LC_ALL
"$RTMPSCOPE" --listen "127.0.0.1:$P" --backend "127.0.0.1:$B" \
    --backend "127.0.0.1:$DEAD" --backend "127.0.0.1:$B2" 2>"$tmp/p.err"
echo "EXIT=\$?"
sleep 30
EOF
tm new-session -d -s p -x 160 -y 40 "sh $tmp/p.sh"

tap_plan 14

tap_check "the dashboard opens on the listening address" \
    wait_for p "rtmpscope +127\.0\.0\.1:$P +live"
wait_port "$P" $((WAIT * 10)) || tap_diag "nothing listens on $P"

ffmpeg -nostdin -loglevel error -i "rtmp://127.0.0.1:$P/live/x" -t 6 \
    -c copy -f null - >/dev/null 2>&1 &
pids="$pids $!"
player=$!

if wait_for p "127\.0\.0\.1:$B +live/x"; then
	tap_ok "the session's SERVER is its backend's name"
else
	tap_not_ok "the session's SERVER is its backend's name"
fi

keys p b
tap_check "b opens the Backends screen" wait_for p '3 backends: 2 up, 1 down'
if wait_for p "^127\.0\.0\.1:$B +127\.0\.0\.1:$B +up " &&
    wait_for p "^127\.0\.0\.1:$B2 +127\.0\.0\.1:$B2 +up " &&
    wait_for p "^127\.0\.0\.1:$DEAD +127\.0\.0\.1:$DEAD +down"; then
	tap_ok "the live backends are up, the dead one down"
else
	tap_not_ok "the live backends are up, the dead one down"
fi
if wait_for p "^127\.0\.0\.1:$B .* [01]/[1-9][0-9]* .* [0-9.]+ (kB|MB|GB) " &&
    wait_for p "^127\.0\.0\.1:$DEAD .*(refused|connect)"; then
	tap_ok "sessions and bytes per backend, the dead one's last error"
else
	tap_not_ok "sessions and bytes per backend, the dead one's last error"
fi
screen p >"$tmp/backends-160.txt"

tm resize-window -t p -x 80 -y 24 2>/dev/null ||
    tm resize-pane -t p -x 80 -y 24
if wait_for p "^127\.0\.0\.1:$DEAD +down" && [ "$(widest p)" -le 80 ]; then
	tap_ok "the Backends screen fits 80 columns"
else
	tap_not_ok "the Backends screen fits 80 columns"
fi
tm resize-window -t p -x 160 -y 40 2>/dev/null

pid=$(dash_pid p)
[ -n "$pid" ] && kill -HUP "$pid"
sleep 0.5
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
    ! screen p | grep -q 'EXIT=' && wait_for p '3 backends'; then
	tap_ok "SIGHUP leaves the dashboard open (it is the reload's)"
else
	tap_not_ok "SIGHUP leaves the dashboard open (it is the reload's)"
fi

keys p b
tap_check "b again goes back to the sessions" wait_for p 'APP/STREAM'

# r: a second player, found with the filter, moved by hand to the other
# origin (the dead backend is down, so the pool gives the second origin).
ffmpeg -nostdin -loglevel error -i "rtmp://127.0.0.1:$P/live/moveme" \
    -t 20 -c copy -f null - >/dev/null 2>&1 &
pids="$pids $!"
player2=$!
keys p / m o v e m e Enter
desc="r moves the session under the cursor to the other origin"
if wait_for p "127\.0\.0\.1:$B +live/moveme +play +active"; then
	keys p r
	if wait_for p '^moving session [0-9]+' &&
	    wait_for p "127\.0\.0\.1:$B2 +live/moveme +play +active"; then
		tap_ok "$desc"
	else
		tap_not_ok "$desc"
	fi
else
	tap_not_ok "$desc"
fi
# From the first origin to the second, as "A -> B" (an arrow in UTF-8).
move="127\.0\.0\.1:$B (→|->) 127\.0\.0\.1:$B2"
keys p e
tap_check "e lists the redirect: warn, moved, from and to" wait_for p \
    "warn redirect .*live/moveme +$move manual, moved"
screen p >"$tmp/events.txt"
keys p Enter
tap_check "Enter on it opens the session, which lists the redirect" \
    wait_for p "redirect $move +manual, failover, moved"
tap_check "the session screen names its backend now" \
    wait_for p "backend +127\.0\.0\.1:$B2, 1 redirect"
screen p >"$tmp/session.txt"
stop "$player2" TERM 50
wait_for p "live/moveme +play +closed" >/dev/null
keys p r
tap_check "r on a session that cannot move says why in the key line" \
    wait_for p '^session [0-9]+: '

keys p q
tap_check "q quits with status 0" wait_for p '^EXIT=0'

stop "$player" TERM 50
stop "$player2" TERM 50
stop "$origin" TERM 50
stop "$origin2" TERM 50
tap_diag "the Backends screen at 160 columns:"
tap_diag "$(cat "$tmp/backends-160.txt")"
tap_diag "the Events screen after r:"
tap_diag "$(head -n 8 "$tmp/events.txt")"
tap_diag "the session screen after r:"
tap_diag "$(head -n 16 "$tmp/session.txt")"
tap_done
