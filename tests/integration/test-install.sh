#!/bin/bash
# SPDX-License-Identifier: MIT
# test-install: what `make install` puts on a user's machine.  The runtime
# library that instrumented programs load is small and holds no tool code:
# no daemon, consumer, writer or reader symbol in libsonde.so (dynamic or
# full symbol table) or in libsonde.a, and the internal tools library is
# not installed.  A program built against the installed headers with
# pkg-config is recorded by the installed `sonde` and its trace read back;
# examples/pmu-count.c builds and runs the same way, and sonde_pmu(3) is
# installed; so do the LTTng-UST compatibility headers, sonde-lttng.pc and
# sonde-lttng(7).
# Usage: test-install.sh BUILD_DIR SOURCE_DIR [CC [SANITIZE]]
# (CC and SANITIZE: the build's compiler and sanitizers, which a program
# linking a sanitized libsonde needs too.)
here=$(dirname "$0")
. "$here/../tap.sh"
BUILD=$1 SRC=$2 CC=${3:-cc} SANITIZE=${4:-}
command -v nm >/dev/null || tap_skip_all "nm not found"
command -v pkg-config >/dev/null || tap_skip_all "pkg-config not found"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sonde-test.XXXXXX") || tap_bail "mktemp"
trap 'if [ "$TAP_FAILED" -eq 0 ]; then rm -rf "$WORK"; else echo "# kept $WORK"; fi' EXIT
INST=$WORK/inst

cmake --install "$BUILD" --prefix "$INST" >"$WORK/install.log" 2>&1
tap_is "$?" 0 "cmake --install succeeds" || tap_diag_file "$WORK/install.log"
LIBDIR=$(dirname "$(find "$INST" -name 'libsonde.so.*.*' | head -n 1)")
tap_ok "$([ -f "$LIBDIR/libsonde.a" ] && [ -L "$LIBDIR/libsonde.so" ] && echo 1)" \
	"libsonde.so and libsonde.a are installed (in ${LIBDIR#"$INST"/})"
tap_is "$(find "$INST" -name '*tools*' | sed "s|^$INST/||")" "" \
	"the internal tools library is not installed"

# What only the tools have: the daemon, the consumer and its sources and
# outputs, the trace writer, the reader, the on-disk format walker.
TOOLS_RE='sessiond|daemon|consumer|reader|metadata_write|metadata_parse|writer|output|source|record_walk|tmpfile|dir_open'
lib=$(readlink -f "$LIBDIR/libsonde.so")
nm -D --defined-only "$lib" | awk '{ print $NF }' >"$WORK/dynsym"
tap_is "$(grep -Ev '^(sonde_[a-z0-9_]+|sonde__[a-z0-9_]+|SONDE_[0-9]+)(@@SONDE_[0-9]+)?$' "$WORK/dynsym")" "" \
	"libsonde.so exports sonde_/sonde__ symbols only ($(wc -l <"$WORK/dynsym") of them)"
# Every internal (sonde__) export is one the version script names: what
# the inline fast path of include/sonde/static/ needs, nothing by accident.
sed -n 's/^[[:space:]]*\(sonde__[a-z0-9_]*\);$/\1/p' "$SRC/src/libsonde.map" | sort >"$WORK/mapped"
tap_is "$(sed 's/@.*//' "$WORK/dynsym" | grep '^sonde__' | sort | comm -23 - "$WORK/mapped")" "" \
	"libsonde.so exports no sonde__ symbol the version script does not name"
tap_is "$(grep -Ei "$TOOLS_RE" "$WORK/dynsym")" "" \
	"nm -D libsonde.so: no daemon, consumer, writer or reader symbol"
nm "$lib" 2>/dev/null | awk '{ print $NF }' | grep -Ei "sonde__($TOOLS_RE)" >"$WORK/symtab"
tap_is "$(head -n 5 "$WORK/symtab")" "" \
	"nm libsonde.so (every symbol): no tool code linked in ($(wc -l <"$WORK/symtab") found)"
nm "$LIBDIR/libsonde.a" 2>/dev/null | awk '$2 ~ /^[TDBR]$/ { print $3 }' |
	grep -Ei "sonde__($TOOLS_RE)" >"$WORK/arsym"
tap_is "$(head -n 5 "$WORK/arsym")" "" \
	"libsonde.a: no tool code either ($(wc -l <"$WORK/arsym") found)"
size=$(stat -c %s "$lib")
tap_diag "libsonde.so: $size bytes on disk, text $(size "$lib" | awk 'NR == 2 { print $1 }') bytes"

# A user's program, built the way the README says.
export PKG_CONFIG_PATH=$LIBDIR/pkgconfig
flags=$(pkg-config --define-variable=prefix="$INST" --cflags --libs sonde 2>"$WORK/pc.err")
tap_is "$?" 0 "pkg-config finds sonde" || tap_diag_file "$WORK/pc.err"
cp "$SRC/examples/hello.c" "$SRC/examples/hello_tp.h" "$WORK/"
# shellcheck disable=SC2086
"$CC" ${SANITIZE:+-fsanitize=$SANITIZE} -o "$WORK/hello" "$WORK/hello.c" $flags >"$WORK/cc.err" 2>&1
tap_is "$?" 0 "an app builds against the installed headers and library" ||
	tap_diag_file "$WORK/cc.err"
LD_LIBRARY_PATH=$LIBDIR ldd "$WORK/hello" | grep -q "$LIBDIR/libsonde.so"
tap_is "$?" 0 "  and loads the installed libsonde.so"
LD_LIBRARY_PATH=$LIBDIR timeout -k 5 60 "$INST/bin/sonde" record -o "$WORK/trace" \
	-- "$WORK/hello" 50 >"$WORK/rec.out" 2>"$WORK/rec.err"
tap_is "$?" 0 "the installed sonde records it" || tap_diag_file "$WORK/rec.err"
n=$(timeout -k 5 60 "$INST/bin/sonde" view "$WORK/trace" 2>"$WORK/view.err" | grep -c 'hello:request')
tap_is "$n" 50 "and reads its 50 hello:request events back"

# The performance counter API: its example builds against the installed
# <sonde/pmu.h> and runs (every event may fail to open here: it still
# says why, and exits 1 only when none counted), and its man page is there.
cp "$SRC/examples/pmu-count.c" "$WORK/"
# shellcheck disable=SC2086
"$CC" ${SANITIZE:+-fsanitize=$SANITIZE} -o "$WORK/pmu-count" "$WORK/pmu-count.c" $flags >"$WORK/cc-pmu.err" 2>&1
tap_is "$?" 0 "examples/pmu-count.c builds against the installed <sonde/pmu.h>" ||
	tap_diag_file "$WORK/cc-pmu.err"
LD_LIBRARY_PATH=$LIBDIR timeout -k 5 60 "$WORK/pmu-count" >"$WORK/pmu.out" 2>"$WORK/pmu.err"
rc=$?
tap_ok "$([ "$rc" -eq 0 ] || { [ "$rc" -eq 1 ] && grep -qi "permission denied" "$WORK/pmu.out"; } && echo 1)" \
	"  and runs (exit $rc: $(grep -c '' "$WORK/pmu.out") events reported)" ||
	{ tap_diag_file "$WORK/pmu.out"; tap_diag_file "$WORK/pmu.err"; }
man3=$(find "$INST" -path '*/man3/sonde_pmu.3' | sed "s|^$INST/||")
tap_ok "$([ -n "$man3" ] && echo 1)" "man3/sonde_pmu.3 is installed (${man3:-not found})"

# The LTTng-UST compatibility headers: pkg-config names their directory,
# and the compat test app (an LTTng-UST 2.13 provider, its tp.c and its
# call sites) builds unchanged with those flags alone, and records.
lflags=$(pkg-config --define-variable=prefix="$INST" --cflags sonde-lttng 2>"$WORK/pcl.err")
tap_is "$?/${lflags%% *}" "0/-I$INST/include/sonde-lttng" \
	"pkg-config --cflags sonde-lttng names the installed include/sonde-lttng first" ||
	tap_diag_file "$WORK/pcl.err"
tap_ok "$([ -f "$INST/include/sonde-lttng/lttng/tracepoint.h" ] &&
	[ -f "$INST/include/sonde-lttng/lttng/tracepoint-event.h" ] && echo 1)" \
	"  which holds lttng/tracepoint.h and lttng/tracepoint-event.h"
LC=$SRC/tests/integration/lttng-compat
# shellcheck disable=SC2086
"$CC" ${SANITIZE:+-fsanitize=$SANITIZE} -I"$LC" -o "$WORK/compat" "$LC/app.c" "$LC/other.c" \
	"$LC/tp.c" "$LC/tp0.c" $(pkg-config --define-variable=prefix="$INST" --cflags --libs sonde-lttng) \
	>"$WORK/cc-lttng.err" 2>&1
tap_is "$?" 0 "an LTTng-UST app builds with \`pkg-config --cflags --libs sonde-lttng\`" ||
	tap_diag_file "$WORK/cc-lttng.err"
LD_LIBRARY_PATH=$LIBDIR timeout -k 5 60 "$INST/bin/sonde" record -o "$WORK/ctrace" \
	-- "$WORK/compat" >"$WORK/crec.out" 2>"$WORK/crec.err"
tap_like "$(grep -E '^sonde: [0-9]+ events recorded' "$WORK/crec.err")" '^sonde: 38 events recorded, 0 lost' \
	"  and the installed sonde records its 38 events (27 tracepoints, 11 tracef and tracelog)" || tap_diag_file "$WORK/crec.err"
man7=$(find "$INST" -path '*/man7/sonde-lttng.7' | sed "s|^$INST/||")
tap_ok "$([ -n "$man7" ] && echo 1)" "man7/sonde-lttng.7 is installed (${man7:-not found})"
tap_done
