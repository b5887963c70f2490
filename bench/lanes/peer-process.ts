/**
 * The sending side's handle on peer processes (bench/lanes/peer.ts) and their stdout protocol
 * (common.ts). Every peer this bench starts is killed on the way out, however it goes out: the
 * caller runs `cleanUp()` from its exit and signal handlers.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { childTarget, terminate } from "@rtt/connector-sdk";
import { isAlive } from "@rtt/fabric";
import { ACK_LINE, type Contender, type PeerLine } from "./common.ts";
import type { Settings } from "./settings.ts";

const PEER = new URL("./peer.ts", import.meta.url).pathname;
const WORK_PREFIX = "rtt-bench-lanes-";

/** Starts peers, each in the run's one work folder, and kills what is left at `cleanUp()`. */
export class PeerProcesses {
  readonly #settings: Settings;
  readonly #children = new Set<ChildProcess>();
  readonly #workDir: string;

  constructor(settings: Settings) {
    this.#settings = settings;
    // A run killed with SIGKILL cannot clean up: its peers exit when their stdin closes, but its
    // folder stays. The folder's name carries the pid, so the next run removes it.
    for (const entry of readdirSync(tmpdir())) {
      const pid = Number(/^rtt-bench-lanes-(\d+)-/.exec(entry)?.[1]);
      if (pid > 0 && !isAlive(pid)) rmSync(join(tmpdir(), entry), { recursive: true, force: true });
    }
    this.#workDir = mkdtempSync(join(tmpdir(), `${WORK_PREFIX}${process.pid}-`));
  }

  /** Starts the peer for one cell. */
  start(contender: Contender, size: number): Peer {
    const { profDir, warmup, pacedWarmup, shmOptions } = this.#settings;
    const prof =
      profDir === undefined
        ? []
        : [
            "--cpu-prof",
            `--cpu-prof-dir=${profDir}`,
            `--cpu-prof-name=peer-${contender}-${size}.cpuprofile`,
          ];
    const child = spawn(
      process.execPath,
      [
        ...prof,
        PEER,
        contender,
        String(size),
        `${warmup},${pacedWarmup}`,
        this.#workDir,
        JSON.stringify(shmOptions),
      ],
      { stdio: ["pipe", "pipe", "inherit"] },
    );
    this.#children.add(child);
    child.once("exit", () => this.#children.delete(child));
    return new Peer(child);
  }

  cleanUp(): void {
    for (const child of this.#children) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    this.#children.clear();
    rmSync(this.#workDir, { recursive: true, force: true });
  }
}

/** One peer process: its acknowledgements and JSON lines, and a failure as soon as it fails. */
export class Peer {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  #text = "";
  #acks = 0;
  #ackWaiter: (() => void) | undefined;
  readonly #lines: PeerLine[] = [];
  #lineWaiter: ((line: PeerLine) => void) | undefined;
  #failure: Error | undefined;
  #onFailure: ((error: Error) => void) | undefined;

  constructor(child: ChildProcess) {
    this.child = child;
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        if (code !== 0) this.#fail(new Error(`peer exited with ${signal ?? `code ${code}`}`));
        resolve();
      });
    });
    this.child.once("error", (error) => this.#fail(error));
    this.child.stdin?.on("error", () => {});
    this.child.stdout?.setEncoding("utf8");
    this.child.stdout?.on("data", (chunk: string) => this.#onData(chunk));
  }

  #onData(chunk: string): void {
    this.#text += chunk;
    let nl = this.#text.indexOf("\n");
    while (nl >= 0) {
      const line = this.#text.slice(0, nl);
      this.#text = this.#text.slice(nl + 1);
      nl = this.#text.indexOf("\n");
      if (line === ACK_LINE) {
        const waiter = this.#ackWaiter;
        if (waiter === undefined) this.#acks++;
        else {
          this.#ackWaiter = undefined;
          waiter();
        }
        continue;
      }
      const parsed = JSON.parse(line) as PeerLine;
      if ("error" in parsed) {
        this.#fail(new Error(`peer: ${parsed.error}`));
        continue;
      }
      const waiter = this.#lineWaiter;
      if (waiter === undefined) this.#lines.push(parsed);
      else {
        this.#lineWaiter = undefined;
        waiter(parsed);
      }
    }
  }

  #fail(error: Error): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    this.#onFailure?.(error);
  }

  /** Rejects as soon as the peer fails; `work` runs against that. */
  #guard<T>(work: (resolve: (value: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.#failure !== undefined) {
        reject(this.#failure);
        return;
      }
      this.#onFailure = reject;
      work(resolve);
    });
  }

  nextLine(): Promise<PeerLine> {
    const queued = this.#lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return this.#guard((resolve) => {
      this.#lineWaiter = resolve;
    });
  }

  nextAck(): Promise<void> {
    if (this.#acks > 0) {
      this.#acks--;
      return Promise.resolve();
    }
    return this.#guard((resolve) => {
      this.#ackWaiter = resolve;
    });
  }

  command(text: string): void {
    this.child.stdin?.write(`${text}\n`);
  }

  /** Closes stdin (the peer's cue to exit) and waits; kills it if it lingers. */
  async stop(): Promise<void> {
    this.child.stdin?.end();
    await terminate(childTarget(this.child), { signal: null, graceMs: 3000 });
    await this.exited;
  }

  kill(): void {
    this.child.kill("SIGKILL");
  }
}
