#!/bin/sh
# SPDX-License-Identifier: MIT
# Print report-html.h (the page template of `sonde report` as two C
# strings) from report.html.in, split at its @@DATA@@ line.  The build runs
# it (build/generated/report-html.h).
set -eu
in=$(dirname "$0")/report.html.in
grep -q '^@@DATA@@$' "$in"
quote() {
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/??/?\\?/g' -e 's/^/\t"/' -e 's/$/\\n"/'
}
cat <<'HDR'
/* SPDX-License-Identifier: MIT */
/*
 * Page template of `sonde report`: the HTML before and after the JSON data.
 * Generated at build time from tools/sonde/report.html.in by
 * tools/sonde/gen-report-html.sh: edit those, not this.
 */
#ifndef SONDE_TOOLS_REPORT_HTML_H
#define SONDE_TOOLS_REPORT_HTML_H

static const char sonde_report_html_head[] =
HDR
sed -n '1,/^@@DATA@@$/p' "$in" | sed '$d' | quote
echo '	"";'
echo
echo 'static const char sonde_report_html_tail[] ='
printf '%s\n' '	"\n"'
sed -n '/^@@DATA@@$/,$p' "$in" | sed '1d' | quote
echo '	"";'
echo
echo '#endif'
