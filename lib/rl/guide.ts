/**
 * Guide's whole difference from GRPO (Nath et al. 2025), as pure functions that rollout, batch, loss and trainer call:
 * **when to hint** ({@link needsHint}; the hinted samples then {@link regroup} the failed group), **which context a
 * hinted sample trains in** ({@link trainingRole}: the plain one, so r = π_θ(o_t | q) / π_old(o_t | q, h)), **γ**
 * ({@link stepGamma}), **f(r) and the hinted token loss** ({@link hintedTokenLoss}: −f(r)·Â unclipped), and **the
 * hinted baseline** ({@link groupAdvantagesWithHints}). With the knobs `docs/testbed.md` found decisive: shaping,
 * weighting (`shaped` or `unit`), baseline (`group` or `plain`) and `hintedScale`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gammaQuantile, needsHint, regroup, trainingRole } from "./guide.ts";
 * assert.equal(needsHint([0, 0, 0, 0]), true);
 * assert.deepEqual(trainingRole(true, true), { context: "plain", hintedLoss: true });
 * assert.equal(gammaQuantile([5, 1, 4, 2, 3]), 4.6); // position 0.9 · 4 = 3.6 → 4 + 0.6 · (5 − 4)
 * const failed = [{ reward: 0 }, { reward: 0 }], hinted = [{ reward: 1 }, { reward: 0 }];
 * assert.deepEqual(regroup(failed, hinted, "mixin", 2), [{ reward: 1 }, { reward: 0 }]);
 * ```
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

/** How a failed group is regrouped: the hinted samples `replace` it (the paper's), or `mixin`/`balanced` mix both. */
export type RegroupMode = "replace" | "mixin" | "balanced";

/** The mode the settings ask for (`balanced` before `mixin`). */
export function regroupMode(options: { mixin: boolean; balanced: boolean }): RegroupMode {
  return options.balanced ? "balanced" : options.mixin ? "mixin" : "replace";
}

/** Hinted samples to draw for a group of `groupSize`: half of it (rounded up) for `balanced`, else all. */
export function hintedDraws(groupSize: number, mode: RegroupMode): number {
  return mode === "balanced" ? Math.ceil(groupSize / 2) : groupSize;
}

/**
 * The group after a hinted regroup: `replace`, the hinted samples; `mixin`, the hinted successes then the plain
 * failures, `groupSize` at most; `balanced`, the first `groupSize − hinted` plain samples then the hinted ones.
 */
export function regroup<S extends { reward: number }>(
  plain: S[],
  hinted: S[],
  mode: RegroupMode,
  groupSize: number,
): S[] {
  if (mode === "balanced") return [...plain.slice(0, groupSize - hinted.length), ...hinted];
  if (mode === "mixin") {
    return [...hinted.filter((s) => s.reward > 0), ...plain.filter((s) => s.reward === 0)].slice(0, groupSize);
  }
  return hinted;
}

/**
 * Where a sample trains and whether its tokens take the hinted loss. With IS correction (Guide) a hinted sample
 * trains in the plain context with the hinted loss; without, it is an ordinary sample of the hinted prompt.
 */
export function trainingRole(
  hinted: boolean,
  isCorrection: boolean,
): { context: "plain" | "hinted"; hintedLoss: boolean } {
  return { context: hinted && !isCorrection ? "hinted" : "plain", hintedLoss: hinted && isCorrection };
}

/** Hinted tokens take −f(r)·Â (`shaped`) or −Â·log π_θ (`unit`); f(r) = r/(r+γ) (`quantile`, `constant`) or r^γ. */
export type HintedWeighting = "shaped" | "unit";
export type Shaping = "quantile" | "constant" | "power";
/** Hinted advantages against the hinted group (`group`, official) or the failed plain group (`plain`). */
export type HintedBaseline = "group" | "plain";

/** The `level`-quantile (official 0.9) of the hinted ratios, ≥ 1e-4 (1 without any), interpolated as numpy. */
export function gammaQuantile(hintedRatios: number[], level = 0.9, floor = 1e-4): number {
  if (hintedRatios.length === 0) return 1;
  const sorted = [...hintedRatios].sort((a, b) => a - b);
  const position = level * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const value = sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
  return Math.max(floor, value);
}

/** Where γ's quantile is taken: over the step's hinted tokens (`step`, the kit's reading) or per hinted sequence. */
export type GammaScope = "step" | "sequence";

/**
 * One γ per hinted sequence, as the official run computes it (its loss takes the quantile over a micro-batch of one
 * row): the `level`-quantile of the row's token ratios, plus, when `padTo` is given, `padTo − length` padding
 * positions of ratio `padRatio` (the official row is padded to the rollout's longest response; a padded position's
 * ratio is taken as 1 here: this kit's model scores no pad token, and on-policy old and new log-probabilities of one
 * position are equal).
 */
export function sequenceGammas(
  rowRatios: number[][],
  options: { level: number; padTo?: number; padRatio?: number },
): number[] {
  return rowRatios.map((ratios) => {
    const pad = options.padTo === undefined ? 0 : Math.max(0, options.padTo - ratios.length);
    return gammaQuantile([...ratios, ...new Array<number>(pad).fill(options.padRatio ?? 1)], options.level);
  });
}

/** A step's γ: the quantile of its hinted ratios for `quantile` shaping, else the configured constant. */
export function stepGamma(shaping: Shaping, hintedRatios: number[], options: { level: number; gamma: number }): number {
  return shaping === "quantile" ? gammaQuantile(hintedRatios, options.level) : options.gamma;
}

/** f(r): r / (r + γ) for `quantile` and `constant` shaping, r^γ for `power`. */
export function shape(ratio: T2, gamma: number | T2, shaping: Shaping): T2 {
  if (shaping === "power") return tf.pow(ratio, gamma) as T2;
  return tf.div(ratio, tf.add(ratio, gamma)) as T2;
}

/** Guide's official hinted loss per token: −f(r)·Â, no clipping. */
export function shapedHintedLoss(
  ratio: T2,
  advantages: T2,
  gamma: number | T2,
  shaping: Shaping = "quantile",
): T2 {
  return tf.neg(tf.mul(shape(ratio, gamma, shaping), advantages)) as T2;
}

/** The `unit` weighting: −Â·log π_θ(o_t | q) — weighted SFT on hinted samples in the plain context, no ratio. */
export function unitHintedLoss(logprobs: T2, advantages: T2): T2 {
  return tf.neg(tf.mul(advantages, logprobs)) as T2;
}

/** The per-token loss: `plain` (the clipped surrogate) where `hintedMask` is 0, the hinted loss where it is 1. */
export function hintedTokenLoss(
  plain: T2,
  scores: { ratio: T2; logprobs: T2; advantages: T2; hintedMask: T2 },
  options: { weighting: HintedWeighting; gamma: number | T2; shaping: Shaping },
): T2 {
  const { ratio, logprobs, advantages, hintedMask } = scores;
  const hinted = options.weighting === "unit"
    ? unitHintedLoss(logprobs, advantages)
    : shapedHintedLoss(ratio, advantages, options.gamma, options.shaping);
  return tf.add(tf.mul(plain, tf.sub(1, hintedMask)), tf.mul(hinted, hintedMask)) as T2;
}

/** A hinted token's weight in the gradient relative to an on-policy token, f'(r)·r: γr/(r+γ)² (tiny for r ≪ γ). */
export function effectiveWeight(ratio: number, gamma: number, shaping: Shaping): number {
  if (shaping === "power") return gamma * ratio ** gamma;
  return (gamma * ratio) / (ratio + gamma) ** 2;
}

/**
 * Advantages of a hinted group: `group`, within its own rewards; `plain`, against the failed plain group's mean with
 * both groups' pooled std, so that tokens all hinted samples share (the hint's part) still carry signal.
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

/**
 * Every sample's advantage: plain and mixed groups are normalised within themselves, an all-hinted group by the
 * baseline; a hinted sample's is then multiplied by `hintedScale` (1, the paper's).
 */
export function groupAdvantagesWithHints(
  rewards: number[],
  hinted: boolean[],
  plainRewards: number[],
  options: { baseline: HintedBaseline; hintedScale?: number },
): number[] {
  const advantages = hinted.every(Boolean)
    ? hintedAdvantages(rewards, plainRewards, options.baseline)
    : groupAdvantages(rewards);
  return advantages.map((a, i) => a * hintedScale(hinted[i], options.hintedScale));
}

/** The factor of a sample's advantage: `hintedScale` for a hinted sample, 1 for a plain one. */
export function hintedScale(hinted: boolean, scale = 1): number {
  return hinted ? scale : 1;
}
