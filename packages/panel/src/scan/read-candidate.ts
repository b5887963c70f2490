/**
 * Reads one candidate file safely: opened non-blocking (a FIFO swapped in after the walk must
 * not hang us), checked to be a regular file no larger than the limit, decoded as strict UTF-8.
 */

import type { Stats } from "node:fs";
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { RttError } from "@rtt/core";
import { errorText } from "./fs-error-text.ts";

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

export function describeNonRegular(stats: Stats): string {
  if (stats.isFIFO()) return "a FIFO";
  if (stats.isSocket()) return "a socket";
  if (stats.isDirectory()) return "a folder";
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return "a device";
  return "not a regular file";
}

export function tooLarge(rel: string, size: number, limit: number): RttError {
  return new RttError(
    "RTT_ERR_SCAN_TOO_LARGE",
    `${size} bytes, over the ${limit}-byte limit; skipped`,
    {
      position: { file: rel, line: 1, column: 1 },
      hint: "raise scan.max_manifest_bytes in .rtt/panel.yaml if it is meant to be this big",
    },
  );
}

export function readCandidate(abs: string, rel: string, limit: number): string {
  return readCandidateWithStats(abs, rel, limit).text;
}

/** readCandidate's text, with the stats of the file it read (taken of it open). */
export function readCandidateWithStats(
  abs: string,
  rel: string,
  limit: number,
): { readonly text: string; readonly stats: Stats } {
  let fd: number;
  try {
    fd = openSync(abs, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new RttError("RTT_ERR_SCAN_UNREADABLE", `not read: ${errorText(error)}`, {
      position: { file: rel, line: 1, column: 1 },
    });
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      throw new RttError(
        "RTT_ERR_SCAN_UNREADABLE",
        `not read: it is ${describeNonRegular(stats)}`,
        {
          position: { file: rel, line: 1, column: 1 },
        },
      );
    }
    if (stats.size > limit) throw tooLarge(rel, stats.size, limit);
    const buffer = Buffer.allocUnsafe(stats.size);
    let filled = 0;
    while (filled < stats.size) {
      const n = readSync(fd, buffer, filled, stats.size - filled, filled);
      if (n === 0) break;
      filled += n;
    }
    try {
      return { text: decoder.decode(buffer.subarray(0, filled)), stats };
    } catch {
      throw new RttError("RTT_ERR_DOC_SYNTAX", "not UTF-8 text", {
        position: { file: rel, line: 1, column: 1 },
      });
    }
  } catch (error) {
    if (error instanceof RttError) throw error;
    throw new RttError("RTT_ERR_SCAN_UNREADABLE", `not read: ${errorText(error)}`, {
      position: { file: rel, line: 1, column: 1 },
    });
  } finally {
    closeSync(fd);
  }
}
