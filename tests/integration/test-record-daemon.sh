#!/bin/bash
# SPDX-License-Identifier: MIT
# test-record-daemon: `sonde record` records a command that daemonizes, as
# servers do (sonde-record.1, "the processes of the command"):
#  1. daemon(3), the command exiting at once, then $N events over 200 ms
#     from the daemon: every one of them in the trace (exact count, each
#     sequence number once, in order), 0 lost, in each of $RUNS runs
#     (before sonde record was a subreaper, 7 to 10 runs of 10 lost them);
#     the same through a double fork with setsid, and through a daemon
#     that executes its server after daemon(3);
#  2. the exit status is the command's (0 for daemon(3)'s parent, STATUS
#     for the double fork), never the daemon's (4);
#  3. a grandchild still running when the command exits, killed later by
#     SIGKILL: the recording ends by itself, with its events;
#  4. a daemon that never exits and emits all the time: SIGINT to sonde
#     record ends the recording and leaves the daemon running, SIGTERM is
#     passed to the daemon and ends both; either way the trace reads whole:
#     the events from seq 0 on without a gap, what is lost counted;
#  5. the same daemon while the command still runs: one interrupt from the
#     terminal (SIGINT to sonde record's process group) ends the command,
#     then the recording; one SIGTERM to sonde record ends the command,
#     then the daemon, then the recording.
# Usage: test-record-daemon.sh SONDE BABELTRACE2 PROG
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$1 BT=$2 PROG=$(st_abs "$3")
st_need_bt
st_setup
N=1000
RUNS=${RECORD_DAEMON_RUNS:-10}

# Daemons still running when the test ends are killed.
DAEMONS=
end_test() {
	local p
	for p in $DAEMONS; do
		kill -KILL "$p" 2>/dev/null
	done
	st_cleanup
}
trap end_test EXIT

# seqs NAME: "COUNT GAPS LAST" of the desc:ev events of $WORK/NAME's
# babeltrace2 text: a gap is an event whose seq is not the one after the
# previous event's (starting at 0).
seqs() {
	st_norm "$WORK/$1.bt" | awk -F'\t' "$ST_AWK_FLD"'
		$4 == "desc:ev" { s = fld($5, "seq"); if (s != n + 0) bad++; n++; last = s }
		END { print n + 0, bad + 0, (n ? last : -1) }'
}

# runs NAME EXPECTED_RC PROG ARGS...: record $RUNS times; one check for
# all of them, naming each run that lost or misnumbered an event.
runs() {
	local name=$1 want=$2 i failed=0 got why
	shift 2
	for i in $(seq "$RUNS"); do
		st_record "$name-$i" -- "$@"
		why=
		[ "$REC_RC" = "$want" ] || why="$why exit $REC_RC;"
		[ "$REC_EVENTS/$REC_LOST" = "$N/0" ] ||
			why="$why summary $REC_EVENTS/$REC_LOST;"
		st_bt "$REC_DIR"
		[ "$BT_RC/$(wc -c <"$REC_DIR.bterr")" = "0/0" ] ||
			why="$why babeltrace2 $BT_RC;"
		got=$(seqs "$name-$i")
		[ "$got" = "$N 0 $((N - 1))" ] || why="$why events/gaps/last $got;"
		if [ -n "$why" ]; then
			failed=$((failed + 1))
			tap_diag "$name run $i:$why"
			tap_diag_file "$WORK/$name-$i.err" 5
		fi
	done
	tap_is "$failed" 0 "$name: $N of $N events, each seq once, in order, 0 lost, exit $want, in each of $RUNS runs"
}

# 1, 2. Daemons that exit by themselves.
runs daemon 0 "$PROG" daemon "$N" 200
runs double 7 "$PROG" double 7 "$N" 200
RUNS=3 runs daemon-exec 0 "$PROG" daemon-exec "$N" 200

# start NAME PROG ARGS...: sonde record in the background (REC, its pid)
# on a command that writes its daemon's pid to $WORK/fifo (read from fd 3);
# DAEMON_PID once it did.  1 if it never did.  With WRAP=setsid, sonde
# record leads a process group of its own, as a terminal's job would.
start() {
	local name=$1 line
	shift
	REC_DIR=$WORK/$name
	rm -f "$WORK/fifo"
	mkfifo "$WORK/fifo" || tap_bail "mkfifo failed"
	exec 3<>"$WORK/fifo"
	${WRAP:-} "$SONDE" record -o "$REC_DIR" -- "$@" \
		>"$WORK/$name.out" 2>"$WORK/$name.err" &
	REC=$!
	DAEMON_PID=
	if ! st_wait_line 3 60 line; then
		tap_diag "$name: the command never reported its daemon's pid"
		return 1
	fi
	read -r DAEMON_PID _ <<<"$line"
	DAEMONS="$DAEMONS $DAEMON_PID"
}

# finish NAME: wait (at most 30 s) for the background sonde record; REC_RC
# (124 if it had to be killed), summary; the trace through babeltrace2.
finish() {
	local i
	for i in $(seq 300); do
		[ -e "/proc/$REC" ] && ! grep -q '^State:.*Z' "/proc/$REC/status" 2>/dev/null ||
			break
		sleep 0.1
	done
	if [ -e "/proc/$REC" ] && ! grep -q '^State:.*Z' "/proc/$REC/status" 2>/dev/null; then
		tap_diag "$1: sonde record did not end within 30 s"
		kill -KILL "$REC"
		wait "$REC"
		REC_RC=124
	else
		wait "$REC"
		REC_RC=$?
	fi
	exec 3<&-
	st_summary "$WORK/$1.err"
	st_bt "$REC_DIR"
}

# whole NAME: the trace of a daemon stopped while it emitted reads whole.
whole() {
	local name=$1 count gaps last
	tap_is "$BT_RC/$BT_OTHER_ERR" "0/0" "$name: babeltrace2 reads the trace without error" ||
		tap_diag_file "$REC_DIR.bterr" 20
	read -r count gaps last <<<"$(seqs "$name")"
	tap_is "$gaps" 0 "$name: the daemon's $count events run from seq 0 to $last without a gap"
	tap_ok "$([ "$count" -ge 100 ] && echo 1)" \
		"$name: at least 100 events recorded ($count)"
	tap_is "$REC_EVENTS" "$count" "$name: the summary counts the $count events of the trace" ||
		tap_diag_file "$WORK/$name.err"
	tap_is "$REC_LOST" "$BT_DISCARDED" "$name: the summary's lost events ($REC_LOST) are those the trace says were discarded"
}

# 3. A grandchild left running, then killed by SIGKILL.
name=killed
if start "$name" "$PROG" killed "$WORK/fifo" 6 "$N"; then
	sleep 0.2
	tap_ok "$(kill -0 "$REC" 2>/dev/null && echo 1)" \
		"$name: sonde record goes on recording after the command exited"
	kill -KILL "$DAEMON_PID"
fi
finish "$name"
tap_is "$REC_RC" 6 "$name: sonde record ends by itself and exits 6, the command's status" ||
	tap_diag_file "$WORK/$name.err"
tap_is "$(grep -c 'stopped with' "$WORK/$name.err")" 0 \
	"$name: the recording ended by itself, not stopped early"
tap_is "$REC_EVENTS/$REC_LOST" "$N/0" "$name: summary counts $N events, 0 lost" ||
	tap_diag_file "$WORK/$name.err"
tap_is "$BT_RC/$(wc -c <"$REC_DIR.bterr")" "0/0" "$name: babeltrace2 reads the trace without complaint" ||
	tap_diag_file "$REC_DIR.bterr" 20
tap_is "$(seqs "$name")" "$N 0 $((N - 1))" "$name: its $N events, each seq once, in order"

# 4a. A daemon emitting all the time; SIGINT stops the recording.
name=forever-int
if start "$name" "$PROG" forever "$WORK/fifo"; then
	sleep 0.3
	kill -INT "$REC"
fi
finish "$name"
tap_is "$REC_RC" 0 "$name: SIGINT ends sonde record, which exits 0, the command's status" ||
	tap_diag_file "$WORK/$name.err"
tap_like "$(cat "$WORK/$name.err")" \
	"sonde: stopped with 1 process of the command still running \\(pid $DAEMON_PID\\)" \
	"$name: stderr names the daemon still running"
tap_ok "$([ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null && echo 1)" \
	"$name: SIGINT was not passed on: the daemon still runs"
whole "$name"

# 4b. The same daemon; SIGTERM goes to it, and its end ends the recording.
name=forever-term
if start "$name" "$PROG" forever "$WORK/fifo"; then
	sleep 0.3
	kill -TERM "$REC"
fi
finish "$name"
tap_is "$REC_RC" 0 "$name: sonde record exits 0, the command's status" ||
	tap_diag_file "$WORK/$name.err"
tap_is "$(grep -c 'stopped with' "$WORK/$name.err")" 0 \
	"$name: the recording ended with the daemon, not stopped early"
tap_ok "$([ -n "$DAEMON_PID" ] && ! [ -e "/proc/$DAEMON_PID" ] && echo 1)" \
	"$name: SIGTERM was passed to the daemon, which ended and was reaped"
whole "$name"
tap_ok "$([ "${REC_LOST:-9}" -le 1 ] && echo 1)" \
	"$name: at most the one event being written when SIGTERM came is lost ($REC_LOST)"

# 5a. The command runs on beside the daemon; the terminal's interrupt.
name=busy-int
if WRAP=setsid start "$name" "$PROG" busy "$WORK/fifo"; then
	sleep 0.3
	kill -INT -- "-$REC"
fi
finish "$name"
tap_is "$REC_RC" 130 "$name: one interrupt ends the command and the recording; sonde record exits 130, the command's status" ||
	tap_diag_file "$WORK/$name.err"
tap_like "$(cat "$WORK/$name.err")" \
	"sonde: stopped with 1 process of the command still running \\(pid $DAEMON_PID\\)" \
	"$name: stderr names the daemon still running"
tap_ok "$([ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null && echo 1)" \
	"$name: the daemon, in a session of its own, still runs"
whole "$name"

# 5b. The same; one SIGTERM to sonde record alone.
name=busy-term
if start "$name" "$PROG" busy "$WORK/fifo"; then
	sleep 0.3
	kill -TERM "$REC"
fi
finish "$name"
tap_is "$REC_RC" 143 "$name: one SIGTERM ends the command, its daemon and the recording; sonde record exits 143, the command's status" ||
	tap_diag_file "$WORK/$name.err"
tap_is "$(grep -c 'stopped with' "$WORK/$name.err")" 0 \
	"$name: the recording ended with the daemon, not stopped early"
tap_ok "$([ -n "$DAEMON_PID" ] && ! [ -e "/proc/$DAEMON_PID" ] && echo 1)" \
	"$name: SIGTERM reached the daemon once the command had exited"
whole "$name"
tap_done
