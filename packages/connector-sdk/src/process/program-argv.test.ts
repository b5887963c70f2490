import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { programArgv } from "./program-argv.ts";

const MODULE = new URL("./program-argv.ts", import.meta.url).href;

/** What `sh -c 'echo "$NODE_OPTIONS"'` prints when a driver under `--permission` starts it. */
function nodeOptionsSeenByProgram(driverNodeOptions: string | undefined): string {
  const script = `
    import { spawnSync } from "node:child_process";
    import { programArgv } from ${JSON.stringify(MODULE)};
    const [command, ...args] = programArgv("sh", ["-c", 'printf "[%s]" "$NODE_OPTIONS"']);
    process.stdout.write(spawnSync(command, args, { encoding: "utf8" }).stdout);
  `;
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  if (driverNodeOptions !== undefined) env.NODE_OPTIONS = driverNodeOptions;
  return execFileSync(
    process.execPath,
    [
      "--permission",
      "--allow-fs-read=*",
      "--allow-child-process",
      "--disable-warning=SecurityWarning",
      "--input-type=module",
      "-e",
      script,
    ],
    { encoding: "utf8", env },
  );
}

describe("programArgv", () => {
  it("runs the program as it is outside Node's permission model", () => {
    assert.deepEqual(programArgv("jq", ["-c", "."], {}, false), ["jq", "-c", "."]);
  });

  it("under it, goes through sh: the driver's own NODE_OPTIONS back, or none", () => {
    const [sh, c, script, zero, ...rest] = programArgv("node", ["app.js"], {}, true);
    assert.deepEqual([sh, c, zero, ...rest], ["/bin/sh", "-c", "sh", "node", "app.js"]);
    assert.match(script as string, /^unset NODE_OPTIONS; exec "\$@"$/);
    const kept = programArgv("a=b", ["-x"], { NODE_OPTIONS: "--max-old-space-size=64" }, true);
    assert.deepEqual(kept.slice(3), ["--max-old-space-size=64", "a=b", "-x"]);
  });

  it("runs what it was given, with any name and argument, as the same process", () => {
    const argv = programArgv("printf", ["%s|", "a=b", "-u", "x y", "$HOME"], {}, true);
    const [command, ...args] = argv;
    assert.equal(execFileSync(command, args, { encoding: "utf8" }), "a=b|-u|x y|$HOME|");
  });

  it("a driver under --permission does not hand its flags to the program (real processes)", () => {
    // Without programArgv Node puts `--permission …` into the child's NODE_OPTIONS, which an
    // older Node refuses ("--permission is not allowed in NODE_OPTIONS").
    assert.equal(nodeOptionsSeenByProgram(undefined), "[]");
    assert.equal(nodeOptionsSeenByProgram("--max-old-space-size=64"), "[--max-old-space-size=64]");
  });
});
