import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { readProcStat } from "@rtt/fabric";
import { acquireDirLock } from "./lock.ts";
import { Wal } from "./wal.ts";

const CHILD = new URL("./crash-child.ts", import.meta.url).pathname;
const RUNS = 32;

interface Child {
  readonly proc: ChildProcess;
  /** Resolves with the child's pid once it has opened the WAL. */
  readonly ready: Promise<number>;
  /** The last `n` the child reported durable. */
  lastDurable(): number;
  readonly exited: Promise<void>;
}

function startChild(dir: string, mode: "append" | "hold"): Child {
  const proc = spawn(process.execPath, [CHILD, dir, mode], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let durable = 0;
  let stderr = "";
  proc.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const ready = new Promise<number>((resolve, reject) => {
    proc.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      let nl = out.indexOf("\n");
      while (nl >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        const m = /^durable \d+ (\d+)$/.exec(line);
        if (m) durable = Number(m[1]);
        const r = /^ready (\d+)$/.exec(line);
        if (r) resolve(Number(r[1]));
        nl = out.indexOf("\n");
      }
    });
    proc.once("exit", (code, signal) =>
      reject(new Error(`child exited early (${code ?? signal}): ${stderr}`)),
    );
  });
  return { proc, ready, exited, lastDurable: () => durable };
}

describe("WAL under real crashes", () => {
  it(`a child killed with SIGKILL at random points (${RUNS} runs) replays its last durable commit or later`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "rtt-wal-crash-"));
    try {
      let floor = 0;
      let cutTails = 0;
      let partials = 0;
      let killedMidTx = 0;
      for (let run = 0; run < RUNS; run++) {
        const child = startChild(dir, "append");
        await child.ready;
        await sleep(Math.floor(Math.random() * 50));
        child.proc.kill("SIGKILL");
        await child.exited;
        const durable = child.lastDurable();
        const wal = Wal.open({ dir }); // also takes over the dead child's stale lock
        const r = wal.report;
        assert.ok(r.tookOverLockFrom !== undefined, "the dead child's lock was stale");
        const post = r.replay.committed?.post;
        const n =
          typeof post === "object" && post !== null && "n" in post && typeof post.n === "number"
            ? post.n
            : 0;
        assert.ok(n >= durable, `run ${run}: replayed n=${n} < durable ${durable}`);
        assert.ok(n >= floor, `run ${run}: replay went backwards (${n} < ${floor})`);
        floor = n;
        if (r.truncatedBytes > 0) cutTails++;
        partials += r.discarded.length;
        if (n > durable) killedMidTx++;
        // Every resource of an unfinished transaction is offered for reaping.
        const partial = new Set(r.replay.partial.map((p) => p.txid));
        const committed = new Set(r.replay.commits.map((c) => c.txid));
        for (const e of r.replay.ledger) {
          if (partial.has(e.txid)) assert.equal(e.status, "partial");
          if (!committed.has(e.txid)) assert.ok(r.replay.toReap.includes(e));
        }
        wal.close();
      }
      t.diagnostic(
        `${RUNS} kills: ${cutTails} torn tails cut, ${partials} partial transactions discarded, ${killedMidTx} commits durable but unreported`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the .rtt/ lock", () => {
  it("refuses a second holder while the first lives, naming its pid; takes over once it is dead", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rtt-wal-lock-"));
    try {
      const child = startChild(dir, "hold");
      const pid = await child.ready;
      assert.throws(() => Wal.open({ dir }), {
        code: "RTT_ERR_WAL_LOCKED",
        message: new RegExp(`pid ${pid}\\b`),
      });
      child.proc.kill("SIGKILL");
      await child.exited;
      const wal = Wal.open({ dir });
      assert.equal(wal.report.tookOverLockFrom?.pid, pid);
      // A second open in the same (live) process is refused too.
      assert.throws(() => Wal.open({ dir }), { code: "RTT_ERR_WAL_LOCKED" });
      wal.close();
      Wal.open({ dir }).close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a lock naming a live pid with another start time (a reused pid) is stale", () => {
    const dir = mkdtempSync(join(tmpdir(), "rtt-wal-lock-"));
    try {
      const self = readProcStat("self");
      assert.ok(self !== undefined);
      const path = join(dir, "LOCK");
      writeFileSync(path, JSON.stringify({ pid: process.pid, startTime: "1", acquiredMs: 0 }));
      const lock = acquireDirLock(path);
      assert.equal(lock.tookOverFrom?.startTime, "1");
      assert.equal(lock.holder.startTime, self.startTime);
      lock.release();
      // An unreadable lock file (never written whole) is stale as well.
      writeFileSync(path, "{garbage");
      const again = acquireDirLock(path);
      assert.equal(again.holder.pid, process.pid);
      again.release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
