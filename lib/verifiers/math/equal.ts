/**
 * When two parsed answers are the same: labels and chains first (`x = 5+5+1 = 11` gives 11), then relations,
 * sets, tuples and intervals, then values. The policy itself is written in `../math.ts`'s header.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseAnswer } from "./answer.ts";
 * import { answersEqual } from "./equal.ts";
 * import { Deadline } from "./numbers.ts";
 * const same = (a: string, b: string) => answersEqual(parseAnswer(a), parseAnswer(b), new Deadline(500));
 * assert.equal(same("x \\le 5", "5 \\ge x"), true);
 * assert.equal(same("x \\ge 5", "5"), false);
 * assert.equal(same("\\{1, 2\\}", "2, 1"), true);
 * ```
 *
 * @module
 */
import type { MathNode } from "mathjs";
import { Rng } from "../../random.ts";
import type { Answer, RelationOp } from "./answer.ts";
import {
  close,
  complexOf,
  Deadline,
  exactMath,
  floatMath,
  isDecimalLiteral,
  isRationalArithmetic,
  RELATIVE_TOLERANCE,
  roundedEqual,
  SYMBOLIC_TOLERANCE,
  symbolsOf,
} from "./numbers.ts";

type Expr = Extract<Answer, { kind: "expr" }>;
type Relation = Extract<Answer, { kind: "relation" }>;

/** Are `gold` and `pred` the same answer? False when the deadline passes mid-way. */
export function answersEqual(gold: Answer, pred: Answer, deadline: Deadline): boolean {
  if (deadline.passed) return false;
  const labelledGold = labelled(gold);
  const labelledPred = labelled(pred);
  if (labelledGold && labelledPred) {
    return sameLabel(labelledGold.label, labelledPred.label, deadline) &&
      answersEqual(labelledGold.value, labelledPred.value, deadline);
  }
  // `x = 11` against `11` (either way round); an equation against a number only when it names a variable.
  if (labelledGold && pred.kind !== "relation") return answersEqual(labelledGold.value, pred, deadline);
  if (labelledPred && gold.kind !== "relation") return answersEqual(gold, labelledPred.value, deadline);
  const computedPred = computation(pred);
  if (computedPred && gold.kind !== "relation") return answersEqual(gold, computedPred, deadline);
  const computedGold = computation(gold);
  if (computedGold && pred.kind !== "relation") return answersEqual(computedGold, pred, deadline);

  if (gold.kind === "relation" && pred.kind === "relation") return relationsEqual(gold, pred, deadline);
  if (gold.kind === "relation") {
    // Math-Verify's convention: a gold inequality accepts the same set written as an interval; not the reverse.
    if (!isSetLike(pred)) return false;
    const a = realSet(gold, deadline);
    const b = realSet(pred, deadline);
    return a !== null && b !== null && realSetsEqual(a, b, deadline);
  }
  if (pred.kind === "relation") return false;

  if (gold.kind === "expr" && pred.kind === "expr") return exprEqual(gold, pred, deadline);
  if (gold.kind === "text" || pred.kind === "text") return textEqual(gold, pred);

  if (gold.kind === "set" && pred.kind === "set") return setsEqual(gold.items, pred.items, deadline);
  if (gold.kind === "set" && pred.kind === "expr") return setsEqual(gold.items, [pred], deadline);
  if (gold.kind === "expr" && pred.kind === "set") return setsEqual([gold], pred.items, deadline);
  if (gold.kind === "bracket" && pred.kind === "bracket") return bracketsEqual(gold, pred, deadline);
  // A tuple against a bare list of the same items in the same written order (Math-Verify's convention); a set
  // written as one (`\{1, 3\}`) is never a tuple or an open interval.
  if (gold.kind === "bracket" && pred.kind === "set" && !pred.braced && gold.open === "(" && gold.close === ")") {
    return itemsInOrder(gold.items, pred.items, deadline);
  }
  if (gold.kind === "set" && !gold.braced && pred.kind === "bracket" && pred.open === "(" && pred.close === ")") {
    return itemsInOrder(gold.items, pred.items, deadline);
  }
  if ((gold.kind === "bracket" && pred.kind === "set") || (gold.kind === "set" && pred.kind === "bracket")) {
    return false;
  }
  if (isSetLike(gold) && isSetLike(pred)) {
    const a = realSet(gold, deadline);
    const b = realSet(pred, deadline);
    return a !== null && b !== null && realSetsEqual(a, b, deadline);
  }
  return false;
}

/** `x = …`, `(p, q) = …`, `f(x) = …`, `x \in S`: a label (symbols only) and the value given last. */
function labelled(a: Answer): { label: Answer; value: Answer } | null {
  if (a.kind === "member") return { label: a.element, value: a.set };
  if (a.kind !== "relation" || !a.ops.every((op) => op === "=") || !isLabel(a.sides[0])) return null;
  return { label: a.sides[0], value: a.sides[a.sides.length - 1] };
}

function isLabel(a: Answer): boolean {
  if (a.kind === "bracket") return a.items.every(isLabel);
  if (a.kind === "text") return true;
  if (a.kind !== "expr") return false;
  let onlySymbols = true;
  // Symbols, their products and quotients, and absolute values: `x`, `xy`, `|AB|`, `\frac{NO}{BO}`.
  a.node.traverse((n) => {
    if (n.type === "SymbolNode" || n.type === "ParenthesisNode") return;
    if (n.type === "OperatorNode" && ["*", "/"].includes((n as unknown as { op: string }).op)) return;
    if (n.type === "FunctionNode" && (n as unknown as { fn: { name: string } }).fn.name === "abs") return;
    onlySymbols = false;
  });
  return onlySymbols && symbolsOf(a.node).length > 0;
}

function sameLabel(a: Answer, b: Answer, deadline: Deadline): boolean {
  if (a.kind === "expr" && b.kind === "expr") return a.source.replace(/\s/g, "") === b.source.replace(/\s/g, "");
  return answersEqual(a, b, deadline);
}

/** A chain of equal constants (`5+5+1 = 11`): its last side, the value the work arrived at. */
function computation(a: Answer): Answer | null {
  if (a.kind !== "relation" || !a.ops.every((op) => op === "=")) return null;
  const constant = a.sides.every((s) => s.kind === "expr" && symbolsOf(s.node).length === 0);
  return constant ? a.sides[a.sides.length - 1] : null;
}

function isSetLike(a: Answer): boolean {
  return a.kind === "union" || a.kind === "reals" || a.kind === "set" || a.kind === "member" ||
    (a.kind === "bracket" && a.items.length === 2 && a.open !== ":") || a.kind === "relation";
}

function textEqual(a: Answer, b: Answer): boolean {
  const name = (x: Answer): string | null => {
    if (x.kind === "text") return x.text;
    if (x.kind === "expr" && x.node.type === "SymbolNode") {
      return (x.node as unknown as { name: string }).name.replace(/^text_/, "").toLowerCase();
    }
    return null;
  };
  const na = name(a);
  const nb = name(b);
  return na !== null && nb !== null && na.length > 0 && na === nb;
}

/** Every item of each has an equal item in the other (duplicates do not count twice). */
function setsEqual(a: Answer[], b: Answer[], deadline: Deadline): boolean {
  if (a.length === 0 || b.length === 0) return a.length === b.length;
  const covered = (from: Answer[], to: Answer[], goldFirst: boolean) =>
    from.every((x) => to.some((y) => (goldFirst ? answersEqual(x, y, deadline) : answersEqual(y, x, deadline))));
  return covered(a, b, true) && covered(b, a, false);
}

function itemsInOrder(a: Answer[], b: Answer[], deadline: Deadline): boolean {
  return a.length === b.length && a.every((x, i) => answersEqual(x, b[i], deadline));
}

function bracketsEqual(
  a: Extract<Answer, { kind: "bracket" }>,
  b: Extract<Answer, { kind: "bracket" }>,
  deadline: Deadline,
): boolean {
  if (a.open !== b.open || a.close !== b.close) return false;
  return itemsInOrder(a.items, b.items, deadline);
}

// ---------------------------------------------------------------- values

/** Two expressions: percent as written or divided by 100, then their values. */
export function exprEqual(a: Expr, b: Expr, deadline: Deadline): boolean {
  if (a.percent === b.percent) return a.source === b.source || valuesEqual(a, b, deadline);
  const [percent, other] = a.percent ? [a, b] : [b, a];
  if (valuesEqual(percent, other, deadline)) return true;
  const source = `(${percent.source}) / 100`;
  return valuesEqual({ node: floatMath.parse(source), source }, other, deadline);
}

/** Number of random points an identity with variables is checked at. */
const POINTS = 6;

/** A parsed value and the mathjs text it was parsed from (exact arithmetic reads the text, not float constants). */
type Term = { node: MathNode; source: string };

function valuesEqual(x: Term, y: Term, deadline: Deadline): boolean {
  if (deadline.passed) return false;
  const a = x.node;
  const b = y.node;
  const symbols = [...new Set([...symbolsOf(a), ...symbolsOf(b)])];
  if (symbols.length === 0) return constantsEqual(x, y, deadline.places);
  if (isRationalArithmetic(a, true) && isRationalArithmetic(b, true)) return rationalIdentity(x, y, symbols, deadline);
  const rng = new Rng(20_250_613);
  // Floor and ceiling differ only at integers (⌈x⌉ − 1 = ⌊x⌋ elsewhere): every other point is one.
  const stepwise = /\b(?:floor|ceil)\(/.test(x.source + y.source);
  let valid = 0;
  for (let p = 0; p < POINTS * 3 && valid < POINTS; p++) {
    if (deadline.passed) return false;
    const scope: Record<string, number> = {};
    // Both signs: sqrt(x^2) is |x|, not x, and only a negative point shows it.
    for (const name of symbols) {
      scope[name] = stepwise && p % 2 === 0
        ? Math.floor(rng.next() * 7) - 3
        : (rng.next() < 0.5 ? -1 : 1) * (0.3 + 2.6 * rng.next());
    }
    const va = evaluate(a, scope);
    const vb = evaluate(b, scope);
    if (va === undefined || vb === undefined) return false;
    if (va === null || vb === null) continue; // a pole or a domain edge at this point
    if (!sameValue(va, vb, SYMBOLIC_TOLERANCE, false)) return false;
    valid++;
  }
  return valid >= 3;
}

/**
 * Rational expressions with variables, exactly: at 6 random rational points, in fractions, so no tolerance hides a
 * difference of 1 in 10^9. (Two rational functions of degree < 6 that agree at 6 points off their poles are equal.)
 */
function rationalIdentity(x: Term, y: Term, symbols: string[], deadline: Deadline): boolean {
  const rng = new Rng(20_250_614);
  let valid = 0;
  for (let p = 0; p < POINTS * 3 && valid < POINTS; p++) {
    if (deadline.passed) return false;
    const scope: Record<string, unknown> = {};
    for (const name of symbols) {
      const numerator = Math.floor(rng.next() * 199) - 99;
      scope[name] = exactMath.fraction(numerator === 0 ? 1 : numerator, 7 + Math.floor(rng.next() * 23));
    }
    let same: boolean;
    try {
      same = exactMath.equal(exactMath.evaluate(x.source, scope), exactMath.evaluate(y.source, scope)) as boolean;
    } catch {
      continue; // a pole at this point
    }
    if (!same) return false;
    valid++;
  }
  return valid >= 3;
}

type Value = { re: number; im: number } | Value[];

/** A node's value: null at a pole (not finite), undefined when it is not a number or matrix at all. */
function evaluate(node: MathNode, scope: Record<string, number> = {}): Value | null | undefined {
  let raw: unknown;
  try {
    raw = node.evaluate(scope);
  } catch {
    return undefined;
  }
  const convert = (v: unknown): Value | null | undefined => {
    if (v && typeof v === "object" && "toArray" in v && typeof (v as { toArray: unknown }).toArray === "function") {
      return convert((v as { toArray(): unknown[] }).toArray());
    }
    if (Array.isArray(v)) {
      const items = v.map(convert);
      if (items.some((x) => x === undefined)) return undefined;
      if (items.some((x) => x === null)) return null;
      return items as Value[];
    }
    const c = complexOf(v);
    if (!c) return undefined;
    return Number.isFinite(c.re) && Number.isFinite(c.im) ? c : null;
  };
  return convert(raw);
}

function sameValue(a: Value, b: Value, tolerance: number, rounded: boolean, places?: number): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameValue(x, b[i], tolerance, rounded, places));
  }
  if (rounded) return roundedEqual(a.re, b.re, places) && roundedEqual(a.im, b.im, places);
  return close(a.re, b.re, tolerance) && close(a.im, b.im, tolerance);
}

/** Two constant expressions under the policy: exact rationals, a decimal at `places` places, else 1e-14 relative. */
function constantsEqual(x: Term, y: Term, places: number): boolean {
  if (/^-?\d+$/.test(x.source) && /^-?\d+$/.test(y.source)) return BigInt(x.source) === BigInt(y.source);
  const a = x.node;
  const b = y.node;
  const decimalA = isDecimalLiteral(a);
  const decimalB = isDecimalLiteral(b);
  const rationalA = isRationalArithmetic(a);
  const rationalB = isRationalArithmetic(b);
  if (rationalA && rationalB && !decimalA && !decimalB) {
    try {
      return exactMath.equal(exactMath.evaluate(x.source), exactMath.evaluate(y.source)) as boolean;
    } catch {
      return false;
    }
  }
  const va = evaluate(a);
  const vb = evaluate(b);
  if (va === undefined || vb === undefined) return false;
  if (va === null || vb === null) {
    return literalInfinity(a) && literalInfinity(b) && infinitySign(a) === infinitySign(b);
  }
  if (decimalA || decimalB) {
    // A decimal meets any value (1/3, √2, π) when both round alike at `places` places (Math-Verify's
    // float_rounding): right to 6 places by default, so 1.414214 = √2 but 1.4142 ≠ √2 and 3.14 ≠ π. A value that
    // rounds to 0 meets only 0 (0.000000 is not π/10^7).
    const other = decimalA ? vb : va;
    const tiny = (v: Value): boolean =>
      Array.isArray(v)
        ? v.some(tiny)
        : (v.re !== 0 && roundedEqual(v.re, 0, places)) || (v.im !== 0 && roundedEqual(v.im, 0, places));
    return sameValue(va, vb, 0, true, places) && !tiny(other);
  }
  const rounded = /\d\.\d/.test(x.source) || /\d\.\d/.test(y.source);
  return sameValue(va, vb, RELATIVE_TOLERANCE, rounded && Array.isArray(va), places);
}

function literalInfinity(node: MathNode): boolean {
  return /^-?\s*\(?\s*Infinity\s*\)?$/.test(node.toString());
}

function infinitySign(node: MathNode): number {
  return node.toString().trim().startsWith("-") ? -1 : 1;
}

// ---------------------------------------------------------------- relations

type Simple = { op: "<" | "<=" | "=" | "!="; lhs: MathNode; rhs: MathNode };

/** One `a op b` as `lhs op' rhs` with op' one of < ≤ = ≠ (greater-than relations are turned around). */
function simpleRelations(r: Relation): Simple[] | null {
  const out: Simple[] = [];
  for (let k = 0; k < r.ops.length; k++) {
    const left = r.sides[k];
    const right = r.sides[k + 1];
    if (left.kind !== "expr" || right.kind !== "expr") return null;
    const op: RelationOp = r.ops[k];
    if (op === ">" || op === ">=") out.push({ op: op === ">" ? "<" : "<=", lhs: right.node, rhs: left.node });
    else out.push({ op, lhs: left.node, rhs: right.node });
  }
  return out;
}

function relationsEqual(a: Relation, b: Relation, deadline: Deadline): boolean {
  const inequality = (r: Relation) => r.ops.some((op) => op !== "=" && op !== "!=");
  if (inequality(a) && inequality(b)) {
    const sa = realSet(a, deadline);
    const sb = realSet(b, deadline);
    if (sa && sb && sameVariable(a, b)) return realSetsEqual(sa, sb, deadline);
  }
  const ra = simpleRelations(a);
  const rb = simpleRelations(b);
  if (!ra || !rb || ra.length !== rb.length) return false;
  const used = new Set<number>();
  return ra.every((x) => {
    const j = rb.findIndex((y, k) => !used.has(k) && simpleEqual(x, y, deadline));
    if (j < 0) return false;
    used.add(j);
    return true;
  });
}

/** Same relation: `lhs − rhs` of one is a constant multiple of the other's (positive for < and ≤). */
function simpleEqual(a: Simple, b: Simple, deadline: Deadline): boolean {
  if (a.op !== b.op) return false;
  const da = floatMath.parse(`(${a.lhs.toString()}) - (${a.rhs.toString()})`);
  const db = floatMath.parse(`(${b.lhs.toString()}) - (${b.rhs.toString()})`);
  const symbols = [...new Set([...symbolsOf(da), ...symbolsOf(db)])];
  const rng = new Rng(7_031);
  let ratio: number | null = null;
  let valid = 0;
  for (let p = 0; p < POINTS * 3 && valid < POINTS; p++) {
    if (deadline.passed) return false;
    const scope: Record<string, number> = {};
    for (const name of symbols) scope[name] = (rng.next() < 0.5 ? -1 : 1) * (0.3 + 2.6 * rng.next());
    const va = evaluate(da, scope);
    const vb = evaluate(db, scope);
    if (va === undefined || vb === undefined || Array.isArray(va) || Array.isArray(vb)) return false;
    if (va === null || vb === null || va.im !== 0 || vb.im !== 0) continue;
    const zeroA = Math.abs(va.re) < 1e-12;
    const zeroB = Math.abs(vb.re) < 1e-12;
    if (zeroA !== zeroB) return false;
    valid++;
    if (zeroA) continue;
    const r = va.re / vb.re;
    if (ratio === null) ratio = r;
    else if (!close(ratio, r, SYMBOLIC_TOLERANCE)) return false;
    if (symbols.length === 0) break;
  }
  if (valid === 0) return false;
  if (ratio === null) return true; // both sides identically equal
  // Without variables a factor means other numbers (`8 < 9` is not `8 < 10`): the difference itself must agree.
  if (symbols.length === 0) {
    return close(Math.abs(ratio), 1, SYMBOLIC_TOLERANCE) && (ratio > 0 || a.op === "=" || a.op === "!=");
  }
  return a.op === "<" || a.op === "<=" ? ratio > 0 : ratio !== 0;
}

// ---------------------------------------------------------------- sets of reals

type Interval = { lo: number; hi: number; loClosed: boolean; hiClosed: boolean; loAt?: Expr; hiAt?: Expr };

/** The subset of the reals an answer names (intervals, unions, finite sets, one-variable inequalities), or null. */
function realSet(a: Answer, deadline: Deadline): Interval[] | null {
  if (deadline.passed) return null;
  switch (a.kind) {
    case "reals":
      return [{ lo: -Infinity, hi: Infinity, loClosed: false, hiClosed: false }];
    case "member":
      return realSet(a.set, deadline);
    case "expr": {
      const v = constant(a);
      return v === null || !Number.isFinite(v)
        ? null
        : [{ lo: v, hi: v, loClosed: true, hiClosed: true, loAt: a, hiAt: a }];
    }
    case "set": {
      const parts = a.items.map((x) => realSet(x, deadline));
      return parts.some((p) => p === null) ? null : normalize(parts.flat() as Interval[]);
    }
    case "union": {
      const parts = a.parts.map((x) => realSet(x, deadline));
      return parts.some((p) => p === null) ? null : normalize(parts.flat() as Interval[]);
    }
    case "bracket": {
      if (a.items.length !== 2 || a.open === ":" || a.items.some((x) => x.kind !== "expr")) return null;
      const [lo, hi] = a.items as Expr[];
      const l = constant(lo);
      const h = constant(hi);
      if (l === null || h === null || l > h) return null;
      return [{ lo: l, hi: h, loClosed: a.open === "[", hiClosed: a.close === "]", loAt: lo, hiAt: hi }];
    }
    case "relation":
      return inequalitySet(a);
    default:
      return null;
  }
}

/** A constant's value (±∞ included), or null when it has variables or is not real. */
function constant(a: Expr): number | null {
  if (symbolsOf(a.node).length > 0) return null;
  if (literalInfinity(a.node)) return infinitySign(a.node) * Infinity;
  const v = evaluate(a.node);
  return v && !Array.isArray(v) && v.im === 0 ? v.re : null;
}

/** `-2 \le x < 7`, `x > 5`, `5 \ge x`, `x \ne 3`: one side with variables, the others constants. */
function inequalitySet(r: Relation): Interval[] | null {
  if (r.sides.length > 3) return null; // `a < x < b` at most: longer chains compare relation by relation
  const variable = r.sides.findIndex((s) => s.kind === "expr" && symbolsOf(s.node).length > 0);
  if (
    variable < 0 || !isLabel(r.sides[variable]) ||
    r.sides.some((s, k) => k !== variable && (s.kind !== "expr" || constant(s) === null))
  ) {
    return null;
  }
  let set: Interval[] = [{ lo: -Infinity, hi: Infinity, loClosed: false, hiClosed: false }];
  for (const k of [variable - 1, variable]) {
    if (k < 0 || k >= r.ops.length) continue;
    const bound = r.sides[k === variable ? variable + 1 : k] as Expr;
    const v = constant(bound)!;
    // Read each relation as "variable op value".
    let op = r.ops[k];
    if (k !== variable) op = ({ "<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "!=": "!=" } as const)[op];
    const half: Interval[] = op === "<" || op === "<="
      ? [{ lo: -Infinity, hi: v, loClosed: false, hiClosed: op === "<=", hiAt: bound }]
      : op === ">" || op === ">="
      ? [{ lo: v, hi: Infinity, loClosed: op === ">=", hiClosed: false, loAt: bound }]
      : op === "="
      ? [{ lo: v, hi: v, loClosed: true, hiClosed: true, loAt: bound, hiAt: bound }]
      : [
        { lo: -Infinity, hi: v, loClosed: false, hiClosed: false, hiAt: bound },
        { lo: v, hi: Infinity, loClosed: false, hiClosed: false, loAt: bound },
      ];
    set = intersect(set, half);
  }
  return normalize(set);
}

function intersect(a: Interval[], b: Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const x of a) {
    for (const y of b) {
      const lo = x.lo > y.lo || (x.lo === y.lo && !x.loClosed) ? x : y;
      const hi = x.hi < y.hi || (x.hi === y.hi && !x.hiClosed) ? x : y;
      const piece: Interval = {
        lo: lo.lo,
        loClosed: lo.loClosed,
        loAt: lo.loAt,
        hi: hi.hi,
        hiClosed: hi.hiClosed,
        hiAt: hi.hiAt,
      };
      if (piece.lo < piece.hi || (piece.lo === piece.hi && piece.loClosed && piece.hiClosed)) out.push(piece);
    }
  }
  return out;
}

/** Sorted, with overlapping or touching pieces merged. */
function normalize(pieces: Interval[]): Interval[] {
  const sorted = [...pieces].sort((x, y) => x.lo - y.lo || Number(y.loClosed) - Number(x.loClosed));
  const out: Interval[] = [];
  for (const p of sorted) {
    const last = out[out.length - 1];
    if (last && (p.lo < last.hi || (p.lo === last.hi && (p.loClosed || last.hiClosed)))) {
      if (p.hi > last.hi) {
        last.hi = p.hi;
        last.hiClosed = p.hiClosed;
        last.hiAt = p.hiAt;
      } else if (p.hi === last.hi && p.hiClosed) last.hiClosed = true;
    } else out.push({ ...p });
  }
  return out;
}

function realSetsEqual(a: Interval[], b: Interval[], deadline: Deadline): boolean {
  if (a.length !== b.length) return false;
  const endpoint = (x: number, y: number, ax?: Expr, bx?: Expr) => {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return x === y;
    if (ax && bx) return exprEqual(ax, bx, deadline);
    return close(x, y, RELATIVE_TOLERANCE);
  };
  return a.every((x, i) => {
    const y = b[i];
    const closedLo = !Number.isFinite(x.lo) || x.loClosed === y.loClosed;
    const closedHi = !Number.isFinite(x.hi) || x.hiClosed === y.hiClosed;
    return closedLo && closedHi && endpoint(x.lo, y.lo, x.loAt, y.loAt) && endpoint(x.hi, y.hi, x.hiAt, y.hiAt);
  });
}

/** Two one-variable inequalities speak of the same variable. */
function sameVariable(a: Relation, b: Relation): boolean {
  const variable = (r: Relation) => {
    const s = r.sides.find((x) => x.kind === "expr" && symbolsOf(x.node).length > 0) as Expr | undefined;
    return s ? s.source.replace(/\s/g, "") : null;
  };
  return variable(a) !== null && variable(a) === variable(b);
}
