#!/bin/bash
# SPDX-License-Identifier: MIT
# test-cxx: a C++11 program using the provider macros runs under sonde
# record and its events read back with the right values.
# Usage: test-cxx.sh SONDE BABELTRACE2 PROG
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$1 BT=$2 PROG=$3
st_need_bt
st_setup

st_record tr -- "$PROG"
tap_is "$REC_RC" 0 "sonde record exits 0" || tap_diag_file "$WORK/tr.err"
tap_is "$(grep -c '^ok' "$WORK/tr.out")/$(grep -c '^not ok' "$WORK/tr.out")" 1/0 \
	"the C++ program sees its site enabled"
tap_is "$REC_EVENTS/$REC_LOST" "7/0" "summary: 7 events recorded, 0 lost"
st_bt "$REC_DIR"
tap_is "$BT_RC/$(wc -c <"$REC_DIR.bterr")" "0/0" "babeltrace2 reads the trace without complaint" ||
	tap_diag_file "$REC_DIR.bterr" 20
st_norm "$REC_DIR.bt" | awk -F'\t' '{ print $4 ":" ($5 == "" ? "" : " { " $5 " }") }' >"$WORK/got"
cat >"$WORK/want" <<'WANT'
cxx:call: { where = "server", value = 10, low = 0xA, ratio = 2.5 }
cxx:call: { where = "server", value = -65537, low = 0xFFFF, ratio = -16384.2 }
cxx:call: { where = "template", value = -3, low = 0xFFFD, ratio = 0.5 }
cxx:call: { where = "template", value = 123456789012, low = 0x1A14, ratio = 0.5 }
cxx:call: { where = "lambda", value = 74565, low = 0x2345, ratio = -1.25 }
cxx:vec: { first2 = [ [0] = 7, [1] = -8 ], _all_length = 3, all = [ [0] = 7, [1] = -8, [2] = 9 ] }
cxx:noargs:
WANT
if diff -u "$WORK/want" "$WORK/got" >"$WORK/diff"; then
	tap_ok 1 "member function, template, lambda, vector: values as expected"
else
	tap_ok 0 "member function, template, lambda, vector: values as expected"
	tap_diag_file "$WORK/diff" 30
fi
tap_done
