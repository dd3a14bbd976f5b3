#!/bin/bash
# SPDX-License-Identifier: MIT
# test-classes: a trace with two stream classes (written by mk-classes.py:
# channel0_0 of class 0, other_0 of class 1, the same event id meaning
# different events in the two, events interleaved in time) is read by
# `sonde view` in one time order with the right names and fields, as
# babeltrace2 reads it; `sonde stats` counts both classes.  What the reader
# does not understand (a packet or an event of an undeclared stream class, a
# stream class with another packet context, two classes with one id, ...)
# makes every reading verb exit 1 with one line naming it.  A stream class
# whose packet context adds u64 fields after sonde's (at most 8) is read,
# its records found after them.
# Usage: test-classes.sh SONDE BABELTRACE2 READER_PROG JSON_CHECK
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/../integration/lib.sh"
. "$here/lib-reader.sh"
SONDE=$1 BT=$2 JCHECK=$4
export TZ=UTC
command -v python3 >/dev/null || tap_skip_all "python3 not found"
st_setup

# mk NAME VARIANT: the trace in $WORK/NAME, the expected view in NAME.want
mk() {
	T=$WORK/$1
	mkdir -p "$T" && python3 "$here/mk-classes.py" "$T" "$2" >"$WORK/$1.want" ||
		tap_bail "mk-classes.py $2 failed"
}

# 1. the two-class trace: sonde view prints the 9 events in time order
mk good good
rd_view good "$T"
tap_is "$SV_RC/$(wc -c <"$WORK/good.sverr")" "0/0" "sonde view exits 0, nothing on stderr" ||
	tap_diag_file "$WORK/good.sverr"
rd_norm_sv "$WORK/good.sv" >"$WORK/good.got"
if cmp -s "$WORK/good.want" "$WORK/good.got"; then
	tap_ok 1 "sonde view: both classes' $(wc -l <"$WORK/good.got") events, names, fields, pid/tid in one time order"
else
	tap_ok 0 "sonde view: both classes' events, names, fields, pid/tid in one time order"
	diff -u "$WORK/good.want" "$WORK/good.got" >"$WORK/good.diff"
	tap_diag_file "$WORK/good.diff" 30
fi
tap_is "$(wc -l <"$WORK/good.want")" 9 "  (the expected view has 9 events)"

# 2. babeltrace2 agrees on order, count, names and fields
if [ -n "$BT" ] && [ "${BT%NOTFOUND}" = "$BT" ] && [ -x "$BT" ]; then
	st_bt "$T"
	tap_is "$BT_RC/$BT_OTHER_ERR" "0/0" "babeltrace2 reads the two-class trace" ||
		tap_diag_file "$T.bterr"
	rd_norm_bt "$T.bt" >"$WORK/good.btn"
	if cmp -s "$WORK/good.btn" "$WORK/good.want"; then
		tap_ok 1 "babeltrace2 prints the same $(wc -l <"$WORK/good.btn") events in the same order"
	else
		tap_ok 0 "babeltrace2 prints the same events in the same order"
		diff -u "$WORK/good.btn" "$WORK/good.want" >"$WORK/good.btdiff"
		tap_diag_file "$WORK/good.btdiff" 30
	fi
else
	tap_diag "babeltrace2 not found: its checks skipped"
fi

# 3. sonde stats counts both classes and both streams
"$SONDE" stats "$T" >"$WORK/stats.txt" 2>"$WORK/stats.err"
tap_is "$?/$(wc -c <"$WORK/stats.err")" "0/0" "sonde stats exits 0, nothing on stderr" ||
	tap_diag_file "$WORK/stats.err"
tap_like "$(head -n 1 "$WORK/stats.txt")" "^Trace .*: 9 events, 0 lost, " "stats: 9 events"
tap_is "$(awk '$1 == "a:tick" || $1 == "a:msg" || $1 == "b:sample" { printf "%s=%s ", $1, $2 }' "$WORK/stats.txt")" \
	"a:tick=2 a:msg=2 b:sample=2 " "stats: each class's events counted under their own names"
tap_is "$(awk '$1 == "both:mark" { s = s $2 " " } END { print s }' "$WORK/stats.txt")" "1 2 " \
	"stats: both:mark of class 0 (1) and of class 1 (2) counted apart"
tap_is "$(awk '$1 == "channel0_0" || $1 == "other_0" { printf "%s=%s ", $1, $3 }' "$WORK/stats.txt")" \
	"channel0_0=5 other_0=4 " "stats: events per stream file"
"$SONDE" stats --json "$T" >"$WORK/stats.json" 2>&1
tap_cmd "stats --json is valid JSON" -- "$JCHECK" "$WORK/stats.json"
tap_like "$(cat "$WORK/stats.json")" '"events":9,"lost":0,' "stats --json: 9 events"

# 4. one stream block without an id and events without stream_id (CTF)
mk single single
rd_view single "$T"
rd_norm_sv "$WORK/single.sv" >"$WORK/single.got"
tap_is "$SV_RC/$(cat "$WORK/single.got")" "0/$(cat "$WORK/single.want")" \
	"one stream class without ids: read as before"

# 5. class 1's packet context adds two u64 fields: the same events, and
# babeltrace2 shows the fields' values in every class-1 event
mk extra extra
rd_view extra "$T"
rd_norm_sv "$WORK/extra.sv" >"$WORK/extra.got"
tap_is "$SV_RC/$(wc -c <"$WORK/extra.sverr")" "0/0" "extra packet context: sonde view exits 0, nothing on stderr" ||
	tap_diag_file "$WORK/extra.sverr"
tap_is "$(cmp -s "$WORK/extra.want" "$WORK/good.want" && md5sum <"$WORK/extra.got")" \
	"$(md5sum <"$WORK/good.want")" "  the same 9 events as without the extra fields" ||
	{ diff -u "$WORK/good.want" "$WORK/extra.got" >"$WORK/extra.diff"; tap_diag_file "$WORK/extra.diff" 30; }
"$SONDE" stats "$T" >"$WORK/extra.stats" 2>&1
tap_like "$(head -n 1 "$WORK/extra.stats")" "^Trace .*: 9 events, 0 lost, " "  sonde stats: 9 events"
if [ -n "$BT" ] && [ "${BT%NOTFOUND}" = "$BT" ] && [ -x "$BT" ]; then
	st_bt "$T"
	rd_norm_bt "$T.bt" >"$WORK/extra.btn"
	tap_is "$BT_RC/$BT_OTHER_ERR/$(md5sum <"$WORK/extra.btn")" "0/0/$(md5sum <"$WORK/good.want")" \
		"  babeltrace2 reads the same events" || tap_diag_file "$T.bterr"
	tap_is "$(grep -c '{ cpu_id = 1, period_ns = 1000, source_seq = 42 }' "$T.bt")" 5 \
		"  babeltrace2: period_ns = 1000, source_seq = 42 in the context of class 1's 5 records"
fi

# expect_err NAME REGEX: every verb exits 1 with one line matching REGEX
expect_err() {
	local name=$1 re=$2 verb out rc
	for verb in view stats "export --format chrome"; do
		# shellcheck disable=SC2086
		timeout -k 5 60 "$SONDE" $verb "$T" >/dev/null 2>"$WORK/$name.err"
		rc=$?
		out=$(cat "$WORK/$name.err")
		if [ "$rc" = 1 ] && [ "$(wc -l <"$WORK/$name.err")" = 1 ] &&
		   [[ $out =~ $re ]]; then
			tap_ok 1 "$name: sonde $verb: $out"
		else
			tap_ok 0 "$name: sonde $verb fails cleanly, naming it (exit $rc)"
			tap_diag_file "$WORK/$name.err" 5
		fi
	done
}

# line VARIANT ERE [N]: metadata line number of the Nth (1st) line matching ERE
line() { grep -nE "$2" "$WORK/$1/metadata" | sed -n "${3:-1}p" | cut -d: -f1; }

# 6. rejections, each naming what it does not understand
mk pkt-sid pkt-sid
expect_err pkt-sid "^sonde: other_0: offset 20: unknown stream id 7$"

mk ev-sid ev-sid
expect_err ev-sid "^sonde: metadata: line $(($(line ev-sid '"b:sample"') - 1)): event 'b:sample': stream_id 5 is not a declared stream class$"

mk ctx ctx
expect_err ctx "^sonde: metadata: line $(line ctx '^stream \{' 2): not a sonde trace: unexpected packet context"

mk dup-sid dup-sid
expect_err dup-sid "^sonde: metadata: line $(line dup-sid '^stream \{' 2): stream id 1 declared twice$"

mk big-sid big-sid
expect_err big-sid "^sonde: metadata: line $(line big-sid '^stream \{' 2): stream id 64 too large \(at most 63\)"

mk no-ev-sid no-ev-sid
expect_err no-ev-sid "^sonde: metadata: line $(($(line no-ev-sid '"b:sample"') - 1)): event 'b:sample' without a stream_id, and 2 stream classes$"

mk mixed mixed
expect_err mixed "^sonde: channel0_0: offset 212: packet of stream class 1 in a stream of class 0$"

mk inst inst
expect_err inst "^sonde: channel0_0: offset 216: packet of stream instance 3 in a stream of instance 0$"

mk extra-float extra-float
expect_err extra-float "^sonde: metadata: line $(line extra-float '^stream \{' 2): not a sonde trace: packet context field '_period_ns' after cpu_id is not an unsigned 64-bit integer of no clock$"

mk extra-9 extra-9
expect_err extra-9 "^sonde: metadata: line $(line extra-9 '^stream \{' 2): not a sonde trace: packet context with 9 fields after cpu_id \(at most 8\)$"

tap_done
