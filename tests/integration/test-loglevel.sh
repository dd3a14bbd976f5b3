#!/bin/bash
# SPDX-License-Identifier: MIT
# test-loglevel: log levels declared with SONDE_TRACEPOINT_LOGLEVEL reach
# the metadata (babeltrace2's sink.text.details is the oracle) and select
# events, as LTTng's --loglevel (this level and more severe) and
# --loglevel-only (this level) do, under `sonde record` and in a daemon
# session.  test-kinds-prog emits one each of kinds:crit (CRIT),
# kinds:warn (WARNING), kinds:info (INFO) and kinds:plain (no level:
# DEBUG_LINE), and 25 events of other kinds:* events (no level).
# Usage: test-loglevel.sh SONDE BABELTRACE2 TEST-KINDS-PROG
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$(st_abs "$1") BT=$(st_abs "$2") PROG=$(st_abs "$3")
st_need_bt
st_setup

# names DIR: "count name" of every kinds:* event, sorted, on one line.
names() {
	"$BT" "$1" 2>/dev/null | grep -o ' kinds:[a-z]*:' | sort | uniq -c |
		awk '{ printf "%s%s=%s", (NR > 1 ? " " : ""), substr($2, 7, length($2) - 7), $1 }'
}

# sel DESC WANT ARGS...: sonde record ARGS... -- PROG records WANT.
sel() {
	local desc=$1 want=$2
	shift 2
	rm -rf "$WORK/sel"
	timeout -k 10 "$ST_TIMEOUT" "$SONDE" record -o "$WORK/sel" "$@" -- "$PROG" \
		>"$WORK/sel.out" 2>"$WORK/sel.err"
	local rc=$?
	tap_is "$rc:$(names "$WORK/sel")" "0:$want" "$desc (sonde record $*)" ||
		tap_diag_file "$WORK/sel.err"
}

sel "--loglevel WARNING: WARNING and more severe" "crit=1 warn=1" --loglevel WARNING
sel "--loglevel-only CRIT: that level alone" "crit=1" --loglevel-only crit
sel "LTTng's TRACE_ names, with -e" "crit=1 info=1 warn=1" -e 'kinds:*' --loglevel TRACE_INFO
sel "an event without a level counts as DEBUG_LINE (13)" "plain=1" -e kinds:plain --loglevel 13
sel "  and is not selected at DEBUG_FUNCTION (12)" "" -e kinds:plain --loglevel DEBUG_FUNCTION
sel "--loglevel-only DEBUG_LINE selects the events without a level" \
	"blob=2 enums=16 net=2 nowrite=1 plain=1 text=3" --loglevel-only DEBUG_LINE
sel "without --loglevel every event" "blob=2 crit=1 enums=16 info=1 net=2 nowrite=1 plain=1 text=3 warn=1"

for bad in 15 -1 LOUD ""; do
	timeout -k 10 60 "$SONDE" record --loglevel "$bad" -- true >/dev/null 2>"$WORK/bad.err"
	rc=$?
	tap_is "$rc:$(head -c 18 "$WORK/bad.err")" "1:sonde: bad log lev" \
		"--loglevel '$bad' is refused with a message"
done
timeout -k 10 60 "$SONDE" record --loglevel 3 --loglevel-only 3 -- true >/dev/null 2>"$WORK/bad.err"
tap_is "$?" 1 "--loglevel and --loglevel-only together are refused"

# The metadata carries the levels (babeltrace2 reads them).
"$BT" -c sink.text.details "$WORK/sel" >"$WORK/details" 2>&1
lv() {
	awk -v c="Event class \`$1\`" '
		index($0, c) { f = 1; next }
		f && /Log level:/ { sub(/.*Log level: /, ""); r = $0; exit }
		f && /Event class|^[^ ]/ { exit }
		END { print (r != "" ? r : f ? "none" : "absent") }' "$WORK/details"
}
tap_is "$(lv kinds:crit)/$(lv kinds:warn)/$(lv kinds:info)/$(lv kinds:plain)" \
	"Critical/Warning/Info/none" "babeltrace2 reads each event's log level from the metadata"

# A daemon session: sonde enable --loglevel.
. "$here/test-live-lib.sh"
lt_add_daemon
lt_sonde "create a session" create ll -o "$WORK/live"
lt_sonde "enable with --loglevel" enable -s ll 'kinds:*' --loglevel WARNING
lt_sonde "enable with --loglevel-only" enable -s ll 'kinds:i*' --loglevel-only INFO
lt_sonde "disable one of the selected events" disable -s ll kinds:warn
sonde_run enable -s ll 'kinds:*' --loglevel NOPE
tap_is "$RC" 1 "enable --loglevel NOPE is refused" || tap_diag "$ERR"
sonde_run enable -s ll -k 'sched:sched_switch' --loglevel 3
tap_is "$RC" 1 "enable -k --loglevel is refused" || tap_diag "$ERR"
lt_sonde "start" start -s ll
timeout -k 10 "$ST_TIMEOUT" "$PROG" >"$WORK/app.out" 2>"$WORK/app.err"
tap_is "$?" 0 "the program runs in the started session"
lt_sonde "stop" stop -s ll
lt_sonde "destroy" destroy -s ll
tap_is "$(names "$WORK/live")" "crit=1 info=1" \
	"the session recorded WARNING and more severe, and INFO alone, less the disabled event"
tap_done
