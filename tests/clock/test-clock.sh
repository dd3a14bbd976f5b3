#!/bin/bash
# usage: test-clock.sh SONDE EMITTER
# The trace clock maps to wall time: each event's timestamp (babeltrace2,
# seconds since the epoch) is within 5 ms of the CLOCK_REALTIME value it
# carries, across gaps that need extended timestamps, with the TSC clock and
# with the CLOCK_MONOTONIC fallback; timestamps never go backwards.
set -euo pipefail
sonde=$1 emitter=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
. "$(dirname "$0")/../tap.sh"
tap_plan 6
for clk in default monotonic; do
	if [ $clk = monotonic ]; then export SONDE_CLOCK=monotonic; else unset SONDE_CLOCK; fi
	"$sonde" record -o "$dir/$clk" -- "$emitter" 2>/dev/null
	babeltrace2 --clock-seconds "$dir/$clk" > "$dir/$clk.txt"
	n=$(grep -c 'clock:sample' "$dir/$clk.txt" || true)
	tap_is "$n" 7 "$clk: 7 events recorded"
	# The generic architecture build (make check-generic) has no TSC clock.
	want=$([ $clk = monotonic ] || [ -n "${SONDE_TEST_GENERIC:-}" ] && echo monotonic || echo tsc)
	tap_cmd "$clk: clock class named $want" -- grep -q "name = \"$want\"" "$dir/$clk/metadata"
	# [1795432958.352742613] ... real_ns = N
	awk -v clk=$clk '
		/clock:sample/ {
			t = $1; gsub(/[\[\]]/, "", t); split(t, p, ".")
			match($0, /real_ns = [0-9]+/); r = substr($0, RSTART + 10, RLENGTH - 10)
			rs = substr(r, 1, length(r) - 9); rf = substr(r, length(r) - 8)
			d = (p[1] - rs) * 1e9 + (p[2] - rf)
			if (d < 0) d = -d
			if (d > 5e6) { printf "%s: event off wall time by %d ns\n", clk, d; bad = 1 }
			if (t + 0 < last) { printf "%s: time went backwards\n", clk; bad = 1 }
			last = t + 0
		}
		END { exit bad }' "$dir/$clk.txt" > "$dir/$clk.awk" && r=1 || r=0
	tap_diag_file "$dir/$clk.awk" 10
	tap_ok "$r" "$clk: trace time matches CLOCK_REALTIME within 5 ms"
done
tap_done
