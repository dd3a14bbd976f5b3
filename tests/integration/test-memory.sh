#!/bin/bash
# SPDX-License-Identifier: MIT
# test-memory: the buffers of a session are bounded by what the machine can
# give, checked before anything is created or allocated.
#  - `sonde record` and `sonde create` refuse buffers over the limit (half
#    of MemAvailable by default, SONDE_MAX_BUFFER_MEMORY when set, never
#    more than MemAvailable or what RLIMIT_AS leaves) with one error line
#    naming the total, the limit and how to change it; exit 1; no
#    directory; for record, no memfd_create and no fallocate (strace);
#  - a total just over an explicit limit is refused, just under it runs;
#  - the buffers are a memfd passed as SONDE_SHM=fd:N, nothing in /dev/shm;
#  - a memfd that cannot be reserved is a clear error, not a fallback.
# The sizes refused here are never allocated when the bound holds; if it
# does not (the first check fails), the test stops before trying sizes that
# would really be allocated.
# Usage: test-memory.sh SONDE HELLO
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$(st_abs "$1") HELLO=$(st_abs "$2")
st_setup
cd "$WORK" || tap_bail "cannot cd to $WORK"
unset SONDE_MAX_BUFFER_MEMORY SONDE_SHM
export SONDE_RUNDIR=$WORK/run HOME=$WORK SONDE_DAEMON=off
DPIDS=()

cleanup() {
	local pid
	if [ -S "$SONDE_RUNDIR/sonde.sock" ]; then
		timeout -k 5 20 "$SONDE" daemon --stop >/dev/null 2>&1
	fi
	for pid in "${DPIDS[@]}"; do
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sonde ] && kill -KILL "$pid" 2>/dev/null
	done
	st_cleanup
}
trap cleanup EXIT

# The CPUs that get a buffer: the highest possible CPU + 1, at least the
# configured count (as the consumer counts them).
NCPU=$(getconf _NPROCESSORS_CONF)
hi=$(sed -nE 's/^([0-9]+-)?([0-9]+)$/\2/p' /sys/devices/system/cpu/possible 2>/dev/null)
[ -n "$hi" ] && [ $((hi + 1)) -gt "$NCPU" ] && NCPU=$((hi + 1))
AVAIL=$(awk '/^MemAvailable:/ { printf "%.0f\n", $2 * 1024 }' /proc/meminfo)
[ -n "$AVAIL" ] || tap_bail "no MemAvailable in /proc/meminfo"
MIB=$((1 << 20))
DATA=$((NCPU * MIB)) # of NCPU x 64k x 16

# sonde_run ARGS...: RC, ERR (stderr), OUT.
sonde_run() {
	timeout -k 10 "$ST_TIMEOUT" "$SONDE" "$@" >"$WORK/run.out" 2>"$WORK/run.err"
	RC=$?
	ERR=$(cat "$WORK/run.err")
	OUT=$(cat "$WORK/run.out")
}

# refused DESC REGEX CMD...: CMD (sonde, whose output directory is
# $WORK/out) exits 1 with one error line matching REGEX, leaves no
# $WORK/out, and (record) does not run its command.  Returns non-zero if any of this failed.
refused() {
	local desc=$1 re=$2 ok=0
	shift 2
	rm -f "$WORK/ran"
	timeout -k 10 "$ST_TIMEOUT" "$@" >"$WORK/run.out" 2>"$WORK/run.err"
	RC=$?
	ERR=$(cat "$WORK/run.err")
	if [ "$RC" -eq 1 ] && [ "$(wc -l <"$WORK/run.err")" -eq 1 ] &&
		printf '%s' "$ERR" | grep -Eq -- "$re"; then
		tap_ok 1 "$desc: exit 1, $ERR"
	else
		tap_ok 0 "$desc: exit 1 and one error line matching /$re/"
		tap_diag "exit $RC"
		tap_diag_file "$WORK/run.err" 10
		ok=1
	fi
	tap_ok "$([ ! -e "$WORK/out" ] && echo 1)" "$desc: no directory created" || ok=1
	# A command given (record): it was not run.
	if [[ " $* " == *" -- "* ]]; then
		tap_ok "$([ ! -e "$WORK/ran" ] && echo 1)" "$desc: nothing run" || ok=1
	fi
	rm -rf "$WORK/out"
	return $ok
}

RUN=(-- touch "$WORK/ran")
HINT_RAISE='; use smaller --subbuf-size/--num-subbuf or SONDE_MAX_BUFFER_MEMORY=SIZE$'
HINT_FIXED='; use smaller --subbuf-size/--num-subbuf$'
NUM='[0-9]+(\.[0-9])? [KMGTPE]?i?B'

# 1. The size of the report: 1G x 65536 per CPU, far beyond any memory.
refused "record, ${NCPU} CPUs x 1 GiB x 65536" \
	"^sonde: buffers of $NCPU CPUs x 1 GiB x 65536 = $((NCPU * 64)) TiB, plus $NUM of control data, exceed the limit of $NUM \\(half of the available memory\\)$HINT_RAISE" \
	"$SONDE" record -o "$WORK/out" --subbuf-size 1G --num-subbuf 65536 "${RUN[@]}"
BOUND=$?

# 2. Nothing was allocated for it: no memfd, no fallocate, no mkdir.
if strace -f -o /dev/null true 2>/dev/null; then
	timeout -k 10 "$ST_TIMEOUT" strace -f -qq -o "$WORK/strace.txt" \
		-e trace=memfd_create,fallocate,mkdir,mkdirat,open,openat \
		"$SONDE" record -o "$WORK/out" --subbuf-size 1G --num-subbuf 65536 \
		"${RUN[@]}" 2>/dev/null
	tap_is "$(grep -cE 'memfd_create|fallocate|mkdir|/dev/shm|out"' "$WORK/strace.txt")" 0 \
		"record refused before any memfd_create, fallocate, mkdir or open of the directory or /dev/shm" ||
		tap_diag_file "$WORK/strace.txt" 40
	rm -rf "$WORK/out"
else
	tap_ok 1 "# SKIP strace cannot trace here"
fi

# 3. The daemon checks at create: the error in the reply, no session, no
# directory; the same limits.
daemon() {
	timeout -k 10 60 env "$@" "$SONDE" daemon >"$WORK/daemon.out" 2>"$WORK/daemon.err"
	DPID=$(sed -nE 's/^sonde: daemon running \(pid ([0-9]+)\).*/\1/p' "$WORK/daemon.err")
	[ -n "$DPID" ] && DPIDS+=("$DPID")
	[ -n "$DPID" ] || { tap_diag_file "$WORK/daemon.err"; tap_bail "no daemon"; }
}
no_session() {
	timeout -k 10 60 "$SONDE" sessions 2>&1 | grep -c "^$1\\b"
}
DHINT='; use smaller --subbuf-size/--num-subbuf or start the daemon with SONDE_MAX_BUFFER_MEMORY=SIZE$'
daemon SONDE_DAEMON=off
refused "create, ${NCPU} CPUs x 1 GiB x 65536" \
	"^sonde: buffers of $NCPU CPUs x 1 GiB x 65536 = $((NCPU * 64)) TiB, plus $NUM of control data, exceed the limit of $NUM \\(half of the available memory\\)$DHINT" \
	"$SONDE" create big -o "$WORK/out" --subbuf-size 1G --num-subbuf 65536
tap_is "$(no_session big)" 0 "  no session big"
timeout -k 10 60 "$SONDE" daemon --stop >/dev/null 2>&1
daemon SONDE_DAEMON=off SONDE_MAX_BUFFER_MEMORY=$((DATA + MIB))
refused "create, SONDE_MAX_BUFFER_MEMORY of the daemon a few KiB under the total" \
	"^sonde: buffers of $NCPU CPUs x 64 KiB x 16 = $NCPU MiB, plus $NUM of control data, exceed the limit of $((NCPU + 1)) MiB \\(SONDE_MAX_BUFFER_MEMORY\\)$DHINT" \
	"$SONDE" create over -o "$WORK/out" --subbuf-size 64k --num-subbuf 16
tap_is "$(no_session over)" 0 "  no session over"
sonde_run create fits -o "$WORK/out" --subbuf-size 64k --num-subbuf 8
tap_is "$RC" 0 "create, half the data under the same limit: created" || tap_diag "$ERR"
sonde_run start -s fits
tap_is "$RC" 0 "  and started" || tap_diag "$ERR"
sonde_run destroy -s fits
tap_is "$RC" 0 "  and destroyed" || tap_diag "$ERR"
rm -rf "$WORK/out"
timeout -k 10 60 "$SONDE" daemon --stop >/dev/null 2>&1

# Past this point, sizes are asked for that would really be allocated if
# the bound did not hold.
[ "$BOUND" -eq 0 ] || tap_bail "the bound is not enforced: not trying sizes that would be allocated"

# 4. Between half and all of MemAvailable, no override: refused by the
# default fraction (or by MemAvailable itself if it fell meanwhile).
per=$(((AVAIL * 3 / 4) / NCPU))
nsub=1
while [ $((nsub * 2 * MIB)) -le "$per" ] && [ "$nsub" -lt 65536 ]; do nsub=$((nsub * 2)); done
if [ $((NCPU * nsub * MIB)) -gt $((AVAIL / 2 + 2 * MIB)) ] &&
	[ $((NCPU * nsub * MIB)) -lt "$AVAIL" ]; then
	refused "record, 3/8 to 3/4 of MemAvailable" \
		"exceed the limit of $NUM \\((half of the available memory|the available memory)\\)" \
		"$SONDE" record -o "$WORK/out" --subbuf-size 1M --num-subbuf "$nsub" "${RUN[@]}"
else
	for i in 1 2 3; do tap_ok 1 "# SKIP no power of two between half and all of MemAvailable"; done
fi

# 5. An explicit limit over MemAvailable does not lift MemAvailable.
refused "record, SONDE_MAX_BUFFER_MEMORY=1E over MemAvailable" \
	"exceed the limit of $NUM \\(the available memory\\)$HINT_FIXED" \
	env SONDE_MAX_BUFFER_MEMORY=1E "$SONDE" record -o "$WORK/out" \
	--subbuf-size 1G --num-subbuf 65536 "${RUN[@]}"

# 6. Just over an explicit limit: NCPU x 64k x 16 of data plus 1 MiB (the
# event registry) is a few KiB short of the total, less than a sub-buffer.
refused "record, SONDE_MAX_BUFFER_MEMORY a few KiB under the total" \
	"^sonde: buffers of $NCPU CPUs x 64 KiB x 16 = $NCPU MiB, plus $NUM of control data, exceed the limit of $((NCPU + 1)) MiB \\(SONDE_MAX_BUFFER_MEMORY\\)$HINT_RAISE" \
	env SONDE_MAX_BUFFER_MEMORY=$((DATA + MIB)) "$SONDE" record -o "$WORK/out" \
	--subbuf-size 64k --num-subbuf 16 "${RUN[@]}"
refused "record, bad SONDE_MAX_BUFFER_MEMORY" \
	"^sonde: bad SONDE_MAX_BUFFER_MEMORY 'lots': " \
	env SONDE_MAX_BUFFER_MEMORY=lots "$SONDE" record -o "$WORK/out" "${RUN[@]}"

# 7. Just under it: recorded, the buffers a memfd named SONDE_SHM=fd:N,
# nothing of this recording in /dev/shm.
rm -rf "$WORK/out"
timeout -k 10 "$ST_TIMEOUT" env SONDE_MAX_BUFFER_MEMORY=$((DATA + 2 * MIB)) "$SONDE" \
	record -o "$WORK/out" --subbuf-size 64k --num-subbuf 16 -- sh -c '
	printf "%s\n" "$SONDE_SHM"
	readlink "/proc/$$/fd/${SONDE_SHM#fd:}"
	ls -a /dev/shm | grep -c "^\.sonde-$PPID-"
	exit 0' >"$WORK/ok.out" 2>"$WORK/ok.err"
rc=$?
tap_ok "$([ "$rc" -eq 0 ] && [ -s "$WORK/out/metadata" ] && echo 1)" \
	"record, SONDE_MAX_BUFFER_MEMORY 1 MiB over the total: runs and writes a trace (exit $rc)" ||
	tap_diag_file "$WORK/ok.err"
tap_like "$(sed -n 1p "$WORK/ok.out")" '^fd:[0-9]+$' "the command gets SONDE_SHM=fd:N"
tap_like "$(sed -n 2p "$WORK/ok.out")" '^/memfd:sonde' "  descriptor N is the buffers' memfd"
tap_is "$(sed -n 3p "$WORK/ok.out")" 0 "  no /dev/shm file of this recording"
rm -rf "$WORK/out"

# 8. RLIMIT_AS: the room it leaves bounds the buffers.
AS_KB=$((256 * 1024))
nsub=1
while [ $((NCPU * nsub)) -lt 512 ]; do nsub=$((nsub * 2)); done
# A sanitizer's runtime (check-asan) cannot even start under ulimit -v.
bash -c 'ulimit -v '$AS_KB' && exec "$@"' sh "$SONDE" >/dev/null 2>"$WORK/as-probe.err"
if grep -q Sanitizer "$WORK/as-probe.err"; then
	for i in 1 2 3; do tap_ok 1 "# SKIP a sanitizer runtime cannot run under ulimit -v"; done
elif [ "$nsub" -le 65536 ] && [ $((NCPU * nsub * MIB)) -lt $((AVAIL / 2)) ]; then
	refused "record under ulimit -v 256M, $NCPU CPUs x 1M x $nsub" \
		"exceed the limit of $NUM \\(what RLIMIT_AS leaves\\)$HINT_FIXED" \
		bash -c 'ulimit -v '$AS_KB' && exec "$@"' sh "$SONDE" record -o "$WORK/out" \
		--subbuf-size 1M --num-subbuf "$nsub" "${RUN[@]}"
else
	for i in 1 2 3; do tap_ok 1 "# SKIP not enough memory for the RLIMIT_AS case"; done
fi

# 9. The memfd cannot be reserved (RLIMIT_FSIZE makes fallocate fail with
# EFBIG): a clear error, no file elsewhere, no directory left.
refused "record with the memfd's fallocate failing" \
	'^sonde: cannot reserve [0-9]+ bytes of shared memory: File too large$' \
	bash -c 'ulimit -f 1024 && trap "" XFSZ && exec "$@"' sh "$SONDE" record \
	-o "$WORK/out" --subbuf-size 64k --num-subbuf 16 "${RUN[@]}"

tap_done
