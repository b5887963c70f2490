/** Whether a path lies within a prefix (ADR 0022): by components, after `..` is resolved. */
import assert from "node:assert/strict";
import { posix } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  ALLOW_PATHS_KEY,
  allowingPrefix,
  allowPathsOf,
  isNormalizedAbsolute,
  pathOutsideMessage,
  pathWithin,
} from "./path-confinement.ts";

const name = fc.stringMatching(/^[a-z0-9_-][a-z0-9._-]{0,6}$/);
const absolute = (parts: readonly string[]) => `/${parts.join("/")}`;

describe("pathWithin", () => {
  it("is true for the prefix itself and what is below it, by components", () => {
    assert.equal(pathWithin("/ws", "/ws"), true);
    assert.equal(pathWithin("/ws/a/b", "/ws"), true);
    assert.equal(pathWithin("/ws/a", "/ws/"), true);
    assert.equal(pathWithin("/ws-other/a", "/ws"), false);
    assert.equal(pathWithin("/wsa", "/ws"), false);
    assert.equal(pathWithin("/", "/ws"), false);
    assert.equal(pathWithin("/etc/passwd", "/"), true);
  });

  it("property: a child is within, a sibling sharing the prefix's characters is not", () => {
    fc.assert(
      fc.property(
        fc.array(name, { minLength: 1, maxLength: 4 }),
        fc.array(name),
        name,
        (p, rest, x) => {
          const prefix = absolute(p);
          assert.equal(pathWithin(absolute([...p, ...rest]), prefix), true);
          assert.equal(pathWithin(`${prefix}${x}`, prefix), false);
          assert.equal(pathWithin(`${prefix}${x}/${rest.join("/")}`, prefix), false);
          assert.equal(pathWithin(absolute(p.slice(0, -1)), prefix), false);
        },
      ),
    );
  });

  it("property: after `..` is resolved, within iff its components start with the prefix's", () => {
    const step = fc.oneof(name, fc.constant(".."), fc.constant("."));
    fc.assert(
      fc.property(
        fc.array(name, { minLength: 1, maxLength: 3 }),
        fc.array(step, { maxLength: 8 }),
        (p, steps) => {
          // The model: a stack of components, `..` popping one (never above the root).
          const stack = [...p];
          for (const s of steps) {
            if (s === "..") stack.pop();
            else if (s !== ".") stack.push(s);
          }
          const within = stack.length >= p.length && p.every((c, i) => stack[i] === c);
          const path = posix.normalize(posix.join(absolute(p), ...steps));
          assert.equal(pathWithin(path, absolute(p)), within, `${path} in ${absolute(p)}`);
        },
      ),
    );
  });
});

describe("allowed prefixes", () => {
  it("finds the first prefix that contains a path", () => {
    assert.equal(allowingPrefix("/srv/data/x", ["/ws", "/srv/data"]), "/srv/data");
    assert.equal(allowingPrefix("/srv/database", ["/ws", "/srv/data"]), undefined);
  });

  it("takes only normalized absolute paths", () => {
    for (const ok of ["/", "/a", "/a/b", "/a/b/"]) assert.equal(isNormalizedAbsolute(ok), true, ok);
    for (const bad of ["", "a", "./a", "/a/../b", "/a/./b", "/a//b", "/a\0b", "/.."])
      assert.equal(isNormalizedAbsolute(bad), false, JSON.stringify(bad));
  });

  it("a contract without valid x-allow-paths is refused", () => {
    assert.deepEqual(allowPathsOf({ [ALLOW_PATHS_KEY]: ["/ws", "/srv"] }, "d"), ["/ws", "/srv"]);
    for (const value of [undefined, [], ["ws"], ["/ws/../etc"], "/ws", [7]])
      assert.throws(
        () => allowPathsOf({ [ALLOW_PATHS_KEY]: value }, "file driver: x"),
        (e: Error & { code?: string }) =>
          e.code === "RTT_ERR_PATH_OUTSIDE" && /file driver: x/.test(e.message),
      );
  });

  it("says which symbol, which path, where it leads and the rule", () => {
    const m = pathOutsideMessage("rtt://a/file/x@1.0.0", "../x", "/tmp/x", ["/ws", "/srv"]);
    assert.match(m, /^rtt:\/\/a\/file\/x@1\.0\.0: path "\.\.\/x" leads to \/tmp\/x/);
    assert.match(m, /outside the workspace \/ws \(nor under security\.allow_paths \["\/srv"\]\)/);
    assert.match(
      pathOutsideMessage("s", "/x", "/x", ["/ws"]),
      /security\.allow_paths lists no other prefix/,
    );
  });
});
