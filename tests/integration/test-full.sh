#!/bin/bash
# SPDX-License-Identifier: MIT
# test-full: an output directory that fills up while recording gives one
# clear error line and a non-zero exit, lets the command finish, and leaves
# nothing that looks like a trace.  Needs a small tmpfs: skipped where
# mounting one is not allowed.
# usage: test-full.sh SONDE HELLO
here=$(dirname "$0")
. "$here/../tap.sh"
SONDE=$1 HELLO=$2
mnt=$(mktemp -d)
cleanup() { umount "$mnt" 2>/dev/null; rmdir "$mnt"; }
trap cleanup EXIT
mount -t tmpfs -o size=64k tmpfs "$mnt" 2>/dev/null ||
	tap_skip_all "cannot mount a tmpfs here (needs root)"

timeout -k 10 120 "$SONDE" record -o "$mnt/t" -- "$HELLO" 200000 >"$mnt/../full.out.$$" 2>"$mnt.err"
rc=$?
tap_ok "$([ "$rc" -ne 0 ] && echo 1)" "full directory: non-zero exit (got $rc)"
tap_is "$(grep -c . "$mnt.err")" 1 "full directory: one error line"
tap_like "$(cat "$mnt.err")" "cannot write trace to .*No space left on device" \
	"full directory: the error says what failed"
tap_like "$(cat "$mnt/../full.out.$$")" "served 200000 requests" \
	"full directory: the command ran to its end"
tap_ok "$([ ! -e "$mnt/t/metadata" ] && [ -z "$(ls -A "$mnt/t" 2>/dev/null)" ] && echo 1)" \
	"full directory: nothing left that looks like a trace"
rm -f "$mnt.err" "$mnt/../full.out.$$"
tap_done
