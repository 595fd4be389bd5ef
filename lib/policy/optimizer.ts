/**
 * AdamW (Loshchilov & Hutter: Adam with weight decay decoupled from the gradient) with global-norm gradient
 * clipping. tfjs ships Adam but not AdamW, and its optimizers keep their state where checkpoints cannot reach it,
 * so the update is written out here in tensor ops (a few lines, as in PyTorch's `torch.optim.AdamW`).
 *
 * @module
 */
import { tf } from "./backend.ts";

/** Hyper-parameters of AdamW. */
export interface AdamWConfig {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Decoupled weight decay, applied to matrices only (not to biases or LayerNorm gains). */
  weightDecay: number;
  /** Clip the global gradient norm to this (0 = no clipping). */
  maxGradNorm: number;
}

/** The peer's optimizer: AdamW at lr 1e-4; PyTorch's default betas, epsilon and weight decay; clip at 1. */
export const DEFAULT_ADAMW: AdamWConfig = {
  lr: 1e-4,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  weightDecay: 0.01,
  maxGradNorm: 1,
};

/**
 * A training step that diverged: its loss or its gradient norm is NaN or infinite. Thrown before any update, so the
 * weights and the optimizer's state stay as they were; a run stops on it and keeps its last checkpoint
 * (`lib/rl/run.ts`). A pool's worker posts the error's name with its message, and the pool throws it again as this
 * class, so `instanceof` holds whichever process diverged.
 */
export class DivergenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DivergenceError";
  }
}

/** AdamW state: first and second moments per parameter, and the step count. */
export class AdamW {
  readonly config: AdamWConfig;
  step = 0;
  readonly m = new Map<string, tf.Variable>();
  readonly v = new Map<string, tf.Variable>();

  constructor(params: Map<string, tf.Variable>, config: Partial<AdamWConfig> = {}) {
    this.config = { ...DEFAULT_ADAMW, ...config };
    for (const [name, p] of params) {
      this.m.set(name, tf.variable(tf.zerosLike(p), false));
      this.v.set(name, tf.variable(tf.zerosLike(p), false));
    }
  }

  /**
   * Clip `grads` to the global norm, then update `params` in place. Returns the gradient norm before clipping.
   * `lr` overrides the configured learning rate for this step (schedules). A NaN or infinite norm throws a
   * {@link DivergenceError} before anything is updated.
   */
  async apply(
    params: Map<string, tf.Variable>,
    grads: Record<string, tf.Tensor>,
    lr = this.config.lr,
  ): Promise<number> {
    const { beta1, beta2, epsilon, weightDecay, maxGradNorm } = this.config;
    const names = [...params.keys()].filter((name) => grads[name] !== undefined);
    const normTensor = tf.tidy(() => tf.sqrt(tf.addN(names.map((name) => tf.sum(tf.square(grads[name]))))));
    const gradNorm = (await normTensor.data())[0];
    normTensor.dispose();
    if (!Number.isFinite(gradNorm)) {
      throw new DivergenceError(`gradient norm is ${gradNorm}: the loss produced NaN/Inf`);
    }
    this.step++;
    const scale = maxGradNorm > 0 && gradNorm > maxGradNorm ? maxGradNorm / gradNorm : 1;
    const correction1 = 1 - beta1 ** this.step;
    const correction2 = 1 - beta2 ** this.step;
    tf.tidy(() => {
      for (const name of names) {
        const p = params.get(name)!;
        const g = scale === 1 ? grads[name] : tf.mul(grads[name], scale);
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        const update = tf.div(tf.div(m, correction1), tf.add(tf.sqrt(tf.div(v, correction2)), epsilon));
        const decayed = p.rank === 2 && weightDecay > 0 ? tf.mul(p, 1 - lr * weightDecay) : p;
        p.assign(tf.sub(decayed, tf.mul(update, lr)));
      }
    });
    return gradNorm;
  }

  /** Free the moment variables. */
  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}
