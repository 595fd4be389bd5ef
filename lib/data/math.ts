/**
 * Math problems: integer arithmetic with precedence and brackets, solved by rewriting the expression one operation
 * at a time (`12+34*5` → `12+170` → `182`), ending in `\boxed{answer}`. Designed after `docs/testbed.md`:
 *
 * - operands of 1–4 digits, so answers spread over thousands of values and guessing is negligible (a guesser
 *   drawing 16 answers from a tier's own answer distribution has pass@16 < 1%, tested);
 * - difficulty from what the model must plan, not only from length: tier 1 is one operation, tier 2 two operations
 *   already in left-to-right order, tier 3 (`a ± b*c`) needs the product first, tier 4 (`a ± b*c ± d*e`) two
 *   out-of-order products, tier 5 (`(a ± b)*(c ± d)`) brackets;
 * - hints that guide without dictating: `strategy` names the first operation to do, `value` gives one intermediate
 *   value, `prefix` is the first rewrite verbatim (the ablation). No hint contains the final answer.
 *
 * @module
 */
import { Rng } from "../random.ts";
import { type DomainSpec, even, type Problem } from "./spec.ts";
import { canonicalExpression, operationFacts } from "./splits.ts";

/** A token of an expression (`^` is a power: the `powers` domain). */
export type Token = number | "+" | "-" | "*" | "^" | "(" | ")";

function render(tokens: Token[]): string {
  return tokens.join("");
}

/** Index range [start, end) of the region to work on next: the innermost bracket with an operation, else all. */
function activeRegion(tokens: Token[]): [number, number] {
  let open = -1;
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] === "(") open = i;
    else if (tokens[i] === ")" && open >= 0) return [open + 1, i];
  }
  return [0, tokens.length];
}

/**
 * One rewrite: the next operation by precedence (leftmost `^`, else `*`, else `+`/`-`) in the active region; `at` is
 * its operator's index in `tokens`.
 */
export function rewriteOnce(tokens: Token[]): { tokens: Token[]; operation: string; value: number; at: number } {
  const [start, end] = activeRegion(tokens);
  const leftmost = (ops: Token[]) => {
    for (let i = start; i < end; i++) if (ops.includes(tokens[i])) return i;
    return -1;
  };
  let at = leftmost(["^"]);
  if (at < 0) at = leftmost(["*"]);
  if (at < 0) at = leftmost(["+", "-"]);
  if (at < 0) throw new Error(`nothing to rewrite in ${render(tokens)}`);
  const a = tokens[at - 1] as number;
  const b = tokens[at + 1] as number;
  const op = tokens[at];
  const value = op === "^" ? a ** b : op === "*" ? a * b : op === "+" ? a + b : a - b;
  let next: Token[] = [...tokens.slice(0, at - 1), value, ...tokens.slice(at + 2)];
  // A bracket around a lone number disappears with the operation that emptied it.
  next = next.filter((t, i) => !(t === "(" && next[i + 2] === ")") && !(t === ")" && next[i - 2] === "("));
  return { tokens: next, operation: `${a}${op}${b}`, value, at };
}

/** All rewrites of an expression, down to its value. */
export function solveSteps(tokens: Token[]): { steps: string[]; operations: string[]; values: number[] } {
  const steps: string[] = [];
  const operations: string[] = [];
  const values: number[] = [];
  let current = tokens;
  while (current.length > 1) {
    const r = rewriteOnce(current);
    current = r.tokens;
    steps.push(render(current));
    operations.push(r.operation);
    values.push(r.value);
  }
  return { steps, operations, values };
}

const sign = (rng: Rng): "+" | "-" => (rng.next() < 0.5 ? "+" : "-");

/** An expression of `tier`. */
function expression(rng: Rng, tier: number): Token[] {
  switch (tier) {
    case 1:
      return rng.next() < 0.67
        ? [rng.int(100, 999), sign(rng), rng.int(100, 999)]
        : [rng.int(100, 999), "*", rng.int(2, 9)];
    case 2:
      return rng.next() < 0.5
        ? [rng.int(100, 999), sign(rng), rng.int(100, 999), sign(rng), rng.int(100, 999)]
        : [rng.int(100, 999), "*", rng.int(2, 9), sign(rng), rng.int(100, 999)];
    case 3:
      return [rng.int(1000, 9999), sign(rng), rng.int(12, 99), "*", rng.int(2, 9)];
    case 4:
      return [
        rng.int(1000, 9999),
        sign(rng),
        rng.int(12, 99),
        "*",
        rng.int(2, 9),
        sign(rng),
        rng.int(12, 99),
        "*",
        rng.int(2, 9),
      ];
    default:
      return [
        "(",
        rng.int(100, 999),
        sign(rng),
        rng.int(10, 99),
        ")",
        "*",
        "(",
        rng.int(10, 30),
        sign(rng),
        rng.int(1, 9),
        ")",
      ];
  }
}

const STRATEGY: Record<number, (ops: string[]) => string> = {
  1: (ops) => `work out ${ops[0]}`,
  2: (ops) => `go left to right: first ${ops[0]}`,
  3: (ops) => `multiply before adding: first ${ops[0]}`,
  4: (ops) => `do both products first, starting with ${ops[0]}`,
  5: (ops) => `work out each bracket first, starting with ${ops[0]}`,
};

/** One math problem of `tier`, or null when this draw breaks a rule (negative values, a hint giving the answer). */
export function mathProblem(rng: Rng, tier: number): Omit<Problem, "id" | "split"> | null {
  const tokens = expression(rng, tier);
  const { steps, operations, values } = solveSteps(tokens);
  if (values.some((v) => v < 0)) return null;
  const answer = String(values[values.length - 1]);
  const value = values.length > 1 ? `${operations[0]} is ${values[0]}` : `the units digit is ${Number(answer) % 10}`;
  const prefix = steps.length > 1 ? steps[0] : STRATEGY[tier](operations);
  const hints = { strategy: STRATEGY[tier](operations), value, prefix };
  const contains = new RegExp(`(^|\\D)${answer}(\\D|$)`);
  if (Object.values(hints).some((h) => contains.test(h))) return null;
  return {
    domain: "math",
    tier,
    prompt: render(tokens),
    answer,
    hint: hints.strategy,
    hints,
    solution: `${steps.join(";")} \\boxed{${answer}}`,
  };
}

/** The `math` domain: its generator, verifier, sizes, keys and card (registered in `./domains.ts`). */
export const mathDomain: DomainSpec = {
  name: "math",
  verifier: "math",
  generate: mathProblem,
  sizes: { test: even(500), validation: even(1_280), train: even(20_000) },
  canonicalKey: (problem) => canonicalExpression(problem.prompt),
  hintFacts: (problem) => operationFacts(problem.hints.value),
  card: {
    summary:
      "Integer arithmetic with precedence and brackets, solved by rewriting one operation at a time and ending " +
      "in `\\boxed{answer}`. Operands have 1–4 digits, so answers spread over thousands of values: a guesser that " +
      "draws 16 answers from a tier's own answer distribution has pass@16 under 1% (`tests/datasets_test.ts` asserts " +
      "it). Difficulty comes from planning as well as length.",
    tiers: [
      "one operation",
      "two operations in left-to-right order",
      "`a ± b*c` (the product first)",
      "`a ± b*c ± d*e`",
      "`(a ± b)*(c ± d)`",
    ],
    hints: {
      strategy: "names the first operation to do (`multiply before adding: first 34*5`)",
      value: "the first operation and its result (`34*5 is 170`), in tier 1 the answer's units digit",
      prefix: "the first rewrite (`12+170`), in tier 1 the strategy",
    },
    key: "the expression's tree by precedence with the operands of every `+` and `*` sorted (`17+8*5` = `17+5*8` = " +
      "`8*5+17`; `a-b` ≠ `b-a`, `(A+b)+c` ≠ `A+(b+c)`)",
    examples: [1, 3, 5],
  },
};
