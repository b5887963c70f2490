/** Flag values every command reads the same way. */
import { existsSync, statSync } from "node:fs";
import { RttError } from "@rtt/core/errors.ts";

/** A flag's whole number in [min, max], written in decimal digits (no 1e3, 0x10 or 1.5). */
export function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= min && n <= max))
    throw new RttError(
      "RTT_ERR_USAGE",
      `${flag} ${text}: expected a whole number from ${min} to ${max}`,
    );
  return n;
}

/** `-C FOLDER`: a folder that exists (a file or a typo must not mean the current folder). */
export function folderOption(dir: string | undefined): string | undefined {
  if (dir === undefined) return undefined;
  let isFolder = false;
  try {
    isFolder = dir !== "" && statSync(dir).isDirectory();
  } catch {
    // not there: said below
  }
  if (!isFolder)
    throw new RttError(
      "RTT_ERR_USAGE",
      `-C ${JSON.stringify(dir)}: ${dir === "" ? "an empty path" : existsSync(dir) ? "not a folder" : "no such folder"}`,
      { hint: "-C takes the folder to act in, e.g. rtt -C examples/quickstart scan" },
    );
  return dir;
}
