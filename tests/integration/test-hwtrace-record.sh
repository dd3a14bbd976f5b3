#!/bin/bash
# SPDX-License-Identifier: MIT
# test-hwtrace-record: `sonde hw record` through the sysfs backend on a
# copy of the juno-r1 fixture board (tools/sonde/cmd-hw.c,
# src/hwtrace/snapshot.c).
#
# Checks:
#  - while CMD runs, etm0's enable_source and tmc_etr0's enable_sink are 1
#    (CMD reads them); after, every enable file of the board is 0 again;
#    CMD's exit status is record's;
#  - DIR holds the sink's bytes as /dev/tmc_etr0 gave them (two frames of
#    ETMv4 trace, trace ID 0x10, that this test made: A-sync, TraceInfo,
#    TraceOn, a 64-bit address 0x2000, an AArch64 EL1 context, atoms E
#    and N) and snapshot.ini, trace.ini (format=coresight, etm0 ->
#    tmc_etr0), etm0.ini with the fixture's mgmt/ and trcidr/ registers;
#  - the oracle: with a memory image of the code at 0x2000 (cmp; b.ne;
#    ret) added to the core's ini, Debian's trc_pkt_lister decodes the
#    snapshot into the two instruction ranges 0x2000-0x2008, E then N
#    (skipped, said, without libopencsd-bin);
#  - no CoreSight (a missing root): one plain line, exit 1; an unknown
#    source: exit 1 naming it; a missing -o: usage, exit 1.
# Usage: test-hwtrace-record.sh SONDE FIXTURES
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$(st_abs "$1")
FX=$(st_abs "$2")
st_setup
cp -a "$FX/juno-r1" "$WORK/" || tap_bail "cannot copy the fixture"
B=$WORK/juno-r1
S=$B/sys/bus/coresight/devices
printf '\x21\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x01\x00\x00\x04\x9d\x00\x10\x00\x00\x00\x00\x00\x00\x80\x31\xf6\xf6\x01\x60' \
	>"$B/dev/tmc_etr0"

timeout -k 10 60 "$SONDE" hw record --sysfs "$S" --dev "$B/dev" -s etm0 -o "$WORK/rec" -- \
	sh -c "cat '$S/etm0/enable_source' '$S/tmc_etr0/enable_sink' >'$WORK/during'; exit 3" \
	>"$WORK/out" 2>"$WORK/err"
tap_is "$?" 3 "record exits with CMD's status (3)" || tap_diag_file "$WORK/err"
tap_is "$(tr '\n' ' ' <"$WORK/during")" "1 1 " "during CMD: etm0 started, tmc_etr0 activated"
tap_is "$(cat "$S"/*/enable_source "$S"/*/enable_sink "$S"/*/enable | sort -u)" "0" \
	"after: every enable file of the board is 0"
tap_ok "$(cmp -s "$B/dev/tmc_etr0" "$WORK/rec/tmc_etr0.bin" && echo 1)" "DIR/tmc_etr0.bin holds the sink's 32 bytes"
tap_is "$(grep -E '^(device[0-9]|metadata)=' "$WORK/rec/snapshot.ini" | tr '\n' ' ')" \
	"device0=etm0.ini device1=cpu_etm0.ini metadata=trace.ini " "snapshot.ini lists the ETM, its core and trace.ini"
tap_is "$(grep -E '^(file|format|etm0|cpu_etm0)=' "$WORK/rec/trace.ini" | tr '\n' ' ')" \
	"file=tmc_etr0.bin format=coresight etm0=tmc_etr0 cpu_etm0=etm0 " "trace.ini: the buffer, its format, its source and core"
tap_is "$(grep -E '^TRC(TRACEIDR|IDR0|IDR1|CONFIGR)\(' "$WORK/rec/etm0.ini" | tr '\n' ' ')" \
	"TRCCONFIGR(id:0x4)=0x1 TRCTRACEIDR(id:0x10)=0x10 TRCIDR0(id:0x78)=0x28000ea1 TRCIDR1(id:0x79)=0x4100f403 " \
	"etm0.ini: the registers of the fixture's mgmt/ and trcidr/"

if command -v trc_pkt_lister >/dev/null; then
	printf '\x1f\x10\x00\xf1\xe1\xff\xff\x54\xc0\x03\x5f\xd6' >"$WORK/rec/mem_2000.bin"
	printf '\n[dump1]\nfile=mem_2000.bin\naddress=0x2000\nspace=EL1N\n' >>"$WORK/rec/cpu_etm0.ini"
	trc_pkt_lister -ss_dir "$WORK/rec" -decode -no_time_print >"$WORK/tpl" 2>&1
	tap_is "$(grep -o 'INSTR_RANGE(exec range=0x2000:\[0x2008\] num_i(2) last_sz(4) (ISA=A64) [EN]' "$WORK/tpl" | tr '\n' ' ')" \
		"INSTR_RANGE(exec range=0x2000:[0x2008] num_i(2) last_sz(4) (ISA=A64) E INSTR_RANGE(exec range=0x2000:[0x2008] num_i(2) last_sz(4) (ISA=A64) N " \
		"trc_pkt_lister decodes the snapshot: 0x2000-0x2008 taken, then not taken" || tap_diag_file "$WORK/tpl"
else
	tap_diag "trc_pkt_lister not installed (Debian libopencsd-bin): the oracle check is skipped"
fi

timeout -k 10 60 "$SONDE" hw record --sysfs "$WORK/none" -s etm0 -o "$WORK/rec2" -- true >"$WORK/out" 2>"$WORK/err"
tap_is "$?" 1 "no CoreSight: exit 1"
tap_is "$(cat "$WORK/err")" "sonde: no CoreSight devices: $WORK/none does not exist (this machine has no CoreSight hardware, or its drivers are not loaded)" \
	"said in one plain line"
tap_ok "$([ ! -e "$WORK/rec2" ] && echo 1)" "and no output directory made"
timeout -k 10 60 "$SONDE" hw record --sysfs "$S" --dev "$B/dev" -s etm9 -o "$WORK/rec3" -- true >"$WORK/out" 2>"$WORK/err"
tap_ok "$([ $? = 1 ] && grep -q 'no trace device named etm9' "$WORK/err" && echo 1)" "an unknown source: exit 1, named"
timeout -k 10 60 "$SONDE" hw record --sysfs "$S" -s etm0 -- true >"$WORK/out" 2>"$WORK/err"
tap_ok "$([ $? = 1 ] && grep -q 'give -s SOURCE, -o DIR' "$WORK/err" && echo 1)" "no -o: usage, exit 1"
tap_done
