#!/usr/bin/env python3
"""rtmp-client.py -- a small RTMP player of our own, for the tests.

Python 3 standard library only.  It does the plain handshake (version 3,
no digest), reads and writes chunked messages (any chunk size, fmt 0 to
3, extended timestamps, interleaved chunk streams, aborts), answers ping
requests and acknowledges what it reads, speaks enough AMF0 for commands,
and plays one stream: connect, createStream, play.  It plays for
--seconds of wall time and prints a JSON summary on the standard output.

    rtmp-client.py rtmp://127.0.0.1:1935/live/x --seconds 8
    rtmp-client.py URL --follow-302            a connect _error with
                                               ex.code 302: go to
                                               ex.redirect and carry on
    rtmp-client.py URL --caps-ex 1 --expect-reconnect-request [--follow-reconnect]
                                               Enhanced RTMP v2: advertise
                                               capsEx; expect (and follow)
                                               NetConnection.Connect.
                                               ReconnectRequest
    rtmp-client.py URL --reconnect-on-close    a connection the server
                                               closes is made again
    rtmp-client.py URL --count 50              50 players at once (threads);
                                               the summary has each

Every wait is bounded: a TCP connect, the handshake and each command
answer by --timeout, the whole by --seconds plus --timeout.

The summary (one JSON object; with --count, {"sessions": [...], ...}):
  result          played (the deadline came with the connection up and
                  media received), no-media, closed (the server closed it
                  first), rejected (connect answered by _error, not
                  followed), connect-failed, error (a protocol error)
  connections     one per TCP connection: url, tc_url, app, server,
                  connect (_result | _error | none), end (deadline,
                  closed, reset, 302, reconnect-request, error ...),
                  start, end_at, media
  messages_by_type  {"8 audio": n, ...}
  media           count, audio, video, keyframes, video_seq_headers,
                  audio_seq_headers, first_ts, last_ts, ts_backwards (per
                  type, sequence headers included) and the first 5
                  ts_backwards_examples, max_video_ts_gap_ms (between
                  frames); of the audio and video
                  frames (sequence headers left out): first_wall,
                  last_wall, max_wall_gap_ms, wall_gaps (the 3 longest
                  gaps between frames: from, to, ms, wall clock) and
                  per_second (frames per second of wall time since
                  start_wall)
  errors          info objects of every _error received
  statuses        info objects of every onStatus received
  followed_302, redirected_to, reconnect_request (its info object or
                  null), followed_reconnect, closed_by_peer, closed_at
Exit status: 0 when every session's result is played (and, with
--expect-reconnect-request, it got one), 1 otherwise, 2 on bad usage.
"""

import argparse
import json
import os
import socket
import struct
import sys
import threading
import time
import urllib.parse

MAX_DEPTH = 32
MAX_MESSAGE = 16 << 20
MAX_CSIDS = 1024
MAX_HOPS = 5

TYPE_NAMES = {
    1: "set_chunk_size", 2: "abort", 3: "ack", 4: "user_control",
    5: "window_ack_size", 6: "set_peer_bandwidth", 8: "audio", 9: "video",
    15: "data_amf3", 16: "shared_object_amf3", 17: "command_amf3",
    18: "data_amf0", 19: "shared_object_amf0", 20: "command_amf0",
    22: "aggregate",
}


class Closed(Exception):
    """The peer closed (or reset) the connection."""

    def __init__(self, how):
        super().__init__(how)
        self.how = how


class Deadline(Exception):
    """The time given for this wait has run out."""


class ProtocolError(Exception):
    pass


# ---------------------------------------------------------------- AMF0

class Undefined:
    pass


UNDEFINED = Undefined()


class EcmaArray(dict):
    pass


def amf0_encode(v):
    if v is None:
        return b"\x05"
    if v is UNDEFINED:
        return b"\x06"
    if isinstance(v, bool):
        return b"\x01" + (b"\x01" if v else b"\x00")
    if isinstance(v, (int, float)):
        return b"\x00" + struct.pack(">d", float(v))
    if isinstance(v, str):
        b = v.encode()
        if len(b) > 0xffff:
            return b"\x0c" + struct.pack(">I", len(b)) + b
        return b"\x02" + struct.pack(">H", len(b)) + b
    if isinstance(v, EcmaArray):
        return (b"\x08" + struct.pack(">I", len(v)) + amf0_props(v) +
                b"\x00\x00\x09")
    if isinstance(v, dict):
        return b"\x03" + amf0_props(v) + b"\x00\x00\x09"
    if isinstance(v, (list, tuple)):
        return (b"\x0a" + struct.pack(">I", len(v)) +
                b"".join(amf0_encode(x) for x in v))
    raise TypeError("cannot encode %r in AMF0" % (v,))


def amf0_props(d):
    out = b""
    for k, v in d.items():
        kb = k.encode()
        out += struct.pack(">H", len(kb)) + kb + amf0_encode(v)
    return out


class AmfReader:
    def __init__(self, data, pos=0):
        self.data = data
        self.pos = pos

    def left(self):
        return len(self.data) - self.pos

    def take(self, n):
        if n > self.left():
            raise ProtocolError("AMF0 truncated")
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def u8(self):
        return self.take(1)[0]

    def u16(self):
        return struct.unpack(">H", self.take(2))[0]

    def u32(self):
        return struct.unpack(">I", self.take(4))[0]

    def utf8(self, n):
        return self.take(n).decode("utf-8", "replace")

    def props(self, depth):
        out = {}
        while True:
            n = self.u16()
            if n == 0 and self.left() >= 1 and self.data[self.pos] == 9:
                self.pos += 1
                return out
            key = self.utf8(n)
            out[key] = self.value(depth + 1)

    def value(self, depth=0):
        if depth > MAX_DEPTH:
            raise ProtocolError("AMF0 nested too deep")
        m = self.u8()
        if m == 0x00:
            d = struct.unpack(">d", self.take(8))[0]
            if d == d and abs(d) < 2 ** 53 and d == int(d):
                return int(d)
            return d
        if m == 0x01:
            return self.u8() != 0
        if m == 0x02:
            return self.utf8(self.u16())
        if m == 0x03:
            return self.props(depth)
        if m in (0x05, 0x06):
            return None
        if m == 0x07:
            return {"$ref": self.u16()}
        if m == 0x08:
            self.u32()
            return self.props(depth)
        if m == 0x0a:
            n = self.u32()
            if n > self.left():
                raise ProtocolError("AMF0 strict array longer than its message")
            return [self.value(depth + 1) for _ in range(n)]
        if m == 0x0b:
            ms = struct.unpack(">d", self.take(8))[0]
            self.take(2)
            return {"$date": ms}
        if m in (0x0c, 0x0f):
            return self.utf8(self.u32())
        if m == 0x0d:
            return None
        if m == 0x10:
            cls = self.utf8(self.u16())
            o = self.props(depth)
            o["$class"] = cls
            return o
        if m == 0x11:
            raise ProtocolError("AMF3 value (not decoded)")
        raise ProtocolError("AMF0 marker 0x%02x" % m)

    def values(self):
        out = []
        while self.left() > 0:
            out.append(self.value())
        return out


# ---------------------------------------------------------------- chunks

class ChunkStream:
    __slots__ = ("ts_field", "ts", "length", "mtype", "msid", "ext",
                 "payload", "fmt")

    def __init__(self):
        self.ts_field = 0
        self.ts = 0
        self.length = 0
        self.mtype = 0
        self.msid = 0
        self.ext = False
        self.payload = None
        self.fmt = 0


class Message:
    __slots__ = ("csid", "fmt", "mtype", "msid", "ts", "body")

    def __init__(self, csid, fmt, mtype, msid, ts, body):
        self.csid, self.fmt, self.mtype = csid, fmt, mtype
        self.msid, self.ts, self.body = msid, ts, body


class Connection:
    """One TCP connection: the handshake, then messages both ways."""

    def __init__(self, host, port, timeout, deadline):
        self.deadline = deadline
        self.timeout = timeout
        self.buf = bytearray()
        self.pos = 0
        self.in_chunk_size = 128
        self.out_chunk_size = 128
        self.streams = {}
        self.bytes_in = 0
        self.window = 0
        self.acked = 0
        self.sock = None
        limit = min(timeout, max(0.1, deadline - time.time()))
        try:
            self.sock = socket.create_connection((host, port), limit)
        except socket.timeout:
            raise Closed("connect-timeout")
        except OSError as e:
            raise Closed("connect-failed: %s" % e.strerror)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server = "%s:%d" % self.sock.getpeername()[:2]

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None

    # -- bytes in

    def fill(self, until):
        """Read more bytes, by `until` at the latest."""
        now = time.time()
        if now >= until:
            raise Deadline()
        self.sock.settimeout(min(0.5, until - now))
        try:
            b = self.sock.recv(65536)
        except socket.timeout:
            return
        except ConnectionResetError:
            raise Closed("reset")
        except OSError as e:
            raise Closed("error: %s" % e.strerror)
        if not b:
            raise Closed("closed")
        if self.pos > 1 << 20:
            del self.buf[:self.pos]
            self.pos = 0
        self.buf += b
        self.bytes_in += len(b)
        if self.window and self.bytes_in - self.acked >= self.window:
            self.acked = self.bytes_in
            self.send(2, 3, 0, 0, struct.pack(">I", self.bytes_in & 0xffffffff))

    def need(self, n, until):
        while len(self.buf) - self.pos < n:
            self.fill(until)

    def read(self, n, until):
        self.need(n, until)
        b = bytes(self.buf[self.pos:self.pos + n])
        self.pos += n
        return b

    # -- bytes out

    def send_raw(self, data):
        self.sock.settimeout(max(0.1, min(self.timeout,
                                          self.deadline - time.time())))
        try:
            self.sock.sendall(data)
        except socket.timeout:
            raise Closed("send-timeout")
        except (BrokenPipeError, ConnectionResetError):
            raise Closed("reset")
        except OSError as e:
            raise Closed("error: %s" % e.strerror)

    def send(self, csid, mtype, msid, ts, body):
        """One message: a fmt 0 chunk, then fmt 3 chunks."""
        assert 2 <= csid < 64
        ext = ts >= 0xffffff
        head = bytes([csid]) + struct.pack(">I", 0xffffff if ext else ts)[1:]
        head += struct.pack(">I", len(body))[1:] + bytes([mtype])
        head += struct.pack("<I", msid)
        if ext:
            head += struct.pack(">I", ts & 0xffffffff)
        out = [head]
        for off in range(0, max(len(body), 1), self.out_chunk_size):
            if off:
                out.append(bytes([0xc0 | csid]))
                if ext:
                    out.append(struct.pack(">I", ts & 0xffffffff))
            out.append(body[off:off + self.out_chunk_size])
        self.send_raw(b"".join(out))

    def set_chunk_size(self, n):
        self.send(2, 1, 0, 0, struct.pack(">I", n))
        self.out_chunk_size = n

    def command(self, name, txn, cmdobj, *args, msid=0, csid=3):
        body = amf0_encode(name) + amf0_encode(txn) + amf0_encode(cmdobj)
        body += b"".join(amf0_encode(a) for a in args)
        self.send(csid, 20, msid, 0, body)

    # -- handshake

    def handshake(self):
        until = min(self.deadline, time.time() + self.timeout)
        c1 = struct.pack(">II", int(time.time() * 1000) & 0xffffffff, 0)
        c1 += os.urandom(1528)
        self.send_raw(b"\x03" + c1)
        s0 = self.read(1, until)
        if s0[0] != 3:
            raise ProtocolError("S0 asks for version %d" % s0[0])
        s1 = self.read(1536, until)
        self.read(1536, until)          # S2: not checked, as Flash does not
        self.send_raw(s1)               # C2 echoes S1

    # -- chunks in

    def message(self, until):
        """The next whole message, by `until`."""
        while True:
            msg = self.chunk(until)
            if msg is not None:
                return msg

    def chunk(self, until):
        b0 = self.read(1, until)[0]
        fmt, csid = b0 >> 6, b0 & 0x3f
        if csid == 0:
            csid = 64 + self.read(1, until)[0]
        elif csid == 1:
            b = self.read(2, until)
            csid = 64 + b[0] + 256 * b[1]
        st = self.streams.get(csid)
        if st is None:
            if fmt != 0:
                raise ProtocolError("fmt %d on chunk stream %d with no "
                                    "header before" % (fmt, csid))
            if len(self.streams) >= MAX_CSIDS:
                raise ProtocolError("too many chunk streams")
            st = self.streams[csid] = ChunkStream()
        if fmt < 3:
            h = self.read((11, 7, 3)[fmt], until)
            st.ts_field = int.from_bytes(h[0:3], "big")
            if fmt < 2:
                st.length = int.from_bytes(h[3:6], "big")
                st.mtype = h[6]
            if fmt == 0:
                st.msid = struct.unpack("<I", h[7:11])[0]
            st.ext = st.ts_field == 0xffffff
            if st.ext:
                st.ts_field = struct.unpack(">I", self.read(4, until))[0]
            if st.payload is not None:
                # A new header in the middle of a message: the rest of
                # the old one is lost (as ffmpeg does).
                st.payload = None
        elif st.ext:
            ext = struct.unpack(">I", self.read(4, until))[0]
            if st.payload is None:
                st.ts_field = ext
        if st.payload is None:
            # The first chunk of a message: its timestamp.  A fmt 3 chunk
            # repeats the last field as a delta (ffmpeg's and librtmp's
            # reading of the specification).
            st.ts = st.ts_field if fmt == 0 else (st.ts + st.ts_field) & 0xffffffff
            st.fmt = fmt
            if st.length > MAX_MESSAGE:
                raise ProtocolError("message of %d bytes" % st.length)
            st.payload = bytearray()
        n = min(self.in_chunk_size, st.length - len(st.payload))
        st.payload += self.read(n, until)
        if len(st.payload) < st.length:
            return None
        msg = Message(csid, st.fmt, st.mtype, st.msid, st.ts,
                      bytes(st.payload))
        st.payload = None
        self.control(msg)
        return msg

    def control(self, msg):
        """What the connection itself must act on."""
        b = msg.body
        if msg.mtype == 1 and len(b) >= 4:
            n = struct.unpack(">I", b[:4])[0] & 0x7fffffff
            if n < 1:
                raise ProtocolError("chunk size %d" % n)
            self.in_chunk_size = n
        elif msg.mtype == 2 and len(b) >= 4:
            st = self.streams.get(struct.unpack(">I", b[:4])[0])
            if st is not None:
                st.payload = None
        elif msg.mtype == 5 and len(b) >= 4:
            self.window = struct.unpack(">I", b[:4])[0]
        elif msg.mtype == 4 and len(b) >= 6:
            event = struct.unpack(">H", b[:2])[0]
            if event == 6:
                self.send(2, 4, 0, 0, struct.pack(">H", 7) + b[2:6])


# ---------------------------------------------------------------- a player

def parse_url(url):
    """rtmp://host[:port]/app[/inst]/stream -> host, port, app, stream."""
    u = urllib.parse.urlsplit(url)
    if u.scheme != "rtmp" or not u.hostname:
        raise ValueError("not an rtmp:// URL: %s" % url)
    parts = [p for p in u.path.split("/") if p]
    if not parts:
        raise ValueError("no application in %s" % url)
    return u.hostname, u.port or 1935, parts[0], "/".join(parts[1:]) or None


def tc_url_of(host, port, app):
    return "rtmp://%s:%d/%s" % (host, port, app)


def media_kind(msg):
    """(is_keyframe, is_sequence_header) of an audio or video message."""
    b = msg.body
    if not b:
        return False, False
    if msg.mtype == 9:
        if b[0] & 0x80:                         # Enhanced RTMP
            return (b[0] >> 4) & 7 == 1, (b[0] & 0x0f) == 0
        key = b[0] >> 4 == 1
        seq = (b[0] & 0x0f) in (7, 12) and len(b) > 1 and b[1] == 0
        return key, seq
    if b[0] >> 4 == 9:                          # Enhanced RTMP audio
        return False, (b[0] & 0x0f) == 0
    return False, b[0] >> 4 == 10 and len(b) > 1 and b[1] == 0


class Player:
    def __init__(self, url, opts, start, index=0):
        self.opts = opts
        self.url = url
        self.index = index
        self.start = start
        self.deadline = start + opts.seconds
        self.hard_deadline = self.deadline + opts.timeout
        self.s = {
            "url": url, "result": None, "detail": None, "connections": [],
            "messages_by_type": {}, "errors": [], "statuses": [],
            "connect_results": [],
            "followed_302": False, "redirected_to": None,
            "reconnect_request": None, "followed_reconnect": False,
            "closed_by_peer": False, "closed_at": None,
            "start_wall": start,
        }
        self.m = {
            "count": 0, "audio": 0, "video": 0, "keyframes": 0,
            "video_seq_headers": 0, "audio_seq_headers": 0,
            "first_ts": None, "last_ts": None,
            "ts_backwards": {"audio": 0, "video": 0},
            "ts_backwards_examples": [],
            "max_video_ts_gap_ms": 0, "first_wall": None, "last_wall": None,
            "max_wall_gap_ms": 0, "wall_gaps": [], "per_second": {},
        }
        self.last_ts = {}
        self.last_any_ts = {}
        self.last_was_header = {}

    # -- the summary

    def count(self, msg):
        k = "%d %s" % (msg.mtype, TYPE_NAMES.get(msg.mtype, "?"))
        mb = self.s["messages_by_type"]
        mb[k] = mb.get(k, 0) + 1

    def media(self, msg, conn):
        now = time.time()
        m = self.m
        kind = "video" if msg.mtype == 9 else "audio"
        m["count"] += 1
        m[kind] += 1
        conn["media"] += 1
        key, seq = media_kind(msg)
        if seq:
            m[kind[0] == "v" and "video_seq_headers" or "audio_seq_headers"] += 1
        elif key:
            m["keyframes"] += 1
        if m["first_ts"] is None:
            m["first_ts"] = msg.ts
        m["last_ts"] = msg.ts
        # Monotonic per track, sequence headers included: a frame behind
        # the header sent before it goes backwards too.
        prev = self.last_any_ts.get(kind)
        if prev is not None and msg.ts < prev:
            m["ts_backwards"][kind] += 1
            if len(m["ts_backwards_examples"]) < 5:
                m["ts_backwards_examples"].append({
                    "kind": kind, "ts": msg.ts, "after": prev,
                    "after_header": self.last_was_header.get(kind, False),
                    "header": seq, "wall": round(now, 3)})
        self.last_any_ts[kind] = msg.ts
        self.last_was_header[kind] = seq
        prev = self.last_ts.get(kind)
        if kind == "video" and not seq and prev is not None and msg.ts >= prev:
            m["max_video_ts_gap_ms"] = max(m["max_video_ts_gap_ms"],
                                           msg.ts - prev)
        if seq:
            # Headers are not media: a server (or a proxy) may send them
            # long before the frames they describe.
            return
        self.last_ts[kind] = msg.ts
        if m["last_wall"] is not None:
            gap = (now - m["last_wall"]) * 1000
            if gap > m["max_wall_gap_ms"]:
                m["max_wall_gap_ms"] = round(gap, 1)
            gaps = m["wall_gaps"]
            if len(gaps) < 3 or gap > gaps[-1]["ms"]:
                gaps.append({"from": round(m["last_wall"], 3),
                             "to": round(now, 3), "ms": round(gap, 1)})
                gaps.sort(key=lambda g: -g["ms"])
                del gaps[3:]
        else:
            m["first_wall"] = now
        m["last_wall"] = now
        sec = str(int(now - self.start))
        m["per_second"][sec] = m["per_second"].get(sec, 0) + 1

    # -- one connection

    def command_values(self, msg):
        body = msg.body[1:] if msg.mtype == 17 else msg.body
        try:
            return AmfReader(body).values()
        except ProtocolError as e:
            return ["?", 0, None, {"undecoded": str(e)}]

    def session(self, target, caps_ex):
        """Play target (url, host, port, app, tc_url, stream) on one
        connection.  Returns what to do next: ("done", None), ("302",
        tcUrl), ("reconnect", tcUrl), ("closed", None)."""
        url, host, port, app, tc_url, stream = target
        conn = {"url": url, "tc_url": tc_url, "app": app, "server": None,
                "connect": "none", "end": None, "start": round(time.time(), 3),
                "end_at": None, "media": 0}
        self.s["connections"].append(conn)
        c = None
        try:
            c = Connection(host, port, self.opts.timeout, self.hard_deadline)
            conn["server"] = c.server
            c.handshake()
            if self.opts.out_chunk_size != 128:
                c.set_chunk_size(self.opts.out_chunk_size)
            cmd = {"app": app, "flashVer": "LNX 9,0,124,2", "tcUrl": tc_url,
                   "fpad": False, "capabilities": 15, "audioCodecs": 4071,
                   "videoCodecs": 252, "videoFunction": 1,
                   "objectEncoding": 0}
            if caps_ex is not None:
                cmd["capsEx"] = caps_ex
                cmd["fourCcList"] = ["avc1", "hvc1", "av01", "mp4a"]
            c.command("connect", 1, cmd)
            ans = self.wait_answer(c, conn, 1)
            conn["connect"] = ans[0]
            info = ans[3] if len(ans) > 3 else None
            self.s["connect_results"].append({"name": ans[0], "txn": ans[1],
                                              "command_object": ans[2],
                                              "info": info})
            if ans[0] != "_result":
                ex = info.get("ex") if isinstance(info, dict) else None
                redirect = ex.get("redirect") if isinstance(ex, dict) else None
                if (self.opts.follow_302 and isinstance(ex, dict) and
                        ex.get("code") == 302 and isinstance(redirect, str)):
                    self.s["followed_302"] = True
                    self.s["redirected_to"] = redirect
                    # Whether the server closes after it: a moment to see.
                    conn["closed_after_error"] = self.closes_soon(c, conn)
                    conn["end"] = "302"
                    return "302", redirect
                conn["closed_after_error"] = self.closes_soon(c, conn)
                conn["end"] = "rejected"
                self.s["result"] = "rejected"
                return "done", None
            if stream is None:
                self.play_loop(c, conn)
                return "done", None
            c.send(2, 5, 0, 0, struct.pack(">I", 2500000))
            c.command("createStream", 2, None)
            ans = self.wait_answer(c, conn, 2)
            if ans[0] != "_result" or len(ans) < 4 or \
                    not isinstance(ans[3], (int, float)):
                raise ProtocolError("createStream answered %r" % (ans[:4],))
            sid = int(ans[3])
            conn["stream_id"] = sid
            c.command("play", 3, None, stream, -2000, msid=sid, csid=8)
            c.send(2, 4, 0, 0, struct.pack(">HII", 3, sid, 3000))
            return self.play_loop(c, conn)
        except Closed as e:
            conn["end"] = e.how
            if e.how in ("closed", "reset") or e.how.startswith("error"):
                self.s["closed_by_peer"] = True
                self.s["closed_at"] = round(time.time(), 3)
                return "closed", None
            self.s["result"] = "connect-failed"
            self.s["detail"] = e.how
            return "done", None
        except Deadline:
            conn["end"] = "deadline"
            if conn["connect"] != "_result":
                self.s["result"] = "timeout"
                self.s["detail"] = "no answer to connect or createStream"
            return "done", None
        except ProtocolError as e:
            conn["end"] = "error"
            self.s["result"] = "error"
            self.s["detail"] = str(e)
            return "done", None
        finally:
            conn["end_at"] = round(time.time(), 3)
            if c is not None:
                c.close()

    def closes_soon(self, c, conn):
        until = min(time.time() + 2.0, self.hard_deadline)
        try:
            while True:
                self.handle(c, conn, c.message(until))
        except Closed:
            return True
        except (Deadline, ProtocolError):
            return False

    def wait_answer(self, c, conn, txn):
        """The _result or _error of transaction txn, as a list of values."""
        until = min(self.hard_deadline, time.time() + self.opts.timeout)
        while True:
            msg = c.message(until)
            vals = self.handle(c, conn, msg)
            if vals and vals[0] in ("_result", "_error") and \
                    len(vals) > 1 and vals[1] == txn:
                return vals

    def handle(self, c, conn, msg):
        """Count a message; for a command, its values."""
        self.count(msg)
        if msg.mtype in (8, 9):
            self.media(msg, conn)
            return None
        if msg.mtype not in (20, 17):
            return None
        vals = self.command_values(msg)
        name = vals[0] if vals else None
        info = vals[3] if len(vals) > 3 else None
        if name == "_error":
            self.s["errors"].append({"txn": vals[1] if len(vals) > 1 else None,
                                     "command_object": vals[2] if len(vals) > 2 else None,
                                     "info": info})
        elif name == "onStatus":
            self.s["statuses"].append({"txn": vals[1] if len(vals) > 1 else None,
                                       "command_object": vals[2] if len(vals) > 2 else None,
                                       "info": info, "at": round(time.time(), 3),
                                       "msid": msg.msid})
            if isinstance(info, dict) and info.get("code") == \
                    "NetConnection.Connect.ReconnectRequest" and \
                    self.s["reconnect_request"] is None:
                self.s["reconnect_request"] = {
                    "txn": vals[1], "command_object": vals[2], "info": info,
                    "msid": msg.msid, "csid": msg.csid,
                    "at": round(time.time(), 3)}
        return vals

    def play_loop(self, c, conn):
        while True:
            try:
                msg = c.message(self.deadline)
            except Deadline:
                conn["end"] = "deadline"
                # Leave as players do: deleteStream, then close.
                if conn.get("stream_id") is not None:
                    try:
                        c.command("deleteStream", 4, None, conn["stream_id"])
                    except Closed:
                        pass
                return "done", None
            vals = self.handle(c, conn, msg)
            if vals and vals[0] == "onStatus" and len(vals) > 3 and \
                    isinstance(vals[3], dict) and vals[3].get("code") == \
                    "NetConnection.Connect.ReconnectRequest" and \
                    self.opts.follow_reconnect:
                tc = vals[3].get("tcUrl") or conn["tc_url"]
                conn["end"] = "reconnect-request"
                self.s["followed_reconnect"] = True
                self.s["redirected_to"] = tc
                return "reconnect", tc

    # -- the whole

    def first_target(self):
        host, port, app, stream = parse_url(self.url)
        tc_url = self.opts.tc_url or tc_url_of(host, port, app)
        return (self.url, host, port, app, tc_url, stream or self.opts.stream)

    def moved_target(self, tc_url, stream):
        """Where a 302 or a ReconnectRequest sends us: tc_url names the
        application (all of its path), the stream stays ours."""
        u = urllib.parse.urlsplit(tc_url)
        if u.scheme != "rtmp" or not u.hostname:
            raise ProtocolError("told to go to %r" % tc_url)
        app = u.path.strip("/")
        url = tc_url.rstrip("/") + ("/" + stream if stream else "")
        return (url, u.hostname, u.port or 1935, app, tc_url, stream)

    def run(self):
        hops, closes = 0, 0
        target = self.first_target()
        try:
            while time.time() < self.deadline:
                what, nxt = self.session(target, self.opts.caps_ex)
                if what in ("302", "reconnect") and hops < MAX_HOPS:
                    hops += 1
                    target = self.moved_target(nxt, target[5])
                    continue
                if what == "closed" and self.opts.reconnect_on_close and \
                        closes < MAX_HOPS and time.time() < self.deadline - 0.5:
                    closes += 1
                    target = self.first_target()
                    time.sleep(0.2)
                    continue
                break
        except Exception as e:                  # noqa: keep the summary
            self.s["result"] = "error"
            self.s["detail"] = "%s: %s" % (type(e).__name__, e)
        if self.s["result"] is None:
            ended = self.s["connections"][-1]["end"] if self.s["connections"] else None
            if ended != "deadline":
                self.s["result"] = "closed"
            elif self.m["count"] == 0:
                self.s["result"] = "no-media"
            else:
                self.s["result"] = "played"
        self.s["media"] = self.m
        self.s["end_wall"] = round(time.time(), 3)
        return self.s

    def ok(self):
        if self.s["result"] != "played":
            return False
        if self.opts.expect_reconnect_request and not self.s["reconnect_request"]:
            return False
        return True


def main():
    ap = argparse.ArgumentParser(
        description="A small RTMP player for the tests; prints a JSON summary.")
    ap.add_argument("url", help="rtmp://host:port/app/stream")
    ap.add_argument("--seconds", type=float, default=5.0,
                    help="play for this long (wall time; default 5)")
    ap.add_argument("--timeout", type=float, default=5.0,
                    help="for a TCP connect, the handshake and each answer "
                    "(default 5)")
    ap.add_argument("--stream", help="the stream, when the URL has none")
    ap.add_argument("--tc-url", help="the tcUrl to send (default from the URL)")
    ap.add_argument("--caps-ex", type=int, default=None,
                    help="send capsEx N in connect (Enhanced RTMP v2)")
    ap.add_argument("--follow-302", action="store_true",
                    help="follow a connect _error with ex.code 302")
    ap.add_argument("--expect-reconnect-request", action="store_true",
                    help="exit 1 unless a ReconnectRequest onStatus came")
    ap.add_argument("--follow-reconnect", action="store_true",
                    help="on a ReconnectRequest, reconnect to its tcUrl")
    ap.add_argument("--reconnect-on-close", action="store_true",
                    help="connect again when the server closes")
    ap.add_argument("--out-chunk-size", type=int, default=4096,
                    help="the chunk size to send with (default 4096)")
    ap.add_argument("--count", type=int, default=1,
                    help="players at once, each in a thread (default 1)")
    ap.add_argument("--stagger-ms", type=float, default=0,
                    help="with --count: time between starts")
    ap.add_argument("--pretty", action="store_true", help="indent the JSON")
    opts = ap.parse_args()
    try:
        parse_url(opts.url)
    except ValueError as e:
        ap.error(str(e))
    if opts.seconds <= 0 or opts.timeout <= 0 or opts.count < 1 or \
            not 1 <= opts.out_chunk_size <= 0x7fffffff:
        ap.error("--seconds, --timeout, --count and --out-chunk-size must be positive")

    start = time.time()
    players = []
    for i in range(opts.count):
        players.append(Player(opts.url, opts,
                              start + i * opts.stagger_ms / 1000.0, i))
    if opts.count == 1:
        summary = players[0].run()
        ok = players[0].ok()
    else:
        threads = []
        for p in players:
            t = threading.Thread(target=p.run, daemon=True)
            threads.append(t)
        for i, t in enumerate(threads):
            delay = players[i].start - time.time()
            if delay > 0:
                time.sleep(delay)
            t.start()
        for p, t in zip(players, threads):
            t.join(max(0.1, p.hard_deadline + 2 * opts.timeout + 1 - time.time()))
        for p, t in zip(players, threads):
            if t.is_alive() and p.s["result"] is None:
                p.s["result"] = "stuck"
        results = {}
        for p in players:
            results[p.s["result"]] = results.get(p.s["result"], 0) + 1
        summary = {"count": opts.count, "results": results,
                   "sessions": [p.s for p in players],
                   "start_wall": start, "end_wall": round(time.time(), 3)}
        ok = all(p.ok() for p in players)
    json.dump(summary, sys.stdout, indent=2 if opts.pretty else None,
              sort_keys=True)
    sys.stdout.write("\n")
    sys.stdout.flush()
    # Threads still blocked (bounded anyway) must not hold the exit.
    os._exit(0 if ok else 1)


if __name__ == "__main__":
    main()
