/**
 * The multiple-choice verifier: the response names one option letter, A–J, and the verdict is whether it is the
 * gold's. A reward must not pay for a letter the response only mentions, so a letter counts only where the response
 * commits to it.
 *
 * ## What a letter is
 * An uppercase A–J standing alone (not inside a word, a command such as `\Delta`, or an abbreviation such as "E.g."
 * or "A.M."). Lowercase letters are words ("a", "e.g."), never options, unless enclosed: `(d)`, `\boxed{d}`. "A" and
 * "I" followed by a lowercase word are the article and the pronoun ("A prime number", "I believe"), not options.
 *
 * ## What commits to a letter, in order of trust (the last commitment of the most trusted kind wins)
 * 1. `\boxed{B}` (also `\boxed{(B)}`, `\boxed{\text{(B)}}`).
 * 2. A statement: "the answer is B", "answer: B", "the correct option/choice is B", "I choose/pick/go with B", "B is
 *    correct/right/the answer" — the first letter after the anchor on its line that is not negated, so "the answer is
 *    clearly B", "Answer: I believe it's B" and "the answer is not B but C" read B, B and C.
 * 3. A letter written as an option: `(B)`, `B)`, `\text{(B)}`.
 * 4. The whole response is the letter (`B`, `(B)`, `B.`).
 *
 * The most trusted kind present decides; three or more different letters of that kind are a list (the options
 * echoed, every letter boxed) and commit to none.
 *
 * A mention is never a commitment when the text negates or rejects it ("not B", "over (C)", "rather than C", "since
 * (C) …", "(C) is wrong", "(C) ignores friction"), hedges it with another letter ("B or C", "(A) and (C)", "A/B"), or
 * discusses it as the subject of a clause ("(B) says …"). A response whose only statement hedges names no letter.
 *
 * Linear time: the text is read from its last 20,000 characters, every pattern looks at a bounded window around one
 * letter, and no pattern can backtrack over an unbounded run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { extractChoice, verifyChoice } from "./choice.ts";
 * assert.equal(verifyChoice("Using v = d / t we get 12 m/s, so the answer is (C).", "C").correct, true);
 * assert.equal(extractChoice("The answer is a prime number, so (C)."), "C");
 * assert.equal(extractChoice("I pick (B) over (C), since (C) ignores friction."), "B");
 * assert.equal(extractChoice("The answer is B or C."), null);
 * ```
 *
 * @module
 */
import type { Verdict } from "./verdict.ts";

/** Answers are at the end; a longer response is read from its last this many characters. */
const MAX_TEXT = 20_000;
/** How far after an anchor ("the answer is") its letter may be. */
const ANCHOR_REACH = 160;
/** How much context around a letter decides whether it is committed. */
const CONTEXT = 40;

type Form = "boxed" | "option" | "bare";
interface Mention {
  letter: string;
  /** Where the letter is in the text. */
  at: number;
  form: Form;
  /** Negated, rejected, hedged or discussed: a mention that commits to nothing. */
  uncommitted: boolean;
  /** Joined to a later letter by "or", "and", "/" or a comma. */
  hedged: boolean;
  /** "B is correct": a commitment as strong as an anchored statement. */
  affirmed: boolean;
}

const WORD_CHAR = /[\p{L}\p{N}_']/u;
/** Words after "A" / "I" that keep them option letters ("A because …", "A, since …"). */
const CONNECTIVES = new Set(["because", "since", "as", "and", "so", "which", "with", "for", "here", "then", "thus"]);
const BOXED_BEFORE = /\\boxed\s{0,3}\{\s{0,3}(?:\\(?:text|textbf|mathrm|mathbf)\s{0,3}\{\s{0,3})?\(?\s{0,3}$/;
/** Words right before a letter that reject it or make it a point of comparison. */
const REJECTED_BEFORE =
  /(?:\bnot|n't|\bover|\bthan|\binstead of|\bexcept|\bunlike|\beliminat(?:e|es|ed|ing)|\brul(?:e|es|ed|ing) out|\bexclud(?:e|es|ed|ing)|\bdiscard(?:s|ed|ing)?|\breject(?:s|ed|ing)?|\bsince|\bbecause|\bwhereas|\bwhile|\balthough|\bthough|\bnor|\bneither|\beither|\bvs\.?|\bversus|\bwhy|\bif|\bunless|\bwhether|\bbetween|\bbesides|\bagainst|\bnot just|\bthe other|\bcompared (?:to|with))\s{1,3}(?:option\s{1,3}|choice\s{1,3}|answer\s{1,3})?(?:\(|\*\*|\{|\\text(?:bf)?\{\(?)?$/i;
/** Words right after a letter that reject it. */
const REJECTED_AFTER =
  /^[)}*\s]{0,6}(?:(?:is|was|seems|looks|appears)\s{1,3}(?:not|wrong|incorrect|false|invalid|impossible|a distractor|a trap|out|eliminated|ruled out|excluded|tempting|too)\b|(?:isn't|wasn't|can't|cannot|doesn't|does not|did not|didn't|fails|ignores|contradicts|overlooks|misses|neglects|forgets|confuses|uses the wrong|can be (?:eliminated|ruled out|excluded|discarded)))/i;
/** Words right after a letter that affirm it. */
const AFFIRMED_AFTER =
  /^[)}*\s]{0,6}(?:(?:is|must be|would be|should be|seems|looks)\s{1,3}(?:the\s{1,3})?(?:correct|right|true|best|answer|valid|accurate)\b|(?:works|holds|fits)\b)/i;
/** Words right after a letter that make it the subject of a clause about it, not a choice. */
const DISCUSSED_AFTER =
  /^[)}*\s]{0,6}(?:is|was|has|says|states|claims|gives|would|could|can|does|assumes|uses|describes|suggests|represents|shows|lists|includes|predicts|yields)\b/i;
/** Another letter joined to this one by "or", "and", "/" or a comma: a hedge or a list. */
/** What may open a letter's form: `\boxed{`, `\text{`, `(`, `**`, `$`. */
const OPENER = String.raw`(?:\\boxed\s{0,2}\{|\\(?:text|textbf|mathrm|mathbf)\{|[(*{$]){0,4}`;
const HEDGE_AFTER = new RegExp(
  String.raw`^[)}*$\s]{0,6}(?:,|\/|\bor\b|\band\b|\bnor\b)\s{0,3}(?:option\s{1,3})?${OPENER}[A-J](?![\p{L}\p{N}_'])`,
  "u",
);
const HEDGE_BEFORE = new RegExp(
  String
    .raw`(?:^|[^\p{L}\p{N}_'\\])[A-J][)}*$]{0,6}\s{0,3}(?:,|\/|\bor|\band|\bnor)\s{0,3}(?:option\s{1,3})?${OPENER}$`,
  "u",
);
/** Statements that a letter follows. */
const ANCHOR =
  /\b(?:answer|option|choice)\s{0,3}(?:is|:|=|-|–|—|would be|should be|must be|will be|has to be)|\b(?:i|we)\s{1,3}(?:would\s{1,3}|will\s{1,3}|shall\s{1,3})?(?:choose|pick|select|go with|opt for)\b|\b(?:i|we)'(?:ll|d)\s{1,3}(?:choose|pick|select|go with)\b/gi;

/** Every option letter the text names, with how it is written and whether the text commits to it. */
function mentionsOf(text: string): Mention[] {
  const mentions: Mention[] = [];
  for (const match of text.matchAll(/[A-Ja-j]/g)) {
    const at = match.index;
    const letter = match[0];
    const prev = text[at - 1] ?? "";
    const next = text[at + 1] ?? "";
    if (prev === "\\" || WORD_CHAR.test(prev) || WORD_CHAR.test(next)) continue;
    // Abbreviations: "E.g.", "A.M.", "U.S.-style"
    if ((next === "." || next === "-") && WORD_CHAR.test(text[at + 2] ?? "")) continue;
    const enclosed = (prev === "(" && next === ")") || (prev === "{" && next === "}");
    if (letter !== letter.toUpperCase() && !enclosed) continue;
    const before = text.slice(Math.max(0, at - CONTEXT), at);
    const after = text.slice(at + 1, at + 1 + CONTEXT);
    if (!enclosed && (letter === "A" || letter === "I")) {
      const word = after.match(/^\s{1,3}([a-z]+)/)?.[1];
      if (word !== undefined && !CONNECTIVES.has(word)) continue; // the article or the pronoun
    }
    const boxed = BOXED_BEFORE.test(before);
    const option = !boxed && (prev === "(" ? next === ")" : next === ")" && (prev === "" || /\s/.test(prev)));
    const form: Form = boxed ? "boxed" : option ? "option" : "bare";
    const affirmed = AFFIRMED_AFTER.test(after);
    const hedged = HEDGE_AFTER.test(after);
    const uncommitted = hedged || REJECTED_BEFORE.test(before) || REJECTED_AFTER.test(after) ||
      HEDGE_BEFORE.test(before) || (!affirmed && DISCUSSED_AFTER.test(after));
    mentions.push({ letter: letter.toUpperCase(), at, form, uncommitted, hedged, affirmed });
  }
  return mentions;
}

/** The letter each anchored statement commits to: the first mention after it on its line that is not negated. */
function anchoredLetters(text: string, mentions: Mention[]): Mention[] {
  const found: Mention[] = [];
  let from = 0; // mentions are in text order, and so are anchors
  for (const anchor of text.matchAll(ANCHOR)) {
    const start = anchor.index + anchor[0].length;
    const lineEnd = text.indexOf("\n", start);
    const limit = Math.min(start + ANCHOR_REACH, lineEnd === -1 ? text.length : lineEnd);
    while (from < mentions.length && mentions[from].at < start) from++;
    for (let i = from; i < mentions.length && mentions[i].at < limit; i++) {
      const mention = mentions[i];
      if (!mention.uncommitted) {
        found.push(mention);
        break;
      }
      // A hedge ("the answer is B or C") commits to nothing; a rejection ("not B, but C") reads on.
      if (mention.hedged) break;
    }
  }
  return found;
}

/** The option letter a response commits to, or null. */
export function extractChoice(response: string): string | null {
  const text = response.length > MAX_TEXT ? response.slice(-MAX_TEXT) : response;
  const mentions = mentionsOf(text);
  const committed = mentions.filter((m) => !m.uncommitted);
  const statements = [...anchoredLetters(text, mentions), ...committed.filter((m) => m.affirmed)]
    .sort((a, b) => a.at - b.at);
  // The most trusted kind of commitment present decides; three or more different letters of that kind are a list
  // (the options echoed, every letter boxed), which commits to none.
  const kinds = [committed.filter((m) => m.form === "boxed"), statements, committed.filter((m) => m.form === "option")];
  for (const kind of kinds) {
    if (kind.length === 0) continue;
    return new Set(kind.map((m) => m.letter)).size >= 3 ? null : kind[kind.length - 1].letter;
  }
  const alone = text.trim().match(/^\(?([A-J])\)?\.?$/);
  return alone ? alone[1] : null;
}

/** Verify a response against the gold letter. */
export function verifyChoice(response: string, gold: string): Verdict {
  if (typeof response !== "string") return { correct: false, reason: "response is not a string" };
  if (typeof gold !== "string" || !/^[A-J]$/.test(gold.trim().toUpperCase())) {
    return { correct: false, reason: `choice gold must be one letter A–J (got ${JSON.stringify(gold)})` };
  }
  const choice = extractChoice(response);
  if (choice === null) return { correct: false, reason: "no option letter found" };
  return choice === gold.trim().toUpperCase() ? { correct: true } : { correct: false, reason: `chose ${choice}` };
}
