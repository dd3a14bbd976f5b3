#!/bin/bash
# SPDX-License-Identifier: MIT
# test-prefault: the walk that touches fresh buffers ahead of their writers
# (src/control/prefault.c) never costs an event, and never holds a process.
# With 64 MiB-per-CPU buffers under `sonde record`:
#  - 200 000 numbered events emitted the moment main() runs, while the walk
#    runs, are all in the trace, in order, each once; the same with
#    SONDE_PREFAULT=0, which starts no walk;
#  - a program that returns from main() while its walk runs exits 0 at
#    once (the walk never finishes) and its events are readable;
#  - a forked child (no exec) gets a walk of its own and records correctly.
# Under a session daemon, 5 start/stop cycles with such buffers (each stop
# detaches the app and replaces its mapping, possibly mid-walk) leave the
# app running, and a last session records its events in order.
# Usage: test-prefault.sh SONDE BABELTRACE2 PROG TEST-LIVE-APP
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
. "$here/test-live-lib.sh"
PROG=$(st_abs "$3")
lt_init "$1" "$2" "$4" "$4"
BIG=(--subbuf-size 4M --num-subbuf 16)
N=200000

# seq_check NAME ROLE: "count first last gaps" of prefault:seq events of
# ROLE in $WORK/NAME.norm (trace order); gaps counts events whose n is not
# the previous one plus 1.
seq_check() {
	awk -F'\t' -v r="$2" "$ST_AWK_FLD"'
		$4 == "prefault:seq" && fld($5, "role") == r {
			n = fld($5, "n") + 0
			if (c && n != last + 1) g++
			if (!c) first = n
			last = n; c++
		}
		END { printf "%d %d %d %d\n", c, first, c ? last : -1, g }' "$WORK/$1.norm"
}

# trace NAME: babeltrace2 reads $WORK/NAME cleanly; $WORK/NAME.norm.
trace() {
	st_bt "$WORK/$1"
	tap_is "$BT_RC/$BT_OTHER_ERR" 0/0 "$1: babeltrace2 reads the trace" ||
		tap_diag_file "$WORK/$1.bterr" 10
	st_norm "$WORK/$1.bt" >"$WORK/$1.norm"
}

out() { awk -v k="$2" '$1 == k { print $2 }' "$WORK/$1.out"; }

for pf in 1 0; do
	name=emit$pf
	SONDE_PREFAULT=$pf st_record $name "${BIG[@]}" -- "$PROG" emit $N
	tap_is "$REC_RC" 0 "$name: sonde record exits 0" || tap_diag_file "$WORK/$name.err"
	tap_is "$REC_EVENTS/$REC_LOST" "$N/0" "$name: $N events recorded, 0 lost"
	tap_is "$(out $name at-start)" "$pf" \
		"$name: a prefault thread is running when the events start ($pf)"
	trace $name
	tap_is "$(seq_check $name 0)" "$N 0 $((N - 1)) 0" \
		"$name: every event by value: n = 0 .. $((N - 1)), in order"
done

t0=$(lt_now)
SONDE_LOG_LEVEL=info st_record exit "${BIG[@]}" -- "$PROG" exit
t1=$(lt_now)
tap_is "$REC_RC" 0 "exit: the program and sonde record exit 0" || tap_diag_file "$WORK/exit.err"
tap_is "$(out exit at-exit)" 1 "exit: main() returns while the walk runs"
tap_is "$(grep -c 'Buffers prefaulted' "$WORK/exit.err")" 0 \
	"exit: the walk is cut short, not waited for"
tap_diag "exit: sonde record took $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s"
tap_is "$REC_EVENTS/$REC_LOST" "1000/0" "exit: 1000 events recorded, 0 lost"
trace exit
tap_is "$(seq_check exit 0)" "1000 0 999 0" "exit: every event by value"

st_record fork "${BIG[@]}" -- "$PROG" fork 100000
tap_is "$REC_RC" 0 "fork: parent and child exit 0" || tap_diag_file "$WORK/fork.err"
tap_is "$(out fork child-at-start)" 1 "fork: the child has a walk of its own"
trace fork
tap_is "$(seq_check fork 0)" "100000 0 99999 0" "fork: the parent's events by value"
tap_is "$(seq_check fork 1)" "100000 0 99999 0" "fork: the child's events by value"

# Under a session daemon: ATTACH starts a walk, DETACH (stop) replaces
# the mapping, whether the walk is done or not.
walking() {
	grep -qx sonde-prefault /proc/"$1"/task/*/comm 2>/dev/null
}
lt_daemon_or_bail
tap_cmd "daemon: an app starts" -- lt_app d SONDE_LOG_LEVEL=info -- loop "$WORK/d"
pid=$APP_PID
tap_cmd "daemon: it is listed" -- lt_wait_listed "$pid"
bad=0 seen=0
for k in 1 2 3 4 5; do
	for verb in "create c$k -o $WORK/c$k ${BIG[*]}" "enable -s c$k live:*" \
		"start -s c$k" WALK "stop -s c$k" "destroy -s c$k"; do
		if [ "$verb" = WALK ]; then
			walking "$pid" && seen=$((seen + 1))
			continue
		fi
		# shellcheck disable=SC2086
		sonde_run $verb
		[ "$RC" -eq 0 ] || { bad=$((bad + 1)); tap_diag "sonde $verb: $ERR"; }
	done
	lt_alive "$pid" || break
done
tap_is "$bad" 0 "daemon: 5 start/stop cycles with 64 MiB buffers, every verb exits 0"
tap_ok "$(lt_alive "$pid" && echo 1)" "daemon: the app survives them"
tap_diag "daemon: a walk was running at stop in $seen of 5 cycles;" \
	"cut short: $(grep -c 'stopped=1' "$WORK/d.err")"
# A walk that went on past its stop would fault in the private memory
# that replaced the buffers: RssAnon would grow by up to 128 MiB a cycle.
for ((i = 0; i < 100; i++)); do
	walking "$pid" || break
	sleep 0.1
done
rss=$(awk '$1 == "RssAnon:" { print $2 }' /proc/"$pid"/status)
tap_ok "$([ "${rss:-999999}" -lt 32768 ] && echo 1)" \
	"daemon: no walk goes on after its stop (RssAnon ${rss:-?} kB < 32 MiB)"
lt_sonde "daemon: a last session" create last -o "$WORK/last" "${BIG[@]}"
lt_sonde "daemon: enable it" enable -s last 'live:a'
lt_sonde "daemon: start it" start -s last
P=$(lt_progress d)
tap_cmd "daemon: the app goes on (100 iterations)" -- lt_wait_progress d "$((P + 100))" 30
lt_sonde "daemon: stop it" stop -s last
lt_sonde "daemon: destroy it" destroy -s last
lt_app_stop d
tap_is "$APP_RC" 0 "daemon: the app exits 0"
lt_bt "$WORK/last" last
tap_is "$BT_RC/$BT_OTHER_ERR" 0/0 "daemon: babeltrace2 reads the last trace"
read -r cnt first last gaps < <(lt_range last live:a 0 1000000000 "$pid")
tap_ok "$([ "${cnt:-0}" -ge 100 ] && [ "$gaps" = 0 ] && echo 1)" \
	"daemon: the app's live:a events are there, in order ($cnt, $first..$last, gaps $gaps)"
tap_done
