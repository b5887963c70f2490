/**
 * The live view of `rtt tap` on a terminal, with Ink: a header (the panel's pid, the time), one
 * row per route (breaker coloured, throughput, p50/p95/p99, queue depth, errors, a sparkline of
 * throughput, health), and `q` or ctrl-c to quit. Loaded only on a TTY (`import()` in tapCommand),
 * so the other commands and `rtt tap --json` never load React.
 */
import { Box, render, Text, useInput, useStdin, useWindowSize } from "ink";
import React from "react";
import { HISTORY, TAP_HEADERS, type TapRow, tapCells } from "./rows.ts";

const h = React.createElement;

export interface TapViewProps {
  readonly pid: number;
  /** The time the header shows, epoch ms. */
  readonly now: number;
  readonly rows: readonly TapRow[];
  /** False with NO_COLOR (or TERM=dumb): no colour at all. */
  readonly color: boolean;
  readonly onQuit: () => void;
}

const BREAKER_COLOURS: Readonly<Record<string, string>> = {
  closed: "green",
  "half-open": "yellow",
  open: "red",
};

/** HH:MM:SS, local time (by hand: toLocaleTimeString loads ICU). */
function clock(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()]
    .map((n) => String(n).padStart(2, "0"))
    .join(":");
}

export function TapView(props: TapViewProps): React.ReactElement {
  const { pid, now, rows, color, onQuit } = props;
  const { isRawModeSupported } = useStdin();
  useInput(
    (input, key) => {
      if (input === "q" || (key.ctrl && input === "c")) onQuit();
    },
    { isActive: isRawModeSupported },
  );
  const { columns } = useWindowSize();
  // The sparkline gets what the terminal has left after the other columns (7 to HISTORY samples).
  const historyAt = TAP_HEADERS.indexOf("HISTORY");
  const full = rows.map(tapCells);
  const others = TAP_HEADERS.reduce(
    (sum, head, i) =>
      i === historyAt
        ? sum
        : sum + 2 + Math.max(head.length, ...full.map((r) => (r[i] ?? "").length)),
    0,
  );
  const samples = Math.max("HISTORY".length, Math.min(HISTORY, columns - others));
  const cells = rows.map((r) => tapCells({ sample: r.sample, history: r.history.slice(-samples) }));
  const widths = TAP_HEADERS.map((head, i) =>
    Math.max(head.length, ...cells.map((r) => (r[i] ?? "").length)),
  );
  const paint = (text: string, colour: string | undefined) =>
    h(Text, color && colour !== undefined ? { color: colour } : {}, text);
  const line = (key: string, row: readonly string[], colours: readonly (string | undefined)[]) =>
    h(
      Text,
      { key, wrap: "truncate-end" },
      ...row.map((cell, i) =>
        paint(i === row.length - 1 ? cell : `${cell.padEnd(widths[i] ?? 0)}  `, colours[i]),
      ),
    );
  return h(
    Box,
    { flexDirection: "column" },
    h(
      Text,
      { bold: color },
      `rtt tap · panel pid ${pid} · ${clock(now)} · ${rows.length} route${rows.length === 1 ? "" : "s"}`,
    ),
    h(Text, null, " "),
    line("head", TAP_HEADERS, []),
    ...rows.map((r, i) =>
      line(r.sample.route, cells[i] ?? [], [
        undefined,
        BREAKER_COLOURS[r.sample.breaker],
        ...Array<undefined>(5),
        r.sample.ok ? "green" : "red",
      ]),
    ),
    rows.length === 0 ? h(Text, null, "waiting for the first sample…") : null,
    h(Text, null, " "),
    h(Text, { dimColor: color }, "q or ctrl-c to quit"),
  );
}

export interface TapViewHandle {
  update(rows: readonly TapRow[], now: number): void;
  /** Unmounts the view (its last frame stays on screen) and gives the terminal back. */
  stop(): Promise<void>;
}

/** Renders the view on `stdout` (a TTY) until `stop()`; `onQuit` is called on `q` or ctrl-c. */
export function startTapView(opts: {
  readonly pid: number;
  readonly color: boolean;
  readonly onQuit: () => void;
  readonly stdout?: NodeJS.WriteStream;
  readonly stdin?: NodeJS.ReadStream;
}): TapViewHandle {
  const base = { pid: opts.pid, color: opts.color, onQuit: opts.onQuit };
  const ink = render(h(TapView, { ...base, rows: [], now: Date.now() }), {
    stdout: opts.stdout ?? process.stdout,
    stdin: opts.stdin ?? process.stdin,
    // Ctrl-c arrives as input in raw mode: the view quits as on `q`, so the stream is cancelled.
    exitOnCtrlC: false,
    patchConsole: false,
    // The caller checked stdout is a TTY; in CI too (is-in-ci) the view is live.
    interactive: true,
  });
  let stopped = false;
  return {
    update(rows, now) {
      if (!stopped) ink.rerender(h(TapView, { ...base, rows, now }));
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      ink.unmount();
      await ink.waitUntilExit();
    },
  };
}
