/**
 * Rationalization (STaR, Zelikman et al. 2022, arXiv 2203.14465; rejection-sampling fine-tuning, Yuan et al. 2023,
 * arXiv 2308.01825): when every plain sample of a prompt fails, sample G completions with the hint in context, keep the
 * correct ones, and train them as **SFT targets in the plain context** — −log π(o | q) per token, with no advantage and
 * no importance ratio; groups that did not fail train by GRPO. It is the baseline Guide's `plain` + `unit` variant is
 * closest to (advantage-weighted SFT on the hinted successes, in the plain context).
 *
 * Where the kit departs from STaR: STaR fine-tunes from the base in outer iterations on a fixed dataset; here the
 * rationalized samples join the RL step they were drawn in (each token weighted 1 in the step's aggregation), so the
 * method is compared with Guide at the same budget and cadence. A failed prompt whose hinted draws all fail too
 * contributes nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rationalization } from "./rationalization.ts";
 * const plain = [0, 0, 0].map((reward) => ({ reward, hinted: false }));
 * const hinted = [1, 0, 1].map((reward) => ({ reward, hinted: true }));
 * assert.deepEqual(rationalization.regroup(plain, hinted, 3).map((s) => s.reward), [1, 1]);
 * assert.equal(rationalization.keep([1, 1]), true); // all equal, yet SFT targets
 * assert.deepEqual(rationalization.role(true), { context: "plain", hintedLoss: true, sft: true });
 * ```
 *
 * @module
 */
import type { GuidanceMethod } from "./method.ts";

export const rationalization: GuidanceMethod = {
  name: "rationalization",
  guidance: "hint",
  plainDraws: (groupSize) => groupSize,
  hints: (problem, style) => [problem.hints[style]],
  draws: (groupSize) => groupSize,
  // Only the correct hinted samples: they are targets, not a group to compare within.
  regroup: (_plain, guided) => guided.filter((s) => s.reward > 0),
  // A rationalized group trains if it kept a sample; a plain group, as GRPO's filtering says.
  keep: (rewards) => rewards.length > 0,
  // Flagged hinted (kept out of the plain-token diagnostics) and SFT: the loss takes −log π for its tokens.
  role: (guided) => ({ context: "plain", hintedLoss: guided, sft: guided }),
};
