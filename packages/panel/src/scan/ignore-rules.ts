/**
 * Which paths the scanner skips: panel.yaml's `scan.ignore` (gitignore syntax, anchored at the
 * workspace root, never overridden) and every `.gitignore` met on the way down, with git's
 * precedence: the deepest file with an opinion about a path decides.
 */
import ignore, { type Ignore } from "ignore";

interface Layer {
  /** Folder the rules belong to, relative to the workspace root ("" for the root). */
  readonly base: string;
  readonly rules: Ignore;
}

/** A pattern that is only a name (`dist`, `.git`, `build/`): it matches a path segment. */
const PLAIN_NAME = /^(?=.*[^./])[A-Za-z0-9._-]+\/?$/;

/**
 * Patterns that are all plain names, as one regular expression over a path (a folder's with a
 * trailing `/`): any segment named like one, a folder's only for `name/`. Case-insensitive, as
 * the `ignore` package matches by default. Undefined when some pattern is more than a name.
 */
function plainNames(patterns: readonly string[]): RegExp | undefined {
  if (patterns.length === 0 || !patterns.every((p) => PLAIN_NAME.test(p))) return undefined;
  const literal = (name: string) => name.replace(/[.-]/g, "\\$&");
  const any = patterns.filter((p) => !p.endsWith("/")).map(literal);
  const folders = patterns.filter((p) => p.endsWith("/")).map((p) => literal(p.slice(0, -1)));
  const alternatives = [
    ...(any.length === 0 ? [] : [`(?:${any.join("|")})(?:/|$)`]),
    ...(folders.length === 0 ? [] : [`(?:${folders.join("|")})/`]),
  ];
  return new RegExp(`(?:^|/)(?:${alternatives.join("|")})`, "i");
}

export class IgnoreRules {
  readonly #config: Ignore;
  /**
   * panel.yaml's patterns when all are plain names (the usual `.git`, `node_modules`), matched
   * without the general matcher: the walk asks about every folder it meets.
   */
  readonly #plain: RegExp | undefined;
  readonly #layers: readonly Layer[];

  private constructor(config: Ignore, plain: RegExp | undefined, layers: readonly Layer[]) {
    this.#config = config;
    this.#plain = plain;
    this.#layers = layers;
  }

  static fromConfig(patterns: readonly string[]): IgnoreRules {
    return new IgnoreRules(ignore().add([...patterns]), plainNames(patterns), []);
  }

  /** The rules for a folder's contents, given that folder's own .gitignore text. */
  withGitignore(base: string, text: string): IgnoreRules {
    return new IgnoreRules(this.#config, this.#plain, [
      ...this.#layers,
      { base, rules: ignore().add(text) },
    ]);
  }

  /** `rel` is relative to the workspace root, '/'-separated. */
  ignores(rel: string, isDirectory: boolean): boolean {
    const subject = isDirectory ? `${rel}/` : rel;
    const plain = this.#plain;
    if (plain === undefined ? this.#config.ignores(subject) : plain.test(subject)) return true;
    for (let i = this.#layers.length - 1; i >= 0; i--) {
      const layer = this.#layers[i] as Layer;
      const local = layer.base === "" ? subject : subject.slice(layer.base.length + 1);
      const verdict = layer.rules.test(local);
      if (verdict.ignored) return true;
      if (verdict.unignored) return false;
    }
    return false;
  }
}
