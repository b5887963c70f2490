/**
 * docs/tutorial.md, followed as a reader would: every marked file written and every marked
 * command run, in order, in a fresh folder, with the real `tail`, `jq` and `python3`, and `rtt`
 * on PATH; what each command prints must show the tutorial's excerpt of it. So the tutorial
 * cannot rot: a changed message, manifest key or driver behaviour fails here, at its line.
 * At the end `rtt panel stop` has ended every program the tutorial started.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { eventually } from "@rtt/core/testing";
import { missingLines, parseTutorial, type TutorialStep } from "../support/tutorial-steps.ts";
import {
  describeRun,
  makeTempDir,
  panelLogTail,
  panelWait,
  REPO,
  RTT_BIN,
  RTT_TIMEOUT_MS,
  removeTempDirs,
  run,
  runRtt,
  shellQuote,
} from "./helpers.ts";

const TUTORIAL = join(REPO, "docs", "tutorial.md");
const steps = parseTutorial(readFileSync(TUTORIAL, "utf8"));

const PROGRAMS = ["tail", "jq", "python3"];
const missing = PROGRAMS.filter((p) => spawnSync(p, ["--version"]).status !== 0);
const skip =
  missing.length > 0 ? `needs ${missing.join(", ")} (scripts/ensure-test-deps.sh)` : false;

/** What a step does, in a test name: its line and its first command or its file. */
function title(step: TutorialStep): string {
  if (step.kind === "file") return `docs/tutorial.md:${step.line}: writes ${step.path}`;
  const first = step.script.split("\n")[0] ?? "";
  return `docs/tutorial.md:${step.line}: ${first}${step.retry ? " (until it shows)" : ""}`;
}

/** Pids of the processes whose working folder is `dir` or below it. */
function processesIn(dir: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cwd = readlinkSync(`/proc/${name}/cwd`);
      if (cwd === dir || cwd.startsWith(`${dir}/`)) pids.push(Number(name));
    } catch {
      // Gone, or not ours to read.
    }
  }
  return pids;
}

/** A process's command line, for a failure message; what is known of a process just gone. */
function commandLine(pid: number): string {
  try {
    return `${pid}: ${readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ")}`;
  } catch {
    return `${pid}: (gone)`;
  }
}

describe("docs/tutorial.md, step by step", { skip }, () => {
  let home = "";
  let ws = "";
  let env: Record<string, string> = {};
  let failed = false;

  before(() => {
    assert.ok(steps.length > 10, "the tutorial has its marked steps");
    home = makeTempDir("rtt-tutorial-");
    ws = join(home, "shop");
    mkdirSync(ws);
    // `rtt` on PATH, as `npm install -g ./packages/cli` puts it there.
    const bin = join(home, "bin");
    mkdirSync(bin);
    writeFileSync(
      join(bin, "rtt"),
      `#!/bin/sh\nexec ${shellQuote(process.execPath)} ${shellQuote(RTT_BIN)} "$@"\n`,
    );
    chmodSync(join(bin, "rtt"), 0o755);
    env = { PATH: `${bin}:${process.env.PATH ?? ""}` };
  });

  after(async () => {
    if (ws !== "") await runRtt(["panel", "stop"], { cwd: ws, timeoutMs: RTT_TIMEOUT_MS });
    removeTempDirs();
  });

  const runScript = (script: string) =>
    run("sh", ["-ec", script], { cwd: ws, env, timeoutMs: RTT_TIMEOUT_MS });
  const runStep = async (script: string) => {
    const r = await runScript(script);
    assert.equal(r.code, 0, `${describeRun(r)}\n${panelLogTail(ws)}`);
    return `${r.stdout}\n${r.stderr}`;
  };

  for (const step of steps) {
    it(title(step), async (t) => {
      if (failed) {
        t.skip("an earlier step failed");
        return;
      }
      failed = true;
      if (step.kind === "file") {
        mkdirSync(join(ws, dirname(step.path)), { recursive: true });
        writeFileSync(join(ws, step.path), step.text);
      } else if (step.retry) {
        // What it looks at may not be there yet (a file not written so far): not yet, no failure.
        let last = "";
        await eventually(
          async () => {
            const r = await runScript(step.script);
            last = describeRun(r);
            return (
              r.code === 0 && missingLines(step.expect, `${r.stdout}\n${r.stderr}`).length === 0
            );
          },
          {
            ...panelWait(ws, `docs/tutorial.md:${step.line} shows its output`),
            detail: () => `${last}\n${panelLogTail(ws)}`,
          },
        );
      } else {
        const output = await runStep(step.script);
        assert.deepEqual(
          missingLines(step.expect, output),
          [],
          `docs/tutorial.md:${step.line}: these excerpt lines are not in the output:\n${output}`,
        );
      }
      failed = false;
    });
  }

  it("after rtt panel stop, nothing the tutorial started still runs in its folder", async (t) => {
    if (failed) {
      t.skip("an earlier step failed");
      return;
    }
    await eventually(() => processesIn(ws).length === 0, {
      what: "every program in the workspace ended",
      detail: () => processesIn(ws).map(commandLine).join("\n"),
    });
  });
});
