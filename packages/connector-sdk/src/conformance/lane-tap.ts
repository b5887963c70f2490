/**
 * The check's own end of a lane the driver writes: it listens, records every frame it reads and
 * how the lane ended (EOS, or the peer going away without one).
 */
import {
  type Frame,
  FrameType,
  type LaneAddress,
  type LaneKind,
  type LaneReader,
  listenReader,
} from "@rtt/fabric";
import { CheckFailed } from "./report.ts";

export class LaneTap {
  readonly frames: Frame[] = [];
  /** "eos" once EOS arrived; "broken" when the lane ended without one. */
  end: "eos" | "broken" | undefined;
  #reader: LaneReader | undefined;
  #close: () => void = () => {};
  readonly #waiters = new Set<() => void>();

  readonly address: LaneAddress;

  static async listen(kind: LaneKind): Promise<LaneTap> {
    const listener = await listenReader(kind);
    const tap = new LaneTap(listener.address);
    tap.#close = () => listener.close();
    listener.accepted.then(
      (reader) => tap.#attach(reader),
      () => {},
    );
    return tap;
  }

  private constructor(address: LaneAddress) {
    this.address = address;
  }

  #attach(reader: LaneReader): void {
    this.#reader = reader;
    reader.on("frame", (frame: Frame) => {
      this.frames.push(frame);
      this.#wake();
    });
    reader.on("end", () => {
      this.end ??= "eos";
      this.#wake();
    });
    const broken = () => {
      this.end ??= "broken";
      this.#wake();
    };
    reader.on("error", broken);
    reader.on("close", broken);
  }

  #wake(): void {
    for (const w of this.#waiters) w();
  }

  get data(): Frame[] {
    return this.frames.filter((f) => f.type === FrameType.DATA);
  }

  get heartbeats(): number {
    return this.frames.filter((f) => f.type === FrameType.HEARTBEAT).length;
  }

  /** Resolves once `ready()` holds; fails naming `what` after `ms`. */
  until(ready: () => boolean, ms: number, what: string): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = () => {
        if (!ready()) return;
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(done);
        reject(new CheckFailed(`${what} (waited ${ms} ms)`));
      }, ms);
      this.#waiters.add(done);
    });
  }

  /** Seq numbers must run 1, 2, 3, … on every lane: which frame broke that, if any. */
  numberingProblem(): string | undefined {
    for (const [i, f] of this.frames.entries())
      if (f.seq !== i + 1) return `frame ${i + 1} on the lane has seq ${f.seq}`;
    return undefined;
  }

  close(): void {
    this.#reader?.close();
    this.#close();
  }
}
