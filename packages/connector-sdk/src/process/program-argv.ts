/**
 * How a driver runs a route's program: outside Node's permission model. Under the `node`
 * sandbox level (docs/adr/0023-driver-sandbox.md) the driver's Node hands its permission flags
 * to every child through NODE_OPTIONS, whatever environment the child is given. A program is
 * not the driver: a Node program of another version refuses the flags outright ("--permission
 * is not allowed in NODE_OPTIONS") and one of the same version would be held to the driver's
 * folders. So the program is started through sh, which puts back the NODE_OPTIONS the driver
 * itself was started with (or none) and execs it: same pid, same process group. (sh, not
 * env(1): env would read a program named like NAME=VALUE as an assignment.)
 */

const SH = "/bin/sh";
const RESTORE = 'NODE_OPTIONS="$0"; export NODE_OPTIONS; exec "$@"';
const REMOVE = 'unset NODE_OPTIONS; exec "$@"';

/** The argv to spawn for `command args`, given the driver's own environment. */
export function programArgv(
  command: string,
  args: readonly string[],
  driverEnv: NodeJS.ProcessEnv = process.env,
  // Present only when the driver runs under `--permission`.
  confined = process.permission !== undefined,
): [string, ...string[]] {
  if (!confined) return [command, ...args];
  const own = driverEnv.NODE_OPTIONS;
  return own === undefined
    ? [SH, "-c", REMOVE, "sh", command, ...args]
    : [SH, "-c", RESTORE, own, command, ...args];
}
