/**
 * Scaf-GRPO (Zhang et al., "Scaf-GRPO: Scaffolded Group Relative Policy Optimization for Enhancing LLM Reasoning",
 * arXiv 2510.19807): after an exemption period in which the policy explores alone, a group whose every sample fails
 * gets **escalating in-prompt hints** — knowledge, then planning, then solution steps — tried in that order until a
 * hinted sample succeeds; that one success **replaces one failed sample** of the group, advantages are taken over the
 * mixed group, and the hinted sample trains in its hinted context (on-policy for the prompt it was drawn from, so no
 * importance correction).
 *
 * The kit's levels are a problem's own hints: `strategy` (knowledge: the method to use), `value` (planning: one
 * intermediate value), then half the worked solution's steps (`partialSolution`, never the answer's step);
 * `data.hintStyle` is not read. Each level draws `G / 4` completions (at least one; two at G = 8, so at most six
 * guided draws a failed group, all charged to `rollout.budget`). The exemption period is the first
 * {@link SCAF_EXEMPTION} of the run. Where the kit departs from the paper: the paper splits each level's hint into
 * chunks revealed one at a time and draws one completion per try; the kit draws a level's chunk whole, twice. Like
 * `guide-grpo`, groups whose rewards are all equal (a failed group no level rescued) are dropped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SCAF_EXEMPTION, scafGrpo } from "./scaf.ts";
 * const problem = {
 *   domain: "arith",
 *   solution: "32-0+27;32+27;59 \\boxed{59}",
 *   hints: { strategy: "multiply first: 3*9", value: "3*9 is 27", prefix: "32-0+27" },
 * };
 * assert.deepEqual(scafGrpo.hints(problem, "value", SCAF_EXEMPTION), ["multiply first: 3*9", "3*9 is 27", "32-0+27;32+27"]);
 * assert.deepEqual(scafGrpo.hints(problem, "value", 0.1), []); // exploring alone
 * const plain = [0, 0, 0, 0].map((reward) => ({ reward, hinted: false }));
 * const hinted = [0, 1].map((reward) => ({ reward, hinted: true }));
 * assert.deepEqual(scafGrpo.regroup(plain, hinted, 4).map((s) => [s.reward, s.hinted]), [[0, false], [0, false], [0, false], [1, true]]);
 * ```
 *
 * @module
 */
import { partialSolution } from "../data/domains.ts";
import { informative } from "./core.ts";
import type { GuidanceMethod } from "./method.ts";

/** The share of the run in which no guidance is given (the paper's guidance exemption period). */
export const SCAF_EXEMPTION = 0.15;

/** The share of the worked solution's steps the solution level gives. */
export const SCAF_SOLUTION_SHARE = 0.5;

export const scafGrpo: GuidanceMethod = {
  name: "scaf-grpo",
  guidance: "hint",
  plainDraws: (groupSize) => groupSize,
  draws: (groupSize) => Math.max(1, Math.floor(groupSize / 4)),
  hints: (problem, _style, progress) =>
    progress < SCAF_EXEMPTION
      ? []
      : [problem.hints.strategy, problem.hints.value, partialSolution(problem, SCAF_SOLUTION_SHARE)],
  // One success (the first) replaces the last plain failure; a level with none leaves the group failed.
  regroup: (plain, guided, groupSize) => {
    const success = guided.find((s) => s.reward > 0);
    return success ? [...plain.slice(0, groupSize - 1), success] : plain;
  },
  keep: informative,
  role: (guided) => ({ context: guided ? "hinted" : "plain", hintedLoss: false, sft: false }),
};
