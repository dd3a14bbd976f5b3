# SPDX-License-Identifier: MIT
# Helpers of the relay tests (test-relay*.sh): an lttng-relayd of the
# test's own on loopback, on free ports, writing under its own directory,
# killed by pid when the test ends.  Source after tap.sh and lib.sh.

# relay_need: skip the whole test, saying why, without lttng-relayd.
relay_need() {
	RELAYD=${RELAYD:-$(command -v lttng-relayd)}
	[ -n "$RELAYD" ] && [ -x "$RELAYD" ] ||
		tap_skip_all "lttng-relayd not found (Debian package lttng-tools)"
}

RELAY_PID=

# relay_port_open PORT: 0 when something accepts on 127.0.0.1:PORT.
relay_port_open() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# relay_start DIR [PORT]: an lttng-relayd writing under DIR (made
# absolute) with control, data and live ports PORT, PORT+1, PORT+2 (a
# free random triple when PORT is not given); sets RELAY_CTRL,
# RELAY_DATA, RELAY_LIVE, RELAY_URL and RELAY_PID.  Fails after 5 tries.
relay_start() {
	local dir=$1 want=${2:-} try p i
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	for try in 1 2 3 4 5; do
		p=${want:-$((20000 + (RANDOM % 20000)))}
		if relay_port_open "$p" || relay_port_open $((p + 1)) ||
			relay_port_open $((p + 2)); then
			[ -n "$want" ] && sleep 1
			continue
		fi
		"$RELAYD" -o "$dir" -C "tcp://127.0.0.1:$p" \
			-D "tcp://127.0.0.1:$((p + 1))" \
			-L "tcp://127.0.0.1:$((p + 2))" \
			>>"$dir.log" 2>&1 &
		RELAY_PID=$!
		for i in $(seq 50); do
			kill -0 "$RELAY_PID" 2>/dev/null || break
			if relay_port_open "$p" && relay_port_open $((p + 1)) &&
				relay_port_open $((p + 2)); then
				RELAY_CTRL=$p RELAY_DATA=$((p + 1))
				RELAY_LIVE=$((p + 2))
				RELAY_URL=net://127.0.0.1:$p:$((p + 1))
				return 0
			fi
			sleep 0.1
		done
		relay_stop
	done
	return 1
}

# relay_stop [SIGNAL]: stop the relayd (TERM by default) and wait for it.
relay_stop() {
	[ -n "$RELAY_PID" ] || return 0
	kill "-${1:-TERM}" "$RELAY_PID" 2>/dev/null
	wait "$RELAY_PID" 2>/dev/null
	RELAY_PID=
}

# relay_session_dir ROOT HOST SESSION: the one directory the relay made
# for a session (ROOT/HOST/SESSION-DATE).
relay_session_dir() {
	local d
	for d in "$1/$2/$3"-*; do
		[ -d "$d" ] && { printf '%s\n' "$d"; return 0; }
	done
	return 1
}
