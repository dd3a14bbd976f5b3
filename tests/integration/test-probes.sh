#!/bin/bash
# SPDX-License-Identifier: MIT
# test-probes: run the probe checks alone and under sonde record.
# usage: test-probes.sh SONDE PROG
here=$(dirname "$0")
. "$here/../tap.sh"
SONDE=$1 PROG=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
timeout -k 10 120 "$PROG" > "$dir/alone" 2>&1
tap_is "$?" 0 "probe checks pass without a session" || tap_diag_file "$dir/alone" 40
timeout -k 10 120 "$SONDE" record -o "$dir/t" -- "$PROG" recording > "$dir/rec" 2>&1
tap_is "$?" 0 "probe checks pass under sonde record" || tap_diag_file "$dir/rec" 40
tap_like "$(cat "$dir/rec")" "sonde: [1-9][0-9]* events recorded" \
	"the session recorded the tracepoint while probes came and went"
tap_done
