/**
 * The symbol a check opens: a contract given by the user (a manifest, or its `symbol` object),
 * else the first the driver's Probe finds under a folder.
 */
import { readFileSync } from "node:fs";
import { type Contract, contractHash, errorMessage, RttError } from "@rtt/core";
import type { DriverHost } from "../host/driver-host.ts";
import { CheckSkipped } from "./report.ts";

export interface CheckSymbol {
  readonly saddr: string;
  /** The contract as JSON, as Open takes it. */
  readonly contract: string;
  readonly contractHash: string;
  readonly params: Readonly<Record<string, string>>;
}

/** The contract in `file`: a manifest's `symbol`, or a bare contract object. */
export function contractFromFile(file: string): Contract {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new RttError("RTT_ERR_USAGE", `--contract ${file}: ${errorMessage(error)}`, {
      hint: "give a manifest (rtt.manifest.json) or a JSON contract object with a saddr",
    });
  }
  const inner = (parsed as { symbol?: unknown } | null)?.symbol ?? parsed;
  if (typeof inner !== "object" || inner === null || typeof (inner as Contract).saddr !== "string")
    throw new RttError("RTT_ERR_USAGE", `--contract ${file}: no symbol with a saddr in it`, {
      hint: "give a manifest (rtt.manifest.json) or a JSON contract object with a saddr",
    });
  return inner as Contract;
}

export async function checkSymbol(
  host: DriverHost,
  given: Contract | undefined,
  root: string,
  params: Readonly<Record<string, string>>,
): Promise<CheckSymbol> {
  if (given !== undefined)
    return {
      saddr: given.saddr,
      contract: JSON.stringify(given),
      contractHash: contractHash(given),
      params,
    };
  const found = await host.probe(root);
  const first = found[0];
  if (first === undefined)
    throw new CheckSkipped(`Probe(${root}) found no symbol, and no --contract was given`);
  return {
    saddr: first.saddr,
    contract: first.contract_json,
    contractHash: first.contract_hash,
    params,
  };
}
