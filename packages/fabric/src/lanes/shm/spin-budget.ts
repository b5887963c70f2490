/**
 * How long an shm reader that found its ring empty keeps polling before it parks on the
 * doorbell (shm-reader.ts), adapted to the gaps it has seen — the way an adaptive mutex spins.
 *
 * Parking costs a wake-up: the writer rings the doorbell socket and the reader's event loop
 * comes back from epoll, tens to hundreds of µs on a loaded host. Polling costs a core. So:
 * - a record that arrived while polling, `waited` µs after the ring went empty, says gaps are
 *   short: keep at least twice that budget, so the next gap of the kind is caught too;
 * - a record that arrived after parking, `gap` µs after the ring went empty, says the budget
 *   was too short if the gap was within reach (grow to 1.5 × the gap) and that gaps are long
 *   otherwise (halve: a few long gaps bring the budget to 0, and the reader parks at once);
 * - a poll that came back late (the reader's process was off the CPU, or its event loop
 *   busy) says the host is contended: polling then takes a core others are queued for —
 *   possibly the writer — and catches nothing sooner than the doorbell would; halve too.
 * The budget never exceeds `maxMicros`, so an idle lane polls at most that long after its
 * last record and then costs no CPU at all.
 */

/** The default ceiling: the coalescing window of docs/design.md §Lanes, the longest a paced gap is chased. */
export const DEFAULT_MAX_SPIN_MICROS = 200;
/** The budget a new reader starts with, until gaps say otherwise. */
const INITIAL_MICROS = 50;

export class SpinBudget {
  readonly maxMicros: number;
  #micros: number;

  /** `maxMicros` 0 turns polling off: the reader parks as soon as the ring is empty. */
  constructor(maxMicros = DEFAULT_MAX_SPIN_MICROS) {
    if (!(maxMicros >= 0) || !Number.isFinite(maxMicros)) {
      throw new RangeError(`spin budget must be a finite number of µs >= 0, got ${maxMicros}`);
    }
    this.maxMicros = maxMicros;
    this.#micros = Math.min(INITIAL_MICROS, maxMicros);
  }

  /** How long to poll now, in µs. */
  get micros(): number {
    return this.#micros;
  }

  /** A record arrived while polling, `waitedMicros` after the ring went empty. */
  caught(waitedMicros: number): void {
    this.#micros = Math.min(this.maxMicros, Math.max(this.#micros, 2 * waitedMicros));
  }

  /** A record arrived after the reader parked, `gapMicros` after the ring went empty. */
  missed(gapMicros: number): void {
    if (gapMicros <= this.maxMicros) {
      this.#micros = Math.min(this.maxMicros, Math.max(this.#micros, 1.5 * gapMicros));
    } else {
      this.#halve();
    }
  }

  /** A poll turn came back late: the reader did not have the CPU it polled with. */
  contended(): void {
    this.#halve();
  }

  #halve(): void {
    // Below 1 µs a poll catches nothing a park would not: stop polling altogether.
    const half = this.#micros / 2;
    this.#micros = half < 1 ? 0 : half;
  }
}
