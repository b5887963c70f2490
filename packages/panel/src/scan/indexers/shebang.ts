/**
 * Executable scripts (issue 17, Shell/proc): a regular file with an x bit whose first line is
 * `#!` and an absolute interpreter path becomes a `proc`, named after its path below its
 * project folder (project-folder.ts). What runs it is the file itself
 * (`["./<name>"]` in its own folder): the kernel reads the interpreter line, so restating it in
 * the argv would only be a second, possibly wrong, copy.
 *
 * A binary that happens to start with `#!` is not a script: the first KiB must hold no NUL and
 * be UTF-8, and the interpreter line must be printable and fit the kernel's 255-byte limit.
 */
import type { JsonValue } from "@rtt/core";
import { discoveredSaddr } from "./address.ts";
import type { Discovery, IndexEntry, Indexer, IndexInput } from "./indexer.ts";
import { fileNameOf, inRttFolder, pathBelowProject, projectFolderOf } from "./project-folder.ts";

/** Name/stat heuristics (ADR 0026). */
export const SHEBANG_SCORE = 0.6;

const SCRIPT_EXTENSIONS = new Set([".sh", ".bash", ".zsh", ".py", ".pl", ".rb", ".js", ".mjs"]);
const ANY_EXECUTE = 0o111;
const SNIFF_BYTES = 1024;
/** Linux reads at most this much of the interpreter line (BINPRM_BUF_SIZE - 1). */
const MAX_LINE = 255;
/** An absolute path, then optional arguments; printable ASCII and tabs only. */
const INTERPRETER_LINE = /^#![ \t]*(\/[!-~]*)(?:[ \t]+([ -~\t]*))?$/;

interface ShebangFact {
  readonly namespace: string;
  readonly interpreter: string;
  /** What follows the interpreter on the line, trimmed; "" when nothing. */
  readonly args: string;
  [key: string]: JsonValue;
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot) : "";
}

/** The interpreter line of `head`, or undefined when `head` is not the start of a script. */
export function interpreterLine(head: Buffer): { interpreter: string; args: string } | undefined {
  if (head.length < 3 || head[0] !== 0x23 || head[1] !== 0x21) return undefined;
  if (head.includes(0)) return undefined;
  try {
    // stream: a multi-byte character cut by the end of the sniff is not an error.
    new TextDecoder("utf-8", { fatal: true }).decode(head, { stream: true });
  } catch {
    return undefined;
  }
  const newline = head.indexOf(0x0a);
  const end = newline < 0 ? head.length : newline;
  if (end > MAX_LINE) return undefined;
  const line = head.subarray(0, end).toString("utf8").replace(/\r$/, "");
  const match = INTERPRETER_LINE.exec(line);
  if (match === null || match[1] === undefined || match[1].length < 2) return undefined;
  return { interpreter: match[1], args: (match[2] ?? "").trim() };
}

export const shebangIndexer: Indexer<ShebangFact> = {
  name: "shebang",
  revision: 1,
  wanted: { extensions: ["", ...SCRIPT_EXTENSIONS] },
  wants(entry: IndexEntry): boolean {
    if (entry.kind !== "file") return false;
    const ext = extensionOf(entry.name);
    return (ext === "" || SCRIPT_EXTENSIONS.has(ext)) && !inRttFolder(entry.rel);
  },
  read(input: IndexInput): ShebangFact[] {
    if ((input.mode & ANY_EXECUTE) === 0) return [];
    const found = interpreterLine(input.head(SNIFF_BYTES));
    if (found === undefined) return [];
    return [{ namespace: projectFolderOf(input.rel, input.abs), ...found }];
  },
  discover(files): Discovery[] {
    return files.flatMap(({ rel, facts }) =>
      facts.map((fact) => {
        const name = fileNameOf(rel);
        const below = pathBelowProject(rel);
        return {
          contract: {
            saddr: discoveredSaddr({ namespace: fact.namespace, type: "proc", name: below }),
            type: "proc",
            direction: "both",
            io: "stream",
            "x-run": [`./${name}`],
            "x-cwd": ".",
            "x-interpreter":
              fact.args === "" ? fact.interpreter : `${fact.interpreter} ${fact.args}`,
          },
          score: SHEBANG_SCORE,
          provenance: { indexer: "shebang", file: rel, line: 1 },
          namedByPath: true as const,
        };
      }),
    );
  },
};
