#!/bin/bash
# SPDX-License-Identifier: MIT
# test-relay-faults: the relay hung (SIGSTOP) for half a second, then
# killed (-9), under a live `sonde record --relay -o DIR` of an app that
# keeps emitting (skipped without lttng-relayd).  What it received while
# hung its kernel acknowledged, so sonde's socket no longer holds it
# (SIOCOUTQ is about 0 on loopback), yet the relay never stored it: sonde
# counts the packets the relay never confirmed (DATA_PENDING) as possibly
# lost, and says so.
#  1. restarted on the same ports 2 s later: the app never stalls (its
#     progress moves on during the outage), the local trace is complete,
#     sonde record reconnects into a new session directory (PATH.1) that
#     babeltrace2 reads, and says how many connections were lost, the
#     reconnection and the packets not sent;
#  2. never restarted (--relay-retries 2): sonde record still ends
#     promptly after the app, says it gave up, and the local trace is
#     complete; every byte of the local stream files the relay's copy
#     lacks is counted, not sent or possibly lost, and the possibly lost
#     are not many more than the bytes it was sent and lacks.
# In both, some packets are said to be possibly lost.
# Usage: test-relay-faults.sh SONDE BABELTRACE2 PROG
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
. "$here/relay-lib.sh"
relay_init faults-test "$@"

for case in restart gone; do
	relay_start "$WORK/relay-$case" || tap_bail "cannot start lttng-relayd"
	port=$RELAY_CTRL
	timeout -k 5 120 "$SONDE" record --relay "$RELAY_URL" \
		--relay-hostname "$HOST" --relay-session "$case" \
		--live-timer 200 --relay-retries $([ $case = gone ] && echo 2 || echo 20) \
		-o "$WORK/$case" -- "$PROG" loop "$WORK/$case-app" \
		>"$WORK/$case.out" 2>"$WORK/$case.err" &
	rec=$!
	RELAY_KILL="$RELAY_KILL $rec"
	st_wait_for 20 test -s "$WORK/$case-app.progress" ||
		tap_bail "the app did not start"
	sleep 1
	kill -STOP "$RELAY_PID"
	sleep 0.5
	relay_stop KILL
	p0=$(relay_progress "$WORK/$case-app")
	sleep 2
	p1=$(relay_progress "$WORK/$case-app")
	tap_ok "$([ "${p1:-0}" -gt $((${p0:-0} + 500)) ] && echo 1)" \
		"$case: the app runs on while the relay is dead ($p0 -> $p1 iterations in 2 s)"
	if [ $case = restart ]; then
		relay_start "$WORK/relay-$case" "$port" ||
			tap_bail "cannot restart lttng-relayd on port $port"
		sleep 3
	else
		sleep 3
	fi
	touch "$WORK/$case-app.stop"
	t0=$(date +%s)
	wait "$rec"
	rc=$?
	t1=$(date +%s)
	tap_is "$rc" 0 "$case: record exits 0 (the command's status)"
	tap_ok "$([ $((t1 - t0)) -le 15 ] && echo 1)" \
		"$case: it ends within 15 s of the app ($((t1 - t0)) s)"
	st_summary "$WORK/$case.err"
	n=$(timeout 60 "$BT" "$WORK/$case" 2>/dev/null | grep -c 'live:')
	tap_ok "$([ -n "$REC_EVENTS" ] && [ "$n" = "$REC_EVENTS" ] && [ "$REC_LOST" = 0 ] && echo 1)" \
		"$case: the local trace holds every event ($n of $REC_EVENTS, $REC_LOST lost)"
	tap_like "$(cat "$WORK/$case.err")" \
		"relay: 1 connection lost, $([ $case = restart ] && echo 1 || echo 0) reconnections?, [0-9]+ bytes in flight lost" \
		"$case: the loss is said"
	tap_like "$(cat "$WORK/$case.err")" \
		"relay net://.*: [0-9]+ packets .* sent as .*, [0-9]+ packets .* not sent" \
		"$case: packets sent and not sent are counted"
	set -- $(sed -nE 's/^sonde: relay: ([0-9]+) packets \(([0-9]+) bytes\) possibly lost: .*; ([0-9]+) bytes sent in all, ([0-9]+) not sent$/\1 \2 \3 \4/p' "$WORK/$case.err")
	plp=${1:-0} plb=${2:-0} sent=${3:-0} unsent=${4:-0}
	tap_ok "$([ "$plp" -gt 0 ] && [ "$plb" -gt 0 ] && echo 1)" \
		"$case: packets sent and never confirmed are said possibly lost ($plp packets, $plb bytes)"
	if [ $case = gone ]; then
		# What the relay stored of each stream is a prefix of the
		# local file (whole packets, or the start of one).
		d=$(relay_session_dir "$WORK/relay-$case" "$HOST" "$case")
		missing=0
		for f in "$WORK/$case"/channel*; do
			b=$(basename "$f")
			l=$(stat -c %s "$f")
			r=$(stat -c %s "$d/$b" 2>/dev/null || echo 0)
			missing=$((missing + l - r))
		done
		tap_ok "$([ $((plb + unsent)) -ge "$missing" ] && echo 1)" \
			"gone: what the relay lacks is counted: $missing bytes <= $plb possibly lost + $unsent not sent"
		lacking=$((missing - unsent))
		tap_ok "$([ "$lacking" -gt 0 ] && echo 1)" \
			"gone: the relay lacks bytes it was sent ($lacking): acknowledged by its kernel, never stored"
		tap_ok "$([ "$plb" -le $((lacking + sent / 4)) ] && echo 1)" \
			"gone: the possibly lost are bounded: $plb <= $lacking lacking + a quarter of the $sent bytes sent"
	fi
	if [ $case = restart ]; then
		d=$(relay_session_dir "$WORK/relay-$case" "$HOST" "$case")
		m=$(timeout 60 "$BT" "$d.1" 2>/dev/null | grep -c 'live:')
		tap_ok "$([ "${m:-0}" -gt 0 ] && echo 1)" \
			"restart: the new session ($(basename "$d").1) holds the events after the outage ($m)"
	else
		tap_like "$(cat "$WORK/$case.err")" "gave up retrying" \
			"gone: it says it gave up"
	fi
	tap_diag_file "$WORK/$case.err" 5
	relay_stop
done
tap_done
