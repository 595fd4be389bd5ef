/**
 * Powers and brackets (`powers`): the math domain at toy scale, beyond `arith`'s chains. The solution rewrites the
 * expression one operation at a time by precedence — the innermost bracket first, a power before a product before a
 * sum — and boxes the value (`30-(5+3^2)` → `30-(5+9);30-14;16 \boxed{16}`); the reward is an exact match of the whole
 * chain (`chain` verifier), so a guessed number scores nothing. Every intermediate value stays in [0, 99].
 *
 * Tier 1: one bracket and one more operation (`A±(b±c)`, `(A±b)±c`); 2: three operations with brackets
 * (`A±(b±c)±d`, `(A±b)±(c±d)`, `A±(b±c±d)`: the last teaches replacing an operation inside a bracket in place);
 * 3: a square and two operations (`A±b^2±c`); 4: a cube of 3 or 4 opening a bracket (`A±(c^3±b)`); 5: two squares
 * (`(A±b^2)±(c±d^2)`). The base learns tiers 1–2 and sees a few tier-3 examples (squares are what it rarely works out)
 * and no cube; the `value` hint names the first operation and its result (`3^3 is 27`), so a tier-4 problem becomes
 * a tier-2 one (`A±(27±b)`, shaped as `A±(b±c±d)` after its first rewrite). Two earlier tier 4s missed the
 * capability-gain regime (`docs/results-2026-11.md`, "Three domains"): a square closing the bracket (`A±(b±c^2)`)
 * was out of reach even hinted (the base replaced the whole bracket by the hinted square: `36+25` for `36+(1+5^2)`),
 * and a square opening it was reachable unhinted (plain pass@16 0.188: eight squares, all seen in tier 3).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { powersSolution } from "./powers.ts";
 * assert.equal(powersSolution([30, "-", "(", 5, "+", 3, "^", 2, ")"]).solution, "30-(5+9);30-14;16 \\boxed{16}");
 * ```
 *
 * @module
 */
import { Rng } from "../random.ts";
import { type DomainSpec, even, type Problem } from "./spec.ts";
import { solveSteps, type Token } from "./math.ts";
import { canonicalExpression, operationFacts, pickFacts } from "./splits.ts";

/** The canonical chain of an expression and its operations and values. */
export function powersSolution(tokens: Token[]): { solution: string; operations: string[]; values: number[] } {
  const { steps, operations, values } = solveSteps(tokens);
  return { solution: `${steps.join(";")} \\boxed{${values.at(-1)}}`, operations, values };
}

function expression(rng: Rng, tier: number): Token[] {
  const sign = (): "+" | "-" => (rng.next() < 0.5 ? "+" : "-");
  const lead = (lo: number) => rng.int(lo, 40);
  // Half the easy tiers' operands have two digits, as in `arith`: the hard tiers add and subtract squares up to 81.
  const operand = () => (rng.next() < 0.5 ? rng.int(0, 9) : rng.int(10, 59));
  const base = () => rng.int(2, 9);
  switch (tier) {
    case 1:
      return rng.next() < 0.5
        ? [lead(0), sign(), "(", operand(), sign(), operand(), ")"]
        : ["(", lead(0), sign(), operand(), ")", sign(), operand()];
    case 2: {
      const shape = rng.nextUint32() % 3;
      if (shape === 0) return [lead(0), sign(), "(", operand(), sign(), operand(), ")", sign(), operand()];
      if (shape === 1) return ["(", lead(0), sign(), operand(), ")", sign(), "(", operand(), sign(), operand(), ")"];
      return [lead(0), sign(), "(", operand(), sign(), operand(), sign(), operand(), ")"];
    }
    case 3:
      return [lead(10), sign(), base(), "^", 2, sign(), rng.int(0, 9)];
    case 4:
      // 3^3 and 4^3 only: 2^3 = 8 is one digit, and a base that writes an unknown power as a guessed digit found it.
      return [lead(10), sign(), "(", rng.int(3, 4), "^", 3, sign(), operand(), ")"];
    default:
      return ["(", lead(10), sign(), base(), "^", 2, ")", sign(), "(", operand(), sign(), base(), "^", 2, ")"];
  }
}

/** One `powers` problem of `tier`, or null when this draw breaks a rule (a value outside [0, 99], a hint giving the answer). */
export function powersProblem(rng: Rng, tier: number): Omit<Problem, "id" | "split"> | null {
  const tokens = expression(rng, tier);
  const { solution, operations, values } = powersSolution(tokens);
  if (values.some((v) => v < 0 || v > 99)) return null;
  const answer = String(values.at(-1));
  const first = operations[0];
  const strategy = first.includes("^") ? `power first: ${first}` : `brackets first: ${first}`;
  const hints = { strategy, value: `${first} is ${values[0]}`, prefix: solution.split(";")[0] };
  const contains = new RegExp(`(^|\\D)${answer}(\\D|$)`);
  if (Object.values(hints).some((h) => contains.test(h))) return null;
  return { domain: "powers", tier, prompt: tokens.join(""), answer: solution, hint: strategy, hints, solution };
}

/** The `powers` domain: its generator, verifier, sizes, keys and card (registered in `./domains.ts`). */
export const powersDomain: DomainSpec = {
  name: "powers",
  verifier: "chain",
  generate: powersProblem,
  sizes: { test: even(1_000), validation: even(1_280), train: even(10_000) },
  canonicalKey: (problem) => canonicalExpression(problem.prompt),
  hintFacts: (problem) => operationFacts(problem.hints.value),
  // One square, and the cube `3^3` (not `4^3`: 64 is also `8^2`, a power training shows; `8^2` is no candidate for the
  // same reason).
  heldOutFacts: (seed) => [
    ...pickFacts(["2", "3", "4", "5", "6", "7", "9"].map((b) => `${b}^2`), 1, seed * 1000 + 10),
    "3^3",
  ],
  card: {
    summary:
      "The math domain at toy scale beyond `arith`: brackets and squares, rewritten one operation at a time by " +
      "precedence (the innermost bracket first; a power before a product before a sum). Values stay in [0, 99]; the " +
      "chain is judged (a number-only guesser's pass@16 would be ≈ 0.16, `tests/chain_domains_test.ts`).",
    tiers: [
      "`A±(b±c)` or `(A±b)±c`",
      "three operations with brackets (`A±(b±c)±d`, `(A±b)±(c±d)`, `A±(b±c±d)`)",
      "a square and two operations (`A±b^2±c`)",
      "a cube of 3 or 4 opening a bracket (`A±(c^3±b)`: no cube is in the base's SFT)",
      "two squares in brackets (`(A±b^2)±(c±d^2)`)",
    ],
    hints: {
      strategy: "names the first operation (`power first: 3^2`, `brackets first: 5+3`)",
      value: "the first operation and its result (`3^2 is 9`)",
      prefix: "the first rewrite (`30-(5+9)`)",
    },
    key: "the expression's tree by precedence with the operands of every `+` and `*` sorted, as `math`'s (`3^2` ≠ " +
      "`2^3`)",
    heldOut: "one square of 2–9 (not `8^2`) and the cube `3^3` (not `4^3`: 64 is also `8^2`, a power training shows)",
    examples: [1, 3, 4],
  },
};
