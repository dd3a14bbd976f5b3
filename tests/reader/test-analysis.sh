#!/bin/bash
# SPDX-License-Identifier: MIT
# test-analysis: `sonde stats --by` and `sonde stats --top` on a synthetic
# trace (mk-pairs.py) whose durations, fields and losses are known: the
# generator computes the expected groups, percentiles (nearest rank) and
# longest slices itself, from the values it wrote, and the checks compare
# sonde's answers with them exactly.  Needs python3.
# Usage: test-analysis.sh SONDE BABELTRACE2 READER_PROG JSON_CHECK
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/../integration/lib.sh"
SONDE=$1 JCHECK=$4
command -v python3 >/dev/null || tap_skip_all "python3 not found"
st_setup

T=$WORK/pairs
mkdir "$T" && python3 "$here/mk-pairs.py" "$T" 600 17 --expect "$WORK/exp.json" --top 7 ||
	tap_bail "mk-pairs.py failed"
EXP=$WORK/exp.json

# cmp_json KIND GOT: compare sonde's JSON GOT with the expectation; prints
# "ok" or what differs.
cmp_json() {
	python3 - "$1" "$EXP" "$2" <<'EOF'
import json, sys
kind, exp, got = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
def stats_of(g):
    return [g["count"], g["total_ns"], g["min_ns"], g["p50_ns"], g["p90_ns"],
            g["p99_ns"], g["max_ns"]]
bad = []
if kind in ("name", "name_argc"):
    fields = ["name"] if kind == "name" else ["name", "argc"]
    want = exp["groups_" + kind]
    if got.get("by") != fields:
        bad.append("by: %r" % got.get("by"))
    have = {}
    for g in got.get("pair_groups", []):
        have["\t".join([g["pair"]] + [str(g["values"][f]) for f in fields])] = stats_of(g)
    if sorted(have) != sorted(want):
        bad.append("groups: got %s, want %s" % (sorted(have), sorted(want)))
    for k in sorted(set(have) & set(want)):
        if have[k] != want[k]:
            bad.append("%s: got %s, want %s" % (k.replace("\t", "/"), have[k], want[k]))
    tot = [g["total_ns"] for g in got.get("pair_groups", [])]
    if tot != sorted(tot, reverse=True):
        bad.append("groups not sorted by total time: %s" % tot)
    if kind == "name":
        ev = {"%s\t%s" % (g["event"], g["values"]["name"]): g["count"]
              for g in got.get("event_groups", [])}
        if ev != exp["events_name"]:
            bad.append("event counts: got %s, want %s" % (ev, exp["events_name"]))
elif kind in ("top", "top_cmd"):
    rows = [[t["begin_ns"], t["dur_ns"], t["pid"], t["tid"], t["pair"],
             [[k, v] for k, v in t["begin"].items()],
             [[k, v] for k, v in t["end"].items()]] for t in got.get("top", [])]
    if rows != exp[kind]:
        bad.append("got %s\nwant %s" % (json.dumps(rows), json.dumps(exp[kind])))
print("ok" if not bad else "\n".join(bad))
EOF
}

"$SONDE" stats "$T" >"$WORK/plain.txt" 2>"$WORK/plain.err"
tap_is "$?/$(wc -c <"$WORK/plain.err")" "0/0" "plain sonde stats reads the synthetic trace"
tap_like "$(head -n 1 "$WORK/plain.txt")" \
	"^Trace .*: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["events"])' "$EXP") events, 7 lost," \
	"plain stats: the generator's event and lost counts"

# --by
"$SONDE" stats --by name --json "$T" >"$WORK/by.json" 2>"$WORK/by.err"
tap_is "$?/$(wc -c <"$WORK/by.err")" "0/0" "stats --by name --json exits 0, nothing on stderr"
tap_cmd "stats --by name --json is valid JSON" -- "$JCHECK" "$WORK/by.json"
r=$(cmp_json name "$WORK/by.json")
tap_is "$r" ok "--by name: exactly the generator's groups, counts, totals, min, p50, p90, p99, max; by total; event counts"
"$SONDE" stats --json --by name,argc "$T" >"$WORK/by2.json"
r=$(cmp_json name_argc "$WORK/by2.json")
tap_is "$r" ok "--by name,argc: exactly the generator's groups and percentiles"

"$SONDE" stats --by name "$T" >"$WORK/by.txt"
tap_is "$?" 0 "stats --by name (text) exits 0"
# The HGETALL row: pair, value, count, total, min, p50, p90, p99, max (us).
want=$(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["groups_name"]["app:cmd\tHGETALL"]
print("app:cmd \"HGETALL\" %d " % s[0] + " ".join("%d.%03d" % (v // 1000, v % 1000) for v in s[1:]))' "$EXP")
tap_is "$(awk '$1 == "app:cmd" && $2 == "\"HGETALL\""' "$WORK/by.txt" | tr -s ' ')" "$want" "--by name text: the HGETALL row"
tap_is "$(sed -n '/^Pairs by name/,/^$/p' "$WORK/by.txt" | awk '$1 == "app:cmd" { print $2 }' | head -n 1)" '"HGETALL"' \
	"--by name text: the group with the most time first"
tap_like "$(cat "$WORK/by.txt")" "Pair .* Count Unmatched" "--by keeps the plain tables"

# --top
"$SONDE" stats --top 7 --json "$T" >"$WORK/top.json" 2>"$WORK/top.err"
tap_is "$?/$(wc -c <"$WORK/top.err")" "0/0" "stats --top 7 --json exits 0"
tap_cmd "stats --top --json is valid JSON" -- "$JCHECK" "$WORK/top.json"
tap_is "$(cmp_json top "$WORK/top.json")" ok "--top 7: the 7 longest slices, begin time, pid, tid, both events' fields"
"$SONDE" stats --top 7 --pair app:cmd --json "$T" >"$WORK/topc.json"
tap_is "$(cmp_json top_cmd "$WORK/topc.json")" ok "--top 7 --pair app:cmd: the 7 longest commands"
"$SONDE" stats --top 3 --pair app:io "$T" >"$WORK/top.txt"
tap_is "$?" 0 "stats --top 3 --pair app:io (text) exits 0"
tap_is "$(sed -n '/^Longest slices/,$p' "$WORK/top.txt" | grep -c ' app:io ')" 3 "--top 3 text: 3 rows"
want=$(python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))
rows = sorted([r for r in e["top"] if r[4] == "app:io"], key=lambda r: -r[1])
print("%d.%03d" % (rows[0][1] // 1000, rows[0][1] % 1000))' "$EXP")
tap_like "$(sed -n '/^Longest slices/,$p' "$WORK/top.txt" | grep ' app:io ' | head -n 1)" \
	" $want .* app:io .*fd = [0-9]+.*bytes = -?[0-9]+" "--top text: the longest io slice first, with its fields"

for bad in "--by nosuch" "--top 0" "--top x" "--top 5 --pair nosuch:pair" "--by name,name,name,name,name,name,name,name,name"; do
	"$SONDE" stats $bad "$T" >/dev/null 2>"$WORK/bad.err"
	tap_is "$?/$(wc -l <"$WORK/bad.err")" "1/1" "stats $bad: exit 1, one error line: $(head -n 1 "$WORK/bad.err")"
done

tap_done
