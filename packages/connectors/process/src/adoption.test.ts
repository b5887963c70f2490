/**
 * A journaled route's source end across a kill -9 of its driver, with real processes: a driver
 * stand-in (a child node process) runs an emitter with a state directory and a journal, takes
 * its output but marks only the first messages delivered, and is SIGKILLed. The successor (this
 * process) adopts the same emitter and replays the journal: every message after the mark comes
 * once, in order — those the stand-in had read and journaled, then those still in the FIFO.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { DeliveredMark, isAlive, RouteJournal } from "@rtt/connector-sdk";
import { ProcessEndpoint } from "./process-endpoint.ts";

const LINES = 20_000;
const MARKED = 300;
const BOUND = 1024;

/** Writes 1..LINES (≈ 110 KB: more than a pipe holds), then stays alive to be adopted. */
const EMITTER = `import sys, time
for i in range(1, ${LINES} + 1):
    sys.stdout.write("%d\\n" % i)
sys.stdout.flush()
time.sleep(3600)
`;

const root = mkdtempSync(join(tmpdir(), "rtt-adopt-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** The stand-in driver: marks the first MARKED messages, takes more until the journal is full. */
function standIn(journalDir: string, stateDir: string): string {
  const endpoint = new URL("./process-endpoint.ts", import.meta.url).href;
  return `
import { DeliveredMark, RouteJournal } from "@rtt/connector-sdk";
import { ProcessEndpoint } from ${JSON.stringify(endpoint)};
const journal = RouteJournal.open(${JSON.stringify(journalDir)}, ${BOUND}, "rtt://t/bus/emitter@1.0.0");
const mark = new DeliveredMark(${JSON.stringify(journalDir)});
const p = new ProcessEndpoint({ command: "python3", args: ["-c", ${JSON.stringify(EMITTER)}],
  framing: "lines", cwd: ${JSON.stringify(root)}, stateDir: ${JSON.stringify(stateDir)}, journal });
p.start();
let taken = 0;
for await (const m of p.messages()) {
  taken++;
  if (taken <= ${MARKED}) mark.record(m.end);
  if (taken === ${BOUND}) process.stdout.write(JSON.stringify({ taken, pid: p.health().pid }) + "\\n");
}
`;
}

describe("a journaled source end survives its driver", () => {
  it("the successor adopts the program and replays from the mark: each message once, in order", async () => {
    const journalDir = join(root, "route");
    const stateDir = join(journalDir, "source");
    const driver = spawn(
      process.execPath,
      ["--input-type=module", "-e", standIn(journalDir, stateDir)],
      {
        cwd: new URL(".", import.meta.url).pathname,
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const report = await new Promise<{ taken: number; pid: number }>((resolve, reject) => {
      let out = "";
      driver.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("\n")) resolve(JSON.parse(out.split("\n")[0] as string));
      });
      driver.once("exit", (code) => reject(new Error(`the stand-in exited (${code}) early`)));
    });
    // Give the stand-in time to read on until the journal's bound stops it.
    await new Promise((r) => setTimeout(r, 300));
    driver.kill("SIGKILL");
    await new Promise((r) => driver.once("exit", r));
    assert.ok(isAlive(report.pid), "the emitter outlived its driver");

    const journal = RouteJournal.open(journalDir, BOUND, "rtt://t/bus/emitter@1.0.0");
    assert.ok(journal instanceof RouteJournal, JSON.stringify(journal));
    const mark = new DeliveredMark(journalDir);
    const logged: string[] = [];
    const successor = new ProcessEndpoint({
      command: "python3",
      args: ["-c", EMITTER],
      // The stand-in's folder: a program run elsewhere would be another launch, not adopted.
      cwd: root,
      framing: "lines",
      stateDir,
      journal,
      log: (line) => logged.push(line),
    });
    successor.start();
    assert.equal(successor.health().pid, report.pid, "the same emitter, adopted");
    let expected = MARKED + 1;
    for await (const m of successor.messages()) {
      assert.equal(Buffer.from(m.payload).toString(), String(expected), "in order, once");
      mark.record(m.end);
      if (expected++ === LINES) break;
    }
    assert.match(
      logged.join("\n"),
      new RegExp(`adopted the running program \\(pid ${report.pid}\\)`),
    );
    assert.match(logged.join("\n"), /replaying \d+ message\(s\)/);
    await successor.close();
    assert.equal(isAlive(report.pid), false, "close ends the adopted program");
    journal.close();
    mark.close();
  });

  it("a detached end's program runs on and the next link of this driver adopts it", async () => {
    const journalDir = join(root, "detached");
    const stateDir = join(journalDir, "source");
    const source = "rtt://t/bus/emitter@1.0.0";
    const open = (journal: RouteJournal, log?: (line: string) => void) =>
      new ProcessEndpoint({
        command: "python3",
        args: ["-c", EMITTER],
        framing: "lines",
        stateDir,
        journal,
        ...(log === undefined ? {} : { log }),
      });
    const first = RouteJournal.open(journalDir, BOUND, source);
    assert.ok(first instanceof RouteJournal);
    const mark = new DeliveredMark(journalDir);
    const a = open(first);
    a.start();
    const pid = a.health().pid;
    let expected = 1;
    for await (const m of a.messages()) {
      assert.equal(Buffer.from(m.payload).toString(), String(expected));
      mark.record(m.end);
      if (expected++ === 500) break;
    }
    const rest = a.messages()[Symbol.asyncIterator]();
    await a.close({ detach: true });
    first.close();
    // The detached endpoint's messages end (what it had queued, then done): its pump is free.
    for (let r = await rest.next(); r.done !== true; r = await rest.next()) {}
    assert.ok(pid !== undefined && isAlive(pid), "left running");

    const second = RouteJournal.open(journalDir, BOUND, source);
    assert.ok(second instanceof RouteJournal);
    const logged: string[] = [];
    const b = open(second, (line) => logged.push(line));
    b.start();
    assert.equal(b.health().pid, pid, "adopted, not started again");
    for await (const m of b.messages()) {
      assert.equal(Buffer.from(m.payload).toString(), String(expected), "in order, once");
      mark.record(m.end);
      if (expected++ === LINES) break;
    }
    await b.close();
    assert.equal(isAlive(pid), false);
    second.close();
    mark.close();
  });

  it("a last line without its newline is journaled as a whole line: the next program's output never continues it", async () => {
    const journalDir = join(root, "unterminated");
    const journal = RouteJournal.open(journalDir, BOUND, "rtt://t/bus/printf@1.0.0");
    assert.ok(journal instanceof RouteJournal);
    const p = new ProcessEndpoint({
      command: "sh",
      args: ["-c", "printf 'a\\nb'"],
      framing: "lines",
      respawn: "always",
      backoff: { baseMs: 1, maxMs: 5 },
      stateDir: join(journalDir, "source"),
      journal,
    });
    p.start();
    const got: string[] = [];
    for await (const m of p.messages()) {
      got.push(Buffer.from(m.payload).toString());
      if (got.length === 6) break;
    }
    await p.close();
    assert.deepEqual(got, ["a", "b", "a", "b", "a", "b"]);
    const replay = Buffer.from(journal.undelivered().bytes).toString();
    assert.match(replay, /^(a\nb\n)+$/, "whole lines only");
    journal.close();
  });

  it("an adopted program's exit status is known: one that finished is not run again under on-failure", async () => {
    const stateDir = join(root, "finishing", "source");
    const spec = {
      command: "sh",
      args: ["-c", "sleep 0.4; exit 0"],
      framing: "lines" as const,
      respawn: "on-failure" as const,
      stateDir,
    };
    const a = new ProcessEndpoint(spec);
    a.start();
    const pid = a.health().pid;
    await a.close({ detach: true });
    const b = new ProcessEndpoint(spec);
    const restarts: number[] = [];
    b.on("restart", (n: number) => restarts.push(n));
    b.start();
    assert.equal(b.health().pid, pid, "adopted");
    const exit = await new Promise((resolve) => b.once("exit", resolve));
    assert.deepEqual(exit, { code: 0, signal: null });
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(restarts, [], "a finished program is done, not failed");
    assert.equal(b.health().ok, true);
    await b.close();
  });

  it("a replay that cannot start at the mark (trimmed past it) resyncs at the next line", async () => {
    const journalDir = join(root, "resync");
    mkdirSync(journalDir, { recursive: true });
    // The oldest segment kept starts mid-message, after the mark (none: 0).
    writeFileSync(
      join(journalDir, `seg-${String(4 * 1024 * 1024).padStart(16, "0")}`),
      "l-message\nnext\n",
    );
    const journal = RouteJournal.open(journalDir, BOUND, "rtt://t/bus/resync@1.0.0");
    assert.ok(journal instanceof RouteJournal);
    const logged: string[] = [];
    const p = new ProcessEndpoint({
      command: "sh",
      args: ["-c", "sleep 5"],
      framing: "lines",
      stateDir: join(journalDir, "source"),
      journal,
      log: (line) => logged.push(line),
    });
    p.start();
    const first = await p.messages()[Symbol.asyncIterator]().next();
    assert.equal(Buffer.from(first.value?.payload ?? []).toString(), "next");
    assert.equal(first.value?.end, 4 * 1024 * 1024 + 15);
    assert.match(logged.join("\n"), /replay skips 10 byte\(s\) to a message/);
    await p.close();
    journal.close();
  });
});
