#!/bin/bash
# SPDX-License-Identifier: MIT
# test-enospc: a packet is wholly in a stream file or absent.  A consumer
# whose directory fills up (a 128 KiB tmpfs) cuts what a short write left
# of the last packet, so the stream files hold whole packets only and
# babeltrace2 and sonde view read every event written before the disk
# filled.  Needs to mount a tmpfs: skipped where that is not allowed.
# usage: test-enospc.sh SONDE BABELTRACE2 PROG
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$1 BT=$2 PROG=$3
st_need_bt
mnt=$(mktemp -d "${TMPDIR:-/tmp}/sonde-enospc.XXXXXX") || tap_bail "no scratch directory"
cleanup() {
	umount "$mnt" 2>/dev/null
	rmdir "$mnt"
	rm -f "$mnt.out" "$mnt.bt" "$mnt.bterr" "$mnt.view" "$mnt.viewerr"
}
trap cleanup EXIT
mount -t tmpfs -o size=128k tmpfs "$mnt" 2>/dev/null ||
	tap_skip_all "cannot mount a tmpfs here (needs root)"
mkdir "$mnt/t" || tap_bail "cannot make $mnt/t"

SONDE_DAEMON=off timeout -k 10 "$ST_TIMEOUT" "$PROG" "$mnt/t" >"$mnt.out" 2>&1
rc=$?
tap_diag_file "$mnt.out" 5
tap_is "$rc" 0 "the disk filled (ENOSPC) and stream 0 holds exactly the packets written whole"
want=$(sed -n 's/^events //p' "$mnt.out")
tap_ok "$([ "${want:-0}" -gt 0 ] && echo 1)" "events were written before the disk filled (${want:-none})"
timeout -k 10 "$ST_TIMEOUT" "$BT" "$mnt/t" >"$mnt.bt" 2>"$mnt.bterr"
tap_is "$?/$(grep -c 'test:e1' "$mnt.bt")" "0/$want" \
	"babeltrace2 reads the trace: every event written" || tap_diag_file "$mnt.bterr" 10
timeout -k 10 "$ST_TIMEOUT" "$SONDE" view "$mnt/t" >"$mnt.view" 2>"$mnt.viewerr"
tap_is "$?/$(grep -c 'test:e1' "$mnt.view")" "0/$want" \
	"sonde view reads the trace: every event written" || tap_diag_file "$mnt.viewerr" 10
tap_done
