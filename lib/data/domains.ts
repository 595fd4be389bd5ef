/**
 * The domain registry: the one list of the kit's domains. Each domain is one file that exports its
 * {@link DomainSpec} (generator, verifier, default sizes, canonical key, hint facts, held-out facts, SFT alternative,
 * card); everything else — generation, the schema check, the config's `data.domain` choices, the verifier a dataset's
 * name maps to, the SFT's alternative orders, the dataset card — reads it from here. Adding a domain is its file and
 * its line below (a new one goes last: a domain's seed is its place in the list, so the others' files stay the same).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DATASET_DOMAINS, domainSpec } from "./domains.ts";
 * assert.equal(DATASET_DOMAINS[0], "math");
 * assert.equal(domainSpec("science").verifier, "choice");
 * assert.throws(() => domainSpec("maths"), /unknown domain "maths" \(did you mean "math"\?/);
 * ```
 *
 * @module
 */
import { closestKey } from "../nearest.ts";
import type { Domain } from "../verifiers/mod.ts";
import type { DomainSpec, Problem } from "./spec.ts";
import { mathDomain } from "./math.ts";
import { scienceDomain } from "./science.ts";
import { codeDomain } from "./code.ts";
import { arithDomain } from "./arith.ts";
import { physicsDomain } from "./physics.ts";
import { powersDomain } from "./powers.ts";
import { programsDomain } from "./programs.ts";

export type { DomainSpec } from "./spec.ts";

/** The registered domains, in seed order. */
export const DOMAIN_SPECS: readonly DomainSpec[] = [
  mathDomain,
  scienceDomain,
  codeDomain,
  arithDomain,
  physicsDomain,
  powersDomain,
  programsDomain,
];

/** The registered domains' names, in seed order. */
export const DATASET_DOMAINS: readonly string[] = DOMAIN_SPECS.map((d) => d.name);

const BY_NAME = new Map(DOMAIN_SPECS.map((d) => [d.name, d]));

/** The spec of a registered domain; an unknown name throws, naming the closest valid one. */
export function domainSpec(name: string): DomainSpec {
  const spec = BY_NAME.get(name);
  if (spec) return spec;
  const near = closestKey(name, [...DATASET_DOMAINS]);
  throw new Error(
    `unknown domain ${JSON.stringify(name)} (${near ? `did you mean "${near}"? ` : ""}valid: ${
      DATASET_DOMAINS.join(", ")
    })`,
  );
}

/**
 * The verifier of each dataset, by its name, so that samples keeping their dataset's `domain` field are judged by
 * the right one (`verifierOf(name, DATASET_VERIFIERS)` in `lib/verifiers/mod.ts`): science questions are multiple
 * choice, `programs` run on hidden tests, and the chain domains must be the canonical chain.
 */
export const DATASET_VERIFIERS: Readonly<Record<string, Domain>> = Object.fromEntries(
  DOMAIN_SPECS.map((d) => [d.name, d.verifier]),
);

/** The verifier domain of a dataset domain (its spec's `verifier`). */
export function verifierDomain(domain: string): Domain {
  return domainSpec(domain).verifier;
}

/** The canonical key of a problem: its domain's (`DomainSpec.canonicalKey`). */
export function canonicalKey(problem: Pick<Problem, "domain" | "prompt" | "solution">): string {
  return domainSpec(problem.domain).canonicalKey(problem);
}

/**
 * The texts that state the fact a problem's `value` hint gives: its domain's `hintFacts`, or the hint's sentence
 * (`science`, `code`: hints that are sentences).
 */
export function hintFactForms(problem: Pick<Problem, "domain" | "prompt" | "hints">): string[] {
  const spec = domainSpec(problem.domain);
  return spec.hintFacts ? spec.hintFacts(problem) : [problem.hints.value];
}

/** The facts held out of a domain's training split (its `heldOutFacts`; none when it has none). */
export function heldOutFacts(domain: string, seed = 0): string[] {
  return domainSpec(domain).heldOutFacts?.(seed) ?? [];
}

/**
 * A worked solution's steps (its domain's `solutionSteps`, else the pieces between `;`, spacing kept so that the
 * first steps joined by `;` read as the solution does), the last one holding the answer.
 */
export function solutionSteps(problem: Pick<Problem, "domain" | "solution">): string[] {
  const spec = BY_NAME.get(problem.domain);
  if (spec?.solutionSteps) return spec.solutionSteps(problem.solution);
  return problem.solution.split(";").filter((s) => s.trim().length > 0);
}

/**
 * The first ⌈`fraction` × steps⌉ steps of a problem's worked solution, joined as the solution writes them — never
 * the last step (it holds the answer), so at least one step is withheld. A solution of one step has no share to
 * give: its domain's `prefix` hint (the start of the solution) stands in.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { partialSolution } from "./domains.ts";
 * const problem = { domain: "arith", solution: "32-0+27;32+27;59 \\boxed{59}", hints: { prefix: "32-0+27" } };
 * assert.equal(partialSolution(problem, 0.5), "32-0+27;32+27"); // ⌈1.5⌉ = 2 of 3 steps
 * assert.equal(partialSolution(problem, 0.25), "32-0+27"); // ⌈0.75⌉ = 1
 * assert.equal(partialSolution(problem, 1), "32-0+27;32+27"); // the answer's step is never given
 * ```
 */
export function partialSolution(
  problem: Pick<Problem, "domain" | "solution"> & { hints: Pick<Problem["hints"], "prefix"> },
  fraction: number,
): string {
  const steps = solutionSteps(problem);
  if (steps.length < 2) return problem.hints.prefix;
  const shown = Math.min(steps.length - 1, Math.max(1, Math.ceil(fraction * steps.length)));
  return steps.slice(0, shown).join(";").trim();
}
