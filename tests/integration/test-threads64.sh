#!/bin/bash
# SPDX-License-Identifier: MIT
# test-threads64: 64 threads x K events; every (thread, seq) is in the trace
# exactly once, in per-thread order, and attributed to the right tid.
# Usage: test-threads64.sh SONDE BABELTRACE2 PROG
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$1 BT=$2 PROG=$3
st_need_bt
st_setup
T=64 K=1000

# Buffers large enough for everything even if never drained (4 MB per CPU
# for at most 3 MB of records): no loss is acceptable here.
st_record tr --subbuf-size 256k --num-subbuf 16 -- "$PROG" "$K"
tap_is "$REC_RC" 0 "sonde record exits 0" || tap_diag_file "$WORK/tr.err"
tap_is "$(grep -c '^ok' "$WORK/tr.out")/$(grep -c '^not ok' "$WORK/tr.out")" 2/0 \
	"the program's own checks passed" || tap_diag_file "$WORK/tr.out"
total=$((T * K + T))
tap_is "$REC_EVENTS/$REC_LOST" "$total/0" "summary: $total events recorded, 0 lost"
st_check_clock "$REC_DIR"
st_bt "$REC_DIR"
tap_is "$BT_RC/$(wc -c <"$REC_DIR.bterr")" "0/0" "babeltrace2 reads the trace without complaint" ||
	tap_diag_file "$REC_DIR.bterr" 20
st_norm "$REC_DIR.bt" >"$WORK/norm"

# One pass computing everything; prints "name value" lines.
awk -F'\t' -v T="$T" -v K="$K" "$ST_AWK_FLD"'
	$4 == "thr:start" { start_tid[fld($5, "thread")] = fld($5, "tid"); next }
	$4 != "thr:ev" { other++; next }
	{
		th = fld($5, "thread") + 0; seq = fld($5, "seq") + 0; tid = fld($5, "tid")
		events++
		if (seen[th, seq]++) dup++
		if (th in last && seq <= last[th]) disorder++
		last[th] = seq
		if ($2 != tid) misattr++
		if ($3 == "?" || $2 == "?") unattr++
		pids[$3] = 1
		if (!(th in tid_of)) tid_of[th] = tid
		else if (tid_of[th] != tid) tidchange++
	}
	END {
		for (t = 0; t < T; t++)
			for (s = 0; s < K; s++)
				if (!((t, s) in seen)) missing++
		for (t in tid_of) { ntids++; if (tids[tid_of[t]]++) sharedtid++ }
		for (t in start_tid) if (start_tid[t] != tid_of[t]) startmismatch++
		np = 0; for (p in pids) np++
		printf "events %d\nmissing %d\ndup %d\ndisorder %d\nmisattr %d\n", events, missing, dup, disorder, misattr
		printf "unattr %d\nthreads %d\nsharedtid %d\ntidchange %d\n", unattr, ntids, sharedtid, tidchange
		printf "startmismatch %d\npids %d\nother %d\n", startmismatch, np, other
	}' "$WORK/norm" >"$WORK/stats"
val() { awk -v k="$1" '$1 == k { print $2 }' "$WORK/stats"; }

tap_is "$(val events)" "$((T * K))" "$((T * K)) thr:ev events"
tap_is "$(val missing)" 0 "no (thread, seq) pair missing"
tap_is "$(val dup)" 0 "no (thread, seq) pair duplicated"
tap_is "$(val disorder)" 0 "each thread's events appear in seq order"
tap_is "$(val threads)/$(val sharedtid)/$(val tidchange)" "$T/0/0" \
	"$T threads, each with its own constant tid"
tap_is "$(val unattr)" 0 "every event follows a sonde:thread record on its cpu"
tap_is "$(val misattr)" 0 "every event is attributed to the tid it reported"
tap_is "$(val startmismatch)" 0 "thr:start events agree with the threads' tids"
tap_is "$(val pids)" 1 "all threads attributed to one pid"
nthr=$(grep -c ' sonde:thread: ' "$REC_DIR.bt")
tap_ok "$((nthr >= T))" "writers alternated: $nthr sonde:thread records for $T threads"
tap_done
