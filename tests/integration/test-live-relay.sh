#!/bin/bash
# SPDX-License-Identifier: MIT
# test-live-relay: daemon sessions created with --relay stream to a real
# lttng-relayd started here on loopback (skipped without lttng-relayd).
#  1. create --relay with no relay listening fails with a clear error;
#  2. a live session with --relay and -o: an app recorded while it is
#     started; babeltrace2's lttng-live view shows its events while the
#     session runs; after destroy the relay's copy is byte-identical to
#     the -o copy and babeltrace2 reads every event there, none lost;
#  3. a session with --relay only (no local directory): the relay's copy
#     holds every event of a burst;
#  4. the relayd killed -9 while a session streams to it: the app goes on
#     unhindered, the -o copy holds every event, and destroy says the
#     connection was lost.
# Usage: test-live-relay.sh SONDE BABELTRACE2 TEST-LIVE-APP TEST-LIVE-RAW
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
. "$here/test-live-lib.sh"
. "$here/relay-lib.sh"
relay_lt_init dlive "$@"

relay_start "$WORK/relay" || tap_bail "cannot start lttng-relayd"
lt_daemon_or_bail

# 1. No relay there: a free port nobody listens on.
p=$((RELAY_CTRL + 3))
while relay_port_open "$p"; do p=$((p + 1)); done
sonde_run create nope --relay "net://127.0.0.1:$p:$((p + 1))" -o "$WORK/nope"
tap_ok "$([ "$RC" -ne 0 ] && echo 1)" "create --relay without a relay fails (exit $RC)"
tap_like "$ERR" "cannot create session nope: .*127\.0\.0\.1" "it says the relay cannot be reached"
tap_is "$(lt_session nope)" "" "no session nope is left"

# 2. Live session, relay and -o.
tap_cmd "app started" -- lt_app one -- loop "$WORK/one"
pid=$APP_PID
tap_cmd "app listed" -- lt_wait_listed "$pid"
lt_sonde "create --relay" create live --relay "$RELAY_URL" \
	--relay-hostname "$HOST" --live-timer 200 -o "$WORK/live"
tap_like "$OUT$ERR" "streaming to $RELAY_URL as $HOST/live-" "create names the relay session"
lt_sonde "enable" enable -s live 'live:*'
lt_sonde "start" start -s live
# babeltrace2 2.0.4's lttng-live takes each metadata update for a whole
# text (it checks the "/* CTF 1.8" signature of each): a viewer attached
# before the app's event classes reached the relay stops when they are
# appended.  Attach once the -o copy shows the app's events.
lt_wait_events "$WORK/live" "$pid"
relay_view 60 "$HOST/live" "$WORK/view" 20
seen=$?
viewer=$VIEWER
tap_ok "$([ "$seen" -eq 0 ] && lt_alive "$pid" &&
	[[ "$(lt_session live)" == "live started "* ]] && echo 1)" \
	"lttng-live shows the app's events while the session runs"
tap_like "$(lt_session live)" "relay=$RELAY_URL" "sonde sessions names the relay"
lt_app_stop one
tap_is "$APP_RC" 0 "the app exits 0"
lt_sonde "stop" stop -s live
tap_like "$OUT$ERR" "relay $RELAY_URL: [0-9]+ packets .* sent as $HOST/live-.*, 0 packets \(0\.0 kB\) not sent" \
	"stop reports what the relay got"
lt_sonde "destroy" destroy -s live
tap_like "$OUT$ERR" ", 0 packets \(0\.0 kB\) not sent" "destroy reports nothing lost"
wait "$viewer"
tap_ok "$(! grep -q ERROR "$WORK/view.err" && echo 1)" "the live viewer ends without error"
[ -s "$WORK/view.err" ] && tap_diag_file "$WORK/view.err" 10
rdir=$(relay_session_dir "$WORK/relay" "$HOST" live)
tap_ok "$([ -n "$rdir" ] && echo 1)" "the relay made the session's directory"
relay_cmp "$WORK/live" "$rdir"
tap_ok "$([ "$CMP_SAME" -eq 1 ] && [ "$CMP_FILES" -gt 1 ] && echo 1)" \
	"the relay's copy is byte-identical to the -o copy ($CMP_FILES files)"
lt_bt "$WORK/live" local
lt_bt "$rdir" relay
n=$(lt_count local live:a "$pid")
tap_ok "$([ "$BT_RC" -eq 0 ] && [ "$n" -gt 0 ] && echo 1)" \
	"babeltrace2 reads the relay's copy ($n live:a events)"
tap_is "$(lt_range relay live:a 0 1000000000 "$pid" | cut -d' ' -f1,4)" \
	"$n 0" "the relay's copy holds every live:a event, in order, none missing"

# 3. Relay only.
tap_cmd "burst app started" -- lt_app two -- burst 300 "$WORK/two"
pid=$APP_PID
tap_cmd "burst app listed" -- lt_wait_listed "$pid"
lt_sonde "create --relay only" create only --relay "$RELAY_URL" \
	--relay-hostname "$HOST" --relay-session only-relay
lt_sonde "enable" enable -s only 'live:*'
lt_sonde "start" start -s only
: >"$WORK/two.go"
tap_cmd "the app emitted its events" -- lt_wait_progress two 300 30
lt_app_stop two
lt_sonde "destroy (a started session)" destroy -s only
rdir=$(relay_session_dir "$WORK/relay" "$HOST" only-relay)
lt_bt "$rdir" only
tap_is "$BT_RC|$(lt_count only live:a "$pid")|$(lt_count only live:b "$pid")|$(lt_count only live:c "$pid")" \
	"0|300|300|300" "the relay's copy of a relay-only session holds every event"

# 4. The relay lost mid-session.
tap_cmd "app started" -- lt_app three -- loop "$WORK/three"
pid=$APP_PID
tap_cmd "app listed" -- lt_wait_listed "$pid"
lt_sonde "create --relay" create lost --relay "$RELAY_URL" \
	--relay-hostname "$HOST" -o "$WORK/lost"
lt_sonde "enable" enable -s lost 'live:*'
lt_sonde "start" start -s lost
sleep 1
relay_stop KILL
p0=$(lt_progress three)
sleep 2
p1=$(lt_progress three)
tap_ok "$([ "$((p1 - p0))" -gt 200 ] && echo 1)" \
	"the app goes on with the relay gone ($p0 -> $p1)"
lt_app_stop three
tap_is "$APP_RC" 0 "the app exits 0"
lt_sonde "stop with the relay gone" stop -s lost
lt_sonde "destroy with the relay gone" destroy -s lost
tap_like "$OUT$ERR" "relay: [1-9][0-9]* connections? lost" "destroy says the relay was lost"
tap_like "$OUT$ERR" "relay: [0-9]+ packets \([0-9]+ bytes\) possibly lost: sent, never confirmed stored by the relay; [0-9]+ bytes sent in all, [0-9]+ not sent" \
	"destroy says what the relay may not have stored, as sonde record does"
lt_bt "$WORK/lost" lost
tap_is "$BT_RC|$(lt_range lost live:a 0 1000000000 "$pid" | cut -d' ' -f4)" "0|0" \
	"the -o copy holds every event recorded, none missing"
tap_done
