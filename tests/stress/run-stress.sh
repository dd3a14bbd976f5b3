#!/bin/bash
# usage: run-stress.sh SONDE PRODUCER VERIFY THREADS SECONDS MAXLEN SUBBUF NSUB MAXSEQ MODE
# MODE: discard | overwrite (only the latest packets kept: every record kept
# is checked, completeness is not expected) | overwrite-snapshots (overwrite,
# plus snapshots taken with SIGUSR2 while the producers run, each checked
# the same way) | overwrite-nowrap (buffers larger
# than the run: every record must be there; used under ThreadSanitizer, where
# reuse of buffer memory across the consumer process is invisible to TSan).
set -euo pipefail
sonde=$1 producer=$2 verify=$3 threads=$4 secs=$5 maxlen=$6 subbuf=$7 nsub=$8
maxseq=$9 mode=${10}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
opt=
[ "$mode" != discard ] && opt=--overwrite
"$sonde" record -o "$dir/trace" --subbuf-size "$subbuf" --num-subbuf "$nsub" $opt \
	-- "$producer" "$threads" "$secs" "$maxlen" "$maxseq" > "$dir/counts" &
rec=$!
if [ "$mode" = overwrite-snapshots ]; then
	for i in 1 2 3 4 5; do
		sleep 0.3
		kill -USR2 "$rec"
	done
fi
wait "$rec"
if [ "$mode" = overwrite-snapshots ]; then
	n=0
	for snap in "$dir"/trace.snapshot-*; do
		[ -d "$snap" ] || continue
		"$verify" "$snap" "$dir/counts" partial
		n=$((n + 1))
	done
	[ "$n" -ge 3 ] || { echo "run-stress: only $n snapshots written" >&2; exit 1; }
	mode=overwrite
fi
if [ "$mode" = overwrite ]; then
	"$verify" "$dir/trace" "$dir/counts" partial
else
	"$verify" "$dir/trace" "$dir/counts"
fi
