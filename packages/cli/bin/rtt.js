#!/usr/bin/env node
// The `rtt` entry point. Plain JavaScript that any Node can parse: an old Node (a machine's own,
// when `rtt` runs from PATH or another folder) re-executes this file with the Node 24 that
// `npm ci` installed next to RTT (the `node` dev dependency), or says which command brings it.
// RTT's sources are TypeScript run through Node's own type stripping (on by default from Node
// 22.18 / 23.6; a flag before that).
import { accessSync, constants, lstatSync, mkdirSync, readFileSync, realpathSync } from "node:fs";
import module from "node:module";
import { dirname, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Set in the re-executed process: a Node found there that is old too must not loop. */
const REEXEC_ENV = "RTT_REEXEC_NODE";

// npm's bin is a symbolic link (node_modules/.bin/rtt, a global prefix's bin/rtt): the real
// file is the one inside the clone, next to the Node it installed.
const self = realpathSync(fileURLToPath(import.meta.url));

const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) await reexecWithProjectNode();
else await runCli();

async function runCli() {
  // Node caches compiled code (and stripped TypeScript) on disk: start-up drops several-fold.
  const cache = compileCacheDir();
  if (cache !== undefined) module.enableCompileCache?.(cache);
  const main = join(dirname(self), "..", "src", "main.ts");
  if (process.features.typescript) {
    const { run } = await import(main);
    process.exitCode = await run(process.argv.slice(2));
  } else {
    // node:child_process only where a child is run: it is not in Node's start-up snapshot.
    const { spawnSync } = await import("node:child_process");
    const child = spawnSync(
      process.execPath,
      ["--experimental-strip-types", "--no-warnings=ExperimentalWarning", self, ...argv()],
      { stdio: "inherit" },
    );
    process.exitCode = child.status ?? 1;
  }
}

/**
 * The compile cache's folder: `rtt/compile-cache` in the user's XDG cache folder, private to the
 * user, or none. Not Node's default (the OS temp folder, the same name for every user): code read
 * from a cache another user could make or write would run as this user. Node checks each entry
 * against its source's hash, so a stale or damaged entry is compiled again, never run.
 */
function compileCacheDir() {
  const { XDG_CACHE_HOME: xdg, HOME: home } = process.env;
  // The XDG spec: a relative XDG_CACHE_HOME is invalid and ignored.
  const base =
    xdg !== undefined && isAbsolute(xdg)
      ? xdg
      : home !== undefined && isAbsolute(home)
        ? join(home, ".cache")
        : undefined;
  if (base === undefined) return undefined;
  const dir = join(base, "rtt", "compile-cache");
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const made = lstatSync(dir);
    const mine = made.isDirectory() && made.uid === process.getuid?.();
    return mine && (made.mode & 0o077) === 0 ? dir : undefined;
  } catch {
    // A read-only home, say: run without the cache.
    return undefined;
  }
}

function argv() {
  return process.argv.slice(2);
}

/** Runs this file again on the project's Node, passing arguments, stdio, signals and the exit. */
async function reexecWithProjectNode() {
  const tried = process.env[REEXEC_ENV];
  const node = tried === undefined ? projectNode() : undefined;
  if (node === undefined) {
    const root = cloneRoot();
    process.stderr.write(
      tried === undefined
        ? `rtt: needs Node.js >= 22.12 (this is ${process.version}) and found no Node 24 installed with RTT; run \`npm ci --prefix ${root}\` (it brings Node 24), or run rtt with a Node >= 22.12\n`
        : `rtt: needs Node.js >= 22.12, and ${tried} is ${process.version}; run \`npm ci --prefix ${root}\` to install the Node 24 RTT pins\n`,
    );
    process.exit(1);
  }
  const { spawn } = await import("node:child_process");
  const child = spawn(node, [self, ...argv()], {
    stdio: "inherit",
    env: { ...process.env, [REEXEC_ENV]: node },
  });
  // Ctrl-C reaches the child through the terminal's process group; a signal sent to this
  // process alone (kill PID) is passed on. Either way this process waits for the child's end.
  process.on("SIGINT", () => {});
  for (const signal of ["SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  child.on("error", (error) => {
    process.stderr.write(`rtt: cannot run ${node}: ${error.message}\n`);
    process.exit(1);
  });
  child.on("exit", (code, signal) => {
    if (signal !== null) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    }
    process.exit(code ?? 1);
  });
}

/**
 * The Node npm installed with RTT: `node_modules/node/bin/node` (or the `.bin/node` link to it)
 * in the nearest folder above this file that has one — the clone's root for packages/cli/bin.
 */
function projectNode() {
  for (let dir = dirname(self); ; dir = dirname(dir)) {
    for (const candidate of [
      join(dir, "node_modules", "node", "bin", "node"),
      join(dir, "node_modules", ".bin", "node"),
    ]) {
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here: look further up
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** The RTT clone this file belongs to: the nearest folder above it whose package.json has workspaces. */
function cloneRoot() {
  for (let dir = dirname(self); dirname(dir) !== dir; dir = dirname(dir)) {
    try {
      if (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).workspaces) return dir;
    } catch {
      // no package.json here, or not JSON: look further up
    }
  }
  return join(dirname(self), "..");
}
