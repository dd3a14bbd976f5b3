#!/bin/bash
# SPDX-License-Identifier: MIT
# test-live-sessions: two sessions, two apps.  A process records into
# every started session at once: s1 (live:c only) is started first, s2
# (live:*) second, so app1 records into s1, then into both; app2
# (registered while both run) into both from its first event; once s1
# stops they go on in s2 alone.  Each trace reads in babeltrace2, holds
# only its own events from both apps, and its metadata declares its own
# event ids (each name once, no id twice in a stream), so an event
# recorded under another trace's id would show (ev field vs name).
# (test-live-multisession checks four sessions, levels, filters, fork.)
# Usage: test-live-sessions.sh SONDE BABELTRACE2 TEST-LIVE-APP TEST-LIVE-RAW
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
. "$here/test-live-lib.sh"
lt_init "$@"

# meta_events DIR: "stream_id id name" per event class in DIR/metadata.
meta_events() {
	awk '
		/^event[ \t]*\{/ { inev = 1; name = ""; id = ""; sid = 0; next }
		inev && /^[ \t]*name[ \t]*=/ { s = $0; sub(/^[^"]*"/, "", s); sub(/".*/, "", s); name = s }
		inev && /^[ \t]*id[ \t]*=/ { s = $0; gsub(/[^0-9]/, "", s); id = s }
		inev && /^[ \t]*stream_id[ \t]*=/ { s = $0; gsub(/[^0-9]/, "", s); sid = s }
		inev && /^\};/ { print sid, id, name; inev = 0 }' "$1/metadata"
}

# wait_session PID SESSION: poll `sonde list` (30 s) until PID is in SESSION.
wait_session() {
	local i
	for ((i = 0; i < 150; i++)); do
		lt_list && [ "$(lt_list_session "$1")" = "$2" ] && return 0
		sleep 0.2
	done
	return 1
}

# run_both N: both apps do N more iterations.
run_both() {
	lt_wait_progress app1 $(($(lt_progress app1) + $1)) 30
	lt_wait_progress app2 $(($(lt_progress app2) + $1)) 30
}

lt_daemon_or_bail
T1=$WORK/t1 T2=$WORK/t2
lt_sonde "create s1" create s1 -o "$T1"
lt_sonde "enable live:c in s1" enable -s s1 live:c
lt_sonde "create s2" create s2 -o "$T2"
lt_sonde "enable live:* in s2" enable -s s2 'live:*'
tap_cmd "app1 started" -- lt_app app1 -- loop "$WORK/app1"
pid1=$APP_PID
tap_cmd "app1 listed" -- lt_wait_listed "$pid1"

lt_sonde "start s1" start -s s1
lt_list
tap_is "$(lt_list_session "$pid1")" s1 "app1 records into s1"
lt_wait_progress app1 $(($(lt_progress app1) + 200)) 30
lt_sonde "start s2 (s1 still started)" start -s s2
P1=$(lt_progress app1)
lt_list
tap_is "$(lt_list_session "$pid1")" s1,s2 "app1 records into s1 and s2"
tap_cmd "app2 started" -- lt_app app2 -- loop "$WORK/app2"
pid2=$APP_PID
tap_cmd "app2 is picked up into s1 and s2" -- wait_session "$pid2" s1,s2 || tap_diag_file "$WORK/list.txt"
run_both 300
tap_like "$(lt_session s1)" "^s1 started discard apps=2 " "sonde sessions: s1 has the 2 apps"
tap_like "$(lt_session s2)" "^s2 started discard apps=2 " "sonde sessions: s2 has the 2 apps"
Q1=$(lt_progress app1) Q2=$(lt_progress app2)
lt_sonde "stop s1" stop -s s1
S1=$(lt_progress app1) S2=$(lt_progress app2)
tap_cmd "app1 goes on in s2 alone" -- wait_session "$pid1" s2 || tap_diag_file "$WORK/list.txt"
tap_cmd "app2 goes on in s2 alone" -- wait_session "$pid2" s2 || tap_diag_file "$WORK/list.txt"
run_both 300
V1=$(lt_progress app1) V2=$(lt_progress app2)
lt_sonde "stop s2" stop -s s2
U1=$(lt_progress app1) U2=$(lt_progress app2)
for a in app1 app2; do
	lt_app_stop $a
	tap_is "$APP_RC" 0 "$a exits 0"
done

# s1: live:c only, from both apps, emitted while s1 was started.
lt_bt "$T1" s1
tap_is "$BT_RC/$BT_OTHER_ERR" 0/0 "s1: babeltrace2 reads the trace" || tap_diag_file "$WORK/s1.bterr" 10
tap_is "$(lt_count s1 live:a)/$(lt_count s1 live:b)" 0/0 "s1: no live:a, no live:b"
read -r n f l g <<<"$(lt_range s1 live:c 0 $((S1 + 1)) "$pid1")"
tap_ok "$((n > 0 && g == 0 && l >= Q1))" "s1: app1's live:c consecutive up to the stop ($n, i $f..$l)"
tap_is "$(lt_count s1 live:c "$pid1")" "$n" "s1: nothing of app1 after s1 stopped"
read -r n f l g <<<"$(lt_range s1 live:c 0 $((S2 + 1)) "$pid2")"
tap_ok "$((n > 0 && g == 0 && l >= Q2))" "s1: app2's live:c consecutive up to the stop ($n, i $f..$l)"
tap_is "$(lt_count s1 live:c "$pid2")" "$n" "s1: nothing of app2 after s1 stopped"
tap_is "$(lt_badev s1)" 0 "s1: every event carries its own ev value"

# s2: every event, both apps, from s2's start (app1: it was running;
# app2: its first event) to s2's stop, through s1's stop.
PIDS=(- "$pid1" "$pid2") FS=(- $((P1 + 2)) 0) VS=(- "$V1" "$V2") US=(- "$U1" "$U2")
lt_bt "$T2" s2
tap_is "$BT_RC/$BT_OTHER_ERR" 0/0 "s2: babeltrace2 reads the trace" || tap_diag_file "$WORK/s2.bterr" 10
for e in a b c; do
	for k in 1 2; do
		p=${PIDS[$k]} fm=${FS[$k]} v=${VS[$k]} u=${US[$k]}
		read -r n f l g <<<"$(lt_range s2 "live:$e" 0 $((u + 1)) "$p")"
		tap_ok "$((n > 0 && g == 0 && f <= fm && l >= v))" \
			"s2: app$k's live:$e consecutive from s2's start to its stop ($n, i $f..$l; first <= $fm, last >= $v)"
		tap_is "$(lt_count s2 "live:$e" "$p")" "$n" "s2: nothing of app$k's live:$e after s2 stopped"
	done
done
tap_is "$(lt_badev s2)" 0 "s2: every event carries its own ev value"

# Metadata of each trace: its own declarations, consistent.
for s in s1 s2; do
	dir=$WORK/t${s#s}
	meta_events "$dir" >"$WORK/$s.meta"
	tap_diag_file "$WORK/$s.meta" 10
	tap_is "$(awk '{ print $1, $2 }' "$WORK/$s.meta" | sort | uniq -d | wc -l)" 0 "$s: no event id declared twice in a stream"
	tap_is "$(awk '{ print $3 }' "$WORK/$s.meta" | sort | uniq -d | wc -l)" 0 "$s: no event declared twice"
	missing=
	for e in $(cut -f2 "$WORK/$s.ev" | sort -u); do
		awk -v n="$e" '$3 == n { f = 1 } END { exit !f }' "$WORK/$s.meta" || missing="$missing $e"
	done
	tap_is "$missing" "" "$s: every event in the trace is declared in its metadata"
	tap_ok "$(grep -cE '^[[:space:]]*id[[:space:]]*=' "$dir/metadata" | awk '{ print ($1 > 0) }')" \
		"$s: the metadata declares event ids"
done
tap_done
