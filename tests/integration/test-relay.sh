#!/bin/bash
# SPDX-License-Identifier: MIT
# test-relay: `sonde record --relay` streams a trace to a real lttng-relayd
# started here on loopback (skipped when lttng-relayd is not installed).
#  1. --relay and -o: the relay's copy is byte for byte the local one
#     (every stream file and the metadata, which sonde writes append-only
#     when a relay is an output, so both hold the same text), the relay
#     wrote an index per stream, and babeltrace2 and sonde view read the
#     relay's copy as they read the local one;
#  2. --relay alone: no local directory is made, the relay's copy holds
#     every event recorded;
#  3. an unreachable relay: exit 1 with one line naming the port and the
#     reason, nothing recorded; with --relay-optional -o DIR the recording
#     goes to DIR, says so, and is complete;
#  4. bad relay addresses are refused before anything runs.
# Usage: test-relay.sh SONDE BABELTRACE2 PROG
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
. "$here/relay-lib.sh"
relay_init relay-test "$@"

relay_start "$WORK/relay" || tap_bail "cannot start lttng-relayd"

# 1. Local and relay copies.
st_record both --relay "$RELAY_URL" --relay-hostname "$HOST" \
	--relay-session both -- "$PROG"
tap_is "$REC_RC" 0 "record --relay URL -o DIR exits 0"
tap_like "$(cat "$WORK/both.err")" \
	"relay net://.*: [1-9][0-9]* packets .* sent as $HOST/both-[0-9]{8}-[0-9]{6}, 0 packets .* not sent" \
	"the relay's summary: packets sent, none lost"
rdir=$(relay_session_dir "$WORK/relay" "$HOST" both)
tap_ok "$([ -d "$rdir" ] && echo 1)" "the relay made $HOST/both-DATE"
same=1 n=0
for f in "$REC_DIR"/*; do
	b=$(basename "$f")
	n=$((n + 1))
	cmp -s "$f" "$rdir/$b" || { same=0; tap_diag "differs: $b"; }
	case $b in
	metadata) ;;
	*) [ -s "$rdir/index/$b.idx" ] || { same=0; tap_diag "no index: $b"; } ;;
	esac
done
tap_ok "$((same && n >= 2))" "every file of the local trace ($n) is byte-identical in the relay's copy, each stream indexed"
tap_is "$(ls "$rdir" | grep -v '^index$' | sort | tr '\n' ' ')" \
	"$(ls "$REC_DIR" | sort | tr '\n' ' ')" "the relay's copy holds the same files"
timeout 60 "$BT" "$REC_DIR" >"$WORK/local.txt" 2>&1
timeout 60 "$BT" "$rdir" >"$WORK/relay.txt" 2>"$WORK/relay-bt.err"
tap_ok "$([ $? = 0 ] && [ -s "$WORK/relay.txt" ] && cmp -s "$WORK/local.txt" "$WORK/relay.txt" && echo 1)" \
	"babeltrace2 reads the relay's copy as the local one"
tap_is "$(grep -c '' "$WORK/relay.txt")" "$((REC_EVENTS + 1))" \
	"babeltrace2 sees every event recorded (and the thread record) there"
"$SONDE" view "$rdir" >"$WORK/relay-view.txt" 2>&1
tap_ok "$([ $? = 0 ] && [ "$(grep -c '' "$WORK/relay-view.txt")" -ge "$REC_EVENTS" ] && echo 1)" \
	"sonde view reads the relay's copy"

# 2. The relay alone.
mkdir -p "$WORK/cwd"
(cd "$WORK/cwd" && timeout -k 10 "$ST_TIMEOUT" "$SONDE" record \
	--relay "$RELAY_URL" --relay-hostname "$HOST" --relay-session alone \
	-- "$PROG" >"$WORK/alone.out" 2>"$WORK/alone.err")
rc=$?
st_summary "$WORK/alone.err"
tap_is "$rc" 0 "record --relay URL without -o exits 0"
tap_is "$(ls -A "$WORK/cwd")" "" "no local trace directory is made"
rdir=$(relay_session_dir "$WORK/relay" "$HOST" alone)
n=$(timeout 60 "$BT" "$rdir" 2>/dev/null | grep -vc 'sonde:thread')
tap_is "$n" "$REC_EVENTS" "the relay's copy holds every event ($REC_EVENTS)"

# 3. Unreachable relay: a port nothing listens on.
dead=$((RELAY_CTRL + 3))
while relay_port_open "$dead" || relay_port_open $((dead + 1)); do
	dead=$((dead + 3))
done
st_record dead --relay "net://127.0.0.1:$dead" -- "$PROG"
tap_is "$REC_RC" 1 "an unreachable relay: exit 1"
tap_like "$(cat "$WORK/dead.err")" \
	"^sonde: cannot connect to the relay's control port 127\.0\.0\.1:$dead: Connection refused$" \
	"one line says which port and why"
tap_ok "$([ ! -e "$WORK/dead/metadata" ] && echo 1)" "nothing is recorded"
st_record optional --relay "net://127.0.0.1:$dead" --relay-optional \
	--relay-retries 1 -- "$PROG"
tap_is "$REC_RC" 0 "--relay-optional -o DIR: exit 0"
tap_like "$(cat "$WORK/optional.err")" \
	"Connection refused; recording to .*/optional only, and trying the relay again every second" \
	"it says the trace goes to DIR only"
n=$(timeout 60 "$BT" "$REC_DIR" 2>/dev/null | grep -vc 'sonde:thread')
tap_is "$n" "$REC_EVENTS" "DIR holds every event"

# 4. Bad addresses and option mistakes.
for bad in "http://x" "net://" "net://h:0" "net://h:70000" "net://h:1:x"; do
	"$SONDE" record --relay "$bad" -- true >/dev/null 2>"$WORK/bad.err"
	rc=$?
	tap_ok "$([ $rc = 1 ] && grep -q "bad relay address" "$WORK/bad.err" && echo 1)" \
		"--relay '$bad' is refused"
done
"$SONDE" record --relay "$RELAY_URL" --relay-optional -- true >/dev/null 2>"$WORK/opt.err"
tap_ok "$([ $? = 1 ] && grep -q "needs -o DIR" "$WORK/opt.err" && echo 1)" \
	"--relay-optional without -o is refused"
tap_done
