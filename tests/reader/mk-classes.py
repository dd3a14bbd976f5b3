#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write a sonde trace with two stream classes by hand, as the writer will
emit it (one stream block per class, each with its own sonde:thread event
and event-id space), for tests/reader/test-classes.sh.

Usage: mk-classes.py DIR VARIANT
  DIR gets metadata, channel0_0 (class 0) and other_0 (class 1); the lines
  `TZ=UTC sonde view` must print for it (deltas removed) go to stdout.
VARIANT:
  good        the trace as described below
  single      one stream block without an id, events without stream_id
              (CTF allows it), only channel0_0
  pkt-sid     other_0's packet says stream_id 7 (not declared)
  ev-sid      an event says stream_id 5 (not declared)
  ctx         stream 1's packet.context is not sonde's
  dup-sid     two stream blocks with id 1
  big-sid     a stream block with id 64
  no-ev-sid   an event without stream_id while there are two classes
  mixed       channel0_0's second packet is one of class 1
  inst        channel0_0's second packet is one of stream instance 3
  extra       class 1's packet context adds two u64 fields (period_ns =
              1000, source_seq = 42) after cpu_id, as a source other than
              the user-space channel may; its records start after them
  extra-float class 1's extra packet context field is a floating_point
  extra-9     class 1's packet context adds nine u64 fields (at most 8)

Class 0 (channel0_0, instance 0, cpu 0): a:tick = 1 {u64 n}, a:msg = 2
{string s}, both:mark = 3 {u32 k}.  Class 1 (other_0, instance 0, cpu 1):
b:sample = 1 {s32 v, hex u32 x}, both:mark = 2 {u64 k, string tag}: the same
id means different events in the two classes, the same name is in both.
Events interleave in time across the files, one timestamp is shared by
the two classes, one record has an extended header.
"""
import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctfgen  # noqa: E402

UUID = bytes(range(0x10, 0x20))
# variant -> the extra packet context fields of class 1: (TSDL type, name,
# value in every packet)
EXTRA = {
    "extra": [("uint64_t", "period_ns", 1000), ("uint64_t", "source_seq", 42)],
    "extra-float": [("floating_point { exp_dig = 11; mant_dig = 53; align = 8; }",
                     "period_ns", 0)],
    "extra-9": [("uint64_t", "x%d" % i, i) for i in range(9)],
}

# class 1's packet context in the ctx variant: events_discarded of 32 bits
OTHER_CONTEXT = "struct other_context {\n%s};\n\n" % ctfgen.PACKET_CONTEXT.replace(
    "uint64_t events_discarded", "uint32_t events_discarded")
PREAMBLE = ctfgen.head("classes", 100, uuid=UUID, structs=OTHER_CONTEXT)

# class id -> [(event id, name, [(field, kind, size, signed, base)])]
CLASSES = {
    0: [(1, "a:tick", [("n", "i", 8, 0, 10)]),
        (2, "a:msg", [("s", "s", 0, 0, 0)]),
        (3, "both:mark", [("k", "i", 4, 0, 10)])],
    1: [(1, "b:sample", [("v", "i", 4, 1, 10), ("x", "i", 4, 0, 16)]),
        (2, "both:mark", [("k", "i", 8, 0, 10), ("tag", "s", 0, 0, 0)])],
}


def event_block(sid, eid, name, fields, with_sid=True):
    return ctfgen.event_block(eid, name, [ctfgen.field_tsdl(f) for f in fields],
                              sid if with_sid else None)


def extra_context(variant):
    """sonde's packet context followed by class 1's extra fields."""
    return "struct extra_context {\n%s%s};\n" % (
        ctfgen.PACKET_CONTEXT,
        "".join("\t%s _%s;\n" % (ty, name) for ty, name, _ in EXTRA[variant]))


def metadata(variant):
    out = [PREAMBLE]
    if variant in EXTRA:
        out.append(extra_context(variant))
    classes = [0] if variant == "single" else [0, 1]
    single = variant == "single"
    for sid in classes:
        if variant == "ctx" and sid == 1:
            out.append(ctfgen.stream_block(sid, "other_context"))
        elif variant in EXTRA and sid == 1:
            out.append(ctfgen.stream_block(sid, "extra_context"))
        elif variant == "dup-sid" and sid == 0:
            out.append(ctfgen.stream_block(1))
        elif variant == "big-sid" and sid == 1:
            out.append(ctfgen.stream_block(64))
        else:
            out.append(ctfgen.stream_block(sid, with_id=not single))
        out.append(event_block(sid, 0, "sonde:thread", ctfgen.THREAD, not single))
        for eid, name, fields in CLASSES[sid]:
            esid = sid
            if variant == "ev-sid" and name == "b:sample":
                esid = 5
            out.append(event_block(esid, eid, name, fields,
                                   not single and not
                                   (variant == "no-ev-sid" and name == "b:sample")))
    return "\n".join(out)


def payload(sid, eid, values):
    for e, _, fields in CLASSES[sid] if eid else []:
        if e == eid:
            break
    else:
        fields = ctfgen.THREAD
    return ctfgen.encode(fields, values)


def text(sid, eid, values):
    for e, name, fields in CLASSES[sid]:
        if e == eid:
            break
    parts = []
    for (f, kind, _, _, base), v in zip(fields, values):
        if kind == "s":
            parts.append('%s = "%s"' % (f, v))
        elif base == 16:
            parts.append("%s = 0x%X" % (f, v))
        else:
            parts.append("%s = %d" % (f, v))
    return name + ": { " + ", ".join(parts) + " }"


def packet(sid, hsid, inst, cpu, seq, begin, end, recs, extra=()):
    """recs: [(eid, ts, values, ext)] of class sid, a thread record first;
    hsid: the stream_id written in the packet header; extra: the values of
    the class's extra packet context fields."""
    body, prev = b"", begin
    for eid, ts, values, ext in recs:
        body += ctfgen.record(eid, ts, payload(sid, eid, values), prev, ext)
        prev = ts
    body = b"".join(v.to_bytes(8, "little") for v in extra) + body
    return ctfgen.packet(body, begin, end, seq, cpu, hsid, inst, uuid=UUID)


def main():
    d, variant = sys.argv[1], sys.argv[2]
    ctfgen.write(d, "metadata", metadata(variant))
    # class 0: two packets, tid 100 then 101; class 1: one packet, tid 200
    c0 = [(1000, 5000, 100, [(1, 1000, [1], False), (2, 3000, ["hello"], False),
                             (3, 5000, [7], True)]),
          (8000, 12000, 101, [(1, 8000, [2], False), (2, 12000, ["late"], False)])]
    c1 = [(2000, 9000, 200, [(1, 2000, [-5, 0x1F], False),
                             (2, 4000, [9, "x"], False),
                             (1, 5000, [6, 0xABC], False),
                             (2, 9000, [10, "y"], False)])]
    exp = []
    blob = b""
    for seq, (b, e, tid, evs) in enumerate(c0):
        psid = 1 if variant == "mixed" and seq == 1 else 0
        inst = 3 if variant == "inst" and seq == 1 else 0
        blob += packet(0, psid, inst, 0, seq, b, e,
                       [(0, b, [tid, 100], False)] + [(i, t, v, x) for i, t, v, x in evs])
        exp += [(t, 0, 0, tid, text(0, i, v)) for i, t, v, x in evs]
    ctfgen.write(d, "channel0_0", blob)
    if variant != "single":
        blob = b""
        for seq, (b, e, tid, evs) in enumerate(c1):
            blob += packet(1, 7 if variant == "pkt-sid" else 1, 0, 1, seq, b, e,
                           [(0, b, [tid, 100], False)] + [(i, t, v, x) for i, t, v, x in evs],
                           [v for _, _, v in EXTRA.get(variant, [])])
            exp += [(t, 1, 1, tid, text(1, i, v)) for i, t, v, x in evs]
        ctfgen.write(d, "other_0", blob)
    for t, sid, cpu, tid, line in sorted(exp, key=lambda x: (x[0], x[1])):
        hms = time.strftime("%H:%M:%S", time.gmtime(ctfgen.OFFSET_S + t // 10**9))
        print("[%s.%09d] cpu %d pid 100 tid %d %s" % (hms, t % 10**9, cpu, tid, line))


main()
