"""RTT connectors in Python: `define_connector(...)` names your eight functions, `serve(...)`
runs them as a driver process with the whole wire protocol done for you (sdk/python/README.md,
docs/connectors.md)."""

from .errors import RttError
from .serve import SDK_VERSION, serve

__all__ = ["Connector", "RttError", "SDK_VERSION", "define_connector", "serve"]
__version__ = SDK_VERSION


class Connector:
    """A connector: a name, a version and the functions the runtime calls.

    probe(root) -> [contract dict]      the symbols found under `root` (may be [])
    open(contract, params, context)     a route needs the symbol: return your link object
    tx(link, data, meta)                bytes for the symbol, one call per frame, in order
    rx(link) -> iterable                what the symbol produces: bytes, or (bytes, correlation)
    close(link, how)                    release the link and end `rx`'s iteration
    health(link) -> dict                {"ok": bool, "lag_ms": float, "err": str, "errors": int}
    """

    def __init__(self, name, version, probe, open, tx, rx, close, health):  # noqa: A002
        if not isinstance(name, str) or not name or "/" in name:
            raise ValueError(f"a connector's name is a file name in .rtt/drivers/; got {name!r}")
        self.name, self.version = name, version
        self.probe, self.open, self.tx, self.rx, self.close, self.health = probe, open, tx, rx, close, health


def define_connector(name, version, probe=None, open=None, tx=None, rx=None, close=None, health=None):  # noqa: A002
    """A Connector. Left out: probe finds nothing, tx drops, rx yields nothing, close does nothing,
    health is ok — a sink needs no rx, a source no tx."""
    return Connector(
        name,
        version,
        probe or (lambda root: []),
        open or (lambda contract, params, context: None),
        tx or (lambda link, data, meta: None),
        rx or (lambda link: iter(())),
        close or (lambda link, how: None),
        health or (lambda link: {"ok": True, "lag_ms": 0}),
    )
