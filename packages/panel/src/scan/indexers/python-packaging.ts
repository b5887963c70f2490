/**
 * Python packaging metadata: `pyproject.toml` `[project.scripts]`, `[project.gui-scripts]` and
 * `[project.entry-points.<group>]` (or, without a `[project]` table, Poetry's
 * `[tool.poetry.scripts]` and `[tool.poetry.plugins.<group>]`), and `setup.cfg`
 * `[options.entry_points]`.
 *
 * A script is a `proc`. In a checkout its name is not on PATH (nothing installed it), so the
 * argv is what the installed wrapper would do, spelled out:
 * `python3 -c "import sys; from pkg.mod import func; sys.exit(func())"` in the project's folder
 * (a module-only entry is `python3 -m pkg.mod`). In a src layout (the entry's top-level module
 * is `src/<module>/__init__.py` or `src/<module>.py` beside the pyproject) it runs in `src/`,
 * where the import resolves without installing; its dependencies must still be importable,
 * which `rtt adopt` leaves to the user editing the manifest. An entry point in any
 * other group is a `plugin`, or a `hook` when the group's name says so (pluggy's `pytest11` is
 * a plugin, a `myapp.hooks` group a hook); it has no argv: it runs inside its host.
 * Entry-point references are checked against the packaging grammar with ASCII identifiers
 * before any goes into an argv, so a hostile file cannot smuggle code into `-c`; one that does
 * not match is not claimed.
 */
import { discoveredSaddr, versionOf } from "./address.ts";
import type { Discovery, FileFacts, IndexEntry, Indexer, IndexInput } from "./indexer.ts";
import {
  type ClaimContract,
  claim,
  folderName,
  folderOf,
  METADATA_SCORE,
  parseToml,
  stringOf,
  tableOf,
  tomlLine,
} from "./project-meta.ts";

const NAME = "python-packaging";

type EntryKind = "script" | "gui-script" | "entry-point";

type PyFact = {
  readonly kind: EntryKind;
  readonly group: string;
  readonly name: string;
  readonly target: string;
  readonly line: number;
  /**
   * The project's name as written: discoveredSaddr folds it to a segment the same way for every
   * indexer (the source indexers name this project's decorated functions in the same namespace),
   * so `Acme_Tools` is `acme_tools`, not PEP 503's `acme-tools`.
   */
  readonly project: string;
  readonly version: string;
};

/** A top-level module under a project's `src/` folder: the src layout. */
type SrcFact = { readonly kind: "src"; readonly module: string };

/** `src/<module>/__init__.py` or `src/<module>.py`, under a project folder (group 1). */
const SRC_MODULE = /^(?:(.*)\/)?src\/([A-Za-z_][A-Za-z0-9_]*)(?:\/__init__)?\.py$/;

const IDENT = "[A-Za-z_][A-Za-z0-9_]*";
const DOTTED = `${IDENT}(?:\\.${IDENT})*`;
/** `module[:attr.attr] [extras]` (the packaging entry-points spec, ASCII identifiers only). */
const REFERENCE = new RegExp(
  `^\\s*(${DOTTED})\\s*(?::\\s*(${DOTTED}))?\\s*(?:\\[[^\\]]*\\])?\\s*$`,
);

function kindOfGroup(group: string): EntryKind {
  if (group === "console_scripts") return "script";
  if (group === "gui_scripts") return "gui-script";
  return "entry-point";
}

/** The argv that runs a script entry the way its installed wrapper would. */
export function scriptArgv(target: string): string[] | undefined {
  const m = REFERENCE.exec(target);
  if (m === null) return undefined;
  const [, module, attr] = m as unknown as [string, string, string | undefined];
  if (attr === undefined) return ["python3", "-m", module];
  const head = attr.split(".")[0] as string;
  return ["python3", "-c", `import sys; from ${module} import ${head}; sys.exit(${attr}())`];
}

/** Where a pyproject keeps its name, version, scripts and entry points: PEP 621 or Poetry's. */
export function metadataTables(doc: Record<string, unknown>) {
  const project = tableOf(doc.project);
  if (project !== undefined) {
    return {
      meta: project,
      scripts: [project.scripts, ["project", "scripts"]] as const,
      gui: [project["gui-scripts"], ["project", "gui-scripts"]] as const,
      groups: [project["entry-points"], ["project", "entry-points"]] as const,
    };
  }
  const poetry = tableOf(tableOf(doc.tool)?.poetry);
  if (poetry === undefined) return undefined;
  return {
    meta: poetry,
    scripts: [poetry.scripts, ["tool", "poetry", "scripts"]] as const,
    gui: [undefined, []] as const,
    groups: [poetry.plugins, ["tool", "poetry", "plugins"]] as const,
  };
}

/** A script's reference: a string, or Poetry's `{ reference, type = "console" }`. */
function referenceOf(value: unknown): string | undefined {
  const table = tableOf(value);
  if (table === undefined) return stringOf(value);
  return table.type === undefined || table.type === "console"
    ? stringOf(table.reference)
    : undefined;
}

function readPyproject(input: IndexInput): PyFact[] {
  const text = input.text();
  const tables = metadataTables(parseToml(text, input.rel));
  if (tables === undefined) return [];
  const name = stringOf(tables.meta.name) ?? folderName(input.abs);
  const base = {
    project: name,
    version: versionOf(stringOf(tables.meta.version)),
  };
  const facts: PyFact[] = [];
  const add = (
    kind: EntryKind,
    group: string,
    [table, path]: readonly [unknown, readonly string[]],
  ) => {
    for (const [entry, value] of Object.entries(tableOf(table) ?? {})) {
      const target = referenceOf(value);
      if (target === undefined) continue;
      const line = tomlLine(text, [...path, entry]);
      facts.push({ kind, group, name: entry, target, line, ...base });
    }
  };
  add("script", "console_scripts", tables.scripts);
  add("gui-script", "gui_scripts", tables.gui);
  const [groups, path] = tables.groups;
  for (const [group, table] of Object.entries(tableOf(groups) ?? {})) {
    add(kindOfGroup(group), group, [table, [...path, group]]);
  }
  return facts;
}

type IniValue = { readonly key: string; readonly lines: { text: string; line: number }[] };

/** configparser's dialect, as far as setup.cfg needs it: sections, keys, indented continuations. */
export function iniSections(text: string): Map<string, IniValue[]> {
  const sections = new Map<string, IniValue[]>();
  let current: IniValue[] | undefined;
  let value: IniValue | undefined;
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    if (/^\s*([#;].*)?$/.test(line)) return;
    const header = /^\[([^\]]+)\]\s*$/.exec(line);
    if (header !== null) {
      current = [];
      sections.set((header[1] as string).trim(), current);
      value = undefined;
      return;
    }
    if (/^\s/.test(line)) {
      value?.lines.push({ text: line.trim(), line: i + 1 });
      return;
    }
    const pair = /^([^=:\s][^=:]*?)\s*[=:]\s*(.*)$/.exec(line);
    if (pair === null || current === undefined) return;
    const first = (pair[2] as string).trim();
    value = { key: pair[1] as string, lines: first === "" ? [] : [{ text: first, line: i + 1 }] };
    current.push(value);
  });
  return sections;
}

function readSetupCfg(input: IndexInput): PyFact[] {
  const sections = iniSections(input.text());
  const metadata = new Map((sections.get("metadata") ?? []).map((v) => [v.key, v.lines[0]?.text]));
  const base = {
    project: metadata.get("name") ?? folderName(input.abs),
    version: versionOf(metadata.get("version")),
  };
  const facts: PyFact[] = [];
  for (const group of sections.get("options.entry_points") ?? []) {
    for (const { text, line } of group.lines) {
      const pair = /^([^=]+?)\s*=\s*(.+)$/.exec(text);
      if (pair === null) continue;
      const [, name, target] = pair as unknown as [string, string, string];
      facts.push({ kind: kindOfGroup(group.key), group: group.key, name, target, line, ...base });
    }
  }
  return facts;
}

function contractOf(fact: PyFact, srcModules: ReadonlySet<string>): ClaimContract | undefined {
  const { project: namespace, version } = fact;
  if (fact.kind !== "entry-point") {
    const argv = scriptArgv(fact.target);
    if (argv === undefined) return undefined;
    const saddr = discoveredSaddr({ namespace, type: "proc", name: fact.name, version });
    // In a src layout the package imports from src/, which -c and -m put on sys.path as ".".
    const cwd = srcModules.has(fact.target.trim().split(/[.:\s[]/)[0] as string) ? "src" : ".";
    return { saddr, type: "proc", direction: "both", "x-run": argv, "x-cwd": cwd };
  }
  if (!REFERENCE.test(fact.target)) return undefined;
  const type = /hook/i.test(fact.group) ? "hook" : "plugin";
  const name = `${fact.group}.${fact.name}`;
  return {
    saddr: discoveredSaddr({ namespace, type, name, version }),
    type,
    direction: "provider",
    "x-entry-point": fact.target.trim(),
    "x-entry-point-group": fact.group,
  };
}

function discover(files: readonly FileFacts<PyFact | SrcFact>[]): Discovery[] {
  const src = new Map<string, Set<string>>();
  for (const { rel, facts } of files) {
    const found = SRC_MODULE.exec(rel);
    if (found === null || !facts.some((f) => f.kind === "src")) continue;
    const project = found[1] ?? "";
    src.set(project, (src.get(project) ?? new Set()).add(found[2] as string));
  }
  return files.flatMap(({ rel, facts }) =>
    facts.flatMap((fact) => {
      if (fact.kind === "src") return [];
      const contract = contractOf(fact, src.get(folderOf(rel)) ?? new Set());
      return contract === undefined ? [] : [claim(NAME, rel, fact.line, METADATA_SCORE, contract)];
    }),
  );
}

export const pythonPackaging: Indexer<PyFact | SrcFact> = {
  name: NAME,
  revision: 1,
  wanted: { names: ["pyproject.toml", "setup.cfg"], extensions: [".py"] },
  wants: (entry: IndexEntry) =>
    entry.kind === "file" &&
    (entry.name === "pyproject.toml" ||
      entry.name === "setup.cfg" ||
      (entry.name.endsWith(".py") && SRC_MODULE.test(entry.rel))),
  // A src/ module is known by its path alone: it is never opened.
  read: (input): (PyFact | SrcFact)[] =>
    input.name === "setup.cfg"
      ? readSetupCfg(input)
      : input.name === "pyproject.toml"
        ? readPyproject(input)
        : [{ kind: "src", module: (SRC_MODULE.exec(input.rel) as RegExpExecArray)[2] as string }],
  discover,
};
