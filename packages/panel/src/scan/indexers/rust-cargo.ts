/**
 * Rust packages: each `Cargo.toml` `[package]` with its binaries, as Cargo itself finds them:
 * the `[[bin]]` entries, and unless `autobins = false` the default ones (`src/main.rs` named
 * after the package, `src/bin/<name>.rs`, `src/bin/<name>/main.rs`), each a `proc` run as
 * `cargo run --bin <name>` in the package's folder. A `[lib]` whose `crate-type` includes
 * `cdylib` is a `plugin` (a library a host loads). Bin sources are facts without being opened:
 * their existence is what Cargo goes by, and `discover` pairs them with their package.
 * A `[workspace]` is a fact too: its members are indexed through their own Cargo.toml, and
 * `version.workspace = true` takes the version from `[workspace.package]`.
 * Nothing under `target/` (Cargo's output, which holds packaged copies of crates) is claimed.
 */
import { posix } from "node:path";
import { discoveredSaddr, versionOf } from "./address.ts";
import type { Discovery, FileFacts, IndexEntry, Indexer, IndexInput } from "./indexer.ts";
import {
  claim,
  folderOf,
  METADATA_SCORE,
  parseToml,
  relativeFolder,
  someFolder,
  stringOf,
  tableOf,
  tomlLine,
} from "./project-meta.ts";

const NAME = "rust-cargo";

type CargoFact =
  | {
      readonly kind: "package";
      readonly name: string;
      /** The version as written, or null when it is inherited from the workspace. */
      readonly version: string | null;
      readonly autobins: boolean;
      readonly line: number;
    }
  | {
      readonly kind: "bin";
      readonly name: string;
      readonly path: string | null;
      readonly line: number;
    }
  | { readonly kind: "cdylib"; readonly name: string; readonly line: number }
  | {
      readonly kind: "workspace";
      readonly members: readonly string[];
      readonly version: string | null;
    }
  | { readonly kind: "source" };

/**
 * A name Cargo accepts for a target, so one that goes into `--bin <name>` is never an option
 * (a hostile `name = "--config=…"`).
 */
const TARGET_NAME = /^[\p{L}\p{N}_][\p{L}\p{N}_-]*$/u;

/** Where Cargo looks for binaries by itself, relative to the package folder. */
const AUTO_BIN = /(?:^|\/)src\/(?:main\.rs|bin\/[^/]+\.rs|bin\/[^/]+\/main\.rs)$/;

function readManifest(input: IndexInput): CargoFact[] {
  const text = input.text();
  const doc = parseToml(text, input.rel);
  const facts: CargoFact[] = [];
  const workspace = tableOf(doc.workspace);
  if (workspace !== undefined) {
    const members = Array.isArray(workspace.members) ? workspace.members : [];
    facts.push({
      kind: "workspace",
      members: members.filter((m): m is string => typeof m === "string"),
      version: stringOf(tableOf(workspace.package)?.version) ?? null,
    });
  }
  const pkg = tableOf(doc.package);
  const name = stringOf(pkg?.name);
  if (pkg === undefined || name === undefined) return facts;
  facts.push({
    kind: "package",
    name,
    version: stringOf(pkg.version) ?? (tableOf(pkg.version)?.workspace === true ? null : "0.0.0"),
    autobins: pkg.autobins !== false,
    line: tomlLine(text, ["package", "name"]),
  });
  const bins = Array.isArray(doc.bin) ? doc.bin : [];
  bins.forEach((bin, i) => {
    const entry = tableOf(bin);
    const binName = stringOf(entry?.name);
    if (binName === undefined || !TARGET_NAME.test(binName)) return;
    const line = tomlLine(text, ["bin", String(i), "name"]);
    facts.push({ kind: "bin", name: binName, path: stringOf(entry?.path) ?? null, line });
  });
  const lib = tableOf(doc.lib);
  const crateTypes = Array.isArray(lib?.["crate-type"]) ? (lib["crate-type"] as unknown[]) : [];
  if (crateTypes.includes("cdylib")) {
    const libName = stringOf(lib?.name) ?? name.replaceAll("-", "_");
    facts.push({ kind: "cdylib", name: libName, line: tomlLine(text, ["lib", "crate-type"]) });
  }
  return facts;
}

interface Package {
  readonly folder: string;
  readonly rel: string;
  readonly facts: readonly CargoFact[];
}

/** The auto-discovered binary a source under `folder` is, as [name, path in the package]. */
function autoBin(folder: string, rel: string, packageName: string): [string, string] | undefined {
  const inPackage = folder === "" ? rel : rel.slice(folder.length + 1);
  if (inPackage === "src/main.rs") return [packageName, inPackage];
  const bin = /^src\/bin\/([^/]+?)(?:\.rs|\/main\.rs)$/.exec(inPackage);
  return bin === null ? undefined : [bin[1] as string, inPackage];
}

function discover(files: readonly FileFacts<CargoFact>[]): Discovery[] {
  const packages: Package[] = [];
  const workspaces = new Map<string, string | null>();
  const sources: string[] = [];
  for (const { rel, facts } of files) {
    if (facts.some((f) => f.kind === "source")) sources.push(rel);
    const ws = facts.find((f) => f.kind === "workspace");
    if (ws !== undefined) workspaces.set(folderOf(rel), ws.version);
    if (facts.some((f) => f.kind === "package"))
      packages.push({ folder: folderOf(rel), rel, facts });
  }
  const inheritedVersion = (folder: string): string | undefined => {
    const roots = [...workspaces.keys()].filter(
      (w) => w === "" || w === folder || folder.startsWith(`${w}/`),
    );
    const nearest = roots.sort((a, b) => b.length - a.length)[0];
    return nearest === undefined ? undefined : (workspaces.get(nearest) ?? undefined);
  };
  const claims: Discovery[] = [];
  for (const { folder, rel, facts } of packages) {
    const pkg = facts.find((f) => f.kind === "package") as Extract<CargoFact, { kind: "package" }>;
    const version = versionOf(pkg.version ?? inheritedVersion(folder));
    const proc = (name: string, file: string, line: number) =>
      claim(NAME, file, line, METADATA_SCORE, {
        saddr: discoveredSaddr({ namespace: pkg.name, type: "proc", name, version }),
        type: "proc",
        direction: "both",
        "x-run": ["cargo", "run", "--bin", name],
        "x-cwd": relativeFolder(folderOf(file), folder),
      });
    const explicit = facts.filter((f) => f.kind === "bin");
    for (const bin of explicit) claims.push(proc(bin.name, rel, bin.line));
    for (const lib of facts.filter((f) => f.kind === "cdylib")) {
      claims.push(
        claim(NAME, rel, lib.line, METADATA_SCORE, {
          saddr: discoveredSaddr({ namespace: pkg.name, type: "plugin", name: lib.name, version }),
          type: "plugin",
          direction: "provider",
          "x-crate-type": "cdylib",
        }),
      );
    }
    if (!pkg.autobins) continue;
    // An explicit [[bin]] with a default bin's name or file replaces it (`./src/main.rs` too).
    const taken = new Set(
      explicit.flatMap((b) => [b.name, ...(b.path === null ? [] : [posix.normalize(b.path)])]),
    );
    for (const source of sources) {
      if (folder !== "" && !source.startsWith(`${folder}/`)) continue;
      const found = autoBin(folder, source, pkg.name);
      if (found === undefined || taken.has(found[0]) || taken.has(found[1])) continue;
      if (!TARGET_NAME.test(found[0])) continue;
      claims.push(proc(found[0], source, 1));
    }
  }
  return claims;
}

export const rustCargo: Indexer<CargoFact> = {
  name: NAME,
  revision: 1,
  wanted: { names: ["Cargo.toml"], extensions: [".rs"] },
  wants: (entry: IndexEntry) =>
    entry.kind === "file" &&
    (entry.name === "Cargo.toml" || (entry.name.endsWith(".rs") && AUTO_BIN.test(entry.rel))) &&
    !someFolder(entry.rel, (s) => s === "target" || s.startsWith(".")),
  read: (input) => (input.name === "Cargo.toml" ? readManifest(input) : [{ kind: "source" }]),
  discover,
};
