#!/bin/bash
# SPDX-License-Identifier: MIT
# test-hole: a record reserved by a writer that died before it stored the
# salvage marker (generic CAS reserve) is skipped and counted lost; every
# record committed before and after it is kept.
# usage: test-hole.sh SONDE BABELTRACE2 PROG
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$1 BT=$2 PROG=$3
st_need_bt
st_setup

K=500
for mode in start middle middle-pid same end; do
	dir=$WORK/$mode
	timeout -k 10 "$ST_TIMEOUT" "$SONDE" record -o "$dir" -- "$PROG" $mode $K \
		>"$WORK/$mode.out" 2>"$WORK/$mode.err"
	rc=$?
	tap_is "$rc" 137 "$mode: the program died by SIGKILL; sonde record exits 137" ||
		tap_diag_file "$WORK/$mode.err"
	st_summary "$WORK/$mode.err"
	want0=$K want1=$K
	[ $mode = start ] && want0=0
	[ $mode = end ] && want1=0
	[ $mode = same ] && want0=$((K + 1))
	tap_is "$REC_EVENTS/$REC_LOST" "$((want0 + want1))/1" \
		"$mode: $((want0 + want1)) events recorded, the unmarked record lost"
	st_bt "$dir"
	tap_is "$BT_RC/$BT_OTHER_ERR" "0/0" "$mode: babeltrace2 reads the trace without error" ||
		tap_diag_file "$dir.bterr" 20
	tap_is "$(( BT_DISCARDED + BT_MAYBE > 0 ))" 1 "$mode: babeltrace2 reports the discarded record"
	got=$(st_norm "$dir.bt" | awk -F'\t' "$ST_AWK_FLD"'
		$4 == "hole:ev" {
			p = fld($5, "phase") + 0
			if (fld($5, "seq") != n[p] + 0) bad++
			n[p]++
			if ($2 + 0 <= 0 || $3 + 0 <= 0) noid++
		}
		$4 != "hole:ev" { other++ }
		END { print n[0] + 0, n[1] + 0, bad + 0, noid + 0, other + 0 }')
	tap_is "$got" "$want0 $want1 0 0 0" \
		"$mode: every committed record kept in order, each after a real thread record"
	# No thread record made of the hole's zeros (tid 0 or pid 0).
	zero=$(grep -c 'sonde:thread: .*{ tid = \(0\|-\?[0-9]*\), pid = 0 }\|tid = 0,' "$dir.bt")
	tap_is "$zero" 0 "$mode: no thread record read from the hole's bytes"
done

# A closed packet whose content_size a late opener reset to 0 (generic
# build): its records are read up to the closer's padding, none lost.
dir=$WORK/reopened
timeout -k 10 "$ST_TIMEOUT" "$SONDE" record -o "$dir" -- "$PROG" reopened $K \
	>"$WORK/reopened.out" 2>"$WORK/reopened.err"
tap_is "$?" 0 "reopened: the program exits 0" || tap_diag_file "$WORK/reopened.err"
st_summary "$WORK/reopened.err"
tap_is "$REC_EVENTS/$REC_LOST" "$((2 * K))/0" \
	"reopened: $((2 * K)) events recorded, none lost"
st_bt "$dir"
tap_is "$BT_RC/$BT_OTHER_ERR" "0/0" "reopened: babeltrace2 reads the trace without error" ||
	tap_diag_file "$dir.bterr" 20
got=$(st_norm "$dir.bt" | awk -F'\t' "$ST_AWK_FLD"'
	$4 == "hole:ev" {
		p = fld($5, "phase") + 0
		if (fld($5, "seq") != n[p] + 0) bad++
		n[p]++
	}
	END { print n[0] + 0, n[1] + 0, bad + 0 }')
tap_is "$got" "$K $K 0" "reopened: every record of both packets in the trace, in order"
tap_done
