#!/bin/bash
# SPDX-License-Identifier: MIT
# bench/relay.sh BUILD_DIR: the relay-* section of bench/run.sh (ONLY=relay).
# The same recording (bin/hello, RELAY_HALF x 2 events, buffers large
# enough that nothing is lost to disk) written to a directory, then
# streamed to an lttng-relayd on loopback started here (--relay alone,
# not live) with zero copy (the default) and without
# (SONDE_RELAY_ZEROCOPY=0, case relay-nozc), then both at once (-o and
# --relay); REPS runs of each, interleaved.  Lines: relay-<case> N
# events/s, relay-<case>-MB/s N MB/s, relay-<case>-lost N events
# (recorder's count) and relay-<case>-unsent N packets (not sent to the
# relay); for the cases with a relay, relay-<case>-cpu N ms/MB, the
# recorder's own CPU time (user + system, getrusage(RUSAGE_SELF) at its
# end, the traced program not counted) per MB sent, and relay-<case>-zc
# N %, the share of those MB sent by reference.  On loopback the kernel
# copies on delivery all the same, so expect little difference there.
# Skipped without lttng-relayd.
BUILD_DIR=$1
REPS=${REPS:-5}
RELAY_HALF=${RELAY_HALF:-5000000}
SONDE=$BUILD_DIR/bin/sonde
HELLO=$BUILD_DIR/bin/hello
RELAYD=$(command -v lttng-relayd) || { echo "relay: skipped: lttng-relayd not found (Debian: lttng-tools)"; exit 0; }
[ -x "$HELLO" ] || { echo "relay: skipped: $HELLO not built"; exit 0; }
W=$(mktemp -d "${TMPDIR:-/tmp}/sonde-bench-relay.XXXXXX") || exit 1
RPID=
cleanup() { [ -n "$RPID" ] && kill -TERM "$RPID" 2>/dev/null; wait "$RPID" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for try in 1 2 3 4 5; do
	P=$((20000 + RANDOM % 20000))
	port_open $P || port_open $((P + 1)) || port_open $((P + 2)) && continue
	"$RELAYD" -o "$W/relay" -C tcp://127.0.0.1:$P -D tcp://127.0.0.1:$((P + 1)) \
		-L tcp://127.0.0.1:$((P + 2)) >"$W/relayd.log" 2>&1 &
	RPID=$!
	for i in $(seq 50); do port_open $P && port_open $((P + 1)) && break; sleep 0.1; done
	port_open $P && break
	kill "$RPID" 2>/dev/null; RPID=
done
[ -n "$RPID" ] || { echo "relay: skipped: cannot start lttng-relayd"; exit 0; }
URL=net://127.0.0.1:$P:$((P + 1))
BUF="--subbuf-size 1M --num-subbuf 256"
one() {
	local c=$1 t0 t1 ev lost bytes unsent
	shift
	rm -rf "$W/dir" "$W/relay"/*
	t0=$(date +%s%N)
	SONDE_LOG_LEVEL=info SONDE_RELAY_ZEROCOPY=${ZC:-1} \
		timeout 300 "$SONDE" record $BUF "$@" -- "$HELLO" "$RELAY_HALF" >/dev/null 2>"$W/err" ||
		{ echo "relay: $c failed: $(tail -n 2 "$W/err" | tr '\n' ' ')" >&2; return 1; }
	t1=$(date +%s%N)
	set -- $(grep -E '^sonde: [0-9]+ events recorded' "$W/err" | tail -n 1)
	ev=$2 lost=$5
	bytes=$(du -sb "$W/dir" "$W/relay" 2>/dev/null | awk '{ s += $1 } END { print s }')
	[ "$c" = both ] && bytes=$((bytes / 2))
	unsent=$(sed -nE 's/.*, ([0-9]+) packets .* not sent$/\1/p' "$W/err")
	echo "relay-$c $(awk -v n="$ev" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / ((b - a) / 1e9) }') events/s"
	echo "relay-$c-MB/s $(awk -v n="$bytes" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", n / 1e6 / ((b - a) / 1e9) }') MB/s"
	echo "relay-$c-lost $lost events"
	[ -n "$unsent" ] && echo "relay-$c-unsent $unsent packets"
	# "relay finished. bytes=B ... zc_bytes=Z ... cpu_us=C" (info log).
	sed -nE 's/.*relay finished\. bytes=([0-9]+) .* zc_bytes=([0-9]+) .* cpu_us=([0-9]+).*/\1 \2 \3/p' "$W/err" |
		awk -v c="$c" '$1 > 0 {
			printf "relay-%s-cpu %.3f ms/MB\n", c, $3 / 1e3 / ($1 / 1e6)
			printf "relay-%s-zc %.1f %%\n", c, 100 * $2 / $1 }'
	return 0
}
for r in $(seq "$REPS"); do
	one disk -o "$W/dir"
	one relay --relay "$URL" --live-timer 0
	ZC=0 one nozc --relay "$URL" --live-timer 0
	one both -o "$W/dir" --relay "$URL" --live-timer 0
done
