#!/usr/bin/env python3
"""The quickstart's event source: one NDJSON event per line on stdout.

Start: python3 emit.py [count] [interval_ms]   (count 0 = forever; default 10 events, 100 ms apart)
The quickstart's manifest runs it forever, 200 ms apart (5 events/s), so routes stay busy.

It ends, exit 0, when its count is reached, on SIGTERM or SIGINT, when its stdout's reader is
gone (EPIPE), or at EOF on stdin when stdin is a pipe or socket: RTT's process driver ends a
source's input when it closes the link (ADR 0024), so a forever emitter stops with its route
and its panel instead of waiting for the TERM that follows. Run by hand (stdin a terminal or
/dev/null), stdin is not watched.
"""
import json
import os
import signal
import stat
import sys
import threading
import time


class Stop(Exception):
    """Raised in the main thread by SIGTERM/SIGINT: leave the loop, exit 0."""


def stop_on_signal(_signum, _frame):
    raise Stop()


def watch_stdin(ended: threading.Event) -> None:
    """Sets `ended` at EOF on stdin (what comes before EOF is nobody's message: dropped)."""
    try:
        while os.read(0, 65536):
            pass
    except OSError:
        pass
    ended.set()


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    interval = (int(sys.argv[2]) if len(sys.argv) > 2 else 100) / 1000
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop_on_signal)
    try:
        emit(count, interval)
    except (BrokenPipeError, Stop):
        # Nothing more can reach stdout: keep interpreter shutdown from flushing into it.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def emit(count: int, interval: float) -> None:
    ended = threading.Event()
    mode = os.fstat(0).st_mode
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):  # Node's spawn hands it a socket pair
        threading.Thread(target=watch_stdin, args=(ended,), daemon=True).start()
    seq = 0
    while (count == 0 or seq < count) and not ended.is_set():
        seq += 1
        event = {"seq": seq, "type": "tick", "ts_ms": int(time.time() * 1000)}
        sys.stdout.write(json.dumps(event, separators=(",", ":")) + "\n")
        sys.stdout.flush()
        if (count == 0 or seq < count) and interval > 0:
            ended.wait(interval)

if __name__ == "__main__":
    sys.exit(main())
