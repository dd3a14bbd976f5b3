#!/bin/bash
# SPDX-License-Identifier: MIT
# test-torn: a record whose process died between reserve and commit is
# dropped and counted; the committed records around it are all kept.
# usage: test-torn.sh SONDE BABELTRACE2 PROG
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$1 BT=$2 PROG=$3
st_need_bt
st_setup

K=300
for mode in middle last; do
	dir=$WORK/$mode
	timeout -k 10 "$ST_TIMEOUT" "$SONDE" record -o "$dir" -- "$PROG" $mode $K \
		>"$WORK/$mode.out" 2>"$WORK/$mode.err"
	rc=$?
	tap_is "$rc" 137 "$mode: the program died by SIGKILL; sonde record exits 137" ||
		tap_diag_file "$WORK/$mode.err"
	st_summary "$WORK/$mode.err"
	want=$K
	[ $mode = middle ] && want=$((2 * K))
	tap_is "$REC_EVENTS/$REC_LOST" "$want/1" "$mode: $want events recorded, the torn one lost"
	st_bt "$dir"
	tap_is "$BT_RC/$BT_OTHER_ERR" "0/0" "$mode: babeltrace2 reads the trace without error" ||
		tap_diag_file "$dir.bterr" 20
	tap_is "$(( BT_DISCARDED + BT_MAYBE > 0 ))" 1 "$mode: babeltrace2 reports the discarded record"
	tap_is "$(st_discarded_check "$dir")" "1 1 0" \
		"$mode: one packet on CPU 0, counting the torn record as discarded"
	got=$(st_norm "$dir.bt" | awk -F'\t' "$ST_AWK_FLD"'
		$4 == "torn:before" { if (fld($5, "seq") != b + 0) bad++; b++ }
		$4 == "torn:after" { if (fld($5, "seq") != a + 0) bad++; a++ }
		$4 == "torn:big" { big++ }
		END { print b + 0, a + 0, big + 0, bad + 0 }')
	wa=0
	[ $mode = middle ] && wa=$K
	tap_is "$got" "$K $wa 0 0" "$mode: every committed record kept in order, no torn record"
done
tap_done
