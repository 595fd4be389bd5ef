/**
 * What keeps the splits apart: a canonical key per problem (equal for two problems that differ only by the order of
 * commutative operands, so train, validation and test can be made disjoint by more than the prompt string), the
 * textual forms of the fact a problem's `value` hint gives (to mark test problems whose hinted fact no training
 * example or hint contains: the novel-hint subset), and the few facts held out of training so that subset exists.
 *
 * Canonical keys by domain:
 * - `arith`, `powers`, `math`: the expression's tree (precedence, left to right) with the two operands of every `+`
 *   and `*` sorted: `17+8*5`, `17+5*8` and `8*5+17` share a key; `a-b` and `b-a`, `3^2` and `2^3`, and `(A+b)+c`
 *   and `A+(b+c)` (associativity: another first operation) do not.
 * - `programs`: the same on the formula (`x+3*y` = `y*3+x`).
 * - `physics`: the formula as signed (`v=u+a*t`) and the substituted expression's key, so swapping the values of
 *   `a` and `t`, or of `F1` and `F2` in `F1+F2-F3`, gives the same key; another formula with the same numbers does not.
 * - `science`: the question without its options: a question's four options are fixed by it, and only their order
 *   varies (no operand of a question can be swapped: `a` and `t` are an acceleration and a time).
 * - `code`: the function (the solution) and its three shown examples as a set: the examples' order is the freedom.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalExpression } from "./splits.ts";
 * assert.equal(canonicalExpression("17+8*5"), canonicalExpression("8*5+17"));
 * assert.notEqual(canonicalExpression("9-4"), canonicalExpression("4-9"));
 * ```
 *
 * @module
 */
import { Rng } from "../random.ts";
import type { Problem } from "./schema.ts";
import { solveSteps, type Token } from "./math.ts";

type Domain = Problem["domain"];
type Node = string | { op: string; left: Node; right: Node };

const COMMUTATIVE = new Set(["+", "*"]);

/** The tokens of an expression: numbers, names, operators and brackets. */
function tokenize(expression: string): string[] {
  const tokens = expression.match(/\d+|[A-Za-z_]\w*|[+\-*^()]/g) ?? [];
  if (tokens.join("") !== expression.replace(/\s+/g, "")) throw new Error(`cannot read the expression "${expression}"`);
  return tokens;
}

/** Parse by precedence (`^` above `*` above `+`/`-`, left to right, brackets first). */
function parse(tokens: string[], expression: string): Node {
  let at = 0;
  const fail = (why: string): never => {
    throw new Error(`"${expression}": ${why} at token ${at}`);
  };
  const atom = (): Node => {
    const t = tokens[at++];
    if (t === "(") {
      const inner = sum();
      if (tokens[at++] !== ")") fail("expected )");
      return inner;
    }
    if (t === undefined || /^[+\-*^)]$/.test(t)) fail(`expected an operand, got ${t ?? "the end"}`);
    return /^\d+$/.test(t) ? String(Number(t)) : t;
  };
  const power = (): Node => {
    let node = atom();
    while (tokens[at] === "^") node = { op: tokens[at++], left: node, right: atom() };
    return node;
  };
  const product = (): Node => {
    let node = power();
    while (tokens[at] === "*") node = { op: tokens[at++], left: node, right: power() };
    return node;
  };
  const sum = (): Node => {
    let node = product();
    while (tokens[at] === "+" || tokens[at] === "-") node = { op: tokens[at++], left: node, right: product() };
    return node;
  };
  const node = sum();
  if (at !== tokens.length) fail("unexpected token");
  return node;
}

function render(node: Node): string {
  if (typeof node === "string") return node;
  const [a, b] = [render(node.left), render(node.right)];
  return COMMUTATIVE.has(node.op) && b < a ? `(${b}${node.op}${a})` : `(${a}${node.op}${b})`;
}

/**
 * The canonical form of an expression: its tree, fully bracketed, the operands of each `+` and `*` in sorted order.
 * Equal for expressions that differ only by the order of commutative operands.
 */
export function canonicalExpression(expression: string): string {
  return render(parse(tokenize(expression), expression));
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

/** The canonical key of a problem (see the module doc): equal for problems that differ only by commutative order. */
export function canonicalKey(problem: Pick<Problem, "domain" | "prompt" | "solution">): string {
  const { domain, prompt } = problem;
  switch (domain) {
    case "arith":
    case "powers":
    case "math":
      return canonicalExpression(prompt);
    case "programs":
      return canonicalExpression(prompt.slice(prompt.indexOf("=") + 1));
    case "physics":
      return `${physicsParts(prompt).formula}|${canonicalExpression(physicsExpression(prompt))}`;
    case "science":
      return prompt.replace(/ \(A\) .*$/, "");
    case "code": {
      const examples = prompt.replace(/\. Write f\.$/, "").split("; ").sort();
      return `${problem.solution}|${examples.join("; ")}`;
    }
  }
}

/** An operation `a op b` in both operand orders when `op` is commutative. */
function bothOrders(operation: string): string[] {
  const m = operation.match(/^(\w+)([+\-*^])(\w+)$/);
  if (!m) throw new Error(`not an operation: "${operation}"`);
  return COMMUTATIVE.has(m[2]) && m[1] !== m[3] ? [operation, `${m[3]}${m[2]}${m[1]}`] : [operation];
}

/**
 * The texts that state the fact a problem's `value` hint gives: its operation in either commutative order (`6*7`,
 * `7*6`; `physics` the substituted numbers and the hint itself, `a*t=42`; `programs` `3*x`, `x*3`); for hints that
 * are not an operation (`science`, `code`, `math` tier 1's units digit) the hint's sentence.
 */
export function hintFactForms(problem: Pick<Problem, "domain" | "prompt" | "hints">): string[] {
  const value = problem.hints.value;
  switch (problem.domain) {
    case "arith":
    case "powers":
    case "math": {
      const m = value.match(/^(\d+[+\-*^]\d+) is \d+$/);
      return m ? bothOrders(m[1]) : [value];
    }
    case "physics": {
      const tokens = tokenize(physicsExpression(problem.prompt)).map((t) => (/^\d+$/.test(t) ? Number(t) : t));
      return [...bothOrders(solveSteps(tokens as Token[]).operations[0]), value];
    }
    case "programs":
      return bothOrders(value.slice(value.indexOf("=") + 1));
    default:
      return [value];
  }
}

const WORD = /[0-9A-Za-z_]/;

/** Whether `form` occurs in `text` as a whole (no letter, digit or `_` touching it on either side: `6*7` not in `16*7`). */
export function occurs(text: string, form: string): boolean {
  for (let i = text.indexOf(form); i >= 0; i = text.indexOf(form, i + 1)) {
    const [before, after] = [text[i - 1] ?? " ", text[i + form.length] ?? " "];
    if ((!WORD.test(form[0]) || !WORD.test(before)) && (!WORD.test(form.at(-1)!) || !WORD.test(after))) return true;
  }
  return false;
}

/** Every text of a problem a model can learn a fact from: prompt, solution and hints in every style. */
export function problemTexts(problem: Pick<Problem, "prompt" | "solution" | "hints">): string[] {
  return [problem.prompt, problem.solution, ...Object.values(problem.hints)];
}

/** Distinct factor pairs of 2–9 whose product no other pair gives (`6*7` = 42, not `3*4` = 12 = `2*6`). */
function uniqueProducts(): string[] {
  const pairs: [number, number][] = [];
  for (let a = 2; a <= 9; a++) for (let b = a + 1; b <= 9; b++) pairs.push([a, b]);
  const count = (v: number) => pairs.filter(([x, y]) => x * y === v).length + (Number.isInteger(Math.sqrt(v)) ? 1 : 0);
  return pairs.filter(([a, b]) => count(a * b) === 1).map(([a, b]) => `${a}*${b}`);
}

/** `count` of `candidates`, drawn without replacement by a seeded generator, no two sharing a number (spread out). */
function pick(candidates: string[], count: number, seed: number): string[] {
  const rng = new Rng(seed);
  const numbers = (fact: string): string[] => fact.match(/\d+/g) ?? [];
  // A greedy draw can strand itself (every fact left shares a number): draw again, in a new order, until one fits.
  for (let attempt = 0; attempt < 1000; attempt++) {
    const pool = [...candidates];
    const out: string[] = [];
    while (out.length < count && pool.length > 0) {
      const fact = pool.splice(rng.nextUint32() % pool.length, 1)[0];
      if (!out.some((f) => numbers(f).some((n) => numbers(fact).includes(n)))) out.push(fact);
    }
    if (out.length === count) return out.sort();
  }
  throw new Error(`cannot pick ${count} facts sharing no number from ${candidates.join(", ")}`);
}

/**
 * The facts held out of training, per domain (one operand order each; {@link bothOrders} gives the other): a seeded
 * few, so that the test problems hinted with one of them form the novel-hint subset, while SFT on tiers 1–2 (sums
 * only) loses nothing. `arith` and `physics`: 4 of the 20 products of 2–9 whose value no other product has (so a
 * hint's value, `54`, names one product), no two sharing a factor; `powers`: one square and the cube `3^3` (not `4^3`:
 * 64 is also `8^2`, a power training shows; `8^2` is no candidate for the same reason); `programs`: 3 of the 16
 * products of a digit and a parameter, with distinct digits (not `x*y`, a fifth of all products). `math`, `science`
 * and `code` hold none: math's facts are too many to repeat, and science's and code's are read off the prompt.
 */
export function heldOutFacts(domain: Domain, seed = 0): string[] {
  const base = seed * 1000 + 7;
  switch (domain) {
    case "arith":
      return pick(uniqueProducts(), 4, base + 1);
    case "physics":
      return pick(uniqueProducts(), 4, base + 2);
    case "powers":
      return [...pick(["2", "3", "4", "5", "6", "7", "9"].map((b) => `${b}^2`), 1, base + 3), "3^3"];
    case "programs": {
      const products = ["x", "y"].flatMap((p) => ["2", "3", "4", "5", "6", "7", "8", "9"].map((d) => `${d}*${p}`));
      return pick(products, 3, base + 4);
    }
    default:
      return [];
  }
}

/** Whether a problem states a held-out fact anywhere (prompt, solution, any hint), in either operand order. */
export function usesHeldOut(problem: Pick<Problem, "prompt" | "solution" | "hints">, facts: string[]): boolean {
  if (facts.length === 0) return false;
  const texts = problemTexts(problem);
  return facts.flatMap(bothOrders).some((form) => texts.some((t) => occurs(t, form)));
}

/**
 * A test of novelty against a training split: `isNovel(p)` is true when none of `p`'s hint-fact forms occurs in any
 * training prompt, solution or hint. Forms are memoized: a domain has few distinct facts.
 */
export function noveltyAgainst(train: Problem[]): (problem: Problem) => boolean {
  const haystack = train.flatMap(problemTexts).join("\n");
  const seen = new Map<string, boolean>();
  const found = (form: string) => {
    if (!seen.has(form)) seen.set(form, occurs(haystack, form));
    return seen.get(form)!;
  };
  return (problem) => !hintFactForms(problem).some(found);
}
