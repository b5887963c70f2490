/**
 * A Panel call that throws something other than an RttError answers INTERNAL with a message
 * naming the call only, its detail in the panel's log; an RttError keeps its code and is cut to
 * MAX_DETAILS_CHARS; a stream written through `send` waits for a client that stopped reading,
 * and a cancelled one lets go of what it waited on —
 * over a real gRPC server and client on a Unix socket.
 */
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import {
  type PanelClient,
  type PanelHandlers,
  panelPackage,
  sentRttError,
} from "@rtt/connector-sdk";
import { RttError } from "@rtt/core";
import { eventually } from "@rtt/core/testing";
import { MAX_DETAILS_CHARS, panelStreaming, panelUnary, pause, send } from "./call-handlers.ts";

const dir = mkdtempSync(join(tmpdir(), "rtt-handlers-"));
const logged: string[] = [];
const log = (line: string) => logged.push(line);
const server = new grpc.Server();
let client: PanelClient;
/** Audit's handler: how many of its SENT messages it has written so far. */
let written = 0;
const SENT = 20_000;
const closing = new AbortController().signal;
/** The panel's stop signal for ListSymbols' handler below: one listener per waiting stream. */
const stopping = new AbortController().signal;

const handlers: Partial<PanelHandlers> = {
  // A bug: a TypeError whose message would quote what the client sent.
  Status: panelUnary("Status", log, () => {
    throw new TypeError("cannot read 'x' of SECRET-REQUEST-TEXT");
  }),
  ListRoutes: panelUnary("ListRoutes", log, () => {
    throw new RttError("RTT_ERR_DRIVER_LINK", `no route ${"r".repeat(100_000)}`);
  }),
  Health: panelStreaming("Health", log, async () => {
    throw new RangeError("Maximum call stack size exceeded");
  }),
  // A stream that waits an hour between messages (a Health with a long interval).
  ListSymbols: panelStreaming("ListSymbols", log, async (call) => {
    while (!call.cancelled) {
      await send(call, stopping, { saddr: "rtt://a/api/b@1.0.0" });
      await pause(call, stopping, 3_600_000);
    }
  }),
  // 20,000 records of 1 KB, as fast as the client takes them.
  Audit: panelStreaming("Audit", log, async (call) => {
    for (let i = 0; i < SENT && !call.cancelled; i++) {
      await send(call, closing, { seq: i, why: "x".repeat(1024) });
      written = i + 1;
    }
  }),
};

before(async () => {
  server.addService(panelPackage().Panel.service, handlers as PanelHandlers);
  const socket = join(dir, "s.sock");
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix:${socket}`, grpc.ServerCredentials.createInsecure(), (e) =>
      e === null ? resolve() : reject(e),
    ),
  );
  client = new (panelPackage().Panel)(`unix:${socket}`, grpc.credentials.createInsecure());
});

after(() => {
  client?.close();
  server.forceShutdown();
  rmSync(dir, { recursive: true, force: true });
});

/** The error a unary call ended with (it must fail). */
function failure(
  invoke: (done: (error: grpc.ServiceError | null) => void) => unknown,
): Promise<grpc.ServiceError> {
  return new Promise((resolve, reject) =>
    invoke((error) => (error === null ? reject(new Error("answered")) : resolve(error))),
  );
}

const statusFailure = () => failure((done) => client.Status({}, done));
const listRoutesFailure = () => failure((done) => client.ListRoutes({}, done));

describe("panel call handlers", () => {
  it("a bug answers INTERNAL naming the call; the detail goes to the log only", async () => {
    const error = await statusFailure();
    assert.equal(error.code, grpc.status.INTERNAL);
    assert.equal(sentRttError(error)?.code, "RTT_ERR_INTERNAL");
    assert.equal(error.details, "Status failed inside the panel");
    assert.equal(error.details.includes("SECRET"), false);
    assert.ok(logged.some((l) => /^Status failed: TypeError: cannot read 'x' of SECRET/.test(l)));
  });

  it("a stream's bug (a stack overflow) ends it with INTERNAL too", async () => {
    const call = client.Health({ route: "", interval_ms: 0 });
    const error = await new Promise<grpc.ServiceError>((resolve) => call.on("error", resolve));
    assert.equal(error.code, grpc.status.INTERNAL);
    assert.equal(error.details, "Health failed inside the panel");
    assert.ok(logged.some((l) => l.startsWith("Health failed: RangeError: Maximum call stack")));
  });

  it("an RttError keeps its status and code, its message cut short", async () => {
    const error = await listRoutesFailure();
    assert.equal(error.code, grpc.status.NOT_FOUND);
    assert.equal(sentRttError(error)?.code, "RTT_ERR_DRIVER_LINK");
    assert.ok(error.details.length < MAX_DETAILS_CHARS + 60, `${error.details.length}`);
    assert.match(error.details, /… \(\d+ more characters\)$/);
  });

  it("a stream waits for a client that stopped reading, then writes on", async () => {
    const call = client.Audit({ route: "", limit: 0, follow: false });
    let received = 0;
    call.on("data", () => {
      received += 1;
      if (received === 10) call.pause();
    });
    const ended = new Promise<void>((resolve) => call.on("end", resolve));
    // Paused, the client reads no more: the writer stops once the buffers between are full.
    let last = -1;
    await eventually(
      () => {
        const still = written === last && written > 0;
        last = written;
        return still;
      },
      { what: "the writer to stop while the client does not read", intervalMs: 300 },
    );
    assert.ok(written < SENT / 4, `${written} of ${SENT} written to a client that reads none`);
    call.resume();
    await ended;
    assert.equal(received, SENT);
    assert.equal(written, SENT);
  });

  it("a cancelled stream leaves no listener behind on the panel's stop signal", async () => {
    const calls = Array.from({ length: 50 }, () => client.ListSymbols({ pattern: "", type: "" }));
    await Promise.all(calls.map((c) => new Promise((resolve) => c.once("data", resolve))));
    await eventually(() => getEventListeners(stopping, "abort").length === 50, {
      what: "each waiting stream to listen for the stop",
    });
    for (const c of calls) {
      c.on("error", () => {});
      c.cancel();
    }
    await eventually(() => getEventListeners(stopping, "abort").length === 0, {
      what: "the cancelled streams to let go of the stop signal",
    });
  });
});
