/**
 * The measurements of `deno task bench` (`cli/bench.ts`): the three costs of one RL step (sampling, scoring, training
 * tokens/s) on the shapes of the PyTorch peer (`cli/torch_peer.py`: vocab 48, d 128, 4 layers, 4 heads, ctx 128, batch
 * 256, prompt 32, 48 new tokens), on the active backend, with peak memory; the peer's numbers when `/usr/bin/python3`
 * can import torch (it runs on the same OpenBLAS kernels as the kit's native products: the `OPENBLAS_CORETYPE` the kit
 * loaded with is passed on); the verifiers' costs. Peak memory is the process's high-water mark so far (workers are threads
 * of it).
 *
 * @module
 */
import { type BackendName, tf } from "../policy/backend.ts";
import { nativeBlas } from "../policy/native.ts";
import { Policy, type TrainSpec } from "../policy/policy.ts";
import { PolicyPool } from "../policy/pool.ts";
import { LOSS_REGISTRY, lossByName } from "../rl/loss.ts";
import { Tokenizer } from "../policy/tokenizer.ts";
import { Rng } from "../random.ts";
import { mathEqual } from "../verifiers/math.ts";
import { verify, verifyGroup } from "../verifiers/mod.ts";

/**
 * Simple math checks per second (the target is ≥ 2,000): typical gold/response pairs, extraction included, for one
 * second.
 */
export function benchMathVerifier(seconds = 1): number {
  const pairs: [string, string][] = [
    ["\\frac{3}{4}", "So the probability is \\boxed{0.75}."],
    ["12", "12.0"],
    ["1000", "The final answer is 1,000."],
    ["2x+1", "$1+2x$"],
    ["\\sqrt{8}", "Simplifying, we get $2\\sqrt{2}$."],
    ["(1, 2)", "\\boxed{(1,2)}"],
    ["x \\ge 3", "x >= 3"],
  ];
  let checks = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    for (const [gold, predicted] of pairs) mathEqual(gold, predicted);
    checks += pairs.length;
  }
  return checks / ((performance.now() - started) / 1000);
}

/**
 * The code verifier's cost per sample, in ms of wall time: a group of 8 answers (a GRPO group: right, wrong, throwing)
 * judged one sandbox process each, all at once (how the trainers judged before), and in one process (`verifyGroup`,
 * how they judge now). Each figure is the median of `repeat` groups.
 */
export async function benchCodeVerifier(repeat = 3): Promise<{ alone: number; grouped: number }> {
  const gold = { tests: [{ args: [3], expected: 7 }, { args: [0], expected: 1 }, { args: [-2], expected: -3 }] };
  const answers = [
    "function f(x) { return 2 * x + 1; }",
    "function f(x) { return 2 * x; }",
    "const f = (x) => x + x + 1;",
    "function f(x) { throw new Error('no'); }",
    "function f(x) { return [2 * x + 1][0]; }",
    "function f(x) { return 3 * x; }",
    "function f(x) { let y = x; y += x; return y + 1; }",
    "function f(x) { return undefined; }",
  ];
  const time = async (judge: () => Promise<unknown>) => {
    const times: number[] = [];
    for (let i = 0; i < repeat; i++) {
      const started = performance.now();
      await judge();
      times.push((performance.now() - started) / answers.length);
    }
    return times.sort((a, b) => a - b)[Math.floor(repeat / 2)];
  };
  const alone = await time(() => Promise.all(answers.map((a) => verify("code", a, gold))));
  const grouped = await time(() => verifyGroup("code", answers, gold));
  return { alone, grouped };
}

/**
 * The `program` verifier's cost per sample, in µs: a group of 8 answers of the `programs` domain (right in two orders,
 * wrong, unparsable, an undefined name) judged by `verifyGroup` against 8 hidden tests, as the trainers judge it; the
 * median of `repeat` rounds of 1,000 groups. Its programs are parsed and interpreted, never run, so no sandbox is needed.
 */
export async function benchProgramVerifier(repeat = 3): Promise<number> {
  const gold = {
    params: ["x", "y"],
    tests: Array.from({ length: 8 }, (_, i) => ({ args: [i, 20 - i], expected: 7 + (20 - i) - 3 * i })),
  };
  const answers = [
    "a=3*x;b=7+y;c=b-a;return c",
    "a=7+y;b=3*x;c=a-b;return c",
    "a=7+y;b=a-3;c=b*x;return c",
    "a=3*x;b=7+y;c=b+a;return c",
    "a=3*x;b=7+y;return b",
    "a=3*x;b=7+y;c=b-z;return c",
    "return 7",
    "a=3*x;b=7+y;c=b-a;",
  ];
  const times: number[] = [];
  for (let r = 0; r < repeat; r++) {
    const started = performance.now();
    for (let i = 0; i < 1000; i++) await verifyGroup("program", answers, gold);
    times.push((performance.now() - started) * 1000 / (1000 * answers.length));
  }
  return times.sort((a, b) => a - b)[Math.floor(repeat / 2)];
}

/** Shapes of one benchmark run. */
export interface BenchShape {
  vocab: number;
  dModel: number;
  layers: number;
  heads: number;
  ctx: number;
  batch: number;
  promptLen: number;
  newTokens: number;
}

/** The peer's defaults. */
export const PEER_SHAPE: BenchShape = {
  vocab: 48,
  dModel: 128,
  layers: 4,
  heads: 4,
  ctx: 128,
  batch: 256,
  promptLen: 32,
  newTokens: 48,
};

/** Tokens per second of the three workloads, as the peer reports them. */
export interface Throughput {
  sample_tokens_per_s: number;
  score_tokens_per_s: number;
  train_tokens_per_s: number;
}

/** One backend's result. */
export interface BackendResult extends Throughput {
  backend: BackendName;
  /** Processes used (this one plus workers). */
  workers: number;
  /** Sequences per batch (smaller than the peer's for the slow cpu backend). */
  batch: number;
  detail: string;
  /** Largest resident set size seen while the workloads ran, in MiB. */
  peak_rss_mib: number;
  /** Where the matrix products ran. */
  products: string;
  /** OpenBLAS threads per product (0 without native products). */
  blas_threads: number;
}

/** Median of the times of `repeat` runs after one warm-up, in seconds. */
async function timed(fn: () => Promise<unknown>, repeat: number): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    await fn();
    times.push((performance.now() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** Random token ids in the non-special range, like the peer's `torch.randint`. */
function randomTokens(rng: Rng, rows: number, length: number, vocab: number): number[][] {
  const first = 5; // after the specials
  return Array.from({ length: rows }, () => Array.from({ length }, () => first + (rng.nextUint32() % (vocab - first))));
}

/** Largest resident set size of this process so far (Linux: VmHWM), in bytes; workers are threads of it. */
function peakRss(): number {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const match = status.match(/^VmHWM:\s+(\d+) kB/m);
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux
  }
  return Deno.memoryUsage().rss;
}

/** The three workloads on one shape: what each times, and how many tokens it processes. */
export function workloads(shape: BenchShape): {
  prompts: number[][];
  contexts: number[][];
  completions: number[][];
  spec: TrainSpec;
  tokens: { sample: number; score: number; train: number };
} {
  const rng = new Rng(0);
  const prompts = randomTokens(rng, shape.batch, shape.promptLen, shape.vocab);
  const full = randomTokens(rng, shape.batch, shape.promptLen + shape.newTokens, shape.vocab);
  // Training: next-token cross-entropy over the whole sequence (1 context token, the rest as completion), backward,
  // AdamW: what the peer's step does.
  const trained = shape.batch * (shape.promptLen + shape.newTokens - 1);
  return {
    prompts,
    contexts: full.map((row) => row.slice(0, shape.promptLen)),
    completions: full.map((row) => row.slice(shape.promptLen)),
    spec: {
      loss: "nll",
      contexts: full.map((row) => row.slice(0, 1)),
      completions: full.map((row) => row.slice(1)),
      normaliser: trained,
    },
    tokens: {
      sample: shape.batch * shape.newTokens,
      score: shape.batch * (shape.promptLen + shape.newTokens),
      train: trained,
    },
  };
}

function benchPolicy(shape: BenchShape): Policy {
  const chars = Array.from({ length: shape.vocab - 5 }, (_, i) => String.fromCharCode(0x41 + i)).join("");
  return Policy.create(new Tokenizer(chars), shape, { seed: 0 });
}

/**
 * Run the three workloads on the active backend, over `workers` processes (a {@link PolicyPool}); `threads` sets
 * OpenBLAS's threads per product (default: the pool's share of the cores).
 */
export async function benchBackend(
  shape: BenchShape,
  repeat: number,
  workers: number,
  threads?: number,
): Promise<Throughput & { peak_rss_mib: number; blas_threads: number }> {
  const policy = benchPolicy(shape);
  const pool = await PolicyPool.create(policy, { workers, losses: LOSS_REGISTRY });
  const blas = nativeBlas();
  if (blas && threads !== undefined) blas.setThreads(threads);
  const { prompts, contexts, completions, spec, tokens } = workloads(shape);
  try {
    // Sampling: batch × newTokens tokens, KV-cached, temperature 1, no early stop (as the peer).
    const sampleS = await timed(
      () => pool.sample(prompts, { maxTokens: shape.newTokens, ignoreEos: true, seed: 1 }),
      repeat,
    );
    // Scoring: log-probs of every token of prompt + completion in one forward pass (the peer's log_softmax).
    const scoreS = await timed(() => pool.logprobs(contexts, completions), repeat);
    const trainS = await timed(() => pool.train(spec), repeat);
    return {
      sample_tokens_per_s: tokens.sample / sampleS,
      score_tokens_per_s: tokens.score / scoreS,
      train_tokens_per_s: tokens.train / trainS,
      peak_rss_mib: peakRss() / 2 ** 20,
      blas_threads: blas ? blas.threads() : 0,
    };
  } finally {
    pool.close();
    policy.dispose();
  }
}

/** Kernel time by kernel name (and the shapes of products) in one call of each workload, in this process. */
export async function profileWorkloads(
  shape: BenchShape,
): Promise<{ workload: string; wallMs: number; kernels: { name: string; ms: number; calls: number }[] }[]> {
  const policy = benchPolicy(shape);
  const { prompts, contexts, completions, spec } = workloads(shape);
  const runs: [string, () => Promise<unknown>][] = [
    ["sample", () => policy.sample(prompts, { maxTokens: shape.newTokens, ignoreEos: true, seed: 1 })],
    ["score", () => policy.logprobs(contexts, completions)],
    ["train", () => policy.train(spec, lossByName(spec.loss))],
  ];
  const out = [];
  try {
    for (const [workload, run] of runs) {
      await run(); // warm-up
      const started = performance.now();
      const info = await tf.profile(async () => {
        await run();
      });
      const wallMs = performance.now() - started;
      const byName = new Map<string, { ms: number; calls: number }>();
      for (const k of info.kernels) {
        // Scopes (custom gradients, composite ops) contain kernels that are counted on their own.
        if (!tf.getKernel(k.name, tf.getBackend())) continue;
        const product = /MatMul/.test(k.name);
        const key = product ? `${k.name} ${k.inputShapes.map((s) => s?.join("×")).join(" · ")}` : k.name;
        const entry = byName.get(key) ?? { ms: 0, calls: 0 };
        entry.ms += typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
        entry.calls++;
        byName.set(key, entry);
      }
      const kernels = [...byName].map(([name, v]) => ({ name, ...v })).sort((a, b) => b.ms - a.ms);
      out.push({ workload, wallMs, kernels });
    }
    return out;
  } finally {
    policy.dispose();
  }
}

/** Run the PyTorch peer (on OpenBLAS's `coreType` kernels when given); `null` with a reason when it cannot run. */
export async function runPeer(
  script: string,
  shape: BenchShape,
  repeat: number,
  coreType?: string,
): Promise<{ result: (Throughput & { engine: string }) | null; reason?: string }> {
  try {
    await Deno.stat(script);
  } catch {
    return { result: null, reason: `peer script not found at ${script}` };
  }
  const args = [
    script,
    "--json",
    `--vocab=${shape.vocab}`,
    `--d-model=${shape.dModel}`,
    `--layers=${shape.layers}`,
    `--heads=${shape.heads}`,
    `--ctx=${shape.ctx}`,
    `--batch=${shape.batch}`,
    `--prompt-len=${shape.promptLen}`,
    `--new-tokens=${shape.newTokens}`,
    `--repeat=${repeat}`,
  ];
  try {
    // OPENBLAS_CORETYPE, the kit's when it loaded OpenBLAS, gives the peer the same kernels; the peer's products use
    // its own 2 threads, whatever this process's OpenBLAS count is.
    const env = { OPENBLAS_NUM_THREADS: "2", ...(coreType ? { OPENBLAS_CORETYPE: coreType } : {}) };
    const out = await new Deno.Command("/usr/bin/python3", { args, env, stdout: "piped", stderr: "piped" }).output();
    if (!out.success) {
      const err = new TextDecoder().decode(out.stderr).trim().split("\n").pop() ?? "";
      const hint = /No module named 'torch'/.test(err)
        ? " (install: apt-get install -y python3-torch libopenblas0-pthread)"
        : "";
      return { result: null, reason: `${err}${hint}` };
    }
    return { result: JSON.parse(new TextDecoder().decode(out.stdout)) };
  } catch (e) {
    return { result: null, reason: (e as Error).message };
  }
}

/** The kit's targets against the peer (issue "native matrix products"), and the memory bound. */
export const TARGETS = { sample: 3.0, score: 1.0, train: 1.0, peakRssMib: 2048 };
