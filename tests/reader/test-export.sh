#!/bin/bash
# SPDX-License-Identifier: MIT
# test-export: `sonde export --format chrome` writes valid Trace Event
# Format JSON with the expected ph/ts/pid/tid/args.
# Usage: test-export.sh SONDE BABELTRACE2 READER_PROG JSON_CHECK
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/../integration/lib.sh"
SONDE=$1 PROG=$3 JCHECK=$4
st_setup

st_record sp -- "$PROG" spans 2 3 1
tap_is "$REC_RC/$REC_EVENTS" "0/24" "spans recorded"
pid=$(sed -nE 's/^# pid ([0-9]+)$/\1/p' "$WORK/sp.out")
"$SONDE" export --format chrome -o "$WORK/sp.json" "$REC_DIR" 2>"$WORK/sp.err"
tap_is "$?/$(wc -c <"$WORK/sp.err")" "0/0" "export exits 0, nothing on stderr"
tap_cmd "output is valid JSON (json-check)" -- "$JCHECK" "$WORK/sp.json"
if command -v python3 >/dev/null && python3 -c 'import json' 2>/dev/null; then
	tap_cmd "output is valid JSON (python3 json)" -- python3 -m json.tool "$WORK/sp.json" /dev/null
fi
j=$WORK/sp.json
tap_like "$(head -c 60 "$j")" '^\{"displayTimeUnit":"ns","traceEvents":\[' "object with displayTimeUnit and traceEvents"
tap_is "$(grep -c '"name":"rd:span","cat":"rd","ph":"B"' "$j")/$(grep -c '"name":"rd:span","cat":"rd","ph":"E"' "$j")" "6/6" \
	"rd:span_begin/end -> 6 B + 6 E named rd:span"
tap_is "$(grep -c '"name":"rd:op","cat":"rd","ph":"B"' "$j")/$(grep -c '"name":"rd:op","cat":"rd","ph":"E"' "$j")" "6/6" \
	"rd:op_entry/exit -> 6 B + 6 E named rd:op"
tap_is "$(grep '"ph":"[BEi]"' "$j" | grep -c "\"pid\":$pid,\"tid\":[0-9]*,\"args\":")" 24 "every event has the program's pid"
tap_is "$(grep -c '"ph":"E","ts":[0-9]*\.[0-9][0-9][0-9],"pid":[0-9]*,"tid":[0-9]*,"args":{"ret":-\?[0-9]*}}' "$j")" 6 \
	"rd:op_exit args carry ret; ts in us with 3 decimals"
tap_is "$(grep -o '"ts":0.000,' "$j" | wc -l)" 1 "the first event is at ts 0.000"
tap_is "$(grep -c "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":$pid,\"tid\":$pid,\"args\":{\"name\":\"reader-prog\"}}" "$j")" 1 \
	"process_name metadata from the env procname"
tap_is "$(grep -c '"name":"thread_name","ph":"M",.*"args":{"name":"tid [0-9]*"}}' "$j")" 2 "thread_name for the 2 threads"
# ts nondecreasing
tap_is "$(grep -o '"ts":[0-9.]*' "$j" | cut -d: -f2 | awk 'NR > 1 && $1 < prev { bad++ } { prev = $1 } END { print bad + 0 }')" 0 \
	"timestamps in order"

# every field type, strings with escapes and invalid UTF-8
st_record fields -- "$PROG" fields
"$SONDE" export --format chrome "$REC_DIR" >"$WORK/f.json"
tap_is "$?" 0 "export to stdout"
tap_cmd "every field type: valid JSON" -- "$JCHECK" "$WORK/f.json"
tap_is "$(grep -c '"name":"rd:str","cat":"rd","ph":"i","s":"t"' "$WORK/f.json")" 7 "other events are thread instants"
tap_like "$(grep '"rd:seq"' "$WORK/f.json" | head -n 1)" '"args":\{"before":-5,"_v_length":5,"v":\[-1,0,1,2147483647,-2147483648\],"_w_length":3,"w":\[0,128,255\],"tail":"end"\}' \
	"sequences as arrays"
tap_like "$(grep '"rd:hex"' "$WORK/f.json" | head -n 1)" '"x8":"0xAB"' "hex integers as strings"

"$SONDE" export --format xml "$REC_DIR" >/dev/null 2>"$WORK/fmt.err"
tap_is "$?" 1 "unknown format is an error"
tap_done
