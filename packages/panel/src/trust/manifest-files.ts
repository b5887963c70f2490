/**
 * Manifest files as `rtt sign` and `rtt verify` see them: read one from disk, check it is a valid
 * manifest, sign it in place (atomically, 2-space JSON) or say what its signature is worth; and
 * the manifests a scan would read, for `rtt verify` with no files.
 */
import { readFileSync, statSync } from "node:fs";
import { relative, resolve, sep } from "node:path";
import {
  type Diagnostic,
  errorMessage,
  type JsonValue,
  RttError,
  validateDocument,
} from "@rtt/core";
import { walk } from "../scan/walk.ts";
import { writeFileAtomic } from "../workspace/atomic-write.ts";
import { loadPanelConfig, type WorkspacePaths } from "../workspace/workspace.ts";
import type { SigningKey, TrustedKey } from "./keys.ts";
import { checkManifestSignature, type SignatureCheck, signManifest } from "./manifest-signature.ts";

/** A file as the user named it: its absolute path and how to show it (relative to the root). */
export interface ManifestFile {
  readonly abs: string;
  readonly rel: string;
}

export function manifestFile(paths: WorkspacePaths, cwd: string, name: string): ManifestFile {
  const abs = resolve(cwd, name);
  const rel = relative(paths.root, abs);
  return { abs, rel: rel.startsWith("..") ? abs : rel.split(sep).join("/") };
}

type Parsed = { readonly [key: string]: JsonValue };

/** The file's parsed manifest; a file that is not a valid manifest throws. */
function readManifest(file: ManifestFile): Parsed {
  let text: string;
  try {
    text = readFileSync(file.abs, "utf8");
  } catch (error) {
    throw new RttError("RTT_ERR_DOC_UNREADABLE", `${file.rel}: not read: ${errorMessage(error)}`);
  }
  const result = validateDocument("manifest", text, file.rel);
  if (!result.ok) throw invalidManifest(file, result.diagnostics);
  return result.document.value as Parsed;
}

function invalidManifest(file: ManifestFile, diagnostics: readonly Diagnostic[]): RttError {
  const first = diagnostics[0];
  const where = first === undefined ? file.rel : `${file.rel}:${first.line}:${first.column}`;
  return new RttError(
    first?.code === "RTT_ERR_DOC_SYNTAX" ? "RTT_ERR_DOC_SYNTAX" : "RTT_ERR_DOC_SCHEMA",
    `${where}: not a valid manifest${first === undefined ? "" : `: ${first.message}`}`,
    { hint: "fix it first (`rtt scan` lists every problem); no file was changed" },
  );
}

/**
 * Signs manifest files with `key`, replacing any older signature. Every file is checked before
 * any is written, so one that is not a valid manifest leaves them all untouched. Each is
 * rewritten as 2-space JSON, keeping its mode, in one atomic rename: a reader sees the old file
 * or the signed one.
 */
export function signManifestFiles(files: readonly ManifestFile[], key: SigningKey): void {
  const manifests = files.map((file) => ({ file, manifest: readManifest(file) }));
  for (const { file, manifest } of manifests) {
    const text = `${JSON.stringify(signManifest(manifest, key), null, 2)}\n`;
    writeFileAtomic(file.abs, text, statSync(file.abs).mode & 0o7777);
  }
}

export type FileVerdict =
  | (SignatureCheck & { readonly file: string })
  /** Not a manifest at all: unreadable, not JSON, or against the schema. */
  | { readonly state: "broken"; readonly file: string; readonly message: string };

/** What a manifest file's signature is worth against the trusted keys. */
export function verifyManifestFile(
  file: ManifestFile,
  trusted: ReadonlyMap<string, TrustedKey>,
): FileVerdict {
  try {
    const manifest = readManifest(file);
    return { ...checkManifestSignature(manifest, trusted), file: file.rel };
  } catch (error) {
    if (!(error instanceof RttError)) throw error;
    return { state: "broken", file: file.rel, message: error.message };
  }
}

/**
 * The manifests a scan would read (panel.yaml's roots and ignore rules), sorted; or, when
 * panel.yaml is invalid (so the roots are unknown), its diagnostics.
 */
export function workspaceManifests(
  paths: WorkspacePaths,
): { files: ManifestFile[] } | { configProblems: readonly Diagnostic[] } {
  const { config, diagnostics } = loadPanelConfig(paths);
  if (diagnostics.length > 0) return { configProblems: diagnostics };
  const walked = walk({
    root: paths.root,
    roots: config.scan.roots,
    ignore: config.scan.ignore,
    followSymlinks: config.scan.followSymlinks,
  });
  const files = walked.candidates
    .filter((c) => c.kind === "manifest")
    .map((c) => ({ abs: c.abs, rel: c.rel }))
    .sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  // Folders the walk could not read are the scan's to report; here only manifests count.
  return { files };
}
