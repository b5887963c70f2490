/**
 * `rtt completion`: the scripts come from the program's own command table (a command added to
 * the program completes with no list edited), and each, run in its real shell (bash with
 * COMP_WORDS, zsh's widget with compadd stubbed, fish's `complete -C`), offers the candidates a
 * person pressing TAB expects. zsh and fish are skipped where they are not installed.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { Terminal } from "../output.ts";
import { buildProgram } from "../program.ts";
import { completionScript } from "./scripts.ts";
import { completionTable } from "./table.ts";

const quiet = { write: () => true, isTTY: false, color: false };
const term: Terminal = { out: quiet, err: quiet };
const program = () => buildProgram(term, () => {});

const dir = mkdtempSync(join(tmpdir(), "rtt-completion-"));
after(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, "services"));
mkdirSync(join(dir, "sandbox"));
writeFileSync(join(dir, "plan.json"), "{}");
const bashScript = join(dir, "rtt.bash");
writeFileSync(bashScript, completionScript("bash", completionTable(program())));

const has = (shell: string) => spawnSync(shell, ["-c", "true"]).status === 0;

/** What TAB offers after `line` (the last word, maybe empty, is the one being completed). */
function complete(line: string): string[] {
  const words = line.split(" ");
  const r = spawnSync(
    "bash",
    [
      "-c",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's own ${...}, not a template
      'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _rtt; printf "%s\\n" "${COMPREPLY[@]}"',
      "bash",
      bashScript,
      ...words,
    ],
    { cwd: dir, encoding: "utf8" },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, "");
  return r.stdout
    .split("\n")
    .filter((l) => l !== "")
    .sort();
}

describe("rtt completion bash, sourced in bash", { skip: has("bash") ? false : "no bash" }, () => {
  it("completes commands, subcommands and flags", () => {
    assert.deepEqual(complete("rtt pa"), ["panel"]);
    assert.deepEqual(complete("rtt panel "), ["help", "run", "start", "status", "stop"]);
    assert.deepEqual(complete("rtt panel st"), ["start", "status", "stop"]);
    assert.deepEqual(complete("rtt ls "), ["help", "routes", "symbols"]);
    assert.deepEqual(complete("rtt plan --"), ["--detailed-exitcode", "--help", "--json", "--out"]);
    assert.deepEqual(complete("rtt panel start --s"), ["--salvage"]);
  });

  it("skips flags and their values to find the command, and completes values", () => {
    // -C takes a folder: its value is not a command, and it completes to folders only.
    assert.deepEqual(complete("rtt -C "), ["sandbox", "services"]);
    assert.deepEqual(complete("rtt -C services pa"), ["panel"]);
    assert.deepEqual(complete("rtt --dir sandbox ls --json s"), ["symbols"]);
    assert.deepEqual(complete("rtt ls symbols --type e"), ["extension"]);
    assert.deepEqual(complete("rtt plan --out p"), ["plan.json"]);
    // A command's own argument: nothing offered, so bash falls back to file names.
    assert.deepEqual(complete("rtt trip "), []);
  });
});

/** Runs `script` in `shell` and returns its output lines. */
function inShell(shell: string, script: string): string[] {
  const r = spawnSync(shell, ["-c", script], { cwd: dir, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, "");
  return r.stdout.split("\n").filter((l) => l !== "");
}

describe("rtt completion zsh, its widget run with compadd and _files stubbed", {
  skip: has("zsh") ? false : "no zsh",
}, () => {
  const zshScript = join(dir, "rtt.zsh");
  writeFileSync(zshScript, completionScript("zsh", completionTable(program())));
  /** What _rtt offers after `line`: zsh itself filters by the prefix, so all are listed. */
  const offered = (line: string) => {
    const words = line.split(" ");
    return inShell(
      "zsh",
      [
        "compdef() { :; }",
        'compadd() { [[ $1 == -- ]] && shift; print -l -- "$@"; }',
        '_files() { print -- "(files $*)"; }',
        `source ${JSON.stringify(zshScript)}`,
        `words=(${words.map((w) => JSON.stringify(w)).join(" ")})`,
        `CURRENT=${words.length}`,
        `PREFIX=${JSON.stringify(words.at(-1) ?? "")}`,
        "_rtt",
      ].join("\n"),
    ).sort();
  };

  it("completes subcommands, flags and values, skipping -C's folder", () => {
    assert.deepEqual(offered("rtt panel "), ["help", "run", "start", "status", "stop"]);
    assert.deepEqual(offered("rtt -C services ls "), ["help", "routes", "symbols"]);
    assert.deepEqual(offered("rtt plan --"), [
      "--detailed-exitcode",
      "--help",
      "--json",
      "--out",
      "-h",
    ]);
    assert.ok(offered("rtt ls symbols --type ").includes("extension"));
    assert.deepEqual(offered("rtt -C "), ["(files -/)"]);
    assert.deepEqual(offered("rtt plan --out "), ["(files )"]);
  });
});

describe("rtt completion fish, through fish's own complete -C", {
  skip: has("fish") ? false : "no fish",
}, () => {
  const fishScript = join(dir, "rtt.fish");
  writeFileSync(fishScript, completionScript("fish", completionTable(program())));
  /** The candidates fish offers for `line` (without their descriptions). */
  const offered = (line: string) =>
    inShell("fish", `source ${JSON.stringify(fishScript)}; complete -C ${JSON.stringify(line)}`)
      .map((l) => l.split("\t")[0] ?? "")
      .sort();

  it("completes subcommands, flags and values, skipping -C's folder", () => {
    assert.deepEqual(offered("rtt pa"), ["panel"]);
    assert.deepEqual(offered("rtt panel "), ["help", "run", "start", "status", "stop"]);
    assert.deepEqual(offered("rtt -C services pa"), ["panel"]);
    assert.deepEqual(offered("rtt ls symbols --type e"), ["extension"]);
    assert.deepEqual(offered("rtt plan --"), ["--detailed-exitcode", "--help", "--json", "--out"]);
  });
});

describe("the completion scripts come from the command table", () => {
  it("a command and flag added to the program complete in every shell", () => {
    const p = program();
    p.command("frobnicate").option("--wobble <file>", "a file").option("--quiet", "hush");
    const table = completionTable(p);
    const frob = table.find((c) => c.path.join(" ") === "frobnicate");
    assert.deepEqual(
      frob?.options.map((o) => [o.names, o.value.kind]),
      [
        [["--wobble"], "file"],
        [["--quiet"], "none"],
        [["-h", "--help"], "none"],
      ],
    );
    const bash = completionScript("bash", table);
    assert.match(bash, /'frobnicate'\) echo '--wobble --quiet -h --help' ;;/);
    assert.match(bash, /'frobnicate\|--wobble'\) echo 'file' ;;/);
    assert.match(completionScript("zsh", table), /'frobnicate'\) echo '--wobble --quiet/);
    const fish = completionScript("fish", table);
    assert.match(fish, /complete -c rtt -n '__rtt_at \\'\\'' -f -a frobnicate /);
    assert.match(
      fish,
      /complete -c rtt -n '__rtt_at \\'frobnicate\\'' -l wobble -r -F -d 'a file'/,
    );
  });

  it("every command rtt --help lists completes at the top level", () => {
    const p = program();
    const root = completionTable(p)[0];
    assert.deepEqual(root?.path, []);
    const listed = p
      .createHelp()
      .visibleCommands(p)
      .map((c) => c.name());
    assert.deepEqual(root?.subcommands, listed);
    assert.ok(listed.includes("completion"));
  });
});
