#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# install-deps.sh - install the Debian 12 packages needed to build, test,
# demo and benchmark sonde (chromium: headless, to check `sonde report`'s
# HTML in the tests; linux-perf: perf stat and perf report, the oracles of
# the counter and sampling tests and the stat-overhead bench; libpfm4: the
# runtime library libsonde loads with dlopen() for model-specific event
# names, and the tests use its perf:: names; libtraceevent and libtracefs:
# the kernel tracepoint formats, parsed for the tools; trace-cmd: an oracle
# of the kernel tracepoint tests; libsqlite3-dev: sonde export --format
# sqlite; sqlite3: the tests query its databases).  Idempotent: when everything is present it
# exits 0 at once without touching apt.  As root it installs what is
# missing; otherwise it names the missing packages and exits 1.
set -euo pipefail

# Major version of the installed clang (its sanitizer runtimes live in
# libclang-rt-N-dev); 14 on Debian 12.
clang_major=14
if command -v clang >/dev/null 2>&1; then
	v=$(clang -dumpversion 2>/dev/null || true)
	v=${v%%.*}
	case $v in '' | *[!0-9]*) ;; *) clang_major=$v ;; esac
fi

# Each line: package, then the commands that show it is present ("-": check
# the package itself with dpkg).
needs="\
build-essential cc c++ make
cmake cmake ctest
ninja-build ninja
pkg-config pkg-config
clang clang clang++
libclang-rt-$clang_major-dev -
babeltrace2 babeltrace2
lttng-tools lttng
liblttng-ust-dev -
linux-perf perf
libpfm4 -
libtraceevent-dev -
libtracefs-dev -
libopencsd-dev -
libopencsd-bin trc_pkt_lister
trace-cmd trace-cmd
libsqlite3-dev -
sqlite3 sqlite3
chromium chromium"

pkg_installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

missing=()
while read -r pkg cmds; do
	ok=1
	if [ "$cmds" = - ]; then
		pkg_installed "$pkg" || ok=0
	else
		for c in $cmds; do
			command -v "$c" >/dev/null 2>&1 || { ok=0; break; }
		done
	fi
	[ $ok = 1 ] || missing+=("$pkg")
done <<<"$needs"

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$EUID" -ne 0 ]; then
	echo "install-deps: missing packages; as root run: apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-deps: apt-get not found; install the equivalents of: ${missing[*]}" >&2
	exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
