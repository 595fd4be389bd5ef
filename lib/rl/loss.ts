/**
 * The losses the trainers hand the policy, registered by name (a pool's workers look the name up in
 * {@link LOSS_REGISTRY}): `nll` for SFT, and `rl`, the policy-gradient loss of GRPO, PPO and Guide, per token, from the
 * pieces in `core.ts` and `guide.ts`:
 *
 * - plain tokens: the clipped surrogate −min(r·Â, clip(r)·Â) (token ratio, or GSPO's sequence ratio);
 * - hinted tokens (`hinted` = 1): Guide's −f(r)·Â without clipping (`shaped`), or −Â·log π_θ (`unit`);
 * - plus β·KL to the reference policy when β > 0, minus an entropy bonus when asked.
 *
 * - plus, for PPO, the critic's ½·c·(V − return)² when `returns` are given.
 *
 * Token data: `oldLogprobs`, `advantages` (per token), `hinted` (0/1), `refLogprobs` when β > 0, `returns` for PPO. The result is
 * the shard's sum divided by the whole batch's `normaliser`: the number of sequences for the `grpo` aggregation
 * (each sequence's token mean), the number of tokens for `bnpo`/`dapo`, rows × max tokens for `dr_grpo`.
 *
 * @module
 */
import { tf } from "../policy/backend.ts";
import type { LossFunction, LossRegistry, ScoreTensors } from "../policy/train_spec.ts";
import { clippedLoss, klPenalty, sequenceRatio, tokenRatio } from "./core.ts";
import { hintedTokenLoss, type HintedWeighting, type Shaping } from "./guide.ts";

type T2 = tf.Tensor2D;

/** Per-token loss before aggregation. */
export function tokenLoss(
  scores: ScoreTensors,
  data: Record<string, T2>,
  params: Record<string, number | string | boolean>,
): T2 {
  const { logprobs, mask } = scores;
  const ratio = params.sequenceRatio
    ? sequenceRatio(logprobs, data.oldLogprobs, mask)
    : tokenRatio(logprobs, data.oldLogprobs);
  const advantages = data.advantages;
  const plain = clippedLoss(ratio, advantages, Number(params.epsilonLow ?? 0.2), Number(params.epsilonHigh ?? 0.2));
  let loss = plain;
  if (data.hinted) {
    loss = hintedTokenLoss(plain, { ratio, logprobs, advantages, hintedMask: data.hinted }, {
      weighting: (params.weighting ?? "shaped") as HintedWeighting,
      gamma: Number(params.gamma ?? 1),
      shaping: (params.shaping ?? "quantile") as Shaping,
    });
  }
  const beta = Number(params.beta ?? 0);
  if (beta > 0) {
    if (!data.refLogprobs) throw new Error("loss: beta > 0 needs refLogprobs");
    loss = tf.add(loss, tf.mul(klPenalty(logprobs, data.refLogprobs), beta)) as T2;
  }
  const entropyCoef = Number(params.entropyCoef ?? 0);
  if (entropyCoef > 0) loss = tf.sub(loss, tf.mul(scores.entropy, entropyCoef)) as T2;
  if (data.returns) {
    // PPO's critic: ½·(V − return)², its value read in the plain context also for hinted samples.
    if (!scores.values) throw new Error("loss: value targets need a policy with a value head (model.valueHead)");
    const valueLoss = tf.mul(tf.square(tf.sub(scores.values, data.returns)), 0.5 * Number(params.valueCoef ?? 0.5));
    loss = tf.add(loss, valueLoss) as T2;
  }
  return tf.mul(loss, mask) as T2;
}

/** The registered `rl` loss: {@link tokenLoss} aggregated over the shard and divided by the batch normaliser. */
export function rlLoss(
  scores: ScoreTensors,
  data: Record<string, T2>,
  normaliser: number,
  params: Record<string, number | string | boolean>,
): tf.Scalar {
  const perToken = tokenLoss(scores, data, params);
  if ((params.aggregation ?? "grpo") === "grpo") {
    const perSequence = tf.div(tf.sum(perToken, 1), tf.maximum(tf.sum(scores.mask, 1), 1));
    return tf.div(tf.sum(perSequence), normaliser) as tf.Scalar;
  }
  return tf.div(tf.sum(perToken), normaliser) as tf.Scalar;
}

/**
 * Weighted negative log-likelihood, −Σ w_t · log π(o_t | context) / normaliser (`weight` per token, else the mask).
 * With unit weights it is SFT.
 */
export function nllLoss(scores: ScoreTensors, data: Record<string, T2>, normaliser: number): tf.Scalar {
  const weights = data.weight ?? scores.mask;
  return tf.div(tf.neg(tf.sum(tf.mul(scores.logprobs, weights))), normaliser) as tf.Scalar;
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
