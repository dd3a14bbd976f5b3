#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks of a `sonde report` page of the trace mk-slices.py wrote, against
what mk-slices.py --expect says, for tests/reader/test-report.sh.  Prints
"ok" or what differs (after "ok", a colon and a summary for png).
Standard library only (the PNG is decoded with zlib and struct).

Usage: report-check.py data REPORT.html EXPECT.json
         the page's JSON: the latency rows (the longest slice first, with
         its begin and end fields; the 1000-row cap), the --by name groups,
         one density strip of 65536 bins
       report-check.py dom DOM.html EXPECT.json
         Chromium's DOM after the scripts ran: the first row of the
         latency table, and the y-axis labels of the first duration
         histogram (millions: "1M" among them, each drawn whole, its left
         edge inside the canvas)
       report-check.py png SHOT.png EXPECT.json X0,Y0,X1,Y1
         a screenshot: along the middle of the timeline's first row
         (X0..X1 at Y0..Y1, the canvas's data-lane0), the darkness of each
         pixel column must follow the busy share the generator wrote over
         that column's time (correlation >= 0.9) and vary (from light to
         dark, never blank)
"""
import html.parser
import json
import struct
import sys
import zlib


def page_data(path):
    s = open(path).read()
    tag = '<script type="application/json" id="data">'
    a = s.index(tag) + len(tag)
    return json.loads(s[a:s.index("</script>", a)])


def check_data(path, exp):
    D = page_data(path)
    bad = []
    lat = D.get("latency", {})
    rows = lat.get("rows", [])
    if lat.get("cap") != 1000 or len(rows) != 1000 or lat.get("slices") != exp["slices"]:
        bad.append("latency: cap %r, %d rows, of %r slices" %
                   (lat.get("cap"), len(rows), lat.get("slices")))
    if rows:
        r = rows[0]
        got = [r[1], r[2], r[3], r[4], r[5].get("name"), r[5].get("client"), r[6].get("status")]
        if got != exp["longest"] or D["names"][r[0]] != "app:req":
            bad.append("first row %s %s, want %s" % (D["names"][r[0]], got, exp["longest"]))
        if any(x[2] != exp["second_dur"] for x in rows[1:]):
            bad.append("the other rows are not all of %d ns" % exp["second_dur"])
    groups = D.get("groups", {})
    g = {x["values"]["name"]: x["count"] for x in groups.get("list", [])}
    if g != exp["counts"] or groups.get("by") != "name":
        bad.append("groups by %r: %s, want %s" % (groups.get("by"), g, exp["counts"]))
    dn = D.get("density", {})
    if len(dn.get("threads", [])) != 1 or dn.get("bins") != 65536:
        bad.append("density: %s" % {k: v for k, v in dn.items() if k != "threads"})
    return bad


class Dom(html.parser.HTMLParser):
    """The first row of #latency's body (cells as [data-v, text]) and the
    data-ylabels of each canvas, in page order."""

    def __init__(self):
        super().__init__()
        self.in_lat = self.in_body = self.in_row = False
        self.first, self.cell, self.ylabels = None, None, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and a.get("id") == "latency":
            self.in_lat = True
        elif self.in_lat and tag == "tbody":
            self.in_body = True
        elif self.in_body and tag == "tr" and self.first is None:
            self.in_row, self.first = True, []
        elif self.in_row and tag == "td":
            self.cell = [a.get("data-v"), ""]
        elif tag == "canvas" and "data-ylabels" in a:
            self.ylabels.append((a.get("id"), json.loads(a["data-ylabels"])))

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.first.append(self.cell)
            self.cell = None
        elif tag == "tr":
            self.in_row = False
        elif tag == "table":
            self.in_lat = self.in_body = False

    def handle_data(self, d):
        if self.cell is not None:
            self.cell[1] += d


def check_dom(path, exp):
    p = Dom()
    p.feed(open(path).read())
    bad = []
    L = exp["longest"]
    # rank, pair, start, duration, pid, tid, name, client, end: status;
    # [data-v, text], None where any
    want = [["1", "1"], [None, "app:req"], [str(L[0]), None], [str(L[1]), "11.8 ms"],
            [str(L[2]), str(L[2])], [str(L[3]), str(L[3])], [None, L[4]],
            [str(L[5]), str(L[5])], [str(L[6]), str(L[6])]]
    got = p.first or []
    if len(got) != len(want) or any(w[0] != g[0] or (w[1] is not None and w[1] != g[1])
                                    for w, g in zip(want, got)):
        bad.append("first latency row %s, want %s" % (got, want))
    # the canvases with count axes: the event rate (id rate), then the
    # duration histograms; the first one holds the 3.25 M GET slices
    hist = [lab for cid, lab in p.ylabels if cid != "rate"]
    h = hist[0] if hist else []
    if "1M" not in [x[0] for x in h] or any(x[1] < 0 for x in h):
        bad.append("histogram y-axis labels [text, left edge]: %s" % h)
    return bad


def png_rows(path, last):
    """The pixel rows 0..@last of a PNG (8-bit RGB or RGBA), bytes per pixel."""
    png = open(path, "rb").read()
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat = 8, b""
    while pos < len(png):
        n, kind = struct.unpack(">I4s", png[pos:pos + 8])
        data = png[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, lace = struct.unpack(">IIBBBBB", data)
        elif kind == b"IDAT":
            idat += data
        pos += 12 + n
    if depth != 8 or ctype not in (2, 6) or lace:
        raise ValueError("PNG of depth %d, colour type %d, interlace %d" % (depth, ctype, lace))
    bpp = 4 if ctype == 6 else 3
    raw, stride = zlib.decompress(idat), w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(min(h, last + 1)):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return rows, bpp


def check_png(path, exp, lane):
    try:
        x0, y0, x1, y1 = (int(v) for v in lane.split(","))
    except ValueError:
        return ["no data-lane0 on the timeline canvas (%r)" % lane], ""
    y = (y0 + y1) // 2
    rows, bpp = png_rows(path, y)
    if y >= len(rows) or x1 * bpp > len(rows[y]) or x1 - x0 < 100:
        return ["lane %s outside the screenshot" % lane], ""
    # darkness of the strip's colour (46,94,170) over white, by red
    dark = [(255 - rows[y][x * bpp]) / (255 - 46) for x in range(x0, x1)]
    # the busy share over each column's time: packet p spans
    # [p * win, (p + 1) * win) - first_off ns after the first event
    win, busy, span, off = exp["window_ns"], exp["busy"], exp["span_ns"], exp["first_off"]
    n, want = x1 - x0, []
    for i in range(n):
        a, b = i * span / n + off, (i + 1) * span / n + off
        tot, t = 0.0, a
        while t < b:
            p = int(t // win)
            e = min(b, (p + 1) * win)
            tot += (busy[p] if p < len(busy) else 0) * (e - t)
            t = e
        want.append(tot / (b - a))
    ma, mb = sum(dark) / n, sum(want) / n
    cov = sum((u - ma) * (v - mb) for u, v in zip(dark, want))
    sa = sum((u - ma) ** 2 for u in dark) ** 0.5
    sb = sum((v - mb) ** 2 for v in want) ** 0.5
    corr = cov / (sa * sb) if sa and sb else 0.0
    bad = []
    if corr < 0.9:
        bad.append("darkness against busy share: correlation %.3f" % corr)
    if max(dark) - min(dark) < 0.4 or min(dark) <= 0:
        bad.append("darkness from %.2f to %.2f" % (min(dark), max(dark)))
    return bad, " (correlation %.3f, darkness %.2f to %.2f over %d columns)" % (
        corr, min(dark), max(dark), n)


def main():
    mode, path, exp = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))
    extra = ""
    if mode == "data":
        bad = check_data(path, exp)
    elif mode == "dom":
        bad = check_dom(path, exp)
    else:
        bad, extra = check_png(path, exp, sys.argv[4] if len(sys.argv) > 4 else "")
    print("; ".join(bad) if bad else "ok:" + extra if extra else "ok")


if __name__ == "__main__":
    main()
