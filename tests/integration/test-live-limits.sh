#!/bin/bash
# SPDX-License-Identifier: MIT
# test-live-limits: the session daemon when its control socket is pushed to
# its limits, and the CLI when the daemon does not answer.
#  1. 1000 sessions: `sonde sessions` lists every one of them (a reply of
#     any length arrives whole).
#  2. 1100 idle connections from 110 processes to a daemon limited to 1024
#     descriptors (the usual default): the daemon does not burn CPU while
#     they sit (under 0.5 s of CPU in 2 s), `sonde sessions` answers, the
#     registered app stays registered; once the clients are gone the
#     daemon holds no more descriptors than before, and records.
#  3. The same against a daemon limited to 64 descriptors.
#  4. A daemon that never answers (SIGSTOP): `sonde sessions` ends within
#     its timeout (10 s by default, --timeout, $SONDE_TIMEOUT) with
#     "the daemon did not answer within N s"; resumed, the daemon serves.
# Usage: test-live-limits.sh SONDE BABELTRACE2 TEST-LIVE-APP TEST-LIVE-FLOOD
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
. "$here/test-live-lib.sh"
lt_init "$@"
FLOOD=$RAW
HZ=$(getconf CLK_TCK)

nfd() {
	find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l
}

# cpu_ticks PID: utime + stime of PID, in clock ticks.
cpu_ticks() {
	sed -E 's/^.*\) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# timed VAR ARGS...: as sonde_run ARGS... (killed after 40 s), its
# duration in seconds in VAR.
timed() {
	local var=$1 t0 t1
	shift
	t0=$(lt_now)
	timeout -k 5 40 "$SONDE" "$@" >"$WORK/run.out" 2>"$WORK/run.err"
	RC=$?
	t1=$(lt_now)
	OUT=$(cat "$WORK/run.out")
	ERR=$(cat "$WORK/run.err")
	printf -v "$var" '%.1f' "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
}

# daemon_limited N: start a daemon whose descriptors are limited to N.
daemon_limited() {
	(ulimit -n "$1" && exec timeout -k 10 60 "$SONDE" daemon) >"$WORK/daemon.out" 2>"$WORK/daemon.err"
	DRC=$?
	DPID=$(sed -nE 's/^sonde: daemon running \(pid ([0-9]+)\).*/\1/p' "$WORK/daemon.err" | tail -n 1)
	[ -n "$DPID" ] && LT_DAEMONS+=("$DPID")
	tap_ok "$([ "$DRC" -eq 0 ] && [ -n "$DPID" ] && echo 1)" "a daemon limited to $1 descriptors starts" ||
		tap_bail "no daemon"
	tap_is "$(awk '/^Max open files/ { print $4 }' "/proc/$DPID/limits")" "$1" "  (its limit is $1 descriptors)"
}

# flood_phase TAG: 1100 idle connections against the daemon $DPID, which
# has app a1 registered (pid APID).
flood_phase() {
	local tag=$1 base c0 c1 cpu i n secs out
	# One file per phase: with one shared file the wait below could see
	# the previous phase's "connected" line before the new client had
	# truncated it (CI saw an empty file read after a match).
	out=$WORK/flood-$tag.out
	base=$(nfd "$DPID")
	rm -f "$WORK/flood.stop"
	timeout -k 5 200 "$FLOOD" "$SOCK" 110 10 "$WORK/flood.stop" >"$out" 2>&1 &
	FPID=$!
	for ((i = 0; i < 900; i++)); do
		grep -q '^connected' "$out" && break
		sleep 0.1
	done
	tap_like "$(cat "$out")" '^connected [0-9]+' \
		"$tag: 110 processes made their 1100 connection attempts"
	tap_diag "$tag: $(cat "$out"); daemon holds $(nfd "$DPID") descriptors ($base before)"
	sleep 1
	c0=$(cpu_ticks "$DPID")
	sleep 2
	c1=$(cpu_ticks "$DPID")
	cpu=$(awk -v a="$c0" -v b="$c1" -v hz="$HZ" 'BEGIN { printf "%.2f", (b - a) / hz }')
	tap_ok "$(lt_lt "$cpu" 0.5 && echo 1)" \
		"$tag: the daemon does not spin while the connections sit idle ($cpu s of CPU in 2 s)"
	timed secs sessions
	tap_ok "$([ "$RC" -eq 0 ] && echo 1)" \
		"$tag: sonde sessions answers among them (exit $RC, $secs s)" || tap_diag "$ERR"
	timeout -k 5 40 "$SONDE" list >"$WORK/list.txt" 2>"$WORK/list.err"
	tap_ok "$(lt_listed "$APID" && echo 1)" "$tag: the registered app is still listed"
	: >"$WORK/flood.stop"
	wait "$FPID"
	for ((i = 0; i < 100; i++)); do
		[ "$(nfd "$DPID")" -le $((base + 2)) ] && break
		sleep 0.1
	done
	n=$(nfd "$DPID")
	tap_ok "$((n <= base + 2))" "$tag: once the clients are gone the daemon holds $n descriptors ($base before)"
	sonde_run sessions
	tap_is "$RC" 0 "$tag: and serves (sonde sessions)"
}

# record_check TAG: the app $APID is recorded by a fresh session.
record_check() {
	local tag=$1 P n f l g
	lt_wait_listed "$APID" 30
	lt_sonde "$tag: create" create "r$tag" -o "$WORK/r$tag"
	lt_sonde "$tag: enable" enable -s "r$tag" live:c
	P=$(lt_progress a1)
	lt_sonde "$tag: start" start -s "r$tag"
	lt_wait_progress a1 $((P + 100)) 30
	lt_sonde "$tag: stop" stop -s "r$tag"
	lt_sonde "$tag: destroy" destroy -s "r$tag"
	lt_bt "$WORK/r$tag" "r$tag"
	read -r n f l g <<<"$(lt_range "r$tag" live:c 0 999999999999 "$APID")"
	tap_ok "$((BT_RC == 0 && n > 0 && g == 0))" "$tag: and records the app ($n consecutive live:c)"
}

# ---- 1. 1000 sessions -------------------------------------------------------
lt_daemon_or_bail
mkdir -p "$WORK/s"
bad=0
for ((i = 0; i < 1000; i++)); do
	timeout -k 5 30 "$SONDE" create "s$i" -o "$WORK/s/s$i" >/dev/null 2>"$WORK/create.err" || bad=$((bad + 1))
done
tap_is "$bad" 0 "1000 sessions created" || tap_diag_file "$WORK/create.err"
sonde_run sessions
printf '%s\n' "$OUT" >"$WORK/sessions.txt"
n=$(grep -cE '^s[0-9]+ created ' "$WORK/sessions.txt")
tap_ok "$([ "$RC" -eq 0 ] && [ "$n" -eq 1000 ] && echo 1)" "sonde sessions lists all 1000 (exit $RC, $n lines)"
missing=$(for ((i = 0; i < 1000; i++)); do echo "s$i"; done | sort >"$WORK/want.txt"
	awk '{ print $1 }' "$WORK/sessions.txt" | sort | comm -23 "$WORK/want.txt" - | wc -l)
tap_is "$missing" 0 "  no session is missing from the list"
tap_like "$(tail -n 1 "$WORK/sessions.txt")" "^s999 created discard apps=0 events=0 lost=0 dir=$WORK/s/s999\$" \
	"  the last line is whole"
lt_sonde "the daemon stops with 1000 sessions" daemon --stop

# ---- 2. 1100 idle connections -------------------------------------------
daemon_limited 1024
lt_app a1 -- loop "$WORK/a1" || tap_bail "app did not start"
APID=$APP_PID
tap_cmd "the app registers" -- lt_wait_listed "$APID"
flood_phase flood
record_check flood
lt_sonde "the daemon stops" daemon --stop

# ---- 3. the same with 64 descriptors --------------------------------------
daemon_limited 64
tap_cmd "the app registers with it" -- lt_wait_listed "$APID"
flood_phase fd64
record_check fd64

# ---- 4. a daemon that does not answer ------------------------------------
kill -STOP "$DPID"
timed secs sessions
tap_ok "$([ "$RC" -eq 1 ] && lt_lt "$secs" 40 && echo 1)" \
	"stopped daemon: sonde sessions gives up (exit $RC after $secs s)"
tap_like "$ERR" '^sonde: the daemon did not answer within 10 s' "  with the clear error"
timed secs sessions --timeout 1
tap_ok "$([ "$RC" -eq 1 ] && lt_lt "$secs" 20 && echo 1)" \
	"stopped daemon: sonde sessions --timeout 1 gives up (exit $RC after $secs s)"
tap_like "$ERR" '^sonde: the daemon did not answer within 1 s' "  saying so"
SONDE_TIMEOUT=2 timed secs list
tap_ok "$([ "$RC" -eq 1 ] && lt_lt "$secs" 20 && echo 1)" \
	"stopped daemon: SONDE_TIMEOUT=2 sonde list gives up (exit $RC after $secs s)"
tap_like "$ERR" '^sonde: the daemon did not answer within 2 s' "  saying so"
kill -CONT "$DPID"
sonde_run sessions
tap_is "$RC" 0 "resumed, the daemon answers again"
lt_app_stop a1
tap_is "$APP_RC" 0 "the app exits 0"
lt_sonde "the daemon stops" daemon --stop
tap_done
