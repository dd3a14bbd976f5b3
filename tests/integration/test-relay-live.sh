#!/bin/bash
# SPDX-License-Identifier: MIT
# test-relay-live: `sonde record --relay` as a live session of a real
# lttng-relayd started here on loopback (skipped without lttng-relayd).
#  1. babeltrace2 --input-format=lttng-live, attached while the app runs
#     (PROG loop: 3 events every ~1 ms on one CPU, the others idle), shows
#     its events before it is told to stop, and not far behind it: the
#     live timer closes every CPU's packet, an idle CPU's as an empty one,
#     and idle streams get beacons, so the view moves;
#  2. once recorded, the relay's copy is byte for byte the -o copy;
#  3. two producers with different host names (two hosts) stream into one
#     relayd at once; babeltrace2 merges their copies in time order, every
#     event of both there.
# Usage: test-relay-live.sh SONDE BABELTRACE2 PROG
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
. "$here/relay-lib.sh"
relay_init live-test "$@"

relay_start "$WORK/relay" || tap_bail "cannot start lttng-relayd"

# record_bg NAME HOSTNAME: sonde record --relay of PROG loop in the
# background, pinned to CPU 0; its pid in BG.
record_bg() {
	timeout -k 5 120 "$SONDE" record --relay "$RELAY_URL" \
		--relay-hostname "$2" --relay-session live --live-timer 200 \
		-o "$WORK/$1" -- "$PROG" loop "$WORK/$1-app" pin \
		>"$WORK/$1.out" 2>"$WORK/$1.err" &
	BG=$!
	RELAY_KILL="$RELAY_KILL $BG"
}

# 1. Live view while the app runs.
record_bg one "$HOST"
rec=$BG
st_wait_for 20 test -s "$WORK/one-app.progress" ||
	tap_bail "the app did not start"
relay_view 20 "$HOST/live" "$WORK/live" 10
seen=$?
viewer=$VIEWER
tap_ok "$([ "$seen" = 0 ] && relay_running "$rec" "$WORK/one-app" && echo 1)" \
	"the live viewer shows events while the app runs"
# How far behind: the last iteration the viewer printed against the
# app's progress, 2 s later (the app does ~1 iteration per ms).
sleep 2
relay_check_lag "$(relay_progress "$WORK/one-app")" "$WORK/live.txt"
touch "$WORK/one-app.stop"
wait "$rec"
rc=$?
tap_is "$rc" 0 "record exits 0"
wait "$viewer"
tap_ok "$(! grep -q 'ERROR' "$WORK/live.err" && echo 1)" \
	"the viewer met no error"
[ -s "$WORK/live.err" ] && tap_diag_file "$WORK/live.err" 20

# 2. Identical copies.
st_summary "$WORK/one.err"
rdir=$(relay_session_dir "$WORK/relay" "$HOST" live)
relay_cmp "$WORK/one" "$rdir"
tap_ok "$CMP_SAME" "the relay's copy of the live session is byte-identical to -o's"
n=$(timeout 60 "$BT" "$rdir" 2>/dev/null | grep -c 'live:')
tap_is "$n" "$REC_EVENTS" "babeltrace2 reads every event in the relay's copy"

# 3. Two hosts into one relayd, at once.
record_bg ha "$HOST-a"
a=$BG
record_bg hb "$HOST-b"
b=$BG
st_wait_for 20 test -s "$WORK/ha-app.progress"
st_wait_for 20 test -s "$WORK/hb-app.progress"
sleep 1
touch "$WORK/ha-app.stop" "$WORK/hb-app.stop"
wait "$a"
ra=$?
wait "$b"
rb=$?
tap_ok "$((ra == 0 && rb == 0))" "two producers record at once"
st_summary "$WORK/ha.err"
na=$REC_EVENTS
st_summary "$WORK/hb.err"
nb=$REC_EVENTS
da=$(relay_session_dir "$WORK/relay" "$HOST-a" live)
db=$(relay_session_dir "$WORK/relay" "$HOST-b" live)
timeout 60 "$BT" --clock-seconds "$da" "$db" 2>"$WORK/merge.err" |
	grep 'live:' >"$WORK/merge.txt"
tap_is "$(grep -c '' "$WORK/merge.txt")" "$((na + nb))" \
	"babeltrace2 reads both hosts' copies as one trace ($na + $nb events)"
sed -E 's/^\[([0-9.]+)\].*/\1/' "$WORK/merge.txt" >"$WORK/merge.ts"
tap_ok "$(sort -n -c "$WORK/merge.ts" 2>/dev/null && echo 1)" \
	"merged in time order"
pa=$(sed -n 's/.*pid = \([0-9]*\).*/\1/p' "$WORK/merge.txt" | sort -u | wc -l)
tap_is "$pa" 2 "events of both producers' apps are there"
tap_done
