#!/bin/bash
# SPDX-License-Identifier: MIT
# test-stats: counts per event, per stream and begin/end pair durations on a
# program with known pairs (3 threads x 4 pairs of each kind around 2 ms
# sleeps).  Durations are checked against generous bounds only.
# Usage: test-stats.sh SONDE BABELTRACE2 READER_PROG JSON_CHECK
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/../integration/lib.sh"
SONDE=$1 PROG=$3 JCHECK=$4
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

# lost events per stream
st_record lost --subbuf-size 4k --num-subbuf 2 -- "$PROG" bulk 100000
"$SONDE" stats "$REC_DIR" >"$WORK/lost.txt"
tap_is "$(awk '$1 ~ /^channel0_/ { l += $4 } END { print l + 0 }' "$WORK/lost.txt")" "$REC_LOST" \
	"per-stream lost events add up to the $REC_LOST lost"
tap_is "$(awk '$1 ~ /^channel0_/ { s += $3 } END { print s + 0 }' "$WORK/lost.txt")" "$REC_EVENTS" \
	"per-stream events add up to the $REC_EVENTS recorded"
tap_done
