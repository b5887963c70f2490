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
