/** A link's Health samples, read until one satisfies a check or the time is up. */
import type { DriverHost } from "../host/driver-host.ts";
import type { HealthSample } from "../wire.ts";
import { CheckFailed } from "./report.ts";

export async function sampleUntil(
  host: DriverHost,
  linkId: string,
  ok: (s: HealthSample) => boolean,
  ms: number,
  what: (last: HealthSample | undefined) => string,
): Promise<HealthSample> {
  const stream = host.health({ linkId, intervalMs: 25 });
  const timer = setTimeout(() => stream.cancel(), ms);
  let last: HealthSample | undefined;
  try {
    for await (const sample of stream) {
      if (sample.link_id !== linkId) continue;
      last = sample;
      if (ok(sample)) return sample;
    }
  } finally {
    clearTimeout(timer);
    stream.cancel();
  }
  throw new CheckFailed(`${what(last)} (waited ${ms} ms)`);
}
