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
import struct
import sys
import time

UUID = bytes(range(0x10, 0x20))
UUID_TXT = "10111213-1415-1617-1819-1a1b1c1d1e1f"
OFFSET_S = 1700000000
MAGIC = 0xC1FC1FC1
HDR = 84
# variant -> the extra packet context fields of class 1: (TSDL type, name,
# value in every packet)
EXTRA = {
    "extra": [("uint64_t", "period_ns", 1000), ("uint64_t", "source_seq", 42)],
    "extra-float": [("floating_point { exp_dig = 11; mant_dig = 53; align = 8; }",
                     "period_ns", 0)],
    "extra-9": [("uint64_t", "x%d" % i, i) for i in range(9)],
}

PREAMBLE = """/* CTF 1.8 */

typealias integer { size = 8; align = 8; signed = false; } := uint8_t;
typealias integer { size = 16; align = 8; signed = false; } := uint16_t;
typealias integer { size = 32; align = 8; signed = false; } := uint32_t;
typealias integer { size = 64; align = 8; signed = false; } := uint64_t;

trace {
	major = 1;
	minor = 8;
	uuid = "%s";
	byte_order = le;
	packet.header := struct {
		uint32_t magic;
		uint8_t  uuid[16];
		uint32_t stream_id;
		uint64_t stream_instance_id;
	};
};

env {
	tracer_name = "sonde";
	hostname = "box";
	procname = "classes";
	vpid = 100;
};

clock {
	name = "tsc";
	freq = 1000000000;
	offset_s = %d;
	offset = 0;
	absolute = TRUE;
};

typealias integer { size = 24; align = 8; signed = false; map = clock.tsc.value; } := uint24_clock_t;
typealias integer { size = 64; align = 8; signed = false; map = clock.tsc.value; } := uint64_clock_t;

struct packet_context {
	uint64_clock_t timestamp_begin;
	uint64_clock_t timestamp_end;
	uint64_t content_size;
	uint64_t packet_size;
	uint64_t packet_seq_num;
	uint64_t events_discarded;
	uint32_t cpu_id;
};

struct other_context {
	uint64_clock_t timestamp_begin;
	uint64_clock_t timestamp_end;
	uint64_t content_size;
	uint64_t packet_size;
	uint64_t packet_seq_num;
	uint32_t events_discarded;
	uint32_t cpu_id;
};

struct event_header {
	enum : uint8_t { compact = 0 ... 252, extended = 255 } id;
	variant <id> {
		struct { uint24_clock_t timestamp; } compact;
		struct { uint32_t id; uint64_clock_t timestamp; } extended;
	} v;
};
""" % (UUID_TXT, OFFSET_S)

INT = "integer { size = %d; align = 8; signed = %d; encoding = none; base = %d; } _%s;"
STR = "string { encoding = UTF8; } _%s;"

# class id -> [(event id, name, [(field, kind, size, signed, base)])]
CLASSES = {
    0: [(1, "a:tick", [("n", "i", 8, 0, 10)]),
        (2, "a:msg", [("s", "s", 0, 0, 0)]),
        (3, "both:mark", [("k", "i", 4, 0, 10)])],
    1: [(1, "b:sample", [("v", "i", 4, 1, 10), ("x", "i", 4, 0, 16)]),
        (2, "both:mark", [("k", "i", 8, 0, 10), ("tag", "s", 0, 0, 0)])],
}


def stream_block(sid, ctx="packet_context", with_id=True):
    return "stream {\n%s\tevent.header := struct event_header;\n" \
           "\tpacket.context := struct %s;\n};\n" % (
               "\tid = %d;\n" % sid if with_id else "", ctx)


def event_block(sid, eid, name, fields, with_sid=True):
    lines = []
    for f, kind, size, signed, base in fields:
        lines.append("\t\t" + (STR % f if kind == "s" else
                               INT % (size * 8, signed, base, f)))
    return "event {\n\tname = \"%s\";\n\tid = %d;\n%s\tfields := struct {\n" \
           "%s\n\t};\n};\n" % (name, eid,
                               "\tstream_id = %d;\n" % sid if with_sid else "",
                               "\n".join(lines))


def extra_context(variant):
    """sonde's packet context followed by class 1's extra fields."""
    return "struct extra_context {\n%s%s};\n" % (
        PREAMBLE.split("struct packet_context {\n")[1].split("};")[0],
        "".join("\t%s _%s;\n" % (ty, name) for ty, name, _ in EXTRA[variant]))


def metadata(variant):
    out = [PREAMBLE]
    if variant in EXTRA:
        out.append(extra_context(variant))
    classes = [0] if variant == "single" else [0, 1]
    single = variant == "single"
    for sid in classes:
        if variant == "ctx" and sid == 1:
            out.append(stream_block(sid, "other_context"))
        elif variant in EXTRA and sid == 1:
            out.append(stream_block(sid, "extra_context"))
        elif variant == "dup-sid" and sid == 0:
            out.append(stream_block(1))
        elif variant == "big-sid" and sid == 1:
            out.append(stream_block(64))
        else:
            out.append(stream_block(sid, with_id=not single))
        thread = [("tid", "i", 4, 1, 10), ("pid", "i", 4, 1, 10)]
        out.append(event_block(sid, 0, "sonde:thread", thread, not single))
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
        fields = [("tid", "i", 4, 1, 10), ("pid", "i", 4, 1, 10)]
    b = b""
    for (f, kind, size, signed, _), v in zip(fields, values):
        if kind == "s":
            b += v.encode() + b"\0"
        else:
            b += v.to_bytes(size, "little", signed=bool(signed))
    return b


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


def record(eid, ts, prev, body, ext=False):
    if ext or eid > 252 or ts - prev >= 1 << 24:
        return struct.pack("<BIQ", 0xFF, eid, ts) + body
    return struct.pack("<I", eid | (ts & 0xFFFFFF) << 8) + body


def packet(sid, hsid, inst, cpu, seq, begin, end, recs, extra=()):
    """recs: [(eid, ts, values, ext)] of class sid, a thread record first;
    hsid: the stream_id written in the packet header; extra: the values of
    the class's extra packet context fields."""
    body, prev = b"", begin
    for eid, ts, values, ext in recs:
        body += record(eid, ts, prev, payload(sid, eid, values), ext)
        prev = ts
    body = b"".join(struct.pack("<Q", v) for v in extra) + body
    content = HDR + len(body)
    size = (content + 63) // 64 * 64
    hdr = struct.pack("<I16sIQQQQQQQI", MAGIC, UUID, hsid, inst, begin, end,
                      content * 8, size * 8, seq, 0, cpu)
    assert len(hdr) == HDR
    return hdr + body + b"\0" * (size - content)


def main():
    d, variant = sys.argv[1], sys.argv[2]
    with open(d + "/metadata", "w") as f:
        f.write(metadata(variant))
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
    with open(d + "/channel0_0", "wb") as f:
        f.write(blob)
    if variant != "single":
        blob = b""
        for seq, (b, e, tid, evs) in enumerate(c1):
            blob += packet(1, 7 if variant == "pkt-sid" else 1, 0, 1, seq, b, e,
                           [(0, b, [tid, 100], False)] + [(i, t, v, x) for i, t, v, x in evs],
                           [v for _, _, v in EXTRA.get(variant, [])])
            exp += [(t, 1, 1, tid, text(1, i, v)) for i, t, v, x in evs]
        with open(d + "/other_0", "wb") as f:
            f.write(blob)
    for t, sid, cpu, tid, line in sorted(exp, key=lambda x: (x[0], x[1])):
        hms = time.strftime("%H:%M:%S", time.gmtime(OFFSET_S + t // 10**9))
        print("[%s.%09d] cpu %d pid 100 tid %d %s" % (hms, t % 10**9, cpu, tid, line))


main()
