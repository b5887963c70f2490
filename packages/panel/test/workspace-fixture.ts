/** Real temp workspaces for the panel's tests: real files, links and FIFOs, removed after. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { initWorkspace, type WorkspacePaths, workspacePaths } from "../src/index.ts";

export interface Fixture {
  readonly paths: WorkspacePaths;
  write(rel: string, text: string): string;
  remove(): void;
}

export function makeWorkspace(options: { init?: boolean } = {}): Fixture {
  const root = mkdtempSync(join(tmpdir(), "rtt-panel-"));
  if (options.init !== false) initWorkspace(root);
  else mkdirSync(join(root, ".rtt"));
  return {
    paths: workspacePaths(root),
    write(rel, text) {
      const abs = join(root, rel);
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, text);
      return abs;
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export function manifest(saddr: string, extra: Record<string, unknown> = {}): string {
  const type = saddr.split("/")[3] ?? "api";
  return `${JSON.stringify({ symbol: { saddr, type, direction: "provider", ...extra } }, null, 2)}\n`;
}
