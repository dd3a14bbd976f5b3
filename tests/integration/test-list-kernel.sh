#!/bin/bash
# SPDX-License-Identifier: MIT
# test-list-kernel: `sonde list -k [PATTERN]` lists the kernel trace events
# that match, each at column 0 with its own fields (C types as the format
# declares them, common_* left out) on the next line, from tracefs, with
# no daemon (tools/sonde/cmd-list-kernel.c, src/sources/tracefs.c).
#
# Checks:
#  - on a fixture tree (SONDE_TRACEFS) holding real formats copied from
#    Linux 6.18 and made-up ones: 'sched:*' shows exactly the fixture's
#    sched events with exactly their fields; NAME alone, commas and the
#    default *:* select what they should; a __data_loc field, a fixed
#    array and a pointer are written as the format writes them;
#  - a pattern without a match, a bad pattern, a tree without events/, a
#    format libtraceevent cannot parse and one too large to read each give
#    exit 1 and one "sonde: " line naming what failed, never a crash; the
#    unparsable event is left out of a wider listing, the others listed;
#  - `sonde record -k` with an event that does not exist fails with exit
#    1 and names it;
#  - as root, on the real tracefs (mounted if absent): sched:sched_switch
#    shows next_pid, syscalls:sys_enter_openat filename and flags, and
#    '*:*' lists as many events as events/*/*/ has directories (less
#    ftrace/, which holds the ftrace tracer's own events, not trace
#    events that perf opens); `sonde record --filter` with an unknown field
#    fails naming the filter and the event.  Skipped when not root.
# Usage: test-list-kernel.sh SONDE
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$(st_abs "$1")
st_setup
cd "$WORK" || tap_bail "cannot cd to $WORK"

# sonde_run ARGS...: run sonde in $WORK (through the command in the AS
# array, if any); RC, ERR (stderr), OUT (stdout).
AS=()
sonde_run() {
	timeout -k 10 "$ST_TIMEOUT" "${AS[@]}" "$SONDE" "$@" >"$WORK/run.out" 2>"$WORK/run.err"
	RC=$?
	ERR=$(cat "$WORK/run.err")
	OUT=$(cat "$WORK/run.out")
}

# fails DESC REGEX ARGS...: sonde ARGS... exits with status 1 (not a
# crash, not a timeout) with exactly one "sonde: " line on stderr, which
# matches REGEX.
fails() {
	local desc=$1 re=$2 n
	shift 2
	sonde_run "$@"
	n=$(grep -c '^sonde: ' "$WORK/run.err")
	if [ "$RC" -eq 1 ] && [ "$n" -eq 1 ] &&
		grep '^sonde: ' "$WORK/run.err" | grep -Eq -- "$re"; then
		tap_ok 1 "$desc: exit 1, $(grep '^sonde: ' "$WORK/run.err")"
	else
		tap_ok 0 "$desc: exit 1 and one error line matching /$re/"
		tap_diag "exit status: $RC"
		tap_diag_file "$WORK/run.err" 10
	fi
}

# event_lines: the event names of $OUT (its lines at column 0).
event_lines() {
	printf '%s\n' "$OUT" | grep -v '^ ' | grep -v '^$'
}

# fields_of EVENT: the field line that follows EVENT in $OUT.
fields_of() {
	printf '%s\n' "$OUT" | awk -v e="$1" 'f { print; exit } $0 == e { f = 1 }'
}

# A fixture tracefs: events/<system>/{enable,filter} and
# events/<system>/<event>/{format,id,enable,filter}, as tracefs has them
# (libtracefs lists a system only where it has an enable file).
T=$WORK/tracefs
# mkevent SYSTEM NAME ID: the event's directory, its format from stdin.
mkevent() {
	local d=$T/events/$1/$2
	mkdir -p "$d" || tap_bail "cannot create $d"
	: >"$T/events/$1/enable"
	: >"$T/events/$1/filter"
	: >"$d/enable"
	: >"$d/filter"
	echo "$3" >"$d/id"
	cat >"$d/format"
}

# Real formats, Linux 6.18 (x86_64).
mkevent sched sched_switch 372 <<'EOF'
name: sched_switch
ID: 372
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
	field:int common_pid;	offset:4;	size:4;	signed:1;

	field:char prev_comm[16];	offset:8;	size:16;	signed:0;
	field:pid_t prev_pid;	offset:24;	size:4;	signed:1;
	field:int prev_prio;	offset:28;	size:4;	signed:1;
	field:long prev_state;	offset:32;	size:8;	signed:1;
	field:char next_comm[16];	offset:40;	size:16;	signed:0;
	field:pid_t next_pid;	offset:56;	size:4;	signed:1;
	field:int next_prio;	offset:60;	size:4;	signed:1;

print fmt: "prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s%s ==> next_comm=%s next_pid=%d next_prio=%d", REC->prev_comm, REC->prev_pid, REC->prev_prio, (REC->prev_state & ((((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) - 1)) ? __print_flags(REC->prev_state & ((((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) - 1), "|", { 0x00000001, "S" }, { 0x00000002, "D" }, { 0x00000004, "T" }, { 0x00000008, "t" }, { 0x00000010, "X" }, { 0x00000020, "Z" }, { 0x00000040, "P" }, { 0x00000080, "I" }) : "R", REC->prev_state & (((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) ? "+" : "", REC->next_comm, REC->next_pid, REC->next_prio
EOF
mkevent sched sched_process_free 370 <<'EOF'
name: sched_process_free
ID: 370
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
	field:int common_pid;	offset:4;	size:4;	signed:1;

	field:__data_loc char[] comm;	offset:8;	size:4;	signed:0;
	field:pid_t pid;	offset:12;	size:4;	signed:1;
	field:int prio;	offset:16;	size:4;	signed:1;

print fmt: "comm=%s pid=%d prio=%d", __get_str(comm), REC->pid, REC->prio
EOF
mkevent syscalls sys_enter_openat 782 <<'EOF'
name: sys_enter_openat
ID: 782
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
	field:int common_pid;	offset:4;	size:4;	signed:1;

	field:int __syscall_nr;	offset:8;	size:4;	signed:1;
	field:int dfd;	offset:16;	size:8;	signed:0;
	field:const char * filename;	offset:24;	size:8;	signed:0;
	field:int flags;	offset:32;	size:8;	signed:0;
	field:umode_t mode;	offset:40;	size:8;	signed:0;

print fmt: "dfd: 0x%08lx, filename: 0x%08lx, flags: 0x%08lx, mode: 0x%08lx", ((unsigned long)(REC->dfd)), ((unsigned long)(REC->filename)), ((unsigned long)(REC->flags)), ((unsigned long)(REC->mode))
EOF
# Made up: a dynamic string, a fixed array of longs, a u64; an event
# whose name starts with sched_ outside sched/; one without own fields.
mkevent fix ev 900 <<'EOF'
name: ev
ID: 900
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
	field:int common_pid;	offset:4;	size:4;	signed:1;

	field:__data_loc char[] name;	offset:8;	size:4;	signed:0;
	field:unsigned long args[6];	offset:16;	size:48;	signed:0;
	field:u64 val;	offset:64;	size:8;	signed:0;

print fmt: "name=%s val=%llu", __get_str(name), REC->val
EOF
mkevent fix sched_lookalike 901 <<'EOF'
name: sched_lookalike
ID: 901
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
	field:int common_pid;	offset:4;	size:4;	signed:1;

	field:int x;	offset:8;	size:4;	signed:1;

print fmt: "x=%d", REC->x
EOF
mkevent fix empty 902 <<'EOF'
name: empty
ID: 902
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
	field:int common_pid;	offset:4;	size:4;	signed:1;

print fmt: "%s", ""
EOF
# No ID line: libtraceevent cannot parse it ("failed to read event id").
mkevent bad noid 903 <<'EOF'
name: noid
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:int x;	offset:8;	size:4;	signed:1;

print fmt: "x=%d", REC->x
EOF
mkevent bad fine 904 <<'EOF'
name: fine
ID: 904
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
	field:int common_pid;	offset:4;	size:4;	signed:1;

	field:int x;	offset:8;	size:4;	signed:1;

print fmt: "x=%d", REC->x
EOF

export SONDE_TRACEFS=$T
# Under AddressSanitizer, no leak check at exit: libtraceevent 1.7.1 leaks
# a 2-byte string parsing one of Linux 6.18's print formats (inside
# tep_parse_event(); sonde frees the tep_handle).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

sonde_run list -k 'sched:*'
tap_is "$RC" 0 "list -k 'sched:*' on the fixture succeeds" ||
	tap_diag_file "$WORK/run.err"
tap_is "$(event_lines | tr '\n' ' ')" \
	"sched:sched_process_free sched:sched_switch " \
	"list -k 'sched:*': exactly the fixture's sched events, sorted, at column 0"
tap_is "$(fields_of sched:sched_switch)" \
	"    char prev_comm[16]; pid_t prev_pid; int prev_prio; long prev_state; char next_comm[16]; pid_t next_pid; int next_prio;" \
	"sched_switch: its own fields with their C types, common_* left out"
tap_is "$(fields_of sched:sched_process_free)" \
	"    __data_loc char[] comm; pid_t pid; int prio;" \
	"sched_process_free: a __data_loc string as the format writes it"
tap_is "$(printf '%s\n' "$OUT" | wc -l)" 4 "two lines per event, nothing else"
tap_is "$ERR" "" "nothing on stderr"

sonde_run list -k fix:ev
tap_is "$RC/$OUT" "0/fix:ev
    __data_loc char[] name; unsigned long args[6]; u64 val;" \
	"fix:ev: dynamic string, fixed array of longs, u64"
sonde_run list -k syscalls:sys_enter_openat
tap_is "$(fields_of syscalls:sys_enter_openat)" \
	"    int __syscall_nr; int dfd; const char * filename; int flags; umode_t mode;" \
	"sys_enter_openat: a pointer field as the format writes it"
sonde_run list -k fix:empty
tap_is "$RC/$OUT" "0/fix:empty
    (no fields)" "an event without fields of its own says so"

sonde_run list -k sched_switch
tap_is "$RC/$(event_lines | tr '\n' ' ')" "0/sched:sched_switch " \
	"NAME alone: that name in any system"
sonde_run list -k 'sched_*'
tap_is "$RC/$(event_lines | tr '\n' ' ')" \
	"0/fix:sched_lookalike sched:sched_process_free sched:sched_switch " \
	"NAME glob alone: in every system"
sonde_run list -k 'sched:sched_switch,fix:ev' 'sched:sched_switch'
tap_is "$RC/$(event_lines | tr '\n' ' ')" "0/fix:ev sched:sched_switch " \
	"commas and several patterns: their union, each event once"
sonde_run list --kernel 'sched/sched_switch'
tap_is "$RC/$(event_lines | tr '\n' ' ')" "0/sched:sched_switch " \
	"--kernel, and SYSTEM/NAME as SYSTEM:NAME"

fails "a pattern without a match" "no kernel event matches 'nosuch:\*'" \
	list -k 'nosuch:*'
tap_is "$OUT" "" "... and lists nothing"
fails "one of two patterns without a match" "'sched:nosuch'" \
	list -k 'sched:sched_switch' 'sched:nosuch'
fails "a pattern with two colons" "a:b:c" list -k 'a:b:c'
fails "an unknown option" "--bogus" list -k --bogus

fails "an unparsable format, alone" \
	"bad:noid.*(parse|event id)|(parse|event id).*bad:noid" list -k bad:noid
tap_is "$OUT" "" "... and lists nothing"
fails "an unparsable format among others" "bad:noid" list -k 'bad:*'
tap_is "$OUT" "bad:fine
    int x;" "... the other event of the pattern is still listed"
sonde_run list -k
tap_is "$RC" 1 "default pattern over a tree with an unparsable format: exit 1"
tap_is "$(event_lines | tr '\n' ' ')" \
	"bad:fine fix:empty fix:ev fix:sched_lookalike sched:sched_process_free sched:sched_switch syscalls:sys_enter_openat " \
	"default pattern: every event that parses, sorted"

# A format larger than tracefs.c reads (256 KiB): refused, named.
mkdir -p "$T/events/big/huge" && : >"$T/events/big/enable"
{
	printf 'name: huge\nID: 905\nformat:\n'
	for i in $(seq 1 6000); do
		printf '\tfield:int f%05d;\toffset:%d;\tsize:4;\tsigned:1;\n' "$i" $((8 + 4 * i))
	done
	printf '\nprint fmt: "x"\n'
} >"$T/events/big/huge/format"
fails "a format too large to read" "big/huge/format.*too large" list -k big:huge

SONDE_TRACEFS=$WORK/nowhere fails "SONDE_TRACEFS without events/" \
	"SONDE_TRACEFS=$WORK/nowhere has no events/" list -k

# record's error path: the event is looked up before anything runs.
rm -f "$WORK/ran"
fails "record -k of an event that does not exist (fixture)" "'nosuch:event'" \
	record -o "$WORK/rec1" -k nosuch:event -- touch "$WORK/ran"
tap_ok "$([ ! -e "$WORK/ran" ] && echo 1)" "... and the command was not run"
unset SONDE_TRACEFS

# The real tracefs.
REAL=/sys/kernel/tracing
if [ "$(id -u)" -ne 0 ]; then
	SKIP="not root: tracefs is readable by root only"
else
	SKIP=
	if ! [ -d "$REAL/events" ] && ! grep -q ' tracefs ' /proc/mounts; then
		mount -t tracefs nodev "$REAL" 2>"$WORK/mount.err" ||
			SKIP="cannot mount tracefs: $(cat "$WORK/mount.err")"
	fi
	if [ -z "$SKIP" ]; then
		REAL=$(awk '$3 == "tracefs" { print $2; exit }' /proc/mounts)
		[ -d "$REAL/events" ] || SKIP="no tracefs with events/ mounted"
	fi
fi
if [ -n "$SKIP" ]; then
	for i in 1 2 3 4 5 6 7 8; do
		tap_ok 1 "# SKIP real tracefs: $SKIP"
	done
	tap_done
fi

sonde_run list -k sched:sched_switch
tap_is "$RC/$(event_lines)" "0/sched:sched_switch" "real: list -k sched:sched_switch" ||
	tap_diag_file "$WORK/run.err"
tap_like "$(fields_of sched:sched_switch)" '^    .*pid_t next_pid;' \
	"real: sched_switch has pid_t next_pid"
sonde_run list -k syscalls:sys_enter_openat
if [ -d "$REAL/events/syscalls/sys_enter_openat" ]; then
	tap_like "$RC/$(fields_of syscalls:sys_enter_openat)" \
		'^0/    .*char \* filename;.* flags;' \
		"real: sys_enter_openat has filename and flags"
else
	tap_ok 1 "# SKIP real: no syscall tracepoints (CONFIG_FTRACE_SYSCALLS)"
fi

start=$(date +%s%N)
sonde_run list -k '*:*'
ms=$((($(date +%s%N) - start) / 1000000))
got=$(event_lines | grep -c ':')
# Every events/SYSTEM/EVENT/ directory (enable and filter are files),
# less ftrace/'s.
want=$(find "$REAL/events/" -mindepth 2 -maxdepth 2 -type d ! -path "$REAL/events/ftrace/*" | wc -l)
tap_ok "$([ "$RC" -eq 0 ] && [ "$got" -gt 0 ] && [ $((got - want)) -le 2 ] && [ $((want - got)) -le 2 ] && echo 1)" \
	"real: '*:*' lists $got events, events/*/*/ has $want (less ftrace/), in $ms ms" ||
	tap_diag_file "$WORK/run.err"
tap_is "$(printf '%s\n' "$OUT" | grep -c '^    ')" "$got" "real: one field line per event"

# Another user, where tracefs is root's only: one line about tracefs.
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
if command -v setpriv >/dev/null && "${NOBODY[@]}" test -x "$SONDE" &&
	! "${NOBODY[@]}" test -r "$REAL/events/sched/sched_switch/format"; then
	AS=("${NOBODY[@]}")
	fails "real: another user, tracefs not readable" "tracefs" \
		list -k sched:sched_switch
	AS=()
else
	tap_ok 1 "# SKIP real: no setpriv, or tracefs readable by others, or sonde not runnable by nobody"
fi

rm -f "$WORK/ran"
fails "real: record -k of an event that does not exist" "'nosuch:event'" \
	record -o "$WORK/rec2" -k nosuch:event -- touch "$WORK/ran"
fails "real: record --filter with an unknown field names filter and event" \
	"bogus_field == 1.*sched:sched_switch|sched:sched_switch.*bogus_field == 1" \
	record -o "$WORK/rec3" -k sched:sched_switch --filter 'bogus_field == 1' -- true
tap_done
