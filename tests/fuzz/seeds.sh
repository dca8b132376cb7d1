#!/bin/sh
# Builds the seed corpora of the fuzz harnesses from the sample captures.
#
#	tests/fuzz/seeds.sh [CORPUSDIR [BINDIR]]
#
# CORPUSDIR (default tests/fuzz/corpus) gets one folder per harness; BINDIR
# (default tests/fuzz/bin, as build.sh makes it) holds seed-extract.  The
# corpora are generated, not committed: rerun this after the captures
# change.  From every TCP connection of samples/*.pcap and
# tests/golden/*.pcap, a small Python reader (no tshark needed) takes:
#
#	pipeline/	the connection's payloads as fuzz-pipeline records, in
#			capture order; also its first 64 records, and the same
#			joined mid-stream (no SYN, no handshake)
#	chunk/		each direction's chunk stream after the handshake,
#			whole, and its first 8 KiB, with a few split patterns
#	handshake/	each direction's first 3073 + 64 bytes
#
# then seed-extract runs each direction through the real demultiplexer for
# messages/, amf0/, amf3/ and codec/.  flow/ gets a few hand-made segment
# sequences.  splice/ gets hand-made sessions through a failover (player and
# publisher, in the record format of fuzz-splice.c), each server direction's
# first bytes as a new backend's, and chunk streams for the partials mode.
# config/ gets samples/rtmpscope.conf, the same with every key uncommented,
# the examples of rtmpscope.conf(5) and a few hand-written files, good and
# bad.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
corpus=${1:-$here/corpus}
bin=${2:-$here/bin}

if [ ! -x "$bin/seed-extract" ]; then
	echo "seeds.sh: no $bin/seed-extract; run build.sh first" >&2
	exit 1
fi
for d in chunk messages amf0 amf3 codec handshake flow pipeline streams \
    config splice; do
	mkdir -p "$corpus/$d"
done

python3 - "$corpus" "$top"/samples/*.pcap "$top"/tests/golden/*.pcap <<'PY'
import os
import struct
import sys

corpus = sys.argv[1]
RTMP_PORTS = (1935, 8080)
HS_LEN = 1 + 2 * 1536


def packets(path):
    """(linktype, frame) of every record of a classic pcap file."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return
    linktype = struct.unpack(e + "I", data[20:24])[0] & 0x0FFFFFFF
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(e + "I", data[off + 8:off + 12])[0]
        yield linktype, data[off + 16:off + 16 + incl]
        off += 16 + incl


def tcp_of(linktype, frame):
    """(src, dst, seq, flags, payload) or None."""
    if linktype == 1:
        if len(frame) < 14:
            return None
        etype, ip = struct.unpack(">H", frame[12:14])[0], frame[14:]
        while etype == 0x8100 and len(ip) >= 4:
            etype, ip = struct.unpack(">H", ip[2:4])[0], ip[4:]
    elif linktype == 113:
        etype, ip = struct.unpack(">H", frame[14:16])[0], frame[16:]
    elif linktype in (0, 108):
        etype, ip = (0x0800 if frame[0:4] in (b"\x02\0\0\0", b"\0\0\0\x02")
                     else 0x86DD), frame[4:]
    elif linktype in (12, 101):
        etype, ip = (0x0800 if frame[0] >> 4 == 4 else 0x86DD), frame
    else:
        return None
    if etype == 0x0800 and len(ip) >= 20 and ip[9] == 6:
        ihl = (ip[0] & 15) * 4
        total = struct.unpack(">H", ip[2:4])[0]
        src, dst, tcp = ip[12:16], ip[16:20], ip[ihl:total]
    elif etype == 0x86DD and len(ip) >= 40 and ip[6] == 6:
        plen = struct.unpack(">H", ip[4:6])[0]
        src, dst, tcp = ip[8:24], ip[24:40], ip[40:40 + plen]
    else:
        return None
    if len(tcp) < 20:
        return None
    sport, dport, seq = struct.unpack(">HHI", tcp[:8])
    doff = (tcp[12] >> 4) * 4
    return (src, sport), (dst, dport), seq, tcp[13], tcp[doff:]


def connections(path):
    """Per connection: the client, and [(side, payload)] in capture order,
    retransmissions dropped."""
    conns = {}
    for linktype, frame in packets(path):
        t = tcp_of(linktype, frame)
        if t is None:
            continue
        src, dst, seq, flags, payload = t
        key = tuple(sorted((src, dst)))
        c = conns.get(key)
        if c is None:
            client = src if (flags & 0x12) == 0x02 or dst[1] in RTMP_PORTS \
                else dst
            c = conns[key] = {"client": client, "recs": [], "next": {}}
        side = 0 if src == c["client"] else 1
        if flags & 0x02:
            c["next"][side] = (seq + 1) & 0xFFFFFFFF
            continue
        if not payload:
            continue
        nxt = c["next"].get(side)
        if nxt is not None:
            d = (seq - nxt) & 0xFFFFFFFF
            if d >= 0x80000000:         # old bytes: keep only the new
                old = (nxt - seq) & 0xFFFFFFFF
                if old >= len(payload):
                    continue
                payload = payload[old:]
        c["next"][side] = (seq + len(payload)) & 0xFFFFFFFF
        c["recs"].append((side, payload))
    return list(conns.values())


def put(sub, name, data):
    with open(os.path.join(corpus, sub, name), "wb") as f:
        f.write(data)


def pipeline(recs, mode):
    out = bytearray([mode])
    for side, p in recs:
        for i in range(0, len(p), 0xFFFF):
            piece = p[i:i + 0xFFFF]
            out += bytes([side]) + struct.pack(">H", len(piece)) + piece
    return bytes(out)


def after_handshake(recs):
    """The records after both sides' handshake bytes."""
    seen = [0, 0]
    out = []
    for side, p in recs:
        skip = max(0, min(len(p), HS_LEN - seen[side]))
        seen[side] += len(p)
        if skip < len(p):
            out.append((side, p[skip:]))
    return out


SPLITS = (b"\x7f" * 8, bytes([0, 1, 2, 3, 250, 16, 0x7f, 0xf3]),
          b"\xf0" * 8)

for path in sys.argv[2:]:
    base = os.path.splitext(os.path.basename(path))[0]
    for n, c in enumerate(connections(path)):
        tag = "%s-%d" % (base, n)
        recs = c["recs"]
        if not recs:
            continue
        put("pipeline", tag, pipeline(recs, 0x08))
        put("pipeline", tag + "-head", pipeline(recs[:64], 0x00))
        put("pipeline", tag + "-joined", pipeline(after_handshake(recs)[:64],
                                                  0x01))
        for side, dname in ((0, "c2s"), (1, "s2c")):
            stream = b"".join(p for s, p in recs if s == side)
            if not stream:
                continue
            put("streams", "%s-%s" % (tag, dname), stream)
            put("handshake", "%s-%s" % (tag, dname),
                b"\xff\xff\0\0" + bytes([0, 3, 95, 200]) +
                stream[:HS_LEN + 64])
            chunks = stream[HS_LEN:] if stream[0] == 3 else stream
            if not chunks:
                continue
            for k, splits in enumerate(SPLITS):
                head = b"\0\xff\xff\0\0" + splits
                put("chunk", "%s-%s-%d" % (tag, dname, k), head + chunks)
                put("chunk", "%s-%s-%d-8k" % (tag, dname, k),
                    head + chunks[:8192])
PY

for s in "$corpus"/streams/*; do
	[ -f "$s" ] && "$bin/seed-extract" "$s" "$corpus"
done

# fuzz-flow: | ISN0:4 | ISN1:4 | stop | 0 | records of 6 bytes |.
python3 - "$corpus/flow" <<'PY'
import os
import struct
import sys

SIDE, CONN, SYN, FIN, RST, ACK = 1, 2, 4, 8, 16, 32


def rec(what, off, n, cap=0, ack=0):
    return struct.pack(">BHBBb", what, off & 0xFFFF, n, cap, ack)


def write(name, isn0, isn1, recs, stop=0):
    with open(os.path.join(sys.argv[1], name), "wb") as f:
        f.write(struct.pack(">IIBB", isn0, isn1, stop, 0) + b"".join(recs))


hs = [rec(SYN, 0, 0), rec(1 | SYN | ACK, 0, 0), rec(ACK, 1, 0)]
inorder = [rec(ACK, 1 + 200 * i, 200) for i in range(6)] + \
    [rec(1 | ACK, 1 + 100 * i, 100) for i in range(4)]
write("inorder", 1000, 90000, hs + inorder + [rec(FIN | ACK, 1201, 0),
                                               rec(1 | FIN | ACK, 401, 0)])
write("wrap", 0xFFFFFF00, 0xFFFFFFF0, hs + inorder)
ooo = [rec(ACK, 201, 200), rec(ACK, 601, 200), rec(ACK, 1, 200),
       rec(ACK, 401, 200), rec(ACK, 301, 200), rec(ACK, 1, 250)]
write("reorder", 5000, 7000, hs + ooo)
hole = [rec(ACK, 1, 100), rec(0x80 | ACK, 500, 100), rec(0xC0 | ACK, 700, 50),
        rec(ACK, 101, 50, 0x80 | 10)]
write("hole", 77, 99, hs + hole)
write("nosyn", 1, 2, [rec(1 | ACK, 10, 100), rec(ACK, 10, 100),
                      rec(1 | ACK, 110, 100)])
write("reuse", 3, 4, hs + inorder[:2] + [rec(FIN | ACK, 401, 0),
                                         rec(1 | FIN | ACK, 1, 0)] +
      [rec(SYN, 3000, 0), rec(ACK, 3001, 10)])
write("rst", 3, 4, hs + ooo[:3] + [rec(1 | RST, 1, 0)])
write("stop", 3, 4, hs + inorder, stop=2)
write("twoconn", 3, 4, hs + [rec(CONN | SYN, 0, 0), rec(CONN | ACK, 1, 30),
                             rec(ACK, 1, 30), rec(CONN | 1 | ACK, 0, 30)])
PY

# fuzz-splice: | mode | cut | variant | records |; see fuzz-splice.c.
python3 - "$corpus/splice" "$corpus/streams" <<'PY'
import os
import sys

out, streams = sys.argv[1], sys.argv[2]
HS_LEN = 1 + 2 * 1536
# Templates, in the order of enum backend_template and client_template.
(RESULT, ERROR, STATUS, STATUS_ERROR, VIDEO_KEY, VIDEO, VIDEO_CONFIG, AUDIO,
 AUDIO_CONFIG, METADATA, STREAM_BEGIN, PING, WINDOW, CHUNK_SIZE, PEER_BW,
 AGGREGATE, VIDEO_EX, ABORT, ACK, RESULT_AMF3, BIG_VIDEO, OTHER,
 SAMPLE_ACCESS, BW_DONE) = range(24)
(C_VIDEO_KEY, C_VIDEO, C_VIDEO_CONFIG, C_AUDIO, C_AUDIO_CONFIG, C_METADATA,
 C_SET_BUFFER, C_PING_RESPONSE, C_ACK, C_CHUNK_SIZE, C_WINDOW, C_CALL,
 C_CREATE_STREAM, C_PLAY, C_DELETE_STREAM, C_CLOSE_STREAM, C_RECEIVE_VIDEO,
 C_PUBLISH, C_ABORT, C_PING_REQUEST, C_AGGREGATE, C_STREAM_BEGIN,
 C_BIG_VIDEO) = range(23)


def b(t, arg=0, high=False):
    return bytes([0x40 | (0x20 if high else 0) | t, arg])


def c(t, arg=0, other=False):
    return bytes([0x80 | (0x20 if other else 0) | t, arg])


def raw(data):
    recs = b""
    for i in range(0, len(data), 0x4000):
        piece = data[i:i + 0x4000]
        n = len(piece) - 1
        recs += bytes([n >> 8, n & 0xff]) + piece
    return recs


def failover():
    return bytes([0xc0, 0])


def clock(tenths):
    return bytes([0xc1, tenths])


def handshake(piece):
    return bytes([0xc2, piece - 1])


def put(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


# A player: connect, createStream (the new backend gives stream 2), play.
play_start = b(RESULT) + b(RESULT, 0x10) + b(STATUS)
player_media = (b(STREAM_BEGIN) + b(SAMPLE_ACCESS) + b(METADATA) +
                b(VIDEO_CONFIG) + b(AUDIO_CONFIG) + b(VIDEO, 40) +
                b(AUDIO, 20) + b(VIDEO_KEY, 200) + b(AUDIO, 20) +
                b(VIDEO, 60) + b(AUDIO, 21) + b(PING, 7) +
                c(C_PING_RESPONSE, 7) + b(WINDOW, 3) + b(VIDEO, 80) +
                b(AGGREGATE, 1) + b(BW_DONE) + c(C_ACK, 1) +
                b(VIDEO, 90) + b(AUDIO, 22))
put("player", bytes([0x00, 0, 0]) + play_start + player_media)
put("player-cut", bytes([0x00, 200, 0]) + play_start + player_media)
put("player-cut-ext", bytes([0x10, 77, 0x01]) + play_start + player_media)
put("player-cs3", bytes([0x08, 5, 0x04]) + play_start + player_media)
put("player-cs65536", bytes([0x0c, 1, 0x08]) + play_start + player_media)
put("player-two", bytes([0x04, 0, 0x02 | 0x04]) + play_start +
    b(RESULT, 0x20) + b(STATUS) + b(STATUS) + player_media)
put("player-nomedia", bytes([0x40, 0, 0x10]) + play_start + player_media)
put("player-amf3", bytes([0x20, 0, 0x01]) + b(RESULT_AMF3) +
    b(RESULT_AMF3, 0x30) + b(STATUS) + player_media)
put("player-chunksize", bytes([0x00, 0, 0]) + b(CHUNK_SIZE, 3) +
    play_start + player_media + b(CHUNK_SIZE, 0) + b(BIG_VIDEO, 200) +
    b(CHUNK_SIZE, 1) + b(VIDEO, 20) + b(CHUNK_SIZE, 6) + b(VIDEO, 9))
put("player-high-csid", bytes([0x00, 0, 0]) + play_start +
    b(VIDEO_KEY, 2, True) + b(VIDEO, 64, True) + b(AUDIO, 3, True) +
    b(VIDEO_EX, 1) + b(VIDEO_EX, 0))
put("player-ts-jump", bytes([0x10, 0, 0]) + play_start + b(VIDEO_KEY, 1) +
    b(VIDEO, 0xff) + b(AUDIO, 0xff) + b(VIDEO, 3))
put("player-refused", bytes([0x00, 0, 0]) + b(ERROR) + play_start +
    player_media)
put("player-not-found", bytes([0x00, 0, 0]) + b(RESULT) + b(RESULT, 0x10) +
    b(STATUS_ERROR) + play_start + player_media)
put("player-failover", bytes([0x00, 0, 0]) + play_start + b(VIDEO_KEY, 1) +
    failover() + play_start + b(VIDEO_KEY, 9) + b(AUDIO, 9) + clock(30) +
    failover() + play_start + b(AUDIO, 4) + b(VIDEO_KEY, 4))
put("player-handshake", bytes([0x02, 0, 0]) + handshake(100) + play_start +
    player_media)
put("player-client", bytes([0x00, 0, 0x01]) + c(C_CALL, 2) + c(C_SET_BUFFER,
    30) + play_start + c(C_CREATE_STREAM) + b(RESULT, 0x80 | 10) +
    c(C_PLAY, 1) + c(C_RECEIVE_VIDEO) + c(C_CHUNK_SIZE, 1) +
    c(C_STREAM_BEGIN) + c(C_ABORT, 3) + c(C_PING_REQUEST, 1) +
    c(C_WINDOW, 2) + player_media + c(C_CLOSE_STREAM) + c(C_DELETE_STREAM) +
    b(VIDEO, 1))

# A publisher: connect, releaseStream, FCPublish, createStream, publish.
pub_start = b(RESULT) + b(RESULT, 0x20) + b(STATUS)
pub_media = (c(C_VIDEO, 30) + c(C_AUDIO, 10) + c(C_VIDEO_KEY, 200) +
             c(C_AUDIO, 10) + c(C_VIDEO, 40) + b(ACK, 1) + b(WINDOW, 200) +
             c(C_AUDIO, 11) + c(C_METADATA) + c(C_VIDEO_CONFIG) +
             c(C_AUDIO_CONFIG) + c(C_VIDEO_KEY, 90) + c(C_AGGREGATE, 1) +
             c(C_BIG_VIDEO, 100) + b(PING, 1) + c(C_PING_RESPONSE, 1))
put("publisher", bytes([0x01, 0, 0x20]) + pub_start + pub_media)
put("publisher-held", bytes([0x01, 0, 0x20]) + c(C_VIDEO_KEY, 1) +
    c(C_AUDIO, 2) + c(C_CALL, 1) + b(RESULT) + c(C_VIDEO, 3) +
    b(RESULT, 0x20) + b(STATUS) + pub_media)
put("publisher-cut", bytes([0x05, 100, 0x28]) + pub_start + pub_media)
put("publisher-ext", bytes([0x11, 3, 0x00]) + pub_start + pub_media +
    c(C_VIDEO, 0xff) + c(C_VIDEO_KEY, 5))
put("publisher-amf3", bytes([0x21, 0, 0x00]) + b(RESULT_AMF3) +
    b(RESULT_AMF3, 0x20) + b(STATUS) + pub_media)
put("publisher-nomedia", bytes([0x01, 0, 0x10]) + pub_start + pub_media +
    failover() + pub_start + c(C_AUDIO, 3) + c(C_VIDEO_KEY, 3))

# A real server's bytes as the new backend's, handshake included (mode
# bit 1), in one record or in pieces.
for name in sorted(os.listdir(streams)):
    if not name.endswith("-s2c"):
        continue
    with open(os.path.join(streams, name), "rb") as f:
        data = f.read(12288)
    if len(data) <= HS_LEN or data[0] != 3:
        continue
    put("real-%s" % name, bytes([0x02, 0, 0]) + raw(data))
    recs = b""
    for i in range(0, len(data), 700):
        recs += raw(data[i:i + 700])
    put("real-%s-pieces" % name, bytes([0x03, 0, 0x20]) + recs)
    # The partials mode: the chunk stream after the handshake.
    put("partials-%s" % name, bytes([0x80, 0x00]) + data[HS_LEN:])
    put("partials-%s-keep" % name, bytes([0x80, 0x18]) + data[HS_LEN:])
PY

# fuzz-config: the sample, every key set, the manual's examples, and a few
# files of our own.
cp "$top/samples/rtmpscope.conf" "$corpus/config/sample.conf"
sed -e 's/^#\([a-z_-]* =\)/\1/' -e 's/^# \[backend/[backend/' \
    -e 's/^# \([a-z_]* = \)/\1/' "$top/samples/rtmpscope.conf" \
    >"$corpus/config/sample-set.conf"
awk -v dir="$corpus/config" '
    /^\.Sh / { ex = ($2 == "EXAMPLES") }
    ex && /^\.Bd -literal/ { n++; on = 1; next }
    on && /^\.Ed/ { on = 0; close(f); next }
    on { f = dir "/manual-" n ".conf"; print >f }' \
    "$top/man/rtmpscope.conf.5"
cat >"$corpus/config/every-group.conf" <<'EOF'
# Every group, every key set.
[rtmpscope]
read = session.pcap
interface = lo
filter = tcp port 1935
write = out.pcap
duration = 60
user = nobody
port = 1935;19350; 8080
dump = json
report = text
fail-on = bad
ladder = 2
replay = realtime
no-ui = true
http = 0.0.0.0:10083
log-port = [::1]:10081
simulate-origin = 127.0.0.1:0
fault = stall:5s@3s,no-ping-reply,die:20s
demo = false
max_ended_sessions = 0

[health]
stall_ms = 1500
handshake_timeout_ms = 4000
ping_timeout_ms = 8000
av_desync_ms = 250

[proxy]
listen = 0.0.0.0:1935
balance = round-robin
max_connections = 50
connect_timeout_ms = 1000
handshake_timeout_ms = 2000
idle_timeout_ms = 30000
queue_bytes = 65536
drain_timeout_ms = 5000
hold_down_ms = 0
redirect = rtmp302
redirect_on = stall, ping-timeout;stream-error
redirect_stall_ms = 500
redirect_max_per_minute = 10

[backend origin1]
address = 10.0.0.11:1935
priority = 0
weight = 3
check = connect
check_app = live
interval_ms = 1000
timeout_ms = 500
rise = 1
fall = 2

[backend origin2]
address = origin2.example.net:19350
priority = 1
weight = 1
check = tcp

[backend [2001:db8::1]:1935]
address = [2001:db8::1]:1935
check = none
EOF
printf '[proxy]\r\nlisten = [::1]:1935\r\nbalance = least-sessions\r\nredirect = reconnect-request\r\nredirect_on = all\r\n\r\n[backend a.b-c_d]\r\naddress = [::1]:1936\r\ncheck = handshake' \
    >"$corpus/config/crlf-ipv6.conf"
cat >"$corpus/config/proxy-only.conf" <<'EOF'
[proxy]
listen = :1935
redirect = drop
redirect_on = none

[backend standby]
address = 127.0.0.1:1937
priority = 7
EOF
cat >"$corpus/config/bad-value.conf" <<'EOF'
[rtmpscope]
port = 0;70000
duration = -1
ladder = 10.0.0.1:50000

[health]
stall_ms = 0
EOF
cat >"$corpus/config/bad-key.conf" <<'EOF'
[health]
stall_ms = 100
stall_ms = 200
stalls_ms = 1
stall_ms[fr] = 3
EOF
cat >"$corpus/config/bad-group.conf" <<'EOF'
[rtmpscope]
dump = text

[backend]
address = 127.0.0.1:1936

[backend bad/name]
address = 127.0.0.1:1936

[backends two]
address = 1.2.3.4:5
EOF
cat >"$corpus/config/bad-backend.conf" <<'EOF'
[backend nohost]
check = connect

[backend noapp]
address = 127.0.0.1:1936
check = connect

[backend 127.0.0.1:1936]
address = 127.0.0.1:99999
weight = 0
priority = 2147483648
EOF
cat >"$corpus/config/syntax.conf" <<'EOF'
; a comment GKeyFile does not take
[rtmpscope
report = json
key without value
= value without key
[health]
stall_ms = 18446744073709551616
EOF

# fuzz-capture: | link:1 | wire:1 | frame |.  The first frames of each
# sample (Ethernet), and each of them again behind every other link header
# the decoder knows, with VLAN tags, and as IPv6 with extension headers.
mkdir -p "$corpus/capture"
python3 - "$corpus/capture" "$top"/samples/*.pcap <<'PY'
import os
import struct
import sys

out = sys.argv[1]
# The link selectors of fuzz-capture.c.
EN10MB, SLL, SLL2, RAW, IPV4, IPV6, NULL, LOOP, UNKNOWN = 0, 1, 2, 3, 7, 8, \
    9, 10, 11


def frames(path, n):
    data = open(path, "rb").read()
    e = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    off = 24
    while off + 16 <= len(data) and n > 0:
        incl = struct.unpack(e + "I", data[off + 8:off + 12])[0]
        yield data[off + 16:off + 16 + incl]
        off += 16 + incl
        n -= 1


def ipv6_of(ip4, ext=b"", first_nh=6):
    ihl = (ip4[0] & 15) * 4
    total = struct.unpack(">H", ip4[2:4])[0]
    tcp = ip4[ihl:total]
    src = b"\x20\x01\x0d\xb8" + bytes(8) + ip4[12:16]
    dst = b"\x20\x01\x0d\xb8" + bytes(8) + ip4[16:20]
    return struct.pack(">IHBB", 6 << 28, len(ext) + len(tcp), first_nh,
                       64) + src + dst + ext + tcp


n = 0


def seed(link, frame, wire=0):
    global n
    with open(os.path.join(out, "f%05d" % n), "wb") as f:
        f.write(bytes([link, wire]) + frame)
    n += 1


for path in sys.argv[2:]:
    for eth in frames(path, 12):
        if len(eth) < 34 or eth[12:14] != b"\x08\x00":
            seed(EN10MB, eth)
            continue
        ip = eth[14:]
        seed(EN10MB, eth)
        seed(EN10MB, eth, 0x81)                 # wire shorter than caplen
        seed(EN10MB, eth[:len(eth) // 2], 3)    # snaplen cut
        seed(EN10MB, eth[:12] + b"\x81\x00\x00\x05" + eth[12:])
        seed(EN10MB, eth[:12] + b"\x88\xa8\x00\x07\x81\x00\x00\x05" +
             eth[12:])
        seed(SLL, struct.pack(">HHH", 0, 1, 6) + eth[6:12] + b"\0\0" +
             b"\x08\x00" + ip)
        seed(SLL2, b"\x08\x00\0\0" + struct.pack(">IHBB", 1, 1, 0, 6) +
             eth[6:12] + b"\0\0" + ip)
        seed(RAW, ip)
        seed(IPV4, ip)
        seed(NULL, struct.pack("<I", 2) + ip)
        seed(LOOP, struct.pack(">I", 2) + ip)
        seed(UNKNOWN, eth)
        if ip[9] != 6:
            continue
        v6 = ipv6_of(ip)
        seed(IPV6, v6)
        seed(RAW, v6)
        seed(NULL, struct.pack("<I", 30) + v6)
        seed(EN10MB, eth[:12] + b"\x86\xdd" + v6)
        # hop-by-hop options, then TCP; a fragment header (offset 0, more)
        seed(IPV6, ipv6_of(ip, b"\x06\x00" + bytes(6), 0))
        seed(IPV6, ipv6_of(ip, b"\x06\x00\x00\x01" + bytes(4), 44))
PY

# fuzz-http: requests as curl, Prometheus and a browser send them, and
# broken ones.
mkdir -p "$corpus/http"
n=0
for req in \
    'GET /api/sessions HTTP/1.1\r\nHost: 127.0.0.1:10083\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n' \
    'GET /metrics HTTP/1.1\r\nHost: localhost:10083\r\nUser-Agent: Prometheus/2.42.0\r\nAccept: application/openmetrics-text;version=1.0.0\r\nX-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n' \
    'HEAD /api/sessions/12 HTTP/1.0\r\n\r\n' \
    'POST /api/sessions/3/redirect HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n' \
    'GET http://127.0.0.1:10083/api/events?since=5 HTTP/1.1\n\n' \
    'GET / HTTP/2.0\r\n\r\n' \
    'GET /x HTTP/1.1\r\n folded: line\r\n\r\n' \
    'BREW /pot HTCPCP/1.0\r\n\r\n' \
    'GET  /double-space HTTP/1.1\r\n\r\n'; do
	printf "$req" >"$corpus/http/r$n"
	n=$((n + 1))
done

for d in chunk messages amf0 amf3 codec handshake flow pipeline config \
    splice capture http; do
	printf '%s: %s seeds\n' "$d" "$(ls "$corpus/$d" | wc -l)"
done
