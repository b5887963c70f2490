"""QuickConnect (docs/adr/0011-quickconnect.md), run before a route's data flows: the target
(responder) listens on two control lanes, the source (initiator) connects to them and sends SYN;
the target answers ACK, the source sends BIND naming the target's data lane, the target answers
READY. Each message is a control frame whose payload is compact JSON with "v": 1 and the
message's fields (packages/connector-sdk/src/quickconnect/messages.ts)."""

import json
import re
import secrets
import socket
import time

from . import frames
from .lanes import LaneError, Listener, connect

NONCE = re.compile(r"^[A-Za-z0-9_-]{8,128}$")
HASH = re.compile(r"^[0-9a-f]{64}$")
CAP = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
LANE_KINDS = ("shm", "uds", "tcp", "inproc")
MAX_RETRIES = 3
DEFAULT_TIMEOUT_MS = 5000
# A trip reason's error code, as the TypeScript runtime reports it (quickconnect/trip.ts).
TRIP_CODES = {
    "contract-mismatch": "RTT_ERR_QC_REFUSED",
    "caps-missing": "RTT_ERR_QC_REFUSED",
    "no-lane": "RTT_ERR_QC_REFUSED",
    "unauthorized": "RTT_ERR_QC_REFUSED",
    "timeout": "RTT_ERR_QC_TIMEOUT",
    "malformed": "RTT_ERR_QC_MALFORMED",
}


class QuickConnectError(LaneError):
    def __init__(self, reason, message):
        super().__init__(TRIP_CODES.get(reason, "RTT_ERR_QC_TRIP"), message)
        self.reason = reason


def _malformed(what):
    return QuickConnectError("malformed", f"QuickConnect: {what}")


def lane_key(address):
    return json.dumps(address, sort_keys=True)


class Control:
    """One end of a control link: frames out on one socket, in on the other."""

    def __init__(self, write_sock, read_sock):
        self._w, self._r = write_sock, read_sock
        self._seq = 0
        self._decoder = frames.Decoder(64 * 1024)
        self._ready = []

    def send(self, ftype, body):
        self._seq += 1
        payload = json.dumps({"v": 1, **body}, separators=(",", ":")).encode()
        self._w.sendall(frames.encode(ftype, self._seq, payload))

    def receive(self, deadline):
        """The next control message as (type, body), or None when `deadline` passes (None: no
        deadline)."""
        while not self._ready:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return None
            self._r.settimeout(left)
            try:
                chunk = self._r.recv(65536)
            except socket.timeout:
                return None
            if not chunk:
                raise QuickConnectError("peer-gone", "QuickConnect: the peer closed its control lane")
            self._ready += [f for f in self._decoder.push(chunk) if f.type != frames.HEARTBEAT]
        f = self._ready.pop(0)
        if f.type == frames.EOS:
            raise QuickConnectError("peer-gone", "QuickConnect: the peer ended its control lane")
        try:
            body = json.loads(f.payload.decode("utf-8"))
        except ValueError as e:
            raise _malformed(f"frame type {f.type} payload is not UTF-8 JSON: {e}") from e
        if not isinstance(body, dict) or body.get("v") != 1:
            raise _malformed(f"frame type {f.type}: expected a JSON object with v 1")
        return f.type, body

    def close(self, nonce=None):
        if nonce is not None:
            try:
                self.send(frames.TRIP, {"nonce": nonce, "reason": "closed", "detail": "the link was closed by its owner"})
            except OSError:
                pass
        for s in (self._w, self._r):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


def _strings(body, key, pattern, lo=0, hi=256):
    v = body.get(key)
    if not isinstance(v, list) or not lo <= len(v) <= hi or not all(isinstance(x, str) and pattern.match(x) for x in v):
        raise _malformed(f"SYN.{key}: expected a list of {lo} to {hi} names, found {v!r:.60}")
    return v


def _int(body, key, lo, hi):
    v = body.get(key)
    if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
        raise _malformed(f"{key}: expected an integer from {lo} to {hi}, found {v!r:.60}")
    return v


def evaluate_syn(syn, contract_hash, caps, lane, max_frame):
    """The target's answer to a SYN: ("ACK", body) or ("TRIP", body), by the rules of
    responder-machine.ts: contract hash equal, required capabilities offered both ways, the data
    lane's kind among the SYN's lanes; caps = the intersection, sorted; max_frame = the smaller;
    heartbeat_ms = the SYN's, at least 10; capacity 0 (no shm here)."""
    nonce = syn["nonce"]

    def refuse(reason, detail):
        return "TRIP", {"nonce": nonce, "reason": reason, "detail": detail}

    if syn.get("token") is not None and not isinstance(syn["token"], str):
        raise _malformed("SYN.token: expected a route token")
    if syn["contract_hash"] != contract_hash:
        return refuse("contract-mismatch", f"the initiator expects contract {syn['contract_hash']}; this end has {contract_hash}")
    missing = [c for c in syn["require"] if c not in caps]
    if missing:
        return refuse("caps-missing", f"the initiator requires {', '.join(missing)}, which this end does not offer")
    if lane not in syn["lanes"]:
        return refuse("no-lane", f"the initiator can make {', '.join(syn['lanes'])}; this end can reach {lane}")
    return "ACK", {
        "nonce": nonce,
        "caps": sorted(c for c in syn["caps"] if c in caps),
        "lane": lane,
        "buffer": {"capacity": 0, "max_frame": min(syn["max_frame"], max_frame)},
        "heartbeat_ms": max(syn["heartbeat_ms"], 10),
    }


def parse_syn(body):
    nonce = body.get("nonce")
    if not isinstance(nonce, str) or not NONCE.match(nonce):
        raise _malformed(f"SYN.nonce: expected a nonce, found {nonce!r:.60}")
    ch = body.get("contract_hash")
    if not isinstance(ch, str) or not HASH.match(ch):
        raise _malformed("SYN.contract_hash: expected a SHA-256 in lowercase hex")
    return {
        "nonce": nonce,
        "saddr": body.get("saddr"),
        "contract_hash": ch,
        "caps": _strings(body, "caps", CAP),
        "require": _strings(body, "require", CAP),
        "lanes": _strings(body, "lanes", re.compile("^(shm|uds|tcp|inproc)$"), 1, 4),
        "max_frame": _int(body, "max_frame", 1, 0xFFFFFFFF),
        "heartbeat_ms": _int(body, "heartbeat_ms", 1, 3_600_000),
        "token": body.get("token"),
    }


class Responder:
    """The target's side: listens on the two control lanes (uds or tcp, like its data lane) and
    answers one handshake on them, on a thread, until READY or `stop()` (the link's close), as
    the TypeScript responder does: a source that connects and stays silent holds them till then."""

    def __init__(self, data, contract_hash, caps, log, max_frame=frames.MAX_PAYLOAD):
        kind = data["kind"]
        self.requests = Listener(kind)
        try:
            self.answers = Listener(kind)
        except Exception:
            self.requests.close()
            raise
        self._data, self._hash, self._caps, self._log = data, contract_hash, caps, log
        self._max_frame = max_frame
        self._control = None
        self._stopped = False

    @property
    def addresses(self):
        return {"requests": self.requests.address, "answers": self.answers.address}

    def run(self):
        try:
            read = self.requests.accept()
            write = self.answers.accept()
            self._control = Control(write, read)
            self._answer(self._control)
        except (LaneError, OSError) as e:
            if not self._stopped:
                self._log(f"handshake ended: {e}")
        finally:
            self.stop()

    def _answer(self, control):
        try:
            self._answer_all(control)
        except QuickConnectError as e:
            if e.reason == "malformed":  # the source learns why before the lanes close
                try:
                    control.send(frames.TRIP, {"nonce": "", "reason": "malformed", "detail": str(e)})
                except OSError:
                    pass
            raise

    def _answer_all(self, control):
        answered = {}
        live = None
        while True:
            ftype, body = control.receive(None)
            if ftype == frames.SYN:
                syn = parse_syn(body)
                if syn["nonce"] not in answered:
                    answered[syn["nonce"]] = evaluate_syn(syn, self._hash, self._caps, self._data["kind"], self._max_frame)
                kind, answer = answered[syn["nonce"]]
                control.send(frames.ACK if kind == "ACK" else frames.TRIP, answer)
                if kind == "ACK":
                    live = syn["nonce"]
                else:
                    self._log(f"handshake refused: {answer['detail']}")
            elif ftype == frames.BIND and live is not None and body.get("nonce") == live:
                lanes = body.get("lanes")
                if not isinstance(lanes, list) or [lane_key(x) for x in lanes] != [lane_key(self._data)]:
                    control.send(frames.TRIP, {"nonce": live, "reason": "bind-failed", "detail": f"BIND names {lanes!r:.200}; this link listens on {self._data}"})
                    raise QuickConnectError("bind-failed", "QuickConnect: BIND named another lane")
                control.send(frames.READY, {"nonce": live})
                control.close(live)
                self._control = None
                return
            elif ftype == frames.TRIP and body.get("nonce") in ("", live):
                raise QuickConnectError(str(body.get("reason")), f"QuickConnect: the source gave up: {body.get('detail')}")

    def stop(self):
        self._stopped = True
        self.requests.close()
        self.answers.close()
        if self._control is not None:
            self._control.close()
            self._control = None


def initiate(saddr, request, max_frame=frames.MAX_PAYLOAD, heartbeat_ms=1000):
    """The source's side, from a HandshakeRequest-shaped dict: SYN → ACK → BIND → READY within
    its timeout. Returns the ACK's body; raises QuickConnectError naming the trip reason."""
    timeout_s = (request["timeout_ms"] or DEFAULT_TIMEOUT_MS) / 1000
    deadline = time.monotonic() + timeout_s
    answer_s = timeout_s / (MAX_RETRIES + 1)
    target = request["expect_saddr"] or "the target"
    data = request["data"]
    nonce = request["nonce"] or secrets.token_hex(16)
    try:
        write = connect(request["control"]["requests"])
        read = connect(request["control"]["answers"])
    except LaneError as e:
        raise QuickConnectError("peer-gone", f"QuickConnect: cannot reach the control lanes of {target}: {e}") from e
    control = Control(write, read)
    syn = {
        "nonce": nonce, "saddr": saddr, "contract_hash": request["expect_contract_hash"],
        "caps": list(request["caps"]), "require": list(request["require"]), "lanes": [data["kind"]],
        "max_frame": max_frame, "heartbeat_ms": heartbeat_ms,
    }
    if request.get("route_token"):
        syn["token"] = request["route_token"]
    try:
        ack = _exchange(control, frames.SYN, syn, frames.ACK, nonce, answer_s, deadline, target)
        _exchange(control, frames.BIND, {"nonce": nonce, "lanes": [data]}, frames.READY, nonce, answer_s, deadline, target)
        control.close(nonce)
        return ack
    except BaseException:
        control.close()
        raise


def _exchange(control, send_type, body, want, nonce, answer_s, deadline, target):
    """Sends `body`, resending it up to MAX_RETRIES times, until the answer of type `want`."""
    for _ in range(MAX_RETRIES + 1):
        control.send(send_type, body)
        until = min(deadline, time.monotonic() + answer_s)
        while True:
            got = control.receive(until)
            if got is None:
                break
            ftype, answer = got
            if answer.get("nonce") not in (nonce, "") and ftype != want:
                continue
            if ftype == frames.TRIP:
                raise QuickConnectError(str(answer.get("reason")), f"QuickConnect: {target} refused: {answer.get('detail')}")
            if ftype == want and answer.get("nonce") == nonce:
                return answer
        if time.monotonic() >= deadline:
            break
    raise QuickConnectError("timeout", f"QuickConnect: {target} did not complete the handshake in time")
