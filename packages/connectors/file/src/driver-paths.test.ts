/**
 * The file driver re-checks a path before opening it (ADR 0022, defence in depth behind the
 * plan): a real driver process refuses a contract without `x-allow-paths`, a path outside them
 * (absolute, or through a symlink made after any plan), and opens one inside. And it opens
 * without following a link swapped in later: its writes stay on the file they opened, a
 * rotation that puts a link in the file's place is refused, and FIFOs go through the same open.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { DriverHost } from "@rtt/connector-sdk";
import { eventually } from "@rtt/core/testing";

let host: DriverHost;
let ws: string;
let outside: string;

before(async () => {
  const base = realpathSync(mkdtempSync(join(tmpdir(), "rtt-file-paths-")));
  ws = join(base, "ws");
  outside = join(base, "outside");
  mkdirSync(ws);
  mkdirSync(outside);
  symlinkSync(outside, join(ws, "out"));
  host = await DriverHost.launch(
    {
      name: "file",
      command: process.execPath,
      args: [fileURLToPath(new URL("./driver.ts", import.meta.url))],
    },
    { startTimeoutMs: 20_000, stopTimeoutMs: 2000, log: () => {} },
  );
});
after(async () => {
  await host?.stop().catch(() => {});
  rmSync(join(ws, ".."), { recursive: true, force: true });
});

const SADDR = "rtt://t/file/sink@1.0.0#ndjson";

function open(
  path: string,
  allow?: readonly string[],
  params: Record<string, string> = {},
): Promise<string> {
  const contract = {
    saddr: SADDR,
    type: "file",
    direction: "consumer",
    "x-path": path,
    ...(allow === undefined ? {} : { "x-allow-paths": allow }),
  };
  return host.open(SADDR, { contract: JSON.stringify(contract), params });
}

const refused = (pattern: RegExp) => (e: Error & { code?: string }) =>
  e.code === "RTT_ERR_PATH_OUTSIDE" && pattern.test(e.message);

describe("the file driver's own path check", () => {
  it("refuses a contract that does not say where paths may lie", async () => {
    await assert.rejects(open(join(ws, "a.ndjson")), refused(/no valid x-allow-paths/));
  });

  it("refuses /etc/passwd and a path through a link out of the workspace", async () => {
    await assert.rejects(
      open("/etc/passwd", [ws]),
      refused(/"\/etc\/passwd" leads to \/etc\/passwd/),
    );
    const linked = join(ws, "out", "x.ndjson");
    await assert.rejects(
      open(linked, [ws]),
      refused(new RegExp(`leads to ${join(outside, "x.ndjson")}`)),
    );
    assert.equal(existsSync(join(outside, "x.ndjson")), false);
  });

  it("opens a path inside the workspace, or under another allowed prefix", async () => {
    const inside = await open(join(ws, "a.ndjson"), [ws]);
    const allowed = await open(join(ws, "out", "x.ndjson"), [ws, outside]);
    await host.close(inside);
    await host.close(allowed);
  });
});

/** Reads a link's Rx until `want` arrived or the stream ended; what came, and how it ended. */
function reader(link: string) {
  const rx = host.rx(link);
  let text = "";
  let ended: unknown;
  const waiters: (() => void)[] = [];
  const done = (async () => {
    try {
      for await (const c of rx) {
        text += Buffer.from(c.bytes).toString();
        for (const w of waiters.splice(0)) w();
      }
      ended = "end";
    } catch (error) {
      ended = error;
    }
    for (const w of waiters.splice(0)) w();
  })();
  const until = async (want: string) => {
    while (!text.includes(want) && ended === undefined)
      await new Promise<void>((resolve) => waiters.push(resolve));
    assert.ok(text.includes(want), `wanted ${JSON.stringify(want)}, got ${JSON.stringify(text)}`);
  };
  return { rx, done, until, text: () => text, ended: () => ended };
}

describe("the file driver opens without following a link swapped in later", () => {
  it("refuses a file that is a link out, made before the open", async () => {
    writeFileSync(join(outside, "secret.ndjson"), "SECRET\n");
    symlinkSync(join(outside, "secret.ndjson"), join(ws, "leaf.ndjson"));
    await assert.rejects(open(join(ws, "leaf.ndjson"), [ws]), refused(/leads to .*secret\.ndjson/));
  });

  it("keeps writing to the file it opened when a link out is swapped into its place", async () => {
    const path = join(ws, "w.ndjson");
    const link = await open(path, [ws]);
    await host.tx(link, Buffer.from("one\n"));
    renameSync(path, join(ws, "w.old"));
    symlinkSync(join(outside, "w-target.ndjson"), path);
    await host.tx(link, Buffer.from("two\n"));
    await host.close(link);
    assert.equal(readFileSync(join(ws, "w.old"), "utf8"), "one\ntwo\n");
    assert.equal(existsSync(join(outside, "w-target.ndjson")), false);
  });

  it("stops following when a rotation puts a link out in the file's place", async () => {
    const path = join(ws, "f.ndjson");
    writeFileSync(join(outside, "f-secret.ndjson"), "SECRET\n");
    writeFileSync(path, "a\n");
    const link = await open(path, [ws]);
    const r = reader(link);
    await r.until("a\n");
    appendFileSync(path, "b\n");
    renameSync(path, join(ws, "f.1"));
    symlinkSync(join(outside, "f-secret.ndjson"), path);
    await r.done;
    assert.equal(r.text(), "a\nb\n", "the old file read to its end, nothing through the link");
    const health = host.health({ linkId: link, intervalMs: 10 });
    for await (const sample of health) {
      health.cancel();
      assert.equal(sample.ok, false);
      assert.match(sample.err, /leads to .*f-secret\.ndjson, outside the workspace/);
    }
    await host.close(link);
  });

  it("connects a socket symbol inside the workspace, and refuses one through a link out", async () => {
    const got: string[] = [];
    const server = createServer((s) => s.on("data", (d) => got.push(String(d))));
    server.listen(join(outside, "o.sock"));
    await once(server, "listening");
    const inside = createServer((s) => s.on("data", (d) => got.push(`inside:${d}`)));
    inside.listen(join(ws, "i.sock"));
    await once(inside, "listening");
    try {
      const link = await open(join(ws, "i.sock"), [ws], { kind: "socket" });
      await host.tx(link, Buffer.from("hi"));
      symlinkSync(join(outside, "o.sock"), join(ws, "o.sock"));
      await assert.rejects(
        open(join(ws, "o.sock"), [ws], { kind: "socket" }),
        refused(/leads to .*o\.sock, outside the workspace/),
      );
      await eventually(() => got.length > 0, { what: "the socket's server to receive the bytes" });
      await host.close(link);
      assert.deepEqual(got, ["inside:hi"]);
    } finally {
      server.close();
      inside.close();
    }
  });

  it("carries a FIFO's bytes from a writer link to a reader link", async () => {
    const fifo = join(ws, "p.fifo");
    execFileSync("mkfifo", ["-m", "600", fifo]);
    const readLink = await open(fifo, [ws], { kind: "fifo" });
    const r = reader(readLink);
    const writeLink = await open(fifo, [ws], { kind: "fifo" });
    await host.tx(writeLink, Buffer.from("hello\n"));
    await r.until("hello\n");
    await host.close(writeLink);
    await host.close(readLink);
    r.rx.cancel();
    await r.done;
  });
});
