/**
 * The quickstart's event bus replaced by a burst: `python3 burst.py count pad` waits for
 * `logs/go` (so every route is wired before its first event), writes `count` events with `pad`
 * bytes of padding as fast as it can, then idles. For the fan-out tests, which count what each
 * logger got.
 */
import type { Workspace } from "./quickstart-workspace.ts";

const BURST_PY = `
import json, os, sys, time
count, pad = int(sys.argv[1]), "x" * int(sys.argv[2])
while not os.path.exists("../../logs/go"):
    time.sleep(0.05)
for seq in range(1, count + 1):
    sys.stdout.write(json.dumps({"seq": seq, "type": "tick", "pad": pad}) + "\\n")
sys.stdout.flush()
time.sleep(3600)
`;

/** The bus program itself by argv (python3 may be a shim that execs another path), not its waiter. */
export const BURST_BUS = /^\S*python3[\d.]* burst\.py/;

/** Makes `w`'s bus the burst of `count` events padded with `pad` bytes. */
export function useBurstBus(w: Workspace, count: number, pad: number): void {
  w.write("services/events/burst.py", BURST_PY);
  w.editManifest("services/events/rtt.manifest.json", (symbol) => {
    symbol["x-run"] = ["python3", "burst.py", String(count), String(pad)];
  });
}

/** The `seq`s of a logger's file `rel`, in the order it wrote them. */
export function loggedSeqs(w: Workspace, rel: string): number[] {
  return w
    .read(rel)
    .trim()
    .split("\n")
    .map((l) => (JSON.parse(l) as { record: { seq: number } }).record.seq);
}

/** 1, 2, …, n. */
export const oneToN = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
