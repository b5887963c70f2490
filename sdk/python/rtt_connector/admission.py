"""A route's QoS at its source end (docs/adr/0015; packages/core/src/route-qos.ts): the panel
opens the source with `qos.source` (this end's address), `qos.rate` (frames/s), `qos.burst`
and `qos.drop`. A token bucket of `burst` tokens refills at `rate`; a chunk that finds it empty
is dropped (`taildrop`), refused (`nack`), sent with the congestion mark (`mark`), or waits for
its token (`buffer`: the producer is paused, nothing is lost)."""

import time

from .errors import RttError
from .frames import FLAG_MARKED

DROP_POLICIES = ("taildrop", "mark", "nack", "buffer")


def _number(params, key, low):
    try:
        n = float(params[key])
    except (KeyError, ValueError):
        n = float("nan")
    if not n >= low or n == float("inf"):
        raise RttError("RTT_ERR_DRIVER_CALL", f"Open: route param {key}={params.get(key)!r}: expected a number >= {low}")
    return n


class Admission:
    def __init__(self, rate, burst, drop):
        self.rate, self.burst, self.drop = rate, burst, drop
        self._tokens, self._last = burst, time.monotonic()
        self.counts = dict(drops=0, marked=0, nacked=0, buffered=0)

    @classmethod
    def from_params(cls, params, saddr):
        """The admission `params` ask of the end `saddr`, or None (not the source, or no rate)."""
        if params.get("qos.source") != saddr or "qos.rate" not in params:
            return None
        drop = params.get("qos.drop")
        if drop not in DROP_POLICIES:
            raise RttError("RTT_ERR_DRIVER_CALL", f"Open: route param qos.drop={drop!r}: expected one of {', '.join(DROP_POLICIES)}")
        return cls(_number(params, "qos.rate", 1e-9), _number(params, "qos.burst", 1), drop)

    def _take(self):
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now
        if self._tokens >= 1 - 1e-9:
            self._tokens -= 1
            return True
        return False

    def admit(self):
        """The frame flags to send the next chunk with, or None when it is not to be sent."""
        if self._take():
            return 0
        if self.drop == "taildrop":
            self.counts["drops"] += 1
            return None
        if self.drop == "nack":
            self.counts["nacked"] += 1
            return None
        if self.drop == "mark":
            self.counts["marked"] += 1
            return FLAG_MARKED
        self.counts["buffered"] = 1
        while not self._take():
            time.sleep(max(0.0005, (1 - self._tokens) / self.rate))
        self.counts["buffered"] = 0
        return 0
