/**
 * How a Python file found by python-source would run: `python3 <file>` for a loose script with
 * a main block, else `python3 -m <module>` from the folder above its package, the package
 * being every folder up that holds an `__init__.py` (Python's own rule), so that the module's
 * relative imports work. FastAPI apps run under uvicorn and Flask ones under `flask run`.
 */
import type { JsonValue } from "@rtt/core";
import { folderOf, parentOf } from "./nearest-project.ts";
import { scriptArgv } from "./python-packaging.ts";

export function stemOf(rel: string): string {
  const file = rel.slice(rel.lastIndexOf("/") + 1);
  return file.endsWith(".py") ? file.slice(0, -3) : file;
}

/** Where `python3 -m` must run for `rel`, and the module it names (Python's package rule). */
export function moduleOf(
  rel: string,
  packages: ReadonlySet<string>,
): { module: string; up: number } {
  const parts = [stemOf(rel)];
  let folder = folderOf(rel);
  let up = 0;
  while (folder !== "" && packages.has(folder)) {
    parts.unshift(folder.slice(folder.lastIndexOf("/") + 1));
    folder = parentOf(folder) ?? "";
    up += 1;
  }
  if (parts.length > 1 && (parts.at(-1) === "__init__" || parts.at(-1) === "__main__")) parts.pop();
  return { module: parts.join("."), up };
}

/** `x-cwd` for a folder `up` levels above the file's own. */
function upward(up: number): string {
  return up === 0 ? "." : Array(up).fill("..").join("/");
}

/**
 * A module inside a package imports its siblings relatively, so it only runs as `-m`; a loose
 * script with a main block runs as itself.
 */
export function runOf(
  rel: string,
  main: boolean,
  packages: ReadonlySet<string>,
): Record<string, JsonValue> {
  if (main && !packages.has(folderOf(rel)))
    return { "x-run": ["python3", rel.slice(rel.lastIndexOf("/") + 1)], "x-cwd": "." };
  const { module, up } = moduleOf(rel, packages);
  return {
    "x-run": ["python3", "-m", module],
    "x-cwd": upward(up),
  };
}

/**
 * A click command or group: its file when that has a main block (runOf), else a call of it as a
 * console script's wrapper makes (`python3 -c "…from <module> import <callable>…"`): `python3 -m`
 * would only define the command. `-m` still when the names are not ASCII identifiers, which no
 * code is made of.
 */
export function commandRun(
  rel: string,
  command: { callable: string; main: boolean },
  packages: ReadonlySet<string>,
): Record<string, JsonValue> {
  if (command.main) return runOf(rel, true, packages);
  const { module, up } = moduleOf(rel, packages);
  // A package's __main__ is imported by its full name (`-m <package>` names only the package).
  const imported =
    stemOf(rel) === "__main__" && module !== "__main__" ? `${module}.__main__` : module;
  const argv = imported === "__main__" ? undefined : scriptArgv(`${imported}:${command.callable}`);
  return argv === undefined ? runOf(rel, false, packages) : { "x-run": argv, "x-cwd": upward(up) };
}

/** A FastAPI app runs under uvicorn, a Flask one under `flask run`, unless the file runs itself. */
export function appRun(
  rel: string,
  app: { app: string; framework: string | null; main: boolean },
  packages: ReadonlySet<string>,
): Record<string, JsonValue> {
  if (app.main && !packages.has(folderOf(rel))) return runOf(rel, true, packages);
  const { module, up } = moduleOf(rel, packages);
  const cwd = upward(up);
  const target = `${module}:${app.app}`;
  if (app.framework === "fastapi")
    return { "x-run": ["python3", "-m", "uvicorn", target], "x-cwd": cwd };
  if (app.framework === "flask") {
    return { "x-run": ["python3", "-m", "flask", "--app", target, "run"], "x-cwd": cwd };
  }
  return {};
}
