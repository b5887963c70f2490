/** The README walkthrough's parser: shell words as /bin/sh splits them, and the step blocks. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import fc from "fast-check";
import { shellQuote } from "./e2e/helpers.ts";
import { shellWords, walkthroughSteps } from "./support/walkthrough.ts";

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
