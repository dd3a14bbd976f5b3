#!/bin/bash
# SPDX-License-Identifier: MIT
# test-static: a program linked with libsonde.a records like one linked
# with libsonde.so (the attaching code is pulled in by registration).
# usage: test-static.sh SONDE HELLO_STATIC
here=$(dirname "$0")
. "$here/../tap.sh"
SONDE=$1 PROG=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
tap_cmd "no libsonde.so among the program's libraries" -- \
	bash -c "! ldd '$PROG' | grep -q libsonde"
timeout -k 10 120 "$SONDE" record -o "$dir/t" -- "$PROG" 50 >"$dir/out" 2>"$dir/err"
tap_is "$?" 0 "statically linked program runs under sonde record"
tap_like "$(cat "$dir/err")" "sonde: 100 events recorded, 0 lost" "all 100 events recorded"
tap_done
