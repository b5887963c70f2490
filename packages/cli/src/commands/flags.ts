/** Flag values every command reads the same way. */
import { RttError } from "@rtt/core";

/** A flag's whole number in [min, max], written in decimal digits (no 1e3, 0x10 or 1.5). */
export function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= min && n <= max))
    throw new RttError(
      "RTT_ERR_USAGE",
      `${flag} ${text}: expected a whole number from ${min} to ${max}`,
    );
  return n;
}
