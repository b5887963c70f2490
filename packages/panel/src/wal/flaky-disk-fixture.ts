/** A disk that fails on demand, for tests of the WAL and the audit ledger on a failing disk. */
import { NODE_IO, type WalIo } from "./segment-writer.ts";

function enospc(): Error {
  return Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
}

/** A disk whose next failures are armed by the test: writes tear after `tearAfter` bytes. */
export class FlakyDisk implements WalIo {
  failWrites = 0;
  failSyncs = 0;
  failTruncates = 0;
  /** Bytes a failing write still puts on disk before it fails (a torn record). */
  tearAfter = 5;
  writeSync(fd: number, bytes: Buffer, offset: number): number {
    if (this.failWrites > 0) {
      this.failWrites--;
      const torn = Math.min(this.tearAfter, bytes.length - offset - 1);
      if (torn > 0) NODE_IO.writeSync(fd, bytes.subarray(0, offset + torn), offset);
      throw enospc();
    }
    return NODE_IO.writeSync(fd, bytes, offset);
  }
  fsyncSync(fd: number): void {
    if (this.failSyncs > 0) {
      this.failSyncs--;
      throw Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" });
    }
    NODE_IO.fsyncSync(fd);
  }
  ftruncateSync(fd: number, length: number): void {
    if (this.failTruncates > 0) {
      this.failTruncates--;
      throw Object.assign(new Error("EIO: i/o error, ftruncate"), { code: "EIO" });
    }
    NODE_IO.ftruncateSync(fd, length);
  }
}
