"""A complete RTT connector in Python: a file sink that writes each message it receives, upper-
cased, as one line of the file its manifest names ("x-shout-file", relative to the manifest).

Install it into a workspace:  python3 -m rtt_connector install examples/shout.py WORKSPACE
and a symbol with "x-driver": "shout" is served by it (sdk/python/README.md)."""

import os
import threading

from rtt_connector import define_connector


def open_link(contract, params, context):
    path = os.path.join(contract.get("x-cwd", "."), contract["x-shout-file"])
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return {"file": open(path, "ab"), "lock": threading.Lock(), "written": 0}


def tx(link, data, meta):
    with link["lock"]:
        link["file"].write(data.upper().rstrip(b"\n") + b"\n")
        link["file"].flush()
        link["written"] += 1


def close(link, how):
    with link["lock"]:
        link["file"].close()


shout = define_connector(
    name="shout",
    version="1.0.0",
    open=open_link,
    tx=tx,
    close=close,
    health=lambda link: {"ok": not link["file"].closed, "lag_ms": 0},
)
