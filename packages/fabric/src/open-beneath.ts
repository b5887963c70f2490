/**
 * Opening a path below a folder so that the kernel refuses a symbolic link anywhere on the
 * way: the native addon's `openBeneath` (native/src/beneath.cc — openat2 with RESOLVE_BENEATH
 * and RESOLVE_NO_SYMLINKS on Linux >= 5.6, else a per-folder openat(O_NOFOLLOW) walk), typed.
 * Node has no openat. Undefined when the addon cannot be used here (not built, RTT_NO_NATIVE=1,
 * an older build): the caller then falls back to its own checks (ADR 0022).
 */
import { loadNativeAddon } from "./native.ts";

/** How the kernel was asked: one openat2 call, or the per-folder walk. */
export type BeneathHow = "openat2" | "walk";

/**
 * Opens `rel` (relative, no "."/".." parts) below the folder `root` with `flags` (fs.constants
 * O_* values) and `mode` (for O_CREAT); the descriptor is close-on-exec. A link below `root`
 * throws an Error with code ELOOP (ENOTDIR/EMLINK on some platforms). `walk` skips openat2.
 */
export type OpenBeneath = (
  root: string,
  rel: string,
  flags: number,
  mode: number,
  walk?: boolean,
) => { readonly fd: number; readonly how: BeneathHow };

/** The addon's `openBeneath`, or why there is none. */
export function nativeOpenBeneath(): OpenBeneath | { readonly reason: string } {
  const loaded = loadNativeAddon();
  if ("reason" in loaded) return loaded;
  const fn = (loaded.raw as { openBeneath?: unknown } | null)?.openBeneath;
  return typeof fn === "function"
    ? (fn as OpenBeneath)
    : {
        reason:
          "the native addon has no openBeneath (an older build: run `npm run build -w @rtt/fabric`)",
      };
}

/** Linux's O_PATH as the addon was built with it; undefined elsewhere or without the addon. */
export function nativeOPath(): number | undefined {
  const loaded = loadNativeAddon();
  if ("reason" in loaded) return undefined;
  const value = (loaded.raw as { O_PATH?: unknown } | null)?.O_PATH;
  return typeof value === "number" ? value : undefined;
}
