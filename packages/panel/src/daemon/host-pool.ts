/**
 * The panel's connector drivers as real processes
 * (docs/design.md §Processes and sockets: driver processes): one `DriverHost` per connector,
 * launched on first use, re-attached after a panel restart, stopped with the panel. Where a
 * driver comes from: `.rtt/drivers/<name>` (an executable, or a `.ts`/`.js`/`.mjs` file run with
 * this Node), else a connector shipped with RTT (file, http, nats, process, and stub for degrade
 * modes).
 */
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  DriverHost,
  type DriverHostOptions,
  type DriverLaunch,
  type DriverRecord,
  type HealthSample,
} from "@rtt/connector-sdk";
import { RttError } from "@rtt/core";
import { type DriverCalls, type DriverPool, sampleLink } from "../reconcile/drivers.ts";

export const BUILT_IN_DRIVERS = ["file", "http", "nats", "process", "stub"] as const;

function builtIn(name: string): string | undefined {
  if (!(BUILT_IN_DRIVERS as readonly string[]).includes(name)) return undefined;
  return fileURLToPath(new URL(`../../../connectors/${name}/src/driver.ts`, import.meta.url));
}

/** Drops the entries of `map` taken before `before` (performance.now() ms). */
function forgetOlder(map: Map<string, { readonly at: number }>, before: number): void {
  for (const [key, entry] of map) if (entry.at < before) map.delete(key);
}

/** How to start the driver of connector `name` in the workspace whose drivers folder is `dir`. */
export function driverLaunch(driversDir: string, name: string): DriverLaunch {
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name))
    throw new RttError("RTT_ERR_DRIVER_SPAWN", `driver name ${JSON.stringify(name)} is not valid`, {
      hint: "a driver name is letters, digits, '.', '_' and '-' (the manifest's x-driver)",
    });
  for (const ext of [".ts", ".mjs", ".js"]) {
    const file = join(driversDir, `${name}${ext}`);
    if (existsSync(file)) return { name, command: process.execPath, args: [file] };
  }
  const exe = join(driversDir, name);
  if (existsSync(exe) && statSync(exe).isFile()) {
    try {
      accessSync(exe, constants.X_OK);
    } catch {
      throw new RttError("RTT_ERR_DRIVER_SPAWN", `${exe} is not executable`, {
        hint: `chmod +x ${exe}`,
      });
    }
    return { name, command: exe };
  }
  const shipped = builtIn(name);
  if (shipped !== undefined) return { name, command: process.execPath, args: [shipped] };
  throw new RttError("RTT_ERR_DRIVER_SPAWN", `no driver named "${name}"`, {
    hint: `put an executable at ${exe}, or use one of the built-in drivers: ${BUILT_IN_DRIVERS.join(", ")}`,
  });
}

export class HostPool implements DriverPool {
  readonly #driversDir: string;
  readonly #options: DriverHostOptions;
  /** Puts a driver's launch in the sandbox panel.yaml asks for (ADR 0023). */
  readonly #confine: (launch: DriverLaunch) => DriverLaunch;
  readonly #hosts = new Map<string, DriverHost>();
  readonly #starting = new Map<string, Promise<DriverHost>>();
  readonly #restarts = new Map<string, number>();
  /** Told when a driver restarted after a crash: its links are gone. */
  onRestart: ((name: string) => void) | undefined;

  constructor(
    driversDir: string,
    options: DriverHostOptions,
    confine: (launch: DriverLaunch) => DriverLaunch = (launch) => launch,
  ) {
    this.#driversDir = driversDir;
    this.#options = options;
    this.#confine = confine;
  }

  #launch(name: string): DriverLaunch {
    return this.#confine(driverLaunch(this.#driversDir, name));
  }

  get(name: string): Promise<DriverCalls> {
    const host = this.#hosts.get(name);
    if (host !== undefined) return Promise.resolve(host);
    let starting = this.#starting.get(name);
    if (starting === undefined) {
      starting = DriverHost.launch(this.#launch(name), this.#options).then((h) => {
        this.#adopt(name, h);
        return h;
      });
      starting.finally(() => this.#starting.delete(name)).catch(() => {});
      this.#starting.set(name, starting);
    }
    return starting;
  }

  /** The driver when it runs now (not while it is starting or restarting). */
  running(name: string): DriverCalls | undefined {
    const host = this.#hosts.get(name);
    return host?.running === true ? host : undefined;
  }

  names(): string[] {
    return [...this.#hosts]
      .filter(([, host]) => host.running)
      .map(([name]) => name)
      .sort();
  }

  /** Takes over a driver a previous panel started; throws when it is not that process any more. */
  async attach(record: DriverRecord): Promise<void> {
    const host = await DriverHost.attach(record, {
      ...this.#options,
      launch: this.#launch(record.name),
    });
    this.#adopt(record.name, host);
  }

  #adopt(name: string, host: DriverHost): void {
    this.#hosts.set(name, host);
    // The liveness watch brings every link's sample each heartbeat: keep the newest of each.
    host.on("health", (sample: HealthSample) => {
      if (sample.link_id === "") return;
      const now = performance.now();
      if (this.#watched.size >= 1024) forgetOlder(this.#watched, now - this.#freshMs(1.5));
      this.#watched.set(`${name}/${sample.link_id}`, { at: now, sample });
    });
    host.on("restart", () => {
      for (const key of this.#watched.keys())
        if (key.startsWith(`${name}/`)) this.#watched.delete(key);
      this.#restarts.set(name, (this.#restarts.get(name) ?? 0) + 1);
      this.onRestart?.(name);
    });
  }

  /**
   * One health sample of a link, or undefined when its driver does not answer in time. The
   * health loop, every Health stream and ListRoutes ask for the same links every heartbeat, and
   * each driver's liveness watch already brings them: a watched sample younger than 1.5
   * heartbeats is the answer, with no call at all. Otherwise (a link newer than the last watch
   * sample, a watch that stalled) the driver is asked, and a sample asked for (or in flight)
   * less than half a heartbeat ago is shared.
   */
  sample(name: string, linkId: string, timeoutMs = 1000): Promise<HealthSample | undefined> {
    const host = this.#hosts.get(name);
    if (host === undefined || !host.running) return Promise.resolve(undefined);
    const key = `${name}/${linkId}`;
    const now = performance.now();
    const watched = this.#watched.get(key);
    if (watched !== undefined && now - watched.at < this.#freshMs(1.5))
      return Promise.resolve(watched.sample);
    const recent = this.#recentSamples.get(key);
    if (recent !== undefined && now - recent.at < this.#freshMs(0.5)) return recent.sample;
    const sample = sampleLink(host, linkId, timeoutMs);
    if (this.#recentSamples.size >= 1024)
      forgetOlder(this.#recentSamples, now - this.#freshMs(0.5));
    this.#recentSamples.set(key, { at: now, sample });
    return sample;
  }

  /** `heartbeats` heartbeats, in ms. */
  #freshMs(heartbeats: number): number {
    return heartbeats * (this.#options.heartbeatMs ?? 0);
  }

  /** The newest sample of each link from its driver's liveness watch, by "driver/link". */
  readonly #watched = new Map<string, { readonly at: number; readonly sample: HealthSample }>();

  readonly #recentSamples = new Map<
    string,
    { readonly at: number; readonly sample: Promise<HealthSample | undefined> }
  >();

  /** The records of the running drivers, to journal for re-attach. */
  records(): Record<string, DriverRecord> {
    const out: Record<string, DriverRecord> = {};
    for (const [name, host] of [...this.#hosts].sort(([a], [b]) => (a < b ? -1 : 1)))
      if (host.running) out[name] = host.record;
    return out;
  }

  status(): { name: string; pid: number; restarts: number }[] {
    return [...this.#hosts]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, host]) => ({
        name,
        pid: host.running ? host.pid : 0,
        restarts: this.#restarts.get(name) ?? 0,
      }));
  }

  /**
   * Stops every driver (each closes its links, and so their lanes, and its children), giving
   * each the time `drainMs` names for its programs to drain (ADR 0024; none: no extra time).
   */
  async stopAll(drainMs: ReadonlyMap<string, number> = new Map()): Promise<void> {
    await Promise.allSettled([...this.#starting.values()]);
    await Promise.all(
      [...this.#hosts].map(([name, h]) => h.stop({ drainMs: drainMs.get(name) ?? 0 })),
    );
    this.#hosts.clear();
  }
}
