/**
 * bubblewrap's command line for one driver (docs/adr/0023-driver-sandbox.md): its own mount
 * namespace with the host's filesystem read-only, a private /dev and a fresh /proc, then the
 * driver's mounts in order; its own IPC namespace, every capability dropped (bwrap sets
 * no_new_privs itself), and no network namespace of its own only when it needs loopback.
 *
 * Left out on purpose: `--unshare-pid` (a pid is an identity here: the handshake's pid and start
 * time are what a restarted panel re-attaches by, and a shm segment's name carries its owner's
 * pid, checked by the peer in another namespace), `--die-with-parent` (a driver outlives a dead
 * panel for its grace period so the next panel can take it over) and `--new-session` (the driver
 * must stay in the process group the host signals; it has no terminal: the host spawns it
 * detached, in a session of its own).
 */
import type { DriverAccess } from "./access.ts";

/** The arguments before `--`, the driver's command and its arguments. */
export function bwrapArgs(access: DriverAccess): string[] {
  const args = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"];
  // POSIX shared memory is how shm lanes reach the driver at the other end.
  args.push("--bind", "/dev/shm", "/dev/shm");
  for (const mount of access.mounts) {
    const bind = mount.mode === "rw" ? "--bind" : "--ro-bind";
    args.push(mount.optional === true ? `${bind}-try` : bind, mount.path, mount.path);
  }
  args.push("--unshare-ipc", "--cap-drop", "ALL");
  if (access.network === "none") args.push("--unshare-net");
  return args;
}
