/**
 * The route parameters the built-in connectors' sources read (`params.x`, `params["x"]`,
 * `msParam(params, "x"…)`), found in their text: what docs/manifest.md must name, and what each
 * connector's `params` declaration must list.
 */
import { globSync, readFileSync } from "node:fs";
import { join } from "node:path";

const REPO = new URL("../..", import.meta.url).pathname;

const PARAM_READS = [
  /\bparams\.([a-z_]+)/g,
  /\bparams\["([a-z_]+)"\]/g,
  /\bmsParam\(params, "([a-z_]+)"/g,
];

/** Each parameter read in the non-test sources of packages/connectors/`connector` (`*`: all), sorted. */
export function paramsRead(connector = "*"): string[] {
  const read = globSync(`packages/connectors/${connector}/src/**/*.ts`, { cwd: REPO })
    .filter((f) => !f.endsWith(".test.ts"))
    .flatMap((f) => {
      const text = readFileSync(join(REPO, f), "utf8");
      return PARAM_READS.flatMap((re) => [...text.matchAll(re)].map((m) => m[1] as string));
    });
  return [...new Set(read)].sort();
}
