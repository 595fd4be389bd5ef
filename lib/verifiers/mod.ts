/**
 * Verifiers by domain: `math` (answers compared like Math-Verify), `choice` (one option letter), `code` (JavaScript
 * run in a sandbox), `chain` (the canonical chain), `program` (a tiny straight-line language run on hidden tests). One entry point, {@link verify}, for the `deno task verify` CLI, and {@link verifyGroup} for the
 * trainers, which judge a problem's samples together (for `code`: one sandbox process a group, not one a sample).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { verify } from "./mod.ts";
 * assert.equal((await verify("math", "\\boxed{12}", "12")).correct, true);
 * assert.equal((await verify("math", "\\boxed{13}", "12")).correct, false);
 * ```
 *
 * @module
 */
import { type CodeGold, type SandboxLimits, type Verdict, verifyCode, verifyCodeGroup } from "./code.ts";
import { verifyChoice } from "./choice.ts";
import { verifyMath } from "./math.ts";

export type { CodeGold, SandboxLimits, Verdict };
export { extractCode, verifyCode, verifyCodeGroup } from "./code.ts";
export { extractChoice, verifyChoice } from "./choice.ts";
export { extractMathAnswer, mathEqual, verifyMath } from "./math.ts";
export { verifyChain } from "./chain.ts";
import { verifyChain } from "./chain.ts";
export { type ProgramGold, verifyProgram } from "./program.ts";
import { type ProgramGold, verifyProgram } from "./program.ts";

/** Domains with a verifier. */
export const DOMAINS = ["math", "choice", "code", "chain", "program"] as const;
/** A verifier's domain. */
export type Domain = typeof DOMAINS[number];

/** Verify `response` against `gold` with the verifier of `domain`; never throws. */
export async function verify(
  domain: string,
  response: unknown,
  gold: unknown,
  options: { code?: SandboxLimits } = {},
): Promise<Verdict> {
  if (typeof response !== "string") return { correct: false, reason: "response must be a string" };
  try {
    switch (domain) {
      case "math":
        return verifyMath(response, gold as string);
      case "choice":
        return verifyChoice(response, gold as string);
      case "code":
        return await verifyCode(response, gold as CodeGold, options.code);
      case "chain":
        return verifyChain(response, gold as string);
      case "program":
        return verifyProgram(response, gold as ProgramGold);
      default:
        return { correct: false, reason: `unknown domain ${JSON.stringify(domain)} (use ${DOMAINS.join(", ")})` };
    }
  } catch (e) {
    return { correct: false, reason: `verifier error: ${(e as Error).message}` };
  }
}

/**
 * Verify the `responses` of one problem against its `gold`: the same verdicts as {@link verify} on each, in order;
 * for `code`, in one sandbox process (`verifyCodeGroup`: each answer in a Worker of its own, none able to change
 * another's verdict). Never throws.
 */
export async function verifyGroup(
  domain: string,
  responses: unknown[],
  gold: unknown,
  options: { code?: SandboxLimits } = {},
): Promise<Verdict[]> {
  if (domain !== "code") return await Promise.all(responses.map((r) => verify(domain, r, gold, options)));
  const texts = responses.filter((r): r is string => typeof r === "string");
  let judged: Verdict[];
  try {
    judged = await verifyCodeGroup(texts, gold as CodeGold, options.code);
  } catch (e) {
    judged = texts.map(() => ({ correct: false, reason: `verifier error: ${(e as Error).message}` }));
  }
  let next = 0;
  return responses.map((r) =>
    typeof r === "string" ? judged[next++] : { correct: false, reason: "response must be a string" }
  );
}
