/**
 * A decoder-only transformer (pre-LayerNorm, causal self-attention, learned positions), in the shape of nanoGPT and
 * of the PyTorch peer `cli/torch_peer.py`. Pure functions over a record of parameters; the
 * {@link Policy} owns the variables.
 *
 * Every batch is **left-padded**: row i has `pad_i` padding tokens, then its real tokens. Positions count from the
 * first real token and padding keys are masked out, so a row's result does not depend on what else is in the batch
 * (batched sampling equals one-at-a-time sampling), and completions of different contexts line up in the same
 * columns (scoring slices them out without a gather, which would not train on WASM).
 *
 * @module
 */
import { tf } from "./backend.ts";
import { batchMatMul, dense, embed, gelu, layerNorm } from "./ops.ts";
import { Rng } from "../random.ts";

/** Shape of the model. */
export interface ModelConfig {
  /** Vocabulary size (the tokenizer's). */
  vocab: number;
  /** Width of the residual stream. */
  dModel: number;
  /** Transformer blocks. */
  layers: number;
  /** Attention heads (must divide dModel). */
  heads: number;
  /** Longest sequence (context + completion) the model reads. */
  ctx: number;
  /** Add a scalar value head on the final hidden state (for PPO's critic). */
  valueHead?: boolean;
}

/** The peer's shape: d 128, 4 layers, 4 heads, ctx 128 (≈0.8 M parameters). */
export const DEFAULT_MODEL: Omit<ModelConfig, "vocab"> = { dModel: 128, layers: 4, heads: 4, ctx: 128 };

/** Parameters by name; the order of {@link parameterShapes} is the checkpoint order. */
export type Params = Record<string, tf.Tensor>;

/** Names and shapes of every parameter, in a fixed order. */
export function parameterShapes(config: ModelConfig): [string, number[]][] {
  const { vocab, dModel: d, layers, ctx } = config;
  const shapes: [string, number[]][] = [["wte", [vocab, d]], ["wpe", [ctx, d]]];
  for (let l = 0; l < layers; l++) {
    shapes.push(
      [`h${l}.ln1.g`, [d]],
      [`h${l}.ln1.b`, [d]],
      [`h${l}.q.w`, [d, d]],
      [`h${l}.q.b`, [d]],
      [`h${l}.k.w`, [d, d]],
      [`h${l}.k.b`, [d]],
      [`h${l}.v.w`, [d, d]],
      [`h${l}.v.b`, [d]],
      [`h${l}.proj.w`, [d, d]],
      [`h${l}.proj.b`, [d]],
      [`h${l}.ln2.g`, [d]],
      [`h${l}.ln2.b`, [d]],
      [`h${l}.fc.w`, [d, 4 * d]],
      [`h${l}.fc.b`, [4 * d]],
      [`h${l}.out.w`, [4 * d, d]],
      [`h${l}.out.b`, [d]],
    );
  }
  shapes.push(["lnf.g", [d]], ["lnf.b", [d]], ["head.w", [d, vocab]]);
  if (config.valueHead) shapes.push(["value.w", [d, 1]], ["value.b", [1]]);
  return shapes;
}

/** Number of parameters of a model shape. */
export function parameterCount(config: ModelConfig): number {
  return parameterShapes(config).reduce((n, [, shape]) => n + shape.reduce((a, b) => a * b, 1), 0);
}

/** Check a config; throws naming the key that is wrong. */
export function validateModelConfig(config: ModelConfig): void {
  for (const key of ["vocab", "dModel", "layers", "heads", "ctx"] as const) {
    const value = config[key];
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`model.${key} must be a positive integer (got ${value})`);
    }
  }
  if (config.dModel % config.heads !== 0) {
    throw new Error(`model.heads (${config.heads}) must divide model.dModel (${config.dModel})`);
  }
}

/**
 * Initial values as GPT-2 draws them: N(0, 0.02) weights, residual projections scaled by 1/√(2·layers), zero
 * biases, unit LayerNorm gains. Drawn from a seeded JavaScript generator, so identical on every backend.
 */
export function initialValues(config: ModelConfig, seed: number): Map<string, Float32Array> {
  const rng = new Rng(seed);
  const values = new Map<string, Float32Array>();
  const residualStd = 0.02 / Math.sqrt(2 * config.layers);
  for (const [name, shape] of parameterShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (name.endsWith(".g")) data.fill(1);
    else if (shape.length === 2) {
      const std = name.endsWith("proj.w") || name.endsWith("out.w") ? residualStd : 0.02;
      for (let i = 0; i < size; i++) data[i] = rng.normal() * std;
    }
    values.set(name, data);
  }
  return values;
}

/** Keys and values of one attention layer for the positions seen so far: [batch, heads, seen, headDim]. */
// A type alias, not an interface: tf.tidy can then return caches (aliases carry an implicit index signature).
export type LayerCache = {
  k: tf.Tensor4D;
  v: tf.Tensor4D;
};

/** What the transformer reads. */
export interface ForwardInput {
  /** Token ids [batch, time] (int32). */
  ids: tf.Tensor2D;
  /** Position of each token, counted from its row's first real token [batch, time] (int32). */
  positions: tf.Tensor2D;
  /** 1 for real tokens, 0 for padding, over every key: cached ones then the new ones [batch, seen + time]. */
  keyMask: tf.Tensor2D;
}

/**
 * How a layer attends: given its queries (already scaled by 1/√headDim), keys and values of the new tokens, each
 * [batch, time, dModel] with the heads side by side, return the attended values [batch, time, dModel]. The plain
 * way is {@link attention}; a sampler may keep its own cache of keys and values (`kv_cache.ts`).
 */
export type Attend = (layer: number, q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D) => tf.Tensor3D;

const MASKED = -1e9;

/** Additive mask [batch, 1, time, seen + time]: causal over the new queries, −1e9 on padding keys. */
export function attentionMask(keyMask: tf.Tensor2D, time: number, cached: number): tf.Tensor4D {
  const keys = cached + time;
  const causal = new Float32Array(time * keys);
  for (let i = 0; i < time; i++) {
    for (let j = cached + i + 1; j < keys; j++) causal[i * keys + j] = MASKED;
  }
  const padding = tf.mul(tf.sub(1, keyMask), MASKED).reshape([keyMask.shape[0], 1, 1, keys]);
  return tf.add(tf.tensor4d(causal, [1, 1, time, keys]), padding) as tf.Tensor4D;
}

/**
 * Multi-head attention of q over the keys and values of `cache` (if any) and of the new tokens, with an additive
 * `mask` from {@link attentionMask}; returns the attended values [batch, time, dModel] and the grown cache.
 */
export function attention(
  heads: number,
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  mask: tf.Tensor4D,
  cache?: LayerCache,
): { attended: tf.Tensor3D; cache: LayerCache } {
  const [batch, time, d] = q.shape;
  const headDim = d / heads;
  const toHeads = (t: tf.Tensor) => t.reshape([batch, time, heads, headDim]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
  let kh = toHeads(k);
  let vh = toHeads(v);
  if (cache) {
    kh = tf.concat([cache.k, kh], 2);
    vh = tf.concat([cache.v, vh], 2);
  }
  const keys = kh.shape[2];
  const qh = toHeads(q).reshape([batch * heads, time, headDim]) as tf.Tensor3D;
  const scores = batchMatMul(qh, kh.reshape([batch * heads, keys, headDim]) as tf.Tensor3D, true)
    .reshape([batch, heads, time, keys]);
  const weights = tf.softmax(tf.add(scores, mask)).reshape([batch * heads, time, keys]) as tf.Tensor3D;
  const attended = batchMatMul(weights, vh.reshape([batch * heads, keys, headDim]) as tf.Tensor3D)
    .reshape([batch, heads, time, headDim]).transpose([0, 2, 1, 3]).reshape([batch, time, d]) as tf.Tensor3D;
  return { attended, cache: { k: kh, v: vh } };
}

function block(config: ModelConfig, params: Params, layer: number, x: tf.Tensor3D, attend: Attend): tf.Tensor3D {
  const p = (name: string) => params[`h${layer}.${name}`];
  const h = layerNorm(x, p("ln1.g") as tf.Tensor1D, p("ln1.b") as tf.Tensor1D);
  // Separate q, k, v projections: splitting one fused output costs a copy per piece on WASM. The 1/√headDim
  // attention scale is folded into q, the smallest tensor it can be applied to.
  const project = (name: string) =>
    dense(h, p(`${name}.w`) as tf.Tensor2D, p(`${name}.b`) as tf.Tensor1D) as tf.Tensor3D;
  const q = tf.mul(project("q"), 1 / Math.sqrt(config.dModel / config.heads)) as tf.Tensor3D;
  const attended = attend(layer, q, project("k"), project("v"));
  x = tf.add(x, dense(attended, p("proj.w") as tf.Tensor2D, p("proj.b") as tf.Tensor1D)) as tf.Tensor3D;

  const h2 = layerNorm(x, p("ln2.g") as tf.Tensor1D, p("ln2.b") as tf.Tensor1D);
  const mlp = dense(gelu(dense(h2, p("fc.w") as tf.Tensor2D, p("fc.b") as tf.Tensor1D)), p("out.w") as tf.Tensor2D);
  return tf.add(x, tf.add(mlp, p("out.b"))) as tf.Tensor3D;
}

/**
 * The transformer on `ids` at `positions` (each [batch, time], int32), attending as `attend` says; returns the final
 * hidden states [batch, time, dModel] after the last LayerNorm.
 */
export function transformer(
  config: ModelConfig,
  params: Params,
  ids: tf.Tensor2D,
  positions: tf.Tensor2D,
  attend: Attend,
): tf.Tensor3D {
  let x = tf.add(
    embed(ids, params.wte as tf.Tensor2D),
    embed(positions, params.wpe as tf.Tensor2D),
  ) as tf.Tensor3D;
  for (let l = 0; l < config.layers; l++) x = block(config, params, l, x, attend);
  return layerNorm(x, params["lnf.g"] as tf.Tensor1D, params["lnf.b"] as tf.Tensor1D) as tf.Tensor3D;
}

/**
 * Run the transformer over `input` (continuing from `caches` when given) and return the final hidden states
 * [batch, time, dModel] after the last LayerNorm, plus the updated caches.
 */
export function forward(
  config: ModelConfig,
  params: Params,
  input: ForwardInput,
  caches?: LayerCache[],
): { hidden: tf.Tensor3D; caches: LayerCache[] } {
  const [, time] = input.ids.shape;
  const cached = caches ? caches[0].k.shape[2] : 0;
  if (cached + time > config.ctx) {
    throw new Error(`sequence of ${cached + time} tokens exceeds the model's context of ${config.ctx}`);
  }
  const mask = attentionMask(input.keyMask, time, cached);
  const next: LayerCache[] = [];
  const hidden = transformer(config, params, input.ids, input.positions, (layer, q, k, v) => {
    const out = attention(config.heads, q, k, v, mask, caches?.[layer]);
    next.push(out.cache);
    return out.attended;
  });
  return { hidden, caches: next };
}

/** Next-token logits [.., vocab] from final hidden states. */
export function logitsOf(params: Params, hidden: tf.Tensor): tf.Tensor {
  return dense(hidden, params["head.w"] as tf.Tensor2D);
}

/** State values [..] from final hidden states (needs `valueHead`). */
export function valuesOf(params: Params, hidden: tf.Tensor): tf.Tensor {
  if (!params["value.w"]) throw new Error("this model has no value head (model.valueHead: true adds one)");
  const v = dense(hidden, params["value.w"] as tf.Tensor2D, params["value.b"] as tf.Tensor1D);
  return v.reshape(v.shape.slice(0, -1));
}
