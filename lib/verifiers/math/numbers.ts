/**
 * Numbers for the math verifier: two mathjs instances (floating point for values, fractions for exact rational
 * arithmetic), the checks that keep hostile input cheap, and the equality of two values under the written policy
 * (exact for rationals, six decimal places for a decimal against a rational, relative 1e-12 otherwise).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { floatMath, roundedEqual } from "./numbers.ts";
 * assert.equal(roundedEqual(1 / 3, 0.333333), true);
 * assert.equal(roundedEqual(1 / 3, 0.3333), false);
 * assert.equal(floatMath.evaluate("2^10"), 1024);
 * ```
 *
 * @module
 */
import { all, create, type MathNode } from "mathjs";

/** Floating-point mathjs (complex results allowed: `sqrt(-1)` is `i`). */
export const floatMath = create(all);
/** Exact mathjs: numbers are fractions, so 0.1 + 0.2 is 3/10 and 1/3 stays 1/3. */
export const exactMath = create(all, { number: "Fraction" });
/** Binomial coefficients only where they are cheap: mathjs's `combinations` loops k times, so a hostile `\binom`
 * could hold the process for minutes (no deadline interrupts one call). Above {@link MAX_BINOMIAL} it is refused. */
export const MAX_BINOMIAL = 10_000;
for (const math of [floatMath, exactMath]) {
  const combinations = math.combinations;
  math.import({
    binom: (n: unknown, k: unknown) => {
      const [nn, kk] = [Number(n), Number(k)];
      if (!Number.isInteger(nn) || !Number.isInteger(kk) || nn > MAX_BINOMIAL || kk < 0 || kk > nn) return NaN;
      return combinations(nn, kk);
    },
  });
}
// Warm both at load: a cold first evaluation takes tens of ms, which must not count against a deadline.
exactMath.evaluate("1/3 + 2^2");
floatMath.parse("sqrt(2) * x + pi").evaluate({ x: 1 });

/** Largest exponent evaluated exactly; larger ones are refused rather than computed. */
export const MAX_EXPONENT = 10_000;

/** Decimal places at which a decimal answer meets another value (Math-Verify's default `float_rounding`). */
export const DECIMAL_PLACES = 6;
/** Relative tolerance between two values that are not a decimal against a rational. */
export const RELATIVE_TOLERANCE = 1e-14;
/** Relative tolerance between expressions with variables, evaluated at random points. */
export const SYMBOLIC_TOLERANCE = 1e-9;

/** One comparison's terms: its time budget (checked between steps) and the decimal places a decimal meets at. */
export class Deadline {
  private readonly end: number;
  constructor(ms: number, readonly places: number = DECIMAL_PLACES) {
    this.end = performance.now() + ms;
  }
  get passed(): boolean {
    return performance.now() > this.end;
  }
}

const CONSTANTS = new Set(["pi", "e", "i", "Infinity"]);

/** Free symbols of a parsed answer (constants and called functions excluded). */
export function symbolsOf(node: MathNode): string[] {
  const names = new Set<string>();
  node.traverse((n, _path, parent) => {
    const isCallee = parent?.type === "FunctionNode" && (parent as unknown as { fn: MathNode }).fn === n;
    if (n.type === "SymbolNode" && !isCallee) {
      const name = (n as unknown as { name: string }).name;
      if (!CONSTANTS.has(name)) names.add(name);
    }
  });
  return [...names].sort();
}

/** Largest result, in bits, evaluated exactly: `(9^{9999})^{9999}` is refused before it is computed. */
export const MAX_EXACT_BITS = 100_000;

/** An upper bound of the bits of a rational expression's numerator and denominator (Infinity: unknown). */
function bitsOf(node: MathNode): number {
  const n = node as unknown as { type: string; op?: string; args?: MathNode[]; content?: MathNode; value?: unknown };
  switch (n.type) {
    case "ConstantNode":
      return Math.max(1, String(n.value).replace(/[^\d]/g, "").length * 3.33);
    case "SymbolNode":
      return 16; // a random point's numerator and denominator
    case "ParenthesisNode":
      return bitsOf(n.content!);
    case "OperatorNode": {
      const args = n.args!.map(bitsOf);
      if (n.op === "^") {
        const exponent = Number((n.args![1] as unknown as { evaluate(): unknown }).evaluate());
        return args[0] * Math.abs(exponent);
      }
      return args.length === 1 ? args[0] : args[0] + args[1] + 1;
    }
    default:
      return Infinity;
  }
}

/**
 * Is every node rational arithmetic with small integer exponents and a result of bounded size (exact with fractions,
 * and cheap)? With `symbols`, variables are allowed too (evaluated at rational points).
 */
export function isRationalArithmetic(node: MathNode, symbols = false): boolean {
  let ok = true;
  node.traverse((n) => {
    if (!ok || n.type === "ConstantNode" || n.type === "ParenthesisNode") return;
    if (n.type === "SymbolNode" && symbols) {
      if (["pi", "e", "i", "Infinity"].includes((n as unknown as { name: string }).name)) ok = false;
      return;
    }
    if (n.type !== "OperatorNode") {
      ok = false;
      return;
    }
    const op = n as unknown as { op: string; args: MathNode[] };
    if (!["+", "-", "*", "/", "^"].includes(op.op)) ok = false;
    else if (op.op === "^") {
      try {
        const exponent = op.args[1].evaluate();
        if (typeof exponent !== "number" || !Number.isInteger(exponent) || Math.abs(exponent) > MAX_EXPONENT) {
          ok = false;
        }
      } catch {
        ok = false;
      }
    }
  });
  return ok && bitsOf(node) <= MAX_EXACT_BITS;
}

/** Is the node one decimal literal (`0.75`, `-2.5`), the form Math-Verify compares at six places? */
export function isDecimalLiteral(node: MathNode): boolean {
  let n = node;
  while (n.type === "ParenthesisNode") n = (n as unknown as { content: MathNode }).content;
  if (n.type === "OperatorNode") {
    const op = n as unknown as { op: string; args: MathNode[]; fn: string };
    if (op.fn === "unaryMinus" || op.fn === "unaryPlus") return isDecimalLiteral(op.args[0]);
    return false;
  }
  return n.type === "ConstantNode" && /\./.test(String((n as unknown as { value: unknown }).value)) ||
    n.type === "ConstantNode" && !Number.isInteger((n as unknown as { value: number }).value);
}

/** Both rounded to `places` decimal places ({@link DECIMAL_PLACES} by default) are the same number. */
export function roundedEqual(a: number, b: number, places = DECIMAL_PLACES): boolean {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  const scale = 10 ** places;
  return Math.round(a * scale) === Math.round(b * scale) ||
    Math.abs(a - b) <= 1e-15 * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Equal within a relative tolerance (absolute near zero). */
export function close(a: number, b: number, tolerance: number): boolean {
  if (a === b) return true;
  return Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));
}

/** A mathjs result as a complex pair, or null when it is not a number. */
export function complexOf(value: unknown): { re: number; im: number } | null {
  if (typeof value === "number") return { re: value, im: 0 };
  if (value && typeof value === "object" && "re" in value && "im" in value) {
    const c = value as { re: number; im: number };
    return { re: c.re, im: c.im };
  }
  if (value && typeof value === "object" && "s" in value && "n" in value && "d" in value) {
    return { re: Number((value as { valueOf(): number }).valueOf()), im: 0 };
  }
  return null;
}
