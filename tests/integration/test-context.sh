#!/bin/bash
# SPDX-License-Identifier: MIT
# test-context: `sonde record --context vpid,vtid,procname` gives every
# user-space event its own process's pid, thread's tid and process name,
# for babeltrace2 and sonde view: a program that forks, a grandchild, and
# a child that execs a differently named program (same pid, a new name
# from the exec on).  The trace's env procname is what the command ran in
# the end: `taskset -c 0 ./app` is app, not taskset.  ip: test-context-ip.
# Usage: test-context.sh SONDE BABELTRACE2 PROG EXEC_PROG HELLO
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$1 BT=$2 PROG=$3 EXEC_PROG=$4 HELLO=$5
st_need_bt
st_setup
N=500 # FORKT_N in fork_tp.h
prog_comm=$(basename "$PROG" | cut -c1-15)
exec_comm=$(basename "$EXEC_PROG" | cut -c1-15)

# Per forkt:ev line (babeltrace2's or sonde view's): its context, in the
# order asked for, against its payload's pid and tid and the name its
# role ran.  Prints: events, mismatches, distinct names.
check_ctx() {
	awk -v pc="$prog_comm" -v ec="$exec_comm" '
	/ forkt:ev: / {
		n++
		if (!match($0, /\{ vpid = -?[0-9]+, vtid = -?[0-9]+, procname = "[^"]*" \}, \{ /)) { bad++; next }
		c = substr($0, RSTART, RLENGTH); rest = substr($0, RSTART + RLENGTH)
		split(c, a, /[=,"]/)
		vpid = a[2] + 0; vtid = a[4] + 0; name = a[7]
		match(rest, /role = [0-9]+/); role = substr(rest, RSTART + 7, RLENGTH - 7) + 0
		match(rest, /pid = [0-9]+/); pid = substr(rest, RSTART + 6, RLENGTH - 6) + 0
		match(rest, /tid = [0-9]+/); tid = substr(rest, RSTART + 6, RLENGTH - 6) + 0
		want = role == 2 ? ec : pc
		if (vpid != pid || vtid != tid || name != want) {
			if (bad++ < 3) print "mismatch: " $0 > "/dev/stderr"
		}
		names[name] = 1
	}
	END { k = 0; for (x in names) k++; print n + 0, bad + 0, k }' "$1"
}

st_record ctx --context vpid,vtid,procname -- "$PROG" "$EXEC_PROG"
tap_is "$REC_RC" 0 "sonde record --context vpid,vtid,procname exits 0" ||
	tap_diag_file "$WORK/ctx.err"
tap_is "$REC_EVENTS/$REC_LOST" "$((5 * N + 3))/0" "every event recorded, none lost"
st_bt "$REC_DIR"
tap_is "$BT_RC/$(wc -c <"$REC_DIR.bterr")" "0/0" "babeltrace2 reads the trace without complaint" ||
	tap_diag_file "$REC_DIR.bterr" 20
tap_is "$(check_ctx "$REC_DIR.bt" 2>"$WORK/bt.mis")" "$((5 * N)) 0 2" \
	"babeltrace2: each event carries its own vpid, vtid and procname ($prog_comm, $exec_comm after exec)" ||
	tap_diag_file "$WORK/bt.mis"
"$SONDE" view "$REC_DIR" >"$WORK/view" 2>"$WORK/view.err"
tap_is "$?" 0 "sonde view reads the trace" || tap_diag_file "$WORK/view.err"
tap_is "$(check_ctx "$WORK/view" 2>"$WORK/view.mis")" "$((5 * N)) 0 2" \
	"sonde view: the same context per event" || tap_diag_file "$WORK/view.mis"
tap_is "$(grep -v '^[[]' "$WORK/view" | head -n 3)" "" "sonde view: one line per event"
tap_is "$(grep -c 'sonde:thread: { cpu_id = [0-9]* }, { vpid = ' "$REC_DIR.bt")" \
	"$(grep -c 'sonde:thread: ' "$REC_DIR.bt")" "sonde:thread records carry the context too"

# Another order, another subset: as asked.
st_record ctx2 --context procname,vtid -- "$PROG" "$EXEC_PROG"
st_bt "$REC_DIR"
tap_is "$REC_RC/$BT_RC/$(grep -c ' forkt:ev: { cpu_id = [0-9]* }, { procname = "[^"]*", vtid = [0-9]* }, { role' "$REC_DIR.bt")" \
	"0/0/$((5 * N))" "--context procname,vtid: those two, in that order"

# Without --context: no event context, as before.
st_record plain -- "$PROG" "$EXEC_PROG"
tap_is "$(grep -c 'event.context' "$REC_DIR/metadata")" 0 "without --context, no event context"

# Refused: unknown or repeated names; nothing is recorded.
for bad in ip,ip vpid,IP bogus vpid,vpid "" vpid,; do
	"$SONDE" record -o "$WORK/bad" --context "$bad" -- true >/dev/null 2>"$WORK/bad.err"
	rc=$?
	ok=0
	[ "$rc" -ne 0 ] && [ ! -e "$WORK/bad" ] && [ "$(wc -l <"$WORK/bad.err")" -eq 1 ] && ok=1
	tap_ok "$ok" "--context '$bad' is refused with one line, nothing recorded" ||
		tap_diag_file "$WORK/bad.err"
done
"$SONDE" record -o "$WORK/bad" --context vpid,bogus -- true 2>&1 | grep -q "unknown context 'bogus': use vpid, vtid, procname, ip"
tap_is "$?" 0 "an unknown context is named, with those there are"

# The name of what the command ran: taskset -c 0 ./app shows app.
cp "$HELLO" "$WORK/app"
st_record ts --context procname -- taskset -c 0 "$WORK/app" 3
tap_is "$REC_RC/$REC_EVENTS" "0/6" "taskset -c 0 ./app recorded"
tap_like "$(grep -E '^\s*procname = ' "$REC_DIR/metadata")" 'procname = "app";' \
	"env procname is app, not taskset"
st_bt "$REC_DIR"
tap_is "$(grep -c ':app:(' "$REC_DIR.bt")" "$(grep -c . "$REC_DIR.bt")" \
	"babeltrace2 names the process app"
"$SONDE" view "$REC_DIR" >"$WORK/tsview" 2>&1
tap_is "$(grep -c 'procname = "app"' "$WORK/tsview")" 6 "sonde view names the process app"
st_record ts2 -- taskset -c 0 "$WORK/app" 3
tap_like "$(grep -E '^\s*procname = ' "$REC_DIR/metadata")" 'procname = "app";' \
	"without --context too"
tap_done
