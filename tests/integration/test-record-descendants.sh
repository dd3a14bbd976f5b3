#!/bin/bash
# SPDX-License-Identifier: MIT
# test-record-descendants: `sonde record` goes on recording while processes
# the command started still run after the command itself has exited.
#  1. the command exits 3 right after a child of it exited, leaving a
#     grandchild (in the command's session, then in a session of its own)
#     that emits 1000 numbered events 300 ms later: all 1000 are in the
#     trace, none lost, the grandchild was reparented to sonde record, and
#     sonde record exits 3, the command's status;
#  2. a grandchild that never exits (a daemon): after the command exited,
#     SIGINT to sonde record ends the recording, leaves the daemon running
#     and names it; SIGTERM is forwarded to it, and ends the recording
#     when it ends the daemon; a second SIGTERM ends the recording of a
#     daemon that survives the first.
# Usage: test-record-descendants.sh SONDE BABELTRACE2 PROG
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$1 BT=$2 PROG=$3
st_need_bt
st_setup
N=1000          # DESC_N in test-descendants.c
DN=10           # DESC_DAEMON_N

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

# 1. Orphaned grandchild writing after the command exited.
for variant in "session" "setsid"; do
	name=orphan-$variant
	arg=
	[ "$variant" = setsid ] && arg=setsid
	st_record "$name" -- "$PROG" orphan 3 $arg
	tap_is "$REC_RC" 3 "$name: sonde record exits 3, the command's status" ||
		tap_diag_file "$WORK/$name.err"
	tap_is "$REC_EVENTS/$REC_LOST" "$((N + 1))/0" \
		"$name: summary counts $((N + 1)) events, 0 lost" ||
		tap_diag_file "$WORK/$name.err"
	tap_is "$(grep -c 'stopped with' "$WORK/$name.err")" 0 \
		"$name: the recording ended by itself, not stopped early"
	st_bt "$REC_DIR"
	tap_is "$BT_RC/$(wc -c <"$REC_DIR.bterr")" "0/0" "$name: babeltrace2 reads the trace without complaint" ||
		tap_diag_file "$REC_DIR.bterr" 20
	st_norm "$REC_DIR.bt" >"$WORK/$name.norm"
	got=$(awk -F'\t' "$ST_AWK_FLD"'
		$4 == "desc:ev" { if (fld($5, "seq") != n + 0) bad++; n++ }
		END { print n + 0, bad + 0 }' "$WORK/$name.norm")
	tap_is "$got" "$N 0" "$name: the grandchild's $N events present, seq 0..$((N - 1)) in order"
	# Reparented to the subreaper: its parent is the command's parent.
	sonde_pid=$(awk -F'\t' "$ST_AWK_FLD"'
		$4 == "desc:start" { print fld($5, "parent"); exit }' "$WORK/$name.norm")
	ppids=$(awk -F'\t' "$ST_AWK_FLD"'
		$4 == "desc:ev" { print fld($5, "ppid") }' "$WORK/$name.norm" | sort -u)
	tap_is "$ppids" "$sonde_pid" "$name: the orphan was reparented to sonde record (pid $sonde_pid)"
done

# run_daemon NAME DAEMON_TERM_ACTION: start sonde record on a command that
# leaves a daemon behind and exits 5; once the command is gone (reaped by
# sonde record), set SONDE_PID, CMD_PID and DAEMON_PID.  REC is the pid of
# the background job.
run_daemon() {
	local name=$1 line i
	REC_DIR=$WORK/$name
	rm -f "$WORK/fifo"
	mkfifo "$WORK/fifo" || tap_bail "mkfifo failed"
	exec 3<>"$WORK/fifo"
	timeout -k 10 60 "$SONDE" record -o "$REC_DIR" -- "$PROG" daemon "$WORK/fifo" 5 "$2" \
		>"$WORK/$name.out" 2>"$WORK/$name.err" &
	REC=$!
	SONDE_PID= CMD_PID= DAEMON_PID=
	if ! st_wait_line 3 60 line; then
		tap_diag "$name: the command never reported its pids"
		return 1
	fi
	read -r SONDE_PID CMD_PID DAEMON_PID <<<"$line"
	DAEMONS="$DAEMONS $DAEMON_PID"
	for i in $(seq 600); do
		[ -e "/proc/$CMD_PID" ] || return 0
		sleep 0.1
	done
	tap_diag "$name: the command (pid $CMD_PID) was never reaped"
	return 1
}

# rec_end NAME: wait for the background sonde record; REC_RC, summary.
rec_end() {
	wait "$REC"
	REC_RC=$?
	exec 3<&-
	st_summary "$WORK/$1.err"
}

# daemon_checks NAME: the trace reads and holds the daemon's events.
daemon_checks() {
	local name=$1 got
	tap_is "$REC_EVENTS/$REC_LOST" "$((DN + 1))/0" "$name: summary counts $((DN + 1)) events, 0 lost" ||
		tap_diag_file "$WORK/$name.err"
	st_bt "$REC_DIR"
	tap_is "$BT_RC/$(wc -c <"$REC_DIR.bterr")" "0/0" "$name: babeltrace2 reads the trace without complaint" ||
		tap_diag_file "$REC_DIR.bterr" 20
	got=$(st_norm "$REC_DIR.bt" | awk -F'\t' "$ST_AWK_FLD"'
		$4 == "desc:ev" { if (fld($5, "seq") != n + 0) bad++; n++ }
		END { print n + 0, bad + 0 }')
	tap_is "$got" "$DN 0" "$name: the daemon's $DN events present, in order"
}

# 2a. SIGINT once the command exited: stop now, the daemon keeps running.
name=daemon-int
if run_daemon "$name" die; then
	kill -INT "$SONDE_PID"
fi
rec_end "$name"
tap_is "$REC_RC" 5 "$name: SIGINT ends sonde record, which exits 5, the command's status" ||
	tap_diag_file "$WORK/$name.err"
tap_like "$(cat "$WORK/$name.err")" \
	"sonde: stopped with 1 process of the command still running \\(pid $DAEMON_PID\\)" \
	"$name: stderr names the daemon still running"
tap_ok "$([ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null && echo 1)" \
	"$name: SIGINT was not passed on: the daemon still runs"
daemon_checks "$name"

# 2b. SIGTERM once the command exited: forwarded, the daemon ends, and so
# does the recording, normally.
name=daemon-term
if run_daemon "$name" die; then
	kill -TERM "$SONDE_PID"
fi
rec_end "$name"
tap_is "$REC_RC" 5 "$name: sonde record exits 5, the command's status" ||
	tap_diag_file "$WORK/$name.err"
tap_is "$(grep -c 'stopped with' "$WORK/$name.err")" 0 \
	"$name: the recording ended with the daemon, not stopped early"
tap_ok "$([ -n "$DAEMON_PID" ] && ! [ -e "/proc/$DAEMON_PID" ] && echo 1)" \
	"$name: SIGTERM was forwarded to the daemon, which ended and was reaped"
daemon_checks "$name"

# 2c. A daemon that survives SIGTERM: the second SIGTERM stops recording.
name=daemon-term-twice
if run_daemon "$name" stay; then
	kill -TERM "$SONDE_PID"
	if st_wait_line 3 60 line && [ "$line" = term ]; then
		kill -TERM "$SONDE_PID"
	else
		tap_diag "$name: the daemon never got the first SIGTERM"
	fi
fi
rec_end "$name"
tap_is "$REC_RC" 5 "$name: the second SIGTERM ends sonde record, which exits 5" ||
	tap_diag_file "$WORK/$name.err"
tap_like "$(cat "$WORK/$name.err")" \
	"sonde: stopped with 1 process of the command still running \\(pid $DAEMON_PID\\)" \
	"$name: stderr names the daemon still running"
daemon_checks "$name"
tap_done
