/**
 * Where a path really leads (ADR 0022), on a real folder tree with symlinks: into the
 * workspace, out of it, dangling out of it, and through links to links.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { assertPathAllowed, locatePath, realLocation } from "./real-location.ts";

let base: string;
let ws: string;
let outside: string;
/** The links made under the workspace: absolute link path → where it leads (absolute, real). */
let links: Map<string, string>;

before(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), "rtt-real-location-")));
  ws = join(base, "ws");
  outside = join(base, "outside");
  mkdirSync(join(ws, "sub", "deep"), { recursive: true });
  mkdirSync(outside);
  links = new Map([
    [join(ws, "in"), join(ws, "sub")],
    [join(ws, "out"), outside],
    [join(ws, "dangling"), join(outside, "new")],
    [join(ws, "sub", "back"), join(ws, "out")],
    [join(ws, "sub", "up"), ws],
  ]);
  symlinkSync("sub", join(ws, "in"));
  symlinkSync("../outside", join(ws, "out"));
  symlinkSync(join(outside, "new"), join(ws, "dangling"));
  symlinkSync("../out", join(ws, "sub", "back"));
  symlinkSync("..", join(ws, "sub", "up"));
});
after(() => rmSync(base, { recursive: true, force: true }));

/**
 * The model: walk a normalized absolute path component by component, a link taking the walk to
 * where it leads (links to links followed), anything else appended.
 */
function modelLocation(path: string): string {
  let at = "/";
  for (const part of path.split("/").filter((p) => p !== "")) {
    at = join(at, part);
    for (let hops = 0; links.has(at) && hops < 10; hops++) at = links.get(at) as string;
  }
  return at;
}

describe("realLocation", () => {
  it("follows links in the workspace, out of it, and dangling ones", () => {
    assert.equal(realLocation(join(ws, "in", "f.log")), join(ws, "sub", "f.log"));
    assert.equal(realLocation(join(ws, "out", "f.log")), join(outside, "f.log"));
    assert.equal(realLocation(join(ws, "dangling")), join(outside, "new"));
    assert.equal(realLocation(join(ws, "dangling", "x", "y")), join(outside, "new", "x", "y"));
    assert.equal(realLocation(join(ws, "sub", "back", "z")), join(outside, "z"));
    assert.equal(realLocation(join(ws, "nope", "f")), join(ws, "nope", "f"));
  });

  it("a link loop is refused, not followed for ever", () => {
    const loop = join(base, "loop");
    mkdirSync(loop);
    symlinkSync("b", join(loop, "a"));
    symlinkSync("a", join(loop, "b"));
    assert.throws(() => realLocation(join(loop, "a", "f")), /too many symbolic links/);
  });

  it("property: leads where the model says; allowed iff the model's place is in the workspace", () => {
    const part = fc.constantFrom("sub", "deep", "in", "out", "dangling", "back", "up", "x", "..");
    fc.assert(
      fc.property(fc.array(part, { maxLength: 6 }), (parts) => {
        const path = join(ws, ...parts);
        const expected = modelLocation(path);
        assert.equal(realLocation(path), expected, path);
        const within = expected === ws || expected.startsWith(`${ws}/`);
        assert.equal(locatePath(path, [ws]).allowedBy !== undefined, within, path);
      }),
      { numRuns: 300 },
    );
  });

  it("an allowed prefix outside admits what leads into it, a sibling of it not", () => {
    assert.equal(locatePath(join(ws, "out", "f"), [ws, outside]).allowedBy, outside);
    assert.equal(locatePath(`${outside}-2/f`, [ws, outside]).allowedBy, undefined);
    assert.throws(
      () => assertPathAllowed("rtt://t/file/x@1.0.0", join(ws, "out", "f"), [ws]),
      (e: Error & { code?: string }) =>
        e.code === "RTT_ERR_PATH_OUTSIDE" && e.message.includes(`leads to ${join(outside, "f")}`),
    );
    assert.equal(assertPathAllowed("s", join(ws, "in", "f"), [ws]), join(ws, "in", "f"));
  });
});
