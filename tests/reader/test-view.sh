#!/bin/bash
# SPDX-License-Identifier: MIT
# test-view: `sonde view` prints the same events, values and order as
# babeltrace2 (the oracle) on traces with every field type, several threads
# and CPUs, many packets and lost events; filters select what they say.
# Usage: test-view.sh SONDE BABELTRACE2 READER_PROG JSON_CHECK
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/../integration/lib.sh"
. "$here/lib-reader.sh"
SONDE=$1 BT=$2 PROG=$3
st_need_bt
st_setup

# compare NAME DIR: sonde view vs babeltrace2
compare() {
	local name=$1 dir=$2
	st_bt "$dir"
	rd_view "$name" "$dir"
	tap_is "$SV_RC/$(wc -c <"$WORK/$name.sverr")" "0/0" "$name: sonde view exits 0, nothing on stderr" ||
		tap_diag_file "$WORK/$name.sverr"
	rd_norm_bt "$dir.bt" >"$WORK/$name.want"
	rd_norm_sv "$WORK/$name.sv" >"$WORK/$name.got"
	if cmp -s "$WORK/$name.want" "$WORK/$name.got"; then
		tap_ok 1 "$name: same events, values, pid/tid and order as babeltrace2 ($(wc -l <"$WORK/$name.got") events)"
	else
		tap_ok 0 "$name: same events, values, pid/tid and order as babeltrace2"
		diff -u "$WORK/$name.want" "$WORK/$name.got" >"$WORK/$name.diff"
		tap_diag_file "$WORK/$name.diff" 30
	fi
}

# 1. every field type, escapes, float formatting
st_record fields -- "$PROG" fields
tap_is "$REC_RC" 0 "fields: recorded"
compare fields "$WORK/fields"
tap_like "$(grep -ac '^\[[0-9:.]*\] (+[0-9?.]*) cpu [0-9]* pid [0-9]* tid [0-9]* rd:[a-z_]*:' "$WORK/fields.sv")" '^[1-9]' \
	"fields: lines look like [time] (+delta) cpu N pid P tid T name:"
tap_is "$(head -n 1 "$WORK/fields.sv" | grep -c '(+?.?????????)')" 1 "first event has an unknown delta"

# 2. 4 threads pinned to the CPUs, small packets (many packets, 24-bit
#    timestamp extension across records)
st_record threads --subbuf-size 4k --num-subbuf 64 -- "$PROG" threads 4 3000
tap_is "$REC_RC/$REC_LOST" "0/0" "threads: recorded, nothing lost"
compare threads "$WORK/threads"
tap_is "$(cut -d' ' -f3 "$WORK/threads.got" | sort -u | wc -l)" \
	"$(ls "$WORK/threads" | grep -c '^channel0_')" "threads: events from every CPU's stream"
tap_is "$(awk '{ print $7 }' "$WORK/threads.got" | sort -u | wc -l)" 4 "threads: 4 distinct tids"

# 3. lost events: tiny buffers, a burst
st_record lost --subbuf-size 4k --num-subbuf 2 -- "$PROG" bulk 100000
tap_is "$REC_RC" 0 "lost: recorded"
compare lost "$WORK/lost"
sv_lost=$(sed -nE 's/^WARNING: Tracer discarded ([0-9]+) events? between \[.*\] and \[.*\] in stream cpu [0-9]+ \(channel0_[0-9]+\)$/\1/p' \
	"$WORK/lost.sv" | awk '{ s += $1 } END { print s + 0 }')
tap_is "$sv_lost" "$REC_LOST" "lost: WARNING lines add up to the $REC_LOST lost events"
tap_is "$sv_lost" "$BT_DISCARDED" "lost: same total as babeltrace2's warnings"
if [ "$REC_LOST" -gt 0 ]; then
	bt_ranges=$(sed -nE 's/^WARNING: Tracer discarded [0-9]+ events? between (\[[^]]*\] and \[[^]]*\]).*/\1/p' "$WORK/lost.bterr")
	sv_ranges=$(sed -nE 's/^WARNING: Tracer discarded [0-9]+ events? between (\[[^]]*\] and \[[^]]*\]).*/\1/p' "$WORK/lost.sv")
	tap_is "$sv_ranges" "$bt_ranges" "lost: same discarded ranges as babeltrace2"
fi

# 4. filters
rd_view f_e "$WORK/fields" -e 'rd:str'
tap_is "$(grep -c ' rd:str: ' "$WORK/f_e.sv")/$(wc -l <"$WORK/f_e.sv")" "7/7" "-e rd:str selects the 7 string events"
rd_view f_e2 "$WORK/fields" -e 'rd:i*' -e 'rd:hex'
tap_is "$(wc -l <"$WORK/f_e2.sv")" 6 "-e twice, with a wildcard"
tid1=$(awk 'NR == 1 { print $7 }' "$WORK/threads.got")
rd_view f_tid "$WORK/threads" --tid "$tid1"
tap_is "$(awk -v t="$tid1" '$8 != t' "$WORK/f_tid.sv" | wc -l)/$(wc -l <"$WORK/f_tid.sv")" "0/3000" "--tid selects one thread's 3000 events"
pid1=$(awk 'NR == 1 { print $5 }' "$WORK/threads.got")
rd_view f_pid "$WORK/threads" --pid "$pid1"
tap_is "$(wc -l <"$WORK/f_pid.sv")" 12000 "--pid selects the process's events"
rd_view f_pid0 "$WORK/threads" --pid 1
tap_is "$SV_RC/$(wc -l <"$WORK/f_pid0.sv")" "0/0" "--pid of another process selects nothing"
# --since/--until: absolute time of the 101st event, relative, epoch
t101=$(sed -n '101s/^\[\([0-9:.]*\)\].*/\1/p' "$WORK/threads.got")
rd_view f_since "$WORK/threads" --since "$t101"
want=$(awk -v t="[$t101]" '$1 >= t' "$WORK/threads.got" | wc -l)
tap_is "$(wc -l <"$WORK/f_since.sv")" "$want" "--since HH:MM:SS.frac keeps the events from then on"
rd_view f_until "$WORK/threads" --until "$t101"
want=$(awk -v t="[$t101]" '$1 <= t' "$WORK/threads.got" | wc -l)
tap_is "$(wc -l <"$WORK/f_until.sv")" "$want" "--until HH:MM:SS.frac keeps the events up to then"
rd_view f_rel "$WORK/threads" --since +0 --until +1000000
tap_is "$(wc -l <"$WORK/f_rel.sv")" 12000 "--since +0 --until +1000000 keeps everything"
rd_view f_epoch "$WORK/threads" --until 1
tap_is "$SV_RC/$(wc -l <"$WORK/f_epoch.sv")" "0/0" "--until 1 (epoch seconds) keeps nothing"
rd_view f_bad "$WORK/threads" --since 12:xx
tap_is "$SV_RC" 1 "a bad --since is a usage error"
tap_done
