/**
 * Assertions for the test suites, on `node:assert` (jsr's @std/assert is unreachable here). The names follow
 * Deno's std so the tests read like any Deno project's.
 *
 * @module
 */
import assert from "node:assert/strict";

/** Deep, strict equality. */
export function assertEquals<T>(actual: unknown, expected: T, message?: string): asserts actual is T {
  // Without a message, node's assert prints the diff; with one, the message.
  if (message === undefined) assert.deepStrictEqual(actual, expected);
  else assert.deepStrictEqual(actual, expected, message);
}

/** `actual` is within `tolerance` of `expected`. */
export function assertAlmostEquals(actual: number, expected: number, tolerance = 1e-7, message?: string): void {
  const ok = Math.abs(actual - expected) <= tolerance || actual === expected;
  assert.ok(ok, message ?? `expected ${actual} to be within ${tolerance} of ${expected}`);
}

/** `value` is truthy. */
export function assert_(value: unknown, message?: string): asserts value {
  assert.ok(value, message ?? "expected a truthy value");
}
export { assert_ as assert };

/** `text` contains `part`. */
export function assertStringIncludes(text: string, part: string, message?: string): void {
  const shown = text.length > 300 ? `${text.slice(0, 300)}…` : text;
  assert.ok(text.includes(part), message ?? `expected to find ${JSON.stringify(part)} in ${JSON.stringify(shown)}`);
}

type ErrorClass = new (...args: never[]) => Error;

function checkError(error: unknown, errorClass?: ErrorClass, includes?: string): Error {
  assert.ok(error instanceof Error, `expected an Error, got ${String(error)}`);
  if (errorClass) assert.ok(error instanceof errorClass, `expected ${errorClass.name}, got ${error.name}`);
  if (includes) assertStringIncludes(error.message, includes);
  return error;
}

/** `fn` throws (an instance of `errorClass`, with `includes` in its message). Returns the error. */
export function assertThrows(fn: () => unknown, errorClass?: ErrorClass, includes?: string): Error {
  try {
    fn();
  } catch (e) {
    return checkError(e, errorClass, includes);
  }
  throw new assert.AssertionError({ message: "expected the function to throw" });
}

/** `fn` rejects (an instance of `errorClass`, with `includes` in its message). Returns the error. */
export async function assertRejects(
  fn: () => Promise<unknown>,
  errorClass?: ErrorClass,
  includes?: string,
): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    return checkError(e, errorClass, includes);
  }
  throw new assert.AssertionError({ message: "expected the promise to reject" });
}
