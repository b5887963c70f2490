/**
 * A connector's rx as a queue: messages pushed as events happen (an HTTP answer, a stub's reply)
 * and pulled by the runtime's pump through `drain()`, in push order. `end()` lets the pump finish
 * what is queued and then stop; pushes after it are ignored.
 */
import { BoundedQueue } from "@rtt/fabric";
import type { RxMessage } from "./define-connector.ts";

export class RxQueue {
  /**
   * No marks: what pushes here is an event, not a producer the pump could pause; so no sizes
   * either, since nothing reads the byte count.
   */
  readonly #items = new BoundedQueue<RxMessage>();
  #wake: (() => void) | undefined;
  #ended = false;

  push(item: RxMessage): void {
    if (this.#ended) return;
    this.#items.push(item);
    this.#wake?.();
  }

  end(): void {
    this.#ended = true;
    this.#wake?.();
  }

  async *drain(): AsyncGenerator<RxMessage> {
    for (;;) {
      const item = this.#items.shift();
      if (item !== undefined) {
        yield item;
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
  }
}
