/**
 * The README's walkthrough as steps a test can run: the fenced `console` blocks between
 * `<!-- walkthrough -->` and `<!-- /walkthrough -->` in README.md, each `$ ` line a command and
 * the lines under it an excerpt of what it printed. Parsed rather than copied, so the README
 * cannot drift from what the test runs.
 */

export interface WalkthroughStep {
  /** The command's words, as /bin/sh would split them (`npx rtt qc 'a -> b'` → 4 words). */
  readonly words: readonly string[];
  /** The line as the README shows it, for failure messages. */
  readonly line: string;
  /** The output excerpt the README shows under it. */
  readonly excerpt: readonly string[];
}

const START = "<!-- walkthrough -->";
const END = "<!-- /walkthrough -->";

/** The walkthrough's steps, in README order; throws when the markers or commands are missing. */
export function walkthroughSteps(markdown: string): WalkthroughStep[] {
  const from = markdown.indexOf(START);
  const to = markdown.indexOf(END, from);
  if (from < 0 || to < 0) throw new Error(`README.md has no ${START} … ${END} section`);
  const steps: { words: string[]; line: string; excerpt: string[] }[] = [];
  let inBlock = false;
  for (const line of markdown.slice(from + START.length, to).split("\n")) {
    if (line.startsWith("```")) {
      inBlock = !inBlock && line.slice(3).trim() === "console";
      continue;
    }
    if (!inBlock) continue;
    if (line.startsWith("$ ")) steps.push({ words: shellWords(line.slice(2)), line, excerpt: [] });
    else steps.at(-1)?.excerpt.push(line);
  }
  if (steps.length === 0) throw new Error(`README.md's walkthrough has no "$ " command lines`);
  return steps;
}

/**
 * Splits a command line into words as /bin/sh does for the plain words, 'single' and
 * "double" quotes (with \" \\ \$ \` escapes) and backslash escapes that a README command uses;
 * anything needing expansion ($, `, globs, redirections, ;, |, &) is refused, not guessed at.
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  const add = (text: string) => {
    word = (word ?? "") + text;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (c === " " || c === "\t") {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) throw new Error(`an unclosed ' in: ${line}`);
      add(line.slice(i + 1, close));
      i = close;
    } else if (c === '"') {
      let text = "";
      for (i++; i < line.length && line[i] !== '"'; i++) {
        const d = line[i] as string;
        if (d === "$" || d === "`") throw new Error(`an expansion (${d}) in: ${line}`);
        if (d === "\\" && '"\\$`'.includes(line[i + 1] ?? "")) text += line[++i];
        else text += d;
      }
      if (i >= line.length) throw new Error(`an unclosed " in: ${line}`);
      add(text);
    } else if (c === "\\") {
      if (i + 1 >= line.length) throw new Error(`a trailing \\ in: ${line}`);
      add(line[++i] as string);
    } else if ("$`*?[]<>|;&(){}~#".includes(c)) {
      throw new Error(`'${c}' needs a shell to mean anything, in: ${line}`);
    } else add(c);
  }
  if (word !== undefined) words.push(word);
  return words;
}

/**
 * A line as excerpts are compared: each run of digits one `0` (times, pids, counts, rates and
 * latencies differ run to run), the user in `uid=N(user)` left out (whoever runs the test),
 * sparkline bars dropped, runs of blanks one space (columns widen with their content).
 */
export function excerptForm(line: string): string {
  return line
    .replace(/uid=\d+\([^)]*\)/g, "uid=0()")
    .replace(/\d+/g, "0")
    .replace(/[▁▂▃▄▅▆▇█]+/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** The README excerpt's lines (bar `…` and blank ones) that no line of `output` matches. */
export function excerptMisses(excerpt: readonly string[], output: string): string[] {
  const seen = new Set(output.split("\n").map(excerptForm));
  return excerpt.filter((line) => {
    const form = excerptForm(line);
    return form !== "" && form !== "…" && !seen.has(form);
  });
}
