// Builds the shared-memory addon (build/Release/rtt_shm.node) at `npm install` / `npm ci`.
//
// Plain JavaScript on purpose: it must run on whatever Node runs npm's scripts (any version
// >= 18: the machine's own, or the project's Node 24 from node_modules/.bin).
//
// It never fails the install. Without the addon the SHM lanes fall back to UDS, so any failure
// (no compiler, no Python, no node-gyp, Windows, a compile error) ends in ONE warning line on
// stderr and exit code 0. npm hides the output of install scripts that succeed, so the reason
// is also written to build/UNAVAILABLE.txt (the runtime loader quotes it) and the full
// node-gyp output to build/build.log.
//
// Offline by construction: node-gyp normally downloads Node's headers (from nodejs.org) unless
// it is given --nodedir. We hand it a header folder made from the `node-api-headers` npm package
// (Node-API only, which is all the addon uses and is ABI-stable across Node versions) plus a
// small common.gypi, so the build reads nothing but npm packages and the local toolchain.
//
// Environment:
//   RTT_NO_NATIVE=1        skip the build, leaving any earlier one alone (the loader refuses
//                          the addon while this is set anyway)
//   RTT_NATIVE_VERBOSE=1   stream node-gyp's output instead of only logging it

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, dirname, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const buildDir = join(here, "build");
const logFile = join(buildDir, "build.log");
const unavailableFile = join(buildDir, "UNAVAILABLE.txt");
const addonFile = join(buildDir, "Release", "rtt_shm.node");
const verbose = process.env.RTT_NATIVE_VERBOSE === "1";

/** Prints the one warning line, records the reason for the loader, and exits 0. */
function giveUp(reason) {
  try {
    // An addon left by an earlier build would be from other sources: do not let it be loaded.
    rmSync(addonFile, { force: true });
    mkdirSync(buildDir, { recursive: true });
    writeFileSync(unavailableFile, `${reason}\n`);
  } catch {
    // Best effort: the loader still reports the missing file.
  }
  process.stderr.write(
    `@rtt/fabric: WARNING: native shared-memory addon not built (${reason}); SHM lanes will use UDS instead.\n`,
  );
  process.exit(0);
}

/** Copies `from` to `to` unless `to` already has the same bytes. */
function syncFile(from, to) {
  const bytes = readFileSync(from);
  if (existsSync(to) && readFileSync(to).equals(bytes)) return;
  writeFileSync(to, bytes);
}

/** The first line of node-gyp's output that says what went wrong. */
function firstError(output) {
  const lines = output.split(/\r?\n/).map((l) => l.trim());
  const patterns = [
    /\berror:\s*(.+)$/i, // compiler / linker: "shm.cc:12:3: error: ..."
    /^[A-Za-z]+Error: (.+)$/, // gyp (Python) failing, e.g. FileNotFoundError
    /gyp ERR! stack Error: (.+)$/, // node-gyp's own failures (no Python, no make, ...)
    /gyp ERR! (?:configure|build) error\s*(.*)$/,
    /\bnot found: (.+)$/, // "not found: make"
  ];
  for (const pattern of patterns) {
    for (const line of lines) {
      const match = pattern.exec(line);
      if (match?.[1]) return match[1].slice(0, 200);
    }
  }
  return undefined;
}

/** The path of an executable on PATH, or undefined. */
function onPath(command) {
  if (isAbsolute(command)) return existsSync(command) ? command : undefined;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir !== "" && existsSync(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

/** Says what is missing from the toolchain node-gyp drives on Linux and macOS, if anything. */
function missingTool() {
  const cxx = process.env.CXX?.trim().split(/\s+/)[0];
  if (cxx) {
    if (onPath(cxx) === undefined) return `CXX=${cxx} is not an executable`;
  } else if (!["c++", "g++", "clang++"].some((c) => onPath(c) !== undefined)) {
    return "no C++ compiler on PATH (install g++ or clang, or set CXX)";
  }
  if (onPath("make") === undefined) return "no `make` on PATH";
  return undefined;
}

/** How to run node-gyp: [command, ...leading args], or undefined. */
function findNodeGyp() {
  // npm sets this in every lifecycle script to the node-gyp it ships.
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return [process.execPath, fromNpm];
  // Run outside a lifecycle script but by npm (npm run / npm exec): npm's own copy.
  const npmCli = process.env.npm_execpath;
  if (npmCli) {
    const bundled = join(dirname(npmCli), "..", "node_modules", "node-gyp", "bin", "node-gyp.js");
    if (existsSync(bundled)) return [process.execPath, bundled];
  }
  // Run by hand (`node native/build.mjs`): the copy inside the npm found on PATH.
  const npmOnPath = onPath("npm");
  if (npmOnPath) {
    const npmDir = dirname(dirname(realpathSync(npmOnPath)));
    const bundled = join(npmDir, "node_modules", "node-gyp", "bin", "node-gyp.js");
    if (existsSync(bundled)) return [process.execPath, bundled];
  }
  // Last resort: `npx node-gyp` (a local install, or node-gyp from the npm registry).
  return [process.platform === "win32" ? "npx.cmd" : "npx", "--yes", "node-gyp"];
}

if (process.env.RTT_NO_NATIVE === "1") {
  process.stderr.write("@rtt/fabric: RTT_NO_NATIVE=1: native shared-memory addon not built.\n");
  process.exit(0);
}
if (process.platform === "win32") {
  // src/shm.cc has a file-mapping branch, but linking on Windows needs a node.lib made from
  // node-api-headers' .def files, which this script does not do yet (docs/adr/0008).
  giveUp("the Windows build is not wired up yet");
}

const missing = missingTool();
if (missing !== undefined) giveUp(missing);

const require = createRequire(join(here, "build.mjs"));
let headersDir;
try {
  headersDir = require("node-api-headers").include_dir;
  require.resolve("node-addon-api");
} catch (error) {
  giveUp(`a build dependency is missing: ${error instanceof Error ? error.message : error}`);
}

// The header folder node-gyp will take as --nodedir. The build folder is not wiped: make
// rebuilds only what changed (gyp's Makefiles also track changed flags), a re-install takes a
// second, and a process loading the addon meanwhile never finds it missing. Files are copied
// only when they differ, so their timestamps do not force a recompile.
const nodeDir = join(buildDir, "node-api-headers");
const nodeInclude = join(nodeDir, "include", "node");
mkdirSync(nodeInclude, { recursive: true });
for (const header of [
  "js_native_api.h",
  "js_native_api_types.h",
  "node_api.h",
  "node_api_types.h",
]) {
  syncFile(join(headersDir, header), join(nodeInclude, header));
}
syncFile(join(here, "node-api-common.gypi"), join(nodeInclude, "common.gypi"));

const [command, ...lead] = findNodeGyp();
const args = [
  ...lead,
  "configure",
  "build",
  `--nodedir=${nodeDir}`,
  // Take compiler settings from this Node's process.config, not a config.gypi in --nodedir.
  "--force-process-config",
  "--jobs=max",
];
// binding.gyp runs `node -p "require('node-addon-api').include_dir"`: make that this Node.
const env = {
  ...process.env,
  PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`,
};
// node-gyp (>= 11) lets npm_config_* and npm_package_config_node_gyp_* variables override its
// command line, and npm exports the user's npmrc (e.g. nodedir=/usr) that way. So the header
// settings go through the environment too, and anything that could make node-gyp download
// headers (tarball, dist-url) is dropped.
const headerOptions = new Set([
  "nodedir",
  "tarball",
  "dist-url",
  "disturl",
  "force-process-config",
]);
for (const key of Object.keys(env)) {
  const name = key
    .replace(/^npm_config_/i, "")
    .replace(/^npm_package_config_node_gyp_/i, "")
    .replaceAll("_", "-")
    .toLowerCase();
  if (name !== key.toLowerCase() && headerOptions.has(name)) delete env[key];
}
env.npm_config_nodedir = nodeDir;
env.npm_config_force_process_config = "true";

const result = spawnSync(command, args, {
  cwd: here,
  env,
  encoding: "utf8",
  maxBuffer: 64 * 1024 * 1024,
  stdio: ["ignore", verbose ? "inherit" : "pipe", verbose ? "inherit" : "pipe"],
  shell: process.platform === "win32",
  timeout: 10 * 60 * 1000, // a wedged compiler must not hang `npm install` forever
});
const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
try {
  writeFileSync(logFile, `$ ${command} ${args.join(" ")}\n${output}`);
} catch {
  // The warning below still says what happened.
}

if (result.error) {
  giveUp(`could not run node-gyp: ${result.error.message}`);
}
if (result.status !== 0 || !existsSync(addonFile)) {
  const why = firstError(output) ?? `node-gyp exited with code ${result.status}`;
  giveUp(`${why}; full log: ${logFile}`);
}

// Prove the result loads in this Node before calling it done.
try {
  const addon = require(addonFile);
  if (typeof addon.create !== "function") throw new Error("it exports no create()");
} catch (error) {
  rmSync(addonFile, { force: true });
  giveUp(`the built addon does not load: ${error instanceof Error ? error.message : error}`);
}
rmSync(unavailableFile, { force: true });
process.stdout.write(`@rtt/fabric: built ${addonFile}\n`);
