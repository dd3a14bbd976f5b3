#!/bin/bash
# SPDX-License-Identifier: MIT
# test-live-relay-kernel: a live daemon session streamed to a real
# lttng-relayd on loopback (sonde create --relay --live-timer 200) with a
# kernel event (enable -k sched:sched_process_exec, system-wide, fired ~3
# times a second by a sleep loop) beside a busy app: the kernel streams
# are idle most of each tick.  babeltrace2's lttng-live view shows the
# app's events and follows it within 2.5 s, shows the kernel events, and
# meets no error (the daemon's live tick closes the kernel source's
# packets, and no kernel packet begins before a beacon already sent);
# the relay's copy is the -o copy.  Kernel events enabled once a relay
# session started are refused (its trace's classes are fixed on the relay
# from then).  Skipped (77) without lttng-relayd or root.
# Usage: test-live-relay-kernel.sh SONDE BABELTRACE2 TEST-LIVE-APP TEST-LIVE-RAW
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
. "$here/test-live-lib.sh"
. "$here/relay-lib.sh"
relay_lt_init dkern "$@"
[ "$(id -u)" = 0 ] || tap_skip_all "kernel tracepoints system-wide need root here"
SLEEPER=
trap ': >"$WORK/sleeper.stop"; [ -n "$SLEEPER" ] && kill "$SLEEPER" 2>/dev/null; relay_lt_cleanup' EXIT

relay_start "$WORK/relay" || tap_bail "cannot start lttng-relayd"
lt_daemon_or_bail

tap_cmd "app started" -- lt_app one -- loop "$WORK/one" pin
pid=$APP_PID
tap_cmd "app listed" -- lt_wait_listed "$pid"
lt_sonde "create --relay --live-timer 200" create kl --relay "$RELAY_URL" \
	--relay-hostname "$HOST" --live-timer 200 -o "$WORK/kl"
lt_sonde "enable" enable -s kl 'live:*'
lt_sonde "enable -k" enable -s kl -k sched:sched_process_exec
lt_sonde "start" start -s kl
(while [ ! -e "$WORK/sleeper.stop" ]; do sleep 0.3; done) &
SLEEPER=$!
# babeltrace2 2.0.4 stops on appended metadata (test-live-relay.sh):
# attach once the -o copy shows the app's events.
lt_wait_events "$WORK/kl" "$pid"
relay_view 60 "$HOST/kl" "$WORK/view" 10
seen=$?
viewer=$VIEWER
tap_ok "$([ "$seen" -eq 0 ] && lt_alive "$pid" && echo 1)" \
	"lttng-live shows the app's events while the session runs"
sleep 3
relay_check_lag "$(lt_progress one)" "$WORK/view.txt" \
	"while the kernel streams are mostly idle"
nk=$(grep -c 'sched:sched_process_exec' "$WORK/view.txt")
tap_ok "$([ "$nk" -gt 0 ] && echo 1)" "the viewer shows the kernel events too ($nk)"
: >"$WORK/sleeper.stop"
wait "$SLEEPER"
SLEEPER=
lt_app_stop one
tap_is "$APP_RC" 0 "the app exits 0"
lt_sonde "destroy" destroy -s kl
tap_like "$OUT$ERR" ", 0 packets \(0\.0 kB\) not sent" "destroy reports nothing lost"
wait "$viewer"
grep -v ' W PLUGIN' "$WORK/view.err" >"$WORK/view.errors"
tap_ok "$(! grep -q ERROR "$WORK/view.errors" && echo 1)" "the viewer met no error"
[ -s "$WORK/view.errors" ] && tap_diag_file "$WORK/view.errors" 20
relay_cmp "$WORK/kl" "$(relay_session_dir "$WORK/relay" "$HOST" kl)"
tap_ok "$([ "$CMP_SAME" -eq 1 ] && ls "$WORK/kl"/kernel_* >/dev/null 2>&1 && echo 1)" \
	"the relay's copy, kernel streams included, is byte-identical to -o's ($CMP_FILES files)"

# Kernel events join a relay session's trace at its first start only.
lt_sonde "create another" create kl2 --relay "$RELAY_URL" \
	--relay-hostname "$HOST" -o "$WORK/kl2"
lt_sonde "start it" start -s kl2
sonde_run enable -s kl2 -k sched:sched_process_exec
tap_ok "$([ "$RC" -ne 0 ] && echo 1)" "enable -k once a relay session started is refused (exit $RC)"
tap_like "$ERR$OUT" "takes kernel events only from the first start" "  saying why"
lt_sonde "destroy it" destroy -s kl2
tap_done
