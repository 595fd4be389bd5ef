/**
 * QuestA (Li et al., "QuestA: Expanding Reasoning Capacity in LLMs via Question Augmentation", arXiv 2507.13266): a
 * hard problem is trained with a **partial solution in its prompt** — the first steps of a worked solution — so that
 * the policy sees successes on it, and the share of the solution given **shrinks on a schedule** (50% of the steps,
 * then 25%); the augmented prompts train as ordinary RL samples in the augmented context, with no correction to the
 * plain one.
 *
 * Here a problem is hard when its plain group fails (mean reward at most `guide.threshold`), decided at each step
 * (QuestA picks its hard problems once, before training, by a model's pass rate), so the plain draws that found the
 * failure are spent and charged to `rollout.budget`. The failed group is redrawn whole with the partial solution in
 * context (`partialSolution`: the first ⌈p · steps⌉ steps of the generator's gold chain, never the step that holds the
 * answer; a one-step solution gives its domain's `prefix` hint), p = 0.5 for the first half of the run and 0.25 after
 * ({@link questaShare}; `data.hintStyle` is not read). The loss is GRPO's (QuestA trains with DAPO's) and, like
 * `guide-grpo`, groups whose rewards are all equal are dropped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { questa, questaShare } from "./questa.ts";
 * const problem = {
 *   domain: "arith",
 *   solution: "32-0+27;32+27;59 \\boxed{59}",
 *   hints: { strategy: "multiply first: 3*9", value: "3*9 is 27", prefix: "32-0+27" },
 * };
 * assert.deepEqual(questa.hints(problem, "value", 0.2), ["32-0+27;32+27"]); // half of 3 steps: 2
 * assert.deepEqual(questa.hints(problem, "value", 0.7), ["32-0+27"]); // a quarter: 1
 * assert.equal(questaShare(0.5), 0.25);
 * const plain = [0, 0, 0].map((reward) => ({ reward, hinted: false }));
 * const hinted = [1, 0, 1].map((reward) => ({ reward, hinted: true }));
 * assert.deepEqual(questa.regroup(plain, hinted, 3), hinted); // the augmented group replaces the plain one
 * assert.deepEqual(questa.role(true), { context: "hinted", hintedLoss: false, sft: false });
 * ```
 *
 * @module
 */
import { partialSolution } from "../data/domains.ts";
import { informative } from "./core.ts";
import type { GuidanceMethod } from "./method.ts";

/** The share of a worked solution's steps QuestA gives at `progress` of the run: 50%, then 25% from halfway. */
export function questaShare(progress: number): number {
  return progress < 0.5 ? 0.5 : 0.25;
}

export const questa: GuidanceMethod = {
  name: "questa",
  guidance: "hint",
  plainDraws: (groupSize) => groupSize,
  draws: (groupSize) => groupSize,
  hints: (problem, _style, progress) => [partialSolution(problem, questaShare(progress))],
  regroup: (_plain, guided) => guided,
  keep: informative,
  role: (guided) => ({ context: guided ? "hinted" : "plain", hintedLoss: false, sft: false }),
};
