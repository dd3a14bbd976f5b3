#!/bin/bash
# SPDX-License-Identifier: MIT
# test-classes: a trace with two stream classes, fed by two sources (the
# user-space consumer, "channel0", and a test-only source, "tick"; see
# test-classes.c), is read by babeltrace2 and by sonde view in one time
# order, with every event of both, under its own class's names.  The tick
# class's packet context adds a field of its own, tick_period_ns, which
# babeltrace2 shows in every tick packet and in no channel0 packet.
# Usage: test-classes.sh SONDE BABELTRACE2 PROG
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$1 BT=$2 PROG=$3
st_need_bt
st_setup

N=40
T=$WORK/t
timeout -k 10 "$ST_TIMEOUT" "$PROG" "$T" $N >"$WORK/out" 2>"$WORK/err"
tap_is "$?" 0 "the two sources record one trace" || tap_diag_file "$WORK/err"
read -r _ ticks _ events _ lost _ child <"$WORK/out"
tap_is "$events/$lost/$child" "$N/0/0" "the consumer wrote the child's $N events, 0 lost ($ticks ticks)"
tap_is "$(grep -c '^stream {' "$T/metadata")" 2 "the metadata declares two stream classes"
tap_is "$(grep -A3 '^stream {' "$T/metadata" | grep -o 'packet.context := struct [a-z_0-9]*' | tr '\n' ' ')" \
	"packet.context := struct packet_context packet.context := struct packet_context_1 " \
	"  channel0 with the common packet context, tick with its own"
tap_ok "$([ -f "$T/tick_0" ] && [ -f "$T/channel0_0" ] && echo 1)" \
	"  with their streams: tick_0 beside channel0_N"

st_bt "$T"
tap_is "$BT_RC/$BT_OTHER_ERR/$BT_DISCARDED" "0/0/0" "babeltrace2 reads it" ||
	tap_diag_file "$T.bterr" 10
# The events in babeltrace2's order: time, name, then the one field.
awk '$4 == "classes:ev:" || $4 == "test:tick:" {
	gsub(/[\[\]]/, "", $1); v = $NF == "}" ? $(NF - 1) : $NF
	print $1, $4, v }' "$T.bt" >"$WORK/bt.seq"
tap_is "$(grep -c 'classes:ev:' "$WORK/bt.seq")/$(grep -c 'test:tick:' "$WORK/bt.seq")" \
	"$N/$ticks" "babeltrace2: every classes:ev and every test:tick"

# Packet contexts, as babeltrace2's details sink prints them: the tick
# class (stream class 1) has tick_period_ns in each of its packets.
timeout -k 10 "$ST_TIMEOUT" "$BT" -c sink.text.details "$T" >"$WORK/details" 2>"$WORK/details.err"
tap_is "$?" 0 "babeltrace2 -c sink.text.details reads it" || tap_diag_file "$WORK/details.err"
awk '/^\{Trace / { sc = $6 + 0 } /^Packet beginning:/ { in_pkt = 1; n[sc]++; next }
	/^$/ { in_pkt = 0 } in_pkt && /^    / && $1 != "cpu_id:" {
		v = $2; gsub(/,/, "", v); f[sc, $1 " " v]++; e[sc]++ }
	END { printf "%d %d %d %d\n", n[1], f[1, "tick_period_ns: 1000000"], (n[0] > 0),
		e[0] }' "$WORK/details" >"$WORK/ctx"
tap_is "$(cat "$WORK/ctx")" "$ticks $ticks 1 0" \
	"tick packets ($ticks) each have tick_period_ns: 1000000 in their context, channel0's none"

timeout -k 10 "$ST_TIMEOUT" "$SONDE" view "$T" >"$WORK/view" 2>"$WORK/view.err"
tap_is "$?" 0 "sonde view reads it" || tap_diag_file "$WORK/view.err"
awk '{ for (i = 1; i <= NF; i++) if ($i == "classes:ev:" || $i == "test:tick:") {
	gsub(/[\[\]]/, "", $1); v = $NF == "}" ? $(NF - 1) : $NF
	print $1, $i, v } }' "$WORK/view" >"$WORK/view.seq"
tap_is "$(grep -c 'classes:ev:' "$WORK/view.seq")/$(grep -c 'test:tick:' "$WORK/view.seq")" \
	"$N/$ticks" "sonde view: every classes:ev and every test:tick"
# Same events in the same order (events of one timestamp may be ordered
# either way by two readers: compare within a timestamp as sets).
tap_is "$(sort "$WORK/view.seq" | md5sum)" "$(sort "$WORK/bt.seq" | md5sum)" \
	"sonde view and babeltrace2 show the same events"
# (Times of day: a step back of most of a day is midnight, not disorder.)
tap_is "$(awk '{ split($1, a, ":"); t = a[1] * 3600 + a[2] * 60 + a[3]
	if (NR > 1 && t < p && p - t < 80000) bad++; p = t } END { print bad + 0 }' \
	"$WORK/view.seq")" 0 "sonde view: one time order across both classes"
tap_is "$(awk '{ print $1 }' "$WORK/view.seq" | uniq | wc -l)" \
	"$(awk '{ print $1 }' "$WORK/bt.seq" | uniq | wc -l)" "  the same timestamps as babeltrace2"
# Interleaved: ticks between the child's first and last event, and each
# class's own sequence in order.
tap_ok "$(awk '$2 == "classes:ev:" { if (!f) f = NR; l = NR }
	END { for (i = f; i <= l; i++) if (t[i]) n++; print (n > 0) }
	$2 == "test:tick:" { t[NR] = 1 }' "$WORK/view.seq")" \
	"ticks fall between the child's events: one merged timeline"
tap_is "$(awk '$2 == "classes:ev:" { if ($3 != i++) bad++ }
	$2 == "test:tick:" { if ($3 != j++) bad++ } END { print bad + 0 }' "$WORK/view.seq")" 0 \
	"each source's events in its own order"
st_cleanup
tap_done
