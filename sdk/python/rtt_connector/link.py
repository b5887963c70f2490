"""One open link: the author's handle, its inbound lane (DATA frames → `tx`, one at a time, in
order), its outbound lane (what `rx` yields → DATA frames, a heartbeat every interval), Switch,
Throttle, Close, and its health counters."""

import collections
import queue
import struct
import threading
import time

from . import quickconnect
from .errors import RttError, call_failed
from .lanes import LaneError, Listener, Reader, Writer, connect


class Link:
    def __init__(self, link_id, saddr, contract, handle, connector, log):
        self.id, self.saddr, self.contract, self.handle = link_id, saddr, contract, handle
        self.connector, self._log = connector, log
        self.cond = threading.Condition()
        self.writer = None
        self.reader = None
        self.closed = False
        self._pump = None
        self._rx_done = False
        self._switched = None  # (lane key, answer) of the last Switch, to answer a repeat alike
        self._waiting = []  # listeners and responders to let go at close
        self._handshakes = {}
        self._taps = []
        self._throttle = None  # (n, window_s, deque of send times)
        self._tx_lock = threading.Lock()
        self.counters = dict(frames_in=0, frames_out=0, bytes_in=0, bytes_out=0, errors=0)
        self.lag_ms = 0.0
        self.lane_error = ""
        self.delivered = None  # the target end's DeliveredMark on a journaled route
        self.admission = None  # the route's QoS at its source end (admission.py)

    def log(self, line):
        self._log(f"link {self.id}: {line}")

    def assert_open(self):
        if self.closed:
            raise RttError("RTT_ERR_DRIVER_LINK", f"link {self.id} is closed")

    # -- inbound ---------------------------------------------------------------------------

    def tx(self, payload, correlation=0):
        with self._tx_lock:
            try:
                self.connector.tx(self.handle, payload, {"correlation": correlation})
            except Exception as e:
                self.counters["errors"] += 1
                raise call_failed(self.connector.name, "tx", e) from e

    def _on_frame(self, frame):
        self.counters["frames_in"] += 1
        self.counters["bytes_in"] += len(frame.payload)
        try:
            self.tx(frame.payload, frame.correlation)
        except RttError as e:
            self.log(str(e))
            return
        # The connector has the message: a successor of this driver need not have it replayed.
        if frame.correlation > 0 and self.delivered is not None:
            self.delivered.record(frame.correlation)

    def _on_heartbeat(self, frame):
        if len(frame.payload) == 8:
            (sent,) = struct.unpack("<Q", frame.payload)
            self.lag_ms = max(0.0, (time.monotonic_ns() - sent) / 1e6)

    def _on_inbound_end(self, error):
        if error is not None and not self.closed:
            self.lane_error = f"inbound lane: {error}"
            self.log(self.lane_error)

    def attach_reader(self, sock, kind):
        old, self.reader = self.reader, Reader(sock, kind, self._on_frame, self._on_inbound_end, self._on_heartbeat)
        self.lane_error = ""
        if old is not None:
            old.close()

    # -- outbound --------------------------------------------------------------------------

    def attach_writer(self, writer):
        with self.cond:
            if self.closed:
                writer.end()
                return
            old, self.writer = self.writer, writer
            self.lane_error = ""
            self.cond.notify_all()
            if self._pump is None:
                self._pump = threading.Thread(target=self._run_pump, daemon=True, name=f"rtt-pump-{self.id}")
                self._pump.start()
        if old is not None:
            old.end()

    def _run_pump(self):
        """Pulls `rx` only while someone takes its chunks: a full lane holds the producer back."""
        try:
            for item in self.connector.rx(self.handle):
                payload, correlation = (item, 0) if isinstance(item, (bytes, bytearray, memoryview)) else item
                payload = bytes(payload)
                for tap in list(self._taps):
                    tap.put((payload, correlation))
                flags = 0 if self.admission is None else self.admission.admit()
                if flags is not None and not self._send(payload, correlation, flags):
                    return
        except Exception as e:
            if not self.closed:
                self.counters["errors"] += 1
                self.log(str(call_failed(self.connector.name, "rx", e)))
        finally:
            writer = None
            with self.cond:
                self._rx_done = True
                if not self.closed:  # else Close sends the EOS
                    writer, self.writer = self.writer, None
                self.cond.notify_all()
            if writer is not None:
                writer.end()  # the source is exhausted: EOS

    def _send(self, payload, correlation, flags=0):
        """Writes one chunk on the current outbound lane, waiting for one (a held route, a dead
        lane waiting for its Switch); False once the link closed."""
        self._pace()
        with self.cond:
            while True:
                while not self.closed and (self.writer is None or self.writer.dead):
                    self.cond.wait()
                if self.closed:
                    return False
                try:
                    self.writer.write(payload, correlation=correlation, flags=flags)
                except LaneError as e:
                    self.lane_error = f"outbound lane: {e}"
                    self.log(self.lane_error)
                    continue
                self.counters["frames_out"] += 1
                self.counters["bytes_out"] += len(payload)
                return True

    def _pace(self):
        t = self._throttle
        if t is None:
            return
        n, window_s, sent = t
        now = time.monotonic()
        while sent and now - sent[0] >= window_s:
            sent.popleft()
        if len(sent) >= n:
            time.sleep(max(0.0, window_s - (now - sent[0])))
        sent.append(time.monotonic())

    def throttle(self, per_window, window_ms):
        self._throttle = None if per_window == 0 else (per_window, max(1, window_ms) / 1000, collections.deque())

    def heartbeat(self):
        if not self.cond.acquire(timeout=0.05):
            return  # a write is in progress: the lane is not quiet
        try:
            if self.writer is not None and not self.writer.dead:
                self.writer.heartbeat()
        except LaneError as e:
            self.lane_error = f"outbound lane: {e}"
        finally:
            self.cond.release()

    def switch(self, address):
        """Moves the outbound to `address` (None: parks it) between two frames; EOS on the old lane."""
        key = None if address is None else quickconnect.lane_key(address)
        if self._switched is not None and self._switched[0] == key:
            return self._switched[1]
        new = None if address is None else Writer(connect(address), address["kind"])
        with self.cond:
            if self.closed:
                if new is not None:
                    new.destroy()
                self.assert_open()
            old, self.writer = self.writer, new
            self.cond.notify_all()
            if new is not None and self._pump is None and not self._rx_done:
                self._pump = threading.Thread(target=self._run_pump, daemon=True, name=f"rtt-pump-{self.id}")
                self._pump.start()
        answer = (old.end(), old.frames) if old is not None else (0, 0)
        self._switched = (key, answer)
        return answer

    # -- offers and handshakes -------------------------------------------------------------

    def offer(self, side, kind, handshake=False):
        self.assert_open()
        listener = Listener(kind)
        self._waiting.append(listener)

        def accept():
            try:
                sock = listener.accept()
            except LaneError:
                return
            if side == "inbound":
                self.attach_reader(sock, kind)
            else:
                self.attach_writer(Writer(sock, kind))

        threading.Thread(target=accept, daemon=True, name=f"rtt-offer-{self.id}").start()
        if not handshake:
            return listener.address, None
        from .contract import contract_hash

        responder = quickconnect.Responder(
            listener.address, contract_hash(self.contract), list(self.contract.get("capabilities") or []), self.log
        )
        self._waiting.append(responder)
        threading.Thread(target=responder.run, daemon=True, name=f"rtt-qc-{self.id}").start()
        return listener.address, responder.addresses

    def handshake(self, request):
        self.assert_open()
        nonce = request["nonce"]
        if nonce and nonce in self._handshakes:
            return self._handshakes[nonce]
        ack = quickconnect.initiate(self.saddr, request)
        if nonce:
            self._handshakes[nonce] = ack
        return ack

    # -- the rest --------------------------------------------------------------------------

    def tap(self, limit):
        """A copy of each chunk `rx` yields from now on (the Rx call), `limit` of them (0: all)."""
        q = queue.Queue()
        self._taps.append(q)
        try:
            n = 0
            while not self.closed and (limit == 0 or n < limit):
                try:
                    yield q.get(timeout=0.25)
                    n += 1
                except queue.Empty:
                    continue
        finally:
            self._taps.remove(q)

    def sample(self):
        s = dict(link_id=self.id, ok=True, lag_ms=self.lag_ms, err="", qdepth=0, at_unix_ms=int(time.time() * 1000))
        s.update(self.counters)
        if self.admission is not None:
            s.update(self.admission.counts)
        try:
            own = self.connector.health(self.handle) or {}
        except Exception as e:
            own = {"ok": False, "err": f"health failed: {e}"}
        for key in ("ok", "err", "errors", "client_errors"):
            if key in own:
                s[key] = own[key]
        if "lag_ms" in own:
            s["lag_ms"] = max(s["lag_ms"], own["lag_ms"])
        if self.lane_error and s["ok"]:
            s["ok"], s["err"] = False, self.lane_error
        s["errors"] = max(s["errors"], self.counters["errors"])
        return s

    def close(self, detach=False, drain_s=2.0):
        with self.cond:
            if self.closed:
                return False
            self.closed = True
            self.cond.notify_all()
        for w in self._waiting:
            (w.stop if hasattr(w, "stop") else w.close)()
        try:
            self.connector.close(self.handle, {"detach": detach})
        except Exception as e:
            self.log(str(call_failed(self.connector.name, "close", e)))
        if self._pump is not None:
            self._pump.join(drain_s)
        with self.cond:
            writer, self.writer = self.writer, None
        if writer is not None:
            writer.end()
        if self.reader is not None:
            self.reader.close()
        if self.delivered is not None:
            self.delivered.close()
        return True
