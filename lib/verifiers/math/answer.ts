/**
 * The structure of one answer: what kind of mathematical object a cleaned answer is. Parsing goes outside in —
 * unions (`\cup`), lists (`,` `;` "and" "or"), `\pm`, relations (`= < > \le \ge \ne \approx \in`), brackets (sets,
 * tuples, intervals) — and ends at scalars, which mathjs reads. Anything that is not mathematics is `text`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseAnswer } from "./answer.ts";
 * assert.equal(parseAnswer("x \\ge 5").kind, "relation");
 * assert.equal(parseAnswer("\\{1, 2\\}").kind, "set");
 * assert.equal(parseAnswer("[0, 1)").kind, "bracket");
 * assert.equal(parseAnswer("\\text{Evelyn}").kind, "text");
 * ```
 *
 * @module
 */
import type { MathNode } from "mathjs";
import { dropTrailingWords, MATHJS_FUNCTIONS, toMathjs } from "./latex.ts";
import { floatMath } from "./numbers.ts";

/** A relation between two neighbouring sides of a chain. */
export type RelationOp = "=" | "<" | "<=" | ">" | ">=" | "!=";

/** One answer's structure. */
export type Answer =
  | { kind: "expr"; node: MathNode; source: string; percent: boolean }
  | { kind: "text"; text: string }
  | { kind: "relation"; sides: Answer[]; ops: RelationOp[] }
  | { kind: "member"; element: Answer; set: Answer }
  | { kind: "bracket"; open: string; close: string; items: Answer[] }
  | { kind: "set"; items: Answer[]; braced: boolean }
  | { kind: "union"; parts: Answer[] }
  | { kind: "reals" };

const MAX_ITEMS = 64;

/** Split `text` at top-level occurrences of `separator` (outside brackets, braces and `\{ \}`). */
export function splitTopLevel(text: string, separator: RegExp): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  const sticky = new RegExp(separator.source, "y");
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\" && /[{}]/.test(text[i + 1] ?? "")) {
      depth += text[i + 1] === "{" ? 1 : -1;
      i++;
      continue;
    }
    if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
    else if (depth === 0) {
      sticky.lastIndex = i;
      const m = sticky.exec(text);
      if (m && m[0].length > 0) {
        parts.push(text.slice(start, i));
        start = i + m[0].length;
        i = start - 1;
      }
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

/** Does the bracket opening `text` close exactly at its last character? */
function enclosedWhole(text: string, openLength = 1): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\\" && /[{}]/.test(text[i + 1] ?? "")) {
      depth += text[i + 1] === "{" ? 1 : -1;
      if (depth === 0) return i === text.length - 2;
      i++;
      continue;
    }
    if ("([{".includes(text[i])) depth++;
    else if (")]}".includes(text[i]) && --depth === 0) return i === text.length - 1;
  }
  return openLength < 0;
}

const OPS: Record<string, RelationOp | "approx" | "in"> = {
  "\\le": "<=",
  "\\ge": ">=",
  "\\ne": "!=",
  "\\approx": "approx",
  "\\in": "in",
  "\\sim": "approx",
  "<": "<",
  ">": ">",
  "=": "=",
};

/** Parse a cleaned answer (see `normalizeAnswer`) into its structure. */
export function parseAnswer(text: string, depth = 0): Answer {
  const s = text.trim();
  if (depth > 12) return { kind: "text", text: s };
  const union = splitTopLevel(s, /\\cup(?![a-zA-Z])/);
  if (union.length > 1) return { kind: "union", parts: union.map((p) => parseAnswer(p, depth + 1)) };
  const solutions = s.includes(";") ? labelledSolutions(s, depth) : null;
  if (solutions) return solutions;
  const items = splitTopLevel(s, /,|;|\s+(?:and|or)\s+|(?<=[)\]}])\s*(?:and|or)\s*(?=[(\[{\\])/).filter((p) =>
    p.length > 0
  );
  if (items.length > MAX_ITEMS) return { kind: "text", text: s };
  if (items.length > 1) return flattenSet(items.map((p) => parseAnswer(p, depth + 1)), false);
  const signs = s.match(/\\(?:pm|mp)(?![a-zA-Z])/g)?.length ?? 0;
  if (signs > 2) return { kind: "text", text: s }; // each ± doubles the answers: a bound keeps it cheap
  if (signs > 0) return expandPlusMinus(s, depth);
  const relation = parseRelation(s, depth);
  if (relation) return relation;
  return parseBracketed(s, depth) ?? (s.includes(":") ? parseRatio(s, depth) : null) ?? parseScalar(s);
}

/** `a:b` (`7:32`, `S_1:S_2`, `12:00`): a ratio, compared term by term in order (never a quotient: 12:00 is no 1/0). */
function parseRatio(s: string, depth: number): Answer | null {
  const terms = splitTopLevel(s, /:/);
  if (terms.length < 2 || terms.length > MAX_ITEMS || terms.some((t) => t.length === 0)) return null;
  return { kind: "bracket", open: ":", close: ":", items: terms.map((t) => parseAnswer(t, depth + 1)) };
}

const ASSIGNMENT = /^([a-zA-Z](?:_\{?\w+\}?)?)\s*=\s*(\S[\s\S]*)$/;

/**
 * Solutions written as labelled values, `;` between solutions and `,` within one (`p=5,q=2;p=7,q=2`): the set of
 * labelled tuples `(p, q) = (5, 2)`, `(p, q) = (7, 2)`, each with the same labels in the same order.
 */
function labelledSolutions(s: string, depth: number): Answer | null {
  const solutions = splitTopLevel(s, /;/);
  if (solutions.length < 2 || solutions.length > MAX_ITEMS) return null;
  const rows = solutions.map((p) => splitTopLevel(p, /,/).map((q) => ASSIGNMENT.exec(q)));
  const names = (row: (RegExpExecArray | null)[]) => row.map((m) => m?.[1]).join(",");
  if (rows.some((row) => row.length < 2 || row.some((m) => m === null) || names(row) !== names(rows[0]))) return null;
  const tuples = rows.map((row) => {
    const labels = row.map((m) => m![1]).join(", ");
    const values = row.map((m) => m![2]).join(", ");
    return parseAnswer(`(${labels}) = (${values})`, depth + 1);
  });
  return flattenSet(tuples, false);
}

/** Items of a list; lists inside a list (`1, 2 and 3` from several boxes) join it. */
function flattenSet(items: Answer[], braced: boolean): Answer {
  const flat = items.flatMap((a) => (a.kind === "set" && !a.braced ? a.items : [a]));
  return { kind: "set", items: flat, braced };
}

/** `a \pm b` is the set {a + b, a − b} (the first ± expands; at most two do). */
function expandPlusMinus(s: string, depth: number): Answer {
  const m = /\\(pm|mp)(?![a-zA-Z])/.exec(s)!;
  const head = s.slice(0, m.index);
  const tail = s.slice(m.index + m[0].length);
  const first = m[1] === "pm" ? "+" : "-";
  const second = first === "+" ? "-" : "+";
  const signed = (
    sign: string,
  ) => (/^\s*$|[=(,]\s*$/.test(head) ? `${head}${sign === "-" ? "-" : ""}${tail}` : `${head}${sign}${tail}`);
  return flattenSet([parseAnswer(signed(first), depth + 1), parseAnswer(signed(second), depth + 1)], false);
}

/** A chain `a op b op c …`; `\approx` after an `=` ends the chain (the exact value was given first). */
function parseRelation(s: string, depth: number): Answer | null {
  const pieces: string[] = [];
  const ops: string[] = [];
  let start = 0;
  let nesting = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "\\" && /[{}]/.test(s[i + 1] ?? "")) {
      nesting += s[i + 1] === "{" ? 1 : -1;
      i++;
      continue;
    }
    if ("([{".includes(c)) nesting++;
    else if (")]}".includes(c)) nesting--;
    else if (nesting === 0) {
      const rest = s.slice(i);
      const m = rest.match(/^(?:\\(?:le|ge|ne|approx|in|sim)(?![a-zA-Z])|<|>|=)/);
      if (m) {
        pieces.push(s.slice(start, i).trim());
        ops.push(m[0]);
        start = i + m[0].length;
        i = start - 1;
      }
    }
  }
  if (ops.length === 0) return null;
  pieces.push(s.slice(start).trim());
  if (pieces.some((p) => p.length === 0)) return { kind: "text", text: s };
  // `x = 1/3 \approx 0.33` and `1/6 \approx 0.167` give the exact value first; only `x \approx 11` reads as `=`.
  const approx = ops.findIndex((op) => OPS[op] === "approx");
  const lonelyName = /^(?:[a-zA-Z](?:_\{?\w+\}?)?|\\[a-zA-Z]+)$/.test(pieces[0]);
  if (approx >= 0 && (ops.slice(0, approx).some((op) => OPS[op] === "=") || !lonelyName)) {
    pieces.length = approx + 1;
    ops.length = approx;
    if (ops.length === 0) return parseAnswer(pieces[0], depth + 1);
  }
  const kinds = ops.map((op) => (OPS[op] === "approx" ? "=" : OPS[op]));
  if (kinds.includes("in")) {
    if (kinds.length !== 1) return { kind: "text", text: s };
    return { kind: "member", element: parseAnswer(pieces[0], depth + 1), set: parseAnswer(pieces[1], depth + 1) };
  }
  return {
    kind: "relation",
    sides: pieces.map((p) => parseAnswer(p, depth + 1)),
    ops: kinds as RelationOp[],
  };
}

/** `\{…\}`, `(…)`, `[…)`, `\langle…\rangle`, `\emptyset`, `\R`: sets, tuples and intervals. */
function parseBracketed(s: string, depth: number): Answer | null {
  if (/^(?:\\emptyset|\\varnothing|\\\{\s*\\\})$/.test(s)) return { kind: "set", items: [], braced: true };
  if (/^\\R$/.test(s) || /^\(\s*-\s*\\infty\s*,\s*\\infty\s*\)$/.test(s)) return { kind: "reals" };
  if (s.startsWith("\\{") && s.endsWith("\\}") && enclosedWhole(s)) {
    const inner = s.slice(2, -2);
    const items = splitTopLevel(inner, /,|;/).filter((p) => p.length > 0);
    return flattenSet(items.map((p) => parseAnswer(p, depth + 1)), true);
  }
  // `{1, 2}` with plain braces (LaTeX's group, not `\{`) is a list, as bare `1, 2` is; a lone `{x}` is a group.
  if (s.startsWith("{") && s.endsWith("}") && enclosedWhole(s)) {
    const items = splitTopLevel(s.slice(1, -1), /,|;/).filter((p) => p.length > 0);
    if (items.length > 1) return flattenSet(items.map((p) => parseAnswer(p, depth + 1)), false);
  }
  const angle = s.match(/^\\langle\s*([\s\S]*?)\s*\\rangle$/);
  if (angle) {
    const items = splitTopLevel(angle[1], /,/);
    return { kind: "bracket", open: "(", close: ")", items: items.map((p) => parseAnswer(p, depth + 1)) };
  }
  const first = s[0];
  const last = s[s.length - 1];
  if ("([".includes(first) && ")]".includes(last) && enclosedWhole(s)) {
    // `(0;-2;6)`: semicolons separate a tuple's terms where no comma does.
    const inner = s.slice(1, -1);
    let items = splitTopLevel(inner, /,/);
    if (items.length === 1) items = splitTopLevel(inner, /;/);
    if (items.length > 1 && items.length <= MAX_ITEMS && items.every((p) => p.length > 0)) {
      return { kind: "bracket", open: first, close: last, items: items.map((p) => parseAnswer(p, depth + 1)) };
    }
  }
  return null;
}

/** Answers that are words, never letters multiplied (`No` is not N·o). */
export const WORD_ANSWERS = /^(?:yes|no|true|false|none|neither|both|never|always|impossible|undefined)$/i;

/** A scalar or matrix read by mathjs, with a trailing `\%` kept as a flag; text when mathjs cannot read it. */
function parseScalar(s: string): Answer {
  const numeral = s.match(/^\\(?:text|mathrm)\{\s*(-?[\d.]+)\s*\}$/);
  if (numeral) return parseScalar(numeral[1]); // `\text{13}` is 13
  const word = s.match(/^(?:\\text\{\s*([^{}]*?)\s*\}|([A-Za-z]{3,}(?:\s+[A-Za-z]+)*))$/);
  if (WORD_ANSWERS.test(s)) return { kind: "text", text: s.toLowerCase() };
  if (word && !/^(?:pi|inf|infinity|sin|cos|tan|sqrt|log|ln|exp)$/i.test(word[1] ?? word[2])) {
    return { kind: "text", text: textOf(word[1] ?? word[2]) };
  }
  let body = dropTrailingWords(s);
  const percent = /\\%\s*$/.test(body) && !/\\%[\s\S]*\\%/.test(body);
  if (percent) body = body.replace(/\\%\s*$/, "").trim();
  if (body.length === 0) return { kind: "text", text: s };
  try {
    const source = toMathjs(body);
    const node = floatMath.parse(source);
    if (!safeNode(node)) return { kind: "text", text: s };
    return { kind: "expr", node, source, percent };
  } catch {
    return { kind: "text", text: textOf(s) };
  }
}

/** Only arithmetic, known functions, symbols and matrices: no assignments, no blocks, no calls to anything else. */
function safeNode(node: MathNode): boolean {
  let safe = true;
  node.traverse((n) => {
    if (n.type === "FunctionNode") {
      const name = (n as unknown as { fn: { name: string } }).fn.name;
      if (!MATHJS_FUNCTIONS.has(name)) safe = false;
    } else if (!["OperatorNode", "ConstantNode", "SymbolNode", "ParenthesisNode", "ArrayNode"].includes(n.type)) {
      safe = false;
    }
  });
  return safe;
}

/** The comparable form of a text answer: no commands, braces, brackets around a lone letter, or case. */
export function textOf(s: string): string {
  return s.replace(/\\(?:text|textbf|textit|mathrm|mbox|textnormal)\s*/g, "").replace(/[{}]/g, "")
    .replace(/^\(([A-Za-z])\)$/, "$1").replace(/\s+/g, " ").trim().toLowerCase();
}
