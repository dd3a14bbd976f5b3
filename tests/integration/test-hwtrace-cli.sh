#!/bin/bash
# SPDX-License-Identifier: MIT
# test-hwtrace-cli: `sonde hw list` and `sonde hw path` on the fixture
# boards of tests/data/hwtrace/ (tools/sonde/cmd-hw.c).
#
# Checks:
#  - list: each source at column 0, what it feeds indented under it with
#    its ports and kind, a device printed once then "..."; helpers named;
#  - path: the path the kernel's rules give, default and named sinks, by
#    --sysfs and by $SONDE_HWTRACE_SYSFS; a sink no route reaches is
#    exit 1 with one line naming both ends;
#  - with no CoreSight (a missing root, as on this x86 machine's real
#    /sys/bus/coresight), one plain line saying so, exit 1.
# Usage: test-hwtrace-cli.sh SONDE FIXTURES
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$(st_abs "$1")
FX=$(st_abs "$2")
st_setup

run() {
	timeout -k 10 60 "$SONDE" "$@" >"$WORK/out" 2>"$WORK/err"
	RC=$?
	OUT=$(cat "$WORK/out")
	ERR=$(cat "$WORK/err")
}
juno=(--sysfs "$FX/juno-r1/sys/bus/coresight/devices" --dev "$FX/juno-r1/dev")
db=(--sysfs "$FX/db410c/sys/bus/coresight/devices" --dev "$FX/db410c/dev")

run hw list "${juno[@]}"
tap_is "$RC" 0 "hw list on juno-r1 exits 0" || tap_diag "$ERR"
tap_is "$(sed -n 1,8p "$WORK/out")" "etm0 [source, cpu 0] helpers: cti_cpu0
  out:0 -> funnel2 (in:0) [link]
    out:0 -> funnel0 (in:1) [link]
      out:0 -> tmc_etf0 (in:0) [linksink, buffer] helpers: cti_sys0
        out:0 -> funnel4 (in:0) [link]
          out:0 -> replicator0 (in:0) [link]
            out:0 -> tpiu0 (in:0) [sink, port]
            out:1 -> tmc_etr0 (in:0) [sink, sysmem] helpers: cti_sys0" \
	"hw list: etm0's tree down to tpiu0 and tmc_etr0"
tap_is "$(grep -c '^[a-z]' "$WORK/out")" 9 "hw list: 7 sources and 2 helpers at column 0"
tap_ok "$(grep -qx '  out:0 -> funnel1 (in:0) \[link\]' "$WORK/out" && grep -qx '    out:0 -> funnel0 (in:0) \[link\] ...' "$WORK/out" && echo 1)" \
	"hw list: etm1 -> funnel1 -> funnel0, which was printed already"

run hw list "${db[@]}"
tap_ok "$( [ "$RC" = 0 ] && grep -qx 'stm0 \[source\]' "$WORK/out" && grep -qx '  out:0 -> funnel0 (in:7) \[link\] ...' "$WORK/out" && echo 1)" \
	"hw list on db410c: stm0 feeds funnel0's port 7"

run hw path "${juno[@]}" etm0
tap_is "$OUT" "etm0 -> funnel2 -> funnel0 -> tmc_etf0 -> funnel4 -> replicator0 -> tmc_etr0" \
	"hw path etm0: to the ETR, the default sink"
run hw path "${juno[@]}" etm0 tmc_etf0
tap_is "$OUT" "etm0 -> funnel2 -> funnel0 -> tmc_etf0" "hw path etm0 tmc_etf0"
SONDE_HWTRACE_SYSFS=$FX/db410c/sys/bus/coresight/devices run hw path stm0 tpiu0
tap_is "$OUT" "stm0 -> funnel0 -> tmc_etf0 -> replicator0 -> tpiu0" \
	"hw path by \$SONDE_HWTRACE_SYSFS on db410c"
run hw path "${juno[@]}" stm0 tmc_etf0
tap_is "$RC" 1 "hw path stm0 tmc_etf0 (no route): exit 1"
tap_is "$ERR" "sonde: no path: no route from stm0 to tmc_etf0" "and one line naming both ends"
run hw path "${juno[@]}" funnel0
tap_is "$ERR" "sonde: no path: funnel0 is a link, not a trace source" "a link is no source"

run hw list --sysfs "$WORK/none/sys/bus/coresight/devices"
tap_is "$RC" 1 "hw list without CoreSight: exit 1"
tap_is "$ERR" "sonde: no CoreSight devices: $WORK/none/sys/bus/coresight/devices does not exist (this machine has no CoreSight hardware, or its drivers are not loaded)" \
	"one plain line says there is no CoreSight"
if [ ! -e /sys/bus/coresight/devices ]; then
	run hw list
	tap_ok "$( [ "$RC" = 1 ] && grep -q 'no CoreSight devices: /sys/bus/coresight/devices does not exist' "$WORK/err" && echo 1)" \
		"this machine's own sysfs: no CoreSight, said plainly"
fi
tap_done
