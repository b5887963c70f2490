/**
 * Which link of this driver runs the program in an end's state directory. Two links of one end
 * can live in one driver at once: the heal of a held route (ADR 0013) opens a fresh link of the
 * target while the parked one still runs the end's program. The program record cannot tell them
 * apart — it names this process as the owner either way — so a new link asks here first, and
 * the earlier link hands the program over: its writes finished, its FIFO ends let go, recorded
 * as nobody's. The new link then adopts it as it would a dead driver's (program.ts), and the
 * flow goes on to the same program instead of a second one started beside it — when it is the
 * same program: a link for another launch (a replace that changed `x-run`) does not take it, as
 * the replace may yet roll back to the old link; it runs a program of its own until then.
 */

export interface DirHolder {
  /** The launch its program was started with (program.ts `commandLaunchHash`). */
  readonly launch: string;
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
 * Takes the program in `dir` from the link of this driver that runs it, if any and if it runs
 * `launch`. False when that link runs another launch or could not let go (it stays the holder,
 * and the new link runs a program of its own).
 */
export function takeFromOwnLink(dir: string, launch: string): Promise<boolean> {
  const holder = holders.get(dir);
  if (holder === undefined) return Promise.resolve(true);
  return holder.launch === launch ? holder.handOver() : Promise.resolve(false);
}
