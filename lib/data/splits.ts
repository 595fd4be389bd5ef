/**
 * What keeps the splits apart, for every domain: canonical keys built on expressions (equal for two problems that
 * differ only by the order of commutative operands, so train, validation and test can be made disjoint by more than
 * the prompt string), the whole-token search for the fact a problem's `value` hint gives (to mark test problems whose
 * hinted fact no training example or hint contains: the novel-hint subset), and the seeded draw of the few facts held
 * out of training so that subset exists. Each domain's key, facts and held-out facts are its own
 * (`DomainSpec.canonicalKey`, `hintFacts`, `heldOutFacts`), built from these parts.
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
import type { Problem } from "./spec.ts";

type Node = string | { op: string; left: Node; right: Node };

const COMMUTATIVE = new Set(["+", "*"]);

/** The tokens of an expression: numbers, names, operators and brackets. */
export function tokenize(expression: string): string[] {
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

/** An operation `a op b` in both operand orders when `op` is commutative. */
export function bothOrders(operation: string): string[] {
  const m = operation.match(/^(\w+)([+\-*^])(\w+)$/);
  if (!m) throw new Error(`not an operation: "${operation}"`);
  return COMMUTATIVE.has(m[2]) && m[1] !== m[3] ? [operation, `${m[3]}${m[2]}${m[1]}`] : [operation];
}

/**
 * The texts that state the fact of a `value` hint of the form `a op b is v` (`6*7 is 42`): the operation in either
 * commutative order (`6*7`, `7*6`); for any other hint, the hint's sentence.
 */
export function operationFacts(value: string): string[] {
  const m = value.match(/^(\d+[+\-*^]\d+) is \d+$/);
  return m ? bothOrders(m[1]) : [value];
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
export function uniqueProducts(): string[] {
  const pairs: [number, number][] = [];
  for (let a = 2; a <= 9; a++) for (let b = a + 1; b <= 9; b++) pairs.push([a, b]);
  const count = (v: number) => pairs.filter(([x, y]) => x * y === v).length + (Number.isInteger(Math.sqrt(v)) ? 1 : 0);
  return pairs.filter(([a, b]) => count(a * b) === 1).map(([a, b]) => `${a}*${b}`);
}

/** `count` of `candidates`, drawn without replacement by a seeded generator, no two sharing a number (spread out). */
export function pickFacts(candidates: string[], count: number, seed: number): string[] {
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

/** Whether a problem states a held-out fact anywhere (prompt, solution, any hint), in either operand order. */
export function usesHeldOut(problem: Pick<Problem, "prompt" | "solution" | "hints">, facts: string[]): boolean {
  if (facts.length === 0) return false;
  const texts = problemTexts(problem);
  return facts.flatMap(bothOrders).some((form) => texts.some((t) => occurs(t, form)));
}

/**
 * A test of novelty against a training split: `isNovel(p)` is true when none of `p`'s hint-fact forms (`hintFacts`,
 * its domain's) occurs in any training prompt, solution or hint. Forms are memoized: a domain has few distinct facts.
 */
export function noveltyAgainst(
  train: Problem[],
  hintFacts: (problem: Problem) => string[],
): (problem: Problem) => boolean {
  const haystack = train.flatMap(problemTexts).join("\n");
  const seen = new Map<string, boolean>();
  const found = (form: string) => {
    if (!seen.has(form)) seen.set(form, occurs(haystack, form));
    return seen.get(form)!;
  };
  return (problem) => !hintFacts(problem).some(found);
}
