#!/bin/bash
# SPDX-License-Identifier: MIT
# test-live-rundir: another user took the run directory first.  Without
# $XDG_RUNTIME_DIR the daemon's directory is /tmp/sonde-$UID, a name any
# user can create before its owner does.  For a user made for the test
# (sonde-t-rd<PID>, removed at the end; one per run, so that runs side by
# side do not remove each other's) whose /tmp/sonde-$UID belongs to
# root:
#  1. without a usable $HOME there is no fallback: `sonde daemon` and
#     `sonde sessions` fail with the way out (XDG_RUNTIME_DIR or
#     SONDE_RUNDIR);
#  2. `sonde daemon` runs in the fallback $HOME/.sonde-run (0700), an app
#     started without any variable finds it on its own, and is recorded;
#  3. once /tmp/sonde-$UID is gone (its owner removed it), a new app still
#     finds the daemon, the CLI too, and a second `sonde daemon` refuses
#     to start beside it.
# Needs root, useradd, userdel and setpriv: skipped (77) otherwise.
# Usage: test-live-rundir.sh SONDE BABELTRACE2 TEST-LIVE-APP TEST-LIVE-RAW
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
. "$here/test-live-lib.sh"

U=sonde-t-rd$$
[ "$(id -u)" -eq 0 ] || tap_skip_all "needs root (to make a second user)"
for c in useradd userdel setpriv; do
	command -v "$c" >/dev/null || tap_skip_all "needs $c"
done
lt_init "$@"
REAL_SONDE=$SONDE REAL_APP=$APP
MADE_PRIM=

rd_cleanup() {
	if [ -n "${UID_U:-}" ] && [ -x "$WORK/as-sonde" ]; then
		timeout -k 5 30 "$WORK/as-sonde" daemon --stop >/dev/null 2>&1
	fi
	lt_cleanup
	# /tmp/sonde-$UID: ours (root's), or made by the test user's apps.
	if [ -n "${PRIM:-}" ] && [ -d "$PRIM" ] && ! [ -L "$PRIM" ]; then
		owner=$(stat -c %u "$PRIM")
		if [ "$owner" = "$UID_U" ] || { [ "$owner" = 0 ] && [ -n "$MADE_PRIM" ]; }; then
			rm -rf "$PRIM"
		fi
	fi
	if [ -n "${UID_U:-}" ] && id "$U" >/dev/null 2>&1; then
		userdel -r "$U" >/dev/null 2>&1 || userdel "$U" >/dev/null 2>&1
	fi
	rm -rf "$WORK/home"
}
trap 'rd_cleanup; st_cleanup' EXIT

chmod 0755 "$WORK"
useradd -r -m -d "$WORK/home" -s /bin/sh "$U" >/dev/null 2>&1 || tap_skip_all "useradd failed"
UID_U=$(id -u "$U") GID_U=$(id -g "$U")
chmod 0700 "$WORK/home"
# The build must be reachable by that user (a clone under a 0700
# directory, as mktemp -d makes, is not): no test without it.
setpriv --reuid="$UID_U" --regid="$GID_U" --clear-groups \
	test -x "$REAL_SONDE" -a -x "$REAL_APP" ||
	tap_skip_all "the build ($REAL_SONDE) cannot be run by another user: a parent directory is closed to others"
PRIM=/tmp/sonde-$UID_U
if [ -e "$PRIM" ] || [ -L "$PRIM" ]; then
	PRIM=
	tap_skip_all "/tmp/sonde-$UID_U exists already; not touching it"
fi
mkdir -m 0700 "$PRIM" && MADE_PRIM=1
mkdir -m 0700 "$WORK/u" && chown "$U:" "$WORK/u"

# as-NAME: run TARGET as the test user, with nothing but PATH and HOME
# (no XDG_RUNTIME_DIR, no SONDE_*), from $WORK/u.
wrap() {
	cat >"$WORK/as-$1" <<EOF
#!/bin/sh
cd "$WORK/u" || exit 3
exec setpriv --reuid=$UID_U --regid=$GID_U --clear-groups \\
	env -i PATH=/usr/bin:/bin HOME=$3 USER=$U LOGNAME=$U "$2" "\$@"
EOF
	chmod 0755 "$WORK/as-$1"
}
wrap sonde "$REAL_SONDE" "$WORK/home"
wrap sonde-nohome "$REAL_SONDE" /
wrap app "$REAL_APP" "$WORK/home"
SONDE=$WORK/as-sonde APP=$WORK/as-app
FB=$WORK/home/.sonde-run

# ---- 1. no fallback: the way out ------------------------------------------
tap_diag "test user $U (uid $UID_U); $PRIM belongs to root"
timeout -k 5 60 "$WORK/as-sonde-nohome" daemon >"$WORK/nohome.out" 2>"$WORK/nohome.err"
rc=$?
err=$(cat "$WORK/nohome.err")
tap_ok "$([ "$rc" -eq 1 ] && [[ $err == *"$PRIM belongs to uid 0"* ]] && [[ $err == *"SONDE_RUNDIR"* ]] && echo 1)" \
	"HOME=/ (root's): sonde daemon refuses and names the way out (exit $rc: $err)"
timeout -k 5 60 "$WORK/as-sonde-nohome" sessions >"$WORK/nohome.out" 2>"$WORK/nohome.err"
rc=$?
err=$(cat "$WORK/nohome.err")
tap_ok "$([ "$rc" -eq 1 ] && [[ $err == *"XDG_RUNTIME_DIR or SONDE_RUNDIR"* ]] && echo 1)" \
	"  so does sonde sessions (exit $rc: $err)"

# ---- 2. the fallback -------------------------------------------------------
lt_daemon
tap_ok "$([ "$DRC" -eq 0 ] && [ -n "$DPID" ] && echo 1)" \
	"sonde daemon starts, as the user, in spite of $PRIM (exit $DRC)" || {
	tap_diag_file "$WORK/daemon.err"
	tap_bail "no daemon"
}
tap_like "$(cat "$WORK/daemon.err")" "socket $FB/sonde.sock" "  in the fallback $FB"
tap_is "$(stat -c '%u %a' "$FB")" "$UID_U 700" "  which is the user's, mode 700"
tap_is "$(stat -c %u "/proc/$DPID")" "$UID_U" "  the daemon runs as the user"
lt_app u/a1 -- loop "$WORK/u/a1" || tap_bail "app did not start"
A1=$APP_PID
tap_cmd "an app of the user, started without any variable, registers with it" -- lt_wait_listed "$A1"
lt_sonde "create" create s -o "$WORK/u/trace"
lt_sonde "enable" enable -s s live:c
P=$(lt_progress u/a1)
lt_sonde "start" start -s s
lt_wait_progress u/a1 $((P + 100)) 30
lt_sonde "stop" stop -s s
lt_sonde "destroy" destroy -s s
lt_bt "$WORK/u/trace" trace
read -r n f l g <<<"$(lt_range trace live:c 0 999999999999 "$A1")"
tap_ok "$((BT_RC == 0 && n > 0 && g == 0))" "  and is recorded ($n consecutive live:c)"

# ---- 3. /tmp/sonde-$UID goes away ----------------------------------------
rmdir "$PRIM" && MADE_PRIM=
lt_app u/a2 -- loop "$WORK/u/a2" || tap_bail "app did not start"
A2=$APP_PID
tap_cmd "$PRIM removed: a new app still finds the daemon" -- lt_wait_listed "$A2"
tap_diag "$PRIM now: $(stat -c 'uid %u mode %a' "$PRIM" 2>&1)"
sonde_run sessions
tap_is "$RC" 0 "  so does sonde sessions"
sonde_run daemon
p=$(sed -nE 's/^sonde: daemon running \(pid ([0-9]+)\).*/\1/p' <<<"$ERR")
[ -n "$p" ] && LT_DAEMONS+=("$p")
tap_ok "$([ "$RC" -eq 1 ] && [[ $ERR == *"a daemon already runs (socket $FB/sonde.sock)"* ]] && echo 1)" \
	"  a second sonde daemon refuses to start beside it (exit $RC: $ERR)"
lt_list
tap_ok "$(lt_listed "$A1" && lt_listed "$A2" && echo 1)" "  both apps are registered with the one daemon"
lt_app_stop u/a1
tap_is "$APP_RC" 0 "the first app exits 0"
lt_app_stop u/a2
tap_is "$APP_RC" 0 "the second app exits 0"
lt_sonde "the daemon stops" daemon --stop
tap_done
