/**
 * `rtt panel start|stop|status|run` and `ensurePanel`, which commands that need live links use:
 * like a build server, the panel is started in the background when none answers, and the
 * command says so. The daemon's own output goes to `.rtt/panel.log`.
 */
import { closeSync, constants, existsSync, fstatSync, readFileSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { openStateFile } from "@rtt/connector-sdk/state-files.ts";
import { RttError } from "@rtt/core/errors.ts";
import { isAlive } from "@rtt/fabric/process-stat.ts";
// Single modules, not @rtt/panel's index: `rtt panel status` and every command that talks to a
// running panel load the client and the workspace, not the daemon, scanner or reconciler.
import { PanelConnection } from "@rtt/panel/daemon/client.ts";
import { socketPathOf } from "@rtt/panel/daemon/socket-path.ts";
import { cliTokenSource } from "@rtt/panel/trust/client-tokens.ts";
import { panelListen } from "@rtt/panel/workspace/panel-listen.ts";
import { checkPanelSocketFolder } from "@rtt/panel/workspace/panel-socket.ts";
import type { WorkspacePaths } from "@rtt/panel/workspace/workspace-paths.ts";
import { paint, table } from "../output.ts";
import { VERSION } from "../version.ts";
import { type CommandContext, workspaceOf, writeJson } from "./context.ts";

const BIN = fileURLToPath(new URL("../../bin/rtt.js", import.meta.url));
const START_TIMEOUT_MS = 30_000;
/**
 * The panel's stop gives moves under way 10 s, then each driver up to 30 s for its programs'
 * drains (x-drain-ms, ADR 0024) and 3 s per step after that: this waits for all of it.
 */
const STOP_TIMEOUT_MS = 60_000;

async function connectionOf(paths: WorkspacePaths): Promise<PanelConnection> {
  const listen = await panelListen(paths);
  checkPanelSocketFolder(listen);
  return new PanelConnection(listen, cliTokenSource(paths.rttDir));
}

/** The running panel's connection, or undefined when nobody answers on the socket. */
export async function runningPanel(paths: WorkspacePaths): Promise<PanelConnection | undefined> {
  const conn = await connectionOf(paths);
  if (!existsSync(socketPathOf(conn.listen))) {
    conn.close();
    return undefined;
  }
  try {
    await conn.status(2000);
    return conn;
  } catch {
    conn.close();
    return undefined;
  }
}

/** The last lines `file` got past byte `from` (what this start wrote, not an earlier run). */
function tail(file: string, from: number, lines = 12): string {
  try {
    const added = readFileSync(file).subarray(from).toString("utf8").trimEnd();
    return added === "" ? "(nothing)" : added.split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/**
 * Starts `rtt panel run` detached, and waits until it answers. A WAL or ledger the panel could
 * not start with is refused first, with the error that names `--salvage` (panel-salvage.ts).
 */
async function startInBackground(
  paths: WorkspacePaths,
): Promise<{ conn: PanelConnection; pid: number }> {
  // A panel.yaml the panel would refuse is said here, with its line and column.
  await panelListen(paths, true);
  const { checkStartable } = await import("./panel-salvage.ts");
  checkStartable(paths);
  const log = paths.panelLog;
  // Never through a link: the panel's lines would land in whatever file it points at.
  const fd = openStateFile(log, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
  const from = fstatSync(fd).size;
  // Loaded here: node:child_process is not in Node's start-up snapshot (tens of ms to compile).
  const { spawn } = await import("node:child_process");
  // --expose-gc: the panel collects its garbage once a burst of API streams is over.
  const child = spawn(process.execPath, ["--expose-gc", BIN, "-C", paths.root, "panel", "run"], {
    detached: true,
    stdio: ["ignore", fd, fd],
    cwd: paths.root,
  });
  closeSync(fd);
  let exited: number | string | undefined;
  child.once("exit", (code, signal) => {
    exited = code ?? signal ?? "?";
  });
  child.unref();
  const conn = await connectionOf(paths);
  const until = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < until) {
    if (exited !== undefined) break;
    if (existsSync(socketPathOf(conn.listen))) {
      try {
        const status = await conn.status(1000);
        return { conn, pid: status.pid };
      } catch {
        // Not serving yet.
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  conn.close();
  if (exited === undefined) child.kill("SIGKILL");
  throw new RttError(
    "RTT_ERR_PANEL_UNREACHABLE",
    exited === undefined
      ? `the panel did not answer within ${START_TIMEOUT_MS / 1000} s`
      : `the panel exited (${exited}) while starting`,
    { hint: `what it wrote to its log (${log}):\n${tail(log, from)}` },
  );
}

/**
 * The running panel, for a command that only watches or acts on what is wired: it starts none
 * (a panel started for it would first rewire every committed route). `what` names the command.
 */
export async function requireRunningPanel(
  paths: WorkspacePaths,
  what: string,
): Promise<PanelConnection> {
  const conn = await runningPanel(paths);
  if (conn !== undefined) return conn;
  throw new RttError(
    "RTT_ERR_PANEL_UNREACHABLE",
    `no panel runs for this workspace: nothing to ${what}`,
    {
      hint: "`rtt panel start` starts it (it wires the committed routes again); `rtt apply` wires routes.json",
    },
  );
}

/** The panel of this workspace, started in the background (and said so) when none answers. */
export async function ensurePanel(
  ctx: CommandContext,
  paths: WorkspacePaths,
): Promise<PanelConnection> {
  const running = await runningPanel(paths);
  if (running !== undefined) return running;
  const { conn, pid } = await startInBackground(paths);
  ctx.term.err.write(
    paint(
      ctx.term.err,
      "dim",
      `started the panel in the background (pid ${pid}; log: ${relative(process.cwd(), paths.panelLog) || paths.panelLog})\n`,
    ),
  );
  return conn;
}

/** `rtt panel run`: the daemon in the foreground, until Shutdown, SIGTERM or SIGINT. */
export async function panelRunCommand(ctx: CommandContext): Promise<number> {
  const paths = workspaceOf(ctx);
  const { PanelDaemon } = await import("@rtt/panel");
  const daemon = await PanelDaemon.start(paths, {
    version: VERSION,
    log: (line) => ctx.term.err.write(`${new Date().toISOString()} ${line}\n`),
  });
  for (const signal of ["SIGTERM", "SIGINT"] as const)
    process.once(signal, () => void daemon.stop());
  await daemon.stopped;
  return 0;
}

/**
 * `rtt panel start [--salvage]`. A running panel opened its WAL, so there is nothing to salvage;
 * otherwise `--salvage` runs before the start (it takes the WAL's lock) and is reported.
 */
export async function panelStartCommand(
  ctx: CommandContext,
  opts: { json?: boolean; salvage?: boolean },
): Promise<number> {
  const paths = workspaceOf(ctx);
  const running = await runningPanel(paths);
  if (running !== undefined) {
    const s = await running.status();
    running.close();
    if (opts.json) writeJson(ctx, { started: false, pid: s.pid, listen: s.listen });
    else
      ctx.term.out.write(
        `the panel is already running (pid ${s.pid}) on ${s.listen}${opts.salvage ? "; it opened its WAL, nothing to salvage" : ""}\n`,
      );
    return 0;
  }
  const salvage = opts.salvage ? await import("./panel-salvage.ts") : undefined;
  const salvaged = salvage?.salvageWorkspace(paths);
  if (salvage !== undefined && salvaged !== undefined && !opts.json)
    salvage.writeSalvaged(ctx, paths, salvaged);
  const { conn, pid } = await startInBackground(paths);
  conn.close();
  if (opts.json)
    writeJson(ctx, {
      started: true,
      pid,
      listen: conn.listen,
      log: paths.panelLog,
      ...(salvaged === undefined ? {} : { salvage: salvaged }),
    });
  else ctx.term.out.write(`panel started (pid ${pid}) on ${conn.listen}; log: ${paths.panelLog}\n`);
  return 0;
}

export async function panelStopCommand(
  ctx: CommandContext,
  opts: { json?: boolean },
): Promise<number> {
  const paths = workspaceOf(ctx);
  const conn = await runningPanel(paths);
  if (conn === undefined) {
    if (opts.json) writeJson(ctx, { stopped: false, running: false });
    else ctx.term.out.write("no panel is running for this workspace\n");
    return 0;
  }
  const { pid } = await conn.shutdown(`rtt panel stop (pid ${process.pid})`);
  conn.close();
  const until = Date.now() + STOP_TIMEOUT_MS;
  while (isAlive(pid)) {
    if (Date.now() > until)
      throw new RttError(
        "RTT_ERR_PANEL_UNREACHABLE",
        `the panel (pid ${pid}) did not exit within ${STOP_TIMEOUT_MS / 1000} s`,
        {
          hint: `see ${paths.panelLog}; \`kill ${pid}\` stops it, and the next start cleans up`,
        },
      );
    await new Promise((r) => setTimeout(r, 20));
  }
  if (opts.json) writeJson(ctx, { stopped: true, pid });
  else ctx.term.out.write(`panel stopped (pid ${pid}); its drivers and links are closed\n`);
  return 0;
}

/** The drivers' sandbox (ADR 0023), a warning when it is less than the best or none. */
function sandboxLine(sandbox: { setting: string; level: string; note: string } | null | undefined) {
  if (sandbox === null || sandbox === undefined) return "";
  const line = `drivers sandboxed: ${sandbox.level} (security.sandbox: ${sandbox.setting})\n`;
  return sandbox.note === "" ? line : `${line}WARNING: ${sandbox.note}\n`;
}

export async function panelStatusCommand(
  ctx: CommandContext,
  opts: { json?: boolean },
): Promise<number> {
  const paths = workspaceOf(ctx);
  const conn = await runningPanel(paths);
  if (conn === undefined) {
    if (opts.json) writeJson(ctx, { running: false, root: paths.root });
    else ctx.term.out.write(`no panel is running for ${paths.root}\n`);
    return 1;
  }
  const s = await conn.status();
  conn.close();
  if (opts.json) {
    const { topology_json: _t, ...rest } = s;
    writeJson(ctx, { running: true, ...rest });
    return 0;
  }
  const since = new Date(Number(s.started_at_unix_ms)).toISOString();
  ctx.term.out.write(
    `panel ${s.version} (pid ${s.pid}) on ${s.listen}, since ${since}\n` +
      `${s.routes} route(s) wired, topology at commit ${s.committed_seq}\n`,
  );
  if (s.audit_problem !== "")
    ctx.term.out.write(`WARNING: audit ledger tampered at start: ${s.audit_problem}\n`);
  ctx.term.out.write(sandboxLine(s.sandbox));
  if (s.writes_stopped !== "")
    ctx.term.out.write(`WARNING: every commit is refused until a restart: ${s.writes_stopped}\n`);
  if (s.drivers.length > 0)
    ctx.term.out.write(
      `${table(
        ["DRIVER", "PID", "RESTARTS"],
        s.drivers.map((d) => [d.name, String(d.pid), String(d.restarts)]),
      )}\n`,
    );
  return 0;
}
