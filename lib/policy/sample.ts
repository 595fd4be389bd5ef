/**
 * Sampling: G completions per context, batched over contexts × n with a KV cache. The next token is drawn in
 * JavaScript from the logits with a seeded generator, so the same seed gives the same samples on a backend, and
 * rows that finish are dropped from the batch as it shrinks. Asynchronous, because GPU backends read results back
 * only asynchronously.
 *
 * @module
 */
import { tf } from "./backend.ts";
import { type ContextBatch, packContexts } from "./batch.ts";
import { heapCacheAvailable, HeapKvCache } from "./kv_cache.ts";
import {
  attention,
  attentionMask,
  forward,
  type LayerCache,
  logitsOf,
  type ModelConfig,
  type Params,
  transformer,
} from "./model.ts";
import { Rng } from "../random.ts";
import { SPECIAL, type Tokenizer } from "./tokenizer.ts";

/** Options of sampling. */
export interface SampleOptions {
  /** Completions per context (the group size G). Default 1. */
  n?: number;
  /** Most tokens per completion, EOS included. Default 64 (and never past the model's context). */
  maxTokens?: number;
  /** Softmax temperature; 0 is greedy. Default 1. */
  temperature?: number;
  /** Nucleus sampling: keep the smallest set of tokens whose probability reaches topP. Default 1 (all). */
  topP?: number;
  /** Seed of the token draws. Default 0. */
  seed?: number;
  /** Strings that end a completion (kept in it), besides EOS. */
  stop?: string[];
  /** Keep generating past EOS until maxTokens (for benchmarks that need fixed-length completions). */
  ignoreEos?: boolean;
  /**
   * Index of the first context among all contexts of the request (default 0). Each completion draws from its own
   * generator, seeded by (seed, context index, sample index), so a request split across workers samples exactly
   * what it would in one piece.
   */
  contextOffset?: number;
}

/** The generator of completion `sample` of context `context`: independent streams for every pair. */
export function completionRng(seed: number, context: number, sample: number): Rng {
  return new Rng(
    (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(context + 1, 0x85ebca6b) ^ Math.imul(sample + 1, 0xc2b2ae35)) >>> 0,
  );
}

/** One sampled completion. */
export interface Completion {
  /** Token ids of the completion (EOS included when it ended with EOS). */
  ids: number[];
  /** Its text (special tokens dropped). */
  text: string;
  /** Log-probability of each token under the distribution it was drawn from (temperature and top-p applied). */
  logprobs: number[];
  /** Log-probability of each token under the policy itself (temperature 1, no truncation). */
  policyLogprobs: number[];
  /** `stop`: EOS or a stop string; `length`: maxTokens or the model's context ran out. */
  finishReason: "stop" | "length";
}

/** The choice made from one row of logits. */
export interface TokenChoice {
  token: number;
  logprob: number;
  policyLogprob: number;
}

/** Draw a token from `logits[offset, offset + vocab)` (temperature 0 = argmax). */
export function chooseToken(
  logits: ArrayLike<number>,
  offset: number,
  vocab: number,
  temperature: number,
  topP: number,
  rng: Rng,
): TokenChoice {
  let max = -Infinity;
  let argmax = 0;
  for (let v = 0; v < vocab; v++) {
    if (logits[offset + v] > max) {
      max = logits[offset + v];
      argmax = v;
    }
  }
  // At temperature 1 the policy's own exponentials are the sampling weights: computed once (V8's Math.exp is slow).
  const probs = new Float64Array(vocab);
  let policySum = 0;
  for (let v = 0; v < vocab; v++) {
    probs[v] = Math.exp(logits[offset + v] - max);
    policySum += probs[v];
  }
  const policyLogZ = max + Math.log(policySum);
  if (temperature <= 0) return { token: argmax, logprob: 0, policyLogprob: logits[offset + argmax] - policyLogZ };

  let sum = policySum;
  if (temperature !== 1) {
    sum = 0;
    for (let v = 0; v < vocab; v++) {
      probs[v] = Math.exp((logits[offset + v] - max) / temperature);
      sum += probs[v];
    }
  }
  for (let v = 0; v < vocab; v++) probs[v] /= sum;
  let candidates: number[];
  if (topP < 1) {
    const order = Array.from({ length: vocab }, (_, v) => v).sort((a, b) => probs[b] - probs[a] || a - b);
    candidates = [];
    let mass = 0;
    for (const v of order) {
      candidates.push(v);
      mass += probs[v];
      if (mass >= topP) break;
    }
  } else {
    candidates = Array.from({ length: vocab }, (_, v) => v);
  }
  let mass = 0;
  for (const v of candidates) mass += probs[v];
  let u = rng.next() * mass;
  let token = candidates[candidates.length - 1];
  for (const v of candidates) {
    u -= probs[v];
    if (u < 0) {
      token = v;
      break;
    }
  }
  return { token, logprob: Math.log(probs[token] / mass), policyLogprob: logits[offset + token] - policyLogZ };
}

/** Most rows (contexts × n) sampled in one batch; larger requests run in pieces of whole contexts. */
export const MAX_SAMPLE_ROWS = 512;

/** Rows that stopped make up this share of the batch before it is compacted (gathering the caches costs a copy). */
const COMPACT_FRACTION = 0.25;

/**
 * Sample `n` completions for each context (token ids, as `Tokenizer.encodeContext` makes them). Returns one group
 * of `n` completions per context, in order.
 */
export async function sampleTokens(
  config: ModelConfig,
  params: Params,
  tokenizer: Tokenizer,
  contexts: number[][],
  options: SampleOptions = {},
): Promise<Completion[][]> {
  const n = options.n ?? 1;
  const temperature = options.temperature ?? 1;
  const topP = options.topP ?? 1;
  const stop = options.stop ?? [];
  if (!Number.isInteger(n) || n < 1) throw new Error(`sample: n must be a positive integer (got ${n})`);
  if (!(topP > 0 && topP <= 1)) throw new Error(`sample: topP must be in (0, 1] (got ${topP})`);
  if (!(temperature >= 0)) throw new Error(`sample: temperature must be ≥ 0 (got ${temperature})`);
  const vocab = config.vocab;
  // Large requests run in pieces: the KV caches of one piece stay within WASM's 32-bit memory (an evaluation of
  // 640 problems × 64 samples in one batch ran out of it). Each completion's generator depends only on its context's
  // index in the whole request, so the pieces sample what one batch would.
  const perPiece = Math.max(1, Math.floor(MAX_SAMPLE_ROWS / n));
  if (contexts.length > perPiece) {
    const groups: Completion[][] = [];
    for (let start = 0; start < contexts.length; start += perPiece) {
      const piece = contexts.slice(start, start + perPiece);
      const offset = (options.contextOffset ?? 0) + start;
      groups.push(...await sampleTokens(config, params, tokenizer, piece, { ...options, contextOffset: offset }));
    }
    return groups;
  }

  const rowContexts = contexts.flatMap((context) => Array.from({ length: n }, () => context));
  const seed = options.seed ?? 0;
  const offset = options.contextOffset ?? 0;
  const rngs = rowContexts.map((_, row) => completionRng(seed, offset + Math.floor(row / n), row % n));
  const batch = packContexts(rowContexts);
  const maxTokens = Math.min(options.maxTokens ?? 64, config.ctx - batch.width);
  if (maxTokens < 1) throw new Error(`sample: a context of ${batch.width} tokens leaves no room in ctx ${config.ctx}`);
  const out: Completion[] = rowContexts.map(() => ({
    ids: [],
    text: "",
    logprobs: [],
    policyLogprobs: [],
    finishReason: "length",
  }));
  if (rowContexts.length === 0) return [];

  // Prefill: the whole (left-padded) contexts in one pass; only the last column's logits are needed.
  const decoder: Decoder = heapCacheAvailable()
    ? new HeapDecoder(config, params, batch, maxTokens)
    : new TensorDecoder(config, params, batch);
  // active[i] = the output row that batch row i generates, or -1 once it has finished (it stays in the batch, fed
  // PAD, until enough rows have finished to make compacting the caches worth a copy).
  let active = Array.from({ length: batch.rows }, (_, r) => r);
  try {
    let logits = decoder.prefill();
    for (let step = 0; step < maxTokens; step++) {
      // Asynchronous read: GPU backends (webgpu) cannot read synchronously.
      const data = await logits.data();
      logits.dispose();
      const fed = new Array<number>(active.length).fill(SPECIAL.PAD);
      active.forEach((row, i) => {
        if (row < 0) return;
        const choice = chooseToken(data, i * vocab, vocab, temperature, topP, rngs[row]);
        const completion = out[row];
        completion.ids.push(choice.token);
        completion.logprobs.push(choice.logprob);
        completion.policyLogprobs.push(choice.policyLogprob);
        completion.text += tokenizer.decode([choice.token]);
        const ended = choice.token === SPECIAL.EOS && !options.ignoreEos;
        if (ended || stop.some((s) => completion.text.endsWith(s))) {
          completion.finishReason = "stop";
          active[i] = -1;
        } else {
          fed[i] = choice.token;
        }
      });
      const live = active.flatMap((row, i) => (row >= 0 ? [i] : []));
      if (live.length === 0 || step === maxTokens - 1) break;

      if (active.length - live.length >= COMPACT_FRACTION * active.length) {
        decoder.compact(live);
        const liveFed = live.map((i) => fed[i]);
        active = live.map((i) => active[i]);
        fed.length = 0;
        fed.push(...liveFed);
      }
      const positions = active.map((row) => (row < 0 ? 0 : rowContexts[row].length + step));
      logits = decoder.step(fed, positions);
    }
  } finally {
    decoder.dispose();
  }
  const groups: Completion[][] = [];
  for (let c = 0; c < contexts.length; c++) groups.push(out.slice(c * n, (c + 1) * n));
  return groups;
}

/**
 * The model's side of sampling: a prefill over the contexts, then one token per row per step, each returning the
 * next-token logits [rows, vocab] (the caller disposes them), with finished rows dropped by `compact`.
 */
interface Decoder {
  prefill(): tf.Tensor2D;
  step(fed: number[], positions: number[]): tf.Tensor2D;
  /** Keep only the batch rows `live` (ascending), in that order. */
  compact(live: number[]): void;
  dispose(): void;
}

/** Keys and values kept as tensors (any backend): each step concatenates the new token onto the caches. */
class TensorDecoder implements Decoder {
  private caches: LayerCache[] = [];
  private keyMask: tf.Tensor2D;

  constructor(private config: ModelConfig, private params: Params, private batch: ContextBatch) {
    this.keyMask = tf.tensor2d(batch.keyMask, [batch.rows, batch.width]);
  }

  prefill(): tf.Tensor2D {
    const { config, params, batch } = this;
    const { caches, logits } = tf.tidy(() => {
      const result = forward(config, params, {
        ids: tf.tensor2d(batch.ids, [batch.rows, batch.width], "int32"),
        positions: tf.tensor2d(batch.positions, [batch.rows, batch.width], "int32"),
        keyMask: this.keyMask,
      });
      const last = result.hidden.slice([0, batch.width - 1, 0], [batch.rows, 1, config.dModel]);
      return { caches: result.caches, logits: logitsOf(params, last.reshape([batch.rows, config.dModel])) };
    });
    this.caches = caches;
    return logits as tf.Tensor2D;
  }

  step(fed: number[], positions: number[]): tf.Tensor2D {
    const { config, params } = this;
    const rows = fed.length;
    const grownMask = tf.tidy(() => tf.concat([this.keyMask, tf.ones([rows, 1])], 1) as tf.Tensor2D);
    const result = tf.tidy(() => {
      const stepped = forward(config, params, {
        ids: tf.tensor2d(fed, [rows, 1], "int32"),
        positions: tf.tensor2d(positions, [rows, 1], "int32"),
        keyMask: grownMask,
      }, this.caches);
      return { caches: stepped.caches, logits: logitsOf(params, stepped.hidden.reshape([rows, config.dModel])) };
    });
    disposeCaches(this.caches);
    this.keyMask.dispose();
    this.keyMask = grownMask;
    this.caches = result.caches;
    return result.logits as tf.Tensor2D;
  }

  compact(live: number[]): void {
    const compacted = tf.tidy(() => {
      const index = tf.tensor1d(live, "int32");
      return {
        caches: this.caches.map((c) => ({ k: tf.gather(c.k, index), v: tf.gather(c.v, index) })),
        keyMask: tf.gather(this.keyMask, index),
      };
    });
    disposeCaches(this.caches);
    this.keyMask.dispose();
    this.caches = compacted.caches;
    this.keyMask = compacted.keyMask;
  }

  dispose(): void {
    disposeCaches(this.caches);
    this.caches = [];
    this.keyMask.dispose();
  }
}

/** Keys and values in a {@link HeapKvCache} written in place (WASM backend with native kernels). */
class HeapDecoder implements Decoder {
  private cache: HeapKvCache;

  constructor(private config: ModelConfig, private params: Params, private batch: ContextBatch, maxTokens: number) {
    const firstReal = batch.lengths.map((length) => batch.width - length);
    this.cache = new HeapKvCache(config, batch.rows, batch.width + maxTokens, firstReal);
  }

  prefill(): tf.Tensor2D {
    const { config, params, batch, cache } = this;
    const logits = tf.tidy(() => {
      const ids = tf.tensor2d(batch.ids, [batch.rows, batch.width], "int32");
      const positions = tf.tensor2d(batch.positions, [batch.rows, batch.width], "int32");
      const mask = attentionMask(tf.tensor2d(batch.keyMask, [batch.rows, batch.width]), batch.width, 0);
      const hidden = transformer(
        config,
        params,
        ids,
        positions,
        (layer, q, k, v) => cache.attend(layer, q, k, v, () => attention(config.heads, q, k, v, mask).attended),
      );
      const last = hidden.slice([0, batch.width - 1, 0], [batch.rows, 1, config.dModel]);
      return logitsOf(params, last.reshape([batch.rows, config.dModel]));
    });
    cache.advance(batch.width);
    return logits as tf.Tensor2D;
  }

  step(fed: number[], positions: number[]): tf.Tensor2D {
    const { config, params, cache } = this;
    const rows = fed.length;
    const logits = tf.tidy(() => {
      const hidden = transformer(
        config,
        params,
        tf.tensor2d(fed, [rows, 1], "int32"),
        tf.tensor2d(positions, [rows, 1], "int32"),
        (layer, q, k, v) =>
          cache.attend(layer, q, k, v, () => {
            throw new Error("a decoding step attends one token at a time");
          }),
      );
      return logitsOf(params, hidden.reshape([rows, config.dModel]));
    });
    cache.advance(1);
    return logits as tf.Tensor2D;
  }

  compact(live: number[]): void {
    this.cache.compact(live);
  }

  dispose(): void {
    this.cache.dispose();
  }
}

function disposeCaches(caches: LayerCache[]): void {
  for (const c of caches) {
    c.k.dispose();
    c.v.dispose();
  }
}
