/**
 * bench/scan — how `rtt scan` compares with `find <root> -type f` on the same tree, in the
 * same run. Builds a temp tree of 100,000 files (1,000 manifests, deep nesting, ignored
 * folders, a symlink loop), then times, as whole processes, median of RUNS each:
 *   cold        `rtt scan` with no cache
 *   warm        `rtt scan` again, nothing changed
 *   one_change  `rtt scan` after one manifest changed
 *   find        `find <root> -type f` (output discarded)
 * Prints one JSON object as its last line. Usage: npm run bench:scan [-- --files N --runs R]
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { files: { type: "string", default: "100000" }, runs: { type: "string", default: "5" } },
});
const TOTAL_FILES = Number(values.files);
const RUNS = Number(values.runs);
const MANIFESTS = Math.round(TOTAL_FILES / 100);
const RTT = new URL("../../packages/cli/bin/rtt.js", import.meta.url).pathname;

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

/**
 * 100 packages, each with 60 folders nested up to 8 deep (about 15 files a folder, like a real
 * source tree), 10% of the files in ignored folders (node_modules, dist), one manifest per 100
 * files, and a symlink loop.
 */
function buildTree(root: string): { files: number; manifests: number; manifestPaths: string[] } {
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
    const stride = Math.floor((count - ignoredCount) / manifestsPerPackage);
    for (let f = 0; f < count - ignoredCount; f++) {
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
  return { files, manifests: manifestPaths.length, manifestPaths };
}

function time(
  cmd: string,
  args: string[],
): { seconds: number; status: number | null; stdout: string } {
  const started = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, status: r.status, stdout: r.stdout };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

const root = mkdtempSync(join(tmpdir(), "rtt-bench-scan-"));
try {
  process.stderr.write(`building ${TOTAL_FILES} files in ${root}…\n`);
  const tree = buildTree(root);
  const scan = () => time(process.execPath, [RTT, "-C", root, "scan", "--json"]);
  const find = () => time("find", [root, "-type", "f"]);
  // Warm the OS's caches so every contender reads the same memory, not the disk.
  find();
  const samples = {
    cold: [] as number[],
    warm: [] as number[],
    one: [] as number[],
    find: [] as number[],
  };
  let lastReport: { symbols?: number; reread?: number; files?: number } = {};
  for (let run = 0; run < RUNS; run++) {
    samples.find.push(find().seconds);
    rmSync(join(root, ".rtt/cache"), { recursive: true, force: true });
    const cold = scan();
    if (cold.status !== 0)
      throw new Error(`cold scan failed (${cold.status}): ${cold.stdout.slice(0, 500)}`);
    samples.cold.push(cold.seconds);
    samples.warm.push(scan().seconds);
    const target = tree.manifestPaths[run % tree.manifestPaths.length] as string;
    writeFileSync(target, manifest(900_000 + run, `1.0.${run + 1}`));
    utimesSync(target, new Date(), new Date(Date.now() + (run + 1) * 1000));
    const one = scan();
    samples.one.push(one.seconds);
    lastReport = JSON.parse(one.stdout);
    samples.find.push(find().seconds);
  }
  const result = {
    bench: "scan",
    files: tree.files,
    manifests: tree.manifests,
    symbols: lastReport.symbols,
    one_change_reread: lastReport.reread,
    runs: RUNS,
    cold_s: median(samples.cold),
    warm_s: median(samples.warm),
    one_change_s: median(samples.one),
    find_s: median(samples.find),
    cold_vs_find: median(samples.cold) / median(samples.find),
    warm_vs_find: median(samples.warm) / median(samples.find),
    one_change_vs_warm: median(samples.one) / median(samples.warm),
    targets: { cold_vs_find: 4, warm_vs_find: 2, one_change_vs_warm: 1 },
    node: process.version,
    cpu: cpus()[0]?.model,
    cores: cpus().length,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
