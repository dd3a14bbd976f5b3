#!/bin/bash
# SPDX-License-Identifier: MIT
# test-cli-order: the verbs that read a trace (view, stats, export, report)
# take their options anywhere before "--", as git and perf do, whatever
# POSIXLY_CORRECT says; "--" ends the options; sonde record still stops at
# its command.
#  - every `sonde view|stats|export|report` line of README.md's code blocks
#    is run against a small trace, DIR standing for its directory: once
#    without its optional [...] parts, once with all of them (placeholders
#    filled in from the trace); each must exit 0 and do its work;
#  - explicit cases: `sonde view DIR -e X`, `sonde export --format chrome
#    DIR -o out.json`, `sonde stats DIR --json`, `sonde report DIR -o F`,
#    also with POSIXLY_CORRECT=1;
#  - `sonde view -- -odd` reads a trace named "-odd"; `sonde view DIR -- -e`
#    is a usage error (-e is an operand there).
# Usage: test-cli-order.sh SONDE BABELTRACE2 READER_PROG JSON_CHECK README
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/../integration/lib.sh"
SONDE=$(st_abs "$1") PROG=$(st_abs "$3") JCHECK=$(st_abs "$4") README=$(realpath -- "$5")
st_setup

[ -r "$README" ] || tap_bail "cannot read $README"
st_record tr -- "$PROG" spans 2 2 1
tap_is "$REC_RC/$REC_EVENTS/$REC_LOST" "0/16/0" "a small trace recorded (16 events)"
TR=$REC_DIR
PID=$(sed -nE 's/^# pid ([0-9]+)$/\1/p' "$WORK/tr.out")
TID=$("$SONDE" view "$TR" | awk '{ for (i = 1; i < NF; i++) if ($i == "tid") { print $(i + 1); exit } }')
tap_like "$PID/$TID" '^[0-9]+/[0-9]+$' "the trace's pid and a tid are known"
cd "$WORK" || tap_bail "cd $WORK"

# check_out NAME VERB ARGS...: what the verb should have done (its output
# in $WORK/NAME.out, files it names with -o).
check_out() {
	local name=$1 verb=$2 prev= a
	shift 2
	case $verb in
	view) tap_like "$(head -n 1 "$name.out")" '^\[[0-9:.]+\] \(\+[?.0-9]+\) cpu [0-9]+ pid [0-9]+ tid [0-9]+ rd:' \
		"$name: prints events" ;;
	stats) tap_like "$(head -c 200 "$name.out")" '^(Trace |\{"trace":)' "$name: prints the statistics" ;;
	esac
	for a in "$@"; do
		if [ "$prev" = -o ]; then
			tap_ok "$([ -s "$a" ] && echo 1)" "$name: wrote $a"
			rm -f "$a"
		fi
		prev=$a
	done
}

# run NAME ARGS...: sonde ARGS > NAME.out, in the environment plus RUN_ENV
# (NAME=VALUE words); must exit 0 with nothing on stderr.
RUN_ENV=()
run() {
	local name=$1
	shift
	env "${RUN_ENV[@]}" timeout -k 10 "$ST_TIMEOUT" "$SONDE" "$@" >"$name.out" 2>"$name.err"
	tap_is "$?/$(wc -c <"$name.err")" 0/0 "$name: sonde $* exits 0, nothing on stderr" ||
		tap_diag_file "$name.err" 10
	check_out "$name" "$@"
}

# fill MODE WORDS...: one README synopsis as arguments (one per line), DIR
# replaced by the trace; MODE "min" drops the [...] parts, "all" keeps them
# with their placeholders filled in.  An unknown placeholder stays as is
# and prints "UNKNOWN word" instead.
fill() {
	local mode=$1 depth=0 prev= w v
	shift
	for w in "$@"; do
		v=${w//[][]/}
		case $w in '['*) depth=$((depth + 1)) ;; esac
		if [ "$mode" = all ] || [ "$depth" -eq 0 ]; then
			case $v in
			'' | ...) ;;
			DIR) printf '%s\n' "$TR" ;;
			*[A-Z]*)
				case $prev in
				-e | --event) echo 'rd:span_*' ;;
				--pid) printf '%s\n' "$PID" ;;
				--tid) printf '%s\n' "$TID" ;;
				--since) echo +0 ;;
				--until) echo +3600 ;;
				*) printf 'UNKNOWN %s\n' "$v" ;;
				esac ;;
			*) printf '%s\n' "$v" ;;
			esac
		fi
		case $w in *']'*) depth=$((depth - 1)) ;; esac
		prev=$v
	done
}

n=0
while IFS= read -r line; do
	read -ra words <<<"${line%%#*}"
	for mode in min all; do
		mapfile -t args < <(fill "$mode" "${words[@]:1}")
		if printf '%s\n' "${args[@]}" | grep -q '^UNKNOWN '; then
			tap_ok 0 "README: '$line': placeholders known ($(printf '%s\n' "${args[@]}" | grep '^UNKNOWN '))"
			continue
		fi
		n=$((n + 1))
		run "readme$n" "${args[@]}"
	done
done < <(awk '/^```/ { f = !f; next } f' "$README" |
	 grep -E '^[[:space:]]*sonde (view|stats|export|report)([[:space:]]|$)')
tap_ok "$((n >= 8))" "README: ran its reader command lines ($((n / 2)) lines, twice each)"

# Explicit cases, also where POSIXLY_CORRECT asks getopt to stop at the
# first operand.
unset POSIXLY_CORRECT
for tag in "" posix-; do
	RUN_ENV=()
	[ -n "$tag" ] && RUN_ENV=(POSIXLY_CORRECT=1)
	run "${tag}view-e" view "$TR" -e 'rd:op_*'
	tap_is "$(grep -cv ' rd:op_e' "${tag}view-e.out")/$(grep -c ' rd:op_e' "${tag}view-e.out")" 0/8 \
		"${tag}view DIR -e: the filter applies (8 rd:op_* events, nothing else)"
	run "${tag}view-mixed" view --pid "$PID" "$TR" --tid "$TID" --gmt
	run "${tag}export" export --format chrome "$TR" -o out.json
	run "${tag}export-f" export "$TR" -o out.json --format chrome
	run "${tag}export-stdout" export "$TR" --format chrome
	tap_cmd "${tag}export DIR --format chrome: valid JSON on stdout" -- "$JCHECK" "${tag}export-stdout.out"
	run "${tag}stats-json" stats "$TR" --json
	tap_cmd "${tag}stats DIR --json: JSON output" -- "$JCHECK" "${tag}stats-json.out"
	run "${tag}report" report "$TR" -o r.html
done
RUN_ENV=()

# "--" ends the options.
cp -r "$TR" ./-odd
run dashdash view -- -odd
timeout -k 10 "$ST_TIMEOUT" "$SONDE" view "$TR" -- -e >dd2.out 2>dd2.err
tap_is "$?/$(wc -l <dd2.out)" 1/0 "view DIR -- -e: -e is an operand after --, so two operands: usage error" ||
	tap_diag_file dd2.err 5
timeout -k 10 "$ST_TIMEOUT" "$SONDE" stats "$TR" --no-such-option >bad.out 2>bad.err
tap_is "$?" 1 "stats DIR --no-such-option: an unknown option after the operand is still an error"

# sonde record stops at its command: what follows is the command's.
timeout -k 10 "$ST_TIMEOUT" "$SONDE" record -o rec -- sh -c 'printf "%s\n" "$*" >args.txt' sh -e x --json \
	>rec.out 2>rec.err
tap_is "$?/$(cat args.txt 2>/dev/null)" "0/-e x --json" \
	"record -- CMD: options after the command are the command's" || tap_diag_file rec.err 5
tap_done
