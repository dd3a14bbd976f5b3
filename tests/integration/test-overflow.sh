#!/bin/bash
# SPDX-License-Identifier: MIT
# test-overflow: tiny buffers and a burst the consumer cannot keep up with.
#  - discard mode: "lost" in the summary = emitted - recorded (counted by
#    babeltrace2) = sum of babeltrace2's "Tracer discarded N events";
#  - overwrite mode: readable, holds the latest events (the final seq);
#  - an event larger than a sub-buffer is dropped and counted lost.
# Usage: test-overflow.sh SONDE BABELTRACE2 PROG
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$1 BT=$2 PROG=$3
st_need_bt
st_setup
N=200000

# seq_stats NORMFILE: "count strictly_increasing_violations max_seq min_seq"
seq_stats() {
	awk -F'\t' "$ST_AWK_FLD"'
		$4 == "ovf:ev" {
			s = fld($5, "seq") + 0
			if (n && s <= last) bad++
			if (!n || s < min) min = s
			last = s; n++
			if (s > max) max = s
		}
		END { print n + 0, bad + 0, (n ? max : -1), (n ? min : -1) }' "$1"
}

# --- discard mode ---
st_record discard --subbuf-size 4k --num-subbuf 2 -- "$PROG" burst "$N"
tap_is "$REC_RC" 0 "discard: sonde record exits 0" || tap_diag_file "$WORK/discard.err"
st_bt "$REC_DIR"
tap_is "$BT_RC/$BT_OTHER_ERR/$BT_MAYBE" "0/0/0" "discard: babeltrace2 reads the trace without error or vague warning" ||
	tap_diag_file "$REC_DIR.bterr" 20
st_norm "$REC_DIR.bt" >"$WORK/discard.norm"
read -r got bad max min < <(seq_stats "$WORK/discard.norm")
tap_diag "discard: emitted $N, babeltrace2 counted $got, summary: ${REC_EVENTS:-?} recorded, ${REC_LOST:-?} lost, babeltrace2 discarded $BT_DISCARDED"
tap_ok "$(( got > 0 && got < N ))" "discard: the burst overflowed the buffers ($got of $N recorded)"
tap_is "$REC_EVENTS" "$got" "discard: 'events recorded' equals the events babeltrace2 reads"
tap_is "$REC_LOST" "$((N - got))" "discard: 'lost' equals emitted - recorded"
tap_is "$BT_DISCARDED" "$((N - got))" "discard: babeltrace2's discarded-event warnings sum to emitted - recorded"
tap_is "$bad" 0 "discard: recorded seqs strictly increasing (no duplicate or corrupt record)"
tap_ok "$(( max < N && min >= 0 ))" "discard: recorded seqs within 0..$((N - 1)) ($min..$max)"
tap_is "$(grep -c '^BAD' "$WORK/discard.norm")" 0 "discard: every babeltrace2 line parses"

# --- overwrite mode ---
# Pinned to one CPU, so that "the latest events" are one contiguous run.
st_record overwrite --overwrite --subbuf-size 4k --num-subbuf 2 -- "$PROG" burst "$N" pin
tap_is "$REC_RC" 0 "overwrite: sonde record exits 0" || tap_diag_file "$WORK/overwrite.err"
st_bt "$REC_DIR"
tap_is "$BT_RC/$BT_OTHER_ERR" "0/0" "overwrite: babeltrace2 reads the trace without error" ||
	tap_diag_file "$REC_DIR.bterr" 20
st_norm "$REC_DIR.bt" >"$WORK/overwrite.norm"
read -r got bad max min < <(seq_stats "$WORK/overwrite.norm")
tap_diag "overwrite: babeltrace2 counted $got (seq $min..$max), summary: ${REC_EVENTS:-?} recorded, ${REC_LOST:-?} lost"
tap_is "$max" "$((N - 1))" "overwrite: the final event (seq $((N - 1))) is in the trace"
tap_ok "$(( got > 0 && got < N ))" "overwrite: only the latest events were kept ($got of $N)"
tap_is "$bad" 0 "overwrite: recorded seqs strictly increasing"
tap_is "$REC_EVENTS" "$got" "overwrite: 'events recorded' equals the events babeltrace2 reads"
tap_is "$(cut -f1 "$WORK/overwrite.norm" | sort -u | wc -l)" 1 "overwrite: the pinned writer used one CPU buffer"
tap_is "$((max - min + 1))" "$got" "overwrite: the kept events are one contiguous run ending at the final seq"

# --- an event larger than a sub-buffer ---
st_record big --subbuf-size 4k --num-subbuf 2 -- "$PROG" big
tap_is "$REC_RC" 0 "big: sonde record exits 0"
tap_is "$REC_EVENTS/$REC_LOST" "2/1" "big: summary counts 2 events recorded, 1 lost"
st_bt "$REC_DIR"
tap_is "$BT_RC/$BT_OTHER_ERR" "0/0" "big: babeltrace2 reads the trace without error" ||
	tap_diag_file "$REC_DIR.bterr"
# Dropped in the stream's first packet, babeltrace2 can only say "may have".
tap_ok "$(( BT_DISCARDED == 1 || (BT_DISCARDED == 0 && BT_MAYBE == 1) ))" \
	"big: babeltrace2 warns of the dropped event (discarded $BT_DISCARDED, 'may have' $BT_MAYBE)"
tap_is "$(st_norm "$REC_DIR.bt" | cut -f4,5 | tr '\t\n' ' |')" \
	"ovf:ev seq = 0|ovf:ev seq = 1|" "big: the events around the dropped one are intact"

# --- a payload over the largest record (16 MiB), in 32 MiB sub-buffers ---
# It must be dropped and counted, never clipped and written past its
# reservation: on the last CPU, past the end of the mapping.
ncpu=$(nproc --all)
for cpu in 0 $((ncpu - 1)); do
	st_record huge$cpu --subbuf-size 32M --num-subbuf 2 -- "$PROG" huge "$cpu" $((20 << 20))
	tap_is "$REC_RC" 0 "huge on CPU $cpu: the program exits 0" || tap_diag_file "$WORK/huge$cpu.err"
	tap_is "$REC_EVENTS/$REC_LOST" "2/1" "huge on CPU $cpu: 2 events recorded, 1 lost"
	st_bt "$REC_DIR"
	tap_is "$BT_RC/$BT_OTHER_ERR" "0/0" "huge on CPU $cpu: babeltrace2 reads the trace" ||
		tap_diag_file "$REC_DIR.bterr"
	tap_is "$(st_norm "$REC_DIR.bt" | cut -f4,5 | tr '\t\n' ' |')" \
		"ovf:ev seq = 0|ovf:ev seq = 1|" "huge on CPU $cpu: the events around the dropped one are intact"
done
st_record hugemark --subbuf-size 32M --num-subbuf 2 -- "$PROG" hugemark $((17 << 20))
tap_is "$REC_RC/$REC_EVENTS/$REC_LOST" "0/2/1" \
	"a marker with a 17 MiB string: dropped and counted, not clipped (2 events, 1 lost)"
# Just under the limit, it is recorded whole.
st_record fits --subbuf-size 32M --num-subbuf 2 -- "$PROG" huge 0 $(((16 << 20) - 64))
tap_is "$REC_RC/$REC_EVENTS/$REC_LOST" "0/3/0" "16 MiB - 64 B: recorded whole (3 events, 0 lost)"
tap_is "$(wc -c <"$REC_DIR/channel0_0" | awk '{ print ($1 > 16 * 1024 * 1024 - 64) }')" 1 \
	"16 MiB - 64 B: the stream holds the whole payload"
tap_done
