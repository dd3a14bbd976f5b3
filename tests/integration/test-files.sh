#!/bin/bash
# SPDX-License-Identifier: MIT
# test-files: sonde writes only files it created itself, in directories of
# its own user, and never through a link another user planted.
#  1. `sonde record -o DIR`: links planted at channel0_0 and .metadata.tmp
#     (to a root-owned file), a planted regular channel0_0, DIR itself a
#     link: refused with one line, or (.metadata.tmp alone, no longer used)
#     recorded without touching the link; the target is never written;
#  2. DIR owned by another user, or writable by its group or by others
#     without the sticky bit: refused with one line; sticky 1777: used;
#  3. the default name ./sonde-YYYYmmdd-HHMMSS when another user pre-made
#     the names of this minute and the next two (directories holding links,
#     links to a directory): a new directory of ours, nothing planted
#     touched;
#  4. the daemon: without HOME the default trace directory is not the
#     shared /tmp/sonde-traces; $HOME/sonde-traces owned by another user is
#     refused; pre-made default names are not reused;
#  5. `sonde report -o` onto a device node (a private copy of /dev/full), a
#     FIFO, a regular file and a link: the device and the FIFO are written
#     in place and stay what they are, the regular file is replaced, the
#     link refused;
#  6. `sonde record` killed with SIGKILL mid-run leaves a trace that
#     `sonde view` and babeltrace2 read, with the packets it wrote;
#  7. readers: a FIFO as metadata or as a stream file is an error at once,
#     not a hang.
# Needs root (another user's directories, mknod) and useradd.
# Usage: test-files.sh SONDE BABELTRACE2 HELLO LIVE_APP
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$(st_abs "$1") BT=$(st_abs "$2") HELLO=$(st_abs "$3") APP=$(st_abs "$4")
[ "$(id -u)" -eq 0 ] || tap_skip_all "needs root (directories of another user, mknod)"
command -v useradd >/dev/null 2>&1 && command -v userdel >/dev/null 2>&1 ||
	tap_skip_all "useradd/userdel not available"
st_need_bt
st_setup
unset SONDE_SHM SONDE_DAEMON SONDE_CLOCK XDG_RUNTIME_DIR
export SONDE_RUNDIR=$WORK/run

OTHER=sonde-test-other
MADE_USER=0
BG_PIDS=()
TRACES_EXISTED=0
[ -e /tmp/sonde-traces ] && TRACES_EXISTED=1
SESSION=files$$

cleanup() {
	local pid
	# Only what this script started and is still there.
	for pid in "${BG_PIDS[@]}"; do
		case $(cat "/proc/$pid/comm" 2>/dev/null) in
		sonde | timeout | cat | test-live-app) kill -KILL "$pid" 2>/dev/null ;;
		esac
	done
	if [ -S "$SONDE_RUNDIR/sonde.sock" ]; then
		timeout -k 5 20 "$SONDE" daemon --stop >/dev/null 2>&1
	fi
	wait 2>/dev/null
	# What an unfixed daemon may have made in the shared directory: ours.
	rmdir /tmp/sonde-traces/"$SESSION"-* 2>/dev/null
	[ "$TRACES_EXISTED" -eq 1 ] || rmdir /tmp/sonde-traces 2>/dev/null
	[ "$MADE_USER" -eq 1 ] && userdel "$OTHER" 2>/dev/null
	st_cleanup
}
trap cleanup EXIT

if ! id -u "$OTHER" >/dev/null 2>&1; then
	useradd -M -r -s /bin/false "$OTHER" 2>"$WORK/useradd.err" ||
		tap_skip_all "useradd $OTHER failed: $(cat "$WORK/useradd.err")"
	MADE_USER=1
fi
# By number from here on: another run of this test may remove the user
# it made while this one still runs.
OTHER_UID=$(id -u "$OTHER") || tap_bail "no uid for $OTHER"

# srun ARGS...: sonde ARGS... under a time limit; RC, OUT, ERR.
srun() {
	timeout -k 10 120 "$SONDE" "$@" >"$WORK/run.out" 2>"$WORK/run.err"
	RC=$?
	OUT=$(cat "$WORK/run.out")
	ERR=$(cat "$WORK/run.err")
}

# refused DESC: the last srun failed with exactly one line on stderr.
refused() {
	tap_ok "$([ "$RC" -ne 0 ] && [ "$RC" -ne 124 ] &&
		[ "$(grep -c . "$WORK/run.err")" -eq 1 ] && echo 1)" \
		"$1: refused with one error line (exit $RC)" ||
		tap_diag_file "$WORK/run.err" 10
}

# count_ev DIR NAME: NAME events in `sonde view DIR` (-1 if it fails).
count_ev() {
	timeout -k 10 60 "$SONDE" view "$1" >"$WORK/view.out" 2>/dev/null ||
		{ echo -1; return; }
	grep -c " $2: " "$WORK/view.out"
}

# A root-owned file the planted links point to; written afresh before each
# part, so that each part's checks stand on their own.
fresh_precious() {
	printf 'precious\n' >"$WORK/precious"
	chmod 600 "$WORK/precious"
	SUM=$(cksum <"$WORK/precious")
}
precious_ok() {
	tap_is "$(cksum <"$WORK/precious")" "$SUM" "$1: the link target is unchanged"
}

# --- 1. planted links and files in an -o directory ---------------------
fresh_precious
P=$WORK/planted
mkdir -m 700 "$P"
ln -s "$WORK/precious" "$P/channel0_0"
ln -s "$WORK/precious" "$P/.metadata.tmp"
rm -f "$WORK/ran"
srun record -o "$P" -- touch "$WORK/ran"
refused "links at channel0_0 and .metadata.tmp"
tap_like "$ERR" "channel0_0" "  the error names the planted file"
precious_ok "links at channel0_0 and .metadata.tmp"
tap_ok "$([ -L "$P/channel0_0" ] && [ -L "$P/.metadata.tmp" ] &&
	[ "$(ls -A "$P" | wc -l)" -eq 2 ] && echo 1)" "  the links are left as they were, nothing added"
tap_ok "$([ ! -e "$WORK/ran" ] && echo 1)" "  the command was not run"

P=$WORK/planted-tmp
mkdir -m 700 "$P"
ln -s "$WORK/precious" "$P/.metadata.tmp"
srun record -o "$P" -- "$HELLO" 3
tap_is "$RC" 0 "a link at .metadata.tmp only: recorded" || tap_diag_file "$WORK/run.err" 10
precious_ok "a link at .metadata.tmp only"
tap_ok "$([ -L "$P/.metadata.tmp" ] && echo 1)" "  the link is left as it was"
tap_is "$(count_ev "$P" hello:request)" 3 "  the trace reads, 3 requests"

P=$WORK/planted-file
mkdir -m 700 "$P"
printf 'keep\n' >"$P/channel0_0"
srun record -o "$P" -- touch "$WORK/ran"
refused "a regular file at channel0_0"
tap_is "$(cat "$P/channel0_0")" "keep" "  the file is unchanged"
tap_ok "$([ ! -e "$WORK/ran" ] && echo 1)" "  the command was not run"

mkdir -m 700 "$WORK/real"
ln -s "$WORK/real" "$WORK/dirlink"
srun record -o "$WORK/dirlink" -- touch "$WORK/ran"
refused "-o naming a symbolic link to a directory"
tap_like "$ERR" "symbolic link" "  the error says it is a symbolic link"
tap_is "$(ls -A "$WORK/real")" "" "  nothing written where the link points"

# --- 2. owner and mode of an existing directory -------------------------
fresh_precious
O=$WORK/other
mkdir -m 755 "$O"
chown "$OTHER_UID" "$O"
srun record -o "$O" -- touch "$WORK/ran"
refused "a directory owned by $OTHER"
tap_like "$ERR" "$O.*(owned by|belongs to)" "  the error says whose it is"
tap_is "$(ls -A "$O")" "" "  nothing written in it"
tap_ok "$([ ! -e "$WORK/ran" ] && echo 1)" "  the command was not run"

for mode in 775 757 777; do
	D=$WORK/mode$mode
	mkdir "$D" && chmod "$mode" "$D"
	srun record -o "$D" -- touch "$WORK/ran"
	refused "a directory of mode $mode"
	tap_like "$ERR" "$D.*writable" "  mode $mode: the error says who can write it"
	tap_is "$(ls -A "$D")" "" "  mode $mode: nothing written in it"
done
D=$WORK/mode1777
mkdir "$D" && chmod 1777 "$D"
srun record -o "$D" -- "$HELLO" 2
tap_is "$RC" 0 "a directory of mode 1777 (sticky) of ours is used" || tap_diag_file "$WORK/run.err" 10
tap_is "$(count_ev "$D" hello:request)" 2 "  its trace reads, 2 requests"

# --- 3. default directory name -----------------------------------------
fresh_precious
C=$WORK/cwd V=$WORK/victim
mkdir -m 755 "$C"
mkdir -m 700 "$V"
t0=$(date +%s)
for n in 0 1 2; do
	m=$(date -d "@$((t0 + 60 * n))" +%Y%m%d-%H%M)
	for s in $(seq -w 0 59); do
		name=sonde-$m$s
		if [ $((10#$s % 2)) -eq 0 ]; then
			mkdir -m 755 "$C/$name"
			ln -s "$WORK/precious" "$C/$name/channel0_0"
			ln -s "$WORK/precious" "$C/$name/.metadata.tmp"
			chown -hR "$OTHER_UID" "$C/$name"
		else
			ln -s "$V" "$C/$name"
			chown -h "$OTHER_UID" "$C/$name"
		fi
		[ "$n" -eq 0 ] && ln -s "$V" "$C/$name-1" && chown -h "$OTHER_UID" "$C/$name-1"
	done
done
snap() { (cd "$C" && find . -path "./$1" -prune -o -printf '%p %y %U %m %l\n' | sort | cksum); }
before=$(ls -A "$C" | sort)
planted=$(snap none)
(cd "$C" && timeout -k 10 120 "$SONDE" record -- "$HELLO" 2) >"$WORK/run.out" 2>"$WORK/run.err"
RC=$?
tap_is "$RC" 0 "default name with pre-made names: recorded" || tap_diag_file "$WORK/run.err" 10
new=$(comm -13 <(printf '%s\n' "$before") <(ls -A "$C" | sort))
tap_is "$(printf '%s\n' "$new" | grep -c .)" 1 "  one new entry in the directory (got: $(echo $new))"
new=$(printf '%s\n' "$new" | head -n 1)
tap_like "$new" '^sonde-[0-9]{8}-[0-9]{6}-[0-9]+$' "  named like the default, with a suffix"
tap_ok "$([ -n "$new" ] && [ -d "$C/$new" ] && [ ! -L "$C/$new" ] &&
	[ "$(stat -c %u "$C/$new")" -eq 0 ] && echo 1)" "  a directory of ours, not a link"
tap_like "$(cat "$WORK/run.err")" " in $new\$" "  the summary names it"
tap_is "$(count_ev "$C/$new" hello:request)" 2 "  its trace reads, 2 requests"
tap_is "$(snap "$new")" "$planted" "  every planted name is left as it was"
tap_is "$(ls -A "$V")" "" "  nothing written where the planted links point"
precious_ok "default name with pre-made names"

# --- 4. the daemon's default directory ---------------------------------
fresh_precious
env -u HOME timeout -k 10 60 "$SONDE" daemon >"$WORK/daemon.out" 2>"$WORK/daemon.err"
DRC=$?
DPID=$(sed -nE 's/^sonde: daemon running \(pid ([0-9]+)\).*/\1/p' "$WORK/daemon.err")
[ -n "$DPID" ] && BG_PIDS+=("$DPID")
tap_ok "$([ "$DRC" -eq 0 ] && [ -n "$DPID" ] && echo 1)" "a daemon without HOME starts" ||
	tap_diag_file "$WORK/daemon.err"
srun create "$SESSION"
tap_ok "$([ "$RC" -eq 0 ] && [[ $OUT == *" trace in $SONDE_RUNDIR/"* ]] && echo 1)" \
	"without HOME, create puts the trace in the run directory" || tap_diag "exit $RC: $OUT $ERR"
tap_is "$(ls -d /tmp/sonde-traces/"$SESSION"-* 2>/dev/null)" "" "  nothing made in /tmp/sonde-traces"
srun destroy -s "$SESSION"
timeout -k 10 60 "$SONDE" daemon --stop >/dev/null 2>&1

H=$WORK/home
mkdir -m 700 "$H"
mkdir -m 755 "$H/sonde-traces"
chown "$OTHER_UID" "$H/sonde-traces"
HOME=$H timeout -k 10 60 "$SONDE" daemon >"$WORK/daemon.out" 2>"$WORK/daemon.err"
DRC=$?
DPID=$(sed -nE 's/^sonde: daemon running \(pid ([0-9]+)\).*/\1/p' "$WORK/daemon.err")
[ -n "$DPID" ] && BG_PIDS+=("$DPID")
tap_ok "$([ "$DRC" -eq 0 ] && [ -n "$DPID" ] && echo 1)" "a daemon with HOME=$H starts" ||
	tap_diag_file "$WORK/daemon.err"
srun create h1
refused "\$HOME/sonde-traces owned by $OTHER"
tap_like "$ERR" "sonde-traces" "  the error names it"
tap_is "$(ls -A "$H/sonde-traces")" "" "  nothing made in it"
chown root "$H/sonde-traces"
t0=$(date +%s)
for n in 0 1 2; do
	m=$(date -d "@$((t0 + 60 * n))" +%Y%m%d-%H%M)
	for s in $(seq -w 0 59); do
		ln -s "$V" "$H/sonde-traces/h2-$m$s"
	done
done
srun create h2
dir=$(printf '%s\n' "$OUT" | sed -nE 's/^session h2 created, trace in (.*)$/\1/p')
tap_ok "$([ "$RC" -eq 0 ] && [ -n "$dir" ] && [ -d "$dir" ] && [ ! -L "$dir" ] && echo 1)" \
	"create with pre-made default names: a new directory ($dir)" || tap_diag "exit $RC: $OUT $ERR"
tap_is "$(find "$H/sonde-traces" -type l | wc -l)" 180 "  the planted links are left"
tap_is "$(ls -A "$V")" "" "  nothing made where they point"
srun destroy -s h2
timeout -k 10 60 "$SONDE" daemon --stop >/dev/null 2>&1

# --- 5. sonde report -o onto what is not a plain file ------------------
fresh_precious
srun record -o "$WORK/rt" -- "$HELLO" 5
tap_is "$RC" 0 "a trace to report on"
mknod "$WORK/full" c 1 7
srun report -o "$WORK/full" "$WORK/rt"
tap_ok "$([ -c "$WORK/full" ] && echo 1)" "report -o a copy of /dev/full: still a character device"
refused "report -o a copy of /dev/full"
tap_like "$ERR" "No space left on device" "  the error says why"
tap_is "$(ls "$WORK" | grep -c '^full.')" 0 "  no temporary file left"
mkfifo "$WORK/rfifo"
timeout -k 5 30 cat "$WORK/rfifo" >"$WORK/rfifo.out" &
cpid=$!
BG_PIDS+=("$cpid")
srun report -o "$WORK/rfifo" "$WORK/rt"
wait "$cpid"
tap_ok "$([ "$RC" -eq 0 ] && [ -p "$WORK/rfifo" ] && grep -q '</html>' "$WORK/rfifo.out" && echo 1)" \
	"report -o a FIFO: written into it, still a FIFO" || tap_diag "exit $RC: $ERR"
printf 'old\n' >"$WORK/r.html"
srun report -o "$WORK/r.html" "$WORK/rt"
tap_ok "$([ "$RC" -eq 0 ] && [ -f "$WORK/r.html" ] && [ ! -L "$WORK/r.html" ] &&
	grep -q '</html>' "$WORK/r.html" && echo 1)" "report -o an existing regular file: replaced" ||
	tap_diag "exit $RC: $ERR"
tap_is "$(ls "$WORK" | grep -c '^r\.html.')" 0 "  no temporary file left"
ln -s "$WORK/precious" "$WORK/rlink.html"
srun report -o "$WORK/rlink.html" "$WORK/rt"
refused "report -o a symbolic link"
tap_ok "$([ -L "$WORK/rlink.html" ] && echo 1)" "  the link is left"
precious_ok "report -o a symbolic link"
# sonde export -o: the same rules.
srun export --format chrome -o "$WORK/full" "$WORK/rt"
tap_ok "$([ -c "$WORK/full" ] && echo 1)" "export -o a copy of /dev/full: still a character device"
refused "export -o a copy of /dev/full"
ln -s "$WORK/precious" "$WORK/elink.json"
srun export --format chrome -o "$WORK/elink.json" "$WORK/rt"
refused "export -o a symbolic link"
tap_ok "$([ -L "$WORK/elink.json" ] && echo 1)" "  the link is left"
precious_ok "export -o a symbolic link"
printf 'old\n' >"$WORK/e.json"
srun export --format chrome -o "$WORK/e.json" "$WORK/rt"
tap_ok "$([ "$RC" -eq 0 ] && [ -f "$WORK/e.json" ] && grep -q traceEvents "$WORK/e.json" && echo 1)" \
	"export -o an existing regular file: replaced" || tap_diag "exit $RC: $ERR"
tap_is "$(ls "$WORK" | grep -c '^e\.json.')" 0 "  no temporary file left"

# --- 6. sonde record killed with SIGKILL --------------------------------
fresh_precious
K=$WORK/killed
"$SONDE" record -o "$K" --subbuf-size 4k --num-subbuf 64 -- \
	"$APP" burst 600 "$WORK/kapp" >"$WORK/killed.out" 2>"$WORK/killed.err" &
rpid=$!
BG_PIDS+=("$rpid")
for ((i = 0; i < 600; i++)); do
	[ -s "$WORK/kapp.pid" ] && break
	sleep 0.1
done
apid=$(cat "$WORK/kapp.pid" 2>/dev/null)
[ -n "$apid" ] && BG_PIDS+=("$apid")
: >"$WORK/kapp.go"
for ((i = 0; i < 600; i++)); do
	[ "$(cat "$WORK/kapp.progress" 2>/dev/null)" = "00000000000000000600" ] && break
	sleep 0.1
done
written() { cat "$K"/channel0_* 2>/dev/null | wc -c; }
for ((i = 0; i < 600; i++)); do
	[ "$(written)" -ge 8192 ] && break
	sleep 0.1
done
tap_ok "$([ -n "$apid" ] && [ "$(written)" -ge 8192 ] && echo 1)" \
	"SIGKILL: the app emitted its 600 iterations and packets were written ($(written) bytes)"
kill -KILL "$rpid"
{ wait "$rpid"; } 2>/dev/null
tap_is "$?" 137 "SIGKILL: sonde record killed"
: >"$WORK/kapp.stop"
for ((i = 0; i < 300; i++)); do
	kill -0 "$apid" 2>/dev/null || break
	sleep 0.1
done
timeout -k 10 60 "$SONDE" view "$K" >"$WORK/killed.view" 2>"$WORK/killed.viewerr"
vrc=$?
nv=$(grep -c ' live:a: ' "$WORK/killed.view")
tap_ok "$([ "$vrc" -eq 0 ] && [ "$nv" -gt 0 ] && echo 1)" "SIGKILL: sonde view reads the trace ($nv live:a)" ||
	tap_diag_file "$WORK/killed.viewerr" 5
st_bt "$K"
nb=$(grep -c ' live:a: ' "$K.bt")
tap_ok "$([ "$BT_RC" -eq 0 ] && [ "$BT_OTHER_ERR" -eq 0 ] && [ "$nb" -eq "$nv" ] && echo 1)" \
	"SIGKILL: babeltrace2 reads it too, the same $nb live:a" || tap_diag_file "$K.bterr" 5
tap_is "$(grep -c ' live:' "$K.bt")" "$(grep -c ' live:' "$WORK/killed.view")" \
	"SIGKILL: the same events in both"

# --- 7. readers and FIFOs ----------------------------------------------
fresh_precious
F=$WORK/fifometa
mkdir "$F"
cp "$WORK/rt"/channel0_* "$F/"
mkfifo "$F/metadata"
timeout -k 5 10 "$SONDE" view "$F" >"$WORK/run.out" 2>"$WORK/run.err"
RC=$?
refused "sonde view on a trace whose metadata is a FIFO"
tap_like "$(cat "$WORK/run.err")" "metadata.*not a regular file" "  the error says so"
F=$WORK/fifostream
mkdir "$F"
cp "$WORK/rt"/* "$F/"
mkfifo "$F/channel0_9"
timeout -k 5 10 "$SONDE" view "$F" >"$WORK/run.out" 2>"$WORK/run.err"
RC=$?
refused "sonde view on a trace with a FIFO among its stream files"
tap_like "$(cat "$WORK/run.err")" "channel0_9.*not a regular file" "  the error says so"

tap_done
