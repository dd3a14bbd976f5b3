#!/bin/bash
# SPDX-License-Identifier: MIT
# test-dlopen: a provider in a plugin loaded with dlopen() after start is
# recorded; after dlclose the program goes on, loads it again, and the
# trace is valid and complete.  Second case: the program does not link
# libsonde at all; libsonde arrives with the plugin.
# Usage: test-dlopen.sh SONDE BABELTRACE2 PROG PROG_NOLIB PLUGIN
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$1 BT=$2 PROG=$3 PROG_NOLIB=$4 PLUGIN=$5
st_need_bt
st_setup

want_round() {
	awk -v r="$1" 'BEGIN { for (i = 0; i < 10; i++)
		printf "dlprov:ev\tround = %d, n = %d, tag = \"plugin\"\n", r, i }'
}

# --- linked with libsonde, own provider too ---
st_record linked -- "$PROG" "$PLUGIN"
tap_is "$REC_RC" 0 "linked: program exits 0 under sonde record" || tap_diag_file "$WORK/linked.err"
tap_is "$(grep -c '^not ok' "$WORK/linked.out")/$(grep -c '^ok' "$WORK/linked.out")" 0/6 \
	"linked: the program's own checks passed" || tap_diag_file "$WORK/linked.out"
tap_is "$REC_EVENTS/$REC_LOST" "23/0" "linked: summary counts 23 events, 0 lost"
st_bt "$REC_DIR"
tap_is "$BT_RC/$(wc -c <"$REC_DIR.bterr")" "0/0" "linked: babeltrace2 reads the trace without complaint" ||
	tap_diag_file "$REC_DIR.bterr" 20
st_norm "$REC_DIR.bt" | cut -f4,5 >"$WORK/linked.got"
{
	printf 'dlmain:phase\tphase = 0\n'
	want_round 1
	printf 'dlmain:phase\tphase = 1\n'
	want_round 2
	printf 'dlmain:phase\tphase = 2\n'
} >"$WORK/linked.want"
if diff -u "$WORK/linked.want" "$WORK/linked.got" >"$WORK/linked.diff"; then
	tap_ok 1 "linked: plugin events of both loads recorded, in order with the program's"
else
	tap_ok 0 "linked: plugin events of both loads recorded, in order with the program's"
	tap_diag_file "$WORK/linked.diff" 40
fi

# --- program without libsonde ---
st_record nolib -- "$PROG_NOLIB" "$PLUGIN"
tap_is "$REC_RC" 0 "nolib: program exits 0 under sonde record" || tap_diag_file "$WORK/nolib.err"
tap_is "$(grep -c '^not ok' "$WORK/nolib.out")/$(grep -c '^ok' "$WORK/nolib.out")" 0/4 \
	"nolib: the program's own checks passed" || tap_diag_file "$WORK/nolib.out"
tap_is "$REC_EVENTS/$REC_LOST" "20/0" "nolib: summary counts 20 events, 0 lost"
st_bt "$REC_DIR"
tap_is "$BT_RC/$(wc -c <"$REC_DIR.bterr")" "0/0" "nolib: babeltrace2 reads the trace without complaint" ||
	tap_diag_file "$REC_DIR.bterr" 20
st_norm "$REC_DIR.bt" | cut -f4,5 >"$WORK/nolib.got"
{ want_round 1; want_round 2; } >"$WORK/nolib.want"
if diff -u "$WORK/nolib.want" "$WORK/nolib.got" >"$WORK/nolib.diff"; then
	tap_ok 1 "nolib: plugin events of both loads recorded, in order"
else
	tap_ok 0 "nolib: plugin events of both loads recorded, in order"
	tap_diag_file "$WORK/nolib.diff" 40
fi
tap_done
