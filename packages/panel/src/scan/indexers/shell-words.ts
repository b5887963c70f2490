/**
 * A command line split into words the way a POSIX shell would before expansion: blanks
 * separate, single quotes keep everything literally, double quotes keep all but `\"`, `\\`,
 * `\$` and `` \` `` escapes, a backslash outside quotes escapes the next character. Nothing is
 * expanded (no variables, globs or substitutions): compile_commands.json's `command` is written
 * for exactly this reading. Undefined when a quote is left open.
 */
export function shellWords(line: string): string[] | undefined {
  const words: string[] = [];
  let word: string | undefined;
  let i = 0;
  const append = (s: string) => {
    word = (word ?? "") + s;
  };
  while (i < line.length) {
    const c = line[i] as string;
    if (c === " " || c === "\t" || c === "\n") {
      if (word !== undefined) words.push(word);
      word = undefined;
      i++;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return undefined;
      append(line.slice(i + 1, end));
      i = end + 1;
    } else if (c === '"') {
      append("");
      i++;
      for (;;) {
        if (i >= line.length) return undefined;
        const d = line[i] as string;
        if (d === '"') break;
        if (d === "\\" && i + 1 < line.length && '"\\$`'.includes(line[i + 1] as string)) {
          append(line[i + 1] as string);
          i += 2;
        } else {
          append(d);
          i++;
        }
      }
      i++;
    } else if (c === "\\") {
      if (i + 1 < line.length) append(line[i + 1] as string);
      i += 2;
    } else {
      append(c);
      i++;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}
