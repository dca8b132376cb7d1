#!/bin/sh
# report.sh — the session report (--report=json|text, --fail-on) on real
# captures of real faults, recorded by samples/record.sh (see samples/README):
#
#   clean.pcap             a publisher and a player, nothing wrong
#   stall.pcap             the publisher frozen with SIGSTOP for 5 s
#   connect-rejected.pcap  connect to an application nginx does not have
#   play-missing.pcap      play of a file the vod application does not have
#   killed-player.pcap     a player killed with SIGKILL mid-stream
#
# ffmpeg was asked for H.264 320x240 at 15 fps, GOP 15, 150 kbit/s, and AAC
# mono 32 kbit/s.  The report's kbps counts audio and video message bytes over
# the media duration, so it must come near 182 kbit/s.  The bound is +-15 %
# on clean.pcap (6 s): x264 (ultrafast, 1 s VBV) overshoots its 150k by
# 5-10 % over a few seconds, AAC lands a little above 32k, FLV tag headers
# in the message bodies add ~1.5 kbit/s, and a player that joins mid-GOP
# counts audio from before its first keyframe (fewer bits per second).
# Recorded: publisher 195 kbit/s (+7 %), player 173 (-5 %).  On the 4 s
# publish-play-cs4096.pcap the first keyframe weighs more: +-20 % (measured
# 203, +11 %).  fps must be 15 +- 10 %, gop_ms 1000 +- 10 %.
#
# One TAP line per assertion; the plan comes last.  Needs python3.

. "$(dirname "$0")/tap.sh"

command -v python3 >/dev/null 2>&1 || tap_skip_all "python3 not installed"
[ -x "$RTMPSCOPE" ] || tap_skip_all "no rtmpscope binary at $RTMPSCOPE"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rtmpscope-report.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# check CAPTURE — run the JSON assertions for samples/CAPTURE; check.py prints
# "ok<TAB>name" or "not ok<TAB>name<TAB>diagnostic" lines.
cat >"$tmp/check.py" <<'EOF'
import json, sys
from datetime import datetime

cap, path = sys.argv[1], sys.argv[2]
KEYS = ("client server start end app tc_url flash_ver stream role bytes_c2s "
        "bytes_s2c messages video_frames keyframes audio_frames video_codec "
        "audio_codec width height fps kbps gop_ms health problems").split()
PROBLEM_KEYS = ("kind", "at", "duration_ms", "detail")
ASKED_KBPS = 150 + 32

def out(ok, name, diag=""):
    diag = " ".join(str(diag).split())[:400]
    print("%s\t%s: %s\t%s" % ("ok" if ok else "not ok", cap, name, diag))

def secs(v):
    """A time from the report as seconds: a number, or an ISO 8601 string."""
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return float(v)
    except (TypeError, ValueError):
        return datetime.fromisoformat(str(v).replace("Z", "+00:00")).timestamp()

def brief(s):
    if s is None:
        return "no such session"
    keep = ("client", "app", "stream", "role", "health", "video_codec",
            "audio_codec", "width", "height", "fps", "kbps", "gop_ms",
            "keyframes", "video_frames", "start", "end", "problems")
    return json.dumps({k: s.get(k) for k in keep})

def near(v, want, frac):
    return isinstance(v, (int, float)) and abs(v - want) <= want * frac

def kinds(s):
    return [p.get("kind") for p in (s or {}).get("problems") or []]

def problem(s, kind):
    for p in (s or {}).get("problems") or []:
        if p.get("kind") == kind:
            return p
    raise LookupError("no %s problem" % kind)

def check(name, s, cond):
    """Assert cond(s) on session s; exceptions count as failures."""
    try:
        ok = s is not None and bool(cond(s))
    except Exception as e:
        ok = False
        name += " (%s: %s)" % (type(e).__name__, e)
    out(ok, name, "" if ok else brief(s))

try:
    with open(path) as f:
        doc = json.load(f)
    good = (isinstance(doc, dict) and isinstance(doc.get("capture"), dict)
            and isinstance(doc.get("sessions"), list))
    out(good, "--report=json is one document with capture and sessions")
except Exception as e:
    out(False, "--report=json is one document with capture and sessions", e)
    sys.exit(0)

sessions = doc["sessions"]
missing = ["%s.%s" % (s.get("client"), k) for s in sessions for k in KEYS if k not in s]
missing += ["%s.problems[].%s" % (s.get("client"), k) for s in sessions
            for p in s.get("problems") or [] for k in PROBLEM_KEYS if k not in p]
out(sessions and not missing, "every session has every contract key",
    "missing: %s" % missing[:10] if missing else "no sessions")

def session(role, stream=None, app=None):
    for s in sessions:
        if s.get("role") == role and (stream is None or s.get("stream") == stream) \
                and (app is None or s.get("app") == app):
            return s
    return None

def count(n):
    out(len(sessions) == n, "%d sessions" % n,
        "got %d: %s" % (len(sessions), [brief(s) for s in sessions]))

def media_checks(who, s, stream):
    check("%s: health ok" % who, s, lambda s: s["health"] == "ok")
    check("%s: no problems" % who, s, lambda s: s["problems"] == [])
    check("%s: app live, stream %s" % (who, stream), s,
          lambda s: s["app"] == "live" and s["stream"] == stream
          and str(s["tc_url"]).startswith("rtmp://"))
    check("%s: video codec H.264" % who, s,
          lambda s: str(s["video_codec"]).lower().replace(".", "") in ("h264", "avc", "avc1"))
    check("%s: audio codec AAC" % who, s, lambda s: str(s["audio_codec"]).lower() == "aac")
    check("%s: 320x240" % who, s, lambda s: (s["width"], s["height"]) == (320, 240))
    check("%s: fps 15 +-10%%" % who, s, lambda s: near(s["fps"], 15, 0.10))
    check("%s: kbps %d +-15%%" % (who, ASKED_KBPS), s,
          lambda s: near(s["kbps"], ASKED_KBPS, 0.15))
    check("%s: gop_ms 1000 +-10%%" % who, s, lambda s: near(s["gop_ms"], 1000, 0.10))
    # GOP 15 at 15 fps: one keyframe a second, plus the first.
    check("%s: keyframes = seconds of session +-1.5" % who, s,
          lambda s: abs(s["keyframes"] - (secs(s["end"]) - secs(s["start"]))) <= 1.5)
    check("%s: video frames = 15 x keyframe count +-15" % who, s,
          lambda s: abs(s["video_frames"] - 15 * s["keyframes"]) <= 15)
    check("%s: audio frames and bytes both ways" % who, s,
          lambda s: s["audio_frames"] > 0 and s["bytes_c2s"] > 0 and s["bytes_s2c"] > 0
          and s["messages"] > 0)

def stall_checks(who, s):
    def ok(s):
        p = problem(s, "stall")
        return 4000 <= p["duration_ms"] <= 6500
    check("%s: a stall of 4000-6500 ms" % who, s, ok)
    # SIGSTOP came ~2 s after the publisher started (~1.5 s into the player).
    check("%s: the stall starts 0.5-3.5 s into the session" % who, s,
          lambda s: 0.5 <= secs(problem(s, "stall")["at"]) - secs(s["start"]) <= 3.5)
    check("%s: health not ok" % who, s, lambda s: s["health"] != "ok")

if cap == "clean.pcap":
    count(2)
    media_checks("publisher", session("publish", "clean"), "clean")
    media_checks("player", session("play", "clean"), "clean")
elif cap == "publish-play-cs4096.pcap":
    count(3)
    for s in sessions:
        check("%s %s %s: health ok" % (s.get("role"), s.get("stream"), s.get("client")),
              s, lambda s: s["health"] == "ok")
    check("publisher: kbps %d +-20%%" % ASKED_KBPS, session("publish", "cam"),
          lambda s: near(s["kbps"], ASKED_KBPS, 0.20))
elif cap == "stall.pcap":
    count(2)
    stall_checks("publisher", session("publish", "stall"))
    stall_checks("player", session("play", "stall"))
elif cap == "connect-rejected.pcap":
    count(2)
    for n, s in enumerate(sorted(sessions, key=lambda s: secs(s.get("start", 0)))):
        who = ("ffmpeg publisher", "rtmpdump player")[n] if n < 2 else "session %d" % n
        check("%s: app nosuchapp" % who, s, lambda s: s["app"] == "nosuchapp")
        check("%s: connect_rejected" % who, s, lambda s: "connect_rejected" in kinds(s))
        check("%s: health bad" % who, s, lambda s: s["health"] == "bad")
        check("%s: role none (never got to publish or play)" % who, s,
              lambda s: s["role"] == "none")
elif cap == "play-missing.pcap":
    count(2)
    for n, s in enumerate(sorted(sessions, key=lambda s: secs(s.get("start", 0)))):
        who = ("ffmpeg player", "rtmpdump player")[n] if n < 2 else "session %d" % n
        check("%s: play of vod/missing" % who, s,
              lambda s: (s["role"], s["app"], s["stream"]) == ("play", "vod", "missing"))
        check("%s: stream_error" % who, s, lambda s: "stream_error" in kinds(s))
        check("%s: stream_error detail has NetStream.Play.StreamNotFound" % who, s,
              lambda s: "NetStream.Play.StreamNotFound" in str(problem(s, "stream_error")["detail"]))
        check("%s: health not ok" % who, s, lambda s: s["health"] != "ok")
        check("%s: no media" % who, s,
              lambda s: s["video_frames"] == 0 and s["audio_frames"] == 0)
elif cap == "killed-player.pcap":
    count(2)
    player, publisher = session("play", "kill"), session("publish", "kill")
    check("killed player: abrupt_close", player, lambda s: "abrupt_close" in kinds(s))
    check("killed player: abrupt_close at the end of the session (+-0.5 s)", player,
          lambda s: abs(secs(problem(s, "abrupt_close")["at"]) - secs(s["end"])) <= 0.5)
    check("killed player: health not ok", player, lambda s: s["health"] != "ok")
    check("killed player: played media before it died", player,
          lambda s: s["video_frames"] > 0 and s["keyframes"] > 0)
    # FCUnpublish and deleteStream, then FIN (and an RST): a clean end.
    check("publisher: health ok", publisher, lambda s: s["health"] == "ok")
    check("publisher: no abrupt_close", publisher, lambda s: "abrupt_close" not in kinds(s))
EOF

check() {
	cap=$1
	if "$RTMPSCOPE" -r "$SRCDIR/samples/$cap" --report=json >"$tmp/$cap.json" 2>"$tmp/err"; then
		tap_ok "$cap: --report=json exits 0"
	else
		tap_not_ok "$cap: --report=json exits 0"
		tap_diag "$(head -5 "$tmp/err")"
	fi
	python3 "$tmp/check.py" "$cap" "$tmp/$cap.json" >"$tmp/lines" 2>"$tmp/err" ||
		tap_diag "check.py: $(tail -3 "$tmp/err")"
	while IFS='	' read -r status name diag; do
		if [ "$status" = ok ]; then
			tap_ok "$name"
		else
			tap_not_ok "$name"
			[ -z "$diag" ] || tap_diag "$diag"
		fi
	done <"$tmp/lines"
}

# exits WANT "NAME" ARGS... — rtmpscope ARGS exits with status WANT
exits() {
	want=$1 name=$2
	shift 2
	"$RTMPSCOPE" "$@" >/dev/null 2>"$tmp/err"
	got=$?
	if [ "$got" -eq "$want" ]; then
		tap_ok "$name"
	else
		tap_not_ok "$name"
		tap_diag "exit status $got; $(head -3 "$tmp/err")"
	fi
}

# text CAPTURE — --report=text names every session's stream and every problem
# kind that --report=json gives for the capture.
text() {
	cap=$1
	if ! "$RTMPSCOPE" -r "$SRCDIR/samples/$cap" --report=text >"$tmp/$cap.txt" 2>"$tmp/err"; then
		tap_not_ok "$cap: --report=text exits 0"
		tap_diag "$(head -3 "$tmp/err")"
		return
	fi
	tap_ok "$cap: --report=text exits 0"
	words=$(python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
w = set()
for s in doc["sessions"]:
    if s.get("stream"):
        w.add(s["stream"])
    for p in s.get("problems") or []:
        w.add(p["kind"])
print(" ".join(sorted(w)))
' "$tmp/$cap.json" 2>/dev/null)
	if [ -z "$words" ]; then
		tap_not_ok "$cap: --report=text names the streams and problems"
		tap_diag "no stream names or problems in --report=json to look for"
		return
	fi
	absent=""
	for w in $words; do
		grep -qF -- "$w" "$tmp/$cap.txt" || absent="$absent $w"
	done
	if [ -z "$absent" ]; then
		tap_ok "$cap: --report=text names the streams and problems ($words)"
	else
		tap_not_ok "$cap: --report=text names the streams and problems ($words)"
		tap_diag "not in the text report:$absent"
		tap_diag "$(head -20 "$tmp/$cap.txt")"
	fi
}

for cap in clean.pcap publish-play-cs4096.pcap stall.pcap connect-rejected.pcap \
    play-missing.pcap killed-player.pcap; do
	check "$cap"
done

exits 1 "connect-rejected.pcap: --fail-on=bad exits 1" \
    -r "$SRCDIR/samples/connect-rejected.pcap" --report=json --fail-on=bad
exits 0 "clean.pcap: --fail-on=bad exits 0" \
    -r "$SRCDIR/samples/clean.pcap" --report=json --fail-on=bad
exits 0 "clean.pcap: --fail-on=warn exits 0" \
    -r "$SRCDIR/samples/clean.pcap" --report=json --fail-on=warn
exits 1 "stall.pcap: --fail-on=warn exits 1" \
    -r "$SRCDIR/samples/stall.pcap" --report=json --fail-on=warn

for cap in stall.pcap connect-rejected.pcap play-missing.pcap killed-player.pcap; do
	text "$cap"
done

tap_plan "$tap_n"
tap_done
