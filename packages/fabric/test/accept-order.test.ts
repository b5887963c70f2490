// A listening end's `accepted` settles in the callback that accepts the peer's connection, so
// it comes before anything the peer (or anyone it told) did after its connect resolved.
//
// Why it matters: a driver that Offers a lane starts pumping into it when `accepted` settles,
// while the peer's connect resolving lets the panel go on and send frames into that driver on
// another lane. The shm listener used to make its end only when the peer's ATTACHED byte came
// in, one poll later, so a busy driver saw those frames first and its echo connector dropped
// them: test/driver-offer.test.ts hung under load. Here the listening process is made busy
// (blocked) while a child connects and then speaks on its stdout, so both are waiting when
// the event loop runs again; the order it sees them in is then the order this test checks.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type LaneKind, listenReader, listenWriter, loadShm } from "../src/index.ts";

const INDEX = new URL("../src/index.ts", import.meta.url).href;
const dir = mkdtempSync(join(tmpdir(), "rtt-accept-order-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Blocks this thread (the event loop with it) until `path` exists, at most `ms`. */
function blockUntilExists(path: string, ms: number): void {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const until = Date.now() + ms;
  while (!existsSync(path) && Date.now() < until) Atomics.wait(nap, 0, 0, 5);
}

async function acceptOrder(kind: LaneKind, role: "writer" | "reader"): Promise<string[]> {
  const listener = role === "writer" ? await listenWriter(kind) : await listenReader(kind);
  const marker = join(dir, `${kind}-${role}-${process.hrtime.bigint()}`);
  const connect = role === "writer" ? "connectReader" : "connectWriter";
  const script = `
    import { writeFileSync } from "node:fs";
    import { ${connect} } from ${JSON.stringify(INDEX)};
    const end = await ${connect}(${JSON.stringify(listener.address)});
    end.on("error", () => {});
    process.stdout.write("connected");
    writeFileSync(${JSON.stringify(marker)}, "");
    process.stdin.on("data", () => {}).on("end", () => process.exit(0));`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const seen: string[] = [];
  const said = new Promise<void>((resolve) => {
    child.stdout.once("data", () => {
      seen.push("peer said it is connected");
      resolve();
    });
  });
  const accepted = listener.accepted.then((end) => {
    seen.push("accepted");
    end.on("error", () => {}); // the child exits without EOS at the end
    return end;
  });
  // Busy until the child has connected and spoken: both now wait for this event loop.
  blockUntilExists(marker, 20_000);
  assert.ok(existsSync(marker), "the child connected and spoke within 20 s");
  const end = await accepted;
  await said;
  child.stdin.end();
  await new Promise((resolve) => child.once("exit", resolve));
  if (end.role === "writer") end.destroy();
  else end.close();
  return seen;
}

describe("a listener's accepted settles before anything the peer did after connecting", () => {
  const shmMissing = loadShm() === undefined ? "native addon not built" : false;
  for (const [kind, role] of [
    ["shm", "writer"],
    ["shm", "reader"],
    ["uds", "writer"],
    ["tcp", "reader"],
  ] as const) {
    it(`${kind}, the listener is the ${role}`, {
      skip: kind === "shm" && shmMissing,
    }, async () => {
      assert.deepEqual(await acceptOrder(kind, role), ["accepted", "peer said it is connected"]);
    });
  }
});
