/**
 * `.rtttags` sidecars: tags a workspace owner adds to symbols without editing their
 * manifests (like `.gitattributes`). A sidecar applies to the manifests in its folder and
 * below; a deeper sidecar overrides a shallower one, key by key.
 *
 *     # comment
 *     team = observability        applies to every symbol below this folder
 *     [rtt://core/api/*]          the lines after a section apply only to symbols it matches
 *     tier = gold
 *     hot                          a bare word is the tag hot = "true"
 */
import { type Diagnostic, RttError } from "./errors.ts";
import { type ConcreteAddress, parseSaddr, type Selector } from "./saddr.ts";
import { matches } from "./saddr-match.ts";

export interface TagRule {
  /** Undefined: every symbol the sidecar covers. */
  readonly selector?: Selector;
  readonly tags: Readonly<Record<string, string>>;
}

const TAG_KEY = /^[a-z0-9][a-z0-9._:-]*$/;

function lineError(
  file: string,
  line: number,
  column: number,
  message: string,
  hint?: string,
): Diagnostic {
  return {
    severity: "error",
    code: "RTT_ERR_TAGS_SYNTAX",
    message,
    file,
    line,
    column,
    ...(hint === undefined ? {} : { hint }),
  };
}

/** Parses a sidecar. Bad lines are reported and skipped; the good ones still apply. */
export function parseRttTags(
  text: string,
  file: string,
): { rules: TagRule[]; diagnostics: Diagnostic[] } {
  const sidecar = new SidecarParser(file);
  text.split(/\r?\n/).forEach((raw, index) => {
    sidecar.readLine(raw, index + 1);
  });
  return sidecar.result();
}

/** The state of one sidecar's parse: its rules so far, its diagnostics, the open section. */
class SidecarParser {
  readonly #file: string;
  readonly #rules: { selector?: Selector; tags: Record<string, string> }[] = [{ tags: {} }];
  readonly #diagnostics: Diagnostic[] = [];
  // After a bad section header its lines belong to no section: they must not fall into the
  // section before it or, at the top of the file, apply to every symbol.
  #orphaned = false;

  constructor(file: string) {
    this.#file = file;
  }

  readLine(raw: string, line: number): void {
    const lead = raw.length - raw.trimStart().length;
    const body = raw.trim();
    if (body === "" || body.startsWith("#")) return;
    if (body.startsWith("[")) this.#openSection(body, line, lead);
    else this.#setTag(body, line, lead);
  }

  result(): { rules: TagRule[]; diagnostics: Diagnostic[] } {
    return {
      rules: this.#rules.filter((r) => Object.keys(r.tags).length > 0),
      diagnostics: this.#diagnostics,
    };
  }

  /** A `[pattern]` line starts a section; a bad one orphans the lines up to the next section. */
  #openSection(body: string, line: number, lead: number): void {
    if (!body.endsWith("]")) {
      this.#report(line, lead + body.length + 1, "expected ']' closing the section");
      this.#orphaned = true;
      return;
    }
    try {
      this.#rules.push({ selector: parseSaddr(body.slice(1, -1).trim()), tags: {} });
      this.#orphaned = false;
    } catch (error) {
      if (!(error instanceof RttError)) throw error;
      this.#orphaned = true;
      const inner = body.slice(1).length - body.slice(1).trimStart().length;
      const column = lead + 1 + inner + (error.position?.column ?? 1);
      this.#report(line, column, error.message, error.hint);
    }
  }

  /** A `key = value` or bare `key` line sets one tag in the current section. */
  #setTag(body: string, line: number, lead: number): void {
    const eq = body.indexOf("=");
    const key = (eq < 0 ? body : body.slice(0, eq)).trim();
    const value = eq < 0 ? "true" : body.slice(eq + 1).trim();
    if (!TAG_KEY.test(key)) {
      this.#report(
        line,
        lead + 1,
        `expected a tag name (a-z, 0-9, '.', '_', ':', '-'), found ${JSON.stringify(key)}`,
        "a line is `key = value`, a bare `key`, or a `[pattern]` section",
      );
      return;
    }
    if (this.#orphaned) return;
    const tags = (this.#rules[this.#rules.length - 1] as { tags: Record<string, string> }).tags;
    if (Object.hasOwn(tags, key)) {
      // Which one wins would be an accident of order: say so, keep the first.
      this.#report(
        line,
        lead + 1,
        `tag ${JSON.stringify(key)} is set twice in this section`,
        "keep one",
      );
      return;
    }
    tags[key] = value;
  }

  #report(line: number, column: number, message: string, hint?: string): void {
    this.#diagnostics.push(lineError(this.#file, line, column, message, hint));
  }
}

/** The tags a list of rules (outermost sidecar first) gives one address; later rules win. */
export function tagsFor(
  rules: readonly TagRule[],
  address: ConcreteAddress,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rule of rules) {
    if (rule.selector !== undefined && !matches(rule.selector, address)) continue;
    Object.assign(out, rule.tags);
  }
  return out;
}
