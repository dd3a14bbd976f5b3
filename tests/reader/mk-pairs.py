#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write a sonde trace of begin/end pairs with known durations and fields,
and what `sonde stats --by`, `--top` and `sonde export --format sqlite`
must find in it, computed here from the generated values (not by sonde),
for tests/reader/test-analysis.sh and the analysis section of `make bench`.

Usage: mk-pairs.py DIR [NCMDS [SEED]] [--expect FILE] [--top N]
  DIR gets metadata, channel0_0 (cpu 0: threads 1001 then 1002) and
  channel0_1 (cpu 1: thread 2001).  NCMDS (default 600) commands are
  spread over the three threads.  With --expect, FILE gets one JSON
  object:
    events, lost          totals (lost: events_discarded of channel0_1)
    groups_name           {"PAIR\\tNAME": stats} for --by name
    groups_name_argc      {"PAIR\\tNAME\\tARGC": stats} for --by name,argc
    events_name           {"EVENT\\tNAME": count} (event counts by name)
    pairs                 {"PAIR": stats} over all matched slices
    top, top_cmd          the N (--top, default 5) longest slices, of
                          any pair / of app:cmd: [begin_ns, dur, pid, tid,
                          pair, begin fields, end fields]
  stats: [count, total, min, p50, p90, p99, max] in ns; percentiles by
  nearest rank: the value at rank ceil(n * q / 100) of the sorted values.

Events (one stream class): app:cmd_begin {string name, s64 client, u32
argc}, app:cmd_end {s64 ret}, app:io_entry {u32 fd}, app:io_exit {s64
bytes}, app:note {string name, u64 v}.  Each command is a cmd pair; one in
three holds an io pair (depth 1); one in five is followed by a note.  Every
thread ends with a cmd_begin that never ends (unmatched).  Durations are
drawn per command name from distinct ranges, with repeated values (ties).
"""
import json
import math
import os
import random
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctfgen  # noqa: E402

PID = 4242
PER_PACKET = 500

METADATA = ctfgen.head("pairs", PID) + "\n" + ctfgen.stream_block(0)

# event id -> (name, [(field, kind, bytes, signed)]); kind "i" or "s"
CLASSES = {
    0: ("sonde:thread", ctfgen.THREAD),
    1: ("app:cmd_begin", [("name", "s", 0, 0), ("client", "i", 8, 1),
                          ("argc", "i", 4, 0)]),
    2: ("app:cmd_end", [("ret", "i", 8, 1)]),
    3: ("app:io_entry", [("fd", "i", 4, 0)]),
    4: ("app:io_exit", [("bytes", "i", 8, 1)]),
    5: ("app:note", [("name", "s", 0, 0), ("v", "i", 8, 0)]),
}
# command name -> (min, max) duration in ns (steps of 10 ns: ties)
NAMES = {"GET": (200, 5000), "SET": (1000, 20000), "HGETALL": (30000, 400000),
         "DEL": (500, 3000), "PING": (100, 400)}


def metadata():
    return ctfgen.metadata(METADATA, CLASSES)


def packet(cpu, seq, discarded, recs):
    """recs: [(eid, ts, values)], a sonde:thread record first."""
    body, prev = [], recs[0][1]
    for eid, ts, values in recs:
        body.append(ctfgen.record(eid, ts, ctfgen.encode(CLASSES[eid][1], values), prev))
        prev = ts
    return ctfgen.packet(b"".join(body), recs[0][1], recs[-1][1], seq, cpu,
                         inst=cpu, discarded=discarded)


def stats(v):
    v = sorted(v)
    n = len(v)

    def pct(q):
        return v[max(1, math.ceil(n * q / 100)) - 1]
    return [n, sum(v), v[0], pct(50), pct(90), pct(99), v[-1]]


def gen_thread(rng, tid, ncmds, t0, slices, ev_counts):
    """Events of one thread: [(eid, ts, values)]."""
    evs, t = [], t0
    for i in range(ncmds):
        name = rng.choice(sorted(NAMES))
        lo, hi = NAMES[name]
        dur = rng.randrange(lo, hi + 1, 10)
        client, argc = rng.randrange(1, 50), rng.choice([1, 2, 3])
        bvals = [name, client, argc]
        evs.append((1, t, bvals))
        ev_counts[("app:cmd_begin", name)] = ev_counts.get(("app:cmd_begin", name), 0) + 1
        if i % 3 == 0 and dur >= 60:
            io_b = t + 10 + rng.randrange(0, dur // 4, 10)
            io_d = rng.randrange(10, dur // 2, 10)
            fd, nb = rng.randrange(3, 100), rng.randrange(-1, 4096)
            evs.append((3, io_b, [fd]))
            evs.append((4, io_b + io_d, [nb]))
            slices.append((io_b, io_d, tid, "app:io", [["fd", fd]], [["bytes", nb]], None))
        ret = rng.randrange(-1, 2)
        evs.append((2, t + dur, [ret]))
        slices.append((t, dur, tid, "app:cmd",
                       [["name", name], ["client", client], ["argc", argc]],
                       [["ret", ret]], (name, argc)))
        t += dur + rng.randrange(50, 3000, 10)
        if i % 5 == 4:
            nn = rng.choice(["GET", "flush", "rehash"])
            evs.append((5, t, [nn, i]))
            ev_counts[("app:note", nn)] = ev_counts.get(("app:note", nn), 0) + 1
            t += 100
    # a command that never ends
    evs.append((1, t, ["BLPOP", 1, 2]))
    ev_counts[("app:cmd_begin", "BLPOP")] = ev_counts.get(("app:cmd_begin", "BLPOP"), 0) + 1
    return evs


def packets(cpu, threads, discarded_at=None, lost=0):
    """threads: [(tid, events)] written one after the other, PER_PACKET
    events a packet; the packet numbered discarded_at (and those after it)
    says `lost` events were discarded before it."""
    out, seq, disc = [], 0, 0
    for tid, evs in threads:
        for i in range(0, len(evs), PER_PACKET):
            chunk = evs[i:i + PER_PACKET]
            if seq == discarded_at:
                disc = lost
            out.append(packet(cpu, seq, disc, [(0, chunk[0][1], [tid, PID])] + chunk))
            seq += 1
    return b"".join(out)


def main():
    args, expect, ntop = [], None, 5
    it = iter(sys.argv[1:])
    for a in it:
        if a == "--expect":
            expect = next(it)
        elif a == "--top":
            ntop = int(next(it))
        else:
            args.append(a)
    d = args[0]
    ncmds = int(args[1]) if len(args) > 1 else 600
    rng = random.Random(int(args[2]) if len(args) > 2 else 17)
    slices, ev_counts = [], {}
    # Threads 1001 and 1002 run one after the other on cpu 0, 2001 on cpu
    # 1 at the same time (offsets make timestamps distinct across cpus).
    n1 = ncmds // 3
    e1001 = gen_thread(rng, 1001, n1, 1000, slices, ev_counts)
    e1002 = gen_thread(rng, 1002, n1, e1001[-1][1] + 5000, slices, ev_counts)
    e2001 = gen_thread(rng, 2001, ncmds - 2 * n1, 1005, slices, ev_counts)
    lost = 7
    ctfgen.write(d, "metadata", metadata())
    ctfgen.write(d, "channel0_0", packets(0, [(1001, e1001), (1002, e1002)]))
    ctfgen.write(d, "channel0_1", packets(1, [(2001, e2001)], discarded_at=1, lost=lost))
    if not expect:
        return
    gname, gna, pairs = {}, {}, {}
    for t, dur, tid, pair, bf, ef, key in slices:
        pairs.setdefault(pair, []).append(dur)
        if key:
            gname.setdefault("%s\t%s" % (pair, key[0]), []).append(dur)
            gna.setdefault("%s\t%s\t%d" % (pair, key[0], key[1]), []).append(dur)
    pid_of = {1001: PID, 1002: PID, 2001: PID}
    order = sorted(slices, key=lambda s: (-s[1], s[0], s[2]))

    def top_rows(rows):
        return [[(ctfgen.OFFSET_S * 10**9) + t, dur, pid_of[tid], tid, pair, bf, ef]
                for t, dur, tid, pair, bf, ef, _ in rows[:ntop]]
    out = {
        "events": len(e1001) + len(e1002) + len(e2001),
        "lost": lost,
        "groups_name": {k: stats(v) for k, v in gname.items()},
        "groups_name_argc": {k: stats(v) for k, v in gna.items()},
        "events_name": {"%s\t%s" % k: v for k, v in ev_counts.items()},
        "pairs": {k: stats(v) for k, v in pairs.items()},
        "top": top_rows(order),
        "top_cmd": top_rows([s for s in order if s[3] == "app:cmd"]),
    }
    with open(expect, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
