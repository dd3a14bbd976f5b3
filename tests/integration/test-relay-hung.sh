#!/bin/bash
# SPDX-License-Identifier: MIT
# test-relay-hung: the relay replaced mid-trace by one that accepts
# connections and never answers (relay-hung.py on the relayd's ports), so
# that every reconnection attempt connects and then waits on a reply that
# never comes; skipped without lttng-relayd.  Neither the recorder nor the
# daemon may wait on it:
#  1. `sonde record --relay -o DIR` of an app emitting ~3000 events/s
#     into small buffers (64 kB on its one CPU: full in well under a
#     second if nobody drains them): the recording keeps draining while
#     it retries, so the local copy holds every event (0 lost, babeltrace2
#     counts every one the app emitted), reconnection is attempted
#     (each attempt given up after its bound), and the command ends
#     promptly after the app;
#  2. a daemon session (`sonde create --relay -o`) whose relay is so
#     replaced: `sonde sessions` from another client answers within 500 ms,
#     every time, while the daemon retries; destroy answers promptly and
#     says the relay was lost;
#  3. a relayd that stops reading (SIGSTOP) before a daemon session's
#     first start, which adds its streams: `sonde sessions` answers within
#     500 ms meanwhile; once the relayd goes on (SIGCONT), the streams are
#     added and the trace reaches it;
#  4. `sonde create --relay` to a relay that accepts and never answers:
#     it fails within its bound, saying why, and `sonde sessions` answers
#     within 500 ms meanwhile.
# Every wait is bounded.
# Usage: test-relay-hung.sh SONDE BABELTRACE2 TEST-LIVE-APP TEST-LIVE-RAW
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
. "$here/test-live-lib.sh"
. "$here/relay-lib.sh"
relay_lt_init hung "$@"
command -v python3 >/dev/null || tap_skip_all "python3 not found"
HUNG_PID=
hung_stop() {
	[ -n "$HUNG_PID" ] || return 0
	kill -KILL "$HUNG_PID" 2>/dev/null
	wait "$HUNG_PID" 2>/dev/null
	HUNG_PID=
}
trap 'hung_stop; relay_lt_cleanup' EXIT

# hung_start TAG CTRL DATA: the relayd killed, relay-hung.py on its
# control and data ports (within 10 s); accepts counted in $WORK/TAG.acc.
hung_start() {
	local i
	relay_stop KILL
	rm -f "$WORK/$1.ready"
	: >"$WORK/$1.acc"
	python3 "$here/relay-hung.py" "$WORK/$1.acc" "$WORK/$1.ready" "$2" "$3" \
		2>"$WORK/$1.hung.err" &
	HUNG_PID=$!
	for ((i = 0; i < 100; i++)); do
		[ -e "$WORK/$1.ready" ] && return 0
		lt_alive "$HUNG_PID" || break
		sleep 0.1
	done
	tap_diag_file "$WORK/$1.hung.err"
	return 1
}

# accepts PORT TAG: connections the hung relay (TAG) accepted on PORT.
accepts() { grep -c "^$1\$" "$WORK/$2.acc"; }

# 1. sonde record.
relay_start "$WORK/relay" || tap_bail "cannot start lttng-relayd"
ctrl=$RELAY_CTRL data=$RELAY_DATA
timeout -k 5 120 "$SONDE" record --relay "$RELAY_URL" \
	--relay-hostname "$HOST" --relay-session rec --live-timer 200 \
	--relay-retries 30 --subbuf-size 16k --num-subbuf 4 \
	-o "$WORK/rec" -- "$APP" loop "$WORK/app" pin \
	>"$WORK/rec.out" 2>"$WORK/rec.err" &
rec=$!
for ((i = 0; i < 200; i++)); do
	[ "$(lt_progress app)" -ge 300 ] && break
	sleep 0.1
done
tap_ok "$([ "$(lt_progress app)" -ge 300 ] && echo 1)" "record: the app runs"
hung_start rec "$ctrl" "$data" || tap_bail "cannot start the hung relay"
sleep 6
n=$(accepts "$ctrl" rec)
tap_ok "$([ "$n" -ge 2 ] && echo 1)" \
	"record: reconnection is attempted meanwhile ($n connections in 6 s)"
: >"$WORK/app.stop"
t0=$(lt_now_ms)
wait "$rec"
rc=$?
dt=$(($(lt_now_ms) - t0))
tap_is "$rc" 0 "record exits 0"
tap_ok "$([ "$dt" -lt 3000 ] && echo 1)" "record ends promptly after the app ($dt ms)"
st_summary "$WORK/rec.err"
emitted=$(sed -nE 's/^emitted ([0-9]+)$/\1/p' "$WORK/rec.out")
nb=$(timeout 60 "$BT" "$WORK/rec" 2>/dev/null | grep -c 'live:')
tap_ok "$([ -n "$emitted" ] && [ "$REC_LOST" = 0 ] &&
	[ "$REC_EVENTS" = "$nb" ] && [ "$nb" = $((emitted * 3)) ] && echo 1)" \
	"record: the local copy holds every event ($nb read, $REC_EVENTS recorded, $REC_LOST lost, $((${emitted:-0} * 3)) emitted)"
tap_like "$(cat "$WORK/rec.err")" "relay: 1 connection lost, 0 reconnections" \
	"record: the loss is said"
tap_diag_file "$WORK/rec.err" 6
hung_stop

# 2. A daemon session.
relay_start "$WORK/relay" || tap_bail "cannot start lttng-relayd"
ctrl=$RELAY_CTRL data=$RELAY_DATA
lt_daemon_or_bail
tap_cmd "app started" -- lt_app one -- loop "$WORK/one"
pid=$APP_PID
tap_cmd "app listed" -- lt_wait_listed "$pid"
lt_sonde "create --relay -o" create hs --relay "$RELAY_URL" \
	--relay-hostname "$HOST" -o "$WORK/hs" --live-timer 200
lt_sonde "enable" enable -s hs 'live:*'
lt_sonde "start" start -s hs
lt_wait_progress one $(($(lt_progress one) + 300)) 30
hung_start daemon "$ctrl" "$data" || tap_bail "cannot start the hung relay"
sleep 1
lt_time_sessions 10 0.4
n=$(accepts "$ctrl" daemon)
tap_ok "$([ "$n" -ge 2 ] && echo 1)" \
	"daemon: reconnection is attempted meanwhile ($n connections)"
tap_ok "$([ "$LT_WORST" -lt 500 ] && echo 1)" \
	"daemon: sonde sessions answers within 500 ms every time (ms:$LT_TIMES)"
lt_sonde "stop" stop -s hs
t0=$(lt_now_ms)
lt_sonde "destroy" destroy -s hs
dt=$(($(lt_now_ms) - t0))
tap_ok "$([ "$dt" -lt 3000 ] && echo 1)" "daemon: destroy answers promptly ($dt ms)"
tap_like "$OUT$ERR" "relay: 1 connection lost, 0 reconnections" \
	"daemon: destroy says the relay was lost"
lt_bt "$WORK/hs" hs
tap_is "$BT_RC|$(lt_range hs live:a 0 1000000000 "$pid" | cut -d' ' -f4)" "0|0" \
	"daemon: the -o copy holds every event recorded, none missing"
hung_stop

# 3. A relay that stops reading (SIGSTOP) before a daemon session's first
# start, which adds the session's streams on the live connection: other
# clients are answered meanwhile; once the relay goes on, the streams are
# added and the trace reaches it.
relay_start "$WORK/relay" || tap_bail "cannot start lttng-relayd"
lt_sonde "create --relay -o" create st --relay "$RELAY_URL" \
	--relay-hostname "$HOST" -o "$WORK/st" --live-timer 200
lt_sonde "enable" enable -s st 'live:*'
kill -STOP "$RELAY_PID"
timeout -k 5 60 "$SONDE" start -s st >"$WORK/start.out" 2>"$WORK/start.err" &
sp=$!
sleep 0.2
lt_time_sessions 6 0.2
wait "$sp"
tap_is "$?" 0 "stalled: start exits 0" || tap_diag_file "$WORK/start.err"
tap_ok "$([ "$LT_WORST" -lt 500 ] && echo 1)" \
	"stalled: sonde sessions answers within 500 ms every time while the streams wait on the relay (ms:$LT_TIMES)"
sleep 0.5
kill -CONT "$RELAY_PID"
lt_wait_progress one $(($(lt_progress one) + 500)) 30
lt_sonde "stop" stop -s st
lt_sonde "destroy" destroy -s st
tap_like "$OUT$ERR" "relay $RELAY_URL: [1-9][0-9]* packets .* sent as $HOST/st-[0-9-]*," \
	"stalled: the packets went to the relay once it went on"
rdir=$(relay_session_dir "$WORK/relay" "$HOST" st)
nr=$(lt_bt_count "$rdir" strelay live:a "$pid")
lt_bt "$WORK/st" st
no=$(lt_count st live:a "$pid")
tap_ok "$([ "$nr" -gt 0 ] && [ "$nr" = "$no" ] && echo 1)" \
	"stalled: the relay's copy holds every event of the -o copy ($nr and $no live:a)"
relay_stop

# 4. `sonde create --relay` to a relay that accepts and never answers:
# the create fails after its bound, saying why, and other clients are
# answered meanwhile.
relay_start "$WORK/relay" || tap_bail "cannot start lttng-relayd"
url=$RELAY_URL
hung_start create "$RELAY_CTRL" "$RELAY_DATA" ||
	tap_bail "cannot start the hung relay"
t0=$(lt_now_ms)
timeout -k 5 60 "$SONDE" create hc --relay "$url" -o "$WORK/hc" \
	>"$WORK/create.out" 2>"$WORK/create.err" &
cp=$!
sleep 0.2
lt_time_sessions 6 0.2
wait "$cp"
crc=$?
dt=$(($(lt_now_ms) - t0))
tap_ok "$([ "$LT_WORST" -lt 500 ] && echo 1)" \
	"create: sonde sessions answers within 500 ms every time while create waits on the hung relay (ms:$LT_TIMES)"
tap_ok "$([ "$crc" -ne 0 ] && [ "$dt" -lt 10000 ] && echo 1)" \
	"create: it fails within its bound (exit $crc, $dt ms)"
tap_like "$(cat "$WORK/create.err")" "cannot create session hc: .*(timed out|Connection timed out)" \
	"create: saying the relay did not answer"
tap_is "$(lt_session hc)" "" "create: no session hc is left"
hung_stop
lt_app_stop one
tap_is "$APP_RC" 0 "the app exits 0"
tap_done
