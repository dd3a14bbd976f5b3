#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# kernel-events.sh BUILD_DIR - the kernel-events section of the sonde bench:
# kernel tracepoints recorded by `sonde record -k` against `perf record -e`
# of the same tracepoints, in the same run.
#
# The traced program is bench/syscall-load.c (built here with cc into
# BUILD_DIR/bench): KITER getppid(2) calls, two kernel events each
# (syscalls:sys_enter_getppid, syscalls:sys_exit_getppid).  Three modes,
# interleaved one repetition at a time (KREPS repetitions; the order of
# sonde and perf alternates from one repetition to the next):
#   bare   the program alone
#   sonde  `sonde record -k EV1,EV2 -o DIR -- PROG` (default rings: 1 MiB
#          per CPU)
#   perf   `perf record -e EV1 -e EV2 -o FILE -- PROG` (default buffer:
#          512 KiB + 1 page per CPU)
# The first repetition (fresh tools, first use of the tracepoints in this
# run: sonde before perf) is the cold case, printed as kernel-cold-*; the
# others are the warm ones, kernel-*.  Per repetition:
#   kernel-loadavg  the 1-minute load average before it (other work on the
#          machine: the elapsed times below wait for a CPU under load)
#   kernel-bare-ms, kernel-sonde-ms, kernel-perf-ms  the program's own
#          elapsed time of its calls (ms, CLOCK_MONOTONIC, inside it)
#   kernel-bare-cpu, kernel-sonde-cpu, kernel-perf-cpu  the program's own
#          CPU time (ms, user + system): the tracer's work at each event is
#          done in the kernel on the program's time, so this one does not
#          count the waits for a CPU that load (or the tool) causes
#   kernel-bare-preempted, kernel-sonde-preempted, kernel-perf-preempted
#          the program's involuntary context switches (another task, the
#          recorder or other load, took its CPU)
#   kernel-sonde-slowdown, kernel-perf-slowdown  traced ms / bare ms of
#          the same repetition (the figure asked for: the app's slowdown);
#          kernel-*-cpu-slowdown  the same with the CPU times
#   kernel-sonde/perf, kernel-sonde/perf-cpu  sonde / perf, same repetition
#   kernel-sonde-rate, kernel-perf-rate  events recorded / the program's
#          elapsed time (events/s)
#   kernel-sonde-lost  the lost count of sonde's summary line ("sonde: N
#          kernel events recorded (K events), L lost"); recorded + lost
#          should be the 2 x KITER events made (logged otherwise)
#   kernel-sonde-missing, kernel-perf-missing  the events made less the
#          recorded and lost ones: events gone with no count (sonde was
#          seen to miss events lost while the program ends: the kernel
#          reports a loss in the ring only before a later record)
#   kernel-perf-lost  0 when perf's "[ perf record: Captured and wrote ...
#          (N samples) ]" has exactly the 2 x KITER events, else perf's own
#          count: the LOST_SAMPLES of `perf report --stats`, summed over the
#          two events.  In runs where perf lost, N + lost came out above the
#          events made: its file held some samples twice (same time, tid
#          and event in `perf script`), or its lost count was 2 high; perf's
#          recorded count is then 2 x KITER - lost (a gap over 0.1 % logged)
#   kernel-sonde-wall, kernel-perf-wall  ms from starting the command to
#          its exit: tool start-up, the last drain, perf's build-id pass
#   kernel-sonde-tool-cpu, kernel-perf-tool-cpu  CPU ms of the whole
#          command (bash's time: all its processes) less the program's own:
#          what the recorder itself used
# Then the rate sweep: the program paced at each rate of KRATES (events/s,
# i.e. KRATES / 2 calls/s, KSWEEP_MS ms of calls), under sonde and under
# perf, KSWEEP_REPS runs each (interleaved):
#   kernel-sonde-paced-R-rate / -lost, kernel-perf-paced-R-rate / -lost
# (there, lost is the events made less the recorded ones: counted lost
# and missing together) and, from the sweep and the unpaced warm runs, for
# each tool the highest rate reached with none lost or missing in every run
# at that rate and every lower one:
#   kernel-sonde-0lost-max, kernel-perf-0lost-max (events/s; the unpaced
#   runs are the top of the sweep: one thread's syscalls cannot go faster
#   here, so a tool with 0 lost there was not pushed to its limit)
#
# Output: `CASE VALUE UNIT` lines on stdout, as bench/report.sh reads;
# progress on stderr.  Prints "kernel-events: skipped: WHY" (and exits 0)
# when sonde cannot record kernel tracepoints here (not root, perf_event_open
# refused, no tracefs), and "kernel-perf: skipped: WHY" for perf's cases
# when perf is missing or cannot record the tracepoints.
#
# Env: KITER (400000 calls: 0.4 s of CPU bare on the 2-vCPU bench VM),
# KREPS (6: one cold and 5 warm), KRATES (125000 250000 500000 1000000),
# KSWEEP_MS (300), KSWEEP_REPS (2), PERF (perf; PERF= to skip it), CC (cc).
# Alone: ONLY=kernel bash bench/run.sh build-release (table and targets),
# or bash bench/kernel-events.sh build-release | sh bench/report.sh.
# Takes 40 to 65 s on the 2-vCPU bench VM (load average 3 to 9).
set -uo pipefail

[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=$(cd "$1" 2>/dev/null && pwd) || { echo "kernel-events: no build directory $1" >&2; exit 2; }
cd "$ROOT" || exit 1

KITER=${KITER:-400000}
KREPS=${KREPS:-6}
KRATES=${KRATES:-125000 250000 500000 1000000}
KSWEEP_MS=${KSWEEP_MS:-300}
KSWEEP_REPS=${KSWEEP_REPS:-2}
PERF=${PERF-perf}
CC=${CC:-cc}
EV1=syscalls:sys_enter_getppid
EV2=syscalls:sys_exit_getppid

SONDE=$BUILD_DIR/bin/sonde
BIN=$BUILD_DIR/bench
LOAD=$BIN/syscall-load

log() { echo "kernel-events: $*" >&2; }
skip() { echo "kernel-events: skipped: $*"; exit 0; }
FAILED=0
fail() { log "$*"; FAILED=1; }

[ -x "$SONDE" ] || { log "error: $SONDE not found; build first"; exit 1; }
mkdir -p "$BIN" || exit 1
$CC -std=c11 -O2 -g -Wall -Wextra -o "$LOAD" bench/syscall-load.c ||
	{ log "error: cannot build bench/syscall-load.c"; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/sonde-kbench.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
unset SONDE_SHM

paranoid=$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo '?')
if ! timeout 60 "$SONDE" record -k "$EV1,$EV2" -o "$TMP/probe" -- true >/dev/null 2>"$TMP/probe.err"; then
	skip "sonde record -k $EV1 fails here (uid $(id -u), perf_event_paranoid $paranoid; it needs root or CAP_PERFMON with tracefs readable): $(tail -n 1 "$TMP/probe.err")"
fi
rm -rf "$TMP/probe"

PERF_OK=1
if [ -z "$PERF" ] || ! command -v "$PERF" >/dev/null 2>&1; then
	echo "kernel-perf: skipped: perf not installed (Debian: linux-perf)"
	PERF_OK=0
elif ! timeout 60 "$PERF" record -e "$EV1" -e "$EV2" -o "$TMP/probe.data" -- true >/dev/null 2>"$TMP/probe.err"; then
	echo "kernel-perf: skipped: perf record -e $EV1 fails here: $(grep -v '^\s*$' "$TMP/probe.err" | head -n 1)"
	PERF_OK=0
fi
rm -f "$TMP/probe.data"

value() { awk -v c="$1" '$1 == c { print $2; exit }' "$2"; }

# run MODE CALLS [RATE]: one run of the program, bare or under a tool (MODE
# bare, sonde or perf).  Sets R_MS (its elapsed ms), R_CPU (its CPU ms),
# R_PRE (its involuntary context switches),
# R_WALL (ms of the whole command), R_TOOL (CPU ms of the command less the
# program's) and, for a tool, R_EV and R_LOST (events recorded, and lost
# by the tool's count) and R_MISS (the events made less both, 0 or more).
run() {
	local mode=$1 exp=$(($2 * 2)) t0 t1 ns line n d cmd
	shift
	case $mode in
	bare) cmd=("$LOAD") ;;
	sonde) cmd=("$SONDE" record -k "$EV1,$EV2" -o "$TMP/trace" -- "$LOAD") ;;
	perf) cmd=("$PERF" record -e "$EV1" -e "$EV2" -o "$TMP/perf.data" -- "$LOAD") ;;
	esac
	rm -rf "$TMP/trace" "$TMP/perf.data"
	t0=$(date +%s%N)
	{ time timeout 120 "${cmd[@]}" "$@" >"$TMP/out" 2>"$TMP/err"; } 2>"$TMP/time" || {
		fail "$mode: ${cmd[*]} $*: failed: $(tail -n 2 "$TMP/err" | tr '\n' ' ')"
		return 1
	}
	t1=$(date +%s%N)
	rm -rf "$TMP/trace"
	ns=$(value syscall-load-ns "$TMP/out")
	R_CPU=$(value syscall-load-cpu-ms "$TMP/out")
	R_PRE=$(value syscall-load-preempted "$TMP/out")
	[ -n "$ns" ] && [ -n "$R_CPU" ] && [ -n "$R_PRE" ] ||
		{ fail "$mode: no syscall-load-ns/cpu-ms/preempted lines from $LOAD"; return 1; }
	R_MS=$(awk -v n="$ns" 'BEGIN { printf "%.2f", n / 1e6 }')
	R_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e6 }')
	R_TOOL=$(awk -v c="$R_CPU" '{ printf "%.2f", ($2 + $3) * 1e3 - c; exit }' "$TMP/time")
	case $mode in
	sonde)
		line=$(grep -E '^sonde: [0-9]+ kernel events recorded .*, [0-9]+ lost' "$TMP/err" | tail -n 1)
		[ -n "$line" ] || { fail "sonde: no kernel summary line: $(tail -n 2 "$TMP/err" | tr '\n' ' ')"; return 1; }
		R_EV=$(awk '{ print $2 }' <<<"$line")
		R_LOST=$(sed -E 's/.*, ([0-9]+) lost.*/\1/' <<<"$line")
		[ $((R_EV + R_LOST)) = "$exp" ] ||
			log "sonde: $R_EV recorded + $R_LOST lost, but the program made $exp events: $((exp - R_EV - R_LOST)) missing, not counted as lost ($*)"
		;;
	perf)
		n=$(sed -nE 's/.*Captured and wrote .*\(([0-9]+) samples\).*/\1/p' "$TMP/err" | tail -n 1)
		[ -n "$n" ] || { fail "perf: no 'Captured and wrote' line: $(tail -n 2 "$TMP/err" | tr '\n' ' ')"; return 1; }
		R_EV=$n
		R_LOST=0
		if [ "$n" != "$exp" ]; then
			R_LOST=$("$PERF" report -i "$TMP/perf.data" --stats 2>/dev/null |
				awk '/ stats:$/ { ev = 1 } ev && /LOST_SAMPLES events:/ { s += $3 } END { print s + 0 }')
			# Samples + lost above the events made: perf wrote
			# some samples twice (same time, tid and event in
			# `perf script`: up to 0.8 % of them under load), or
			# its lost count is a little high (by 2, with no
			# duplicate).  Recorded: the events made less lost.
			if [ $((n + R_LOST)) -gt "$exp" ]; then
				R_EV=$((exp - R_LOST))
				[ "$R_EV" -ge 0 ] || R_EV=0
			fi
			d=$((n + R_LOST - exp))
			[ "${d#-}" -le $((exp / 1000)) ] ||
				log "perf: $n samples + $R_LOST lost is $d off the $exp events made ($*)"
		fi
		rm -f "$TMP/perf.data"
		;;
	esac
	if [ "$mode" != bare ]; then
		R_MISS=$((exp - R_EV - R_LOST))
		[ "$R_MISS" -ge 0 ] || R_MISS=0
	fi
	return 0
}

# The 0-lost scan works on these, one line per run of a tool:
# "TOOL RATE_TRIED RATE_REACHED LOST" (RATE_TRIED: inf when unpaced).
SCAN=$TMP/scan
: >"$SCAN"
TIMEFORMAT='%3R %3U %3S'

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
rate() { awk -v e="$1" -v ms="$2" 'BEGIN { printf "%.0f", e / (ms / 1e3) }'; }

log "$KREPS repetitions of $KITER getppid calls: bare, sonde record -k, perf record -e"
for r in $(seq "$KREPS"); do
	if [ "$r" = 1 ]; then p=kernel-cold; else p=kernel; fi
	echo "$p-loadavg $(cut -d' ' -f1 /proc/loadavg) load"
	run bare "$KITER" || continue
	bms=$R_MS; bcpu=$R_CPU
	echo "$p-bare-ms $R_MS ms"
	echo "$p-bare-cpu $R_CPU ms"
	echo "$p-bare-preempted $R_PRE switches"
	if [ $((r % 2)) = 1 ]; then order="sonde perf"; else order="perf sonde"; fi
	sms=""; pms=""
	for t in $order; do
		[ "$t" = perf ] && [ "$PERF_OK" = 0 ] && continue
		run "$t" "$KITER" || continue
		echo "$p-$t-ms $R_MS ms"
		echo "$p-$t-cpu $R_CPU ms"
		echo "$p-$t-preempted $R_PRE switches"
		echo "$p-$t-slowdown $(ratio "$R_MS" "$bms") x"
		echo "$p-$t-cpu-slowdown $(ratio "$R_CPU" "$bcpu") x"
		echo "$p-$t-rate $(rate "$R_EV" "$R_MS") events/s"
		echo "$p-$t-lost $R_LOST events"
		echo "$p-$t-missing $R_MISS events"
		echo "$p-$t-wall $R_WALL ms"
		echo "$p-$t-tool-cpu $R_TOOL ms"
		[ "$r" = 1 ] || echo "$t inf $(rate "$R_EV" "$R_MS") $((R_LOST + R_MISS))" >>"$SCAN"
		if [ "$t" = sonde ]; then sms=$R_MS; scpu=$R_CPU; else pms=$R_MS; pcpu=$R_CPU; fi
	done
	if [ -n "$sms" ] && [ -n "$pms" ]; then
		echo "$p-sonde/perf $(ratio "$sms" "$pms") x"
		echo "$p-sonde/perf-cpu $(ratio "$scpu" "$pcpu") x"
	fi
done

log "rate sweep: $KRATES events/s, $KSWEEP_MS ms each, $KSWEEP_REPS runs per tool"
for rt in $KRATES; do
	calls=$(awk -v r="$rt" -v ms="$KSWEEP_MS" 'BEGIN { printf "%.0f", r / 2 * ms / 1e3 }')
	for r in $(seq "$KSWEEP_REPS"); do
		for t in sonde perf; do
			[ "$t" = perf ] && [ "$PERF_OK" = 0 ] && continue
			run "$t" "$calls" $((rt / 2)) || continue
			echo "kernel-$t-paced-$rt-rate $(rate "$R_EV" "$R_MS") events/s"
			echo "kernel-$t-paced-$rt-lost $((R_LOST + R_MISS)) events"
			echo "$t $rt $(rate "$R_EV" "$R_MS") $((R_LOST + R_MISS))" >>"$SCAN"
		done
	done
done

# Per tool: walk the tried rates upwards (unpaced last); the highest median
# reached rate before the first rate with a loss in any run.
for t in sonde perf; do
	[ "$t" = perf ] && [ "$PERF_OK" = 0 ] && continue
	awk -v t="$t" '
	$1 == t { k = $2; if (!(k in n)) keys[++nk] = k; v[k, ++n[k]] = $3; if ($4 > 0) lost[k] = 1 }
	function median(k,    i, j, x, a, m) {
		m = n[k]
		for (i = 1; i <= m; i++) a[i] = v[k, i]
		for (i = 2; i <= m; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
		return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
	}
	END {
		if (!nk)
			exit
		# keys in ascending order, "inf" (unpaced) last
		for (i = 2; i <= nk; i++) {
			x = keys[i]
			for (j = i - 1; j >= 1 && (keys[j] == "inf" || (x != "inf" && keys[j] + 0 > x + 0)); j--) keys[j + 1] = keys[j]
			keys[j + 1] = x
		}
		best = 0
		for (i = 1; i <= nk; i++) {
			if (lost[keys[i]]) break
			m = median(keys[i]); if (m > best) best = m
		}
		printf "kernel-%s-0lost-max %.0f events/s\n", t, best
	}' "$SCAN"
done

[ "$FAILED" = 0 ] || { log "some runs failed; see the messages above"; exit 1; }
exit 0
