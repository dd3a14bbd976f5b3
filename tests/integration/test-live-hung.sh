#!/bin/bash
# SPDX-License-Identifier: MIT
# test-live-hung: an application that never answers delays only the
# verbs that need it.  Session rec (small buffers) records test-live-app;
# session hold is claimed by test-live-hung, a fake app that says HELLO
# and then reads nothing.  While `sonde stop -s hold` waits on the hung
# app (up to the daemon's 2 s per request), a second session s2 is
# started and stopped, each well under that timeout, and rec keeps being
# drained: every iteration the app emitted before, during and after the
# hung interval is in rec's trace, none lost, and rec stops.
# Usage: test-live-hung.sh SONDE BABELTRACE2 TEST-LIVE-APP TEST-LIVE-HUNG
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
. "$here/test-live-lib.sh"
lt_init "$1" "$2" "$3" "$4"
HUNG=$RAW

# Bound on a start or stop of a session that needs no reply from the hung
# app: well under the daemon's 2 s wait for an app, loose enough for a
# loaded machine.
FAST_MS=1000

# timed ARGS...: sonde_run ARGS...; MS is how long it took.
timed() {
	local t0 t1
	t0=$(date +%s%N)
	sonde_run "$@"
	t1=$(date +%s%N)
	MS=$(((t1 - t0) / 1000000))
}

# wait_session PID SESSION: poll `sonde list` (30 s) until PID is in SESSION.
wait_session() {
	local i
	for ((i = 0; i < 150; i++)); do
		lt_list && [ "$(lt_list_session "$1")" = "$2" ] && return 0
		sleep 0.2
	done
	return 1
}

lt_daemon_or_bail
# 8 KiB x 8 per CPU: about half a second of the app's events, far less
# than the hung interval (2 to 4 s).
lt_sonde "create rec" create rec -o "$WORK/rec" --subbuf-size 8k --num-subbuf 8
lt_sonde "enable live:* in rec" enable -s rec 'live:*'
lt_sonde "start rec" start -s rec
tap_cmd "the real app starts" -- lt_app real -- loop "$WORK/real" ||
	tap_bail "app did not start"
REAL=$APP_PID
tap_cmd "the real app records into rec" -- wait_session "$REAL" rec
lt_wait_progress real $(($(lt_progress real) + 200)) 30

lt_sonde "create hold" create hold -o "$WORK/hold"
lt_sonde "start hold (no app joins: the real one is in rec)" start -s hold
# Session ids are given in creation order: rec 1, hold 2.
"$HUNG" "$SOCK" "$WORK/hung.pid" 2 >"$WORK/hung.out" 2>&1 &
HPID=$!
for ((i = 0; i < 300; i++)); do
	[ -s "$WORK/hung.pid" ] && break
	sleep 0.1
done
tap_cmd "the hung app records into hold (claimed, nothing asked)" -- wait_session "$HPID" hold
lt_sonde "create s2" create s2 -o "$WORK/s2"

P0=$(lt_progress real)
T0=$(date +%s%N)
(
	t0=$(date +%s%N)
	timeout -k 10 60 "$SONDE" stop -s hold >"$WORK/hold.out" 2>"$WORK/hold.err"
	echo "$? $((($(date +%s%N) - t0) / 1000000))" >"$WORK/hold.rc"
) &
HOLDJOB=$!
# The stop of hold is now waiting on the hung app.
sleep 0.3
timed start -s s2
tap_is "$RC" 0 "start s2 while hold waits on the hung app" || tap_diag "$ERR"
tap_diag "start s2 took $MS ms (bound $FAST_MS ms): $OUT"
tap_ok "$([ "$MS" -lt "$FAST_MS" ] && echo 1)" "start s2 does not wait on the hung app ($MS ms)"
timed stop -s s2
tap_is "$RC" 0 "stop s2" || tap_diag "$ERR"
tap_diag "stop s2 took $MS ms (bound $FAST_MS ms): $OUT"
tap_ok "$([ "$MS" -lt "$FAST_MS" ] && echo 1)" "stop s2 does not wait on the hung app ($MS ms)"
timed sessions
tap_diag "sessions took $MS ms"
tap_ok "$([ "$MS" -lt "$FAST_MS" ] && echo 1)" "sessions answers at once ($MS ms)"

wait "$HOLDJOB"
read -r hrc hms <"$WORK/hold.rc"
tap_is "$hrc" 0 "stop hold completes" || tap_diag_file "$WORK/hold.err"
tap_diag "stop hold took $hms ms: $(cat "$WORK/hold.out")"
# Cover the whole interval in which the daemon may wait on the hung app
# (its DETACH, then an ATTACH to rec it is sent once detached): 5 s.
while (($(date +%s%N) - T0 < 5000000000)); do
	sleep 0.2
done
P1=$(lt_progress real)
lt_wait_progress real $((P1 + 200)) 30
tap_diag "the real app went from iteration $P0 to $P1 during the hung interval"
tap_ok "$((P1 - P0 > 1000 ? 1 : 0))" "the real app ran through the hung interval ($((P1 - P0)) iterations)"

lt_sonde "stop rec" stop -s rec
tap_diag "stop rec: $OUT"
lt_sonde "destroy rec" destroy -s rec
lt_app_stop real
lt_bt "$WORK/rec" rec
tap_is "$BT_RC" 0 "babeltrace2 reads rec" || tap_diag_file "$WORK/rec.bterr"
tap_is "$(lt_badev rec)" 0 "every event of rec parses and carries its own id"
tap_is "$(grep -c 'discarded' "$WORK/rec.bterr")" 0 "babeltrace2 reports no discarded events in rec"
for ev in a b c; do
	read -r n f l g <<<"$(lt_range rec "live:$ev" 0 999999999999 "$REAL")"
	tap_diag "live:$ev: $n events, i $f..$l, $g gaps"
	tap_ok "$([ "$n" -gt 0 ] && [ "$g" -eq 0 ] && [ "$n" -eq $((l - f + 1)) ] && echo 1)" \
		"live:$ev: every iteration from $f to $l once, in order"
	tap_ok "$([ "$f" -le "$P0" ] && [ "$l" -ge "$P1" ] && echo 1)" \
		"live:$ev covers the hung interval ($P0..$P1 within $f..$l)"
done

kill -KILL "$HPID" 2>/dev/null
tap_done
