/**
 * The math verifier, at Math-Verify's grade, on `mathjs`. Gold and response go through the same path: find the
 * answer in the text (`math/extract.ts`), clean its surface (`math/latex.ts`), read its structure
 * (`math/answer.ts`), compare (`math/equal.ts`). A gold may be a bare answer (`12`, `x \ge 5`) or a whole solution.
 *
 * ## Extraction
 * In order of trust: "the final answer is X" and `\boxed{X}` (the one ending last wins; boxes or environments joined
 * by commas, "and", "or" are one list: `\boxed{1},\boxed{2}` is {1, 2}); "answer: X"; "the answer is X" (the value
 * right after, never one further along the sentence, nor after "is not"); GSM8K's `#### X`. With no anchor, a text
 * that is itself an answer is read whole; otherwise the last math environment (`$…$`, `$$…$$`, `\(…\)`, `\[…\]`)
 * that reads as mathematics, then the last number, list of numbers or plain expression outside a formula that failed
 * to read (so `$2^{10}.$` never yields 2) and not one the text goes on qualifying (`4π`, `2x`, `5 dozen`,
 * `2 and a half`). Markdown emphasis (`**12**`) is read through.
 *
 * **A hedge is never an answer** (a reward teaches whatever it accepts). The words around a value decide:
 * - *hedged* — negated ("not 5", "cannot be", "isn't", "never", "≠", "not equal to"), bounded ("at least", "at most",
 *   "more/less/fewer than", "no more than", "up to", "over", "nearly", `x > 5`), and in prose also approximate or
 *   ranged ("about", "around", "roughly", "between 10 and 12", "either … or", "5 or 6"). A hedged last value leaves
 *   the text with no answer: no earlier number stands in for it.
 * - *set aside* — named as discarded ("x = 5 is extraneous / rejected / invalid / impossible", "does not work",
 *   "we reject / discard x = 5", "5, not 6", "rather than 6") or, in prose, the measure of something else ("from the
 *   10 she bought", "out of 10", "2 hours and 30 minutes", "5 feet 3 inches"). The value before it may stand.
 * - One of a list is not an answer: "Possible values: 1, 2, 3" is the list {1, 2, 3}, never 1 or 3.
 * A box or "the final answer is" is hedged only by a negation or bound before it (`at least \boxed{12}`) and set
 * aside only when named as discarded. Words for signs and small numbers read as numbers ("negative 5" and "minus 5"
 * are −5; "five", "twenty-one" after an anchor, in a box or alone); yes/no words are text (`\boxed{No}` is "no",
 * never N·o), and numbers side by side (`3 4`) are no answer (never 12).
 *
 * ## What counts as equal
 * - **Numbers.** Integers and fractions exactly (big integers as BigInt, rational arithmetic as fractions:
 *   0.1 + 0.2 = 3/10). A decimal against any other value — a fraction or an irrational closed form — is equal when
 *   both round to the same decimal places: 6 by default, or the `precision` asked (Math-Verify's `float_rounding`):
 *   0.333333 = 1/3, 0.3333 ≠ 1/3, 1.414214 = √2, 3.14 ≠ π, `4.1231` = `\sqrt{17}` only at precision ≤ 4. A decimal
 *   must be right to every place asked, so no short or rough decimal passes; a value that rounds to 0 meets only 0
 *   (0.0 ≠ π/10^8). Matrices and tuples of decimals compare entry by entry under the same rule. Other
 *   constants: relative tolerance 1e-14 (so `\sqrt{2} + 10^{13}` ≠ `\sqrt{2} + 10^{13} + 1`). Scientific notation
 *   (`6.02e23`, `6.02 \times 10^{23}`) is a number.
 * - **Expressions with variables** are equal when they agree at 6 seeded random points: rational expressions exactly,
 *   at rational points in fractions (`x + 10^9` ≠ `x + 10^9 + 1`); others at points of both signs, relative 1e-9:
 *   `\tan^2 y + 1` = `\sec^2 y`, but `\sqrt{x^2}` ≠ x (|x|), and `x+1` ≠ `y+1`; with a floor or ceiling, half
 *   the points are integers (`\lceil x\rceil - 1` ≠ `\lfloor x\rfloor`).
 * - **Percent** (`\%`, `%`, "percent", "percentage", "pct"): `p%` equals p and p/100 (`28\%` = 28 = 0.28, as
 *   Math-Verify accepts 28); without a percent sign, 0.28 ≠ 28.
 * - **Units and currency** after a value are dropped (`\text{ cm}`, `\textnormal{ miles}`, "125 miles", `\$`, `°`,
 *   and a unit's own exponent, `\mbox{ cm}^2`), as is any plain noun (`5 \text{ apples}`) but never a scale or
 *   comparison word (`2 \text{ million}`, `5 \text{ or more}` stay what they say); `\mathrm{…}` only when it names a
 *   known unit, so `5\mathrm{e}` is 5e, never 5. No unit conversion (1 km ≠ 1000 m).
 * - **Separators.** `1,000`, `1{,}000`, `1,\!000`, `1 000` are thousands; `1000,99` and `2,74` are decimal commas;
 *   `32, 349` (comma and space) is a two-item list, never 32349.
 * - **Tuples, sets, intervals.** `(a, b)` is ordered; `[a, b)` is an interval with its ends; `\{…\}`, bare lists
 *   (`,` `;` "and" "or", LaTeX's plain-brace group `{1, 2}`) and joined boxes are sets (order and duplicates
 *   ignored); `\pm` makes a set (`\pm 2021` = {−2021, 2021}); `\langle a, b \rangle` is a tuple. A bare list against
 *   a tuple compares in written order (Math-Verify's convention); a set written as one, `\{1, 3\}`, is never a tuple
 *   or an open interval. Intervals, unions
 *   (`\cup`), finite sets and one-variable inequalities compare as subsets of the reals, merged.
 * - **Relations** (`= < > \le \ge \ne`, LaTeX or ASCII `<= >= !=`) are relations, direction-aware: `5 \ge x` =
 *   `x \le 5`, `-x > -1` = `x < 1`; inequalities up to a positive factor, equations up to a nonzero factor
 *   (`2x + 4y - 3 = 0` = `y = -\frac{1}{2}x + \frac{3}{4}`). A gold inequality accepts the same set written as an
 *   interval (`0 < f(x) < 1` accepts `(0, 1)`); a gold interval does not accept an inequality (Math-Verify's default).
 * - **Labels.** `x = 5`, `(p, q) = (3, 2)`, `x \in [0, 1)`, `|AB| = 1`, `\frac{NO}{BO} = 2`, `A:B = 1` equal their
 *   value; two labelled answers need the same label. Solutions written `p=5,q=2;p=7,q=2` are the labelled tuples
 *   `(p, q) = (5, 2)`, `(7, 2)`. An equation equals a number only when its left side is a label (`a + 3z = 0` ≠ 0)
 *   or when every side is a constant (`5+5+1 = 11`). A chain keeps its first label and last value
 *   (`x = 5+5+1 = 7 = 11` is x = 11); `\approx` after an `=` ends the chain (`x = 1/3 \approx 0.33` is x = 1/3),
 *   alone it reads as `=`.
 * - **Ratios** `a:b` (`7:32`, `12:00`) compare term by term in order, never as a quotient (7:32 ≠ 7/32).
 * - **Text** answers compare without commands, braces, brackets around a lone letter, or case (`\text{(C)}` = C).
 *
 * Boxes join into one answer across joiners (`,` "and" `\quad`, `\(…\)`) or a few words holding "and" / "or" /
 * "," (`\boxed{1} papers and \boxed{2} bins`), never across a negation, a number or a sentence's end. A text escaped
 * twice (`\\frac`) reads as LaTeX; an inline `\(` closed on another line is no formula, and hides its numbers.
 *
 * **Agreement with Math-Verify** on its own test suite (`tests/fixtures/math_verify_cases.json`): 261 of 267 (97.8%),
 * no accept it rejects. One disagreement is deliberate: `1 - \frac{1}{\mathrm{e}}` ≠ `1 + \frac{1}{\mathrm{e}}`
 * (Math-Verify accepts it). Rejected where it accepts: `|z|` inside an inequality, `\sum`, a cube root against a
 * fractional power at negative points, boxes joined by `++++++`, an unknown command (`\zzz`) inside a chain.
 *
 * Where this differs from Math-Verify, and why: equations equal up to any nonzero factor, so `x = 2` equals
 * `2x = 4` (Math-Verify unwraps the first to 2 and compares it with 4); an equation whose left side has numbers is
 * never reduced to its right side (Math-Verify accepts `2x + z = 11` for 11: a wrong-looking accept for a reward);
 * `\text{13}` is 13.
 *
 * **Hostile texts** are read in time linear in their length (texts over 200,000 characters from their end; every
 * scan and pattern bounded before it runs: 1 MB of adversarial text gets a verdict within a second). **Hostile
 * answers** are false, fast: extracted answers over 1,000 characters, nesting deeper than 40, exponents
 * over 10,000 in exact arithmetic, and values that overflow are refused; each comparison also stops at a deadline
 * (default 500 ms) checked between its steps.
 *
 * **Not handled**: unit conversion; numbers in words beyond 99 or inside prose ("three of them"); complex numbers in
 * polar form; set-builder notation and `\setminus`; sums (`\sum`); identities random points cannot see (branch cuts,
 * domains).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mathEqual, verifyMath } from "./math.ts";
 * assert.equal(mathEqual("\\frac{1}{2}", "0.5"), true);
 * assert.equal(mathEqual("x \\ge 5", "5"), false);
 * assert.equal(verifyMath("so the answer is \\boxed{\\dfrac{3}{4}}", "0.75").correct, true);
 * assert.equal(verifyMath("so the answer is \\boxed{\\dfrac{3}{5}}", "0.75").correct, false);
 * assert.equal(verifyMath("The roots are $x = 2$ and $x = 3$.", "\\{2, 3\\}").correct, true);
 * ```
 *
 * @module
 */
import type { Verdict } from "./verdict.ts";
import { type Answer, parseAnswer, WORD_ANSWERS } from "./math/answer.ts";
import { answersEqual } from "./math/equal.ts";
import { bearing, candidates, wordNumber } from "./math/extract.ts";
import { normalizeAnswer } from "./math/latex.ts";
import { Deadline } from "./math/numbers.ts";

const MAX_ANSWER = 1_000;
const MAX_DEPTH = 40;
/** Longer texts are read from their end (where answers are). */
const MAX_TEXT = 200_000;
/** Candidates read per kind, best first (a text repeating an anchor thousands of times is not read thousands of times). */
const MAX_ATTEMPTS = 64;

const DOUBLED_COMMAND = new RegExp(
  "\\\\\\\\(?=(?:boxed|frac|dfrac|tfrac|left|right|sqrt|le|leq|ge|geq|ne|neq|text|pi|cdot|times|infty|circ|pm|in|" +
    "cup|mathbf|overrightarrow|operatorname)(?![a-zA-Z]))",
  "g",
);

/** An answer found in a text: its structure and the text it was read from. */
export interface ReadAnswer {
  answer: Answer;
  source: string;
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

/** Does the structure contain anything that is not mathematics? */
function hasText(a: Answer): boolean {
  switch (a.kind) {
    case "text":
      return true;
    case "relation":
      return a.sides.some(hasText);
    case "member":
      return hasText(a.element) || hasText(a.set);
    case "bracket":
    case "set":
      return a.items.some(hasText);
    case "union":
      return a.parts.some(hasText);
    default:
      return false;
  }
}

function parse(raw: string, environment: boolean): Answer | null {
  if (raw.length > MAX_ANSWER || depthOf(raw) > MAX_DEPTH) return null;
  const text = wordNumber(raw.replace(/^\s*\\text\s*\{([^{}]*)\}\s*$/, "$1")) ??
    raw.replace(/\b(?:negative|minus)\s+(?=\d)/gi, "-");
  const clean = normalizeAnswer(text, { plain: !environment && !/[$\\]/.test(text) });
  if (clean.length === 0 || clean.length > MAX_ANSWER) return null;
  return parseAnswer(clean);
}

/** Two plain words in a row ("so it is"): a sentence, never read whole as a product of letters. */
function isProse(text: string): boolean {
  const plain = text.replace(/\\[a-zA-Z]+\s*(\{[^{}]*\})?/g, " ").replace(/\b(?:and|or)\b/gi, " ");
  if (/(?<![\\a-zA-Z])[a-zA-Z]{2,}\s+[a-zA-Z]+/.test(plain) || /(?<![\\a-zA-Z])[a-zA-Z]+\s+[a-zA-Z]{2,}/.test(plain)) {
    return true;
  }
  // Two words between numbers ("10% of 50 is 5") are a sentence too, never o·f·i·s.
  const words = plain.match(/(?<![\\a-zA-Z])[a-zA-Z]{2,}(?![a-zA-Z])/g) ?? [];
  return words.filter((w) => !MATH_WORDS.test(w)).length >= 2;
}

/** Words that are mathematics, not prose. */
const MATH_WORDS =
  /^(?:sin|cos|tan|sec|csc|cot|sinh|cosh|tanh|arc(?:sin|cos|tan)|log|ln|lg|exp|sqrt|pi|mod|gcd|lcm|max|min|det|inf)$/i;

/** The answer a text gives (see the module header for where it looks), or null when it gives none. */
export function readMathAnswer(text: string): ReadAnswer | null {
  // Doubled backslashes before LaTeX commands (`\\\\frac`, a twice-escaped text) read as one; lengths are kept.
  const tail = text.length > MAX_TEXT ? text.slice(-MAX_TEXT) : text;
  const body = tail.includes("\\\\") ? tail.replace(DOUBLED_COMMAND, " \\") : tail;
  const found = candidates(body);
  for (const c of found.filter((c) => c.priority <= 200).slice(0, MAX_ATTEMPTS)) {
    // An explicit answer the words around it hedge or set aside ("not \boxed{5}", "at least \boxed{12}") is none.
    if (bearing(body, c.start, c.end, true) !== "answer") continue;
    const answer = parse(c.text, c.environment);
    // A box may hold words (`\boxed{\text{Evelyn}}`); a sentence after "answer" must hold mathematics.
    if (
      answer &&
      (c.environment && c.priority === 50
        ? !(answer.kind === "text" && answer.text === "")
        : !hasText(answer) || (answer.kind === "text" && WORD_ANSWERS.test(answer.text)))
    ) {
      return { answer, source: c.text };
    }
  }
  const whole = body.trim();
  // A sentence written as one `\text{…}` (`$$\text{The midpoints form a hexagon}$$`) is a text answer too.
  const textOnly = /^\$*\s*\\text\s*\{[^{}]*\}\s*\$*$/.test(whole);
  if (whole.length > 0 && whole.length <= MAX_ANSWER && (!isProse(whole) || textOnly)) {
    const answer = parse(whole, false);
    const words = normalizeAnswer(whole).split(/\s+/).length;
    if (answer && (!hasText(answer) || (answer.kind === "text" && (words <= 2 || textOnly)))) {
      return { answer, source: whole.replace(/^\$+|\$+$/g, "").trim() };
    }
  }
  const failed: [number, number][] = [];
  for (const c of found.filter((c) => c.priority > 200).slice(0, MAX_ATTEMPTS)) {
    if (!c.environment && failed.some(([lo, hi]) => c.start < hi && c.end > lo)) continue;
    if (c.broken) {
      failed.push([c.start, c.end]);
      continue;
    }
    // The last value stated is the answer only when nothing around it hedges it; a hedged one leaves the text
    // with no answer (never an earlier number), one set aside lets the value before it stand.
    const said = bearing(body, c.start, c.end);
    if (said === "hedged") return null;
    if (said === "set aside") continue;
    const answer = parse(c.text, c.environment);
    if (answer && !hasText(answer)) return { answer, source: c.text };
    if (c.environment) failed.push([c.start, c.end]);
  }
  return null;
}

/** The text of the answer a response gives, or null when it gives none. */
export function extractMathAnswer(response: string): string | null {
  return readMathAnswer(response)?.source ?? null;
}

/** How one comparison runs. */
export interface MathOptions {
  /** Time budget in ms (default 500), checked between steps. */
  deadlineMs?: number;
  /** Decimal places at which a decimal meets another value (default 6; Math-Verify's `float_rounding`). */
  precision?: number;
}

// Golds repeat across a group's samples: their parse is kept (bounded).
const goldCache = new Map<string, ReadAnswer | null>();

function readGold(gold: string): ReadAnswer | null {
  if (goldCache.has(gold)) return goldCache.get(gold)!;
  const read = readMathAnswer(gold);
  if (goldCache.size >= 512) goldCache.delete(goldCache.keys().next().value!);
  goldCache.set(gold, read);
  return read;
}

/** Do `gold` and `predicted` (answers or whole solutions, LaTeX or plain) give the same answer? False, fast, for hostile input. */
export function mathEqual(gold: string, predicted: string, options: MathOptions = {}): boolean {
  const deadline = new Deadline(options.deadlineMs ?? 500, options.precision);
  try {
    const g = readGold(gold);
    if (!g || deadline.passed) return false;
    const p = readMathAnswer(predicted);
    return p !== null && answersEqual(g.answer, p.answer, deadline);
  } catch {
    return false; // nothing a text holds may throw out of a verdict
  }
}

/** Verify a model's response against a gold answer (or gold solution). */
export function verifyMath(response: string, gold: string, options: MathOptions = {}): Verdict {
  if (typeof response !== "string") return { correct: false, reason: "response is not a string" };
  if (typeof gold !== "string") return { correct: false, reason: "math gold must be a string" };
  const deadline = new Deadline(options.deadlineMs ?? 500, options.precision);
  try {
    const g = readGold(gold);
    if (!g) return { correct: false, reason: "no answer found in the gold" };
    const p = readMathAnswer(response);
    if (!p) return { correct: false, reason: "no answer found" };
    return answersEqual(g.answer, p.answer, deadline)
      ? { correct: true }
      : { correct: false, reason: `wrong answer: ${p.source.slice(0, 200)}` };
  } catch (e) {
    return { correct: false, reason: `unreadable answer (${(e as Error).message.slice(0, 100)})` };
  }
}
