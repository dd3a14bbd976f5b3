#!/bin/bash
# SPDX-License-Identifier: MIT
# test-corrupt: truncated, corrupt or foreign traces make sonde view / stats
# / export exit 1 with one clear error line naming the file and offset,
# never crash or hang.  (Run under the ASan build too.)
# Usage: test-corrupt.sh SONDE BABELTRACE2 READER_PROG JSON_CHECK
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/../integration/lib.sh"
SONDE=$1 PROG=$3
st_setup

st_record good -- "$PROG" fields
tap_is "$REC_RC" 0 "a good trace recorded"
good=$WORK/good
chan=$(cd "$good" && ls -S channel0_* | head -n 1)
size=$(wc -c <"$good/$chan")

# variant NAME: a fresh copy of the good trace in $WORK/NAME
variant() {
	rm -rf "${WORK:?}/$1"
	cp -r "$good" "$WORK/$1"
	V=$WORK/$1
}

# poke FILE OFFSET HEXBYTES: overwrite bytes
poke() {
	printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# expect_err NAME REGEX: every verb exits 1, prints exactly one line on
# stderr matching REGEX, and is not killed by a signal
expect_err() {
	local name=$1 re=$2 verb out rc
	for verb in view stats "export --format chrome"; do
		# shellcheck disable=SC2086
		timeout -k 5 60 "$SONDE" $verb "$V" >/dev/null 2>"$WORK/$name.err"
		rc=$?
		out=$(cat "$WORK/$name.err")
		if [ "$rc" = 1 ] && [ "$(wc -l <"$WORK/$name.err")" = 1 ] &&
		   [[ $out =~ $re ]]; then
			tap_ok 1 "$name: sonde $verb: $out"
		else
			tap_ok 0 "$name: sonde $verb fails cleanly (exit $rc)"
			tap_diag_file "$WORK/$name.err" 5
		fi
	done
}

variant trunc_hdr
truncate -s 50 "$V/$chan"
expect_err trunc_hdr "^sonde: $chan: offset 0: truncated packet header"

variant trunc
truncate -s $((size - 7)) "$V/$chan"
expect_err trunc "^sonde: $chan: offset [0-9]+: packet size past end of file"

variant magic
poke "$V/$chan" 0 '\x00\x11\x22\x33'
expect_err magic "^sonde: $chan: offset 0: bad packet magic 0x33221100$"

variant content
poke "$V/$chan" 48 '\x00\x00\x00\x00\x00\x00\x01\x00'
expect_err content "^sonde: $chan: offset 0: content size [0-9]+ larger than packet size"

variant psize
poke "$V/$chan" 56 '\x00\x00\x00\x00\x00\x01\x00\x00'
expect_err psize "^sonde: $chan: offset 0: packet size past end of file"

variant uuid
poke "$V/$chan" 4 '\x00'
expect_err uuid "^sonde: $chan: offset 4: packet uuid differs"

variant badid
poke "$V/$chan" 84 '\xfe'
expect_err badid "^sonde: $chan: offset 84: bad record id byte 0xfe"

variant unknownid
poke "$V/$chan" 84 '\xff\x77\x77\x00\x00'
expect_err unknownid "^sonde: $chan: offset 84: record of unknown event id 30583"

variant nometa
rm "$V/metadata"
expect_err nometa "^sonde: .*/metadata: No such file or directory"

variant garbage
head -c 3000 /dev/urandom >"$V/metadata"
expect_err garbage "^sonde: metadata: (offset [0-9]+|line [0-9]+): "

variant badtsdl
sed -i 's/^\tfields := struct {/\tfields := struct { garbage ;/' "$V/metadata"
expect_err badtsdl "^sonde: metadata: line [0-9]+: "

variant lttng
sed -i 's/tracer_name = "sonde"/tracer_name = "lttng-ust"/' "$V/metadata"
expect_err lttng '^sonde: metadata: line [0-9]+: not a sonde trace: tracer_name is "lttng-ust"'

variant layout
sed -i 's/uint64_t events_discarded;/uint32_t events_discarded;/' "$V/metadata"
expect_err layout '^sonde: metadata: line [0-9]+: not a sonde trace: unexpected packet context'

variant notdir
V=$WORK/does-not-exist
expect_err notdir "^sonde: .*does-not-exist/metadata: No such file or directory"

# random corruption of the stream: never a crash or a hang, one line or none
crashes=0 badout=0
for i in $(seq 1 60); do
	variant fuzz
	off=$(( (i * 7919) % size ))
	poke "$V/$chan" "$off" "$(printf '\\x%02x\\x%02x' $((i * 37 % 256)) $((i * 101 % 256)))"
	timeout -k 5 60 "$SONDE" view "$V" >/dev/null 2>"$WORK/fuzz.err"
	rc=$?
	if [ "$rc" -gt 1 ]; then
		crashes=$((crashes + 1))
		tap_diag "byte flip at $off: exit $rc"
	elif [ "$rc" = 1 ] && ! grep -qE "^sonde: $chan: offset [0-9]+: " "$WORK/fuzz.err"; then
		badout=$((badout + 1))
		tap_diag_file "$WORK/fuzz.err" 3
	fi
done
tap_is "$crashes/$badout" "0/0" "60 corrupted copies: no crash or hang, errors name the file and offset"
tap_done
