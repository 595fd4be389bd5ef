/**
 * Arithmetic chains (`arith`): the second toy testbed of `docs/testbed.md`, the design that showed a
 * Guide effect. Small operands with precedence; the solution rewrites the expression one operation at a time
 * (`23+6*7` → `23+42;65`), and the reward is an exact match of the whole canonical chain (`chain` verifier), so a
 * guessed final number scores nothing. A leading operand of up to 40 and one- or two-digit others keep every intermediate
 * value in [0, 99], which a small policy can learn on two cores (the `math` domain's 2–4-digit operands are beyond
 * it: see `docs/results-2026-11.md`, "The testbed: why `arith`, not `math`").
 *
 * Tiers: 1 `A±b±c` in left-to-right order; 2 three such operations (in both, half the operands after the first have
 * two digits); 3 `A±b*c` (the product first); 4 `A±b±c*d`; 5 `A±b*c±d*e`. Hints: `value` names the first operation by precedence and its result (`6*7 is 42`: the
 * testbed's hint, the one that made hard tiers reachable), `strategy` only names it, `prefix` is the first rewrite.
 *
 * @module
 */
import { Rng } from "../random.ts";
import { type DomainSpec, even, type Problem } from "./spec.ts";
import { solveSteps } from "./math.ts";
import { canonicalExpression, operationFacts, pickFacts, uniqueProducts } from "./splits.ts";

/** A token of an `arith` chain. */
export type Token = number | "+" | "-" | "*";

const sign = (rng: Rng): "+" | "-" => (rng.next() < 0.5 ? "+" : "-");

function expression(rng: Rng, tier: number): Token[] {
  const lead = (lo: number) => rng.int(lo, 40);
  const digit = () => rng.int(0, 9);
  const factor = () => rng.int(2, 9);
  // Half the easy tiers' operands have two digits: the hard tiers' chains add and subtract products up to 81 in any
  // position, and a policy never shown that arithmetic cannot use a hint that supplies only the product.
  const operand = () => (rng.next() < 0.5 ? digit() : rng.int(10, 59));
  switch (tier) {
    case 1:
      return [lead(0), sign(rng), operand(), sign(rng), operand()];
    case 2:
      return [lead(0), sign(rng), operand(), sign(rng), operand(), sign(rng), operand()];
    case 3:
      return [lead(10), sign(rng), factor(), "*", factor()];
    case 4:
      return [lead(10), sign(rng), digit(), sign(rng), factor(), "*", factor()];
    default:
      return [lead(10), sign(rng), factor(), "*", factor(), sign(rng), factor(), "*", factor()];
  }
}

/** The canonical solution of an expression: its rewrites joined by `;`, then the boxed value. */
export function arithSolution(steps: string[], answer: string): string {
  return `${steps.join(";")} \\boxed{${answer}}`;
}

/** One `arith` problem of `tier`, or null when this draw breaks a rule (a value outside [0, 99], a hint giving the answer). */
export function arithProblem(rng: Rng, tier: number): Omit<Problem, "id" | "split"> | null {
  const tokens = expression(rng, tier);
  const prompt = tokens.join("");
  const { steps, operations, values } = solveSteps(tokens);
  if (values.some((v) => v < 0 || v > 99)) return null;
  const answer = String(values[values.length - 1]);
  const strategy = tier <= 2 ? `go left to right: first ${operations[0]}` : `multiply first: ${operations[0]}`;
  const hints = {
    strategy,
    value: `${operations[0]} is ${values[0]}`,
    prefix: steps.length > 1 ? steps[0] : strategy,
  };
  const contains = new RegExp(`(^|\\D)${answer}(\\D|$)`);
  if (Object.values(hints).some((h) => contains.test(h))) return null;
  const solution = arithSolution(steps, answer);
  return { domain: "arith", tier, prompt, answer: solution, hint: hints.strategy, hints, solution };
}

/** A `±` operation moved first: the chain's first expression after it (`first`), the operation and its value. */
export interface LaterFirst {
  /** Index of the moved operator in the chain. */
  at: number;
  first: Token[];
  operation: string;
  value: number;
}

/**
 * Another valid first operation of a `±` chain (the testbed's second SFT phase): an operation whose left neighbour
 * is `+` may go first (`A+b-c` → `b-c` first, `A+v`). Null when the chain has a product or no such operation keeps
 * its value in [0, 99]. Shared by the domains built on `arith`'s chains.
 */
export function laterFirst(tokens: Token[], rng: Rng): LaterFirst | null {
  const candidates: number[] = [];
  for (let i = 3; i < tokens.length; i += 2) {
    const op = tokens[i];
    if (tokens[i - 2] !== "+" || op === "*" || tokens.includes("*")) continue;
    const value = op === "+" ? (tokens[i - 1] as number) + (tokens[i + 1] as number) : (tokens[i - 1] as number) -
      (tokens[i + 1] as number);
    if (value >= 0 && value <= 99) candidates.push(i);
  }
  if (candidates.length === 0) return null;
  const at = candidates[rng.nextUint32() % candidates.length];
  const [a, op, b] = [tokens[at - 1] as number, tokens[at], tokens[at + 1] as number];
  const value = op === "+" ? a + b : a - b;
  return { at, first: [...tokens.slice(0, at - 1), value, ...tokens.slice(at + 2)], operation: `${a}${op}${b}`, value };
}

/** The rewrites of `first` down to its value, or null when one leaves [0, 99]. */
export function finishChain(first: Token[], value: number): { steps: string[]; values: number[] } | null {
  const rest = first.length > 1 ? solveSteps(first) : { steps: [], values: [] };
  const values = rest.values.length > 0 ? rest.values : [value];
  if (values.some((v) => v < 0 || v > 99)) return null;
  return { steps: [first.join(""), ...rest.steps], values };
}

/**
 * A hinted SFT example in another valid order ({@link laterFirst}): the hint `b-c is v` and the chain that starts
 * by replacing it in place (`A+v;…`) are right. Teaching this on tiers 1–2 is what lets a policy use a hint that names
 * a later operation — the skill tiers 3–5's hints ask for (`A±b*c` with `b*c is v`). Null when no such operation is
 * valid here (its value must stay in [0, 99]).
 */
export function alternativeOrder(problem: Problem, rng: Rng): { hint: string; solution: string } | null {
  const tokens: Token[] = problem.prompt.split(/([+\-*])/).map((t) => (/^\d+$/.test(t) ? Number(t) : t as Token));
  const moved = laterFirst(tokens, rng);
  if (!moved) return null;
  const chain = finishChain(moved.first, moved.value);
  if (!chain) return null;
  return {
    hint: `${moved.operation} is ${moved.value}`,
    solution: arithSolution(chain.steps, String(chain.values[chain.values.length - 1])),
  };
}

/** The `arith` domain: its generator, verifier, sizes, keys and card (registered in `./domains.ts`). */
export const arithDomain: DomainSpec = {
  name: "arith",
  verifier: "chain",
  generate: arithProblem,
  // Tier 3 (`A±b*c`) has 2,750 prompts in 1,537 keys; test and validation take 456 keys and the held-out products
  // more: 1,683 prompts are left, and a seeded draw of 1,600 ends in time.
  sizes: { test: even(1_000), validation: even(1_280), train: [2_000, 2_000, 1_600, 2_000, 2_000] },
  canonicalKey: (problem) => canonicalExpression(problem.prompt),
  hintFacts: (problem) => operationFacts(problem.hints.value),
  heldOutFacts: (seed) => pickFacts(uniqueProducts(), 4, seed * 1000 + 8),
  alternative: alternativeOrder,
  card: {
    summary: "The second toy testbed of `docs/testbed.md`, the design that showed a Guide effect: a leading operand " +
      "of 0–40, every intermediate value in [0, 99], solved by rewriting one operation at a time (`23+6*7` → " +
      "`23+42;65`); the reward is an exact match of the whole chain (`chain` verifier), so a guessed number scores " +
      "nothing.",
    tiers: [
      "`A±b±c` left to right, half the operands after the first with two digits",
      "three such operations",
      "`A±b*c`",
      "`A±b±c*d`",
      "`A±b*c±d*e` (single-digit operands after the first)",
    ],
    hints: {
      strategy: "names the first operation by precedence (`multiply first: 6*7`)",
      value: "the first operation by precedence and its result (`6*7 is 42`)",
      prefix: "the first rewrite (`23+42`)",
    },
    key: "the expression's tree by precedence with the operands of every `+` and `*` sorted, as `math`'s (a " +
      "product's factors swapped share a key)",
    heldOut: "4 of the 20 products of 2–9 whose value no other product has (so a hint's value, `54`, names one " +
      "product), no two sharing a factor",
    sizes: "tier 3 (`A±b*c`: 2,750 prompts in 1,537 canonical keys) trains on 1,600 problems",
    examples: [1, 3, 4],
  },
};
