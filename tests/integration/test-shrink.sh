#!/bin/bash
# SPDX-License-Identifier: MIT
# test-shrink: a process of a session cannot resize the session's buffers
# under the others, and the buffers vanish with their last user.
#  1. Under `sonde record`: while a well-behaved app of the command emits,
#     a sibling (test-shrink-helper) tries to grow and shrink the buffers
#     through SONDE_SHM's descriptor and through /proc of the app and of
#     sonde record: each attempt fails with EPERM (sealed memfd); the app,
#     sonde record and the trace keep every event of the app.
#  2. Under the daemon: the same helper through /proc of the daemon while
#     an attached app emits: EPERM; the daemon and the app live on and the
#     session holds every event the app emitted while it was attached.
#  3. SIGKILL of `sonde record` while its app runs: nothing of it in
#     /dev/shm; the app goes on; once it exits, no process maps the buffers
#     any more (their memory is freed).
#  4. A process handed an unsealed copy of the buffers (valid in every other
#     way) refuses it: its tracepoints stay disabled, no thread started.
# Usage: test-shrink.sh SONDE BABELTRACE2 APP HELPER DISABLED
#   APP: test-live-app; HELPER: test-shrink-helper; DISABLED: test-disabled-prog
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
. "$here/test-live-lib.sh"
lt_init "$1" "$2" "$3" "$3"
HELPER=$(st_abs "$4") DISABLED=$(st_abs "$5")

# wait_file FILE SECONDS: wait until FILE exists.
wait_file() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# check_helper NAME: the helper's report NAME.res says every attempt
# failed with EPERM.
check_helper() {
	tap_is "$(tail -n 1 "$WORK/$1.res" 2>/dev/null)" "result ok" \
		"$1: every resize of the buffers fails with EPERM ($(grep -c ': EPERM$' "$WORK/$1.res" 2>/dev/null) attempts)" ||
		tap_diag_file "$WORK/$1.res"
}

# check_all TAG N: the trace TAG.ev holds live:a, b, c for i = 0 .. N-1,
# each exactly once, in order.
check_all() {
	local ev
	for ev in a b c; do
		tap_is "$(lt_range "$1" "live:$ev" 0 $(($2 - 1)))" "$2 0 $(($2 - 1)) 0" \
			"$1: live:$ev i = 0 .. $(($2 - 1)) all recorded, in order"
	done
}

# 1. sonde record.
rm -f "$WORK"/rec.{go,res}
timeout -k 10 "$ST_TIMEOUT" "$SONDE" record -o "$WORK/rec" -- sh -c '
	"$1" loop "$2" & app=$!
	"$3" "$4" "$5" "$app" "$PPID"
	wait "$app"' sh "$APP" "$WORK/good" "$HELPER" "$WORK/rec.go" "$WORK/rec.res" \
	>"$WORK/rec.out" 2>"$WORK/rec.err" &
REC=$!
wait_file "$WORK/good.pid" 60 || tap_diag "the app did not start"
GOOD=$(cat "$WORK/good.pid" 2>/dev/null)
lt_wait_progress good 100 60 || tap_diag "the app did not reach 100 iterations"
: >"$WORK/rec.go"
wait_file "$WORK/rec.res" 60 || tap_diag "the helper did not report"
check_helper rec
p=$(lt_progress good)
lt_wait_progress good $((p + 300)) 60 ||
	tap_diag "the app no longer progresses after the helper (at $(lt_progress good))"
: >"$WORK/good.stop"
wait "$REC"
rc=$?
st_summary "$WORK/rec.err"
N=$(sed -nE 's/^emitted ([0-9]+)$/\1/p' "$WORK/rec.out")
tap_ok "$([ "$rc" -eq 0 ] && [ -n "$N" ] && echo 1)" \
	"record: the app and sonde record exit 0 (exit $rc, app emitted ${N:-nothing})" ||
	tap_diag_file "$WORK/rec.err"
N=${N:-0}
tap_is "$REC_EVENTS/$REC_LOST" "$((3 * N))/0" "record: summary counts the app's $((3 * N)) events, 0 lost"
lt_bt "$WORK/rec" rec
tap_is "$BT_RC/$BT_OTHER_ERR" "0/0" "record: babeltrace2 reads the trace" ||
	tap_diag_file "$WORK/rec.bterr"
check_all rec "$N"

# 2. The daemon.
lt_daemon_or_bail
lt_app good2 -- loop "$WORK/good2" || tap_diag "app good2 did not start"
lt_sonde "create" create s -o "$WORK/live"
lt_sonde "enable" enable -s s 'live:*'
lt_sonde "start" start -s s
lt_wait_listed "$APP_PID" 60
tap_is "$(lt_list_session "$APP_PID")" s "daemon: the app records into session s"
p=$(lt_progress good2)
lt_wait_progress good2 $((p + 100)) 60
FIRST=$(lt_progress good2)
: >"$WORK/live.go"
timeout -k 10 "$ST_TIMEOUT" "$HELPER" "$WORK/live.go" "$WORK/live.res" "$DPID" \
	>/dev/null 2>"$WORK/live-helper.err"
check_helper live
p=$(lt_progress good2)
lt_wait_progress good2 $((p + 300)) 60 ||
	tap_diag "the app no longer progresses after the helper (at $(lt_progress good2))"
LAST=$(lt_progress good2)
tap_ok "$(lt_is_sonde "$DPID" && echo 1)" "daemon: alive after the helper"
lt_sonde "stop" stop -s s
lt_app_stop good2
tap_ok "$([ "$APP_RC" -eq 0 ] && [[ $APP_OUT == emitted* ]] && echo 1)" \
	"daemon: the app exits 0 (exit $APP_RC, $APP_OUT)"
lt_sonde "destroy" destroy -s s
lt_bt "$WORK/live" live
tap_is "$BT_RC/$BT_OTHER_ERR" "0/0" "daemon: babeltrace2 reads the trace" ||
	tap_diag_file "$WORK/live.bterr"
for ev in a b c; do
	read -r count first last gaps < <(lt_range live "live:$ev" 0 1000000000)
	tap_ok "$([ "$count" -gt 0 ] && [ "$gaps" -eq 0 ] && [ "$first" -le "$FIRST" ] &&
		[ "$last" -ge "$LAST" ] && [ "$count" -eq $((last - first + 1)) ] && echo 1)" \
		"daemon: live:$ev recorded without a gap from before the helper ($first <= $FIRST) to after it ($last >= $LAST)" ||
		tap_diag "count $count first $first last $last gaps $gaps"
done

# 3. SIGKILL of sonde record while its app runs.
# (In a subshell whose stderr, where bash reports the SIGKILL, is dropped.)
(timeout -k 10 "$ST_TIMEOUT" "$SONDE" record -o "$WORK/k9" -- "$APP" loop "$WORK/k9app" \
	>"$WORK/k9.out" 2>"$WORK/k9.err"; exit $?) 2>/dev/null &
K9=$!
wait_file "$WORK/k9app.pid" 60 || tap_diag "the app did not start"
KAPP=$(cat "$WORK/k9app.pid" 2>/dev/null)
lt_wait_progress k9app 50 60
RECPID=$(sed -E 's/^.*\) [A-Za-z] ([0-9]+).*/\1/' "/proc/$KAPP/stat")
# The buffers' inode, from the app's mapping of them.
INO=$(awk '$6 ~ /^\/memfd:sonde|\/\.sonde-/ { print $5; exit }' "/proc/$KAPP/maps")
tap_ok "$([ -n "$INO" ] && [ "$(cat "/proc/$RECPID/comm")" = sonde ] && echo 1)" \
	"k9: the app (pid $KAPP) maps the buffers (inode ${INO:-?}) of sonde record (pid $RECPID)"
kill -KILL "$RECPID"
lt_wait_gone "$RECPID" 30
wait "$K9"
tap_is "$(find /dev/shm -maxdepth 1 -name ".sonde-$RECPID-*" | wc -l)" 0 \
	"k9: nothing of the killed sonde record in /dev/shm"
p=$(lt_progress k9app)
tap_ok "$(lt_wait_progress k9app $((p + 100)) 60 && echo 1)" "k9: the app goes on emitting"
: >"$WORK/k9app.stop"
lt_wait_gone "$KAPP" 30
maps=$(grep -l " $INO  *\(/memfd:sonde\|.*/\.sonde-\)" /proc/[0-9]*/maps 2>/dev/null | wc -l)
tap_is "$maps" 0 "k9: once the app exited, no process maps the buffers"

# 4. An unsealed copy of the buffers.
timeout -k 10 "$ST_TIMEOUT" "$SONDE" record -o "$WORK/unsealed" -- \
	"$HELPER" unsealed env SONDE_DAEMON=off "$DISABLED" @SHM@ \
	>"$WORK/unsealed.out" 2>"$WORK/unsealed.err"
rc=$?
tap_is "$rc" 0 "unsealed: the process refuses the copy and runs untraced (test-disabled passes)" ||
	{ tap_diag_file "$WORK/unsealed.out"; tap_diag_file "$WORK/unsealed.err"; }

tap_done
