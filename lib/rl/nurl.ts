/**
 * NuRL (Chen et al., "Nudging the Boundaries of LLM Reasoning", arXiv 2509.25666): where a prompt's pass rate is 0,
 * the group is regenerated with a hint in context — one plain sample kept, G − 1 drawn with the hint — and the hinted
 * samples train **in the hinted context** as ordinary GRPO samples (clipped ratio against the hinted old policy, no
 * importance correction to the plain context); advantages are normalised over the mixed group.
 *
 * Where the kit departs from the paper: the hint is the dataset's (`data.hintStyle`), not one the model writes for
 * itself from the gold answer; "pass rate 0" is the plain group's mean reward at most `guide.threshold` (0.001); like
 * `guide-grpo`, groups whose rewards are all equal after regrouping are dropped (and refilled within
 * `rollout.maxResample`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nurl } from "./nurl.ts";
 * const plain = [0, 0, 0, 0].map((reward) => ({ reward, hinted: false }));
 * const hinted = [1, 0, 1].map((reward) => ({ reward, hinted: true }));
 * assert.deepEqual(nurl.regroup(plain, hinted, 4).map((s) => [s.reward, s.hinted]), [[0, false], [1, true], [0, true], [1, true]]);
 * assert.deepEqual(nurl.role(true), { context: "hinted", hintedLoss: false, sft: false });
 * ```
 *
 * @module
 */
import { informative } from "./core.ts";
import type { GuidanceMethod } from "./method.ts";

export const nurl: GuidanceMethod = {
  name: "nurl",
  guidance: "hint",
  plainDraws: (groupSize) => groupSize,
  hints: (problem, style) => [problem.hints[style]],
  draws: (groupSize) => Math.max(1, groupSize - 1),
  // The first plain sample stays (a failure: the group failed), the hinted draws fill the rest.
  regroup: (plain, guided, groupSize) => [...plain.slice(0, groupSize - guided.length), ...guided],
  keep: informative,
  role: (guided) => ({ context: guided ? "hinted" : "plain", hintedLoss: false, sft: false }),
};
