/**
 * Test fixture (not a test): a process that journals transactions to a WAL until it is killed.
 * argv: <wal dir> <mode>. Mode `append` writes small transactions forever — some committed, some
 * aborted, some left open — and prints `durable <seq> <n>` only after `commit` (and so its fsync)
 * returned. Mode `hold` opens the WAL, prints `ready`, and waits, holding the lock.
 */
import { Wal } from "./wal.ts";

const [dir, mode] = process.argv.slice(2);
if (dir === undefined) throw new Error("usage: crash-child.ts <dir> <append|hold>");
const wal = Wal.open({ dir, segmentBytes: 4096 });
const base = wal.committed?.post;
let n =
  typeof base === "object" && base !== null && "n" in base && typeof base.n === "number"
    ? base.n
    : 0;
process.stdout.write(`ready ${process.pid}\n`);
if (mode === "hold") {
  setInterval(() => {}, 1000);
} else {
  const lease = { pid: process.pid, startTime: "0" };
  for (let i = 0; ; i++) {
    const tx = wal.begin({ n });
    wal.recordResource(tx, {
      kind: "socket",
      name: `/tmp/s-${process.pid}-${i}`,
      owner: "t",
      lease,
    });
    wal.op(tx, { type: "edit", edit: { step: i, pad: "x".repeat(i % 50) } });
    if (i % 7 === 3) wal.abort(tx);
    else if (i % 11 === 5) {
      // left open: a partial transaction the next replay must discard
    } else {
      const seq = wal.commit(tx, { n: n + 1 });
      n += 1;
      process.stdout.write(`durable ${seq} ${n}\n`);
    }
  }
}
