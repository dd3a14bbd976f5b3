#!/bin/bash
# SPDX-License-Identifier: MIT
# test-live-restart: the daemon killed with SIGKILL while an app records
# into a started session.  The app keeps running and later exits 0 with
# its normal output; the CLI then reports that no daemon runs (the socket
# left behind is stale); a new daemon starts over the stale socket and
# lock, picks the same app up again, and records it into a new session
# (only what that session enabled, emitted after its start).  Another app
# killed with SIGKILL while recording leaves a readable trace with its
# events up to its death, and leaves `sonde list`.
# Usage: test-live-restart.sh SONDE BABELTRACE2 TEST-LIVE-APP TEST-LIVE-RAW
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
. "$here/test-live-lib.sh"
lt_init "$@"

lt_daemon_or_bail
d1=$DPID
tap_cmd "two apps started" -- lt_app app -- loop "$WORK/app"
pid=$APP_PID
lt_app busy -- loop "$WORK/busy"
busy=$APP_PID
tap_cmd "the app is listed" -- lt_wait_listed "$pid"
lt_wait_listed "$busy"
lt_sonde "create" create s1 -o "$WORK/t1"
lt_sonde "enable live:a" enable -s s1 live:a
lt_sonde "start" start -s s1
lt_wait_progress app $(($(lt_progress app) + 300)) 30
kill -KILL "$d1"
tap_cmd "the daemon is gone after SIGKILL" -- lt_wait_gone "$d1" 10
P=$(lt_progress app)
tap_cmd "the app keeps running (300 more iterations within 30 s)" -- lt_wait_progress app $((P + 300)) 30
tap_ok "$(lt_alive "$busy" && echo 1)" "so does the other one"

sonde_run sessions
tap_is "$RC" 1 "sonde sessions with the daemon dead: exit 1"
tap_like "$ERR" "^sonde: no daemon running" "  'no daemon running'"

lt_daemon
tap_is "$DRC" 0 "a new daemon starts over the stale socket and lock" || tap_diag_file "$WORK/daemon.err"
d2=$DPID
tap_ok "$([ -n "$d2" ] && [ "$d2" != "$d1" ] && echo 1)" "it is a new process ($d1 -> ${d2:-?})"
tap_cmd "the same app shows in sonde list again" -- lt_wait_listed "$pid" || tap_diag_file "$WORK/list.txt"
tap_is "$(lt_list_session "$pid")" "" "it is in no session of the new daemon"
T=$WORK/t2
lt_sonde "create a new session" create s2 -o "$T"
lt_sonde "enable live:b" enable -s s2 live:b
P=$(lt_progress app)
lt_sonde "start" start -s s2
lt_wait_progress app $(($(lt_progress app) + 300)) 30
kill -KILL "$busy"
lt_app_stop busy
tap_is "$APP_RC" 137 "the other app is killed (SIGKILL) while recording"
lt_wait_progress app $(($(lt_progress app) + 100)) 30
lt_sonde "stop" stop -s s2
S=$(lt_progress app)
lt_bt "$T" t2
tap_is "$BT_RC/$BT_OTHER_ERR" 0/0 "babeltrace2 reads the new trace" || tap_diag_file "$WORK/t2.bterr" 10
read -r n f l g <<<"$(lt_range t2 live:b 0 $((S + 1)) "$pid")"
tap_ok "$((n > 0 && g == 0 && f > P))" "the app's live:b recorded: $n consecutive, emitted after start (i $f..$l > $P)"
tap_is "$(lt_count t2 live:a)/$(lt_count t2 live:c)" 0/0 "nothing of the dead daemon's session (live:a) in it"
tap_is "$(lt_badev t2)" 0 "every event carries its own ev value"
read -r n f l g <<<"$(lt_range t2 live:b 0 999999999999 "$busy")"
tap_ok "$((n > 0 && g == 0))" "the killed app's live:b are there up to its death, consecutive ($n, i $f..$l)"
for ((i = 0; i < 150; i++)); do
	lt_list && ! lt_listed "$busy" && break
	sleep 0.2
done
tap_ok "$(lt_listed "$busy" || echo 1)" "the killed app leaves sonde list"

lt_app_stop app
tap_is "$APP_RC" 0 "the app exits 0"
tap_like "$APP_OUT" "^emitted [0-9]+\$" "it printed its normal output"
lt_sonde "the new daemon stops" daemon --stop
tap_done
