#!/bin/bash
# SPDX-License-Identifier: MIT
# run-fuzz.sh BUILD_DIR SECONDS: smoke-run the reader fuzzer for SECONDS,
# seeded with real sonde traces (metadata + "\n--STREAM--\n" + a stream
# file) when `sonde record` and the example program are built in BUILD_DIR.
# Then, SECONDS each, the targets whose seeds are directories of
# tests/data/ (each also replayed by ctest as <target>-replay):
#   fuzz-pmu-parse  event names for sonde_pmu_event_parse() (seeds
#                   tests/data/fuzz-pmu-parse/, dictionary
#                   tests/fuzz/fuzz-pmu-parse.dict)
#   fuzz-perfring   synthetic perf mmap rings (tests/data/fuzz-perfring/)
#   fuzz-elfsym     ELF files for the symbol reader (tests/data/fuzz-elfsym/)
#   fuzz-kdecode    kernel trace event records (tests/data/fuzz-kdecode/)
#   fuzz-hwtrace    CoreSight frames and sysfs files (tests/data/fuzz-hwtrace/)
#   fuzz-hwdecode   snapshot ini files of sonde hw decode (tests/data/fuzz-hwdecode/)
# Crash inputs are written to BUILD_DIR/fuzz-artifacts/; copy the ones
# worth keeping to tests/data/fuzz-reader-<name> (replayed by ctest), or
# into the target's seed directory.
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

# other TARGET MAX_LEN [OPTIONS...]: SECONDS of TARGET on its own corpus.
other() {
	local t=$1 len=$2 c=$build/$1-corpus r
	shift 2
	[ -x "$build/bin/$t" ] || { echo "run-fuzz: $build/bin/$t not built" >&2; [ "$rc" != 0 ] || rc=2; return; }
	mkdir -p "$c"
	cp "$here"/../data/"$t"/* "$c"/ 2>/dev/null
	"$build/bin/$t" "$c" -max_total_time="$secs" -max_len="$len" -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix="$art/" -print_final_stats=1 "$@"
	r=$?
	[ "$rc" != 0 ] || rc=$r
}
other fuzz-pmu-parse 2048 -dict="$here/fuzz-pmu-parse.dict"
other fuzz-perfring 8192
other fuzz-elfsym 8192
other fuzz-kdecode 4096
other fuzz-hwtrace 4096
other fuzz-hwdecode 4096
other fuzz-filter 4096

if ls "$art"/crash-* "$art"/timeout-* "$art"/oom-* >/dev/null 2>&1; then
	echo "run-fuzz: findings in $art" >&2
	exit 1
fi
exit $rc
