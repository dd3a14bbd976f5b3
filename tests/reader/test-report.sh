#!/bin/bash
# SPDX-License-Identifier: MIT
# test-report: `sonde report` writes one self-contained HTML file (nothing
# loaded from the network) that headless Chromium renders without script
# errors: data-rendered="ok", the status line with the trace's thread
# count, an empty #errors.  The timeline cap samples and says so.  A corrupt
# trace gives one error line and leaves no file behind.  Without chromium
# the browser checks are skipped (exit 77 at the end when nothing else
# failed); so are they under ASan when SONDE_REPORT_NO_BROWSER is set.
#
# The latency views (issue 17), on 4 M slices of one thread written by
# mk-slices.py (the busy share of each packet known, one slice much longer
# than the others), checked by report-check.py: the report's size stays
# bounded; its JSON holds the longest slice first with its fields, the
# --by name groups and a density strip; in Chromium, the latency table's
# first row is that slice, a click on a column sorts by it, the
# histogram's y-axis labels (up to millions) are drawn whole, and in a
# screenshot the timeline row's pixel columns follow the known busy share
# (not one solid bar).
# Usage: test-report.sh SONDE BABELTRACE2 READER_PROG JSON_CHECK
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/../integration/lib.sh"
SONDE=$1 PROG=$3
st_setup

CHROMIUM=
if [ -z "${SONDE_REPORT_NO_BROWSER:-}" ]; then
	for c in chromium chromium-browser google-chrome; do
		if command -v "$c" >/dev/null 2>&1; then
			CHROMIUM=$(command -v "$c")
			break
		fi
	done
fi

# threads of a trace, as sonde view names them
nthreads() {
	"$SONDE" view "$1" | awk '{ for (i = 1; i < NF; i++) if ($i == "tid") { print $(i - 2) "/" $(i + 1); break } }' |
		sort -u | wc -l
}

# self_contained FILE DESC: nothing to load from elsewhere
self_contained() {
	local f=$1 bad
	bad=$(grep -noiE '<script[^>]*[[:space:]]src[[:space:]]*=|<link[^>]*href|<img[^>]*src|<iframe|url\([[:space:]]*["'\'']?(https?:)?//|@import|(https?:)?//[a-z0-9.-]+\.[a-z]{2,}' "$f" | head -n 5)
	tap_is "$bad" "" "$2: nothing loaded from elsewhere (no script src, link href, url(), http(s)://)"
}

# chrome OUT ERR ARGS...: headless Chromium with a fresh profile and one
# window size, so that a screenshot and a DOM of a page agree on positions
chrome() {
	local out=$1 err=$2 prof
	shift 2
	prof=$(mktemp -d "$WORK/chrome.XXXXXX")
	timeout -k 10 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--disable-dev-shm-usage --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run \
		--hide-scrollbars --window-size=1400,1000 \
		--user-data-dir="$prof" --virtual-time-budget=5000 \
		"$@" >"$out" 2>"$err"
	R_RC=$?
}

# render NAME FILE: headless Chromium's DOM of FILE in $WORK/NAME.dom
render() {
	chrome "$WORK/$1.dom" "$WORK/$1.chromeerr" --dump-dom "file://$2"
}

# check_dom NAME THREADS ITEMS_RE: rendered, status, no errors
check_dom() {
	local dom=$WORK/$1.dom errs
	tap_is "$R_RC" 0 "$1: chromium exits 0"
	tap_like "$(grep -o '<body[^>]*>' "$dom")" 'data-rendered="ok"' "$1: body data-rendered=\"ok\"" ||
		tap_diag_file "$dom" 5
	tap_like "$(grep -o '<div id="status">[^<]*</div>' "$dom")" \
		"<div id=\"status\">rendered: $2 threads, $3 items</div>" "$1: status says $2 threads"
	errs=$(sed -n 's/.*<pre id="errors"[^>]*>\([^<]*\)<\/pre>.*/\1/p' "$dom")
	tap_is "$(grep -c '<pre id="errors"[^>]*></pre>' "$dom")/$errs" "1/" "$1: #errors is empty"
}

# 1. pairs on 3 threads of one process, instants on 2 threads of another
st_record mix -- sh -c "'$PROG' spans 3 3 2; '$PROG' threads 2 200"
tap_is "$REC_RC/$REC_LOST" "0/0" "recorded a trace with pairs and instants"
out=$WORK/out/report.html
mkdir -p "$WORK/out"
timeout -k 10 "$ST_TIMEOUT" "$SONDE" report "$REC_DIR" -o "$out" >"$WORK/mix.rout" 2>"$WORK/mix.rerr"
tap_is "$?/$(cat "$WORK/mix.rout" "$WORK/mix.rerr" | wc -c)" "0/0" "sonde report exits 0, prints nothing"
tap_is "$(ls -A "$WORK/out")" "report.html" "only report.html in the output directory (no temporary file left)"
nt=$(nthreads "$REC_DIR")
tap_is "$nt" 5 "the trace has 5 threads"
self_contained "$out" mix
tap_like "$(cat "$out")" '<script type="application/json" id="data">' "data embedded as JSON"
tap_like "$(grep -c '"name":"rd:span","begin":"rd:span_begin","end":"rd:span_end","count":9,"unmatched":0' "$out")" '^1$' \
	"histogram data of rd:span: 9 slices"
tap_like "$(grep -c '"name":"rd:op","begin":"rd:op_entry","end":"rd:op_exit","count":9,"unmatched":0' "$out")" '^1$' \
	"histogram data of rd:op: 9 slices"
tap_like "$(grep -o '"timeline":{[^[]*' "$out")" '"slices":18,"slices_kept":18,.*"instants":400,"instants_kept":400' \
	"all 18 slices and 400 instants in the timeline"

# 2. the timeline cap: instants sampled, the page says so; rates keep all
st_record bulk -- "$PROG" bulk 5000
"$SONDE" report --max-items 100 -o "$WORK/bulk.html" "$REC_DIR" 2>"$WORK/bulk.rerr"
tap_is "$?" 0 "sonde report --max-items 100 exits 0"
tap_like "$(grep -o '"timeline":{[^[]*' "$WORK/bulk.html")" "\"instants\":$REC_EVENTS,\"instants_kept\":100" \
	"100 of the $REC_EVENTS instants embedded"
tap_like "$(grep -o '"series":\[{"name":"all events","total":[0-9]*' "$WORK/bulk.html")" "\"total\":$REC_EVENTS\$" \
	"the event rate counts all $REC_EVENTS events"
self_contained "$WORK/bulk.html" bulk

# 3. "</script>" in a string of the trace stays inside the JSON
st_record fields -- "$PROG" fields
mkdir -p "$WORK/x</script><script>alert(1)</script>"
cp -r "$REC_DIR" "$WORK/x</script><script>alert(1)</script>/t"
"$SONDE" report -o "$WORK/esc.html" "$WORK/x</script><script>alert(1)</script>/t" 2>"$WORK/esc.rerr"
tap_is "$?/$(grep -c '</script><script>alert' "$WORK/esc.html")" "0/0" "'</' in the trace name is written '<\\/'"

# 4. errors: corrupt trace, unwritable output; nothing left behind
variant=$WORK/corrupt
cp -r "$WORK/mix" "$variant"
chan=$(cd "$variant" && ls -S channel0_* | head -n 1)
printf '\x00\x11\x22\x33' | dd of="$variant/$chan" bs=1 seek=0 conv=notrunc status=none
mkdir -p "$WORK/cout"
timeout -k 5 60 "$SONDE" report -o "$WORK/cout/r.html" "$variant" >/dev/null 2>"$WORK/corrupt.err"
rc=$?
tap_is "$rc/$(wc -l <"$WORK/corrupt.err")" "1/1" "corrupt trace: exit 1, one error line"
tap_like "$(cat "$WORK/corrupt.err")" "^sonde: $chan: offset 0: bad packet magic 0x33221100\$" \
	"the error names the file and offset"
tap_is "$(ls -A "$WORK/cout")" "" "corrupt trace: no report file left"
echo old >"$WORK/cout/keep.html"
timeout -k 5 60 "$SONDE" report -o "$WORK/cout/keep.html" "$variant" >/dev/null 2>/dev/null
tap_is "$?/$(cat "$WORK/cout/keep.html")/$(ls -A "$WORK/cout")" "1/old/keep.html" \
	"corrupt trace: an existing output file is left as it was"
timeout -k 5 60 "$SONDE" report -o "$WORK/no/such/dir/r.html" "$WORK/mix" >/dev/null 2>"$WORK/nodir.err"
tap_is "$?/$(wc -l <"$WORK/nodir.err")" "1/1" "unwritable output: exit 1, one error line"
tap_like "$(cat "$WORK/nodir.err")" "^sonde: $WORK/no/such/dir/r.html: No such file or directory\$" "error names the output"
if [ -w /dev/full ]; then
	timeout -k 5 60 "$SONDE" report -o - "$WORK/mix" >/dev/full 2>"$WORK/full.err"
	tap_is "$?/$(wc -l <"$WORK/full.err")" "1/1" "write error on standard output: exit 1, one error line"
fi

# 6. 4 M slices on one thread: size, time and the data of the latency views
BIG=
if command -v python3 >/dev/null; then
	BIG=$WORK/big
	mkdir "$BIG" && python3 "$here/mk-slices.py" "$BIG" 2000 --expect "$WORK/big.json" ||
		tap_bail "mk-slices.py failed"
	t0=$(date +%s%N)
	timeout -k 10 "$ST_TIMEOUT" "$SONDE" report --by name -o "$WORK/big.html" "$BIG" 2>"$WORK/big.rerr"
	rc=$? t1=$(date +%s%N)
	sz=$(wc -c <"$WORK/big.html")
	tap_is "$rc/$(wc -c <"$WORK/big.rerr")" "0/0" "4 M slices: sonde report --by name exits 0, prints nothing"
	tap_diag "4 M slices: a report of $sz bytes in $(((t1 - t0) / 1000000)) ms"
	# at most 200000 timeline items of ~30 bytes, the density strip, the
	# scatter grid, 1000 latency rows: far below 16 MB whatever the slices
	tap_ok "$((sz < 16000000))" "4 M slices: the page stays bounded ($sz bytes < 16 MB)"
	r=$(python3 "$here/report-check.py" data "$WORK/big.html" "$WORK/big.json")
	tap_is "$r" ok "4 M slices: latency rows (the longest first, with its fields), --by name groups, one density strip"
	for bad in "--by nosuch" "--top 0" "--top 100001"; do
		"$SONDE" report $bad -o "$WORK/bad.html" "$BIG" >/dev/null 2>"$WORK/bad.err"
		tap_is "$?/$(wc -l <"$WORK/bad.err")/$(ls "$WORK/bad.html" 2>/dev/null)" "1/1/" \
			"report $bad: exit 1, one error line, no file: $(head -n 1 "$WORK/bad.err")"
	done
else
	tap_diag "python3 not found: the 4 M-slice checks are skipped"
fi

# 5. headless Chromium renders the pages without script errors
if [ -z "$CHROMIUM" ]; then
	tap_diag "chromium not found (or SONDE_REPORT_NO_BROWSER set): browser checks skipped"
	if [ "$TAP_FAILED" -eq 0 ]; then
		echo "1..$TAP_RUN # SKIP chromium not available"
		exit 77
	fi
	tap_done
fi
render mix "$out"
check_dom mix "$nt" 418
render bulk "$WORK/bulk.html"
check_dom bulk 1 100
tap_like "$(cat "$WORK/bulk.dom")" 'The timeline is reduced to at most 100 items' "bulk: the page says the timeline is sampled"
render esc "$WORK/esc.html"
check_dom esc 1 '[0-9]+'

# 7. 4 M slices in Chromium: what the page draws
[ -n "$BIG" ] || tap_done
render big "$WORK/big.html"
check_dom big 1 200000
r=$(python3 "$here/report-check.py" dom "$WORK/big.dom" "$WORK/big.json")
tap_is "$r" ok "4 M slices: the latency table's first row is the longest slice with its fields; the histogram's y-axis labels (to 4M) drawn whole"
lane=$(sed -n 's/.*<canvas id="tl"[^>]* data-lane0="\([0-9,]*\)".*/\1/p' "$WORK/big.dom")
# the timeline row in a screenshot of the same window size
chrome "$WORK/big.shot.out" "$WORK/big.shot.err" --screenshot="$WORK/big.png" "file://$WORK/big.html"
tap_is "$R_RC" 0 "4 M slices: chromium takes a screenshot"
r=$(python3 "$here/report-check.py" png "$WORK/big.png" "$WORK/big.json" "$lane")
tap_is "${r%%:*}" ok "4 M slices: the timeline row's pixel columns follow the known busy share, not one solid bar${r#ok}"
# a click on a column header sorts by it: a page that frames the report
cat >"$WORK/sort.html" <<'EOF'
<!DOCTYPE html><html><body><pre id="out">pending</pre>
<iframe id="f" src="big.html" style="width:1400px;height:800px"></iframe>
<script>
document.getElementById('f').onload = function () {
	var d = this.contentDocument, res = [];
	function click(name) {
		var th = d.querySelectorAll('#latency th');
		for (var i = 0; i < th.length; i++) if (th[i].textContent.split(' ')[0] === name) th[i].click();
		var td = d.querySelector('#latency tbody tr').children;
		res.push(name + ':' + td[7].textContent + ':' + td[3].dataset.v);
	}
	try { click('client'); click('client'); click('Duration'); } catch (e) { res.push('error ' + e); }
	document.getElementById('out').textContent = res.join(' ');
};
</script></body></html>
EOF
chrome "$WORK/sort.dom" "$WORK/sort.err" --allow-file-access-from-files --dump-dom "file://$WORK/sort.html"
tap_is "$(sed -n 's/.*<pre id="out">\([^<]*\)<.*/\1/p' "$WORK/sort.dom")" \
	"client:19:20000 client:99:20000 Duration:42:11800000" \
	"4 M slices: a click on 'client' sorts the latency table by it, a second reverses it, 'Duration' puts the longest first"
tap_done
