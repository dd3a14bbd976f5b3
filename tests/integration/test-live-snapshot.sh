#!/bin/bash
# SPDX-License-Identifier: MIT
# test-live-snapshot: `sonde snapshot` of a started --overwrite session
# (4 sub-buffers of 4 KiB) while an app pinned to one CPU loops: each
# snapshot is a trace babeltrace2 reads, named SESSIONDIR/snapshot-N (or
# -o DIR), holding for each event only the latest i values, consecutive,
# up to at least what the app had emitted when it was asked for; a later
# snapshot holds only newer events.  A discard-mode session refuses
# snapshots (exit 1).
# Usage: test-live-snapshot.sh SONDE BABELTRACE2 TEST-LIVE-APP TEST-LIVE-RAW
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
. "$here/test-live-lib.sh"
lt_init "$@"
declare -A LAST

lt_daemon_or_bail
tap_cmd "app started (on CPU 0)" -- lt_app ov -- loop "$WORK/ov" pin
pid=$APP_PID
tap_cmd "app listed" -- lt_wait_listed "$pid"
T=$WORK/ov-trace
lt_sonde "create an overwrite session" create ov -o "$T" --overwrite --subbuf-size 4096 --num-subbuf 4
tap_like "$(lt_session ov)" "^ov created overwrite " "sonde sessions: overwrite mode"
lt_sonde "enable live:*" enable -s ov 'live:*'
lt_sonde "start" start -s ov

# check_snap N DIR BEFORE PREV_LAST: DIR holds consecutive events ending
# at or after BEFORE and starting after PREV_LAST (-1: after 0).
check_snap() {
	local n=$1 dir=$2 before=$3 prev=$4 e cnt first last gaps
	lt_bt "$dir" "snap$n"
	tap_is "$BT_RC/$BT_OTHER_ERR" 0/0 "snapshot $n: babeltrace2 reads it" ||
		tap_diag_file "$WORK/snap$n.bterr" 10
	for e in a b c; do
		read -r cnt first last gaps <<<"$(lt_range "snap$n" "live:$e" 0 999999999999 "$pid")"
		tap_ok "$((cnt > 0 && gaps == 0))" "snapshot $n: $cnt consecutive live:$e (i $first..$last)"
		tap_ok "$((last >= before))" "snapshot $n: live:$e goes up to at least i $before, emitted before the request"
		if [ "$prev" -lt 0 ]; then
			tap_ok "$((first > 0))" "snapshot $n: live:$e holds only the latest events (oldest overwritten)"
		else
			tap_ok "$((first > prev))" "snapshot $n: live:$e holds only events newer than snapshot $((n - 1)) ($first > $prev)"
		fi
		LAST[$e]=$last
	done
	tap_is "$(lt_badev "snap$n")" 0 "snapshot $n: every event carries its own ev value"
}

# 1500 iterations are 4500 events, several times what 16 KiB hold.
P=$(lt_progress ov)
tap_cmd "the app loops" -- lt_wait_progress ov $((P + 1500)) 60
before=$(lt_progress ov)
sonde_run snapshot -s ov
tap_is "$RC" 0 "snapshot 1 taken" || tap_diag "$ERR"
tap_like "$OUT" "$T/snapshot-1" "snapshot 1: printed directory is SESSIONDIR/snapshot-1"
check_snap 1 "$T/snapshot-1" "$before" -1
max1=$(printf '%s\n' "${LAST[@]}" | sort -n | tail -n 1)

tap_cmd "the app loops on" -- lt_wait_progress ov $((before + 1500)) 60
before=$(lt_progress ov)
sonde_run snapshot -s ov
tap_is "$RC" 0 "snapshot 2 taken" || tap_diag "$ERR"
tap_like "$OUT" "$T/snapshot-2" "snapshot 2: printed directory is SESSIONDIR/snapshot-2"
check_snap 2 "$T/snapshot-2" "$before" "$max1"
max2=$(printf '%s\n' "${LAST[@]}" | sort -n | tail -n 1)

tap_cmd "the app loops on" -- lt_wait_progress ov $((before + 1500)) 60
before=$(lt_progress ov)
sonde_run snapshot -s ov -o "$WORK/snapx"
tap_is "$RC" 0 "snapshot -o DIR taken" || tap_diag "$ERR"
tap_like "$OUT" "$WORK/snapx" "snapshot -o DIR: prints DIR"
check_snap 3 "$WORK/snapx" "$before" "$max2"

tap_like "$(lt_session ov)" "^ov started overwrite " "the session is still started"
lt_sonde "stop" stop -s ov
lt_app_stop ov
tap_is "$APP_RC" 0 "the app exits 0"

lt_sonde "create a discard session" create nv -o "$WORK/nv"
sonde_run snapshot -s nv
tap_is "$RC" 1 "snapshot of a discard session: exit 1"
tap_like "$ERR" "^sonde: " "  with an error message"
tap_ok "$([ ! -e "$WORK/nv/snapshot-1" ] && echo 1)" "  and no snapshot written"
lt_sonde "start the discard session" start -s nv
sonde_run snapshot -s nv
tap_is "$RC" 1 "snapshot of a started discard session: exit 1 too"
tap_done
