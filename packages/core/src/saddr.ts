/**
 * SADDR, the symbol address (ADR 0004):
 *
 *   rtt://<namespace>/<type>/<name>@<version>#<variant>?caps=a,b&io=req|pubsub|stream
 *
 * One grammar, three forms (docs/design.md §The model: addresses):
 * - concrete:  exact semver version; what a discovered endpoint has.
 * - reference: version omitted, partial (`@2`, `@2.1`) or a range (`@^2`, `@>=1.2 <2`); what routes name.
 * - pattern:   `*` globs in namespace, type, name or variant; what policy names.
 *
 * Segments are lowercase ASCII so one address has one spelling. `format(parse(s))` is the
 * normal form: scheme lowercased, caps sorted and de-duplicated, empty query dropped, runs of
 * spaces in a range collapsed. Which addresses a selector matches: saddr-match.ts.
 */
import { RttError } from "./errors.ts";
import { memoByString } from "./memo.ts";
import { closest } from "./suggest.ts";
import { quoteInput } from "./untrusted-text.ts";
import { isSemverRange } from "./version-range.ts";

export const SYMBOL_TYPES = [
  "api",
  "hook",
  "plugin",
  "extension",
  "stub",
  "flag",
  "tag",
  "queue",
  "bus",
  "file",
  "proc",
  "service",
] as const;
export type SymbolType = (typeof SYMBOL_TYPES)[number];

export const IO_MODES = ["req", "pubsub", "stream"] as const;
export type IoMode = (typeof IO_MODES)[number];

export type SaddrForm = "concrete" | "reference" | "pattern";

interface AddressFields {
  readonly namespace: string;
  readonly name: string;
  readonly variant?: string;
  /** Sorted, unique. */
  readonly caps: readonly string[];
  readonly io?: IoMode;
}

/** An endpoint's own address: every field literal, version exact. */
export interface ConcreteAddress extends AddressFields {
  readonly form: "concrete";
  readonly type: SymbolType;
  readonly version: string;
}

/** What a route names: literal fields, version absent, partial or a range. */
export interface Reference extends AddressFields {
  readonly form: "reference";
  readonly type: SymbolType;
  readonly version?: string;
}

/** What policy names: like a reference, but namespace, type, name and variant may hold `*`. */
export interface Pattern extends AddressFields {
  readonly form: "pattern";
  readonly type: string;
  readonly version?: string;
}

export type Saddr = ConcreteAddress | Reference | Pattern;
/** Anything that can select concrete addresses. A concrete address selects only itself. */
export type Selector = Saddr;

const SCHEME = "rtt://";
const SEGMENT = /^[a-z0-9][a-z0-9._-]*$/;
const GLOB_SEGMENT = /^[a-z0-9*][a-z0-9._*-]*$/;
// SemVer 2.0.0's own grammar (semver.org), without the `v` or `=` that node-semver tolerates.
export const EXACT_VERSION =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
const RANGE_CHARS = /^[0-9A-Za-z.^~<>=*|+ -]+$/;

function syntaxError(
  input: string,
  index: number,
  expected: string,
  hint?: string,
  token?: string,
): RttError {
  const found =
    token !== undefined
      ? quoteInput(token)
      : index < input.length
        ? quoteInput(input[index] ?? "")
        : "end of address";
  return new RttError(
    "RTT_ERR_SADDR_SYNTAX",
    `bad address ${quoteInput(input)} at column ${index + 1}: expected ${expected}, found ${found}`,
    { position: { line: 1, column: index + 1 }, ...(hint === undefined ? {} : { hint }) },
  );
}

/** Finds the end of a token: the first of `stops` at or after `from`, else the input's end. */
function tokenEnd(input: string, from: number, stops: string): number {
  for (let i = from; i < input.length; i++) {
    if (stops.includes(input[i] as string)) return i;
  }
  return input.length;
}

function checkSegment(input: string, start: number, text: string, what: string, glob: boolean) {
  const re = glob ? GLOB_SEGMENT : SEGMENT;
  if (re.test(text)) return;
  if (text.length === 0) throw syntaxError(input, start, what);
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    const ok = i === 0 ? /[a-z0-9*]/.test(c) : /[a-z0-9._*-]/.test(c);
    if (!ok || (!glob && c === "*")) {
      const hint = /[A-Z]/.test(c)
        ? "addresses are lowercase"
        : c === "*"
          ? undefined
          : "segments use a-z, 0-9, '.', '_' and '-', and start with a letter or digit";
      throw syntaxError(input, start + i, `${what} (a-z, 0-9, '.', '_', '-')`, hint);
    }
  }
}

function parseQuery(input: string, start: number): { caps: string[]; io?: IoMode } {
  let caps: string[] = [];
  let io: IoMode | undefined;
  const seen = new Set<string>();
  let at = start;
  while (at < input.length) {
    const end = tokenEnd(input, at, "&");
    const pair = input.slice(at, end);
    const eq = pair.indexOf("=");
    if (eq <= 0)
      throw syntaxError(input, at + Math.max(eq, 0), "a query field `caps=...` or `io=...`");
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const valueAt = at + eq + 1;
    if (key !== "caps" && key !== "io") {
      throw syntaxError(input, at, "query field `caps` or `io`", `unknown query field "${key}"`);
    }
    if (seen.has(key)) throw syntaxError(input, at, `at most one \`${key}=\``);
    seen.add(key);
    if (key === "caps") {
      let capAt = valueAt;
      caps = value.split(",").map((cap) => {
        checkSegment(input, capAt, cap, "a capability name", false);
        capAt += cap.length + 1;
        return cap;
      });
    } else {
      if (!(IO_MODES as readonly string[]).includes(value)) {
        throw syntaxError(input, valueAt, `an io mode (${IO_MODES.join(", ")})`);
      }
      io = value as IoMode;
    }
    at = end + 1;
    if (end < input.length && at === input.length) throw syntaxError(input, at, "a query field");
  }
  const sorted = [...new Set(caps)].sort();
  return io === undefined ? { caps: sorted } : { caps: sorted, io };
}

/** A version or range after '@': `exact` when it is one semver version, not a range. */
interface ParsedVersion {
  readonly exact: boolean;
  readonly text: string;
}

function parseVersion(input: string, start: number, text: string): ParsedVersion {
  if (text.length === 0) throw syntaxError(input, start, "a version after '@'");
  const exact = EXACT_VERSION.exec(text);
  if (exact !== null) {
    // semver compares the numbers as JS numbers: one past 2^53 cannot be compared (it throws).
    const tooBig = exact.slice(1, 4).findIndex((n) => !Number.isSafeInteger(Number(n)));
    if (tooBig >= 0)
      throw syntaxError(
        input,
        start + exact.slice(1, tooBig + 1).reduce((at, n) => at + n.length + 1, 0),
        `a version number up to ${Number.MAX_SAFE_INTEGER}`,
        undefined,
        exact[tooBig + 1],
      );
    return { exact: true, text };
  }
  if (!RANGE_CHARS.test(text) || text.trim() !== text) {
    const bad = [...text].findIndex((c) => !/[0-9A-Za-z.^~<>=*|+ -]/.test(c));
    const at =
      bad >= 0 ? start + bad : text.startsWith(" ") ? start : start + text.trimEnd().length;
    throw syntaxError(input, at, "a semver version or range");
  }
  const collapsed = text.replace(/ +/g, " ");
  if (!isSemverRange(collapsed)) {
    throw syntaxError(input, start, "a semver version or range", "e.g. 1.2.3, 2, ^1.2, >=1.2 <2");
  }
  return { exact: false, text: collapsed };
}

/** How many distinct addresses, globs and ranges the parse and match caches keep. */
export const CACHE_LIMIT = 65_536;

/**
 * Parses any of the three forms; the result's `form` says which it is. A plan parses the same
 * addresses once per route that names them, so results are cached per string, frozen (callers
 * share them); a string that does not parse throws each time.
 */
export function parseSaddr(input: string): Saddr {
  return parseCached(input);
}

const parseCached = memoByString(CACHE_LIMIT, (input) => {
  const a = parseUncached(input);
  Object.freeze(a.caps);
  return Object.freeze(a);
});

function parseUncached(input: string): Saddr {
  expectScheme(input);
  const namespace = readSegment(input, SCHEME.length, "a namespace");
  const typeAt = expectSlash(input, SCHEME.length + namespace.length);
  const type = readSegment(input, typeAt, "a symbol type");
  const nameAt = expectSlash(input, typeAt + type.length);
  const name = readSegment(input, nameAt, "a name");
  let at = nameAt + name.length;
  if (input[at] === "/") throw syntaxError(input, at, "'@', '#', '?' or the end");
  checkSymbolType(input, typeAt, type);

  let version: ParsedVersion | undefined;
  if (input[at] === "@") {
    const end = tokenEnd(input, at + 1, "#?");
    version = parseVersion(input, at + 1, input.slice(at + 1, end));
    at = end;
  }
  let variant: string | undefined;
  if (input[at] === "#") {
    variant = input.slice(at + 1, tokenEnd(input, at + 1, "?"));
    checkSegment(input, at + 1, variant, "a variant", true);
    at += 1 + variant.length;
  }
  const query: { caps: string[]; io?: IoMode } =
    input[at] === "?" ? parseQuery(input, at + 1) : { caps: [] };

  const fields = {
    namespace,
    name,
    ...(variant === undefined ? {} : { variant }),
    caps: query.caps,
    ...(query.io === undefined ? {} : { io: query.io }),
  };
  const glob =
    namespace.includes("*") ||
    type.includes("*") ||
    name.includes("*") ||
    (variant?.includes("*") ?? false);
  return addressWithForm(type, version, fields, glob);
}

function expectScheme(input: string): void {
  if (input.slice(0, SCHEME.length).toLowerCase() !== SCHEME) {
    throw syntaxError(
      input,
      0,
      `"${SCHEME}"`,
      "an address looks like rtt://core/api/metrics@1.0.0",
    );
  }
}

/** The path segment starting at `at`, checked; it ends at the next '/', '@', '#', '?' or the end. */
function readSegment(input: string, at: number, what: string): string {
  const text = input.slice(at, tokenEnd(input, at, "/@#?"));
  checkSegment(input, at, text, what, true);
  return text;
}

/** Insists on the '/' at `at` between two path segments; the next one starts after it. */
function expectSlash(input: string, at: number): number {
  if (input[at] !== "/") throw syntaxError(input, at, "'/'");
  return at + 1;
}

/** A type segment (at `typeAt` in `input`) without a glob must be one of SYMBOL_TYPES. */
function checkSymbolType(input: string, typeAt: number, type: string): void {
  if (type.includes("*") || (SYMBOL_TYPES as readonly string[]).includes(type)) return;
  const guess = closest(type, SYMBOL_TYPES);
  throw syntaxError(
    input,
    typeAt,
    `a symbol type (${SYMBOL_TYPES.join(", ")})`,
    guess === undefined ? undefined : `did you mean "${guess}"?`,
    type,
  );
}

/** Decides the form: a glob anywhere makes a pattern, else an exact version makes it concrete. */
function addressWithForm(
  type: string,
  version: ParsedVersion | undefined,
  fields: AddressFields,
  glob: boolean,
): Saddr {
  const versionField = version === undefined ? {} : { version: version.text };
  if (glob) return { form: "pattern", type, ...versionField, ...fields };
  const symbolType = type as SymbolType;
  if (version?.exact === true) {
    return { form: "concrete", type: symbolType, version: version.text, ...fields };
  }
  return { form: "reference", type: symbolType, ...versionField, ...fields };
}

function formError(input: string, form: SaddrForm, accepted: readonly SaddrForm[]): RttError {
  const hints: Record<SaddrForm, string> = {
    concrete: "a concrete address names an exact version, e.g. rtt://core/api/metrics@1.0.0",
    reference: "a reference names literal fields; globs (*) belong in policy patterns",
    pattern: "a pattern may use * in namespace, type, name and variant",
  };
  // The first glob; a `*` inside the version (`@1.*`) is a range, so blank the version out
  // first ('@' cannot occur before it, and the version runs to '#', '?' or the end).
  const star = input.replace(/@[^#?]*/, (v) => " ".repeat(v.length)).indexOf("*");
  return new RttError(
    "RTT_ERR_SADDR_FORM",
    `${quoteInput(input)} is a ${form} address; expected ${accepted.map((f) => `a ${f} address`).join(" or ")}`,
    {
      hint: hints[accepted[0] ?? "concrete"],
      position: { line: 1, column: form === "pattern" && star >= 0 ? star + 1 : 1 },
    },
  );
}

/** Parses and insists on a form: e.g. a manifest's own address must be concrete. */
export function parseConcrete(input: string): ConcreteAddress {
  const a = parseSaddr(input);
  if (a.form !== "concrete") throw formError(input, a.form, ["concrete"]);
  return a;
}

/** A route end: a reference, or a concrete address naming exactly one version. */
export function parseReference(input: string): ConcreteAddress | Reference {
  const a = parseSaddr(input);
  if (a.form === "pattern") throw formError(input, a.form, ["reference", "concrete"]);
  return a;
}

export function formatSaddr(a: Saddr): string {
  let s = `${SCHEME}${a.namespace}/${a.type}/${a.name}`;
  if (a.version !== undefined) s += `@${a.version}`;
  if (a.variant !== undefined) s += `#${a.variant}`;
  const query: string[] = [];
  if (a.caps.length > 0) query.push(`caps=${a.caps.join(",")}`);
  if (a.io !== undefined) query.push(`io=${a.io}`);
  if (query.length > 0) s += `?${query.join("&")}`;
  return s;
}

/** The one spelling of an address. Idempotent. */
export function normalizeSaddr(input: string): string {
  return formatSaddr(parseSaddr(input));
}
