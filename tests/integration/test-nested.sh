#!/bin/bash
# SPDX-License-Identifier: MIT
# test-nested: one process recorded by several sessions at once, each
# with its own events, log levels, filters and buffers: nested `sonde
# record`s, each recording the command it runs (registry slots, the first
# session's through the inline path, the others through the sites'
# out-of-line path).  Each session's trace must hold exactly what its own
# options select, field for field as a lone recording of the same events.
# Usage: test-nested.sh SONDE BABELTRACE2 KINDS-PROG FIELDS-PROG MARKER-PROG
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$(st_abs "$1") BT=$(st_abs "$2") KINDS=$(st_abs "$3") FIELDS=$(st_abs "$4") MARKER=$(st_abs "$5")
st_need_bt
st_setup

# payloads DIR: "name: payload" of every event but sonde:thread, in order.
payloads() {
	"$BT" "$1" 2>/dev/null | grep -v ' sonde:thread: ' |
		sed -E 's/^.* ([a-z_]+:[a-z_0-9]+): \{ cpu_id = [0-9]+ \}(, )?/\1: /'
}

R() { timeout -k 10 "$ST_TIMEOUT" "$SONDE" record "$@"; }

# Three sessions around one run.
R -o "$WORK/a" -e 'kinds:enums' -- \
	"$SONDE" record -o "$WORK/b" -e 'kinds:text' --filter 'var == "hello*" || after > 100' -- \
	"$SONDE" record -o "$WORK/c" --loglevel WARNING -- "$KINDS" >"$WORK/run.out" 2>"$WORK/run.err"
tap_is "$?" 0 "three nested sonde records run the program" || tap_diag_file "$WORK/run.err"
tap_is "$(grep -c ' 0 lost' "$WORK/run.err")" 3 "each session reports 0 lost" || tap_diag_file "$WORK/run.err"

# The same, each alone: the oracle.
R -o "$WORK/a1" -e 'kinds:enums' -- "$KINDS" >/dev/null 2>&1
R -o "$WORK/b1" -e 'kinds:text' --filter 'var == "hello*" || after > 100' -- "$KINDS" >/dev/null 2>&1
R -o "$WORK/c1" --loglevel WARNING -- "$KINDS" >/dev/null 2>&1
for t in a b c; do
	payloads "$WORK/$t" >"$WORK/$t.p"
	payloads "$WORK/${t}1" >"$WORK/${t}1.p"
done
tap_is "$(wc -l <"$WORK/a.p")/$(grep -vc '^kinds:enums' "$WORK/a.p")" "16/0" \
	"the outer session (the inline path) has its 16 kinds:enums events alone"
tap_is "$(wc -l <"$WORK/b.p")" 1 "the middle session has the one kinds:text event its filter keeps"
tap_is "$(cut -d: -f1-2 "$WORK/c.p" | tr '\n' ' ')" "kinds:warn kinds:crit " \
	"the inner session has the WARNING and CRIT events alone"
for t in a b c; do
	tap_ok "$(cmp -s "$WORK/$t.p" "$WORK/${t}1.p" && echo 1)" \
		"session $t's events are field for field those of a lone recording" ||
		tap_diag "$(diff "$WORK/${t}1.p" "$WORK/$t.p" | head -5)"
done

# Records written in place (a 4000-byte string) and every field type, into
# two sessions at once.
R -o "$WORK/f1" -e 'fields:bigstr' -- \
	"$SONDE" record -o "$WORK/f2" -- "$FIELDS" >"$WORK/f.out" 2>"$WORK/f.err"
tap_is "$?" 0 "two nested records of test-fields run" || tap_diag_file "$WORK/f.err"
R -o "$WORK/f0" -- "$FIELDS" >/dev/null 2>&1
payloads "$WORK/f0" >"$WORK/f0.p"
payloads "$WORK/f1" >"$WORK/f1.p"
payloads "$WORK/f2" >"$WORK/f2.p"
tap_ok "$(cmp -s "$WORK/f0.p" "$WORK/f2.p" && echo 1)" \
	"the inner session has every test-fields event as a lone recording does ($(wc -l <"$WORK/f0.p"))" ||
	tap_diag "$(diff "$WORK/f0.p" "$WORK/f2.p" | head -5 | cut -c1-200)"
tap_ok "$(grep '^fields:bigstr' "$WORK/f0.p" | cmp -s - "$WORK/f1.p" && echo 1)" \
	"the outer session has the 4000-byte record alone, whole"

# Markers, into two sessions.
R -o "$WORK/m1" -- "$SONDE" record -o "$WORK/m2" -- "$MARKER" >"$WORK/m.out" 2>"$WORK/m.err"
R -o "$WORK/m0" -- "$MARKER" >/dev/null 2>&1
payloads "$WORK/m0" >"$WORK/m0.p"
payloads "$WORK/m1" >"$WORK/m1.p"
payloads "$WORK/m2" >"$WORK/m2.p"
tap_ok "$([ -s "$WORK/m0.p" ] && cmp -s "$WORK/m0.p" "$WORK/m1.p" && cmp -s "$WORK/m0.p" "$WORK/m2.p" && echo 1)" \
	"markers reach both sessions, as a lone recording has them ($(wc -l <"$WORK/m0.p"))" ||
	tap_diag "$(diff "$WORK/m0.p" "$WORK/m2.p" | head -5 | cut -c1-200)"

# More sessions than slots: the first eight record, nothing breaks.
cmd=("$KINDS")
for i in 9 8 7 6 5 4 3 2 1; do
	cmd=("$SONDE" record -o "$WORK/n$i" -e 'kinds:warn' -- "${cmd[@]}")
done
timeout -k 10 "$ST_TIMEOUT" "${cmd[@]}" >"$WORK/n.out" 2>"$WORK/n.err"
tap_is "$?" 0 "nine nested records run the program"
got=""
for i in 1 2 3 4 5 6 7 8 9; do got+="$(payloads "$WORK/n$i" | wc -l)"; done
tap_is "$got" "111111110" "the first eight sessions have the event, the ninth (past the slots) none"
tap_done
