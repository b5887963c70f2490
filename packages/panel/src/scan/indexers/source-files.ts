/**
 * Which source files the parser-based indexers read, and how. Two rules they share:
 * - A file under a test-data folder (`testdata`, `fixtures`, `tests/data`, `tests/cases`) is an
 *   input some test feeds a tool — a formatter's sample app, a linter's bad example — not the
 *   project's code, so it claims nothing (Go's own rule for `testdata`, widened).
 * - A source file over the scan's byte limit (a generated table, a bundle, profiling data) is
 *   skipped as no candidate rather than reported: the limit exists for manifests. Every other
 *   read error (unreadable, not UTF-8) still reaches the scanner, which reports it at the file.
 */
import { RttError } from "@rtt/core";
import type { IndexInput } from "./indexer.ts";
import { inRttFolder } from "./project-folder.ts";

const TEST_DATA = new Set(["testdata", "test_data", "fixtures", "__fixtures__"]);
const TEST_FOLDERS = new Set(["test", "tests"]);
const UNDER_TESTS = new Set(["data", "cases"]);

const NO_FOLDERS: ReadonlySet<string> = new Set();

/**
 * Whether `rel` lies in RTT's own state, a test-data folder or under one of `alsoSkipped` (what a
 * language's own tools skip: Cargo's `target`).
 */
export function skippedSource(rel: string, alsoSkipped = NO_FOLDERS): boolean {
  if (inRttFolder(rel)) return true;
  const folders = rel.split("/").slice(0, -1);
  return folders.some(
    (folder, i) =>
      alsoSkipped.has(folder) ||
      TEST_DATA.has(folder) ||
      (UNDER_TESTS.has(folder) && i > 0 && TEST_FOLDERS.has(folders[i - 1] ?? "")),
  );
}

/** The file's text, or undefined when it is over the scan's byte limit. */
export function sourceText(input: IndexInput): string | undefined {
  try {
    return input.text();
  } catch (error) {
    if (error instanceof RttError && error.code === "RTT_ERR_SCAN_TOO_LARGE") return undefined;
    throw error;
  }
}
