#!/bin/bash
# SPDX-License-Identifier: MIT
# test-kill9: a traced program killed with SIGKILL leaves a trace that
# babeltrace2 reads, with everything it committed before dying.
#  1. exactly K events, then SIGKILL: all K present (default buffers, and
#     small packets so that some were drained before the kill);
#  2. SIGKILL at a random moment while 2 threads emit: readable, and each
#     thread's seqs are 0..n-1 without duplicates and with no more gaps
#     than the losses reported.
# Usage: test-kill9.sh SONDE BABELTRACE2 PROG
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$1 BT=$2 PROG=$3
st_need_bt
st_setup

# run_killed NAME DELAY_MS [RECORD OPTIONS...] -- PROG ARGS... (FIFO last)
# Starts the recording, waits for the program's pid on the fifo, sleeps
# DELAY_MS, sends SIGKILL to the program; REC_RC etc. as st_record.
run_killed() {
	local name=$1 delay=$2 pid rec
	shift 2
	REC_DIR=$WORK/$name
	rm -f "$WORK/fifo"
	mkfifo "$WORK/fifo" || tap_bail "mkfifo failed"
	exec 3<>"$WORK/fifo"
	timeout -k 10 "$ST_TIMEOUT" "$SONDE" record -o "$REC_DIR" "$@" "$WORK/fifo" \
		>"$WORK/$name.out" 2>"$WORK/$name.err" &
	rec=$!
	if st_wait_line 3 60 pid && [ -n "$pid" ]; then
		[ "$delay" -gt 0 ] && sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
		kill -KILL "$pid"
		KILLED=1
	else
		KILLED=0
		tap_diag "$name: the program never reported its pid"
	fi
	wait "$rec"
	REC_RC=$?
	exec 3<&-
	st_summary "$WORK/$name.err"
}

K=5000
for variant in "default" "small --subbuf-size 4k --num-subbuf 64"; do
	set -- $variant
	name=exact-$1
	shift
	run_killed "$name" 0 "$@" -- "$PROG" exact "$K"
	tap_is "$KILLED/$REC_RC" "1/137" "$name: program killed after $K events; sonde record exits 137" ||
		tap_diag_file "$WORK/$name.err"
	tap_is "$REC_EVENTS/$REC_LOST" "$K/0" "$name: summary counts $K events, 0 lost"
	st_bt "$REC_DIR"
	tap_is "$BT_RC/$(wc -c <"$REC_DIR.bterr")" "0/0" "$name: babeltrace2 reads the trace without complaint" ||
		tap_diag_file "$REC_DIR.bterr" 20
	got=$(st_norm "$REC_DIR.bt" | awk -F'\t' "$ST_AWK_FLD"'
		$4 == "kill9:ev" { if (fld($5, "seq") != n + 0) bad++; n++ }
		END { print n + 0, bad + 0 }')
	tap_is "$got" "$K 0" "$name: all $K events present, seq 0..$((K - 1)) in order"
done

# Random kills while two threads emit; every other run with buffers so
# small that events are lost (gaps must then be covered by the reports).
# The first run kills as soon as both threads have emitted 1000 events.
for i in 1 2 3 4 5 6; do
	delay=$(( (RANDOM % 200) * (i > 1) ))
	name=random-$i
	if [ $((i % 2)) -eq 1 ]; then
		bufs=(--subbuf-size 64k --num-subbuf 8) small=0
	else
		bufs=(--subbuf-size 4k --num-subbuf 2) small=1
	fi
	run_killed "$name" "$delay" "${bufs[@]}" -- "$PROG" threads
	tap_is "$KILLED/$REC_RC" "1/137" "$name: killed after ${delay} ms (${bufs[*]}); sonde record exits 137" ||
		tap_diag_file "$WORK/$name.err"
	st_bt "$REC_DIR"
	tap_is "$BT_RC/$BT_OTHER_ERR" "0/0" "$name: babeltrace2 reads the trace without error" ||
		tap_diag_file "$REC_DIR.bterr" 20
	st_norm "$REC_DIR.bt" | awk -F'\t' "$ST_AWK_FLD"'
		$4 == "kill9:thr" {
			t = fld($5, "thread"); s = fld($5, "seq") + 0
			n[t]++
			if (t in last && s <= last[t]) disorder++
			last[t] = s
		}
		$4 != "kill9:thr" { other++ }
		END {
			for (t = 0; t < 2; t++) {
				if (!(t in n)) { empty++; continue }
				gaps += last[t] + 1 - n[t]
				total += n[t]
			}
			print total + 0, gaps + 0, disorder + 0, empty + 0, other + 0
		}' >"$WORK/$name.stats"
	read -r total gaps disorder empty other <"$WORK/$name.stats"
	tap_is "$disorder/$other" "0/0" \
		"$name: each thread's seqs strictly increasing, nothing else recorded ($total events)"
	# Each thread emitted 1000 events before the kill: they are in the
	# trace, unless the tiny buffers were full (and losses reported).
	tap_ok "$(( empty == 0 || (small && ${REC_LOST:-0} > 0) ))" \
		"$name: both threads' events recorded (threads without any: $empty, lost ${REC_LOST:-?})"
	tap_is "$REC_EVENTS" "$total" "$name: summary's event count matches babeltrace2's"
	tap_ok "$(( gaps <= ${REC_LOST:-0} ))" \
		"$name: gaps in the seqs ($gaps) covered by the losses reported (${REC_LOST:-?})"
	# babeltrace2 counts what later packets reveal; a loss in a stream's
	# first packet it can only call "may have discarded".
	if [ "$BT_MAYBE" -eq 0 ]; then
		tap_is "$BT_DISCARDED" "${REC_LOST:-?}" "$name: babeltrace2's discarded count equals the summary's lost count"
	else
		tap_ok "$(( BT_DISCARDED <= ${REC_LOST:-0} && REC_LOST > 0 ))" \
			"$name: babeltrace2's discarded count ($BT_DISCARDED + $BT_MAYBE vague) within the summary's lost count (${REC_LOST:-?})"
	fi
done
tap_done
