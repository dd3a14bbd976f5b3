#!/bin/bash
# SPDX-License-Identifier: MIT
# test-debug-info: a trace recorded with `sonde record --context vpid,ip`
# is one that `babeltrace2 --debug-info` (filter.lttng-utils.debug-info)
# symbolizes, from the LTTng-UST state dump events libsonde writes into
# the sessions that record ip (lttng_ust_statedump:*, lttng_ust_lib:*):
# every ctxip:small event of test-context-ip gets func = "ip_small+0x..",
# src = "test-context-ip.c:LINE" and bin = "test-context-ip-prog+0x.."
# (the PIE executable, its offset), at -O2 and -O0; the events of a plugin
# dlopen'd after start name the plugin's function and source (a second
# plugin, loaded after the first is closed, its own: lttng_ust_lib:unload
# then load), and those of the executable after the plugins are closed
# still name the executable's.  A session without ip gets no state dump.
# babeltrace2 2.0.4 gives func = "" for a function that GCC split into a
# hot part and FN.cold (its DWARF has DW_AT_ranges, which that version
# does not look in): what GCC does at -O2 with the function of a site,
# the unlikely branch to the out-of-line path going to FN.cold.  For such
# a function the test asks for src and bin, and for func ip_small+0x.. or
# nothing; the -O0 program, and the dlopen program and plugin, built
# with -fno-reorder-blocks-and-partition, must name their functions.
# Usage: test-debug-info.sh SONDE BABELTRACE2 PROG PROG-O0 DIPROG DILIB
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$(st_abs "$1") BT=$(st_abs "$2") PROG=$(st_abs "$3") PROG0=$(st_abs "$4")
DIPROG=$(st_abs "$5") DILIB=$(st_abs "$6")
st_need_bt
"$BT" help filter.lttng-utils.debug-info >/dev/null 2>&1 ||
	tap_skip_all "babeltrace2 has no filter.lttng-utils.debug-info"
st_setup
N=200 # per site, N in test-context-ip.c

# count FILE EVENT FUNC SRC: the EVENT lines of FILE, then those whose
# debug_info names FUNC+0x.. (FUNC? : that or nothing) and the source
# file SRC with a line.
count() {
	local all good func=$3
	case $func in
	*\?) func="(${func%\?}\+0x[0-9a-f]+)?" ;;
	*) func="$func\+0x[0-9a-f]+" ;;
	esac
	all=$(grep -c " $2: " "$1")
	good=$(grep " $2: " "$1" | grep -cE "debug_info = \{ bin = \"[^\"]+\", func = \"$func\", src = \"$4:[0-9]+\" \}")
	echo "$all/$good"
}

# fn PROG FUNC: FUNC, or FUNC? when PROG has a FUNC.cold (see above).
fn() {
	if nm "$1" 2>/dev/null | grep -q " $2\.cold\$"; then echo "$2?"; else echo "$2"; fi
}

# btdi DIR: babeltrace2 --debug-info, into DIR.di, errors into DIR.dierr.
btdi() {
	timeout -k 10 "$ST_TIMEOUT" "$BT" --debug-info "$1" >"$1.di" 2>"$1.dierr"
	DI_RC=$?
}

for prog in "$PROG" "$PROG0"; do
	name=$(basename "$prog")
	st_record "$name" --context vpid,ip -- "$prog"
	tap_is "$REC_RC/$REC_LOST" "0/0" "$name: recorded with --context vpid,ip" ||
		tap_diag_file "$WORK/$name.err"
	btdi "$REC_DIR"
	tap_is "$DI_RC" 0 "$name: babeltrace2 --debug-info reads the trace" ||
		tap_diag_file "$REC_DIR.dierr" 20
	tap_is "$(count "$REC_DIR.di" ctxip:small "$(fn "$prog" ip_small)" test-context-ip.c)" "$N/$N" \
		"$name: every ctxip:small event has func $(fn "$prog" ip_small)+0x.. and src test-context-ip.c:LINE" ||
		{ grep -m 3 ' ctxip:small: ' "$REC_DIR.di" >"$REC_DIR.bad"; tap_diag_file "$REC_DIR.bad"; }
	tap_is "$(grep ' ctxip:small: ' "$REC_DIR.di" | grep -c "bin = \"$name+0x[0-9a-f]*\"")" "$N" \
		"$name: and bin names the executable, with the offset in it"
	tap_is "$(count "$REC_DIR.di" ctxip:big "$(fn "$prog" ip_big)" test-context-ip.c)" "$N/$N" \
		"$name: the same for the in-place tracepoint"
	tap_is "$(grep -c ' lttng_ust_statedump:start: ' "$REC_DIR.di")/$(grep -c ' lttng_ust_statedump:end: ' "$REC_DIR.di")" "1/1" \
		"$name: one state dump"
	tap_is "$(grep ' lttng_ust_statedump:bin_info: ' "$REC_DIR.di" | grep -c "path = \"$(readlink -f "$prog")\", is_pic = 1, has_build_id = 1")" 1 \
		"$name: the executable's bin_info: its path, PIE, with a build id"
	nb=$(grep ' lttng_ust_statedump:bin_info: ' "$REC_DIR.di" | grep -c 'has_build_id = 1')
	tap_is "$((nb > 0))/$(grep ' lttng_ust_statedump:build_id: ' "$REC_DIR.di" | grep -c 'build_id_length = 20,')" \
		"1/$nb" \
		"$name: a build_id event for each object with one (GNU, 20 bytes)"
done

# Plugins dlopen'd after start, each closed before the next (a copy of
# the first under another name, likely loaded where the first was):
# lttng_ust_lib:load for each, unload for the first when the second
# registers, and each one's events name its own object.
cp "$DILIB" "$WORK/dinfo-copy.so"
st_record dl --context ip,vpid -- "$DIPROG" "$DILIB" "$WORK/dinfo-copy.so"
tap_is "$REC_RC/$REC_LOST" "0/0" "the dlopen program is recorded" ||
	tap_diag_file "$WORK/dl.err"
btdi "$REC_DIR"
tap_is "$DI_RC" 0 "babeltrace2 --debug-info reads its trace" ||
	tap_diag_file "$REC_DIR.dierr" 20
tap_is "$(count "$REC_DIR.di" dinfo:exe dinfo_in_exe test-debug-info.c)" "20/20" \
	"the executable's events, before and after the plugins, are symbolized"
tap_is "$(count "$REC_DIR.di" dinfo:lib dinfo_in_lib test-debug-info-lib.c)" "20/20" \
	"the plugins' events name their function and source"
# babeltrace2 2.0.4 keeps what it found for an address in a process even
# after lttng_ust_lib:unload, so the copy's events, at the addresses of
# the first plugin's, may be named after the first.
tap_is "$(grep ' dinfo:lib: ' "$REC_DIR.di" | sed -n 's/.*bin = "\([^"+@]*\)[+@]0x.*/\1/p' | head -n 10 | sort | uniq -c | awk '{ print $1, $2 }')/$(grep ' dinfo:lib: ' "$REC_DIR.di" | grep -cE "bin = \"($(basename "$DILIB")|dinfo-copy.so)\+0x")" \
	"10 $(basename "$DILIB")/20" \
	"and bin names the first plugin for its events, a plugin for all"
tap_is "$(grep ' lttng_ust_lib:load: ' "$REC_DIR.di" | grep -c "path = \"$DILIB\"")/$(grep ' lttng_ust_lib:load: ' "$REC_DIR.di" | grep -c "path = \"$WORK/dinfo-copy.so\"")" "1/1" \
	"lttng_ust_lib:load names each plugin once"
# lttng_ust_lib:load and unload, as "EVENT BADDR" in time order.
libev() {
	grep -E ' lttng_ust_lib:(load|unload): ' "$1" |
		sed -n 's/.* lttng_ust_lib:\([a-z]*\): .*baddr = \(0x[0-9A-Fa-f]*\)[,} ].*/\1 \2/p' |
		tr '\n' ' '
}
base=$(grep ' lttng_ust_lib:load: ' "$REC_DIR.di" | grep "path = \"$DILIB\"" | sed -n 's/.*baddr = \(0x[0-9A-Fa-f]*\),.*/\1/p')
copy=$(grep ' lttng_ust_lib:load: ' "$REC_DIR.di" | grep "dinfo-copy.so" | sed -n 's/.*baddr = \(0x[0-9A-Fa-f]*\),.*/\1/p')
tap_is "$(libev "$REC_DIR.di")" "load $base unload $base load $copy " \
	"lttng_ust_lib:unload gives the first plugin's base address, before the copy's load"

# No state dump where ip is not asked for.
st_record noip --context vpid -- "$PROG"
st_bt "$REC_DIR"
tap_is "$REC_RC/$BT_RC/$(grep -c 'lttng_ust_' "$REC_DIR.bt")/$(grep -c 'lttng_ust_' "$REC_DIR/metadata")" "0/0/0/0" \
	"a session without ip has no state dump event, recorded or declared"
tap_done
