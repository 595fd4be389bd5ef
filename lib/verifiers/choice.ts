/**
 * The multiple-choice verifier: the response names one option letter, in any of the forms models write —
 * `\boxed{B}`, `\text{(B)}`, "the answer is B", `(B)`, `B)` — or is the letter alone. The last statement wins, in
 * that order of precedence; a response that names no letter is false.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { verifyChoice } from "./choice.ts";
 * assert.equal(verifyChoice("Using v = d / t we get 12 m/s, so the answer is (C).", "C").correct, true);
 * ```
 *
 * @module
 */
import type { Verdict } from "./code.ts";

const LETTER = "[A-J]";

/** Longest response judged, in characters: a longer one chooses nothing, without being scanned. */
export const MAX_CHOICE_CHARS = 100_000;

/** The option letter a response chooses, or null. */
export function extractChoice(response: string): string | null {
  if (response.length > MAX_CHOICE_CHARS) return null;
  // No two adjacent runs that match the same characters (`\s*\s*`), which backtracked quadratically ("answer:" and
  // 100 KB of spaces took 10 s); each pattern matches what it matched before.
  const patterns = [
    new RegExp(`\\\\boxed\\{\\s*(?:\\\\text\\{\\s*)?\\(?(${LETTER})\\)?\\s*(?:\\}\\s*)?\\}`, "g"),
    new RegExp(`answer(?: is|:)(?:\\s*option)?[\\s(*$\\\\{textbf]*\\(?(${LETTER})\\b`, "gi"),
    new RegExp(`\\\\text\\{\\s*\\((${LETTER})\\)\\s*\\}`, "g"),
    new RegExp(`\\((${LETTER})\\)`, "g"),
    new RegExp(`(?:^|\\s)(${LETTER})\\)`, "g"),
  ];
  for (const pattern of patterns) {
    const matches = [...response.matchAll(pattern)];
    if (matches.length > 0) return matches[matches.length - 1][1].toUpperCase();
  }
  const alone = response.trim().match(new RegExp(`^\\(?(${LETTER})\\)?\\.?$`, "i"));
  return alone ? alone[1].toUpperCase() : null;
}

/** Verify a response against the gold letter. */
export function verifyChoice(response: string, gold: string): Verdict {
  if (typeof response !== "string") return { correct: false, reason: "response is not a string" };
  if (response.length > MAX_CHOICE_CHARS) {
    return { correct: false, reason: `response over ${MAX_CHOICE_CHARS} characters` };
  }
  if (typeof gold !== "string" || !new RegExp(`^${LETTER}$`).test(gold.trim().toUpperCase())) {
    return { correct: false, reason: `choice gold must be one letter A–J (got ${JSON.stringify(gold)})` };
  }
  const choice = extractChoice(response);
  if (choice === null) return { correct: false, reason: "no option letter found" };
  return choice === gold.trim().toUpperCase() ? { correct: true } : { correct: false, reason: `chose ${choice}` };
}
