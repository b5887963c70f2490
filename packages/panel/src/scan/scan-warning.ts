/** A scan warning: what the scan skipped or doubted, at a file (its first line unless told). */
import type { Diagnostic, ErrorCode } from "@rtt/core";

export interface WarningPlace {
  readonly line?: number;
  readonly column?: number;
  readonly hint?: string;
}

export function scanWarning(
  file: string,
  code: ErrorCode,
  message: string,
  { line = 1, column = 1, hint }: WarningPlace = {},
): Diagnostic {
  return {
    severity: "warning",
    code,
    message,
    file,
    line,
    column,
    ...(hint === undefined ? {} : { hint }),
  };
}
