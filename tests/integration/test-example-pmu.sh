#!/bin/bash
# SPDX-License-Identifier: MIT
# test-example-pmu: examples/pmu-count, a program counting itself with
# <sonde/pmu.h> (sonde_pmu(3)), counts what it does: at least its 1000
# page first touches, some task-clock, and reports "cycles" (absent in a
# virtual machine without a PMU) either as counted or with a sentence
# saying why not, and exits 0.
# Skips (77) when perf_event_open is not permitted here.
# Usage: test-example-pmu.sh PMU_COUNT
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
PROG=$(st_abs "$1")
st_setup

timeout -k 5 60 "$PROG" >"$WORK/out" 2>"$WORK/err"
rc=$?
if grep -qi "permission denied" "$WORK/out" "$WORK/err"; then
	tap_skip_all "perf_event_open is not permitted here: $(grep -hi -m 1 "permission denied" "$WORK/out" "$WORK/err")"
fi
tap_is "$rc" 0 "pmu-count exits 0" || { tap_diag_file "$WORK/out"; tap_diag_file "$WORK/err"; }

# value NAME: the count printed for NAME ("<not ...>" when it did not count).
value() { awk -v n="$1" '$2 == n { print $1; exit }' "$WORK/out"; }

pf=$(value page-faults)
tap_ok "$([ -n "$pf" ] && [ "${pf#<}" = "$pf" ] && [ "$pf" -ge 1000 ] && echo 1)" \
	"page-faults >= 1000 (the pages it touches): $pf" || tap_diag_file "$WORK/out"
tc=$(value task-clock)
tap_ok "$([ -n "$tc" ] && [ "${tc#<}" = "$tc" ] && [ "$tc" -gt 0 ] && echo 1)" \
	"task-clock > 0: $tc ns" || tap_diag_file "$WORK/out"
tap_like "$(grep -E '^ *[0-9]+  context-switches ' "$WORK/out")" 'running' \
	"context-switches counts, with its running percentage"

# cycles: counted on a machine with a PMU; elsewhere, a sentence.
line=$(grep -E ' cycles ' "$WORK/out")
case $line in
*"<not supported>"*)
	tap_like "$line" 'cycles is not supported on this machine: .*\(.+\)$' \
		"the unsupported event is reported with a sentence: $(printf '%s' "$line" | sed 's/^ *<not supported>  cycles  *//')"
	;;
*)
	tap_like "$line" '^ *[0-9]+  cycles +\([0-9.]+% running\)$' \
		"cycles counts on this machine (it has a PMU)"
	;;
esac
tap_done
