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
import { type ConcreteAddress, matches, parseSaddr, type Selector } from "./saddr.ts";

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
  const rules: { selector?: Selector; tags: Record<string, string> }[] = [{ tags: {} }];
  const diagnostics: Diagnostic[] = [];
  // After a bad section header its lines belong to no section: they must not fall into the
  // section before it or, at the top of the file, apply to every symbol.
  let orphaned = false;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const lead = raw.length - raw.trimStart().length;
    const body = raw.trim();
    if (body === "" || body.startsWith("#")) return;
    if (body.startsWith("[")) {
      if (!body.endsWith("]")) {
        diagnostics.push(
          lineError(file, line, lead + body.length + 1, "expected ']' closing the section"),
        );
        orphaned = true;
        return;
      }
      try {
        rules.push({ selector: parseSaddr(body.slice(1, -1).trim()), tags: {} });
        orphaned = false;
      } catch (error) {
        if (!(error instanceof RttError)) throw error;
        orphaned = true;
        const inner = body.slice(1).length - body.slice(1).trimStart().length;
        diagnostics.push(
          lineError(
            file,
            line,
            lead + 1 + inner + (error.position?.column ?? 1),
            error.message,
            error.hint,
          ),
        );
      }
      return;
    }
    const eq = body.indexOf("=");
    const key = (eq < 0 ? body : body.slice(0, eq)).trim();
    const value = eq < 0 ? "true" : body.slice(eq + 1).trim();
    if (!TAG_KEY.test(key)) {
      diagnostics.push(
        lineError(
          file,
          line,
          lead + 1,
          `expected a tag name (a-z, 0-9, '.', '_', ':', '-'), found ${JSON.stringify(key)}`,
          "a line is `key = value`, a bare `key`, or a `[pattern]` section",
        ),
      );
      return;
    }
    if (orphaned) return;
    const tags = (rules[rules.length - 1] as { tags: Record<string, string> }).tags;
    if (Object.hasOwn(tags, key)) {
      // Which one wins would be an accident of order: say so, keep the first.
      diagnostics.push(
        lineError(
          file,
          line,
          lead + 1,
          `tag ${JSON.stringify(key)} is set twice in this section`,
          "keep one",
        ),
      );
      return;
    }
    tags[key] = value;
  });
  return { rules: rules.filter((r) => Object.keys(r.tags).length > 0), diagnostics };
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
