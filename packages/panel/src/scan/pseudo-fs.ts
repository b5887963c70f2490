/** Which folders are kernel state rather than files: the walk never enters them (ADR 0021). */
import { statfsSync } from "node:fs";

/**
 * statfs magic numbers of Linux pseudo file systems: kernel state, not files anyone keeps
 * manifests in, and /proc alone reaches every process's cwd and root (issue 15, finding 3).
 */
const PSEUDO_FS = new Set([
  0x9fa0, // proc
  0x62656572, // sysfs
  0x1cd1, // devpts
  0x64626720, // debugfs
  0x74726163, // tracefs
  0x27e0eb, // cgroup
  0x63677270, // cgroup2
  0x73636673, // securityfs
  0xcafe4a11, // bpf
  0x62656570, // configfs
  0x6165676c, // pstore
  0x42494e4d, // binfmt_misc
  0xde5e81e4, // efivarfs
]);

export function isPseudoFs(path: string): boolean {
  try {
    return PSEUDO_FS.has(statfsSync(path).type);
  } catch {
    // No statfs here (not Linux, or it vanished): the walk's own error handling takes over.
    return false;
  }
}
