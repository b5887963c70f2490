"""The rtt.connector.v1.Connector gRPC service over a Runtime, served on a Unix socket in a
private (0700) folder, so only our uid can connect (the Python SDK does not read
RTT_ALLOW_UIDS for its service socket). Failures leave with the RTT code in the trailers."""

import os
import time
from concurrent import futures

import grpc

from ._proto import connector_pb2 as pb
from .errors import STATUS, RttError, call_failed
from .lanes import LaneError

SERVICE = "rtt.connector.v1.Connector"


def lane_from_wire(w):
    if w is None:
        return None
    kind = w.WhichOneof("kind")
    if kind == "uds" and w.uds.path:
        return {"kind": "uds", "path": w.uds.path}
    if kind == "tcp" and w.tcp.host and w.tcp.port:
        return {"kind": "tcp", "host": w.tcp.host, "port": w.tcp.port}
    if kind is None:
        raise RttError("RTT_ERR_LANE_ADDRESS", "lane address: no kind set")
    raise RttError("RTT_ERR_LANE_ADDRESS", f"this driver reaches uds and tcp lanes, not {kind}", "put uds first in routing.prefer")


def lane_to_wire(a):
    if a["kind"] == "uds":
        return pb.LaneAddress(uds=pb.UdsLane(path=a["path"]))
    return pb.LaneAddress(tcp=pb.TcpLane(host=a["host"], port=a["port"]))


def _field(message, name):
    return lane_from_wire(getattr(message, name)) if message.HasField(name) else None


def _abort(context, error, driver):
    if isinstance(error, LaneError):
        error = RttError(error.code, str(error))
    elif not isinstance(error, RttError):
        error = call_failed(driver, "a call", error)
    metadata = [("rtt-error-code", error.code)]
    if error.hint:
        metadata.append(("rtt-error-hint", " ".join(error.hint.splitlines())))
    context.set_trailing_metadata(metadata)
    context.abort(getattr(grpc.StatusCode, STATUS.get(error.code, "INTERNAL")), str(error))


class Service:
    def __init__(self, runtime, info, presence, on_shutdown):
        self.rt, self.info, self.presence, self.on_shutdown = runtime, info, presence, on_shutdown

    def GetInfo(self, req, ctx):
        return pb.DriverInfo(**self.info(len(self.rt.links)))

    def Probe(self, req, ctx):
        return pb.ProbeResponse(symbols=[pb.Symbol(**s) for s in self.rt.probe(req.root)])

    def Open(self, req, ctx):
        return pb.OpenResponse(link_id=self.rt.open(req.saddr, req.contract_json, dict(req.params)))

    def Bind(self, req, ctx):
        i, o = self.rt.bind(req.link_id, _field(req, "inbound"), _field(req, "outbound"))
        return pb.BindResponse(inbound_bound=i, outbound_bound=o)

    def Offer(self, req, ctx):
        link = self.rt.link(req.link_id)
        side = {pb.INBOUND: "inbound", pb.OUTBOUND: "outbound"}.get(req.side)
        if side is None:
            raise RttError("RTT_ERR_LANE_ADDRESS", "Offer needs a side: INBOUND or OUTBOUND")
        if req.kind not in ("uds", "tcp"):
            raise RttError("RTT_ERR_LANE_ADDRESS", f"Offer: this driver makes uds and tcp lanes, not {req.kind!r}", "put uds first in routing.prefer")
        if req.handshake and side != "inbound":
            raise RttError("RTT_ERR_LANE_ADDRESS", "Offer with handshake is for the INBOUND side")
        address, control = link.offer(side, req.kind, req.handshake)
        out = pb.OfferResponse(address=lane_to_wire(address))
        if control is not None:
            out.control.requests.CopyFrom(lane_to_wire(control["requests"]))
            out.control.answers.CopyFrom(lane_to_wire(control["answers"]))
        return out

    def Handshake(self, req, ctx):
        request = dict(
            control={"requests": lane_from_wire(req.control.requests), "answers": lane_from_wire(req.control.answers)},
            data=_field(req, "data"), expect_saddr=req.expect_saddr,
            expect_contract_hash=req.expect_contract_hash, caps=list(req.caps), require=list(req.require),
            nonce=req.nonce, timeout_ms=req.timeout_ms, route_token=req.route_token,
        )
        if None in request["control"].values() or request["data"] is None:
            raise RttError("RTT_ERR_LANE_ADDRESS", "Handshake needs the target's control lanes (requests, answers) and its data lane")
        ack = self.rt.link(req.link_id).handshake(request)
        return pb.HandshakeResponse(
            nonce=ack["nonce"], caps=ack["caps"], lane=ack["lane"], capacity=ack["buffer"]["capacity"],
            max_frame=ack["buffer"]["max_frame"], heartbeat_ms=ack["heartbeat_ms"],
        )

    def Switch(self, req, ctx):
        eos, frames = self.rt.link(req.link_id).switch(_field(req, "outbound"))
        return pb.SwitchResponse(old_eos_seq=eos, old_frames=frames)

    def Throttle(self, req, ctx):
        self.rt.link(req.link_id).throttle(req.per_window, req.window_ms)
        return pb.ThrottleResponse()

    def Close(self, req, ctx):
        return pb.CloseResponse(closed=self.rt.close(req.link_id, req.detach))

    def ListLinks(self, req, ctx):
        return pb.ListLinksResponse(links=[pb.OpenLink(link_id=k, saddr=v.saddr) for k, v in list(self.rt.links.items())])

    def Tx(self, req, ctx):
        self.rt.link(req.link_id).tx(req.bytes, req.correlation)
        return pb.TxResponse()

    def Shutdown(self, req, ctx):
        closed = self.rt.dispose()
        self.on_shutdown(f"shutdown{' (' + req.reason + ')' if req.reason else ''}")
        return pb.ShutdownResponse(closed_links=closed)

    def Health(self, req, ctx):
        """Samples now and every interval until the caller goes; an attached host holds one
        open as its liveness watch, so it counts as the host's presence."""
        samples = self.rt.samples(req.link_id)  # an unknown link fails the call here
        interval = (req.interval_ms or self.rt.heartbeat_ms) / 1000
        self.presence.watch(1)
        try:
            while ctx.is_active():
                for s in samples:
                    yield pb.HealthSample(**s)
                time.sleep(interval)
                try:
                    samples = self.rt.samples(req.link_id)
                except RttError:
                    return  # the one link watched was closed: the stream is over
        finally:
            self.presence.watch(-1)

    def Rx(self, req, ctx):
        for i, (payload, correlation) in enumerate(self.rt.link(req.link_id).tap(req.max)):
            if not ctx.is_active():
                return
            yield pb.RxChunk(bytes=payload, index=i, correlation=correlation)


def _handlers(service, driver, activity):
    methods = {}
    for m in pb.DESCRIPTOR.services_by_name["Connector"].methods:
        fn = getattr(service, m.name)
        req = getattr(pb, m.input_type.name)
        res = getattr(pb, m.output_type.name)

        def call(request, context, fn=fn):
            activity()
            try:
                return fn(request, context)
            except Exception as e:
                _abort(context, e, driver)

        def stream(request, context, fn=fn):
            activity()
            try:
                yield from fn(request, context)
            except Exception as e:
                _abort(context, e, driver)

        make = grpc.unary_stream_rpc_method_handler if m.server_streaming else grpc.unary_unary_rpc_method_handler
        methods[m.name] = make(
            stream if m.server_streaming else call,
            request_deserializer=req.FromString,
            response_serializer=res.SerializeToString,
        )
    return grpc.method_handlers_generic_handler(SERVICE, methods)


def start_server(service, driver, path, activity):
    # Health and Rx streams hold a worker each for as long as they run: room for many links.
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=256), options=[("grpc.so_reuseport", 0)])
    server.add_generic_rpc_handlers((_handlers(service, driver, activity),))
    old = os.umask(0o177)  # the socket file: 0600
    try:
        server.add_insecure_port(f"unix:{path}")
        server.start()
    finally:
        os.umask(old)
    return server
