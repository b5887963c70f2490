/**
 * Which link of this driver runs the program in an end's state directory. Two links of one end
 * can live in one driver at once: the heal of a held route (ADR 0013) opens a fresh link of the
 * target while the parked one still runs the end's program. The program record cannot tell them
 * apart — it names this process as the owner either way — so a new link asks here first, and
 * the earlier link hands the program over: its writes finished, its FIFO ends let go, recorded
 * as nobody's. The new link then adopts it as it would a dead driver's (program.ts), and the
 * flow goes on to the same program instead of a second one started beside it.
 */

export interface DirHolder {
  /**
   * Lets go of the program for another link of this driver, and of its place here (`letGoDir`);
   * false when it cannot. Asked twice, it answers both with the one handover.
   */
  handOver(): Promise<boolean>;
}

const holders = new Map<string, DirHolder>();

/** `holder` runs the program in `dir` now. */
export function holdDir(dir: string, holder: DirHolder): void {
  holders.set(dir, holder);
}

/** `holder` no longer runs the program in `dir` (a later holder keeps its place). */
export function letGoDir(dir: string, holder: DirHolder): void {
  if (holders.get(dir) === holder) holders.delete(dir);
}

/** Whether a link of this driver still runs the program in `dir`. */
export function heldHere(dir: string): boolean {
  return holders.has(dir);
}

/**
 * Takes the program in `dir` from the link of this driver that runs it, if any. False when that
 * link could not let go (it stays the holder, and the new link runs a program of its own).
 */
export function takeFromOwnLink(dir: string): Promise<boolean> {
  return holders.get(dir)?.handOver() ?? Promise.resolve(true);
}
