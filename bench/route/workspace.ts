/**
 * bench:route's temp workspace: the emitter (a bus provider) and the sink (an extension
 * consumer) as two manifests, one route between them with `drop: buffer` and a rate no program
 * reaches (the set-up: a journaled route; or no QoS at all, unjournaled), the lane kind the panel prefers, and the control
 * FIFO and results file the bench drives the two programs with. Wired by the real binary
 * (`rtt scan`, `rtt apply --auto-approve`); the same programs are run joined by a plain pipe as
 * the peer.
 */
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { RTT_BIN, type RunResult, runProgram } from "../control/common.ts";

export const HERE = fileURLToPath(new URL(".", import.meta.url));
export type LaneKind = "shm" | "uds";

const EMITTER = "rtt://bench/bus/emitter@1.0.0";
const SINK = "rtt://bench/extension/sink@1.0.0#lines";

const manifest = (symbol: Record<string, unknown>) =>
  `${JSON.stringify({ $schema: "https://rtt/spec/v1", symbol }, null, 2)}\n`;

/** Where a set-up's programs are driven from: its control FIFO and its results file. */
export interface Programs {
  readonly dir: string;
  readonly control: string;
  readonly results: string;
}

/** A temp directory with the two programs, their control FIFO (made by mkfifo) and results path. */
export async function programsDir(prefix: string): Promise<Programs> {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  for (const file of ["emitter.py", "sink.py"]) copyFileSync(join(HERE, file), join(dir, file));
  const control = join(dir, "control.fifo");
  const made = await runProgram("mkfifo", [control], dir, 10_000);
  if (made.code !== 0) throw new Error(`mkfifo ${control}: ${made.stderr}`);
  return { dir, control, results: join(dir, "results.ndjson") };
}

/** A workspace whose route carries emitter → sink over `lane`; not yet scanned nor applied. */
export async function routeWorkspace(lane: LaneKind, journaled: boolean): Promise<Programs> {
  const p = await programsDir(`rtt-bench-route-${lane}-`);
  const put = (rel: string, text: string) => {
    mkdirSync(join(p.dir, rel, ".."), { recursive: true });
    writeFileSync(join(p.dir, rel), text);
  };
  put(
    "emitter/rtt.manifest.json",
    manifest({
      saddr: EMITTER,
      type: "bus",
      direction: "provider",
      capabilities: ["push", "stream"],
      io: "pubsub",
      "x-run": ["python3", "../emitter.py", p.control],
    }),
  );
  put(
    "sink/rtt.manifest.json",
    manifest({
      saddr: SINK,
      type: "extension",
      direction: "consumer",
      capabilities: ["stream"],
      io: "stream",
      "x-run": ["python3", "../sink.py", p.results],
    }),
  );
  put(
    ".rtt/routes.json",
    `${JSON.stringify({ routes: [{ id: "bench", from: EMITTER, to: SINK }] }, null, 2)}\n`,
  );
  put(
    ".rtt/policy.json",
    `${JSON.stringify(
      {
        allow: [{ from: "rtt://bench/*/*", to: "rtt://bench/*/*", scopes: ["*"] }],
        // `buffer` makes the route journaled, as the issue measured it. A route's QoS (and so
        // its journal) needs a rate: one no program here reaches stands for "unlimited".
        // Without it (`--route plain`) the route has no QoS and no journal.
        qos: journaled
          ? [
              {
                match: "rtt://bench/bus/*",
                rate: 1_000_000_000,
                burst: 1_000_000,
                drop: "buffer",
                buffer: 1024,
              },
            ]
          : [],
      },
      null,
      2,
    )}\n`,
  );
  const other = lane === "shm" ? "uds" : "shm";
  put(
    ".rtt/panel.yaml",
    [
      "scan:",
      '  roots: ["./"]',
      "routing:",
      `  prefer: ["${lane}", "${other}", "tcp"]`,
      "security:",
      "  strict_manifests: false",
      '  allow_unsigned: ["rtt://bench/*/*"]',
      "",
    ].join("\n"),
  );
  return p;
}

/**
 * `rtt <args>` in `ws`, of the checkout at `repo` (default: this one; another is a baseline to
 * compare with), with `nodeOptions` as NODE_OPTIONS (the panel a command starts, and the
 * drivers it starts, inherit it: how `--cpu-prof` reaches the drivers).
 */
export function rttWith(
  ws: string,
  args: readonly string[],
  nodeOptions: string | undefined,
  repo?: string,
): Promise<RunResult> {
  const bin = repo === undefined ? RTT_BIN : join(repo, "packages", "cli", "bin", "rtt.js");
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    if (nodeOptions === undefined) delete env.NODE_OPTIONS;
    else env.NODE_OPTIONS = nodeOptions;
    const child = spawn(process.execPath, [bin, "-C", ws, ...args], {
      cwd: ws,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}
