#!/bin/bash
# SPDX-License-Identifier: MIT
# test-relay-kernel: kernel tracepoints in a live `sonde record --relay`
# (-k), beside a busy user-space app, followed by babeltrace2's lttng-live
# view of a real lttng-relayd started here on loopback.  The kernel event
# (sched:sched_process_exec of a `sleep 0.3` loop the command runs beside
# the app) fires about three times a second, on any CPU: its streams are
# idle most of each live tick, and hold a record now and then.  A viewer
# merges every stream in time order, so:
#  1. it shows the app's events while the app runs, and follows it within
#     2.5 s: the kernel streams take part in each live tick (their packet
#     closed when it holds records, a beacon when idle) and never hold
#     the view up;
#  2. it shows the kernel events too, and meets no error: no kernel packet
#     begins before what a beacon already told ("message's timestamp is
#     less than ... last returned timestamp");
#  3. the relay's copy is byte for byte the -o copy.
# With "sample" as its fourth argument, the same with perf samples of the
# command (--sample cpu-clock@1000000, about one every ms of CPU time)
# instead of the kernel event: the app sleeps most of each iteration and
# the sleep loop most of the time, so the "perf" streams are sparse too.
# Skipped (77) without lttng-relayd, or where kernel tracepoints or
# samples cannot be recorded (not root).
# Usage: test-relay-kernel.sh SONDE BABELTRACE2 TEST-LIVE-APP [sample]
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
. "$here/relay-lib.sh"
relay_init kern-test "$@"
MODE=${4:-kernel}
if [ "$MODE" = sample ]; then
	SRC=(--sample cpu-clock@1000000) KEV='perf:sample' KSTREAM=perf
else
	SRC=(-k sched:sched_process_exec) KEV='sched:sched_process_exec'
	KSTREAM=kernel
fi
[ "$(id -u)" = 0 ] || tap_skip_all "kernel tracepoints need root here"
end_test() {
	touch "$WORK/one-app.stop" "$WORK/sleeper.stop" 2>/dev/null
	relay_cleanup
}
trap end_test EXIT

relay_start "$WORK/relay" || tap_bail "cannot start lttng-relayd"

# The command: a sleep loop in the background (an exec every ~0.3 s) and
# the app, pinned to CPU 0, in the foreground.
timeout -k 5 120 "$SONDE" record --relay "$RELAY_URL" \
	--relay-hostname "$HOST" --relay-session k --live-timer 200 \
	"${SRC[@]}" -o "$WORK/one" -- \
	sh -c 'while [ ! -e "$1" ]; do sleep 0.3; done & exec "$2" loop "$3" pin' \
	sh "$WORK/sleeper.stop" "$PROG" "$WORK/one-app" \
	>"$WORK/one.out" 2>"$WORK/one.err" &
rec=$!
RELAY_KILL="$RELAY_KILL $rec"
if ! st_wait_for 20 test -s "$WORK/one-app.progress"; then
	kill -0 "$rec" 2>/dev/null || {
		wait "$rec"
		grep -q 'not permitted\|cannot sample\|cannot record kernel events: tracefs\|Permission denied' \
			"$WORK/one.err" &&
			tap_skip_all "$MODE events cannot be recorded here: $(head -c 300 "$WORK/one.err")"
	}
	tap_diag_file "$WORK/one.err" 10
	tap_bail "the app did not start"
fi
# A few ticks first: the kernel streams hold records by then.
sleep 1
relay_view 30 "$HOST/k" "$WORK/live" 10
seen=$?
viewer=$VIEWER
tap_ok "$([ "$seen" = 0 ] && relay_running "$rec" "$WORK/one-app" && echo 1)" \
	"the live viewer shows the app's events while it runs"
# How far behind, a few seconds on: the last iteration the viewer printed
# against the app's progress (the app does ~1 iteration per ms).
sleep 3
relay_check_lag "$(relay_progress "$WORK/one-app")" "$WORK/live.txt" \
	"while the $KSTREAM streams are mostly idle"
nk=$(grep -c "$KEV" "$WORK/live.txt")
tap_ok "$([ "$nk" -gt 0 ] && echo 1)" "the viewer shows the $MODE events too ($nk)"
touch "$WORK/one-app.stop" "$WORK/sleeper.stop"
wait "$rec"
rc=$?
tap_is "$rc" 0 "record exits 0"
[ "$rc" = 0 ] || tap_diag_file "$WORK/one.err" 10
wait "$viewer"
tap_ok "$(! grep -q 'ERROR' "$WORK/live.err" && echo 1)" \
	"the viewer met no error"
grep -v ' W PLUGIN' "$WORK/live.err" >"$WORK/live.errors"
[ -s "$WORK/live.errors" ] && tap_diag_file "$WORK/live.errors" 20

relay_cmp "$WORK/one" "$(relay_session_dir "$WORK/relay" "$HOST" k)"
tap_ok "$CMP_SAME" "the relay's copy is byte-identical to -o's"
tap_ok "$(ls "$WORK/one"/${KSTREAM}_* >/dev/null 2>&1 && echo 1)" "${KSTREAM}_N streams in the trace"
tap_done
