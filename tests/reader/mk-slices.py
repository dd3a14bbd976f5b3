#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write a sonde trace of many begin/end pairs on one thread, with a known
share of time in slices that rises and falls over the trace, and one slice
much longer than the others, for the 4 M-slice checks of `sonde report` in
tests/reader/test-report.sh.

Usage: mk-slices.py DIR [NPACKETS] [--expect FILE]
  DIR gets metadata and channel0_0: NPACKETS packets (default 2000) of
  PER_PACKET slices each (4 M by default) on thread 4243 of pid 4242
  (the header, clock and packet layout of mk-pairs.py).  Packet p spans
  the 2^24 ns from clock value (p + 1) << 24, so every packet of one kind
  holds the same bytes but for its header: the file is written fast.
  With --expect, FILE gets one JSON object:
    slices, events        totals
    first_ns, span_ns     the first event (ns since the epoch), the span
    window_ns             the time a packet spans
    first_off             ns from the first packet's start to the first event
    busy                  per packet, the share of its window in slices
    longest               [start_ns since the first event, dur, pid, tid,
                          name, client, status]: the longest slice
    second_dur            the duration of the second longest slice
    counts                {"NAME": slices} (--by name)

Events: app:req_begin {string name, u32 client}, app:req_end {u8
status}.  A packet of kind v (0..KINDS-1) holds PER_PACKET slices, of which
v * LONG_STEP are "SET" of LONG_NS, the others "GET" of SHORT_NS, evenly
interleaved and spaced over the window: its busy share grows with v.  The
kind of packet p follows three periods of a cosine over the trace.  The
middle packet starts with the longest slice, "BGSAVE" of client 42, status
7, of LONGEST_NS, then PER_PACKET - 1 "GET".
"""
import importlib.util
import json
import math
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctfgen  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "mk_pairs", os.path.join(os.path.dirname(os.path.abspath(__file__)), "mk-pairs.py"))
mp = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mp)

PID, TID = mp.PID, 4243
WINDOW = 1 << 24
PER_PACKET = 2000
KINDS = 16
LONG_STEP = 50
SHORT_NS, LONG_NS, LONGEST_NS = 1000, 20000, 11800000
START = 1000      # the first slice of a packet, after its sonde:thread

CLASSES = {
    0: ("sonde:thread", ctfgen.THREAD),
    1: ("app:req_begin", [("name", "s", 0, 0), ("client", "i", 4, 0)]),
    2: ("app:req_end", [("status", "i", 1, 0)]),
}


def metadata():
    return ctfgen.metadata(mp.METADATA, CLASSES)


def body(slices):
    """slices: [(start_off, dur, name, client, status)] -> (bytes, last
    offset, busy ns)."""
    enc = {eid: fields for eid, (_, fields) in CLASSES.items()}
    # compact records: offsets are under 2^24 ns into the packet's window
    out = [ctfgen.record(0, 0, ctfgen.encode(enc[0], [TID, PID]))]
    busy = 0
    for off, dur, name, client, status in slices:
        out.append(ctfgen.record(1, off, ctfgen.encode(enc[1], [name, client])))
        out.append(ctfgen.record(2, off + dur, ctfgen.encode(enc[2], [status])))
        busy += dur
    return b"".join(out), slices[-1][0] + slices[-1][1], busy


def spaced(durs, names, start):
    """Slices of these durations, evenly spaced from @start to the end of
    the window."""
    gap = (WINDOW - 2 * START - start - sum(durs)) // len(durs)
    assert gap > 0
    out, t = [], start
    for i, (d, n) in enumerate(zip(durs, names)):
        out.append((t, d, n, i % 100, 0))
        t += d + gap
    return out


def kind_slices(v):
    nl = v * LONG_STEP
    durs, names = [], []
    for i in range(PER_PACKET):
        long_ = (i + 1) * nl // PER_PACKET > i * nl // PER_PACKET
        durs.append(LONG_NS if long_ else SHORT_NS)
        names.append("SET" if long_ else "GET")
    return spaced(durs, names, START)


def main():
    args, expect = [], None
    it = iter(sys.argv[1:])
    for a in it:
        if a == "--expect":
            expect = next(it)
        else:
            args.append(a)
    d = args[0]
    npk = int(args[1]) if len(args) > 1 else 2000
    kinds = [body(kind_slices(v)) for v in range(KINDS)]
    mid = npk // 2
    special = [(START, LONGEST_NS, "BGSAVE", 42, 7)] + \
        spaced([SHORT_NS] * (PER_PACKET - 1), ["GET"] * (PER_PACKET - 1), START + LONGEST_NS + 1000)
    sbody = body(special)
    busy, counts = [], {}
    ctfgen.write(d, "metadata", metadata())
    with open(d + "/channel0_0", "wb") as f:
        for p in range(npk):
            base = (p + 1) << 24
            if p == mid:
                data, last, b = sbody
                for s in special:
                    counts[s[2]] = counts.get(s[2], 0) + 1
            else:
                v = round((KINDS - 1) * (0.5 - 0.5 * math.cos(2 * math.pi * 3 * p / npk)))
                data, last, b = kinds[v]
                counts["SET"] = counts.get("SET", 0) + v * LONG_STEP
                counts["GET"] = counts.get("GET", 0) + PER_PACKET - v * LONG_STEP
            busy.append(b / WINDOW)
            f.write(ctfgen.packet(data, base, base + last, p))
    if not expect:
        return
    first = (1 << 24) + START   # the first event (sonde:thread records are not events)
    out = {
        "slices": npk * PER_PACKET,
        "events": npk * PER_PACKET * 2,
        "first_ns": ctfgen.OFFSET_S * 10**9 + first,
        "span_ns": (npk << 24) + last - first,
        "window_ns": WINDOW,
        "first_off": START,
        "busy": busy,
        "longest": [((mid + 1) << 24) + START - first, LONGEST_NS, PID, TID, "BGSAVE", 42, 7],
        "second_dur": LONG_NS,
        "counts": counts,
    }
    with open(expect, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
