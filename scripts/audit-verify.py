#!/usr/bin/env python3
"""Verifies an export of Aurum's audit trail without Aurum: the auditor's own check.

    aurum audit export --format jsonl > trail.jsonl
    python3 scripts/audit-verify.py trail.jsonl [--anchor SEQ:HASH]

Each line is one entry with its row_hash. The hash is the SHA-256 (lowercase hex) of the UTF-8
bytes of the entry without row_hash, written in the JSON Canonicalization Scheme (RFC 8785);
prev_hash is the row_hash of the entry before (64 zeros for entry 1). Exits 0 when every line is
intact and linked (and the anchor's entry is there, unchanged), else 1 naming the first bad entry.
Only Python's standard library; any RFC 8785 library gives the same bytes.
"""
import hashlib
import json
import math
import sys


def number(value):
    """A number as ECMAScript's Number.prototype.toString writes it (RFC 8785 3.2.2.3)."""
    if isinstance(value, bool):
        raise TypeError("not a number")
    if isinstance(value, int):
        value = float(value)
    if not math.isfinite(value):
        raise ValueError("JSON has no such number")
    if value == 0:
        return "0"
    if value < 0:
        return "-" + number(-value)
    mantissa, _, exponent = repr(value).partition("e")  # shortest round-trip digits
    point = mantissa.index(".") if "." in mantissa else len(mantissa)
    digits = mantissa.replace(".", "")
    n = point + (int(exponent) if exponent else 0)
    stripped = digits.lstrip("0")
    n -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    e = n - 1
    return digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("-" if e < 0 else "+") + str(abs(e))


def canonical(value):
    """RFC 8785: no whitespace, names sorted by UTF-16 code units, minimal string escapes."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    names = sorted(value, key=lambda name: name.encode("utf-16-be"))
    return "{" + ",".join(json.dumps(n, ensure_ascii=False) + ":" + canonical(value[n]) for n in names) + "}"


def main():
    args = sys.argv[1:]
    anchor = None
    if "--anchor" in args:
        at = args.index("--anchor")
        seq, _, digest = args[at + 1].partition(":")
        anchor = (int(seq), digest)
        del args[at:at + 2]
    source = open(args[0], encoding="utf-8") if args else sys.stdin
    previous, last, anchored = "0" * 64, 0, anchor is None or anchor[0] == 0
    for line in source:
        if not line.strip():
            continue
        entry = json.loads(line)
        seq, stored = entry["seq"], entry.pop("row_hash")
        if seq != last + 1 and last != 0:
            print(f"entry {last + 1} is missing" + (f" (to {seq - 1})" if seq - 1 > last + 1 else ""))
            return 1
        if hashlib.sha256(canonical(entry).encode("utf-8")).hexdigest() != stored:
            print(f"entry {seq} was altered: its content does not match its hash")
            return 1
        if last != 0 and entry["prev_hash"] != previous:
            print(f"entry {seq} does not link to the entry before it")
            return 1
        if anchor and seq == anchor[0]:
            if stored != anchor[1]:
                print(f"entry {seq} is not the entry the anchor was taken of")
                return 1
            anchored = True
        previous, last = stored, seq
    if not anchored:
        print(f"the export ends at entry {last}, before the anchor's entry {anchor[0]}")
        return 1
    print(f"intact: entries up to {last}, head {last}:{previous}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
