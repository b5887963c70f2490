/**
 * Two links of one end in one driver (dir-holders.ts): the heal of a held route opens a fresh
 * link of the target while the parked link still runs the end's program. With real processes:
 * the new link takes the very program over from the earlier one, the earlier link's close leaves
 * it (and the state directory) alone, and messages go on through the same program.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { isAlive } from "@rtt/connector-sdk";
import { eventually } from "@rtt/core/testing";
import { heldHere, takeFromOwnLink } from "./dir-holders.ts";
import { ProcessEndpoint } from "./process-endpoint.ts";

const root = mkdtempSync(join(tmpdir(), "rtt-own-handover-"));
after(() => rmSync(root, { recursive: true, force: true }));

function cat(stateDir: string, logged: string[], args: string[] = []): ProcessEndpoint {
  return new ProcessEndpoint({
    command: "cat",
    args,
    framing: "lines",
    stateDir,
    killGraceMs: 500,
    log: (line) => logged.push(line),
  });
}

/** Sends `text` and returns the line the program answers with. */
async function roundTrip(p: ProcessEndpoint, text: string): Promise<string> {
  await p.tx(Buffer.from(text));
  const next = await p.messages()[Symbol.asyncIterator]().next();
  return Buffer.from(next.value?.payload ?? []).toString();
}

describe("a second link of the same end in this driver", () => {
  it("takes the program over from the first link, which then leaves it running", async () => {
    const stateDir = join(root, "target-a");
    const logged: string[] = [];
    const first = cat(stateDir, logged);
    first.start();
    assert.equal(await roundTrip(first, "one"), "one");
    const pid = first.health().pid;
    assert.ok(pid !== undefined && heldHere(stateDir));

    // Asked twice at once (two opens racing), it hands over once.
    const same = first.launch;
    assert.deepEqual(
      await Promise.all([takeFromOwnLink(stateDir, same), takeFromOwnLink(stateDir, same)]),
      [true, true],
    );
    assert.equal(logged.filter((l) => /handed over/.test(l)).length, 1, logged.join("\n"));
    assert.equal(heldHere(stateDir), false, "the first link let go");
    const second = cat(stateDir, logged);
    second.start();
    assert.equal(second.health().pid, pid, "the same program");
    assert.equal(await roundTrip(second, "two"), "two");
    const log = logged.join("\n");
    assert.match(log, new RegExp(`handed over to another link \\(pid ${pid}\\)`));
    assert.match(log, new RegExp(`adopted the running program \\(pid ${pid}\\)`));
    assert.doesNotMatch(log, /belongs to/);

    await first.close();
    assert.ok(isAlive(pid), "the first link's close does not end the second's program");
    assert.ok(existsSync(join(stateDir, "program.json")), "nor clears its directory");
    assert.equal(await roundTrip(second, "three"), "three");

    await second.close();
    await eventually(() => !isAlive(pid), { what: "the program ended by its last link" });
    assert.equal(existsSync(stateDir), false, "closed on purpose: the directory cleared");
  });

  it("a link for another launch (a replace) does not take it: the first link keeps its program", async () => {
    const stateDir = join(root, "target-c");
    const logged: string[] = [];
    const first = cat(stateDir, logged);
    first.start();
    assert.equal(await roundTrip(first, "one"), "one");
    const replacing = cat(stateDir, logged, ["-u"]);
    assert.notEqual(replacing.launch, first.launch);
    assert.equal(await takeFromOwnLink(stateDir, replacing.launch), false);
    assert.ok(heldHere(stateDir), "still the first link's");
    assert.doesNotMatch(logged.join("\n"), /handed over/);
    // The replace rolled back: the first link goes on with its program.
    assert.equal(await roundTrip(first, "two"), "two");
    await first.close();
  });

  it("without the handover, it says the program is another link's of this driver", async () => {
    const stateDir = join(root, "target-b");
    const logged: string[] = [];
    const first = cat(stateDir, logged);
    first.start();
    assert.equal(await roundTrip(first, "one"), "one");
    const second = cat(stateDir, logged);
    second.start();
    assert.notEqual(second.health().pid, first.health().pid);
    assert.match(
      logged.join("\n"),
      new RegExp(`belongs to another link of this driver \\(pid ${process.pid}\\)`),
    );
    await second.close();
    await first.close();
  });
});
