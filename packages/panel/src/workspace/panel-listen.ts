/**
 * Where a client finds this workspace's panel: panel.yaml's `api.listen`, or the default. A
 * client needs that one key, and a YAML parser and the schema validator are most of a short
 * command's start (`rtt panel status`), so panel.yaml is parsed only when it may set `api`;
 * when it certainly does not (rtt init's file, the quickstart's), the default is the answer.
 */
import { readFileSync } from "node:fs";
import { defaultListen } from "./panel-socket.ts";
import type { WorkspacePaths } from "./workspace-paths.ts";

/** Strict UTF-8 with a leading byte-order mark dropped, as documents.ts reads panel.yaml. */
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** A plain key of the root mapping: at column 0, no quotes, anchor, tag, `?` or `<<`. */
const PLAIN_ROOT_KEY = /^([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(?:[ \t]|$)/;
/** A carriage return not followed by a line feed. */
const LONE_CR = /\r(?!\n)/;
/** A blank line, or a comment. */
const NOTHING = /^[ \t]*(?:#.*)?$/;

/**
 * Whether the YAML `text` may give its root mapping an `api` key. False only when it certainly
 * does not: the root is a block mapping at column 0 whose every key is a plain word on a line of
 * its own at column 0, none of them `api` — every other line being indented (inside a value),
 * blank or a comment. Anything else (a quoted, anchored, tagged or `?` key, a merge `<<`, a
 * flow or sequence root, `---`, a directive, a tab, a lone CR) is "may", and the caller parses.
 */
export function mayConfigureApi(text: string): boolean {
  // A CR alone ends a line for YAML 1.2 but not for the parser panel.yaml is read with, which
  // takes it into a comment (`# api:\rlisten: |` hides a key): let that parser decide.
  if (LONE_CR.test(text)) return true;
  let rootSeen = false;
  for (const line of text.split(/\r?\n/)) {
    if (NOTHING.test(line)) continue;
    if (line.startsWith(" ")) {
      // Indented before any root key: the root mapping itself may be indented.
      if (!rootSeen) return true;
      continue;
    }
    const key = PLAIN_ROOT_KEY.exec(line)?.[1];
    if (key === undefined || key === "api") return true;
    rootSeen = true;
  }
  return false;
}

/**
 * The panel's `api.listen` as a client connects to it. panel.yaml is read whole (the YAML
 * parsed, the schema checked, a problem is RTT_ERR_DOC_SCHEMA naming its line) when it may set
 * `api`, or when `whole` asks for it — before a panel is started, say, which would refuse it.
 */
export async function panelListen(paths: WorkspacePaths, whole = false): Promise<string> {
  if (!whole) {
    let text: string | undefined;
    try {
      text = UTF8.decode(readFileSync(paths.panelConfig));
    } catch (error) {
      // Absent: every default. Unreadable: the loader below says why.
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return defaultListen(paths);
    }
    if (text !== undefined && !mayConfigureApi(text)) return defaultListen(paths);
  }
  const { loadValidPanelConfig } = await import("./workspace.ts");
  const config = loadValidPanelConfig(paths);
  return config.listen;
}
