/** A file system error in the words the scan's diagnostics use. */
import { errorMessage } from "@rtt/core/error-message.ts";

function codeOf(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error
    ? String(error.code)
    : undefined;
}

/** Whether `error` is a Node system error with this errno name (`ENOENT`…). */
export function hasCode(error: unknown, code: string): boolean {
  return codeOf(error) === code;
}

export function errorText(error: unknown): string {
  const code = codeOf(error);
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "ENOENT") return "no such file or folder";
  if (code === "ELOOP") return "too many levels of symbolic links";
  return errorMessage(error);
}
