#!/bin/bash
# SPDX-License-Identifier: MIT
# test-marker: printf-style markers read back by babeltrace2 with the right
# names and values for every conversion; malformed formats rejected with a
# clear message, the program unharmed; patterns select markers.
# usage: test-marker.sh SONDE BABELTRACE2 PROG EXPECTED
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$1 BT=$2 PROG=$3 EXPECTED=$4
st_need_bt
st_setup

"$SONDE" record -o "$WORK/t" -- "$PROG" >"$WORK/out" 2>"$WORK/err"
tap_is "$?" 0 "the program runs to its end under sonde record" || tap_diag_file "$WORK/err"
st_bt "$WORK/t"
tap_is "$BT_RC/$BT_OTHER_ERR" "0/0" "babeltrace2 reads the trace" || tap_diag_file "$WORK/t.bterr"
# Event name and payload only, without the long string's event.
sed -nE 's/^\[[^]]*\] \([^)]*\) [^ ]+ ((myapp|bad):[a-z_]+): \{ cpu_id = [0-9]+ \}(, (.*))?$/\1\3/p' "$WORK/t.bt" |
	sed -E 's/^([^,]*), /\1: /' | grep -v '^myapp:big' >"$WORK/got"
diff -u "$EXPECTED" "$WORK/got" >"$WORK/diff"
tap_ok "$([ -s "$WORK/diff" ] && echo 0 || echo 1)" "every marker's fields and values as expected" ||
	tap_diag_file "$WORK/diff" 40
big=$(grep 'myapp:big' "$WORK/t.bt" | sed -nE 's/.*text = "(z*)".*/\1/p')
tap_is "${#big}" 599 "a 599-character string (two-step record) is recorded whole"
for m in unknown count trailing longdouble; do
	tap_like "$(grep "event=bad:$m " "$WORK/err")" "Marker rejected; it stays disabled\\. event=bad:$m reason=.* at offset [0-9]+ of format" \
		"bad:$m: rejected at registration with a clear message"
done
tap_is "$(grep -c '^bad:' "$WORK/got")" 0 "no rejected marker recorded"
tap_is "$(grep -c 'Marker rejected' "$WORK/err")" 4 "one message per malformed marker"

"$SONDE" record -o "$WORK/f" -e 'myapp:cache*' -e 'myapp:after' -- "$PROG" >/dev/null 2>"$WORK/ferr"
st_bt "$WORK/f"
tap_is "$(grep -oE '(myapp|bad):[a-z_]+:' "$WORK/f.bt" | sort | tr '\n' ' ')" \
	"myapp:after: myapp:cache_miss: " "patterns select markers like tracepoints"
tap_is "$(grep -c 'Marker rejected' "$WORK/ferr")" 0 "markers not selected are not even parsed"
tap_done
