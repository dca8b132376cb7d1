#!/usr/bin/env python3
"""pcap-damage.py — damage a TCP capture the way real captures are damaged.

  pcap-damage.py --reorder    [--seed N] IN OUT
      Within each direction of each TCP connection, shuffle runs of 2-4
      consecutive data segments.  The packets swap places but the record
      times stay in their slots, so the file is still in time order, as a
      capture of reordered traffic would be.
  pcap-damage.py --retransmit [--seed N] IN OUT
      Re-send some data segments a few packets later (exact duplicates), and
      add partial overlaps: a segment covering the second half of one
      segment and the first half of the next, sent after both.
  pcap-damage.py --cut-third IN OUT
      Drop the first third of the packets: the capture starts mid-session,
      without the handshake and with chunk streams already under way.

Reads classic pcap (either byte order, micro- or nanosecond); pcapng is
converted first with editcap or tshark when one is installed.  Writes classic
pcap with the input's link type.  Link types: Ethernet, Linux cooked (SLL),
raw IP, BSD loopback.  Pure Python, deterministic for a given seed.
"""

import argparse
import bisect
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile

PCAP_MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", False), b"\xa1\xb2\xc3\xd4": (">", False),
    b"\x4d\x3c\xb2\xa1": ("<", True), b"\xa1\xb2\x3c\x4d": (">", True),
}
PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"

LINK_NULL, LINK_ETH, LINK_RAW, LINK_SLL = 0, 1, 101, 113
LINK_RAW_ALT = (12, 14)


class Packet:
    __slots__ = ("sec", "frac", "orig_len", "data", "l3", "tcp", "payload",
                 "flow", "seq", "plen")

    def __init__(self, sec, frac, orig_len, data):
        self.sec, self.frac, self.orig_len, self.data = sec, frac, orig_len, data
        self.l3 = self.tcp = self.payload = None
        self.flow = None
        self.seq = 0
        self.plen = 0


def read_pcap(path):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:4] == PCAPNG_MAGIC:
        return read_pcap(convert_pcapng(path))
    if raw[:4] not in PCAP_MAGICS:
        sys.exit("pcap-damage: %s: not a pcap file" % path)
    e, nano = PCAP_MAGICS[raw[:4]]
    header = raw[:24]
    linktype = struct.unpack(e + "I", raw[20:24])[0] & 0x0FFFFFFF
    pkts = []
    off = 24
    while off + 16 <= len(raw):
        sec, frac, caplen, olen = struct.unpack(e + "IIII", raw[off:off + 16])
        off += 16
        if caplen > len(raw) - off:
            break  # truncated last record
        pkts.append(Packet(sec, frac, olen, raw[off:off + caplen]))
        off += caplen
    return header, e, linktype, pkts


_converted = []


def convert_pcapng(path):
    fd, tmp = tempfile.mkstemp(suffix=".pcap")
    os.close(fd)
    _converted.append(tmp)
    if shutil.which("editcap"):
        cmd = ["editcap", "-F", "pcap", path, tmp]
    elif shutil.which("tshark"):
        cmd = ["tshark", "-r", path, "-F", "pcap", "-w", tmp]
    else:
        sys.exit("pcap-damage: %s is pcapng; install editcap or convert it" % path)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return tmp


def write_pcap(path, header, e, pkts):
    out = [header]
    for p in pkts:
        out.append(struct.pack(e + "IIII", p.sec, p.frac, len(p.data),
                               max(p.orig_len, len(p.data))))
        out.append(p.data)
    with open(path, "wb") as f:
        f.write(b"".join(out))


def l3_offset(linktype, data):
    """Offset of the IP header, or None."""
    if linktype == LINK_ETH:
        off = 14
        if len(data) < off:
            return None
        etype = struct.unpack(">H", data[12:14])[0]
        while etype in (0x8100, 0x88A8) and len(data) >= off + 4:
            etype = struct.unpack(">H", data[off + 2:off + 4])[0]
            off += 4
        return off if etype in (0x0800, 0x86DD) else None
    if linktype == LINK_SLL:
        return 16 if len(data) >= 16 else None
    if linktype == LINK_RAW or linktype in LINK_RAW_ALT:
        return 0
    if linktype == LINK_NULL:
        return 4 if len(data) >= 4 else None
    return None


def parse(linktype, p):
    """Fill in the TCP fields of a packet; leave them None if not TCP."""
    d = p.data
    off = l3_offset(linktype, d)
    if off is None or len(d) < off + 20:
        return
    ver = d[off] >> 4
    if ver == 4:
        ihl = (d[off] & 0x0F) * 4
        if d[off + 9] != 6 or len(d) < off + ihl + 20:
            return
        total = struct.unpack(">H", d[off + 2:off + 4])[0]
        src, dst = d[off + 12:off + 16], d[off + 16:off + 20]
        tcp = off + ihl
        end = min(len(d), off + total)
    elif ver == 6:
        if len(d) < off + 40 or d[off + 6] != 6:
            return  # extension headers: not handled, left alone
        plen = struct.unpack(">H", d[off + 4:off + 6])[0]
        src, dst = d[off + 8:off + 24], d[off + 24:off + 40]
        tcp = off + 40
        end = min(len(d), tcp + plen)
    else:
        return
    doff = (d[tcp + 12] >> 4) * 4
    if doff < 20 or tcp + doff > end:
        return
    sport, dport, seq = struct.unpack(">HHI", d[tcp:tcp + 8])
    p.l3, p.tcp, p.payload = off, tcp, tcp + doff
    p.plen = end - p.payload
    p.seq = seq
    p.flow = (src, sport, dst, dport)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def rebuild(linktype, tmpl, seq, payload):
    """A copy of packet tmpl carrying another sequence number and payload,
    with lengths and checksums recomputed."""
    d = bytearray(tmpl.data[:tmpl.payload])
    l3, tcp = tmpl.l3, tmpl.tcp
    struct.pack_into(">I", d, tcp + 4, seq)
    d += payload
    tcplen = len(d) - tcp
    if d[l3] >> 4 == 4:
        struct.pack_into(">H", d, l3 + 2, len(d) - l3)
        struct.pack_into(">H", d, l3 + 10, 0)
        ihl = (d[l3] & 0x0F) * 4
        struct.pack_into(">H", d, l3 + 10, checksum(bytes(d[l3:l3 + ihl])))
        pseudo = bytes(d[l3 + 12:l3 + 20]) + struct.pack(">BBH", 0, 6, tcplen)
    else:
        struct.pack_into(">H", d, l3 + 4, tcplen)
        pseudo = bytes(d[l3 + 8:l3 + 40]) + struct.pack(">IxxxB", tcplen, 6)
    struct.pack_into(">H", d, tcp + 16, 0)
    struct.pack_into(">H", d, tcp + 16, checksum(pseudo + bytes(d[tcp:])))
    p = Packet(tmpl.sec, tmpl.frac, len(d), bytes(d))
    parse(linktype, p)
    return p


def data_segments_by_direction(pkts):
    """{flow: [index into pkts, ...]} for TCP segments carrying data."""
    by = {}
    for i, p in enumerate(pkts):
        if p.flow is not None and p.plen > 0:
            by.setdefault(p.flow, []).append(i)
    return by


def reorder(pkts, rng):
    """Shuffle runs of 2-4 data segments within each direction; the moved
    packets take over each other's slots (and so each other's times).

    A run never spans a data segment of the opposite direction: what a peer
    sends after hearing from the other side cannot pass the capture point
    before what it heard (C2 before S0S1S2, say), however the network
    reorders."""
    order = list(range(len(pkts)))
    moved = 0
    segs = data_segments_by_direction(pkts)
    for flow, idx in sorted(segs.items()):
        src, sport, dst, dport = flow
        other = segs.get((dst, dport, src, sport), [])
        i = 0
        while i + 1 < len(idx):
            k = min(rng.randint(2, 4), len(idx) - i)
            # shrink the run until no reverse data lies inside it
            while k >= 2:
                lo = bisect.bisect_right(other, idx[i])
                if lo >= len(other) or other[lo] > idx[i + k - 1]:
                    break
                k -= 1
            if k < 2:
                i += 1
                continue
            run = idx[i:i + k]
            perm = run[:]
            while perm == run:
                rng.shuffle(perm)
            for slot, src in zip(run, perm):
                order[slot] = src
            moved += k
            # leave a few segments in place between runs
            i += k + rng.randint(0, 2)
    out = []
    for slot, src in enumerate(order):
        p = pkts[src]
        q = Packet(pkts[slot].sec, pkts[slot].frac, p.orig_len, p.data)
        q.l3, q.tcp, q.payload, q.flow, q.seq, q.plen = (
            p.l3, p.tcp, p.payload, p.flow, p.seq, p.plen)
        out.append(q)
    return out, "%d segments in shuffled runs" % moved


def retransmit(pkts, rng, linktype):
    """Duplicate about one data segment in six, 1-6 packets later; and about
    one pair of adjacent segments in eight gets an overlapping segment made of
    the tail of the first and the head of the second, sent after both."""
    inserts = {}  # slot -> packets to insert after it
    dups = overlaps = 0
    for flow, idx in sorted(data_segments_by_direction(pkts).items()):
        for n, i in enumerate(idx):
            if rng.random() < 1 / 6:
                at = min(len(pkts) - 1, i + rng.randint(1, 6))
                inserts.setdefault(at, []).append(pkts[i])
                dups += 1
            if n + 1 < len(idx) and rng.random() < 1 / 8:
                a, b = pkts[i], pkts[idx[n + 1]]
                if (a.seq + a.plen) & 0xFFFFFFFF != b.seq or a.plen < 2 or b.plen < 2:
                    continue
                pa = a.data[a.payload:a.payload + a.plen]
                pb = b.data[b.payload:b.payload + b.plen]
                tail = pa[len(pa) // 2:]
                head = pb[:max(1, len(pb) // 2)]
                seq = (a.seq + len(pa) // 2) & 0xFFFFFFFF
                q = rebuild(linktype, b, seq, tail + head)
                at = min(len(pkts) - 1, idx[n + 1] + rng.randint(1, 4))
                inserts.setdefault(at, []).append(q)
                overlaps += 1
    out = []
    for slot, p in enumerate(pkts):
        out.append(p)
        for q in inserts.get(slot, []):
            r = Packet(p.sec, p.frac, q.orig_len, q.data)  # the slot's time
            out.append(r)
    return out, "%d duplicates, %d overlapping segments" % (dups, overlaps)


def cut_third(pkts):
    n = len(pkts) // 3
    return pkts[n:], "dropped the first %d of %d packets" % (n, len(pkts))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--reorder", action="store_true")
    g.add_argument("--retransmit", action="store_true")
    g.add_argument("--cut-third", action="store_true")
    ap.add_argument("--seed", type=int, default=1935)
    ap.add_argument("-q", "--quiet", action="store_true")
    ap.add_argument("input")
    ap.add_argument("output")
    args = ap.parse_args(argv)
    try:
        header, e, linktype, pkts = read_pcap(args.input)
        for p in pkts:
            parse(linktype, p)
        rng = random.Random(args.seed)
        if args.reorder:
            out, what = reorder(pkts, rng)
        elif args.retransmit:
            out, what = retransmit(pkts, rng, linktype)
        else:
            out, what = cut_third(pkts)
        write_pcap(args.output, header, e, out)
    finally:
        for t in _converted:
            os.unlink(t)
    if not args.quiet:
        print("%s: %s -> %d packets" % (args.output, what, len(out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
