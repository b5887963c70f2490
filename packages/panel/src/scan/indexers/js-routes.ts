/**
 * HTTP routes of Express, Hono and Fastify apps in JavaScript/TypeScript sources (issue 17,
 * Node/TS), found by tree-sitter: ONE `api` symbol per app variable per file, its routes in
 * `x-paths`. An app is a variable made by `express()`, `express.Router()`/`Router()`,
 * `new Hono()`, `Fastify()`/`fastify()` or `require("express"|"fastify")(…)`; only calls on
 * such a receiver count, so an HTTP client's `client.get("/x")`, a route in a string or a
 * commented-out one claim nothing. Routes: `app.<method>("/path", …)` (chains included:
 * Hono's `app.get(…).post(…)`, Express's `app.route("/x").get(…)`) and Fastify's
 * `app.route({ method, url })`.
 * An app runs as `node <file>` (Node runs TypeScript by stripping types); a router does not
 * run on its own, so it has no `x-run`. Namespace: the top folder; the scanner puts a file
 * under a project in that project's (project-namespaces.ts).
 */
import type { JsonValue } from "@rtt/core";
import { discoveredSaddr } from "./address.ts";
import type { Discovery, FileFacts, IndexEntry, Indexer, IndexInput } from "./indexer.ts";
import { projectFolderOf } from "./project-folder.ts";
import { skippedSource, sourceText } from "./source-files.ts";
import {
  type GrammarName,
  lineOf,
  type SyntaxNode,
  stringValue,
  withSyntaxTree,
} from "./tree-sitter.ts";

/** Parser-found routes (ADR 0026). */
export const JS_ROUTES_SCORE = 0.8;

const GRAMMAR_OF: Readonly<Record<string, GrammarName>> = {
  ".js": "javascript",
  ".mjs": "javascript",
  ".cjs": "javascript",
  ".ts": "typescript",
  ".mts": "typescript",
  ".cts": "typescript",
};
/** The cheap signal: the file names one of the frameworks. */
const SIGNAL = /\b(?:express|hono|fastify)\b/i;
const METHODS = new Set(["get", "post", "put", "delete", "patch", "head", "options", "all"]);

type Framework = "express" | "router" | "hono" | "fastify";
type Route = { method: string; path: string };
type JsFact = {
  kind: "api";
  app: string;
  framework: Framework;
  routes: Route[];
  line: number;
  home: string;
};

function extensionOf(name: string): string {
  if (/\.d\.[mc]?ts$/.test(name)) return ""; // declarations hold no code
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot) : "";
}

/** A string or substitution-free template literal's value, else undefined. */
function literal(node: SyntaxNode | null | undefined): string | undefined {
  if (node?.type !== "string" && node?.type !== "template_string") return undefined;
  return stringValue(node, "string_fragment");
}

function argumentsOf(call: SyntaxNode): SyntaxNode[] {
  return (call.childForFieldName("arguments")?.namedChildren ?? []).filter(
    (arg): arg is SyntaxNode => arg !== null && arg.type !== "comment",
  );
}

/** `require("<name>")`'s module name, if `node` is that call. */
function required(node: SyntaxNode | null): string | undefined {
  if (node?.type !== "call_expression") return undefined;
  if (node.childForFieldName("function")?.text !== "require") return undefined;
  return literal(argumentsOf(node)[0]);
}

/** What framework object `value` makes, if it is one of the known makers. */
function madeBy(value: SyntaxNode | null): Framework | undefined {
  if (value?.type === "new_expression") {
    return value.childForFieldName("constructor")?.text === "Hono" ? "hono" : undefined;
  }
  if (value?.type !== "call_expression") return undefined;
  const callee = value.childForFieldName("function");
  const module = required(callee);
  if (module === "express" || module === "fastify") return module;
  switch (callee?.text) {
    case "express":
      return "express";
    case "express.Router":
    case "Router":
      return "router";
    case "Fastify":
    case "fastify":
      return "fastify";
    default:
      return undefined;
  }
}

/** Variables assigned a framework object anywhere in the file, with the line that made them. */
function appsOf(root: SyntaxNode): Map<string, { framework: Framework; line: number }> {
  const apps = new Map<string, { framework: Framework; line: number }>();
  for (const node of root.descendantsOfType(["variable_declarator", "assignment_expression"])) {
    if (node === null) continue;
    const declarator = node.type === "variable_declarator";
    const name = node.childForFieldName(declarator ? "name" : "left");
    const value = node.childForFieldName(declarator ? "value" : "right");
    const framework = madeBy(value);
    if (name?.type === "identifier" && framework !== undefined && !apps.has(name.text)) {
      apps.set(name.text, { framework, line: lineOf(node) });
    }
  }
  return apps;
}

/** The app a call chain starts from, and the path an Express `app.route("/x")` set on it. */
function chainBase(
  node: SyntaxNode | null,
  apps: ReadonlyMap<string, unknown>,
): { app: string; path?: string } | undefined {
  if (node?.type === "identifier") return apps.has(node.text) ? { app: node.text } : undefined;
  if (node?.type !== "call_expression") return undefined;
  const callee = node.childForFieldName("function");
  if (callee?.type !== "member_expression") return undefined;
  const base = chainBase(callee.childForFieldName("object"), apps);
  const property = callee.childForFieldName("property")?.text ?? "";
  if (base === undefined) return undefined;
  const args = argumentsOf(node);
  const path = literal(args[0]);
  if (property === "route" && args.length === 1 && path?.startsWith("/"))
    return { app: base.app, path };
  return METHODS.has(property) ? base : undefined;
}

/** Fastify's `route({ method: "GET" | [...], url: "/x" })`. */
function objectRoutes(options: SyntaxNode | undefined): Route[] {
  if (options?.type !== "object") return [];
  const pairs = new Map<string, SyntaxNode>();
  for (const pair of options.namedChildren) {
    const key = pair?.type === "pair" ? pair.childForFieldName("key") : null;
    const value = pair?.childForFieldName("value");
    if (key !== null && key !== undefined && value !== null && value !== undefined) {
      pairs.set(literal(key) ?? key.text, value);
    }
  }
  const path = literal(pairs.get("url") ?? pairs.get("path"));
  const method = pairs.get("method");
  if (path === undefined || !path.startsWith("/") || method === undefined) return [];
  const methods =
    method.type === "array" ? method.namedChildren.map((m) => literal(m)) : [literal(method)];
  return methods
    .filter((m): m is string => m !== undefined)
    .map((m) => ({ method: m.toUpperCase(), path }));
}

/** Each app's routes in source order (a chain is visited outermost, i.e. last, call first). */
function routesIn(root: SyntaxNode, apps: ReadonlyMap<string, unknown>): Map<string, Route[]> {
  const found = new Map<string, { at: number; route: Route }[]>();
  for (const call of root.descendantsOfType("call_expression")) {
    const callee = call?.childForFieldName("function");
    if (call === null || callee?.type !== "member_expression") continue;
    const property = callee.childForFieldName("property")?.text ?? "";
    const base = chainBase(callee.childForFieldName("object"), apps);
    if (base === undefined) continue;
    const args = argumentsOf(call);
    let here: Route[] = [];
    if (property === "route") {
      here = objectRoutes(args[0]);
    } else if (METHODS.has(property)) {
      const given = literal(args[0]);
      const path = given?.startsWith("/") ? given : base.path;
      if (path !== undefined) here = [{ method: property.toUpperCase(), path }];
    }
    const at = callee.childForFieldName("property")?.startIndex ?? call.startIndex;
    const list = found.get(base.app) ?? [];
    list.push(...here.map((route) => ({ at, route })));
    found.set(base.app, list);
  }
  const routes = new Map<string, Route[]>();
  for (const [app, list] of found) {
    if (list.length === 0) continue;
    routes.set(
      app,
      list.sort((a, b) => a.at - b.at).map(({ route }) => route),
    );
  }
  return routes;
}

function scanSource(root: SyntaxNode, home: string): JsFact[] {
  const apps = appsOf(root);
  const routes = routesIn(root, apps);
  return [...apps].flatMap(([app, { framework, line }]) => {
    const found = routes.get(app);
    if (found === undefined) return [];
    const unique = [...new Map(found.map((r) => [`${r.method} ${r.path}`, r])).values()];
    return [{ kind: "api" as const, app, framework, routes: unique, line, home }];
  });
}

function claimOf(rel: string, fact: JsFact): Discovery {
  const saddr = discoveredSaddr({ namespace: fact.home, type: "api", name: fact.app });
  const run: Record<string, JsonValue> =
    fact.framework === "router"
      ? {}
      : { "x-run": ["node", rel.slice(rel.lastIndexOf("/") + 1)], "x-cwd": "." };
  return {
    contract: {
      saddr,
      type: "api",
      direction: "provider",
      io: "req",
      "x-paths": fact.routes,
      "x-framework": fact.framework,
      ...run,
    },
    score: JS_ROUTES_SCORE,
    provenance: { indexer: "js-routes", file: rel, line: fact.line },
  };
}

export const jsRoutesIndexer: Indexer<JsFact> = {
  name: "js-routes",
  revision: 1,
  wanted: { extensions: Object.keys(GRAMMAR_OF) },
  wants(entry: IndexEntry): boolean {
    // Names first: the folder check splits the path, and most files fail on the name.
    if (entry.kind !== "file" || GRAMMAR_OF[extensionOf(entry.name)] === undefined) return false;
    return !skippedSource(entry.rel);
  },
  async read(input: IndexInput): Promise<JsFact[]> {
    const text = sourceText(input);
    if (text === undefined) return [];
    const grammar = GRAMMAR_OF[extensionOf(input.name)];
    if (grammar === undefined || !SIGNAL.test(text)) return [];
    const home = projectFolderOf(input.rel, input.abs);
    return withSyntaxTree(grammar, text, (root) => scanSource(root, home));
  },
  discover(files: readonly FileFacts<JsFact>[]): Discovery[] {
    return files.flatMap(({ rel, facts }) => facts.map((fact) => claimOf(rel, fact)));
  },
};
