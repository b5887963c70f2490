"""A source in Python: each link emits one JSON event every 5 ms, {"seq": n, "type": "tick"},
until its route closes it. Wired to the quickstart's logger in test/e2e/python-connector.test.ts."""

import json
import threading

from rtt_connector import define_connector


def rx(link):
    seq = 0
    while not link.wait(0.005):  # the Event is set by close()
        seq += 1
        yield json.dumps({"seq": seq, "type": "tick"}).encode()


ticks = define_connector(
    name="pyticks",
    version="1.0.0",
    open=lambda contract, params, context: threading.Event(),
    rx=rx,
    close=lambda link, how: link.set(),
)
