/**
 * A second local user for the tests that show RTT's sockets keep others out
 * (docs/adr/0020-local-sockets.md): a Node script run as uid/gid 65534 (nobody) with
 * `setpriv --reuid --regid --clear-groups`, which only root can do.
 */
import { spawn, spawnSync } from "node:child_process";

export const OTHER_UID = 65534;

/** Why the other-user tests cannot run here, or false when they can. */
export function otherUserSkip(): string | false {
  if (process.platform !== "linux") return "setpriv and SO_PEERCRED are Linux's";
  if (process.getuid?.() !== 0) return "running a client as another user needs root (setpriv)";
  if (spawnSync("setpriv", ["--version"]).status !== 0) return "setpriv (util-linux) is missing";
  return false;
}

/**
 * What a client run as uid 65534 saw on each socket in `paths` (a Unix socket's path, or
 * `tcp://host:port`): it connects, sends an HTTP/2 preface (what a gRPC client sends first) and
 * reports the error code when connect failed (EACCES, ENOENT, ECONNREFUSED), `"closed"` when the server hung up with nothing said,
 * `"answered"` when it sent bytes back (a gRPC server's SETTINGS: it let the client in), or
 * `"held"` when it kept the connection 3 s without a word (a lane that took the client).
 */
export function connectAsOtherUser(paths: readonly string[]): Promise<Record<string, string>> {
  const script = `
    const net = require("node:net");
    const PREFACE = "PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n";
    const one = (path) => new Promise((resolve) => {
      const colon = path.lastIndexOf(":");
      const s = path.startsWith("tcp://")
        ? net.connect({ host: path.slice(6, colon), port: Number(path.slice(colon + 1)) })
        : net.connect(path);
      let connected = false, answered = false, held = false, failed = "closed";
      s.on("connect", () => { connected = true; s.write(PREFACE); });
      s.on("data", () => { answered = true; s.destroy(); });
      s.on("error", (e) => { failed = e.code ?? "error"; });
      const timer = setTimeout(() => { held = true; s.destroy(); }, 3000);
      s.on("close", () => {
        clearTimeout(timer);
        resolve(!connected ? failed : answered ? "answered" : held ? "held" : "closed");
      });
    });
    (async () => {
      const out = {};
      for (const p of process.argv.slice(1)) out[p] = await one(p);
      process.stdout.write(JSON.stringify(out));
    })();`;
  const child = spawn(
    "setpriv",
    [
      `--reuid=${OTHER_UID}`,
      `--regid=${OTHER_UID}`,
      "--clear-groups",
      process.execPath,
      "-e",
      script,
      ...paths,
    ],
    { stdio: ["ignore", "pipe", "inherit"], cwd: "/" },
  );
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  return new Promise((resolve, reject) =>
    child.on("close", (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`setpriv client exited ${code}`)),
    ),
  );
}
