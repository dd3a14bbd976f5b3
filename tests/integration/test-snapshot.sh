#!/bin/bash
# SPDX-License-Identifier: MIT
# test-snapshot: `sonde record --overwrite` writes a snapshot of what its
# buffers hold on SIGUSR2, while the command keeps running: each snapshot
# is a trace babeltrace2 reads, holds consecutive events up to at least what
# the program had emitted when the signal was sent, and later snapshots go
# further; without --overwrite the request is refused and recording goes on.
# usage: test-snapshot.sh SONDE BABELTRACE2 PROG
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$1 BT=$2 PROG=$3
st_need_bt
st_setup

# The program runs until told to stop (at most 120 s): with a fixed run
# time a loaded machine could end it before the second snapshot was asked
# for (seen: snapshot 1 written, then "events recorded", no snapshot 2).
"$SONDE" record --overwrite --subbuf-size 64k --num-subbuf 8 -o "$WORK/t" \
	-- "$PROG" 120 "$WORK/progress" "$WORK/stop" 2>"$WORK/err" &
rec=$!
# Once the program emits, the recorder has its handlers in place.
for i in $(seq 300); do
	[ -s "$WORK/progress" ] && break
	sleep 0.1
done
prev=-1
for n in 1 2; do
	sleep 1.2
	before=$((10#$(cat "$WORK/progress" 2>/dev/null || echo 0)))
	kill -USR2 "$rec"
	for i in $(seq 300); do
		grep -q "snapshot $n:" "$WORK/err" && break
		sleep 0.1
	done
	snap=$WORK/t.snapshot-$n
	st_bt "$snap"
	tap_is "$BT_RC/$BT_OTHER_ERR" "0/0" "snapshot $n: babeltrace2 reads it" ||
		tap_diag_file "$snap.bterr" 10
	read -r cnt first last gaps <<<"$(st_norm "$snap.bt" | awk -F'\t' "$ST_AWK_FLD"'
		$4 == "snapshot:ev" { s = fld($5, "seq") + 0
			if (n && s != prev + 1) gaps++
			if (!n) first = s
			prev = s; n++ }
		END { print n + 0, first + 0, prev + 0, gaps + 0 }')"
	tap_ok "$(( cnt > 0 && gaps == 0 ))" "snapshot $n: $cnt consecutive events ($first..$last)"
	tap_ok "$(( last >= before ))" "snapshot $n: goes up to at least seq $before, emitted before the signal (last $last)"
	tap_ok "$(( last > prev ))" "snapshot $n: newer than the previous one"
	prev=$last
done
: >"$WORK/stop"
wait "$rec"
tap_is "$?" 0 "the command ran to its end with snapshots taken"
tap_like "$(cat "$WORK/err")" "sonde: [0-9]+ events recorded" "the recording itself completed"
st_bt "$WORK/t"
tap_is "$BT_RC/$BT_OTHER_ERR" "0/0" "the final trace reads too"

rm -f "$WORK/stop"
"$SONDE" record -o "$WORK/d" -- "$PROG" 120 "$WORK/progress2" "$WORK/stop" 2>"$WORK/derr" &
rec=$!
# Once the program emits, the recorder has its handlers in place.
for i in $(seq 300); do
	[ -s "$WORK/progress2" ] && break
	sleep 0.1
done
kill -USR2 "$rec"
for i in $(seq 300); do
	grep -q "snapshots" "$WORK/derr" && break
	sleep 0.1
done
: >"$WORK/stop"
wait "$rec"
tap_is "$?" 0 "discard mode: SIGUSR2 does not stop the recording"
tap_like "$(cat "$WORK/derr")" "only --overwrite sessions take snapshots" "discard mode: the request is refused with a reason"
tap_ok "$([ ! -e "$WORK/d.snapshot-1" ] && echo 1)" "discard mode: no snapshot written"
tap_done
