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
# sequences.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
corpus=${1:-$here/corpus}
bin=${2:-$here/bin}

if [ ! -x "$bin/seed-extract" ]; then
	echo "seeds.sh: no $bin/seed-extract; run build.sh first" >&2
	exit 1
fi
for d in chunk messages amf0 amf3 codec handshake flow pipeline streams; do
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

for d in chunk messages amf0 amf3 codec handshake flow pipeline; do
	printf '%s: %s seeds\n' "$d" "$(ls "$corpus/$d" | wc -l)"
done
