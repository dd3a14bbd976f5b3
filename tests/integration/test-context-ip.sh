#!/bin/bash
# SPDX-License-Identifier: MIT
# test-context-ip: `sonde record --context ip` gives every user-space
# event the address of the code that recorded it, as LTTng's ip context:
# for each kind of site (a typed tracepoint serialized aside, one written
# in place, a marker, a tracef) the ip of every event must fall inside the
# function that holds the site, in babeltrace2's output and in sonde
# view's.  The same holds for the second of two sessions recording one
# process (nested sonde records, ip asked by the inner one, then by the
# outer one), and the other session's trace has no ip.  sonde:thread
# records, written by libsonde itself, carry ip 0, and so do the state
# dump events libsonde writes into a session that records ip
# (lttng_ust_statedump:*, lttng_ust_lib:*, test-debug-info.sh), which the
# counts of events below leave out.
# The program built at -O0 too, where nothing is inlined unless it must be.
# Usage: test-context-ip.sh SONDE BABELTRACE2 PROG PROG-O0
here=$(dirname "$0")
. "$here/../tap.sh"
. "$here/lib.sh"
SONDE=$(st_abs "$1") BT=$(st_abs "$2") PROG=$(st_abs "$3") PROG0=$(st_abs "$4")
st_need_bt
st_setup
N=200 # per site, N in test-context-ip.c
command -v nm >/dev/null && command -v python3 >/dev/null ||
	tap_skip_all "nm or python3 not found"

# Each site's function: its start as loaded (the program prints it) and
# its size (nm -S), and the same of its cold part (FN.cold, where the
# compiler moved the unlikely path) when there is one, at the same load
# bias.  Prints "name start end" lines, in decimal.
ranges() {
	local out=$1 prog=${2:-$PROG} f loaded addr size bias caddr csize
	for f in ip_small ip_big ip_mark ip_tracef; do
		loaded=$(sed -n "s/^$f=0x//p" "$out")
		read -r addr size < <(nm -S "$prog" | awk -v f="$f" '$4 == f { print $1, $2 }')
		[ -n "$loaded" ] && [ -n "$addr" ] && [ -n "$size" ] || return 1
		bias=$((16#$loaded - 16#$addr))
		echo "$f $((16#$loaded)) $((16#$loaded + 16#$size))"
		read -r caddr csize < <(nm -S "$prog" | awk -v f="$f.cold" '$4 == f { print $1, $2 }')
		[ -n "$caddr" ] && [ -n "$csize" ] &&
			echo "$f $((16#$caddr + bias)) $((16#$caddr + bias + 16#$csize))"
	done
	return 0
}

# check TEXT RANGES: every event of the program in babeltrace2's or sonde
# view's TEXT has an ip inside its site's function; sonde:thread has 0.
# Prints "events good bad zero-threads threads".
check() {
	python3 - "$1" "$2" <<'PY'
import re, sys
spans = {}
for ln in open(sys.argv[2]):
    f, a, b = ln.split()
    spans.setdefault(f, []).append((int(a), int(b)))
sites = {"ctxip:small": "ip_small", "ctxip:big": "ip_big",
         "ctxip:mark": "ip_mark", "sonde_tracef:event": "ip_tracef"}
n = good = bad = tz = tn = 0
for line in open(sys.argv[1], errors="replace"):
    m = re.search(r" ([a-z_]+:[a-z_]+): ", line)
    if not m:
        continue
    ip = re.search(r"[{,] ip = (0x[0-9a-fA-F]+)[,} ]", line)
    ip = int(ip.group(1), 16) if ip else None
    if m.group(1) == "sonde:thread":
        tn += 1
        tz += ip == 0
        continue
    fn = sites.get(m.group(1))
    if not fn:
        continue
    n += 1
    if ip is not None and any(a <= ip < b for a, b in spans[fn]):
        good += 1
    else:
        bad += 1
        if bad <= 3:
            print("outside %s: %s" % (fn, line[:200]), file=sys.stderr)
print(n, good, bad, tz, tn)
PY
}

# The state dump events in babeltrace2's TEXT.
dumped() {
	grep -cE ' lttng_ust_(statedump|lib):[a-z_]+: ' "$1"
}

st_record one --context ip,vpid -- "$PROG"
ranges "$WORK/one.out" >"$WORK/one.ranges"
tap_is "$?" 0 "the program's site functions are found with nm" ||
	tap_diag_file "$WORK/one.out"
st_bt "$REC_DIR"
tap_is "$REC_RC/$((REC_EVENTS - $(dumped "$REC_DIR.bt")))/$REC_LOST" "0/$((4 * N))/0" \
	"sonde record --context ip,vpid records every event, none lost" ||
	tap_diag_file "$WORK/one.err"
tap_is "$BT_RC/$(wc -c <"$REC_DIR.bterr")" "0/0" "babeltrace2 reads the trace without complaint" ||
	tap_diag_file "$REC_DIR.bterr" 20
tap_is "$(grep -c '^ *ip: .*base = 16' "$REC_DIR/metadata" 2>/dev/null; grep -cE 'integer \{ size = 64;[^}]*base = 16;[^}]*\} _?ip;' "$REC_DIR/metadata")" "0
1" "the metadata's event context has ip, a 64-bit hexadecimal integer"
read -r n good bad tz tn < <(check "$REC_DIR.bt" "$WORK/one.ranges" 2>"$WORK/one.bad")
tap_is "$n/$good/$bad" "$((4 * N))/$((4 * N))/0" \
	"babeltrace2: every event's ip is inside the function of its site (tracepoint, in-place tracepoint, marker, tracef)" ||
	tap_diag_file "$WORK/one.bad"
tap_is "$((tn > 0))/$tz" "1/$tn" "sonde:thread records carry ip 0"
tap_is "$(grep -c ' ctxip:small: { cpu_id = [0-9]* }, { ip = 0x[0-9a-fA-F]*, vpid = [0-9]* }, { i = ' "$REC_DIR.bt")" \
	"$N" "the context is ip then vpid, as asked"
"$SONDE" view "$REC_DIR" >"$WORK/view" 2>"$WORK/view.err"
tap_is "$?" 0 "sonde view reads the trace" || tap_diag_file "$WORK/view.err"
read -r n good bad tz tn < <(check "$WORK/view" "$WORK/one.ranges" 2>"$WORK/view.bad")
tap_is "$n/$good/$bad" "$((4 * N))/$((4 * N))/0" "sonde view: the same ips" ||
	tap_diag_file "$WORK/view.bad"

# At -O0.
st_record opt0 --context ip -- "$PROG0"
ranges "$WORK/opt0.out" "$PROG0" >"$WORK/opt0.ranges"
st_bt "$REC_DIR"
read -r n good bad tz tn < <(check "$REC_DIR.bt" "$WORK/opt0.ranges" 2>"$WORK/opt0.bad")
tap_is "$REC_RC/$BT_RC/$n/$good/$bad" "0/0/$((4 * N))/$((4 * N))/0" \
	"built at -O0: every event's ip is inside the function of its site" ||
	tap_diag_file "$WORK/opt0.bad"

# Two sessions: ip asked by the inner one (the process's second session,
# the sites' out-of-line path), then by the outer one (its first).
for inner_ip in 1 0; do
	if [ "$inner_ip" = 1 ]; then a=() b=(--context ip); else a=(--context ip) b=(); fi
	timeout -k 10 "$ST_TIMEOUT" "$SONDE" record -o "$WORK/o$inner_ip" "${a[@]}" -- \
		"$SONDE" record -o "$WORK/i$inner_ip" "${b[@]}" -- "$PROG" \
		>"$WORK/n$inner_ip.out" 2>"$WORK/n$inner_ip.err"
	rc=$?
	ranges "$WORK/n$inner_ip.out" >"$WORK/n$inner_ip.ranges"
	if [ "$inner_ip" = 1 ]; then with=$WORK/i1 without=$WORK/o1; else with=$WORK/o0 without=$WORK/i0; fi
	st_bt "$with"
	tap_is "$rc/$(grep -c "^sonde: $((4 * N)) events recorded, 0 lost, .* in $without\$" "$WORK/n$inner_ip.err")/$(grep -c "^sonde: $((4 * N + $(dumped "$with.bt"))) events recorded, 0 lost, .* in $with\$" "$WORK/n$inner_ip.err")" "0/1/1" \
		"nested records (ip asked by the $([ "$inner_ip" = 1 ] && echo inner || echo outer) one): both have every event" ||
		tap_diag_file "$WORK/n$inner_ip.err"
	read -r n good bad tz tn < <(check "$with.bt" "$WORK/n$inner_ip.ranges" 2>"$WORK/n$inner_ip.bad")
	tap_is "$BT_RC/$n/$good/$bad" "0/$((4 * N))/$((4 * N))/0" \
		"the session that asked for ip has every event's site" ||
		tap_diag_file "$WORK/n$inner_ip.bad"
	st_bt "$without"
	tap_is "$BT_RC/$(grep -c ' ctxip:' "$without.bt")/$(grep -c 'ip = ' "$without.bt")" "0/$((3 * N))/0" \
		"the other session has the events, without ip"
done

# A daemon session created with --context vpid,ip (sonde create): the
# same, for a program the daemon's agent attaches at its start.
. "$here/test-live-lib.sh"
lt_add_daemon
lt_sonde "create --context vpid,ip" create dip -o "$WORK/dip" --context vpid,ip
lt_sonde "enable" enable -s dip 'ctxip:*' 'sonde_tracef:*'
lt_sonde "start" start -s dip
timeout -k 10 "$ST_TIMEOUT" "$PROG" >"$WORK/dip.out" 2>"$WORK/dip.err"
tap_is "$?" 0 "the program runs beside the daemon" || tap_diag_file "$WORK/dip.err"
lt_sonde "stop" stop -s dip
lt_sonde "destroy" destroy -s dip
ranges "$WORK/dip.out" >"$WORK/dip.ranges"
st_bt "$WORK/dip"
read -r n good bad tz tn < <(check "$WORK/dip.bt" "$WORK/dip.ranges" 2>"$WORK/dip.bad")
tap_is "$BT_RC/$n/$good/$bad" "0/$((4 * N))/$((4 * N))/0" \
	"daemon session: every event's ip is inside the function of its site" ||
	tap_diag_file "$WORK/dip.bad"
tap_is "$(grep -c ' ctxip:small: { cpu_id = [0-9]* }, { vpid = [0-9]*, ip = 0x[0-9a-fA-F]* }, ' "$WORK/dip.bt")" \
	"$N" "daemon session: vpid then ip, as asked"
"$SONDE" create bad --context vpid,bogus >"$WORK/bad.out" 2>&1
tap_is "$?/$(grep -c "unknown context 'bogus'" "$WORK/bad.out")/$("$SONDE" sessions 2>/dev/null | grep -c '^bad ')" "1/1/0" \
	"create --context with an unknown name is refused, no session made" ||
	tap_diag_file "$WORK/bad.out"
tap_done
