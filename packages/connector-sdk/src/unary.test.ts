// One unary call, both ends, over a real gRPC server on a Unix socket: Connector.GetInfo served by
// `unaryHandler`, called through `callUnary`.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { RttError } from "@rtt/core";
import { callUnary, type UnaryFailures, unaryHandler } from "./unary.ts";
import {
  type ConnectorClient,
  connectorPackage,
  type DriverInfo,
  LOCAL_SERVER_OPTIONS,
  sentRttError,
} from "./wire.ts";

const dir = mkdtempSync(join(tmpdir(), "rtt-unary-"));
const socket = join(dir, "s.sock");
const server = new grpc.Server(LOCAL_SERVER_OPTIONS);
let client: ConnectorClient;
/** What the next GetInfo does. */
let answer: () => Promise<DriverInfo> | DriverInfo = () => ({}) as DriverInfo;

before(async () => {
  server.addService(connectorPackage().Connector.service, {
    GetInfo: unaryHandler(() => answer()),
  });
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix:${socket}`, grpc.ServerCredentials.createInsecure(), (e) =>
      e ? reject(e) : resolve(),
    ),
  );
  client = new (connectorPackage().Connector)(`unix:${socket}`, grpc.credentials.createInsecure());
});

after(() => {
  // Not `client.close()`: the service has an RPC named Close, which shadows it.
  grpc.Client.prototype.close.call(client);
  server.forceShutdown();
  rmSync(dir, { recursive: true, force: true });
});

/** Failures that hand back what the server sent, rebuilt, or the bare gRPC error. */
const rebuild: UnaryFailures = {
  failed: (error) => sentRttError(error) ?? error,
  empty: () => new RttError("RTT_ERR_INTERNAL", "empty"),
};

const getInfo = (timeoutMs = 5000) =>
  callUnary<DriverInfo>((o, cb) => client.GetInfo({}, o, cb), timeoutMs, rebuild);

describe("one unary call", () => {
  it("answers with what the handler returns or resolves to", async () => {
    answer = () => ({ name: "sync" }) as DriverInfo;
    assert.equal((await getInfo()).name, "sync");
    answer = async () => ({ name: "async" }) as DriverInfo;
    assert.equal((await getInfo()).name, "async");
  });

  it("a thrown RttError crosses with its code and hint, a rejection too", async () => {
    answer = () => {
      throw new RttError("RTT_ERR_DRIVER_LINK", "no open link", { hint: "open it first" });
    };
    await assert.rejects(getInfo(), { code: "RTT_ERR_DRIVER_LINK", hint: "open it first" });
    answer = () => Promise.reject(new RttError("RTT_ERR_QC_REFUSED", "refused"));
    await assert.rejects(getInfo(), { code: "RTT_ERR_QC_REFUSED", message: "refused" });
  });

  it("any other throw is RTT_ERR_DRIVER_CALL with its message", async () => {
    answer = () => {
      throw new TypeError("boom");
    };
    await assert.rejects(getInfo(), { code: "RTT_ERR_DRIVER_CALL", message: "boom" });
  });

  it("a handler that does not answer in time fails the call at its deadline", async () => {
    answer = () => new Promise(() => {});
    await assert.rejects(getInfo(100), { code: grpc.status.DEADLINE_EXCEEDED });
  });

  it("an answer with no message is the caller's `empty` error", async () => {
    const none = callUnary<DriverInfo>((_o, cb) => cb(null, undefined), 1000, rebuild);
    await assert.rejects(none, { code: "RTT_ERR_INTERNAL", message: "empty" });
  });
});
