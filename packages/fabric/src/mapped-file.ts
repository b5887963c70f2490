/**
 * A MAP_SHARED mapping of an open regular file through the native addon's `mapFile`
 * (native/src/shm.cc): stores into `buffer` reach the page cache without a system call, so, as
 * with a write(2), they outlive a kill -9 of the process that made them (not a kernel crash).
 * A route journal's delivered mark is one aligned 8-byte store a message this way (ADR 0016).
 */
import { loadNativeAddon } from "./native.ts";

export interface MappedFile {
  /** The file's first `size` bytes; its byteLength is 0 after `close()`. */
  readonly buffer: ArrayBuffer;
  /** Unmaps (detaching `buffer` first). Idempotent. The descriptor stays the caller's. */
  close(): void;
}

interface RawMapFile {
  mapFile(fd: number, size: number): { readonly buffer: ArrayBuffer };
  close(buffer: ArrayBuffer): boolean;
}

/**
 * Maps the first `size` bytes of the regular file open on `fd` (which must hold them), or
 * returns undefined when the addon cannot (not built, disabled, Windows, an older build):
 * callers then write through the descriptor. A failing mmap throws the addon's error.
 */
export function mapFile(fd: number, size: number): MappedFile | undefined {
  const loaded = loadNativeAddon();
  if ("reason" in loaded) return undefined;
  const raw = loaded.raw as Partial<RawMapFile> | null;
  if (typeof raw?.mapFile !== "function" || typeof raw.close !== "function") return undefined;
  const { buffer } = raw.mapFile(fd, size);
  const close = raw.close;
  return {
    buffer,
    close(): void {
      close(buffer);
    },
  };
}
