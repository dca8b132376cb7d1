#!/bin/sh
# ui.sh — the dashboard, driven in tmux as a person would: start it on a
# capture, wait for it to draw, press keys, read the screen back with
# tmux capture-pane, and check what it shows.  Also that it gives the
# terminal back (echo and canonical mode on, the alternate screen left)
# when it quits, when it is sent SIGTERM, and when it crashes (SIGSEGV).
#
# Every wait is bounded (WAIT seconds).  tmux runs on a private socket,
# killed on exit.  Needs tmux (apt-get install -y tmux).

. "$(dirname "$0")/tap.sh"

command -v tmux >/dev/null 2>&1 || tap_skip_all "tmux not installed"
[ -x "$RTMPSCOPE" ] || tap_skip_all "no rtmpscope binary at $RTMPSCOPE"

WAIT=${WAIT:-10}
sock="rtmpscope-ui-$$"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rtmpscope-ui.XXXXXX")
trap 'tmux -L "$sock" kill-server >/dev/null 2>&1; rm -rf "$tmp"' EXIT
tm() {
	tmux -L "$sock" -f /dev/null "$@"
}

# A UTF-8 locale if there is one; the checks only look at ASCII.
loc=C
locale -a 2>/dev/null | grep -qi '^c\.utf-\?8$' && loc=C.UTF-8

# start NAME WIDTH HEIGHT CAPTURE — the dashboard in a new tmux session;
# when it exits the pane shows EXIT=status and the terminal's modes.
start() {
	cat >"$tmp/$1.sh" <<EOF
LC_ALL=$loc; export LC_ALL
"$RTMPSCOPE" -r "$4"
echo "EXIT=\$?"
stty -a | tr ' ;' '\n\n' | grep -x -e echo -e icanon | tr '\n' ' '
echo MODES
sleep 600
EOF
	tm new-session -d -s "$1" -x "$2" -y "$3" "sh $tmp/$1.sh"
}

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

# wait_gone NAME PATTERN — until the screen no longer shows PATTERN.
wait_gone() {
	_n=0
	while [ "$_n" -lt $((WAIT * 10)) ]; do
		screen "$1" | grep -Eq -- "$2" || return 0
		sleep 0.1
		_n=$((_n + 1))
	done
	tap_diag "timed out waiting for /$2/ to go, on:"
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

# The widest line in characters (not bytes: the screen has UTF-8).
widest() {
	screen "$1" | perl -CSD -ne 'chomp; $w = length if length > $w;
	    END { print $w + 0 }'
}

# The terminal's modes as the shell found them after the dashboard.
sane() {
	wait_for "$1" 'MODES' && screen "$1" | grep -Eq '(^| )echo ' &&
	    screen "$1" | grep -Eq '(^| )icanon '
}

cap="$SRCDIR/samples/publish-play-cs4096.pcap"
start a 160 45 "$cap"

if wait_for a 'live/cam +publish' && wait_for a 'live/cam +play'; then
	tap_ok "publish and play rows of live/cam"
else
	tap_not_ok "publish and play rows of live/cam"
fi
tap_check "the header counts 3 sessions" wait_for a '3 sessions'
tap_check "the file is read to the end" wait_for a 'read to the end'

keys a /
tap_check "/ opens the filter prompt" wait_for a 'filter: '
keys a 3 4 5 6 6 Enter
if wait_gone a '127\.0\.0\.1:34560' && screen a | grep -q '127\.0\.0\.1:34566' &&
    wait_for a 'filter "34566": 1 shown'; then
	tap_ok "the filter narrows the list to one session"
else
	tap_not_ok "the filter narrows the list to one session"
fi
keys a Escape
tap_check "Esc clears the filter" wait_for a '127\.0\.0\.1:34560'

keys a Home Down Enter
if wait_for a 'Session 2 ' && wait_for a 'Log: ' &&
    wait_for a 's2c csid [0-9]+ fmt' && wait_for a 'Ladder: ' &&
    wait_for a 'C0\+C1'; then
	tap_ok "Enter opens the session: its log lines and its ladder"
else
	tap_not_ok "Enter opens the session: its log lines and its ladder"
fi
keys a p
tap_check "p pauses the log" wait_for a 'Log: PAUSED'
keys a End z
tap_check "z zooms the log" wait_for a 'Log: [0-9]+ latest messages, following'
keys a z Tab
keys a Escape
tap_check "Esc goes back to the sessions" wait_for a 'APP/STREAM'

tm resize-window -t a -x 80 -y 24 2>/dev/null ||
    tm resize-pane -t a -x 80 -y 24
if wait_for a 'live/cam' && [ "$(widest a)" -le 80 ] &&
    ! screen a | grep -q 'EXIT='; then
	tap_ok "at 80x24 it redraws to fit"
else
	tap_not_ok "at 80x24 it redraws to fit (widest line $(widest a))"
fi
keys a Enter
tap_check "the session screen at 80x24" wait_for a 'Session [0-9]+ '
keys a Escape
tm resize-window -t a -x 160 -y 45 2>/dev/null ||
    tm resize-pane -t a -x 160 -y 45
tap_check "back at 160x45, still running" wait_for a 'CODEC +SIZE +RTT +AGE'

keys a '?'
tap_check "? shows the help" wait_for a 'Everywhere'
keys a Escape
keys a e
tap_check "e shows the events" wait_for a 'No problems so far'
keys a Escape
tap_check "and Esc goes back" wait_for a 'APP/STREAM'

keys a q
tap_check "q quits with status 0" wait_for a 'EXIT=0'
if sane a &&
    ! screen a | grep -q 'APP/STREAM'; then
	tap_ok "the terminal is given back after q"
else
	tap_not_ok "the terminal is given back after q"
fi

# Problems: colours aside, the words.
start b 160 45 "$SRCDIR/samples/stall.pcap"
tap_check "a stalled session is warn stall" wait_for b 'warn +stall'
keys b e
tap_check "the events list the stalls" \
    wait_for b 'warn +stall .*live/stall +no audio or video'
keys b Enter
tap_check "Enter on an event opens its session" wait_for b 'Session [12] '
pid=$(dash_pid b)
[ -n "$pid" ] && kill -TERM "$pid"
if wait_for b 'EXIT=0' && sane b; then
	tap_ok "SIGTERM quits cleanly and gives the terminal back"
else
	tap_not_ok "SIGTERM quits cleanly and gives the terminal back"
fi

start c 100 30 "$SRCDIR/samples/killed-player.pcap"
tap_check "a killed player is bad abrupt_close" \
    wait_for c 'bad +abrupt_close'
pid=$(dash_pid c)
[ -n "$pid" ] && kill -SEGV "$pid"
if wait_for c 'EXIT=139' && sane c; then
	tap_ok "a crash (SIGSEGV) gives the terminal back"
else
	tap_not_ok "a crash (SIGSEGV) gives the terminal back"
fi

tap_plan "$tap_n"
tap_done
