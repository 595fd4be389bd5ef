/**
 * Verifiers by domain: `math` (answers compared like Math-Verify), `choice` (one option letter), `code` (JavaScript
 * run in a sandbox), `chain` (the canonical chain), `program` (a tiny straight-line language run on hidden tests). One
 * entry point, {@link verify}, for the `deno task verify` CLI, and {@link verifyGroup} for the trainers, which judge a
 * problem's samples together (for `code`: one sandbox process a group, not one a sample). Which verifier judges a
 * dataset is the dataset's own registration (`lib/data/domains.ts`), passed in as a value ({@link verifierOf}).
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

/** Options of a verification: the code sandbox's limits. */
export interface VerifyOptions {
  code?: SandboxLimits;
}

/** Each verifier, judging one response against its gold. */
const JUDGES: Record<Domain, (response: string, gold: unknown, options: VerifyOptions) => Verdict | Promise<Verdict>> =
  {
    math: (response, gold) => verifyMath(response, gold as string),
    choice: (response, gold) => verifyChoice(response, gold as string),
    code: (response, gold, options) => verifyCode(response, gold as CodeGold, options.code),
    chain: (response, gold) => verifyChain(response, gold as string),
    program: (response, gold) => verifyProgram(response, gold as ProgramGold),
  };

/**
 * The verifier a sample's `domain` names — a verifier's own name, or a name `datasets` maps to one (the kit's
 * datasets: `DATASET_VERIFIERS` of `lib/data/domains.ts`) — or an error message naming the closest valid name.
 * Unknown domains are refused, never judged wrong: a typo must not read as a score of 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { verifierOf } from "./mod.ts";
 * assert.deepEqual(verifierOf("chain"), { domain: "chain" });
 * assert.deepEqual(verifierOf("science", { science: "choice" }), { domain: "choice" });
 * assert.match(verifierOf("maths").error!, /unknown domain "maths" \(did you mean "math"\?/);
 * ```
 */
export function verifierOf(
  name: string,
  datasets: Readonly<Record<string, Domain>> = {},
): { domain: Domain; error?: undefined } | { domain?: undefined; error: string } {
  if ((DOMAINS as readonly string[]).includes(name)) return { domain: name as Domain };
  if (Object.hasOwn(datasets, name)) return { domain: datasets[name] };
  const valid = [...DOMAINS, ...Object.keys(datasets).filter((d) => !(DOMAINS as readonly string[]).includes(d))];
  const near = closestKey(name, valid);
  return {
    error: `unknown domain ${JSON.stringify(name)}${near ? ` (did you mean "${near}"?` : " ("}` +
      `${near ? " " : ""}valid: ${valid.join(", ")})`,
  };
}

/**
 * Verify `response` against `gold` with the verifier of `domain`; never throws. An unknown domain is false with its
 * reason: callers that read files refuse it first ({@link verifierOf}), and map a dataset's name to its verifier there.
 */
export async function verify(
  domain: string,
  response: unknown,
  gold: unknown,
  options: VerifyOptions = {},
): Promise<Verdict> {
  if (typeof response !== "string") return { correct: false, reason: "response must be a string" };
  const verifier = verifierOf(domain);
  if (verifier.error !== undefined) return { correct: false, reason: verifier.error };
  try {
    return await JUDGES[verifier.domain](response, gold, options);
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
  options: VerifyOptions = {},
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
