import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { workspacePaths } from "../workspace/workspace.ts";
import { withCompileCache } from "./compile-cache.ts";

const paths = workspacePaths("/work/ws");
const node = (script: string) => ({ name: "process", command: process.execPath, args: [script] });

describe("a driver's compile cache", () => {
  it("a Node driver gets a folder of its own launch under .rtt/cache/compile, in its environment", () => {
    const a = withCompileCache(paths, { ...node("/rtt/process/driver.ts"), env: { KEEP: "1" } });
    assert.match(a.dir ?? "", /^\/work\/ws\/\.rtt\/cache\/compile\/[0-9a-f]{16}$/);
    assert.deepEqual(a.launch.env, { KEEP: "1", NODE_COMPILE_CACHE: a.dir });
    assert.equal(withCompileCache(paths, node("/rtt/process/driver.ts")).dir, a.dir, "stable");
    const b = withCompileCache(paths, node("/rtt/http/driver.ts"));
    assert.notEqual(b.dir, a.dir, "another driver's code, another folder");
    assert.equal(join(b.dir ?? "", ".."), join(paths.cache, "compile"));
  });

  it("a driver of another runtime is started as it is", () => {
    const launch = { name: "py", command: "/usr/bin/python3", args: ["driver.py"] };
    assert.deepEqual(withCompileCache(paths, launch), { launch, dir: undefined });
  });
});
