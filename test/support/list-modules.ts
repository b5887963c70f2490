/**
 * Preloaded with `node --import` into a process under test: records every module it loads
 * (import and require alike) and writes their URLs, one a line, to $RTT_TEST_MODULES_OUT when
 * the process exits — so a test can say what a command did not load (a gRPC library, say).
 */
import { writeFileSync } from "node:fs";
import { registerHooks } from "node:module";

const out = process.env.RTT_TEST_MODULES_OUT;
const seen = new Set<string>();
registerHooks({
  resolve(specifier, context, next) {
    const resolved = next(specifier, context);
    seen.add(resolved.url);
    return resolved;
  },
});
process.on("exit", () => {
  if (out !== undefined) writeFileSync(out, [...seen].join("\n"));
});
