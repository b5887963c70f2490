/**
 * README.md's walkthrough, followed on a temp copy of examples/quickstart: the set-up command
 * (`npm run quickstart`, as package.json has it), then every `$` command of the README's
 * walkthrough block in order, each checked for the README's excerpt of its output (numbers
 * aside) and for what it must do — tap shows traffic on both routes, qc to logger2 and back
 * loses nothing (every event in exactly one of the two logs, in order), trip/heal/audit/
 * rollback exit 0 with their lines, and `rtt panel stop` leaves no program running. A command
 * the README adds that this test does not know fails it.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { eventually } from "@rtt/core/testing";
import { assertNothingLeft } from "../support/panel-processes.ts";
import { EVENTS_ROUTE, LOGGER2_REF, QUICKSTART_ROUTES } from "../support/quickstart.ts";
import { processes, quickstartSuite, type Workspace } from "../support/quickstart-workspace.ts";
import { describeRun, REPO, type RunResult } from "../support/run-rtt.ts";
import {
  excerptMisses,
  shellWords,
  type WalkthroughStep,
  walkthroughSteps,
} from "../support/walkthrough.ts";
import { readNdjson } from "./helpers.ts";

const { use } = quickstartSuite(after);

const LOG1 = "logs/events.ndjson";
const LOG2 = "logs/events2.ndjson";
const REFRESH_LOG = "logs/refresh.ndjson";
/** Events a check waits to see arrive, so a step is seen to work before the next one. */
const SOME = 3;

/** `npm run quickstart`'s commands, from package.json (`cd …` first, then `rtt …` words). */
function quickstartScript(): string[][] {
  const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  const script = pkg.scripts.quickstart;
  assert.ok(script !== undefined, "package.json has no quickstart script");
  return script.split("&&").map((part) => shellWords(part.trim()));
}

/** The words after `rtt` (or `npx rtt`); undefined for `cd examples/quickstart`. */
function rttArgs(words: readonly string[], line: string): string[] | undefined {
  if (words[0] === "cd" && words[1] === "examples/quickstart" && words.length === 2) return;
  const at = words[0] === "npx" ? 1 : 0;
  assert.equal(words[at], "rtt", `the walkthrough runs only rtt commands (and one cd): ${line}`);
  return words.slice(at + 1);
}

function seqs(ws: Workspace, rel: string): number[] {
  return readNdjson<{ record: { seq: number } }>(ws.path(rel)).map((r) => r.record.seq);
}

/** Waits until `rel` has SOME more complete lines than `from`. */
async function grows(ws: Workspace, rel: string, from: number): Promise<void> {
  await eventually(() => ws.count(rel) >= from + SOME, ws.wait(`${SOME} more lines in ${rel}`));
}

/** The THROUGHPUT column of `rtt tap`'s table, per route (every sample). */
function tapThroughput(stdout: string): Map<string, number[]> {
  const lines = stdout.split("\n");
  const header = lines.find((l) => l.startsWith("ROUTE"));
  assert.ok(header !== undefined, `no table header in rtt tap's output:\n${stdout}`);
  const column = header.indexOf("THROUGHPUT");
  const rates = new Map<string, number[]>();
  for (const line of lines) {
    if (line === header || line.trim() === "") continue;
    const route = line.split(" ")[0] ?? "";
    const rate = Number.parseFloat(line.slice(column));
    rates.set(route, [...(rates.get(route) ?? []), rate]);
  }
  return rates;
}

describe("README.md's walkthrough, on a copy of the quickstart", { timeout: 600_000 }, () => {
  it("runs every command as the README shows it, and each does what the README says", async () => {
    const ws = use();
    const steps: WalkthroughStep[] = walkthroughSteps(
      readFileSync(join(REPO, "README.md"), "utf8"),
    );
    for (const words of quickstartScript()) {
      const args = rttArgs(words, words.join(" "));
      if (args !== undefined) await ws.ok(args);
    }
    // Where the walkthrough starts: both routes flowing (apply returns once they are wired).
    await grows(ws, LOG1, 0);
    // Four answers, not two: tap shows a rate over the panel's window since the route was wired,
    // in whole messages a second, and the hook's once a second reads "0/s" until its answers
    // outweigh the metrics server's start (seen under CI's load with two).
    await eventually(() => ws.count(REFRESH_LOG) >= 4, ws.wait(`4 answers in ${REFRESH_LOG}`));
    let listed: string[] = [];
    let stoppedPids: number[] = [];
    for (const step of steps) {
      const args = rttArgs(step.words, step.line);
      if (args === undefined) continue;
      const [command = "", ...rest] = args;
      // Before the stop: every process the panel runs now, to find none of them after it.
      if (command === "panel" && rest[0] === "stop") stoppedPids = ws.trackTree(await ws.status());
      const r: RunResult = await ws.rtt(args);
      const what = `${step.line}: ${describeRun(r)}\n${ws.tail()}`;
      assert.equal(r.code, 0, what);
      const misses = excerptMisses(step.excerpt, `${r.stdout}\n${r.stderr}`);
      assert.deepEqual(misses, [], `README lines this run did not print (numbers aside): ${what}`);
      switch (command) {
        case "tap": {
          const rates = tapThroughput(r.stdout);
          for (const route of QUICKSTART_ROUTES)
            assert.ok(
              (rates.get(route) ?? []).some((x) => x > 0),
              `no traffic on ${route}: ${what}`,
            );
          break;
        }
        case "qc": {
          const toLogger2 = rest.join(" ").includes(LOGGER2_REF);
          const target = toLogger2 ? "logger2" : "logger";
          assert.match(
            r.stdout,
            new RegExp(`✓ route ${EVENTS_ROUTE}: \\S+ → rtt://obs/extension/${target}@`),
            what,
          );
          const log = toLogger2 ? LOG2 : LOG1;
          await grows(ws, log, ws.count(log));
          break;
        }
        case "trip":
          assert.match(r.stdout, new RegExp(`route ${EVENTS_ROUTE}: breaker open`), what);
          assert.equal((await ws.wiredRoute(EVENTS_ROUTE))?.breaker, "open");
          break;
        case "heal": {
          assert.match(r.stdout, new RegExp(`route ${EVENTS_ROUTE}: breaker half-open`), what);
          await eventually(
            async () => (await ws.wiredRoute(EVENTS_ROUTE))?.breaker === "closed",
            ws.wait(`${EVENTS_ROUTE}'s breaker closed again`),
          );
          await grows(ws, LOG1, ws.count(LOG1));
          break;
        }
        case "audit":
          for (const action of ["swap", "trip", "heal"])
            assert.match(r.stdout, new RegExp(`\\s${action}\\s+${EVENTS_ROUTE}\\s`), what);
          break;
        case "rollback":
          if (rest[0] === "--list") {
            listed = r.stdout.split("\n").flatMap((l) => /^(\d+)\s+tx-/.exec(l)?.[1] ?? []);
            assert.ok(listed.length >= 2, what);
          } else {
            const seq = rest[0] ?? "";
            assert.ok(listed.includes(seq), `rollback ${seq} is not in rtt rollback --list`);
            assert.match(r.stdout, new RegExp(`Rolled back to commit ${seq}: `), what);
            assert.equal(await ws.wiredRoute("ui-refresh"), undefined, "ui-refresh rolled back");
          }
          break;
        case "apply":
          assert.match(r.stdout, /Apply complete! Routes: 1 added, 0 changed, 0 destroyed\./, what);
          assert.ok((await ws.wiredRoute("ui-refresh")) !== undefined, "ui-refresh wired again");
          break;
        case "panel":
          assert.deepEqual(rest, ["stop"], what);
          assert.match(r.stdout, /panel stopped/, what);
          // emit.py, the loggers, the hook, the API: none outlives the panel.
          await assertNothingLeft(ws, stoppedPids, processes);
          break;
        default:
          assert.fail(`the walkthrough test does not know what \`${step.line}\` should do`);
      }
    }
    assert.ok(stoppedPids.length > 0, "the walkthrough ends with rtt panel stop");

    // qc to logger2 and back, trip and heal lost nothing and reordered nothing: logger2 got
    // one run of seqs, and logger the ones before and after it, each exactly once.
    const first = seqs(ws, LOG1);
    const second = seqs(ws, LOG2);
    assert.ok(second.length >= SOME, `logger2 got ${second.length} events`);
    const from = second[0] ?? 0;
    const to = second.at(-1) ?? 0;
    const last = Math.max(...first, to);
    const run = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
    assert.deepEqual(second, run(from, to), "logger2's events: one run, in order");
    assert.deepEqual(first, [...run(1, from - 1), ...run(to + 1, last)], "logger's events");
    assert.ok(last > to, "events reached logger again after the move back");
  });
});
