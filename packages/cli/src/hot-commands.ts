/**
 * `rtt panel status` and `rtt ls routes` without commander: scripts, prompts and watch loops run
 * them over and over, and building the whole program costs more than Node's own start. Only the
 * plainest spelling is taken here — `[-C DIR | --dir DIR] panel status|ls routes [--json]` —
 * and anything else (help, another flag, a typo, an option after the command) goes to
 * commander, so every flag means the same and every error reads the same either way.
 */
import type { CommandContext } from "./commands/context.ts";
import { folderOption } from "./commands/flags.ts";
import type { Terminal } from "./output.ts";

type HotCommand = (ctx: CommandContext, opts: { json?: boolean }) => Promise<number>;

/** Each hot command by its words, loaded as commander's action would load it. */
const HOT: Readonly<Record<string, () => Promise<HotCommand>>> = {
  "panel status": async () => (await import("./commands/panel.ts")).panelStatusCommand,
  "ls routes": async () => (await import("./commands/ls.ts")).lsRoutesCommand,
};

/** `argv` as a hot command, or undefined when commander is to parse it. */
export function hotCommand(
  argv: readonly string[],
):
  | { readonly words: string; readonly dir: string | undefined; readonly json: boolean }
  | undefined {
  let rest = argv;
  let dir: string | undefined;
  // -C takes the next word whatever it is, as commander does; given twice, the last one counts.
  while ((rest[0] === "-C" || rest[0] === "--dir") && rest.length >= 2) {
    dir = rest[1];
    rest = rest.slice(2);
  }
  const words = `${rest[0]} ${rest[1]}`;
  if (rest.length < 2 || !Object.hasOwn(HOT, words)) return undefined;
  if (rest.length === 2) return { words, dir, json: false };
  if (rest.length === 3 && rest[2] === "--json") return { words, dir, json: true };
  return undefined;
}

/** Runs a hot command (from `hotCommand`) and returns its exit code. */
export async function runHot(
  hot: NonNullable<ReturnType<typeof hotCommand>>,
  term: Terminal,
): Promise<number> {
  const command = await (HOT[hot.words] as () => Promise<HotCommand>)();
  const cwd = folderOption(hot.dir) ?? process.cwd();
  return command({ cwd, term }, hot.json ? { json: true } : {});
}
