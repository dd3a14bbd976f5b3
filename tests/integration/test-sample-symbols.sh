#!/bin/bash
# SPDX-License-Identifier: MIT
# test-sample-symbols: what `sonde record --sample` records to name the
# samples, and what `sonde stats` makes of it.  PROG
# (test-sample-symbols.c) burns CPU in burn_a() and burn_b(), 3:1 in
# thread CPU time, with a symw:a_begin/a_end pair around each burn_a().
#
# Checks: event names of sonde stat's parser (sysfs software/config=0/,
# a tracepoint where tracefs is mounted); perf:mmap events name PROG;
# `sonde stats` gives burn_a and burn_b samples 3:1 (burn_a 75 % of the
# two, within SHARE_SLACK points), and the same top symbol as
# `perf report` where perf is installed; -g: the call chain of a sample in
# burn_a starts at its ip and goes on into main (PROG has frame pointers);
# --counter-period 10: about run time / 10 ms perf:counter events per
# counter of the main thread, non-decreasing; sonde stats gives the
# a_begin/a_end pairs a task-clock delta of about 3 ms.
# Skipped (77) where perf_event_open is not permitted.
# Usage: test-sample-symbols.sh SONDE BABELTRACE2 PROG
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$1 BT=$2 PROG=$3
st_need_bt
st_setup
PERIOD=250000 MS=400 SHARE_SLACK=12
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

# --- a sysfs name: software/config=0/ is cpu-clock ---
st_record sys --sample software/config=0/@$PERIOD -- "$PROG" 50
if grep -q 'not permitted' "$WORK/sys.err"; then
	tap_skip_all "$(head -n 1 "$WORK/sys.err")"
fi
tap_is "$REC_RC" 0 "--sample software/config=0/@$PERIOD (sysfs syntax) records" ||
	tap_diag_file "$WORK/sys.err"
n=$(timeout -k 10 "$ST_TIMEOUT" "$SONDE" view "$REC_DIR" | grep -c 'perf:sample: .*event = "software/config=0/"')
tap_ok "$([ "$n" -gt 0 ] && echo 1)" "  $n samples named by the sysfs event"

# --- a tracepoint name, where tracefs is there ---
if [ -d /sys/kernel/tracing/events/raw_syscalls ]; then
	st_record tp --sample raw_syscalls:sys_enter@1 -- "$PROG" 50
	tap_is "$REC_RC" 0 "--sample raw_syscalls:sys_enter@1 (tracepoint) records" ||
		tap_diag_file "$WORK/tp.err"
	n=$(timeout -k 10 "$ST_TIMEOUT" "$SONDE" view "$REC_DIR" | grep -c 'perf:sample: .*event = "raw_syscalls:sys_enter"')
	tap_ok "$([ "$n" -gt 0 ] && echo 1)" "  $n samples of the tracepoint"
else
	st_record tp --sample raw_syscalls:sys_enter@1 -- "$PROG" 50
	tap_ok "$([ "$REC_RC" != 0 ] && grep -q 'tracefs is not mounted' "$WORK/tp.err" && echo 1)" \
		"--sample raw_syscalls:sys_enter@1 without tracefs: the error says so"
	tap_ok 1 "# SKIP tracefs is not mounted: no tracepoint samples to check"
fi

# --- symbols: 3:1, against perf report ---
st_record s -g --sample cpu-clock@$PERIOD -- "$PROG" $MS
tap_is "$REC_RC" 0 "--sample cpu-clock@$PERIOD -g records $MS ms of CPU" ||
	tap_diag_file "$WORK/s.err"
timeout -k 10 "$ST_TIMEOUT" "$SONDE" view "$REC_DIR" >"$WORK/s.view" 2>&1
prog_base=$(basename "$PROG")
tap_ok "$(grep -q "perf:mmap: .*filename = \".*/$prog_base\"" "$WORK/s.view" && echo 1)" \
	"perf:mmap events name the workload's file"
st_bt "$REC_DIR"
tap_is "$BT_RC/$BT_OTHER_ERR" "0/0" "babeltrace2 reads samples with call chains, mmaps" ||
	tap_diag_file "$REC_DIR.bterr" 10
timeout -k 10 "$ST_TIMEOUT" "$SONDE" stats "$REC_DIR" >"$WORK/s.stats" 2>&1
tap_is "$?" 0 "sonde stats reads it" || tap_diag_file "$WORK/s.stats"
pa=$(awk '$NF == "burn_a" { sub(/%/, "", $1); print $1 }' "$WORK/s.stats")
pb=$(awk '$NF == "burn_b" { sub(/%/, "", $1); print $1 }' "$WORK/s.stats")
# burn_a against burn_b (3:1 by thread CPU time): their ratio, not their
# share of all samples, which the rest of the process dilutes (vDSO
# clock reads, start-up; under ASan burn_a had 54 % of all samples).
tap_ok "$(awk -v a="${pa:-0}" -v b="${pb:-0}" -v s=$SHARE_SLACK 'BEGIN {
	if (a + b > 0 && (r = 100 * a / (a + b)) >= 75 - s && r <= 75 + s) print 1 }')" \
	"burn_a:burn_b is 3:1: ${pa:-no} % and ${pb:-no} % of the samples (75 +- $SHARE_SLACK % of the two)" ||
	tap_diag_file "$WORK/s.stats" 30
tap_ok "$(awk -v a="${pa:-0}" -v b="${pb:-0}" 'BEGIN { if (a + b >= 30) print 1 }')" \
	"burn_a and burn_b hold most of the samples ($(awk -v a="${pa:-0}" -v b="${pb:-0}" 'BEGIN { print a + b }') %)"
top=$(awk '/^Overhead/ { getline; print $NF; exit }' "$WORK/s.stats")
tap_is "$top" burn_a "top symbol of sonde stats"
if command -v perf >/dev/null 2>&1; then
	timeout -k 10 "$ST_TIMEOUT" perf record -q -e cpu-clock -c $PERIOD \
		-o "$WORK/perf.data" -- "$PROG" $MS >/dev/null 2>&1
	ptop=$(perf report -i "$WORK/perf.data" --stdio --sort sym 2>/dev/null |
		awk '/^ *[0-9.]+%/ { print $NF; exit }')
	tap_is "$top" "$ptop" "perf report's top symbol is sonde's ($ptop)"
else
	tap_ok 1 "# SKIP perf is not installed"
fi

# --- -g: call chains start at the sampled ip, in burn_a, then main ---
read -r start pgoff < <(awk -v b="/$prog_base\"" '/perf:mmap:/ && index($0, b) {
	for (i = 1; i <= NF; i++) { if ($i == "start") s = $(i + 2); if ($i == "pgoff") o = $(i + 2) }
	gsub(/,/, "", s); gsub(/,/, "", o); print s, o; exit }' "$WORK/s.view")
# burn_a's and main's file offsets (PIE: the text's vaddr is its offset)
read -r a_lo a_len < <(nm -S "$PROG" | awk '$4 == "burn_a" { print $1, $2 }')
read -r m_lo m_len < <(nm -S "$PROG" | awk '$4 == "main" { print $1, $2 }')
read -r ina good tomain < <(awk -v st="$start" -v po="$pgoff" -v alo="$a_lo" -v alen="$a_len" \
	-v mlo="$m_lo" -v mlen="$m_len" '
	function hex(s,  v, k) { s = tolower(s); sub(/^0x/, "", s); v = 0
		for (k = 1; k <= length(s); k++) v = v * 16 + index("0123456789abcdef", substr(s, k, 1)) - 1
		return v }
	function in_(ip, lo, len) { o = hex(ip) - hex(st) + hex(po); return o >= hex("0x" lo) && o < hex("0x" lo) + hex("0x" len) }
	/perf:sample:/ {
		ip = ""; c0 = ""; c1 = ""
		for (i = 1; i <= NF; i++) {
			if ($i == "ip") ip = $(i + 2)
			if ($i == "[0]") c0 = $(i + 2)
			if ($i == "[1]") c1 = $(i + 2)
		}
		gsub(/,/, "", ip); gsub(/,/, "", c0); gsub(/,/, "", c1)
		if (!in_(ip, alo, alen)) next
		n++
		if (c0 == ip) g++
		if (c1 != "" && in_(c1, mlo, mlen)) m++
	}
	END { print n + 0, g + 0, m + 0 }' "$WORK/s.view")
tap_ok "$([ "${ina:-0}" -gt 0 ] && [ "$good" = "$ina" ] && echo 1)" \
	"-g: the call chain of each of the $ina samples in burn_a starts at its ip ($good)"
tap_ok "$([ "${ina:-0}" -gt 0 ] && [ $((tomain * 10)) -ge $((ina * 9)) ] && echo 1)" \
	"  and goes on into main ($tomain of $ina)"

# --- counters every 10 ms ---
st_record c --counter task-clock,page-faults --counter-period 10 -- "$PROG" 300
tap_is "$REC_RC" 0 "--counter task-clock,page-faults --counter-period 10 records" ||
	tap_diag_file "$WORK/c.err"
timeout -k 10 "$ST_TIMEOUT" "$SONDE" view "$REC_DIR" >"$WORK/c.view" 2>&1
pid=$(awk '/symw:a_begin:/ { for (i = 1; i <= NF; i++) if ($i == "pid") { print $(i + 1); exit } }' "$WORK/c.view")
# readings of the main thread while the workload ran (first a_begin to
# last a_end), against that time / 10 ms
read -r n span < <(awk -v p="$pid" '
	{ split($1, a, ":"); gsub(/\]/, "", a[3]); t = a[1] * 3600 + a[2] * 60 + a[3] }
	/symw:a_begin:/ && first == "" { first = t }
	/symw:a_end:/ { last = t }
	/perf:counter: .*name = "task-clock"/ && index($0, "tid = " p ",") { r[++nr] = t }
	END { for (i = 1; i <= nr; i++) if (r[i] >= first && r[i] <= last) n++
	      print n + 0, int((last - first) * 1000) }' "$WORK/c.view")
want=$((span / 10))
tap_ok "$([ "$n" -ge $((want / 2)) ] && [ "$n" -le $((want * 12 / 10 + 2)) ] && echo 1)" \
	"$n task-clock readings of the main thread in the workload's $span ms (about $want)"
tap_is "$(awk '/perf:counter:/ { t = ""; nm = ""; v = ""
	for (i = 1; i <= NF; i++) { if ($i == "tid" && $(i + 1) == "=") t = $(i + 2)
		if ($i == "name") nm = $(i + 2); if ($i == "value") v = $(i + 2) }
	gsub(/,/, "", t); gsub(/,/, "", v); k = t nm
	if (k in last && v + 0 < last[k]) bad++; last[k] = v + 0 }
	END { print bad + 0 }' "$WORK/c.view")" 0 "counter values never decrease per thread"
timeout -k 10 "$ST_TIMEOUT" "$SONDE" stats "$REC_DIR" >"$WORK/c.stats" 2>&1
d=$(awk '$1 == "symw:a" && $2 == "task-clock" { print int($4) }' "$WORK/c.stats")
tap_ok "$([ -n "$d" ] && [ "$d" -ge 1500000 ] && [ "$d" -le 4500000 ] && echo 1)" \
	"sonde stats: task-clock delta over a_begin/a_end is ${d:-missing} ns (3 ms of CPU)" ||
	tap_diag_file "$WORK/c.stats" 30
st_cleanup
tap_done
