import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import fc from "fast-check";
import { admitPeer, formatAllowUids, parseAllowUids } from "./peer-gate.ts";

const NOBODY = 65534;
const skip =
  process.platform !== "linux"
    ? "setpriv and SO_PEERCRED: Linux only"
    : process.getuid?.() !== 0
      ? "connecting as another user needs root (setpriv --reuid)"
      : process.env.RTT_NO_NATIVE === "1"
        ? "the native addon (SO_PEERCRED) is disabled"
        : false;

/** Connects to `path` as uid/gid 65534 and says whether the server ever answered "hi". */
function connectAsNobody(path: string): Promise<string> {
  const script = `const s = require("node:net").connect(process.argv[1]);
    let got = ""; s.on("data", (d) => { got += d; }); s.on("error", (e) => { got += "error:" + e.code; });
    s.on("close", () => process.stdout.write(got || "closed"));`;
  const child = spawn(
    "setpriv",
    ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, "-e", script, path],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  return new Promise((resolve) => child.on("close", () => resolve(out)));
}

describe("admitting a peer by its uid", { skip }, () => {
  // An open folder and socket: only the gate stands between another user and the server.
  const dir = mkdtempSync(join(tmpdir(), "rtt-gate-"));
  chmodSync(dir, 0o777);
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function serve(allowUids: readonly number[]) {
    const lines: string[] = [];
    const admitted: Socket[] = [];
    const server = createServer((socket) => {
      if (!admitPeer(socket, { what: "test", allowUids, log: (l) => lines.push(l) })) return;
      admitted.push(socket);
      socket.end("hi");
    });
    const path = join(dir, `s-${allowUids.length}.sock`);
    await new Promise<void>((resolve) => server.listen(path, resolve));
    chmodSync(path, 0o777);
    return { path, lines, admitted, close: () => server.close() };
  }

  test("another uid is cut off at once and logged once with its uid and pid", async () => {
    const s = await serve([]);
    try {
      assert.equal(await connectAsNobody(s.path), "closed");
      assert.equal(s.admitted.length, 0);
      assert.equal(s.lines.length, 1, s.lines.join("\n"));
      assert.match(
        s.lines[0] ?? "",
        /refused a connection to the test socket from uid 65534 \(pid \d+\)/,
      );
    } finally {
      s.close();
    }
  });

  test("a uid in allow_uids is let in", async () => {
    const s = await serve([NOBODY]);
    try {
      assert.equal(await connectAsNobody(s.path), "hi");
      assert.deepEqual(s.lines, []);
    } finally {
      s.close();
    }
  });
});

test("RTT_ALLOW_UIDS: what formatAllowUids writes, parseAllowUids reads back", () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 4294967294 })), (uids) => {
      assert.deepEqual(parseAllowUids(formatAllowUids(uids)), uids);
    }),
  );
  assert.deepEqual(parseAllowUids("1000, x, -1, 2.5,,7"), [1000, 7]);
  assert.deepEqual(parseAllowUids(undefined), []);
});
