/**
 * bench/scan — how `rtt scan` compares with `find <root> -type f` on the same tree, in the
 * same run. Builds a temp tree of 100,000 files (1,000 manifests, a few hundred project files —
 * pyproject.toml, package.json, go.mod and main.go, Cargo.toml, shebang scripts, systemd units,
 * Python sources with decorators —, deep nesting, ignored folders, a symlink loop), then times,
 * as whole processes, median of RUNS each:
 *   cold        `rtt scan --local` with no cache
 *   warm        `rtt scan --local` again, nothing changed
 *   one_change  `rtt scan --local` after one manifest changed
 *   find        `find <root> -type f` (output discarded)
 * then, with a panel watching the tree (`rtt panel start`):
 *   warm_panel       `rtt scan`, answered by the watching panel
 *   watch_change_ms  a manifest edited → its new address in the panel's catalog file
 * Prints one JSON object as its last line. Each `rtt` process's CPU time (user + system, from
 * /usr/bin/time) is reported beside its wall time: on a shared machine it moves less with the load.
 * Usage: npm run bench:scan [-- --files N --runs R] [--baseline CHECKOUT] [--cpu-prof DIR]
 *        [--no-panel]
 * --baseline CHECKOUT runs another checkout's cold scan too, alternated with this one's in the same
 * rounds (`baseline_cold_*`): a change measured before/after in one run. --cpu-prof DIR writes a
 * V8 profile of each cold scan to DIR (summarize one with bench/control/profile.ts). --no-panel
 * skips the watching-panel rows.
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    files: { type: "string", default: "100000" },
    runs: { type: "string", default: "5" },
    baseline: { type: "string" },
    "cpu-prof": { type: "string" },
    "no-panel": { type: "boolean", default: false },
  },
});
const TOTAL_FILES = Number(values.files);
const RUNS = Number(values.runs);
const MANIFESTS = Math.round(TOTAL_FILES / 100);
const RTT = new URL("../../packages/cli/bin/rtt.js", import.meta.url).pathname;
const BASELINE_RTT =
  values.baseline === undefined ? undefined : join(values.baseline, "packages/cli/bin/rtt.js");

function manifest(i: number, version = "1.0.0"): string {
  return `${JSON.stringify(
    {
      $schema: "https://rtt/spec/v1",
      symbol: {
        saddr: `rtt://bench/api/svc-${i}@${version}`,
        type: "api",
        direction: "provider",
        capabilities: ["pull", "stream"],
        qos: { latency_budget_ms: 2, throughput_qps: 5000 },
      },
    },
    null,
    2,
  )}\n`;
}

/** Every other package is a real project too: its metadata and sources, one of each kind. */
const PROJECT_EVERY = 2;

/** The project files of package `p` (relative path → text; `bin/` ones executable). */
function projectFiles(p: number): Record<string, string> {
  const name = `pkg-${p}`;
  return {
    "pyproject.toml": `[project]\nname = "${name}"\nversion = "1.${p}.0"\n\n[project.scripts]\n${name}-cli = "${name.replace("-", "_")}.cli:main"\n\n[project.entry-points."rtt.hooks"]\nrefresh = "${name.replace("-", "_")}.hooks:refresh"\n`,
    "package.json": `${JSON.stringify({ name: `@bench/${name}`, version: `1.${p}.0`, bin: { [`${name}-js`]: "bin/cli.js" }, exports: { ".": "./index.js" } }, null, 2)}\n`,
    "go.mod": `module example.com/bench/${name}\n\ngo 1.22\n`,
    [`cmd/${name}d/main.go`]: `package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("${name}") }\n`,
    "Cargo.toml": `[package]\nname = "${name}-rs"\nversion = "1.${p}.0"\nedition = "2021"\n\n[[bin]]\nname = "${name}-tool"\npath = "src/bin/tool.rs"\n`,
    "bin/run.sh": `#!/bin/sh\nexec python3 -m ${name.replace("-", "_")} "$@"\n`,
    [`deploy/${name}.service`]: `[Unit]\nDescription=${name}\n\n[Service]\nExecStart=/usr/bin/${name}-cli serve\n`,
    "app/routes.py": `from fastapi import FastAPI\nimport click\n\napp = FastAPI()\n\n@app.get("/items")\ndef items():\n    return []\n\n@click.command()\ndef main():\n    pass\n`,
  };
}

/**
 * 100 packages, each with 60 folders nested up to 8 deep (about 15 files a folder, like a real
 * source tree), 10% of the files in ignored folders (node_modules, dist), one manifest per 100
 * files, and a symlink loop.
 */
function buildTree(root: string): {
  files: number;
  manifests: number;
  manifestPaths: string[];
  projectFiles: number;
} {
  mkdirSync(join(root, ".rtt"), { recursive: true });
  writeFileSync(
    join(root, ".rtt/panel.yaml"),
    'scan:\n  ignore: [".git", "node_modules", "dist"]\n',
  );
  const manifestPaths: string[] = [];
  const packages = 100;
  const folders: string[] = [];
  for (let i = 0; i < 60; i++) {
    // Folder i sits under folder floor((i-1)/2): a binary tree 6 levels deep, plus a chain.
    const parts: string[] = [];
    for (let n = i; n > 0; n = Math.floor((n - 1) / 2)) parts.unshift(`m${n}`);
    if (i >= 56) parts.push("deep", "er", "still");
    folders.push(parts.join("/"));
  }
  let files = 0;
  let projectFileCount = 0;
  const filesPerPackage = Math.floor(TOTAL_FILES / packages);
  const manifestsPerPackage = MANIFESTS / packages;
  for (let p = 0; p < packages; p++) {
    const pkg = join(root, `pkg-${p}`);
    const count = p === packages - 1 ? TOTAL_FILES - files : filesPerPackage;
    const ignoredCount = Math.floor(count / 10);
    const ignored = join(pkg, p % 2 === 0 ? "node_modules/dep/lib" : "dist/out");
    mkdirSync(ignored, { recursive: true });
    for (let f = 0; f < ignoredCount; f++) writeFileSync(join(ignored, `f${f}.js`), "x");
    for (const folder of folders) mkdirSync(join(pkg, "src", folder), { recursive: true });
    // Project files take the place of as many plain ones: the tree keeps its size.
    const project = p % PROJECT_EVERY === 0 ? Object.entries(projectFiles(p)) : [];
    for (const [rel, text] of project) {
      const path = join(pkg, rel);
      mkdirSync(join(path, ".."), { recursive: true });
      writeFileSync(path, text);
      if (rel.startsWith("bin/")) chmodSync(path, 0o755);
    }
    projectFileCount += project.length;
    const stride = Math.floor((count - ignoredCount) / manifestsPerPackage);
    for (let f = 0; f < count - ignoredCount - project.length; f++) {
      const folder = folders[f % folders.length] as string;
      if (f % stride === 0 && f / stride < manifestsPerPackage) {
        // One manifest per folder at most: put it in a folder of its own under this one.
        const dir = join(pkg, "src", folder, `svc-${f}`);
        mkdirSync(dir, { recursive: true });
        const path = join(dir, "rtt.manifest.json");
        writeFileSync(path, manifest(p * 1000 + f / stride));
        manifestPaths.push(path);
      } else {
        writeFileSync(join(pkg, "src", folder, `file-${f}.txt`), "data");
      }
    }
    files += count;
  }
  symlinkSync("..", join(root, "pkg-0", "loop"));
  return { files, manifests: manifestPaths.length, manifestPaths, projectFiles: projectFileCount };
}

interface Timed {
  readonly seconds: number;
  /** The process's user + system CPU seconds. */
  readonly cpu: number;
  readonly status: number | null;
  readonly stdout: string;
}

const cpuDir = mkdtempSync(join(tmpdir(), "rtt-bench-scan-cpu-"));
const cpuFile = join(cpuDir, "cpu");

/** Runs `cmd` to its end under /usr/bin/time: its wall time, its CPU time and its output. */
function time(cmd: string, args: string[]): Timed {
  const started = process.hrtime.bigint();
  const r = spawnSync("/usr/bin/time", ["-o", cpuFile, "-f", "%U %S", cmd, ...args], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // The last line: a killed command's has "Command terminated by signal" above it.
  const [user, system] = (readFileSync(cpuFile, "utf8").trim().split("\n").at(-1) ?? "")
    .split(" ")
    .map(Number);
  return {
    seconds,
    cpu: (user ?? Number.NaN) + (system ?? Number.NaN),
    status: r.status,
    stdout: r.stdout,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

/** Polls `path` (stat, then read on a new stamp) until its text includes `needle`. */
function waitForText(path: string, needle: string, timeoutMs: number): void {
  const deadline = performance.now() + timeoutMs;
  let stamp = "";
  for (;;) {
    try {
      const s = statSync(path);
      const now = `${s.ino}:${s.size}:${s.mtimeMs}`;
      if (now !== stamp) {
        stamp = now;
        if (readFileSync(path, "utf8").includes(needle)) return;
      }
    } catch {
      // Between the atomic write's unlink and rename, or not written yet: look again.
    }
    if (performance.now() > deadline)
      throw new Error(`${needle} not in ${path} after ${timeoutMs} ms`);
  }
}

/**
 * With a panel watching the tree: `rtt scan` answered by it, and how long a manifest edit takes
 * to reach the panel's catalog (polled from here, so nothing but the panel's work is timed).
 */
function panelBench(root: string, manifestPaths: readonly string[]) {
  const rtt = (...args: string[]) => time(process.execPath, [RTT, "-C", root, ...args]);
  const started = rtt("panel", "start");
  if (started.status !== 0) throw new Error(`rtt panel start failed: ${started.stdout}`);
  const warm: number[] = [];
  const changeMs: number[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const answered = rtt("scan", "--json");
      if (!answered.stdout.includes('"from_panel": true'))
        throw new Error(`rtt scan was not answered by the panel: ${answered.stdout.slice(0, 300)}`);
      warm.push(answered.seconds);
      const target = manifestPaths[(run * 7 + 3) % manifestPaths.length] as string;
      const version = `2.0.${run}`;
      const before = performance.now();
      writeFileSync(target, manifest(800_000 + run, version));
      waitForText(join(root, ".rtt/cache/catalog.json"), `svc-${800_000 + run}@${version}`, 30_000);
      changeMs.push(performance.now() - before);
    }
  } finally {
    rtt("panel", "stop");
  }
  return { warm, changeMs };
}

const root = mkdtempSync(join(tmpdir(), "rtt-bench-scan-"));
try {
  process.stderr.write(`building ${TOTAL_FILES} files in ${root}…\n`);
  const tree = buildTree(root);
  const scanWith = (rtt: string, node: readonly string[] = []) =>
    time(process.execPath, [...node, rtt, "-C", root, "scan", "--local", "--json"]);
  const scan = () => scanWith(RTT);
  const profiled =
    values["cpu-prof"] === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", values["cpu-prof"]];
  /** A scan with no cache, by `rtt`; throws when it fails. */
  const coldScan = (rtt: string, node: readonly string[]) => {
    rmSync(join(root, ".rtt/cache"), { recursive: true, force: true });
    const cold = scanWith(rtt, node);
    if (cold.status !== 0)
      throw new Error(`cold scan failed (${cold.status}): ${cold.stdout.slice(0, 500)}`);
    return cold;
  };
  const find = () => time("find", [root, "-type", "f"]);
  // Warm the OS's caches so every contender reads the same memory, not the disk.
  find();
  const samples = {
    cold: [] as number[],
    coldCpu: [] as number[],
    baselineCold: [] as number[],
    baselineColdCpu: [] as number[],
    findCpu: [] as number[],
    warm: [] as number[],
    one: [] as number[],
    find: [] as number[],
  };
  let lastReport: { symbols?: number; reread?: number; files?: number } = {};
  for (let run = 0; run < RUNS; run++) {
    const found = find();
    samples.find.push(found.seconds);
    samples.findCpu.push(found.cpu);
    // With a baseline, alternated, the baseline first on even rounds: neither always runs second.
    const contenders =
      BASELINE_RTT === undefined
        ? [RTT]
        : run % 2 === 0
          ? [BASELINE_RTT, RTT]
          : [RTT, BASELINE_RTT];
    for (const rtt of contenders) {
      // Only this checkout's scans are profiled: the profiles in DIR are all of one code.
      const cold = coldScan(rtt, rtt === RTT ? profiled : []);
      (rtt === RTT ? samples.cold : samples.baselineCold).push(cold.seconds);
      (rtt === RTT ? samples.coldCpu : samples.baselineColdCpu).push(cold.cpu);
    }
    // The warm scan below reads this checkout's cache, not one the baseline wrote.
    if (contenders.at(-1) !== RTT) scan();
    samples.warm.push(scan().seconds);
    const target = tree.manifestPaths[run % tree.manifestPaths.length] as string;
    writeFileSync(target, manifest(900_000 + run, `1.0.${run + 1}`));
    utimesSync(target, new Date(), new Date(Date.now() + (run + 1) * 1000));
    const one = scan();
    samples.one.push(one.seconds);
    lastReport = JSON.parse(one.stdout);
    samples.find.push(find().seconds);
  }
  const watched = values["no-panel"]
    ? { warm: [Number.NaN], changeMs: [Number.NaN] }
    : panelBench(root, tree.manifestPaths);
  const result = {
    bench: "scan",
    files: tree.files,
    manifests: tree.manifests,
    project_files: tree.projectFiles,
    symbols: lastReport.symbols,
    one_change_reread: lastReport.reread,
    runs: RUNS,
    cold_s: median(samples.cold),
    warm_s: median(samples.warm),
    one_change_s: median(samples.one),
    find_s: median(samples.find),
    find_cpu_s: median(samples.findCpu),
    cold_vs_find: median(samples.cold) / median(samples.find),
    cold_cpu_s: median(samples.coldCpu),
    ...(BASELINE_RTT === undefined
      ? {}
      : {
          baseline_cold_s: median(samples.baselineCold),
          baseline_cold_vs_find: median(samples.baselineCold) / median(samples.find),
          baseline_cold_cpu_s: median(samples.baselineColdCpu),
        }),
    warm_vs_find: median(samples.warm) / median(samples.find),
    one_change_vs_warm: median(samples.one) / median(samples.warm),
    warm_panel_s: median(watched.warm),
    warm_panel_vs_find: median(watched.warm) / median(samples.find),
    watch_change_ms: median(watched.changeMs),
    targets: {
      cold_vs_find: 3,
      warm_vs_find: 2,
      one_change_vs_warm: 1,
      warm_panel_vs_find: 1,
      watch_change_ms: 200,
    },
    node: process.version,
    cpu: cpus()[0]?.model,
    cores: cpus().length,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  rmSync(root, { recursive: true, force: true });
  rmSync(cpuDir, { recursive: true, force: true });
}
