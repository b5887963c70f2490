/**
 * Decorated Python functions and classes (issue 17, Python), found by tree-sitter so that a
 * decorator in a comment or a string is never one:
 * - pluggy: `@hookspec` → a `hook` provider named after the function (the hook point);
 *   `@hookimpl` → a `hook` consumer named `<module>.<function>`, since one project often
 *   implements the same hook in several modules and a spec of that name may sit beside it.
 *   Markers made by `pluggy.HookimplMarker(...)`/`HookspecMarker(...)` under any name count,
 *   and so does `@<x>.hookimpl`.
 * - click (and typer's look-alike): `@click.command`/`@click.group` → a `proc` named after the
 *   command (its explicit name, else the module's); `@<group>.command()`/`.group()` → a `proc`
 *   `<group>.<command>` whose argv adds the subcommand.
 * - FastAPI/Flask: every `@<app>.get|post|…|route|api_route("/path")` → ONE `api` per app
 *   variable per file, its routes in `x-paths`; aiohttp (in a module that imports it): the
 *   same from `<app>.add_routes([web.get("/path", h), …])` and `<app>.router.add_get(…)`
 *   calls, which apps made in a factory use; it has no `x-run` (aiohttp's own runner wants a
 *   factory of its own signature, and the project's command starts the server).
 * What runs a proc (or a FastAPI/Flask app) is `python3 <file>` when the file has an
 * `if __name__ == "__main__":` block (`python3 -m <module>` inside a package), from the folder
 * above its package (the first folder up without an `__init__.py`, Python's own rule); a
 * command in a module without one is called as its console script would call it (python-run.ts).
 * Namespace: the top folder; the scanner puts a file under a project in that project's
 * (project-namespaces.ts).
 */
import { discoveredSaddr } from "./address.ts";
import type { Discovery, FileFacts, IndexEntry, Indexer, IndexInput } from "./indexer.ts";
import { folderOf } from "./nearest-project.ts";
import { projectFolderOf } from "./project-folder.ts";
import { appRun, commandRun, moduleOf, stemOf } from "./python-run.ts";
import { skippedSource, sourceText } from "./source-files.ts";
import { lineOf, type SyntaxNode, stringValue, withSyntaxTree } from "./tree-sitter.ts";

/** Parser-found decorators (ADR 0026). */
export const PYTHON_SOURCE_SCORE = 0.8;

/**
 * The cheap signal: a line-leading decorator that may be ours, a pluggy marker being made, or
 * click decorators imported by name.
 */
const SIGNAL =
  /^[ \t]*@[ \t]*[\w.]*?(?:hookimpl|hookspec|command|group|get|post|put|delete|patch|head|options|route|api_route)\b|Hook(?:impl|spec)Marker|^from[ \t]+click[ \t]+import\b|\.add_routes\(|\.router\.add_[a-z]+\(/m;
/** A module that imports aiohttp, whose route-table calls are then read. */
const AIOHTTP_IMPORT = /^[ \t]*(?:from[ \t]+aiohttp\b|import[ \t]+aiohttp\b)/m;
const ROUTE_METHODS = new Set(["get", "post", "put", "delete", "patch", "head", "options"]);
type Framework = "fastapi" | "flask" | "router" | "aiohttp";
const APP_MAKERS: Readonly<Record<string, Framework>> = {
  FastAPI: "fastapi",
  Flask: "flask",
  APIRouter: "router",
  Blueprint: "router",
};

type Route = { method: string; path: string };
type PyFact =
  | { kind: "package" }
  /** The file's top folder (projectFolderOf): its namespace under no project. */
  | { kind: "home"; namespace: string }
  | { kind: "hook"; role: "impl" | "spec"; name: string; line: number }
  | {
      kind: "command";
      name: string;
      group: string | null;
      /** What a console script would call: the command's function, or its group's object. */
      callable: string;
      line: number;
      main: boolean;
    }
  | {
      kind: "api";
      app: string;
      framework: Framework | null;
      routes: Route[];
      line: number;
      main: boolean;
    };

/** `a.b.c` for an identifier/attribute chain, undefined for anything else. */
function dottedName(node: SyntaxNode | null): string | undefined {
  if (node === null) return undefined;
  if (node.type === "identifier") return node.text;
  if (node.type !== "attribute") return undefined;
  const object = dottedName(node.childForFieldName("object"));
  const attribute = node.childForFieldName("attribute");
  return object === undefined || attribute === null ? undefined : `${object}.${attribute.text}`;
}

function lastSegment(dotted: string): string {
  return dotted.slice(dotted.lastIndexOf(".") + 1);
}

/** A string literal's value, or undefined (f-strings and concatenations are not literals). */
function literal(node: SyntaxNode | null | undefined): string | undefined {
  return node?.type === "string" ? stringValue(node, "string_content") : undefined;
}

function keywordArgument(args: SyntaxNode | null, name: string): SyntaxNode | undefined {
  for (const arg of args?.namedChildren ?? []) {
    if (arg?.type === "keyword_argument" && arg.childForFieldName("name")?.text === name) {
      return arg.childForFieldName("value") ?? undefined;
    }
  }
  return undefined;
}

function positional(args: SyntaxNode | null): SyntaxNode[] {
  return (args?.namedChildren ?? []).filter(
    (arg): arg is SyntaxNode =>
      arg !== null && arg.type !== "keyword_argument" && arg.type !== "comment",
  );
}

/**
 * A module's top-level statements, taken from the tree once: each `namedChildren` builds every
 * node again from the WASM tree.
 */
type TopLevel = readonly (SyntaxNode | null)[];

/** Module-level `x = <callee>(...)`: variable → callee's last name (`FastAPI`, `HookimplMarker`). */
function assignedCalls(statements: TopLevel): Map<string, string> {
  const made = new Map<string, string>();
  for (const statement of statements) {
    const assignment = statement?.type === "expression_statement" ? statement.namedChild(0) : null;
    if (assignment?.type !== "assignment") continue;
    const left = assignment.childForFieldName("left");
    const right = assignment.childForFieldName("right");
    if (left?.type !== "identifier" || right?.type !== "call") continue;
    const callee = dottedName(right.childForFieldName("function"));
    if (callee !== undefined) made.set(left.text, lastSegment(callee));
  }
  return made;
}

/** Whether the module has a top-level `if __name__ == "__main__":`. */
function hasMainBlock(statements: TopLevel): boolean {
  return statements.some((statement) => {
    if (statement?.type !== "if_statement") return false;
    const test = statement.childForFieldName("condition");
    if (test?.type !== "comparison_operator" || test.namedChildCount !== 2) return false;
    const [a, b] = [test.namedChild(0), test.namedChild(1)];
    const operator = test.children.find((c) => c !== null && !c.isNamed)?.text;
    const sides = [
      a?.type === "identifier" ? a.text : literal(a),
      b?.type === "identifier" ? b.text : literal(b),
    ];
    return operator === "==" && sides.includes("__name__") && sides.includes("__main__");
  });
}

interface FileScan {
  readonly facts: PyFact[];
  readonly apps: Map<string, Extract<PyFact, { kind: "api" }>>;
}

function commandName(call: SyntaxNode | null, fallback: string): string {
  const args = call?.type === "call" ? call.childForFieldName("arguments") : null;
  return literal(positional(args)[0]) ?? literal(keywordArgument(args, "name")) ?? fallback;
}

function routesOf(method: string, args: SyntaxNode | null): Route[] | undefined {
  const path = literal(positional(args)[0]);
  if (path === undefined || !path.startsWith("/")) return undefined;
  if (ROUTE_METHODS.has(method)) return [{ method: method.toUpperCase(), path }];
  const listed = keywordArgument(args, "methods");
  if (listed === undefined) return [{ method: "GET", path }]; // Flask's and FastAPI's default
  const methods = (listed.type === "list" || listed.type === "tuple" ? listed.namedChildren : [])
    .map((item) => literal(item))
    .filter((m): m is string => m !== undefined);
  return methods.map((m) => ({ method: m.toUpperCase(), path }));
}

const COMMANDS = new Set(["command", "group"]);

interface Context {
  /** Module-level `x = f(...)`: x → f's last name. */
  readonly made: Map<string, string>;
  /** Local names bound to click: the module (`import click as c`) or its decorators. */
  readonly click: Map<string, string>;
  readonly main: boolean;
  readonly module: string;
  readonly scan: FileScan;
}

/** `import click [as c]` → c: "click"; `from click import command [as cmd]` → cmd: "command". */
function clickNames(statements: TopLevel): Map<string, string> {
  const names = new Map<string, string>();
  for (const statement of statements) {
    if (statement?.type !== "import_statement" && statement?.type !== "import_from_statement")
      continue;
    const from = statement.childForFieldName("module_name")?.text;
    if (statement.type === "import_from_statement" && from !== "click") continue;
    for (const imported of statement.childrenForFieldName("name")) {
      const aliased = imported.type === "aliased_import";
      const original = (aliased ? imported.childForFieldName("name") : imported)?.text ?? "";
      const local = aliased ? (imported.childForFieldName("alias")?.text ?? "") : original;
      if (from === "click") names.set(local, original);
      else if (original === "click") names.set(local, "click");
    }
  }
  return names;
}

/** One decorator of the definition named `name` (function or class), into facts. */
function scanDecorator(decorator: SyntaxNode, name: string, context: Context): void {
  const expression = decorator.namedChild(0);
  const call = expression?.type === "call" ? expression : null;
  const callee = dottedName(call === null ? expression : call.childForFieldName("function"));
  if (callee === undefined) return;
  const line = lineOf(decorator);
  const last = lastSegment(callee);
  const receiver = callee.includes(".") ? callee.slice(0, callee.lastIndexOf(".")) : undefined;
  const marker = context.made.get(callee);
  if (last === "hookimpl" || marker === "HookimplMarker") {
    context.scan.facts.push({ kind: "hook", role: "impl", name, line });
  } else if (last === "hookspec" || marker === "HookspecMarker") {
    context.scan.facts.push({ kind: "hook", role: "spec", name, line });
  } else if (COMMANDS.has((receiver === undefined ? context.click.get(callee) : last) ?? "")) {
    // `@click.command`, or `@command` imported from click; else `@<group>.command()`.
    const top =
      receiver === undefined || receiver === "click" || context.click.get(receiver) === "click";
    if (!top && call === null) return; // `@x.command` without a call is not click's form
    const fallback = top ? context.module : name.toLowerCase().replaceAll("_", "-");
    context.scan.facts.push({
      kind: "command",
      name: commandName(call, fallback),
      group: top ? null : receiver,
      callable: top ? name : receiver,
      line,
      main: context.main,
    });
  } else if (receiver !== undefined && !receiver.includes(".") && call !== null) {
    const routes = routesOf(last, call.childForFieldName("arguments"));
    const framework = APP_MAKERS[context.made.get(receiver) ?? ""] ?? null;
    addRoutes(receiver, framework, routes, line, context);
  }
}

/** Routes of the app variable `app`, into its one `api` fact in this file. */
function addRoutes(
  app: string,
  framework: Framework | null,
  routes: readonly Route[] | undefined,
  line: number,
  context: Context,
): void {
  if (routes === undefined || routes.length === 0) return;
  const known = context.scan.apps.get(app);
  if (known !== undefined) {
    known.routes.push(...routes);
    return;
  }
  const fact = {
    kind: "api" as const,
    app,
    framework,
    routes: [...routes],
    line,
    main: context.main,
  };
  context.scan.apps.set(app, fact);
  context.scan.facts.push(fact);
}

/** `<app>.router.add_post("/x", h)`: aiohttp's route table, filled by calls, not decorators. */
const AIOHTTP_ADD = /^([A-Za-z_]\w*)\.router\.add_([a-z]+)$/;

/**
 * One call of an aiohttp app's route table: `app.add_routes([web.post("/", h), …])` or
 * `app.router.add_get("/", h)`, wherever it is made (blackd builds its app in a factory).
 */
function scanAiohttpCall(call: SyntaxNode, context: Context): void {
  const callee = dottedName(call.childForFieldName("function"));
  const args = call.childForFieldName("arguments");
  if (callee === undefined) return;
  const added = AIOHTTP_ADD.exec(callee);
  if (added !== null) {
    const routes = routesOf(added[2] as string, args);
    addRoutes(added[1] as string, "aiohttp", routes, lineOf(call), context);
    return;
  }
  const app = callee.endsWith(".add_routes") ? callee.slice(0, -".add_routes".length) : "";
  const list = positional(args)[0];
  if (!/^[A-Za-z_]\w*$/.test(app) || (list?.type !== "list" && list?.type !== "tuple")) return;
  for (const item of list.namedChildren) {
    if (item?.type !== "call") continue;
    const method = lastSegment(dottedName(item.childForFieldName("function")) ?? "");
    if (!ROUTE_METHODS.has(method)) continue;
    const routes = routesOf(method, item.childForFieldName("arguments"));
    addRoutes(app, "aiohttp", routes, lineOf(item), context);
  }
}

function scanModule(root: SyntaxNode, module: string, aiohttp: boolean): PyFact[] {
  const scan: FileScan = { facts: [], apps: new Map() };
  const statements: TopLevel = root.namedChildren;
  const context: Context = {
    made: assignedCalls(statements),
    click: clickNames(statements),
    main: hasMainBlock(statements),
    module,
    scan,
  };
  for (const definition of root.descendantsOfType("decorated_definition")) {
    const name = definition?.childForFieldName("definition")?.childForFieldName("name")?.text;
    if (definition === null || name === undefined) continue;
    for (const decorator of definition.namedChildren) {
      if (decorator?.type === "decorator") scanDecorator(decorator, name, context);
    }
  }
  if (aiohttp) {
    for (const call of root.descendantsOfType("call"))
      if (call !== null) scanAiohttpCall(call, context);
  }
  return scan.facts;
}

function claimsOf(
  rel: string,
  fact: PyFact,
  namespace: string,
  packages: ReadonlySet<string>,
): Discovery | undefined {
  if (fact.kind === "package" || fact.kind === "home") return undefined;
  const at = (type: "hook" | "proc" | "api", name: string) =>
    discoveredSaddr({ namespace, type, name });
  const provenance = { indexer: "python-source", file: rel, line: fact.line };
  const score = PYTHON_SOURCE_SCORE;
  if (fact.kind === "hook") {
    const name =
      fact.role === "spec" ? fact.name : `${moduleOf(rel, packages).module}.${fact.name}`;
    const direction = fact.role === "spec" ? "provider" : "consumer";
    return { contract: { saddr: at("hook", name), type: "hook", direction }, score, provenance };
  }
  if (fact.kind === "command") {
    const run = commandRun(rel, fact, packages);
    const argv = run["x-run"] as string[];
    const contract = {
      saddr: at("proc", fact.group === null ? fact.name : `${fact.group}.${fact.name}`),
      type: "proc" as const,
      direction: "both" as const,
      io: "stream" as const,
      ...run,
      "x-run": fact.group === null ? argv : [...argv, fact.name],
    };
    return { contract, score, provenance };
  }
  const run = fact.framework === "router" ? {} : appRun(rel, fact, packages);
  const paths = [...new Map(fact.routes.map((r) => [`${r.method} ${r.path}`, r])).values()];
  return {
    contract: {
      saddr: at("api", fact.app),
      type: "api",
      direction: "provider",
      io: "req",
      "x-paths": paths,
      ...(fact.framework === null ? {} : { "x-framework": fact.framework }),
      ...run,
    },
    score,
    provenance,
  };
}

export const pythonSourceIndexer: Indexer<PyFact> = {
  name: "python-source",
  revision: 3,
  wanted: { extensions: [".py"] },
  wants(entry: IndexEntry): boolean {
    // Names first: the folder check splits the path, and most files fail on the name.
    if (entry.kind !== "file" || !entry.name.endsWith(".py")) return false;
    return !skippedSource(entry.rel);
  },
  async read(input: IndexInput): Promise<PyFact[]> {
    const text = sourceText(input);
    if (text === undefined) return [];
    const facts: PyFact[] = input.name === "__init__.py" ? [{ kind: "package" }] : [];
    if (!SIGNAL.test(text)) return facts;
    const stem = stemOf(input.rel);
    const folder = folderOf(input.rel);
    // A click command's default name is its module's: the package's for __main__/__init__.
    const module =
      (stem === "__main__" || stem === "__init__") && folder !== ""
        ? folder.slice(folder.lastIndexOf("/") + 1)
        : stem;
    const found = await withSyntaxTree("python", text, (root) =>
      scanModule(root, module, AIOHTTP_IMPORT.test(text)),
    );
    if (found.length === 0) return facts;
    return [...facts, { kind: "home", namespace: projectFolderOf(input.rel, input.abs) }, ...found];
  },
  discover(files: readonly FileFacts<PyFact>[]): Discovery[] {
    const packages = new Set<string>();
    for (const { rel, facts } of files) {
      if (facts.some((fact) => fact.kind === "package")) packages.add(folderOf(rel));
    }
    return files.flatMap(({ rel, facts }) => {
      const namespace = facts.find((fact) => fact.kind === "home")?.namespace ?? "";
      return facts.flatMap((fact) => {
        const claim = claimsOf(rel, fact, namespace, packages);
        return claim === undefined ? [] : [claim];
      });
    });
  },
};
