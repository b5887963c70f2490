/**
 * Test-only: the text of a manifest of the sample contract (sample-contract.ts) for core's
 * tests, as a person would write it — JSON.stringify(…, null, 2) — so positions are predictable.
 */
import { SAMPLE_CONTRACT } from "../sample-contract.ts";

/** A manifest of the sample's address, type and direction, `symbol`'s keys added or replacing them. */
export function sampleManifestText(symbol: Record<string, unknown>): string {
  const { saddr, type, direction } = SAMPLE_CONTRACT;
  return JSON.stringify({ symbol: { saddr, type, direction, ...symbol } }, null, 2);
}
