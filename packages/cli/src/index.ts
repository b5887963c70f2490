/** @rtt/cli — the `rtt` command line; `run(argv)` is the whole program, returning its exit code. */
export { run } from "./main.ts";
