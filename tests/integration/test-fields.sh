#!/bin/bash
# SPDX-License-Identifier: MIT
# test-fields: every field type with edge values, read back by babeltrace2
# (the oracle) and compared exactly with an expected file (one line
# "provider:name: { fields }" per event, in order; @BIGSTR@ and @MANY@ stand
# for two long values spelled out below).  The program prints TAP lines of
# its own checks and "# pid N".
# Usage: test-fields.sh SONDE BABELTRACE2 PROG EXPECTED_FILE
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$1 BT=$2 PROG=$3 EXPECTED=$4
st_need_bt
st_setup

st_record tr -- "$PROG"
tap_is "$REC_RC" 0 "sonde record exits with the program's status 0"
plan=$(sed -nE 's/^1\.\.([0-9]+)$/\1/p' "$WORK/tr.out")
tap_is "$(grep -c '^ok ' "$WORK/tr.out")/$(grep -c '^not ok' "$WORK/tr.out")" "${plan:-?}/0" \
	"the program's own checks passed (enabled sites, single evaluation)" ||
	tap_diag_file "$WORK/tr.out"
nexp=$(wc -l <"$EXPECTED")
tap_is "$REC_EVENTS/$REC_LOST" "$nexp/0" "summary line: $nexp events recorded, 0 lost" ||
	tap_diag_file "$WORK/tr.err"
pid=$(sed -nE 's/^# pid ([0-9]+)$/\1/p' "$WORK/tr.out")

st_check_clock "$REC_DIR"
st_bt "$REC_DIR"
tap_is "$BT_RC" 0 "babeltrace2 reads the trace"
tap_is "$(wc -c <"$REC_DIR.bterr")" 0 "babeltrace2 prints nothing on stderr" ||
	tap_diag_file "$REC_DIR.bterr" 20

st_norm "$REC_DIR.bt" >"$WORK/norm"
# "name: { payload }" per event, in trace order.
awk -F'\t' '{ print $4 ":" ($5 == "" ? "" : " { " $5 " }") }' "$WORK/norm" >"$WORK/got"

# The two long values are spelled out here rather than in the file.
big=$(awk 'BEGIN { for (i = 0; i < 4000; i++) printf "%c", 97 + i % 26 }')
many=$(awk 'BEGIN { for (i = 0; i < 300; i++) printf "%s[%d] = %d", (i ? ", " : ""), i, 3 * i }')
sed -e "s/@BIGSTR@/$big/" -e "s/@MANY@/$many/" "$EXPECTED" >"$WORK/want"

if diff -u "$WORK/want" "$WORK/got" >"$WORK/diff"; then
	tap_ok 1 "every field value matches the expected babeltrace2 text"
else
	tap_ok 0 "every field value matches the expected babeltrace2 text"
	tap_diag_file "$WORK/diff" 60
fi

# sonde view prints the same payloads as babeltrace2, event by event.
timeout -k 10 "$ST_TIMEOUT" "$SONDE" view "$REC_DIR" >"$WORK/view" 2>"$WORK/view.err"
tap_is "$?" 0 "sonde view reads the trace" || tap_diag_file "$WORK/view.err"
sed -nE 's/^\[[^]]*\] \([^)]*\) cpu [0-9]+ pid -?[0-9]+ tid -?[0-9]+ ([^ ]+:)( (.*))?$/\1 \3/p' "$WORK/view" |
	grep -v '^sonde:thread:' | sed -E 's/^([^ ]+:) $/\1 { }/' >"$WORK/view.got"
sed -E 's/^([^ ]+:)$/\1 { }/' "$WORK/got" >"$WORK/bt.got"
if diff -u "$WORK/bt.got" "$WORK/view.got" >"$WORK/view.diff"; then
	tap_ok 1 "sonde view prints every payload as babeltrace2 does"
else
	tap_ok 0 "sonde view prints every payload as babeltrace2 does"
	tap_diag_file "$WORK/view.diff" 40
fi

names=$(cut -f4 "$WORK/norm" | sort -u | tr '\n' ' ')
want_names=$(sed -E 's/^([A-Za-z0-9_]+:[A-Za-z0-9_]+):.*/\1/' "$EXPECTED" | sort -u | tr '\n' ' ')
tap_is "$names" "$want_names" "event names are provider:name"
tap_like "$(grep -c ' sonde:thread: ' "$REC_DIR.bt")" '^[1-9]' "the trace has sonde:thread records"
tap_like "$pid" '^[0-9]+$' "the program reported its pid"
tap_is "$(awk -F'\t' -v p="$pid" '$2 != p || $3 != p { bad++ } END { print NR "/" bad + 0 }' "$WORK/norm")" \
	"$nexp/0" "all $nexp events attributed to the program's tid = pid = $pid"
tap_done
