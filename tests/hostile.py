#!/usr/bin/env python3
"""hostile.py — captures made to hurt rtmpscope; written into OUTDIR.

  hostile.py OUTDIR [SRCDIR [SEED]]

SEED (default 0) shifts every corpus seed: more rounds for a bug hunt.

1. The limits captures (limits-*.pcap), built with pcapgen.py:
     limits-chunksize-max   Set Chunk Size 0x7FFFFFFF, then messages
     limits-chunksize-zero  Set Chunk Size 0, then messages
     limits-16mib           one video message of 16 MiB - 1 in 4096-byte chunks
     limits-csids           one message on every csid from 2 to 65599, fmt 0
     limits-amf-deep        a command "deep20" with 20 nested AMF0 objects,
                            then "deep40" with 40
     limits-amf-strings     AMF0 strings, long strings, keys and XML
                            documents declaring more bytes than the message has
   clock-extremes         a pcapng (for all its name) whose interface counts
                            whole seconds, its packets at 0, 1, 2^62, 2^63 - 1
                            and 2^64 - 1 s: the limits of a time_t
2. The hostile corpus (hostile-*.pcap), from the captures in SRCDIR/samples
   and SRCDIR/tests/golden (each cut to its first packets to stay small):
     trunc    the file cut in the middle of a record (header or data)
     snaplen  some packets' caplen rewritten below their length
     flip     random bits flipped in TCP payloads (checksums left wrong)
     splice   evil chunks written over payload bytes: absurd lengths,
              unknown types, fmt 3 / fmt 1 on unknown csids, chunk size 0
     runs     runs of random bytes written over parts of payloads

Deterministic: every file has its own seed.  Pure Python.
"""
import glob
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import (Conversation, Pcap, amf0_number, amf0_object,  # noqa
                     amf0_string, basic_header, chunk_message, rtmp_handshake)

KEEP_PACKETS = 400


def connect_cmd():
    return amf0_string("connect") + amf0_number(1) + amf0_object(
        [("app", amf0_string("live")),
         ("tcUrl", amf0_string("rtmp://127.0.0.1/live"))])


def session(path, mss=1448):
    pcap = Pcap(path)
    conv = Conversation(pcap, mss=mss)
    rtmp_handshake(conv)
    conv.send(0, chunk_message(3, 20, 0, 0, connect_cmd()))
    return pcap, conv


def finish(pcap, conv):
    conv.close()
    pcap.close()


def chunked(csid, msg_type, msid, ts, body, chunk_size):
    """chunk_message without its quadratic concatenation (16 MiB bodies)."""
    head = basic_header(0, csid) + struct.pack("!I", ts)[1:] + \
        struct.pack("!I", len(body))[1:] + bytes([msg_type]) + \
        struct.pack("<I", msid)
    parts = [head, body[:chunk_size]]
    c3 = basic_header(3, csid)
    for i in range(chunk_size, len(body), chunk_size):
        parts.append(c3)
        parts.append(body[i:i + chunk_size])
    return b"".join(parts)


def set_chunk_size(n):
    return chunk_message(2, 1, 0, 0, struct.pack("!I", n))


def media_tail(conv, chunk_size):
    """Messages after a Set Chunk Size: commands, audio, video."""
    rnd = random.Random(chunk_size & 0xFFFF)
    conv.send(0, chunk_message(3, 20, 0, 0, amf0_string("createStream") +
                               amf0_number(2) + b"\x05",
                               chunk_size=chunk_size))
    for i in range(6):
        body = b"\x17\x01\x00\x00\x00" + bytes(
            rnd.getrandbits(8) for _ in range(300 + 700 * i))
        conv.send(0, chunk_message(6, 9, 1, 40 * i, body,
                                   chunk_size=chunk_size))
        conv.send(0, chunk_message(4, 8, 1, 40 * i, b"\xaf\x01" + bytes(200),
                                   chunk_size=chunk_size))


class PcapngSeconds:
    """A pcapng writer, as Pcap, whose interface has if_tsresol 10^0 (one
    unit a second) and whose packets take their times from a list, the
    last repeated."""

    def __init__(self, path, times):
        self.f = open(path, "wb")
        self.times = list(times)
        self.f.write(self._block(0x0A0D0D0A, struct.pack(
            "<IHHq", 0x1A2B3C4D, 1, 0, -1)))
        tsresol = struct.pack("<HHB3x", 9, 1, 0) + struct.pack("<HH", 0, 0)
        self.f.write(self._block(1, struct.pack("<HHI", 1, 0, 262144) +
                                 tsresol))

    @staticmethod
    def _block(kind, body):
        body += bytes(-len(body) % 4)
        return struct.pack("<II", kind, 12 + len(body)) + body + \
            struct.pack("<I", 12 + len(body))

    def packet(self, frame, t=None, caplen=None):
        t = self.times.pop(0) if len(self.times) > 1 else self.times[0]
        data = frame if caplen is None else frame[:caplen]
        self.f.write(self._block(6, struct.pack(
            "<IIIII", 0, t >> 32, t & 0xFFFFFFFF, len(data), len(frame)) +
            data + bytes(-len(data) % 4)))

    def close(self):
        self.f.close()


def clock_extremes(path):
    pcap = PcapngSeconds(path, [0, 0, 1, 1 << 62, (1 << 63) - 1,
                                (1 << 64) - 1])
    conv = Conversation(pcap)
    rtmp_handshake(conv)
    conv.send(0, chunk_message(3, 20, 0, 0, connect_cmd()))
    conv.send(1, set_chunk_size(4096))
    finish(pcap, conv)


def limits_chunksize_max(path):
    pcap, conv = session(path)
    conv.send(0, set_chunk_size(0x7FFFFFFF))
    media_tail(conv, 0x7FFFFFFF)
    finish(pcap, conv)


def limits_chunksize_zero(path):
    pcap, conv = session(path)
    conv.send(0, set_chunk_size(0))
    media_tail(conv, 128)       # the 0 is ignored: chunks stay at 128
    finish(pcap, conv)


def limits_16mib(path):
    pcap, conv = session(path, mss=60000)
    conv.send(0, set_chunk_size(4096))
    rnd = random.Random(16)
    n = 0xFFFFFF - 5
    body = b"\x17\x01\x00\x00\x00" + rnd.getrandbits(8 * n).to_bytes(n, "little")
    conv.send(0, chunked(6, 9, 1, 0, body, 4096))
    conv.send(0, chunk_message(4, 8, 1, 1, b"\xaf\x01" + bytes(20),
                               chunk_size=4096))
    finish(pcap, conv)


def limits_csids(path):
    pcap, conv = session(path, mss=60000)
    parts = []
    for csid in range(2, 65600):
        parts.append(chunk_message(csid, 8, 1, csid, b"\xaf\x01" +
                                   struct.pack("!I", csid)))
    data = b"".join(parts)
    conv.send(0, data)
    finish(pcap, conv)


def nested(depth):
    v = amf0_number(depth)
    for _ in range(depth):
        v = amf0_object([("n", v)])
    return v


def limits_amf_deep(path):
    pcap, conv = session(path)
    conv.send(0, set_chunk_size(4096))
    for depth in (20, 40):
        body = amf0_string("deep%d" % depth) + amf0_number(depth) + \
            b"\x05" + nested(depth)
        conv.send(0, chunk_message(3, 20, 0, depth, body, chunk_size=4096))
    finish(pcap, conv)


def limits_amf_strings(path):
    pcap, conv = session(path)
    lies = [
        b"\x02\xff\xffshort",                       # string, 65535 declared
        b"\x0c\xff\xff\xff\xffshort",               # long string, 4 GiB
        b"\x0c\x00\x10\x00\x00" + bytes(40),        # long string, 1 MiB
        b"\x0f\x7f\xff\xff\xffxml",                 # XML document
        b"\x03\xff\xffkey",                         # object key
        b"\x08\x00\x00\x00\x01\x00\x05ab",          # ECMA array key
        b"\x10\xff\xf0Cls",                         # typed object class
    ]
    for i, lie in enumerate(lies):
        body = amf0_string("lie%d" % i) + amf0_number(i) + b"\x05" + lie
        conv.send(0, chunk_message(3, 20, 0, i, body))
        conv.send(0, chunk_message(5, 18, 1, i, lie))
    # and a name that lies: the command name itself overruns
    conv.send(0, chunk_message(3, 20, 0, 9, b"\x02\x00\x40conn"))
    finish(pcap, conv)


LIMITS = {
    "limits-chunksize-max": limits_chunksize_max,
    "limits-chunksize-zero": limits_chunksize_zero,
    "limits-16mib": limits_16mib,
    "limits-csids": limits_csids,
    "limits-amf-deep": limits_amf_deep,
    "limits-amf-strings": limits_amf_strings,
    "clock-extremes": clock_extremes,
}


# --- The hostile corpus -----------------------------------------------------

def read_pcap(path):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:4] == b"\xd4\xc3\xb2\xa1":
        e = "<"
    elif raw[:4] == b"\xa1\xb2\xc3\xd4":
        e = ">"
    else:
        return None
    recs = []
    off = 24
    while off + 16 <= len(raw) and len(recs) < KEEP_PACKETS:
        sec, frac, cl, ol = struct.unpack(e + "IIII", raw[off:off + 16])
        recs.append([sec, frac, ol, bytearray(raw[off + 16:off + 16 + cl])])
        off += 16 + cl
    return e, raw[:24], recs


def write_pcap(path, e, head, recs, cut=None):
    out = bytearray(head)
    for sec, frac, ol, data in recs:
        out += struct.pack(e + "IIII", sec, frac, len(data), ol) + data
    if cut is not None:
        out = out[:cut]
    with open(path, "wb") as f:
        f.write(out)


def payload_span(data):
    """(start, end) of the TCP payload in an Ethernet frame, or None."""
    if len(data) < 34 or data[12:14] != b"\x08\x00" or data[14] >> 4 != 4:
        return None
    ihl = (data[14] & 15) * 4
    if data[23] != 6:
        return None
    t = 14 + ihl
    if len(data) < t + 20:
        return None
    start = t + (data[t + 12] >> 4) * 4
    total = struct.unpack("!H", data[16:18])[0]
    end = min(len(data), 14 + total)
    return (start, end) if end > start else None


def with_payload(recs):
    return [r for r in recs if payload_span(r[3])]


EVIL = [
    basic_header(0, 3) + b"\0\0\0" + b"\xff\xff\xff" + b"\x09" + b"\1\0\0\0",
    basic_header(0, 4) + b"\0\0\0" + b"\0\0\x10" + b"\x7f" + b"\1\0\0\0" +
    bytes(16),
    basic_header(3, 47) + bytes(64),
    basic_header(3, 60000) + bytes(64),
    basic_header(1, 61) + b"\0\0\0" + b"\xff\xff\xf0" + b"\x14",
    basic_header(2, 300) + b"\xff\xff\xff" + b"\xff\xff\xff\xff",
    chunk_message(2, 1, 0, 0, struct.pack("!I", 0)),
    chunk_message(2, 1, 0, 0, struct.pack("!I", 0x7FFFFFFF)),
    chunk_message(2, 1, 0, 0, struct.pack("!I", 1)),
    chunk_message(2, 2, 0, 0, struct.pack("!I", 65599)),
    chunk_message(3, 20, 0, 0, b"\x02\xff\xff" + b"\x03" * 40),
    chunk_message(5, 22, 1, 0, b"\x09\xff\xff\xff\0\0\0\0\0\0\0" + bytes(8)),
    chunk_message(5, 22, 1, 0, b"\x16\x00\x00\x0b\0\0\0\0\0\0\0" +
                  b"\x16\x00\x00\x00\0\0\0\0\0\0\0" + bytes(4)),
    chunk_message(6, 9, 1, 0, b"\x1c\x00\x00\x00\x00" + b"\xff" * 30),
    chunk_message(6, 9, 1, 0, b"\x90hvc1" + b"\xff" * 30),
    chunk_message(7, 8, 1, 0, b"\xaf\x00\xff\xff"),
    chunk_message(3, 17, 0, 0, b"\x00\x02\x00\x04call\x00" + bytes(8) +
                  b"\x11\x0a\xff\xff\xff\xff"),
    chunk_message(3, 19, 0, 0, b"\xff\xffso" + bytes(12) +
                  b"\x04\xff\xff\xff\xff"),
]


def mutate_snaplen(rnd, recs):
    for r in with_payload(recs):
        if rnd.random() < 0.15:
            r[3] = r[3][:rnd.randrange(0, len(r[3]))]


def mutate_flip(rnd, recs):
    pl = with_payload(recs)
    for _ in range(rnd.choice((8, 40, 200))):
        r = rnd.choice(pl)
        s, e = payload_span(r[3])
        i = rnd.randrange(s, e)
        r[3][i] ^= 1 << rnd.randrange(8)


def mutate_splice(rnd, recs):
    pl = with_payload(recs)
    for _ in range(rnd.randrange(3, 12)):
        r = rnd.choice(pl)
        s, e = payload_span(r[3])
        evil = rnd.choice(EVIL)
        at = rnd.randrange(s, e)
        n = min(len(evil), e - at)
        r[3][at:at + n] = evil[:n]


def mutate_runs(rnd, recs):
    pl = with_payload(recs)
    for _ in range(rnd.randrange(2, 10)):
        r = rnd.choice(pl)
        s, e = payload_span(r[3])
        at = rnd.randrange(s, e)
        n = min(rnd.choice((4, 16, 64, 512, 4096)), e - at)
        r[3][at:at + n] = bytes(rnd.getrandbits(8) for _ in range(n))


MUTATIONS = {
    "snaplen": mutate_snaplen,
    "flip": mutate_flip,
    "splice": mutate_splice,
    "runs": mutate_runs,
}


def corpus(outdir, srcdir, seed=0):
    sources = sorted(glob.glob(os.path.join(srcdir, "samples", "*.pcap")) +
                     glob.glob(os.path.join(srcdir, "tests", "golden",
                                            "*.pcap")))
    written = []
    for si, src in enumerate(sources):
        parsed = read_pcap(src)
        if parsed is None or not parsed[2]:
            continue
        e, head, recs = parsed
        base = os.path.splitext(os.path.basename(src))[0]
        if "golden" in src:
            base = "golden-" + base
        # the file cut mid-record: in a record header, or in its data
        rnd = random.Random(seed * 100003 + 1000 + si)
        size = 24 + sum(16 + len(r[3]) for r in recs)
        k = rnd.randrange(len(recs) // 2, len(recs))
        at = 24 + sum(16 + len(r[3]) for r in recs[:k])
        for name, cut in (("trunc-head", at + rnd.randrange(1, 16)),
                          ("trunc-data", at + 16 + rnd.randrange(
                              0, max(1, len(recs[k][3]))))):
            path = os.path.join(outdir, "hostile-%s-%s.pcap" % (base, name))
            write_pcap(path, e, head, recs, cut=min(cut, size - 1))
            written.append(path)
        for mi, (name, fn) in enumerate(sorted(MUTATIONS.items())):
            rnd = random.Random(seed * 100003 + si * 100 + mi)
            copy = [[a, b, c, bytearray(d)] for a, b, c, d in recs]
            fn(rnd, copy)
            path = os.path.join(outdir, "hostile-%s-%s.pcap" % (base, name))
            write_pcap(path, e, head, copy)
            written.append(path)
    return written


def main():
    if len(sys.argv) not in (2, 3, 4):
        sys.exit("usage: hostile.py OUTDIR [SRCDIR [SEED]]")
    outdir = sys.argv[1]
    srcdir = sys.argv[2] if len(sys.argv) >= 3 else \
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    seed = int(sys.argv[3]) if len(sys.argv) == 4 else 0
    os.makedirs(outdir, exist_ok=True)
    if seed == 0:
        for name, fn in LIMITS.items():
            fn(os.path.join(outdir, name + ".pcap"))
    corpus(outdir, srcdir, seed)


if __name__ == "__main__":
    main()
