#!/usr/bin/env python3
"""rtmp-compare.py — compare RTMP message lists, for rtmpscope's tests.

Message lists come from two places:

  * rtmpscope itself: `rtmpscope -r CAP --dump=json`, one JSON object per
    line (records without a "type" key are handshake steps and are skipped);
  * tshark, as an independent oracle: `tshark -r CAP -d tcp.port==PORT,rtmpt
    -Y rtmpt -T pdml`, one <proto name="rtmpt"> element per RTMP message,
    shown in the frame whose TCP segment completes the message.

Both are turned into the same shape: a dict keyed by stream, that is
(client, server, dir), holding the list of messages in the order they
completed.  Messages are compared stream by stream, in order, with a
sequence alignment (difflib), so one missing message costs one message and
not everything after it.

Command-line modes (every mode prints TAP):

  rtmp-compare.py oracle [--port N] CAP...
      rtmpscope against tshark, one test line per capture.
  rtmp-compare.py damage --mode reorder|retransmit|cut-third [--port N]
                         [--number N] CLEAN DAMAGED
      rtmpscope on a damaged capture against rtmpscope on the clean one, one
      test line; tshark's figure on the same damaged capture as a diagnostic.
  rtmp-compare.py tshark-dump [--port N] CAP
      print tshark's messages as JSON lines, in rtmpscope's key names (debug).

The binary is $RTMPSCOPE, else ../rtmpscope relative to this script.
"""

import argparse
import difflib
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

DEFAULT_PORT = 1935
EXT_TS = 0xFFFFFF
NAMED_TYPES = (15, 17, 18, 20)  # AMF3 data, AMF3 command, AMF0 data, AMF0 command
MAX_DIAG = 5


def rtmpscope_binary():
    env = os.environ.get("RTMPSCOPE")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "rtmpscope"))


def norm_addr(addr):
    """"[::1]:1935" and "::1:1935" both become "::1:1935"."""
    if addr.startswith("["):
        host, _, port = addr[1:].partition("]:")
        return host + ":" + port
    return addr


# --------------------------------------------------------------------------
# rtmpscope side


def run_rtmpscope(cap, binary=None):
    """Run rtmpscope --dump=json; return (records, error string or None)."""
    binary = binary or rtmpscope_binary()
    try:
        p = subprocess.run([binary, "-r", cap, "--dump=json"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=300)
    except (OSError, subprocess.TimeoutExpired) as e:
        return [], "cannot run %s: %s" % (binary, e)
    recs = []
    bad = 0
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            recs.append(json.loads(line))
        except ValueError:
            bad += 1
    err = None
    if p.returncode != 0:
        err = "rtmpscope exited with status %d: %s" % (
            p.returncode, p.stderr.decode("utf-8", "replace").strip()[:200])
    elif bad:
        err = "%d lines of rtmpscope output are not JSON" % bad
    return recs, err


def rtmpscope_messages(recs):
    """Group message records (those with a "type") by stream."""
    streams = {}
    for r in recs:
        if "type" not in r:
            continue
        m = {
            "t": r.get("t"),
            "dir": r.get("dir"),
            "csid": r.get("csid"),
            "fmt": r.get("fmt"),
            "ts": r.get("ts"),
            "len": r.get("len"),
            "type": r.get("type"),
            "msid": r.get("msid"),
            "name": r.get("name") if r.get("type") in NAMED_TYPES else None,
            "recovered": bool(r.get("recovered", False)),
            "in_aggregate": bool(r.get("in_aggregate", False)),
            "raw": r,
        }
        key = (norm_addr(r.get("client", "?")), norm_addr(r.get("server", "?")),
               r.get("dir"))
        streams.setdefault(key, []).append(m)
    return streams


# --------------------------------------------------------------------------
# tshark side


def have_tshark():
    return shutil.which("tshark") is not None


def tshark_command(cap, port, extra_prefs=()):
    cmd = ["tshark", "-r", cap, "-n",
           "-d", "tcp.port==%d,rtmpt" % port,
           # tshark drops messages above 32 KB by default.
           "-o", "rtmpt.max_packet_size:16777215"]
    for p in extra_prefs:
        cmd += ["-o", p]
    cmd += ["-Y", "rtmpt", "-T", "pdml"]
    return cmd


def _fields(proto):
    """Direct and nested fields of one <proto>, in document order."""
    for f in proto.iter("field"):
        yield f.get("name"), f.get("show"), f.get("showname") or ""


def tshark_messages(cap, port=DEFAULT_PORT, extra_prefs=()):
    """Messages tshark's rtmpt dissector shows, grouped by stream.

    tshark shows the header of a message's first chunk.  Fields it shows:
      fmt 0: timestamp (raw; 0xFFFFFF when the extended one is used), ets,
             bodysize, typeid, streamid
      fmt 1: timestampdelta, ets, timestamp "(calculated)", bodysize, typeid
      fmt 2: timestampdelta, ets, timestamp "(calculated)"
      fmt 3: timestamp "(calculated)"
    so length, type and stream id are carried over per chunk stream here, and
    the absolute timestamp is accumulated here too (tshark's "calculated"
    value ignores an extended timestamp carried by a fmt 1/2 header).
    """
    cmd = tshark_command(cap, port, extra_prefs)
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    streams = {}
    state = {}  # (stream key, csid) -> dict(ts, delta, len, type, msid)
    try:
        for _, pkt in ET.iterparse(p.stdout, events=("end",)):
            if pkt.tag != "packet":
                continue
            _tshark_packet(pkt, port, streams, state)
            pkt.clear()
    finally:
        p.stdout.close()
        p.wait()
    return streams


def _tshark_amf_name(proto):
    """The first AMF value of the body when it is a string, else None.

    tshark puts the body under an unnamed field shown as "RTMP Body"; each
    top-level AMF0 value is a child holding amf.amf0_type and, for strings,
    amf.string.  (An AMF3 command's leading 0x00 byte has no amf0_type.)
    """
    for body in proto.findall("field"):
        if body.get("show") != "RTMP Body":
            continue
        for val in body.findall("field"):
            typ = None
            string = None
            for f in val.findall("field"):
                if f.get("name") == "amf.amf0_type":
                    typ = f.get("show")
                elif f.get("name") in ("amf.string", "rtmpt.amf.string"):
                    string = f.get("show")
            if typ is None:
                continue
            return string if typ == "0x02" else None
    return None


def _tshark_packet(pkt, port, streams, state):
    frame = t = src = dst = sport = dport = None
    rtmp_protos = []
    for proto in pkt.findall("proto"):
        name = proto.get("name")
        if name in ("frame", "geninfo"):
            for f in proto.iter("field"):
                if f.get("name") == "frame.number":
                    frame = int(f.get("show"))
                elif f.get("name") == "frame.time_epoch":
                    t = float(f.get("show"))
        elif name in ("ip", "ipv6"):
            for f in proto.findall("field"):
                if f.get("name") in ("ip.src", "ipv6.src"):
                    src = f.get("show")
                elif f.get("name") in ("ip.dst", "ipv6.dst"):
                    dst = f.get("show")
        elif name == "tcp":
            for f in proto.findall("field"):
                if f.get("name") == "tcp.srcport":
                    sport = int(f.get("show"))
                elif f.get("name") == "tcp.dstport":
                    dport = int(f.get("show"))
        elif name == "rtmpt":
            rtmp_protos.append(proto)
    if not rtmp_protos or sport is None:
        return
    if dport == port and sport != port:
        client, server, d = "%s:%d" % (src, sport), "%s:%d" % (dst, dport), "c2s"
    else:
        client, server, d = "%s:%d" % (dst, dport), "%s:%d" % (src, sport), "s2c"
    skey = (client, server, d)
    for proto in rtmp_protos:
        h = {}
        amf_name = None
        for fname, show, showname in _fields(proto):
            if fname.startswith("rtmpt.header."):
                k = fname[len("rtmpt.header."):]
                if k == "timestamp":
                    h["calc" if "calculated" in showname else "timestamp"] = int(show)
                elif k == "typeid":
                    h[k] = int(show, 0)
                elif k in ("format", "csid", "timestampdelta", "ets",
                           "bodysize", "streamid"):
                    h[k] = int(show)
        if "format" not in h:
            continue  # handshake
        amf_name = _tshark_amf_name(proto)
        fmt, csid = h["format"], h["csid"]
        st = state.setdefault((skey, csid), {"ts": 0, "delta": 0, "len": None,
                                             "type": None, "msid": None})
        if fmt == 0:
            ts = h.get("timestamp", 0)
            if ts == EXT_TS and "ets" in h:
                ts = h["ets"]
            st["ts"] = ts
            # A fmt 3 message after a fmt 0 one repeats the fmt 0 timestamp
            # as its delta (RTMP spec 5.3.1.2.4; librtmp and nginx agree).
            st["delta"] = ts
        elif fmt in (1, 2):
            delta = h.get("timestampdelta", 0)
            if delta == EXT_TS and "ets" in h:
                delta = h["ets"]
            st["delta"] = delta
            st["ts"] = (st["ts"] + delta) & 0xFFFFFFFF
        else:
            st["ts"] = (st["ts"] + st["delta"]) & 0xFFFFFFFF
        if "bodysize" in h:
            st["len"] = h["bodysize"]
        if "typeid" in h:
            st["type"] = h["typeid"]
        if "streamid" in h:
            st["msid"] = h["streamid"]
        typ = st["type"]
        m = {
            "t": t, "frame": frame, "dir": d, "csid": csid, "fmt": fmt,
            "ts": st["ts"], "len": st["len"], "type": typ, "msid": st["msid"],
            "name": amf_name if typ in NAMED_TYPES else None,
            "tshark_calc": h.get("calc"),
            "recovered": False, "in_aggregate": False,
        }
        streams.setdefault(skey, []).append(m)


# --------------------------------------------------------------------------
# comparison


ORACLE_KEYS = ("type", "len", "csid", "ts", "name")


def _key(m, keys):
    return tuple(m.get(k) for k in keys)


def _show(m):
    if m is None:
        return "(none)"
    s = "%s csid=%s type=%s len=%s ts=%s" % (m["dir"], m["csid"], m["type"],
                                              m["len"], m["ts"])
    if m.get("name") is not None:
        s += " name=%s" % m["name"]
    if m.get("recovered"):
        s += " recovered"
    if m.get("frame") is not None:
        s += " frame=%d" % m["frame"]
    elif m.get("t") is not None:
        s += " t=%.6f" % m["t"]
    return s


def compare_streams(ref, test, keys, ref_label="tshark", test_label="rtmpscope",
                    ref_filter=None):
    """Align test against ref stream by stream.

    Returns (matched, total, diags): total counts the larger side of each
    stream, so missing and extra messages both lower the agreement.
    """
    matched = total = 0
    diags = []
    for skey in sorted(set(ref) | set(test), key=lambda k: (k[0], k[1], k[2])):
        a = [m for m in ref.get(skey, []) if not m.get("in_aggregate")]
        b = [m for m in test.get(skey, []) if not m.get("in_aggregate")]
        if ref_filter:
            a = [m for m in a if ref_filter(skey, m)]
        ka = [_key(m, keys) for m in a]
        kb = [_key(m, keys) for m in b]
        sm = difflib.SequenceMatcher(None, ka, kb, autojunk=False)
        n = sum(blk.size for blk in sm.get_matching_blocks())
        matched += n
        total += max(len(a), len(b))
        for tag, i1, i2, j1, j2 in sm.get_opcodes():
            if tag == "equal":
                continue
            for off in range(max(i2 - i1, j2 - j1)):
                ma = a[i1 + off] if i1 + off < i2 else None
                mb = b[j1 + off] if j1 + off < j2 else None
                diags.append("%s %s #%d: %s: %s | %s: %s" % (
                    skey[0], skey[2], (i1 + off) if ma else (j1 + off),
                    ref_label, _show(ma), test_label, _show(mb)))
    return matched, total, diags


def pct(matched, total):
    return 100.0 if total == 0 else 100.0 * matched / total


# --------------------------------------------------------------------------
# TAP


class Tap:
    def __init__(self, out=sys.stdout):
        self.out = out

    def plan(self, n, skip_reason=None):
        if skip_reason:
            print("1..%d # SKIP %s" % (n, skip_reason), file=self.out)
        else:
            print("1..%d" % n, file=self.out)

    def result(self, n, ok, desc, diags=(), skip=None):
        num = "" if n is None else " %d" % n
        line = "%s%s - %s" % ("ok" if ok else "not ok", num, desc)
        if skip:
            line = "ok%s - %s # SKIP %s" % (num, desc, skip)
        print(line, file=self.out)
        for d in diags:
            print("# " + d, file=self.out)
        self.out.flush()


# --------------------------------------------------------------------------
# mode: oracle


def oracle_one(cap, port, tap, n):
    name = os.path.basename(cap)
    recs, err = run_rtmpscope(cap)
    if err:
        tap.result(n, False, name, [err])
        return False
    ours = rtmpscope_messages(recs)
    theirs = tshark_messages(cap, port)
    matched, total, diags = compare_streams(theirs, ours, ORACLE_KEYS)
    ok = matched == total and total > 0
    info = ["%d tshark messages, %d rtmpscope messages, %d streams" % (
        sum(len(v) for v in theirs.values()),
        sum(len(v) for v in ours.values()), len(theirs))]
    tap.result(n, ok, "%s: %.2f%% agreement with tshark (%d/%d)" % (
        name, pct(matched, total), matched, total),
        info + diags[:MAX_DIAG] + (
            ["... %d more disagreements" % (len(diags) - MAX_DIAG)]
            if len(diags) > MAX_DIAG else []))
    return ok


def mode_oracle(args):
    tap = Tap()
    if not have_tshark():
        tap.plan(0, "tshark not installed")
        return 0
    tap.plan(len(args.captures))
    for i, cap in enumerate(args.captures, 1):
        oracle_one(cap, args.port, tap, i)
    return 0


# --------------------------------------------------------------------------
# mode: damage

# Everything but the capture time of the completing packet (which moves when
# segments are reordered or re-sent) must be identical.
DAMAGE_IGNORE = ("t",)


def _full_key(m):
    return json.dumps({k: v for k, v in m["raw"].items()
                       if k not in DAMAGE_IGNORE}, sort_keys=True)


def _first_time(cap):
    """Capture time of the first packet of a classic pcap file."""
    import struct
    with open(cap, "rb") as f:
        hdr = f.read(24)
        rec = f.read(16)
    if len(hdr) < 24 or len(rec) < 16:
        return None
    magic = hdr[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return None
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    sec, frac = struct.unpack(e + "II", rec[:8])
    return sec + frac / (1e9 if nano else 1e6)


def compare_exact(clean, damaged):
    """Reorder / retransmit: the same messages, all keys but t."""
    matched = total = 0
    diags = []
    for skey in sorted(set(clean) | set(damaged)):
        a = clean.get(skey, [])
        b = damaged.get(skey, [])
        ka = [_full_key(m) for m in a]
        kb = [_full_key(m) for m in b]
        sm = difflib.SequenceMatcher(None, ka, kb, autojunk=False)
        matched += sum(blk.size for blk in sm.get_matching_blocks())
        total += max(len(a), len(b))
        for tag, i1, i2, j1, j2 in sm.get_opcodes():
            if tag == "equal":
                continue
            for off in range(max(i2 - i1, j2 - j1)):
                ma = a[i1 + off] if i1 + off < i2 else None
                mb = b[j1 + off] if j1 + off < j2 else None
                diff = ""
                if ma and mb:
                    dk = sorted(k for k in set(ma["raw"]) | set(mb["raw"])
                                if k not in DAMAGE_IGNORE and
                                ma["raw"].get(k) != mb["raw"].get(k))
                    diff = " differs in " + ",".join(dk)
                diags.append("%s %s: clean: %s | damaged: %s%s" % (
                    skey[0], skey[2], _show(ma), _show(mb), diff))
    return matched, total, diags


RESYNC_KEYS = ("type", "len", "csid", "name")


def compare_resync(clean, damaged, cut_time):
    """cut-third: the clean messages after each stream's resync point.

    The resync point of a stream is the capture time of the first message
    rtmpscope gives for it in the damaged capture (or, when it gives none,
    the first packet of the damaged capture, so a lost stream counts fully
    against us).  Recovered messages are compared on type, len, csid, dir
    and name; the others also on ts and msid.  Returns (present, expected,
    extra, diags).
    """
    present = expected = extra = 0
    diags = []
    for skey in sorted(set(clean) | set(damaged)):
        b = damaged.get(skey, [])
        t0 = b[0]["t"] if b else cut_time
        a = [m for m in clean.get(skey, []) if m["t"] >= t0 - 1e-7]
        ka = [_key(m, RESYNC_KEYS) for m in a]
        kb = [_key(m, RESYNC_KEYS) for m in b]
        sm = difflib.SequenceMatcher(None, ka, kb, autojunk=False)
        expected += len(a)
        for tag, i1, i2, j1, j2 in sm.get_opcodes():
            if tag == "equal":
                for off in range(i2 - i1):
                    ma, mb = a[i1 + off], b[j1 + off]
                    if mb["recovered"] or (ma["ts"] == mb["ts"] and
                                           ma["msid"] == mb["msid"]):
                        present += 1
                    else:
                        diags.append("%s %s: clean: %s msid=%s | damaged: %s msid=%s"
                                     " (not recovered, yet ts/msid differ)" % (
                                         skey[0], skey[2], _show(ma), ma["msid"],
                                         _show(mb), mb["msid"]))
                continue
            extra += max(0, (j2 - j1) - (i2 - i1))
            for off in range(max(i2 - i1, j2 - j1)):
                ma = a[i1 + off] if i1 + off < i2 else None
                mb = b[j1 + off] if j1 + off < j2 else None
                diags.append("%s %s: clean: %s | damaged: %s" % (
                    skey[0], skey[2], _show(ma), _show(mb)))
    return present, expected, extra, diags


def coverage(clean, damaged, cut_time, keys):
    """Share of the clean messages completed after cut_time found in damaged."""
    found = total = 0
    for skey in clean:
        a = [m for m in clean[skey] if m["t"] >= cut_time - 1e-7]
        b = damaged.get(skey, [])
        sm = difflib.SequenceMatcher(None, [_key(m, keys) for m in a],
                                     [_key(m, keys) for m in b], autojunk=False)
        found += sum(blk.size for blk in sm.get_matching_blocks())
        total += len(a)
    return found, total


def mode_damage(args):
    tap = Tap()
    name = "%s --%s" % (os.path.basename(args.clean), args.mode)
    n = args.number
    crecs, err = run_rtmpscope(args.clean)
    drecs, derr = run_rtmpscope(args.damaged)
    if err or derr:
        tap.result(n, False, name, [e for e in (err, derr) if e])
        return 0
    clean = rtmpscope_messages(crecs)
    damaged = rtmpscope_messages(drecs)
    diags = []
    if args.mode in ("reorder", "retransmit"):
        matched, total, dd = compare_exact(clean, damaged)
        ok = matched == total and total > 0
        desc = "%s: %.2f%% of messages identical to the clean capture's (%d/%d)" % (
            name, pct(matched, total), matched, total)
        tkeys = ORACLE_KEYS
        cut = None
    else:
        cut = _first_time(args.damaged)
        present, expected, extra, dd = compare_resync(clean, damaged, cut)
        p = pct(present, expected)
        ok = expected > 0 and p >= args.threshold
        nrec = sum(1 for v in damaged.values() for m in v if m["recovered"])
        desc = ("%s: %.2f%% of the clean messages after the resync points "
                "present (%d/%d, %d extra, %d recovered)" % (
                    name, p, present, expected, extra, nrec))
        f, tot = coverage(clean, damaged, cut, RESYNC_KEYS)
        diags.append("rtmpscope: %.2f%% of the clean messages after the cut found "
                     "(%d/%d)" % (pct(f, tot), f, tot))
        tkeys = RESYNC_KEYS
    diags += dd[:MAX_DIAG]
    if len(dd) > MAX_DIAG:
        diags.append("... %d more disagreements" % (len(dd) - MAX_DIAG))
    if have_tshark() and not args.no_tshark:
        tclean = tshark_messages(args.clean, args.port)
        tdam = tshark_messages(args.damaged, args.port)
        if cut is None:
            m, t, _ = compare_streams(tclean, tdam, tkeys)
            diags.append("tshark on the damaged capture: %.2f%% of its clean-capture "
                         "messages (%d/%d)" % (pct(m, t), m, t))
        else:
            f, tot = coverage(tclean, tdam, cut, tkeys)
            diags.append("tshark on the damaged capture: %.2f%% of its clean-capture "
                         "messages after the cut found (%d/%d)" % (pct(f, tot), f, tot))
    tap.result(n, ok, desc, diags)
    return 0


# --------------------------------------------------------------------------
# mode: tshark-dump


def mode_tshark_dump(args):
    streams = tshark_messages(args.capture, args.port)
    allm = []
    for (client, server, d), ms in streams.items():
        for m in ms:
            allm.append((m["frame"], client, server, m))
    allm.sort(key=lambda x: x[0])
    for frame, client, server, m in allm:
        out = {"t": m["t"], "frame": frame, "client": client, "server": server}
        for k in ("dir", "csid", "fmt", "ts", "len", "type", "msid", "name",
                  "tshark_calc"):
            if m.get(k) is not None:
                out[k] = m[k]
        print(json.dumps(out))
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="mode_name", required=True)
    o = sub.add_parser("oracle", help="rtmpscope against tshark")
    o.add_argument("--port", type=int, default=DEFAULT_PORT)
    o.add_argument("captures", nargs="+")
    o.set_defaults(func=mode_oracle)
    d = sub.add_parser("damage", help="damaged capture against clean capture")
    d.add_argument("--mode", required=True,
                   choices=("reorder", "retransmit", "cut-third"))
    d.add_argument("--port", type=int, default=DEFAULT_PORT)
    d.add_argument("--number", type=int, default=None)
    d.add_argument("--threshold", type=float, default=95.0,
                   help="cut-third: least percentage present (default 95)")
    d.add_argument("--no-tshark", action="store_true")
    d.add_argument("clean")
    d.add_argument("damaged")
    d.set_defaults(func=mode_damage)
    t = sub.add_parser("tshark-dump", help="tshark's messages as JSON lines")
    t.add_argument("--port", type=int, default=DEFAULT_PORT)
    t.add_argument("capture")
    t.set_defaults(func=mode_tshark_dump)
    args = ap.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
