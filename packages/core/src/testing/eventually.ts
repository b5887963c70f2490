/**
 * Test-only: waiting for what another process, a socket or a later turn of the event loop does.
 * The one poll-until of the tests (and benches): every wait names what it waits for, and a
 * timeout only ends a hang — a loaded 2-core CI machine is slow, not wrong, so a bound is never
 * tight.
 */
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";

export interface EventuallyOptions {
  /** What is awaited, as the failure says it: "timed out after … ms waiting for <what>". */
  readonly what: string;
  /** How long before the wait fails. Default 5 s. */
  readonly timeoutMs?: number;
  /**
   * The pause between checks. Default 10 ms; a check that reads large files or runs a program
   * wants a longer one, so that polling does not take the machine from what it waits for.
   */
  readonly intervalMs?: number;
  /** Added to the failure message: what the system was doing instead (a log's tail, a status). */
  readonly detail?: () => string;
}

/** What a check returns while its condition does not hold yet. */
type NotYet = false | undefined;

function holds<T>(value: T): value is Exclude<T, NotYet> {
  return value !== false && value !== undefined;
}

/**
 * Runs `check` (at once, then every `intervalMs`) until it returns or resolves to something
 * other than `false` or `undefined`, and returns that: a boolean check gives `true`, a probe
 * of `T | undefined` gives its `T`. An exception from `check` fails the wait at once — a check
 * may assert on what it reads, and a failed assertion is not a reason to try again. After
 * `timeoutMs` the wait fails with an AssertionError naming `what` and `detail()`.
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  options: EventuallyOptions,
): Promise<Exclude<T, NotYet>> {
  const { what, timeoutMs = 5000, intervalMs = 10, detail } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (holds(value)) return value;
    if (Date.now() > deadline) {
      const more = detail === undefined ? "" : `\n${detail()}`;
      assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}${more}`);
    }
    await sleep(intervalMs);
  }
}

/**
 * Waits until `count` stops moving: the same value, above 0, over `quietMs` (default 200 ms),
 * and returns it. For "the producer stalled": how soon it stalls depends on the machine's load,
 * so a fixed sleep before a second reading fails on a busy one; a producer that never stalls
 * still fails, at `timeoutMs` (default 10 s).
 */
export async function settled(
  count: () => number,
  options: Omit<EventuallyOptions, "intervalMs"> & { readonly quietMs?: number },
): Promise<number> {
  const { quietMs = 200, timeoutMs = 10_000, ...rest } = options;
  let last = -1;
  return eventually(
    () => {
      const now = count();
      const still = now === last && now > 0;
      last = now;
      return still ? now : undefined;
    },
    { ...rest, timeoutMs, intervalMs: quietMs, detail: rest.detail ?? (() => `at ${count()}`) },
  );
}
