/**
 * Issue 15, findings 1 and 2 (docs/adr/0020-local-sockets.md), with real processes: with
 * umask 000 and a TMPDIR of ~80 characters, the owner's quickstart plans and applies (no socket
 * falls back to the abstract namespace, so no lane address is "\0…"), and a client run as uid
 * 65534 reaches neither the panel, nor a driver, nor — with the folder opened up — gets past
 * the uid gate. `api.listen` at a file that is no socket of ours is refused, the file intact.
 */
import assert from "node:assert/strict";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { connectAsOtherUser, OTHER_UID, otherUserSkip } from "@rtt/core/testing";
import { cleanup, scanAndApply, Workspace } from "../support/quickstart-workspace.ts";
import { describeRun, parseJson } from "../support/run-rtt.ts";

const skip = otherUserSkip();

// Finding 1's set-up, for this file's process and every rtt it runs: umask 000, a long TMPDIR
// (the workspace is made in it too), and a runtime folder of the test's own for short sockets.
const scratch = mkdtempSync("/tmp/rtt-socks-");
const LONG_TMP = join(scratch, "t".repeat(80 - scratch.length - 1));
const RUNTIME = join(scratch, "xdg");
const SHORT = join(RUNTIME, "rtt");
const saved = { TMPDIR: process.env.TMPDIR, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR };
const savedUmask = process.umask(0);
mkdirSync(LONG_TMP, { recursive: true, mode: 0o700 });
mkdirSync(RUNTIME, { mode: 0o700 });
chmodSync(scratch, 0o711); // the other user may walk to the folders, not list them
process.env.TMPDIR = LONG_TMP;
process.env.XDG_RUNTIME_DIR = RUNTIME;

after(async () => {
  await cleanup();
  process.umask(savedUmask);
  for (const [k, v] of Object.entries(saved))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  rmSync(scratch, { recursive: true, force: true });
});

/** What the other user sees on `targets` with the short folder and the sockets opened up. */
async function throughOpenedFolder(targets: readonly string[]): Promise<Record<string, string>> {
  for (const dir of [RUNTIME, SHORT]) chmodSync(dir, 0o711);
  for (const s of targets) chmodSync(s, 0o777);
  try {
    return await connectAsOtherUser(targets);
  } finally {
    for (const dir of [RUNTIME, SHORT]) chmodSync(dir, 0o700);
    for (const s of targets) chmodSync(s, 0o600);
  }
}

interface Status {
  readonly listen: string;
  readonly drivers: readonly { readonly pid: number }[];
}

/** `rtt panel status --json`. */
async function statusOf(ws: Workspace): Promise<Status> {
  return parseJson((await ws.ok(["panel", "status", "--json"])).stdout) as Status;
}

/** The panel's socket and its drivers' (named driver-<name>-<pid>-<random>.sock). */
function panelSockets(status: Status): string[] {
  const pids = new Set(status.drivers.map((d) => String(d.pid)));
  const drivers = readdirSync(SHORT)
    .filter((n) => pids.has(/^driver-[a-z0-9-]+-(\d+)-[0-9a-f]+\.sock$/.exec(n)?.[1] ?? ""))
    .map((n) => join(SHORT, n));
  return [status.listen.slice("unix://".length), ...drivers];
}

/** Abstract-namespace Unix sockets named like RTT's, from /proc/net/unix ("@rtt-…"). */
function abstractRttSockets(): string[] {
  return readFileSync("/proc/net/unix", "utf8")
    .split("\n")
    .map((l) => l.trim().split(/\s+/)[7] ?? "")
    .filter((name) => name.startsWith("@rtt-"));
}

describe("local sockets with umask 000 and a long TMPDIR", { skip, timeout: 300_000 }, () => {
  test("the owner's quickstart applies; another user reaches no socket of its panel", async () => {
    assert.equal(LONG_TMP.length, 80);
    const ws = new Workspace();
    assert.ok(ws.root.startsWith(LONG_TMP));
    try {
      await scanAndApply(ws);
      const status = await statusOf(ws);
      // .rtt/sockets/panel.sock would not fit in sun_path: the panel is in the short folder.
      assert.match(status.listen, new RegExp(`^unix://${SHORT}/panel-[0-9a-f]{16}\\.sock$`));
      assert.doesNotMatch(ws.panelLog(), /RTT_ERR_QC_MALFORMED|\\u0000/);
      assert.deepEqual(abstractRttSockets(), [], "no socket in the abstract namespace");

      const targets = panelSockets(status);
      assert.ok(targets.length >= 3, `the panel and its drivers: ${targets.join(", ")}`);
      assert.equal(statSync(SHORT).mode & 0o777, 0o700);
      for (const t of targets) assert.equal(statSync(t).mode & 0o777, 0o600, t);

      const denied = Object.fromEntries(targets.map((p) => [p, "EACCES"]));
      assert.deepEqual(await connectAsOtherUser(targets), denied, "the 0700 folder");

      // With the folder and sockets opened up, the peer-uid check still turns the user away.
      const gated = await throughOpenedFolder(targets);
      assert.deepEqual(gated, Object.fromEntries(targets.map((p) => [p, "closed"])));
      const log = ws.panelLog();
      assert.match(log, /refused a connection to the panel API socket from uid 65534 \(pid \d+\)/);
      assert.match(log, /refused a connection to the driver [a-z0-9-]+ socket from uid 65534/);

      // The owner is still served.
      await ws.ok(["panel", "status"]);
    } finally {
      await ws.rtt(["panel", "stop"]);
    }
  });

  test("security.allow_uids lets the listed user through the panel's and the drivers' gates", async () => {
    const ws = new Workspace();
    ws.editText(".rtt/panel.yaml", (yaml) =>
      yaml.replace("security:\n", `security:\n  allow_uids: [${OTHER_UID}]\n`),
    );
    try {
      await scanAndApply(ws);
      const targets = panelSockets(await statusOf(ws));
      assert.ok(targets.length >= 3, targets.join(", "));
      const seen = await throughOpenedFolder(targets);
      assert.deepEqual(seen, Object.fromEntries(targets.map((p) => [p, "answered"])));
      assert.doesNotMatch(ws.panelLog(), /refused a connection/);
    } finally {
      await ws.rtt(["panel", "stop"]);
    }
  });

  test("api.listen at a file that is not a socket of ours: refused, the file intact", async () => {
    const ws = new Workspace();
    const outside = join(scratch, "precious.txt");
    const inside = join(SHORT, "taken.sock");
    mkdirSync(SHORT, { recursive: true, mode: 0o700 });
    writeFileSync(outside, "outside");
    writeFileSync(inside, "inside");
    await ws.ok(["scan"]);

    ws.write(".rtt/panel.yaml", `api:\n  listen: "unix://${outside}"\n`);
    let r = await ws.rtt(["panel", "start"]);
    assert.notEqual(r.code, 0, describeRun(r));
    assert.match(r.stderr, /api\.listen: .*is outside/, describeRun(r));
    assert.equal(readFileSync(outside, "utf8"), "outside");

    ws.write(".rtt/panel.yaml", 'api:\n  listen: "tcp://127.0.0.1:7000"\n');
    r = await ws.rtt(["panel", "start"]);
    assert.match(r.stderr, /api\.listen: expected text matching/, describeRun(r));

    ws.write(".rtt/panel.yaml", `api:\n  listen: "unix://${inside}"\n`);
    r = await ws.rtt(["panel", "start"]);
    assert.notEqual(r.code, 0, describeRun(r));
    assert.match(
      `${r.stderr}${ws.panelLog()}`,
      /RTT_ERR_SOCKET_UNSAFE|not a socket/,
      describeRun(r),
    );
    assert.equal(readFileSync(inside, "utf8"), "inside");
    assert.ok(existsSync(outside));
  });
});
