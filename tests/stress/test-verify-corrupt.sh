#!/bin/bash
# SPDX-License-Identifier: MIT
# test-verify-corrupt: stress-verify catches a record of the wrong length.
# A small stress trace is recorded and must verify; then one stress:rec
# record is made one byte shorter, its length field and packet sizes
# changed to match (the trace stays well formed, every byte left is
# right): the verifier must fail and name the length.  Then a stream is
# cut inside a record header, at the end of its file: the verifier must
# fail on it without reading past the content (before it used the shared
# record walker it read the header's bytes past the end of the file,
# seen under AddressSanitizer).
# Usage: test-verify-corrupt.sh SONDE PRODUCER VERIFY
here=$(dirname "$0")
. "$here/../tap.sh"
SONDE=$1 PRODUCER=$2 VERIFY=$3
command -v python3 >/dev/null || tap_skip_all "python3 not found"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sonde-test.XXXXXX") || tap_bail "mktemp"
trap 'if [ "$TAP_FAILED" -eq 0 ] && [ -z "${ST_KEEP:-}" ]; then rm -rf "$WORK"; else echo "# kept $WORK"; fi' EXIT

# 2 threads, 400 records each, payloads of 0 to 200 bytes: no loss in 1 MiB
# sub-buffers.
timeout -k 10 120 "$SONDE" record -o "$WORK/trace" -- "$PRODUCER" 2 10 200 400 \
	>"$WORK/counts" 2>"$WORK/record.err"
tap_is "$?" 0 "stress trace recorded" || tap_diag_file "$WORK/record.err"
"$VERIFY" "$WORK/trace" "$WORK/counts" >"$WORK/good.out" 2>"$WORK/good.err"
tap_is "$?" 0 "the intact trace verifies" || tap_diag_file "$WORK/good.err"

# Shorten the first stress:rec record with a payload by one byte.
cp -r "$WORK/trace" "$WORK/bad"
python3 - "$WORK/bad" >"$WORK/corrupt.out" 2>&1 <<'EOF'
import os, re, struct, sys

# The layout, as include/sonde/static/format.h defines it: packet header
# + context size (SONDE__PKT_HDR_SIZE), content_size's offset
# (SONDE__PKT_CONTENT_OFF), the extended header's id byte and size
# (SONDE__ID_EXT, SONDE__EXT_HDR), the compact header's size
# (SONDE__COMPACT_HDR), the thread record's payload (SONDE__THREAD_PAYLOAD).
HDR, CONTENT_OFF = 84, 48
ID_EXT, EXT_HDR, COMPACT_HDR, THREAD_PAYLOAD = 0xff, 13, 4, 8
d = sys.argv[1]
meta = open(os.path.join(d, "metadata")).read()
def event_id(name):
    i = meta.index('name = "%s";' % name)
    return int(re.search(r"id = (\d+)", meta[i:]).group(1))
id_rec, id_sig = event_id("stress:rec"), event_id("stress:sig")

def shorten(path):
    b = bytearray(open(path, "rb").read())
    pos = 0
    while pos + HDR <= len(b):
        content = struct.unpack_from("<Q", b, pos + CONTENT_OFF)[0] // 8
        off = HDR
        while off < content:
            r = pos + off
            if b[r] == ID_EXT:
                eid = struct.unpack_from("<I", b, r + 1)[0]
                off += EXT_HDR
            else:
                eid = b[r]
                off += COMPACT_HDR
            if eid == 0:
                off += THREAD_PAYLOAD
            elif eid == id_sig:
                off += 16
            elif eid == id_rec:
                lp = pos + off + 16
                n = struct.unpack_from("<H", b, lp)[0]
                if n:
                    struct.pack_into("<H", b, lp, n - 1)
                    del b[lp + 2 + n - 1]
                    bits = (content - 1) * 8
                    struct.pack_into("<QQ", b, pos + CONTENT_OFF, bits, bits)
                    open(path, "wb").write(b)
                    print("%s, length field at byte %d: %d -> %d"
                          % (os.path.basename(path), lp, n, n - 1))
                    return True
                off += 18
            else:
                sys.exit("unknown event id %d in %s" % (eid, path))
        pos += content
    return False

for f in sorted(os.listdir(d)):
    if f.startswith("channel0_") and shorten(os.path.join(d, f)):
        sys.exit(0)
sys.exit("no stress:rec record with a payload found")
EOF
tap_is "$?" 0 "one record shortened: $(cat "$WORK/corrupt.out")" || tap_diag_file "$WORK/corrupt.out"
tap_is "$(cmp -s "$WORK/trace/metadata" "$WORK/bad/metadata" && echo same)" same "metadata untouched"

"$VERIFY" "$WORK/bad" "$WORK/counts" >"$WORK/bad.out" 2>"$WORK/bad.err"
rc=$?
tap_is "$rc" 1 "stress-verify fails on the record of the wrong length" ||
	{ tap_diag_file "$WORK/bad.out"; tap_diag_file "$WORK/bad.err"; }
tap_like "$(cat "$WORK/bad.err")" 'length' "stress-verify says the length is wrong" ||
	tap_diag_file "$WORK/bad.err"
"$VERIFY" "$WORK/bad" "$WORK/counts" partial >"$WORK/badp.out" 2>"$WORK/badp.err"
tap_is "$?" 1 "... also in partial (overwrite) mode"

# The first packet of a stream cut 2 bytes into its second record's header
# (the thread record comes first), its sizes saying so, the file ending
# there.
cp -r "$WORK/trace" "$WORK/cut"
python3 - "$WORK/cut" >"$WORK/cut.out" 2>&1 <<'EOF'
import os, struct, sys

HDR, CONTENT_OFF = 84, 48                      # as above
ID_EXT, EXT_HDR, COMPACT_HDR, THREAD_PAYLOAD = 0xff, 13, 4, 8
d = sys.argv[1]
for f in sorted(os.listdir(d)):
    if not f.startswith("channel0_"):
        continue
    path = os.path.join(d, f)
    b = bytearray(open(path, "rb").read())
    if len(b) <= HDR:
        continue
    off = HDR + (EXT_HDR if b[HDR] == ID_EXT else COMPACT_HDR) + THREAD_PAYLOAD
    cut = off + 2
    struct.pack_into("<QQ", b, CONTENT_OFF, cut * 8, cut * 8)
    open(path, "wb").write(b[:cut])
    print("%s cut at byte %d" % (f, cut))
    sys.exit(0)
sys.exit("no stream with records")
EOF
tap_is "$?" 0 "a stream cut inside a record header: $(cat "$WORK/cut.out")" ||
	tap_diag_file "$WORK/cut.out"
"$VERIFY" "$WORK/cut" "$WORK/counts" partial >"$WORK/cutv.out" 2>"$WORK/cutv.err"
tap_is "$?" 1 "stress-verify fails on the cut header" || tap_diag_file "$WORK/cutv.err"
tap_like "$(cat "$WORK/cutv.err")" 'header past content end' \
	"stress-verify says the header runs past the content" ||
	tap_diag_file "$WORK/cutv.err"
tap_done
