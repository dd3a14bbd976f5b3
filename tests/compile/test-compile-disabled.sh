#!/bin/bash
# SPDX-License-Identifier: MIT
# test-compile-disabled: with SONDE_TRACING_DISABLED, tracepoints and
# markers are compiled out but still use their arguments, without
# evaluating them.  For gcc, g++, clang and clang++ (C11 and C++11):
#  - disabled-args.c, whose local variables, parameters and a static
#    function are read only by tracepoints and markers, compiles with
#    -Wall -Wextra -Werror -DSONDE_TRACING_DISABLED; its object has no sonde
#    symbol or section;
#  - as a program (linked without libsonde) it runs and none of the
#    arguments with side effects was evaluated;
#  - the same file compiles without the macro too (the calls match the
#    events' declared arguments).
# Usage: test-compile-disabled.sh INCLUDE_DIR NM OBJDUMP
here=$(dirname "$0")
. "$here/../tap.sh"
INC=$1 NM=$2 OBJDUMP=$3
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sonde-test.XXXXXX") || tap_bail "mktemp"
trap 'if [ "$TAP_FAILED" -eq 0 ]; then rm -rf "$WORK"; else echo "# kept $WORK"; fi' EXIT
WARN=(-Wall -Wextra -Werror)

for cc in gcc g++ clang clang++; do
	if ! command -v "$cc" >/dev/null; then
		tap_ok 0 "$cc: compiler found"
		continue
	fi
	case $cc in
	*++) lang=(-x c++ -std=c++11) ;;
	*) lang=(-std=c11) ;;
	esac
	flags=("${lang[@]}" "${WARN[@]}" -I "$INC")
	"$cc" "${flags[@]}" -DSONDE_TRACING_DISABLED -c "$here/disabled-args.c" \
		-o "$WORK/$cc.o" 2>"$WORK/$cc.err"
	tap_is "$?" 0 "$cc ${lang[*]}: values used only by disabled tracepoints and markers compile with -Wall -Wextra -Werror" ||
		tap_diag_file "$WORK/$cc.err" 30
	if [ -e "$WORK/$cc.o" ]; then
		tap_is "$("$NM" "$WORK/$cc.o" | grep -i sonde)" "" "$cc: no sonde symbol in the object"
		if [ -n "$OBJDUMP" ] && [ "${OBJDUMP%NOTFOUND}" = "$OBJDUMP" ]; then
			tap_is "$("$OBJDUMP" -h "$WORK/$cc.o" | awk '$1 ~ /^[0-9]+$/ { print $2 }' |
				grep -E 'sonde|init_array|fini_array')" "" \
				"$cc: no sonde or constructor section in the object"
		fi
	fi
	"$cc" "${flags[@]}" -DSONDE_TRACING_DISABLED -DWITH_MAIN "$here/disabled-args.c" \
		-o "$WORK/$cc.exe" 2>"$WORK/$cc.link.err"
	tap_is "$?" 0 "$cc: the program links without libsonde" || tap_diag_file "$WORK/$cc.link.err" 30
	if [ -x "$WORK/$cc.exe" ]; then
		"$WORK/$cc.exe"
		tap_is "$?" 0 "$cc: no argument of a disabled tracepoint or marker was evaluated"
	fi
	"$cc" "${flags[@]}" -c "$here/disabled-args.c" -o "$WORK/$cc.en.o" 2>"$WORK/$cc.en.err"
	tap_is "$?" 0 "$cc: the same file compiles with tracing enabled" ||
		tap_diag_file "$WORK/$cc.en.err" 30
done
tap_done
