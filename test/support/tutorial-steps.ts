/**
 * The steps of docs/tutorial.md, as test/e2e/tutorial.test.ts runs them, read from the fenced
 * blocks its info strings mark:
 * - ```` ```json file=PATH ```` (any language): a file to write, whole, at PATH in the workspace —
 *   the text just before it names PATH in backticks, as a reader does not see an info string;
 * - ```` ```sh tutorial ````: shell commands to run once (`sh -e`, in the workspace);
 * - ```` ```sh tutorial retry ````: commands that only look, run again until what follows shows
 *   (for what happens in the background);
 * - ```` ```text output ````: an excerpt of what the commands just before print, line by line,
 *   `…` standing for text that varies and any run of blanks for any other.
 * Unmarked blocks are for the reader only. A block marked wrong is an error naming its line, so
 * the tutorial cannot drift away from its test unnoticed.
 */
import { isAbsolute, normalize } from "node:path";

export type TutorialStep =
  | { readonly kind: "file"; readonly line: number; readonly path: string; readonly text: string }
  | {
      readonly kind: "run";
      readonly line: number;
      readonly script: string;
      readonly retry: boolean;
      /** The excerpt lines its output must show, if an output block follows. */
      readonly expect: readonly string[];
    };

const FENCE = /^```(.*)$/;

/** The marked steps of `markdown`, in order. Throws naming the line of a malformed mark. */
export function parseTutorial(markdown: string): TutorialStep[] {
  const lines = markdown.split("\n");
  const steps: TutorialStep[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] as string);
    if (open === null) continue;
    const at = i + 1;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== "```"; i++) body.push(lines[i] as string);
    if (i >= lines.length) throw new Error(`line ${at}: the block is never closed`);
    const step = stepOf((open[1] as string).trim().split(/\s+/), at, body);
    if (step === undefined) continue;
    if (step.kind === "file" && !textBefore(lines, at - 1).includes(`\`${step.path}\``))
      throw new Error(`line ${at}: the text just before the block must name \`${step.path}\``);
    if (step.kind !== "output") {
      steps.push(step);
      continue;
    }
    const last = steps.at(-1);
    if (last?.kind !== "run" || last.expect.length > 0)
      throw new Error(`line ${at}: an output block must follow a block of commands`);
    steps[steps.length - 1] = { ...last, expect: body.filter((l) => l.trim() !== "") };
  }
  return steps;
}

/** The last line that is not blank before line index `index`. */
function textBefore(lines: readonly string[], index: number): string {
  for (let i = index - 1; i >= 0; i--)
    if ((lines[i] as string).trim() !== "") return lines[i] as string;
  return "";
}

type Parsed = TutorialStep | { readonly kind: "output" };

function stepOf(
  info: readonly string[],
  line: number,
  body: readonly string[],
): Parsed | undefined {
  const file = info.find((w) => w.startsWith("file="));
  if (file !== undefined)
    return {
      kind: "file",
      line,
      path: safePath(file.slice(5), line),
      text: `${body.join("\n")}\n`,
    };
  if (info[1] === "tutorial") {
    if (info.length > 3 || (info[2] !== undefined && info[2] !== "retry"))
      throw new Error(`line ${line}: unknown mark ${JSON.stringify(info.join(" "))}`);
    return { kind: "run", line, script: body.join("\n"), retry: info[2] === "retry", expect: [] };
  }
  if (info[0] === "text" && info[1] === "output") return { kind: "output" };
  return undefined;
}

/** A file's path inside the workspace: relative, and never above it. */
function safePath(path: string, line: number): string {
  const clean = normalize(path);
  if (path === "" || isAbsolute(path) || clean === ".." || clean.startsWith("../"))
    throw new Error(
      `line ${line}: file=${JSON.stringify(path)} is not a path inside the workspace`,
    );
  return clean;
}

/** An excerpt line as a pattern for one whole output line: `…` any text, blanks any blanks. */
export function excerptPattern(excerpt: string): RegExp {
  const parts = excerpt
    .trim()
    .split("…")
    .map((part) =>
      part
        .split(/\s+/)
        .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join("\\s+"),
    );
  return new RegExp(`^\\s*${parts.join(".*")}\\s*$`);
}

/** The excerpt lines that no line of `output` matches. */
export function missingLines(expect: readonly string[], output: string): string[] {
  const lines = output.split("\n");
  return expect.filter((e) => {
    const pattern = excerptPattern(e);
    return !lines.some((l) => pattern.test(l));
  });
}
