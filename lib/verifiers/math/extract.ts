/**
 * Where the answer is in a text (a model's response or a gold solution). Candidates are found by kind, in
 * Math-Verify's order of trust — an explicit "final answer is" or `\boxed{}` (priority 50), "answer:" (100),
 * "answer" (200), then any math environment or number (300) — and within one priority the one that ends last comes
 * first. Several boxes or environments joined by commas, "and" or "or" are one answer (a list). A text with no anchor
 * that is itself a short answer (`x \ge 5`, `\frac{3}{4}`, `12`) is read whole before any number inside it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { candidates } from "./extract.ts";
 * const first = (text: string) => candidates(text)[0]?.text;
 * assert.equal(first("so \\boxed{1} and \\boxed{2}."), "1, 2");
 * assert.equal(first("we had \\boxed{200}. The final answer is $10,455$."), "10,455");
 * assert.equal(first("Answer \\( (9+1) \\)"), "(9+1)");
 * ```
 *
 * @module
 */
import { WORD_ANSWERS } from "./answer.ts";

/** One place an answer may be. */
export interface Candidate {
  text: string;
  start: number;
  end: number;
  priority: number;
  /** A math environment (its failure to parse hides the numbers inside it). */
  environment: boolean;
  /** An inline `\\(` whose `\\)` is on another line: no formula, and no number inside it is an answer. */
  broken?: boolean;
}

/** Text between two boxes or environments that makes them one answer. */
const JOINER = /^(?:[\s$,;&]|\\\\|\\quad|\\qquad|\\[,;!()]|\\text\s*\{\s*(?:and|or|,)?\s*\}|\band\b|\bor\b)*$/;
/** Longest text between two boxes that may join them ("papers and", "for part (a) and", "and \\( y_2 ="). */
const MAX_GAP = 80;

/** Do the words between two boxes make them one answer? Joiners only, or a few words with "and" / "or" / "," (never
 * a negation, a number or a sentence's end: `\boxed{1} no no no \boxed{2}` is two answers, the last one standing). */
function joins(gap: string): boolean {
  if (gap.length > MAX_GAP) return false;
  if (JOINER.test(gap)) return true;
  const words = gap.replace(/\\(?:text|mbox|textnormal)\s*\{([^{}]*)\}/g, " $1 ").replace(/\\[()]|\\q?quad|[$&]/g, " ")
    .replace(/[a-zA-Z](?:_\{?\w+\}?)?\s*=/g, " ");
  if (/[\d.!?;:\n\\{}=]|\b(?:not|no|never|nor|neither|but)\b|n't/i.test(words)) return false;
  const list = words.split(/[\s,]+/).filter((w) => w.length > 0);
  return (/,/.test(words) || list.some((w) => /^(?:and|or)$/i.test(w))) && list.length <= 6;
}
const PERCENT_AFTER = /^\s*(?:\\%|%|percent(?:age)?\b|pct\b)/i;

/** All candidates, best first. */
export function candidates(raw: string): Candidate[] {
  // Markdown emphasis (`**12**`, `__12__`) is blanked, keeping every position; "negative 5" and "minus 5" are -5.
  const text = raw.replace(/\*\*|__/g, "  ").replace(/\b(?:negative|minus)\s+(?=\d)/gi, (m) => "-".padStart(m.length));
  searches = new Map();
  const found = [...boxed(text), ...anchored(text), ...environments(text), ...numbers(text)];
  return found.sort((a, b) => a.priority - b.priority || b.end - a.end || a.start - b.start);
}

/** Most boxes or environments joined into one list (a longer list is not one answer). */
const MAX_JOINED = 16;

/** Index of the `}` closing each `{` (unescaped), in one pass. */
function matchingBraces(text: string): Map<number, number> {
  const closing = new Map<number, number>();
  const open: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") i++;
    else if (c === "{") open.push(i);
    else if (c === "}" && open.length > 0) closing.set(open.pop()!, i);
  }
  return closing;
}

/** `\boxed{…}` / `\fbox{…}` (braces matched, or `\boxed 7`); neighbouring boxes join into one list. */
function boxed(text: string): Candidate[] {
  const boxes: { start: number; end: number; content: string }[] = [];
  const closing = matchingBraces(text);
  for (const m of text.matchAll(/\\(?:boxed|fbox)\s*/g)) {
    const start = m.index!;
    const open = start + m[0].length;
    const close = closing.get(open);
    if (text[open] === "{" && close === undefined) continue; // unclosed: no answer here
    if (close !== undefined) boxes.push({ start, end: close + 1, content: text.slice(open + 1, close).trim() });
    else {
      const bare = text.slice(open).match(/^[^\s$]+/);
      if (bare) boxes.push({ start, end: open + bare[0].length, content: bare[0] });
    }
  }
  const out: Candidate[] = [];
  for (let i = 0; i < boxes.length;) {
    let j = i;
    while (j + 1 < boxes.length && j - i < MAX_JOINED && joins(text.slice(boxes[j].end, boxes[j + 1].start))) j++;
    const group = boxes.slice(i, j + 1);
    const contents = group.map((b) => b.content).filter((c) => c.length > 0);
    out.push({
      text: contents.join(", ") + (PERCENT_AFTER.test(text.slice(boxes[j].end)) ? "\\%" : ""),
      start: boxes[i].start,
      end: boxes[j].end,
      priority: 50,
      environment: true,
    });
    i = j + 1;
  }
  return out;
}

/** Longest line read after `####` (an answer is short; reading each line whole would be quadratic). */
const MAX_LINE = 300;

/** "The final answer is X" (50; 0 when "I hope" follows), GSM8K's `#### X` (50), "answer: X" (100), "answer X" (200). */
function anchored(text: string): Candidate[] {
  const out: Candidate[] = [];
  for (const m of text.matchAll(/final answer\b[^\n]{0,100}?\s+is\b\s*:?\s*/gi)) {
    const span = answerAfter(text, m.index! + m[0].length, true);
    if (span) {
      const hope = /^\s*\.?\s*I hope/.test(text.slice(span.end, span.end + 20));
      out.push({ ...span, priority: hope ? 0 : 50 });
    }
  }
  for (const m of text.matchAll(/####\s*/g)) {
    const line = text.slice(m.index! + m[0].length, m.index! + m[0].length + MAX_LINE).match(/^[^\n]+/);
    if (line) {
      const start = m.index! + m[0].length;
      out.push({ text: line[0].trim(), start, end: start + line[0].length, priority: 50, environment: false });
    }
  }
  // "answer: X", "the answer is X", "answer = X", "the answer would be X": the value right after, never one found
  // further along a sentence ("to find the answer, we compute 3 + 4 = 7") or after a denial ("is not 5").
  for (
    const m of text.matchAll(
      /\banswer\b(?:\s*(:)|\s+(?:is|=|equals|would be|should be|will be)\b\s*:?|\s*=|\s+(?=\$|\\[(\[]))(?!\s*not\b)\s*/gi,
    )
  ) {
    const from = m.index! + m[0].length;
    const span = firstMathWithin(text, from, 3);
    if (span) out.push({ ...span, priority: m[1] ? 100 : 200 });
  }
  return out;
}

/** The answer right after an anchor: math environments (joined), else the sentence's value. */
function answerAfter(text: string, from: number, sentence: boolean): Omit<Candidate, "priority"> | null {
  let at = from;
  while (/["'*]/.test(text[at] ?? "")) at++;
  const env = environmentAt(text, at);
  if (env) return chain(text, env);
  if (!sentence) return null;
  const rest = text.slice(at, at + 300);
  const m = rest.match(/^[^\n]*?(?=\.\s|\.$|\.?\s*I hope|\n|$)/);
  if (!m || m[0].trim().length === 0) return null;
  return { text: m[0].trim().replace(/["'*]+$/, ""), start: at, end: at + m[0].length, environment: false };
}

/** The first environment or number within `limit` characters after `from`. */
function firstMathWithin(text: string, from: number, limit: number): Omit<Candidate, "priority"> | null {
  const window = text.slice(from, from + limit + 1);
  for (let k = 0; k < window.length; k++) {
    const env = environmentAt(text, from + k);
    if (env) return chain(text, env);
    const c = window[k];
    if (/[\d.-]/.test(c) && (k === 0 || /[\s=:(]/.test(window[k - 1]))) {
      const number = numberAt(text, from + k);
      if (number) return number;
    }
    const word = /[a-zA-Z]/.test(c) ? wordAt(text, from + k) : null;
    if (word) return word;
    if (c === "\n") break;
  }
  return null;
}

type Environment = { start: number; end: number; content: string };

// The next occurrence of a needle, remembered for the text being read (reset by `candidates` for each text): many
// openers with one far (or no) closer stay linear. Never keyed by the text itself: comparing two equal texts that
// are different strings costs their length, on every call.
let searches = new Map<string, { from: number; at: number }>();

/** `text.indexOf(needle, from)`, reusing the last answer when it still holds. */
function nextIndex(text: string, needle: string, from: number): number {
  const cache = searches;
  const last = cache.get(needle);
  if (last && from >= last.from && (last.at < 0 || from <= last.at)) return last.at;
  const at = text.indexOf(needle, from);
  cache.set(needle, { from, at });
  return at;
}

/** A math environment opening exactly at `i`: `$$…$$`, `\[…\]`, `\(…\)`, `$…$` (inline: one line). */
function environmentAt(text: string, i: number): Environment | null {
  const find = (open: string, closer: string, oneLine: boolean): Environment | null => {
    if (!text.startsWith(open, i)) return null;
    let k = i + open.length;
    while (k < text.length) {
      const j = nextIndex(text, closer, k);
      if (j < 0) return null;
      if (oneLine && nextIndex(text, "\n", i) < j && nextIndex(text, "\n", i) >= 0) return null;
      if (text[j - 1] !== "\\" || closer.startsWith("\\")) {
        return { start: i, end: j + closer.length, content: text.slice(i + open.length, j) };
      }
      k = j + 1;
    }
    return null;
  };
  if (text[i] === "$" && text[i - 1] === "\\") return null;
  return find("$$", "$$", false) ?? find("\\[", "\\]", false) ?? find("\\(", "\\)", true) ??
    (text[i] === "$" && text[i + 1] !== "$" ? find("$", "$", true) : null);
}

/** An environment and the ones joined to it by commas, "and" or "or" (as one list), with a percent after it. */
function chain(text: string, first: Environment): Omit<Candidate, "priority"> {
  const parts = [first];
  for (let guard = 0; guard < 5; guard++) {
    const last = parts[parts.length - 1];
    const gap = text.slice(last.end).match(/^\s*(?:,\s*(?:and|or)?|and|or)\s*/);
    if (!gap) break;
    const next = environmentAt(text, last.end + gap[0].length);
    if (!next) break;
    parts.push(next);
  }
  const end = parts[parts.length - 1].end;
  const percent = PERCENT_AFTER.exec(text.slice(end));
  return {
    text: parts.map((p) => p.content.trim()).join(", ") + (percent ? "\\%" : ""),
    start: first.start,
    end: end + (percent ? percent[0].length : 0),
    environment: true,
  };
}

/** Longest inline formula broken across lines whose numbers are hidden. */
const MAX_BROKEN = 1_000;

/** Every math environment in the text, chains joined, and bare `\frac{a}{b}` of numbers (priority 300). */
function environments(text: string): Candidate[] {
  const out: Candidate[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== "$" && c !== "\\") continue;
    const env = environmentAt(text, i);
    if (!env) {
      const close = text.startsWith("\\(", i) ? nextIndex(text, "\\)", i) : -1;
      if (close > 0 && close - i < MAX_BROKEN) {
        out.push({ text: "", start: i, end: close + 2, priority: 300, environment: true, broken: true });
      }
      continue;
    }
    const joined = chain(text, env);
    out.push({ ...joined, priority: 300 });
    i = env.end - 1;
  }
  for (const m of text.matchAll(/-?\\[dtc]?frac\{-?\d+(?:[.,]\d+)?\}\{-?\d+(?:[.,]\d+)?\}/g)) {
    out.push({ text: m[0], start: m.index!, end: m.index! + m[0].length, priority: 300, environment: false });
  }
  return out;
}

/** A run of digits and operators: `12`, `1,234.5`, `2,74`, `(1/2) / (3/4)`, `28 %`. */
const RUN = /(?:\d(?:\.\d+)?[eE][+-]?\d+|\d{1,3}(?:,\d{3})+(?![\d])|\d+,\d{1,2}(?![\d,])|[\d.+\-*/^()×÷ ])+/y;
/** After a run, what says the value goes on (`4π`, `3√2`, `2x`, `2^{10}`, `3i`): that run is not the value. */
const CONTINUES = /^(?:[π√^{_\\]|[a-zA-Z](?![a-zA-Z]))/;

/** Longest run read as one value (longer ones are not answers, and must not cost quadratic time). */
const MAX_RUN = 200;

/** The run of number characters at `i` as one value (trailing operators and unmatched brackets trimmed), or null. */
function runAt(text: string, i: number): { text: string; end: number } | null {
  RUN.lastIndex = 0;
  const m = RUN.exec(text.slice(i, i + MAX_RUN));
  if (!m || m[0].length >= MAX_RUN) return null;
  let run = m[0].replace(/\s+$/, "");
  // Trailing operators or sentence periods, and unmatched brackets, are not part of the value.
  run = run.replace(/[+\-*/^×÷.\s(]+$/, "");
  while (run.startsWith("(") && !balanced(run)) run = run.slice(1);
  while (run.endsWith(")") && !balanced(run)) run = run.slice(0, -1);
  if (!/\d/.test(run)) return null;
  const end = i + run.length;
  const next = text.slice(end, end + 2);
  if (CONTINUES.test(next) && !UNIT_LETTERS.has(next[0])) return null;
  return { text: run.trim(), end };
}

/** Between two numbers of one list: `1, 2`, `1 and 2`, `1, or 2`, `1; 2`. */
const LIST_GAP = /^(?:\s*[,;]\s*(?:(?:and|or)\s+)?|\s+(?:and|or)\s+)/y;
/** Most numbers read as one list. */
const MAX_LIST = 64;

/**
 * The value at `i`: one number, or a list of them (`1, 2, 3`, `5 or 6`, `3 and 4`: one of many is not an answer,
 * the list is), with a percent sign after it; null where the words after it make it another number (`5 dozen`).
 */
function numberAt(text: string, i: number): Omit<Candidate, "priority"> | null {
  const first = runAt(text, i);
  if (!first) return null;
  const items = [first.text];
  let end = first.end;
  while (items.length < MAX_LIST) {
    LIST_GAP.lastIndex = 0;
    const gap = LIST_GAP.exec(text.slice(end, end + 12));
    if (!gap) break;
    const next = /[\d.(-]/.test(text[end + gap[0].length] ?? "") ? runAt(text, end + gap[0].length) : null;
    if (!next) break;
    items.push(next.text);
    end = next.end;
  }
  if (QUALIFIED.test(text.slice(end, end + 24))) return null;
  const percent = PERCENT_AFTER.exec(text.slice(end, end + 20));
  return {
    text: items.join(", ") + (percent ? "\\%" : ""),
    start: i,
    end: end + (percent ? percent[0].length : 0),
    environment: false,
  };
}

function balanced(s: string): boolean {
  let depth = 0;
  for (const c of s) {
    if (c === "(") depth++;
    else if (c === ")" && --depth < 0) return false;
  }
  return depth === 0;
}

/** Words after a number that make it another number or no single value: `5 dozen`, `2 and a half`, `3 or 5`, `90 to 110`. */
const QUALIFIED = /^\s+(?:hundred|thousand|million|billion|trillion|dozen|score|and a half|and one half|or|to|-)\b/i;

/** Single letters that are units after a number (`5 m`, `3 g`), not variables. */
const UNIT_LETTERS = new Set(["m", "g", "s", "h", "l", "L", "K", "N", "J", "W", "V", "A"]);

/** Numbers and plain expressions anywhere (priority 300): after a space, `=`, `(`, `:`, a currency sign or the start. */
function numbers(text: string): Candidate[] {
  const out: Candidate[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (!/[\d.(-]/.test(c)) continue;
    const before = text[i - 1];
    if (i > 0 && !/[\s=$€£¥(]/.test(before)) continue;
    if (before === "(" && /[a-zA-Z]/.test(text[i - 2] ?? "")) continue; // an argument: sqrt(2), f(3)
    const number = numberAt(text, i);
    if (number) out.push({ ...number, priority: 300 });
    // One try per run of number characters keeps the scan linear.
    let j = i + 1;
    while (j < text.length && /[\d.+\-*/^()×÷ ,]/.test(text[j])) j++;
    i = Math.max(j, number?.end ?? 0) - 1;
  }
  return out;
}

const UNITS_0_19 = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen " +
  "sixteen seventeen eighteen nineteen").split(" ");
const TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split(" ");

/** A number in words, 0 to 99, with a sign word (`five`, `twenty-one`, `negative three`), as digits; else null. */
export function wordNumber(text: string): string | null {
  const m = text.trim().toLowerCase().match(/^(?:(negative|minus)\s+)?([a-z]+)(?:[\s-]([a-z]+))?\.?$/);
  if (!m) return null;
  const sign = m[1] ? "-" : "";
  const small = UNITS_0_19.indexOf(m[2]);
  if (small >= 0 && !m[3]) return sign + small;
  const tens = TENS.indexOf(m[2]);
  if (tens < 0) return null;
  if (!m[3]) return sign + (tens + 2) * 10;
  const unit = UNITS_0_19.indexOf(m[3]);
  return unit >= 1 && unit <= 9 ? sign + ((tens + 2) * 10 + unit) : null;
}

/** A number in words or a yes/no word at `i` (after an anchor: "the answer is five", "the answer is No"). */
function wordAt(text: string, i: number): Omit<Candidate, "priority"> | null {
  const m = /^(?:(?:negative|minus)\s+)?[a-zA-Z]+(?:-[a-zA-Z]+|\s+[a-zA-Z]+)?/.exec(text.slice(i, i + 40));
  if (!m || /[a-zA-Z]/.test(text[i - 1] ?? "")) return null;
  for (const phrase of [m[0], m[0].replace(/\s+[a-zA-Z]+$/, "")]) {
    const end = i + phrase.length;
    if (/[a-zA-Z]/.test(text[end] ?? "")) continue;
    const digits = wordNumber(phrase);
    if (digits !== null) return { text: digits, start: i, end, environment: false };
    if (WORD_ANSWERS.test(phrase)) return { text: `\\text{${phrase}}`, start: i, end, environment: false };
  }
  return null;
}

// ---------------------------------------------------------------- what the words around a value say of it

/**
 * What the text around a candidate says of it: `answer`; `hedged` (negated, bounded, approximate, one end of a
 * range: "not 5", "at least 12", "between 10 and 12", "around 7", "x > 5"), which is no answer and, at the end of
 * a text, leaves it with none; or `set aside` (named as discarded or as the measure of something else: "x = 5 is
 * extraneous", "we reject 5", "5, not 6", "from the 10 she bought", "2 hours and 30 minutes"), after which an
 * earlier value may still be the answer.
 */
export type Bearing = "answer" | "hedged" | "set aside";

/** Words between a hedge and its value that change nothing ("not equal to", "cannot be exactly"). */
const FILLER = "be|been|is|are|was|were|equal|equals|equal to|to|the|a|an|exactly|just|only|precisely|possibly|maybe|" +
  "perhaps|even|necessarily|actually|really|simply|quite|of|x|y|n|k|=|:|think|believe|it's|it|that";
const filler = `(?:\\s+(?:${FILLER})(?![a-z]))*\\s*$`;
/** "not 5", "cannot be 5", "isn't 5", "≠ 5". */
const NEGATED = new RegExp(`(?:\\b(?:not|never|cannot|neither|nor|no)|n't|≠|\\\\neq?|!=)${filler}`);
/** "5, not 6", "5 rather than 6": a correction, the value before it stands. */
const CORRECTED = new RegExp(
  `(?:(?:[\\d$)]\\s*,?|\\b(?:and|but))\\s*not|\\b(?:rather than|instead of|other than|except(?: for)?|excluding|` +
    `besides|apart from))${filler}`,
);
/** Bounds: "at least 12", "up to 5", "nearly 7", "x > 5" (before a box too: `at least \boxed{12}`). */
const BOUNDED = new RegExp(
  `(?:\\b(?:at least|at most|at minimum|at maximum|(?:more|less|fewer|greater|smaller|larger|bigger|higher|lower)` +
    ` than|no (?:more|less|fewer) than|up to|upwards of|over|under|above|below|beyond|exceed(?:s|ing)?|within|` +
    `nearly|almost|maximum of|minimum of)|<(?![a-z/])|(?<!<\\/?[a-z]*)>|[≤≥]|` +
    `\\\\(?:le|ge|leq|geq|lt|gt)(?![a-z]))${filler}`,
);
/** Approximations and ranges in prose: "around 7", "between 10 and", "5 or", "from 3 to". A box is its own statement
 * (`between \boxed{12 \text{ and } 13}`, `x \approx \boxed{2.5}`), so these hedge only plain values. */
const VAGUE = new RegExp(
  `(?:\\b(?:about|around|roughly|approximately|approx\\.?|circa|somewhere|some|or so|between|either|or|maybe|` +
    `perhaps|probably|possibly|likely|might be|could be|i think|i guess|as (?:many|much|few|little) as)|` +
    `\\bbetween\\s+\\S+\\s+and|\\bfrom\\s+\\S+\\s+(?:to|until|through)|\\d\\s*(?:to|-|–)|~|` +
    `\\\\(?:approx|sim)(?![a-z]))` +
    filler,
);
/** "we reject 5", "discard x = 5". */
const DISCARDED_BEFORE = new RegExp(
  `\\b(?:reject(?:s|ed|ing)?|discard(?:s|ed|ing)?|exclude(?:s|d)?|eliminate(?:s|d)?|rule(?:s|d)? out|` +
    `ignor(?:e|es|ed|ing)|throw(?:s|n)? out)${filler}`,
);
/** What a discarded value is called ("extraneous", "rejected", "too big"). */
const DISCARD_WORDS = "extraneous|rejected|invalid|impossible|discarded|excluded|eliminated|wrong|incorrect|false|" +
  "ruled out|no good|not valid|not allowed|not a solution|spurious|inadmissible|unacceptable|a trap|" +
  "too (?:big|large|small|many|few|high|low)";
/** "x = 5 is extraneous", "5 (rejected)", "5 does not work", "x = -2, is not a solution"; never "5, not 6". */
const DISCARDED_AFTER = new RegExp(
  "^\\s*(?:[$)}]\\s*)?(?:,\\s*)?(?:(?!(?:which|that|so|and|but|since|because|as|where|when|while|if)\\b)[a-z]+\\s+)?" +
    `(?:\\(\\s*(?:not\\b|${DISCARD_WORDS})|(?:is|are|was|were|would be|must be|should be|has to be|turns out to be|` +
    `seems|can be)\\s+(?:not\\b|never\\b|${DISCARD_WORDS})|(?:doesn't|does not|do not|don't|fails?|won't|cannot|` +
    `can't|isn't|aren't|wasn't)\\b)`,
);
/** Bounds and hedges after a value: "6 or more", "6 and up", "6 at least", "6+", "6 or so". */
const BOUNDED_AFTER = new RegExp(
  "^\\s*(?:or (?:more|less|fewer|greater|higher|lower|above|below|so|thereabouts)\\b|" +
    "and (?:up|above|over|more|below|under)\\b|at (?:least|most|minimum|maximum)\\b|\\+(?!\\s*[\\w(\\\\$])|" +
    "or (?:maybe|perhaps|possibly) )",
);
/** "x = 5, which we reject", "5, which must be discarded". */
const DISCARDED_WHICH = new RegExp(
  "^\\s*[$)}]?\\s*,?\\s*which\\s+(?:we\\s+|must\\s+be\\s+|is\\s+|are\\s+)?(?:must\\s+)?" +
    "(?:reject|discard|exclude|eliminate|ignore|rule out|extraneous|rejected|discarded|invalid|impossible|not)",
);
/** The measure of another quantity: "from the 10 she bought", "out of 10", "one of the 3" (not "a loss of 28%"). */
const OF_ANOTHER = new RegExp(
  "(?:\\b(?:from|of|among)\\s+(?:the|these|those|her|his|their|its|all|our|my)|\\bout of|%\\s*of|" +
    "\\b(?:times|divided by|multiplied by|plus))\\s*$",
);

/** Unit words of compound quantities ("2 hours and 30 minutes", "5 feet 3 inches"). */
const COMPOUND_UNITS = new Set(
  ("hour hours hr hrs h minute minutes min mins second seconds sec s day days week weeks month months year years " +
    "foot feet ft inch inches in yard yards mile miles pound pounds lb lbs ounce ounces dollar dollars cent cents " +
    "meter meters metre metres m centimeter centimeters cm kilogram kilograms kg gram grams g").split(" "),
);
const COMPOUND_BEFORE = /\d\s*([a-z]+)\s*(?:,|\band\b)?\s*$/;
const COMPOUND_AFTER = /^\s*([a-z]+)\s*(?:,|\band\b)?\s*\d/;

/** How far before and after a candidate its words are read. */
const CONTEXT = 80;

/** The clause a value ends (`before`) or starts (`after`) in: from or to a sentence end, `;` or a line break. */
function clauseBefore(text: string, start: number): string {
  const raw = text.slice(Math.max(0, start - CONTEXT), start);
  const cut = Math.max(raw.lastIndexOf("\n"), raw.lastIndexOf(";"), raw.search(/[.!?]\s+(?=[^.!?]*$)/));
  return raw.slice(cut + 1).replace(/\\[([]|\$+|\*\*/g, " ").replace(/\s+/g, " ").toLowerCase();
}

/**
 * What the words around `text[start, end)` say of it (see {@link Bearing}). An `explicit` answer (a box, "the final
 * answer is") is hedged only by a negation or a bound, and set aside only when named as discarded.
 */
export function bearing(text: string, start: number, end: number, explicit = false): Bearing {
  const before = clauseBefore(text, start);
  const after = text.slice(end, end + CONTEXT).toLowerCase();
  if (
    CORRECTED.test(before) || DISCARDED_BEFORE.test(before) || DISCARDED_AFTER.test(after) ||
    DISCARDED_WHICH.test(after)
  ) {
    return "set aside";
  }
  if (NEGATED.test(before) || BOUNDED.test(before) || BOUNDED_AFTER.test(after)) return "hedged";
  if (explicit) return "answer";
  if (VAGUE.test(before)) return "hedged";
  const unitBefore = COMPOUND_BEFORE.exec(before);
  const unitAfter = COMPOUND_AFTER.exec(after);
  if ((unitBefore && COMPOUND_UNITS.has(unitBefore[1])) || (unitAfter && COMPOUND_UNITS.has(unitAfter[1]))) {
    return "set aside";
  }
  if (OF_ANOTHER.test(before)) return "set aside";
  return "answer";
}
