/**
 * A real `nats-server` (Debian's, installed by scripts/ensure-test-deps.sh) for the nats
 * connector's tests: on a free loopback port, with JetStream storing under a temp folder, so a
 * restart on the same port and folder finds its streams again (docs/adr/0032-nats-bus.md).
 * `stop()` ends it (SIGTERM, or SIGKILL for the crash tests) and `start()` runs it again;
 * `dispose()` stops it and removes the folder.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Where Debian puts it (/usr/sbin is not on every user's PATH), else whatever PATH finds. */
function natsServerPath(): string | undefined {
  for (const candidate of ["/usr/sbin/nats-server", "/usr/bin/nats-server"])
    if (existsSync(candidate)) return candidate;
  const found = spawnSync("sh", ["-c", "command -v nats-server"], { encoding: "utf8" });
  const path = found.stdout.trim();
  return found.status === 0 && path !== "" ? path : undefined;
}

export const NATS_SERVER = natsServerPath();

/** Why the nats tests skip, or false when they can run: for `it(..., { skip })`. */
export const skipWithoutNats: string | false =
  NATS_SERVER === undefined
    ? "nats-server is not installed (apt-get install nats-server; scripts/ensure-test-deps.sh)"
    : false;

/** A loopback port nobody listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address !== null
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

export class NatsServer {
  readonly port: number;
  readonly dir: string;
  #child: ChildProcess | undefined;
  #log = "";

  private constructor(port: number, dir: string) {
    this.port = port;
    this.dir = dir;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** What the server printed (for failure messages). */
  get log(): string {
    return this.#log.slice(-4000);
  }

  /** A server on a fresh port and folder, started and ready. */
  static async start(): Promise<NatsServer> {
    const server = new NatsServer(await freePort(), mkdtempSync(join(tmpdir(), "rtt-nats-")));
    await server.start();
    return server;
  }

  /** Starts it (again, on the same port and store) and resolves once it accepts clients. */
  start(): Promise<void> {
    if (NATS_SERVER === undefined) throw new Error(String(skipWithoutNats));
    // A message as big as the largest the lane benches send (1 MiB) and its subject fit.
    const config = join(this.dir, "nats.conf");
    writeFileSync(config, "max_payload: 8388608\n");
    const args = [
      "-c",
      config,
      "-a",
      "127.0.0.1",
      "-p",
      String(this.port),
      "-js",
      "-sd",
      join(this.dir, "js"),
    ];
    const child = spawn(NATS_SERVER, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.#child = child;
    return new Promise((resolve, reject) => {
      // This run's output only: an earlier run's log says it was ready too.
      let output = "";
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        this.#log += chunk.toString();
        if (output.includes("Server is ready")) resolve();
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      child.once("error", reject);
      child.once("exit", (code, signal) =>
        reject(
          new Error(`nats-server exited (${code ?? signal}) before it was ready:\n${this.log}`),
        ),
      );
    });
  }

  /** Stops it: SIGTERM (a clean shutdown) or SIGKILL (a crash); resolves once it is gone. */
  async stop(signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill(signal);
    await gone;
  }

  async dispose(): Promise<void> {
    await this.stop("SIGKILL");
    rmSync(this.dir, { recursive: true, force: true });
  }
}
