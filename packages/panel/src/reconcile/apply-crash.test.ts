// Kill -9 of the panel's apply at random points (at least 30 runs, each killing
// the panel with SIGKILL at a random point of its apply): the child applies plan A, then
// plan B, and dies inside B at its n-th step or at a random moment. Replay must give a topology
// that is A with a whole prefix of B's batches — never half a batch — and every link the WAL
// ever recorded must be accounted for: released, in the committed graph, or in the ledger's
// reap list of the discarded transaction.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { desiredGraph, type Edit, makePlan } from "../plan/plan.ts";
import { type Edge, edgeKey, topologyOf } from "../plan/topology.ts";
import { Wal } from "../wal/wal.ts";
import { inputsFor, ROUTES_A, ROUTES_B } from "./apply-crash-child.ts";
import { linkResourceName } from "./drivers.ts";
import { wiredRoutesOf } from "./graph.ts";

const CHILD = fileURLToPath(new URL("./apply-crash-child.ts", import.meta.url));
const RUNS = 32;

interface Outcome {
  readonly lines: string[];
  readonly signal: NodeJS.Signals | null;
  readonly code: number | null;
}

/** Runs the child; with `killAfterMs`, SIGKILLs it that long after it starts plan B. */
function runChild(dir: string, crashAtStep: number, killAfterMs?: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir], {
      // The compile cache makes each of the many child starts several times cheaper.
      env: {
        ...process.env,
        RTT_CRASH_AT_STEP: String(crashAtStep),
        NODE_COMPILE_CACHE: join(dir, "..", "compile-cache"),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines: string[] = [];
    let err = "";
    let buffer = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      buffer += d;
      let i = buffer.indexOf("\n");
      while (i >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        lines.push(line);
        if (line === "B" && killAfterMs !== undefined)
          setTimeout(() => child.kill("SIGKILL"), killAfterMs);
        i = buffer.indexOf("\n");
      }
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      err += d;
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (code !== null && code !== 0) reject(new Error(`child failed (${code}): ${err}`));
      else resolve({ lines, signal, code });
    });
  });
}

/** The topologies a crash may leave: A, then A with B's batches applied one by one. */
function allowedGraphs(): string[] {
  const a = desiredGraph(inputsFor(ROUTES_A)).desired;
  const b = makePlan(inputsFor(ROUTES_B), a, 1);
  const edits = new Map<string, Edit>(b.edits.map((e) => [e.route, e]));
  const current = new Map<string, Edge>(Object.entries(a.edges));
  const key = () => JSON.stringify([...current.values()].map(edgeKey).sort());
  const out = [key()];
  for (const batch of b.batches) {
    for (const id of batch) {
      const e = edits.get(id);
      if (e === undefined) continue;
      if (e.action === "delete") current.delete(id);
      else current.set(id, e.after);
    }
    out.push(key());
  }
  assert.equal(b.batches.length, 2, "plan B has two batches");
  return out;
}

test(`SIGKILL during apply, ${RUNS} runs: replay yields A plus whole batches of B, every link accounted for`, async () => {
  const allowed = allowedGraphs();
  const scratch = mkdtempSync(join(tmpdir(), "rtt-apply-crash-"));
  try {
    // A run without a crash: how many steps plan B has, and that it ends at the last graph.
    const clean = await runChild(join(scratch, "clean"), 0);
    const done = clean.lines.find((l) => l.startsWith("done "));
    assert.ok(done, `the clean run finishes: ${clean.lines.join("|")}`);
    const steps = Number(done.slice(5));
    assert.ok(steps >= 10, `plan B has many steps (${steps})`);

    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ step: fc.integer({ min: 1, max: steps }) }),
          fc.record({ afterMs: fc.integer({ min: 0, max: 40 }) }),
        ),
        async (kill) => {
          const dir = mkdtempSync(join(scratch, "run-"));
          const out =
            "step" in kill ? await runChild(dir, kill.step) : await runChild(dir, 0, kill.afterMs);
          assert.ok(out.lines.includes("A"), "plan A committed before the crash window");
          const wal = Wal.open({ dir: join(dir, "wal") });
          try {
            const post = wal.committed?.post;
            const routes = wiredRoutesOf(post);
            const graph = JSON.stringify(routes.map((r) => edgeKey(r.edge)).sort());
            const at = allowed.indexOf(graph);
            assert.ok(at >= 0, `the replayed topology is A plus whole batches of B: ${graph}`);
            seen.add(at);
            if (out.signal === null)
              assert.equal(at, allowed.length - 1, "a finished run has all of B");
            // Every link still in the ledger is the committed graph's or on the reap list.
            const committedLinks = new Set(
              routes.flatMap((r) => [linkResourceName(r.from), linkResourceName(r.to)]),
            );
            const replay = wal.report.replay;
            const reap = new Set(replay.toReap.map((e) => e.name));
            for (const e of replay.ledger.filter((l) => l.kind === "link"))
              assert.ok(
                committedLinks.has(e.name) || reap.has(e.name) || e.status === "committed",
                `link ${e.name} (tx ${e.txid}, ${e.status}) is accounted for`,
              );
            for (const name of committedLinks)
              assert.ok(
                replay.ledger.some((l) => l.kind === "link" && l.name === name),
                `committed link ${name} was journaled`,
              );
            assert.equal(topologyOf(routes.map((r) => r.edge)).format, "rtt.topology/v1");
          } finally {
            wal.close();
            rmSync(dir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: RUNS, seed: 20261129 },
    );
    // The random kills landed in more than one place.
    assert.ok(seen.size >= 2, `crashes left different topologies: ${[...seen].join(",")}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
