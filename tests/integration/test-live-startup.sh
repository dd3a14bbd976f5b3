#!/bin/bash
# SPDX-License-Identifier: MIT
# test-live-startup: an app's start-up never depends on the daemon: it
# waits for the daemon's answer at most SONDE_REGISTER_TIMEOUT (3 s by
# default; test-live-startup-wait.sh measures the wait itself).
#  - A registered app runs exactly one extra thread; with SONDE_DAEMON=off
#    it runs none and does not register.
#  - With the daemon frozen (SIGSTOP), 20 apps started at once each start,
#    emit and exit 0 well within the bound (20 s), and a looping app
#    runs; once the daemon is resumed it serves again and picks the
#    looping app up.
#  - With a rundir that cannot be used (missing, or a regular file), apps
#    start and exit normally.
# Usage: test-live-startup.sh SONDE BABELTRACE2 TEST-LIVE-APP TEST-LIVE-RAW
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
. "$here/test-live-lib.sh"
lt_init "$@"

ntask() {
	find "/proc/$1/task" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l
}

lt_daemon_or_bail
tap_cmd "an app starts" -- lt_app norm -- loop "$WORK/norm"
norm=$APP_PID
tap_cmd "it is listed" -- lt_wait_listed "$norm"
tap_is "$(ntask "$norm")" 2 "a registered app runs 2 threads (main + control)"

tap_cmd "an app with SONDE_DAEMON=off starts" -- lt_app off SONDE_DAEMON=off -- loop "$WORK/off"
off=$APP_PID
lt_wait_progress off 200 30
tap_is "$(ntask "$off")" 1 "SONDE_DAEMON=off: one thread only"
# Started before this app, the other one has long registered by now.
tap_cmd "another app started after it" -- lt_app norm2 -- loop "$WORK/norm2"
tap_cmd "that one is listed" -- lt_wait_listed "$APP_PID"
tap_ok "$(lt_listed "$off" || echo 1)" "SONDE_DAEMON=off: the app is not listed"
tap_is "$(ntask "$off")" 1 "SONDE_DAEMON=off: still one thread"
for a in norm off norm2; do
	lt_app_stop $a
	tap_is "$APP_RC" 0 "app $a exits 0"
done

# Daemon frozen.
kill -STOP "$DPID"
for ((i = 0; i < 100; i++)); do
	[ "$(sed -E 's/^.*\) ([A-Za-z]).*/\1/' "/proc/$DPID/stat")" = T ] && break
	sleep 0.1
done
t0=$(lt_now)
pids=()
for k in $(seq 20); do
	timeout -k 5 20 "$APP" startup >"$WORK/start$k.out" 2>"$WORK/start$k.err" &
	pids+=($!)
done
bad=0
for k in $(seq 20); do
	wait "${pids[$((k - 1))]}"
	rc=$?
	out=$(tr '\n' ' ' <"$WORK/start$k.out")
	if [ "$rc" -ne 0 ] || ! [[ $out =~ ^started\ [0-9]+\ done\ $ ]]; then
		bad=$((bad + 1))
		tap_diag "app $k: exit $rc, output '$out'"
	fi
done
t1=$(lt_now)
tap_is "$bad" 0 "daemon frozen: 20 apps started together each print, emit and exit 0 within 20 s"
tap_diag "they took $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s in all"
tap_cmd "daemon frozen: a looping app starts" -- lt_app frozen -- loop "$WORK/frozen"
frozen=$APP_PID
tap_cmd "daemon frozen: it runs (200 iterations within 30 s)" -- lt_wait_progress frozen 200 30
kill -CONT "$DPID"
sonde_run sessions
tap_is "$RC" 0 "daemon resumed: it answers" || tap_diag "$ERR"
tap_is "$(cat "$SONDE_RUNDIR/daemon.lock" 2>/dev/null | tr -d ' \n')" "$DPID" "it is the same daemon"
tap_cmd "it picks up the app started while it was frozen" -- lt_wait_listed "$frozen"
T=$WORK/t
lt_sonde "create" create f -o "$T"
lt_sonde "enable" enable -s f live:a
lt_sonde "start" start -s f
P=$(lt_progress frozen)
lt_wait_progress frozen "$((P + 100))" 30
lt_sonde "stop" stop -s f
lt_bt "$T" f
read -r n first last gaps <<<"$(lt_range f live:a 0 999999999999 "$frozen")"
tap_ok "$((BT_RC == 0 && n > 0 && gaps == 0))" "and records it: $n consecutive live:a events"
lt_app_stop frozen
tap_is "$APP_RC" 0 "it exits 0"

# Unusable rundirs.
: >"$WORK/notadir"
for rd in "$WORK/missing/run" "$WORK/notadir"; do
	SONDE_RUNDIR=$rd timeout -k 5 20 "$APP" startup >"$WORK/rd.out" 2>&1
	rc=$?
	tap_is "$rc/$(tr '\n' ' ' <"$WORK/rd.out" | sed -E 's/[0-9]+/N/')" "0/started N done " \
		"SONDE_RUNDIR=$rd: the app starts and exits 0"
done
tap_done
