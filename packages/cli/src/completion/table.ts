/**
 * The command table shell completion is generated from: walked out of the commander program
 * itself (program.ts), so a command or flag added there completes without anyone listing it
 * again. Uses commander's public Help API, which also yields the implicit `help` command and
 * `-h, --help` exactly where `rtt --help` shows them.
 */
import type { Command, Option } from "commander";

/**
 * What an option's value completes to: folders, files, one of some words, anything (text: the
 * shell's default) — or it takes none.
 */
export type OptionValue =
  | { readonly kind: "none" }
  | { readonly kind: "folder" }
  | { readonly kind: "file" }
  | { readonly kind: "text" }
  | { readonly kind: "choices"; readonly choices: readonly string[] };

export interface CompletionOption {
  /** `-C`, `--dir`: every spelling. */
  readonly names: readonly string[];
  readonly description: string;
  readonly value: OptionValue;
}

export interface CompletionCommand {
  /** The words after `rtt` that reach this command: [] for rtt itself, ["panel", "start"]. */
  readonly path: readonly string[];
  readonly description: string;
  readonly subcommands: readonly string[];
  readonly options: readonly CompletionOption[];
}

/** Every command of `program`, depth first, `rtt` itself first. */
export function completionTable(program: Command): CompletionCommand[] {
  const table: CompletionCommand[] = [];
  const visit = (cmd: Command, path: readonly string[]): void => {
    const help = cmd.createHelp();
    const subs = help.visibleCommands(cmd);
    table.push({
      path,
      description: help.commandDescription(cmd),
      subcommands: subs.map((s) => s.name()),
      options: help.visibleOptions(cmd).map((o) => ({
        names: [o.short, o.long].filter((n): n is string => n !== undefined),
        description: o.description,
        value: optionValue(o),
      })),
    });
    // The implicit help command has no commands or options of its own to walk.
    for (const sub of subs) if (cmd.commands.includes(sub)) visit(sub, [...path, sub.name()]);
  };
  visit(program, []);
  return table;
}

function optionValue(o: Option): OptionValue {
  if (!o.required && !o.optional) return { kind: "none" };
  if (o.argChoices !== undefined) return { kind: "choices", choices: o.argChoices };
  // The value's name in the flags says what it is: `-C, --dir <folder>`, `--out <file>`.
  if (/<(folder|dir)>/.test(o.flags)) return { kind: "folder" };
  return /<file>/.test(o.flags) ? { kind: "file" } : { kind: "text" };
}
