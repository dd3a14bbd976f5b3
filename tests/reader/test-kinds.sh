#!/bin/bash
# SPDX-License-Identifier: MIT
# test-kinds: the three field kinds of LTTng-UST parity, in a trace written
# by mk-kinds.py: network byte order integers (scalars, arrays, sequences),
# text arrays and sequences, inline enumerations.  `sonde view` prints every
# payload exactly as babeltrace2 (the oracle) does; a few lines are also
# checked literally, so that the test fails without babeltrace2 too.
# `sonde export` gives the values the generator wrote (enumerations as
# {"value", "labels"}, text as strings), `sonde stats` counts the events,
# and what the reader does not understand of these kinds is rejected with
# one line naming it.
# Usage: test-kinds.sh SONDE BABELTRACE2 READER_PROG JSON_CHECK
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/../integration/lib.sh"
. "$here/lib-reader.sh"
SONDE=$1 BT=$2 JCHECK=$4
export TZ=UTC
command -v python3 >/dev/null || tap_skip_all "python3 not found"
st_setup

T=$WORK/kinds
mkdir -p "$T" && python3 "$here/mk-kinds.py" "$T" >"$WORK/args.want" ||
	tap_bail "mk-kinds.py failed"

# 1. sonde view reads the trace
rd_view kinds "$T"
tap_is "$SV_RC/$(wc -c <"$WORK/kinds.sverr")" "0/0" "sonde view exits 0, nothing on stderr" ||
	tap_diag_file "$WORK/kinds.sverr"
rd_norm_sv "$WORK/kinds.sv" >"$WORK/kinds.got"
tap_is "$(wc -l <"$WORK/kinds.got")" 10 "sonde view: 10 events"

# 2. babeltrace2 prints the same lines, kind by kind
if [ -n "$BT" ] && [ "${BT%NOTFOUND}" = "$BT" ] && [ -x "$BT" ]; then
	st_bt "$T"
	tap_is "$BT_RC/$BT_OTHER_ERR" "0/0" "babeltrace2 reads the trace" ||
		tap_diag_file "$T.bterr"
	rd_norm_bt "$T.bt" >"$WORK/kinds.want"
	tap_is "$(wc -l <"$WORK/kinds.want")" 10 "babeltrace2: 10 events"
	for ev in net text enum; do
		grep -F " k:$ev: " "$WORK/kinds.want" >"$WORK/$ev.want"
		grep -F " k:$ev: " "$WORK/kinds.got" >"$WORK/$ev.got"
		if [ -s "$WORK/$ev.want" ] && cmp -s "$WORK/$ev.want" "$WORK/$ev.got"; then
			tap_ok 1 "k:$ev: the $(wc -l <"$WORK/$ev.got") lines of sonde view are babeltrace2's"
		else
			tap_ok 0 "k:$ev: the lines of sonde view are babeltrace2's"
			diff -u "$WORK/$ev.want" "$WORK/$ev.got" >"$WORK/$ev.diff"
			tap_diag_file "$WORK/$ev.diff" 30
		fi
	done
	tap_cmd "all lines, in order, are babeltrace2's" -- cmp -s "$WORK/kinds.want" "$WORK/kinds.got"
else
	tap_diag "babeltrace2 not found: its checks skipped"
fi

# 3. babeltrace2's rendering, literally (what it printed when this was
# written, babeltrace2 2.0.4)
has() {
	if grep -qF -- "$1" "$WORK/kinds.got"; then
		tap_ok 1 "view: $1"
	else
		tap_ok 0 "view: $1"
		grep -F " k:$2: " "$WORK/kinds.got" | head -n 2 >"$WORK/has.txt"
		tap_diag_file "$WORK/has.txt"
	fi
}
has 'b8 = 200, s8 = -7, s16 = -2, port = 8080, i32 = -123456, h32 = 0xDEADBEEF, i64 = -4611686018427387909, u64 = 18446744073709551614, sh16 = 0xFFFE, o32 = 0755, so16 = 0777777, le32 = 16909060,' net
has 'o32 = 00, so16 = 070,' net
has 'words = [ [0] = 0x1, [1] = 0xABCD, [2] = 0x0, [3] = 0xFFFF ], _seq_length = 4, seq = [ [0] = -1, [1] = 2, [2] = 2147483647, [3] = -2147483648 ], _useq_length = 0, useq = [ ] }' net
has 'useq = [ [0] = 0x102030405060708, [1] = 0xFFFFFFFFFFFFFFFF ] }' net
has '{ name = "hello", full = "abcd", emb = "ab", esc = "q\"\\\t\n\?\'"'"'\x01\x7féz", _t_length = 0, t = "", after = "mid", _u_length = 3, u = "x" }' text
has '{ name = "", full = "wxyz", emb = "", esc = "0123456789abcd", _t_length = 13, t = "sequence text", after = "", _u_length = 0, u = "" }' text
has 'state = ( "BUSY" : container = 3 ), flags = ( "B", "A", "C" : container = 5 ), big = ( "HIGH" : container = 0x8000000000000000 ),' enum
has 'state = ( <unknown> : container = 9 ), flags = ( "B", "A" : container = 12 ),' enum
has 'state = ( "ODD \" label" : container = -3 ),' enum
has 'state = ( "back\\slash" : container = -75 ), flags = ( <unknown> : container = 100 ),' enum
has 's64e = ( "MIN", "ALL" : container = -9223372036854775808 ), u16e = ( "X" : container = 1 ), hs8e = ( "M1" : container = 0xFF ) }' enum
has 'flags = ( "B", "A" : container = 9 ),' enum

# 4. sonde export: the values the generator wrote
"$SONDE" export --format chrome "$T" >"$WORK/kinds.json" 2>"$WORK/export.err"
tap_is "$?/$(wc -c <"$WORK/export.err")" "0/0" "sonde export exits 0, nothing on stderr" ||
	tap_diag_file "$WORK/export.err"
tap_cmd "export: valid JSON (json-check)" -- "$JCHECK" "$WORK/kinds.json"
python3 - "$WORK/kinds.json" "$WORK/args.want" >"$WORK/args.diff" 2>&1 <<'EOF'
import json, sys
got = [e["args"] for e in json.load(open(sys.argv[1]))["traceEvents"]
       if e.get("name", "").startswith("k:")]
want = [json.loads(l) for l in open(sys.argv[2])]
bad = 0
if len(got) != len(want):
    print("%d events, %d expected" % (len(got), len(want)))
    bad = 1
for i, (g, w) in enumerate(zip(got, want)):
    if list(g.items()) != list(w.items()):
        print("event %d:\n  got  %s\n  want %s" % (i, json.dumps(g), json.dumps(w)))
        bad = 1
sys.exit(bad)
EOF
tap_ok "$([ $? = 0 ] && echo 1)" "export: every event's args are the values written (enums {value, labels}, text as strings)" ||
	tap_diag_file "$WORK/args.diff"
tap_like "$(grep -o '"state":{[^}]*}' "$WORK/kinds.json" | head -n 2 | tr '\n' ' ')" \
	'^"state":\{"value":3,"labels":\["BUSY"\]\} "state":\{"value":9,"labels":\[\]\} $' \
	"export: \"state\":{\"value\":3,\"labels\":[\"BUSY\"]}, no label: \"labels\":[]"

# 5. sonde stats counts them
"$SONDE" stats "$T" >"$WORK/stats.txt" 2>"$WORK/stats.err"
tap_is "$?/$(wc -c <"$WORK/stats.err")" "0/0" "sonde stats exits 0, nothing on stderr" ||
	tap_diag_file "$WORK/stats.err"
tap_is "$(awk '$1 ~ /^k:/ { print $1 "=" $2 }' "$WORK/stats.txt" | sort | tr '\n' ' ')" \
	"k:enum=6 k:net=2 k:text=2 " "stats: each event counted"

# 6. what the reader does not understand: one line naming it
reject() {
	local v=$1 re=$2 out rc
	mkdir -p "$WORK/$v" && python3 "$here/mk-kinds.py" "$WORK/$v" "$v" ||
		tap_bail "mk-kinds.py $v failed"
	timeout -k 5 60 "$SONDE" view "$WORK/$v" >/dev/null 2>"$WORK/$v.err"
	rc=$?
	out=$(cat "$WORK/$v.err")
	if [ "$rc" = 1 ] && [ "$(wc -l <"$WORK/$v.err")" = 1 ] && [[ $out =~ $re ]]; then
		tap_ok 1 "$v: $out"
	else
		tap_ok 0 "$v: sonde view fails cleanly, naming it (exit $rc)"
		tap_diag_file "$WORK/$v.err" 5
	fi
}
reject be-len "^sonde: metadata: line [0-9]+: not a sonde trace: field '_s': sequence length must be the unsigned little-endian integer field just before it$"
reject enum-array "^sonde: metadata: line [0-9]+: not a sonde trace: field '_e': arrays and sequences of integers only$"
reject enum-range "^sonde: metadata: line [0-9]+: not a sonde trace: field '_e': enumerator 'B' out of the range of its 8-bit unsigned container$"
reject enum-label "^sonde: metadata: line [0-9]+: enumerator label longer than 255 bytes$"
reject text-16 "^sonde: metadata: line [0-9]+: not a sonde trace: field '_t': text arrays and sequences of 8-bit characters only$"

tap_done
