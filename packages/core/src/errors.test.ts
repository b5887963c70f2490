import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  compareDiagnostics,
  type Diagnostic,
  ERROR_CATALOG,
  type ErrorCode,
  formatDiagnostic,
  fromSystemError,
  RttError,
} from "./errors.ts";

describe("ERROR_CATALOG", () => {
  const codes = Object.keys(ERROR_CATALOG) as ErrorCode[];

  it("names every code RTT_ERR_<AREA>_<WHAT>", () => {
    assert.ok(codes.length > 0);
    for (const code of codes) assert.match(code, /^RTT_ERR_[A-Z_]+$/);
  });

  it("gives every code a meaning, an exit code and a gRPC status", () => {
    const statuses = [
      "INVALID_ARGUMENT",
      "NOT_FOUND",
      "FAILED_PRECONDITION",
      "DEADLINE_EXCEEDED",
      "ABORTED",
      "UNAVAILABLE",
      "PERMISSION_DENIED",
      "RESOURCE_EXHAUSTED",
      "INTERNAL",
    ];
    for (const code of codes) {
      const spec = ERROR_CATALOG[code];
      assert.ok(spec.meaning.length > 0 && spec.meaning.endsWith("."), code);
      assert.ok(spec.exitCode === 1 || spec.exitCode === 2, code);
      assert.ok(statuses.includes(spec.grpcStatus), code);
    }
    assert.equal(ERROR_CATALOG.RTT_ERR_USAGE.exitCode, 2);
    assert.equal(ERROR_CATALOG.RTT_ERR_INTERNAL.grpcStatus, "INTERNAL");
  });
});

describe("RttError", () => {
  it("carries code, message, hint, position, cause and the catalog's exit code", () => {
    const cause = new Error("root");
    const e = new RttError("RTT_ERR_USAGE", "unknown option --x", {
      hint: "see rtt --help",
      position: { file: "a.json", line: 2, column: 5 },
      cause,
    });
    assert.ok(e instanceof Error);
    assert.ok(e instanceof RttError);
    assert.equal(e.name, "RttError");
    assert.equal(e.code, "RTT_ERR_USAGE");
    assert.equal(e.message, "unknown option --x");
    assert.equal(e.hint, "see rtt --help");
    assert.deepEqual(e.position, { file: "a.json", line: 2, column: 5 });
    assert.equal(e.cause, cause);
    assert.equal(e.exitCode, 2);
    const bare = new RttError("RTT_ERR_INTERNAL", "boom");
    assert.equal(bare.hint, undefined);
    assert.equal(bare.position, undefined);
    assert.equal("cause" in bare, false);
    assert.equal(bare.exitCode, 1);
  });

  it("instanceof holds for an error built by another copy of core (shared registry symbol)", () => {
    const foreign: object = Object.defineProperty(
      new Error("from another copy"),
      Symbol.for("rtt.core.error"),
      {
        value: true,
      },
    );
    assert.ok(foreign instanceof RttError);
    assert.ok({ [Symbol.for("rtt.core.error")]: true } instanceof RttError);
  });

  it("instanceof is false for everything else", () => {
    const others: unknown[] = [
      new Error("plain"),
      { code: "RTT_ERR_USAGE", message: "look-alike" },
      { [Symbol("rtt.core.error")]: true },
      null,
      undefined,
      "RttError",
      42,
    ];
    for (const o of others) assert.equal(o instanceof RttError, false, String(o));
  });
});

describe("diagnostics", () => {
  const d = (file: string, line: number, column: number, code: ErrorCode): Diagnostic => ({
    severity: "error",
    code,
    message: "m",
    file,
    line,
    column,
  });

  it("orders by file, line, column, then code", () => {
    const list = [
      d("b.json", 1, 1, "RTT_ERR_DOC_SCHEMA"),
      d("a.json", 2, 1, "RTT_ERR_DOC_SCHEMA"),
      d("a.json", 1, 9, "RTT_ERR_DOC_SCHEMA"),
      d("a.json", 1, 9, "RTT_ERR_DOC_SYNTAX"),
      d("a.json", 1, 9, "RTT_ERR_CANON_VALUE"),
      d("a.json", 1, 2, "RTT_ERR_DOC_SCHEMA"),
    ];
    assert.deepEqual(
      [...list].sort(compareDiagnostics).map((x) => `${x.file}:${x.line}:${x.column}:${x.code}`),
      [
        "a.json:1:2:RTT_ERR_DOC_SCHEMA",
        "a.json:1:9:RTT_ERR_CANON_VALUE",
        "a.json:1:9:RTT_ERR_DOC_SCHEMA",
        "a.json:1:9:RTT_ERR_DOC_SYNTAX",
        "a.json:2:1:RTT_ERR_DOC_SCHEMA",
        "b.json:1:1:RTT_ERR_DOC_SCHEMA",
      ],
    );
    assert.equal(compareDiagnostics(list[0] as Diagnostic, list[0] as Diagnostic), 0);
  });

  it("formats as file:line:col: severity CODE: message, hint on its own line", () => {
    assert.equal(
      formatDiagnostic(d("a.json", 3, 7, "RTT_ERR_DOC_SCHEMA")),
      "a.json:3:7: error RTT_ERR_DOC_SCHEMA: m",
    );
    assert.equal(
      formatDiagnostic({
        ...d("a.json", 3, 7, "RTT_ERR_DOC_SCHEMA"),
        severity: "warning",
        hint: 'did you mean "api"?',
      }),
      'a.json:3:7: warning RTT_ERR_DOC_SCHEMA: m\n  hint: did you mean "api"?',
    );
  });
});

describe("fromSystemError", () => {
  it("names what could not be done to which path, and why, for a file-system failure", () => {
    const dir = mkdtempSync(join(tmpdir(), "rtt-errors-"));
    try {
      mkdirSync(join(dir, "folder"));
      writeFileSync(join(dir, "file"), "x");
      const failures: [() => unknown, RegExp][] = [
        [() => readFileSync(join(dir, "absent")), /^cannot open .*absent: no such file or folder$/],
        [() => readFileSync(join(dir, "folder")), /^cannot read: it is a folder$/],
        [
          () => renameSync(join(dir, "file"), join(dir, "folder")),
          /^cannot rename .*file to .*folder: it is a folder$/,
        ],
        [
          () => mkdirSync(join(dir, "file", "sub")),
          /^cannot mkdir .*file\/sub: part of the path is a file, not a folder$/,
        ],
      ];
      for (const [fail, message] of failures) {
        let thrown: unknown;
        try {
          fail();
        } catch (error) {
          thrown = error;
        }
        const e = fromSystemError(thrown);
        assert.equal(e?.code, "RTT_ERR_IO");
        assert.match(e?.message ?? "", message);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("leaves anything else alone", () => {
    assert.equal(fromSystemError(new Error("boom")), undefined);
    assert.equal(fromSystemError(new RttError("RTT_ERR_USAGE", "x")), undefined);
    assert.equal(fromSystemError("ENOENT"), undefined);
  });
});
