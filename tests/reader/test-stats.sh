#!/bin/bash
# SPDX-License-Identifier: MIT
# test-stats: counts per event, per stream and begin/end pair durations on a
# program with known pairs (3 threads x 4 pairs of each kind around 2 ms
# sleeps).  Durations are checked against generous bounds only.  Lost
# events: tiny buffers in discard mode and a burst far larger than they
# hold make a loss certain (asserted); sonde stats must report exactly the
# loss that sonde record's summary and babeltrace2 (sum of its "Tracer
# discarded N events" warnings, per stream too) report.  Without
# babeltrace2 the checks against it are skipped (exit 77 at the end when
# nothing else failed).
# Usage: test-stats.sh SONDE BABELTRACE2 READER_PROG JSON_CHECK
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/../integration/lib.sh"
SONDE=$1 BT=$2 PROG=$3 JCHECK=$4
st_setup

st_record sp -- "$PROG" spans 3 4 2
tap_is "$REC_RC/$REC_EVENTS/$REC_LOST" "0/48/0" "recorded 48 events"
"$SONDE" stats "$REC_DIR" >"$WORK/stats.txt" 2>"$WORK/stats.err"
tap_is "$?/$(wc -c <"$WORK/stats.err")" "0/0" "sonde stats exits 0, nothing on stderr"
tap_like "$(head -n 1 "$WORK/stats.txt")" "^Trace .*: 48 events, 0 lost, over [0-9.]+ s$" "summary line"
for ev in rd:span_begin rd:span_end rd:op_entry rd:op_exit; do
	tap_is "$(awk -v e=$ev '$1 == e { print $2 }' "$WORK/stats.txt")" 12 "$ev counted 12 times"
done
tap_is "$(awk '$1 ~ /^channel0_/ { s += $3; l += $4 } END { print s "/" l }' "$WORK/stats.txt")" "48/0" \
	"stream lines add up to 48 events, 0 lost"
for p in rd:span rd:op; do
	line=$(awk -v p=$p '$1 == p' "$WORK/stats.txt")
	tap_is "$(echo "$line" | awk '{ print $2 "/" $3 }')" "12/0" "$p: 12 pairs, none unmatched"
	# min >= 1.9 ms, max < 10 s, min <= p50 <= p90 <= p99 <= max
	tap_is "$(echo "$line" | awk '{ ok = $4 >= 1900 && $8 < 10000000 && $4 <= $5 && $5 <= $6 && $6 <= $7 && $7 <= $8; print ok }')" 1 \
		"$p: durations ordered, about 2 ms or more: $(echo "$line" | cut -c34-)"
done

"$SONDE" stats --json "$REC_DIR" >"$WORK/stats.json"
tap_is "$?" 0 "sonde stats --json exits 0"
tap_cmd "--json output is valid JSON" -- "$JCHECK" "$WORK/stats.json"
tap_like "$(cat "$WORK/stats.json")" '"pairs":\[\{"name":"rd:(span|op)","begin":"rd:[a-z_]+","end":"rd:[a-z_]+","count":12,"unmatched":0,' "JSON pairs"
tap_like "$(cat "$WORK/stats.json")" '"events":48,"lost":0,' "JSON totals"

# Lost events.  4 KiB x 2 sub-buffers per CPU hold a few hundred events;
# the burst of N from one thread outruns the consumer, so it loses most.
N=100000
st_record lost --subbuf-size 4k --num-subbuf 2 -- "$PROG" bulk $N
tap_is "$REC_RC" 0 "lost: recorded" || tap_diag_file "$WORK/lost.err"
tap_ok "$([ "${REC_LOST:-0}" -gt 0 ] && echo 1)" \
	"lost: sonde record's summary reports lost events (${REC_LOST:-none}), so the checks below count something"
tap_is "$((REC_EVENTS + REC_LOST))" "$N" "lost: recorded + lost = the $N emitted"
"$SONDE" stats "$REC_DIR" >"$WORK/lost.txt" 2>"$WORK/lost.stats.err"
tap_is "$?/$(wc -c <"$WORK/lost.stats.err")" "0/0" "lost: sonde stats exits 0, nothing on stderr"
stats_lost=$(sed -nE '1s/^Trace .*: ([0-9]+) events, ([0-9]+) lost, .*/\1 \2/p' "$WORK/lost.txt")
tap_is "$stats_lost" "$REC_EVENTS $REC_LOST" "lost: sonde stats' summary line: the summary's events and lost"
tap_is "$(awk '$1 ~ /^channel0_/ { l += $4 } END { print l + 0 }' "$WORK/lost.txt")" "$REC_LOST" \
	"lost: per-stream lost events add up to the $REC_LOST lost"
tap_is "$(awk '$1 ~ /^channel0_/ { s += $3 } END { print s + 0 }' "$WORK/lost.txt")" "$REC_EVENTS" \
	"lost: per-stream events add up to the $REC_EVENTS recorded"
"$SONDE" stats --json "$REC_DIR" >"$WORK/lost.json"
tap_like "$(cat "$WORK/lost.json")" "\"events\":$REC_EVENTS,\"lost\":$REC_LOST," "lost: JSON totals"

if [ -n "${BT:-}" ] && [ "${BT%NOTFOUND}" = "$BT" ] && [ -x "$BT" ]; then
	st_bt "$REC_DIR"
	tap_is "$BT_RC/$BT_OTHER_ERR/$BT_MAYBE" "0/0/0" \
		"lost: babeltrace2 reads the trace, every discarded-events warning with its count" ||
		tap_diag_file "$REC_DIR.bterr" 10
	tap_is "${stats_lost#* }" "$BT_DISCARDED" \
		"lost: sonde stats' lost = babeltrace2's discarded events ($BT_DISCARDED)"
	# Per stream: babeltrace2 names the stream file in each warning.
	sed -nE 's/^WARNING: Tracer discarded ([0-9]+) events? .* within stream "[^"]*\/([^"/]+)".*/\2 \1/p' \
		"$REC_DIR.bterr" | awk '{ d[$1] += $2 } END { for (s in d) print s, d[s] }' | sort >"$WORK/lost.bt-streams"
	awk '$1 ~ /^channel0_/ && $4 > 0 { print $1, $4 }' "$WORK/lost.txt" | sort >"$WORK/lost.sv-streams"
	tap_is "$(cat "$WORK/lost.sv-streams")" "$(cat "$WORK/lost.bt-streams")" \
		"lost: per stream, sonde stats' lost = babeltrace2's discarded events"
else
	tap_diag "babeltrace2 not found: the lost-event checks against it are skipped"
	BT_SKIPPED=1
fi
if [ -n "${BT_SKIPPED:-}" ] && [ "$TAP_FAILED" -eq 0 ]; then
	echo "1..$TAP_RUN"
	exit 77
fi
tap_done
