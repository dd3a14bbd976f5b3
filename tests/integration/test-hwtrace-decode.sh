#!/bin/bash
# SPDX-License-Identifier: MIT
# test-hwtrace-decode: `sonde hw decode DIR` (src/hwtrace/decode.c,
# snapini.c, tools/sonde/cmd-hw.c) on the snapshot that `sonde hw record`
# writes from the juno-r1 fixture, with the ETMv4 trace of
# test-hwtrace-record (trace ID 0x10: A-sync, TraceInfo, TraceOn, address
# 0x2000, an AArch64 EL1 context, atoms E then N) and a memory image of
# the code at 0x2000 (cmp; b.ne; ret).
#
# Checks:
#  - frame-formatted (format=coresight) and raw single-source
#    (format=source_data) trace decode into 0x2000-0x2008 taken, then not
#    taken, with trace-on and the context before; and, where Debian's
#    trc_pkt_lister (libopencsd-bin) is installed, the same instruction
#    ranges in the same order as the oracle's, and with --raw the same
#    generic elements at the same byte indexes;
#  - the memory image missing: the ranges are memory-missing at 0x2000,
#    as the oracle says, exit 0, and the missing file is named;
#  - random bytes as the trace (both formats): no crash, exit 0 or 1 with
#    a sonde: line;
#  - a bad snapshot.ini, no snapshot.ini, an unknown core type, an ETMv3
#    source, a symbolic link as the trace, a trace file that is absent:
#    exit 1 and one clear line;
#  - libsonde.so does not depend on libopencsd.
# Usage: test-hwtrace-decode.sh SONDE FIXTURES LIBSONDE_SO
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$(st_abs "$1")
FX=$(st_abs "$2")
LIBSONDE=$(st_abs "$3")
st_setup
cp -a "$FX/juno-r1" "$WORK/" || tap_bail "cannot copy the fixture"
B=$WORK/juno-r1
S=$B/sys/bus/coresight/devices
printf '\x21\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x01\x00\x00\x04\x9d\x00\x10\x00\x00\x00\x00\x00\x00\x80\x31\xf6\xf6\x01\x60' \
	>"$B/dev/tmc_etr0"
timeout -k 10 60 "$SONDE" hw record --sysfs "$S" --dev "$B/dev" -s etm0 -o "$WORK/fmt" -- true \
	>"$WORK/out" 2>"$WORK/err" || { tap_diag_file "$WORK/err"; tap_bail "sonde hw record failed"; }
printf '\x1f\x10\x00\xf1\xe1\xff\xff\x54\xc0\x03\x5f\xd6' >"$WORK/fmt/mem_2000.bin"
printf '\n[dump1]\nfile=mem_2000.bin\naddress=0x2000\nspace=EL1N\n' >>"$WORK/fmt/cpu_etm0.ini"
# The same trace as one source's bytes (the frames' ID 0x10 data).
cp -a "$WORK/fmt" "$WORK/raw"
printf '\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x01\x00\x04\x9d\x00\x10\x00\x00\x00\x00\x00\x00\x81\x31\xf7\xf6' \
	>"$WORK/raw/tmc_etr0.bin"
sed -i 's/^format=coresight$/format=source_data/' "$WORK/raw/trace.ini"

have_oracle=
command -v trc_pkt_lister >/dev/null && have_oracle=1
[ -n "$have_oracle" ] ||
	tap_diag "trc_pkt_lister not installed (Debian libopencsd-bin): the oracle checks are skipped"

decode() { # decode NAME DIR [OPTIONS]: $WORK/NAME.out, .err, .rc
	local n=$1 d=$2
	shift 2
	timeout -k 10 60 "$SONDE" hw decode "$@" "$d" >"$WORK/$n.out" 2>"$WORK/$n.err"
	echo $? >"$WORK/$n.rc"
}
# Instruction ranges as "START-END E|N", one a line.
ranges_sonde() {
	sed -n 's/^range \(0x[0-9a-f]*-0x[0-9a-f]*\) last=\([a-z-]*\) .*/\1 \2/p' "$1" |
		sed 's/ taken$/ E/; s/ not-taken$/ N/'
}
ranges_oracle() {
	sed -n 's/.*OCSD_GEN_TRC_ELEM_INSTR_RANGE(exec range=\(0x[0-9a-f]*\):\[\(0x[0-9a-f]*\)\].*(ISA=[A-Za-z0-9]*) \([EN]\).*/\1-\2 \3/p' "$1"
}
# Generic elements as "IDX STRING".
elems_sonde() { sed -n 's/^idx=\([0-9]*\) trace_id=0x10 \(.*\)$/\1 \2/p' "$1"; }
elems_oracle() { sed -n 's/^Idx:\([0-9]*\); ID:10; \(OCSD_GEN_TRC_ELEM.*\)$/\1 \2/p' "$1"; }

for f in fmt raw; do
	decode "$f" "$WORK/$f"
	tap_is "$(cat "$WORK/$f.rc")" 0 "$f: decode exits 0" || tap_diag_file "$WORK/$f.err"
	tap_is "$(ranges_sonde "$WORK/$f.out" | tr '\n' ' ')" "0x2000-0x2008 E 0x2000-0x2008 N " \
		"$f: two ranges 0x2000-0x2008, taken then not taken" || tap_diag_file "$WORK/$f.out"
	tap_is "$(grep -v '^range' "$WORK/$f.out" | tr '\n' '|')" \
		"no-sync trace_id=0x10|trace-on reason=normal trace_id=0x10|context isa=A64 el=1 security=non-secure trace_id=0x10|end-of-trace trace_id=0x10|" \
		"$f: no-sync, trace-on, the EL1 A64 context, end of trace"
	tap_is "$(grep -c '^range 0x2000-0x2008 last=[a-z-]* isa=A64 instrs=2 trace_id=0x10$' "$WORK/$f.out")" 2 \
		"$f: each range says its ISA, its length and its trace ID"
	decode "$f-r" "$WORK/$f" --raw
	if [ -n "$have_oracle" ]; then
		(cd "$WORK" && trc_pkt_lister -ss_dir "$WORK/$f" -decode -no_time_print) >"$WORK/$f.tpl" 2>&1
		tap_is "$(ranges_sonde "$WORK/$f.out")" "$(ranges_oracle "$WORK/$f.tpl")" \
			"$f: the same ranges, in the same order, as trc_pkt_lister" || tap_diag_file "$WORK/$f.tpl"
		tap_is "$(elems_sonde "$WORK/$f-r.out")" "$(elems_oracle "$WORK/$f.tpl")" \
			"$f: --raw gives trc_pkt_lister's generic elements at the same indexes" ||
			tap_diag_file "$WORK/$f-r.out"
	fi
done

# The memory image missing.
cp -a "$WORK/fmt" "$WORK/nomem"
rm "$WORK/nomem/mem_2000.bin"
decode nomem "$WORK/nomem"
tap_is "$(cat "$WORK/nomem.rc")" 0 "no memory image: exit 0" || tap_diag_file "$WORK/nomem.err"
tap_is "$(grep -c '^memory-missing 0x2000 trace_id=0x10$' "$WORK/nomem.out")" 1 \
	"no memory image: memory-missing at 0x2000, no range" || tap_diag_file "$WORK/nomem.out"
tap_is "$(grep -c '^range' "$WORK/nomem.out")" 0 "no memory image: no range made up"
tap_ok "$(grep -q 'memory image mem_2000.bin (\[dump1\] of cpu_etm0.ini, at 0x2000) cannot be read: No such file or directory' "$WORK/nomem.err" &&
	grep -q "the code's memory was missing (first at 0x2000)" "$WORK/nomem.err" && echo 1)" \
	"no memory image: the file and the missing memory are said" || tap_diag_file "$WORK/nomem.err"
if [ -n "$have_oracle" ]; then
	(cd "$WORK" && trc_pkt_lister -ss_dir "$WORK/nomem" -decode -no_time_print) >"$WORK/nomem.tpl" 2>&1
	tap_is "$(grep -c 'OCSD_GEN_TRC_ELEM_ADDR_NACC' "$WORK/nomem.tpl")" \
		"$(grep -c '^memory-missing' "$WORK/nomem.out")" "no memory image: as many memory-missing as the oracle's ADDR_NACC"
fi

# Random bytes as the trace: no crash, a decode or a sonde: line.
for f in fmt raw; do
	cp -a "$WORK/$f" "$WORK/rnd-$f"
	head -c 65536 /dev/urandom >"$WORK/rnd-$f/tmc_etr0.bin"
	decode "rnd-$f" "$WORK/rnd-$f"
	rc=$(cat "$WORK/rnd-$f.rc")
	tap_ok "$({ [ "$rc" = 0 ] || { [ "$rc" = 1 ] && grep -q '^sonde: ' "$WORK/rnd-$f.err"; }; } && echo 1)" \
		"$f: random trace bytes: exit $rc, no crash" ||
		{ tap_diag_file "$WORK/rnd-$f.err"; cp "$WORK/rnd-$f/tmc_etr0.bin" "/tmp/sonde-hwdecode-crash-$f.bin"; }
done

# Snapshots that cannot be decoded: exit 1, one line.
bad() { # bad NAME EXPECTED-STDERR DESCRIPTION
	decode "$1" "$WORK/$1"
	tap_ok "$([ "$(cat "$WORK/$1.rc")" = 1 ] && [ "$(cat "$WORK/$1.err")" = "$2" ] && echo 1)" "$3" ||
		{ tap_diag "rc=$(cat "$WORK/$1.rc")"; tap_diag_file "$WORK/$1.err"; }
}
cp -a "$WORK/fmt" "$WORK/badini"
printf '[snapshot]\nversion=1.0\nthis is not ini\n' >"$WORK/badini/snapshot.ini"
bad badini "sonde: $WORK/badini is not a snapshot sonde can read: snapshot.ini: line 3: expected key=value or [section]" \
	"a bad snapshot.ini: exit 1, the line said"
cp -a "$WORK/fmt" "$WORK/noini"
rm "$WORK/noini/snapshot.ini"
bad noini "sonde: $WORK/noini is not a snapshot sonde can read: cannot open snapshot.ini: No such file or directory" \
	"no snapshot.ini: exit 1, said"
bad nodir "sonde: cannot open the snapshot directory $WORK/nodir: No such file or directory" \
	"no directory: exit 1, said"
cp -a "$WORK/fmt" "$WORK/core"
sed -i 's/^type=Cortex-A57$/type=Cortex-Z9/' "$WORK/core/cpu_etm0.ini"
bad core "sonde: cpu_etm0.ini: unknown core type 'Cortex-Z9' of cpu_etm0 (OpenCSD names cores Cortex-A57, ARMv8-A, ARMv8.3-A, ARM-AA64 ...)" \
	"an unknown core type: exit 1, named"
cp -a "$WORK/fmt" "$WORK/etm3"
sed -i 's/^type=ETM4$/type=ETM3/' "$WORK/etm3/etm0.ini"
bad etm3 "sonde: etm0.ini: etm0 is a 'ETM3' source; sonde hw decode decodes ETMv4 (type=ETM4) and ETE sources only" \
	"an ETMv3 source: not supported, said plainly"
cp -a "$WORK/fmt" "$WORK/link"
ln -sf "$WORK/fmt/tmc_etr0.bin" "$WORK/link/tmc_etr0.bin"
bad link "sonde: cannot read the trace tmc_etr0.bin: it is a symbolic link" "a symbolic link as the trace: refused"
cp -a "$WORK/fmt" "$WORK/notrace"
rm "$WORK/notrace/tmc_etr0.bin"
bad notrace "sonde: cannot read the trace tmc_etr0.bin: No such file or directory" "no trace file: exit 1, said"
cp -a "$WORK/fmt" "$WORK/path"
sed -i 's/^file=tmc_etr0.bin$/file=..\/fmt\/tmc_etr0.bin/' "$WORK/path/trace.ini"
bad path "sonde: $WORK/path is not a snapshot sonde can read: file=../fmt/tmc_etr0.bin is not a file name in the snapshot's directory (trace.ini line 6)" \
	"a trace file outside the directory: refused"

timeout -k 10 60 "$SONDE" hw decode >"$WORK/out" 2>"$WORK/err"
tap_ok "$([ $? = 1 ] && grep -q 'give one snapshot directory' "$WORK/err" && echo 1)" "no DIR: usage, exit 1"

if command -v readelf >/dev/null; then
	tap_is "$(readelf -d "$LIBSONDE" | grep -c 'NEEDED.*opencsd')" 0 "libsonde.so does not need libopencsd"
fi
tap_done
