/**
 * A training step as data: what a loss reads ({@link ScoreTensors} and per-token arrays), the loss's signature, and
 * the {@link TrainSpec} that names it. The losses themselves belong to the algorithm layer (`lib/rl/loss.ts`): the
 * policy trains on a loss it is handed. A pool's workers cannot receive a function, so a spec names its loss and
 * each process looks the name up in a {@link LossRegistry}, which says which module to import for it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectBackend } from "./backend.ts";
 * import { tokenTensor } from "./train_spec.ts";
 * await selectBackend("wasm", { quiet: true });
 * const padded = tokenTensor([[1, 2, 3], [4]], 3);
 * assert.deepEqual(await padded.array(), [[1, 2, 3], [4, 0, 0]]);
 * padded.dispose();
 * ```
 *
 * @module
 */
import { tf } from "./backend.ts";

/** Per-token results of scoring, as tensors (differentiable inside a training step). */
export interface ScoreTensors {
  /** log π(token | context, earlier tokens) [rows, completionWidth]; 0 past each row's end. */
  logprobs: tf.Tensor2D;
  /** Entropy of the next-token distribution at each completion position [rows, completionWidth]. */
  entropy: tf.Tensor2D;
  /** 1 on real completion tokens [rows, completionWidth]. */
  mask: tf.Tensor2D;
  /** Value estimates of the state before each token [rows, completionWidth], with a value head. */
  values?: tf.Tensor2D;
}

/** Per-token data of a loss by name, row by row (each row as long as its completion); an absent key is no data. */
export type TokenData = { readonly [key: string]: number[][] | undefined };

/**
 * Settings of a loss (clip ranges, γ, coefficients, names of variants), as plain data a worker can receive; each
 * loss types and checks its own (`rlParams` in `lib/rl/loss.ts`).
 */
export type LossParams = { readonly [key: string]: unknown };

/**
 * What a loss returns: the value to differentiate, and metrics computed in the same pass (clip counts, KL, entropy,
 * …). Metrics are **sums** over the shard's tokens (or rows), so that micro-batches and processes add them up; the
 * caller divides by the counts it wants (a `tokens` metric, say).
 */
export interface LossResult {
  loss: tf.Scalar;
  metrics?: Record<string, tf.Scalar>;
}

/**
 * A loss over scored completions: `data` has the shard's rows, `normaliser` is the whole batch's. Its `loss` is the
 * shard's **sum** divided by `normaliser`, so the gradients of the shards add up to the gradient of the whole batch.
 */
export type LossFunction = (
  scores: ScoreTensors,
  data: Record<string, tf.Tensor2D>,
  normaliser: number,
  params: LossParams,
) => LossResult;

/** Losses by name, and the module that holds them, so that a worker can import the same registry. */
export interface LossRegistry {
  /** URL of a module that exports this registry as `LOSS_REGISTRY`. */
  module: string;
  /** The loss registered under `name`; throws naming the registered ones. */
  lossByName(name: string): LossFunction;
}

/**
 * A training step described as data (so that workers can compute it too): the name of a registered loss, the rows
 * to score (contexts and completion token ids), per-token data the loss reads, and the normaliser of the whole
 * batch. A loss's builder narrows `D` and `P` to what that loss reads.
 */
export interface TrainSpec<D extends TokenData = TokenData, P extends LossParams = LossParams> {
  /** The loss's name in the {@link LossRegistry} of whoever runs the step. */
  loss: string;
  contexts: number[][];
  completions: number[][];
  data?: D;
  /** Settings the loss reads. */
  params?: P;
  normaliser: number;
  /** Micro-batch size in packed tokens (rows × width), default `TRAIN_MICRO_BATCH_TOKENS` of `policy.ts`. */
  maxTokens?: number;
}

/** Right-pad ragged per-token rows to a [rows, width] tensor (zeros past each row's end). */
export function tokenTensor(rows: number[][], width: number): tf.Tensor2D {
  const flat = new Float32Array(rows.length * width);
  rows.forEach((row, r) => flat.set(row.slice(0, width), r * width));
  return tf.tensor2d(flat, [rows.length, width]);
}
