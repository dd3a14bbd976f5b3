#!/bin/bash
# SPDX-License-Identifier: MIT
# test-live-hostile: the control protocol under hostile peers.
#  1. Raw clients send the daemon malformed frames (garbage, empty, short,
#     bad magic or version, len not matching the packet, over 64 KiB, over
#     256 strings, no NUL terminator, unknown type) and invalid commands:
#     each gets a negative REPLY (-EPROTO for malformed frames, then the
#     connection is closed) or a closed connection, never a success; 30
#     silent connections do not keep it from serving; afterwards the same
#     daemon still answers and holds no more descriptors than before.
#  2. Peer credentials (as root, with setpriv): a client running as another
#     uid gets REPLY -EACCES or a closed connection, and the daemon lives on.
#  3. A fake daemon sends a real app hostile messages (garbage, ATTACH
#     without a descriptor or with /dev/null, a directory, a pipe or memfds
#     of junk, an oversized ENABLE, ENABLE/DETACH of unknown sessions,
#     unknown types): each gets ACK < 0 (echoing seq where the header is
#     well-formed) or a closed connection; the app keeps running, keeps
#     none of the descriptors it was sent, exits 0, and after a whole
#     series is still picked up and recorded by a real daemon.
#  4. An app frozen with SIGSTOP never answers the daemon: `sonde start`
#     and `sonde stop` still return, the other app is recorded, and the
#     frozen one, resumed, runs on and exits 0.
# Usage: test-live-hostile.sh SONDE BABELTRACE2 TEST-LIVE-APP TEST-LIVE-RAW
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
. "$here/test-live-lib.sh"
lt_init "$@"

nfd() {
	find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l
}

# raw_client KIND: run the raw client; L1, L2 its two output lines.
raw_client() {
	timeout -k 5 40 "$RAW" client "$SOCK" "$1" "$WORK" >"$WORK/raw-$1.out" 2>&1
	RAW_RC=$?
	L1=$(sed -n 1p "$WORK/raw-$1.out")
	L2=$(sed -n 2p "$WORK/raw-$1.out")
}

# ---- 1. raw clients against the daemon ----------------------------------
lt_daemon_or_bail
sonde_run sessions
base=$(nfd "$DPID")
raw_client valid
tap_like "$L1" "^reply 0( |\$)" "raw client: a well-formed COMMAND gets REPLY 0 (the tool speaks the protocol)" ||
	tap_diag_file "$WORK/raw-valid.out"

not71=
for k in garbage zero short badmagic badversion lenbig lensmall lenhuge nonul huge many \
	type0 type99; do
	raw_client "$k"
	if [ "$L1" = closed ] || { [[ $L1 =~ ^reply\ -[0-9]+ ]] && [ "$L2" = closed ]; }; then
		tap_ok 1 "malformed '$k': $L1${L2:+, then $L2}"
	else
		tap_ok 0 "malformed '$k': negative REPLY and close, or close (rc $RAW_RC)"
		tap_diag_file "$WORK/raw-$k.out"
	fi
	[[ $L1 =~ ^reply\  ]] && ! [[ $L1 =~ ^reply\ -71( |$) ]] && not71="$not71 $k($L1)"
	lt_alive "$DPID" || { tap_ok 0 "the daemon survives '$k'"; tap_bail "daemon died"; }
done
tap_is "$not71" "" "malformed frames that got a REPLY got -71 (EPROTO)"

for k in nostrings noverb emptyverb badverb longverb longname; do
	raw_client "$k"
	tap_ok "$([ "$L1" = closed ] || [[ $L1 =~ ^reply\ -[0-9]+ ]] && echo 1)" \
		"invalid command '$k': negative REPLY or close ($L1)" || tap_diag_file "$WORK/raw-$k.out"
done
for k in withfd reply ack attach; do
	raw_client "$k"
	tap_ok "$([ "$RAW_RC" -eq 0 ] && ! [[ $L1 =~ ^reply\ 0 && $k != withfd ]] && lt_alive "$DPID" && echo 1)" \
		"unexpected '$k' from a client: no success, daemon alive ($L1)"
done
timeout -k 5 60 "$RAW" silent "$SOCK" 30 8 >"$WORK/silent.out" 2>&1 &
silent=$!
sleep 1
sonde_run sessions
tap_is "$RC" 0 "30 silent connections open: the daemon still answers"
wait "$silent"
tap_is "$(cat "$WORK/silent.out")" "held 30" "  (all 30 were connected)"
sonde_run sessions
tap_is "$RC" 0 "after every hostile client: sonde sessions works"
tap_is "$(tr -d ' \n' <"$SONDE_RUNDIR/daemon.lock")" "$DPID" "  same daemon (pid $DPID)"
for ((i = 0; i < 100; i++)); do
	[ "$(nfd "$DPID")" -le $((base + 2)) ] && break
	sleep 0.1
done
tap_ok "$(($(nfd "$DPID") <= base + 2))" "  it holds no leftover descriptors ($base before, $(nfd "$DPID") after)"

# ---- 2. peer credentials --------------------------------------------------
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	cp "$RAW" "$WORK/raw-other" && chmod 0755 "$WORK/raw-other"
	chmod 0711 "$WORK" "$SONDE_RUNDIR" && chmod 0777 "$SOCK"
	timeout -k 5 40 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$WORK/raw-other" client "$SOCK" valid / >"$WORK/other.out" 2>&1
	L1=$(sed -n 1p "$WORK/other.out")
	chmod 0700 "$SONDE_RUNDIR" "$WORK"
	tap_ok "$([[ $L1 =~ ^reply\ -13( |$) ]] || [ "$L1" = closed ] && echo 1)" \
		"a client of another uid gets REPLY -13 or a closed connection ($L1)" ||
		tap_diag_file "$WORK/other.out"
	sonde_run sessions
	tap_ok "$([ "$RC" -eq 0 ] && lt_alive "$DPID" && echo 1)" "  and the daemon still serves its own user"
else
	tap_ok 1 "# SKIP peer credentials: needs root and setpriv"
fi
lt_sonde "the daemon stops" daemon --stop

# ---- 3. a fake daemon against a real app ---------------------------------
strict=(garbage zero short badmagic badversion lenbig lenhuge nonul many enable-huge
	enable-long enable-unknown detach-unknown unknown-type attach-nofd attach-devnull
	attach-dir attach-pipe attach-junk attach-zeros attach-empty attach-big attach-2fds)

# fake NAME MSG...: fake daemon sending MSG... to a fresh app NAME; its
# output in $WORK/fake-NAME.out.  Returns with the app still running.
fake() {
	local name=$1 fpid i
	shift
	rm -f "$SOCK"
	timeout -k 5 300 "$RAW" fake "$SONDE_RUNDIR" "$@" >"$WORK/fake-$name.out" 2>&1 &
	fpid=$!
	for ((i = 0; i < 100; i++)); do
		grep -q '^listening' "$WORK/fake-$name.out" && break
		sleep 0.1
	done
	lt_app "$name" -- loop "$WORK/$name" || tap_diag "app $name did not start"
	wait "$fpid"
}

# answered MSG FILE: MSG's outcome in FILE is ACK < 0 (with its own seq
# where the message is well-formed) or a close.  An unknown type counts as
# malformed, as the protocol groups them.
answered() {
	local line
	line=$(grep -E "^$1 " "$2" | head -n 1)
	case $line in
	"$1 closed") return 0 ;;
	"$1 ack -"*)
		case $1 in
		enable-long | enable-unknown | detach-unknown | attach-* | unknown-type)
			set -- $line
			[ "$4" = "$5" ] ;;
		*) return 0 ;;
		esac ;;
	*) return 1 ;;
	esac
}

for m in "${strict[@]}" daemon-hello; do
	fake "f-$m" "$m"
	out=$WORK/fake-f-$m.out
	pid=$APP_PID
	hello=$(grep -E '^hello ' "$out")
	if [ "$m" = daemon-hello ]; then
		tap_ok "$(grep -qE '^daemon-hello (ack|closed|noack)' "$out" && echo 1)" \
			"app: a HELLO from the daemon is ignored or refused ($(grep '^daemon-hello ' "$out"))"
	else
		tap_ok "$(answered "$m" "$out" && echo 1)" "app: '$m' gets ACK < 0 or a close ($(grep -E "^$m " "$out"))" ||
			tap_diag_file "$out"
	fi
	if [ "$m" = garbage ]; then
		tap_like "$hello" "^hello $pid test-live-app\$" "app: its HELLO carries its pid and name"
		ev=$(grep '^events' "$out")
		tap_ok "$([[ $ev == *" live:a"* && $ev == *" live:b"* && $ev == *" live:c"* ]] && echo 1)" \
			"app: its EVENTS messages name live:a, live:b, live:c ($ev)"
	fi
	sleep 0.2
	alive=$(lt_alive "$pid" && echo 1)
	leaked=$(sed -n 's/^leaked //p' "$out")
	lt_app_stop "f-$m"
	tap_ok "$([ "$alive" = 1 ] && [ "$APP_RC" = 0 ] && [ "${leaked:-0}" = 0 ] && echo 1)" \
		"app: survives '$m', exits 0, keeps no descriptor sent to it (exit $APP_RC, leaked ${leaked:-?})"
done

# The whole series on one connection (the app may close it and connect
# again), then a real daemon records the same app.
fake series "${strict[@]}"
pid=$APP_PID
out=$WORK/fake-series.out
bad=
for m in "${strict[@]}"; do
	grep -qE "^$m untested" "$out" && continue
	answered "$m" "$out" || bad="$bad $m"
done
tap_is "$bad" "" "series: every message delivered got ACK < 0 or a close" || tap_diag_file "$out" 60
tap_diag "series: $(grep -c ' untested$' "$out") messages untested, $(grep -c '^reconnected' "$out") reconnections"
tap_is "$(sed -n 's/^leaked //p' "$out")" 0 "series: the app keeps no descriptor sent to it"
tap_ok "$(lt_alive "$pid" && echo 1)" "series: the app is running"
rm -f "$SOCK"
lt_daemon_or_bail
tap_cmd "series: a real daemon then picks the app up" -- lt_wait_listed "$pid"
lt_sonde "create" create after -o "$WORK/after"
lt_sonde "enable" enable -s after live:c
P=$(lt_progress series)
lt_sonde "start" start -s after
lt_wait_progress series $((P + 200)) 30
lt_sonde "stop" stop -s after
lt_bt "$WORK/after" after
read -r n f l g <<<"$(lt_range after live:c 0 999999999999 "$pid")"
tap_ok "$((BT_RC == 0 && n > 0 && g == 0 && f > P))" "series: and records it ($n consecutive live:c, i $f..$l)"
lt_app_stop series
tap_is "$APP_RC" 0 "series: the app exits 0"

# ---- 4. a frozen app ----------------------------------------------------
tap_cmd "frozen: app started" -- lt_app ice -- loop "$WORK/ice"
ice=$APP_PID
tap_cmd "frozen: another app started" -- lt_app warm -- loop "$WORK/warm"
warm=$APP_PID
tap_cmd "frozen: both listed" -- lt_wait_listed "$ice"
lt_wait_listed "$warm"
kill -STOP "$ice"
lt_sonde "frozen: create" create ice -o "$WORK/ice-trace"
lt_sonde "frozen: enable" enable -s ice live:a
P=$(lt_progress warm)
timeout -k 5 60 "$SONDE" start -s ice >"$WORK/ice-start.out" 2>&1
rc=$?
tap_ok "$([ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] && echo 1)" "frozen: sonde start returns (exit $rc)" ||
	tap_diag_file "$WORK/ice-start.out"
lt_wait_progress warm $((P + 200)) 30
timeout -k 5 60 "$SONDE" stop -s ice >"$WORK/ice-stop.out" 2>&1
rc=$?
tap_ok "$([ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] && echo 1)" "frozen: sonde stop returns (exit $rc)" ||
	tap_diag_file "$WORK/ice-stop.out"
lt_bt "$WORK/ice-trace" ice
read -r n f l g <<<"$(lt_range ice live:a 0 999999999999 "$warm")"
tap_ok "$((BT_RC == 0 && n > 0 && g == 0 && f > P))" "frozen: the other app is recorded ($n consecutive live:a, i $f..$l)"
sonde_run sessions
tap_is "$RC" 0 "frozen: the daemon still answers"
kill -CONT "$ice"
P=$(lt_progress ice)
tap_cmd "frozen: resumed, the app runs on" -- lt_wait_progress ice $((P + 100)) 30
for a in ice warm; do
	lt_app_stop $a
	tap_is "$APP_RC" 0 "frozen: app $a exits 0"
done
tap_done
