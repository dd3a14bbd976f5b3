#!/bin/bash
# SPDX-License-Identifier: MIT
# test-filter: --filter on user-space events, evaluated in the traced
# process.  For each filter, test-filter-prog K prints the ids its C twin
# (predicate K) selects; sonde record must record exactly those flt:req
# events, in order, with 0 lost, and babeltrace2 must read the trace.
# Also: a bad filter is refused before the program runs, a field the event
# lacks makes the filter false, nowrite fields are visible to the filter,
# two patterns with filters select their union, and a daemon session's
# enable --filter does the same as sonde record's.
# Usage: test-filter.sh SONDE BABELTRACE2 PROG
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$(st_abs "$1") BT=$(st_abs "$2") PROG=$(st_abs "$3")
st_need_bt
st_setup

# ids DIR: the id of each flt:req event, in trace order.
ids() {
	"$BT" "$1" 2>/dev/null | grep ' flt:req: ' | sed -E 's/.*\{ id = ([0-9]+),.*/\1/'
}

# check K FILTER [sonde record options...]
check() {
	local k=$1 f=$2
	shift 2
	rm -rf "$WORK/f"
	timeout -k 10 "$ST_TIMEOUT" "$SONDE" record -o "$WORK/f" -e 'flt:*' "$@" --filter "$f" \
		-- "$PROG" "$k" >"$WORK/f.out" 2>"$WORK/f.err"
	local rc=$?
	grep -v '^#' "$WORK/f.out" >"$WORK/f.want"
	ids "$WORK/f" >"$WORK/f.got"
	local n
	n=$(wc -l <"$WORK/f.want")
	if [ "$rc" -eq 0 ] && cmp -s "$WORK/f.want" "$WORK/f.got" &&
		grep -q " 0 lost" "$WORK/f.err"; then
		tap_ok 1 "--filter '$f': exactly the $n events its C twin selects"
	else
		tap_ok 0 "--filter '$f': exactly the $n events its C twin selects (exit $rc)"
		tap_diag "want $(wc -l <"$WORK/f.want") got $(wc -l <"$WORK/f.got"): $(diff "$WORK/f.want" "$WORK/f.got" | head -5 | tr '\n' ' ')"
		tap_diag_file "$WORK/f.err" 5
	fi
}

check 0 'size > 512 && path == "/x*"'
check 1 'id % 7 == 3 || ratio < 0.25'
check 2 '(flags & 0xf0) == 0x30'
check 3 'secret == 300'
check 4 '!(id < 990)'
check 5 'tag == "even"'
check 6 '$ctx.vtid == $ctx.vpid && id < 5 && $ctx.procname == "test-filter*"'
check 7 'nosuch == 1'
check 8 'path != "/y/1*"'
check 9 'neg < -100'
check 10 'arr[1] == 2 * id && arr[5] == 0 || arr[1] == 2 * id'
check 11 '(size > 1000 && size < 1100) || (id >= 10 && id <= 12)'
check 12 'path == "/x/7\*"'
check 13 '1' --loglevel DEBUG

# A bad filter is refused before anything runs.
for bad in 'size >' '"x" == ' 'a b' '$ctx.nope == 1' "$(printf 'x == %02000d' 1)"; do
	timeout -k 10 60 "$SONDE" record -o "$WORK/bad" --filter "$bad" -- touch "$WORK/ran" \
		>/dev/null 2>"$WORK/bad.err"
	rc=$?
	tap_is "$rc:$([ -e "$WORK/ran" ] && echo ran):$(head -c 20 "$WORK/bad.err")" \
		"1::sonde: bad --filter " "a bad filter is refused before the program runs (${bad:0:20})"
	rm -f "$WORK/ran"
done

# A daemon session: enable --filter.
. "$here/test-live-lib.sh"
lt_add_daemon
lt_sonde "create a session" create fs -o "$WORK/live"
lt_sonde "enable with --filter" enable -s fs 'flt:*' --filter 'size > 512 && path == "/x*"'
lt_sonde "a second pattern with another filter" enable -s fs 'flt:r*' --filter 'id < 3'
sonde_run enable -s fs 'flt:*' --filter 'id <'
tap_is "$RC" 1 "enable --filter with a bad filter is refused" || tap_diag "$ERR"
lt_sonde "start" start -s fs
timeout -k 10 "$ST_TIMEOUT" "$PROG" 0 >"$WORK/app.out" 2>"$WORK/app.err"
tap_is "$?" 0 "the program runs in the started session"
lt_sonde "stop" stop -s fs
lt_sonde "destroy" destroy -s fs
"$PROG" 6 | grep -v '^#' | head -n 3 >"$WORK/want"
grep -v '^#' "$WORK/app.out" >>"$WORK/want"
sort -n -u "$WORK/want" >"$WORK/want.s"
ids "$WORK/live" >"$WORK/got"
tap_is "$(cmp -s "$WORK/want.s" "$WORK/got" && echo same)" same \
	"the session recorded the union of both filters, in order ($(wc -l <"$WORK/want.s") events)" ||
	tap_diag "got $(wc -l <"$WORK/got"): $(diff "$WORK/want.s" "$WORK/got" | head -5 | tr '\n' ' ')"
tap_done
