#!/usr/bin/env node
// The `rtt` entry point. Plain JavaScript that any Node can parse, so that an old Node gets one
// clear line instead of a syntax error from deeper in. RTT's sources are TypeScript run through
// Node's own type stripping (on by default from Node 22.18 / 23.6; a flag before that).
import { spawnSync } from "node:child_process";
import module from "node:module";
import { fileURLToPath } from "node:url";

const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `rtt: needs Node.js >= 22.12 (this is ${process.version}); run \`npm install\` in the RTT folder, then \`npx rtt\`, which brings Node 24\n`,
  );
  process.exit(1);
}

// Node caches compiled code (and stripped TypeScript) on disk: start-up drops several-fold.
module.enableCompileCache?.();

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
if (process.features.typescript) {
  const { run } = await import(main);
  process.exitCode = await run(process.argv.slice(2));
} else {
  const child = spawnSync(
    process.execPath,
    [
      "--experimental-strip-types",
      "--no-warnings=ExperimentalWarning",
      fileURLToPath(import.meta.url),
      ...process.argv.slice(2),
    ],
    { stdio: "inherit" },
  );
  process.exitCode = child.status ?? 1;
}
