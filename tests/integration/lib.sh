# SPDX-License-Identifier: MIT
# Shared helpers of the integration tests: scratch directory, running
# `sonde record` and babeltrace2 with time limits, and turning babeltrace2's
# text into one line per event with the writing thread attributed.
# Source after tap.sh; set SONDE and BT (paths) before calling these.

# Generous limits: the tests must pass on a loaded 2-core machine.
: "${ST_TIMEOUT:=120}"

# st_abs PATH: PATH made absolute if it names a file relative to the cwd
# (a bare command name is left for PATH lookup).
st_abs() {
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*/*) printf '%s/%s\n' "$PWD" "$1" ;;
	*) printf '%s\n' "$1" ;;
	esac
}

# st_setup: make $WORK, removed at exit unless a check failed.
st_setup() {
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/sonde-test.XXXXXX") ||
		tap_bail "cannot create a scratch directory"
	trap st_cleanup EXIT
}

st_cleanup() {
	if [ "${TAP_FAILED:-0}" -eq 0 ] && [ -z "${ST_KEEP:-}" ]; then
		rm -rf "$WORK"
	else
		echo "# scratch directory kept: $WORK"
	fi
}

# st_need_bt: skip the whole test when babeltrace2 is not available.
st_need_bt() {
	if [ -z "${BT:-}" ] || [ "${BT%NOTFOUND}" != "$BT" ] || ! [ -x "$BT" ]; then
		tap_skip_all "babeltrace2 not found"
	fi
}

# st_record NAME [RECORD OPTIONS...] -- CMD [ARGS...]
# Records into $WORK/NAME; stdout to $WORK/NAME.out, stderr to
# $WORK/NAME.err; exit status in REC_RC; the summary line parsed into
# REC_EVENTS and REC_LOST (empty when absent).
st_record() {
	local name=$1
	shift
	REC_DIR=$WORK/$name
	timeout -k 10 "$ST_TIMEOUT" "$SONDE" record -o "$REC_DIR" "$@" \
		>"$WORK/$name.out" 2>"$WORK/$name.err"
	REC_RC=$?
	st_summary "$WORK/$name.err"
}

# st_summary FILE: parse "sonde: N events recorded, M lost, ... in DIR".
st_summary() {
	local line
	line=$(grep -E '^sonde: [0-9]+ events recorded, [0-9]+ lost, ' "$1" | tail -n 1)
	REC_EVENTS=$(printf '%s' "$line" | sed -nE 's/^sonde: ([0-9]+) events recorded.*/\1/p')
	REC_LOST=$(printf '%s' "$line" | sed -nE 's/^sonde: [0-9]+ events recorded, ([0-9]+) lost.*/\1/p')
}

# st_bt DIR: babeltrace2 DIR > DIR.bt 2> DIR.bterr; status in BT_RC;
# BT_DISCARDED = sum of the "Tracer discarded N events" warnings;
# BT_MAYBE = number of "Tracer may have discarded events" warnings (what
# babeltrace2 says when the first packet of a stream counts discarded
# events: it cannot tell how many);
# BT_OTHER_ERR = number of other stderr lines (errors, other warnings).
st_bt() {
	local dir=$1
	timeout -k 10 "$ST_TIMEOUT" "$BT" "$dir" >"$dir.bt" 2>"$dir.bterr"
	BT_RC=$?
	BT_DISCARDED=$(sed -nE 's/^WARNING: Tracer discarded ([0-9]+) events? .*/\1/p' \
		"$dir.bterr" | awk '{ s += $1 } END { printf "%d\n", s }')
	BT_MAYBE=$(grep -cE '^WARNING: Tracer may have discarded events ' "$dir.bterr")
	BT_OTHER_ERR=$(grep -cvE '^WARNING: Tracer (discarded [0-9]+ events?|may have discarded events) ' "$dir.bterr")
}

# st_norm BTFILE: one line per event (sonde:thread records consumed):
#	cpu <TAB> tid <TAB> pid <TAB> provider:name <TAB> payload
# tid/pid come from the latest sonde:thread record on the same cpu_id
# ("?" if none preceded it); payload is the text inside the last braces
# (empty for an event without fields).  Unparsable lines give "BAD" lines.
st_norm() {
	awk '
	function fld(p, name,   i, s) {
		s = ", " p
		i = index(s, ", " name " = ")
		if (!i) return "?"
		s = substr(s, i + length(name) + 5)
		i = index(s, ", ")
		return i ? substr(s, 1, i - 1) : s
	}
	{
		line = $0
		i = index(line, ": { cpu_id = ")
		if (!i) { print "BAD\t?\t?\t?\t" line; next }
		pre = substr(line, 1, i - 1)
		name = pre
		sub(/.* /, "", name)
		rest = substr(line, i + 13)
		cpu = rest + 0
		j = index(rest, " }")
		rest = substr(rest, j + 2)
		payload = ""
		if (substr(rest, 1, 4) == ", { " && substr(rest, length(rest) - 1) == " }")
			payload = substr(rest, 5, length(rest) - 6)
		else if (rest != "") { print "BAD\t?\t?\t?\t" line; next }
		if (name == "sonde:thread") {
			tid[cpu] = fld(payload, "tid")
			pid[cpu] = fld(payload, "pid")
			next
		}
		t = (cpu in tid) ? tid[cpu] : "?"
		p = (cpu in pid) ? pid[cpu] : "?"
		print cpu "\t" t "\t" p "\t" name "\t" payload
	}' "$1"
}

# Awk function usable in test scripts: fld(payload, "name") -> value text
# of a scalar field ("?" if absent).  Use as: awk "$ST_AWK_FLD"' { ... }'
# shellcheck disable=SC2016
ST_AWK_FLD='
function fld(p, name,   i, s) {
	s = ", " p
	i = index(s, ", " name " = ")
	if (!i) return "?"
	s = substr(s, i + length(name) + 5)
	i = index(s, ", ")
	return i ? substr(s, 1, i - 1) : s
}
'

# st_check_clock DIR: under SONDE_CLOCK=monotonic (a test variant), check
# the trace's clock is the monotonic one, so the variant is not vacuous.
st_check_clock() {
	if [ "${SONDE_CLOCK:-}" = monotonic ]; then
		tap_like "$(grep -E '^\s*name = ' "$1/metadata" | head -n 1)" 'name = "?monotonic' \
			"SONDE_CLOCK=monotonic: the trace clock is CLOCK_MONOTONIC"
	fi
}

# st_wait_line FD SECONDS VAR: read one line from file descriptor FD into
# VAR, waiting at most SECONDS; returns non-zero on timeout or EOF.
st_wait_line() {
	local fd=$1 secs=$2 __line
	IFS= read -r -t "$secs" -u "$fd" __line || return 1
	printf -v "$3" '%s' "$__line"
}

# st_pkt_discarded STREAM_FILE: the events_discarded field of each packet
# of a stream file, one per line, in file order (read with od from the
# packet header: packet_size in bits at byte 56, events_discarded at 72).
st_pkt_discarded() {
	local f=$1 off=0 size bits d
	size=$(stat -c %s "$f") || return 1
	while [ "$off" -lt "$size" ]; do
		bits=$(od -A n -t u8 -j $((off + 56)) -N 8 "$f" | tr -d ' ')
		d=$(od -A n -t u8 -j $((off + 72)) -N 8 "$f" | tr -d ' ')
		[ -n "$bits" ] && [ "$bits" -ge 672 ] || { echo "BAD packet_size at $off"; return 1; }
		echo "$d"
		off=$((off + bits / 8))
	done
}

# st_discarded_check DIR: "first last backwards" summed over DIR's
# streams: the first packets' events_discarded (what babeltrace2 can only
# call "may have discarded"), the last packets' (the stream's total), and
# the number of packets whose count is below the previous packet's (must
# be 0: readers take the difference as the events lost in between).
st_discarded_check() {
	local f first=0 last=0 back=0 series
	for f in "$1"/channel*_*; do
		[ -s "$f" ] || continue
		series=$(st_pkt_discarded "$f") || { echo "BAD"; return 1; }
		read -r a b c < <(printf '%s\n' "$series" | awk '
			NR == 1 { f = $1 }
			NR > 1 && $1 < p { back++ }
			{ p = $1 }
			END { print f + 0, p + 0, back + 0 }')
		first=$((first + a)) last=$((last + b)) back=$((back + c))
	done
	echo "$first $last $back"
}

# st_wait_for SECONDS CMD...: run CMD every 0.1 s until it succeeds, at
# most SECONDS; returns non-zero if it never did.
st_wait_for() {
	local n=$(($1 * 10))
	shift
	while [ $n -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}
