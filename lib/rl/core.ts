/**
 * The algorithm core shared by GRPO, PPO and Guide: advantages, token ratios, the clipped surrogate, KL to a
 * reference, the sequence-level (GSPO) ratio, and the loss aggregations — small pure functions, chosen by name, in
 * the manner of verl's `core_algos.py`. Advantages work on plain arrays (one number per sequence or token); losses
 * work on tensors [rows, tokens] with a 0/1 mask, so they run inside a training step's gradient. Guide's additions
 * are in `guide.ts`.
 *
 * @module
 */
import { tf } from "../policy/backend.ts";
import { type Aggregation, AGGREGATIONS } from "../config/schema.ts";

export { type Aggregation, AGGREGATIONS };

type T2 = tf.Tensor2D;

/** Mean of numbers. */
export function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Sample standard deviation (n − 1 in the denominator, as `torch.std` in TRL and verl); 0 for one value. */
export function std(values: number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
}

/** A group carries signal for GRPO when its rewards are not all equal (Filter-GRPO's rule for keeping it). */
export function informative(rewards: number[]): boolean {
  return rewards.some((r) => r !== rewards[0]);
}

/**
 * GRPO's group-normalised advantages: Â_i = (R_i − mean_g R) / (std_g R + ε), the same for every token of o_i.
 * An all-equal group gets zeros (no signal), which is why filtering and Guide exist.
 */
export function groupAdvantages(rewards: number[], epsilon = 1e-6): number[] {
  const m = mean(rewards);
  const s = std(rewards);
  return rewards.map((r) => (r - m) / (s + epsilon));
}

/**
 * Generalised advantage estimation (Schulman et al. 2016) over one sequence's tokens: δ_t = r_t + γ V_{t+1} − V_t,
 * Â_t = Σ_k (γλ)^k δ_{t+k}, with V after the last token = 0. Returns advantages and returns (Â + V).
 */
export function gae(
  rewards: number[],
  values: number[],
  gamma = 1,
  lambda = 1,
): { advantages: number[]; returns: number[] } {
  const advantages = new Array<number>(rewards.length).fill(0);
  let running = 0;
  for (let t = rewards.length - 1; t >= 0; t--) {
    const next = t + 1 < values.length ? values[t + 1] : 0;
    const delta = rewards[t] + gamma * next - values[t];
    running = delta + gamma * lambda * running;
    advantages[t] = running;
  }
  return { advantages, returns: advantages.map((a, t) => a + values[t]) };
}

/**
 * Whiten numbers over a batch: (x − mean) / (std + ε), with the population std (n in the denominator), as PPO
 * implementations whiten advantages.
 */
export function whiten(values: number[], epsilon = 1e-8): number[] {
  const m = mean(values);
  const sd = Math.sqrt(values.reduce((acc, v) => acc + (v - m) ** 2, 0) / Math.max(values.length, 1)) + epsilon;
  return values.map((v) => (v - m) / sd);
}

/**
 * PPO's per-token targets of a batch: {@link gae} over each sequence (`rewards` and critic `values` per token), then
 * the advantages whitened over every token of the batch; the returns (Â + V, before whitening) are the critic's
 * targets.
 */
export function batchGae(
  sequences: { rewards: number[]; values: number[] }[],
  gamma = 1,
  lambda = 1,
): { advantages: number[]; returns: number[] }[] {
  const raw = sequences.map((s) => gae(s.rewards, s.values, gamma, lambda));
  const whitened = whiten(raw.flatMap((r) => r.advantages));
  let offset = 0;
  return raw.map((r) => {
    const advantages = whitened.slice(offset, offset + r.advantages.length);
    offset += r.advantages.length;
    return { advantages, returns: r.returns };
  });
}

/** Per-token importance ratio r = π_θ / π_old = exp(log π_θ − log π_old). */
export function tokenRatio(logprobs: T2, oldLogprobs: T2): T2 {
  return tf.exp(tf.sub(logprobs, oldLogprobs)) as T2;
}

/**
 * GSPO's sequence-level ratio: s_i = exp(mean over the sequence's tokens of (log π_θ − log π_old)), broadcast to
 * every token of the sequence.
 */
export function sequenceRatio(logprobs: T2, oldLogprobs: T2, mask: T2): T2 {
  const logRatio = tf.mul(tf.sub(logprobs, oldLogprobs), mask);
  const perSequence = tf.div(tf.sum(logRatio, 1, true), tf.maximum(tf.sum(mask, 1, true), 1));
  return tf.mul(tf.exp(perSequence), tf.onesLike(logprobs)) as T2;
}

/**
 * The clipped surrogate per token: −min(r·Â, clip(r, 1 − ε_low, 1 + ε_high)·Â). `advantages` is [rows, tokens]
 * (a per-sequence advantage broadcast over its tokens, or GAE's per-token one).
 */
export function clippedLoss(ratio: T2, advantages: T2, epsilonLow = 0.2, epsilonHigh = 0.2): T2 {
  const unclipped = tf.mul(ratio, advantages);
  const clipped = tf.mul(tf.clipByValue(ratio, 1 - epsilonLow, 1 + epsilonHigh), advantages);
  return tf.neg(tf.minimum(unclipped, clipped)) as T2;
}

/** 1 where the clip changed a token's term (the min chose the clipped one: r < 1 − ε_low with Â < 0, or r > 1 + ε_high with Â > 0), else 0. */
export function clipIndicator(ratio: T2, advantages: T2, epsilonLow = 0.2, epsilonHigh = 0.2): T2 {
  const low = tf.logicalAnd(tf.less(ratio, 1 - epsilonLow), tf.less(advantages, 0));
  const high = tf.logicalAnd(tf.greater(ratio, 1 + epsilonHigh), tf.greater(advantages, 0));
  return tf.cast(tf.logicalOr(low, high), "float32") as T2;
}

/** Fraction of real tokens whose ratio the clip changed. */
export function clipFraction(ratio: T2, advantages: T2, mask: T2, epsilonLow = 0.2, epsilonHigh = 0.2): tf.Scalar {
  return tf.tidy(() => {
    const clipped = tf.mul(clipIndicator(ratio, advantages, epsilonLow, epsilonHigh), mask);
    return tf.div(tf.sum(clipped), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
  });
}

/**
 * KL(π_θ ‖ π_ref) per token by the k3 estimator (Schulman 2020; verl's `low_var_kl`): exp(Δ) − Δ − 1 with
 * Δ = log π_ref − log π_θ. Non-negative, unbiased, low variance.
 */
export function klPenalty(logprobs: T2, refLogprobs: T2, clamp = 0): T2 {
  const delta = tf.sub(refLogprobs, logprobs);
  const k3 = tf.sub(tf.sub(tf.exp(delta), delta), 1) as T2;
  // verl clamps low_var_kl to [−10, 10]: one token far off the reference cannot dominate the step.
  return clamp > 0 ? tf.clipByValue(k3, -clamp, clamp) as T2 : k3;
}

/**
 * The numerator of an aggregation over some rows of a step: the sum over sequences of each one's token mean
 * (`grpo`), else the sum over tokens. It adds up over micro-batches and processes, so a step's loss is the sum of its
 * shards' numerators over one {@link aggregationNormaliser} of the whole step.
 */
export function aggregationSum(loss: T2, mask: T2, mode: Aggregation): tf.Scalar {
  if (!AGGREGATIONS.includes(mode)) throw new Error(`unknown aggregation "${mode}" (use ${AGGREGATIONS.join(", ")})`);
  const masked = tf.mul(loss, mask);
  if (mode === "grpo") return tf.sum(tf.div(tf.sum(masked, 1), tf.maximum(tf.sum(mask, 1), 1))) as tf.Scalar;
  return tf.sum(masked) as tf.Scalar; // bnpo, dapo, dr_grpo, dr_grpo_verl: a sum over tokens
}

/**
 * The denominator of an aggregation over a whole step of `rows` sequences and `tokens` tokens: `grpo`, the number of
 * sequences (a mean of sequence means, the paper's); `bnpo` and `dapo`, the number of tokens (a token-level mean:
 * the step is the batch, so the two agree here); `dr_grpo`, rows × `maxTokens` (Dr. GRPO's constant, as TRL has it);
 * `dr_grpo_verl`, rows / `verlMicroBatchRows` × `maxTokens` (verl's, per micro-batch then averaged).
 */
export function aggregationNormaliser(
  mode: Aggregation,
  rows: number,
  tokens: number,
  maxTokens: number,
  verlMicroBatchRows = 1,
): number {
  if (mode === "grpo") return rows;
  if (mode === "dr_grpo") return rows * maxTokens;
  // verl divides each micro-batch's token sum by max tokens and averages over micro-batches.
  if (mode === "dr_grpo_verl") return (rows / verlMicroBatchRows) * maxTokens;
  return tokens;
}
