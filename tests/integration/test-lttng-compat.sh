#!/bin/bash
# SPDX-License-Identifier: MIT
# test-lttng-compat: the LTTng-UST compatibility headers (include/sonde-lttng).
# The compat app (lttng-compat/: tp.h in LTTng-UST 2.13's API version 1,
# tp0.h in version 0, tp.c, tp0.c, other.c, app.c), built unchanged with
# only include/sonde-lttng first on the include path, is recorded by
# `sonde record`, and its trace compared through babeltrace2 with the trace
# of native.c, the same events written with sonde's own API: every payload,
# field for field, in order, and every event class's log level.  The same
# for the app built as C++.  --loglevel and --loglevel-only select by the
# levels LTTNG_UST_TRACEPOINT_LOGLEVEL and TRACEPOINT_LOGLEVEL gave.  The
# app's tracef(3) and tracelog(3) messages (<lttng/tracef.h>,
# <lttng/tracelog.h>) are events named as LTTng-UST names them, whose msg
# sonde view renders, and --loglevel selects the tracelog ones.  And
# where LTTng-UST and lttng-tools are installed, the same sources are built
# against LTTng-UST itself and traced by a session daemon: its payloads are
# the oracle for sonde's, and its messages for sonde view's (skipped, with
# a reason, where they are not).
# Usage: test-lttng-compat.sh SONDE BABELTRACE2 PROG CXXPROG NATIVE SRCDIR [CC]
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$(st_abs "$1") BT=$(st_abs "$2") PROG=$(st_abs "$3") CXXPROG=$(st_abs "$4")
NATIVE=$(st_abs "$5") SRCDIR=$6 CC=${7:-cc}
st_need_bt
st_setup

NEVENTS=27

# payloads DIR: "provider:name: { payload }" per event, in trace order.
payloads() {
	st_bt "$1"
	st_norm "$1.bt" | awk -F'\t' '{ print $4 ":" ($5 == "" ? "" : " { " $5 " }") }'
}

# levels DIR [PREFIX]: "provider:name=Level" of every event class in the
# metadata (babeltrace2's sink.text.details) whose name starts with PREFIX
# (compat), sorted, once each, on one line; "none" for a class without a
# level.
levels() {
	"$BT" -c sink.text.details -p 'with-data=no,color="never"' "$1" 2>/dev/null |
		awk '/Event class `/ { if (n) print n "=" l; n = $3; gsub(/`/, "", n); l = "none"; next }
		     /Log level:/ { l = $3 }
		     END { if (n) print n "=" l }' |
		grep "^${2:-compat}" | sort -u | tr '\n' ' '
}

# The app's tracef and tracelog events, apart from the events native.c
# has too.
TF='^lttng_ust_trace(f|log):'

# msgs FILE: "provider:name: line = N, func = "F", msg = "M"" (line and
# func for tracelog only) of every tracef/tracelog event in FILE, one line
# of babeltrace2's or sonde view's payloads each ("name: { ... }").
msgs() {
	grep -E "$TF" "$1" |
		sed -E 's/^([^ ]+:) \{ (line = [0-9]+, )?(file = "[^"]*", )?(func = "[^"]*", )?.*(msg = "([^"\\]|\\.)*") \}$/\1 \2\4\5/'
}

# rec NAME PROG [OPTIONS...]: record PROG into $WORK/NAME; checks the exit
# status and the summary line (WANT events, 0 lost; WANT unset: any).
rec() {
	local name=$1 prog=$2
	shift 2
	st_record "$name" "$@" -- "$prog"
	tap_is "$REC_RC/${REC_LOST:-?}" "0/0" "sonde record $name: exit 0, 0 lost ($REC_EVENTS events)" ||
		tap_diag_file "$WORK/$name.err"
}

rec native "$NATIVE"
payloads "$WORK/native" >"$WORK/native.txt"
tap_is "$(wc -l <"$WORK/native.txt")/$BT_RC/$BT_OTHER_ERR" "$NEVENTS/0/0" \
	"babeltrace2 reads $NEVENTS events of the native program, without complaint"

for v in c cxx; do
	if [ "$v" = c ]; then p=$PROG; else p=$CXXPROG; fi
	rec "compat-$v" "$p"
	payloads "$WORK/compat-$v" >"$WORK/compat-$v.all"
	grep -Ev "$TF" "$WORK/compat-$v.all" >"$WORK/compat-$v.txt"
	tap_is "$BT_RC/$BT_OTHER_ERR" "0/0" "babeltrace2 reads the compat app's trace ($v)" ||
		tap_diag_file "$WORK/compat-$v.bterr" 10
	if diff -u "$WORK/native.txt" "$WORK/compat-$v.txt" >"$WORK/compat-$v.diff"; then
		tap_ok 1 "compat app ($v): its $NEVENTS payloads are the native program's, field for field"
	else
		tap_ok 0 "compat app ($v): its payloads are the native program's, field for field"
		tap_diag_file "$WORK/compat-$v.diff" 40
	fi
done

# What the fields hold, spelled out for a few of them, so that a fault
# shared by both programs shows too.
grep -q '^compat:ints: { i = 42, ihex = 0x2A, port = 8080, bignet = 0x102030405060708, d = 3.5, f = 3.5, s = "hello", neg = -42 }$' "$WORK/compat-c.txt"
tap_is "$?" 0 "integers, hex, network byte order (htons, htobe64), floats, a string; nowrite and unused fields absent"
grep -q '^compat:req_fail: { id = 2, path = "/missing", _body_length = 9, body = "GET body!", addr = 0x7F000001 }$' "$WORK/compat-c.txt"
tap_is "$?" 0 "an event class's instance: text sequence, network hex (htonl) and its own name"
tap_is "$(grep -c '^compat:enums: { st = ( "\(NEG\|IDLE\|BUSY\|DONE\)" : container = \(-3\|0\|3\|6\) ), st8' "$WORK/compat-c.txt")" 4 \
	"enumeration labels: value, value, range, auto (previous end + 1)"
grep -q '^compat0:sample: { n = 20, nx = 0x14, n16 = -2, n32 = 0xFF, half = 10, name = "after", color = ( "AFTER_BLUES" : container = 20 ) }$' "$WORK/compat-c.txt"
tap_is "$?" 0 "version 0 spelling (ctf_*, TRACEPOINT_ENUM, ctf_enum_auto)"
tap_is "$(grep -c '^compat:costly: { sum = 5050 }$' "$WORK/compat-c.txt")/$(grep -c '^compat0:first: ' "$WORK/compat-c.txt")" \
	"1/2" "lttng_ust_tracepoint_enabled + lttng_ust_do_tracepoint, tracepoint_enabled + do_tracepoint"
tap_is "$(grep -c '^compat:req_end: { id = 5, path = "/other"' "$WORK/compat-c.txt")" 1 \
	"a second source file's call site of the same provider"

# Log levels in the metadata.
want_lv="compat0:first=none compat0:sample=Error compat0:second=Debug compat0:vecs=none compat:arrays=none compat:costly=none compat:enums=Notice compat:ints=none compat:req_begin=Info compat:req_end=none compat:req_fail=Critical compat:seqs=none compat:tick=Warning "
tap_is "$(levels "$WORK/compat-c")" "$want_lv" "each event class's log level is in the metadata (LTTNG_UST_ and TRACE_ names)"
tap_is "$(levels "$WORK/native")" "$want_lv" "  as the native program's"

# names DIR: "name=count" of every compat event, sorted, on one line.
names() {
	"$BT" "$1" 2>/dev/null | grep -o ' compat[0-9]*:[a-z_]*:' | sort | uniq -c |
		awk '{ printf "%s%s=%s", (NR > 1 ? " " : ""), substr($2, 1, length($2) - 1), $1 }'
}
rec sel-warn "$PROG" -e 'compat*' --loglevel WARNING
tap_is "$(names "$WORK/sel-warn")" "compat0:sample=4 compat:req_fail=1 compat:tick=1" \
	"--loglevel WARNING: CRIT, ERR and WARNING events"
rec sel-info "$PROG" --loglevel-only TRACE_INFO
tap_is "$(names "$WORK/sel-info")" "compat:req_begin=1" "--loglevel-only TRACE_INFO: the INFO instance alone"

# tracef and tracelog: LTTng-UST's event names, each message's arguments
# typed (babeltrace2), tracelog's line, file and func first.
tfnames() {
	grep -Eo "$TF[A-Z_a-z]*" "$1" | sed 's/LTTNG_UST_TRACEPOINT_LOGLEVEL_/LL_/' | tr '\n' ' '
}
for v in c cxx; do
	tap_is "$(tfnames "$WORK/compat-$v.all")" "lttng_ust_tracef:event lttng_ust_tracef:event lttng_ust_tracef:event lttng_ust_tracef:event lttng_ust_tracelog:LL_CRIT lttng_ust_tracef:event lttng_ust_tracelog:LL_NOTICE lttng_ust_tracelog:LL_WARNING lttng_ust_tracelog:LL_ERR lttng_ust_tracelog:LL_INFO lttng_ust_tracelog:LL_DEBUG " \
		"tracef, lttng_ust_tracef, vtracef, lttng_ust_vtracef, tracelog, lttng_ust_tracelog, vtracelog, lttng_ust_vtracelog: LTTng-UST's event names ($v)"
done
grep -q '^lttng_ust_tracef:event: { arg0 = "ust", arg1 = 2.5, arg2 = 0x2A, arg3 = 122, arg4 = 18446744073709551615 }$' "$WORK/compat-c.all"
tap_is "$?" 0 "tracef's arguments, typed fields"
grep -Eq '^lttng_ust_tracelog:LTTNG_UST_TRACEPOINT_LOGLEVEL_ERR: \{ line = [0-9]+, file = "[^"]*app\.c", func = "main", arg0 = "disk", arg1 = 0x1000 \}$' "$WORK/compat-c.all"
tap_is "$?" 0 "tracelog's line, file and func, then its arguments"
tap_is "$(levels "$WORK/compat-c" lttng_ust_trace)" \
	"lttng_ust_tracef:event=Debug lttng_ust_tracelog:LTTNG_UST_TRACEPOINT_LOGLEVEL_CRIT=Critical lttng_ust_tracelog:LTTNG_UST_TRACEPOINT_LOGLEVEL_DEBUG=Debug lttng_ust_tracelog:LTTNG_UST_TRACEPOINT_LOGLEVEL_ERR=Error lttng_ust_tracelog:LTTNG_UST_TRACEPOINT_LOGLEVEL_INFO=Info lttng_ust_tracelog:LTTNG_UST_TRACEPOINT_LOGLEVEL_NOTICE=Notice lttng_ust_tracelog:LTTNG_UST_TRACEPOINT_LOGLEVEL_WARNING=Warning " \
	"log levels: tracelog's, and DEBUG for tracef, as LTTng-UST gives them"
rec sel-tl "$PROG" -e 'lttng_ust_*' --loglevel WARNING
payloads "$WORK/sel-tl" >"$WORK/sel-tl.txt"
tap_is "$(tfnames "$WORK/sel-tl.txt")" "lttng_ust_tracelog:LL_CRIT lttng_ust_tracelog:LL_WARNING lttng_ust_tracelog:LL_ERR " \
	"-e 'lttng_ust_*' --loglevel WARNING: the CRIT, WARNING and ERR messages, no tracef"

# sonde view prints what babeltrace2 prints.
timeout -k 10 "$ST_TIMEOUT" "$SONDE" view "$WORK/compat-c" >"$WORK/view" 2>"$WORK/view.err"
tap_is "$?" 0 "sonde view reads the compat app's trace" || tap_diag_file "$WORK/view.err"
sed -nE 's/^\[[^]]*\] \([^)]*\) cpu [0-9]+ pid -?[0-9]+ tid -?[0-9]+ ([^ ]+:)( (.*))?$/\1 \3/p' "$WORK/view" |
	grep -v '^sonde:thread:' | sed -E 's/^([^ ]+:) $/\1 { }/' >"$WORK/view.all"
grep -Ev "$TF" "$WORK/view.all" >"$WORK/view.got"
sed -E 's/^([^ ]+:)$/\1 { }/' "$WORK/compat-c.txt" >"$WORK/bt.got"
if diff -u "$WORK/bt.got" "$WORK/view.got" >"$WORK/view.diff"; then
	tap_ok 1 "sonde view prints every payload as babeltrace2 does"
else
	tap_ok 0 "sonde view prints every payload as babeltrace2 does"
	tap_diag_file "$WORK/view.diff" 40
fi
# The messages, as printf(3) writes them, from sonde view.
cat >"$WORK/msgs.want" <<'EOF'
lttng_ust_tracef:event: msg = "tracef 1 one"
lttng_ust_tracef:event: msg = "ust: [ 2.50] [2a  ] [z] [18446744073709551615]"
lttng_ust_tracef:event: msg = "no arguments"
lttng_ust_tracef:event: msg = "vtracef 3 of three"
lttng_ust_tracelog:LTTNG_UST_TRACEPOINT_LOGLEVEL_CRIT: line = L, func = "app_log", msg = "vtracelog 3 of three"
lttng_ust_tracef:event: msg = "vtracef 4 of four"
lttng_ust_tracelog:LTTNG_UST_TRACEPOINT_LOGLEVEL_NOTICE: line = L, func = "app_log", msg = "vtracelog 4 of four"
lttng_ust_tracelog:LTTNG_UST_TRACEPOINT_LOGLEVEL_WARNING: line = L, func = "main", msg = "tracelog 5"
lttng_ust_tracelog:LTTNG_UST_TRACEPOINT_LOGLEVEL_ERR: line = L, func = "main", msg = "err disk at 0x1000"
lttng_ust_tracelog:LTTNG_UST_TRACEPOINT_LOGLEVEL_INFO: line = L, func = "main", msg = "info -1099511627776"
lttng_ust_tracelog:LTTNG_UST_TRACEPOINT_LOGLEVEL_DEBUG: line = L, func = "main", msg = "debug 1.235e+04"
EOF
msgs "$WORK/view.all" >"$WORK/view.msgs"
if sed -E 's/line = [0-9]+,/line = L,/' "$WORK/view.msgs" | diff -u "$WORK/msgs.want" - >"$WORK/msgs.diff"; then
	tap_ok 1 "sonde view: each tracef and tracelog message, as printf writes it"
else
	tap_ok 0 "sonde view: each tracef and tracelog message, as printf writes it"
	tap_diag_file "$WORK/msgs.diff" 40
fi

# skip N REASON: N checks skipped, in TAP's words.
skip() {
	local i
	for i in $(seq "$1"); do
		tap_ok 1 "# SKIP $2"
	done
}

# The oracle: the same sources against LTTng-UST, traced by LTTng.
lttng_oracle() {
	local why="" sd="" lflags i
	command -v lttng >/dev/null && command -v lttng-sessiond >/dev/null || why="lttng-tools not installed"
	[ -z "$why" ] && { lflags=$(pkg-config --cflags --libs lttng-ust 2>/dev/null) || why="liblttng-ust-dev not installed"; }
	if [ -n "$why" ]; then
		skip 5 "LTTng-UST oracle: $why"
		return
	fi
	# shellcheck disable=SC2086
	"$CC" -O2 -I"$SRCDIR" -o "$WORK/app-lttng" "$SRCDIR/app.c" "$SRCDIR/other.c" \
		"$SRCDIR/tp.c" "$SRCDIR/tp0.c" $lflags -llttng-ust-common -ldl >"$WORK/lttng-cc.err" 2>&1
	tap_is "$?" 0 "the same sources build against LTTng-UST" || { tap_diag_file "$WORK/lttng-cc.err"; return; }
	export LTTNG_HOME=$WORK/lttng-home
	mkdir -p "$LTTNG_HOME"
	# Our own session daemon, unless one answers already (then ours
	# exits at once and that one is used; only our session is touched).
	if ! lttng list >/dev/null 2>&1; then
		lttng-sessiond --no-kernel >"$WORK/sessiond.log" 2>&1 &
		sd=$!
		for i in $(seq 50); do
			lttng list >/dev/null 2>&1 && break
			sleep 0.1
		done
	fi
	local s=sonde-compat-$$
	{ lttng create "$s" -o "$WORK/lttng-trace" &&
	  lttng enable-event -s "$s" -u 'compat*,lttng_ust_tracef:*,lttng_ust_tracelog:*' &&
	  lttng start "$s" &&
	  LTTNG_UST_REGISTER_TIMEOUT=10000 timeout -k 5 60 "$WORK/app-lttng" &&
	  lttng stop "$s" && lttng destroy "$s"; } >"$WORK/lttng.log" 2>&1
	local rc=$?
	[ -n "$sd" ] && { kill "$sd"; wait "$sd"; } 2>/dev/null
	if [ "$rc" -ne 0 ]; then
		skip 4 "LTTng-UST oracle: no usable session daemon here ($(tail -n 1 "$WORK/lttng.log"))"
		return
	fi
	payloads "$WORK/lttng-trace" >"$WORK/lttng.all"
	grep -Ev "$TF" "$WORK/lttng.all" >"$WORK/lttng.txt"
	if diff -u "$WORK/lttng.txt" "$WORK/compat-c.txt" >"$WORK/lttng.diff"; then
		tap_ok 1 "LTTng-UST's trace of the same sources: the same $(wc -l <"$WORK/lttng.txt") payloads, field for field"
	else
		tap_ok 0 "LTTng-UST's trace of the same sources: the same payloads, field for field"
		tap_diag_file "$WORK/lttng.diff" 40
	fi
	# LTTng gives DEBUG_LINE to an event without a level, which sonde
	# leaves out of its metadata: compare the levels sonde gives.
	local got want
	want=$(levels "$WORK/lttng-trace" | tr ' ' '\n' | grep -Fx -f <(levels "$WORK/compat-c" | tr ' ' '\n' | grep -v '=none$') | tr '\n' ' ')
	got=$(levels "$WORK/compat-c" | tr ' ' '\n' | grep -v '=none$' | tr '\n' ' ')
	tap_is "$want" "$got" "  and the same log levels"
	# LTTng-UST's msg, formatted by the program, against sonde view's,
	# rendered from the format and the values; tracelog's line and func.
	msgs "$WORK/lttng.all" >"$WORK/lttng.msgs"
	if [ -s "$WORK/lttng.msgs" ] &&
	   diff -u "$WORK/lttng.msgs" "$WORK/view.msgs" >"$WORK/lttng-msgs.diff"; then
		tap_ok 1 "  and LTTng-UST's $(wc -l <"$WORK/lttng.msgs") tracef and tracelog messages are sonde view's"
	else
		tap_ok 0 "  and LTTng-UST's tracef and tracelog messages are sonde view's"
		tap_diag_file "$WORK/lttng-msgs.diff" 40
	fi
	want=$(levels "$WORK/lttng-trace" lttng_ust_trace | tr ' ' '\n' | grep -Fx -f <(levels "$WORK/compat-c" lttng_ust_trace | tr ' ' '\n') | tr '\n' ' ')
	tap_is "$want" "$(levels "$WORK/compat-c" lttng_ust_trace)" "  and their log levels"
}
lttng_oracle
tap_done
