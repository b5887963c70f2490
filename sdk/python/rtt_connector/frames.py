"""RTT frames (docs/connectors.md, "Lanes and frames"; the layout is drawn at the top of
packages/fabric/src/frame/format.ts): a 32-byte little-endian header, the payload, and a CRC-32
of the payload when flag 1 is set. The header CRC covers header bytes 0..11 and 16..31."""

import struct
import zlib

MAGIC = 0x5452
VERSION = 1
HEADER_SIZE = 32
MAX_PAYLOAD = 16 * 1024 * 1024

DATA, EOS, HEARTBEAT, NACK, SYN, ACK, BIND, READY, TRIP = range(1, 10)
FLAG_PAYLOAD_CRC = 1
FLAG_MARKED = 2

_HEAD = struct.Struct("<HBBHHII")  # magic, version, type, flags, reserved, length, header CRC
_TAIL = struct.Struct("<QQ")  # seq, correlation


class FrameError(Exception):
    """The byte stream lost its framing: the lane must close (RTT_ERR_FRAME_CORRUPT)."""


def encode(ftype, seq, payload=b"", correlation=0, flags=0):
    """One frame's bytes. Sequence numbers are the writer's: 1 for its first frame, one more for
    every frame after it, heartbeats and EOS included."""
    payload = bytes(payload)
    tail = _TAIL.pack(seq, correlation)
    head = _HEAD.pack(MAGIC, VERSION, ftype, flags, 0, len(payload), 0)
    crc = zlib.crc32(head[:12] + tail)
    head = head[:12] + struct.pack("<I", crc)
    trailer = struct.pack("<I", zlib.crc32(payload)) if flags & FLAG_PAYLOAD_CRC else b""
    return head + tail + payload + trailer


class Frame:
    __slots__ = ("type", "flags", "seq", "correlation", "payload")

    def __init__(self, ftype, flags, seq, correlation, payload):
        self.type, self.flags, self.seq = ftype, flags, seq
        self.correlation, self.payload = correlation, payload


class Decoder:
    """Turns a byte stream back into frames, whatever the chunk boundaries. Checks the header
    (magic, version, type, CRC, length) before waiting for any payload byte."""

    def __init__(self, max_payload=MAX_PAYLOAD):
        self._buf = bytearray()
        self._max = max_payload

    def push(self, chunk):
        self._buf += chunk
        out = []
        while len(self._buf) >= HEADER_SIZE:
            magic, version, ftype, flags, _, length, crc = _HEAD.unpack_from(self._buf, 0)
            if zlib.crc32(bytes(self._buf[:12]) + bytes(self._buf[16:32])) != crc:
                raise FrameError("frame header CRC mismatch")
            if magic != MAGIC or version != VERSION or not 1 <= ftype <= TRIP:
                raise FrameError(f"bad frame header (magic {magic:#x}, version {version}, type {ftype})")
            if length > self._max:
                raise FrameError(f"frame payload of {length} bytes is over the lane's {self._max}")
            size = HEADER_SIZE + length + (4 if flags & FLAG_PAYLOAD_CRC else 0)
            if len(self._buf) < size:
                break
            seq, correlation = _TAIL.unpack_from(self._buf, 16)
            payload = bytes(self._buf[HEADER_SIZE : HEADER_SIZE + length])
            if flags & FLAG_PAYLOAD_CRC:
                (want,) = struct.unpack_from("<I", self._buf, HEADER_SIZE + length)
                if zlib.crc32(payload) != want:
                    raise FrameError("frame payload CRC mismatch")
            del self._buf[:size]
            out.append(Frame(ftype, flags, seq, correlation, payload))
        return out

    @property
    def pending(self):
        return len(self._buf)
