#!/bin/sh
# The command line and bad input: clear one-line errors, the right exit
# status, everything decoded up to the damage, and no crash.  TAP output.
RTMPSCOPE=${RTMPSCOPE:-$(dirname "$0")/../rtmpscope}
SRCDIR=${SRCDIR:-$(dirname "$0")/..}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; sed 's/^/# /' "$tmp/err" "$tmp/out" 2>/dev/null | head -20; }

# expect NAME STATUS PATTERN-ON-STDERR ARGS...: exit status and one line.
expect() {
	name=$1 want=$2 pattern=$3
	shift 3
	"$RTMPSCOPE" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	lines=$(wc -l <"$tmp/err")
	if [ "$got" -eq "$want" ] && grep -q -- "$pattern" "$tmp/err" &&
	    { [ "$want" -ne 2 ] || [ "$lines" -eq 1 ]; }; then
		ok "$name"
	else
		echo "# exit $got (wanted $want), $lines line(s) on stderr"
		not_ok "$name"
	fi
}

echo "1..22"
python3 "$SRCDIR/tests/pcapgen.py" minimal "$tmp/min.pcap"
python3 "$SRCDIR/tests/pcapgen.py" garbage "$tmp/garbage.pcap"

"$RTMPSCOPE" --version >"$tmp/out" 2>"$tmp/err" &&
    grep -q '^rtmpscope [0-9]' "$tmp/out" && ok "--version prints the version" ||
    not_ok "--version prints the version"
"$RTMPSCOPE" --help >"$tmp/out" 2>"$tmp/err" && grep -q -- '--dump' "$tmp/out" &&
    ok "--help lists the flags" || not_ok "--help lists the flags"
expect "an unknown flag is named, status 2" 2 "--frobnicate" --frobnicate
expect "a bad port is named, status 2" 2 "--port.*'abc'" -p abc -r "$tmp/min.pcap"
expect "port 0 is refused" 2 "is not a port" -p 0 -r "$tmp/min.pcap"
expect "port 65536 is refused" 2 "is not a port" --port=65536 -r "$tmp/min.pcap"
expect "a bad dump format is named, status 2" 2 "--dump.*xml" --dump=xml -r "$tmp/min.pcap"
expect "nothing to read, status 2" 2 "nothing to read" --dump
expect "a stray argument is named" 2 "unexpected argument 'extra'" -r "$tmp/min.pcap" extra
expect "a bad --fail-on is named, status 2" 2 "--fail-on.*'maybe'" --fail-on=maybe -r "$tmp/min.pcap"
printf '# thresholds\n[health]\nstall_ms = 500\nstal_ms = 2\n' >"$tmp/bad-key.conf"
expect "a config file's unknown key: file, line and key, status 2" 2 \
    "bad-key.conf:4: unknown key 'stal_ms' in \[health\]" -c "$tmp/bad-key.conf" -r "$tmp/min.pcap"
printf '[health]\nstall_ms = abc\n' >"$tmp/bad-value.conf"
expect "a config file's bad value: file, line and key, status 2" 2 \
    "bad-value.conf:2: \[health\] stall_ms: 'abc' is not a positive integer" \
    -c "$tmp/bad-value.conf" -r "$tmp/min.pcap"
expect "a missing config file says why, status 2" 2 "nothing.conf: No such file" \
    -c "$tmp/nothing.conf" -r "$tmp/min.pcap"
# A good config file is used; a flag on the command line wins over it.
printf '[rtmpscope]\nreport = json\ndump = json\n' >"$tmp/good.conf"
"$RTMPSCOPE" -c "$tmp/good.conf" -r "$tmp/min.pcap" --dump=none >"$tmp/out" 2>"$tmp/err" &&
    python3 -c 'import json, sys; assert "sessions" in json.load(open(sys.argv[1]))' "$tmp/out" &&
    ok "a config file's report = json is used, --dump=none wins over its dump" ||
    not_ok "a config file's report = json is used, --dump=none wins over its dump"
expect "a missing capture says why" 1 "No such file" -r "$tmp/does-not-exist.pcap"
head -c 4000 /dev/urandom >"$tmp/random.bin"
expect "a file that is no capture says so" 1 "random.bin" -r "$tmp/random.bin"

# A capture whose last record is cut: the messages before it are printed.
size=$(wc -c <"$tmp/min.pcap")
head -c $((size - 30)) "$tmp/min.pcap" >"$tmp/cut.pcap"
"$RTMPSCOPE" -r "$tmp/cut.pcap" --dump=json >"$tmp/out" 2>"$tmp/err"
status=$?
if [ $status -eq 1 ] && grep -q 'cut.pcap' "$tmp/err" &&
    grep -q '"name":"_result"' "$tmp/out"; then
	ok "a truncated last record: an error, and every message before it"
else
	echo "# exit $status"
	not_ok "a truncated last record: an error, and every message before it"
fi

# Garbage on the RTMP port: no crash, no message invented, a clear flag.
"$RTMPSCOPE" -r "$tmp/garbage.pcap" --dump >"$tmp/out" 2>"$tmp/err"
status=$?
[ $status -eq 0 ] && ok "garbage on the RTMP port does not crash" ||
    not_ok "garbage on the RTMP port does not crash (exit $status)"
grep -q 'handshake_failed' "$tmp/out" &&
    ok "garbage after a SYN is flagged handshake_failed" ||
    not_ok "garbage after a SYN is flagged handshake_failed"
[ "$(grep -c ' csid ' "$tmp/out")" -eq 0 ] &&
    ok "garbage produces no invented messages" ||
    not_ok "garbage produces no invented messages"

# The dump is valid JSON, one object per line.
"$RTMPSCOPE" -r "$tmp/min.pcap" --dump=json >"$tmp/out" 2>"$tmp/err"
python3 -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert len(recs) == 7, len(recs)
assert [r.get("handshake") for r in recs[:3]] == ["C0C1", "S0S1S2", "C2"]
c = recs[3]
assert (c["dir"], c["csid"], c["type"], c["type_name"], c["name"], c["txn"]) == \
    ("c2s", 3, 20, "command_amf0", "connect", 1), c
assert c["client"] == "127.0.0.1:50000" and c["server"] == "127.0.0.1:1935"
' "$tmp/out" 2>"$tmp/err" && ok "--dump=json is one JSON object per line, as the contract says" ||
    not_ok "--dump=json is one JSON object per line, as the contract says"
# Every capture we have, as JSON: the contract holds on every line.
for cap in "$SRCDIR"/samples/*.pcap "$SRCDIR"/tests/golden/*.pcap; do
	"$RTMPSCOPE" -r "$cap" --dump=json 2>/dev/null
done >"$tmp/all.json"
python3 "$SRCDIR/tests/json-contract.py" "$tmp/all.json" >"$tmp/err" 2>&1 &&
    [ -s "$tmp/all.json" ] && ok "every capture's JSON dump keeps the contract (no duplicate keys)" ||
    not_ok "every capture's JSON dump keeps the contract (no duplicate keys)"
[ $failed -eq 0 ]
