/**
 * The `chain` verifier: the response must be the canonical solution itself — every rewrite and the boxed value —
 * up to surrounding whitespace and runs of spaces. Used by the `arith` domain, where a guessed final number must
 * score nothing (`docs/testbed.md`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { verifyChain } from "./chain.ts";
 * assert.equal(verifyChain("23+42;65 \\boxed{65}", "23+42;65 \\boxed{65}").correct, true);
 * assert.equal(verifyChain("65 \\boxed{65}", "23+42;65 \\boxed{65}").reason, "differs from the canonical chain at character 1");
 * ```
 *
 * @module
 */
import type { Verdict } from "./verdict.ts";

const normalise = (text: string) => text.trim().replace(/\s+/g, " ");

/** Is `response` the canonical chain `gold`? */
export function verifyChain(response: string, gold: string): Verdict {
  if (typeof gold !== "string" || gold.length === 0) return { correct: false, reason: "gold must be a chain string" };
  const a = normalise(response);
  const b = normalise(gold);
  if (a === b) return { correct: true };
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return { correct: false, reason: `differs from the canonical chain at character ${i + 1}` };
}
