#!/bin/bash
# SPDX-License-Identifier: MIT
# test-live-reclaim: what start/stop cycles cost a traced process in
# address space.  Each stop detaches the process from the session's
# buffers; the address range they took must be given back once no writer
# can still be using it, not kept for good.
#  1. 200 create/start/stop/destroy cycles (small buffers) against a
#     running app: every start attaches it, and once the cycles are over
#     its VmSize settles within 2 buffer ranges of where it was before them
#     (it grew by one range per cycle when ranges were kept); the app is
#     still recorded, and exits 0.
#  2. 40 cycles with the default buffers against an app started under
#     `ulimit -v` with room for 12 ranges over its usual size: every start
#     attaches it (attaches failed once 12 ranges were kept).
# Usage: test-live-reclaim.sh SONDE BABELTRACE2 TEST-LIVE-APP TEST-LIVE-RAW
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
. "$here/test-live-lib.sh"
lt_init "$@"
# The apps run with one malloc arena: glibc reserves 64 MiB of address
# space for each new one, whenever a thread happens to want one, which
# would drown what this test measures.

vmsize() {
	awk '/^VmSize:/ { print $2 }' "/proc/$1/status"
}

# range_kb PID: size of PID's mapping of the session's buffers (kB).
range_kb() {
	local r lo hi s=0
	while read -r r _; do
		lo=${r%-*} hi=${r#*-}
		s=$((s + (16#$hi - 16#$lo) / 1024))
	done < <(grep 'memfd:sonde-session' "/proc/$1/maps")
	echo "$s"
}

# cycles N PID TAG [CREATE OPTIONS...]: N create/start/stop/destroy
# cycles; NOTATT counts the starts that did not attach PID's app, BAD the
# commands that failed; RANGE is the buffers' range in the app (kB).
cycles() {
	local n=$1 pid=$2 tag=$3 i out
	shift 3
	NOTATT=0 BAD=0 RANGE=0
	for ((i = 0; i < n; i++)); do
		timeout -k 5 60 "$SONDE" create "$tag$i" -o "$WORK/t/$tag$i" "$@" >/dev/null 2>>"$WORK/$tag.err" ||
			BAD=$((BAD + 1))
		out=$(timeout -k 5 60 "$SONDE" start -s "$tag$i" 2>>"$WORK/$tag.err") || BAD=$((BAD + 1))
		[[ $out == *"(1 processes attached)"* ]] || {
			NOTATT=$((NOTATT + 1))
			echo "cycle $i: $out" >>"$WORK/$tag.err"
		}
		[ "$RANGE" -gt 0 ] || RANGE=$(range_kb "$pid")
		timeout -k 5 60 "$SONDE" stop -s "$tag$i" >/dev/null 2>>"$WORK/$tag.err" || BAD=$((BAD + 1))
		timeout -k 5 60 "$SONDE" destroy -s "$tag$i" >/dev/null 2>>"$WORK/$tag.err" || BAD=$((BAD + 1))
		rm -rf "$WORK/t/$tag$i"
	done
}

# settle PID MAXKB: wait (20 s at most) until PID's VmSize is at most
# MAXKB; VM is the last value read.
settle() {
	local i
	for ((i = 0; i < 200; i++)); do
		VM=$(vmsize "$1")
		[ "$VM" -le "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

mkdir -p "$WORK/t"
lt_daemon_or_bail

# ---- 1. 200 cycles ----------------------------------------------------------
lt_app a1 MALLOC_ARENA_MAX=1 -- loop "$WORK/a1" || tap_bail "app did not start"
A1=$APP_PID
tap_cmd "the app registers" -- lt_wait_listed "$A1"
small=(--subbuf-size 64k --num-subbuf 4)
# Once-only costs (threads, allocator arenas) before the baseline.
cycles 2 "$A1" warm "${small[@]}"
sleep 2
v0=$(vmsize "$A1")
cycles 200 "$A1" c "${small[@]}"
tap_ok "$((BAD == 0 && NOTATT == 0))" \
	"200 cycles: every command succeeded ($BAD failed) and every start attached the app ($NOTATT did not)" ||
	tap_diag_file "$WORK/c.err"
tap_ok "$((RANGE > 0))" "  the buffers took $RANGE kB of the app's address space"
# Waits for less than one range; two are allowed.
settle "$A1" $((v0 + RANGE - 1))
growth=$((VM - v0))
tap_ok "$((RANGE > 0 && growth < 2 * RANGE))" \
	"  after them the app's VmSize settles within 2 ranges of its size before ($v0 kB -> $VM kB, +$growth kB; $((growth / (RANGE > 0 ? RANGE : 1))) ranges)"
lt_sonde "a last session: create" create last -o "$WORK/last"
lt_sonde "enable" enable -s last live:c
P=$(lt_progress a1)
lt_sonde "start" start -s last
lt_wait_progress a1 $((P + 100)) 30
lt_sonde "stop" stop -s last
lt_sonde "destroy" destroy -s last
lt_bt "$WORK/last" last
read -r n f l g <<<"$(lt_range last live:c 0 999999999999 "$A1")"
tap_ok "$((BT_RC == 0 && n > 0 && g == 0))" "  the app is still recorded ($n consecutive live:c)"
lt_app_stop a1
tap_is "$APP_RC" 0 "  and exits 0"

# ---- 2. under ulimit -v --------------------------------------------------
lt_app a2 MALLOC_ARENA_MAX=1 -- loop "$WORK/a2" || tap_bail "app did not start"
A2=$APP_PID
tap_cmd "a second app registers" -- lt_wait_listed "$A2"
cycles 2 "$A2" warmd
sleep 2
base=$(vmsize "$A2")
big=$RANGE
lt_app_stop a2
limit=$((base + 12 * big))
tap_diag "default buffers: $big kB per range; app VmSize $base kB; limit $limit kB"
(ulimit -v "$limit" && MALLOC_ARENA_MAX=1 exec "$APP" loop "$WORK/a3") >"$WORK/a3.out" 2>"$WORK/a3.err" &
A3=$!
LT_PID[a3]=$A3
for ((i = 0; i < 300; i++)); do
	[ "$(cat "$WORK/a3.pid" 2>/dev/null)" = "$A3" ] && break
	sleep 0.1
done
tap_cmd "an app limited to $limit kB of address space registers" -- lt_wait_listed "$A3"
cycles 40 "$A3" d
tap_ok "$((BAD == 0 && NOTATT == 0))" \
	"40 cycles with the default buffers: every start attached the limited app ($NOTATT did not, $BAD commands failed)" ||
	tap_diag_file "$WORK/d.err"
tap_diag "its VmSize after them: $(vmsize "$A3") kB"
lt_app_stop a3
tap_is "$APP_RC" 0 "  and it exits 0"
lt_sonde "the daemon stops" daemon --stop
tap_done
