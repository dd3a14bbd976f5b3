#!/bin/bash
# SPDX-License-Identifier: MIT
# test-relay-zerocopy: packets go to the relay from the shared-memory
# sub-buffers by reference (MSG_ZEROCOPY), and a sub-buffer is not handed
# back to the writers while the kernel may still read it (skipped without
# lttng-relayd).  The relayd is stopped (SIGSTOP) for a second while a
# fast app fills small buffers: the relay's socket fills, the packets sent
# by reference wait in the kernel's send queue, and the writers would
# reuse their sub-buffers at once if the consumer handed them back on
# return; the relay would then store the later records (or the zeros the
# consumer writes there) in place of the packets sent.
#  1. SONDE_RELAY_ZEROCOPY=force (packets held even beyond the relay's
#     window, which the default avoids: they then wait in the send queue
#     for the relay to read again): the relay's copy is byte for byte the
#     local one, nothing was left unsent, and the summary says how many
#     packets went by reference (some) and how many were copied;
#  2. zero copy as by default (held only within the relay's window): the
#     same;
#  3. SONDE_RELAY_ZEROCOPY=0: the same, copied, and no packet by
#     reference;
#  4. a relay that keeps up, many packets by reference: never taken for
#     lost (completions waiting on the error queue make the data socket
#     poll POLLERR, which is no error), the copies byte-identical.
# Usage: test-relay-zerocopy.sh SONDE BABELTRACE2 HELLO
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
. "$here/relay-lib.sh"
relay_init zc-test "$@"
end_test() {
	[ -n "$rec" ] && kill -KILL "$rec" 2>/dev/null
	relay_cleanup
}
trap end_test EXIT

relay_start "$WORK/relay" || tap_bail "cannot start lttng-relayd"
for case in force zc copy; do
	zc=$(case $case in force) echo force ;; zc) echo 1 ;; *) echo 0 ;; esac)
	SONDE_RELAY_ZEROCOPY=$zc timeout -k 10 120 "$SONDE" record \
		-o "$WORK/$case" --relay "$RELAY_URL" --relay-hostname "$HOST" \
		--relay-session "$case" --live-timer 0 \
		--subbuf-size 64k --num-subbuf 8 --relay-buffer 512M -- "$PROG" 3000000 \
		>"$WORK/$case.out" 2>"$WORK/$case.err" &
	rec=$!
	# As soon as packets flow (the streams have their handles: until
	# their ADD_STREAM replies come, a stream's packets are queued as
	# copies, never held), the relay stops reading.
	for i in $(seq 200); do
		d=$(relay_session_dir "$WORK/relay" "$HOST" "$case") &&
			[ -s "$d/channel0_0" ] && break
		sleep 0.01
	done
	kill -STOP "$RELAY_PID"
	sleep 1
	kill -CONT "$RELAY_PID"
	wait "$rec"
	rc=$?
	rec=
	tap_is "$rc" 0 "$case: record exits 0"
	st_summary "$WORK/$case.err"
	tap_like "$(cat "$WORK/$case.err")" \
		"relay net://.*: [1-9][0-9]* packets .* sent as .*, 0 packets .* not sent" \
		"$case: every packet was sent"
	rdir=$(relay_session_dir "$WORK/relay" "$HOST" "$case")
	same=1 n=0
	for f in "$WORK/$case"/*; do
		b=$(basename "$f")
		n=$((n + 1))
		cmp -s "$f" "$rdir/$b" || {
			same=0
			tap_diag "differs: $b: $(cmp "$f" "$rdir/$b" 2>&1 | head -n 1)"
		}
	done
	tap_ok "$((same && n >= 2))" \
		"$case: the relay's copy is byte-identical to the local one ($n files, $REC_EVENTS events, $REC_LOST lost)"
	zcline=$(grep 'zero copy:' "$WORK/$case.err")
	if [ $case = force ]; then
		tap_like "$zcline" \
			"relay: zero copy: [1-9][0-9]* packets \(.* MB\) sent by reference, [0-9]+ copied by the kernel, [0-9]+ copied by sonde" \
			"$case: packets went by reference, the copies are counted"
	elif [ $case = zc ]; then
		tap_like "$zcline" \
			"relay: zero copy: [0-9]+ packets \(.* MB\) sent by reference, [0-9]+ copied by the kernel, [0-9]+ copied by sonde" \
			"$case: the packets by reference and the copies are counted"
	else
		tap_is "$zcline" "" "copy: SONDE_RELAY_ZEROCOPY=0: no packet by reference"
	fi
	tap_diag_file "$WORK/$case.err" 4
done

# 4. The relay reading all along: thousands of packets by reference.
for i in 1 2 3; do
	case=flow$i
	timeout -k 10 120 "$SONDE" record -o "$WORK/$case" --relay "$RELAY_URL" \
		--relay-hostname "$HOST" --relay-session "$case" --live-timer 0 \
		--subbuf-size 64k --num-subbuf 64 -- "$PROG" 2000000 \
		>"$WORK/$case.out" 2>"$WORK/$case.err"
	rc=$?
	rdir=$(relay_session_dir "$WORK/relay" "$HOST" "$case")
	same=1
	for f in "$WORK/$case"/*; do
		cmp -s "$f" "$rdir/$(basename "$f")" || same=0
	done
	tap_ok "$([ $rc = 0 ] && [ $same = 1 ] &&
		! grep -q 'connection.* lost' "$WORK/$case.err" &&
		grep -qE 'zero copy: [1-9][0-9]* packets' "$WORK/$case.err" && echo 1)" \
		"$case: no connection lost, packets by reference, the copies identical ($(grep -oE 'zero copy: [0-9]+ packets' "$WORK/$case.err"))"
	grep -q 'connection.* lost' "$WORK/$case.err" && tap_diag_file "$WORK/$case.err" 6
done
tap_done
