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
import { AdamW, type AdamWConfig } from "./optimizer.ts";
import { type Completion, type SampleOptions, sampleTokens } from "./sample.ts";
import { Tokenizer } from "./tokenizer.ts";

/** A context to sample or score in: a prompt (with an optional hint), or token ids made by the tokenizer. */
export type ContextInput = string | { prompt: string; hint?: string } | number[];

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

/** Per-token results of scoring, as arrays, one entry per completion token. */
export interface Scores {
  logprobs: number[][];
  entropies: number[][];
}

/** What a training step reports. */
export interface StepStats {
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  step: number;
}

/** A transformer policy with its tokenizer and optimizer. */
export class Policy {
  readonly config: ModelConfig;
  readonly tokenizer: Tokenizer;
  readonly params: Map<string, tf.Variable>;
  optimizer: AdamW;

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

  /** Per-token log-probs and entropies of each completion under its context, as arrays (no gradient). */
  async logprobs(contexts: ContextInput[], completions: (number[] | string)[]): Promise<Scores> {
    const batch = this.scoreBatch(contexts, completions);
    const [logprobs, entropy] = tf.tidy(() => {
      const scores = this.scoreTensors(batch);
      return [scores.logprobs, scores.entropy];
    });
    const lp = await logprobs.data();
    const ent = await entropy.data();
    logprobs.dispose();
    entropy.dispose();
    const w = batch.completionWidth;
    return {
      logprobs: batch.completionLengths.map((n, r) => Array.from(lp.subarray(r * w, r * w + n))),
      entropies: batch.completionLengths.map((n, r) => Array.from(ent.subarray(r * w, r * w + n))),
    };
  }

  /**
   * One optimisation step: the gradient of `loss` (built from {@link scoreTensors} of this policy) with respect to
   * every parameter, clipped to the global norm, then AdamW. Tensors made inside `loss` are freed.
   */
  async trainStep(loss: () => tf.Scalar, options: { lr?: number } = {}): Promise<StepStats> {
    const variables = [...this.params.values()];
    const { value, grads } = tf.variableGrads(loss, variables);
    try {
      const lossValue = (await value.data())[0];
      if (!Number.isFinite(lossValue)) throw new Error(`loss is ${lossValue}`);
      const byParam: Record<string, tf.Tensor> = {};
      for (const [name, variable] of this.params) {
        if (grads[variable.name]) byParam[name] = grads[variable.name];
      }
      const gradNorm = await this.optimizer.apply(this.params, byParam, options.lr);
      return { loss: lossValue, gradNorm, step: this.optimizer.step };
    } finally {
      value.dispose();
      tf.dispose(grads);
    }
  }

  /** Free every tensor of the policy and its optimizer. */
  dispose(): void {
    for (const p of this.params.values()) p.dispose();
    this.optimizer.dispose();
  }
}
