#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run-lttng.sh ITER - LTTng-UST 2.13 reference numbers for the sonde bench.
#
# Starts its own user-space-only lttng-sessiond (LTTNG_HOME = fresh temp
# dir), and for every repetition creates a fresh session (UST channel,
# discard mode, default sub-buffers, event sonde_bench:*), runs one case of
# bench_lttng, stops and destroys the session, then measures the trace:
#   bytes/event = size of the stream files (no metadata, no index) / events,
#   events from babeltrace2's sink.utils.counter (much faster than a text
#   dump), discarded events from the warning `lttng stop` prints.
# "disabled" runs with the daemon up but no session. Output, one line per
# repetition, in the `CASE VALUE [UNIT]` format that bench/report.sh reads,
# named like the matching cases of bench-sonde:
#   lttng-enabled-3int NS ns/event       (single thread, session recording)
#   lttng-enabled-3int-bytes B bytes/event, lttng-enabled-3int-discarded N
#   lttng-enabled-Tthreads EV events/s   (aggregate of T threads, T=THREADS)
#   lttng-enabled-Tthreads-bytes, lttng-enabled-Tthreads-discarded (as above)
#   lttng-disabled NS ns/event           (no session: tracepoint off)
# Env: REPS (default 5), THREADS (default 2), BUILD (default build/bench).
# Prints "lttng: skipped: REASON" and exits 0 when LTTng cannot run here.
set -uo pipefail

ITER=${1:-2000000}
REPS=${REPS:-5}
THREADS=${THREADS:-2}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build/bench}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
BIN=$BUILD/bench_lttng

skip() { echo "lttng: skipped: $*"; exit 0; }
die()  { echo "lttng: error: $*" >&2; exit 1; }

for t in lttng lttng-sessiond babeltrace2 make cc; do
	command -v "$t" >/dev/null || skip "$t not found"
done

# A root session daemon lives in /var/run/lttng, others in $LTTNG_HOME/.lttng.
TMP=$(mktemp -d /tmp/sonde-lttng.XXXXXX)
export LTTNG_HOME=$TMP/home
mkdir -p "$LTTNG_HOME"
if [ "$(id -u)" = 0 ]; then RUNDIR=/var/run/lttng; else RUNDIR=$LTTNG_HOME/.lttng; fi
RUNDIR_EXISTED=0; [ -e "$RUNDIR" ] && RUNDIR_EXISTED=1
SPID=""

cleanup() {
	local kids="" i
	if [ -n "$SPID" ] && kill -0 "$SPID" 2>/dev/null; then
		kids=$(pgrep -P "$SPID" | tr '\n' ' ')   # consumerd / run-as helpers
		kill -TERM "$SPID" 2>/dev/null
		for i in $(seq 50); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$SPID" 2>/dev/null
		for i in $kids; do kill -KILL "$i" 2>/dev/null; done
	fi
	rm -rf "$TMP"
	[ "$RUNDIR_EXISTED" = 0 ] && rm -rf "$RUNDIR"
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

make -s -C "$ROOT" -f bench/Makefile.lttng BUILD="$BUILD" "$BIN" >"$TMP/build.log" 2>&1 ||
	skip "cannot build bench_lttng (liblttng-ust-dev missing?): $(tail -n1 "$TMP/build.log")"

# Never touch a session daemon that someone else started.
lttng -n list >/dev/null 2>&1 && { RUNDIR_EXISTED=1; skip "a session daemon is already running"; }

lttng-sessiond --daemonize --no-kernel >"$TMP/sessiond.log" 2>&1 ||
	skip "lttng-sessiond failed to start: $(tail -n1 "$TMP/sessiond.log")"
SPID=$(cat "$RUNDIR/lttng-sessiond.pid" 2>/dev/null)
[ -n "$SPID" ] && kill -0 "$SPID" 2>/dev/null || skip "lttng-sessiond did not stay up"

# lttng -n: never let the client spawn a daemon of its own behind our back.
L() { lttng -n "$@" >>"$TMP/lttng.log" 2>&1 || die "lttng $* failed: $(tail -n1 "$TMP/lttng.log")"; }

# count_events DIR: number of events in the trace at DIR.
count_events() {
	local n
	n=$(babeltrace2 "$1" -c sink.utils.counter -p step=+0 2>>"$TMP/bt.err" |
		awk '/Event messages?$/ { n = $1 } END { print n + 0 }')
	[ "$n" -gt 0 ] || n=$(babeltrace2 "$1" 2>>"$TMP/bt.err" | wc -l)
	echo "$n"
}

# trace_case NAME UNIT ARGS...: run bench_lttng ARGS inside a fresh session,
# print its result as lttng-NAME (with UNIT), the trace's bytes/event and
# its discarded count.
trace_case() {
	local name=$1 unit=$2 sess=sb$$ out=$TMP/trace ev disc bytes line
	shift 2
	rm -rf "$out"
	L create "$sess" --output="$out"
	L enable-channel -u --discard ch
	L enable-event -u -c ch 'sonde_bench:*'
	L start
	line=$("$BIN" "$@") || die "bench_lttng $* failed"
	# `lttng stop` warns "Warning: N events were discarded, ...". A count
	# of 2^64 - 1 (or anything absurd) means lttng could not tell: "unknown"
	# (report.sh ignores that sample). Compared as strings: awk's numbers
	# are doubles.
	disc=$(lttng -n stop 2>&1 | tee -a "$TMP/lttng.log" |
		awk '/events? (were|was) discarded/ { for (i = 1; i < NF; i++)
			if ($i ~ /^[0-9]+$/) { d = $i; break } }
			END { if (d == "") d = 0; else if (length(d) > 15) d = "unknown"; print d }')
	L destroy "$sess"
	ev=$(count_events "$out")
	bytes=$(find "$out" -type f ! -name metadata ! -path '*/index/*' -printf '%s\n' |
		awk '{ s += $1 } END { print s + 0 }')
	[ "$ev" -gt 0 ] || die "$name: no events recorded (app did not register?)"
	set -- $line
	echo "lttng-$name $2 $unit"
	echo "lttng-$name-bytes $(awk -v b="$bytes" -v e="$ev" 'BEGIN { printf "%.2f", b / e }') bytes/event"
	echo "lttng-$name-discarded $disc events"
}

for r in $(seq "$REPS"); do
	trace_case enabled-3int ns/event enabled3 "$ITER"
	trace_case "enabled-${THREADS}threads" events/s threads "$ITER" "$THREADS"
	line=$("$BIN" disabled "$ITER") || die "bench_lttng disabled failed"
	set -- $line
	echo "lttng-disabled $2 ns/event"
done
