#!/bin/bash
# SPDX-License-Identifier: MIT
# test-analysis: `sonde stats --by`, `sonde stats --top` and `sonde export
# --format sqlite` on a synthetic trace (mk-pairs.py) whose durations,
# fields and losses are known: the generator computes the expected groups,
# percentiles (nearest rank) and longest slices itself, from the values it
# wrote, and the checks compare sonde's answers with them exactly.  The
# SQLite database is checked with sqlite3 queries against `sonde stats
# --json`.  Needs python3; the SQLite part needs sqlite3 and a sonde built
# with SQLite (skipped otherwise, exit 77 at the end when nothing failed).
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

# SQLite
SQLITE_SKIPPED=
if ! command -v sqlite3 >/dev/null; then
	tap_diag "sqlite3 not found: the SQLite export checks are skipped"
	SQLITE_SKIPPED=1
elif "$SONDE" export --format sqlite -o "$WORK/probe.db" "$T" 2>&1 | grep -q unavailable; then
	tap_diag "this sonde is built without SQLite: the SQLite export checks are skipped"
	SQLITE_SKIPPED=1
fi
if [ -z "$SQLITE_SKIPPED" ]; then
	DB=$WORK/t.db
	rm -f "$WORK/probe.db"
	"$SONDE" export --format sqlite -o "$DB" "$T" 2>"$WORK/db.err"
	tap_is "$?/$(wc -c <"$WORK/db.err")" "0/0" "export --format sqlite exits 0, nothing on stderr"
	q() { sqlite3 -batch -noheader -separator ' ' "$DB" "$1" 2>&1; }
	tap_is "$(ls -A "$WORK" | grep -c '^\.t\.db')" 0 "no temporary left beside the database"
	"$SONDE" stats --json "$T" >"$WORK/st.json"
	want=$(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(s["events"], s["lost"])
for c in sorted(s["classes"], key=lambda c: c["name"]): print(c["name"], c["count"])' "$WORK/st.json")
	got=$(q "SELECT count(*), (SELECT sum(count) FROM lost) FROM events;
		 SELECT name, count(*) FROM events GROUP BY name ORDER BY name;")
	tap_is "$got" "$want" "events and lost ranges: the counts of sonde stats"
	tap_is "$(q 'SELECT count(*), sum(count), min(cpu) FROM lost;')" "1 7 1" "lost: one range of 7 events on cpu 1"
	tap_is "$(q 'SELECT count(*) FROM lost WHERE begin_ts <= end_ts AND end_ts > 0;')" 1 "lost range has begin <= end"
	# per pair: count, total, min, max = sonde stats; p50 by nearest rank in SQL
	want=$(python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["pairs"]
for k in sorted(e): print(k, e[k][0], e[k][1], e[k][2], e[k][6])' "$EXP")
	tap_is "$(q 'SELECT name, count(*), sum(dur), min(dur), max(dur) FROM slices GROUP BY name ORDER BY name;')" \
		"$want" "slices: count, total, min, max per pair as generated"
	want=$(python3 -c '
import json, sys
for p in json.load(open(sys.argv[1]))["pairs"]:
    print(p["name"], p["count"], p["min_ns"], p["p50_ns"], p["p90_ns"], p["max_ns"])' "$WORK/st.json" | sort)
	got=$(q "WITH r AS (SELECT name, dur, row_number() OVER (PARTITION BY name ORDER BY dur) AS k,
			    count(*) OVER (PARTITION BY name) AS n FROM slices)
		 SELECT name, n, min(dur),
			max(CASE WHEN k = (n * 50 + 99) / 100 THEN dur END),
			max(CASE WHEN k = (n * 90 + 99) / 100 THEN dur END), max(dur)
		 FROM r GROUP BY name ORDER BY name;")
	tap_is "$got" "$want" "slices: count, min, p50, p90 (nearest rank in SQL), max = sonde stats"
	want=$(python3 -c '
import json, sys
for g in sorted(json.load(open(sys.argv[1]))["pair_groups"], key=lambda g: g["values"]["name"]):
    print(g["values"]["name"], g["count"], g["total_ns"])' "$WORK/by.json")
	tap_is "$(q "SELECT begin_name, count(*), sum(dur) FROM slices WHERE name = 'app:cmd' GROUP BY begin_name ORDER BY begin_name;")" \
		"$want" "slices' begin field columns: GROUP BY begin_name = stats --by name"
	tap_is "$(q "SELECT typeof(begin_name), typeof(begin_client), typeof(end_ret), depth FROM slices WHERE name = 'app:cmd' LIMIT 1;")" \
		"text integer integer 0" "slices: typed begin/end columns, commands at depth 0"
	tap_is "$(q "SELECT count(*), min(depth), max(depth) FROM slices WHERE name = 'app:io';")" "201 1 1" \
		"io slices nest at depth 1"
	tap_is "$(q 'SELECT count(*) FROM app_cmd_begin;')/$(q "SELECT count(*) FROM app_cmd_begin c JOIN events e ON e.id = c.id WHERE e.name = 'app:cmd_begin' AND e.ts = c.ts;")" \
		"603/603" "a table per event class, its rows joined to events by id"
	tap_is "$(q "SELECT typeof(name), typeof(client), typeof(argc) FROM app_cmd_begin LIMIT 1;")" "text integer integer" \
		"class table: fields as typed columns"
	tap_is "$(q "SELECT name, count(*) FROM app_note GROUP BY name ORDER BY name;" | tr '\n' ' ')" \
		"$(python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["events_name"]
print(" ".join("%s %d" % (k.split("\t")[1], v) for k, v in sorted(e.items()) if k.startswith("app:note")), end=" ")' "$EXP")" \
		"class table app_note: counts per name as generated"
	tap_is "$(q 'SELECT tid, pid FROM threads ORDER BY tid;' | tr '\n' ' ')" "1001 4242 1002 4242 2001 4242 " "threads"
	tap_is "$(q 'SELECT pid, name FROM processes;')" "4242 pairs" "processes"
	tap_is "$(q "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('events', 'slices') AND (sql LIKE '%(ts)' OR sql LIKE '%(name)');")" \
		4 "indexes on ts and name of events and slices"
	tap_is "$(q "SELECT count(*) FROM events WHERE ts < 1700000000000000000 OR ts > 1700000001000000000;")" 0 \
		"timestamps in ns since the epoch"

	# Outputs: never over an existing file without --force, never through a link.
	echo keep >"$WORK/old.db"
	"$SONDE" export --format sqlite -o "$WORK/old.db" "$T" 2>"$WORK/o.err"
	tap_is "$?/$(cat "$WORK/old.db")" "1/keep" "an existing file is not replaced without --force: $(cat "$WORK/o.err")"
	"$SONDE" export --format sqlite --force -o "$WORK/old.db" "$T" 2>"$WORK/o.err"
	tap_is "$?/$(sqlite3 "$WORK/old.db" 'SELECT count(*) FROM slices;')" "0/801" "--force replaces a regular file"
	echo target >"$WORK/target"
	ln -s "$WORK/target" "$WORK/link.db"
	"$SONDE" export --format sqlite --force -o "$WORK/link.db" "$T" 2>"$WORK/o.err"
	tap_is "$?/$(cat "$WORK/target")/$(readlink "$WORK/link.db")" "1/target/$WORK/target" \
		"a symbolic link at -o is refused, even with --force, and not followed: $(cat "$WORK/o.err")"
	ln -s "$WORK/nowhere" "$WORK/dangling.db"
	"$SONDE" export --format sqlite -o "$WORK/dangling.db" "$T" 2>/dev/null
	tap_is "$?/$([ -e "$WORK/nowhere" ] && echo created || echo absent)" "1/absent" "a dangling link is not followed"
	mkdir "$WORK/dir.db"
	"$SONDE" export --format sqlite --force -o "$WORK/dir.db" "$T" 2>/dev/null
	tap_is "$?" 1 "a directory at -o is refused"
	"$SONDE" export --format sqlite "$T" >/dev/null 2>"$WORK/o.err"
	tap_is "$?" 1 "sqlite without -o is refused: $(cat "$WORK/o.err")"
	tap_is "$(ls -A "$WORK" | grep -c '\.db\.')" 0 "no temporary left after the refusals"
fi
if [ -n "$SQLITE_SKIPPED" ] && [ "$TAP_FAILED" -eq 0 ]; then
	echo "1..$TAP_RUN"
	exit 77
fi
tap_done
