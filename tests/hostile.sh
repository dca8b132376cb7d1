#!/bin/sh
# hostile.sh — rtmpscope on captures made to hurt it (tests/hostile.py), and
# on the reproducers in tests/regressions/.
#
# Every capture is read twice, --dump=json and --report=json, each run under
# `timeout` and /usr/bin/time: the exit status must be 0 or 1 (no signal, no
# timeout), stderr must carry no sanitizer report, the output must be valid
# JSON, and the peak RSS must stay under $HOSTILE_RSS_KB (64 MiB).  On a
# sanitized binary (ASAN_OPTIONS set, or __asan_init in the binary) the RSS
# bound means nothing and only the sanitizer outcome is checked.
# Then what rtmpscope says about the limits captures is checked.

. "$(dirname "$0")/tap.sh"

command -v python3 >/dev/null 2>&1 || tap_skip_all "python3 not installed"
[ -x "$RTMPSCOPE" ] || tap_skip_all "no rtmpscope binary at $RTMPSCOPE"

TIMEOUT=${HOSTILE_TIMEOUT:-20}
RSS_KB=${HOSTILE_RSS_KB:-65536}

sanitized=no
if [ -n "${ASAN_OPTIONS:-}" ] ||
    { command -v nm >/dev/null 2>&1 && nm "$RTMPSCOPE" 2>/dev/null | grep -q __asan_init; }; then
	sanitized=yes
fi
timer=
[ -x /usr/bin/time ] && timer=/usr/bin/time

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rtmpscope-hostile.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/caps"
if ! python3 "$SRCDIR/tests/hostile.py" "$tmp/caps" "$SRCDIR"; then
	tap_plan 1
	tap_not_ok "hostile.py writes the captures"
	exit 1
fi
for f in "$SRCDIR"/tests/regressions/*.pcap; do
	[ -e "$f" ] && cp "$f" "$tmp/caps/regression-$(basename "$f")"
done

set -- "$tmp"/caps/*.pcap
checks=7
tap_plan $(($# + checks))
[ "$sanitized" = yes ] && tap_diag "sanitized binary: the RSS bound is not checked"
[ -z "$timer" ] && tap_diag "no /usr/bin/time: the RSS bound is not checked"

# run NAME MODE: rtmpscope on one capture; sets why (empty when all is well).
run() {
	_cap=$1 _mode=$2
	_o="$tmp/out.$_mode" _e="$tmp/err.$_mode"
	: >"$tmp/rss"
	if [ -n "$timer" ]; then
		timeout -k 5 "$TIMEOUT" $timer -q -f %M -o "$tmp/rss" \
		    "$RTMPSCOPE" -p 1935 -p 8080 -r "$_cap" "--$_mode=json" \
		    >"$_o" 2>"$_e"
	else
		timeout -k 5 "$TIMEOUT" "$RTMPSCOPE" -p 1935 -p 8080 -r "$_cap" \
		    "--$_mode=json" >"$_o" 2>"$_e"
	fi
	_st=$?
	case $_st in
	0 | 1) ;;
	124 | 137) why="$why --$_mode: no end within ${TIMEOUT}s (exit $_st);" ;;
	*) why="$why --$_mode: exit status $_st;" ;;
	esac
	if grep -q 'runtime error\|AddressSanitizer\|LeakSanitizer\|terminated by signal' "$_e"; then
		why="$why --$_mode: sanitizer report or signal on stderr;"
		grep 'runtime error\|Sanitizer\|#[0-9]\|signal' "$_e" | head -12 |
		    sed 's/^/# /'
	fi
	_rss=$(tail -1 "$tmp/rss" 2>/dev/null)
	case $_rss in
	'' | *[!0-9]*) _rss=0 ;;
	esac
	[ "$_rss" -gt "$peak" ] && peak=$_rss
	if [ "$sanitized" = no ] && [ "$_rss" -gt "$RSS_KB" ]; then
		why="$why --$_mode: peak RSS ${_rss} KiB over ${RSS_KB} KiB;"
	fi
	if ! python3 - "$_mode" "$_o" 2>"$tmp/py.err" <<'EOF'; then
import json, sys
mode, path = sys.argv[1], sys.argv[2]
with open(path, encoding="utf-8") as f:
    text = f.read()
if mode == "report":
    d = json.loads(text)
    assert "capture" in d and "sessions" in d, "report without its keys"
else:
    for n, line in enumerate(text.splitlines(), 1):
        try:
            assert isinstance(json.loads(line), dict)
        except Exception as e:
            sys.exit("line %d: %s: %.120s" % (n, e, line))
EOF
		why="$why --$_mode: output is not valid JSON;"
		tail -1 "$tmp/py.err" | sed 's/^/# /'
	fi
}

start=$(date +%s)
peak=0
for cap in "$@"; do
	name=$(basename "$cap" .pcap)
	why=
	t0=$(date +%s)
	run "$cap" dump
	cp "$tmp/out.dump" "$tmp/$name.dump" 2>/dev/null
	run "$cap" report
	cp "$tmp/out.report" "$tmp/$name.report" 2>/dev/null
	cp "$tmp/err.report" "$tmp/$name.err" 2>/dev/null
	echo "$_st" >"$tmp/$name.status"
	t=$(($(date +%s) - t0))
	if [ -z "$why" ]; then
		tap_ok "$name: exit 0/1, no sanitizer report, JSON, bounded (${t}s)"
	else
		tap_not_ok "$name:$why"
	fi
done
tap_diag "$# captures in $(($(date +%s) - start))s, peak RSS ${peak} KiB"

# What rtmpscope says about the limits captures.
lim() {
	python3 - "$tmp" "$1" 2>"$tmp/py.err" <<'EOF'
import json, sys
tmp, what = sys.argv[1], sys.argv[2]

def dump(name):
    with open("%s/limits-%s.dump" % (tmp, name)) as f:
        return [json.loads(l) for l in f if l.strip()]

def report(name):
    with open("%s/limits-%s.report" % (tmp, name)) as f:
        return json.load(f)

def cmd(msgs, name):
    found = [m for m in msgs if m.get("name") == name]
    assert found, "no %s message" % name
    return found[0]

if what == "zero":
    r = report("chunksize-zero")
    probs = [p for s in r["sessions"] for p in s["problems"]]
    assert any(p["kind"] == "malformed" and "Chunk Size 0" in p["detail"]
               for p in probs), probs
    assert len([m for m in dump("chunksize-zero") if m.get("type") == 9]) == 6
elif what == "max":
    msgs = dump("chunksize-max")
    assert any(m.get("chunk_size") == 0x7FFFFFFF for m in msgs)
    assert len([m for m in msgs if m.get("type") == 9]) == 6, \
        "the video messages after it are lost"
elif what == "16mib":
    msgs = dump("16mib")
    assert any(m.get("type") == 9 and m.get("len") == 16777215
               for m in msgs), "no video message of len 16777215"
    assert any(m.get("type") == 8 for m in msgs), "the audio after it is lost"
elif what == "csids":
    msgs = [m for m in dump("csids") if m.get("type") == 8]
    high = [m for m in msgs if m["csid"] > 65000]
    assert high and max(m["csid"] for m in msgs) == 65599, "no csid 65599"
    assert len(msgs) == 65598, "%d of 65598 messages" % len(msgs)
elif what == "deep":
    msgs = dump("amf-deep")
    assert "malformed" not in cmd(msgs, "deep20"), "deep20 is marked"
    assert "malformed" in cmd(msgs, "deep40"), "deep40 is not marked"
elif what == "strings":
    msgs = [m for m in dump("amf-strings")
            if m.get("type") == 18 or str(m.get("name", "")).startswith("lie")]
    assert len(msgs) == 14, "%d of 14 lying messages" % len(msgs)
    bad = [m for m in msgs if "malformed" not in m]
    assert not bad, "not marked: %s" % bad[:2]
elif what == "cut":
    import glob
    cut = glob.glob("%s/hostile-*-trunc-*.report" % tmp)
    assert cut, "no truncated captures"
    for p in cut:
        base = p[:-len(".report")]
        name = base.rsplit("/", 1)[1]
        assert open(base + ".status").read().strip() == "1", \
            "%s: exit status not 1" % name
        err = open(base + ".err").read()
        assert name in err and "truncated" in err, "%s: stderr: %s" % (
            name, err[:200])
        assert json.load(open(p))["capture"]["packets"] > 0, \
            "%s: no packet before the cut" % name
EOF
	_r=$?
	tail -1 "$tmp/py.err" | sed 's/^/# /'
	return $_r
}
tap_check "Set Chunk Size 0: a malformed problem, the messages after it decoded" lim zero
tap_check "Set Chunk Size 0x7FFFFFFF: the messages after it decoded" lim max
tap_check "a 16 MiB - 1 video message is in the dump with len 16777215" lim 16mib
tap_check "one message on every csid 2..65599: all in the dump, csids above 65000" lim csids
tap_check "20-deep AMF0 decodes; 40-deep is marked malformed" lim deep
tap_check "AMF0 strings longer than their message are marked malformed" lim strings
tap_check "a capture cut mid-record: exit 1, the file named, a report of the packets before" lim cut
tap_done
