#!/usr/bin/env python3
"""Synthetic RTMP captures for tests: a TCP conversation written as pcap.

A conversation is a list of (side, bytes) turns; side 0 is the client. The
generator does the TCP work (three-way handshake, segmentation at an MSS,
acknowledgements, FIN) and the RTMP work the tests ask for (handshake
blocks, chunking of messages with a chosen chunk size and header formats).

Used as a library by other test scripts and from the command line:
  pcapgen.py garbage OUT.pcap       random bytes both ways on port 1935
  pcapgen.py minimal OUT.pcap       handshake + connect + a few messages
  pcapgen.py features OUT.pcap      every message family and header form
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


# --- The features capture: what real peers here do not send -------------
#
# Codec configuration records made with ffmpeg 5.1 (see tests/golden/README):
#   hvcC  libx265, 1920x1080 testsrc2, one frame (SEI array dropped)
#   av1C  libaom-av1, 640x360 testsrc2, one frame
#   dOps  libopus, 48 kHz stereo
HVCC = bytes.fromhex(
    "01016000000090000000000078f000fcfdf8f800000f03a00001001840010c01ffff"
    "016000000300900000030000030078959809a10001002a4201010160000003009000"
    "00030000030078a003c08010e596566924caf0168080000003008000000f04a20001"
    "00074401c172b46240")
AV1C = bytes.fromhex("81010c000a0b0000000cc4ff6736be4010")
DOPS = bytes.fromhex("000201380000bb80000000")
AVCC_BASELINE_320x240 = bytes.fromhex(
    "0142c00dffe100186742c00dd90141fb011000000300100000030320f142a480"
    "01000468cb8cb2")


def u24(n):
    return struct.pack("!I", n)[1:]


def video_ex(frame, packet, fourcc, body):
    return bytes([0x80 | frame << 4 | packet]) + fourcc + body


def amf3_string(s):
    """A string value; [1:] is the bare UTF-8-vr of names and classes."""
    b = s.encode()
    return bytes([0x06, (len(b) << 1) | 1]) + b


def features(path):
    """Every message family and header form, on port 1935."""
    pcap = Pcap(path)
    conv = Conversation(pcap)
    rtmp_handshake(conv)
    cs = 4096
    fourccs = b"\x0a\x00\x00\x00\x03" + b"".join(
        amf0_string(f) for f in ("hvc1", "av01", "Opus"))
    connect = amf0_string("connect") + amf0_number(1) + amf0_object(
        [("app", amf0_string("live")),
         ("tcUrl", amf0_string("rtmp://127.0.0.1/live")),
         ("fourCcList", fourccs),
         ("capsEx", amf0_number(1))])
    conv.send(0, chunk_message(3, 20, 0, 0, connect))
    conv.send(1, chunk_message(2, 1, 0, 0, struct.pack("!I", cs)))
    conv.send(0, chunk_message(2, 1, 0, 0, struct.pack("!I", cs)))
    conv.send(1, chunk_message(3, 20, 0, 0, amf0_string("_result") +
                               amf0_number(1) + b"\x05" + amf0_object(
                                   [("level", amf0_string("status")),
                                    ("code", amf0_string(
                                        "NetConnection.Connect.Success"))]),
                               chunk_size=cs))
    # The seed's user control vector (event 15) and the known events.
    conv.send(1, bytes.fromhex("020000000000060400000000000f00000001"))
    for ev, data in ((0, struct.pack("!I", 1)),
                     (3, struct.pack("!II", 1, 3000)),
                     (6, struct.pack("!I", 4242)), (31, struct.pack("!I", 1))):
        conv.send(1, chunk_message(2, 4, 0, 0, struct.pack("!H", ev) + data,
                                   chunk_size=cs))
    conv.send(0, chunk_message(2, 4, 0, 0, struct.pack("!HI", 7, 4242),
                               chunk_size=cs))
    # An AMF3 command (type 17): format byte, AMF0 name, txn, null, AMF3.
    conv.send(0, chunk_message(3, 17, 1, 0, b"\x00" + amf0_string(
        "receiveVideo") + amf0_number(0) + b"\x05\x11\x03", chunk_size=cs))
    # An AMF3 data message (type 15) with a typed, dynamic object.
    obj3 = (b"\x0a\x0b" + amf3_string("com.example.Cue")[1:] +
            amf3_string("time")[1:] + b"\x04\x7f" + b"\x01")
    conv.send(0, chunk_message(5, 15, 1, 10, b"\x00" + amf0_string(
        "onCuePoint") + b"\x11" + obj3, chunk_size=cs))
    # The seed's onGetFPS data message, fmt 1 on csid 4 after a fmt 0.
    conv.send(0, chunk_message(4, 18, 1, 0, amf0_string("onTextData") +
                               amf0_object([("text", amf0_string("hi"))]),
                               chunk_size=cs))
    conv.send(0, bytes.fromhex("44000000000014 12".replace(" ", "")) +
              amf0_string("onGetFPS") + amf0_number(10))
    # Enhanced RTMP video on a 3-byte csid: HEVC start, coded, coded-x.
    conv.send(0, chunk_message(400, 9, 1, 0, video_ex(1, 0, b"hvc1", HVCC),
                               chunk_size=cs))
    conv.send(0, chunk_message(400, 9, 1, 33, video_ex(
        1, 1, b"hvc1", struct.pack("!i", -66)[1:] + bytes(200)),
        chunk_size=cs))
    conv.send(0, chunk_message(400, 9, 1, 66, video_ex(
        2, 3, b"hvc1", bytes(100)), chunk_size=cs))
    # ModEx: a nanosecond timestamp offset, then coded frames X.
    conv.send(0, chunk_message(400, 9, 1, 99, bytes(
        [0x80 | 2 << 4 | 7, 2, 0x00, 0x03, 0xe8, 0x03]) + b"hvc1" +
        bytes(50), chunk_size=cs))
    # A video command frame.
    conv.send(0, chunk_message(400, 9, 1, 100, bytes([0x80 | 5 << 4 | 1, 0]),
                               chunk_size=cs))
    # Multitrack, many tracks many codecs: AV1 and HEVC sequence starts.
    tracks = (b"av01" + b"\x00" + u24(len(AV1C)) + AV1C +
              b"hvc1" + b"\x01" + u24(len(HVCC)) + HVCC)
    conv.send(0, chunk_message(400, 9, 1, 133, bytes(
        [0x80 | 1 << 4 | 6, 2 << 4 | 0]) + tracks, chunk_size=cs))
    # Legacy AVC sequence header on a 2-byte csid.
    conv.send(0, chunk_message(100, 9, 1, 0, b"\x17\x00\x00\x00\x00" +
                               AVCC_BASELINE_320x240, chunk_size=cs))
    # Enhanced audio: Opus sequence start, multitrack AAC coded frames.
    conv.send(0, chunk_message(101, 8, 1, 0, bytes([0x90]) + b"Opus" + DOPS,
                               chunk_size=cs))
    conv.send(0, chunk_message(101, 8, 1, 20, bytes(
        [0x90 | 5, 1 << 4 | 1]) + b"mp4a" + b"\x00" + u24(4) + bytes(4) +
        b"\x01" + u24(3) + bytes(3), chunk_size=cs))
    # An aggregate of an audio, a video and a data sub-message.
    agg = b""
    for typ, ts, body in ((8, 1000, b"\xaf\x01" + bytes(10)),
                          (9, 1033, b"\x27\x01\x00\x00\x00" + bytes(20)),
                          (18, 1040, amf0_string("onTextData") +
                           amf0_object([("text", amf0_string("agg"))]))):
        head = bytes([typ]) + u24(len(body)) + u24(ts & 0xFFFFFF) + \
            bytes([ts >> 24]) + u24(1)
        agg += head + body + struct.pack("!I", len(head) + len(body))
    conv.send(1, chunk_message(7, 22, 1, 5000, agg, chunk_size=cs))
    # Shared objects: AMF0 change + send message, AMF3 use.
    so = struct.pack("!H", 5) + b"chat1" + struct.pack("!III", 3, 2, 0)
    change = struct.pack("!H", 3) + b"msg" + amf0_string("hello")
    so += bytes([4]) + struct.pack("!I", len(change)) + change
    send = amf0_string("notify") + amf0_number(7)
    so += bytes([6]) + struct.pack("!I", len(send)) + send
    conv.send(1, chunk_message(3, 19, 0, 0, so, chunk_size=cs))
    so3 = b"\x00" + struct.pack("!H", 5) + b"chat3" + \
        struct.pack("!III", 1, 0, 0) + bytes([1]) + struct.pack("!I", 0)
    conv.send(0, chunk_message(3, 16, 0, 0, so3, chunk_size=cs))
    # An abort, an acknowledgement, and a stream error.
    conv.send(0, chunk_message(2, 3, 0, 0, struct.pack("!I", 123456),
                               chunk_size=cs))
    conv.send(1, chunk_message(5, 20, 1, 0, amf0_string("onStatus") +
                               amf0_number(0) + b"\x05" + amf0_object(
        [("level", amf0_string("error")),
         ("code", amf0_string("NetStream.Play.StreamNotFound")),
         ("description", amf0_string("no such stream"))]), chunk_size=cs))
    conv.close()
    pcap.close()



if __name__ == "__main__":
    modes = {"minimal": minimal, "garbage": garbage, "features": features}
    if len(sys.argv) not in (3, 4) or sys.argv[1] not in modes:
        sys.exit("usage: pcapgen.py minimal|garbage|features OUT.pcap [PORT]")
    modes[sys.argv[1]](sys.argv[2], *[int(a) for a in sys.argv[3:]])
