/**
 * Reading the workspace's own documents (.rtt/routes.json, policy.json, panel.yaml): every way
 * one can fail is a diagnostic naming the file — absent where it is required, unreadable (a
 * folder, no permission, not UTF-8), not well-formed, not valid — never an exception.
 */
import { readFileSync } from "node:fs";
import { errorMessage } from "@rtt/core/error-message.ts";
import type { Diagnostic } from "@rtt/core/errors.ts";
import type { SourceDocument } from "@rtt/core/source-document.ts";
import { type DocumentKind, type DocumentTypes, validateDocument } from "@rtt/core/validate.ts";

/** Strict UTF-8; a leading byte-order mark is dropped (as the scanner reads manifests). */
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

const unreadable = (file: string, message: string, hint?: string): Diagnostic => ({
  severity: "error",
  code: "RTT_ERR_DOC_UNREADABLE",
  message,
  file,
  line: 1,
  column: 1,
  ...(hint === undefined ? {} : { hint }),
});

/** Why reading failed, in words. */
function whyUnreadable(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EISDIR") return "it is a folder, not a file";
  if (code === "EACCES" || code === "EPERM") return "no permission to read it";
  if (code === "ELOOP") return "a symlink loop";
  if (error instanceof TypeError) return "it is not UTF-8 text";
  return errorMessage(error);
}

/**
 * The document at `abs` (`file` is its name in reports), validated as `kind`. An absent file
 * is `absent`'s value, or the diagnostic `absent.missing` says.
 */
export function loadDocument<K extends DocumentKind>(
  kind: K,
  abs: string,
  file: string,
  absent: { readonly value: DocumentTypes[K] } | { readonly missing: string },
): {
  value: DocumentTypes[K] | undefined;
  diagnostics: readonly Diagnostic[];
  /** The parsed text (to locate a field in a later check); absent when there was none. */
  document?: SourceDocument;
} {
  let text: string;
  try {
    text = UTF8.decode(readFileSync(abs));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      return "value" in absent
        ? { value: absent.value, diagnostics: [] }
        : {
            value: undefined,
            diagnostics: [unreadable(file, `${file} is missing`, absent.missing)],
          };
    return {
      value: undefined,
      diagnostics: [unreadable(file, `cannot read ${file}: ${whyUnreadable(error)}`)],
    };
  }
  const result = validateDocument(kind, text, file);
  return result.ok
    ? { value: result.value, diagnostics: [], document: result.document }
    : { value: undefined, diagnostics: result.diagnostics };
}
