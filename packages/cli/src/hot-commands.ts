/**
 * `rtt panel status`, `rtt ls routes` and `rtt scan` without commander: scripts, prompts and
 * watch loops run them over and over, and building the whole program costs more than Node's own
 * start. Only the plainest spelling is taken here — `[-C DIR | --dir DIR] panel status|ls routes
 * [--json]`, `[-C DIR] scan [--json] [--local]` — and anything else (help, another flag, a typo,
 * an option after `-C`'s place) goes to commander, so every flag means the same and every error
 * reads the same either way.
 */
import type { CommandContext } from "./commands/context.ts";
import { folderOption } from "./commands/flags.ts";
import type { Terminal } from "./output.ts";

/** The flags a hot command takes here, each a boolean commander would set under this name. */
type HotFlags = { readonly json?: boolean; readonly local?: boolean };
type HotCommand = (ctx: CommandContext, opts: HotFlags) => Promise<number>;

/** Each hot command by its words: the flags taken without commander, and its loader. */
const HOT: Readonly<
  Record<string, { readonly flags: readonly string[]; readonly load: () => Promise<HotCommand> }>
> = {
  "panel status": {
    flags: ["--json"],
    load: async () => (await import("./commands/panel.ts")).panelStatusCommand,
  },
  "ls routes": {
    flags: ["--json"],
    load: async () => (await import("./commands/ls.ts")).lsRoutesCommand,
  },
  // A cold scan of a large tree is what a new user times first.
  scan: {
    flags: ["--json", "--local"],
    load: async () => (await import("./commands/scan.ts")).scanCommand,
  },
};

/** `argv` as a hot command, or undefined when commander is to parse it. */
export function hotCommand(
  argv: readonly string[],
):
  | { readonly words: string; readonly dir: string | undefined; readonly flags: HotFlags }
  | undefined {
  let rest = argv;
  let dir: string | undefined;
  // -C takes the next word whatever it is, as commander does; given twice, the last one counts.
  while ((rest[0] === "-C" || rest[0] === "--dir") && rest.length >= 2) {
    dir = rest[1];
    rest = rest.slice(2);
  }
  const two = `${rest[0]} ${rest[1]}`;
  const words = rest.length >= 2 && Object.hasOwn(HOT, two) ? two : rest[0];
  if (words === undefined || !Object.hasOwn(HOT, words)) return undefined;
  const taken = (HOT[words] as (typeof HOT)[string]).flags;
  const given = rest.slice(words.split(" ").length);
  // Each flag once at most, and nothing else: any other spelling is commander's to read.
  if (new Set(given).size !== given.length || given.some((f) => !taken.includes(f)))
    return undefined;
  // `--json` sets `json`, as commander names it.
  const flags: HotFlags = Object.fromEntries(given.map((f) => [f.slice(2), true]));
  return { words, dir, flags };
}

/** Runs a hot command (from `hotCommand`) and returns its exit code. */
export async function runHot(
  hot: NonNullable<ReturnType<typeof hotCommand>>,
  term: Terminal,
): Promise<number> {
  const command = await (HOT[hot.words] as (typeof HOT)[string]).load();
  const cwd = folderOption(hot.dir) ?? process.cwd();
  return command({ cwd, term }, hot.flags);
}
