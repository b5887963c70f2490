import type { Contract } from "./schemas/manifest.ts";

/**
 * The sample contract: a metrics API, as `rtt init` writes it into its sample manifest
 * (.rtt/manifests/metrics.api.json). Tests that need a typical contract start from it, so what
 * init writes and what they check stay one.
 */
export const SAMPLE_CONTRACT: Contract = {
  saddr: "rtt://core/api/metrics@1.0.0",
  type: "api",
  direction: "provider",
  capabilities: ["pull", "stream"],
  inputs: [{ name: "query", schema: "json://metrics.query" }],
  outputs: [{ name: "series", schema: "json://metrics.series" }],
  qos: { latency_budget_ms: 2, throughput_qps: 5000 },
};
