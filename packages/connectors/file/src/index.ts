/**
 * @rtt/connector-file — the reference driver for file symbols (append-write, follow-read like
 * `tail -F`), FIFOs and Unix-socket symbols. The driver itself lands with the connector SDK
 * (issue 4); its building blocks are here.
 */
export { type FollowOptions, follow } from "./follow.ts";
export { type FileKind, nameFor, type ProbedFile, probeFiles } from "./probe.ts";
