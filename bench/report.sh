#!/bin/sh
# SPDX-License-Identifier: MIT
#
# report.sh [OUT.json] < results
#
# Summarises benchmark lines `CASE VALUE [UNIT]` (one line per repetition;
# UNIT defaults to ns/event) into a Markdown table on stdout, one row per
# case in first-seen order: case, median, min, max, unit, n. Lines that are
# blank, start with '#', or have a non-numeric VALUE (e.g. "lttng: skipped:
# ...") are ignored. With OUT.json, also writes
#   {"cases": [{"case","median","min","max","unit","n"}, ...],
#    "ratios": {...}}
# Ratios (from medians) are computed when the cases exist:
#   sonde/floor      = enabled-3int / floor
#   lttng/sonde      = lttng-enabled-3int (or lttng-enabled3) / enabled-3int
#   disabled-empty   = disabled - empty, a difference in ns, not a ratio
#   2threads/1thread = the median of the per-repetition case of that name
#                      if present, else enabled-2threads / enabled-1thread-rate
#   stat-overhead sonde/perf = stat-overhead-sonde-pct / stat-overhead-perf-pct,
#                      when both overheads are above 0
#   kernel slowdown sonde/perf = kernel-sonde-slowdown / kernel-perf-slowdown
#                      (the traced program's elapsed time over its bare one),
#   kernel CPU slowdown sonde/perf = the same with the -cpu-slowdown cases,
#   kernel events/s sonde/perf = kernel-sonde-rate / kernel-perf-rate
# POSIX awk only (works with mawk and gawk).
exec awk -v json="${1:-}" '
function num(v) {                       # compact, JSON-safe number
	if (v == int(v) && v < 1e15 && v > -1e15) return sprintf("%d", v)
	return sprintf(v >= 100 || v <= -100 ? "%.1f" : "%.3f", v)
}
function jstr(s,    i, ch, o) {       # JSON string; fields hold no control chars
	for (i = 1; i <= length(s); i++) {
		ch = substr(s, i, 1)
		o = o ((ch == "\\" || ch == "\"") ? "\\" : "") ch
	}
	return "\"" o "\""
}
function median(c,    m, i, j, t, a) {  # insertion sort of the samples of c
	m = n[c]
	for (i = 1; i <= m; i++) a[i] = v[c, i]
	for (i = 2; i <= m; i++) {
		t = a[i]
		for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]
		a[j + 1] = t
	}
	lo[c] = a[1]; hi[c] = a[m]
	return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
}
NF >= 2 && $1 !~ /^#/ && $2 ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ {
	c = $1
	if (!(c in n)) { order[++ncase] = c; n[c] = 0; unit[c] = "ns/event" }
	v[c, ++n[c]] = $2 + 0
	if (NF >= 3 && n[c] == 1) unit[c] = $3
}
END {
	print "| case | median | min | max | unit | n |"
	print "|------|-------:|----:|----:|------|--:|"
	for (k = 1; k <= ncase; k++) {
		c = order[k]; med[c] = median(c)
		printf "| %s | %s | %s | %s | %s | %d |\n", c, num(med[c]), num(lo[c]), num(hi[c]), unit[c], n[c]
	}
	# Ratios of medians, only when both sides exist and are non-zero.
	lt = ("lttng-enabled-3int" in med) ? "lttng-enabled-3int" : "lttng-enabled3"
	if (("enabled-3int" in med) && ("floor" in med) && med["floor"] != 0) {
		rat[++nr] = "sonde/floor"; rv["sonde/floor"] = med["enabled-3int"] / med["floor"]
	}
	if ((lt in med) && ("enabled-3int" in med) && med["enabled-3int"] != 0) {
		rat[++nr] = "lttng/sonde"; rv["lttng/sonde"] = med[lt] / med["enabled-3int"]
	}
	if (("disabled" in med) && ("empty" in med)) {
		rat[++nr] = "disabled-empty"; rv["disabled-empty"] = med["disabled"] - med["empty"]
		ru["disabled-empty"] = " ns"
	}
	if ("2threads/1thread" in med) {
		rat[++nr] = "2threads/1thread"; rv["2threads/1thread"] = med["2threads/1thread"]
	} else if (("enabled-2threads" in med) && ("enabled-1thread-rate" in med) && med["enabled-1thread-rate"] != 0) {
		rat[++nr] = "2threads/1thread"
		rv["2threads/1thread"] = med["enabled-2threads"] / med["enabled-1thread-rate"]
	}
	# The overheads of sonde stat and perf stat over the bare workload.
	# Both above 0: an overhead lost in the noise makes no ratio.
	if (("stat-overhead-sonde-pct" in med) && ("stat-overhead-perf-pct" in med) &&
	    med["stat-overhead-sonde-pct"] > 0 && med["stat-overhead-perf-pct"] > 0) {
		rat[++nr] = "stat-overhead sonde/perf"
		rv["stat-overhead sonde/perf"] = med["stat-overhead-sonde-pct"] / med["stat-overhead-perf-pct"]
		ru["stat-overhead sonde/perf"] = sprintf(" (overheads: %.2f%% vs %.2f%%)", med["stat-overhead-sonde-pct"], med["stat-overhead-perf-pct"])
	}
	# Kernel tracepoints: sonde record -k against perf record -e.
	if (("kernel-sonde-slowdown" in med) && ("kernel-perf-slowdown" in med) && med["kernel-perf-slowdown"] != 0) {
		k = "kernel slowdown sonde/perf"; rat[++nr] = k
		rv[k] = med["kernel-sonde-slowdown"] / med["kernel-perf-slowdown"]
		ru[k] = sprintf(" (elapsed: %.3f x vs %.3f x the bare program)", med["kernel-sonde-slowdown"], med["kernel-perf-slowdown"])
	}
	if (("kernel-sonde-cpu-slowdown" in med) && ("kernel-perf-cpu-slowdown" in med) && med["kernel-perf-cpu-slowdown"] != 0) {
		k = "kernel CPU slowdown sonde/perf"; rat[++nr] = k
		rv[k] = med["kernel-sonde-cpu-slowdown"] / med["kernel-perf-cpu-slowdown"]
		ru[k] = sprintf(" (the program'"'"'s CPU time: %.3f x vs %.3f x)", med["kernel-sonde-cpu-slowdown"], med["kernel-perf-cpu-slowdown"])
	}
	if (("kernel-sonde-rate" in med) && ("kernel-perf-rate" in med) && med["kernel-perf-rate"] != 0) {
		k = "kernel events/s sonde/perf"; rat[++nr] = k
		rv[k] = med["kernel-sonde-rate"] / med["kernel-perf-rate"]
		ru[k] = sprintf(" (%.0f vs %.0f events/s recorded)", med["kernel-sonde-rate"], med["kernel-perf-rate"])
	}
	if (nr) {
		print ""; print "Ratios (from medians):"; print ""
		for (k = 1; k <= nr; k++)
			printf (ru[rat[k]] != "" ? "- %s = %.3f%s\n" : "- %s = %.2f%s\n"), rat[k], rv[rat[k]], ru[rat[k]]
	}
	if (json == "") exit 0
	printf "{\"cases\": [" > json
	for (k = 1; k <= ncase; k++) {
		c = order[k]
		printf "%s\n  {\"case\": %s, \"median\": %s, \"min\": %s, \"max\": %s, \"unit\": %s, \"n\": %d}", \
			(k > 1 ? "," : ""), jstr(c), num(med[c]), num(lo[c]), num(hi[c]), jstr(unit[c]), n[c] > json
	}
	printf "\n], \"ratios\": {" > json
	for (k = 1; k <= nr; k++)
		printf "%s%s: %.4f", (k > 1 ? ", " : ""), jstr(rat[k]), rv[rat[k]] > json
	print "}}" > json
	close(json)
}'
