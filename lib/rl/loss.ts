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
 * Token data ({@link RlTokenRows}): `oldLogprobs`, `advantages` (per token), `hinted` (0/1), `refLogprobs` when
 * β > 0, `returns` for PPO, `gamma` per row for the per-sequence γ, `sft` (0/1) for SFT targets. Params ({@link RlLossParams}): the run config's
 * `loss`, `guide` and `ppo` sections and the step's γ, both checked where the loss runs. The result is the shard's
 * `aggregationSum` divided by the whole step's `aggregationNormaliser` (both in `core.ts`), with the loss's metrics
 * from the same pass ({@link rlMetrics}).
 *
 * @module
 */
import { tf } from "../policy/backend.ts";
import type { LossFunction, LossParams, LossRegistry, LossResult, ScoreTensors } from "../policy/train_spec.ts";
import { aggregationSum, clipIndicator, clippedLoss, klPenalty, sequenceRatio, tokenRatio } from "./core.ts";
import { hintedTokenLoss } from "./guide.ts";
import { RUN_SCHEMA, type RunConfig } from "../config/schema.ts";
import { checkResolved } from "../config/validate.ts";

type T2 = tf.Tensor2D;

/**
 * What the `rl` loss reads, as a step carries it to the workers: three sections of the run config, typed by its
 * schema and checked against it on arrival ({@link rlParams}), and the step's γ. A knob added to one of these
 * sections reaches {@link tokenLoss} with no other edit.
 */
export type RlLossParams = {
  loss: RunConfig["loss"];
  guide: RunConfig["guide"];
  ppo: RunConfig["ppo"];
  /** γ of f(r) for this step: the quantile of its hinted ratios, or `guide.gamma` (`stepGamma` in `guide.ts`). */
  gamma: number;
};

/** The per-token rows of an `rl` step, each as long as its completion. */
export type RlTokenRows = {
  /** log π_old of each token, in the context the sample was drawn in. */
  oldLogprobs: number[][];
  /** Â per token (a group advantage broadcast, or PPO's GAE). */
  advantages: number[][];
  /** 1 on tokens that take Guide's hinted loss, else 0. */
  hinted: number[][];
  /** log π_ref of each token in the row's training context (β > 0). */
  refLogprobs?: number[][];
  /** PPO's value targets. */
  returns?: number[][];
  /** γ per row (the official per-sequence scope); else the step's `gamma` applies. */
  gamma?: number[][];
  /** 1 on tokens that are SFT targets (rationalization): −log π, no advantage, no ratio. */
  sft?: number[][];
};

/** {@link RlTokenRows} as the tensors the loss reads. */
export type RlTokenTensors = { [K in keyof RlTokenRows]: T2 };

const REQUIRED_ROWS = ["oldLogprobs", "advantages", "hinted"] as const;
const OPTIONAL_ROWS = ["refLogprobs", "returns", "gamma", "sft"] as const;

/**
 * The `rl` loss's params as they arrive (data that crossed to a worker), checked: each config section against the
 * run schema (a missing, misspelled or mistyped key fails naming it), and γ a finite number.
 */
export function rlParams(params: LossParams): RlLossParams {
  const { loss, guide, ppo, gamma, ...rest } = params;
  const what = "rl loss params";
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new Error(`${what}: unknown key "${unknown[0]}" (expected loss, guide, ppo, gamma)`);
  if (typeof gamma !== "number" || !Number.isFinite(gamma)) {
    throw new Error(`${what}: key "gamma": expected a finite number, got ${JSON.stringify(gamma)}`);
  }
  return {
    loss: checkResolved(RUN_SCHEMA.fields.loss, loss, what, ["loss"]),
    guide: checkResolved(RUN_SCHEMA.fields.guide, guide, what, ["guide"]),
    ppo: checkResolved(RUN_SCHEMA.fields.ppo, ppo, what, ["ppo"]),
    gamma,
  };
}

/** The `rl` loss's token data as it arrives, checked: the rows it needs present, no key it does not read. */
export function rlTokenTensors(data: Record<string, T2>): RlTokenTensors {
  for (const key of REQUIRED_ROWS) {
    if (!data[key]) throw new Error(`rl loss data: missing key "${key}"`);
  }
  const known: readonly string[] = [...REQUIRED_ROWS, ...OPTIONAL_ROWS];
  const unknown = Object.keys(data).find((key) => !known.includes(key));
  if (unknown) throw new Error(`rl loss data: unknown key "${unknown}" (expected ${known.join(", ")})`);
  return data as RlTokenTensors;
}

/** The ratio the loss uses: per token, or GSPO's per sequence. */
function ratioOf(scores: ScoreTensors, data: RlTokenTensors, params: RlLossParams): T2 {
  return params.loss.sequenceRatio
    ? sequenceRatio(scores.logprobs, data.oldLogprobs, scores.mask)
    : tokenRatio(scores.logprobs, data.oldLogprobs);
}

/** Per-token loss before aggregation. */
export function tokenLoss(scores: ScoreTensors, data: RlTokenTensors, params: RlLossParams): T2 {
  const { logprobs, mask } = scores;
  const ratio = ratioOf(scores, data, params);
  const advantages = data.advantages;
  const { epsilonLow, epsilonHigh, beta, entropyCoef, klClamp } = params.loss;
  const plain = clippedLoss(ratio, advantages, epsilonLow, epsilonHigh);
  // A γ per row (`gamma` data: the official per-sequence scope) or the step's.
  const { weighting, shaping } = params.guide;
  const gamma = data.gamma ?? params.gamma;
  let loss = hintedTokenLoss(plain, { ratio, logprobs, advantages, hintedMask: data.hinted }, {
    weighting,
    shaping,
    gamma,
  });
  // SFT targets (a guidance method's, e.g. rationalization) take −log π in place of any policy-gradient term.
  if (data.sft) loss = tf.add(tf.mul(loss, tf.sub(1, data.sft)), tf.mul(tf.neg(logprobs), data.sft)) as T2;
  if (beta > 0) {
    if (!data.refLogprobs) throw new Error("loss: beta > 0 needs refLogprobs");
    loss = tf.add(loss, tf.mul(klPenalty(logprobs, data.refLogprobs, klClamp), beta)) as T2;
  }
  if (entropyCoef > 0) loss = tf.sub(loss, tf.mul(scores.entropy, entropyCoef)) as T2;
  if (data.returns) {
    // PPO's critic: ½·(V − return)², its value read in the plain context also for hinted samples.
    if (!scores.values) throw new Error("loss: value targets need a policy with a value head (model.valueHead)");
    const valueLoss = tf.mul(tf.square(tf.sub(scores.values, data.returns)), 0.5 * params.ppo.valueCoef);
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
  data: RlTokenTensors,
  params: RlLossParams,
): Record<string, tf.Scalar> {
  const { logprobs, mask } = scores;
  const ratio = ratioOf(scores, data, params);
  const plain = tf.mul(mask, tf.sub(1, data.hinted)) as T2;
  const { epsilonLow, epsilonHigh, klClamp } = params.loss;
  const metrics: Record<string, tf.Scalar> = {
    tokens: tf.sum(mask),
    entropySum: tf.sum(tf.mul(scores.entropy, mask)),
    plainTokens: tf.sum(plain),
    plainRatioSum: tf.sum(tf.mul(ratio, plain)),
    clippedTokens: tf.sum(tf.mul(clipIndicator(ratio, data.advantages, epsilonLow, epsilonHigh), plain)),
  };
  if (data.refLogprobs) metrics.klSum = tf.sum(tf.mul(klPenalty(logprobs, data.refLogprobs, klClamp), mask));
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
  const tensors = rlTokenTensors(data);
  const perToken = tokenLoss(scores, tensors, params);
  const metrics = rlMetrics(scores, tensors, params);
  const loss = tf.div(aggregationSum(perToken, scores.mask, params.loss.aggregation), normaliser) as tf.Scalar;
  return { loss, metrics };
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
