"""The TypeScript echo example (docs/connectors.md) in Python: every message sent into a link
comes straight back out of it, with its correlation id."""

import queue

from rtt_connector import define_connector


def rx(link):
    while True:
        item = link.get()
        if item is None:  # close() ends the iteration
            return
        yield item


echo = define_connector(
    name="pyecho",
    version="1.0.0",
    probe=lambda root: [{"saddr": "rtt://demo/api/pyecho@1.0.0", "type": "api", "direction": "both"}],
    open=lambda contract, params, context: queue.Queue(),
    tx=lambda link, data, meta: link.put((data, meta["correlation"])),
    rx=rx,
    close=lambda link, how: link.put(None),
    health=lambda link: {"ok": True, "lag_ms": 0},
)
