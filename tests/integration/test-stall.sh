#!/bin/bash
# SPDX-License-Identifier: MIT
# test-stall: a process SIGKILLed between reserve and commit of a two-step
# record does not stall its CPU's buffer.  The consumer finds the dead
# writer's reservation, closes that sub-buffer with the torn record
# dropped and counted, and recording goes on: the events emitted after
# the consumer had time to do so are all in the trace (discard mode), the
# newest events are kept (overwrite mode), and the accounting is exact:
# recorded + lost = emitted + the torn record.  A writer stopped (SIGSTOP)
# between reserve and commit is alive and is waited for: its record is
# kept once it is continued, and recording goes on.
# usage: test-stall.sh SONDE BABELTRACE2 PROG
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$1 BT=$2 PROG=$3
st_need_bt
st_setup

N=20000 TAIL=500
for mode in reaped zombie overwrite stopped; do
	how=$mode opts=()
	[ $mode = overwrite ] && how=reaped opts=(--overwrite)
	st_record $mode "${opts[@]}" --subbuf-size 4k --num-subbuf 8 -- "$PROG" $how $N
	tap_is "$REC_RC" 0 "$mode: the program exits 0" || tap_diag_file "$WORK/$mode.err"
	st_bt "$REC_DIR"
	tap_is "$BT_RC/$BT_OTHER_ERR" "0/0" "$mode: babeltrace2 reads the trace without error" ||
		tap_diag_file "$REC_DIR.bterr" 20
	read -r got tail last bad big < <(st_norm "$REC_DIR.bt" | awk -F'\t' -v n=$N "$ST_AWK_FLD"'
		$4 == "stall:ev" {
			s = fld($5, "seq") + 0
			if (c && s <= prev) bad++
			prev = s; c++
			if (s >= n) tail++
			last = s
		}
		$4 == "stall:big" { big++ }
		END { print c + 0, tail + 0, (c ? last : -1), bad + 0, big + 0 }')
	timeout -k 10 "$ST_TIMEOUT" "$SONDE" view "$REC_DIR" >/dev/null 2>"$WORK/$mode.view.err"
	tap_is "$?" 0 "$mode: sonde view reads the trace" || tap_diag_file "$WORK/$mode.view.err"
	timeout -k 10 "$ST_TIMEOUT" "$SONDE" stats "$REC_DIR" >/dev/null 2>"$WORK/$mode.stats.err"
	tap_is "$?" 0 "$mode: sonde stats reads the trace" || tap_diag_file "$WORK/$mode.stats.err"
	tap_diag "$mode: ${REC_EVENTS:-?} recorded, ${REC_LOST:-?} lost; babeltrace2: $got stall:ev, $tail of the last $TAIL, last seq $last"
	wbig=0 torn=1
	[ $mode = stopped ] && wbig=1 torn=0
	tap_is "$bad/$big" 0/$wbig "$mode: seqs increasing, $wbig stall:big record in the trace"
	tap_is "$last" $((N + TAIL - 1)) "$mode: the last event (seq $((N + TAIL - 1))) is in the trace"
	if [ $mode = overwrite ]; then
		tap_ok "$(( tail == TAIL ))" "$mode: the newest $TAIL events are all kept ($tail)"
		tap_is "$REC_EVENTS" "$got" "$mode: 'events recorded' equals what babeltrace2 reads"
		read -r first total back < <(st_discarded_check "$REC_DIR")
		tap_is "$back" 0 "$mode: events_discarded never goes backwards in a stream"
	else
		tap_is "$tail" $TAIL "$mode: every event emitted after the stall is in the trace"
		tap_is "$REC_EVENTS" "$((got + big))" "$mode: 'events recorded' equals what babeltrace2 reads"
		tap_is "$((REC_EVENTS + REC_LOST))" $((N + TAIL + 1)) \
			"$mode: recorded + lost = emitted ($REC_EVENTS + $REC_LOST, $torn torn)"
		read -r first total back < <(st_discarded_check "$REC_DIR")
		tap_is "$back" 0 "$mode: events_discarded never goes backwards in a stream"
		tap_is "$total" "$REC_LOST" "$mode: the streams' final events_discarded sum to the lost count"
		tap_is "$((BT_DISCARDED + first))" "$REC_LOST" \
			"$mode: babeltrace2's discarded count (+ $first in first packets) equals the lost count"
	fi
done
tap_done
