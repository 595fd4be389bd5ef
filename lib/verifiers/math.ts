/**
 * The math verifier, in the manner of Math-Verify, on `mathjs`.
 *
 * **Extraction** (the first rule that finds something wins): the last `\boxed{…}` / `\fbox{…}` (braces matched);
 * GSM8K's `#### x`; "the final answer is x" / "the answer is x"; otherwise (documented fallback) the last number in
 * the response.
 *
 * **Normalisation**: `$…$`, `\(…\)`, `\left`/`\right`, spacing commands, `\displaystyle`; `\dfrac`/`\tfrac` and the
 * brace-less `\frac12`; `\sqrt2`, `\sqrt[n]{x}`; `\text{…}`/`\mbox{…}`/`\mathrm{…}` units after a value; degrees
 * (`^\circ`, `°`); `%`; `\$` and "dollars"; thousands separators (`1,000`, `1{,}000`); mixed numbers (`2\frac12`);
 * a leading `x =`; `\pi`, `e`, `i`, `\infty`; repeating decimals (`0.\overline{3}`); `\cdot`, `\times`, `\div`.
 *
 * **Comparison**, in order: the normalised strings; exact value (integers as BigInt, however large; rational
 * arithmetic as fractions, so a truncated decimal such as 0.3333 is not 1/3, and 0.1 + 0.2 is 0.3); numeric value of
 * expressions with constants (relative tolerance 1e-12); symbolic equivalence of expressions with variables
 * (evaluation at 6 seeded random points, relative tolerance 1e-9); then structures: ordered tuples, intervals
 * (endpoints and open/closed ends), unordered sets (`\{…\}`) and bare lists (`1, 2`), matrices (`pmatrix`, `bmatrix`)
 * element-wise, and equations (same sides, or the same difference up to sign).
 *
 * **Hostile answers** return false fast: answers over 1,000 characters, nesting deeper than 40, exponents whose
 * value exceeds 10,000 in exact arithmetic, and numeric results that overflow are refused before they can hang; every
 * comparison also stops at a deadline (default 500 ms) between its steps, as a last resort.
 *
 * **Not handled**: units that change the value (`1 km` vs `1000 m`); answers in words ("three"); inequalities and
 * set-builder notation; `\pm`; functions beyond those mathjs knows (`\sin`, `\cos`, `\tan`, `\ln`, `\log`, `\exp`);
 * complex numbers in polar form; equivalence of equations up to a non-unit scale (`2x = 2` vs `x = 1`); symbolic
 * identities that evaluation at random points cannot see (branch cuts, domains).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mathEqual, verifyMath } from "./math.ts";
 * assert.equal(mathEqual("\\frac{1}{2}", "0.5"), true);
 * assert.equal(verifyMath("so the answer is \\boxed{\\dfrac{3}{4}}", "0.75").correct, true);
 * assert.equal(verifyMath("so the answer is \\boxed{\\dfrac{3}{5}}", "0.75").correct, false);
 * ```
 *
 * @module
 */
import { all, create, type MathNode } from "mathjs";
import { Rng } from "../random.ts";
import type { Verdict } from "./code.ts";

const exact = create(all, { number: "Fraction" });
const float = create(all);
// Warm both instances at load: a cold first evaluation takes tens of ms, which must not count against the deadline.
exact.evaluate("1/3 + 2^2");
float.parse("sqrt(2) * x + pi").evaluate({ x: 1 });

const MAX_ANSWER = 1_000;
const MAX_DEPTH = 40;
const MAX_EXPONENT = 10_000;

/** The contents of the brace group starting at `open` (which must be `{`), and the index after it. */
function braceGroup(text: string, open: number): { content: string; end: number } | null {
  if (text[open] !== "{") return null;
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return { content: text.slice(open + 1, i), end: i + 1 };
  }
  return null;
}

/** The answer a response gives, or null when it gives none. */
export function extractMathAnswer(response: string): string | null {
  const boxed = [...response.matchAll(/\\(?:boxed|fbox)\s*/g)];
  for (const match of boxed.reverse()) {
    const start = match.index! + match[0].length;
    const group = braceGroup(response, start);
    if (group) return group.content.trim();
    const bare = response.slice(start).match(/^[^\s$]+/); // \boxed 5
    if (bare) return bare[0];
  }
  const gsm = [...response.matchAll(/####\s*([^\n]+)/g)].pop();
  if (gsm) return gsm[1].trim();
  const said = [...response.matchAll(/the (?:final )?answer is[:\s]*\$?([^$\n]+?)\$?\s*(?:\.\s|\.?$|\n)/gi)].pop();
  if (said) return said[1].trim();
  const numbers = [...response.matchAll(/-?\d[\d,]*(?:\.\d+)?(?:\/\d+)?/g)];
  return numbers.length > 0 ? numbers[numbers.length - 1][0] : null;
}

/** A repeating decimal `a.b\overline{c}` (or `a.b(c)`-free form) as a fraction string. */
function repeatingToFraction(whole: string, fixed: string, repeat: string): string {
  const negative = whole.startsWith("-");
  const digits = whole.replace("-", "") || "0";
  const denominator = BigInt("9".repeat(repeat.length) + "0".repeat(fixed.length));
  const numerator = BigInt(digits + fixed + repeat) - BigInt(digits + fixed);
  return `${negative ? "-" : ""}(${numerator}/${denominator})`;
}

/** Surface clean-up shared by every answer: delimiters, spacing, units, currency, separators, prefixes. */
export function cleanAnswer(text: string): string {
  let s = text.trim();
  s = s.replace(/^\$+|\$+$/g, "").replace(/^\\\(|\\\)$/g, "").replace(/^\\\[|\\\]$/g, "");
  s = s.replace(/\\(?:left|right|displaystyle|!|,|;|:|quad|qquad)(?![a-zA-Z])/g, "");
  s = s.replace(/\\(?:big|Big|bigg|Bigg)(?![a-zA-Z])/g, "");
  s = s.replace(/\\(?:dfrac|tfrac)/g, "\\frac");
  s = s.replace(/\^\s*\{?\\circ\}?|°|\\degree/g, "");
  s = s.replace(/\\%|%/g, "").replace(/\\\$|\$/g, "");
  // A unit after a value: "\text{ cm}", "\mbox{dollars}", "\mathrm{m}"; a whole-answer \text{} is kept as text.
  const whole = s.match(/^\\(?:text|mbox|mathrm|textbf)\{([^{}]*)\}$/);
  if (whole) s = whole[1];
  s = s.replace(/\\(?:text|mbox|mathrm|textbf)\{[^{}]*\}/g, "");
  s = s.replace(/\s*(?:dollars?|cents?|units?|degrees?)\s*$/i, "");
  s = s.replace(/(\d)\{,\}(?=\d{3})/g, "$1");
  if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(s.replace(/\s/g, ""))) s = s.replace(/[,\s]/g, "");
  s = s.replace(/^[a-zA-Z]\s*=\s*(?!.*=)/, ""); // "x = 5" → "5"
  s = s.replace(/\\frac\s*(\d)\s*(\d)/g, "\\frac{$1}{$2}").replace(/\\frac\s*(\d)\s*\{/g, "\\frac{$1}{");
  s = s.replace(/\\frac\s*\{([^{}]*)\}\s*(\d)/g, "\\frac{$1}{$2}");
  s = s.replace(/\\sqrt\s*(\d+)/g, "\\sqrt{$1}");
  s = s.replace(/(^|[^\d.a-zA-Z}])(-?\d+)\s*\\frac\{/g, "$1$2+\\frac{"); // mixed number 2\frac12
  s = s.replace(/\.\s*$/, "").trim();
  return s.replace(/\s+/g, " ");
}

/** Convert a cleaned LaTeX scalar to mathjs syntax; throws on commands it does not know. */
export function latexToMathjs(latex: string): string {
  let s = latex;
  s = s.replace(/(-?\d*)\.(\d*)\\overline\{(\d+)\}/g, (_, w, f, r) => repeatingToFraction(w, f, r));
  const out: string[] = [];
  let i = 0;
  const group = (): string => {
    while (s[i] === " ") i++;
    const g = braceGroup(s, i);
    if (g) {
      i = g.end;
      return `(${latexToMathjs(g.content)})`;
    }
    const single = s[i++];
    if (single === undefined) throw new Error("missing argument");
    return single;
  };
  while (i < s.length) {
    const c = s[i];
    if (c === "\\") {
      const name = s.slice(i + 1).match(/^[a-zA-Z]+/)?.[0] ?? s[i + 1];
      i += 1 + name.length;
      switch (name) {
        case "frac": {
          const a = group();
          const b = group();
          out.push(`((${a})/(${b}))`);
          break;
        }
        case "sqrt": {
          if (s[i] === "[") {
            const close = s.indexOf("]", i);
            const n = latexToMathjs(s.slice(i + 1, close));
            i = close + 1;
            out.push(`nthRoot(${group()}, ${n})`);
          } else out.push(`sqrt(${group()})`);
          break;
        }
        case "cdot":
        case "times":
          out.push("*");
          break;
        case "div":
          out.push("/");
          break;
        case "pi":
          out.push(" pi ");
          break;
        case "infty":
          out.push(" Infinity ");
          break;
        case "sin":
        case "cos":
        case "tan":
        case "exp":
          out.push(` ${name}`);
          break;
        case "ln":
          out.push(" log");
          break;
        case "log":
          out.push(" log10");
          break;
        case "{":
        case "}":
          out.push(name === "{" ? "(" : ")");
          break;
        default:
          throw new Error(`unknown command \\${name}`);
      }
    } else if (c === "{" || c === "}") {
      out.push(c === "{" ? "(" : ")");
      i++;
    } else if (c === "^") {
      i++;
      out.push(`^(${group()})`);
    } else {
      out.push(c);
      i++;
    }
  }
  return out.join("");
}

/** Structure of an answer. */
export type Answer =
  | { kind: "scalar"; text: string }
  | { kind: "equation"; lhs: string; rhs: string }
  | { kind: "ordered"; open: string; close: string; items: Answer[] }
  | { kind: "unordered"; items: Answer[] }
  | { kind: "matrix"; rows: Answer[][] };

/** Split at top-level commas (outside any bracket). */
function splitTopLevel(text: string, separator = ","): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
    else if (depth === 0 && text.startsWith(separator, i)) {
      parts.push(text.slice(start, i));
      start = i + separator.length;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

/** Does the bracket opening `text` close exactly at its last character? */
function enclosedWhole(text: string): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if ("([{".includes(text[i])) depth++;
    else if (")]}".includes(text[i]) && --depth === 0) return i === text.length - 1;
  }
  return false;
}

/** Parse a cleaned answer into its structure. */
export function parseAnswer(text: string): Answer {
  const s = text.trim();
  const matrix = s.match(/^\\begin\{([pbvB]?matrix)\}([\s\S]*)\\end\{\1\}$/);
  if (matrix) {
    const rows = matrix[2].split(/\\\\/).map((r) => r.trim()).filter((r) => r.length > 0);
    return { kind: "matrix", rows: rows.map((r) => r.split("&").map((cell) => parseAnswer(cleanAnswer(cell)))) };
  }
  if (s.startsWith("\\{") && s.endsWith("\\}")) {
    const inner = s.slice(2, -2);
    return { kind: "unordered", items: splitTopLevel(inner).map((p) => parseAnswer(p)) };
  }
  const first = s[0];
  const last = s[s.length - 1];
  if ("([".includes(first) && ")]".includes(last) && enclosedWhole(s)) {
    const items = splitTopLevel(s.slice(1, -1));
    if (items.length > 1) return { kind: "ordered", open: first, close: last, items: items.map((p) => parseAnswer(p)) };
  }
  const parts = splitTopLevel(s);
  if (parts.length > 1) return { kind: "unordered", items: parts.map((p) => parseAnswer(cleanAnswer(p))) };
  const sides = splitTopLevel(s, "=");
  if (sides.length === 2) return { kind: "equation", lhs: sides[0], rhs: sides[1] };
  return { kind: "scalar", text: s };
}

/** A comparison's time budget; checked between steps. */
class Deadline {
  private readonly end: number;
  constructor(ms: number) {
    this.end = performance.now() + ms;
  }
  get passed(): boolean {
    return performance.now() > this.end;
  }
}

function depthOf(text: string): number {
  let depth = 0;
  let max = 0;
  for (const c of text) {
    if ("([{".includes(c)) max = Math.max(max, ++depth);
    else if (")]}".includes(c)) depth--;
  }
  return max;
}

const CONSTANTS = new Set(["pi", "e", "i", "Infinity"]);
const FUNCTIONS = new Set(["sqrt", "nthRoot", "sin", "cos", "tan", "exp", "log", "log10"]);

/** Parsed mathjs tree of a cleaned scalar, or null when it is not an expression mathjs can read safely. */
function toNode(text: string): MathNode | null {
  try {
    const node = float.parse(latexToMathjs(text));
    let safe = true;
    node.traverse((n) => {
      if (n.type === "FunctionNode") {
        const name = (n as unknown as { fn: { name: string } }).fn.name;
        if (!FUNCTIONS.has(name)) safe = false;
      } else if (n.type === "AssignmentNode" || n.type === "FunctionAssignmentNode" || n.type === "BlockNode") {
        safe = false;
      }
    });
    return safe ? node : null;
  } catch {
    return null;
  }
}

function symbolsOf(node: MathNode): string[] {
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

/** Is every node plain rational arithmetic with small exponents (safe and meaningful for exact fractions)? */
function isRationalArithmetic(node: MathNode): boolean {
  let ok = true;
  node.traverse((n) => {
    if (!ok) return;
    if (n.type === "ConstantNode" || n.type === "ParenthesisNode") return;
    if (n.type === "OperatorNode") {
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
      return;
    }
    ok = false;
  });
  return ok;
}

function close(a: number, b: number, tolerance: number): boolean {
  if (a === b) return true;
  return Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));
}

function numericValue(value: unknown): { re: number; im: number } | null {
  if (typeof value === "number") return { re: value, im: 0 };
  if (value && typeof value === "object" && "re" in value && "im" in value) {
    const c = value as { re: number; im: number };
    return { re: c.re, im: c.im };
  }
  return null;
}

/** Are two cleaned scalars the same value or expression? */
export function scalarEqual(a: string, b: string, deadline = new Deadline(500)): boolean {
  if (a === b) return true;
  const integer = /^-?\d+$/;
  if (integer.test(a) && integer.test(b)) return BigInt(a) === BigInt(b);
  const na = toNode(a);
  const nb = toNode(b);
  if (!na || !nb || deadline.passed) return false;
  if (isRationalArithmetic(na) && isRationalArithmetic(nb)) {
    try {
      return exact.equal(exact.evaluate(latexToMathjs(a)), exact.evaluate(latexToMathjs(b))) as boolean;
    } catch {
      return false;
    }
  }
  const symbols = [...new Set([...symbolsOf(na), ...symbolsOf(nb)])];
  if (deadline.passed) return false;
  const rng = new Rng(1234);
  const points = symbols.length === 0 ? 1 : 6;
  for (let p = 0; p < points; p++) {
    const scope: Record<string, number> = {};
    for (const name of symbols) scope[name] = 0.5 + 2 * rng.next();
    let va: { re: number; im: number } | null;
    let vb: { re: number; im: number } | null;
    try {
      va = numericValue(na.evaluate(scope));
      vb = numericValue(nb.evaluate(scope));
    } catch {
      return false;
    }
    if (!va || !vb || deadline.passed) return false;
    const infinite = [va.re, va.im, vb.re, vb.im].some((v) => !Number.isFinite(v));
    if (infinite) {
      // Only a literal infinity may equal infinity; overflow (power towers, factorials) never does.
      const literal = /Infinity/.test(latexToMathjs(a)) && /Infinity/.test(latexToMathjs(b));
      if (!literal || va.re !== vb.re) return false;
      continue;
    }
    const tolerance = symbols.length === 0 ? 1e-12 : 1e-9;
    if (!close(va.re, vb.re, tolerance) || !close(va.im, vb.im, tolerance)) return false;
  }
  return true;
}

function answersEqual(a: Answer, b: Answer, deadline: Deadline): boolean {
  if (deadline.passed) return false;
  if (a.kind === "scalar" && b.kind === "scalar") return scalarEqual(a.text, b.text, deadline);
  if (a.kind === "equation" && b.kind === "equation") {
    if (scalarEqual(a.lhs, b.lhs, deadline) && scalarEqual(a.rhs, b.rhs, deadline)) return true;
    const da = `(${a.lhs})-(${a.rhs})`;
    const db = `(${b.lhs})-(${b.rhs})`;
    return scalarEqual(da, db, deadline) || scalarEqual(da, `-(${db})`, deadline);
  }
  // "x = 5" against "5" (and "5 = x"): the value is the side that is not a lone variable.
  const valueOf = (eq: { lhs: string; rhs: string }) => (/^[a-zA-Z]$/.test(eq.rhs.trim()) ? eq.lhs : eq.rhs);
  if (a.kind === "equation" && b.kind === "scalar") return scalarEqual(valueOf(a), b.text, deadline);
  if (a.kind === "scalar" && b.kind === "equation") return scalarEqual(a.text, valueOf(b), deadline);
  if (a.kind === "ordered" && b.kind === "ordered") {
    return a.open === b.open && a.close === b.close && a.items.length === b.items.length &&
      a.items.every((x, i) => answersEqual(x, b.items[i], deadline));
  }
  if (a.kind === "unordered" && b.kind === "unordered") {
    if (a.items.length !== b.items.length) return false;
    const used = new Set<number>();
    return a.items.every((x) => {
      const j = b.items.findIndex((y, k) => !used.has(k) && answersEqual(x, y, deadline));
      if (j < 0) return false;
      used.add(j);
      return true;
    });
  }
  if (a.kind === "matrix" && b.kind === "matrix") {
    return a.rows.length === b.rows.length &&
      a.rows.every((row, r) =>
        row.length === b.rows[r].length && row.every((cell, c) => answersEqual(cell, b.rows[r][c], deadline))
      );
  }
  return false;
}

/**
 * Do `gold` and `predicted` (LaTeX or plain answers) mean the same? False, fast, for hostile input.
 */
export function mathEqual(gold: string, predicted: string, options: { deadlineMs?: number } = {}): boolean {
  if (gold.length > MAX_ANSWER || predicted.length > MAX_ANSWER) return false;
  const a = cleanAnswer(gold);
  const b = cleanAnswer(predicted);
  if (a === b) return a.length > 0;
  if (depthOf(a) > MAX_DEPTH || depthOf(b) > MAX_DEPTH) return false;
  const deadline = new Deadline(options.deadlineMs ?? 500);
  try {
    return answersEqual(parseAnswer(a), parseAnswer(b), deadline);
  } catch {
    return false;
  }
}

/** Verify a model's response against a gold answer. */
export function verifyMath(response: string, gold: string, options: { deadlineMs?: number } = {}): Verdict {
  if (typeof response !== "string") return { correct: false, reason: "response is not a string" };
  if (typeof gold !== "string") return { correct: false, reason: "math gold must be a string" };
  const answer = extractMathAnswer(response);
  if (answer === null) return { correct: false, reason: "no answer found" };
  if (answer.length > MAX_ANSWER) return { correct: false, reason: "answer too long" };
  return mathEqual(gold, answer, options) ? { correct: true } : { correct: false, reason: `wrong answer: ${answer}` };
}
