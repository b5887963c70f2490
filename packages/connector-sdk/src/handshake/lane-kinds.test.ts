import assert from "node:assert/strict";
import { test } from "node:test";
import { RttError } from "@rtt/core";
import { formatHandshake, parseHandshake } from "./handshake-line.ts";
import { declaredLanes, lanesOfLine, UNDECLARED_LANES } from "./lane-kinds.ts";

const line = (extra: string[]) =>
  formatHandshake({
    coreVersion: 1,
    appVersion: 1,
    network: "unix",
    address: "/tmp/d.sock",
    protocol: "grpc",
    pid: 42,
    startTime: "0",
    nonce: "ab".repeat(16),
    extra,
  });

test("field 10 of the handshake line lists lane kinds; a line without it means uds and tcp", () => {
  assert.deepEqual(lanesOfLine(parseHandshake(line(["shm,uds,tcp"])).extra), ["shm", "uds", "tcp"]);
  assert.deepEqual(lanesOfLine(parseHandshake(line([])).extra), [...UNDECLARED_LANES]);
  assert.deepEqual(lanesOfLine(parseHandshake(line(["uds,uds"])).extra), ["uds"]);
  assert.throws(
    () => lanesOfLine(parseHandshake(line(["uds,quic"])).extra),
    (e: unknown) => e instanceof RttError && /field 10.*"quic"/.test(e.message),
  );
  assert.deepEqual(declaredLanes([], "GetInfo"), ["uds", "tcp"]);
});

test("a connector declares what it lists of the kinds this process makes; a bad kind is refused", async () => {
  const { defineConnector } = await import("../driver/define-connector.ts");
  const { driverIdentity } = await import("../driver/identity.ts");
  const spec = {
    name: "x",
    version: "1.0.0",
    probe: () => [],
    open: () => ({}),
    tx: () => {},
    rx: async function* () {},
    close: () => {},
    health: () => ({ ok: true, lag_ms: 0 }),
  };
  const identity = (lanes?: string[]) =>
    driverIdentity(
      defineConnector({ ...spec, ...(lanes === undefined ? {} : { lanes }) } as never),
      () => 0,
      { version: 1, versions: [1] },
      "/tmp/x.sock",
    );
  assert.deepEqual(identity(["tcp", "uds"]).info().lanes, ["uds", "tcp"]);
  assert.ok(identity().lanes.includes("uds") && identity().lanes.includes("tcp"));
  assert.throws(() => identity(["uds", "quic"]), /lanes must list lane kinds/);
});
