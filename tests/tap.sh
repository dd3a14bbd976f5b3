# SPDX-License-Identifier: MIT
# Minimal TAP (Test Anything Protocol) helper for sonde's shell tests.
# Source it from bash:
#
#	. "$(dirname "$0")/../tap.sh"
#	tap_plan 3                  # optional; tap_done prints 1..N otherwise
#	tap_ok "$((x == 1))" "x is one"       # 1/0 (or true/false) condition
#	tap_cmd "runs" -- cmd args            # ok iff cmd exits 0
#	tap_is "$got" "$want" "name"          # string equality, diag on mismatch
#	tap_diag "note"                       # "# note"
#	tap_skip_all "reason"                 # "1..0 # SKIP reason", exit 77
#	tap_done                              # exits 0 iff all passed + plan met
#
# Exit status: 0 all passed, 1 some failed or plan not met, 2 bail out,
# 77 skipped (register with SKIP_RETURN_CODE 77).

TAP_PLANNED=-1
TAP_RUN=0
TAP_FAILED=0

tap_plan() {
	TAP_PLANNED=$1
	echo "1..$1"
}

tap_diag() {
	local line
	printf '%s\n' "$*" | while IFS= read -r line; do
		printf '# %s\n' "$line"
	done
}

# tap_diag_file FILE [MAXLINES]: show a file's content as diagnostics.
tap_diag_file() {
	local f=$1 max=${2:-40}
	[ -f "$f" ] || { tap_diag "($f: no such file)"; return 0; }
	tap_diag "--- $f (first $max lines) ---"
	head -n "$max" "$f" | while IFS= read -r line; do
		printf '#   %s\n' "$line"
	done
}

# tap_ok COND DESC: COND is 1/true (pass) or 0/false/anything else (fail).
tap_ok() {
	local cond=$1
	shift
	TAP_RUN=$((TAP_RUN + 1))
	if [ "$cond" = 1 ] || [ "$cond" = true ]; then
		echo "ok $TAP_RUN - $*"
		return 0
	fi
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_RUN - $*"
	return 1
}

# tap_cmd DESC -- CMD [ARGS...]: ok iff CMD exits 0.
tap_cmd() {
	local desc=$1
	shift
	[ "$1" = "--" ] && shift
	if "$@"; then
		tap_ok 1 "$desc"
	else
		local rc=$?
		tap_ok 0 "$desc"
		tap_diag "  command failed (exit $rc): $*"
		return 1
	fi
}

# tap_is GOT WANT DESC
tap_is() {
	local got=$1 want=$2
	shift 2
	if [ "$got" = "$want" ]; then
		tap_ok 1 "$*"
	else
		tap_ok 0 "$*"
		tap_diag "  got:      '$got'"
		tap_diag "  expected: '$want'"
		return 1
	fi
}

# tap_like GOT ERE DESC: ok iff GOT matches the extended regex ERE.
tap_like() {
	local got=$1 re=$2
	shift 2
	if printf '%s' "$got" | grep -Eq -- "$re"; then
		tap_ok 1 "$*"
	else
		tap_ok 0 "$*"
		tap_diag "  got:      '$got'"
		tap_diag "  expected to match: /$re/"
		return 1
	fi
}

tap_skip_all() {
	echo "1..0 # SKIP $*"
	exit 77
}

tap_bail() {
	echo "Bail out! $*"
	exit 2
}

tap_done() {
	if [ "$TAP_PLANNED" -lt 0 ]; then
		echo "1..$TAP_RUN"
	elif [ "$TAP_RUN" -ne "$TAP_PLANNED" ]; then
		tap_diag "planned $TAP_PLANNED tests but ran $TAP_RUN"
		exit 1
	fi
	if [ "$TAP_FAILED" -ne 0 ]; then
		tap_diag "failed $TAP_FAILED of $TAP_RUN tests"
		exit 1
	fi
	exit 0
}
