#!/usr/bin/env python3
"""A client of the RTT panel in another language, with nothing of RTT at hand but its socket.

Run by test/api/python-client.test.ts as `python3 panel_client.py SOCKET [FROM TO]`, with Debian's
python3-grpcio (and the python3-protobuf it brings). No generated stubs: the panel's own
message classes are built at run time from the FileDescriptorProto that server reflection sends,
which is the point: a client in any language can find and call the panel this way. Only the
few messages of the two standard services are described here, by hand, as descriptors.

It prints one JSON object: what each step found, for the Node test to check. With FROM and TO
after SOCKET it also calls QuickConnect (twice: the second must be a no-op) to move route FROM
to target TO.
"""

import json
import os
import sys

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

PANEL = "rtt.panel.v1.Panel"
REFLECTION_V1 = "grpc.reflection.v1.ServerReflection"
REFLECTION_V1ALPHA = "grpc.reflection.v1alpha.ServerReflection"
HEALTH = "grpc.health.v1.Health"
TIMEOUT_S = 20

F = descriptor_pb2.FieldDescriptorProto


def message_class(pool, name):
    """The class of message `name` in `pool` (protobuf 4.21 has no GetMessageClass yet)."""
    descriptor = pool.FindMessageTypeByName(name)
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(pool).GetPrototype(descriptor)


def field(message, name, number, kind, type_name=None, repeated=False, oneof=None):
    f = message.field.add(name=name, number=number, type=kind)
    f.label = F.LABEL_REPEATED if repeated else F.LABEL_OPTIONAL
    if type_name is not None:
        f.type_name = type_name
    if oneof is not None:
        f.oneof_index = oneof


def standard_messages():
    """The messages of grpc.health.v1 and grpc.reflection.v1 this client uses, as descriptors."""
    pool = descriptor_pool.DescriptorPool()

    health = descriptor_pb2.FileDescriptorProto(
        name="rtt_test/health.proto", package="grpc.health.v1", syntax="proto3"
    )
    req = health.message_type.add(name="HealthCheckRequest")
    field(req, "service", 1, F.TYPE_STRING)
    res = health.message_type.add(name="HealthCheckResponse")
    status = res.enum_type.add(name="ServingStatus")
    for number, name in enumerate(["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"]):
        status.value.add(name=name, number=number)
    field(res, "status", 1, F.TYPE_ENUM, ".grpc.health.v1.HealthCheckResponse.ServingStatus")
    pool.Add(health)

    # v1 and v1alpha share the message layout; only the package differs.
    for package in ("grpc.reflection.v1", "grpc.reflection.v1alpha"):
        p = "." + package + "."
        refl = descriptor_pb2.FileDescriptorProto(
            name="rtt_test/" + package + ".proto", package=package, syntax="proto3"
        )
        req = refl.message_type.add(name="ServerReflectionRequest")
        req.oneof_decl.add(name="message_request")
        field(req, "host", 1, F.TYPE_STRING)
        field(req, "file_containing_symbol", 4, F.TYPE_STRING, oneof=0)
        field(req, "list_services", 7, F.TYPE_STRING, oneof=0)
        fdr = refl.message_type.add(name="FileDescriptorResponse")
        field(fdr, "file_descriptor_proto", 1, F.TYPE_BYTES, repeated=True)
        svc = refl.message_type.add(name="ServiceResponse")
        field(svc, "name", 1, F.TYPE_STRING)
        lsr = refl.message_type.add(name="ListServiceResponse")
        field(lsr, "service", 1, F.TYPE_MESSAGE, p + "ServiceResponse", repeated=True)
        err = refl.message_type.add(name="ErrorResponse")
        field(err, "error_code", 1, F.TYPE_INT32)
        field(err, "error_message", 2, F.TYPE_STRING)
        res = refl.message_type.add(name="ServerReflectionResponse")
        res.oneof_decl.add(name="message_response")
        field(res, "valid_host", 1, F.TYPE_STRING)
        field(res, "original_request", 2, F.TYPE_MESSAGE, p + "ServerReflectionRequest")
        field(res, "file_descriptor_response", 4, F.TYPE_MESSAGE, p + "FileDescriptorResponse", oneof=0)
        field(res, "list_services_response", 6, F.TYPE_MESSAGE, p + "ListServiceResponse", oneof=0)
        field(res, "error_response", 7, F.TYPE_MESSAGE, p + "ErrorResponse", oneof=0)
        pool.Add(refl)
    return pool


def reflect(channel, std, service, **request):
    """One request to a reflection service (a bidi stream), its one response."""
    package = service.rsplit(".", 1)[0]
    Req = message_class(std, package + ".ServerReflectionRequest")
    Res = message_class(std, package + ".ServerReflectionResponse")
    call = channel.stream_stream(
        "/" + service + "/ServerReflectionInfo",
        request_serializer=Req.SerializeToString,
        response_deserializer=Res.FromString,
    )
    responses = list(call(iter([Req(**request)]), timeout=TIMEOUT_S))
    if len(responses) != 1:
        raise RuntimeError("reflection gave %d responses" % len(responses))
    res = responses[0]
    if res.WhichOneof("message_response") == "error_response":
        raise RuntimeError("reflection: " + res.error_response.error_message)
    return res


def main(socket_path, quick_connect=None):
    out = {}
    channel = grpc.insecure_channel("unix:" + socket_path)
    grpc.channel_ready_future(channel).result(timeout=TIMEOUT_S)
    std = standard_messages()

    # grpc.health.v1: the server and the panel's service are SERVING.
    HReq = message_class(std, "grpc.health.v1.HealthCheckRequest")
    HRes = message_class(std, "grpc.health.v1.HealthCheckResponse")
    check = channel.unary_unary(
        "/" + HEALTH + "/Check",
        request_serializer=HReq.SerializeToString,
        response_deserializer=HRes.FromString,
    )
    serving = HRes.ServingStatus.Name
    out["health"] = {
        name: serving(check(HReq(service=name), timeout=TIMEOUT_S).status) for name in ("", PANEL)
    }

    # Reflection, both versions: which services, and the panel's file descriptor.
    out["services"] = {
        version: sorted(
            s.name for s in reflect(channel, std, service, list_services="*").list_services_response.service
        )
        for version, service in (("v1", REFLECTION_V1), ("v1alpha", REFLECTION_V1ALPHA))
    }
    files = reflect(channel, std, REFLECTION_V1, file_containing_symbol=PANEL)
    pool = descriptor_pool.DescriptorPool()
    for raw in files.file_descriptor_response.file_descriptor_proto:
        pool.Add(descriptor_pb2.FileDescriptorProto.FromString(raw))
    panel = pool.FindServiceByName(PANEL)
    out["methods"] = sorted(m.name for m in panel.methods)

    def method(name):
        """A callable for one Panel method, typed by the reflected descriptors."""
        m = panel.methods_by_name[name]
        Req = message_class(pool, m.input_type.full_name)
        Res = message_class(pool, m.output_type.full_name)
        path = "/%s/%s" % (PANEL, name)
        kw = dict(request_serializer=Req.SerializeToString, response_deserializer=Res.FromString)
        call = channel.unary_stream(path, **kw) if m.server_streaming else channel.unary_unary(path, **kw)
        return Req, call

    Req, list_symbols = method("ListSymbols")
    out["symbols"] = [
        {
            "saddr": s.saddr,
            "type": s.type,
            "direction": s.direction,
            "contract_hash": s.contract_hash.hex(),
            "source_file": s.source_file,
        }
        for s in list_symbols(Req(), timeout=TIMEOUT_S)
    ]

    # Health: at least two samples of each wired route, then hang up.
    Req, health = method("Health")
    stream = health(Req(interval_ms=100), timeout=TIMEOUT_S)
    per_route = {}
    samples = []
    for s in stream:
        samples.append(
            {"route": s.route, "ok": s.ok, "err": s.err, "err_rate": s.err_rate, "p95_ms": s.p95_ms}
        )
        per_route[s.route] = per_route.get(s.route, 0) + 1
        if len(per_route) >= 2 and min(per_route.values()) >= 2:
            break
    stream.cancel()
    out["health_samples"] = samples

    Req, audit = method("Audit")
    out["audit"] = [
        {"seq": e.seq, "action": e.action, "route": e.route, "who": e.who, "hash": e.hash, "prev": e.prev}
        for e in audit(Req(), timeout=TIMEOUT_S)
    ]

    Req, status = method("Status")
    st = status(Req(), timeout=TIMEOUT_S)
    out["status"] = {"pid": st.pid, "routes": st.routes, "committed_seq": st.committed_seq, "root": st.root}

    # QuickConnect (with FROM TO on the command line): moves a wired route to another target;
    # the same call again is a no-op (changed false). `from` is a Python keyword: pass it by dict.
    if quick_connect is not None:
        Req, qc = method("QuickConnect")
        spec = {"from": quick_connect[0], "to": quick_connect[1], "who": "panel_client.py@test"}
        out["quick_connect"] = []
        for _ in range(2):
            ack = qc(Req(**spec), timeout=TIMEOUT_S)
            out["quick_connect"].append(
                {
                    "route": ack.route,
                    "changed": ack.changed,
                    "committed_seq": ack.committed_seq,
                    "old_frames": ack.old_frames,
                    "old_to": ack.old_to,
                    "new_to": ack.new_to,
                }
            )
        Req, audit = method("Audit")
        out["audit_after_quick_connect"] = [
            {
                "seq": e.seq,
                "action": e.action,
                "route": e.route,
                "who": e.who,
                "claimed_by": e.claimed_by,
            }
            for e in audit(Req(), timeout=TIMEOUT_S)
        ]
        # The audit names this process by its pid (ADR 0019): the test compares.
        out["pid"] = os.getpid()

    channel.close()
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 4):
        sys.exit("usage: panel_client.py SOCKET [FROM TO]")
    main(sys.argv[1], tuple(sys.argv[2:4]) if len(sys.argv) == 4 else None)
