#!/bin/bash
# SPDX-License-Identifier: MIT
# test-live-relay-faults: a daemon session created with --relay when the
# relay (a real lttng-relayd started here on loopback) is away, goes away,
# or stops reading; skipped without lttng-relayd.
#  1. no relay at create: --relay-optional without -o is refused; with -o
#     the session is created, records to the directory, and destroy says
#     what the relay did not get;
#  2. the relay killed between create and the first start: start refuses,
#     saying so; once the relay is back (same ports) start goes on, the
#     app's events reach the relay's new session and the -o copy, and
#     destroy counts the connection lost and the reconnection;
#  3. the same with --relay-optional: start records to -o at once, and the
#     relay catches up when it is back;
#  4. a relay that stops reading (SIGSTOP) under a started session:
#     destroy ends within its bound, and meanwhile `sonde list` from
#     another client answers at once (the daemon waits on no peer).
# Every wait is bounded.
# Usage: test-live-relay-faults.sh SONDE BABELTRACE2 TEST-LIVE-APP TEST-LIVE-RAW
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
. "$here/test-live-lib.sh"
. "$here/relay-lib.sh"
relay_lt_init dfault "$@"
lt_daemon_or_bail

# relay_back PORT: lttng-relayd again on PORT (the ports it had), within
# 10 tries.
relay_back() {
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		relay_start "$WORK/relay" "$1" && return 0
		sleep 0.5
	done
	return 1
}

# start_until SESSION SECONDS: `sonde start -s SESSION` every 0.5 s until
# it succeeds; the last try's RC, OUT and ERR.
start_until() {
	local i
	for ((i = 0; i < $2 * 2; i++)); do
		sonde_run start -s "$1"
		[ "$RC" = 0 ] && return 0
		sleep 0.5
	done
	return 1
}

# create_relay NAME [OPTION]: session NAME created with --relay (and
# OPTION), -o and a live timer; live:* enabled.
create_relay() {
	lt_sonde "create --relay ${2:+$2 }-o" create "$1" --relay "$RELAY_URL" \
		--relay-hostname "$HOST" ${2:+"$2"} -o "$WORK/$1" --live-timer 200
	lt_sonde "enable" enable -s "$1" 'live:*'
}

# gap_end NAME ITERATIONS: once app one has gone ITERATIONS further (30 s
# at most), session NAME stopped and destroyed, destroy counting the
# connection lost and the reconnection.
gap_end() {
	lt_wait_progress one $(($(lt_progress one) + $2)) 30
	lt_sonde "stop" stop -s "$1"
	lt_sonde "destroy" destroy -s "$1"
	tap_like "$OUT$ERR" "relay: 1 connection lost, 1 reconnection" \
		"destroy counts the connection lost and the reconnection"
}

# 1. No relay at create.
relay_start "$WORK/relay" || tap_bail "cannot start lttng-relayd"
p=$((RELAY_CTRL + 3))
while relay_port_open "$p" || relay_port_open $((p + 1)); do p=$((p + 2)); done
NOWHERE=net://127.0.0.1:$p:$((p + 1))
sonde_run create opt0 --relay "$NOWHERE" --relay-optional
tap_ok "$([ "$RC" -ne 0 ] && echo 1)" "--relay-optional without -o is refused (exit $RC)"
tap_like "$ERR" "relay-optional needs -o DIR" "  saying it needs -o"
tap_is "$(lt_session opt0)" "" "  and no session opt0 is left"

tap_cmd "app started" -- lt_app one -- loop "$WORK/one"
pid=$APP_PID
tap_cmd "app listed" -- lt_wait_listed "$pid"
lt_sonde "create --relay-optional -o, no relay there" create opt1 \
	--relay "$NOWHERE" --relay-optional -o "$WORK/opt1" --live-timer 200
tap_like "$OUT$ERR" "created, trace in $WORK/opt1; .*trying the relay again every second" \
	"  it says the trace goes to the directory meanwhile"
lt_sonde "enable" enable -s opt1 'live:*'
lt_sonde "start with no relay" start -s opt1
lt_wait_progress one $(($(lt_progress one) + 300)) 30
lt_sonde "stop" stop -s opt1
t0=$(lt_now_ms)
lt_sonde "destroy" destroy -s opt1
dt=$(($(lt_now_ms) - t0))
tap_like "$OUT$ERR" "relay $NOWHERE: 0 packets .* sent as \(no session\), [1-9][0-9]* packets .* not sent" \
	"destroy says the relay got nothing, and what it did not get"
tap_ok "$([ "$dt" -lt 5000 ] && echo 1)" "  and answers at once (${dt} ms)"
lt_bt "$WORK/opt1" opt1
n1=$(lt_count opt1 live:a "$pid")
tap_ok "$([ "$BT_RC" = 0 ] && [ "$n1" -gt 0 ] && echo 1)" \
	"the -o copy holds the app's events ($n1 live:a)"

# 2. The relay killed between create and the first start.
create_relay gap
port=$RELAY_CTRL
relay_stop KILL
sleep 0.5
sonde_run start -s gap
tap_ok "$([ "$RC" -ne 0 ] && echo 1)" "start with the relay gone since create fails (exit $RC)"
tap_like "$ERR$OUT" "relay .* is unreachable \(lost since create\); start again once it is back" \
	"  saying why and what to do"
relay_back "$port" || tap_bail "cannot start lttng-relayd again on $port"
start_until gap 20
tap_is "$RC" 0 "start succeeds once the relay is back" || tap_diag "$ERR"
gap_end gap 300
tap_like "$OUT$ERR" "relay $RELAY_URL: [1-9][0-9]* packets .* sent as $HOST/gap-[0-9-]*\.1," \
	"  and says the packets went to the relay's new session"
rdir=$(ls -d "$WORK/relay/$HOST"/gap-*.1 2>/dev/null | head -n 1)
lt_bt "$WORK/gap" gap
ng=$(lt_count gap live:a "$pid")
nr=$(lt_bt_count "$rdir" gaprelay live:a "$pid")
tap_ok "$([ "$ng" -gt 0 ] && [ "$nr" = "$ng" ] && echo 1)" \
	"the relay's new session holds what -o holds ($nr and $ng live:a)"

# 3. The same with --relay-optional: recording starts at once.
create_relay gapopt --relay-optional
port=$RELAY_CTRL
relay_stop KILL
sleep 0.5
lt_sonde "start with the relay gone, --relay-optional" start -s gapopt
relay_back "$port" || tap_bail "cannot start lttng-relayd again on $port"
gap_end gapopt 2500
lt_bt "$WORK/gapopt" gapopt
n3=$(lt_count gapopt live:a "$pid")
tap_is "$BT_RC|$(lt_range gapopt live:a 0 1000000000 "$pid" | cut -d' ' -f4)" "0|0" \
	"the -o copy holds every event recorded, none missing ($n3 live:a)"
rdir=$(ls -d "$WORK/relay/$HOST"/gapopt-*.1 2>/dev/null | head -n 1)
nr=$(lt_bt_count "$rdir" gapoptrelay live:a "$pid")
tap_ok "$([ "$nr" -gt 0 ] && echo 1)" "the relay got the events recorded once it was back ($nr live:a)"

# 4. A relay that stops reading, under a started session.
create_relay stall
lt_sonde "start" start -s stall
lt_wait_progress one $(($(lt_progress one) + 300)) 30
kill -STOP "$RELAY_PID"
sleep 0.5
t0=$(lt_now_ms)
timeout -k 5 60 "$SONDE" destroy -s stall >"$WORK/stall.out" 2>"$WORK/stall.err" &
d=$!
sleep 0.3
t1=$(lt_now_ms)
timeout -k 5 60 "$SONDE" list >"$WORK/stall-list.out" 2>&1
lrc=$?
t2=$(lt_now_ms)
wait "$d"
drc=$?
t3=$(lt_now_ms)
tap_ok "$([ "$lrc" = 0 ] && [ $((t2 - t1)) -lt 1000 ] && echo 1)" \
	"sonde list answers at once while destroy waits on the stalled relay ($((t2 - t1)) ms, exit $lrc)"
tap_ok "$([ "$drc" = 0 ] && [ $((t3 - t0)) -lt 10000 ] && echo 1)" \
	"destroy ends within its bound ($((t3 - t0)) ms, exit $drc)" ||
	tap_diag_file "$WORK/stall.err"
tap_like "$(cat "$WORK/stall.out" "$WORK/stall.err")" "relay: 1 connection lost" \
	"  and says the relay was lost"
tap_is "$(lt_session stall)" "" "the session is gone"
kill -CONT "$RELAY_PID"
lt_app_stop one
tap_is "$APP_RC" 0 "the app exits 0"
tap_done
