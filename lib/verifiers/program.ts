/**
 * The `program` verifier: the response is a function body in a tiny straight-line language, run on the problem's
 * hidden tests. A program is statements separated by `;`, each `name=operand op operand` (`op` one of `+ - *`) or,
 * last, `return operand`; an operand is a parameter, a name assigned before, or an integer literal. So
 * `a=3*x;b=7+y;c=b-a;return c` computes `7+y-3*x` for the parameters `x, y`.
 *
 * Judging runs no code: the text is parsed into statements by this module's own grammar and evaluated by a loop over
 * them, with no access to anything but the test's arguments — there is nothing to sandbox, so a group of 8 answers is
 * judged in microseconds instead of a sandboxed process (`verifyCodeGroup`, ≈ 0.2 s a group; `deno task bench`'s
 * judging row). Limits keep a hostile answer cheap: at most {@link MAX_PROGRAM_CHARS} characters, {@link
 * MAX_STATEMENTS} statements and literals of at most 6 digits; a value beyond ±2^53 fails the test. Names live in a
 * `Map`, so `__proto__` or `constructor` are plain names. Each answer's verdict depends on its own text and the gold
 * alone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { verifyProgram } from "./program.ts";
 * const gold = { params: ["x", "y"], tests: [{ args: [2, 5], expected: 6 }, { args: [0, 1], expected: 8 }] };
 * assert.equal(verifyProgram("a=3*x;b=7+y;c=b-a;return c", gold).correct, true);
 * assert.equal(verifyProgram("a=7+y;b=a-3;c=b*x;return c", gold).correct, false);
 * ```
 *
 * @module
 */
import type { Verdict } from "./verdict.ts";

/** Gold of a `program` problem: the parameter names and the hidden tests (`args` in the order of `params`). */
export interface ProgramGold {
  params: string[];
  tests: { args: number[]; expected: number }[];
}

/** Longest program judged, in characters. */
export const MAX_PROGRAM_CHARS = 2_000;
/** Most statements judged. */
export const MAX_STATEMENTS = 64;

const NAME = "[A-Za-z_][A-Za-z0-9_]{0,15}";
const OPERAND = `(?:${NAME}|\\d{1,6})`;
const ASSIGN = new RegExp(`^(${NAME})=(${OPERAND})([+\\-*])(${OPERAND})$`);
const RETURN = new RegExp(`^return (${OPERAND})$`);

/** One parsed statement. */
type Statement = { target: string; left: string; op: "+" | "-" | "*"; right: string } | { result: string };

/** A program that does not parse or refers to an unknown name: the answer's failure, with the statement's number. */
class ProgramError extends Error {}

/** Parse `text` into statements, checking that every name is a parameter or assigned before its use. */
export function parseProgram(text: string, params: string[]): Statement[] {
  if (text.length > MAX_PROGRAM_CHARS) throw new ProgramError(`longer than ${MAX_PROGRAM_CHARS} characters`);
  const parts = text.trim().split(";").map((s) => s.trim().replace(/\s*([=+\-*])\s*/g, "$1").replace(/\s+/g, " "));
  if (parts.length > MAX_STATEMENTS) throw new ProgramError(`more than ${MAX_STATEMENTS} statements`);
  const known = new Set(params);
  const isKnown = (operand: string) => /^\d/.test(operand) || known.has(operand);
  const statements = parts.map((part, i): Statement => {
    const where = `statement ${i + 1}`;
    const returned = RETURN.exec(part);
    if (returned) {
      if (i !== parts.length - 1) throw new ProgramError(`${where}: return before the end`);
      if (!isKnown(returned[1])) throw new ProgramError(`${where}: ${returned[1]} is not defined`);
      return { result: returned[1] };
    }
    const assigned = ASSIGN.exec(part);
    if (!assigned) throw new ProgramError(`${where}: expected name=operand op operand or return operand`);
    const [, target, left, op, right] = assigned;
    if (target === "return" || params.includes(target)) throw new ProgramError(`${where}: cannot assign ${target}`);
    for (const operand of [left, right]) {
      if (!isKnown(operand)) throw new ProgramError(`${where}: ${operand} is not defined`);
    }
    known.add(target);
    return { target, left, op: op as "+" | "-" | "*", right };
  });
  if (!("result" in statements[statements.length - 1])) throw new ProgramError("no return at the end");
  return statements;
}

/** Run parsed `statements` on one test's arguments; NaN when a value leaves the safe integers. */
export function runProgram(statements: Statement[], params: string[], args: number[]): number {
  const values = new Map<string, number>(params.map((p, i) => [p, args[i]]));
  const read = (operand: string) => (/^\d/.test(operand) ? Number(operand) : values.get(operand)!);
  for (const s of statements) {
    if ("result" in s) return read(s.result);
    const [a, b] = [read(s.left), read(s.right)];
    const value = s.op === "+" ? a + b : s.op === "-" ? a - b : a * b;
    if (!Number.isSafeInteger(value)) return NaN;
    values.set(s.target, value);
  }
  return NaN;
}

/** Is `response` a program that passes every hidden test of `gold`? Never throws. */
export function verifyProgram(response: string, gold: ProgramGold): Verdict {
  if (!gold || !Array.isArray(gold.params) || !Array.isArray(gold.tests) || gold.tests.length === 0) {
    return { correct: false, reason: "gold must be {params, tests: [{args, expected}, …]}" };
  }
  let statements: Statement[];
  try {
    statements = parseProgram(response, gold.params);
  } catch (e) {
    if (e instanceof ProgramError) return { correct: false, reason: e.message };
    throw e;
  }
  for (const [i, test] of gold.tests.entries()) {
    const got = runProgram(statements, gold.params, test.args);
    if (got !== test.expected) {
      return { correct: false, reason: `test ${i + 1}: got ${got}, expected ${test.expected}` };
    }
  }
  return { correct: true };
}
