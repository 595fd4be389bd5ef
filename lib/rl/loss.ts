/**
 * The losses the trainers hand the policy, registered by name (a pool's workers look the name up in
 * {@link LOSS_REGISTRY}): `nll` for SFT, and `rl`, the policy-gradient loss of GRPO, PPO and Guide, per token, from the
 * pieces in `core.ts` and `guide.ts`:
 *
 * - plain tokens: the clipped surrogate −min(r·Â, clip(r)·Â) (token ratio, or GSPO's sequence ratio);
 * - hinted tokens (`hinted` = 1): Guide's −f(r)·Â without clipping (`shaped`), or −Â·log π_θ (`unit`);
 * - plus β·KL to the reference policy when β > 0, minus an entropy bonus when asked;
 * - plus, for PPO, the critic's ½·c·(V − return)² when `returns` are given.
 *
 * Token data: `oldLogprobs`, `advantages` (per token), `hinted` (0/1), `refLogprobs` when β > 0, `returns` for PPO.
 * The result is the shard's `aggregationSum` divided by the whole step's `aggregationNormaliser` (both in `core.ts`,
 * the functions `core.aggregate` is made of), with the loss's metrics from the same pass ({@link rlMetrics}).
 *
 * @module
 */
import { tf } from "../policy/backend.ts";
import type { LossFunction, LossParams, LossRegistry, LossResult, ScoreTensors } from "../policy/train_spec.ts";
import {
  type Aggregation,
  aggregationSum,
  clipIndicator,
  clippedLoss,
  klPenalty,
  sequenceRatio,
  tokenRatio,
} from "./core.ts";
import { hintedTokenLoss, type HintedWeighting, type Shaping } from "./guide.ts";

type T2 = tf.Tensor2D;

/** The settings of the `rl` loss, as a step carries them (`buildTrainSpec` writes them). */
export interface RlLossParams {
  epsilonLow: number;
  epsilonHigh: number;
  /** γ of f(r) (the step's quantile, or the configured constant). */
  gamma: number;
  shaping: Shaping;
  weighting: HintedWeighting;
  /** KL coefficient to the reference (`refLogprobs` per token when > 0). */
  beta: number;
  entropyCoef: number;
  /** GSPO's sequence-level ratio instead of the token ratio. */
  sequenceRatio: boolean;
  aggregation: Aggregation;
  /** Coefficient of PPO's critic loss (`returns` per token). */
  valueCoef: number;
  /** Clamp of each token's k3 KL to [−c, c] (verl's 10); 0: none. */
  klClamp: number;
}

const RL_DEFAULTS: RlLossParams = {
  epsilonLow: 0.2,
  epsilonHigh: 0.2,
  gamma: 1,
  shaping: "quantile",
  weighting: "shaped",
  beta: 0,
  entropyCoef: 0,
  sequenceRatio: false,
  aggregation: "grpo",
  valueCoef: 0.5,
  klClamp: 0,
};

/** The `rl` loss's settings from a step's params (data that crossed to a worker), the defaults for any missing. */
export function rlParams(params: LossParams): RlLossParams {
  return { ...RL_DEFAULTS, ...params } as RlLossParams;
}

/** The ratio the loss uses: per token, or GSPO's per sequence. */
function ratioOf(scores: ScoreTensors, data: Record<string, T2>, params: RlLossParams): T2 {
  return params.sequenceRatio
    ? sequenceRatio(scores.logprobs, data.oldLogprobs, scores.mask)
    : tokenRatio(scores.logprobs, data.oldLogprobs);
}

/** Per-token loss before aggregation. */
export function tokenLoss(scores: ScoreTensors, data: Record<string, T2>, params: RlLossParams): T2 {
  const { logprobs, mask } = scores;
  const ratio = ratioOf(scores, data, params);
  const advantages = data.advantages;
  const plain = clippedLoss(ratio, advantages, params.epsilonLow, params.epsilonHigh);
  let loss = plain;
  if (data.hinted) {
    // A γ per row (`gamma` data: the official per-sequence scope) or the step's.
    const gamma = data.gamma ?? params.gamma;
    loss = hintedTokenLoss(plain, { ratio, logprobs, advantages, hintedMask: data.hinted }, { ...params, gamma });
  }
  const { beta, entropyCoef } = params;
  if (beta > 0) {
    if (!data.refLogprobs) throw new Error("loss: beta > 0 needs refLogprobs");
    loss = tf.add(loss, tf.mul(klPenalty(logprobs, data.refLogprobs, params.klClamp), beta)) as T2;
  }
  if (entropyCoef > 0) loss = tf.sub(loss, tf.mul(scores.entropy, entropyCoef)) as T2;
  if (data.returns) {
    // PPO's critic: ½·(V − return)², its value read in the plain context also for hinted samples.
    if (!scores.values) throw new Error("loss: value targets need a policy with a value head (model.valueHead)");
    const valueLoss = tf.mul(tf.square(tf.sub(scores.values, data.returns)), 0.5 * params.valueCoef);
    loss = tf.add(loss, valueLoss) as T2;
  }
  return tf.mul(loss, mask) as T2;
}

/**
 * The diagnostics of the `rl` loss, from the same forward pass, as sums over the shard's real tokens: `tokens`,
 * `entropySum`, `klSum` (k3 to the reference, when β > 0), and over the tokens that take the clipped loss
 * (`plainTokens`): `plainRatioSum` and `clippedTokens` (the clip changed their term); `valueSquaredErrorSum` for
 * PPO's critic.
 */
export function rlMetrics(
  scores: ScoreTensors,
  data: Record<string, T2>,
  params: RlLossParams,
): Record<string, tf.Scalar> {
  const { logprobs, mask } = scores;
  const ratio = ratioOf(scores, data, params);
  const plain = data.hinted ? tf.mul(mask, tf.sub(1, data.hinted)) : mask;
  const { epsilonLow, epsilonHigh } = params;
  const metrics: Record<string, tf.Scalar> = {
    tokens: tf.sum(mask),
    entropySum: tf.sum(tf.mul(scores.entropy, mask)),
    plainTokens: tf.sum(plain),
    plainRatioSum: tf.sum(tf.mul(ratio, plain)),
    clippedTokens: tf.sum(tf.mul(clipIndicator(ratio, data.advantages, epsilonLow, epsilonHigh), plain)),
  };
  if (data.refLogprobs) metrics.klSum = tf.sum(tf.mul(klPenalty(logprobs, data.refLogprobs, params.klClamp), mask));
  if (data.returns && scores.values) {
    metrics.valueSquaredErrorSum = tf.sum(tf.mul(tf.square(tf.sub(scores.values, data.returns)), mask));
  }
  return metrics;
}

/**
 * The registered `rl` loss: {@link tokenLoss} aggregated over the shard and divided by the batch normaliser, with
 * {@link rlMetrics}.
 */
export function rlLoss(
  scores: ScoreTensors,
  data: Record<string, T2>,
  normaliser: number,
  stepParams: LossParams,
): LossResult {
  const params = rlParams(stepParams);
  const perToken = tokenLoss(scores, data, params);
  const metrics = rlMetrics(scores, data, params);
  return { loss: tf.div(aggregationSum(perToken, scores.mask, params.aggregation), normaliser) as tf.Scalar, metrics };
}

/**
 * Weighted negative log-likelihood, −Σ w_t · log π(o_t | context) / normaliser (`weight` per token, else the mask).
 * With unit weights it is SFT.
 */
export function nllLoss(scores: ScoreTensors, data: Record<string, T2>, normaliser: number): LossResult {
  const weights = data.weight ?? scores.mask;
  const loss = tf.div(tf.neg(tf.sum(tf.mul(scores.logprobs, weights))), normaliser) as tf.Scalar;
  return { loss, metrics: { tokens: tf.sum(scores.mask) } };
}

/** Registered losses. */
export const LOSSES: Readonly<Record<string, LossFunction>> = { nll: nllLoss, rl: rlLoss };

/** Look a loss up, or fail naming the ones that exist. */
export function lossByName(name: string): LossFunction {
  const loss = LOSSES[name];
  if (!loss) throw new Error(`unknown loss "${name}" (registered: ${Object.keys(LOSSES).join(", ")})`);
  return loss;
}

/** {@link LOSSES} as a pool takes them: its workers import this module for them. */
export const LOSS_REGISTRY: LossRegistry = { module: import.meta.url, lossByName };
