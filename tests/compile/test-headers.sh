#!/bin/bash
# SPDX-License-Identifier: MIT
# test-headers: each public header include/sonde/*.h compiles on its own,
# twice in a row (include guard), as C11 and as C++11, with -Wall -Wextra
# -Werror, into an object (and as C11 with SONDE_TRACING_DISABLED).
# Usage: test-headers.sh CC CXX INCLUDE_DIR
here=$(dirname "$0")
. "$here/../tap.sh"
CC=$1 CXX=$2 INC=$3
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sonde-test.XXXXXX") || tap_bail "mktemp"
trap 'if [ "$TAP_FAILED" -eq 0 ]; then rm -rf "$WORK"; else echo "# kept $WORK"; fi' EXIT

n=0
for h in "$INC"/sonde/*.h; do
	name=${h#"$INC"/}
	n=$((n + 1))
	printf '#include <%s>\n#include <%s>\n' "$name" "$name" >"$WORK/h$n.c"
	cp "$WORK/h$n.c" "$WORK/h$n.cc"
	"$CC" -std=c11 -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
		-I "$INC" -c "$WORK/h$n.c" -o "$WORK/h$n.c.o" 2>"$WORK/h$n.c.err"
	tap_is "$?" 0 "$name compiles alone as C11" || tap_diag_file "$WORK/h$n.c.err" 20
	"$CXX" -std=c++11 -Wall -Wextra -Werror -I "$INC" -c "$WORK/h$n.cc" -o "$WORK/h$n.cc.o" 2>"$WORK/h$n.cc.err"
	tap_is "$?" 0 "$name compiles alone as C++11" || tap_diag_file "$WORK/h$n.cc.err" 20
	"$CC" -std=c11 -Wall -Wextra -Werror -DSONDE_TRACING_DISABLED \
		-I "$INC" -c "$WORK/h$n.c" -o "$WORK/h$n.d.o" 2>"$WORK/h$n.d.err"
	tap_is "$?" 0 "$name compiles alone as C11 with SONDE_TRACING_DISABLED" ||
		tap_diag_file "$WORK/h$n.d.err" 20
done
tap_ok "$((n >= 2))" "found the public headers ($n)"
tap_done
