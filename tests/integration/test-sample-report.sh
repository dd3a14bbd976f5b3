#!/bin/bash
# SPDX-License-Identifier: MIT
# test-sample-report: `sonde report` on a trace of `sonde record --sample
# cpu-clock@PERIOD --counter task-clock,page-faults --counter-period 10`.
# PROG (test-sample-symbols.c) burns CPU in burn_a() and burn_b(), 3:1,
# with a symw:a_begin/a_end pair around each burn_a().
#
# Checks: the embedded JSON is valid; its "samples" section has the
# samples `sonde stats` counts and the same symbol rows (burn_a first,
# then burn_b, same percentages); sample density is SAMPLE_BINS (400)
# bins per sampled thread, whatever the number of samples; "counters"
# names task-clock and page-faults, with series of the main thread that
# never decrease and at most 400 points; the pair deltas of symw:a are
# sonde stats' numbers.  Headless Chromium renders the page without
# script errors, with the Samples and Counters sections shown.  (A trace
# without perf data is reader-report's: it must render as before.)
# Skipped (77) where perf_event_open is not permitted; the browser checks
# without chromium or with SONDE_REPORT_NO_BROWSER set.
# Usage: test-sample-report.sh SONDE PROG JSON_CHECK
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$1 PROG=$2 JSON_CHECK=$3
st_setup
PERIOD=250000 MS=300
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

st_record s --sample cpu-clock@$PERIOD --counter task-clock,page-faults \
	--counter-period 10 -- "$PROG" $MS
if grep -q 'not permitted' "$WORK/s.err"; then
	tap_skip_all "$(head -n 1 "$WORK/s.err")"
fi
tap_is "$REC_RC" 0 "--sample cpu-clock@$PERIOD --counter-period 10 records" ||
	tap_diag_file "$WORK/s.err"
out=$WORK/s.html
timeout -k 10 "$ST_TIMEOUT" "$SONDE" report -o "$out" "$REC_DIR" >"$WORK/r.out" 2>&1
tap_is "$?/$(wc -c <"$WORK/r.out")" "0/0" "sonde report exits 0, prints nothing"
sed -n '/<script type="application\/json" id="data">/,/<\/script>/p' "$out" |
	sed '1d;$d' >"$WORK/s.json"
"$JSON_CHECK" "$WORK/s.json"
tap_is "$?" 0 "the embedded data is valid JSON"
timeout -k 10 "$ST_TIMEOUT" "$SONDE" stats --json "$REC_DIR" >"$WORK/s.stats.json" 2>&1
tap_is "$?" 0 "sonde stats --json reads it"

# one JSON object per line, for grep
objs() { tr -d '\n' <"$1" | tr '{' '\n'; }
# the objects of array "symbols" in FILE, one a line
symbols() { tr -d '\n' <"$1" | sed -n 's/.*"symbols":\[\([^]]*\)\].*/\1/p' | tr '{' '\n'; }

# --- samples: the numbers of sonde stats ---
total=$(grep -o '"samples":{"total":[0-9]*' "$WORK/s.json" | grep -o '[0-9]*$')
stotal=$(grep -o '"samples":[0-9]*,"symbols"' "$WORK/s.stats.json" | grep -o '[0-9][0-9]*')
tap_ok "$([ "${total:-0}" -gt 0 ] && [ "$total" = "$stotal" ] && echo 1)" \
	"report: ${total:-no} samples, sonde stats: ${stotal:-none}"
rows=$(symbols "$WORK/s.json" | grep -o '^"name":.*"percent":[0-9.]*' | head -n 5)
srows=$(symbols "$WORK/s.stats.json" | grep -o '^"name":.*"percent":[0-9.]*' | head -n 5)
tap_is "$rows" "$srows" "the top 5 symbol rows (name, object, samples, percent) are sonde stats' rows"
prog_base=$(basename "$PROG")
tap_like "$(printf '%s\n' "$rows" | head -n 2 | cut -d, -f1,2 | tr '\n' ' ')" \
	"^\"name\":\"burn_a\",\"object\":\"$prog_base\" \"name\":\"burn_b\",\"object\":\"$prog_base\" \$" \
	"burn_a then burn_b, in $prog_base"
tap_like "$(grep -o '"bins":[0-9]*,"bin_ns":[0-9]*' "$WORK/s.json")" '^"bins":400,"bin_ns":[1-9]' \
	"sample density: 400 bins over the trace"
# every thread's strip: [thread, total, [400 counts]] whose counts add up
dens=$(tr -d '\n' <"$WORK/s.json" | sed -n 's/.*"threads":\[\(\[[^}]*\]\)\]},.*/\1/p' |
	sed 's/\]\],\[/]]\n[/g' | awk -F'[][,]+' '{ n = 0; s = 0; for (i = 4; i <= NF; i++) if ($i != "") { n++; s += $i }
		if (n != 400 || s != $3) bad++; t += s; k++ } END { print k + 0, bad + 0, t + 0 }')
tap_like "$dens" "^[1-9][0-9]* 0 $total\$" \
	"each sampled thread has 400 density bins that add up to its samples (threads, bad, sum: $dens)"

# --- counters ---
tap_like "$(grep -o '"counters":{"names":\[[^]]*\]' "$WORK/s.json")" \
	'"names":\["task-clock","page-faults"\]$' "counters named task-clock and page-faults"
# the main thread's task-clock: non-decreasing, at most 400 points
pid=$(grep -o '"vpid":[0-9]*' "$WORK/s.json" | grep -o '[0-9]*$')
tc=$(objs "$WORK/s.json" | grep "^\"name\":0,\"pid\":$pid,\"tid\":$pid," | head -n 1)
tap_like "$(printf '%s' "$tc" | awk -F'[][,]+' '{ n = 0; bad = 0; for (i = 2; i <= NF; i++) if ($i ~ /^"points"/) break
	for (i++; i + 1 <= NF && $i != "}"; i += 2) { if ($i == "" || $(i + 1) == "") break; n++; if (n > 1 && $(i + 1) < last) bad++; last = $(i + 1) }
	print n, bad }')" '^([2-9]|[1-9][0-9]|[1-3][0-9][0-9]|400) 0$' \
	"task-clock of the main thread: 2 to 400 points, never decreasing"
d=$(grep -o '"pair":"symw:a","counter":"task-clock","count":[0-9]*,"mean":[0-9.e+]*' "$WORK/s.json")
sd=$(grep -o '"pair":"symw:a","counter":"task-clock","count":[0-9]*,"mean":[0-9.e+]*' "$WORK/s.stats.json")
tap_ok "$([ -n "$d" ] && [ "$d" = "$sd" ] && echo 1)" \
	"pair deltas of symw:a: the report's are sonde stats' (${d:-none})"

# --- headless Chromium ---
CHROMIUM=
if [ -z "${SONDE_REPORT_NO_BROWSER:-}" ]; then
	for c in chromium chromium-browser google-chrome; do
		if command -v "$c" >/dev/null 2>&1; then
			CHROMIUM=$(command -v "$c")
			break
		fi
	done
fi
if [ -z "$CHROMIUM" ]; then
	tap_diag "chromium not found (or SONDE_REPORT_NO_BROWSER set): browser checks skipped"
	tap_done
fi
prof=$(mktemp -d "$WORK/chrome.XXXXXX")
timeout -k 10 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
	--disable-dev-shm-usage --disable-background-networking \
	--disable-component-update --disable-sync --no-first-run \
	--user-data-dir="$prof" --virtual-time-budget=5000 \
	--dump-dom "file://$out" >"$WORK/s.dom" 2>"$WORK/s.chromeerr"
tap_is "$?" 0 "chromium exits 0"
tap_like "$(grep -o '<body[^>]*>' "$WORK/s.dom")" 'data-rendered="ok"' 'body data-rendered="ok"' ||
	tap_diag_file "$WORK/s.dom" 5
tap_is "$(grep -c '<pre id="errors"[^>]*></pre>' "$WORK/s.dom")" 1 "#errors is empty"
tap_like "$(grep -o '<div id="samplesec"[^>]*>' "$WORK/s.dom")" '^<div id="samplesec"( style="")?>$' \
	"the Samples section is shown"
tap_like "$(grep -o '<table class="tab" id="symbols">.*</table>' "$WORK/s.dom" | head -c 2000)" \
	"<td>$prog_base</td><td>burn_a</td>" "its table names burn_a in $prog_base"
tap_like "$(grep -o '<div id="countersec"[^>]*>' "$WORK/s.dom")" '^<div id="countersec"( style="")?>$' \
	"the Counters section is shown"
tap_like "$(grep -o '<div class="t">task-clock[^<]*</div>' "$WORK/s.dom")" 'task-clock' \
	"a chart of task-clock"
tap_like "$(grep -o '<table class="tab" id="deltas">.*</table>' "$WORK/s.dom" | head -c 2000)" \
	'<td>symw:a</td><td>task-clock</td>' "the pair deltas table has symw:a / task-clock"
tap_done
