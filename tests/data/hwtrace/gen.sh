#!/bin/bash
# SPDX-License-Identifier: MIT
# gen.sh: (re)make the CoreSight fixture trees of the hwtrace tests.  Each
# board is a sysfs tree laid out as the kernel lays it out (Linux 5.7 and
# later: a connections/ group per device, out:N and in:N links, named
# links to associated CTIs) and a dev/ folder where each sink's character
# device is a regular file:
#   BOARD/sys/bus/coresight/devices/NAME -> ../../../devices/platform/ADDR.TYPE/NAME
#   BOARD/sys/devices/platform/ADDR.TYPE/NAME/{uevent,enable_*,connections/,...}
#   BOARD/dev/NAME
# juno-r1:   the Juno r1 topology of Documentation/trace/coresight/coresight.rst
#            (etm0,3,4,5 -> funnel2; etm1,2 -> funnel1; both -> funnel0 ->
#            tmc_etf0 -> funnel4 -> replicator0 -> {tpiu0, tmc_etr0};
#            stm0 -> tmc_etf1 -> funnel4; cti_cpu0 on etm0, cti_sys0 on the
#            TMCs), device addresses as in that document.
# db410c:    a DragonBoard 410c (msm8916) like board: etm0-3 -> funnel1
#            (APSS) -> funnel0 (in-funnel, port 4) <- stm0 (port 7);
#            funnel0 -> tmc_etf0 -> replicator0 -> {tmc_etr0, tpiu0}.
# synthetic: not a board: the corner cases of the kernel's rules (two ETRs
#            at different depths, a route whose port filters the source, a
#            per-CPU sink) for test-hwtrace-path.
# Usage: gen.sh [DIR] (default: the folder of this script).
set -eu
top=${1:-$(cd "$(dirname "$0")" && pwd)}
board=

dev() { # dev NAME ADDR.TYPE DEVTYPE [CPU]
	local d=$top/$board/sys/devices/platform/$2/$1
	mkdir -p "$d/connections" "$top/$board/sys/bus/coresight/devices"
	ln -sfn "../../../devices/platform/$2/$1" "$top/$board/sys/bus/coresight/devices/$1"
	printf 'DEVTYPE=%s\n' "$3" >"$d/uevent"
	echo 0 >"$d/connections/nr_links"
	case $3 in
	source) echo 0 >"$d/enable_source" ;;
	sink | linksink) echo 0 >"$d/enable_sink" ;;
	helper) echo 0 >"$d/enable" ;;
	esac
	if [ $# -ge 4 ]; then echo "$4" >"$d/cpu"; fi
	echo "$2" >"$top/$board/.addr-$1"
}
path_of() { echo "$top/$board/sys/devices/platform/$(cat "$top/$board/.addr-$1")/$1"; }
bump() { local f=$1/connections/nr_links; echo $(($(cat "$f") + 1)) >"$f"; }
conn() { # conn FROM OUTPORT TO INPORT
	local a b
	a=$(path_of "$1") b=$(path_of "$3")
	ln -sfn "../../../$(cat "$top/$board/.addr-$3")/$3" "$a/connections/out:$2"
	ln -sfn "../../../$(cat "$top/$board/.addr-$1")/$1" "$b/connections/in:$4"
	bump "$a"
	bump "$b"
}
assoc() { # assoc DEV CTI: the named links of a CTI association
	local a b
	a=$(path_of "$1") b=$(path_of "$2")
	ln -sfn "../../../$(cat "$top/$board/.addr-$2")/$2" "$a/connections/$2"
	ln -sfn "../../../$(cat "$top/$board/.addr-$1")/$1" "$b/connections/$1"
}
sinkdev() { # sinkdev NAME [BUFFER_SIZE]: /dev/NAME, TMC management files
	local d
	d=$(path_of "$1")
	mkdir -p "$top/$board/dev" "$d/mgmt"
	: >"$top/$board/dev/$1"
	for r in rsz sts rrp rwp trg ctl ffsr ffcr mode pscr devid; do
		echo 0x0 >"$d/mgmt/$r"
	done
	if [ $# -ge 2 ]; then printf '%#x\n' "$2" >"$d/buffer_size"; fi
}
etm4() { # etm4 NAME TRACEID: ETMv4 registers as etm4x's sysfs shows them
	local d
	d=$(path_of "$1")
	mkdir -p "$d/mgmt" "$d/trcidr"
	printf '0x%x\n' "$2" >"$d/mgmt/trctraceid"
	echo 0x1 >"$d/mgmt/trcconfig"
	echo 0xcc >"$d/mgmt/trcauthstatus"
	echo 0x28000ea1 >"$d/trcidr/trcidr0"
	echo 0x4100f403 >"$d/trcidr/trcidr1"
	echo 0x488 >"$d/trcidr/trcidr2"
	for i in 8 9 10 11 12 13; do echo 0x0 >"$d/trcidr/trcidr$i"; done
}
finish() { rm -f "$top/$board"/.addr-*; }

board=juno-r1
rm -rf "${top:?}/$board"
dev etm0 23040000.etm source 0
dev etm1 22040000.etm source 1
dev etm2 22140000.etm source 2
dev etm3 23140000.etm source 3
dev etm4 23240000.etm source 4
dev etm5 23340000.etm source 5
dev stm0 20100000.stm source
dev funnel0 20040000.funnel link
dev funnel1 220c0000.funnel link
dev funnel2 230c0000.funnel link
dev funnel4 20150000.funnel link
dev tmc_etf0 20010000.etf linksink
dev tmc_etf1 20140000.etf linksink
dev replicator0 20120000.replicator link
dev tpiu0 20030000.tpiu sink
dev tmc_etr0 20070000.etr sink
dev cti_cpu0 23020000.cti helper
dev cti_sys0 20020000.cti helper
# The document's etm0 is the first of the A53 cluster (funnel2); the A57
# pair goes through funnel1.
conn etm0 0 funnel2 0
conn etm3 0 funnel2 1
conn etm4 0 funnel2 2
conn etm5 0 funnel2 3
conn etm1 0 funnel1 0
conn etm2 0 funnel1 1
conn funnel1 0 funnel0 0
conn funnel2 0 funnel0 1
conn funnel0 0 tmc_etf0 0
conn tmc_etf0 0 funnel4 0
conn stm0 0 tmc_etf1 0
conn tmc_etf1 0 funnel4 1
conn funnel4 0 replicator0 0
conn replicator0 0 tpiu0 0
conn replicator0 1 tmc_etr0 0
assoc etm0 cti_cpu0
assoc tmc_etf0 cti_sys0
assoc tmc_etr0 cti_sys0
sinkdev tmc_etf0
sinkdev tmc_etf1
sinkdev tmc_etr0 0x100000
for i in 0 1 2 3 4 5; do etm4 etm$i $((0x10 + 2 * i)); done
finish

board=db410c
rm -rf "${top:?}/$board"
dev etm0 85c000.etm source 0
dev etm1 85d000.etm source 1
dev etm2 85e000.etm source 2
dev etm3 85f000.etm source 3
dev stm0 802000.stm source
dev funnel0 821000.funnel link
dev funnel1 841000.funnel link
dev tmc_etf0 825000.etf linksink
dev replicator0 824000.replicator link
dev tmc_etr0 826000.etr sink
dev tpiu0 820000.tpiu sink
dev cti_cpu0 858000.cti helper
for i in 0 1 2 3; do conn etm$i 0 funnel1 $i; done
conn funnel1 0 funnel0 4
conn stm0 0 funnel0 7
conn funnel0 0 tmc_etf0 0
conn tmc_etf0 0 replicator0 0
conn replicator0 0 tmc_etr0 0
conn replicator0 1 tpiu0 0
assoc etm0 cti_cpu0
sinkdev tmc_etf0
sinkdev tmc_etr0 0x10000
for i in 0 1 2 3; do etm4 etm$i $((0x10 + i)); done
finish

board=synthetic
rm -rf "${top:?}/$board"
# src0, src1, etm0 -> funnelA -> replicatorA:
#   out:0 -> funnelB -> tmc_etr1             (the first route to tmc_etr1)
#   out:1 -> tmc_etr0                        (nearer than tmc_etr1)
#   out:2 -> funnelC -> funnelB -> tmc_etr1  (the second route)
# The tests declare that out:0 carries src1 only (sonde_hw_port_filter():
# sysfs does not show such filters); trbe0 is CPU 0's per-CPU sink, the
# default of etm0 (CPU 0) though no connection leads there.
dev src0 1000.etm source 1
dev src1 1100.stm source
dev etm0 1200.etm source 0
dev funnelA 2000.funnel link
dev funnelB 2100.funnel link
dev funnelC 2200.funnel link
dev replicatorA 3000.replicator link
dev tmc_etr0 4000.etr sink
dev tmc_etr1 4100.etr sink
dev trbe0 trbe0 sink 0
conn src0 0 funnelA 0
conn src1 0 funnelA 1
conn etm0 0 funnelA 2
conn funnelA 0 replicatorA 0
conn replicatorA 0 funnelB 0
conn replicatorA 1 tmc_etr0 0
conn replicatorA 2 funnelC 0
conn funnelC 0 funnelB 1
conn funnelB 0 tmc_etr1 0
sinkdev tmc_etr0 0x1000
sinkdev tmc_etr1 0x1000
finish
