#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run.sh BUILD_DIR - sonde benchmark suite (what `make bench` runs).
#
# Builds bench/floor.c and bench/bench-sonde.c (cc -O2, against
# BUILD_DIR/lib/libsonde.so and include/, rpath set) into BUILD_DIR/bench,
# runs every case REPS times (cases interleaved, one repetition at a time),
# then pipes all `CASE VALUE UNIT` lines through bench/report.sh: one
# Markdown table (median/min/max/n) on stdout, build/bench/results.json
# (relative to the repository root) and build/bench/results.txt (the raw
# lines). A "targets" block follows the table: each target "met" or "NOT
# met" with the measured medians (record-to-disk needs 0 lost in every
# repetition; kernel: lost or missing):
#   enabled-3int <= 1.3 x floor, disabled within 0.1 ns of empty,
#   2threads >= 1.9 x 1thread, bytes/event <= 20,
#   record-to-disk >= 20M events/s with 0 lost,
#   kernel: sonde's slowdown of the traced program <= perf record's (elapsed
#   time, medians), no kernel event lost or missing in any sonde run (unpaced
#   and paced).
#
# Cases (ns/event unless said otherwise):
#   floor             rdtsc + 16-byte store, no tracer (bench/floor.c)
#   floor-empty       bench/floor.c's empty loop (sanity check)
#   empty             bench-sonde's empty loop (compiler barrier only)
#   disabled          3-int tracepoint, no session (LOOP_ITER iterations)
#   enabled-3int      3-int event under `sonde record --overwrite`
#   enabled-string    16-character string event, same conditions
#   enabled-3int-own-rseq  enabled-3int with GLIBC_TUNABLES=glibc.pthread.rseq=0:
#                     threads registered with rseq by libsonde, not glibc
#   enabled-1thread-rate, enabled-Nthreads  events/s of 1 and N=THREADS
#                     pinned threads under --overwrite, from the same run;
#   2threads/1thread  their ratio, per repetition
#   record-to-disk    events/s written to disk in discard mode with default
#                     buffers: (recorded - warm-up) / the program's elapsed
#                     time, recorded from sonde record's summary line;
#   record-to-disk-lost  the lost count of that summary line
#   record-20M/s      events/s when the program paces itself at 20M events/s
#                     (PACED_ITER events) in discard mode with default buffers,
#                     and record-20M/s-lost, the events lost at that rate
#   bytes/event       sizes of DIR/channel0_* / events recorded, from an
#                     enabled-3int run in discard mode, buffers big enough
#                     that nothing can be lost (a sample with loss is dropped)
#   first-lap         the first FIRSTLAP_ITER events (no warm-up, the
#                     thread pinned to one CPU) into fresh 64 MiB-per-CPU
#                     buffers (--subbuf-size 4M --num-subbuf 16 --overwrite):
#                     enough 20-byte events to cross every page of that
#                     CPU's buffer once; the program starts at once, racing
#                     the buffers' prefault (src/control/prefault.c);
#   first-lap-noprefault  the same with SONDE_PREFAULT=0: the first lap's
#                     cost without any prefault;
#   first-lap-after-prefault  the same, the program first waiting for the
#                     prefault to finish; first-lap-prefault-wait is that
#                     wait, from the start of main(), in ms
#   marker            only once include/sonde/marker.h and
#                     bench/bench-marker.c exist (built like bench-sonde,
#                     run as `bench-marker marker ITER` under --overwrite,
#                     printing "marker NS"); a skip line otherwise
#   read-*            sonde view / sonde stats / babeltrace2 events/s on one
#                     trace of 2 x READ_HALF events, and the ratios
#   lttng-*           LTTng-UST reference (bench/lttng/run-lttng.sh), or a
#                     skip line when LTTng is not available
#   stat-overhead-*   wall time (ms, from starting the command to its exit,
#                     tool start-up included) of bench/workload.c (a fixed
#                     ~0.3 s of CPU loop, page faults and sleeps): -bare, run
#                     twice per repetition (before and after the tools; the
#                     baseline is their mean), -sonde under `sonde stat -e
#                     STAT_EVENTS`, -perf under `perf stat -e STAT_EVENTS`
#                     (a skip line when perf is not installed or cannot
#                     count); -sonde-pct and -perf-pct their overhead in %
#                     over the baseline, -sonde/perf the ratio of their wall
#                     times (the ratio of the overheads, from the medians,
#                     is in the "Ratios" block of report.sh)
#   sample-overhead-* the same workload and baseline under `sonde record`
#                     (-record) and `sonde record --sample SAMPLE_EVENT`
#                     (-sample), ms and -record-pct/-sample-pct in %;
#                     -sample/record the ratio of their wall times;
#                     -samples the samples the summary line reports
#   kernel-*          kernel tracepoints: `sonde record -k` against `perf
#                     record -e` of the same two tracepoints on a loop of
#                     getppid(2) (bench/kernel-events.sh, bench/syscall-
#                     load.c): the program bare, under sonde and under perf,
#                     interleaved (KREPS, the first one reported apart as
#                     kernel-cold-*): its slowdown (elapsed and CPU), events/s
#                     recorded and lost per tool, then a paced rate sweep
#                     and each tool's highest rate with 0 lost
#                     (kernel-*-0lost-max); skip lines when not root, when
#                     perf_event_open is refused, or (perf's cases) without perf
#   analysis-*        on one trace generated by tests/reader/mk-pairs.py
#                     (ANALYSIS_CMDS commands: about 2.87 x that many
#                     events, a third of the commands holding a nested
#                     pair): events/s of plain `sonde stats`
#                     (analysis-stats), `sonde stats --by name`
#                     (analysis-stats-by) and `sonde stats --top 100`
#                     (analysis-stats-top), each one's ratio to plain stats
#                     in the same repetition (analysis-by/stats,
#                     analysis-top/stats), events/s of `sonde export
#                     --format sqlite` (analysis-sqlite: wall time to the
#                     finished file, indexes included) and its bytes/event
#                     (analysis-sqlite-bytes/event); a skip line without
#                     python3 or without SQLite in this sonde
#   pmu-set-switch    ns per sonde_pmu_set_switch() between two sets of two
#                     software events (bench/bench-pmu-set.c, SET_ITER
#                     switches), only once include/sonde/pmu.h declares
#                     sonde_pmu_set_switch(); a skip line naming what it
#                     waits for otherwise
#
# Env: REPS (5), ITER (20000000), LOOP_ITER (50 x ITER: the empty and
# disabled loops are ~0.2 ns per iteration and need a longer run to time),
# BYTES_ITER (1000000), LTTNG_ITER (2000000: babeltrace2 counting is slow),
# FIRSTLAP_ITER (3400000: 68 MB of 20-byte events, one lap of 64 MiB),
# READ_HALF (5000000), BT_REPS (3),
# THREADS (2), CC (cc), LTTNG=0 to skip LTTng, STAT_EVENTS
# (task-clock,page-faults,context-switches), SAMPLE_EVENT
# (cpu-clock@100000), SET_ITER (20000), PERF (perf; PERF= to skip it),
# KITER, KREPS, KRATES, KSWEEP_MS, KSWEEP_REPS (bench/kernel-events.sh),
# ANALYSIS_CMDS (1000000),
# ONLY=kernel: only the kernel-events section (its table and targets);
# ONLY=analysis: only the analysis-* section (its table and targets).
# ONLY=filter: only the filter section (disabled, enabled-3int,
#   filtered-out, filtered-in, context-ip; its targets).
# ONLY=relay: only the relay-* section (bench/relay.sh): one recording to
#   disk, to an lttng-relayd on loopback (zero copy on, and off: nozc),
#   and to both; events/s, MB/s, events lost and packets not sent, and
#   the recorder's CPU ms per MB sent and the share sent by reference.
# Installs nothing itself except through scripts/install-deps.sh if present.
set -uo pipefail

usage() { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
[ $# -eq 1 ] || usage

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=$(cd "$1" 2>/dev/null && pwd) || { echo "bench: no build directory $1" >&2; exit 2; }
cd "$ROOT" || exit 1

REPS=${REPS:-5}
ITER=${ITER:-20000000}
LOOP_ITER=${LOOP_ITER:-$((ITER * 50))}
BYTES_ITER=${BYTES_ITER:-1000000}
FIRSTLAP_ITER=${FIRSTLAP_ITER:-3400000}
PACED_ITER=${PACED_ITER:-$((ITER * 2))}
READ_HALF=${READ_HALF:-5000000}
BT_REPS=${BT_REPS:-3}
LTTNG_ITER=${LTTNG_ITER:-2000000}
THREADS=${THREADS:-2}
STAT_EVENTS=${STAT_EVENTS:-task-clock,page-faults,context-switches}
SAMPLE_EVENT=${SAMPLE_EVENT:-cpu-clock@100000}
SET_ITER=${SET_ITER:-20000}
PERF=${PERF-perf}
CC=${CC:-cc}
ONLY=${ONLY:-}
ANALYSIS_CMDS=${ANALYSIS_CMDS:-1000000}
case $ONLY in '' | kernel | analysis | filter | relay) ;; *) usage ;; esac
CFLAGS="-std=c11 -O2 -g -Wall -Wextra"

SONDE=$BUILD_DIR/bin/sonde
LIB=$BUILD_DIR/lib
BIN=$BUILD_DIR/bench
OUT=$ROOT/build/bench
RAW=$OUT/results.txt
JSON=$OUT/results.json

log() { echo "bench: $*" >&2; }
die() { log "error: $*"; exit 1; }

if [ -f scripts/install-deps.sh ]; then
	bash scripts/install-deps.sh || log "scripts/install-deps.sh failed; going on with what is installed"
fi

[ -x "$SONDE" ] || die "$SONDE not found; build first (cmake -DCMAKE_BUILD_TYPE=Release, ninja)"
[ -e "$LIB/libsonde.so" ] || die "$LIB/libsonde.so not found; build first"

mkdir -p "$BIN" "$OUT" || die "cannot create $BIN or $OUT"
log "building bench programs into $BIN"
$CC $CFLAGS -o "$BIN/floor" bench/floor.c || die "cannot build bench/floor.c"
$CC $CFLAGS -Iinclude -Ibench -o "$BIN/bench-sonde" bench/bench-sonde.c \
	-L"$LIB" -Wl,-rpath,"$LIB" -lsonde -pthread || die "cannot build bench/bench-sonde.c"

MARKER=""
if [ -f include/sonde/marker.h ] && [ -f bench/bench-marker.c ]; then
	if $CC $CFLAGS -Iinclude -Ibench -o "$BIN/bench-marker" bench/bench-marker.c \
		-L"$LIB" -Wl,-rpath,"$LIB" -lsonde -pthread; then
		MARKER=$BIN/bench-marker
	else
		log "cannot build bench/bench-marker.c; marker case skipped"
	fi
fi

$CC $CFLAGS -o "$BIN/workload" bench/workload.c || die "cannot build bench/workload.c"

# pmu-set-switch: only once the event-set API is in the public header.
PMUSET=""
PMUSET_SKIP="pmu-set-switch: skipped: waits for event sets in include/sonde/pmu.h (sonde_pmu_set_switch())"
if grep -q 'sonde_pmu_set_switch(' include/sonde/pmu.h 2>/dev/null; then
	if $CC $CFLAGS -Iinclude -o "$BIN/bench-pmu-set" bench/bench-pmu-set.c \
		-L"$LIB" -Wl,-rpath,"$LIB" -lsonde -pthread 2>"$BIN/bench-pmu-set.err"; then
		PMUSET=$BIN/bench-pmu-set
		PMUSET_SKIP=""
	else
		PMUSET_SKIP="pmu-set-switch: skipped: bench/bench-pmu-set.c does not build against this include/sonde/pmu.h"
		log "cannot build bench/bench-pmu-set.c; pmu-set-switch skipped"
	fi
fi

# perf stat for the stat-overhead reference, when it can count here.
PERF_SKIP=""
if [ -z "$PERF" ] || ! command -v "$PERF" >/dev/null 2>&1; then
	PERF_SKIP="stat-overhead-perf: skipped: perf not installed (Debian: linux-perf)"
elif ! "$PERF" stat -e "$STAT_EVENTS" -- true >/dev/null 2>&1; then
	PERF_SKIP="stat-overhead-perf: skipped: perf stat -e $STAT_EVENTS fails here"
fi

TRACES=$(mktemp -d "$OUT/traces.XXXXXX") || die "cannot create a trace directory in $OUT"
trap 'rm -rf "$TRACES"' EXIT
trap 'exit 130' INT TERM

# Never let an outer `sonde record` enable the programs' tracepoints.
unset SONDE_SHM

FAILED=0
fail() { log "$*"; FAILED=1; }

# Time limit per program run: a hang must not stall the whole suite.
T() { timeout 300 "$@"; }

# rec NAME [sonde record options] -- CMD...: run CMD under sonde record into
# $TRACES/NAME; stdout of CMD -> $REC_OUT, summary -> REC_EVENTS, REC_LOST.
rec() {
	local name=$1 err line
	shift
	REC_DIR=$TRACES/$name
	err=$TRACES/$name.err
	rm -rf "$REC_DIR"
	REC_OUT=$(T "$SONDE" record -o "$REC_DIR" "$@" 2>"$err") || {
		fail "$name: sonde record failed: $(tail -n 3 "$err" | tr '\n' ' ')"
		return 1
	}
	line=$(grep -E '^sonde: [0-9]+ events recorded, [0-9]+ lost' "$err" | tail -n 1)
	[ -n "$line" ] || { fail "$name: no summary line from sonde record: $(tail -n 3 "$err" | tr '\n' ' ')"; return 1; }
	set -- $line
	REC_EVENTS=$2
	REC_LOST=$5
	return 0
}

# timed VAR CMD...: run CMD (output to $TRACES/timed.out and .err), its wall
# time in ms into VAR (with 2 decimals), or fail.
timed() {
	local var=$1 t0 t1
	shift
	t0=$(date +%s%N)
	T "$@" >"$TRACES/timed.out" 2>"$TRACES/timed.err" || {
		fail "$*: failed: $(tail -n 2 "$TRACES/timed.err" | tr '\n' ' ')"
		return 1
	}
	t1=$(date +%s%N)
	printf -v "$var" '%s' "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e6 }')"
}

# pct T BASE: the overhead of T over BASE in %; ratio A B: A / B.
pct() { awk -v t="$1" -v b="$2" 'BEGIN { printf "%.2f", (t - b) / b * 100 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

# stat-overhead-* and sample-overhead-*: the fixed workload bare (before
# and after), under sonde stat, perf stat, sonde record and sonde record
# --sample, one run each per repetition.
overheads() {
	local w=$BIN/workload b1 b2 base st pf rc sm n=""
	timed b1 "$w" || return
	st=""; pf=""; rc=""; sm=""
	timed st "$SONDE" stat -e "$STAT_EVENTS" -- "$w" || st=""
	[ -z "$PERF_SKIP" ] && { timed pf "$PERF" stat -e "$STAT_EVENTS" -- "$w" || pf=""; }
	rm -rf "$TRACES/ovh"
	timed rc "$SONDE" record -o "$TRACES/ovh" -- "$w" || rc=""
	rm -rf "$TRACES/ovh"
	if timed sm "$SONDE" record -o "$TRACES/ovh" --sample "$SAMPLE_EVENT" -- "$w"; then
		n=$(sed -n 's/.* \([0-9][0-9]*\) samples,.*/\1/p' "$TRACES/timed.err" | tail -n 1)
		[ -n "$n" ] || fail "sample-overhead: no sample count in sonde record's summary"
	else
		sm=""
	fi
	rm -rf "$TRACES/ovh"
	timed b2 "$w" || return
	base=$(awk -v a="$b1" -v b="$b2" 'BEGIN { printf "%.2f", (a + b) / 2 }')
	echo "stat-overhead-bare $b1 ms"
	echo "stat-overhead-bare $b2 ms"
	if [ -n "$st" ]; then
		echo "stat-overhead-sonde $st ms"
		echo "stat-overhead-sonde-pct $(pct "$st" "$base") %"
	fi
	if [ -n "$pf" ]; then
		echo "stat-overhead-perf $pf ms"
		echo "stat-overhead-perf-pct $(pct "$pf" "$base") %"
		[ -n "$st" ] && echo "stat-overhead-sonde/perf $(ratio "$st" "$pf") x"
	fi
	if [ -n "$rc" ]; then
		echo "sample-overhead-record $rc ms"
		echo "sample-overhead-record-pct $(pct "$rc" "$base") %"
	fi
	if [ -n "$sm" ]; then
		echo "sample-overhead-sample $sm ms"
		echo "sample-overhead-sample-pct $(pct "$sm" "$base") %"
		[ -n "$rc" ] && echo "sample-overhead-sample/record $(ratio "$sm" "$rc") x"
		[ -z "$n" ] || echo "sample-overhead-samples $n samples"
	fi
}

# value CASE TEXT: the value on the line "CASE VALUE" of TEXT.
value() { awk -v c="$1" '$1 == c { print $2; exit }' <<<"$2"; }

# plain CASE UNIT CMD...: run a program printing "CASE VALUE"; emit with UNIT.
plain() {
	local c=$1 unit=$2 out v
	shift 2
	out=$(T "$@") || { fail "$c: $* failed"; return; }
	v=$(value "$c" "$out")
	[ -n "$v" ] && echo "$c $v $unit" || fail "$c: no result from $*"
}

# filter_cases: bench:ev3 as enabled-3int records it, and the same under
# --filter: one filter that rejects every event (a < 0; a is the loop
# index), one that keeps every event (a >= 0).  A filtered-out event costs
# the site's load and branch, its out-of-line path evaluating the fields'
# expressions, and the compiled check; a filtered-in one that and the
# record.
filter_cases() {
	local v
	plain disabled ns/event "$BIN/bench-sonde" disabled "$LOOP_ITER"
	if rec enabled-3int --overwrite -- "$BIN/bench-sonde" enabled-3int "$ITER"; then
		v=$(value enabled-3int "$REC_OUT")
		[ -n "$v" ] && echo "enabled-3int $v ns/event" || fail "enabled-3int: no result"
	fi
	if rec filtered-out --overwrite -e 'bench:*' --filter 'a < 0' -- \
		"$BIN/bench-sonde" enabled-3int "$ITER"; then
		v=$(value enabled-3int "$REC_OUT")
		[ -n "$v" ] && echo "filtered-out $v ns/event" || fail "filtered-out: no result"
		[ "$REC_EVENTS" -le 16 ] || fail "filtered-out: $REC_EVENTS events recorded, none expected"
	fi
	if rec filtered-in --overwrite -e 'bench:*' --filter 'a >= 0' -- \
		"$BIN/bench-sonde" enabled-3int "$ITER"; then
		v=$(value enabled-3int "$REC_OUT")
		[ -n "$v" ] && echo "filtered-in $v ns/event" || fail "filtered-in: no result"
	fi
	# --context ip: every event through the out-of-line path, which writes
	# the site's address before the fields.
	if rec context-ip --overwrite --context ip -- \
		"$BIN/bench-sonde" enabled-3int "$ITER"; then
		v=$(value enabled-3int "$REC_OUT")
		[ -n "$v" ] && echo "context-ip $v ns/event" || fail "context-ip: no result"
	fi
}

one_rep() {
	local out v r1 rn rt el w prog

	plain floor ns/event "$BIN/floor" floor "$ITER"
	out=$(T "$BIN/floor" empty "$LOOP_ITER") && v=$(value empty "$out") && [ -n "$v" ] && echo "floor-empty $v ns/event" || fail "floor-empty: no result"
	plain empty ns/event "$BIN/bench-sonde" empty "$LOOP_ITER"
	plain disabled ns/event "$BIN/bench-sonde" disabled "$LOOP_ITER"

	for c in enabled-3int enabled-string; do
		rec "$c" --overwrite -- "$BIN/bench-sonde" "$c" "$ITER" || continue
		v=$(value "$c" "$REC_OUT")
		[ -n "$v" ] && echo "$c $v ns/event" || fail "$c: no result"
	done

	# The same event on threads the C library did not register with rseq
	# (as without glibc >= 2.35): libsonde registers them itself.
	if rec own-rseq --overwrite -- env GLIBC_TUNABLES=glibc.pthread.rseq=0 \
		"$BIN/bench-sonde" enabled-3int "$ITER"; then
		v=$(value enabled-3int "$REC_OUT")
		[ -n "$v" ] && echo "enabled-3int-own-rseq $v ns/event" || fail "enabled-3int-own-rseq: no result"
	fi

	# First lap over fresh 64 MiB buffers: racing the prefault, without
	# it, and after it.
	for c in first-lap first-lap-noprefault first-lap-after-prefault; do
		prog=(env SONDE_PREFAULT=1 "$BIN/bench-sonde" "${c%-noprefault}")
		[ "$c" = first-lap-noprefault ] && prog[1]=SONDE_PREFAULT=0
		rec "$c" --overwrite --subbuf-size 4M --num-subbuf 16 -- \
			"${prog[@]}" "$FIRSTLAP_ITER" || continue
		v=$(value "${c%-noprefault}" "$REC_OUT")
		[ -n "$v" ] && echo "$c $v ns/event" || fail "$c: no result"
		v=$(value first-lap-prefault-wait "$REC_OUT")
		[ -z "$v" ] || echo "first-lap-prefault-wait $v ms"
	done

	if rec threads --overwrite -- "$BIN/bench-sonde" enabled-2threads "$ITER" "$THREADS"; then
		r1=$(value enabled-1thread-rate "$REC_OUT")
		rn=$(value "enabled-${THREADS}threads" "$REC_OUT")
		if [ -n "$r1" ] && [ -n "$rn" ]; then
			echo "enabled-1thread-rate $r1 events/s"
			echo "enabled-${THREADS}threads $rn events/s"
			echo "${THREADS}threads/1thread $(awk -v a="$rn" -v b="$r1" 'BEGIN { printf "%.3f", a / b }') x"
		else
			fail "enabled-${THREADS}threads: no result"
		fi
	fi

	if rec disk -- "$BIN/bench-sonde" record-to-disk "$ITER"; then
		el=$(value record-to-disk-elapsed "$REC_OUT")
		w=$(value record-to-disk-warmup "$REC_OUT")
		if [ -n "$el" ] && [ -n "$w" ]; then
			rt=$(awk -v e="$REC_EVENTS" -v w="$w" -v t="$el" \
				'BEGIN { n = e - w; if (n < 0) n = 0; printf "%.0f", n / t }')
			echo "record-to-disk $rt events/s"
			echo "record-to-disk-lost $REC_LOST events"
		else
			fail "record-to-disk: no result"
		fi
	fi

	if rec paced -- "$BIN/bench-sonde" record-paced "$PACED_ITER" 20000000; then
		el=$(value record-paced-elapsed "$REC_OUT")
		w=$(value record-paced-warmup "$REC_OUT")
		if [ -n "$el" ] && [ -n "$w" ]; then
			rt=$(awk -v e="$REC_EVENTS" -v w="$w" -v t="$el" \
				'BEGIN { n = e - w; if (n < 0) n = 0; printf "%.0f", n / t }')
			echo "record-20M/s $rt events/s"
			echo "record-20M/s-lost $REC_LOST events"
		else
			fail "record-20M/s: no result"
		fi
	fi

	if rec bytes --num-subbuf 64 -- "$BIN/bench-sonde" enabled-3int "$BYTES_ITER"; then
		if [ "$REC_LOST" != 0 ]; then
			log "bytes/event: $REC_LOST events lost; sample dropped"
		elif [ "$REC_EVENTS" -gt 0 ]; then
			v=$(find "$REC_DIR" -maxdepth 1 -type f -name 'channel0_*' -printf '%s\n' |
				awk -v e="$REC_EVENTS" '{ s += $1 } END { printf "%.2f", s / e }')
			echo "bytes/event $v bytes"
		else
			fail "bytes/event: no events recorded"
		fi
	fi

	if [ -n "$MARKER" ] && rec marker --overwrite -- "$MARKER" marker "$ITER"; then
		v=$(value marker "$REC_OUT")
		[ -n "$v" ] && echo "marker $v ns/event" || fail "marker: no result"
	fi

	overheads
	[ -z "$PMUSET" ] || plain pmu-set-switch ns/switch "$PMUSET" "$SET_ITER"
	rm -rf "${TRACES:?}"/*
}

# Readers on one trace of READ_HALF x 2 events (examples/hello: a request
# with a string and a tick per iteration): events/s of `sonde view` and
# `sonde stats` (REPS runs each) and of `babeltrace2` (BT_REPS runs: it is
# slow), all printing to /dev/null, and the ratios to babeltrace2.
secs() { local t0=$(date +%s%N); "$@" >/dev/null 2>&1 || return 1; echo $(( $(date +%s%N) - t0 )); }
readers() {
	local hello=$BUILD_DIR/bin/hello n ns r bt=()
	[ -x "$hello" ] || { echo "readers: skipped: $hello not built"; return; }
	log "readers: recording $((READ_HALF * 2)) events"
	rec readers --num-subbuf 128 -- "$hello" "$READ_HALF" || return
	n=$REC_EVENTS
	for r in $(seq "$BT_REPS"); do
		ns=$(secs T babeltrace2 "$REC_DIR") || { fail "babeltrace2 failed"; return; }
		echo "read-babeltrace2 $(awk -v n="$n" -v t="$ns" 'BEGIN { printf "%.0f", n / (t / 1e9) }') events/s"
		bt+=("$ns")
	done
	bt=$(printf '%s\n' "${bt[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
	for r in $(seq "$REPS"); do
		for verb in view stats; do
			ns=$(secs T "$SONDE" $verb "$REC_DIR") || { fail "sonde $verb failed"; continue; }
			echo "read-sonde-$verb $(awk -v n="$n" -v t="$ns" 'BEGIN { printf "%.0f", n / (t / 1e9) }') events/s"
			echo "read-$verb/babeltrace2 $(awk -v a="$bt" -v b="$ns" 'BEGIN { printf "%.2f", a / b }') x"
		done
	done
	echo "read-trace-events $n events"
	rm -rf "$REC_DIR"
}

# analysis-*: stats, stats --by, stats --top and export --format sqlite
# on one generated trace (REPS runs each, interleaved).
analysis() {
	local d=$TRACES/pairs db=$TRACES/pairs.db n r t0 ns nsb nst nsq sz
	command -v python3 >/dev/null || { echo "analysis: skipped: python3 not found"; return; }
	rm -rf "$d" && mkdir -p "$d" || { fail "analysis: cannot create $d"; return; }
	log "analysis: generating a trace of $ANALYSIS_CMDS commands (tests/reader/mk-pairs.py)"
	python3 tests/reader/mk-pairs.py "$d" "$ANALYSIS_CMDS" || { fail "analysis: mk-pairs.py failed"; return; }
	n=$(T "$SONDE" stats --json "$d" | python3 -c 'import json, sys; print(json.load(sys.stdin)["events"])')
	[ -n "$n" ] || { fail "analysis: no event count from sonde stats --json"; return; }
	for r in $(seq "$REPS"); do
		ns=$(secs T "$SONDE" stats "$d") || { fail "analysis: sonde stats failed"; return; }
		nsb=$(secs T "$SONDE" stats --by name "$d") || { fail "analysis: sonde stats --by failed"; return; }
		nst=$(secs T "$SONDE" stats --top 100 "$d") || { fail "analysis: sonde stats --top failed"; return; }
		echo "analysis-stats $(awk -v n="$n" -v t="$ns" 'BEGIN { printf "%.0f", n / (t / 1e9) }') events/s"
		echo "analysis-stats-by $(awk -v n="$n" -v t="$nsb" 'BEGIN { printf "%.0f", n / (t / 1e9) }') events/s"
		echo "analysis-stats-top $(awk -v n="$n" -v t="$nst" 'BEGIN { printf "%.0f", n / (t / 1e9) }') events/s"
		echo "analysis-by/stats $(awk -v a="$ns" -v b="$nsb" 'BEGIN { printf "%.3f", a / b }') x"
		echo "analysis-top/stats $(awk -v a="$ns" -v b="$nst" 'BEGIN { printf "%.3f", a / b }') x"
		rm -f "$db"
		if ! nsq=$(secs T "$SONDE" export --format sqlite -o "$db" "$d"); then
			if "$SONDE" export --format sqlite -o "$db" "$d" 2>&1 | grep -q unavailable; then
				echo "analysis-sqlite: skipped: this sonde is built without SQLite"
			else
				fail "analysis: sonde export --format sqlite failed"
			fi
			continue
		fi
		sz=$(stat -c %s "$db")
		echo "analysis-sqlite $(awk -v n="$n" -v t="$nsq" 'BEGIN { printf "%.0f", n / (t / 1e9) }') events/s"
		echo "analysis-sqlite-bytes/event $(awk -v n="$n" -v s="$sz" 'BEGIN { printf "%.1f", s / n }') bytes"
	done
	echo "analysis-trace-events $n events"
	rm -rf "$d" "$db"
}

# Every section but the kernel-events one.
user_sections() {
	local r
	for r in $(seq "$REPS"); do
		log "repetition $r/$REPS"
		one_rep
	done
	if [ -z "$MARKER" ]; then
		if [ -f include/sonde/marker.h ]; then
			echo "marker: skipped: bench/bench-marker.c not written yet"
		else
			echo "marker: skipped: markers not implemented yet"
		fi
	fi
	[ -z "$PERF_SKIP" ] || echo "$PERF_SKIP"
	[ -z "$PMUSET_SKIP" ] || echo "$PMUSET_SKIP"
	readers
	if [ "${LTTNG:-1}" = 0 ]; then
		echo "lttng: skipped: LTTNG=0"
	else
		log "LTTng reference (ITER=$LTTNG_ITER)"
		BUILD=$BIN REPS=$REPS THREADS=$THREADS bash bench/lttng/run-lttng.sh "$LTTNG_ITER" ||
			fail "bench/lttng/run-lttng.sh failed"
	fi
}

{
	echo "# sonde bench: REPS=$REPS ITER=$ITER LOOP_ITER=$LOOP_ITER THREADS=$THREADS ONLY=$ONLY $(date -u +%FT%TZ)"
	[ -n "$ONLY" ] || user_sections
	if [ "$ONLY" = filter ]; then
		for r in $(seq "$REPS"); do
			log "filter: repetition $r/$REPS"
			filter_cases
		done
	elif [ -z "$ONLY" ]; then
		for r in $(seq "$REPS"); do
			filter_cases | grep -E '^filtered-'
		done
	fi
	[ -n "$ONLY" ] && [ "$ONLY" != analysis ] || analysis
	if [ -z "$ONLY" ] || [ "$ONLY" = relay ]; then
		log "relay: sonde record to disk, to lttng-relayd on loopback (zero copy on and off), to both"
		REPS=$REPS bash bench/relay.sh "$BUILD_DIR" || fail "bench/relay.sh failed"
	fi
	if [ -z "$ONLY" ] || [ "$ONLY" = kernel ]; then
		log "kernel events: sonde record -k against perf record -e"
		PERF=$PERF CC=$CC bash bench/kernel-events.sh "$BUILD_DIR" ||
			fail "bench/kernel-events.sh failed"
	fi
} >"$RAW"

grep -E '^[a-z-]+: skipped' "$RAW" || true
echo
sh bench/report.sh "$JSON" <"$RAW" || die "bench/report.sh failed"
echo
echo "Results: $JSON (raw lines: $RAW)"

# Targets, from the medians (and the lost maximum) in results.json.
echo
echo "Targets:"
echo
awk -v nt="$THREADS" -v only="$ONLY" '
/"case": / {
	c = $0; sub(/.*"case": "/, "", c); sub(/".*/, "", c)
	m = $0; sub(/.*"median": /, "", m); sub(/,.*/, "", m)
	x = $0; sub(/.*"max": /, "", x); sub(/,.*/, "", x)
	med[c] = m + 0; max[c] = x + 0
}
function line(ok, what, meas) {
	printf "- %-44s %-8s (%s)\n", what ":", ok ? "met" : "NOT met", meas
}
function missing(what) { printf "- %-44s %-8s (no data)\n", what ":", "NOT met" }
function kernel_targets(    w, lmax, pmax, c, r, top) {
	w = "kernel: sonde slowdown <= perf record'"'"'s"
	if (!("kernel-sonde-slowdown" in med))
		printf "- %-44s %s\n", w ":", "skipped (see the kernel-events line above)"
	else if (!("kernel-perf-slowdown" in med))
		printf "- %-44s %s\n", w ":", "skipped (no perf: see the kernel-perf line above)"
	else
		line(med["kernel-sonde-slowdown"] <= med["kernel-perf-slowdown"], w,
		     sprintf("elapsed %.2f x vs %.2f x, sonde/perf %.2f; CPU %.2f x vs %.2f x, sonde/perf %.2f",
			     med["kernel-sonde-slowdown"], med["kernel-perf-slowdown"], med["kernel-sonde/perf"],
			     med["kernel-sonde-cpu-slowdown"], med["kernel-perf-cpu-slowdown"], med["kernel-sonde/perf-cpu"]))
	if (!("kernel-sonde-lost" in med))
		return
	# Every run: the warm and cold unpaced ones and the paced sweep.
	lmax = 0
	for (c in max)
		if (c ~ /^kernel-(cold-)?sonde-(lost|missing)$/ && max[c] > lmax)
			lmax = max[c]
	pmax = 0; top = 0
	for (c in max)
		if (c ~ /^kernel-sonde-paced-[0-9]+-lost$/) {
			if (max[c] > pmax) pmax = max[c]
			r = c; sub(/^kernel-sonde-paced-/, "", r); sub(/-lost$/, "", r)
			if (r + 0 > top) top = r + 0
		}
	c = "kernel-sonde-paced-" top "-rate"
	line(lmax == 0 && pmax == 0, "kernel: sonde 0 lost in every run",
	     sprintf("lost or missing: max %d unpaced (%.2fM events/s), %d paced (%.2fM/s asked, %.2fM/s reached); 0 lost up to %.2fM/s%s",
		     lmax, med["kernel-sonde-rate"] / 1e6, pmax, top / 1e6, med[c] / 1e6, med["kernel-sonde-0lost-max"] / 1e6,
		     ("kernel-perf-0lost-max" in med) ? sprintf(", perf %.2fM/s", med["kernel-perf-0lost-max"] / 1e6) : ""))
}
function analysis_targets() {
	if ("analysis-sqlite" in med)
		line(med["analysis-sqlite"] >= 1e6, "export to SQLite >= 1M events/s",
		     sprintf("%.2fM events/s, %.0f bytes/event", med["analysis-sqlite"] / 1e6,
			     med["analysis-sqlite-bytes/event"]))
}
function filter_targets() {
	if (("filtered-out" in med) && ("enabled-3int" in med) && ("disabled" in med))
		line(med["filtered-out"] < med["enabled-3int"],
		     "a filtered-out event costs less than a recorded one",
		     sprintf("%.2f ns/event: the disabled site %.2f + the filtered path %.2f; recorded %.2f, filtered-in %.2f",
			     med["filtered-out"], med["disabled"], med["filtered-out"] - med["disabled"],
			     med["enabled-3int"], med["filtered-in"]))
	else missing("a filtered-out event costs less than a recorded one")
	if (("context-ip" in med) && ("enabled-3int" in med))
		line(med["context-ip"] <= 2 * med["enabled-3int"],
		     "--context ip costs at most twice a recorded event",
		     sprintf("%.2f ns/event with ip, %.2f without (x%.2f)",
			     med["context-ip"], med["enabled-3int"],
			     med["context-ip"] / med["enabled-3int"]))
	else missing("--context ip costs at most twice a recorded event")
}
END {
	if (only == "filter") {
		filter_targets()
		exit
	}
	if (only == "kernel") {
		kernel_targets()
		exit
	}
	if (only == "analysis") {
		analysis_targets()
		exit
	}
	if (("enabled-3int" in med) && ("floor" in med) && med["floor"] > 0) {
		r = med["enabled-3int"] / med["floor"]
		line(r <= 1.3, "enabled-3int <= 1.3 x floor",
		     sprintf("%.2f x: %.2f vs %.2f ns/event", r, med["enabled-3int"], med["floor"]))
	} else missing("enabled-3int <= 1.3 x floor")
	filter_targets()
	if (("disabled" in med) && ("empty" in med)) {
		d = med["disabled"] - med["empty"]
		line(d <= 0.1 && d >= -0.1, "disabled within 0.1 ns of empty",
		     sprintf("%+.3f ns: %.3f vs %.3f ns", d, med["disabled"], med["empty"]))
	} else missing("disabled within 0.1 ns of empty")
	k = nt "threads/1thread"
	if (k in med)
		line(med[k] >= 1.9, nt "threads >= 1.9 x 1thread", sprintf("%.2f x", med[k]))
	else missing(nt "threads >= 1.9 x 1thread")
	if ("bytes/event" in med)
		line(med["bytes/event"] <= 20, "bytes/event <= 20", sprintf("%.2f bytes", med["bytes/event"]))
	else missing("bytes/event <= 20")
	if ("read-view/babeltrace2" in med)
		line(med["read-view/babeltrace2"] >= 10, "sonde view >= 10 x babeltrace2 (events/s)",
		     sprintf("%.1f x: %.1fM vs %.1fM events/s", med["read-view/babeltrace2"],
			     med["read-sonde-view"] / 1e6, med["read-babeltrace2"] / 1e6))
	if ("read-stats/babeltrace2" in med)
		line(med["read-stats/babeltrace2"] >= 10, "sonde stats >= 10 x babeltrace2 (events/s)",
		     sprintf("%.1f x: %.1fM events/s", med["read-stats/babeltrace2"],
			     med["read-sonde-stats"] / 1e6))
	if (("record-20M/s" in med) && ("record-20M/s-lost" in med))
		line(med["record-20M/s"] >= 19.8e6 && max["record-20M/s-lost"] == 0,
		     "record-to-disk sustains 20M events/s, 0 lost",
		     sprintf("%.1fM events/s sustained, lost: median %d, max %d; unpaced: %.1fM events/s",
			     med["record-20M/s"] / 1e6, med["record-20M/s-lost"],
			     max["record-20M/s-lost"], med["record-to-disk"] / 1e6))
	else missing("record-to-disk sustains 20M events/s, 0 lost")
	analysis_targets()
	kernel_targets()
}' "$JSON"

[ "$FAILED" = 0 ] || { log "some cases failed; see the messages above"; exit 1; }
exit 0
