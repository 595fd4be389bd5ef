/**
 * Packing token sequences into the left-padded batches the transformer reads (see `model.ts`). Plain arrays in,
 * plain arrays out: the tensors are made where they are used.
 *
 * @module
 */
import { SPECIAL } from "./tokenizer.ts";

/** A batch of contexts, each left-padded to the longest. */
export interface ContextBatch {
  rows: number;
  width: number;
  /** [rows × width] token ids, PAD on the left. */
  ids: Int32Array;
  /** [rows × width] positions counted from each row's first real token (0 on padding). */
  positions: Int32Array;
  /** [rows × width] 1 for real tokens, 0 for padding. */
  keyMask: Float32Array;
  /** Real length of each row. */
  lengths: number[];
}

/** Left-pad `contexts` to a common width. */
export function packContexts(contexts: number[][]): ContextBatch {
  const rows = contexts.length;
  const width = Math.max(1, ...contexts.map((c) => c.length));
  const ids = new Int32Array(rows * width).fill(SPECIAL.PAD);
  const positions = new Int32Array(rows * width);
  const keyMask = new Float32Array(rows * width);
  contexts.forEach((context, r) => {
    if (context.length === 0) throw new Error(`context ${r} is empty`);
    const pad = width - context.length;
    for (let t = 0; t < context.length; t++) {
      ids[r * width + pad + t] = context[t];
      positions[r * width + pad + t] = t;
      keyMask[r * width + pad + t] = 1;
    }
  });
  return { rows, width, ids, positions, keyMask, lengths: contexts.map((c) => c.length) };
}

/**
 * Context + completion pairs for scoring and training: contexts left-padded to `contextWidth`, completions
 * right-padded to `completionWidth`, so completion token j of every row is predicted at column
 * `contextWidth − 1 + j` of the model's output.
 */
export interface ScoreBatch {
  rows: number;
  /** Columns fed to the model: contextWidth + completionWidth − 1 (the last completion token is never input). */
  width: number;
  contextWidth: number;
  completionWidth: number;
  ids: Int32Array;
  positions: Int32Array;
  keyMask: Float32Array;
  /** [rows × completionWidth] the completion tokens to score (PAD past each row's end). */
  targets: Int32Array;
  /** [rows × completionWidth] 1 on real completion tokens. */
  mask: Float32Array;
  completionLengths: number[];
}

/** Pack context/completion pairs; throws when a pair does not fit the model's context `ctx`. */
export function packScoreBatch(contexts: number[][], completions: number[][], ctx: number): ScoreBatch {
  if (contexts.length !== completions.length) {
    throw new Error(`${contexts.length} contexts but ${completions.length} completions`);
  }
  const rows = contexts.length;
  const contextWidth = Math.max(1, ...contexts.map((c) => c.length));
  const completionWidth = Math.max(1, ...completions.map((c) => c.length));
  const width = contextWidth + completionWidth - 1;
  for (let r = 0; r < rows; r++) {
    const total = contexts[r].length + completions[r].length;
    if (total > ctx) {
      throw new Error(`row ${r}: context (${contexts[r].length}) + completion (${completions[r].length}) > ctx ${ctx}`);
    }
  }
  const ids = new Int32Array(rows * width).fill(SPECIAL.PAD);
  const positions = new Int32Array(rows * width);
  const keyMask = new Float32Array(rows * width);
  const targets = new Int32Array(rows * completionWidth).fill(SPECIAL.PAD);
  const mask = new Float32Array(rows * completionWidth);
  for (let r = 0; r < rows; r++) {
    const context = contexts[r];
    const completion = completions[r];
    if (context.length === 0) throw new Error(`context ${r} is empty`);
    const pad = contextWidth - context.length;
    const sequence = [...context, ...completion.slice(0, -1)];
    for (let t = 0; t < sequence.length; t++) {
      ids[r * width + pad + t] = sequence[t];
      positions[r * width + pad + t] = t;
      keyMask[r * width + pad + t] = 1;
    }
    for (let j = 0; j < completion.length; j++) {
      targets[r * completionWidth + j] = completion[j];
      mask[r * completionWidth + j] = 1;
    }
  }
  return {
    rows,
    width,
    contextWidth,
    completionWidth,
    ids,
    positions,
    keyMask,
    targets,
    mask,
    completionLengths: completions.map((c) => c.length),
  };
}
