#!/usr/bin/env python3
"""The quickstart's event source: one NDJSON event per line on stdout.

Start: python3 emit.py [count] [interval_ms]   (count 0 = forever; default 10 events, 100 ms apart)
"""
import json
import sys
import time


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    interval = (int(sys.argv[2]) if len(sys.argv) > 2 else 100) / 1000
    seq = 0
    try:
        while count == 0 or seq < count:
            seq += 1
            event = {"seq": seq, "type": "tick", "ts_ms": int(time.time() * 1000)}
            sys.stdout.write(json.dumps(event, separators=(",", ":")) + "\n")
            sys.stdout.flush()
            if count == 0 or seq < count:
                time.sleep(interval)
    except (BrokenPipeError, KeyboardInterrupt):
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
