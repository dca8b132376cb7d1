#!/bin/sh
# The real sample captures say what the encoder was asked for (samples/README:
# ffmpeg, 320x240 H.264, AAC 44.1 kHz mono): every AVC sequence header gives
# that size and a profile, every AAC sequence header that rate and channel
# count, and every connect its app and a tcUrl naming it.  TAP output.
RTMPSCOPE=${RTMPSCOPE:-$(dirname "$0")/../rtmpscope}
SRCDIR=${SRCDIR:-$(dirname "$0")/..}
set -- "$SRCDIR"/samples/*.pcap
echo "1..$#"
n=0
failed=0
for cap in "$@"; do
	n=$((n + 1))
	name=$(basename "$cap")
	if out=$("$RTMPSCOPE" -r "$cap" --dump=json 2>/dev/null | python3 -c '
import json, sys
video = audio = connects = 0
for line in sys.stdin:
    r = json.loads(line)
    if r.get("type") == 9 and r.get("avc_packet_type") == 0:
        video += 1
        got = (r.get("width"), r.get("height"), bool(r.get("profile")))
        assert got == (320, 240, True), "video sequence header %r" % (got,)
    if r.get("type") == 8 and r.get("aac_packet_type") == 0:
        audio += 1
        got = (r.get("sample_rate"), r.get("channels"), r.get("profile"))
        assert got == (44100, 1, "LC"), "audio sequence header %r" % (got,)
    if r.get("type") == 20 and r.get("name") == "connect":
        connects += 1
        app, url = r.get("app"), str(r.get("tcUrl", ""))
        assert app and url.startswith("rtmp://") and ("/" + app) in url, \
            "connect app %r tcUrl %r" % (app, url)
assert connects, "no connect"

print("%d video and %d audio sequence headers, %d connects" %
      (video, audio, connects))
' 2>&1); then
		echo "ok $n - $name: $out"
	else
		failed=$((failed + 1))
		echo "not ok $n - $name"
		echo "$out" | sed 's/^/# /' | tail -5
	fi
done
[ $failed -eq 0 ]
