#!/bin/bash
# SPDX-License-Identifier: MIT
# test-stat: `sonde stat` counts what perf stat counts.
#  1. the default list: software events count, the hardware ones (none in
#     a VM without a PMU) print <not supported>; the exit status is the
#     command's;
#  2. page-faults, minor-faults and context-switches of a known workload
#     (WORK PAGES SWITCHES) are at least what it does, and agree with
#     Debian's `perf stat -x,` on the same command (median of 3 runs each)
#     within the bound below;
#  3. -x, CSV has perf's columns; --json one object per event;
#  4. an unknown event is an error naming it; an unsupported one is
#     <not supported> while the rest count;
#  5. sysfs syntax: software/config=2/ counts what page-faults counts;
#     a tracepoint sched:sched_switch counts the sleeps (tracefs mounted in
#     a private mount namespace when it is not mounted; skipped otherwise).
# Skips (77) when perf_event_open is not permitted here.
# Usage: test-stat.sh SONDE WORK
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$(st_abs "$1") WORKLOAD=$(st_abs "$2")
st_setup

PAGES=2000 SWITCHES=200
# The bound: both tools count the same kernel events of the same program,
# so page faults differ only by what the run itself varies (the loader's
# faults, a page cache miss): 2 % + 30.  Context switches also gain
# involuntary preemptions on a loaded machine: 25 % + 30.
PF_PCT=2 PF_ABS=30 CS_PCT=25 CS_ABS=30

"$SONDE" stat -x, -e task-clock -- true >"$WORK/probe.out" 2>"$WORK/probe.err"
rc=$?
if grep -qi "permission denied" "$WORK/probe.err"; then
	tap_skip_all "perf_event_open is not permitted here: $(head -n 1 "$WORK/probe.err")"
fi
tap_is "$rc" 0 "sonde stat -e task-clock -- true runs" ||
	tap_diag_file "$WORK/probe.err"

# 1. The default list, and the command's exit status.
"$SONDE" stat -- "$WORKLOAD" 10 0 7 >"$WORK/def.out" 2>"$WORK/def.err"
tap_is "$?" 7 "the exit status is the command's" || tap_diag_file "$WORK/def.err"
for ev in task-clock context-switches cpu-migrations page-faults; do
	tap_like "$(grep -E " $ev( |$)" "$WORK/def.err")" "^ *[0-9.,]+ +(msec +)?$ev" \
		"default list: $ev counts"
done
for ev in cycles instructions branches branch-misses; do
	line=$(grep -E " $ev( |$)" "$WORK/def.err")
	tap_like "$line" "^ *([0-9.,]+|<not supported>) +$ev" \
		"default list: $ev is a count or <not supported>"
done
tap_like "$(cat "$WORK/def.err")" "Performance counter stats for '.*test-stat-work 10 0 7'" \
	"the table's title names the command"
tap_like "$(cat "$WORK/def.err")" "seconds time elapsed" "the table ends with the elapsed time"

# field FILE EVENT: the value of EVENT in -x, output.
field() {
	awk -F, -v ev="$2" '$3 == ev { print $1 }' "$1"
}
median3() {
	printf '%s\n' "$@" | sort -n | sed -n 2p
}
within() { # within A B PCT ABS: |A-B| <= max(A,B)*PCT/100 + ABS
	local a=$1 b=$2 d m
	d=$((a > b ? a - b : b - a))
	m=$((a > b ? a : b))
	[ "$d" -le $((m * $3 / 100 + $4)) ]
}

# 2. Counts of the known workload, against perf stat.
EVS=page-faults,minor-faults,context-switches
declare -a spf smin scs ppf pmin pcs
for i in 1 2 3; do
	"$SONDE" stat -x, -e $EVS -- "$WORKLOAD" $PAGES $SWITCHES \
		>"$WORK/s$i.out" 2>"$WORK/s$i.csv"
	spf+=("$(field "$WORK/s$i.csv" page-faults)")
	smin+=("$(field "$WORK/s$i.csv" minor-faults)")
	scs+=("$(field "$WORK/s$i.csv" context-switches)")
done
s_pf=$(median3 "${spf[@]}") s_min=$(median3 "${smin[@]}") s_cs=$(median3 "${scs[@]}")
tap_diag "sonde stat: page-faults ${spf[*]}, minor-faults ${smin[*]}, context-switches ${scs[*]}"
tap_ok "$((s_pf >= PAGES))" "page-faults $s_pf >= $PAGES pages touched" ||
	tap_diag_file "$WORK/s1.csv"
tap_ok "$((s_min >= PAGES))" "minor-faults $s_min >= $PAGES pages touched"
# A sleep whose timer fires before the sleeper gets to schedule() does not
# switch: allow a tenth of them on a loaded machine.
tap_ok "$((s_cs >= SWITCHES * 9 / 10))" "context-switches $s_cs >= 90 % of $SWITCHES sleeps"

PERF=$(command -v perf)
if [ -n "$PERF" ] && "$PERF" stat -x, -e task-clock -- true >/dev/null 2>&1; then
	for i in 1 2 3; do
		"$PERF" stat -x, -e $EVS -- "$WORKLOAD" $PAGES $SWITCHES \
			>/dev/null 2>"$WORK/p$i.csv"
		ppf+=("$(field "$WORK/p$i.csv" page-faults)")
		pmin+=("$(field "$WORK/p$i.csv" minor-faults)")
		pcs+=("$(field "$WORK/p$i.csv" context-switches)")
	done
	p_pf=$(median3 "${ppf[@]}") p_min=$(median3 "${pmin[@]}") p_cs=$(median3 "${pcs[@]}")
	tap_diag "perf stat:  page-faults ${ppf[*]}, minor-faults ${pmin[*]}, context-switches ${pcs[*]}"
	within "$s_pf" "$p_pf" $PF_PCT $PF_ABS
	tap_ok "$((! $?))" "page-faults: sonde $s_pf, perf $p_pf (within $PF_PCT % + $PF_ABS)"
	within "$s_min" "$p_min" $PF_PCT $PF_ABS
	tap_ok "$((! $?))" "minor-faults: sonde $s_min, perf $p_min (within $PF_PCT % + $PF_ABS)"
	within "$s_cs" "$p_cs" $CS_PCT $CS_ABS
	tap_ok "$((! $?))" "context-switches: sonde $s_cs, perf $p_cs (within $CS_PCT % + $CS_ABS)"
else
	tap_diag "perf is not installed or cannot count here: comparison skipped"
fi

# 3. Formats.
line=$(grep ',page-faults,' "$WORK/s1.csv")
tap_like "$line" '^[0-9]+,,page-faults,[0-9]+,100\.00,,$' \
	"-x, line: value,unit,event,run time,percent running,,"
tap_like "$(grep ',task-clock,' "$WORK/probe.err")" '^[0-9]+\.[0-9]{2},msec,task-clock,[0-9]+,100\.00,,$' \
	"-x, task-clock in msec"
"$SONDE" stat --json -e page-faults,cycles -- "$WORKLOAD" 10 0 >"$WORK/json.out" 2>"$WORK/json.err"
tap_is "$(grep -c '^{.*}$' "$WORK/json.err")" 2 "--json: one object per line and event" ||
	tap_diag_file "$WORK/json.err"
tap_like "$(grep '"page-faults"' "$WORK/json.err")" '"counter-value" : "[0-9]+\.[0-9]+", "unit" : "", "event" : "page-faults", "event-runtime" : [0-9]+, "pcnt-running" : 100\.00' \
	"--json: perf's keys"

# 4. Unknown and unsupported events.
"$SONDE" stat -e page-faults,no-such-event -- true >"$WORK/unk.out" 2>"$WORK/unk.err"
tap_ok "$(($? != 0))" "an unknown event is an error"
tap_like "$(head -n 1 "$WORK/unk.err")" 'unknown event "no-such-event"' "the message names it"
"$SONDE" stat -x, -e cycles,page-faults -- "$WORKLOAD" $PAGES 0 3 >"$WORK/ns.out" 2>"$WORK/ns.csv"
tap_is "$?" 3 "with an unsupported event the exit status is still the command's"
if grep -q '^<not supported>,,cycles,' "$WORK/ns.csv"; then
	tap_ok 1 "cycles: <not supported> (no hardware PMU here)"
	tap_ok "$(($(field "$WORK/ns.csv" page-faults) >= PAGES))" \
		"and page-faults still counts" || tap_diag_file "$WORK/ns.csv"
else
	tap_diag "cycles counts here (a hardware PMU): $(grep ',cycles,' "$WORK/ns.csv")"
fi

# 5. sysfs syntax and tracepoints.
"$SONDE" stat -x, -e software/config=2/,page-faults -- "$WORKLOAD" $PAGES 0 \
	>"$WORK/sys.out" 2>"$WORK/sys.csv"
a=$(field "$WORK/sys.csv" software/config=2/) b=$(field "$WORK/sys.csv" page-faults)
tap_ok "$((a == b && a >= PAGES))" "software/config=2/ ($a) equals page-faults ($b)" ||
	tap_diag_file "$WORK/sys.csv"
"$SONDE" stat -e software/bogus=1/ -- true >/dev/null 2>"$WORK/bad.err"
tap_like "$(head -n 1 "$WORK/bad.err")" 'no field "bogus"' "a bad sysfs field is an error naming it"

tp_run() {
	"$SONDE" stat -x, -e sched:sched_switch,context-switches -- "$WORKLOAD" 0 $SWITCHES
}
if grep -q ' tracefs ' /proc/mounts; then
	tp_run >/dev/null 2>"$WORK/tp.csv"
elif [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null 2>&1; then
	mkdir "$WORK/tracefs"
	export -f tp_run
	export SONDE WORKLOAD SWITCHES
	unshare -m bash -c "mount -t tracefs nodev '$WORK/tracefs' && tp_run" \
		>/dev/null 2>"$WORK/tp.csv"
fi
if [ -s "$WORK/tp.csv" ] && grep -q ',sched:sched_switch,' "$WORK/tp.csv"; then
	a=$(field "$WORK/tp.csv" sched:sched_switch) b=$(field "$WORK/tp.csv" context-switches)
	# Both are counted in __schedule() for the task switched out: equal,
	# give or take the switches around exec and exit.
	d=$((a > b ? a - b : b - a))
	tap_ok "$((a >= SWITCHES * 9 / 10 && d <= 2))" \
		"sched:sched_switch ($a) counts the sleeps, as context-switches ($b)" ||
		tap_diag_file "$WORK/tp.csv"
else
	tap_diag "tracefs not available: tracepoint check skipped"
fi
tap_done
