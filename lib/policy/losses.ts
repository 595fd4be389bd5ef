/**
 * Losses by name, as data-parallel training needs them: a worker cannot receive a closure, so a training step is
 * described by a loss name plus per-token arrays, and every process looks the name up here. Each loss returns the
 * batch's **sum** divided by a normaliser that the caller computes over the whole batch, so the gradients of the
 * shards add up to the gradient of the whole.
 *
 * @module
 */
import { tf } from "./backend.ts";
import type { ScoreTensors } from "./policy.ts";
import { rlLoss } from "../rl/loss.ts";

/** Per-token data of a loss, row by row (each row as long as its completion). */
export type TokenData = Record<string, number[][]>;

/** Scalar settings of a loss (clip ranges, γ, coefficients, names of variants). */
export type LossParams = Record<string, number | string | boolean>;

/** A loss over scored completions: `data` has the shard's rows, `normaliser` is the whole batch's. */
export type LossFunction = (
  scores: ScoreTensors,
  data: Record<string, tf.Tensor2D>,
  normaliser: number,
  params: LossParams,
) => tf.Scalar;

/** Registered losses. */
export const LOSSES: Record<string, LossFunction> = {
  /**
   * Weighted negative log-likelihood, −Σ w_t · log π(o_t | context) / normaliser. With unit weights it is SFT; with
   * per-sequence advantages as weights it is the REINFORCE-style `unit` weighting of hinted tokens.
   */
  nll: (scores, data, normaliser) => {
    const weights = data.weight ?? scores.mask;
    return tf.div(tf.neg(tf.sum(tf.mul(scores.logprobs, weights))), normaliser) as tf.Scalar;
  },
  /** The policy-gradient loss of GRPO, PPO and Guide (see `lib/rl/loss.ts`). */
  rl: rlLoss,
};

/** Look a loss up, or fail naming the ones that exist. */
export function lossByName(name: string): LossFunction {
  const loss = LOSSES[name];
  if (!loss) throw new Error(`unknown loss "${name}" (registered: ${Object.keys(LOSSES).join(", ")})`);
  return loss;
}

/** Right-pad ragged per-token rows to a [rows, width] tensor (zeros past each row's end). */
export function tokenTensor(rows: number[][], width: number): tf.Tensor2D {
  const flat = new Float32Array(rows.length * width);
  rows.forEach((row, r) => flat.set(row.slice(0, width), r * width));
  return tf.tensor2d(flat, [rows.length, width]);
}
