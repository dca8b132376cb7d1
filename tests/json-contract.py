#!/usr/bin/env python3
"""Checks --dump=json output against the contract of the architecture page.

Every line one JSON object, no key twice, the envelope keys with the right
types, handshake records without "type", and the type-specific keys of each
message type.  Usage: json-contract.py DUMP.json [...]; exit 1 on a breach.
"""
import json
import sys

ENVELOPE = {"t": float, "client": str, "server": str, "dir": str}
MESSAGE = {"csid": int, "fmt": int, "ts": int, "len": int, "type": int,
           "msid": int, "type_name": str}
BY_TYPE = {1: ["chunk_size"], 2: ["abort_csid"], 3: ["ack_seq"],
           4: ["event", "event_name"], 5: ["window"],
           6: ["window", "limit_type"], 8: ["sound_format"],
           9: ["frame_type"], 15: ["name", "args"], 17: ["name", "txn", "args"],
           18: ["name", "args"], 20: ["name", "txn", "args"]}
NAMES = {1: "set_chunk_size", 2: "abort", 3: "ack", 4: "user_control",
         5: "window_ack_size", 6: "set_peer_bandwidth", 8: "audio",
         9: "video", 15: "data_amf3", 16: "shared_object_amf3",
         17: "command_amf3", 18: "data_amf0", 19: "shared_object_amf0",
         20: "command_amf0", 22: "aggregate"}


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    dup = {k for k in keys if keys.count(k) > 1}
    if dup:
        raise ValueError("duplicate keys %s" % sorted(dup))
    return dict(pairs)


def check(rec):
    for key, typ in ENVELOPE.items():
        if not isinstance(rec.get(key), (int, float) if typ is float else typ):
            return "envelope key %r missing or not %s" % (key, typ.__name__)
    if rec["dir"] not in ("c2s", "s2c"):
        return "dir %r" % rec["dir"]
    if "handshake" in rec:
        if "type" in rec or rec["handshake"] not in ("C0C1", "S0S1S2", "C2"):
            return "bad handshake record"
        return None
    for key, typ in MESSAGE.items():
        if not isinstance(rec.get(key), typ) or isinstance(rec[key], bool):
            return "message key %r missing or not %s" % (key, typ.__name__)
    if not 2 <= rec["csid"] <= 65599 or rec["fmt"] not in (0, 1, 2, 3):
        return "csid/fmt out of range"
    if NAMES.get(rec["type"], "unknown") != rec["type_name"]:
        return "type_name %r for type %d" % (rec["type_name"], rec["type"])
    if "malformed" in rec:
        return None
    for key in BY_TYPE.get(rec["type"], []):
        if key not in rec:
            return "type %d without %r" % (rec["type"], key)
    return None


def main():
    bad = 0
    for path in sys.argv[1:]:
        for n, line in enumerate(open(path, encoding="utf-8"), 1):
            try:
                rec = json.loads(line, object_pairs_hook=no_duplicates)
                why = check(rec) if isinstance(rec, dict) else "not an object"
            except ValueError as e:
                why = str(e)
            if why:
                bad += 1
                if bad <= 10:
                    print("%s:%d: %s" % (path, n, why))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
