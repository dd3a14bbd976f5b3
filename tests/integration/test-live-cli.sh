#!/bin/bash
# SPDX-License-Identifier: MIT
# test-live-cli: the session verbs' command line and the daemon's life.
#  - No daemon: every verb exits 1 with "no daemon running (socket PATH)".
#  - `sonde daemon` returns once it serves, says its pid and socket, holds
#    the lock; a second `sonde daemon` fails (exit 1), the first lives on.
#  - create: message, default directory $HOME/sonde-traces/NAME-DATE-TIME,
#    relative -o taken from the caller's cwd, duplicate name and bad
#    options refused; sessions lines; destroy.
#  - Unknown session, bad pattern: exit 1 with one "sonde: " message.
#  - `sonde daemon --stop` with a started session: returns once the daemon
#    is gone and its socket removed, the trace complete (every event
#    emitted before the request), the app still running; destroy of a
#    started session completes its trace too.
#  - `sonde daemon --foreground` serves as the command itself.
# Usage: test-live-cli.sh SONDE BABELTRACE2 TEST-LIVE-APP TEST-LIVE-RAW
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
. "$here/test-live-lib.sh"
lt_init "$@"

# fails DESC ARGS...: sonde ARGS... exits 1 with "sonde: " first on stderr.
fails() {
	local desc=$1
	shift
	sonde_run "$@"
	if [ "$RC" -eq 1 ] && [[ $(head -n 1 "$WORK/run.err") == "sonde: "* ]]; then
		tap_ok 1 "$desc: exit 1, $(head -n 1 "$WORK/run.err")"
	else
		tap_ok 0 "$desc: exit 1 with a 'sonde: ' message (sonde $*)"
		tap_diag "exit $RC, stderr: $ERR"
	fi
}

for v in "sessions" "list" "create x" "enable -s x live:a" "start -s x" "stop -s x" \
	"snapshot -s x" "destroy -s x" "daemon --stop"; do
	# shellcheck disable=SC2086
	sonde_run $v
	tap_ok "$([ "$RC" -eq 1 ] && [[ $ERR == *"sonde: no daemon running (socket $SOCK)"* ]] && echo 1)" \
		"no daemon: sonde $v exits 1, 'no daemon running (socket $SOCK)'" || tap_diag "exit $RC: $ERR"
done

lt_daemon_or_bail
tap_like "$(cat "$WORK/daemon.err")" "^sonde: daemon running \\(pid $DPID\\), socket $SOCK\$" \
	"sonde daemon says its pid and socket"
tap_ok "$(lt_alive "$DPID" && [ -S "$SOCK" ] && echo 1)" "the daemon runs and its socket exists"
tap_is "$(tr -d ' \n' <"$SONDE_RUNDIR/daemon.lock")" "$DPID" "daemon.lock holds its pid"
tap_is "$(stat -c %a "$SONDE_RUNDIR")" 700 "the rundir is made with mode 0700"
sonde_run sessions
tap_is "$RC/$OUT" "0/" "sonde sessions: no session yet"
timeout -k 10 60 "$SONDE" daemon >"$WORK/d2.out" 2>"$WORK/d2.err"
rc=$?
tap_is "$rc" 1 "a second sonde daemon fails with exit 1"
tap_like "$(cat "$WORK/d2.err")" "^sonde: " "  with a message"
tap_ok "$(lt_alive "$DPID" && echo 1)" "  and the first one lives on"
sonde_run sessions
tap_is "$RC" 0 "  and still answers"

# create
lt_sonde "create with the default directory" create d1
tap_like "$OUT" "^session d1 created, trace in $WORK/sonde-traces/d1-[0-9]{8}-[0-9]{6}\$" \
	"default directory is \$HOME/sonde-traces/NAME-YYYYMMDD-HHMMSS"
tap_like "$(lt_session d1)" "^d1 created discard apps=[0-9]+ events=0 lost=0 dir=$WORK/sonde-traces/d1-[0-9]{8}-[0-9]{6}\$" \
	"sonde sessions line: NAME STATE MODE apps= events= lost= dir="
mkdir -p "$WORK/sub"
(cd "$WORK/sub" && timeout -k 10 60 "$SONDE" create rel -o reltrace) >"$WORK/rel.out" 2>&1
tap_is "$?/$(cat "$WORK/rel.out")" "0/session rel created, trace in $WORK/sub/reltrace" \
	"a relative -o is relative to the caller's cwd"
lt_sonde "create with every option" create opts -o "$WORK/opts" --overwrite --subbuf-size 8192 --num-subbuf 8 --switch-timer 0
tap_like "$(lt_session opts)" "^opts created overwrite " "  shown as an overwrite session"
fails "create an existing name" create d1
fails "create without a name" create
fails "create with a bad --subbuf-size" create bad1 --subbuf-size banana
fails "create with a bad --num-subbuf" create bad2 --num-subbuf -3
fails "create with a bad --switch-timer" create bad3 --switch-timer soon
fails "create with an unknown option" create bad4 --frobnicate
tap_is "$(lt_session bad1)$(lt_session bad2)$(lt_session bad3)$(lt_session bad4)" "" \
	"  none of them created a session"

# unknown session, bad pattern
for v in "enable -s nosuch live:a" "disable -s nosuch live:a" "start -s nosuch" "stop -s nosuch" \
	"snapshot -s nosuch" "destroy -s nosuch"; do
	# shellcheck disable=SC2086
	fails "unknown session: sonde $v" $v
done
fails "bad pattern (no colon)" enable -s d1 nocolon
fails "bad pattern (empty)" enable -s d1 ""
fails "enable without a pattern" enable -s d1
fails "enable without -s" enable live:a
fails "unknown verb option" start -s d1 --frobnicate
lt_sonde "destroy" destroy -s d1
tap_is "$(lt_session d1)" "" "destroyed: gone from sonde sessions"
fails "destroyed: unknown" start -s d1

# The relative-directory session records where it said.
tap_cmd "app started" -- lt_app app -- loop "$WORK/app"
pid=$APP_PID
tap_cmd "app listed" -- lt_wait_listed "$pid"
lt_sonde "enable" enable -s rel 'live:*'
lt_sonde "start" start -s rel
lt_wait_progress app $(($(lt_progress app) + 200)) 30
lt_sonde "stop" stop -s rel
lt_bt "$WORK/sub/reltrace" rel
tap_ok "$((BT_RC == 0 && $(lt_count rel live:a "$pid") > 0))" "the trace is in the caller's relative directory"
lt_sonde "destroy" destroy -s rel

# destroy of a started session stops it first
T=$WORK/destroyed
lt_sonde "create" create ds -o "$T"
lt_sonde "enable" enable -s ds live:a
lt_sonde "start" start -s ds
lt_wait_progress app $(($(lt_progress app) + 300)) 30
P=$(lt_progress app)
lt_sonde "destroy a started session" destroy -s ds
lt_bt "$T" ds
tap_is "$BT_RC/$BT_OTHER_ERR" 0/0 "  its trace reads" || tap_diag_file "$WORK/ds.bterr" 10
read -r n f l g <<<"$(lt_range ds live:a 0 999999999999 "$pid")"
tap_ok "$((n > 0 && g == 0 && l >= P))" "  complete: $n consecutive live:a up to at least i $P, emitted before destroy (i $f..$l)"

# daemon --stop with a started session
T=$WORK/stopped
lt_sonde "create" create last -o "$T"
lt_sonde "enable" enable -s last live:b
lt_sonde "start" start -s last
lt_wait_progress app $(($(lt_progress app) + 300)) 30
P=$(lt_progress app)
sonde_run daemon --stop
tap_is "$RC" 0 "sonde daemon --stop" || tap_diag "$ERR"
lt_bt "$T" last
gone=$(lt_wait_gone "$DPID" 5 && echo 1)
tap_ok "$gone" "  the daemon has exited"
tap_ok "$([ ! -e "$SOCK" ] && echo 1)" "  its socket is removed"
tap_is "$BT_RC/$BT_OTHER_ERR" 0/0 "  the started session's trace reads" || tap_diag_file "$WORK/last.bterr" 10
read -r n f l g <<<"$(lt_range last live:b 0 999999999999 "$pid")"
tap_ok "$((n > 0 && g == 0 && l >= P))" "  complete: $n consecutive live:b up to at least i $P, emitted before the request (i $f..$l)"
tap_ok "$(lt_alive "$pid" && echo 1)" "  the app keeps running"
sonde_run sessions
tap_is "$RC" 1 "  sonde sessions: exit 1 (no daemon)"

# --foreground: the command is the daemon.
"$SONDE" daemon --foreground >"$WORK/fg.out" 2>"$WORK/fg.err" &
fg=$!
LT_DAEMONS+=("$fg")
for ((i = 0; i < 300; i++)); do
	sonde_run sessions
	[ "$RC" -eq 0 ] && break
	lt_alive "$fg" || break
	sleep 0.1
done
tap_is "$RC" 0 "sonde daemon --foreground serves" || tap_diag_file "$WORK/fg.err"
tap_is "$(tr -d ' \n' <"$SONDE_RUNDIR/daemon.lock")" "$fg" "  as the command itself (pid $fg)"
tap_cmd "  it picks the running app up" -- lt_wait_listed "$pid"
lt_sonde "  sonde daemon --stop stops it" daemon --stop
lt_wait_gone "$fg" 30 || kill -KILL "$fg"
wait "$fg"
tap_is "$?" 0 "  and it exits 0"
lt_app_stop app
tap_is "$APP_RC" 0 "the app exits 0"
tap_done
