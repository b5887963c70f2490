/**
 * C and C++ builds: `compile_commands.json` (the JSON compilation database CMake, Meson and
 * Bear write) lists each compiler invocation. Most only compile (`-c`, `-S`, `-E`); one that
 * links names a target with `-o` (or the entry's `output`). Each distinct linked target is a
 * `proc` run as `./<name>` in its folder, or a `plugin` when it is a shared library (`.so`,
 * `.so.N`, `.dylib`). Objects and archives (`.o`, `.obj`, `.a`, `.lo`) are not targets. A
 * target outside the workspace is never claimed: the file is hostile input and could name
 * `/bin/sh`. A CMake build's database lists only compiles, so CMake's own record of each
 * target's link commands (`CMakeFiles/<target>.dir/link.txt`, Makefiles generator) is read too.
 * The namespace is the project's folder: the one above the nearest build folder (`build`,
 * `out`, `cmake-build-*`) the file is in, else the file's own folder. The database is read
 * whole up to the scan's byte limit; a larger one is reported, not claimed in part.
 */
import { basename, dirname, isAbsolute, posix, relative, resolve, sep } from "node:path";
import { parseJsonDocument, RttError, type SourceDocument } from "@rtt/core";
import { discoveredSaddr } from "./address.ts";
import type { Discovery, FileFacts, IndexEntry, Indexer, IndexInput } from "./indexer.ts";
import {
  claim,
  folderOf,
  METADATA_SCORE,
  relativeFolder,
  stringOf,
  tableOf,
} from "./project-meta.ts";
import { shellWords } from "./shell-words.ts";

const NAME = "c-compile";

type Target = {
  /** Workspace-relative path of the linked file. */
  readonly output: string;
  readonly line: number;
  readonly project: string;
};

const NOT_LINKED = new Set(["-c", "-S", "-E", "-M", "-MM"]);
const NOT_A_TARGET = /\.(?:o|obj|a|lo|lib|gch|pch|d)$/;
const SHARED = /^(?:lib)?(.+?)(?:\.so(?:\.[0-9]+)*|\.dylib)$/;
const BUILD_FOLDER = /^(?:build|builddir|out|_build|cmake-build-.*)$/i;
/** `<binary folder>/CMakeFiles/<target>.dir/link.txt`, the binary folder in group 1. */
const LINK_TXT = /^(?:(.*)\/)?CMakeFiles\/[^/]+\.dir\/link\.txt$/;

/** The `-o` operand and the JSON path of the argument that holds it. */
function outputOf(args: readonly string[]): [string, number] | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "-o" && i + 1 < args.length) return [args[i + 1] as string, i + 1];
    if (a.startsWith("-o") && a.length > 2) return [a.slice(2), i];
  }
  return undefined;
}

/** Where `output`, written in `directory`, lands: workspace-relative, or undefined outside it. */
function inWorkspace(root: string, directory: string, output: string): string | undefined {
  const path = relative(root, resolve(directory, output));
  if (path === "" || path.startsWith("..") || isAbsolute(path)) return undefined;
  return path.split(sep).join("/");
}

/** The project a build folder belongs to: the folder above the nearest `build`-like one. */
function projectOf(folder: string, root: string): string {
  for (let f = folder; f.length > root.length; f = dirname(f)) {
    if (BUILD_FOLDER.test(basename(f))) return basename(dirname(f));
  }
  return basename(folder);
}

/** The workspace root, from an input's absolute and relative paths. */
function rootOf(input: IndexInput): string {
  return input.abs.slice(0, input.abs.length - input.rel.length - 1) || sep;
}

function targetOf(
  doc: SourceDocument,
  index: number,
  entry: Record<string, unknown>,
  where: { folder: string; root: string },
): { output: string; line: number } | undefined {
  const argv = Array.isArray(entry.arguments)
    ? entry.arguments.filter((a): a is string => typeof a === "string")
    : shellWords(stringOf(entry.command) ?? "");
  if (argv === undefined || argv.some((a) => NOT_LINKED.has(a))) return undefined;
  const fromArgs = outputOf(argv);
  const output = fromArgs?.[0] ?? stringOf(entry.output);
  if (output === undefined || NOT_A_TARGET.test(output)) return undefined;
  const directory = resolve(where.folder, stringOf(entry.directory) ?? ".");
  const path = inWorkspace(where.root, directory, output);
  if (path === undefined) return undefined;
  const at: (string | number)[] =
    fromArgs === undefined
      ? [index, "output"]
      : Array.isArray(entry.arguments)
        ? [index, "arguments", fromArgs[1]]
        : [index, "command"];
  return { output: path, line: doc.locate(at).line };
}

/**
 * A CMake (Makefiles generator) target's `link.txt`: its link commands, one a line, run in the
 * binary folder above `CMakeFiles/`. The compilation database lists only compiles in a CMake
 * build; this is where CMake writes what it links.
 */
function readLinkTxt(input: IndexInput): Target[] {
  const binary = (LINK_TXT.exec(input.rel) as RegExpExecArray)[1] ?? "";
  const root = rootOf(input);
  const directory = binary === "" ? root : resolve(root, binary);
  const project = projectOf(directory, root);
  return input
    .text()
    .split("\n")
    .flatMap((command, i) => {
      const argv = shellWords(command);
      if (argv === undefined || argv.some((a) => NOT_LINKED.has(a))) return [];
      const output = outputOf(argv)?.[0];
      if (output === undefined || NOT_A_TARGET.test(output)) return [];
      const path = inWorkspace(root, directory, output);
      return path === undefined ? [] : [{ output: path, line: i + 1, project }];
    });
}

function readDatabase(input: IndexInput): Target[] {
  const doc = parseJsonDocument(input.text(), input.rel);
  if (!Array.isArray(doc.value)) {
    throw new RttError("RTT_ERR_DOC_SCHEMA", "a compilation database is an array of commands", {
      position: { file: input.rel, line: 1, column: 1 },
    });
  }
  const folder = dirname(input.abs);
  const root = rootOf(input);
  const project = projectOf(folder, root);
  return doc.value.flatMap((value, i) => {
    const entry = tableOf(value);
    const target = entry === undefined ? undefined : targetOf(doc, i, entry, { folder, root });
    return target === undefined ? [] : [{ ...target, project }];
  });
}

function discover(files: readonly FileFacts<Target>[]): Discovery[] {
  // A target two databases (or two commands) link is claimed once, from the first of them in
  // file and line order, whatever order the files come in.
  const all = files
    .flatMap(({ rel, facts }) => facts.map((fact) => ({ rel, ...fact })))
    .sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : a.line - b.line));
  const claims = new Map<string, Discovery>();
  for (const { rel, output, line, project } of all) {
    if (claims.has(output)) continue;
    const name = basename(output);
    const shared = SHARED.exec(name);
    const from = folderOf(rel);
    const contract =
      shared === null
        ? {
            saddr: discoveredSaddr({ namespace: project, type: "proc", name }),
            type: "proc" as const,
            direction: "both" as const,
            "x-run": [`./${name}`],
            "x-cwd": relativeFolder(from, folderOf(output)),
          }
        : {
            saddr: discoveredSaddr({
              namespace: project,
              type: "plugin",
              name: shared[1] as string,
            }),
            type: "plugin" as const,
            direction: "provider" as const,
            "x-library": posix.relative(`/${from}`, `/${output}`),
          };
    claims.set(output, claim(NAME, rel, line, METADATA_SCORE, contract));
  }
  return [...claims.values()];
}

export const cCompile: Indexer<Target> = {
  name: NAME,
  revision: 1,
  wanted: { names: ["compile_commands.json", "link.txt"] },
  wants: (entry: IndexEntry) =>
    entry.kind === "file" &&
    (entry.name === "compile_commands.json" ||
      (entry.name === "link.txt" && LINK_TXT.test(entry.rel))),
  read: (input) => (input.name === "link.txt" ? readLinkTxt(input) : readDatabase(input)),
  discover,
};
