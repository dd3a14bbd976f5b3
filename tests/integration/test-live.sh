#!/bin/bash
# SPDX-License-Identifier: MIT
# test-live: live control of a running program through the session daemon.
#  1. A running app shows in `sonde list` with its events; one event enabled
#     in a session records that event only; enabling a second one and
#     starting again appends it to the same trace, after the first stop;
#     disabling the first one stops it.  Nothing is recorded while the
#     session is stopped, and each event's i values are consecutive while
#     it is started, from the moment `start` returns.  `sonde sessions`
#     reports the state and counts.  Disabling one event under an enabled
#     live:* excludes it.
#  2. An app started before any daemon exists is picked up when one starts,
#     and can be recorded.
# Usage: test-live.sh SONDE BABELTRACE2 TEST-LIVE-APP TEST-LIVE-RAW
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
. "$here/test-live-lib.sh"
lt_init "$@"

# ---- 1. enable, start, stop, enable another, disable -------------------
lt_daemon_or_bail
tap_cmd "app started" -- lt_app app1 -- loop "$WORK/app1"
pid=$APP_PID
tap_cmd "the app shows in sonde list within 30 s" -- lt_wait_listed "$pid" ||
	tap_diag_file "$WORK/list.txt"
tap_like "$(grep -E "^pid $pid " "$WORK/list.txt")" "^pid $pid test-live-app( |\$)" \
	"its line is 'pid PID NAME'"
tap_is "$(lt_list_events "$pid")" "live:a live:b live:c " "its block lists live:a, live:b, live:c"

T=$WORK/t1
lt_sonde "create a session" create s1 -o "$T"
tap_is "$OUT" "session s1 created, trace in $T" "create prints the session and its directory"
tap_like "$(lt_session s1)" "^s1 created discard apps=[0-9]+ events=0 lost=0 dir=$T\$" \
	"sonde sessions: s1 created, discard, nothing recorded"
lt_sonde "enable live:b" enable -s s1 live:b
lt_sonde "start s1" start -s s1
Ps1=$(lt_progress app1)
lt_list
tap_is "$(lt_list_session "$pid")" s1 "sonde list shows the app in session s1"
tap_like "$(lt_session s1)" "^s1 started discard apps=1 " "sonde sessions: s1 started with 1 app"
lt_wait_progress app1 "$(($(lt_progress app1) + 300))" 30
lt_sonde "stop s1" stop -s s1
T1=$(lt_now) P1=$(lt_progress app1)
line=$(lt_session s1)
tap_like "$line" "^s1 stopped discard apps=[0-9]+ events=[1-9][0-9]* lost=0 dir=$T\$" \
	"sonde sessions: s1 stopped, events recorded, none lost"
lt_bt "$T" seg1
tap_is "$BT_RC/$BT_OTHER_ERR" "0/0" "after stop: babeltrace2 reads the trace" ||
	tap_diag_file "$WORK/seg1.bterr" 10
read -r n1 first1 last1 gaps1 <<<"$(lt_range seg1 live:b 0 $((P1 + 1)) "$pid")"
tap_ok "$((n1 > 0))" "after stop: $n1 live:b events of pid $pid (i $first1..$last1)"
tap_is "$(lt_count seg1 live:b)" "$n1" "after stop: every live:b event is from before the stop (i <= $((P1 + 1)))"
tap_is "$gaps1" 0 "after stop: live:b i values are consecutive"
tap_ok "$((first1 <= Ps1 + 2))" "every live:b emitted once start returned is recorded (first i $first1, start returned at i <= $((Ps1 + 1)))"
tap_is "$(lt_count seg1 live:a)/$(lt_count seg1 live:c)" "0/0" "after stop: no live:a, no live:c (not enabled)"
tap_is "$(lt_badev seg1)" 0 "after stop: every event carries its own ev value"
ev_count=$(sed -nE 's/.* events=([0-9]+) .*/\1/p' <<<"$line")
tap_ok "$((ev_count >= n1))" "sonde sessions counts at least the $n1 events in the trace (events=$ev_count)"

# Second period: live:c added; whatever the app does between the stop and
# the next start (0.5 s, hundreds of iterations) must not be recorded.
lt_sonde "enable live:c" enable -s s1 live:c
sleep 0.5
P2=$(lt_progress app1)
lt_sonde "start s1 again" start -s s1
Ps2=$(lt_progress app1)
lt_wait_progress app1 "$(($(lt_progress app1) + 300))" 30
lt_sonde "stop s1 again" stop -s s1
T3=$(lt_now) P3=$(lt_progress app1)
lt_bt "$T" seg2
tap_is "$BT_RC/$BT_OTHER_ERR" "0/0" "second stop: babeltrace2 reads the trace" ||
	tap_diag_file "$WORK/seg2.bterr" 10
tap_is "$(lt_range seg2 live:b 0 $((P1 + 1)) "$pid")" "$n1 $first1 $last1 0" \
	"second stop: the first period's live:b events are still there, unchanged"
read -r nb2 fb2 lb2 gb2 <<<"$(lt_range seg2 live:b $((P2 + 1)) $((P3 + 1)) "$pid")"
read -r nc2 fc2 lc2 gc2 <<<"$(lt_range seg2 live:c $((P2 + 1)) $((P3 + 1)) "$pid")"
tap_ok "$((nb2 > 0 && gb2 == 0))" "second period: $nb2 consecutive live:b events (i $fb2..$lb2)"
tap_ok "$((nc2 > 0 && gc2 == 0))" "second period: $nc2 consecutive live:c events (i $fc2..$lc2)"
tap_is "$(lt_count seg2 live:c)" "$nc2" "every live:c event is from the second period (i > $P2)"
tap_ok "$((fb2 <= Ps2 + 2 && fc2 <= Ps2 + 2))" "second period: recorded from when start returned (first i $fb2/$fc2, start at i <= $((Ps2 + 1)))"
tap_is "$(lt_count seg2 live:b)" "$((n1 + nb2))" "no live:b recorded while the session was stopped"
tap_is "$(lt_count seg2 live:a)" 0 "still no live:a"
tap_ok "$((fc2 > last1))" "live:c starts after the last live:b of the first period ($fc2 > $last1)"
read -r tb1min tb1max <<<"$(lt_tminmax seg2 live:b 0 $((P1 + 1)))"
read -r tcmin tcmax <<<"$(lt_tminmax seg2 live:c)"
tap_ok "$(lt_lt "$tb1max" "$tcmin" && echo 1)" \
	"live:c events are timed after the first period's events ($tcmin > $tb1max)"
# The trace clock is absolute: allow it 0.25 s of error against the wall
# clock, well under the 0.5 s the session stayed stopped.
tap_ok "$(lt_lt "$T1" "$(awk -v t="$tcmin" 'BEGIN { printf "%.6f", t + 0.25 }')" && echo 1)" \
	"live:c events are timed after the first stop returned ($tcmin vs $T1)"
tap_is "$(lt_badev seg2)" 0 "second stop: every event carries its own ev value"

# Third period: live:b disabled while stopped; live:a enabled, then
# disabled again, while the session runs.
lt_sonde "disable live:b" disable -s s1 live:b
sleep 0.5
P4=$(lt_progress app1)
lt_sonde "start s1 a third time" start -s s1
Ps3=$(lt_progress app1)
lt_wait_progress app1 "$(($(lt_progress app1) + 200))" 30
Pa0=$(lt_progress app1)
lt_sonde "enable live:a while started" enable -s s1 live:a
Pa1=$(lt_progress app1)
lt_wait_progress app1 "$(($(lt_progress app1) + 200))" 30
Pd0=$(lt_progress app1)
lt_sonde "disable live:a while started" disable -s s1 live:a
Pd1=$(lt_progress app1)
lt_wait_progress app1 "$(($(lt_progress app1) + 200))" 30
lt_sonde "stop s1 a third time" stop -s s1
P5=$(lt_progress app1)
lt_bt "$T" seg3
tap_is "$BT_RC/$BT_OTHER_ERR" "0/0" "third stop: babeltrace2 reads the trace" ||
	tap_diag_file "$WORK/seg3.bterr" 10
read -r nc3 fc3 lc3 gc3 <<<"$(lt_range seg3 live:c $((P4 + 1)) $((P5 + 1)) "$pid")"
tap_ok "$((nc3 > 0 && gc3 == 0))" "third period: $nc3 consecutive live:c events (i $fc3..$lc3)"
tap_ok "$((fc3 <= Ps3 + 2))" "third period: recorded from when start returned (first i $fc3, start at i <= $((Ps3 + 1)))"
tap_is "$(lt_range seg3 live:b $((P2 + 1)) 999999999999 "$pid" | cut -d' ' -f1)" "$nb2" \
	"third period: no live:b after disable"
tap_is "$(lt_count seg3 live:c)" "$((nc2 + nc3))" "no live:c recorded while the session was stopped"
read -r na3 fa3 la3 ga3 <<<"$(lt_range seg3 live:a 0 999999999999 "$pid")"
tap_ok "$((na3 > 0 && ga3 == 0))" "live:a enabled while started: $na3 consecutive events (i $fa3..$la3)"
tap_ok "$((fa3 > Pa0 && fa3 <= Pa1 + 2))" \
	"  from when enable returned ($Pa0 < first i $fa3 <= $((Pa1 + 2)))"
tap_ok "$((la3 >= Pd0 && la3 <= Pd1 + 1))" \
	"  up to when disable returned ($Pd0 <= last i $la3 <= $((Pd1 + 1)))"
tap_is "$(lt_badev seg3)" 0 "third stop: every event carries its own ev value"
read -r tmin tmax <<<"$(lt_tminmax seg3 live:c $((P4 + 1)) 999999999999)"
tap_ok "$(lt_lt "$T3" "$(awk -v t="$tmin" 'BEGIN { printf "%.6f", t + 0.25 }')" && echo 1)" \
	"third period's events are timed after the second stop returned"

lt_sonde "destroy s1" destroy -s s1
tap_is "$(lt_session s1)" "" "s1 is gone from sonde sessions"
lt_bt "$T" final
tap_is "$BT_RC/$(lt_count final live:c)" "0/$((nc2 + nc3))" "the trace stays readable and whole after destroy"

# Exclusion: live:* enabled, live:b disabled.
T=$WORK/t3
lt_sonde "create s3" create s3 -o "$T"
lt_sonde "enable live:* in s3" enable -s s3 'live:*'
lt_sonde "disable live:b in s3" disable -s s3 live:b
P=$(lt_progress app1)
lt_sonde "start s3" start -s s3
lt_wait_progress app1 "$(($(lt_progress app1) + 300))" 30
lt_sonde "stop s3" stop -s s3
lt_bt "$T" s3
tap_is "$BT_RC/$BT_OTHER_ERR" "0/0" "s3: babeltrace2 reads the trace" || tap_diag_file "$WORK/s3.bterr" 10
read -r na fa la ga <<<"$(lt_range s3 live:a 0 999999999999 "$pid")"
read -r nc fc lc gc <<<"$(lt_range s3 live:c 0 999999999999 "$pid")"
tap_ok "$((na > 0 && ga == 0 && fa > P && nc > 0 && gc == 0 && fc > P))" \
	"s3: live:a and live:c recorded, consecutive ($na: $fa..$la, $nc: $fc..$lc)"
tap_is "$(lt_count s3 live:b)" 0 "s3: live:b, disabled from live:*, is excluded"
lt_sonde "destroy s3" destroy -s s3

lt_app_stop app1
tap_is "$APP_RC" 0 "the app exits 0"
tap_like "$APP_OUT" "^emitted [0-9]+\$" "the app ran its loop to the end"
lt_sonde "the daemon stops" daemon --stop

# ---- 2. app first, daemon later -----------------------------------------
tap_cmd "app started with no daemon running" -- lt_app app2 -- loop "$WORK/app2"
pid=$APP_PID
lt_wait_progress app2 100 30
tap_ok "$(lt_alive "$pid" && echo 1)" "it runs without a daemon"
lt_daemon_or_bail
tap_cmd "the daemon picks the app up within 30 s" -- lt_wait_listed "$pid" ||
	tap_diag_file "$WORK/list.txt"
T=$WORK/t2
lt_sonde "create" create late -o "$T"
lt_sonde "enable live:a" enable -s late live:a
P=$(lt_progress app2)
lt_sonde "start" start -s late
Ps=$(lt_progress app2)
lt_wait_progress app2 "$((P + 200))" 30
lt_sonde "stop" stop -s late
lt_bt "$T" late
tap_is "$BT_RC/$BT_OTHER_ERR" "0/0" "babeltrace2 reads the trace" ||
	tap_diag_file "$WORK/late.bterr" 10
read -r n f l g <<<"$(lt_range late live:a 0 999999999999 "$pid")"
tap_ok "$((n > 0 && g == 0 && f > P && f <= Ps + 2))" "$n consecutive live:a events of the app, from when start returned (i $f..$l)"
tap_is "$(lt_count late live:a)/$(lt_count late live:b)/$(lt_count late live:c)" "$n/0/0" \
	"only live:a, only from the app"
lt_app_stop app2
tap_is "$APP_RC" 0 "the app exits 0"
tap_done
