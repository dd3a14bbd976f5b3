#!/bin/bash
# SPDX-License-Identifier: MIT
# test-multi-tu: one provider header in two .c files of an executable and in
# a shared library it links; every site's events are recorded, in order,
# under one event class.
# Usage: test-multi-tu.sh SONDE BABELTRACE2 PROG
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$1 BT=$2 PROG=$3
st_need_bt
st_setup
N=200

st_record tr -- "$PROG" "$N"
tap_is "$REC_RC" 0 "sonde record exits 0"
tap_is "$(grep -c '^ok ' "$WORK/tr.out")/$(grep -c '^not ok' "$WORK/tr.out")" "3/0" \
	"all three sites report enabled" || tap_diag_file "$WORK/tr.out"
tap_is "$REC_EVENTS/$REC_LOST" "$((3 * N))/0" "summary: $((3 * N)) events recorded, 0 lost"

st_bt "$REC_DIR"
tap_is "$BT_RC/$(wc -c <"$REC_DIR.bterr")" "0/0" "babeltrace2 reads the trace without complaint" ||
	tap_diag_file "$REC_DIR.bterr" 20
st_norm "$REC_DIR.bt" >"$WORK/norm"
cut -f4,5 "$WORK/norm" >"$WORK/got"
awk -v n="$N" 'BEGIN {
	for (i = 0; i < n; i++) {
		printf "multitu:hit\tsite = \"main\", n = %d\n", i
		printf "multitu:hit\tsite = \"b\", n = %d\n", i
		printf "multitu:hit\tsite = \"lib\", n = %d\n", i
	}
}' >"$WORK/want"
if diff -u "$WORK/want" "$WORK/got" >"$WORK/diff"; then
	tap_ok 1 "main.c, b.c and the shared library: all $((3 * N)) events, in order"
else
	tap_ok 0 "main.c, b.c and the shared library: all $((3 * N)) events, in order"
	tap_diag_file "$WORK/diff" 30
fi
for site in main b lib; do
	tap_is "$(grep -c "site = \"$site\"" "$WORK/got")" "$N" "site '$site' recorded $N events"
done
tap_is "$(grep -c 'name = "multitu:hit"' "$REC_DIR/metadata")" 1 \
	"the metadata declares multitu:hit once (descriptors share one event class)"
tap_done
