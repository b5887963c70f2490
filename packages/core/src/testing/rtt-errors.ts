/** Test-only: asserting on the RttErrors the parsers throw, shared by the parser tests. */
import assert from "node:assert/strict";
import { type ErrorCode, RttError } from "../errors.ts";

/** Runs `f` and returns the RttError it throws; fails on success or on any other exception. */
export function rttErrorOf(f: () => unknown): RttError {
  try {
    f();
  } catch (error) {
    if (error instanceof RttError) return error;
    assert.fail(`expected an RttError, got ${String(error)}`);
  }
  assert.fail("expected an RttError, but nothing was thrown");
}

/** `f` fails with `code` at line 1, `column`, and its message says what was `expected` there. */
export function assertSyntaxErrorAt(
  f: () => unknown,
  code: ErrorCode,
  column: number,
  expected: string,
  label: string,
): RttError {
  const e = rttErrorOf(f);
  assert.equal(e.code, code, label);
  assert.deepEqual(e.position, { line: 1, column }, label);
  assert.ok(e.message.includes(`at column ${column}: expected ${expected}`), e.message);
  return e;
}
