/**
 * The native shared-memory addon (packages/fabric/native, ADR 0008): loader and typed API.
 *
 * `loadShm()` returns the API, or `undefined` when the addon cannot be used here — disabled by
 * `RTT_NO_NATIVE=1`, not built (no compiler at install, Windows), or failing to load — and
 * `shmUnavailableReason()` then says why in one sentence, so the lanes can fall back to UDS and
 * say so once. The addon is loaded at most once per process.
 *
 * Segment names are RTT's portable subset of POSIX shm names: `/rtt-` followed by
 * `[A-Za-z0-9._-]`, at most 31 bytes including the slash (macOS's PSHMNAMLEN; Linux allows
 * 255). A name that works on Linux therefore works on macOS.
 *
 * Every failure is an `RttError` with code `RTT_ERR_SHM`; its message names the operation, the
 * segment and the errno name (`EEXIST`, `ENOENT`, ...), and its `cause` is the addon's error
 * (with `code`, `errno`, `syscall`). `shmErrno(error)` reads the errno name back.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { errorMessage } from "@rtt/core/error-message.ts";
import { RttError } from "@rtt/core/errors.ts";

/** A mapped segment. `buffer` stays valid until `close()`, after which its byteLength is 0. */
export interface ShmSegment {
  readonly name: string;
  /** Bytes mapped: as created; on open, the OS's size (macOS rounds up to a page). */
  readonly size: number;
  /** Shared with every process that maps the segment; zero-filled when created. */
  readonly buffer: ArrayBuffer;
  /** Unmaps (detaching `buffer` first). Idempotent. Does not unlink the name. */
  close(): void;
}

export interface ShmApi {
  /** Creates a new segment (mode 0600); `EEXIST` if the name is taken. */
  create(name: string, size: number): ShmSegment;
  /** Maps an existing segment; `ENOENT` if there is none. */
  open(name: string): ShmSegment;
  /** Removes the name (mappings stay valid). False if there was no such segment (and on
   *  Windows, where a mapping dies with its last handle and there is nothing to remove). */
  unlink(name: string): boolean;
}

/** Where build.mjs puts the addon. */
export const SHM_ADDON_PATH: string = fileURLToPath(
  new URL("../native/build/Release/rtt_shm.node", import.meta.url),
);
const UNAVAILABLE_NOTE = fileURLToPath(new URL("../native/build/UNAVAILABLE.txt", import.meta.url));

/** macOS's limit (PSHMNAMLEN), applied everywhere. */
export const SHM_NAME_MAX_BYTES = 31;
const SHM_NAME = /^\/rtt-[A-Za-z0-9._-]+$/;

// The raw addon, as src/shm.cc exports it.
interface RawMapping {
  readonly buffer: ArrayBuffer;
  readonly size: number;
}
interface RawShm {
  create(name: string, size: number): RawMapping;
  open(name: string): RawMapping;
  unlink(name: string): boolean;
  close(buffer: ArrayBuffer): boolean;
}

type LoadState = { readonly api: ShmApi } | { readonly reason: string };
let state: LoadState | undefined;
/** The addon module as loaded (shared with peer-cred.ts), or why it cannot be. */
let addon: { readonly raw: unknown } | { readonly reason: string } | undefined;

/** The shared-memory API, or undefined when the native addon is unavailable (see the reason). */
export function loadShm(): ShmApi | undefined {
  state ??= load();
  return "api" in state ? state.api : undefined;
}

/** Why `loadShm()` returns undefined; undefined when the addon is loaded. */
export function shmUnavailableReason(): string | undefined {
  state ??= load();
  return "reason" in state ? state.reason : undefined;
}

function load(): LoadState {
  const loaded = loadNativeAddon();
  if ("reason" in loaded) return loaded;
  if (!isRawShm(loaded.raw)) {
    return { reason: `native addon failed to load: ${SHM_ADDON_PATH} is not rtt_shm` };
  }
  return { api: wrap(loaded.raw) };
}

/**
 * The addon's exports as `require` returns them (loaded at most once per process), or the one
 * sentence saying why it is unavailable. Its users check the shape they need.
 */
export function loadNativeAddon(): { readonly raw: unknown } | { readonly reason: string } {
  addon ??= requireAddon();
  return addon;
}

function requireAddon(): { readonly raw: unknown } | { readonly reason: string } {
  if (process.env.RTT_NO_NATIVE === "1") {
    return { reason: "native addon disabled by RTT_NO_NATIVE=1" };
  }
  try {
    return { raw: createRequire(import.meta.url)(SHM_ADDON_PATH) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "MODULE_NOT_FOUND" || code === "ENOENT") {
      const note = installNote();
      return {
        reason:
          `native addon not built: ${SHM_ADDON_PATH} missing ` +
          (note === undefined
            ? "(npm install builds it; see the install warning)"
            : `(the install said: ${note})`),
      };
    }
    return { reason: `native addon failed to load: ${errorMessage(error)}` };
  }
}

/** The reason build.mjs recorded when it could not build the addon. */
function installNote(): string | undefined {
  try {
    const note = readFileSync(UNAVAILABLE_NOTE, "utf8").trim();
    return note === "" ? undefined : note;
  } catch {
    return undefined;
  }
}

function isRawShm(value: unknown): value is RawShm {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.create === "function" &&
    typeof v.open === "function" &&
    typeof v.unlink === "function" &&
    typeof v.close === "function"
  );
}

function wrap(raw: RawShm): ShmApi {
  const segment = (name: string, mapping: RawMapping): ShmSegment => {
    const { buffer, size } = mapping;
    return {
      name,
      size,
      buffer,
      close(): void {
        try {
          raw.close(buffer);
        } catch (error) {
          throw shmError("close", name, error);
        }
      },
    };
  };
  return {
    create(name: string, size: number): ShmSegment {
      checkShmName("create", name);
      if (!Number.isSafeInteger(size) || size <= 0) {
        throw new RttError(
          "RTT_ERR_SHM",
          `shm create ${name} failed: EINVAL (size ${size} is not a positive integer)`,
        );
      }
      try {
        return segment(name, raw.create(name, size));
      } catch (error) {
        throw shmError("create", name, error);
      }
    },
    open(name: string): ShmSegment {
      checkShmName("open", name);
      try {
        return segment(name, raw.open(name));
      } catch (error) {
        throw shmError("open", name, error);
      }
    },
    unlink(name: string): boolean {
      checkShmName("unlink", name);
      try {
        return raw.unlink(name);
      } catch (error) {
        throw shmError("unlink", name, error);
      }
    },
  };
}

/** Refuses a name outside RTT's portable rule, before any system call. */
export function checkShmName(operation: string, name: string): void {
  if (!SHM_NAME.test(name)) {
    throw new RttError(
      "RTT_ERR_SHM",
      `shm ${operation} ${JSON.stringify(name)} failed: EINVAL (a segment name is /rtt- followed by letters, digits, '.', '_' or '-')`,
    );
  }
  if (Buffer.byteLength(name) > SHM_NAME_MAX_BYTES) {
    throw new RttError(
      "RTT_ERR_SHM",
      `shm ${operation} ${name} failed: ENAMETOOLONG (${Buffer.byteLength(name)} bytes; at most ${SHM_NAME_MAX_BYTES} including the slash, macOS's limit)`,
    );
  }
}

const HINTS: Readonly<Record<string, string>> = {
  EEXIST: "a segment with this name exists: unlink it, or pick another name",
  ENOENT: "no segment has this name: it was never created, or was unlinked already",
  EACCES: "the segment belongs to another user (segments are created with mode 0600)",
  ENOMEM: "not enough memory for the mapping",
  ENOSPC: "the shared-memory file system is full (see `df /dev/shm` on Linux)",
  EMFILE: "this process has too many open files",
};

function shmError(operation: string, name: string, error: unknown): RttError {
  const errno = errnoOf(error) ?? "EUNKNOWN";
  const hint = HINTS[errno];
  return new RttError(
    "RTT_ERR_SHM",
    `shm ${operation} ${name} failed: ${errno} (${errorMessage(error)})`,
    hint === undefined ? { cause: error } : { cause: error, hint },
  );
}

function errnoOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  return typeof error.code === "string" ? error.code : undefined;
}

/** The errno name (`"EEXIST"`, `"ENOENT"`, ...) behind an RTT_ERR_SHM error, if any. */
export function shmErrno(error: unknown): string | undefined {
  if (!(error instanceof RttError) || error.code !== "RTT_ERR_SHM") return undefined;
  return errnoOf(error.cause) ?? /failed: (E[A-Z0-9]+)/.exec(error.message)?.[1];
}

/**
 * The entries of /dev/shm whose names start with `prefix`, as they appear there (without the
 * segment name's leading slash: `rtt-abc`, the segment `/rtt-abc`). A leading slash on `prefix`
 * is ignored. Linux only: elsewhere POSIX shm names cannot be listed and this returns [].
 * The lanes use it to find and reclaim segments left by killed processes.
 */
export function listShmSegments(prefix: string): string[] {
  if (process.platform !== "linux") return [];
  const bare = prefix.startsWith("/") ? prefix.slice(1) : prefix;
  let entries: string[];
  try {
    entries = readdirSync("/dev/shm");
  } catch {
    return [];
  }
  return entries.filter((entry) => entry.startsWith(bare)).sort();
}
