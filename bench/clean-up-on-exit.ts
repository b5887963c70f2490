/**
 * What every bench that starts processes does on the way out, in a module of its own so that a
 * bench takes it without bench/control's panel helpers (bench/lanes loads no panel code).
 */

/**
 * Runs `cleanUp` however the bench's process goes out: at exit, and on SIGINT, SIGTERM or SIGHUP
 * (said on stderr, as `bench`'s), so nothing it started outlives it.
 */
export function cleanUpOnExit(bench: string, cleanUp: () => void): void {
  process.on("exit", cleanUp);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
    process.on(signal, () => {
      process.stderr.write(`${bench}: ${signal}, stopping\n`);
      process.exit(130);
    });
}
