#!/usr/bin/env python3
"""bench:route's emitter: runs the jobs written to its control FIFO, one line each:

    <id> paced <size> <count> <interval_us>   one line every interval, flushed at once
    <id> sat <size> <count> 0                 count lines as fast as a buffered stdout takes them

Before a job's lines it writes its header `H <id> <mode> <count> <start_ns>`; every line of a job
starts with time.monotonic_ns() (20 digits), padded to `size` bytes before its newline, so the
sink can take its age at arrival (the same clock: one host). The same program runs at the source
of the route and in the direct pipe `emitter | sink`.
Start: python3 emitter.py CONTROL_FIFO
"""
import os
import sys
import time

STAMP = 20


def line_of(size: int) -> bytes:
    return b" " + b"x" * max(0, size - STAMP - 1) + b"\n"


def main() -> int:
    # O_RDWR: neither blocks at open nor sees EOF while the bench has no writer open.
    ctl = os.open(sys.argv[1], os.O_RDWR)
    out = open(1, "wb", buffering=1 << 20, closefd=False)
    now = time.monotonic_ns
    pending = b""
    while True:
        chunk = os.read(ctl, 4096)
        if not chunk:
            return 0
        pending += chunk
        while b"\n" in pending:
            job, pending = pending.split(b"\n", 1)
            ident, mode, size, count, interval_us = job.decode().split()
            size, count, interval = int(size), int(count), int(interval_us) * 1000
            tail = line_of(size)
            out.write(b"H %s %s %d %d\n" % (ident.encode(), mode.encode(), count, now()))
            out.flush()
            if mode == "sat":
                write = out.write
                for _ in range(count):
                    write(b"%020d" % now() + tail)
                out.flush()
            else:
                due = now()
                for _ in range(count):
                    due += interval
                    wait = due - now()
                    if wait > 0:
                        time.sleep(wait / 1e9)
                    out.write(b"%020d" % now() + tail)
                    out.flush()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (BrokenPipeError, KeyboardInterrupt):
        sys.exit(0)
