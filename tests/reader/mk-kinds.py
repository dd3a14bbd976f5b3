#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write a sonde trace by hand whose payloads use the three field kinds the
writer emits for LTTng-UST parity, in the exact TSDL forms of
src/writer/metadata.c, for tests/reader/test-kinds.sh:

  - network byte order integers (byte_order = be): scalars of 8/16/32/64
    bits, signed and unsigned, decimal, hexadecimal and octal, and the
    elements of arrays and sequences (the sequence length stays
    little-endian);
  - text arrays and sequences (8-bit UTF8 integers): with and without
    trailing NULs, with an embedded NUL, with characters to escape, of
    length 0;
  - inline enumerations: signed and unsigned 8/16/32/64-bit containers,
    little- and big-endian, a hexadecimal one, single values and ranges,
    overlapping ranges, a label given twice, labels with \\" and \\\\,
    values matching no label, one label or several.

Usage: mk-kinds.py DIR [VARIANT]
  DIR gets metadata and channel0_0.  Without VARIANT the trace above is
  written and stdout gets the JSON "args" objects that
  `sonde export --format chrome` must print for its events, one per line
  in time order (values as the reader must decode them: the oracle of the
  JSON output, babeltrace2 being the one of the text).
VARIANT (a metadata the reader must reject, naming it; no stdout):
  be-len      a sequence length field with byte_order = be
  enum-array  an array of enumerations
  enum-range  an enumerator value that its 8-bit container cannot hold
  enum-label  an enumerator label of 300 bytes
  text-16     a UTF8 array of 16-bit integers
"""
import json
import os
import struct
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctfgen  # noqa: E402

int_ty = ctfgen.int_type
PREAMBLE = ctfgen.head("kinds", 300, int_sizes=(8, 32, 64)) + "\n" + \
    ctfgen.stream_block(0)


def tsdl_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class F:
    """A payload field: kind is 'int', 'array', 'seq', 'text', 'tseq',
    'enum' or 'string'; bits/signed/base/be describe the integer (the
    element of an array or sequence, the container of an enum)."""

    def __init__(self, name, kind, bits=32, signed=0, base=10, be=False,
                 count=0, maps=None):
        self.name, self.kind, self.bits, self.signed = name, kind, bits, signed
        self.base, self.be, self.count, self.maps = base, be, count, maps

    def tsdl(self):
        n = "_" + self.name
        if self.kind == "string":
            return ["string { encoding = UTF8; } %s;" % n]
        if self.kind == "enum":
            ents = []
            for label, lo, hi in self.maps:
                ents.append("%s = %d%s" % (tsdl_str(label), lo,
                                           "" if hi is None else " ... %d" % hi))
            return ["enum : %s { %s } %s;" % (
                int_ty(self.bits, self.signed, self.base, self.be),
                ", ".join(ents), n)]
        text = self.kind in ("text", "tseq")
        ty = int_ty(8, 0, 10, False, "UTF8") if text else \
            int_ty(self.bits, self.signed, self.base, self.be)
        if self.kind == "int":
            return ["%s %s;" % (ty, n)]
        if self.kind in ("array", "text"):
            return ["%s %s[%d];" % (ty, n, self.count)]
        return ["%s _%s_length;" % (int_ty(32, 0), n),
                "%s %s[ _%s_length ];" % (ty, n, n)]

    def int_bytes(self, v):
        return v.to_bytes(self.bits // 8, "big" if self.be else "little",
                          signed=bool(self.signed))

    def encode(self, v):
        if self.kind == "string":
            return v + b"\0"
        if self.kind in ("int", "enum"):
            return self.int_bytes(v)
        if self.kind == "text":
            assert len(v) == self.count
            return v
        if self.kind == "tseq":
            return struct.pack("<I", len(v)) + v
        body = b"".join(self.int_bytes(x) for x in v)
        if self.kind == "array":
            assert len(v) == self.count
            return body
        return struct.pack("<I", len(v)) + body

    def json_int(self, v):
        """v as babeltrace2 prints it: hexadecimal the bits of the value,
        octal sign-extended to whole octal digits (printf "0%o")."""
        if self.base == 10:
            return v
        if self.signed and v < 0:
            bits = self.bits if self.base == 16 or self.bits == 64 else \
                (self.bits + 2) // 3 * 3
            v += 1 << bits
        return {16: "0x%X", 8: "0%o"}[self.base] % v

    def json(self, v):
        """(name, value) pairs of the JSON args for value v."""
        if self.kind == "string":
            return [(self.name, v.decode())]
        if self.kind == "int":
            return [(self.name, self.json_int(v))]
        if self.kind in ("text", "tseq"):
            out = [(self.name, v.split(b"\0")[0].decode())]
            return out if self.kind == "text" else \
                [("_%s_length" % self.name, len(v))] + out
        if self.kind == "enum":
            # the ranges of a label merged, labels in the order of their
            # first range
            order = []
            for label, _, _ in self.maps:
                if label not in order:
                    order.append(label)
            labels = [x for x in order
                      if any(lo <= v <= (lo if hi is None else hi)
                             for label, lo, hi in self.maps if label == x)]
            return [(self.name, {"value": self.json_int(v), "labels": labels})]
        vals = [self.json_int(x) for x in v]
        return [(self.name, vals)] if self.kind == "array" else \
            [("_%s_length" % self.name, len(v)), (self.name, vals)]


STATE = [("IDLE", 0, None), ("BUSY", 1, 5), ("DONE", 6, None),
         ('ODD " label', -3, None), ("back\\slash", -100, -50)]
FLAGS = [("B", 0, 10), ("A", 5, 15), ("C", 5, None), ("B", 200, 210),
         ("D", 255, None), ("B", 9, 12)]
U64 = (1 << 64) - 1

EVENTS = [
    (1, "k:net", [
        F("b8", "int", 8, 0, be=True),
        F("s8", "int", 8, 1, be=True),
        F("s16", "int", 16, 1, be=True),
        F("port", "int", 16, 0, be=True),
        F("i32", "int", 32, 1, be=True),
        F("h32", "int", 32, 0, 16, be=True),
        F("i64", "int", 64, 1, be=True),
        F("u64", "int", 64, 0, be=True),
        F("sh16", "int", 16, 1, 16, be=True),
        F("o32", "int", 32, 0, 8, be=True),
        F("so16", "int", 16, 1, 8, be=True),
        F("le32", "int", 32, 0),
        F("words", "array", 16, 0, 16, be=True, count=4),
        F("seq", "seq", 32, 1, be=True),
        F("useq", "seq", 64, 0, 16, be=True),
    ]),
    (2, "k:text", [
        F("name", "text", count=8),
        F("full", "text", count=4),
        F("emb", "text", count=8),
        F("esc", "text", count=14),
        F("t", "tseq"),
        F("after", "string"),
        F("u", "tseq"),
    ]),
    (3, "k:enum", [
        F("state", "enum", 32, 1, maps=STATE),
        F("flags", "enum", 8, 0, maps=FLAGS),
        F("big", "enum", 64, 0, 16, be=True,
          maps=[("HIGH", 1 << 63, U64), ("ZERO", 0, None)]),
        F("s16e", "enum", 16, 1, be=True,
          maps=[("NEG", -32768, -1), ("POS", 1, 32767)]),
        F("s64e", "enum", 64, 1,
          maps=[("MIN", -(1 << 63), None), ("MAX", (1 << 63) - 1, None),
                ("ALL", -(1 << 63), (1 << 63) - 1)]),
        F("u16e", "enum", 16, 0, maps=[("X", 1, None)]),
        F("hs8e", "enum", 8, 1, 16, maps=[("M1", -1, None), ("LOW", -128, -2)]),
    ]),
]

# (event id, values) in time order
RECORDS = [
    (1, [200, -7, -2, 8080, -123456, 0xDEADBEEF, -(1 << 62) - 5, U64 - 1,
         -2, 0o755, -1, 0x01020304, [1, 0xABCD, 0, 0xFFFF],
         [-1, 2, 0x7FFFFFFF, -(1 << 31)], []]),
    (1, [0, 127, 32767, 1, 0x01020304, 0, 1, 0x0102030405060708,
         0x7FFF, 0, 0o70, 1, [0x0102, 0x8000, 0x00FF, 0xFF00], [],
         [0x0102030405060708, U64]]),
    (2, [b"hello\0\0\0", b"abcd", b"ab\0cdefg",
         b'q"\\\t\n?\'\x01\x7f\xc3\xa9z\0\0', b"", b"mid", b"x\0y"]),
    (2, [b"\0" * 8, b"wxyz", b"\0bcdefgh", b"0123456789abcd",
         b"sequence text", b"", b""]),
    (3, [3, 5, 1 << 63, -5, -(1 << 63), 1, -1]),
    (3, [9, 12, 0, 7, (1 << 63) - 1, 2, -128]),
    (3, [-3, 205, 12345, 0, 0, 0, 0]),
    (3, [-75, 100, U64, -32768, -1, 65535, 127]),
    (3, [0, 255, 1, 32767, 1, 1, -2]),
    (3, [6, 9, 0xFFFF, -1, 42, 1, 1]),
]

BAD = {
    "be-len": (4, "k:bad", "%s __s_length; %s _s[ __s_length ];" % (
        int_ty(32, 0, be=True), int_ty(16, 0))),
    "enum-array": (4, "k:bad", 'enum : %s { "A" = 1 } _e[2];' % int_ty(8, 0)),
    "enum-range": (4, "k:bad", 'enum : %s { "A" = 1, "B" = 256 } _e;' %
                   int_ty(8, 0)),
    "enum-label": (4, "k:bad", 'enum : %s { "%s" = 1 } _e;' % (
        int_ty(8, 0), "L" * 300)),
    "text-16": (4, "k:bad", "%s _t[4];" % int_ty(16, 0, enc="UTF8")),
}


def metadata(variant):
    thread = [ctfgen.field_tsdl(f) for f in ctfgen.THREAD]
    out = [PREAMBLE, ctfgen.event_block(0, "sonde:thread", thread)]
    for eid, name, fields in EVENTS:
        out.append(ctfgen.event_block(eid, name,
                                      [x for f in fields for x in f.tsdl()]))
    if variant in BAD:
        eid, name, line = BAD[variant]
        out.append(ctfgen.event_block(eid, name, [line]))
    return "\n".join(out)


def main():
    d = sys.argv[1]
    variant = sys.argv[2] if len(sys.argv) > 2 else ""
    if variant and variant not in BAD:
        sys.exit("mk-kinds.py: unknown variant " + variant)
    ctfgen.write(d, "metadata", metadata(variant))
    fields = {eid: fl for eid, _, fl in EVENTS}
    body = ctfgen.record(0, 1000, ctfgen.encode(ctfgen.THREAD, [301, 300]),
                         ext=True)
    ts = 1000
    for eid, values in RECORDS:
        ts += 1000
        body += ctfgen.record(eid, ts, b"".join(
            f.encode(v) for f, v in zip(fields[eid], values)))
        if not variant:
            args = {}
            for f, v in zip(fields[eid], values):
                args.update(f.json(v))
            print(json.dumps(args, separators=(",", ":"), ensure_ascii=False))
    ctfgen.write(d, "channel0_0", ctfgen.packet(body, 1000, ts))


main()
