"""The target end's delivered mark of a journaled route (a one-way route with `drop: buffer`,
docs/adr/0016): after each message the connector took, the end offset the source gave it as
its correlation id, written over `<journal>/delivered` as two little-endian u64 — the offset,
and the offset XOR a check word (packages/connector-sdk/src/driver/route-journal.ts). The source
trims its journal up to the mark, and replays only what lies beyond it after a driver dies."""

import os
import struct

CHECK = 0x5254_544A_4E4C_4D4B


class DeliveredMark:
    def __init__(self, journal_dir):
        os.makedirs(journal_dir, mode=0o700, exist_ok=True)
        self._fd = os.open(os.path.join(journal_dir, "delivered"), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)

    def record(self, offset):
        if self._fd is not None:
            os.pwrite(self._fd, struct.pack("<QQ", offset, offset ^ CHECK), 0)

    def close(self):
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
