#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# A relay that hangs (test-relay-hung.sh): listens on 127.0.0.1 at the
# ports given, accepts every connection and never reads nor writes, as a
# relayd stuck in a deadlock would.  Each accept appends a line to
# COUNTFILE; READY is created once every port listens.
# Usage: relay-hung.py COUNTFILE READY PORT...
import os
import select
import socket
import sys

count, ready, ports = sys.argv[1], sys.argv[2], sys.argv[3:]
listeners = []
for p in ports:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", int(p)))
    s.listen(64)
    listeners.append(s)
open(ready, "w").close()
held = []
while True:
    r, _, _ = select.select(listeners, [], [])
    for s in r:
        c, _ = s.accept()
        held.append(c)  # never read, never closed
        with open(count, "a") as f:
            f.write("%d\n" % s.getsockname()[1])
