/**
 * Formula application (`physics`): the science domain at toy scale. A problem is a formula and its givens, in
 * alphabetical order (`v=u+a*t; a=6, t=7, u=23`); the solution substitutes the givens (`v=23+6*7`), then rewrites
 * one operation at a time (`v=23+42;v=65`) and boxes the value. The reward is an exact match of the whole chain
 * (`chain` verifier), so a guessed number scores nothing; even judged on the number alone, answers spread over
 * [0, 99] (a guesser's pass@16 is measured in `tests/physics_test.ts`).
 *
 * It keeps `arith`'s difficulty ladder, the design that calibrates into the three regimes, and adds what a science
 * question asks beyond arithmetic: reading a formula, finding each quantity among givens listed in another order, and
 * substituting it. Each tier mixes three formulas. Tier 1: net force, position or heat as a sum of three terms
 * (`F=F1+F2-F3`); 2: four terms; 3 one product (`v=u±a*t`, `x=x0±v*t`, `p=p0±F*t`); 4 a term and a product
 * (`x=x0±d±v*t`, `v=u±w±a*t`, `E=E0±Q±F*d`); 5 two products (`p=p0±F1*t1±F2*t2`, `E=E0±F1*d1±F2*d2`,
 * `x=x0±v1*t1±v2*t2`: impulse, work or distance from two forces or speeds), spelled with characters the lower tiers
 * use, so that what tier 5 adds is the second product, not characters whose embeddings a base never trained. Every
 * intermediate value stays in [0, 99], the numbers a small policy learns on two cores.
 *
 * Hints: `value` names the first operation by precedence in the formula's symbols, with its result (`a*t=42`),
 * `strategy` only names it, `prefix` is the substitution line. The hint leaves out the operands' numbers on purpose:
 * a base trained on hints that spelled them out (`a*t=6*7=42`) learned to copy its substitution from the hint instead
 * of from the givens, and with a product hinted it wrote `p=36-57-57` for `p=36-5*7` (`docs/results-2026-11.md`,
 * "Three domains").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { physicsSolution } from "./physics.ts";
 * assert.equal(physicsSolution("v=u+a*t", { a: 6, t: 7, u: 23 }).solution, "v=23+6*7;v=23+42;v=65 \\boxed{65}");
 * ```
 *
 * @module
 */
import { Rng } from "../random.ts";
import { type DomainSpec, even, type Problem } from "./spec.ts";
import { rewriteOnce, solveSteps, type Token as ExpressionToken } from "./math.ts";
import { finishChain, laterFirst, type Token } from "./arith.ts";
import { bothOrders, canonicalExpression, pickFacts, tokenize, uniqueProducts } from "./splits.ts";

/** The formulas of each tier; `±` is a random sign per problem. */
export const PHYSICS_FORMULAS: Record<number, string[]> = {
  1: ["F=F1±F2±F3", "x=x0±d1±d2", "Q=Q0±Q1±Q2"],
  2: ["F=F1±F2±F3±F4", "x=x0±d1±d2±d3", "Q=Q0±Q1±Q2±Q3"],
  3: ["v=u±a*t", "x=x0±v*t", "p=p0±F*t"],
  4: ["x=x0±d±v*t", "v=u±w±a*t", "E=E0±Q±F*d"],
  5: ["p=p0±F1*t1±F2*t2", "E=E0±F1*d1±F2*d2", "x=x0±v1*t1±v2*t2"],
};

/** A formula's target and its right-hand side split into names and operators (`["u", "+", "a", "*", "t"]`). */
function parseFormula(formula: string): { target: string; terms: string[] } {
  const [target, rhs] = formula.split("=");
  return { target, terms: rhs.split(/([+\-*])/) };
}

/** The solution of `formula` (signs fixed) with `givens`: the substitution, the rewrites and their values. */
export function physicsSolution(
  formula: string,
  givens: Record<string, number>,
): { tokens: Token[]; steps: string[]; operations: string[]; values: number[]; solution: string } {
  const { target, terms } = parseFormula(formula);
  const tokens = terms.map((t) => (/^[+\-*]$/.test(t) ? t : givens[t])) as Token[];
  if (tokens.some((t) => t === undefined)) throw new Error(`physics: a given of ${formula} is missing`);
  const { steps, operations, values } = solveSteps(tokens);
  const chain = [tokens.join(""), ...steps].map((s) => `${target}=${s}`);
  return { tokens, steps, operations, values, solution: `${chain.join(";")} \\boxed{${values.at(-1)}}` };
}

/** The prompt: the formula, then its givens in alphabetical order. */
function physicsPrompt(formula: string, givens: Record<string, number>): string {
  const names = Object.keys(givens).sort();
  return `${formula}; ${names.map((n) => `${n}=${givens[n]}`).join(", ")}`;
}

/** The operation at operator index `at` in the formula's symbols (`a*t`). */
const symbolsAt = (terms: string[], at: number) => `${terms[at - 1]}${terms[at]}${terms[at + 1]}`;

/** One `physics` problem of `tier`, or null when this draw breaks a rule (a value outside [0, 99], a hint giving the answer). */
export function physicsProblem(rng: Rng, tier: number): Omit<Problem, "id" | "split"> | null {
  const formulas = PHYSICS_FORMULAS[Math.min(Math.max(tier, 1), 5)];
  const formula = formulas[rng.nextUint32() % formulas.length].replace(/±/g, () => (rng.next() < 0.5 ? "+" : "-"));
  const { terms } = parseFormula(formula);
  const givens: Record<string, number> = {};
  terms.forEach((name, i) => {
    if (i % 2 === 1) return;
    const factor = terms[i - 1] === "*" || terms[i + 1] === "*";
    givens[name] = i === 0
      ? rng.int(tier <= 2 ? 0 : 10, 40)
      : factor
      ? rng.int(2, 9)
      : tier <= 2 && rng.next() < 0.5
      ? rng.int(10, 59)
      : rng.int(0, 9);
  });
  // Two terms may share a name (none of these formulas repeat one, but a given must have one value).
  if (Object.keys(givens).length !== (terms.length + 1) / 2) return null;
  const { tokens, values, solution } = physicsSolution(formula, givens);
  if (values.some((v) => v < 0 || v > 99)) return null;
  const answer = String(values.at(-1));
  const symbols = symbolsAt(terms, rewriteOnce(tokens).at);
  const strategy = tier <= 2 ? `left to right: first ${symbols}` : `multiply first: ${symbols}`;
  const hints = {
    strategy,
    value: `${symbols}=${values[0]}`,
    prefix: `${parseFormula(formula).target}=${tokens.join("")}`,
  };
  const contains = new RegExp(`(^|\\D)${answer}(\\D|$)`);
  if (Object.values(hints).some((h) => contains.test(h))) return null;
  const prompt = physicsPrompt(formula, givens);
  return { domain: "physics", tier, prompt, answer: solution, hint: hints.strategy, hints, solution };
}

/** The formula and givens of a `physics` prompt. */
function parsePhysicsPrompt(prompt: string): { formula: string; givens: Record<string, number> } {
  const [formula, list] = prompt.split("; ");
  const givens: Record<string, number> = {};
  for (const pair of (list ?? "").split(", ")) {
    const [name, value] = pair.split("=");
    givens[name] = Number(value);
  }
  return { formula, givens };
}

/**
 * A hinted SFT example in another valid order, as `arith`'s `alternativeOrder`: in a `±` chain an operation whose
 * left neighbour is `+` may go first, so the hint `F2-F3=6` and the chain `F=23+14-8;F=23+6;F=29` are right.
 * It teaches the policy to use a hint that names a later operation, which tiers 3–5's hints ask for.
 */
export function physicsAlternative(problem: Problem, rng: Rng): { hint: string; solution: string } | null {
  const { formula, givens } = parsePhysicsPrompt(problem.prompt);
  const { target, terms } = parseFormula(formula);
  const { tokens } = physicsSolution(formula, givens);
  const moved = laterFirst(tokens, rng);
  if (!moved) return null;
  const chain = finishChain(moved.first, moved.value);
  if (!chain) return null;
  const lines = [tokens.join(""), ...chain.steps].map((s) => `${target}=${s}`);
  return {
    hint: `${symbolsAt(terms, moved.at)}=${moved.value}`,
    solution: `${lines.join(";")} \\boxed{${chain.values.at(-1)}}`,
  };
}

/** A `physics` prompt's formula (signed) and givens. */
function physicsParts(prompt: string): { formula: string; target: string; rhs: string; givens: Map<string, string> } {
  const [formula, list] = prompt.split("; ");
  const [target, rhs] = formula.split("=");
  const givens = new Map((list ?? "").split(", ").map((pair) => pair.split("=") as [string, string]));
  return { formula, target, rhs, givens };
}

/** A `physics` formula's right-hand side with its givens substituted (`23+6*7`). */
function physicsExpression(prompt: string): string {
  const { rhs, givens } = physicsParts(prompt);
  return rhs.replace(/[A-Za-z]\w*/g, (name) => {
    const value = givens.get(name);
    if (value === undefined) throw new Error(`physics: "${prompt}" gives no ${name}`);
    return value;
  });
}

/** The `physics` domain: its generator, verifier, sizes, keys and card (registered in `./domains.ts`). */
export const physicsDomain: DomainSpec = {
  name: "physics",
  verifier: "chain",
  generate: physicsProblem,
  sizes: { test: even(1_000), validation: even(1_280), train: even(10_000) },
  canonicalKey: ({ prompt }) => `${physicsParts(prompt).formula}|${canonicalExpression(physicsExpression(prompt))}`,
  hintFacts: (problem) => {
    const tokens = tokenize(physicsExpression(problem.prompt)).map((t) => (/^\d+$/.test(t) ? Number(t) : t));
    return [...bothOrders(solveSteps(tokens as ExpressionToken[]).operations[0]), problem.hints.value];
  },
  heldOutFacts: (seed) => pickFacts(uniqueProducts(), 4, seed * 1000 + 9),
  alternative: physicsAlternative,
  card: {
    summary: "The science domain at toy scale: formula application. A prompt is a formula and its givens in " +
      "alphabetical order; the solution substitutes them, then rewrites one operation at a time as `arith` does, " +
      "each line restating the quantity (`v=23+6*7;v=23+42;v=65`). Each tier mixes three formulas; every value stays " +
      "in [0, 99], and names are spelled only with characters the lower tiers use. Guessing is ruled out by the " +
      "judge: a guesser that draws 16 final numbers from a tier's own answer distribution would reach pass@16 ≈ 0.16 " +
      "if only the number were judged (`tests/chain_domains_test.ts`), and scores 0 against the whole chain.",
    tiers: [
      "net force, position or heat as a sum of three terms (`F=F1±F2±F3`)",
      "four terms",
      "one product (`v=u±a*t`, `x=x0±v*t`, `p=p0±F*t`)",
      "a term and a product (`x=x0±d±v*t`, `v=u±w±a*t`, `E=E0±Q±F*d`)",
      "two products (`p=p0±F1*t1±F2*t2`, `E=E0±F1*d1±F2*d2`, `x=x0±v1*t1±v2*t2`)",
    ],
    hints: {
      strategy: "names the first operation in the formula's symbols (`multiply first: a*t`)",
      value: "the first operation in the formula's symbols with its result (`a*t=42`), not its operands' numbers (a " +
        "base copied those into its substitution), so the fact it states is that operation on the numbers or the hint",
      prefix: "the substitution line (`v=23+6*7`)",
    },
    key: "the signed formula and its substituted expression's key (swapping the values of `a` and `t` in `v=u+a*t` " +
      "gives the same key; another formula with the same numbers does not)",
    heldOut: "4 of the 20 products of 2–9 whose value no other product has, no two sharing a factor",
    examples: [1, 3, 4],
  },
};
