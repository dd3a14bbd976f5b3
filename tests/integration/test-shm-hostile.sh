#!/bin/bash
# SPDX-License-Identifier: MIT
# test-shm-hostile: a traced process that writes nonsense into the shared
# memory `sonde record` reads (the header's geometry, another CPU's reserve
# position, a packet's content_size, the event registry) must not crash
# the recorder, make it loop or write without bound, or cost the
# well-behaved writer's buffer its events.  One case per value: sonde
# record survives, stays within a few MiB of output (the shell's file size
# limit turns a runaway writer into SIGXFSZ), reports the corruption in one
# line and exits 1, and every event of the writer is in the trace, which
# babeltrace2 and sonde view read.
# usage: test-shm-hostile.sh SONDE BABELTRACE2 PROG
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$1 BT=$2 PROG=$3
st_need_bt
st_setup

N=2000
# 64 KiB per CPU: the N events fit without any drain, so none is lost
# however slow the recorder is.
OPTS=(--subbuf-size 16k --num-subbuf 4)
# Output limit, in KiB: what a recorder writing in a loop hits in seconds.
LIMIT_KB=65536
for c in hdr-nsub hdr-ncpu hdr-subbuf0 hdr-offsets offset offset-back content registry; do
	(ulimit -f $LIMIT_KB; st_record "$c" "${OPTS[@]}" -- "$PROG" "$c" $N
	 echo "$REC_RC" >"$WORK/$c.rc")
	REC_RC=$(cat "$WORK/$c.rc") REC_DIR=$WORK/$c
	st_summary "$WORK/$c.err"
	if grep -q '^no CPU buffer other than' "$WORK/$c.out"; then
		tap_ok 1 "# SKIP $c: one CPU buffer only"
		continue
	fi
	tap_ok "$([ "$REC_RC" -lt 124 ] && echo 1)" \
		"$c: sonde record ends by itself, killed by no signal (exit $REC_RC)" ||
		tap_diag_file "$WORK/$c.err" 10
	size=$(du -sk "$REC_DIR" 2>/dev/null | cut -f1)
	tap_ok "$([ "${size:-0}" -lt 4096 ] && echo 1)" \
		"$c: the trace stays small (${size:-?} KiB)"
	tap_is "$REC_RC" 1 "$c: exit status 1 (command exited 0, buffers corrupt)"
	tap_is "$(grep -cE '^sonde: .*(corrupt|overwritten)' "$WORK/$c.err")" 1 \
		"$c: one line reports the corruption" || tap_diag_file "$WORK/$c.err" 10
	tap_is "$REC_EVENTS" $N "$c: the writer's $N events are recorded" ||
		tap_diag_file "$WORK/$c.err" 10
	st_bt "$REC_DIR"
	got=$(st_norm "$REC_DIR.bt" | awk -F'\t' "$ST_AWK_FLD"'
		$4 == "hostile:ev" { s[fld($5, "seq") + 0] = 1 }
		END { n = 0; for (k in s) n++; print n }')
	tap_is "$BT_RC/$got" "0/$N" "$c: babeltrace2 reads the trace: seq 0..$((N - 1)) all there" ||
		tap_diag_file "$REC_DIR.bterr" 10
	timeout -k 10 "$ST_TIMEOUT" "$SONDE" view "$REC_DIR" >"$WORK/$c.view" 2>"$WORK/$c.view.err"
	tap_is "$?/$(grep -c 'hostile:ev' "$WORK/$c.view")" "0/$N" "$c: sonde view reads the trace" ||
		tap_diag_file "$WORK/$c.view.err" 10
done

# The same damage under a session daemon, whose switch timer also walks
# the buffers: the daemon survives each case and goes on answering.
. "$here/test-live-lib.sh"
lt_add_daemon
for c in hdr-nsub hdr-ncpu hdr-subbuf0 hdr-offsets offset content registry; do
	lt_sonde "daemon, $c: create" create "d-$c" -o "$WORK/d-$c" "${OPTS[@]}" --switch-timer 50
	lt_sonde "daemon, $c: enable" enable -s "d-$c" 'hostile:*'
	lt_sonde "daemon, $c: start" start -s "d-$c"
	HOSTILE_WAIT=1 HOSTILE_REPEAT=1 timeout -k 10 "$ST_TIMEOUT" "$PROG" "$c" $N >"$WORK/d-$c.out" 2>&1
	rc=$?
	[ "$rc" -eq 77 ] && rc=0 # one CPU buffer only: nothing to damage
	tap_is "$rc" 0 "daemon, $c: the app was attached, did the damage and exited 0" ||
		tap_diag_file "$WORK/d-$c.out"
	# Several switch-timer rounds and drains over the damage.
	sleep 0.5
	tap_ok "$(lt_is_sonde "$DPID" && echo 1)" "daemon, $c: the daemon is alive after the damage"
	lt_sonde "daemon, $c: stop" stop -s "d-$c"
	lt_sonde "daemon, $c: destroy" destroy -s "d-$c"
done
tap_ok "$(lt_is_sonde "$DPID" && echo 1)" "daemon: alive at the end"
tap_done
