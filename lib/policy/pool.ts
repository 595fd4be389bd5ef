/**
 * All cores for one policy. tfjs's WASM backend runs one thread under Deno, so a pool runs the policy in this
 * process and in `workers − 1` Deno Workers, each with its own tfjs and a copy of the weights, and splits every
 * request by rows: sampling by contexts, scoring by rows, training by rows (data-parallel: each shard's gradient of
 * a named loss (looked up in the pool's loss registry) is summed here, AdamW updates this process's policy, and the new weights go to the workers before
 * their next request). Results equal the single-process ones: sampling draws from per-completion generators, and
 * gradients add up.
 *
 * @example
 * ```ts
 * import { Policy, PolicyPool, Tokenizer } from "../mod.ts";
 * const policy = Policy.create(new Tokenizer("0123456789+-*=;.:"), { dModel: 32, layers: 1, heads: 2, ctx: 32 });
 * const pool = await PolicyPool.create(policy, { workers: 2 }); // add `losses: LOSS_REGISTRY` to train
 * const groups = await pool.sample(["1+2", "3+4"], { n: 8, maxTokens: 8, seed: 1 });
 * console.log(groups[1][0].text);
 * pool.close();
 * ```
 *
 * @module
 */
import { currentBackend } from "./backend.ts";
import { coresForThisProcess } from "./blas.ts";
import { setProductThreads } from "./native.ts";
import { DivergenceError } from "./optimizer.ts";
import type { Completion, SampleOptions } from "./sample.ts";
import { addMetrics, type ContextInput, type Gradients, type Policy, type Scores, type StepStats } from "./policy.ts";
import type { LossRegistry, TrainSpec } from "./train_spec.ts";
import type { WorkerReply, WorkerRequest } from "./worker.ts";

/** Split `count` items into `parts` contiguous ranges of near-equal size (empty ranges dropped). */
export function shards(count: number, parts: number): [number, number][] {
  const out: [number, number][] = [];
  for (let p = 0; p < parts; p++) {
    const start = Math.floor((p * count) / parts);
    const end = Math.floor(((p + 1) * count) / parts);
    if (end > start) out.push([start, end]);
  }
  return out;
}

/**
 * A worker's error as the pool throws it: the worker's message after "policy worker: ", as a {@link DivergenceError}
 * when the worker's step diverged (so that a run stops on it as on its own), else as an `Error`.
 */
function workerError(message: string, name: string): Error {
  const text = `policy worker: ${message}`;
  return name === DivergenceError.name ? new DivergenceError(text) : new Error(text);
}

class PolicyWorker {
  private worker: Worker;
  private nextId = 0;
  private pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  version = -1;

  constructor() {
    this.worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
    this.worker.onmessage = (event: MessageEvent<WorkerReply>) => {
      const reply = event.data;
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.result);
      else waiter.reject(workerError(reply.error, reply.name));
    };
    this.worker.onerror = (event) => {
      event.preventDefault();
      for (const waiter of this.pending.values()) waiter.reject(new Error(`policy worker crashed: ${event.message}`));
      this.pending.clear();
    };
  }

  call<T>(request: WorkerRequest, transfer: Transferable[] = []): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ id, request }, { transfer });
    });
  }

  terminate(): void {
    this.worker.terminate();
    for (const waiter of this.pending.values()) waiter.reject(new Error("policy pool closed"));
    this.pending.clear();
  }
}

/** Options of {@link PolicyPool.create}. */
export interface PoolOptions {
  /**
   * Processes in all, this one included (default: the cores this process may use, `GUIDE_CORES` or all). 1 means
   * no workers. With native products each process's products get an equal share of the cores (one thread each
   * with two processes on two cores: measured fastest for sampling, scoring and training; see `docs/performance.md`).
   */
  workers?: number;
  /**
   * Where training steps find their losses by name (the algorithm layer's `LOSS_REGISTRY`); each worker imports
   * its module. A pool without one samples and scores, and refuses to train.
   */
  losses?: LossRegistry;
}

/** A policy spread over all cores. */
export class PolicyPool {
  private constructor(
    readonly policy: Policy,
    private workers: PolicyWorker[],
    private readonly losses: LossRegistry | undefined,
  ) {}

  /** Start `workers − 1` workers, each with a copy of `policy`'s weights on this process's backend. */
  static async create(policy: Policy, options: PoolOptions = {}): Promise<PolicyPool> {
    const count = Math.max(1, options.workers ?? coresForThisProcess());
    const workers = Array.from({ length: count - 1 }, () => new PolicyWorker());
    const pool = new PolicyPool(policy, workers, options.losses);
    const backend = currentBackend()?.name ?? "wasm";
    try {
      await Promise.all(workers.map(async (w) => {
        await w.call({
          kind: "init",
          backend,
          config: policy.config,
          vocabulary: policy.tokenizer.chars,
          weights: await pool.weights(),
          lossModule: options.losses?.module,
        });
        w.version = policy.version;
      }));
    } catch (e) {
      pool.close();
      throw e;
    }
    setProductThreads(count);
    return pool;
  }

  /** Processes in the pool, this one included. */
  get size(): number {
    return this.workers.length + 1;
  }

  private async weights(): Promise<[string, Float32Array][]> {
    const out: [string, Float32Array][] = [];
    for (const [name, p] of this.policy.params) out.push([name, (await p.data()) as Float32Array]);
    return out;
  }

  /** Send the current weights to workers whose copy is older. */
  private async sync(): Promise<void> {
    const stale = this.workers.filter((w) => w.version !== this.policy.version);
    if (stale.length === 0) return;
    const weights = await this.weights();
    await Promise.all(stale.map(async (w) => {
      await w.call({ kind: "weights", weights });
      w.version = this.policy.version;
    }));
  }

  /** Run `local` on the first shard here and `remote` on the others in the workers; results in shard order. */
  private async spread<T>(
    count: number,
    local: (range: [number, number]) => Promise<T>,
    remote: (worker: PolicyWorker, range: [number, number]) => Promise<T>,
  ): Promise<T[]> {
    await this.sync();
    const ranges = shards(count, this.size);
    const remotes = ranges.slice(1).map((range, i) => remote(this.workers[i], range));
    // Local work starts after the requests are posted, so the workers compute meanwhile.
    let first: T | undefined;
    try {
      if (ranges.length > 0) first = await local(ranges[0]);
    } catch (e) {
      await Promise.allSettled(remotes); // no request is left unawaited
      throw e;
    }
    const rest = await Promise.all(remotes);
    return ranges.length > 0 ? [first as T, ...rest] : rest;
  }

  /** {@link Policy.sample} over all cores: the same completions as one process would draw. */
  async sample(contexts: ContextInput[], options: SampleOptions = {}): Promise<Completion[][]> {
    const encoded = contexts.map((c) => this.policy.encodeContext(c));
    const base = options.contextOffset ?? 0;
    const parts = await this.spread<Completion[][]>(
      encoded.length,
      ([s, e]) => this.policy.sample(encoded.slice(s, e), { ...options, contextOffset: base + s }),
      (w, [s, e]) =>
        w.call({ kind: "sample", contexts: encoded.slice(s, e), options: { ...options, contextOffset: base + s } }),
    );
    return parts.flat();
  }

  /** {@link Policy.logprobs} over all cores. */
  async logprobs(contexts: ContextInput[], completions: (number[] | string)[]): Promise<Scores> {
    const encoded = contexts.map((c) => this.policy.encodeContext(c));
    const ids = completions.map((c) => (typeof c === "string" ? this.policy.tokenizer.encode(c) : c));
    const parts = await this.spread<Scores>(
      encoded.length,
      ([s, e]) => this.policy.logprobs(encoded.slice(s, e), ids.slice(s, e)),
      (w, [s, e]) => w.call({ kind: "logprobs", contexts: encoded.slice(s, e), completions: ids.slice(s, e) }),
    );
    return { logprobs: parts.flatMap((p) => p.logprobs), entropies: parts.flatMap((p) => p.entropies) };
  }

  /** One data-parallel optimisation step: shard gradients summed, clipped, AdamW here, workers refreshed lazily. */
  async train(spec: TrainSpec, options: { lr?: number } = {}): Promise<StepStats> {
    if (!this.losses) {
      throw new Error("this policy pool has no loss registry: create it with { losses: LOSS_REGISTRY }");
    }
    const loss = this.losses.lossByName(spec.loss);
    const slice = ([s, e]: [number, number]): TrainSpec => ({
      ...spec,
      contexts: spec.contexts.slice(s, e),
      completions: spec.completions.slice(s, e),
      data: spec.data && Object.fromEntries(Object.entries(spec.data).map(([k, rows]) => [k, rows?.slice(s, e)])),
    });
    const parts = await this.spread<Gradients>(
      spec.contexts.length,
      (range) => this.policy.gradients(slice(range), loss),
      async (w, range) => {
        const reply = await w.call<{ loss: number; grads: [string, Float32Array][]; metrics: Record<string, number> }>({
          kind: "gradients",
          spec: slice(range),
        });
        return { loss: reply.loss, grads: new Map(reply.grads), metrics: reply.metrics };
      },
    );
    const total: Gradients = { loss: 0, grads: new Map(), metrics: {} };
    for (const part of parts) {
      total.loss += part.loss;
      addMetrics(total.metrics, part.metrics);
      for (const [name, g] of part.grads) {
        const sum = total.grads.get(name);
        if (!sum) total.grads.set(name, g.slice());
        else for (let i = 0; i < g.length; i++) sum[i] += g[i];
      }
    }
    return await this.policy.applyGradients(total, options);
  }

  /** Stop the workers. The policy stays usable in this process. */
  close(): void {
    for (const w of this.workers) w.terminate();
    if (this.workers.length > 0) setProductThreads(1);
    this.workers = [];
  }
}
