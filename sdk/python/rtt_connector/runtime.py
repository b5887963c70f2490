"""The driver's links and the Connector service's calls on them (docs/connectors.md, "The gRPC
service"): Probe, Open, Bind, Offer, Handshake, Switch, Throttle, Close, ListLinks, Tx, Rx and
the health samples, in plain Python values; service.py turns them into protobuf."""

import hashlib
import json
import os
import secrets
import threading

from .admission import Admission
from .contract import contract_hash
from .delivered import DeliveredMark
from .errors import RttError, call_failed
from .lanes import Writer, connect
from .link import Link

# Route parameters that are the runtime's (the route's QoS, fan-out, journal), not the connector's.
RUNTIME_PARAMS = ("qos.",)


class Runtime:
    def __init__(self, connector, heartbeat_ms, log):
        self.connector, self.heartbeat_ms, self.log = connector, heartbeat_ms, log
        self.links = {}
        self._prefix = secrets.token_hex(4)
        self._next = 1
        self._lock = threading.Lock()
        self._stop = threading.Event()
        threading.Thread(target=self._beat, daemon=True, name="rtt-heartbeats").start()

    def _beat(self):
        while not self._stop.wait(self.heartbeat_ms / 1000):
            for link in list(self.links.values()):
                link.heartbeat()

    def link(self, link_id):
        link = self.links.get(link_id)
        if link is None:
            raise RttError(
                "RTT_ERR_DRIVER_LINK",
                f"no open link {json.dumps(link_id)}",
                "the link was closed, or the driver restarted since it was opened",
            )
        return link

    def probe(self, root):
        try:
            contracts = list(self.connector.probe(root) or [])
        except Exception as e:
            raise call_failed(self.connector.name, "probe", e) from e
        return [
            dict(
                saddr=c["saddr"], type=c["type"], direction=c["direction"],
                contract_json=json.dumps(c), contract_hash=contract_hash(c),
            )
            for c in contracts
        ]

    def open(self, saddr, contract_json, params):
        try:
            contract = json.loads(contract_json) if contract_json else {"saddr": saddr}
        except ValueError as e:
            raise RttError("RTT_ERR_DOC_SYNTAX", f"Open: contract_json is not JSON: {e}") from e
        if not isinstance(contract, dict) or contract.get("saddr") != saddr:
            raise RttError("RTT_ERR_SADDR_FORM", f"Open: contract_json is not the contract of {saddr}")
        auth = (contract.get("auth") or {}).get("mode", "none")
        if auth in ("token", "caps"):
            raise RttError(
                "RTT_ERR_TOKEN",
                f"Open: {saddr} has auth mode {auth}; the Python SDK does not check route tokens",
                "serve this symbol with a TypeScript driver, or give it auth mode none",
            )
        own = {k: v for k, v in params.items() if not k.startswith(RUNTIME_PARAMS)}
        admission = Admission.from_params(params, saddr)
        is_source = params.get("qos.source") == saddr
        context = {"source": is_source}
        journal = params.get("qos.journal")
        if journal:
            # A journaled route: state that outlives this process goes in a folder of this end's.
            end = "source" if is_source else "target"
            context["state_dir"] = os.path.join(journal, f"{end}-{hashlib.sha256(saddr.encode()).hexdigest()[:12]}")
            if is_source:
                self.log(f"{saddr}: the Python SDK keeps no route journal; this source end runs unjournaled")
        try:
            handle = self.connector.open(contract, own, context)
        except Exception as e:
            raise call_failed(self.connector.name, "open", e) from e
        with self._lock:
            link_id = f"{self._prefix}-{self._next}"
            self._next += 1
            link = Link(link_id, saddr, contract, handle, self.connector, self.log)
            link.admission = admission
            if journal and not is_source:
                link.delivered = DeliveredMark(journal)
            self.links[link_id] = link
        return link_id

    def bind(self, link_id, inbound, outbound):
        link = self.link(link_id)
        if inbound is not None:
            link.attach_reader(connect(inbound), inbound["kind"])
        if outbound is not None:
            link.attach_writer(Writer(connect(outbound), outbound["kind"]))
        return inbound is not None, outbound is not None

    def close(self, link_id, detach=False):
        link = self.links.pop(link_id, None)
        return link is not None and link.close(detach)

    def dispose(self):
        """Closes every link (EOS on each outbound lane); returns how many there were."""
        self._stop.set()
        links = list(self.links)
        for link_id in links:
            self.close(link_id)
        return len(links)

    def samples(self, link_id):
        if link_id:
            return [self.link(link_id).sample()]
        out = [link.sample() for link in list(self.links.values())]
        return out + [{"link_id": "", "ok": True}]
