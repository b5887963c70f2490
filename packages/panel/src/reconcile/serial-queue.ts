/**
 * Work run one piece at a time, in the order it was queued: the reconciler's applies, swaps,
 * sweeps and the rest must not interleave (a batch begins its transaction on the graph the one
 * before it left; a sweep's view of the live routes must not change under it). A piece that
 * fails does not stop the ones after it; its failure is its caller's.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after every piece queued before it finished. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(fn, fn);
    this.#tail = run.catch(() => {});
    return run;
  }

  /** Resolves once the work queued so far has finished. */
  async idle(): Promise<void> {
    await this.#tail;
  }
}
