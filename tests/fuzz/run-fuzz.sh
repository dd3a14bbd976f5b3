#!/bin/bash
# SPDX-License-Identifier: MIT
# run-fuzz.sh BUILD_DIR SECONDS: smoke-run the reader fuzzer for SECONDS,
# seeded with real sonde traces (metadata + "\n--STREAM--\n" + a stream
# file) when `sonde record` and the example program are built in BUILD_DIR.
# Crash inputs are written to BUILD_DIR/fuzz-artifacts/; copy the ones
# worth keeping to tests/data/fuzz-reader-<name> (replayed by ctest).
set -u
build=${1:?usage: run-fuzz.sh BUILD_DIR SECONDS}
secs=${2:?usage: run-fuzz.sh BUILD_DIR SECONDS}
here=$(cd "$(dirname "$0")" && pwd)
fuzzer=$build/bin/fuzz-reader
[ -x "$fuzzer" ] || { echo "run-fuzz: $fuzzer not built (SONDE_FUZZ=ON, clang)" >&2; exit 2; }
corpus=$build/fuzz-corpus
art=$build/fuzz-artifacts
mkdir -p "$corpus" "$art"
cp "$here"/../data/fuzz-reader-* "$corpus"/ 2>/dev/null
if [ -x "$build/bin/sonde" ] && [ -x "$build/bin/hello" ]; then
	tmp=$(mktemp -d)
	for n in 3 50; do
		if "$build/bin/sonde" record -o "$tmp/t$n" --subbuf-size 4k -- "$build/bin/hello" "$n" >/dev/null 2>&1; then
			for s in "$tmp/t$n"/channel0_*; do
				{ cat "$tmp/t$n/metadata"; printf '\n--STREAM--\n'; cat "$s"; } \
					>"$corpus/seed-t$n-$(basename "$s")"
			done
		fi
	done
	rm -rf "$tmp"
fi
# -rss_limit_mb and -timeout: a hang or a runaway allocation is a finding
"$fuzzer" "$corpus" -max_total_time="$secs" -max_len=65536 -timeout=10 \
	-rss_limit_mb=2048 -artifact_prefix="$art/" -print_final_stats=1
rc=$?
if ls "$art"/crash-* "$art"/timeout-* "$art"/oom-* >/dev/null 2>&1; then
	echo "run-fuzz: findings in $art" >&2
	exit 1
fi
exit $rc
