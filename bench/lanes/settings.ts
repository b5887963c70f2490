/**
 * bench/lanes's command line (usage: run.ts) read into the settings one run uses. Defaults are
 * the full run's; `--quick` shortens every phase.
 */
import { parseArgs } from "node:util";
import { CONTENDERS, type Contender, isContender } from "./common.ts";

export interface Settings {
  readonly quick: boolean;
  /** Message sizes in bytes, each measured for every contender. */
  readonly sizes: readonly number[];
  /** The contenders asked for with --only (all by default). */
  readonly only: readonly Contender[];
  readonly latencySeconds: number;
  /** The paced latency phase: a busy-waited gap between an ack and the next send. */
  readonly pacedSeconds: number;
  readonly gapUs: number;
  readonly throughputSeconds: number;
  /** Latency samples per cell at most (the time limit usually stops 64 KiB and 1 MiB first). */
  readonly maxSamples: number;
  readonly warmup: number;
  readonly pacedWarmup: number;
  readonly profDir: string | undefined;
  /** The shm reader's options; the lane's defaults unless --shm-spin-us or --shm-busy-poll. */
  readonly shmOptions: { readonly spinMicros?: number; readonly busyPoll?: boolean };
  /** A cell that takes longer than this is killed and reported as an error. */
  readonly cellTimeoutMs: number;
}

export function parseSettings(args: readonly string[] = process.argv.slice(2)): Settings {
  const { values } = parseArgs({
    args: [...args],
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      sizes: { type: "string" },
      "latency-seconds": { type: "string" },
      "throughput-seconds": { type: "string" },
      samples: { type: "string" },
      "paced-seconds": { type: "string" },
      "gap-us": { type: "string" },
      "prof-dir": { type: "string" },
      "shm-spin-us": { type: "string" },
      "shm-busy-poll": { type: "boolean", default: false },
    },
  });
  const only = values.only?.split(",") ?? [...CONTENDERS];
  const contenders = only.map((name) => {
    if (!isContender(name)) throw new Error(`--only: unknown contender ${name}`);
    return name;
  });
  const quick = values.quick;
  const latencySeconds = Number(values["latency-seconds"] ?? (quick ? 0.4 : 1.5));
  const pacedSeconds = Number(values["paced-seconds"] ?? (quick ? 0.3 : 1));
  const throughputSeconds = Number(values["throughput-seconds"] ?? (quick ? 0.4 : 1.5));
  return {
    quick,
    sizes: (values.sizes ?? "64,4096,65536,1048576").split(",").map(Number),
    only: contenders,
    latencySeconds,
    pacedSeconds,
    gapUs: Number(values["gap-us"] ?? 200),
    throughputSeconds,
    maxSamples: Number(values.samples ?? (quick ? 5000 : 20000)),
    warmup: quick ? 100 : 300,
    pacedWarmup: 20,
    profDir: values["prof-dir"],
    shmOptions: {
      ...(values["shm-spin-us"] === undefined ? {} : { spinMicros: Number(values["shm-spin-us"]) }),
      ...(values["shm-busy-poll"] ? { busyPoll: true } : {}),
    },
    cellTimeoutMs: 20_000 + 4_000 * (latencySeconds + pacedSeconds + throughputSeconds),
  };
}
