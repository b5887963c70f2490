/**
 * A systemd `ExecStart=` value as the argv it runs (systemd.service(5), "Command lines"): words
 * split on whitespace, double- or single-quoted words, C-style escapes, `%%` as `%`. The
 * executable's prefixes (`@`, `-`, `:`, `+`, `!`, `!!`) change how systemd runs it, not what:
 * they are dropped, and with `@` the second word (argv[0] for the program) is dropped too,
 * since an `x-run` argv's first word is both the program and its argv[0]. A lone `;` separates
 * commands (older systemd): only the first is the service's. Other `%` specifiers and `$VAR`
 * are kept as written: they need the unit's instance and environment, which a scan has not.
 */

const ESCAPES: Readonly<Record<string, string>> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  s: " ",
  "\\": "\\",
  '"': '"',
  "'": "'",
};
const PREFIX = /^[@\-:+!]+/;

/** A lone unquoted `;` between commands; a quoted or escaped one is a word. */
export const COMMAND_END = Symbol("command end");

/** The words of `value`, or undefined when a quote is left open. */
export function splitWords(value: string): (string | typeof COMMAND_END)[] | undefined {
  const words: (string | typeof COMMAND_END)[] = [];
  let word: string | undefined;
  let quoted = false;
  let quote: '"' | "'" | undefined;
  const push = () => {
    if (word !== undefined) words.push(word === ";" && !quoted ? COMMAND_END : word);
    word = undefined;
    quoted = false;
  };
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c === "\\" && i + 1 < value.length) {
      quoted = true;
      const e = value[++i] as string;
      const hex = e === "x" ? /^[0-9a-fA-F]{2}/.exec(value.slice(i + 1)) : null;
      if (hex !== null) {
        word = (word ?? "") + String.fromCharCode(Number.parseInt(hex[0], 16));
        i += 2;
      } else word = (word ?? "") + (ESCAPES[e] ?? e);
    } else if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else word = (word ?? "") + c;
    } else if (c === '"' || c === "'") {
      quote = c;
      quoted = true;
      word ??= "";
    } else if (c === " " || c === "\t") {
      push();
    } else if (c === "%" && value[i + 1] === "%") {
      word = `${word ?? ""}%`;
      i++;
    } else word = (word ?? "") + c;
  }
  if (quote !== undefined) return undefined;
  push();
  return words;
}

/** The argv of the first command of an `ExecStart=` value; undefined when there is none. */
export function execArgv(value: string): string[] | undefined {
  const words = splitWords(value);
  if (words === undefined) return undefined;
  const end = words.indexOf(COMMAND_END);
  const command = (end < 0 ? words : words.slice(0, end)) as string[];
  const first = command[0];
  if (first === undefined) return undefined;
  const prefix = PREFIX.exec(first)?.[0] ?? "";
  const program = first.slice(prefix.length);
  if (program === "") return undefined;
  const rest = prefix.includes("@") ? command.slice(2) : command.slice(1);
  return [program, ...rest];
}
