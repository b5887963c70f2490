/**
 * @rtt/connector-file — the reference driver for file symbols (append-write, follow-read like
 * `tail -F`), FIFOs and Unix-socket symbols. The executable is src/driver.ts.
 */
export { fileConnector } from "./driver.ts";
export { type FollowOptions, follow } from "./follow.ts";
export { type FileKind, fileContract, nameFor, type ProbedFile, probeFiles } from "./probe.ts";
