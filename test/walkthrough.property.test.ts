/** The README walkthrough's parser: shell words as /bin/sh splits them, and the step blocks. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import fc from "fast-check";
import { shellQuote } from "./e2e/helpers.ts";
import { excerptForm, excerptMisses, shellWords, walkthroughSteps } from "./support/walkthrough.ts";

const word = fc
  .string({ unit: "binary", minLength: 0, maxLength: 12 })
  .filter((w) => !w.includes("\0"));

describe("shellWords", () => {
  it("reads back any words quoted for /bin/sh", () => {
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 6 }), (words) => {
        assert.deepEqual(shellWords(words.map(shellQuote).join(" ")), words);
      }),
    );
  });

  it("splits plain, quoted and escaped words as /bin/sh does", () => {
    const plain = fc.stringMatching(/^[A-Za-z0-9_./:@=,+-]{1,8}$/);
    const piece = fc.oneof(
      plain,
      plain.map((w) => `'${w} ${w}'`),
      plain.map((w) => `"${w} \\"x\\" \\\\ ${w}"`),
      plain.map((w) => `\\ ${w}`),
    );
    const words = fc.array(fc.array(piece, { minLength: 1, maxLength: 3 }), {
      minLength: 1,
      maxLength: 4,
    });
    fc.assert(
      fc.property(words, (parts) => {
        const line = parts.map((p) => p.join("")).join("  ");
        const sh = execFileSync("sh", ["-c", `printf '%s\\0' ${line}`], { encoding: "utf8" });
        assert.deepEqual(shellWords(line), sh.split("\0").slice(0, -1), line);
      }),
      { numRuns: 40 },
    );
  });

  it("refuses what needs a shell: expansions, pipes, redirections, unclosed quotes", () => {
    for (const line of ["echo $HOME", "a | b", "a > f", "a; b", "'open", '"open', 'a "$x"', "a\\"])
      assert.throws(() => shellWords(line), /in: /, line);
  });
});

describe("walkthroughSteps", () => {
  it("takes the $ lines of console blocks between the markers, with the lines under each", () => {
    const md = [
      "$ not this one",
      "<!-- walkthrough -->",
      "```console",
      "$ npx rtt qc 'a -> b'",
      "✓ moved",
      "```",
      "prose with $ in it",
      "```sh",
      "$ not a console block",
      "```",
      "```console",
      "$ npx rtt audit",
      "```",
      "<!-- /walkthrough -->",
      "```console",
      "$ after the end",
      "```",
    ].join("\n");
    assert.deepEqual(
      walkthroughSteps(md).map((s) => [s.words, s.excerpt]),
      [
        [["npx", "rtt", "qc", "a -> b"], ["✓ moved"]],
        [["npx", "rtt", "audit"], []],
      ],
    );
  });

  it("throws when the markers or the commands are missing", () => {
    assert.throws(() => walkthroughSteps("no markers"), /no <!-- walkthrough -->/);
    assert.throws(
      () => walkthroughSteps("<!-- walkthrough -->\n<!-- /walkthrough -->"),
      /no "\$ " command lines/,
    );
  });
});

describe("excerptMisses", () => {
  const text = fc.string({ maxLength: 30 }).filter((t) => !t.includes("\n"));
  it("a line matches itself with other numbers, user, bars and column widths", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(text, fc.nat(), fc.nat()), { minLength: 1, maxLength: 5 }),
        fc.stringMatching(/^[a-z]{1,8}$/),
        fc.integer({ min: 1, max: 4 }),
        (parts, user, blanks) => {
          const readme = parts.map(([t, n]) => `${t} uid=0(root) ${n} ▁▃█`).join("  ");
          const real = parts
            .map(([t, , m]) => `${t} uid=1000(${user})${" ".repeat(blanks)}${m} █`)
            .join(" ");
          assert.deepEqual(excerptMisses([readme], `first\n${real}\nlast`), []);
          assert.equal(excerptForm(excerptForm(real)), excerptForm(real));
        },
      ),
    );
  });

  it("names the excerpt lines whose words differ; skips … and blank lines", () => {
    assert.deepEqual(
      excerptMisses(
        ["breaker open (manual trip)", "…", "", "breaker closed"],
        "breaker open (manual trip)",
      ),
      ["breaker closed"],
    );
  });
});
