/**
 * Shutdown is for the panel's owner (issue 15, finding 7): another user (the test's client run
 * under `setpriv --reuid=65534`) that reaches the panel's socket — made world-accessible here,
 * as finding 2 found it could be — cannot stop the panel; the owner's `rtt panel stop` can.
 * Skipped, saying so, where the test does not run as root (setpriv needs it).
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync } from "node:fs";
import { dirname } from "node:path";
import { after, before, describe, it } from "node:test";
import { describeRun, REPO, run } from "../support/run-rtt.ts";
import { type QuickstartPanel, startQuickstartPanel } from "./quickstart-panel.ts";

const NOBODY = 65534;
const skip =
  process.getuid?.() !== 0
    ? "needs root to run a client as another user (setpriv)"
    : !existsSync("/usr/bin/setpriv")
      ? "needs setpriv (util-linux)"
      : false;

/** A client, run as `nobody`, that asks the panel on `socket` to shut down; prints the outcome. */
const CLIENT = `
import * as grpc from "@grpc/grpc-js";
import { grpcTarget, panelPackage, sentRttError } from "@rtt/connector-sdk";
const client = new (panelPackage().Panel)(grpcTarget(process.argv[1]), grpc.credentials.createInsecure());
client.Shutdown({ reason: "not mine" }, { deadline: Date.now() + 20000 }, (error) => {
  const outcome = error === null ? { status: "OK" }
    : { status: grpc.status[error.code], code: sentRttError(error)?.code, message: error.details };
  process.stdout.write(JSON.stringify(outcome));
  client.close();
});
`;

let panel: QuickstartPanel;

before(async () => {
  if (skip !== false) return;
  panel = await startQuickstartPanel();
  // The socket as finding 2 found it: any local user can connect.
  for (let dir = dirname(panel.socket); dir !== dirname(panel.root); dir = dirname(dir))
    chmodSync(dir, 0o755);
  chmodSync(dirname(panel.root), 0o755);
  chmodSync(panel.socket, 0o777);
});

after(async () => {
  await panel?.stop();
});

describe("Shutdown from another user", { skip }, () => {
  it("is refused, and the panel runs on; its owner stops it", async () => {
    const asNobody = await run(
      "setpriv",
      [
        `--reuid=${NOBODY}`,
        `--regid=${NOBODY}`,
        "--clear-groups",
        process.execPath,
        "--input-type=module",
        "-e",
        CLIENT,
        panel.socket,
      ],
      { cwd: REPO, timeoutMs: 30_000 },
    );
    assert.equal(asNobody.code, 0, describeRun(asNobody));
    const outcome = JSON.parse(asNobody.stdout) as { status: string; code?: string };
    // The panel answers NOT_OWNER; once it refuses another uid's connection outright (finding 2's
    // SO_PEERCRED check at accept), the call cannot even be made: UNAVAILABLE. Never OK.
    const refused =
      outcome.status === "UNAVAILABLE"
        ? { status: "UNAVAILABLE" }
        : { status: outcome.status, code: outcome.code };
    assert.ok(
      [
        JSON.stringify({ status: "PERMISSION_DENIED", code: "RTT_ERR_NOT_OWNER" }),
        JSON.stringify({ status: "UNAVAILABLE" }),
      ].includes(JSON.stringify(refused)),
      asNobody.stdout,
    );
    // The owner's CLI will not talk through a folder others can enter (ADR 0020): close it again.
    chmodSync(dirname(panel.socket), 0o700);
    const status = await panel.rtt(["panel", "status", "--json"]);
    assert.equal(status.code, 0, describeRun(status));
    assert.equal((JSON.parse(status.stdout) as { running: boolean }).running, true);

    const stop = await panel.rtt(["panel", "stop"]);
    assert.equal(stop.code, 0, describeRun(stop));
  });
});
