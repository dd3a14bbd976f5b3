#!/bin/bash
# usage: run-stress.sh SONDE PRODUCER VERIFY THREADS SECONDS MAXLEN SUBBUF NSUB [--overwrite]
set -euo pipefail
sonde=$1 producer=$2 verify=$3 threads=$4 secs=$5 maxlen=$6 subbuf=$7 nsub=$8
extra=${9:-}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$sonde" record -o "$dir/trace" --subbuf-size "$subbuf" --num-subbuf "$nsub" $extra \
	-- "$producer" "$threads" "$secs" "$maxlen" > "$dir/counts"
# Overwrite mode keeps only the latest packets: every record kept is
# checked (bytes, order, attribution), completeness is not expected.
"$verify" "$dir/trace" "$dir/counts" ${extra:+partial}
