#!/usr/bin/env python3
"""A client of the panel's framed control channel in another language, from docs/connectors.md
section 7 alone: the Python standard library, no gRPC, no protobuf package.

Run by test/api/framed-channel.test.ts as `python3 framed_client.py FRAMED_SOCKET`. It calls
Status (method id 0, an empty request) and Trip (method id 10) of a route that is not wired,
on one connection with both calls in flight, and prints one JSON object: Status's pid, root and
routes (read from the protobuf bytes by hand), and the error Trip was answered with.
"""

import json
import socket
import struct
import sys

REQUEST, RESPONSE, ERROR = 1, 2, 5
STATUS, TRIP = 0, 10


def frame(kind, call_id, method_id, body):
    return struct.pack(">IBIH", 7 + len(body), kind, call_id, method_id) + body


def request(call_id, method_id, message, metadata=b""):
    return frame(REQUEST, call_id, method_id, struct.pack(">H", len(metadata)) + metadata + message)


def varint(buf, at):
    value, shift = 0, 0
    while True:
        b = buf[at]
        at += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return value, at


def fields(buf):
    """The top-level fields of a protobuf message: {number: value} (varints and bytes)."""
    out, at = {}, 0
    while at < len(buf):
        key, at = varint(buf, at)
        number, wire = key >> 3, key & 7
        if wire == 0:
            out[number], at = varint(buf, at)
        elif wire == 2:
            n, at = varint(buf, at)
            out.setdefault(number, buf[at : at + n])
            at += n
        elif wire == 1:
            at += 8
        elif wire == 5:
            at += 4
        else:
            raise ValueError(f"wire type {wire}")
    return out


def text(number, value):
    """A protobuf string field: tag, length, UTF-8."""
    data = value.encode()
    return bytes([number << 3 | 2, len(data)]) + data


def main():
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(sys.argv[1])
    conn.sendall(request(1, STATUS, b"") + request(2, TRIP, text(1, "not-wired") + text(2, "py")))
    answers, pending = {}, b""
    while len(answers) < 2:
        chunk = conn.recv(65536)
        if not chunk:
            raise SystemExit("the panel closed the connection")
        pending += chunk
        while len(pending) >= 11:
            length, kind, call_id, _method = struct.unpack(">IBIH", pending[:11])
            if len(pending) < 4 + length:
                break
            answers[call_id] = (kind, pending[11 : 4 + length])
            pending = pending[4 + length :]
    conn.close()
    kind, body = answers[1]
    assert kind == RESPONSE, kind
    status = fields(body)
    kind, body = answers[2]
    assert kind == ERROR, kind
    print(
        json.dumps(
            {
                "pid": status.get(1),
                "root": status.get(2, b"").decode(),
                "routes": status.get(6, 0),
                "trip_error": json.loads(body),
            }
        )
    )


main()
