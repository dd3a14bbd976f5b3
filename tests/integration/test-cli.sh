#!/bin/bash
# SPDX-License-Identifier: MIT
# test-cli: `sonde record` command line.  Bad input gives one clear error
# line ("sonde: ...") on stderr, a non-zero exit, runs nothing and leaves
# no trace that looks valid; exit statuses propagate; -e filters events;
# the default directory is ./sonde-YYYYmmdd-HHMMSS.
# Usage: test-cli.sh SONDE BABELTRACE2 HELLO
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$(st_abs "$1") BT=$(st_abs "$2") HELLO=$(st_abs "$3")
st_need_bt
st_setup
cd "$WORK" || tap_bail "cannot cd to $WORK"

# sonde_run ARGS...: run sonde in $WORK; RC, ERR (stderr text), OUT.
sonde_run() {
	timeout -k 10 "$ST_TIMEOUT" "$SONDE" "$@" >"$WORK/run.out" 2>"$WORK/run.err"
	RC=$?
	ERR=$(cat "$WORK/run.err")
	OUT=$(cat "$WORK/run.out")
}

# bad_input DESC REGEX ARGS...: sonde record -o $WORK/bad ARGS... must fail
# with exactly one "sonde: " line, first on stderr and matching REGEX, must
# not run the command (it would create $WORK/ran) and must leave no
# metadata in the output directory.
bad_input() {
	local desc=$1 re=$2
	shift 2
	rm -rf "$WORK/bad" "$WORK/ran"
	sonde_run record -o "$WORK/bad" "$@"
	local first nerr
	first=$(head -n 1 "$WORK/run.err")
	nerr=$(grep -c '^sonde: ' "$WORK/run.err")
	if [ "$RC" -ne 0 ] && [ "$nerr" -eq 1 ] && printf '%s' "$first" | grep -Eq -- "^sonde: .*($re)"; then
		tap_ok 1 "$desc: exit $RC, error: $first"
	else
		tap_ok 0 "$desc: non-zero exit and one error line matching /$re/"
		tap_diag "exit status: $RC"
		tap_diag_file "$WORK/run.err" 10
	fi
	tap_ok "$([ ! -e "$WORK/ran" ] && echo 1)" "$desc: the command was not run"
	tap_ok "$([ ! -e "$WORK/bad/metadata" ] && echo 1)" "$desc: no trace metadata left behind"
}

RUN=(-- touch "$WORK/ran")
bad_input "unknown option" "--bogus" --bogus "${RUN[@]}"
bad_input "unknown short option" "-q" -q "${RUN[@]}"
bad_input "missing command after --" "command" --
bad_input "missing command" "command"
bad_input "pattern without a colon or a wildcard (matches nothing)" "pattern.*foo" -e foo "${RUN[@]}"
bad_input "pattern with two colons" "pattern.*a:b:c" -e 'a:b:c' "${RUN[@]}"
bad_input "pattern with an empty name" "pattern" -e 'hello:' "${RUN[@]}"
bad_input "sub-buffer size not a power of two" "3000" --subbuf-size 3000 "${RUN[@]}"
bad_input "sub-buffer size below 4k" "2k" --subbuf-size 2k "${RUN[@]}"
bad_input "sub-buffer size not a number" "abc" --subbuf-size abc "${RUN[@]}"
bad_input "sub-buffer count not a power of two" "'3'" --num-subbuf 3 "${RUN[@]}"
bad_input "sub-buffer count below 2" "'1'" --num-subbuf 1 "${RUN[@]}"
bad_input "-e without its argument" "-e.*argument|argument.*-e" -e
bad_input "--subbuf-size without its argument" "subbuf-size.*argument|argument.*subbuf-size" --subbuf-size

# Unwritable / unusable directories.
rm -f "$WORK/ran"
sonde_run record -o /proc/x -- touch "$WORK/ran"
tap_is "$RC/$(grep -c '^sonde: ' "$WORK/run.err")" "1/1" "-o /proc/x: exit 1 with one error line" ||
	tap_diag_file "$WORK/run.err"
tap_like "$ERR" "/proc/x" "-o /proc/x: the error names the directory"
tap_ok "$([ ! -e "$WORK/ran" ] && echo 1)" "-o /proc/x: the command was not run"
: >"$WORK/afile"
sonde_run record -o "$WORK/afile" -- touch "$WORK/ran"
tap_is "$RC/$(grep -c '^sonde: ' "$WORK/run.err")" "1/1" "-o on a regular file: exit 1 with one error line" ||
	tap_diag_file "$WORK/run.err"
tap_ok "$([ ! -e "$WORK/ran" ] && [ ! -s "$WORK/afile" ] && echo 1)" "-o on a regular file: nothing run, file untouched"

# A directory that already holds a trace is refused and left intact.
sonde_run record -o "$WORK/t1" -- "$HELLO" 5
tap_is "$RC" 0 "first recording into t1 succeeds"
sum1=$(cat "$WORK"/t1/* | cksum)
rm -f "$WORK/ran"
sonde_run record -o "$WORK/t1" -- touch "$WORK/ran"
tap_is "$RC/$(grep -c '^sonde: ' "$WORK/run.err")" "1/1" "existing trace: exit 1 with one error line" ||
	tap_diag_file "$WORK/run.err"
tap_like "$ERR" "already holds a trace" "existing trace: the error says so"
tap_ok "$([ ! -e "$WORK/ran" ] && echo 1)" "existing trace: the command was not run"
tap_is "$(cat "$WORK"/t1/* | cksum)" "$sum1" "existing trace: left unchanged"
st_bt "$WORK/t1"
tap_is "$BT_RC/$(grep -c 'hello:request' "$WORK/t1.bt")" "0/5" "existing trace: still reads with its 5 requests"

# Nested output directories are created.
sonde_run record -o "$WORK/a/b/c" -- true
tap_ok "$([ "$RC" -eq 0 ] && [ -f "$WORK/a/b/c/metadata" ] && echo 1)" "-o a/b/c: nested directories created"

# Command not found.
sonde_run record -o "$WORK/nf" -- "$WORK/no-such-command" arg
tap_is "$RC" 127 "command not found: exit 127"
tap_like "$(grep -v '^sonde: [0-9]* events recorded' "$WORK/run.err")" "no-such-command" \
	"command not found: the error names the command"
tap_ok "$([ ! -e "$WORK/nf/metadata" ] && echo 1)" \
	"command not found: no trace left looking valid"
tap_is "$(grep -c . "$WORK/run.err")" 1 "command not found: one error line, no summary"

# Exit status propagation.
sonde_run record -o "$WORK/e0" -- sh -c 'exit 0'
tap_is "$RC" 0 "exit 0 -> 0"
sonde_run record -o "$WORK/e3" -- sh -c 'exit 3'
tap_is "$RC" 3 "exit 3 -> 3"
sonde_run record -o "$WORK/e255" -- sh -c 'exit 255'
tap_is "$RC" 255 "exit 255 -> 255"
sonde_run record -o "$WORK/segv" -- sh -c 'kill -SEGV $$'
tap_is "$RC" 139 "killed by SIGSEGV -> 139"
tap_like "$ERR" "^sonde: [0-9]+ events recorded, [0-9]+ lost, [0-9.]+ [kMG]B in .*segv" \
	"killed command: summary still printed"
st_bt "$WORK/segv"
tap_is "$BT_RC" 0 "killed command: the (empty) trace reads"
sonde_run record -o "$WORK/term" -- sh -c 'kill -TERM $$'
tap_is "$RC" 143 "killed by SIGTERM -> 143"

# Summary line on success, sizes accepted.
sonde_run record -o "$WORK/ok" --subbuf-size 64k --num-subbuf 4 -- "$HELLO" 7
tap_is "$RC" 0 "--subbuf-size 64k --num-subbuf 4 accepted"
tap_like "$ERR" "^sonde: 14 events recorded, 0 lost, [0-9.]+ [kMG]B in $WORK/ok\$" \
	"summary line: 14 events recorded, 0 lost, size, directory"
tap_like "$OUT" "served 7 requests" "the command's stdout passes through"
for sz in 4k 4K 1M 4096; do
	sonde_run record -o "$WORK/sz-$sz" --subbuf-size "$sz" --num-subbuf 2 -- true
	tap_is "$RC" 0 "--subbuf-size $sz accepted"
done

# Event filtering.
count_events() { st_bt "$1" >/dev/null; grep -c " $2: " "$1.bt"; }
sonde_run record -o "$WORK/f1" -e 'hello:req*' -- "$HELLO" 6
tap_is "$RC" 0 "-e 'hello:req*' records"
tap_is "$(count_events "$WORK/f1" hello:request)/$(count_events "$WORK/f1" hello:tick)" "6/0" \
	"-e 'hello:req*': 6 hello:request, no hello:tick"
tap_is "$(grep -c 'name = "hello:tick"' "$WORK/f1/metadata")" 0 "-e 'hello:req*': hello:tick not even declared"
sonde_run record -o "$WORK/f2" -e 'hello:tick' -e 'hello:request' -- "$HELLO" 4
tap_is "$(count_events "$WORK/f2" hello:request)/$(count_events "$WORK/f2" hello:tick)" "4/4" \
	"two -e patterns: both events recorded"
sonde_run record -o "$WORK/f3" -e '*:tick' -- "$HELLO" 3
tap_is "$(count_events "$WORK/f3" hello:request)/$(count_events "$WORK/f3" hello:tick)" "0/3" \
	"-e '*:tick': only hello:tick"
# Patterns as LTTng writes them: without a colon, a glob over the whole
# provider:name.
sonde_run record -o "$WORK/l4" -e 'hel*' -- "$HELLO" 3
tap_is "$RC/$(count_events "$WORK/l4" hello:request)/$(count_events "$WORK/l4" hello:tick)" "0/3/3" \
	"-e 'hel*' (no colon, as LTTng takes it): every hello event"
sonde_run record -o "$WORK/l5" -e '*tick' -- "$HELLO" 3
tap_is "$RC/$(count_events "$WORK/l5" hello:request)/$(count_events "$WORK/l5" hello:tick)" "0/0/3" \
	"-e '*tick': only hello:tick"
sonde_run record -o "$WORK/f4" -e 'nomatch:*' -- "$HELLO" 3
tap_is "$RC/$(count_events "$WORK/f4" 'hello:[a-z]*')" "0/0" "-e 'nomatch:*': nothing recorded"
tap_like "$ERR" "^sonde: 0 events recorded" "-e 'nomatch:*': summary says 0 events"

# Default directory name, in the current directory.
mkdir "$WORK/cwd" && cd "$WORK/cwd" || tap_bail "cannot cd"
before=$(date +%Y%m%d-%H%M%S)
sonde_run record -- "$HELLO" 2
after=$(date +%Y%m%d-%H%M%S)
cd "$WORK" || tap_bail "cannot cd"
dirs=$(cd "$WORK/cwd" && ls -d sonde-* 2>/dev/null)
tap_like "$dirs" '^sonde-[0-9]{8}-[0-9]{6}$' "default: one directory sonde-YYYYmmdd-HHMMSS in the cwd"
stamp=${dirs#sonde-}
tap_ok "$([[ ! "$stamp" < "$before" && ! "$stamp" > "$after" ]] && echo 1)" \
	"default: its time stamp ($stamp) is the recording's local time ($before..$after)"
st_bt "$WORK/cwd/$dirs"
tap_is "$BT_RC/$(grep -c 'hello:request' "$WORK/cwd/$dirs.bt")" "0/2" "default: the trace reads, 2 requests"
tap_like "$ERR" " in $dirs\$" "default: the summary names the directory"

# Top-level command line.
sonde_run
tap_ok "$([ "$RC" -ne 0 ] && [ -n "$ERR" ] && echo 1)" "no verb: non-zero exit, usage on stderr"
sonde_run frobnicate
tap_is "$RC/$(grep -c '^sonde: ' "$WORK/run.err")" "1/1" "unknown verb: exit 1, one error line"
sonde_run --version
tap_like "$OUT" '^sonde [0-9]+\.[0-9]+\.[0-9]+$' "--version prints the version"
sonde_run record --help
tap_ok "$([ "$RC" -eq 0 ] && printf '%s' "$OUT" | grep -q -- '--subbuf-size' && echo 1)" "record --help: usage on stdout, exit 0"
tap_done
