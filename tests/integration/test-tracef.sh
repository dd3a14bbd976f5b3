#!/bin/bash
# SPDX-License-Identifier: MIT
# test-tracef: sonde_tracef/vtracef/tracelog/vtracelog.  sonde view shows
# each event's message exactly as snprintf(3) made it in the program
# (which prints its expectations), tracelog's line, file and func, and
# one event class per call site format (the same types, different
# formats: two classes; one site called 100 times: one); babeltrace2 reads
# the trace without a word and shows the typed fields; --loglevel selects
# tracelog events by their level; sonde export (chrome) gets msg.
# usage: test-tracef.sh SONDE BABELTRACE2 PROG
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$1 BT=$2 PROG=$3
st_need_bt
st_setup

"$SONDE" record -o "$WORK/t" -- "$PROG" >"$WORK/want" 2>"$WORK/err"
tap_is "$?" 0 "the program runs to its end under sonde record" || tap_diag_file "$WORK/err"
tap_is "$(grep -c . "$WORK/want")" 126 "the program printed its 126 expectations"
"$SONDE" view "$WORK/t" >"$WORK/view" 2>"$WORK/view.err"
tap_is "$?" 0 "sonde view reads the trace" || tap_diag_file "$WORK/view.err"
# NAME|LOC|"MSG" of each tracef and tracelog event, in order.
sed -nE 's/^.* (sonde_tracef:event|sonde_tracelog:[A-Z_]+): \{ (line = [0-9]+, file = "[^"]*", func = "[^"]*", )?.*msg = (".*") \}$/\1|\2|\3/p' \
	"$WORK/view" >"$WORK/got"
diff -u "$WORK/want" "$WORK/got" >"$WORK/diff"
tap_ok "$([ -s "$WORK/diff" ] && echo 0 || echo 1)" "sonde view: every message as snprintf made it, tracelog's line, file and func" ||
	tap_diag_file "$WORK/diff" 40
tap_like "$(grep -m1 'no conversions at all' "$WORK/view")" \
	'sonde_tracef:event: \{ msg = "no conversions at all" \}$' \
	"an event without arguments shows its message alone"

# The formats: once each in the metadata, one class per format.
meta=$WORK/t/metadata
tap_is "$(grep -c 'sonde_msgfmt_[0-9]*_[0-9]* = "alpha %d";' "$meta")/$(grep -c 'sonde_msgfmt_[0-9]*_[0-9]* = "beta %d";' "$meta")" \
	"1/1" "two call sites with the same types and different formats: one format each"
alpha=$(sed -nE 's/.*sonde_msgfmt_[0-9]+_([0-9]+) = "alpha %d";/\1/p' "$meta")
beta=$(sed -nE 's/.*sonde_msgfmt_[0-9]+_([0-9]+) = "beta %d";/\1/p' "$meta")
tap_ok "$([ -n "$alpha" ] && [ -n "$beta" ] && [ "$alpha" != "$beta" ] && echo 1 || echo 0)" \
	"... and two event classes ($alpha, $beta)"
tap_is "$(grep -c '"iter %d of %d"' "$meta")" 1 "one call site 100 times: one format, one class"
tap_is "$(grep -c 'msg = "iter [0-9]* of 100"' "$WORK/view")" 100 "... and its 100 messages"
tap_is "$(grep -c '^	sonde_msgfmt_' "$meta")" 20 \
	"18 call sites with literal formats: 18 formats; the others, one \"%s\" per event name"
tap_is "$(grep -c '^	sonde_msgfmt_[0-9]*_[0-9]* = "%s";' "$meta")" 2 \
	"formats that are not literals: sonde_tracef:event and sonde_tracelog:TRACE_ERR, \"%s\" each"
tap_like "$(grep -m1 'long \[' "$WORK/view")" 'msg = "long \[b+\[\+[0-9]+ bytes\]"' \
	"a message over SONDE_TRACEF_MSG_MAX is cut and says by how much"
tap_like "$(grep -F 'backslash' "$meta")" 'quote \\" backslash \\\\ tab\\tnewline\\nescape \\033\[1m done %s' \
	"controls, quotes and backslashes escaped in the metadata"
tap_like "$(tr -d '\n\t' <"$meta" | grep -oE 'name = "sonde_tracelog:TRACE_WARNING";id = [0-9]+;stream_id = [0-9]+;loglevel = [0-9]+;')" \
	'loglevel = 4;$' "tracelog's level in the metadata (WARNING = 4)"

st_bt "$WORK/t"
tap_is "$BT_RC/$BT_OTHER_ERR" "0/0" "babeltrace2 reads the trace without a word" || tap_diag_file "$WORK/t.bterr"
tap_is "$(grep -c ' sonde_trace[a-z]*:' "$WORK/t.bt")" 126 "babeltrace2 sees the 126 events"
tap_like "$(grep -m1 'hex %#x\|arg0 = -42' "$WORK/t.bt")" \
	'sonde_tracef:event: \{ cpu_id = [0-9]+ \}, \{ arg0 = -42, arg1 = 42, arg2 = 0xFF, arg3 = 0xABC, arg4 = 010, arg5 = 90 \}$' \
	"babeltrace2 shows the typed fields arg0..N"
tap_like "$(grep -m1 'TRACE_WARNING' "$WORK/t.bt")" \
	'\{ line = [0-9]+, file = ".*test-tracef.c", func = "main", arg0 = 1, arg1 = "disk" \}$' \
	"babeltrace2 shows tracelog's line, file and func"

# --loglevel selects tracelog events by level.
"$SONDE" record -o "$WORK/ll" -e 'sonde_tracelog:*' --loglevel WARNING -- "$PROG" >/dev/null 2>"$WORK/ll.err"
tap_is "$("$SONDE" view "$WORK/ll" | grep -oE 'sonde_trace[a-z]*:[A-Z_a-z]+' | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }')" \
	"sonde_tracelog:TRACE_ERR=3 sonde_tracelog:TRACE_WARNING=1 " "--loglevel WARNING: ERR and WARNING tracelog events only" ||
	tap_diag_file "$WORK/ll.err"
"$SONDE" record -o "$WORK/lo" -e 'sonde_tracelog:*' --loglevel-only INFO -- "$PROG" >/dev/null 2>&1
tap_is "$("$SONDE" view "$WORK/lo" | grep -oE 'sonde_trace[a-z]*:[A-Z_a-z]+' | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }')" \
	"sonde_tracelog:TRACE_INFO=1 " "--loglevel-only INFO: that one"

"$SONDE" export --format chrome -o "$WORK/t.json" "$WORK/t" 2>"$WORK/export.err"
tap_is "$?" 0 "sonde export --format chrome" || tap_diag_file "$WORK/export.err"
tap_is "$(grep -o '"msg":"iter [0-9]* of 100"' "$WORK/t.json" | wc -l)" 100 "... gives each event its msg"
tap_done
