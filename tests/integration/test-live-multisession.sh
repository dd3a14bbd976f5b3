#!/bin/bash
# SPDX-License-Identifier: MIT
# test-live-multisession: several daemon sessions record one process at
# once, each with its own events and buffers, as LTTng-UST's sessions do.
# Four sessions select different events of test-live-multi (one app, five
# numbered events per iteration):
#	s1  ms:*                            info, warn, err, size
#	s2  ms:* --loglevel WARNING         warn, err
#	s3  ms:size --filter 'size < 50'    size whose i % 100 < 50
#	s4  other:*                         tick
# All four are started while app A runs; app B starts after them (it
# joins all four before its first event); A forks child C, which keeps
# recording into all four.  Then s2 is stopped and s3 destroyed while s1
# and s4 go on recording.  Each trace must hold exactly its own events:
# for each process and event, every number from the first to the last,
# nothing filtered out, the first one no later than the session's start
# (B: its first iteration; C: the iteration it forked at), the last one no
# earlier than the session's stop and no later than just after it, and
# 0 events lost.
# Usage: test-live-multisession.sh SONDE BABELTRACE2 TEST-LIVE-MULTI
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
. "$here/test-live-lib.sh"
lt_init "$1" "$2" "$3" "$3"

# wait_sessions PID LIST: poll `sonde list` (30 s) until PID records into
# exactly the sessions LIST ("s1,s2").
wait_sessions() {
	local i
	for ((i = 0; i < 150; i++)); do
		lt_list && [ "$(lt_list_session "$1")" = "$2" ] && return 0
		sleep 0.2
	done
	return 1
}

# seq_of TAG NAME PID [FILTERED]: NAME events of PID in $WORK/TAG.ev, in
# trace order: "count first last gaps bad", gaps counting events whose i
# is not the next one expected after the previous (FILTERED: the next
# with i % 100 < 50), bad those the filter should have left out.
seq_of() {
	awk -F'\t' -v n="$2" -v p="$3" -v filt="${4:-0}" '
		function keep(i) { return !filt || i % 100 < 50 }
		function succ(i) { i++; while (!keep(i)) i++; return i }
		$2 == n && $4 == p {
			i = $3 + 0
			if (!keep(i)) bad++
			if (c && i != succ(last)) gaps++
			if (!c) first = i
			last = i
			c++
		}
		END { print c + 0, (c ? first : -1), (c ? last : -1), gaps + 0, bad + 0 }' "$WORK/$1.ev"
}

# check TAG NAME PID WHO FIRST_MAX LAST_MIN LAST_MAX [FILTERED]: PID's
# NAME events in TAG are consecutive, none filtered out, the first at or
# before FIRST_MAX (exactly FIRST_MAX when WHO ends in "="), the last
# within [LAST_MIN, LAST_MAX].
check() {
	local tag=$1 name=$2 pid=$3 who=$4 fmax=$5 lmin=$6 lmax=$7 filt=${8:-0}
	local n f l g b ok
	# Filtered: the last event kept at or before LAST_MIN, and the first
	# kept at or after FIRST_MAX (the events between are filtered out).
	while [ "$filt" = 1 ] && [ $((lmin % 100)) -ge 50 ]; do
		lmin=$((lmin - 1))
	done
	while [ "$filt" = 1 ] && [ $((fmax % 100)) -ge 50 ]; do
		fmax=$((fmax + 1))
	done
	read -r n f l g b <<<"$(seq_of "$tag" "$name" "$pid" "$filt")"
	ok=$((n > 0 && g == 0 && b == 0 && l >= lmin && l <= lmax))
	case $who in
	*=) ok=$((ok && f == fmax)) ;;
	*) ok=$((ok && f <= fmax)) ;;
	esac
	tap_ok "$ok" "$tag: ${who%=}'s $name: $n events, i $f..$l, $g gaps, $b filtered out (want first $([ "${who%=}" = "$who" ] && echo '<=' || echo '=') $fmax, last in [$lmin, $lmax])"
}

# names TAG: "name=count ..." of the events in TAG, sorted (the
# consumer's own sonde:* events aside).
names() {
	cut -f2 "$WORK/$1.ev" | grep -v '^sonde:' | sort | uniq -c | awk '{ printf "%s%s=%s", (NR > 1 ? " " : ""), $2, $1 }'
}

# lost NAME: the lost= count of session NAME in `sonde sessions`.
lost() {
	lt_session "$1" | sed -nE 's/.* lost=([0-9]+) .*/\1/p'
}

lt_daemon_or_bail
for k in 1 2 3 4; do
	lt_sonde "create s$k" create "s$k" -o "$WORK/t$k" --subbuf-size 256K --num-subbuf 4
done
lt_sonde "s1: ms:*" enable -s s1 'ms:*'
lt_sonde "s2: ms:* at WARNING and above" enable -s s2 'ms:*' --loglevel WARNING
lt_sonde "s3: ms:size whose size < 50" enable -s s3 ms:size --filter 'size < 50'
lt_sonde "s4: other:*" enable -s s4 'other:*'

tap_cmd "app A started" -- lt_app A -- loop "$WORK/A"
pidA=$APP_PID
tap_cmd "app A listed" -- lt_wait_listed "$pidA"
lt_wait_progress A 50 30

# Start all four; P[k]: A's progress once start k returned.
declare -A P Q R
for k in 1 2 3 4; do
	lt_sonde "start s$k" start -s "s$k"
	tap_like "$OUT" "^session s$k started \\(1 processes attached\\)" "s$k: A attached at its start"
	P[$k]=$(lt_progress A)
done
lt_list
tap_is "$(lt_list_session "$pidA")" s1,s2,s3,s4 "sonde list: A records into the four sessions"

tap_cmd "app B started after the sessions" -- lt_app B -- loop "$WORK/B"
pidB=$APP_PID
tap_cmd "B joins the four sessions" -- wait_sessions "$pidB" s1,s2,s3,s4 || tap_diag_file "$WORK/list.txt"

: >"$WORK/A.fork"
for ((i = 0; i < 300; i++)); do
	[ -s "$WORK/A-child.pid" ] && break
	sleep 0.1
done
pidC=$(cat "$WORK/A-child.pid" 2>/dev/null)
firstC=$(cat "$WORK/A-child.first" 2>/dev/null)
tap_ok "$([ -n "$pidC" ] && [ -n "$firstC" ] && echo 1)" "A forked C (pid ${pidC:-?}, from iteration ${firstC:-?})"
[ -n "$pidC" ] && LT_PID[A-child]=$pidC
tap_cmd "C records into the four sessions" -- wait_sessions "$pidC" s1,s2,s3,s4 || tap_diag_file "$WORK/list.txt"
lt_wait_progress A-child $((firstC + 300)) 30
lt_wait_progress B 300 30
for k in 1 2 3 4; do
	tap_like "$(lt_session "s$k")" "^s$k started discard apps=3 " "sonde sessions: s$k has the 3 processes"
done

# Stop s2: it alone lets go of the processes.
Q[2]="$(lt_progress A) $(lt_progress B) $(lt_progress A-child)"
lt_sonde "stop s2" stop -s s2
tap_like "$OUT" "^session s2 stopped: [0-9]+ events, 0 lost" "s2 stops with 0 lost"
R[2]="$(lt_progress A) $(lt_progress B) $(lt_progress A-child)"
lt_list
for p in "$pidA" "$pidB" "$pidC"; do
	tap_is "$(lt_list_session "$p")" s1,s3,s4 "pid $p still records into s1, s3 and s4"
done
lt_wait_progress A $(($(lt_progress A) + 300)) 30

# Destroy s3 while started: it is stopped first, its trace completed.
tap_is "$(lost s3)" 0 "s3: 0 lost before its destroy"
Q[3]="$(lt_progress A) $(lt_progress B) $(lt_progress A-child)"
lt_sonde "destroy s3" destroy -s s3
R[3]="$(lt_progress A) $(lt_progress B) $(lt_progress A-child)"
lt_list
for p in "$pidA" "$pidB" "$pidC"; do
	tap_is "$(lt_list_session "$p")" s1,s4 "pid $p still records into s1 and s4"
done
lt_wait_progress A $(($(lt_progress A) + 300)) 30
lt_wait_progress A-child $(($(lt_progress A-child) + 300)) 30

for k in 1 4; do
	Q[$k]="$(lt_progress A) $(lt_progress B) $(lt_progress A-child)"
	lt_sonde "stop s$k" stop -s "s$k"
	tap_like "$OUT" "^session s$k stopped: [0-9]+ events, 0 lost" "s$k stops with 0 lost"
	R[$k]="$(lt_progress A) $(lt_progress B) $(lt_progress A-child)"
done
lt_app_stop B
tap_is "$APP_RC" 0 "B exits 0"
unset "LT_PID[A-child]"
lt_app_stop A
tap_is "$APP_RC" 0 "A exits 0 (and so did C)"

# The events each session selects, and the filter each one applies.
declare -A EVS=([1]="ms:info ms:warn ms:err ms:size" [2]="ms:warn ms:err"
	[3]="ms:size" [4]="other:tick")
declare -A WANT=([1]="ms:err=N ms:info=N ms:size=N ms:warn=N" [2]="ms:err=N ms:warn=N"
	[3]="ms:size=N" [4]="other:tick=N")
for k in 1 2 3 4; do
	lt_bt "$WORK/t$k" "s$k"
	tap_is "$BT_RC/$BT_OTHER_ERR" 0/0 "s$k: babeltrace2 reads the trace" || tap_diag_file "$WORK/s$k.bterr" 10
	tap_is "$(grep -c 'discarded' "$WORK/s$k.bterr")" 0 "s$k: babeltrace2 sees nothing discarded"
	tap_is "$(names "s$k" | sed -E 's/=[0-9]+/=N/g')" "${WANT[$k]}" "s$k: only its own events"
	read -r qa qb qc <<<"${Q[$k]}"
	read -r ra rb rc <<<"${R[$k]}"
	filt=0
	[ "$k" = 3 ] && filt=1
	for e in ${EVS[$k]}; do
		check "s$k" "$e" "$pidA" A $((P[$k] + 2)) "$qa" $((ra + 1)) "$filt"
		check "s$k" "$e" "$pidB" B= 0 "$qb" $((rb + 1)) "$filt"
		fc=$firstC
		[ "$filt" = 1 ] && while [ $((fc % 100)) -ge 50 ]; do fc=$((fc + 1)); done
		check "s$k" "$e" "$pidC" C= "$fc" "$qc" $((rc + 1)) "$filt"
	done
done
tap_done
