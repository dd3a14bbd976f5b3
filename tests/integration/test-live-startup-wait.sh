#!/bin/bash
# SPDX-License-Identifier: MIT
# test-live-startup-wait: an app started after `sonde start` records from
# its very first event, because its start-up waits for the daemon's answer
# to its registration, bounded by SONDE_REGISTER_TIMEOUT; it never waits
# when no daemon runs.
#  1. No daemon (no socket): start-up takes about as long as with
#     SONDE_DAEMON=off.
#  2. A daemon without a started session answers at once: start-up stays
#     far below the bound.
#  3. A started session: 3 apps each record all 100 events main() emits at
#     once and the one their own constructor emits; a provider brought by
#     dlopen() (the wait under the loader's lock) records all 100 too.
#  4. A daemon that accepts but never answers (stopped): start-up waits
#     the bound (300 ms; unset or malformed: the default, 3000 ms), then
#     the app runs normally; SONDE_REGISTER_TIMEOUT=0 does not wait.
#  5. A stale socket (daemon killed): connection refused, no wait.
# Start-up is measured inside the app (test-live-early: from its first
# constructor to main()), so process creation does not count.
# Usage: test-live-startup-wait.sh SONDE BABELTRACE2 TEST-LIVE-EARLY
#        TEST-LIVE-RAW TEST-LIVE-EARLY-NOLIB PLUGIN
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
. "$here/test-live-lib.sh"
lt_init "$1" "$2" "$3" "$4"
NOLIB=$(st_abs "$5") PLUGIN=$(st_abs "$6")
unset SONDE_REGISTER_TIMEOUT SONDE_LOG_LEVEL

# early TAG [VAR=VALUE...]: run test-live-early once; ERC is 0 when it
# exited 0 and printed "done", EPID its pid, US its start-up in µs.
early() {
	local tag=$1
	shift
	env "$@" timeout -k 5 60 "$APP" >"$WORK/$tag.out" 2>"$WORK/$tag.err"
	ERC=$?
	grep -qx done "$WORK/$tag.out" || ERC=${ERC/#0/99}
	EPID=$(sed -nE 's/^pid ([0-9]+)$/\1/p' "$WORK/$tag.out")
	US=$(sed -nE 's/^startup_us ([0-9]+)$/\1/p' "$WORK/$tag.out")
	[ -n "$US" ] || US=999999999
}

# early_n TAG N [VAR=VALUE...]: N runs; MIN and MAX start-up (µs), ALL
# the list, BAD the runs that failed.
early_n() {
	local tag=$1 n=$2 k
	shift 2
	MIN=999999999 MAX=0 ALL= BAD=0
	for ((k = 0; k < n; k++)); do
		early "$tag$k" "$@"
		[ "$ERC" -eq 0 ] || BAD=$((BAD + 1))
		((US < MIN)) && MIN=$US
		((US > MAX)) && MAX=$US
		ALL="$ALL $US"
	done
}

# 1. No daemon.
[ -e "$SOCK" ] && tap_bail "a socket exists before any daemon"
early_n off 5 SONDE_DAEMON=off
off_min=$MIN
tap_is "$BAD" 0 "SONDE_DAEMON=off: 5 runs exit 0"
tap_diag "SONDE_DAEMON=off: start-up (us):$ALL"
early_n none 5 SONDE_REGISTER_TIMEOUT=20000
tap_is "$BAD" 0 "no daemon: 5 runs exit 0"
tap_diag "no daemon: start-up (us):$ALL"
tap_ok "$(((MIN < off_min + 50000)) && echo 1)" \
	"no daemon: no wait (fastest start-up ${MIN} us, SONDE_DAEMON=off ${off_min} us)"

# 2. A daemon, no started session.
lt_daemon_or_bail
early_n idle 3 SONDE_REGISTER_TIMEOUT=10000
tap_is "$BAD" 0 "daemon without a started session: 3 runs exit 0"
tap_diag "daemon without a started session: start-up (us):$ALL"
tap_ok "$(((MAX < 5000000)) && echo 1)" \
	"daemon without a started session: it answers at once (slowest ${MAX} us, bound 10 s)"

# 3. A started session.
T=$WORK/t
lt_sonde "create" create s -o "$T"
lt_sonde "enable" enable -s s 'early:*' 'dlprov:*'
lt_sonde "start" start -s s
pids=()
for k in 0 1 2; do
	early "rec$k"
	tap_is "$ERC" 0 "started session: app $k exits 0"
	tap_diag "started session: app $k start-up ${US} us"
	pids+=("$EPID")
done
timeout -k 5 60 "$NOLIB" "$PLUGIN" 100 >"$WORK/dl.out" 2>"$WORK/dl.err"
rc=$?
grep -qx done "$WORK/dl.out" || rc=${rc/#0/99}
dl_us=$(sed -nE 's/^dlopen_us ([0-9]+)$/\1/p' "$WORK/dl.out")
tap_is "$rc" 0 "started session: an app that dlopen()s the provider exits 0"
tap_diag "dlopen() took ${dl_us:-?} us"
tap_ok "$(((${dl_us:-99999999} < 10000000)) && echo 1)" \
	"dlopen() with the wait under the loader's lock returns before the bound (${dl_us:-?} us, bound 3 s)"
lt_sonde "stop" stop -s s
lt_bt "$T" s
tap_ok "$((BT_RC == 0 && BT_OTHER_ERR == 0))" "babeltrace2 reads the trace" ||
	tap_diag_file "$WORK/s.bterr"
for k in 0 1 2; do
	read -r n first last gaps <<<"$(lt_range s early:ev 0 99 "${pids[$k]}")"
	tap_is "$n/$first/$last/$gaps" "100/0/99/0" \
		"app $k: all 100 events main() emitted at once are recorded"
	tap_is "$(lt_count s early:ctor "${pids[$k]}")" 1 \
		"app $k: the event of its own constructor is recorded"
done
tap_is "$(lt_count s dlprov:ev)" 100 \
	"the dlopen()ed provider's 100 events are recorded"

# 4. A daemon that accepts but never answers.
kill -STOP "$DPID"
for ((i = 0; i < 100; i++)); do
	[ "$(sed -E 's/^.*\) ([A-Za-z]).*/\1/' "/proc/$DPID/stat")" = T ] && break
	sleep 0.1
done
early hung300 SONDE_REGISTER_TIMEOUT=300
tap_is "$ERC" 0 "daemon stopped, SONDE_REGISTER_TIMEOUT=300: the app runs and exits 0"
tap_ok "$(((US >= 250000 && US < 2000000)) && echo 1)" \
	"daemon stopped, SONDE_REGISTER_TIMEOUT=300: start-up waits the bound (${US} us)"
early hungdef
tap_is "$ERC" 0 "daemon stopped, default bound: the app exits 0"
tap_ok "$(((US >= 2900000 && US < 10000000)) && echo 1)" \
	"daemon stopped, default bound: start-up waits 3000 ms (${US} us)"
early hungbad SONDE_REGISTER_TIMEOUT=3s SONDE_LOG_LEVEL=warn
tap_is "$ERC" 0 "daemon stopped, SONDE_REGISTER_TIMEOUT=3s: the app exits 0"
tap_ok "$(((US >= 2900000 && US < 10000000)) && echo 1)" \
	"SONDE_REGISTER_TIMEOUT=3s: the default applies (${US} us)"
tap_like "$(cat "$WORK/hungbad.err")" 'SONDE_REGISTER_TIMEOUT' \
	"SONDE_REGISTER_TIMEOUT=3s: a warning says so"
early_n hung0 3 SONDE_REGISTER_TIMEOUT=0
tap_is "$BAD" 0 "daemon stopped, SONDE_REGISTER_TIMEOUT=0: 3 runs exit 0"
tap_diag "SONDE_REGISTER_TIMEOUT=0: start-up (us):$ALL"
tap_ok "$(((MIN < off_min + 50000)) && echo 1)" \
	"SONDE_REGISTER_TIMEOUT=0: no wait (fastest start-up ${MIN} us)"
kill -CONT "$DPID"
sonde_run sessions
tap_is "$RC" 0 "daemon resumed: it answers" || tap_diag "$ERR"

# 5. A stale socket.
kill -KILL "$DPID"
lt_wait_gone "$DPID" 30
tap_ok "$([ -S "$SOCK" ] && echo 1)" "daemon killed: its socket is left behind"
early_n stale 5 SONDE_REGISTER_TIMEOUT=20000
tap_is "$BAD" 0 "stale socket: 5 runs exit 0"
tap_diag "stale socket: start-up (us):$ALL"
tap_ok "$(((MIN < off_min + 50000)) && echo 1)" \
	"stale socket: no wait (fastest start-up ${MIN} us)"
tap_done
