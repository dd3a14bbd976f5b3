# SPDX-License-Identifier: MIT
# Helpers of the relay tests (test-relay*.sh): an lttng-relayd of the
# test's own on loopback, on free ports, writing under its own directory,
# killed by pid when the test ends.  Source after tap.sh and lib.sh (and,
# for relay_lt_init, test-live-lib.sh).

# relay_need: skip the whole test, saying why, without lttng-relayd.
relay_need() {
	RELAYD=${RELAYD:-$(command -v lttng-relayd)}
	[ -n "$RELAYD" ] && [ -x "$RELAYD" ] ||
		tap_skip_all "lttng-relayd not found (Debian package lttng-tools)"
}

RELAY_PID=

# relay_port_open PORT: 0 when something accepts on 127.0.0.1:PORT.
relay_port_open() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# relay_start DIR [PORT]: an lttng-relayd writing under DIR (made
# absolute) with control, data and live ports PORT, PORT+1, PORT+2 (a
# free random triple when PORT is not given); sets RELAY_CTRL,
# RELAY_DATA, RELAY_LIVE, RELAY_URL and RELAY_PID.  Fails after 5 tries.
relay_start() {
	local dir=$1 want=${2:-} try p i
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	for try in 1 2 3 4 5; do
		p=${want:-$((20000 + (RANDOM % 20000)))}
		if relay_port_open "$p" || relay_port_open $((p + 1)) ||
			relay_port_open $((p + 2)); then
			[ -n "$want" ] && sleep 1
			continue
		fi
		"$RELAYD" -o "$dir" -C "tcp://127.0.0.1:$p" \
			-D "tcp://127.0.0.1:$((p + 1))" \
			-L "tcp://127.0.0.1:$((p + 2))" \
			>>"$dir.log" 2>&1 &
		RELAY_PID=$!
		for i in $(seq 50); do
			kill -0 "$RELAY_PID" 2>/dev/null || break
			if relay_port_open "$p" && relay_port_open $((p + 1)) &&
				relay_port_open $((p + 2)); then
				RELAY_CTRL=$p RELAY_DATA=$((p + 1))
				RELAY_LIVE=$((p + 2))
				RELAY_URL=net://127.0.0.1:$p:$((p + 1))
				return 0
			fi
			sleep 0.1
		done
		relay_stop
	done
	return 1
}

# relay_stop [SIGNAL]: stop the relayd (TERM by default) and wait for it.
relay_stop() {
	[ -n "$RELAY_PID" ] || return 0
	kill "-${1:-TERM}" "$RELAY_PID" 2>/dev/null
	wait "$RELAY_PID" 2>/dev/null
	RELAY_PID=
}

# relay_session_dir ROOT HOST SESSION: the one directory the relay made
# for a session (ROOT/HOST/SESSION-DATE).
relay_session_dir() {
	local d
	for d in "$1/$2/$3"-*; do
		[ -d "$d" ] && { printf '%s\n' "$d"; return 0; }
	done
	return 1
}

# relay_kill: the relayd killed, even a stopped (SIGSTOP) one.
relay_kill() {
	[ -n "$RELAY_PID" ] && kill -CONT "$RELAY_PID" 2>/dev/null
	relay_stop KILL
}

# Background commands of a test (recorders, viewers) that relay_cleanup
# kills (-9) at exit: pids separated by spaces.
RELAY_KILL=

# relay_cleanup: the exit trap of relay_init: what RELAY_KILL lists
# killed, then the relayd, then the scratch directory removed (st_cleanup).
relay_cleanup() {
	local p
	for p in $RELAY_KILL; do
		kill -KILL "$p" 2>/dev/null
	done
	relay_kill
	st_cleanup
}

# relay_init NAME SONDE BT PROG: for a test of `sonde record --relay`:
# the paths (SONDE and PROG made absolute), HOST (NAME-PID, the host name
# its traces go to the relay as), skip without babeltrace2 or lttng-relayd,
# then $WORK (st_setup) and the exit trap relay_cleanup.
relay_init() {
	HOST=$1-$$ SONDE=$(st_abs "$2") BT=$3 PROG=$(st_abs "$4")
	st_need_bt
	relay_need
	st_setup
	trap relay_cleanup EXIT
}

# relay_lt_cleanup: the exit trap of relay_lt_init: the relayd killed,
# then lt_cleanup and st_cleanup.
relay_lt_cleanup() {
	relay_kill
	lt_cleanup
	st_cleanup
}

# relay_lt_init NAME SONDE BT APP RAW: for a test of daemon sessions
# streaming to a relay: HOST (NAME-PID), skip without lttng-relayd, then
# lt_init SONDE BT APP RAW with relay_lt_cleanup as the exit trap.
relay_lt_init() {
	HOST=$1-$$
	shift
	relay_need
	lt_init "$@"
	trap relay_lt_cleanup EXIT
}

# relay_progress PREFIX: the iteration test-live-app (started with
# PREFIX) last wrote to PREFIX.progress, leading zeros dropped ("" before
# it wrote one).
relay_progress() {
	sed 's/^0*//' "$1.progress" 2>/dev/null
}

# relay_view LIMIT HOST/SESSION OUT WAIT: babeltrace2's lttng-live view
# of HOST/SESSION on the relay, in the background for at most LIMIT s
# (stdout OUT.txt, stderr OUT.err; VIEWER its pid, added to RELAY_KILL);
# then wait at most WAIT s for it to show a live:a event: non-zero if it
# never did.
relay_view() {
	timeout -k 2 "$1" "$BT" --input-format=lttng-live \
		"net://127.0.0.1:$RELAY_LIVE/host/$2" >"$3.txt" 2>"$3.err" &
	VIEWER=$!
	RELAY_KILL="$RELAY_KILL $VIEWER"
	st_wait_for "$4" grep -q 'live:a' "$3.txt"
}

# relay_running REC APP: the recorder REC still runs and test-live-app
# APP (its prefix) was not told to stop.
relay_running() {
	[ ! -e "$2.stop" ] && kill -0 "$1" 2>/dev/null
}

# relay_check_lag NOW VIEW [WHILE]: a check that the viewer follows the
# app (test-live-app loop, about one iteration a ms) within 2.5 s: the
# last live:c iteration in VIEW, the viewer's output, at most 2500 behind
# NOW, the app's progress.  WHILE, if given, ends the description.
relay_check_lag() {
	local now=$1 last lag
	last=$(grep -o 'live:c: .*{ i = [0-9]*' "$2" | tail -n 1 |
		sed 's/.*i = //')
	lag=$((${now:-0} - ${last:-0}))
	tap_diag "app at iteration $now, viewer at $last"
	tap_ok "$([ -n "$last" ] && [ "$lag" -ge 0 ] && [ "$lag" -lt 2500 ] && echo 1)" \
		"the viewer follows within 2.5 s ($lag iterations behind)${3:+ $3}"
}

# relay_cmp DIR RDIR: compare each file of DIR with its namesake in RDIR
# (a diagnostic for each one that differs); CMP_SAME 1 when all are
# identical (else 0), CMP_FILES the number of files compared.
relay_cmp() {
	local f
	CMP_SAME=1 CMP_FILES=0
	for f in "$1"/*; do
		CMP_FILES=$((CMP_FILES + 1))
		cmp -s "$f" "$2/$(basename "$f")" || {
			CMP_SAME=0
			tap_diag "differs: $(basename "$f")"
		}
	done
}
