/**
 * The policy the RL trainers drive: a small transformer LM that samples G completions per prompt, scores any
 * completion under any context (the plain prompt q or the hinted prompt (q, h)), and trains.
 *
 * @example
 * ```ts
 * import { Policy, Tokenizer } from "../mod.ts";
 * const policy = Policy.create(new Tokenizer("0123456789+-*=;.:"), { dModel: 32, layers: 1, heads: 2, ctx: 32 });
 * const [group] = await policy.sample([{ prompt: "1+2" }], { n: 4, maxTokens: 8, seed: 1 });
 * const scored = await policy.logprobs([{ prompt: "1+2", hint: "3" }], [group[0].ids]);
 * console.log(group[0].text, scored.logprobs[0]);
 * policy.dispose();
 * ```
 *
 * @module
 */
import { tf } from "./backend.ts";
import { packScoreBatch, type ScoreBatch } from "./batch.ts";
import {
  DEFAULT_MODEL,
  forward,
  initialValues,
  logitsOf,
  type ModelConfig,
  parameterCount,
  parameterShapes,
  type Params,
  validateModelConfig,
  valuesOf,
} from "./model.ts";
import { AdamW, type AdamWConfig, DivergenceError } from "./optimizer.ts";
import { type Completion, type SampleOptions, sampleTokens } from "./sample.ts";
import { Tokenizer } from "./tokenizer.ts";
import { type LossFunction, type LossResult, type ScoreTensors, tokenTensor, type TrainSpec } from "./train_spec.ts";

export type { ScoreTensors, TrainSpec };

/** A context to sample or score in: a prompt (with an optional hint), or token ids made by the tokenizer. */
export type ContextInput = string | { prompt: string; hint?: string } | number[];

/** Anything that samples like a policy: a {@link Policy} or a `PolicyPool` (all cores). */
export interface Sampler {
  sample(contexts: ContextInput[], options?: SampleOptions): Promise<Completion[][]>;
}

/** Per-token results of scoring, as arrays, one entry per completion token. */
export interface Scores {
  logprobs: number[][];
  entropies: number[][];
}

/**
 * Default micro-batch of a training step, in packed tokens: bounds memory (a process's activations for backward are
 * ≈ 50 KB a token at the default shape) while keeping products large enough for OpenBLAS and the number of small
 * kernels per step low. Measured on 2 cores, 2 processes, a 256 × 80 step: 1.05–1.15 s at 4,096 against 1.3–1.6 s at
 * 1,024 with native products (with the WASM kernels alone, 1,024 was as fast as any and bounded the heap).
 */
export const TRAIN_MICRO_BATCH_TOKENS = 4_096;

/** Gradients of a {@link TrainSpec}'s loss: summed over its rows, by parameter name. */
export interface Gradients {
  loss: number;
  grads: Map<string, Float32Array>;
  /** The loss's metrics, summed over micro-batches (see `LossResult`). */
  metrics: Record<string, number>;
}

/** What a training step reports. */
export interface StepStats {
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  step: number;
  /** The loss's metrics, summed over the step's rows (see `LossResult`). */
  metrics: Record<string, number>;
}

/** Add `metrics` into `total`, key by key. */
export function addMetrics(total: Record<string, number>, metrics: Record<string, number>): void {
  for (const [name, value] of Object.entries(metrics)) total[name] = (total[name] ?? 0) + value;
}

/**
 * Consecutive row ranges [start, end) whose packed size (rows × (longest context + longest completion)) stays within
 * `maxTokens`; a single row larger than that is a chunk of its own.
 */
export function rowChunks(contexts: number[][], completions: number[][], maxTokens: number): [number, number][] {
  const chunks: [number, number][] = [];
  let start = 0;
  let widestContext = 0;
  let widestCompletion = 0;
  for (let r = 0; r < contexts.length; r++) {
    const context = Math.max(widestContext, contexts[r].length);
    const completion = Math.max(widestCompletion, completions[r].length);
    if (r > start && (r - start + 1) * (context + completion) > maxTokens) {
      chunks.push([start, r]);
      start = r;
      widestContext = contexts[r].length;
      widestCompletion = completions[r].length;
    } else {
      widestContext = context;
      widestCompletion = completion;
    }
  }
  if (contexts.length > start) chunks.push([start, contexts.length]);
  return chunks;
}

/** A transformer policy with its tokenizer and optimizer. */
export class Policy {
  readonly config: ModelConfig;
  readonly tokenizer: Tokenizer;
  readonly params: Map<string, tf.Variable>;
  optimizer: AdamW;
  /** Bumped by every update, so that copies of the weights (worker pools) know when to refresh. */
  version = 0;

  private constructor(
    config: ModelConfig,
    tokenizer: Tokenizer,
    values: Map<string, Float32Array>,
    opt?: Partial<AdamWConfig>,
  ) {
    validateModelConfig(config);
    if (config.vocab !== tokenizer.size) {
      throw new Error(`model.vocab (${config.vocab}) does not match the tokenizer's vocabulary (${tokenizer.size})`);
    }
    this.config = config;
    this.tokenizer = tokenizer;
    this.params = new Map();
    for (const [name, shape] of parameterShapes(config)) {
      const data = values.get(name);
      if (!data) throw new Error(`no value for parameter ${name}`);
      // tfjs names variables globally; its own unique names let several policies live side by side.
      this.params.set(name, tf.variable(tf.tensor(data, shape), true));
    }
    this.optimizer = new AdamW(this.params, opt);
  }

  /**
   * A freshly initialised policy (deterministic in `seed`). `model` overrides the default shape (the peer's:
   * d 128, 4 layers, 4 heads, ctx 128); the vocabulary comes from the tokenizer.
   */
  static create(
    tokenizer: Tokenizer,
    model: Partial<Omit<ModelConfig, "vocab">> = {},
    options: { seed?: number; optimizer?: Partial<AdamWConfig> } = {},
  ): Policy {
    const config: ModelConfig = { ...DEFAULT_MODEL, ...model, vocab: tokenizer.size };
    validateModelConfig(config);
    return new Policy(config, tokenizer, initialValues(config, options.seed ?? 0), options.optimizer);
  }

  /** @internal Build from saved values (used by checkpoint loading). */
  static fromValues(
    config: ModelConfig,
    tokenizer: Tokenizer,
    values: Map<string, Float32Array>,
    optimizer?: Partial<AdamWConfig>,
  ): Policy {
    return new Policy(config, tokenizer, values, optimizer);
  }

  /** Number of parameters. */
  get parameterCount(): number {
    return parameterCount(this.config);
  }

  /** Parameters as the model functions take them. */
  get paramRecord(): Params {
    return Object.fromEntries(this.params);
  }

  /** Token ids of a context. */
  encodeContext(context: ContextInput): number[] {
    if (Array.isArray(context)) return context;
    if (typeof context === "string") return this.tokenizer.encodeContext(context);
    return this.tokenizer.encodeContext(context.prompt, context.hint);
  }

  /** Sample `options.n` completions per context; one group per context, in order. */
  sample(contexts: ContextInput[], options: SampleOptions = {}): Promise<Completion[][]> {
    return sampleTokens(
      this.config,
      this.paramRecord,
      this.tokenizer,
      contexts.map((c) => this.encodeContext(c)),
      options,
    );
  }

  /** Pack contexts and completions (token ids, or text without EOS) for {@link scoreTensors}. */
  scoreBatch(contexts: ContextInput[], completions: (number[] | string)[]): ScoreBatch {
    return packScoreBatch(
      contexts.map((c) => this.encodeContext(c)),
      completions.map((c) => (typeof c === "string" ? this.tokenizer.encode(c) : c)),
      this.config.ctx,
    );
  }

  /**
   * Per-token log-probs, entropies (and values) of each completion given its context, in one batched forward
   * pass. Differentiable: call it inside the loss of {@link trainStep}.
   */
  scoreTensors(batch: ScoreBatch): ScoreTensors {
    const { rows, width, contextWidth, completionWidth } = batch;
    const params = this.paramRecord;
    const { hidden } = forward(this.config, params, {
      ids: tf.tensor2d(batch.ids, [rows, width], "int32"),
      positions: tf.tensor2d(batch.positions, [rows, width], "int32"),
      keyMask: tf.tensor2d(batch.keyMask, [rows, width]),
    });
    // Completion token j is predicted at column contextWidth − 1 + j: one slice, the same for every row.
    const predicting = hidden.slice([0, contextWidth - 1, 0], [rows, completionWidth, this.config.dModel]);
    const logProbs = tf.logSoftmax(logitsOf(params, predicting));
    const targets = tf.oneHot(tf.tensor2d(batch.targets, [rows, completionWidth], "int32"), this.config.vocab);
    const mask = tf.tensor2d(batch.mask, [rows, completionWidth]);
    const logprobs = tf.mul(tf.sum(tf.mul(logProbs, targets), -1), mask) as tf.Tensor2D;
    const entropy = tf.mul(tf.neg(tf.sum(tf.mul(tf.exp(logProbs), logProbs), -1)), mask) as tf.Tensor2D;
    const values = this.config.valueHead ? tf.mul(valuesOf(params, predicting), mask) as tf.Tensor2D : undefined;
    return { logprobs, entropy, mask, values };
  }

  /**
   * Per-token log-probs and entropies of each completion under its context, as arrays (no gradient). One batched
   * forward pass per `maxTokens` tokens (rows × padded width, default 2,048): WASM's 32-bit memory does not hold
   * the activations of large batches, and smaller passes are no slower (256 × 80 tokens: 2.99 s and 354 MiB at
   * 2,048 against 3.31 s and 1,050 MiB at 8,192).
   */
  async logprobs(
    contexts: ContextInput[],
    completions: (number[] | string)[],
    options: { maxTokens?: number } = {},
  ): Promise<Scores> {
    const scores: Scores = { logprobs: [], entropies: [] };
    const encodedContexts = contexts.map((c) => this.encodeContext(c));
    const encodedCompletions = completions.map((c) => (typeof c === "string" ? this.tokenizer.encode(c) : c));
    for (const [start, end] of rowChunks(encodedContexts, encodedCompletions, options.maxTokens ?? 2_048)) {
      const batch = packScoreBatch(
        encodedContexts.slice(start, end),
        encodedCompletions.slice(start, end),
        this.config.ctx,
      );
      const [logprobs, entropy] = tf.tidy(() => {
        const scored = this.scoreTensors(batch);
        return [scored.logprobs, scored.entropy];
      });
      const lp = await logprobs.data();
      const ent = await entropy.data();
      tf.dispose([logprobs, entropy]);
      const w = batch.completionWidth;
      batch.completionLengths.forEach((n, r) => {
        scores.logprobs.push(Array.from(lp.subarray(r * w, r * w + n)));
        scores.entropies.push(Array.from(ent.subarray(r * w, r * w + n)));
      });
    }
    return scores;
  }

  /** Value estimates of the state before each completion token, per row (needs `valueHead`). */
  async values(contexts: ContextInput[], completions: number[][]): Promise<number[][]> {
    const out: number[][] = [];
    const encoded = contexts.map((c) => this.encodeContext(c));
    for (const [start, end] of rowChunks(encoded, completions, 2_048)) {
      const batch = packScoreBatch(encoded.slice(start, end), completions.slice(start, end), this.config.ctx);
      const values = tf.tidy(() => {
        const scored = this.scoreTensors(batch);
        if (!scored.values) throw new Error("this policy has no value head (model.valueHead: true adds one)");
        return scored.values;
      });
      const data = await values.data();
      values.dispose();
      const w = batch.completionWidth;
      batch.completionLengths.forEach((n, r) => out.push(Array.from(data.subarray(r * w, r * w + n))));
    }
    return out;
  }

  /**
   * One optimisation step: the gradient of `loss` with respect to every parameter, clipped to the global norm,
   * then AdamW. With `microBatches: k`, `loss(i)` is called for i = 0…k−1 and the gradients are summed before the
   * update (gradient accumulation: the loss of the whole batch is the sum of the k losses), so a large batch trains
   * in bounded memory. Tensors made inside `loss` are freed. A NaN or infinite loss throws a {@link DivergenceError}
   * before any update.
   */
  async trainStep(
    loss: (microBatch: number) => tf.Scalar,
    options: { lr?: number; microBatches?: number } = {},
  ): Promise<StepStats> {
    const micro = options.microBatches ?? 1;
    const { loss: total, grads, metrics } = await this.accumulate(
      Array.from({ length: micro }, (_, i) => () => ({ loss: loss(i) })),
      (i) => (micro > 1 ? ` (micro-batch ${i})` : ""),
    );
    try {
      const gradNorm = await this.optimizer.apply(this.params, grads, options.lr);
      this.version++;
      return { loss: total, gradNorm, step: this.optimizer.step, metrics };
    } finally {
      tf.dispose(Object.values(grads));
    }
  }

  /**
   * Sum the gradients of several losses (micro-batches), by parameter name, and their metrics. A NaN or infinite loss
   * throws a {@link DivergenceError}, naming the micro-batch through `where`, and frees everything made so far.
   */
  private async accumulate(
    losses: (() => LossResult)[],
    where: (index: number) => string,
  ): Promise<{ loss: number; grads: Record<string, tf.Tensor>; metrics: Record<string, number> }> {
    const variables = [...this.params.values()];
    const paramOf = new Map([...this.params].map(([name, v]) => [v.name, name]));
    let total = 0;
    const metrics: Record<string, number> = {};
    let summed: Record<string, tf.Tensor> = {};
    try {
      for (const [i, loss] of losses.entries()) {
        // Metrics come out of the same forward pass as the loss: kept past the gradient's tidy, read, freed.
        let kept: [string, tf.Scalar][] = [];
        const { value, grads } = tf.variableGrads(() => {
          const result = loss();
          kept = Object.entries(result.metrics ?? {}).map(([name, m]) => [name, tf.keep(m)]);
          return result.loss;
        }, variables);
        const lossValue = (await value.data())[0];
        value.dispose();
        if (kept.length > 0) {
          // One read for all of them: each read waits for the backend.
          const stacked = tf.stack(kept.map(([, m]) => m));
          const values = await stacked.data();
          kept.forEach(([name], k) => addMetrics(metrics, { [name]: values[k] }));
          tf.dispose([stacked, ...kept.map(([, m]) => m)]);
        }
        if (!Number.isFinite(lossValue)) {
          tf.dispose(grads);
          throw new DivergenceError(`loss is ${lossValue}${where(i)}`);
        }
        total += lossValue;
        const previous = summed;
        summed = tf.tidy(() => {
          const out: Record<string, tf.Tensor> = {};
          for (const [key, g] of Object.entries(grads)) {
            const name = paramOf.get(key)!;
            out[name] = previous[name] ? tf.add(previous[name], g) : g.clone();
          }
          return out;
        });
        tf.dispose([...Object.values(previous), ...Object.values(grads)]);
      }
      return { loss: total, grads: summed, metrics };
    } catch (e) {
      tf.dispose(Object.values(summed));
      throw e;
    }
  }

  /** Gradients of `loss` over the rows of `spec`, accumulated over micro-batches (no update). */
  async gradients(spec: TrainSpec, loss: LossFunction): Promise<Gradients> {
    const chunks = rowChunks(spec.contexts, spec.completions, spec.maxTokens ?? TRAIN_MICRO_BATCH_TOKENS);
    const losses = chunks.map(([start, end]) => () => {
      const batch = packScoreBatch(
        spec.contexts.slice(start, end),
        spec.completions.slice(start, end),
        this.config.ctx,
      );
      const data: Record<string, tf.Tensor2D> = {};
      for (const [key, rows] of Object.entries(spec.data ?? {})) {
        if (rows) data[key] = tokenTensor(rows.slice(start, end), batch.completionWidth);
      }
      return loss(this.scoreTensors(batch), data, spec.normaliser, spec.params ?? {});
    });
    const summed = await this.accumulate(losses, (i) => ` (rows ${chunks[i][0]}–${chunks[i][1] - 1})`);
    try {
      const grads = new Map<string, Float32Array>();
      for (const [name, tensor] of Object.entries(summed.grads)) grads.set(name, (await tensor.data()) as Float32Array);
      return { loss: summed.loss, grads, metrics: summed.metrics };
    } finally {
      tf.dispose(Object.values(summed.grads));
    }
  }

  /** Apply summed gradients (by parameter name): clip, AdamW. Returns the step's statistics. */
  async applyGradients(gradients: Gradients, options: { lr?: number } = {}): Promise<StepStats> {
    const tensors: Record<string, tf.Tensor> = {};
    for (const [name, values] of gradients.grads) tensors[name] = tf.tensor(values, this.params.get(name)!.shape);
    try {
      const gradNorm = await this.optimizer.apply(this.params, tensors, options.lr);
      this.version++;
      return { loss: gradients.loss, gradNorm, step: this.optimizer.step, metrics: gradients.metrics };
    } finally {
      tf.dispose(Object.values(tensors));
    }
  }

  /** One optimisation step of `loss` on a {@link TrainSpec} in this process (see `PolicyPool.train` for all cores). */
  async train(spec: TrainSpec, loss: LossFunction, options: { lr?: number } = {}): Promise<StepStats> {
    return await this.applyGradients(await this.gradients(spec, loss), options);
  }

  /** Take the weights and optimizer state of `other` (same shape), e.g. a loaded checkpoint. */
  copyFrom(other: Policy): void {
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const source = other.params.get(name);
        if (!source || source.shape.join() !== p.shape.join()) throw new Error(`copyFrom: parameter ${name} differs`);
        p.assign(source);
        this.optimizer.m.get(name)!.assign(other.optimizer.m.get(name)!);
        this.optimizer.v.get(name)!.assign(other.optimizer.v.get(name)!);
      }
    });
    this.optimizer.step = other.optimizer.step;
    this.version++;
  }

  /**
   * A copy of the weights with a fresh optimizer (RL starts from an SFT base this way). `valueHead: true` adds a
   * critic head if there is none, initialised to zero so the critic starts at V = 0; `false` drops one.
   */
  clone(options: { valueHead?: boolean; optimizer?: Partial<AdamWConfig> } = {}): Policy {
    const config: ModelConfig = { ...this.config, valueHead: options.valueHead ?? this.config.valueHead };
    if (!config.valueHead) delete config.valueHead;
    const values = new Map<string, Float32Array>();
    for (const [name, shape] of parameterShapes(config)) {
      const param = this.params.get(name);
      values.set(
        name,
        param
          ? Float32Array.from(param.dataSync() as Float32Array)
          : new Float32Array(shape.reduce((a, b) => a * b, 1)),
      );
    }
    return new Policy(config, this.tokenizer, values, options.optimizer);
  }

  /** Free every tensor of the policy and its optimizer. */
  dispose(): void {
    for (const p of this.params.values()) p.dispose();
    this.optimizer.dispose();
  }
}
