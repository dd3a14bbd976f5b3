# SPDX-License-Identifier: MIT
# Shared helpers of the live-control tests (test-live*.sh): a private
# daemon per test, test-live-app instances started and stopped through
# their PREFIX.* files, `sonde list` polling, and babeltrace2 output turned
# into one line per event.  Source after tap.sh and lib.sh, then call
#	lt_init SONDE BABELTRACE2 APP RAW
# Every wait is a polling loop with a generous bound: nothing here assumes
# how fast a loaded machine is.

# lt_init SONDE BT APP RAW: paths, scratch directory, private rundir and
# HOME, and the exit trap that stops daemons and apps.
lt_init() {
	SONDE=$(st_abs "$1") BT=$(st_abs "$2") APP=$(st_abs "$3") RAW=$(st_abs "$4")
	st_need_bt
	st_setup
	export SONDE_RUNDIR=$WORK/run HOME=$WORK
	unset XDG_RUNTIME_DIR SONDE_SHM SONDE_DAEMON SONDE_CLOCK
	SOCK=$SONDE_RUNDIR/sonde.sock
	LT_DAEMONS=()
	declare -gA LT_PID=()
	trap 'lt_cleanup; st_cleanup' EXIT
}

# lt_add_daemon: in a test set up by st_setup (SONDE set), a private run
# directory, HOME and daemon as lt_init makes them, and lt_init's exit trap.
lt_add_daemon() {
	SONDE=$(st_abs "$SONDE")
	export SONDE_RUNDIR=$WORK/run HOME=$WORK
	unset XDG_RUNTIME_DIR SONDE_SHM SONDE_DAEMON
	SOCK=$SONDE_RUNDIR/sonde.sock
	LT_DAEMONS=()
	declare -gA LT_PID=()
	trap 'lt_cleanup; st_cleanup' EXIT
	lt_daemon_or_bail
}

# lt_cleanup: stop every app started, stop the daemon, kill what is left.
lt_cleanup() {
	local name pid
	for name in "${!LT_PID[@]}"; do
		: >"$WORK/$name.stop" 2>/dev/null
	done
	for name in "${!LT_PID[@]}"; do
		lt_wait_gone "${LT_PID[$name]}" 5 || kill -KILL "${LT_PID[$name]}" 2>/dev/null
	done
	if [ -S "$SOCK" ]; then
		kill -CONT "${LT_DAEMONS[@]}" 2>/dev/null
		timeout -k 5 20 "$SONDE" daemon --stop >/dev/null 2>&1
	fi
	for pid in "${LT_DAEMONS[@]}"; do
		lt_is_sonde "$pid" || continue
		kill -CONT "$pid" 2>/dev/null
		lt_alive "$pid" && kill -KILL "$pid" 2>/dev/null
	done
	# Whatever else this shell started (raw clients, fake daemons).
	for pid in $(jobs -p); do
		kill -KILL "$pid" 2>/dev/null
	done
	wait 2>/dev/null
}

# lt_alive PID: the process exists and is not a zombie.
lt_alive() {
	local st
	st=$(sed -E 's/^.*\) ([A-Za-z]).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# lt_is_sonde PID: PID is a live sonde process (not a recycled pid).
lt_is_sonde() {
	lt_alive "$1" && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = sonde ]
}

# lt_wait_gone PID SECONDS: wait until PID is gone (or a zombie).
lt_wait_gone() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		lt_alive "$1" || return 0
		sleep 0.1
	done
	! lt_alive "$1"
}

# sonde_run ARGS...: run sonde; RC, OUT (stdout), ERR (stderr).
sonde_run() {
	timeout -k 10 60 "$SONDE" "$@" >"$WORK/run.out" 2>"$WORK/run.err"
	RC=$?
	OUT=$(cat "$WORK/run.out")
	ERR=$(cat "$WORK/run.err")
}

# lt_sonde DESC ARGS...: a check that `sonde ARGS...` exits 0.
lt_sonde() {
	local desc=$1
	shift
	sonde_run "$@"
	tap_is "$RC" 0 "$desc (sonde $*)" || tap_diag "$ERR"
}

# lt_daemon: `sonde daemon`; DRC its exit status, DPID the pid it printed.
lt_daemon() {
	timeout -k 10 60 "$SONDE" daemon >"$WORK/daemon.out" 2>"$WORK/daemon.err"
	DRC=$?
	DPID=$(sed -nE 's/^sonde: daemon running \(pid ([0-9]+)\).*/\1/p' "$WORK/daemon.err" | tail -n 1)
	[ -n "$DPID" ] && LT_DAEMONS+=("$DPID")
	[ "$DRC" -eq 0 ] && [ -n "$DPID" ]
}

# lt_daemon_or_bail: lt_daemon as a check; nothing else can be tested
# without a daemon.
lt_daemon_or_bail() {
	lt_daemon
	if ! tap_ok "$([ "$DRC" -eq 0 ] && [ -n "$DPID" ] && echo 1)" \
		"sonde daemon starts (exit $DRC, pid ${DPID:-?})"; then
		tap_diag_file "$WORK/daemon.err"
		tap_bail "no daemon"
	fi
}

# lt_app NAME [VAR=VALUE...] -- ARGS...: start test-live-app ARGS... in the
# background (stdout NAME.out, stderr NAME.err); wait (30 s) for NAME.pid.
# APP_PID is its pid; returns non-zero if it never wrote the pid file.
# ARGS name the prefix as $WORK/NAME themselves.
lt_app() {
	local name=$1 envs=() i
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	shift
	rm -f "$WORK/$name".{pid,stop,go,progress}
	env "${envs[@]}" "$APP" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
	APP_PID=$!
	LT_PID[$name]=$APP_PID
	for ((i = 0; i < 300; i++)); do
		[ -s "$WORK/$name.pid" ] && break
		lt_alive "$APP_PID" || break
		sleep 0.1
	done
	[ "$(cat "$WORK/$name.pid" 2>/dev/null)" = "$APP_PID" ]
}

# lt_app_stop NAME: ask app NAME to stop, wait for it (30 s, then
# SIGKILL); APP_RC its exit status, APP_OUT its stdout.
lt_app_stop() {
	local name=$1 pid=${LT_PID[$1]}
	: >"$WORK/$name.stop"
	if ! lt_wait_gone "$pid" 30; then
		tap_diag "app $name (pid $pid) did not stop within 30 s: killed"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid"
	APP_RC=$?
	APP_OUT=$(cat "$WORK/$name.out")
	unset "LT_PID[$name]"
}

# lt_progress NAME: last iteration app NAME completed (-1: none yet).
# The file is rewritten in place while it is read: a value is taken once
# two reads in a row agree.
lt_progress() {
	local a b i
	for ((i = 0; i < 100; i++)); do
		read -r a 2>/dev/null <"$WORK/$1.progress" || a=
		read -r b 2>/dev/null <"$WORK/$1.progress" || b=
		[ "$a" = "$b" ] && break
	done
	case $a in
	-*[0-9]) echo -1 ;;
	*[0-9]) echo $((10#$a)) ;;
	*) echo -1 ;;
	esac
}

# lt_wait_progress NAME MIN SECONDS: wait until app NAME reached MIN.
lt_wait_progress() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		[ "$(lt_progress "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# lt_list: `sonde list` into $WORK/list.txt; lt_listed PID: PID is in it.
lt_list() {
	timeout -k 10 60 "$SONDE" list >"$WORK/list.txt" 2>"$WORK/list.err"
}
lt_listed() {
	grep -qE "^pid $1( |\$)" "$WORK/list.txt"
}

# lt_wait_listed PID [SECONDS=30]: poll `sonde list` until PID shows.
lt_wait_listed() {
	local i secs=${2:-30}
	for ((i = 0; i < secs * 5; i++)); do
		lt_list && lt_listed "$1" && return 0
		sleep 0.2
	done
	return 1
}

# lt_list_session PID: the session= of PID's block in $WORK/list.txt.
lt_list_session() {
	sed -nE "s/^pid $1 .*session=([^ ]+).*/\\1/p" "$WORK/list.txt" | head -n 1
}

# lt_list_events PID: the "  provider:event" lines of PID's block.
lt_list_events() {
	awk -v pid="$1" '
		/^pid / { inblk = ($2 == pid); next }
		inblk && /^  / { sub(/^ +/, ""); print }' "$WORK/list.txt" | sort | tr '\n' ' '
}

# lt_session NAME: NAME's line of `sonde sessions` ("" if none).
lt_session() {
	timeout -k 10 60 "$SONDE" sessions 2>/dev/null | awk -v n="$1" '$1 == n' | head -n 1
}

# lt_bt DIR TAG: babeltrace2 --clock-seconds DIR into $WORK/TAG.bt
# (stderr $WORK/TAG.bterr); BT_RC, BT_OTHER_ERR (stderr lines other than
# discarded-event warnings); $WORK/TAG.ev gets one line per event:
#	time <TAB> provider:name <TAB> i <TAB> pid <TAB> ev
# (i, pid, ev "?" when absent; "BAD" lines for text it cannot parse).
lt_bt() {
	local dir=$1 tag=$2
	timeout -k 10 "$ST_TIMEOUT" "$BT" --clock-seconds "$dir" \
		>"$WORK/$tag.bt" 2>"$WORK/$tag.bterr"
	BT_RC=$?
	BT_OTHER_ERR=$(grep -cvE '^WARNING: Tracer (discarded [0-9]+ events?|may have discarded events) ' "$WORK/$tag.bterr")
	awk "$ST_AWK_FLD"'
	{
		line = $0
		i = index(line, ": { cpu_id = ")
		if (!i || substr(line, 1, 1) != "[") { print "BAD\t" line; next }
		t = substr(line, 2, index(line, "]") - 2)
		pre = substr(line, 1, i - 1)
		name = pre
		sub(/.* /, "", name)
		rest = substr(line, i + 13)
		j = index(rest, " }")
		rest = substr(rest, j + 2)
		payload = ""
		if (substr(rest, 1, 4) == ", { " && substr(rest, length(rest) - 1) == " }")
			payload = substr(rest, 5, length(rest) - 6)
		print t "\t" name "\t" fld(payload, "i") "\t" fld(payload, "pid") "\t" fld(payload, "ev")
	}' "$WORK/$tag.bt" >"$WORK/$tag.ev"
}

# lt_count TAG NAME [PID]: number of NAME events (of PID) in $WORK/TAG.ev.
lt_count() {
	awk -F'\t' -v n="$2" -v p="${3:-}" '$2 == n && (p == "" || $4 == p) { c++ } END { print c + 0 }' "$WORK/$1.ev"
}

# lt_range TAG NAME LO HI [PID]: NAME events (of PID) whose i is in
# [LO, HI], in trace order: "count first last gaps" where gaps counts
# successive events whose i is not the previous one plus 1 (a lost,
# repeated or reordered event).
lt_range() {
	awk -F'\t' -v n="$2" -v lo="$3" -v hi="$4" -v p="${5:-}" '
		$2 == n && (p == "" || $4 == p) && $3 + 0 >= lo && $3 + 0 <= hi {
			i = $3 + 0
			if (c && i != last + 1) gaps++
			if (!c) first = i
			last = i
			c++
		}
		END { print c + 0, (c ? first : -1), (c ? last : -1), gaps + 0 }' "$WORK/$1.ev"
}

# lt_badev TAG: live events whose ev field does not match their name
# (a:1 b:2 c:3), plus unparsable lines.
lt_badev() {
	awk -F'\t' '
		$1 == "BAD" { bad++; next }
		$2 == "live:a" && $5 != 1 { bad++ }
		$2 == "live:b" && $5 != 2 { bad++ }
		$2 == "live:c" && $5 != 3 { bad++ }
		END { print bad + 0 }' "$WORK/$1.ev"
}

# lt_tminmax TAG NAME [LO HI]: "min max" time of NAME events with i in
# [LO, HI] (all when omitted); "none" if there are none.
lt_tminmax() {
	awk -F'\t' -v n="$2" -v lo="${3:--1}" -v hi="${4:-9e18}" '
		$2 == n && $3 + 0 >= lo && $3 + 0 <= hi {
			if (!c || $1 + 0 < mn) mn = $1 + 0
			if (!c || $1 + 0 > mx) mx = $1 + 0
			c++
		}
		END { if (c) printf "%.6f %.6f\n", mn, mx; else print "none" }' "$WORK/$1.ev"
}

# lt_now: wall time in seconds (what babeltrace2 --clock-seconds prints).
lt_now() {
	date +%s.%N
}

# lt_lt A B: A < B for decimal numbers.
lt_lt() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'
}

# lt_now_ms: wall time in ms.
lt_now_ms() {
	date +%s%3N
}

# lt_time_sessions N PAUSE: `sonde sessions` N times, PAUSE s apart;
# LT_TIMES the ms each one took (" t1 t2 ..."), LT_WORST the longest
# (99999 if one failed).
lt_time_sessions() {
	local i t0 rc dt
	LT_WORST=0 LT_TIMES=
	for ((i = 0; i < $1; i++)); do
		t0=$(lt_now_ms)
		timeout -k 5 60 "$SONDE" sessions >"$WORK/sessions.out" 2>&1
		rc=$?
		dt=$(($(lt_now_ms) - t0))
		LT_TIMES="$LT_TIMES $dt"
		[ "$rc" = 0 ] || dt=99999
		[ "$dt" -gt "$LT_WORST" ] && LT_WORST=$dt
		sleep "$2"
	done
}

# lt_wait_events DIR PID: read the trace in DIR (lt_bt DIR early) every
# 0.2 s, 100 times at most, until it holds live:a events of PID.
lt_wait_events() {
	local i
	for ((i = 0; i < 100; i++)); do
		lt_bt "$1" early
		[ "$(lt_count early live:a "$2")" -gt 0 ] && return 0
		sleep 0.2
	done
	return 1
}

# lt_bt_count DIR TAG NAME PID: lt_bt DIR TAG, then print lt_count TAG
# NAME PID; 0 when DIR is "" (no such trace found).
lt_bt_count() {
	if [ -z "$1" ]; then
		echo 0
		return
	fi
	lt_bt "$1" "$2"
	lt_count "$2" "$3" "$4"
}
