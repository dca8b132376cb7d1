#!/bin/sh
# demo.sh — rtmpscope --demo, twice at once:
#
#  - `--demo --no-ui --duration 15 --report=json` (ports of its own
#    choosing): exit 0; the publisher and the three players are in the
#    report; every session that began on origin 1 has a redirect, outcome
#    moved, from origin 1 to origin 2, and ends on origin 2; the players
#    kept receiving media after the move (far more frames than the 6 s
#    before the stall give) with timestamps that never went back, and
#    ended on their own, not cut off; origin 2 received the publisher's
#    media;
#  - on a terminal (tmux, 160x45), with --listen and --http given: the
#    dashboard opens, shows the four sessions on origin 2 once they have
#    moved, the Events screen (e) lists their redirects, and q quits with
#    status 0.
#
# Every process is started here and stopped by its pid; every wait is
# bounded.  tmux runs on a private socket, killed on exit.  TAP.

. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/peers.sh"

command -v python3 >/dev/null 2>&1 || tap_skip_all "python3 not installed"
[ -x "$RTMPSCOPE" ] || tap_skip_all "no rtmpscope binary at $RTMPSCOPE"

DURATION=15
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rtmpscope-demo.XXXXXX")
sock="rtmpscope-demo-$$"
pids=""
have_tmux=false
command -v tmux >/dev/null 2>&1 && have_tmux=true
cleanup() {
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	$have_tmux && tmux -L "$sock" kill-server >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
tm() {
	tmux -L "$sock" -f /dev/null "$@"
}
screen() {
	tm capture-pane -p -t d
}
# wait_count SECONDS N PATTERN — until N lines of the screen match.
wait_count() {
	_n=0
	while [ "$_n" -lt $(($1 * 10)) ]; do
		[ "$(screen | grep -Ec -- "$3")" -eq "$2" ] && return 0
		sleep 0.1
		_n=$((_n + 1))
	done
	tap_diag "timed out waiting for $2 lines /$3/ on:"
	tap_diag "$(screen)"
	return 1
}
# wait_for SECONDS PATTERN — until the screen shows PATTERN (grep -E).
wait_for() {
	_n=0
	while [ "$_n" -lt $(($1 * 10)) ]; do
		screen | grep -Eq -- "$2" && return 0
		sleep 0.1
		_n=$((_n + 1))
	done
	tap_diag "timed out waiting for /$2/ on:"
	tap_diag "$(screen)"
	return 1
}

tap_plan 12

# The report run, in the background while the dashboard is looked at.
"$RTMPSCOPE" --demo --no-ui --duration "$DURATION" --report=json \
    >"$tmp/report.json" 2>"$tmp/demo.err" &
demo=$!
pids="$pids $demo"

# The dashboard run: its own ports, so that the two demos do not race
# for the same ones (and --listen and --http are seen to be taken).
set -- $(free_ports 2)
P=$1 H=$2
loc=C
locale -a 2>/dev/null | grep -qi '^c\.utf-\?8$' && loc=C.UTF-8
if $have_tmux; then
	cat >"$tmp/ui.sh" <<EOF
LC_ALL=$loc; export LC_ALL
"$RTMPSCOPE" --demo --listen "127.0.0.1:$P" --http "127.0.0.1:$H" \
    2>"$tmp/ui.err"
echo "EXIT=\$?"
sleep 30
EOF
	tm new-session -d -s d -x 160 -y 45 "sh $tmp/ui.sh"
fi

# --- the dashboard ------------------------------------------------------
if $have_tmux && wait_for 10 "rtmpscope +127\.0\.0\.1:$P +live"; then
	tap_ok "the dashboard opens on the proxy's address (--listen)"
	# Origin 1 and 2: the lines printed before the dashboard opened.
	o1=$(sed -n 's/^rtmpscope: demo: origin 1 on \([^:]*:[0-9]*\):.*/\1/p' \
	    "$tmp/ui.err")
	o2=$(sed -n 's/^rtmpscope: demo: origin 2 on \([^:]*:[0-9]*\)$/\1/p' \
	    "$tmp/ui.err")
	[ -n "$o1" ] && [ -n "$o2" ] ||
	    tap_diag "no origin lines in: $(cat "$tmp/ui.err")"
	if grep -q "status API on http://127.0.0.1:$H/" "$tmp/ui.err"; then
		tap_ok "the ports are printed, the status API on --http's"
	else
		tap_not_ok "the ports are printed, the status API on --http's"
		tap_diag "$(cat "$tmp/ui.err")"
	fi
	# The moves happen 7 to 10 s in; allow for a slow machine.
	o2re=$(printf '%s' "$o2" | sed 's/\./\\./g')
	if [ -n "$o2" ] &&
	    wait_count 16 4 "$o2re +live/demo +(publish|play) +active"; then
		tap_ok "the sessions screen shows the four sessions on origin 2"
	else
		tap_not_ok "the sessions screen shows the four sessions on origin 2"
	fi
	# A redirect is an event once it is done (the first media through
	# the new backend), a little after the session shows that backend.
	tm send-keys -t d e
	if [ -n "$o2" ] && wait_for 5 'KIND' &&
	    wait_count 5 4 "redirect .*$o2re .*moved"; then
		tap_ok "the Events screen lists the four redirects, moved"
	else
		tap_not_ok "the Events screen lists the four redirects, moved"
	fi
	tm send-keys -t d q
	if wait_for 10 '^EXIT=0'; then
		tap_ok "q quits with status 0"
	else
		tap_not_ok "q quits with status 0"
	fi
	if grep -q "said is in " "$tmp/ui.err" &&
	    ! grep -q "origin: client" "$tmp/ui.err"; then
		tap_ok "under the dashboard the chatter goes to a log file"
	else
		tap_not_ok "under the dashboard the chatter goes to a log file"
	fi
	log=$(sed -n 's/.*said is in \(.*\)$/\1/p' "$tmp/ui.err")
	[ -n "$log" ] && rm -f "$log"
else
	for t in "the dashboard opens on the proxy's address (--listen)" \
	    "the ports are printed, the status API on --http's" \
	    "the sessions screen shows the four sessions on origin 2" \
	    "the Events screen lists the four redirects, moved" \
	    "q quits with status 0" \
	    "under the dashboard the chatter goes to a log file"; do
		if $have_tmux; then
			tap_not_ok "$t"
		else
			tap_skip "$t" "tmux not installed"
		fi
	done
fi

# --- the report ---------------------------------------------------------
_n=0
while kill -0 "$demo" 2>/dev/null && [ $_n -lt $(((DURATION + 15) * 10)) ]
do
	sleep 0.1
	_n=$((_n + 1))
done
kill -9 "$demo" 2>/dev/null
wait "$demo"
status=$?
if [ "$status" -eq 0 ]; then
	tap_ok "--demo --no-ui --duration $DURATION --report=json exits 0"
else
	tap_not_ok "--demo --no-ui --duration $DURATION --report=json exits 0"
	tap_diag "status $status; $(tail -n 20 "$tmp/demo.err")"
fi

# The checks of the report, each an "ok"/"not ok" line from python.
python3 - "$tmp/report.json" "$tmp/demo.err" >"$tmp/checks" <<'PY'
import json, re, sys

report, err = sys.argv[1], open(sys.argv[2]).read()
o1 = re.search(r"^rtmpscope: demo: origin 1 on (\S+):", err, re.M)
o2 = re.search(r"^rtmpscope: demo: origin 2 on (\S+)$", err, re.M)
o1 = o1.group(1) if o1 else "?"
o2 = o2.group(1) if o2 else "?"

def check(ok, desc, why=""):
    print(("ok" if ok else "not ok") + "\t" + desc + ("\t" + why if not ok and why else ""))

try:
    doc = json.load(open(report))
    sessions = doc["sessions"]
except Exception as e:
    sessions = []
    print("diag\tno report: %s" % e)
players = [s for s in sessions if s.get("role") == "play"]
pubs = [s for s in sessions if s.get("role") == "publish"]
check(len(players) == 3 and len(pubs) == 1,
      "the report has the three players and the publisher",
      "%d players, %d publishers" % (len(players), len(pubs)))

bad = []
on1 = [s for s in sessions if s.get("server") == o1]
for s in on1:
    moved = [r for r in s.get("redirects", []) if r.get("outcome") == "moved"
             and r.get("from") == o1 and r.get("to") == o2]
    if not moved or s.get("backend") != o2:
        bad.append("%s %s: backend %s, redirects %s" % (s.get("client"),
                   s.get("role"), s.get("backend"), s.get("redirects")))
check(len(on1) == 4 and not bad,
      "each session on origin 1 was moved to origin 2 (a redirect, outcome moved)",
      "%d on origin 1 (%s); %s" % (len(on1), o1, "; ".join(bad)))

# 6 s before the stall give about 150 video frames: far more is the move.
few = [(s.get("client"), s.get("video_frames")) for s in players
       if (s.get("video_frames") or 0) < 225]
check(players and not few,
      "the players received media after the move (over 225 video frames each)",
      "%s" % few)

# The clients' own summary: frames, timestamps, and how each ended.
lines = re.findall(r"^rtmpscope: demo: (player \d) \(\S+\): (\d+) video frames "
                   r"\(\d+ key\), \d+ audio frames received, longest gap "
                   r"(\d+) ms, (\d+) timestamps back; (.*)$", err, re.M)
poor = [l for l in lines if int(l[1]) < 225 or int(l[3]) != 0 or
        l[4] != "ended: stopped"]
check(len(lines) == 3 and not poor,
      "each player counted its frames, no timestamp went back, none was cut off",
      "%s" % (poor or lines))

# Origin 1 is dead when the publisher stops: the FCUnpublish is origin 2's.
pub = re.search(r"origin: client \d+ \(\S+\): publish demo ends "
                r"\(FCUnpublish\): (\d+) video", err)
check(pub is not None and int(pub.group(1)) > 50,
      "origin 2 received the publisher's media after the move",
      pub.group(0) if pub else "no publish ends on origin 2")
PY
while IFS="	" read -r verdict desc why; do
	case $verdict in
	ok)	tap_ok "$desc" ;;
	diag)	tap_diag "$desc" ;;
	*)	tap_not_ok "$desc"; [ -n "$why" ] && tap_diag "$why" ;;
	esac
done <"$tmp/checks"

tap_done
