#!/usr/bin/env python3
"""ui-sessions.py OUT.pcap [SESSIONS] [SECONDS] -- a synthetic capture of
many RTMP sessions at once, for bench/ui-redraw.sh.

Every session does the TCP and RTMP handshakes, connect, createStream and
publish (even numbers) or play (odd numbers) of live/sN, then media flow
in rounds of 200 ms of capture time, every session in every round: a
video message (a keyframe each second) and an audio message, from the
client when publishing, from the server when playing.  One session in
twenty stops its media for 5 s (a stall); half of them close at the end,
the others are still open when the capture ends.  Built on
tests/pcapgen.py.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests"))
import pcapgen as g  # noqa: E402

ROUND = 0.2


class Clock(g.Pcap):
    """Packets 10 us apart; rounds start where the caller says."""

    def packet(self, frame, t=None, caplen=None):
        self.t += 0.00001
        super().packet(frame, t=self.t, caplen=caplen)


def command(name, txn, *args):
    return g.amf0_string(name) + g.amf0_number(txn) + b"".join(args)


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    secs = float(sys.argv[3]) if len(sys.argv) > 3 else 20
    pcap = Clock(out)
    convs = []
    for i in range(n):
        client = ("10.%d.%d.%d" % (1 + i // 65000, (i // 250) % 256,
                                   1 + i % 250), 40000 + i % 20000)
        c = g.Conversation(pcap, client=client, server=("10.0.0.1", 1935))
        g.rtmp_handshake(c)
        c.send(0, g.chunk_message(3, 20, 0, 0, command(
            "connect", 1, g.amf0_object(
                [("app", g.amf0_string("live")),
                 ("tcUrl", g.amf0_string("rtmp://10.0.0.1/live"))]))))
        c.send(1, g.chunk_message(2, 1, 0, 0, struct.pack("!I", 4096)))
        c.send(1, g.chunk_message(3, 20, 0, 0, command(
            "_result", 1, b"\x05", g.amf0_object(
                [("level", g.amf0_string("status")),
                 ("code", g.amf0_string("NetConnection.Connect.Success"))]))))
        c.send(0, g.chunk_message(3, 20, 0, 0, command("createStream", 2,
                                                      b"\x05")))
        c.send(1, g.chunk_message(3, 20, 0, 0, command(
            "_result", 2, b"\x05", g.amf0_number(1)), chunk_size=4096))
        publish = i % 2 == 0
        name = g.amf0_string("s%d" % (i // 2))
        if publish:
            c.send(0, g.chunk_message(8, 20, 1, 0, command(
                "publish", 3, b"\x05", name, g.amf0_string("live"))))
            code = "NetStream.Publish.Start"
        else:
            c.send(0, g.chunk_message(8, 20, 1, 0, command(
                "play", 3, b"\x05", name)))
            code = "NetStream.Play.Start"
        c.send(1, g.chunk_message(5, 20, 1, 0, command(
            "onStatus", 0, b"\x05", g.amf0_object(
                [("level", g.amf0_string("status")),
                 ("code", g.amf0_string(code))])), chunk_size=4096))
        convs.append((c, 0 if publish else 1))
    t0 = pcap.t
    rounds = int(secs / ROUND)
    avc_seq = b"\x17\x00\x00\x00\x00" + bytes([1, 0x42, 0xc0, 0x1e, 0xff,
                                               0xe1, 0, 4, 0x67, 0x42, 0xc0,
                                               0x1e, 1, 0, 4, 0x68, 0xce,
                                               0x3c, 0x80])
    for r in range(rounds):
        pcap.t = max(pcap.t, t0 + r * ROUND)
        ts = int(r * ROUND * 1000)
        for i, (c, side) in enumerate(convs):
            if i % 20 == 3 and 25 <= r < 50:
                continue        # a 5 s stall
            cs = 4096 if side == 1 else 128
            if r == 0:
                c.send(side, g.chunk_message(6, 9, 1, 0, avc_seq,
                                             chunk_size=cs))
            key = r % 5 == 0
            video = (b"\x17" if key else b"\x27") + b"\x01\x00\x00\x00" + \
                bytes(2500 if key else 600)
            c.send(side, g.chunk_message(6, 9, 1, ts, video, chunk_size=cs))
            audio = b"\xaf\x01" + bytes(120)
            c.send(side, g.chunk_message(4, 8, 1, ts, audio, chunk_size=cs))
    for i, (c, side) in enumerate(convs):
        if i % 2 == 0:
            c.close()
    pcap.close()


if __name__ == "__main__":
    main()
