#!/bin/bash
# SPDX-License-Identifier: MIT
# test-live-kernel: kernel tracepoints in a daemon session
# (`sonde enable -s S -k SYSTEM:NAME`), recorded system-wide from the
# session's start to its stop, beside its applications' events, in its
# trace: a getppid() spinner that sonde did not start is recorded while
# the session is started, not while it is stopped, and again after a
# restart; unknown events, a second -k on a session that records kernel
# events, `disable -k` and -k in a flight recorder are refused with a
# sentence; the trace reads in babeltrace2 with the user events.
# Skipped (77) where kernel tracepoints cannot be recorded (not root).
# Usage: test-live-kernel.sh SONDE BABELTRACE2 TEST-LIVE-APP TEST-LIVE-RAW KPROG
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
. "$here/test-live-lib.sh"
KPROG=$(st_abs "$5")
lt_init "$1" "$2" "$3" "$4"
[ "$(id -u)" = 0 ] || tap_skip_all "kernel tracepoints system-wide need root here"

# spin SECONDS TAG: the spinner (getppid() in a loop), its pid in $WORK/TAG.pid
spin() {
	"$KPROG" spin "$1" >"$WORK/$2.pid"
}
# getppids DIR PID: sys_enter_getppid events of PID in the trace at DIR
getppids() {
	timeout -k 10 "$ST_TIMEOUT" "$SONDE" view --pid "$2" "$1" 2>/dev/null |
		grep -c 'syscalls:sys_enter_getppid'
}

lt_daemon_or_bail
T=$WORK/t
lt_sonde "create k1" create k1 -o "$T"
lt_sonde "enable live:* in k1" enable -s k1 'live:*'
sonde_run enable -s k1 -k syscalls:sys_enter_getppid,sched:sched_switch
tap_ok "$([ "$RC" != 0 ] && echo 1)" "a comma list is one (bad) pattern here: refused" || tap_diag "$OUT"
lt_sonde "enable -k two kernel events in k1" enable -s k1 -k syscalls:sys_enter_getppid sched:sched_switch
tap_like "$OUT" "kernel events enabled.*recorded on every CPU from its start" "the reply says when they are recorded"
sonde_run enable -s k1 -k nosuch:event
tap_ok "$([ "$RC" != 0 ] && echo 1)" "enable -k of an unknown event is refused" || tap_diag "$OUT"
tap_like "$ERR" "nosuch:event" "  naming it"
sonde_run disable -s k1 -k sched:sched_switch
tap_ok "$([ "$RC" != 0 ] && echo 1)" "disable -k is refused" || tap_diag "$OUT"
tap_like "$ERR" "cannot be disabled" "  saying why"
lt_sonde "create a flight recorder" create fr --overwrite -o "$WORK/fr"
sonde_run enable -s fr -k sched:sched_switch
tap_ok "$([ "$RC" != 0 ] && echo 1)" "enable -k in a flight recorder is refused" || tap_diag "$OUT"

tap_cmd "app started" -- lt_app app1 -- loop "$WORK/app1"
spin 0.2 before
lt_sonde "start k1" start -s k1
lt_wait_progress app1 $(($(lt_progress app1) + 100)) 30
spin 0.2 during
sonde_run enable -s k1 -k irq:irq_handler_entry
tap_ok "$([ "$RC" != 0 ] && echo 1)" "a second enable -k once recording is refused" || tap_diag "$OUT"
lt_sonde "stop k1" stop -s k1
spin 0.2 stopped
lt_sonde "start k1 again" start -s k1
spin 0.2 again
lt_wait_progress app1 $(($(lt_progress app1) + 100)) 30
lt_sonde "destroy k1" destroy -s k1

tap_ok "$(ls "$T"/kernel_* >/dev/null 2>&1 && echo 1)" "kernel_N streams in the session's trace"
lt_bt "$T" k1
tap_is "$BT_RC/$BT_OTHER_ERR" 0/0 "babeltrace2 reads the trace" || tap_diag_file "$WORK/k1.bterr" 10
tap_ok "$(grep -q ' sched:sched_switch: ' "$WORK/k1.bt" && grep -q ' live:' "$WORK/k1.bt" && echo 1)" \
	"kernel and user events in one trace"
read -r p_before <"$WORK/before.pid"
read -r p_during <"$WORK/during.pid"
read -r p_stopped <"$WORK/stopped.pid"
read -r p_again <"$WORK/again.pid"
tap_is "$(getppids "$T" "$p_before")" 0 "nothing before the start"
tap_ok "$([ "$(getppids "$T" "$p_during")" -gt 0 ] && echo 1)" \
	"the spinner's system calls while started ($(getppids "$T" "$p_during"))"
tap_is "$(getppids "$T" "$p_stopped")" 0 "nothing while stopped"
tap_ok "$([ "$(getppids "$T" "$p_again")" -gt 0 ] && echo 1)" \
	"recorded again after the restart ($(getppids "$T" "$p_again"))"
tap_done
