/**
 * bench/control/driver-leg.ts — the panel → driver leg of a warm flip alone: a Switch to a real
 * driver process (the SDK's echo fixture, launched by DriverHost as the panel launches its
 * drivers), over gRPC and over the framed control channel, in the same run, blocks of 100
 * alternated, so both see the same machine. The Switch parks a link that is parked already: the
 * driver answers it at once (a Switch asked again to where it last moved moves nothing), so what
 * is timed is the call's round trip and the handler, the part of a flip the transport decides.
 * Also the CPU time (user + system) of this process per call on each transport.
 * Usage: node bench/control/driver-leg.ts [--n 5000] [--warmup 1000]
 * Prints one JSON object: switch_grpc_p50_us, switch_grpc_p99_us, switch_framed_p50_us, … .
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { DriverClient, DriverHost } from "@rtt/connector-sdk";
import { fixture, quietOptions } from "../../packages/connector-sdk/test/helpers.ts";
import { quantile, round } from "./common.ts";

const { values } = parseArgs({
  options: { n: { type: "string", default: "5000" }, warmup: { type: "string", default: "1000" } },
});
const N = Number(values.n);
const WARMUP = Number(values.warmup);
const BLOCK = 100;
const ECHO = "rtt://demo/api/echo@1.0.0";

const host = await DriverHost.launch(
  { name: "echo", command: process.execPath, args: [fixture("echo-driver.ts")], env: {} },
  quietOptions(),
);
try {
  const { socket, framed } = host.record;
  if (framed === undefined) throw new Error("the echo driver advertised no framed socket");
  const link = await host.open(ECHO, { contract: { saddr: ECHO, type: "api", direction: "both" } });
  const grpc = new DriverClient("echo", socket);
  const frames = new DriverClient("echo", socket, { framed });
  const clients = { grpc, framed: frames };
  for (const c of Object.values(clients)) await c.switch(link, undefined);
  for (let i = 0; i < WARMUP; i++)
    for (const c of Object.values(clients)) await c.switch(link, undefined);
  const samples = { grpc: [] as number[], framed: [] as number[] };
  const cpuUs = { grpc: 0, framed: 0 };
  for (let done = 0; done < N; done += BLOCK) {
    for (const name of ["grpc", "framed"] as const) {
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < Math.min(BLOCK, N - done); i++) {
        const t0 = process.hrtime.bigint();
        await clients[name].switch(link, undefined);
        samples[name].push(Number(process.hrtime.bigint() - t0) / 1000);
      }
      const cpu = process.cpuUsage(cpu0);
      cpuUs[name] += cpu.user + cpu.system;
    }
  }
  for (const c of Object.values(clients)) c.disconnect();
  const out: Record<string, unknown> = { bench: "driver-leg", n: N, warmup: WARMUP };
  for (const name of ["grpc", "framed"] as const) {
    out[`switch_${name}_p50_us`] = round(quantile(samples[name], 0.5));
    out[`switch_${name}_p99_us`] = round(quantile(samples[name], 0.99));
    out[`switch_${name}_cpu_us_per_call`] = round(cpuUs[name] / N);
  }
  out.load_average = loadavg().map((l) => round(l));
  process.stdout.write(`${JSON.stringify(out)}\n`);
} finally {
  await host.stop();
}
