/**
 * The reader of docs/tutorial.md's marked blocks (test/support/tutorial-steps.ts): steps written
 * as markdown come back as they were, whatever prose and unmarked blocks lie between; an excerpt
 * matches the line it was cut from, with any part elided (`…`) or its blanks changed, and no line
 * with more at its end; a malformed mark is an error naming its line.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  excerptPattern,
  missingLines,
  parseTutorial,
  type TutorialStep,
} from "./support/tutorial-steps.ts";

/** A line of a block's body: anything but a newline, and never a closing fence. */
const bodyLine = fc
  .string({ maxLength: 30 })
  .filter((l) => !l.includes("\n") && !l.startsWith("```"));
const prose = fc.array(
  bodyLine.filter((l) => l.trim() === "" || /^[a-z ]+$/.test(l)),
  { maxLength: 3 },
);
const segment = fc.stringMatching(/^[a-z0-9_-]{1,8}$/);
const relPath = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join("/"));

type Written =
  | { kind: "file"; path: string; lines: string[] }
  | { kind: "run"; lines: string[]; retry: boolean; expect: string[] };

const written: fc.Arbitrary<Written> = fc.oneof(
  fc.record({
    kind: fc.constant("file" as const),
    path: relPath,
    lines: fc.array(bodyLine, { maxLength: 4 }),
  }),
  fc.record({
    kind: fc.constant("run" as const),
    lines: fc.array(bodyLine, { minLength: 1, maxLength: 4 }),
    retry: fc.boolean(),
    expect: fc.array(
      bodyLine.filter((l) => l.trim() !== ""),
      { maxLength: 3 },
    ),
  }),
);

/** The markdown for `steps`, with `between` before each, and where each step starts. */
function render(
  steps: readonly Written[],
  between: readonly string[][],
): { text: string; lines: number[] } {
  const out: string[] = [];
  const starts: number[] = [];
  steps.forEach((step, i) => {
    out.push(...(between[i] ?? []), "```sh", "an unmarked block", "```");
    if (step.kind === "file") out.push(`Write \`${step.path}\`:`, "");
    starts.push(out.length + 1);
    if (step.kind === "file") out.push(`\`\`\`json file=${step.path}`, ...step.lines, "```");
    else {
      out.push(step.retry ? "```sh tutorial retry" : "```sh tutorial", ...step.lines, "```");
      if (step.expect.length > 0) out.push("", "```text output", ...step.expect, "```");
    }
  });
  return { text: `${out.join("\n")}\n`, lines: starts };
}

describe("the tutorial's marked blocks", () => {
  it("come back as the steps they were written from", () => {
    fc.assert(
      fc.property(
        fc.array(written, { maxLength: 6 }),
        fc.array(prose, { maxLength: 6 }),
        (steps, between) => {
          const { text, lines } = render(steps, between);
          const expected: TutorialStep[] = steps.map((s, i) =>
            s.kind === "file"
              ? {
                  kind: "file",
                  line: lines[i] as number,
                  path: s.path,
                  text: `${s.lines.join("\n")}\n`,
                }
              : {
                  kind: "run",
                  line: lines[i] as number,
                  script: s.lines.join("\n"),
                  retry: s.retry,
                  expect: s.expect,
                },
          );
          assert.deepEqual(parseTutorial(text), expected);
        },
      ),
    );
  });

  it("an excerpt matches its line, elided or re-spaced, and not a line with more at its end", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }).filter((l) => !l.includes("\n") && !l.includes("…")),
        fc.nat(),
        fc.nat(),
        (line, a, b) => {
          const pattern = excerptPattern(line);
          assert.ok(pattern.test(line), "the line itself");
          const [from, to] = [
            Math.min(a, b) % (line.length + 1),
            Math.max(a, b) % (line.length + 1),
          ];
          const [lo, hi] = from <= to ? [from, to] : [to, from];
          const elided = `${line.slice(0, lo)}…${line.slice(hi)}`;
          assert.ok(excerptPattern(elided).test(line), `elided: ${JSON.stringify(elided)}`);
          assert.ok(excerptPattern(line.replace(/[ \t]+/g, "   ")).test(line), "re-spaced");
          if (line.trim() !== "") assert.equal(pattern.test(`${line}Z`), false, "more at the end");
        },
      ),
    );
  });

  it("missingLines names the excerpt lines no output line shows", () => {
    assert.deepEqual(
      missingLines(["Plan: … to add", "rc=0", "a   b"], "x\nPlan: 1 to add\na b\n"),
      ["rc=0"],
    );
  });

  it("a malformed mark is an error naming its line", () => {
    assert.throws(
      () => parseTutorial("text\n```text output\nx\n```\n"),
      /^Error: line 2: an output block must follow/,
    );
    assert.throws(
      () => parseTutorial("```sh tutorial\nls\n"),
      /^Error: line 1: the block is never closed/,
    );
    assert.throws(
      () => parseTutorial("```sh tutorial again\nls\n```\n"),
      /^Error: line 1: unknown mark/,
    );
    for (const path of ["/etc/passwd", "../up", "a/../../up", ""])
      assert.throws(
        () => parseTutorial(`\n\`\`\`json file=${path}\n{}\n\`\`\`\n`),
        /^Error: line 2: file=/,
      );
    assert.throws(
      () => parseTutorial("Write this:\n\n```json file=a.json\n{}\n```\n"),
      /^Error: line 3: the text just before the block must name `a.json`/,
    );
  });
});
