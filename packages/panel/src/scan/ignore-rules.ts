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

export class IgnoreRules {
  readonly #config: Ignore;
  readonly #layers: readonly Layer[];

  private constructor(config: Ignore, layers: readonly Layer[]) {
    this.#config = config;
    this.#layers = layers;
  }

  static fromConfig(patterns: readonly string[]): IgnoreRules {
    return new IgnoreRules(ignore().add([...patterns]), []);
  }

  /** The rules for a folder's contents, given that folder's own .gitignore text. */
  withGitignore(base: string, text: string): IgnoreRules {
    return new IgnoreRules(this.#config, [...this.#layers, { base, rules: ignore().add(text) }]);
  }

  /** `rel` is relative to the workspace root, '/'-separated. */
  ignores(rel: string, isDirectory: boolean): boolean {
    const subject = isDirectory ? `${rel}/` : rel;
    if (this.#config.ignores(subject)) return true;
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
