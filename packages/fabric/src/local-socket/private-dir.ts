/**
 * The folders RTT's Unix sockets live in (docs/adr/0020-local-sockets.md). A socket file's own
 * mode is not enough on every system, and the abstract namespace has none at all, so each socket
 * sits in a folder only its user can enter: created 0700 and then checked with lstat to be a
 * real folder (no link another user could have planted), owned by this uid, with no group or
 * other bits. A folder that fails the check is refused, never repaired: someone else made it.
 */
import { lstatSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { RttError } from "@rtt/core/errors.ts";

/** This process's uid, or undefined where there are none (Windows). */
export function ownUid(): number | undefined {
  return process.getuid?.();
}

/** Why `dir` is not a private folder of this user's, or undefined when it is one. */
export function privateDirProblem(dir: string): string | undefined {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(dir);
  } catch (error) {
    return `it cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
  }
  if (st.isSymbolicLink()) return "it is a symbolic link";
  if (!st.isDirectory()) return "it is not a folder";
  const uid = ownUid();
  if (uid !== undefined && st.uid !== uid) return `it belongs to uid ${st.uid}, not ${uid}`;
  if (uid !== undefined && (st.mode & 0o077) !== 0)
    return `its mode is ${(st.mode & 0o777).toString(8).padStart(4, "0")}: others can enter it`;
  return undefined;
}

/**
 * Makes `dir` (and missing parents) 0700 if it does not exist, then checks it is this user's
 * private folder; RTT_ERR_SOCKET_UNSAFE naming the folder and the reason when it is not.
 */
export function ensurePrivateDir(dir: string): string {
  if (process.platform === "win32") return dir;
  let problem: string | undefined;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    // EEXIST: something that is not a folder is there; the check below says what.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EEXIST") problem = `it cannot be made: ${code ?? String(error)}`;
  }
  problem ??= privateDirProblem(dir);
  if (problem !== undefined)
    throw new RttError(
      "RTT_ERR_SOCKET_UNSAFE",
      `socket folder ${JSON.stringify(dir)} is not private to this user: ${problem}`,
      { hint: "remove it (or fix its owner and mode 0700) and try again" },
    );
  return dir;
}

/**
 * The short per-user folder for sockets whose path would not fit in `sun_path`:
 * `$XDG_RUNTIME_DIR/rtt` when that runtime folder is set and private to this user (systemd
 * makes it so), else `/tmp/rtt-<uid>` — not `$TMPDIR`, which is what may be too long. Only the
 * name: `ensurePrivateDir` makes and checks it.
 */
export function shortSocketDir(env: NodeJS.ProcessEnv = process.env): string {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime?.startsWith("/") && privateDirProblem(runtime) === undefined)
    return join(runtime, "rtt");
  return `/tmp/rtt-${ownUid() ?? "user"}`;
}
