#!/usr/bin/env python3
"""bench:route's sink: reads the emitter's jobs on stdin (see emitter.py) and appends one JSON
line per finished job to RESULTS: for a paced job the age of each line at arrival (µs
percentiles), for either kind the time from the job's header stamp to the arrival of its last
line. A saturated job's lines are counted a read at a time, not cut one by one.
Start: python3 sink.py RESULTS
"""
import json
import os
import sys
import time


def pct(sorted_us, q):
    rank = min(len(sorted_us) - 1, max(0, -(-round(q * 1000) * len(sorted_us) // 1000) - 1))
    return sorted_us[rank]


def finish(results, job, at):
    ident, mode, count, start_ns, ages = job
    out = {"id": ident, "mode": mode, "count": count, "elapsed_ns": at - start_ns}
    if ages:
        ages.sort()
        out.update(p50_us=pct(ages, 0.5), p99_us=pct(ages, 0.99), p999_us=pct(ages, 0.999))
        out["max_us"] = ages[-1]
    with open(results, "a") as f:
        f.write(json.dumps(out) + "\n")


def main() -> int:
    results = sys.argv[1]
    now = time.monotonic_ns
    pending = b""
    job = None  # [id, mode, count, start_ns, ages]; `left` lines of it still to come
    left = 0
    while True:
        chunk = os.read(0, 1 << 20)
        if not chunk:
            return 0
        at = now()
        data = pending + chunk if pending else chunk
        start = 0
        while True:
            if job is None:
                nl = data.find(b"\n", start)
                if nl < 0:
                    break
                line = data[start:nl]
                start = nl + 1
                if line.startswith(b"H "):
                    _, ident, mode, count, start_ns = line.split()
                    job = [ident.decode(), mode.decode(), int(count), int(start_ns), []]
                    left = job[2]
                continue
            if job[1] == "sat":
                last = data.rfind(b"\n", start)
                if last < 0:
                    break
                n = data.count(b"\n", start, last + 1)
                if n < left:
                    left -= n
                    start = last + 1
                    break
                for _ in range(left):
                    start = data.index(b"\n", start) + 1
            else:
                nl = data.find(b"\n", start)
                if nl < 0:
                    break
                job[4].append((at - int(data[start : start + 20])) / 1000)
                start = nl + 1
                left -= 1
                if left > 0:
                    continue
            finish(results, job, at)
            job = None
        pending = data[start:]


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(0)
