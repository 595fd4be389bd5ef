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
import { type CodeGold, type SandboxLimits, verifyCode, verifyCodeGroup } from "./code.ts";
import type { Verdict } from "./verdict.ts";
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
import { closestKey } from "../nearest.ts";

/** Domains with a verifier. */
export const DOMAINS = ["math", "choice", "code", "chain", "program"] as const;
/** A verifier's domain. */
export type Domain = typeof DOMAINS[number];

/**
 * The verifier of each of the kit's datasets (`lib/data`), so that samples keeping their dataset's `domain` field
 * are judged by the right one: science questions are multiple choice, `programs` run on hidden tests, and the chain
 * domains must be the canonical chain.
 */
export const DATASET_VERIFIERS = {
  math: "math",
  code: "code",
  science: "choice",
  arith: "chain",
  physics: "chain",
  powers: "chain",
  programs: "program",
} as const satisfies Record<string, Domain>;

/**
 * The verifier a sample's `domain` names — a verifier's own name or a dataset's — or an error message naming the
 * closest valid name. Unknown domains are refused, never judged wrong: a typo must not read as a score of 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { verifierOf } from "./mod.ts";
 * assert.deepEqual(verifierOf("science"), { domain: "choice" });
 * assert.match(verifierOf("maths").error!, /unknown domain "maths" \(did you mean "math"\?/);
 * ```
 */
export function verifierOf(
  name: string,
): { domain: Domain; error?: undefined } | { domain?: undefined; error: string } {
  if ((DOMAINS as readonly string[]).includes(name)) return { domain: name as Domain };
  if (Object.hasOwn(DATASET_VERIFIERS, name)) {
    return { domain: DATASET_VERIFIERS[name as keyof typeof DATASET_VERIFIERS] };
  }
  const valid = [
    ...DOMAINS,
    ...Object.keys(DATASET_VERIFIERS).filter((d) => !(DOMAINS as readonly string[]).includes(d)),
  ];
  const near = closestKey(name, valid);
  return {
    error: `unknown domain ${JSON.stringify(name)}${near ? ` (did you mean "${near}"?` : " ("}` +
      `${near ? " " : ""}valid: ${valid.join(", ")})`,
  };
}

/**
 * Verify `response` against `gold` with the verifier of `domain` (a verifier's name or a dataset's); never throws.
 * An unknown domain is false with its reason: callers that read files refuse it first ({@link verifierOf}).
 */
export async function verify(
  domain: string,
  response: unknown,
  gold: unknown,
  options: { code?: SandboxLimits } = {},
): Promise<Verdict> {
  if (typeof response !== "string") return { correct: false, reason: "response must be a string" };
  const verifier = verifierOf(domain);
  if (verifier.error !== undefined) return { correct: false, reason: verifier.error };
  try {
    switch (verifier.domain) {
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
  if (verifierOf(domain).domain !== "code") {
    return await Promise.all(responses.map((r) => verify(domain, r, gold, options)));
  }
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
