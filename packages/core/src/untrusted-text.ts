/**
 * Text from outside (a client's request field, a driver's output) in what RTT writes itself
 * (issue 15): in a log line every control character is escaped, so no such text can end a line
 * and forge the next one, or drive the terminal that shows the log; in an error message it is
 * quoted and cut short, so a 100 KB field is never echoed back to the client that sent it.
 */

/** How much of an input an error message quotes, at most (in UTF-16 code units). */
export const QUOTE_MAX_CHARS = 200;

/**
 * What is escaped: C0 controls (newline, carriage return, ESC…), DEL and the C1 controls, the
 * Unicode line and paragraph separators (a line break to some viewers), and the bidirectional
 * overrides and isolates (they reorder what a terminal shows).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escapeOne(c: string): string {
  const named = NAMED[c];
  if (named !== undefined) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * `text` with every control character written as an escape (`\n`, `\r`, `\t`, `\x1b`,
 * `\u2028`): one line, shown as it is. Text without control characters is unchanged.
 */
export function escapeControl(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

/** A JSON string literal with every control character escaped (JSON leaves C1 and U+2028 as is). */
function jsonQuote(text: string): string {
  return JSON.stringify(text).replace(
    UNSAFE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * `value` quoted for an error message: a JSON string with every control character escaped, cut
 * after `max` characters (never inside a surrogate pair) and then saying how long it was.
 */
export function quoteInput(value: string, max = QUOTE_MAX_CHARS): string {
  if (value.length <= max) return jsonQuote(value);
  let end = max;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${jsonQuote(value.slice(0, end)).slice(0, -1)}…" (${value.length} characters)`;
}
