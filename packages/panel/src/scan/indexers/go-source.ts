/**
 * The little of Go's syntax the go indexer needs, read the way the compiler reads it rather than
 * by regular expressions over the file: the package clause after the leading comments (with
 * the build constraints those comments carry), `//go:generate` directives, and go.mod's
 * `module` and `go` directives.
 */
import { RttError } from "@rtt/core";

export interface PackageClause {
  readonly name: string;
  /** 1-based line of the `package` keyword. */
  readonly line: number;
  /** Whether a build constraint names the `ignore` tag: `go build` never compiles the file. */
  readonly ignored: boolean;
  /** The offset just past the package name, to tell a name a read cut off. */
  readonly end: number;
}

const IDENT_START = /[\p{L}_]/u;
const IDENT_PART = /[\p{L}\p{Nd}_]/u;

/** Whether a `//go:build` or `// +build` expression requires the `ignore` tag. */
function requiresIgnore(expression: string): boolean {
  return /(^|[^!\w.])ignore(?![\w.])/.test(expression);
}

/**
 * The package clause of a Go source file, skipping white space, line and block comments;
 * undefined when the first token is anything else (not Go, or cut off before the clause).
 */
export function packageClause(source: string): PackageClause | undefined {
  let i = source.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let ignored = false;
  const skipTrivia = (): boolean => {
    while (i < source.length) {
      const c = source[i];
      if (c === "\n") {
        line++;
        i++;
      } else if (c === " " || c === "\t" || c === "\r") i++;
      else if (source.startsWith("//", i)) {
        const end = source.indexOf("\n", i);
        const text = source.slice(i + 2, end < 0 ? source.length : end);
        const constraint = /^(?:go:build\s|\s*\+build\s)(.*)$/.exec(text);
        if (constraint !== null && requiresIgnore(constraint[1] as string)) ignored = true;
        i = end < 0 ? source.length : end;
      } else if (source.startsWith("/*", i)) {
        const end = source.indexOf("*/", i + 2);
        if (end < 0) return false;
        for (let j = i; j < end; j++) if (source[j] === "\n") line++;
        i = end + 2;
      } else return true;
    }
    return false;
  };
  const identifier = (): string | undefined => {
    const start = i;
    if (!IDENT_START.test(source[i] ?? "")) return undefined;
    while (i < source.length && IDENT_PART.test(source[i] as string)) i++;
    return source.slice(start, i);
  };
  if (!skipTrivia()) return undefined;
  const keywordLine = line;
  if (identifier() !== "package") return undefined;
  if (!skipTrivia()) return undefined;
  const name = identifier();
  return name === undefined ? undefined : { name, line: keywordLine, ignored, end: i };
}

export interface Directive {
  readonly line: number;
  readonly command: string;
}

/** `//go:generate` lines: Go runs only those starting at the first column. */
export function generateDirectives(source: string): Directive[] {
  const found: Directive[] = [];
  source.split("\n").forEach((text, i) => {
    if (text.startsWith("//go:generate ")) {
      found.push({ line: i + 1, command: text.slice("//go:generate ".length).trim() });
    }
  });
  return found;
}

export interface GoMod {
  readonly module: string;
  readonly line: number;
  readonly go?: string;
}

/** go.mod's module path (required) and go version; an RttError for a go.mod without one. */
export function parseGoMod(text: string, file: string): GoMod {
  let module: { path: string; line: number } | undefined;
  let go: string | undefined;
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\/\/.*$/, "").trim();
    const directive = /^(module|go)\s+("([^"\\]|\\.)*"|`[^`]*`|\S+)$/.exec(line);
    if (directive === null) return;
    const value = (directive[2] as string).replace(/^["`]|["`]$/g, "");
    if (directive[1] === "module") module ??= { path: value, line: i + 1 };
    else go ??= value;
  });
  if (module === undefined || module.path === "") {
    throw new RttError("RTT_ERR_DOC_SYNTAX", "go.mod has no module directive", {
      position: { file, line: 1, column: 1 },
      hint: "a go.mod starts with `module <path>`",
    });
  }
  return { module: module.path, line: module.line, ...(go === undefined ? {} : { go }) };
}
