#!/bin/bash
# SPDX-License-Identifier: MIT
# test-compile-fail: tracepoint arguments are type-checked at compile time,
# and SONDE_TRACING_DISABLED removes every trace of sonde from an object.
#  - types.c compiles cleanly as is; with each BAD_* macro (a string where an
#    int64_t goes, a struct where a double goes, an int where a string
#    goes, too few / too many arguments, a marker argument that does not
#    match its format, an empty field name, a field name used twice)
#    compilation fails with -Werror, with a diagnostic on the marked line;
#    the same with SONDE_TRACING_DISABLED; providers and events whose
#    names differ only by where a '_' falls (ct_a:b, ct:a_b) compile in one
#    file;
#  - disabled.c with -DSONDE_TRACING_DISABLED compiles with -Werror, its
#    object has no sonde symbol or section, and it links and runs without
#    libsonde; without the macro it does reference sonde symbols.
# Usage: test-compile-fail.sh CC INCLUDE_DIR NM OBJDUMP
here=$(dirname "$0")
. "$here/../tap.sh"
CC=$1 INC=$2 NM=$3 OBJDUMP=$4
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sonde-test.XXXXXX") || tap_bail "mktemp"
trap 'if [ "$TAP_FAILED" -eq 0 ]; then rm -rf "$WORK"; else echo "# kept $WORK"; fi' EXIT
CFLAGS=(-std=c11 -Wall -Wextra -Werror -I "$INC")

# The same checks with tracing enabled and compiled out.
for mode in enabled disabled; do
	mflags=()
	[ "$mode" = disabled ] && mflags=(-DSONDE_TRACING_DISABLED)
	"$CC" "${CFLAGS[@]}" "${mflags[@]}" -c "$here/types.c" -o "$WORK/good-$mode.o" \
		2>"$WORK/good-$mode.err"
	tap_is "$?" 0 "$mode: types.c with correct argument types compiles with -Werror" ||
		tap_diag_file "$WORK/good-$mode.err"

	for bad in BAD_STRING_FOR_INT BAD_STRUCT_FOR_DOUBLE BAD_INT_FOR_STRING \
		   BAD_TOO_FEW_ARGS BAD_TOO_MANY_ARGS BAD_MARK_FORMAT \
		   BAD_EMPTY_FIELD BAD_DUP_FIELD; do
		line=$(grep -n "/\* $bad \*/" "$here/types.c" | cut -d: -f1)
		"$CC" "${CFLAGS[@]}" "${mflags[@]}" -D"$bad" -c "$here/types.c" \
			-o "$WORK/$bad-$mode.o" 2>"$WORK/$bad-$mode.err"
		rc=$?
		tap_ok "$([ "$rc" -ne 0 ] && [ ! -e "$WORK/$bad-$mode.o" ] && echo 1)" \
			"$mode: $bad: compilation fails"
		tap_ok "$(grep -q "types\.c:$line:" "$WORK/$bad-$mode.err" && grep -q 'error' "$WORK/$bad-$mode.err" && echo 1)" \
			"$mode: $bad: the error points at the bad call (types.c:$line)" ||
			tap_diag_file "$WORK/$bad-$mode.err" 15
	done
done

"$CC" "${CFLAGS[@]}" -DSONDE_TRACING_DISABLED -c "$here/disabled.c" -o "$WORK/dis.o" 2>"$WORK/dis.err"
tap_is "$?" 0 "disabled.c with -DSONDE_TRACING_DISABLED compiles with -Werror" ||
	tap_diag_file "$WORK/dis.err"
syms=$("$NM" "$WORK/dis.o" | grep -i sonde)
tap_is "$syms" "" "disabled: nm shows no sonde symbol in the object"
if [ -n "$OBJDUMP" ] && [ "${OBJDUMP%NOTFOUND}" = "$OBJDUMP" ]; then
	secs=$("$OBJDUMP" -h "$WORK/dis.o" | awk '$1 ~ /^[0-9]+$/ { print $2 }' |
		grep -E 'sonde|rseq|init_array|fini_array')
	tap_is "$secs" "" "disabled: no sonde, rseq or constructor section in the object"
fi
"$CC" "${CFLAGS[@]}" -DSONDE_TRACING_DISABLED -DWITH_MAIN "$here/disabled.c" -o "$WORK/dis.exe" 2>"$WORK/dis-link.err"
tap_is "$?" 0 "disabled: a program links without libsonde" || tap_diag_file "$WORK/dis-link.err"
"$WORK/dis.exe"
tap_is "$?" 0 "disabled: the program runs, tracepoints report disabled"

"$CC" "${CFLAGS[@]}" -c "$here/disabled.c" -o "$WORK/en.o" 2>"$WORK/en.err"
tap_is "$?" 0 "disabled.c without the macro compiles too" || tap_diag_file "$WORK/en.err"
tap_like "$("$NM" "$WORK/en.o" | grep -c ' U sonde__')" '^[1-9]' \
	"enabled: the object references sonde__ symbols (so the nm check can fail)"
if [ -n "$OBJDUMP" ] && [ "${OBJDUMP%NOTFOUND}" = "$OBJDUMP" ]; then
	tap_like "$("$OBJDUMP" -h "$WORK/en.o" | awk '$1 ~ /^[0-9]+$/ { print $2 }' | tr '\n' ' ')" \
		'sonde_events_ptrs' "enabled: the object has the sonde_events_ptrs section (so the section check can fail)"
fi
tap_done
