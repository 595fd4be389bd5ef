/**
 * LUFFY (Yan et al., "Learning to Reason under Off-Policy Guidance", arXiv 2504.14945): a correct off-policy solution
 * joins every group in place of one rollout (G − 1 on-policy samples + 1 off-policy), advantages are normalised over
 * the mixed group, and the off-policy tokens take **policy shaping** f(π) = π_θ / (π_θ + γ) with γ = 0.1, unclipped —
 * the behaviour policy of an expert solution is taken as 1, so its "ratio" is π_θ itself. On-policy tokens take GRPO's
 * clipped loss.
 *
 * Here the off-policy solution is the generator's gold chain (`problem.solution`, the text SFT trains on), its old
 * log-probs 0 (probability 1), so the kit's shaped hinted loss −f(r)·Â with r = π_θ / 1 and a fixed γ of 0.1 per row
 * is LUFFY's. Where the kit departs from the paper: LUFFY trains on Dr. GRPO's loss with no filtering; here the
 * step's aggregation is `loss.aggregation` (`grpo` by default) and, like `guide-grpo`, groups whose rewards are all
 * equal are dropped (a prompt the policy already solves every time carries no signal). The gold solution is not
 * sampled, so it is not charged to `rollout.budget`: a LUFFY step samples G − 1 completions a prompt.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LUFFY_GAMMA, luffy } from "./luffy.ts";
 * const plain = [0, 0, 1].map((reward) => ({ reward, hinted: false }));
 * const gold = [{ reward: 1, hinted: true }];
 * assert.deepEqual(luffy.regroup(plain, gold, 4).map((s) => [s.reward, s.hinted]), [[0, false], [0, false], [1, false], [1, true]]);
 * assert.deepEqual(luffy.role(true), { context: "plain", hintedLoss: true, sft: false, gamma: LUFFY_GAMMA });
 * ```
 *
 * @module
 */
import { informative } from "./core.ts";
import type { GuidanceMethod } from "./method.ts";

/** LUFFY's γ of the policy shaping π / (π + γ) (the paper's 0.1). */
export const LUFFY_GAMMA = 0.1;

export const luffy: GuidanceMethod = {
  name: "luffy",
  guidance: "gold",
  plainDraws: (groupSize) => Math.max(1, groupSize - 1),
  draws: () => 1,
  hints: () => [],
  regroup: (plain, guided, groupSize) => [...plain.slice(0, groupSize - guided.length), ...guided],
  keep: informative,
  role: (guided) =>
    guided
      ? { context: "plain", hintedLoss: true, sft: false, gamma: LUFFY_GAMMA }
      : { context: "plain", hintedLoss: false, sft: false },
};
