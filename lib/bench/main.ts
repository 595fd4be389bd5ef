/**
 * `deno task bench`: the three costs of one RL step (sampling, scoring, training tokens/s) on the shapes of the
 * PyTorch peer (`../shared/bench/torch_reference.py`: vocab 48, d 128, 4 layers, 4 heads, ctx 128, batch 256,
 * prompt 32, 48 new tokens), on each backend, with peak memory, and the peer's numbers from the same invocation
 * when `/usr/bin/python3` can import torch. Ratios are kit ÷ peer, from one run on one machine.
 *
 * Usage: `deno task bench [--backends wasm,cpu] [--workers 1,2] [--repeat 3] [--batch 256] [--cpu-batch 16]
 * [--peer PATH] [--no-peer] [--json]`. Peak memory is the process's high-water mark so far (workers are threads of it).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { type BackendName, isBackendName, selectBackend } from "../policy/backend.ts";
import { Policy } from "../policy/policy.ts";
import { PolicyPool } from "../policy/pool.ts";
import { Tokenizer } from "../policy/tokenizer.ts";
import { Rng } from "../policy/random.ts";
import { mathEqual } from "../verifiers/math.ts";

/** Simple math checks per second (the target is ≥ 2,000): typical gold/prediction pairs, for one second. */
export function benchMathVerifier(seconds = 1): number {
  const pairs: [string, string][] = [
    ["\\frac{3}{4}", "0.75"],
    ["12", "12.0"],
    ["1000", "1,000"],
    ["2x+1", "1+2x"],
    ["\\sqrt{8}", "2\\sqrt{2}"],
    ["(1, 2)", "(1,2)"],
  ];
  let checks = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    for (const [gold, predicted] of pairs) mathEqual(gold, predicted);
    checks += pairs.length;
  }
  return checks / ((performance.now() - started) / 1000);
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

/** Run the three workloads on the active backend, over `workers` processes (a {@link PolicyPool}). */
export async function benchBackend(
  shape: BenchShape,
  repeat: number,
  workers: number,
): Promise<Throughput & { peak_rss_mib: number }> {
  const chars = Array.from({ length: shape.vocab - 5 }, (_, i) => String.fromCharCode(0x41 + i)).join("");
  const tokenizer = new Tokenizer(chars);
  const policy = Policy.create(tokenizer, shape, { seed: 0 });
  const pool = await PolicyPool.create(policy, { workers });
  const rng = new Rng(0);
  const prompts = randomTokens(rng, shape.batch, shape.promptLen, shape.vocab);
  const full = randomTokens(rng, shape.batch, shape.promptLen + shape.newTokens, shape.vocab);
  try {
    // Sampling: batch × newTokens tokens, KV-cached, temperature 1, no early stop (as the peer).
    const sampleS = await timed(
      () => pool.sample(prompts, { maxTokens: shape.newTokens, ignoreEos: true, seed: 1 }),
      repeat,
    );
    // Scoring: log-probs of every token of prompt + completion in one forward pass (the peer's log_softmax).
    const contexts = full.map((row) => row.slice(0, shape.promptLen));
    const completions = full.map((row) => row.slice(shape.promptLen));
    const scoreS = await timed(() => pool.logprobs(contexts, completions), repeat);
    // Training: next-token cross-entropy over the whole sequence (1 context token, the rest as completion),
    // backward, AdamW: what the peer's step does.
    const tokens = shape.batch * (shape.promptLen + shape.newTokens - 1);
    const spec = {
      loss: "nll",
      contexts: full.map((row) => row.slice(0, 1)),
      completions: full.map((row) => row.slice(1)),
      normaliser: tokens,
    };
    const trainS = await timed(() => pool.train(spec), repeat);
    return {
      sample_tokens_per_s: (shape.batch * shape.newTokens) / sampleS,
      score_tokens_per_s: (shape.batch * (shape.promptLen + shape.newTokens)) / scoreS,
      train_tokens_per_s: tokens / trainS,
      peak_rss_mib: peakRss() / 2 ** 20,
    };
  } finally {
    pool.close();
    policy.dispose();
  }
}

/** Run the PyTorch peer; `null` with a reason when it cannot run. */
export async function runPeer(
  script: string,
  shape: BenchShape,
  repeat: number,
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
    const out = await new Deno.Command("/usr/bin/python3", { args, stdout: "piped", stderr: "piped" }).output();
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

function fmt(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      backends: { type: "string", default: "wasm,cpu" },
      workers: { type: "string", default: `1,${navigator.hardwareConcurrency ?? 1}` },
      "cpu-batch": { type: "string", default: "16" },
      repeat: { type: "string", default: "3" },
      batch: { type: "string", default: String(PEER_SHAPE.batch) },
      peer: { type: "string", default: "../shared/bench/torch_reference.py" },
      "no-peer": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
  });
  const backends = values.backends.split(",").map((b) => b.trim());
  for (const b of backends) {
    if (!isBackendName(b)) {
      console.error(`bench: unknown backend "${b}" in --backends (use tensorflow, webgpu, wasm, cpu)`);
      Deno.exit(2);
    }
  }
  const repeat = Number(values.repeat);
  const shape = { ...PEER_SHAPE, batch: Number(values.batch) };
  const results: BackendResult[] = [];
  const mathChecks = benchMathVerifier();
  const workerCounts = [...new Set(values.workers.split(",").map(Number))];
  for (const name of backends as BackendName[]) {
    const info = await selectBackend(name, { quiet: values.json });
    // The cpu backend is ~30× slower than WASM: one process and a small batch are enough to show it (a full-size
    // run would take most of an hour).
    const slow = name === "cpu";
    const runShape = slow ? { ...shape, batch: Math.min(shape.batch, Number(values["cpu-batch"])) } : shape;
    for (const workers of slow ? [1] : workerCounts) {
      const r = await benchBackend(runShape, slow ? 1 : repeat, workers);
      results.push({ backend: name, workers, batch: runShape.batch, detail: info.detail, ...r });
    }
  }
  const peer = values["no-peer"] ? { result: null, reason: "--no-peer" } : await runPeer(values.peer, shape, repeat);
  if (values.json) {
    console.log(
      JSON.stringify({
        shape,
        kit: results,
        peer: peer.result,
        peer_reason: peer.reason,
        math_checks_per_s: mathChecks,
      }),
    );
  } else {
    const workloads = ["sample", "score", "train"] as const;
    console.log(`math verifier: ${mathChecks.toFixed(0)} checks/s (target ≥ 2,000)`);
    console.log(`shape: ${JSON.stringify(shape)}, median of ${repeat}`);
    console.log(`peer: ${peer.result ? peer.result.engine : `not run: ${peer.reason}`}`);
    console.log("| engine | sample tok/s | score tok/s | train tok/s | peak RSS MiB |");
    console.log("| --- | --- | --- | --- | --- |");
    for (const r of results) {
      const cells = workloads.map((w) => {
        const v = r[`${w}_tokens_per_s`];
        const ratio = peer.result ? ` (${(v / peer.result[`${w}_tokens_per_s`]).toFixed(2)}×)` : "";
        return fmt(v) + ratio;
      });
      const batch = r.batch === shape.batch ? "" : `, batch ${r.batch}`;
      const engine = `kit ${r.backend} × ${r.workers} process${r.workers > 1 ? "es" : ""}${batch}`;
      console.log(`| ${engine} | ${cells.join(" | ")} | ${r.peak_rss_mib.toFixed(0)} |`);
    }
    if (peer.result) {
      const p = peer.result;
      console.log(
        `| ${p.engine} | ${fmt(p.sample_tokens_per_s)} | ${fmt(p.score_tokens_per_s)} | ${
          fmt(p.train_tokens_per_s)
        } | – |`,
      );
    }
  }
}
