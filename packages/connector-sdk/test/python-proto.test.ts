// The Python SDK's protobuf module (sdk/python/rtt_connector/_proto/connector_pb2.py) comes from
// proto/rtt/v1/connector.proto by generate-python-proto.ts: regenerating it must give the
// committed file byte for byte (run `npm run generate` after editing the .proto), and Debian's
// python3-protobuf must load it with every method of the Connector service.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { PYTHON_PROTO, pythonProtoModule } from "../scripts/generate-python-proto.ts";
import { connectorPackage } from "../src/wire.ts";

const PYTHON = "/usr/bin/python3";
const SDK = fileURLToPath(new URL("../../../sdk/python/", import.meta.url));
const noProtobuf = spawnSync(PYTHON, ["-c", "import google.protobuf"]).status !== 0;

test("connector_pb2.py is what the generator makes of connector.proto today", () => {
  assert.equal(
    readFileSync(PYTHON_PROTO, "utf8"),
    pythonProtoModule(),
    `${PYTHON_PROTO}: run \`npm run generate\``,
  );
});

test("Python's protobuf loads it: the Connector service's methods and a message's fields", {
  skip: noProtobuf && `${PYTHON} cannot import google.protobuf: install python3-protobuf`,
}, () => {
  const script = [
    "import json",
    "from rtt_connector._proto import connector_pb2 as pb",
    "service = pb.DESCRIPTOR.services_by_name['Connector']",
    "req = pb.OpenRequest(saddr='rtt://a/b/c@1.0.0', params={'k': 'v'})",
    "again = pb.OpenRequest.FromString(req.SerializeToString())",
    "print(json.dumps({'methods': sorted(m.name for m in service.methods), 'params': dict(again.params)}))",
  ].join("\n");
  const run = spawnSync(PYTHON, ["-c", script], {
    env: { ...process.env, PYTHONPATH: SDK },
    encoding: "utf8",
  });
  assert.equal(run.status, 0, run.stderr);
  const got = JSON.parse(run.stdout) as { methods: string[]; params: Record<string, string> };
  assert.deepEqual(got.methods, Object.keys(connectorPackage().Connector.service).sort());
  assert.deepEqual(got.params, { k: "v" });
});
