/**
 * Guide's whole difference from GRPO (Nath et al. 2025), as pure functions:
 *
 * 1. A group whose mean reward is ≤ `threshold` (all rollouts failed) is resampled from the **hinted** context
 *    (q, h); the hinted group replaces the failed one ({@link needsHint}).
 * 2. A hinted sample is trained in the **plain** context q: its ratio is r = π_θ(o_t | q, o_<t) / π_old(o_t | q, h,
 *    o_<t) — new policy without the hint over old policy with it.
 * 3. Hinted tokens are not clipped; their loss is −f(r)·Â with f(r) = r / (r + γ) and γ the 0.9-quantile of the
 *    batch's hinted ratios, detached and ≥ 1e-4 ({@link shapedHintedLoss}, {@link gammaQuantile}).
 *
 * And the knobs `docs/testbed.md` showed to decide whether Guide transfers at toy scale: the shaping
 * (`quantile` with its level, `constant` γ, `power` f(r) = r^γ), the off-policy weighting (`shaped`, the official
 * −f(r)·Â, or `unit`, −Â·log π_θ(o_t | q) with no ratio), and the baseline of hinted advantages (`group`, official:
 * normalised within the hinted group; `plain`: against the failed plain group, pooled with it).
 *
 * @module
 */
import { tf } from "../policy/backend.ts";
import { groupAdvantages, mean, std } from "./core.ts";

type T2 = tf.Tensor2D;

/** Does a plain group need a hinted regroup? (Its mean reward is at most the threshold: the paper's 0.001.) */
export function needsHint(rewards: number[], threshold = 0.001): boolean {
  return mean(rewards) <= threshold;
}

/** How hinted tokens are weighted. */
export type HintedWeighting = "shaped" | "unit";
/** How f(r) is shaped: r/(r+γ) with γ a quantile of the hinted ratios or a constant, or r^γ. */
export type Shaping = "quantile" | "constant" | "power";
/** The baseline of hinted advantages. */
export type HintedBaseline = "group" | "plain";

/**
 * γ for `quantile` shaping: the `level`-quantile (official 0.9) of the hinted tokens' ratios, clamped ≥ 1e-4.
 * A plain number: it is detached from the gradient by construction. Linear interpolation between order statistics
 * (numpy's default).
 */
export function gammaQuantile(hintedRatios: number[], level = 0.9, floor = 1e-4): number {
  if (hintedRatios.length === 0) return 1;
  const sorted = [...hintedRatios].sort((a, b) => a - b);
  const position = level * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const value = sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
  return Math.max(floor, value);
}

/** f(r): r / (r + γ) for `quantile` and `constant` shaping, r^γ for `power`. */
export function shape(ratio: T2, gamma: number, shaping: Shaping): T2 {
  if (shaping === "power") return tf.pow(ratio, gamma) as T2;
  return tf.div(ratio, tf.add(ratio, gamma)) as T2;
}

/** Guide's official hinted loss per token: −f(r)·Â, no clipping. */
export function shapedHintedLoss(ratio: T2, advantages: T2, gamma: number, shaping: Shaping = "quantile"): T2 {
  return tf.neg(tf.mul(shape(ratio, gamma, shaping), advantages)) as T2;
}

/** The `unit` weighting: −Â·log π_θ(o_t | q) — weighted SFT on hinted samples in the plain context, no ratio. */
export function unitHintedLoss(logprobs: T2, advantages: T2): T2 {
  return tf.neg(tf.mul(advantages, logprobs)) as T2;
}

/**
 * The effective per-token weight of a hinted token in the gradient, relative to an on-policy token: d/dlogπ of
 * f(r) = f'(r)·r, which is γ·r/(r+γ)² for r/(r+γ) (tiny when r ≪ γ, as the testbed measured) and γ·r^γ for r^γ.
 */
export function effectiveWeight(ratio: number, gamma: number, shaping: Shaping): number {
  if (shaping === "power") return gamma * ratio ** gamma;
  return (gamma * ratio) / (ratio + gamma) ** 2;
}

/**
 * Advantages of a hinted group. `group` (official): normalised within the hinted group's own rewards. `plain`:
 * against the failed plain group — the baseline is the plain group's mean (0 for binary rewards that all failed)
 * and the scale the standard deviation of both groups pooled, so that tokens the hint made shared by all hinted
 * samples still carry signal.
 */
export function hintedAdvantages(
  hintedRewards: number[],
  plainRewards: number[],
  baseline: HintedBaseline = "group",
  epsilon = 1e-6,
): number[] {
  if (baseline === "group") return groupAdvantages(hintedRewards, epsilon);
  const base = mean(plainRewards);
  const scale = std([...plainRewards, ...hintedRewards]);
  return hintedRewards.map((r) => (r - base) / (scale + epsilon));
}
