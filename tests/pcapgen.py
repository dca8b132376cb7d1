#!/usr/bin/env python3
"""Synthetic RTMP captures for tests: a TCP conversation written as pcap.

A conversation is a list of (side, bytes) turns; side 0 is the client. The
generator does the TCP work (three-way handshake, segmentation at an MSS,
acknowledgements, FIN) and the RTMP work the tests ask for (handshake
blocks, chunking of messages with a chosen chunk size and header formats).

Used as a library by other test scripts and from the command line:
  pcapgen.py garbage OUT.pcap       random bytes both ways on port 1935
  pcapgen.py minimal OUT.pcap       handshake + connect + a few messages
"""
import random
import struct
import sys

LINKTYPE_ETHERNET = 1


class Pcap:
    def __init__(self, path, linktype=LINKTYPE_ETHERNET, snaplen=262144):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0,
                                 snaplen, linktype))
        self.t = 1700000000.0

    def packet(self, frame, t=None, caplen=None):
        if t is None:
            self.t += 0.001
            t = self.t
        sec = int(t)
        usec = int(round((t - sec) * 1e6))
        data = frame if caplen is None else frame[:caplen]
        self.f.write(struct.pack("<IIII", sec, usec, len(data), len(frame)))
        self.f.write(data)

    def close(self):
        self.f.close()


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4_tcp(src, dst, sport, dport, seq, ack, flags, payload):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF,
                      ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0)
    total = 20 + len(tcp) + len(payload)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 0, 0x4000, 64, 6, 0,
                     bytes(src), bytes(dst))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    eth = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00"
    return eth + ip + tcp + payload


FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


class Conversation:
    """One TCP connection between a client and a server."""

    def __init__(self, pcap, client=("127.0.0.1", 50000),
                 server=("127.0.0.1", 1935), mss=1448, handshake_tcp=True):
        self.pcap = pcap
        self.addr = [bytes(int(x) for x in client[0].split(".")),
                     bytes(int(x) for x in server[0].split("."))]
        self.port = [client[1], server[1]]
        self.seq = [1000, 500000]
        self.mss = mss
        if handshake_tcp:
            self._seg(0, SYN, b"", seq=self.seq[0] - 1)
            self._seg(1, SYN | ACK, b"", seq=self.seq[1] - 1)
            self._seg(0, ACK, b"")

    def _seg(self, side, flags, payload, seq=None, caplen=None):
        other = 1 - side
        frame = ipv4_tcp(self.addr[side], self.addr[other], self.port[side],
                         self.port[other],
                         self.seq[side] if seq is None else seq,
                         self.seq[other], flags, payload)
        self.pcap.packet(frame, caplen=caplen)

    def send(self, side, data):
        for i in range(0, len(data), self.mss):
            part = data[i:i + self.mss]
            self._seg(side, PSH | ACK, part)
            self.seq[side] += len(part)

    def close(self):
        self._seg(0, FIN | ACK, b"")
        self.seq[0] += 1
        self._seg(1, FIN | ACK, b"")
        self.seq[1] += 1
        self._seg(0, ACK, b"")


def rtmp_handshake(conv, version=3):
    rnd = random.Random(7)
    c1 = struct.pack("!II", 0, 0x09007C02) + bytes(
        rnd.getrandbits(8) for _ in range(1528))
    s1 = struct.pack("!II", 1234, 0x0D0E0A0D) + bytes(
        rnd.getrandbits(8) for _ in range(1528))
    conv.send(0, bytes([version]) + c1)
    conv.send(1, bytes([version]) + s1 + c1)
    conv.send(0, s1)


def basic_header(fmt, csid):
    if csid < 64:
        return bytes([fmt << 6 | csid])
    if csid < 320:
        return bytes([fmt << 6, csid - 64])
    return bytes([fmt << 6 | 1, (csid - 64) & 0xFF, (csid - 64) >> 8])


def chunk_message(csid, msg_type, msid, ts, body, chunk_size=128, fmt=0,
                  delta=None):
    """Chunks one message; fmt 0 (absolute ts) or 1/2/3 with a delta."""
    field = ts if fmt == 0 else (delta or 0)
    ext = field >= 0xFFFFFF
    ts3 = 0xFFFFFF if ext else field
    head = basic_header(fmt, csid)
    if fmt == 0:
        head += struct.pack("!I", ts3)[1:] + struct.pack("!I", len(body))[1:]
        head += bytes([msg_type]) + struct.pack("<I", msid)
    elif fmt == 1:
        head += struct.pack("!I", ts3)[1:] + struct.pack("!I", len(body))[1:]
        head += bytes([msg_type])
    elif fmt == 2:
        head += struct.pack("!I", ts3)[1:]
    if ext:
        head += struct.pack("!I", field)
    out = head + body[:chunk_size]
    for i in range(chunk_size, len(body), chunk_size):
        out += basic_header(3, csid)
        if ext:
            out += struct.pack("!I", field)
        out += body[i:i + chunk_size]
    return out


def amf0_string(s):
    b = s.encode()
    return b"\x02" + struct.pack("!H", len(b)) + b


def amf0_number(n):
    return b"\x00" + struct.pack("!d", n)


def amf0_object(pairs):
    out = b"\x03"
    for k, v in pairs:
        kb = k.encode()
        out += struct.pack("!H", len(kb)) + kb + v
    return out + b"\x00\x00\x09"


def minimal(path, port=1935):
    pcap = Pcap(path)
    conv = Conversation(pcap, server=("127.0.0.1", port))
    rtmp_handshake(conv)
    connect = amf0_string("connect") + amf0_number(1) + amf0_object(
        [("app", amf0_string("live")),
         ("tcUrl", amf0_string("rtmp://127.0.0.1/live"))])
    conv.send(0, chunk_message(3, 20, 0, 0, connect))
    conv.send(1, chunk_message(2, 5, 0, 0, struct.pack("!I", 2500000)))
    conv.send(1, chunk_message(2, 1, 0, 0, struct.pack("!I", 4096)))
    conv.send(1, chunk_message(3, 20, 0, 0, amf0_string("_result") +
                               amf0_number(1) + b"\x05\x05"))
    conv.close()
    pcap.close()


def garbage(path, port=1935):
    rnd = random.Random(1935)
    pcap = Pcap(path)
    conv = Conversation(pcap, server=("127.0.0.1", port))
    for i in range(40):
        conv.send(i % 2, bytes(rnd.getrandbits(8) for _ in range(700)))
    conv.close()
    # and the same without a TCP handshake: joined mid-stream
    conv = Conversation(pcap, client=("127.0.0.1", 50001),
                        server=("127.0.0.1", port), handshake_tcp=False)
    for i in range(40):
        conv.send(i % 2, bytes(rnd.getrandbits(8) for _ in range(900)))
    pcap.close()


if __name__ == "__main__":
    modes = {"minimal": minimal, "garbage": garbage}
    if len(sys.argv) not in (3, 4) or sys.argv[1] not in modes:
        sys.exit("usage: pcapgen.py minimal|garbage OUT.pcap [PORT]")
    modes[sys.argv[1]](sys.argv[2], *[int(a) for a in sys.argv[3:]])
