/**
 * Whatever links a tree holds and whatever is swapped in between the check and the open,
 * `openConfined` either refuses or hands back a descriptor of a regular file that lies in the
 * workspace (ADR 0022) — never one outside it. Real trees; each way of opening.
 */
import assert from "node:assert/strict";
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, it } from "node:test";
import { nativeOpenBeneath } from "@rtt/fabric";
import fc from "fast-check";
import { type ConfinedOptions, openConfined } from "./open-confined.ts";

const base = realpathSync(mkdtempSync(join(tmpdir(), "rtt-open-confined-prop-")));
after(() => rmSync(base, { recursive: true, force: true }));

const NAMES = ["a", "b", "f", "l1", "l2", "s", "e", ".."] as const;
const LINK_AT = ["l1", "a/l2", "a/b/l1"] as const;
/** Where links point: `@out` is the outside folder, `@ws` the workspace. */
const TARGETS = ["@ws/a", "@ws/a/b/f", "@out", "@out/s", "..", "../..", "b", "f", "@out/e"];

/** dev:ino of every regular file in `dir`, links not followed. */
function filesIn(dir: string, into = new Set<string>()): Set<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = lstatSync(p);
    if (st.isDirectory()) filesIn(p, into);
    else if (st.isFile()) into.add(`${st.dev}:${st.ino}`);
  }
  return into;
}

let round = 0;
function tree(links: readonly (readonly [number, number])[]) {
  const root = join(base, `r${++round}`);
  const ws = join(root, "ws");
  const out = join(root, "out");
  mkdirSync(join(ws, "a", "b"), { recursive: true });
  mkdirSync(join(out, "e"), { recursive: true });
  for (const f of ["f", "a/f", "a/b/f"]) writeFileSync(join(ws, f), "in\n");
  for (const f of ["s", "f", "e/s", "e/f"]) writeFileSync(join(out, f), "SECRET\n");
  const target = (i: number) => (TARGETS[i] ?? "f").replace("@ws", ws).replace("@out", out);
  for (const [at, to] of links) {
    try {
      symlinkSync(target(to), join(ws, LINK_AT[at] ?? "l1"));
    } catch {
      // Already there: one link per place.
    }
  }
  return { ws, out, target };
}

const ways: ConfinedOptions["via"][] = [
  "js",
  ...(typeof nativeOpenBeneath() === "function" ? (["walk", undefined] as const) : []),
];

it("never opens a file outside the workspace, whatever is swapped in after the check", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(LINK_AT.length - 1), fc.nat(TARGETS.length - 1)), { maxLength: 3 }),
      fc.array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 4 }),
      fc.option(fc.tuple(fc.nat(3), fc.nat(TARGETS.length - 1)), { nil: undefined }),
      fc.constantFrom(...ways),
      fc.boolean(),
      (links, parts, swap, via, create) => {
        const { ws, target } = tree(links);
        const path = join(ws, ...parts);
        const afterCheck = () => {
          if (swap === undefined) return;
          // Replace one component of the path (as it stands) with a link.
          const at = join(ws, ...parts.slice(0, Math.min(swap[0], parts.length - 1) + 1));
          try {
            renameSync(at, `${at}.old`);
          } catch {
            // Nothing there: the link is new.
          }
          try {
            symlinkSync(target(swap[1]), at);
          } catch {
            // Cannot be made (a "..", a missing folder): nothing swapped.
          }
        };
        const flags = create
          ? constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND
          : constants.O_RDONLY;
        const inside = filesIn(ws);
        let fd: number;
        try {
          fd = openConfined("rtt://t/f/x@1.0.0#ndjson", path, [ws], flags, {
            afterCheck,
            ...(via === undefined ? {} : { via }),
          }).fd;
        } catch {
          return; // refused (or not there): fine
        }
        try {
          const st = fstatSync(fd);
          if (!st.isFile()) return; // a folder opened read-only is not a file symbol's data
          const created = filesIn(ws);
          assert.ok(
            inside.has(`${st.dev}:${st.ino}`) || created.has(`${st.dev}:${st.ino}`),
            `${path} (${via ?? "native"}) opened a file outside the workspace`,
          );
        } finally {
          closeSync(fd);
        }
      },
    ),
    { numRuns: 150 },
  );
});
