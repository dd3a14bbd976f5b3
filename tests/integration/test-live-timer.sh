#!/bin/bash
# SPDX-License-Identifier: MIT
# test-live-timer: while a session runs, its switch timer pushes partly
# filled buffers to the trace directory and keeps the metadata current, so
# babeltrace2 reads the events of an app that emitted a burst and went
# idle without the session being stopped (--switch-timer 200, then the
# default period); stopping afterwards leaves each event exactly once.
# An app that exits while the session runs leaves `sonde list` and its
# events stay in the trace.
# Usage: test-live-timer.sh SONDE BABELTRACE2 TEST-LIVE-APP TEST-LIVE-RAW
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
. "$here/test-live-lib.sh"
lt_init "$@"

# burst_visible NAME SESSION N [CREATE OPTIONS...]: app NAME emits N of
# each event once SESSION is started, then idles; the trace must show all
# of them within 30 s while the session stays started.
burst_visible() {
	local name=$1 s=$2 n=$3 T=$WORK/$2 t0 t1 end ok=0 got
	shift 3
	tap_cmd "$s: app started" -- lt_app "$name" -- burst "$n" "$WORK/$name"
	local pid=$APP_PID
	tap_cmd "$s: app listed" -- lt_wait_listed "$pid"
	lt_sonde "$s: create" create "$s" -o "$T" "$@"
	lt_sonde "$s: enable live:*" enable -s "$s" 'live:*'
	lt_sonde "$s: start" start -s "$s"
	: >"$WORK/$name.go"
	tap_cmd "$s: the app emitted its $n events of each" -- lt_wait_progress "$name" "$n" 30
	t0=$(lt_now) end=$((SECONDS + 30))
	while :; do
		lt_bt "$T" "$s"
		got="$(lt_range "$s" live:a 0 "$n" "$pid")|$(lt_range "$s" live:b 0 "$n" "$pid")|$(lt_range "$s" live:c 0 "$n" "$pid")"
		if [ "$BT_RC" -eq 0 ] && [ "$got" = "$n 0 $((n - 1)) 0|$n 0 $((n - 1)) 0|$n 0 $((n - 1)) 0" ]; then
			ok=1
			break
		fi
		[ "$SECONDS" -ge "$end" ] && break
		sleep 0.3
	done
	t1=$(lt_now)
	tap_ok "$ok" "$s: with the session running, babeltrace2 reads all $n of live:a, live:b, live:c (i 0..$((n - 1)))" ||
		{ tap_diag "last read: exit $BT_RC, a|b|c ranges: $got"; tap_diag_file "$WORK/$s.bterr" 10; }
	tap_diag "$s: visible after $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s"
	tap_ok "$(lt_alive "$pid" && echo 1)" "$s: the app is still running (idle)"
	tap_like "$(lt_session "$s")" "^$s started " "$s: the session is still started"
	lt_sonde "$s: stop" stop -s "$s"
	lt_bt "$T" "$s-final"
	tap_is "$BT_RC/$BT_OTHER_ERR" 0/0 "$s: after stop, babeltrace2 reads the trace"
	tap_is "$(lt_range "$s-final" live:a 0 "$n" "$pid")|$(lt_count "$s-final" live:a)|$(lt_count "$s-final" live:b)|$(lt_count "$s-final" live:c)" \
		"$n 0 $((n - 1)) 0|$n|$n|$n" "$s: after stop, each event exactly once (no packet written twice)"
	lt_sonde "$s: destroy" destroy -s "$s"
	lt_app_stop "$name"
	tap_is "$APP_RC/$APP_OUT" "0/emitted $n" "$s: the app exits 0"
}

lt_daemon_or_bail
burst_visible b200 fast 50 --switch-timer 200
burst_visible bdef slow 30

# An app that exits while the session runs: the daemon lets it go, its
# events stay in the trace.
tap_cmd "gone: app started" -- lt_app gone -- burst 40 "$WORK/gone"
pid=$APP_PID
tap_cmd "gone: app listed" -- lt_wait_listed "$pid"
lt_sonde "gone: create" create ex -o "$WORK/ex"
lt_sonde "gone: enable" enable -s ex 'live:*'
lt_sonde "gone: start" start -s ex
: >"$WORK/gone.go"
lt_wait_progress gone 40 30
lt_app_stop gone
tap_is "$APP_RC/$APP_OUT" "0/emitted 40" "gone: the app exits 0 while recording"
for ((i = 0; i < 150; i++)); do
	lt_list && ! lt_listed "$pid" && break
	sleep 0.2
done
tap_ok "$(lt_listed "$pid" || echo 1)" "gone: it leaves sonde list"
tap_like "$(lt_session ex)" "^ex started " "gone: the session is still started"
lt_sonde "gone: stop" stop -s ex
lt_bt "$WORK/ex" ex
tap_is "$BT_RC/$BT_OTHER_ERR" 0/0 "gone: babeltrace2 reads the trace"
tap_is "$(lt_range ex live:a 0 40 "$pid")|$(lt_range ex live:c 0 40 "$pid")|$(lt_count ex live:b)" \
	"40 0 39 0|40 0 39 0|40" "gone: all its events are in the trace, once"
tap_done
