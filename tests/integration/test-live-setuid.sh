#!/bin/bash
# SPDX-License-Identifier: MIT
# test-live-setuid: a setuid program linked with libsonde ignores the
# SONDE_* variables of the user who runs it (secure_getenv()).  A copy of
# test-live-app made setuid root, run by a user made for the test
# (sonde-t-su<PID>, removed at the end, one per run) with SONDE_RUNDIR
# naming a directory that does not exist: its agent thread runs, and no
# such directory is created (it was, as root).  The same program without the
# setuid bit does create it: the check can see one.
# Needs root, useradd, userdel, setpriv and a filesystem without nosuid
# for the scratch directory: skipped (77) otherwise.
# Usage: test-live-setuid.sh SONDE BABELTRACE2 TEST-LIVE-APP TEST-LIVE-RAW
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
. "$here/test-live-lib.sh"

U=sonde-t-su$$
[ "$(id -u)" -eq 0 ] || tap_skip_all "needs root (setuid root program, second user)"
for c in useradd userdel setpriv; do
	command -v "$c" >/dev/null || tap_skip_all "needs $c"
done
lt_init "$@"
case ",$(findmnt -no OPTIONS --target "$WORK" 2>/dev/null)," in
*,nosuid,*) tap_skip_all "$WORK is on a nosuid filesystem" ;;
esac
HAD_ROOT_RUNDIR=$([ -e /tmp/sonde-0 ] && echo 1)

su_cleanup() {
	lt_cleanup
	if [ -n "${UID_U:-}" ] && id "$U" >/dev/null 2>&1; then
		userdel "$U" >/dev/null 2>&1
	fi
	# The setuid program's agent may have made root's own run directory.
	[ -n "$HAD_ROOT_RUNDIR" ] || rmdir /tmp/sonde-0 2>/dev/null
}
trap 'su_cleanup; st_cleanup' EXIT

useradd -r -M -d /nonexistent -s /bin/sh "$U" >/dev/null 2>&1 || tap_skip_all "useradd failed"
UID_U=$(id -u "$U") GID_U=$(id -g "$U")
# The app's libsonde.so must be reachable by that user (a clone under a
# 0700 directory, as mktemp -d makes, is not): no test without it.
setpriv --reuid="$UID_U" --regid="$GID_U" --clear-groups test -x "$APP" ||
	tap_skip_all "the build ($APP) cannot be run by another user: a parent directory is closed to others"
chmod 0755 "$WORK"
mkdir -m 0700 "$WORK/u" && chown "$U:" "$WORK/u"
cp "$APP" "$WORK/suid-app" && chown root:root "$WORK/suid-app" && chmod 4755 "$WORK/suid-app"
cp "$APP" "$WORK/plain-app" && chmod 0755 "$WORK/plain-app"

# run_as NAME RUNDIR PROG PREFIX: PROG loop PREFIX as the test user with
# SONDE_RUNDIR=RUNDIR; once its agent thread runs (a second thread), give
# it a second, then stop it.  THREADS: the most threads seen.
run_as() {
	local name=$1 rundir=$2 prog=$3 prefix=$4 pid i
	rm -f "$prefix".{pid,stop,progress}
	setpriv --reuid="$UID_U" --regid="$GID_U" --clear-groups \
		env -i PATH=/usr/bin:/bin HOME=/nonexistent SONDE_RUNDIR="$rundir" \
		"$prog" loop "$prefix" >"$WORK/$name.out" 2>"$WORK/$name.err" &
	pid=$!
	LT_PID[$name]=$pid
	THREADS=0
	for ((i = 0; i < 300; i++)); do
		THREADS=$(find "/proc/$pid/task" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
		[ -s "$prefix.pid" ] && [ "$THREADS" -ge 2 ] && break
		lt_alive "$pid" || break
		sleep 0.1
	done
	sleep 1
	: >"$prefix.stop"
	lt_wait_gone "$pid" 30 || kill -KILL "$pid" 2>/dev/null
	wait "$pid"
	RUN_RC=$?
	unset "LT_PID[$name]"
}

run_as plain "$WORK/u/plain-rundir" "$WORK/plain-app" "$WORK/u/plain"
tap_ok "$([ "$RUN_RC" -eq 0 ] && [ -d "$WORK/u/plain-rundir" ] && echo 1)" \
	"without the setuid bit, SONDE_RUNDIR is followed: $WORK/u/plain-rundir made (exit $RUN_RC)"

new=$WORK/somewhere-new
run_as suid "$new" "$WORK/suid-app" "$WORK/suid"
tap_ok "$((THREADS >= 2))" "setuid root, run by uid $UID_U: the agent thread runs ($THREADS threads)"
tap_is "$RUN_RC" 0 "  the program exits 0"
tap_ok "$([ ! -e "$new" ] && echo 1)" "  and SONDE_RUNDIR is ignored: $new was not created" ||
	tap_diag "$(stat -c '%n: uid %u mode %a' "$new" 2>&1)"
tap_done
