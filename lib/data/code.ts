/**
 * Code problems: write `f` from input/output examples; hidden tests check other inputs. Tier 1: `x + b`;
 * 2: affine `a*x + b`; 3: `a*x*x + b`; 4: an affine map over an array; 5: filter then map over an array. Hints:
 * `strategy` names the shape of `f`, `value` gives one coefficient, `prefix` is the start of the solution.
 *
 * @module
 */
import { Rng } from "../random.ts";
import { type DomainSpec, even, type Problem } from "./spec.ts";
import type { CodeGold } from "../verifiers/code.ts";

/** Distinct integers in [lo, hi]. */
function distinct(rng: Rng, count: number, lo: number, hi: number): number[] {
  const out = new Set<number>();
  while (out.size < count) out.add(rng.int(lo, hi));
  return [...out];
}

function show(value: unknown): string {
  return JSON.stringify(value).replace(/,/g, ", ");
}

/** One code problem of `tier`. */
export function codeProblem(rng: Rng, tier: number): Omit<Problem, "id" | "split"> | null {
  const a = rng.int(2, 9);
  const b = rng.int(1, 20);
  let fn: (x: never) => unknown;
  let inputs: unknown[];
  let body: string;
  let strategy: string;
  let value: string;
  let prefix: string;
  switch (tier) {
    case 1:
      fn = ((x: number) => x + b) as never;
      inputs = distinct(rng, 7, 0, 30);
      body = `function f(x){return x+${b}}`;
      strategy = "f adds the same number to every input";
      value = `f(0) is ${b}`;
      prefix = "function f(x){return x+";
      break;
    case 2:
      fn = ((x: number) => a * x + b) as never;
      inputs = distinct(rng, 7, 0, 30);
      body = `function f(x){return ${a}*x+${b}}`;
      strategy = "f is affine: find the slope from two examples";
      value = `the slope is ${a}`;
      prefix = `function f(x){return ${a}*x`;
      break;
    case 3:
      fn = ((x: number) => a * x * x + b) as never;
      inputs = distinct(rng, 7, 0, 12);
      body = `function f(x){return ${a}*x*x+${b}}`;
      strategy = "f is a*x*x+b: f(0) gives b";
      value = `b is ${b}`;
      prefix = `function f(x){return ${a}*x*x`;
      break;
    case 4:
      fn = ((xs: number[]) => xs.map((x) => a * x + b)) as never;
      inputs = Array.from({ length: 7 }, () => distinct(rng, rng.int(2, 4), 0, 20));
      body = `function f(a){return a.map(x=>${a}*x+${b})}`;
      strategy = "f maps each element by the same affine rule";
      value = `the slope is ${a}`;
      prefix = "function f(a){return a.map(x=>";
      break;
    default: {
      const k = rng.int(3, 12);
      fn = ((xs: number[]) => xs.filter((x) => x > k).map((x) => a * x)) as never;
      inputs = Array.from({ length: 7 }, () => distinct(rng, rng.int(3, 5), 0, 20));
      body = `function f(a){return a.filter(x=>x>${k}).map(x=>${a}*x)}`;
      strategy = "f keeps the elements above a threshold, then scales them";
      value = `the threshold is ${k}`;
      prefix = `function f(a){return a.filter(x=>x>${k})`;
    }
  }
  const shown = inputs.slice(0, 3);
  const hidden = inputs.slice(3);
  const examples = shown.map((x) => `f(${show(x)}) = ${show(fn(x as never))}`).join("; ");
  if (tier === 5 && shown.every((x) => (fn(x as never) as unknown[]).length === 0)) return null;
  const hints = { strategy, value, prefix };
  return {
    domain: "code",
    tier,
    prompt: `${examples}. Write f.`,
    answer: { entry: "f", tests: hidden.map((x) => ({ args: [x], expected: fn(x as never) })) },
    hint: hints.strategy,
    hints,
    solution: body,
  };
}

/** The `code` domain: its generator, verifier, sizes, keys and card (registered in `./domains.ts`). */
export const codeDomain: DomainSpec = {
  name: "code",
  verifier: "code",
  generate: codeProblem,
  sizes: { test: even(500), validation: even(1_280), train: even(20_000) },
  canonicalKey: (problem) => {
    const examples = problem.prompt.replace(/\. Write f\.$/, "").split("; ").sort();
    return `${problem.solution}|${examples.join("; ")}`;
  },
  checkAnswer: (answer) => {
    const gold = answer as CodeGold;
    return !gold || typeof gold !== "object" || !Array.isArray(gold.tests) || gold.tests.length === 0
      ? "code gold must be {entry?, tests: [{args, expected}, …]}"
      : null;
  },
  card: {
    summary: "Write `f` from three input/output examples; four hidden tests decide (the `code` verifier runs the " +
      "answer in a sandbox).",
    tiers: ["`x + b`", "`a*x + b`", "`a*x*x + b`", "an affine map over an array", "filter then map"],
    hints: {
      strategy: "the shape of `f` (`f is affine: find the slope from two examples`)",
      value: "one coefficient or threshold (`the slope is 3`)",
      prefix: "the start of the solution (`function f(x){return 3*x`)",
    },
    key: "the function (its solution) and its three shown examples as a set (the examples' order is the freedom)",
    examples: [2, 5],
  },
};
