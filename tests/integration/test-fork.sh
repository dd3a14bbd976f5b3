#!/bin/bash
# SPDX-License-Identifier: MIT
# test-fork: events of a forked child (no exec), of its own child, and of a
# fork+exec'd program are all in the trace, each attributed to the right
# pid and tid by the sonde:thread records.  With MODE "daemon" the program
# runs outside `sonde record`, driven by a session daemon (its agent
# attaches it, and every forked or exec'd process it starts), so the
# per-thread identity is reset after fork whatever attached the process.
# Usage: test-fork.sh SONDE BABELTRACE2 PROG EXEC_PROG [record|daemon]
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$1 BT=$2 PROG=$3 EXEC_PROG=$4 MODE=${5:-record}
st_need_bt
st_setup
N=500   # FORKT_N in fork_tp.h
total=$((2 * N + N + N + N + 3))

if [ "$MODE" = daemon ]; then
	. "$here/test-live-lib.sh"
	lt_add_daemon
	REC_DIR=$WORK/tr
	lt_sonde "create a session" create s1 -o "$REC_DIR"
	lt_sonde "enable forkt:*" enable -s s1 'forkt:*'
	lt_sonde "start it" start -s s1
	TEST_FORK_WAIT=1 timeout -k 10 "$ST_TIMEOUT" "$PROG" "$EXEC_PROG" \
		>"$WORK/tr.out" 2>"$WORK/tr.err"
	tap_is "$?" 0 "the program exits 0" || tap_diag_file "$WORK/tr.err"
	tap_is "$(grep -c '^ok' "$WORK/tr.out")/$(grep -c '^not ok' "$WORK/tr.out")" 3/0 \
		"the program's own checks passed" || tap_diag_file "$WORK/tr.out"
	lt_sonde "stop the session" stop -s s1
	lt_sonde "destroy it" destroy -s s1
else
	st_record tr -- "$PROG" "$EXEC_PROG"
	tap_is "$REC_RC" 0 "sonde record exits 0" || tap_diag_file "$WORK/tr.err"
	tap_is "$(grep -c '^ok' "$WORK/tr.out")/$(grep -c '^not ok' "$WORK/tr.out")" 3/0 \
		"the program's own checks passed" || tap_diag_file "$WORK/tr.out"
	tap_is "$REC_EVENTS/$REC_LOST" "$total/0" "summary: $total events recorded, 0 lost"
fi
st_check_clock "$REC_DIR"
st_bt "$REC_DIR"
tap_is "$BT_RC/$(wc -c <"$REC_DIR.bterr")" "0/0" "babeltrace2 reads the trace without complaint" ||
	tap_diag_file "$REC_DIR.bterr" 20
st_norm "$REC_DIR.bt" >"$WORK/norm"

# Attribution: the sonde:thread record in force says who wrote each event.
bad=$(awk -F'\t' "$ST_AWK_FLD"'
	$4 == "forkt:ev" && ($2 != fld($5, "tid") || $3 != fld($5, "pid")) { n++ }
	END { print n + 0 }' "$WORK/norm")
tap_is "$bad" 0 "every forkt:ev is attributed to the pid/tid it reports"
n_ev=$(awk -F'\t' '$4 == "forkt:ev"' "$WORK/norm" | wc -l)
tap_is "$n_ev" "$((5 * N))" "all $((5 * N)) forkt:ev events present"

# Per role: count, sequence 0..n-1 in order, a single pid, tid == pid.
for spec in "0 parent $((2 * N))" "1 child $N" "2 exec $N" "3 grandchild $N"; do
	set -- $spec
	r=$(awk -F'\t' -v role="$1" "$ST_AWK_FLD"'
		$4 == "forkt:ev" && fld($5, "role") == role {
			if (fld($5, "seq") != n + 0) bad++
			n++; pids[fld($5, "pid")] = 1
			if (fld($5, "pid") != fld($5, "tid")) bad++
		}
		END { np = 0; for (p in pids) np++; print n + 0, np, bad + 0 }' "$WORK/norm")
	tap_is "$r" "$3 1 0" "$2: $3 events, seq 0..$(($3 - 1)) in order, one pid, tid = pid"
done

# The pids the parents saw from fork() are the pids the children recorded.
pid_of_role() {
	awk -F'\t' -v role="$1" "$ST_AWK_FLD"'
		$4 == "forkt:ev" && fld($5, "role") == role { print $3; exit }' "$WORK/norm"
}
spawned_pid() {
	awk -F'\t' -v role="$1" "$ST_AWK_FLD"'
		$4 == "forkt:spawned" && fld($5, "role") == role { print fld($5, "child_pid"); exit }' "$WORK/norm"
}
p0=$(pid_of_role 0) p1=$(pid_of_role 1) p2=$(pid_of_role 2) p3=$(pid_of_role 3)
tap_is "$(spawned_pid 1)" "$p1" "forked child's pid matches fork()'s return in the parent"
tap_is "$(spawned_pid 2)" "$p2" "exec'd program's pid matches fork()'s return in the parent"
tap_is "$(spawned_pid 3)" "$p3" "grandchild's pid matches fork()'s return in the child"
distinct=$(printf '%s\n' "$p0" "$p1" "$p2" "$p3" | grep -E '^[0-9]+$' | sort -u | wc -l)
tap_is "$distinct" 4 "four processes, four distinct pids ($p0 $p1 $p2 $p3)"
[ "$MODE" = daemon ] ||
	tap_like "$(grep -o 'vpid = [0-9]*' "$REC_DIR/metadata")" "^vpid = $p0\$" \
		"trace environment names the recorded command's pid"
tap_done
