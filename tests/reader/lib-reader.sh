# SPDX-License-Identifier: MIT
# Helpers of the reader tests; source after tap.sh and integration/lib.sh.

# rd_norm_bt BTFILE: babeltrace2 text -> the lines of `sonde view` without
# the delta: "[time] cpu N pid P tid T name:[ { payload }]"; sonde:thread
# records consumed (they give pid/tid of the following events of their cpu).
rd_norm_bt() {
	awk '
	function fld(p, name,   i, s) {
		s = ", " p; i = index(s, ", " name " = "); if (!i) return "?"
		s = substr(s, i + length(name) + 5); i = index(s, ", ")
		return i ? substr(s, 1, i - 1) : s
	}
	{
		line = $0
		t = substr(line, 1, index(line, "]"))
		i = index(line, ": { cpu_id = ")
		if (!i) { print "BAD " line; next }
		pre = substr(line, 1, i - 1); name = pre; sub(/.* /, "", name)
		rest = substr(line, i + 13); cpu = rest + 0
		j = index(rest, " }"); rest = substr(rest, j + 2)
		payload = ""
		if (substr(rest, 1, 2) == ", ") payload = substr(rest, 3)
		if (name == "sonde:thread") {
			p = substr(payload, 3, length(payload) - 4)
			tid[cpu] = fld(p, "tid"); pid[cpu] = fld(p, "pid"); next
		}
		tt = (cpu in tid) ? tid[cpu] : "?"; pp = (cpu in pid) ? pid[cpu] : "?"
		print t " cpu " cpu " pid " pp " tid " tt " " name ":" (payload == "" ? "" : " " payload)
	}' "$1"
}

# rd_norm_sv VIEWFILE: sonde view text without WARNING lines and deltas.
rd_norm_sv() {
	grep -av '^WARNING: ' "$1" | sed -E 's/^(\[[^]]*\]) \(\+[^)]*\) /\1 /'
}

# rd_view NAME DIR [ARGS...]: sonde view ARGS DIR > $WORK/NAME.sv, status in SV_RC
rd_view() {
	local name=$1 dir=$2
	shift 2
	timeout -k 10 "$ST_TIMEOUT" "$SONDE" view "$@" "$dir" >"$WORK/$name.sv" 2>"$WORK/$name.sverr"
	SV_RC=$?
}
