/**
 * Straight-line programs (`programs`): the code domain at toy scale. A problem is a function of `x` and `y` given as
 * a formula (`f(x,y)=7+y-3*x`); the answer is its body in the `program` verifier's tiny language, one operation a
 * statement (`a=3*x;b=7+y;c=b-a;return c`), judged by running it on 8 hidden `(x, y)` tests. Any correct program
 * scores — another order, other names — and nothing else does: the answer is code, so there is no number to guess
 * (a program copied from another problem of the same tier passes almost never: `tests/programs_test.ts`).
 *
 * Writing the body is compiling the formula: precedence decides which operation becomes a statement first, and each
 * later statement must name the register that holds an earlier result. The tiers follow `arith`'s ladder, which
 * calibrates into the three regimes: 1 `A±b±c` and 2 `A±b±c±d` left to right; 3 `A±b*c` (the product first);
 * 4 `A±b±c*d`; 5 `A±b*c±d*e`. Operands are `x`, `y` or literals (a product: a digit 2–9 and a parameter, or `x*y`),
 * and every formula uses a parameter. The `value` hint is the first statement (`a=3*x`): it names the first operation
 * and its result, as `arith`'s `6*7 is 42` does; `strategy` only names the operation; `prefix` is the hint's statement
 * as the solution writes it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { programSolution } from "./programs.ts";
 * assert.equal(programSolution(["7", "+", "y", "-", "3", "*", "x"]).solution, "a=3*x;b=7+y;c=b-a;return c");
 * ```
 *
 * @module
 */
import { Rng } from "../random.ts";
import { type DomainSpec, even, type Problem } from "./spec.ts";
import type { ProgramGold } from "../verifiers/program.ts";
import { solveSteps, type Token } from "./math.ts";
import { bothOrders, canonicalExpression, pickFacts } from "./splits.ts";

/** The parameters of every `programs` function. */
export const PROGRAM_PARAMS = ["x", "y"];
/** Register names, in the order a solution assigns them. */
const REGISTERS = "abcdefgh";

/** A formula's tokens: operands (`x`, `y`, a literal, or a register once compiled) and operators. */
export type ProgramToken = string;

/**
 * The statements computing `tokens` by precedence (a product first, then left to right), the operation at operator
 * index `first` going first when given (it must be a valid first operation: the caller checks).
 */
function compile(tokens: ProgramToken[], first?: number): string[] {
  const rest = [...tokens];
  const statements: string[] = [];
  let next = first;
  while (rest.length > 1) {
    const product = rest.indexOf("*");
    const at = next ?? (product > 0 ? product : 1);
    next = undefined;
    const register = REGISTERS[statements.length];
    statements.push(`${register}=${rest[at - 1]}${rest[at]}${rest[at + 1]}`);
    rest.splice(at - 1, 3, register);
  }
  return statements;
}

/** A body: the statements, then `return` of the last register they assign. */
const body = (statements: string[]) => `${statements.join(";")};return ${REGISTERS[statements.length - 1]}`;

/** The canonical body of a formula: its statements and `return` of the last register. */
export function programSolution(tokens: ProgramToken[]): { statements: string[]; solution: string } {
  const statements = compile(tokens);
  return { statements, solution: body(statements) };
}

/** The formula's value at `(x, y)`, by the shared precedence rewriter (independent of {@link compile}). */
export function programValue(tokens: ProgramToken[], x: number, y: number): number {
  const numeric = tokens.map((t) => (t === "x" ? x : t === "y" ? y : /^\d+$/.test(t) ? Number(t) : t)) as Token[];
  return solveSteps(numeric).values.at(-1)!;
}

function formula(rng: Rng, tier: number): ProgramToken[] {
  const sign = () => (rng.next() < 0.5 ? "+" : "-");
  const param = () => (rng.next() < 0.5 ? "x" : "y");
  // A sum's operand: a parameter half the time, else a literal of one or two digits (as `arith`'s operands).
  const operand = () => (rng.next() < 0.5 ? param() : String(rng.next() < 0.5 ? rng.int(1, 9) : rng.int(10, 59)));
  const lead = () => (rng.next() < 0.5 ? param() : String(rng.int(10, 59)));
  const product = () => {
    const shape = rng.nextUint32() % 5;
    if (shape === 0) return ["x", "*", "y"];
    const digit = String(rng.int(2, 9));
    return shape % 2 === 1 ? [digit, "*", param()] : [param(), "*", digit];
  };
  switch (tier) {
    case 1:
      return [lead(), sign(), operand(), sign(), operand()];
    case 2:
      return [lead(), sign(), operand(), sign(), operand(), sign(), operand()];
    case 3:
      return [lead(), sign(), ...product()];
    case 4:
      return [lead(), sign(), operand(), sign(), ...product()];
    default:
      return [lead(), sign(), ...product(), sign(), ...product()];
  }
}

/** 8 distinct `(x, y)` test inputs in [0, 20]². */
function testInputs(rng: Rng): [number, number][] {
  const seen = new Set<string>();
  const inputs: [number, number][] = [];
  while (inputs.length < 8) {
    const pair: [number, number] = [rng.int(0, 20), rng.int(0, 20)];
    if (seen.has(pair.join())) continue;
    seen.add(pair.join());
    inputs.push(pair);
  }
  return inputs;
}

/** One `programs` problem of `tier`, or null when this draw uses no parameter. */
export function programProblem(rng: Rng, tier: number): Omit<Problem, "id" | "split"> | null {
  const tokens = formula(rng, Math.min(Math.max(tier, 1), 5));
  if (!tokens.some((t) => PROGRAM_PARAMS.includes(t))) return null;
  const { statements, solution } = programSolution(tokens);
  const gold: ProgramGold = {
    params: PROGRAM_PARAMS,
    tests: testInputs(rng).map(([x, y]) => ({ args: [x, y], expected: programValue(tokens, x, y) })),
  };
  const operation = statements[0].slice(2);
  const hints = {
    strategy: tokens.includes("*") ? `multiply first: ${operation}` : `go left to right: first ${operation}`,
    value: statements[0],
    prefix: `${statements[0]};`,
  };
  const prompt = `f(${PROGRAM_PARAMS.join(",")})=${tokens.join("")}`;
  return { domain: "programs", tier, prompt, answer: gold, hint: hints.strategy, hints, solution };
}

/** A formula's tokens from a `programs` prompt (`f(x,y)=7+y-3*x`). */
export function programTokens(prompt: string): ProgramToken[] {
  return prompt.slice(prompt.indexOf("=") + 1).split(/([+\-*])/);
}

/**
 * A hinted SFT example in another valid order, as `arith`'s `alternativeOrder`: in a chain of sums, an operation
 * whose left neighbour is `+` may go first (`x+5-y` → `a=5-y;b=x+a`), and the hint is that first statement. Teaching
 * this on tiers 1–2 is what lets a policy use a hint naming a later operation, the skill the product tiers' hints
 * ask for (`7+y-3*x` with `a=3*x`). Null when the formula has a product or no such operation.
 */
export function programAlternative(problem: Problem, rng: Rng): { hint: string; solution: string } | null {
  const tokens = programTokens(problem.prompt);
  if (tokens.includes("*")) return null;
  const candidates: number[] = [];
  for (let i = 3; i < tokens.length; i += 2) if (tokens[i - 2] === "+") candidates.push(i);
  if (candidates.length === 0) return null;
  const statements = compile(tokens, candidates[rng.nextUint32() % candidates.length]);
  return { hint: statements[0], solution: body(statements) };
}

/** What is wrong with a line's `answer` as `program` gold, or null. */
function checkProgramGold(answer: unknown): string | null {
  const gold = answer as ProgramGold;
  const numbers = (v: unknown) => Array.isArray(v) && v.every(Number.isSafeInteger);
  return !gold || typeof gold !== "object" || !Array.isArray(gold.params) ||
      !gold.params.every((n) => typeof n === "string") || !Array.isArray(gold.tests) || gold.tests.length === 0 ||
      !gold.tests.every((t) =>
        numbers(t?.args) && t.args.length === gold.params.length && Number.isSafeInteger(t.expected)
      )
    ? "program gold must be {params: [names], tests: [{args, expected}, …]}"
    : null;
}

/** The `programs` domain: its generator, verifier, sizes, keys and card (registered in `./domains.ts`). */
export const programsDomain: DomainSpec = {
  name: "programs",
  verifier: "program",
  generate: programProblem,
  sizes: { test: even(1_000), validation: even(1_280), train: even(10_000) },
  canonicalKey: ({ prompt }) => canonicalExpression(prompt.slice(prompt.indexOf("=") + 1)),
  hintFacts: ({ hints }) => bothOrders(hints.value.slice(hints.value.indexOf("=") + 1)),
  // 3 of the 16 products of a digit and a parameter, with distinct digits (not `x*y`, a fifth of all products).
  heldOutFacts: (seed) => {
    const products = ["x", "y"].flatMap((p) => ["2", "3", "4", "5", "6", "7", "8", "9"].map((d) => `${d}*${p}`));
    return pickFacts(products, 3, seed * 1000 + 11);
  },
  checkAnswer: checkProgramGold,
  alternative: programAlternative,
  card: {
    summary: "The code domain at toy scale: write a function of `x` and `y`, given as a formula, in a tiny " +
      "straight-line language, one operation a statement (`name=operand op operand`, then `return name`). The " +
      "`program` verifier parses and interprets the body (nothing is run, so no sandbox is needed) on 8 hidden " +
      "`(x, y)` tests in [0, 20]²; any correct body passes, in any order and with any names. Operands are `x`, `y` " +
      "or literals, a product a digit and a parameter or `x*y`. Guessing is ruled out: 16 bodies copied from other " +
      "problems of the same tier pass a test problem's tests at most 2% of the time (`tests/programs_test.ts`).",
    tiers: ["`A±b±c`", "`A±b±c±d`", "`A±b*c`", "`A±b±c*d`", "`A±b*c±d*e`"],
    hints: {
      strategy: "names the first operation (`multiply first: 3*x`)",
      value: "the first statement (`a=3*x`)",
      prefix: "the first statement as the solution writes it (`a=3*x;`)",
    },
    key: "the formula's expression key, as `math`'s (`x+3*y` = `y*3+x`)",
    heldOut: "3 of the 16 products of a digit and a parameter, with distinct digits (not `x*y`, a fifth of all " +
      "products)",
    examples: [1, 3, 4],
  },
};
