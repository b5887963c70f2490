/**
 * The python-source indexer on a fixture tree: pluggy hooks, click commands and FastAPI, Flask
 * and aiohttp routes found by the parser, with their exact claims; look-alikes in comments, docstrings and
 * strings, dynamic paths and vendored copies claim nothing.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { validateDocument } from "@rtt/core";
import { fixtureTree } from "./fixture-tree.ts";
import { PYTHON_SOURCE_SCORE, pythonSourceIndexer } from "./python-source.ts";
import { indexTree } from "./testing.ts";

const root = mkdtempSync(join(tmpdir(), "rtt-python-source-"));
after(() => rmSync(root, { recursive: true, force: true }));

function put(rel: string, lines: readonly string[]): void {
  const abs = join(root, rel);
  mkdirSync(join(abs, ".."), { recursive: true });
  writeFileSync(abs, `${lines.join("\n")}\n`);
}

put("plug/pyproject.toml", ["[project]", 'name = "My_Plug"', 'version = "1.2.3"']);
put("plug/src/myplug/__init__.py", []);
put("plug/src/myplug/hooks.py", [
  "import pluggy",
  "",
  'hookspec = pluggy.HookspecMarker("myplug")',
  'impl = pluggy.HookimplMarker("myplug")',
  "",
  "",
  "@hookspec",
  "def myplug_start(config):",
  '    """Called at start. @hookimpl in a docstring is not one."""',
  "",
  "",
  "@impl",
  "def myplug_start(config):",
  "    pass",
  "",
  "",
  "class Plugin:",
  "    @pluggy.hookimpl(tryfirst=True)",
  "    def myplug_stop(self):",
  "        pass",
  "",
  "# @hookimpl",
  "# def commented(): pass",
  'text = "@hookimpl\\ndef in_string(): pass"',
]);
put("plug/src/myplug/cli.py", [
  "import click",
  "",
  "",
  "@click.group()",
  "def cli():",
  "    pass",
  "",
  "",
  "@cli.command()",
  "def sync_all():",
  "    pass",
  "",
  "",
  '@cli.command("push")',
  "def do_push():",
  "    pass",
]);
put("scripts/short.py", [
  "from click import command as cmd",
  "",
  "",
  "@cmd()",
  "def run():",
  "    pass",
]);
put("scripts/tool.py", [
  "import click",
  "",
  "",
  '@click.command(name="tool-x")',
  "def main():",
  "    pass",
  "",
  "",
  'if __name__ == "__main__":',
  "    main()",
]);
put("svc/app.py", [
  "from fastapi import FastAPI, APIRouter",
  "",
  "app = FastAPI()",
  "router = APIRouter()",
  "",
  "",
  '@app.get("/items")',
  "def items():",
  "    return []",
  "",
  "",
  '@app.post("/items")',
  "async def add():",
  "    pass",
  "",
  "",
  '@app.api_route("/x", methods=["GET", "PUT"])',
  "def x():",
  "    pass",
  "",
  "",
  '@router.delete("/items/{id}")',
  "def remove(id):",
  "    pass",
  "",
  "",
  '@app.get(f"/not/{literal}")',
  "def dyn():",
  "    pass",
  "s = '@app.get(\"/fake\")'",
  "",
  "",
  '@app.get("/escaped\\n")',
  "def escaped():",
  "    pass",
]);
put("svc/web.py", [
  "from flask import Flask",
  "",
  "web = Flask(__name__)",
  "",
  "",
  '@web.route("/")',
  "def index():",
  '    return "hi"',
  "",
  "",
  '@web.route("/form", methods=["GET", "post"])',
  "def form():",
  '    return "ok"',
]);
put("plug/src/myplug/__main__.py", [
  "import click",
  "",
  "",
  "@click.command()",
  "def main():",
  "    pass",
  "",
  "",
  'if __name__ == "__main__":',
  "    main()",
]);
// Negatives: a formatter's sample app under tests/data, only look-alikes, a non-path first argument, and a vendored copy.
put("other/fake.py", [
  "# @click.command()",
  '"""',
  "@hookspec",
  "def in_docstring(): pass",
  '"""',
  "",
  "",
  '@cache.get("key")',
  "def cached():",
  "    pass",
]);
put("svc/tests/data/sample.py", ['@app.get("/sample")', "def sample():", "    pass"]);
put("other/.venv/lib/python3.12/site-packages/x/hooks.py", ["@hookimpl", "def vendored(): pass"]);

const score = PYTHON_SOURCE_SCORE;
const at = (file: string, line: number) => ({ indexer: "python-source", file, line });
const run = (argv: string[], cwd: string) => ({ "x-run": argv, "x-cwd": cwd });
const proc = { type: "proc", direction: "both", io: "stream" } as const;
/** A module with no main block only defines its commands: they are called, as a script would. */
const callCli = ["python3", "-c", "import sys; from myplug.cli import cli; sys.exit(cli())"];

describe("python-source indexer", () => {
  it("claims hooks, commands and apps the parser finds, exactly", async () => {
    const claims = await indexTree(pythonSourceIndexer, root);
    for (const { contract } of claims) {
      const manifest = JSON.stringify({ $schema: "https://rtt/spec/v1", symbol: contract });
      assert.equal(validateDocument("manifest", manifest, contract.saddr).ok, true, contract.saddr);
    }
    assert.deepEqual(claims, [
      {
        contract: {
          saddr: "rtt://my_plug/hook/myplug_start@1.2.3",
          type: "hook",
          direction: "provider",
        },
        score,
        provenance: at("plug/src/myplug/hooks.py", 7),
      },
      {
        contract: {
          saddr: "rtt://my_plug/hook/myplug.hooks.myplug_start@1.2.3",
          type: "hook",
          direction: "consumer",
        },
        score,
        provenance: at("plug/src/myplug/hooks.py", 12),
      },
      {
        contract: {
          saddr: "rtt://my_plug/hook/myplug.hooks.myplug_stop@1.2.3",
          type: "hook",
          direction: "consumer",
        },
        score,
        provenance: at("plug/src/myplug/hooks.py", 18),
      },
      {
        contract: {
          saddr: "rtt://my_plug/proc/cli.push@1.2.3",
          ...proc,
          ...run([...callCli, "push"], ".."),
        },
        score,
        provenance: at("plug/src/myplug/cli.py", 14),
      },
      {
        contract: {
          saddr: "rtt://my_plug/proc/cli.sync-all@1.2.3",
          ...proc,
          ...run([...callCli, "sync-all"], ".."),
        },
        score,
        provenance: at("plug/src/myplug/cli.py", 9),
      },
      {
        contract: {
          saddr: "rtt://my_plug/proc/cli@1.2.3",
          ...proc,
          ...run(callCli, ".."),
        },
        score,
        provenance: at("plug/src/myplug/cli.py", 4),
      },
      {
        // A package module imports relatively: it runs as -m even with a main block.
        contract: {
          saddr: "rtt://my_plug/proc/myplug@1.2.3",
          ...proc,
          ...run(["python3", "-m", "myplug"], ".."),
        },
        score,
        provenance: at("plug/src/myplug/__main__.py", 4),
      },
      {
        contract: {
          saddr: "rtt://scripts/proc/short@0.0.0",
          ...proc,
          ...run(["python3", "-c", "import sys; from short import run; sys.exit(run())"], "."),
        },
        score,
        provenance: at("scripts/short.py", 4),
      },
      {
        contract: {
          saddr: "rtt://scripts/proc/tool-x@0.0.0",
          ...proc,
          ...run(["python3", "tool.py"], "."),
        },
        score,
        provenance: at("scripts/tool.py", 4),
      },
      {
        contract: {
          saddr: "rtt://svc/api/app@0.0.0",
          type: "api",
          direction: "provider",
          io: "req",
          "x-paths": [
            { method: "GET", path: "/items" },
            { method: "POST", path: "/items" },
            { method: "GET", path: "/x" },
            { method: "PUT", path: "/x" },
          ],
          "x-framework": "fastapi",
          ...run(["python3", "-m", "uvicorn", "app:app"], "."),
        },
        score,
        provenance: at("svc/app.py", 7),
      },
      {
        contract: {
          saddr: "rtt://svc/api/router@0.0.0",
          type: "api",
          direction: "provider",
          io: "req",
          "x-paths": [{ method: "DELETE", path: "/items/{id}" }],
          "x-framework": "router",
        },
        score,
        provenance: at("svc/app.py", 22),
      },
      {
        contract: {
          saddr: "rtt://svc/api/web@0.0.0",
          type: "api",
          direction: "provider",
          io: "req",
          "x-paths": [
            { method: "GET", path: "/" },
            { method: "GET", path: "/form" },
            { method: "POST", path: "/form" },
          ],
          "x-framework": "flask",
          ...run(["python3", "-m", "flask", "--app", "web:web", "run"], "."),
        },
        score,
        provenance: at("svc/web.py", 6),
      },
    ]);
  });

  it("reads an aiohttp app's route-table calls, in a factory too, only where aiohttp is imported", async (t) => {
    const tree = fixtureTree(t, {
      "pyproject.toml": '[project]\nname = "blk"\n',
      "srv/__init__.py": [
        "from aiohttp import web",
        "",
        "def make_app():",
        "    app = web.Application()",
        "    app.add_routes([",
        '        web.post("/", handle),',
        '        web.get(f"/{dynamic}", handle),',
        "        web.static('/static', 'files'),",
        "    ])",
        '    app.router.add_get("/health", health)',
        "    return app",
        "",
      ].join("\n"),
      "other.py": 'import web\napp.add_routes([web.get("/not-aiohttp", h)])\n',
    });
    const claims = await indexTree(pythonSourceIndexer, tree);
    assert.deepEqual(claims, [
      {
        contract: {
          saddr: "rtt://blk/api/app@0.0.0",
          type: "api",
          direction: "provider",
          io: "req",
          "x-paths": [
            { method: "POST", path: "/" },
            { method: "GET", path: "/health" },
          ],
          "x-framework": "aiohttp",
        },
        score: PYTHON_SOURCE_SCORE,
        provenance: { indexer: "python-source", file: "srv/__init__.py", line: 6 },
      },
    ]);
  });

  it("skips a source over the byte limit, and reports one that is not UTF-8", async () => {
    const tree = mkdtempSync(join(tmpdir(), "rtt-python-limits-"));
    try {
      writeFileSync(join(tree, "big.py"), `@hookimpl\ndef big(): pass\n${"#".repeat(4096)}\n`);
      assert.deepEqual(await indexTree(pythonSourceIndexer, tree, 1024), []);
      writeFileSync(
        join(tree, "latin.py"),
        Buffer.from("@hookimpl\ndef f(): pass # caf\xe9\n", "latin1"),
      );
      await assert.rejects(indexTree(pythonSourceIndexer, tree, 1024), {
        code: "RTT_ERR_DOC_SYNTAX",
      });
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  });
});
