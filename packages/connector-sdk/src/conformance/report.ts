/**
 * The verdicts of `rtt driver check` (docs/connectors.md, "The wire protocol"): one per rule of
 * the driver contract, each passed, failed or skipped, with a sentence saying why.
 */
import { errorMessage } from "@rtt/core";

export type Verdict = "pass" | "fail" | "skip";

export interface CheckResult {
  /** A stable name, e.g. "handshake-line" (what a test or a script matches on). */
  readonly name: string;
  readonly verdict: Verdict;
  /** What was seen: the evidence of a pass, the reason of a failure or skip. */
  readonly why: string;
}

/** A rule broken: the check fails with this sentence (anything else thrown fails it too). */
export class CheckFailed extends Error {}

/** A rule that cannot be checked here: the check is skipped with this sentence. */
export class CheckSkipped extends Error {}

export function expect(condition: boolean, why: string): asserts condition {
  if (!condition) throw new CheckFailed(why);
}

/** Runs checks in order, each with a deadline, recording one verdict per check. */
export class CheckRun {
  readonly results: CheckResult[] = [];
  readonly #onResult: (r: CheckResult) => void;

  constructor(onResult: (r: CheckResult) => void = () => {}) {
    this.#onResult = onResult;
  }

  /** Whether the check `name` ran and passed (a later check may need it). */
  passed(name: string): boolean {
    return this.results.some((r) => r.name === name && r.verdict === "pass");
  }

  get failed(): boolean {
    return this.results.some((r) => r.verdict === "fail");
  }

  record(name: string, verdict: Verdict, why: string): void {
    const r = { name, verdict, why };
    this.results.push(r);
    this.#onResult(r);
  }

  /** Runs `body`; its string is the pass's evidence. Undefined when it did not pass. */
  async run<T extends string | { why: string }>(
    name: string,
    timeoutMs: number,
    body: () => Promise<T>,
  ): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new CheckFailed(`no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      const out = await Promise.race([body(), deadline]);
      this.record(name, "pass", typeof out === "string" ? out : out.why);
      return out;
    } catch (error) {
      if (error instanceof CheckSkipped) this.record(name, "skip", error.message);
      else this.record(name, "fail", errorMessage(error));
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  skip(names: readonly string[], why: string): void {
    for (const name of names) this.record(name, "skip", why);
  }
}
