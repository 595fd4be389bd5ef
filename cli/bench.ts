/**
 * `deno task bench`: the three costs of one RL step (sampling, scoring, training tokens/s) on the shapes of the
 * PyTorch peer (`torch_peer.py` beside this file: vocab 48, d 128, 4 layers, 4 heads, ctx 128, batch 256, prompt 32,
 * 48 new tokens), on each backend, with peak memory, and the peer's numbers from the same invocation when
 * `/usr/bin/python3` can import torch. Ratios are kit ÷ peer, from one run on one machine; the peer runs on the same
 * OpenBLAS kernels as the kit's native products (the `OPENBLAS_CORETYPE` the kit loaded with is passed on). The measuring is
 * `lib/bench/measure.ts`'s.
 *
 * Usage: `deno task bench [--backends wasm,cpu] [--workers 1,2] [--threads auto|1,2] [--repeat 3] [--batch 256]
 * [--cpu-batch 16] [--peer PATH] [--no-peer] [--profile] [--json]`. `--threads` sets OpenBLAS's threads per product
 * for every worker count (default `auto`: the pool's share of the cores). `--profile` prints the kernels of one
 * sampling call, one scoring call and one training step in one process (tfjs's profiler) and skips the timings.
 * Peak memory is the process's high-water mark so far (workers are threads of it).
 *
 * @module
 */
import { parseFlags } from "../lib/flags.ts";
import { type BackendName, describeBackend, isBackendName, selectBackend } from "../lib/policy/backend.ts";
import { prepareNativeProducts } from "../kernel/setup.ts";
import { loadBlas } from "../lib/policy/blas.ts";
import {
  type BackendResult,
  benchBackend,
  benchCodeVerifier,
  benchMathVerifier,
  benchProgramVerifier,
  PEER_SHAPE,
  profileWorkloads,
  runPeer,
  TARGETS,
} from "../lib/bench/measure.ts";

function fmt(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

if (import.meta.main) {
  const usage =
    "usage: deno task bench [--backends wasm,cpu] [--workers 1,2] [--threads auto|1,2] [--profile] [--json] " +
    "[--no-peer]";
  const { values } = parseFlags("bench", usage, {
    args: Deno.args,
    options: {
      backends: { type: "string", default: "wasm,cpu" },
      workers: { type: "string", default: `1,${navigator.hardwareConcurrency ?? 1}` },
      threads: { type: "string", default: "auto" },
      "cpu-batch": { type: "string", default: "16" },
      repeat: { type: "string", default: "3" },
      batch: { type: "string", default: String(PEER_SHAPE.batch) },
      peer: { type: "string", default: new URL("./torch_peer.py", import.meta.url).pathname },
      "no-peer": { type: "boolean", default: false },
      profile: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
  });
  const fail = (message: string): never => {
    console.error(`bench: ${message}`);
    Deno.exit(2);
  };
  const backends = values.backends.split(",").map((b) => b.trim());
  for (const b of backends) {
    if (!isBackendName(b)) fail(`unknown backend "${b}" in --backends (use tensorflow, webgpu, wasm, cpu)`);
  }
  const wholeNumbers = (flag: string, text: string): number[] =>
    text.split(",").map((t) => {
      const n = Number(t.trim());
      if (!Number.isInteger(n) || n < 1) fail(`--${flag}: expected whole numbers ≥ 1, got "${text}"`);
      return n;
    });
  const [repeat] = wholeNumbers("repeat", values.repeat);
  const [batch] = wholeNumbers("batch", values.batch);
  const [cpuBatch] = wholeNumbers("cpu-batch", values["cpu-batch"]);
  const workerCounts = [...new Set(wholeNumbers("workers", values.workers))];
  const threadCounts: (number | undefined)[] = values.threads === "auto"
    ? [undefined]
    : wholeNumbers("threads", values.threads);
  const shape = { ...PEER_SHAPE, batch };

  if (values.profile) {
    await prepareNativeProducts();
    for (const name of backends as BackendName[]) {
      console.error(describeBackend(await selectBackend(name, { quiet: true })));
      for (const p of await profileWorkloads(name === "cpu" ? { ...shape, batch: Math.min(batch, cpuBatch) } : shape)) {
        const total = p.kernels.reduce((a, k) => a + k.ms, 0);
        console.log(`\n${name} ${p.workload}: ${p.wallMs.toFixed(0)} ms wall, ${total.toFixed(0)} ms in kernels`);
        console.log("| kernel | ms | share | calls |\n| --- | --- | --- | --- |");
        for (const k of p.kernels.slice(0, 15)) {
          console.log(`| ${k.name} | ${k.ms.toFixed(0)} | ${(100 * k.ms / total).toFixed(1)}% | ${k.calls} |`);
        }
      }
    }
    Deno.exit(0);
  }

  const results: BackendResult[] = [];
  await prepareNativeProducts();
  const mathChecks = benchMathVerifier();
  const codeCost = await benchCodeVerifier();
  const programCost = await benchProgramVerifier();
  for (const name of backends as BackendName[]) {
    const info = await selectBackend(name, { quiet: true });
    if (!values.json) console.error(describeBackend(info));
    // The cpu backend is ~30× slower than WASM: one process and a small batch are enough to show it (a full-size
    // run would take most of an hour).
    const slow = name === "cpu";
    const runShape = slow ? { ...shape, batch: Math.min(shape.batch, cpuBatch) } : shape;
    for (const workers of slow ? [1] : workerCounts) {
      for (const threads of info.products.engine === "openblas" ? threadCounts : [undefined]) {
        const r = await benchBackend(runShape, slow ? 1 : repeat, workers, threads);
        results.push({
          backend: name,
          workers,
          batch: runShape.batch,
          detail: info.detail,
          products: info.products.detail,
          ...r,
        });
      }
    }
  }
  const coreType = loadBlas().blas?.coreType;
  const peer = values["no-peer"]
    ? { result: null, reason: "--no-peer" }
    : await runPeer(values.peer, shape, repeat, coreType);
  if (values.json) {
    console.log(
      JSON.stringify({
        shape,
        kit: results,
        peer: peer.result,
        peer_reason: peer.reason,
        openblas_coretype: coreType ?? null,
        math_checks_per_s: mathChecks,
        code_ms_per_sample: codeCost,
        program_us_per_sample: programCost,
      }),
    );
  } else {
    const workloads = ["sample", "score", "train"] as const;
    console.log(`math verifier: ${mathChecks.toFixed(0)} checks/s (target ≥ 2,000)`);
    console.log(
      `code verifier: ${codeCost.alone.toFixed(0)} ms a sample, a sandbox each (8 at once); ` +
        `${codeCost.grouped.toFixed(0)} ms a sample, a group of 8 in one sandbox`,
    );
    console.log(
      `program verifier: ${programCost.toFixed(1)} µs a sample, a group of 8 (parsed and interpreted, no sandbox)`,
    );
    console.log(`shape: ${JSON.stringify(shape)}, median of ${repeat}`);
    console.log(
      `peer: ${peer.result ? peer.result.engine : `not run: ${peer.reason}`}` +
        (coreType ? `; OpenBLAS kernels ${coreType} for kit and peer (OPENBLAS_CORETYPE)` : ""),
    );
    console.log("| engine | sample tok/s | score tok/s | train tok/s | peak RSS MiB |");
    console.log("| --- | --- | --- | --- | --- |");
    for (const r of results) {
      const cells = workloads.map((w) => {
        const v = r[`${w}_tokens_per_s`];
        const ratio = peer.result ? ` (${(v / peer.result[`${w}_tokens_per_s`]).toFixed(2)}×)` : "";
        return fmt(v) + ratio;
      });
      const batchNote = r.batch === shape.batch ? "" : `, batch ${r.batch}`;
      const threadNote = r.blas_threads > 0
        ? `, ${r.blas_threads} BLAS thread${r.blas_threads > 1 ? "s" : ""} each`
        : "";
      const engine = `kit ${r.backend} × ${r.workers} process${r.workers > 1 ? "es" : ""}${threadNote}${batchNote}`;
      console.log(`| ${engine} | ${cells.join(" | ")} | ${r.peak_rss_mib.toFixed(0)} |`);
    }
    if (peer.result) {
      const p = peer.result;
      console.log(
        `| ${p.engine} | ${fmt(p.sample_tokens_per_s)} | ${fmt(p.score_tokens_per_s)} | ${
          fmt(p.train_tokens_per_s)
        } | – |`,
      );
      // The best kit row of each workload against its target.
      const verdicts = workloads.map((w) => {
        const best = Math.max(...results.map((r) => r[`${w}_tokens_per_s`] / p[`${w}_tokens_per_s`]));
        return `${w} ${best.toFixed(2)}× ${best >= TARGETS[w] ? "≥" : "<"} ${TARGETS[w].toFixed(1)}×`;
      });
      const peak = Math.max(...results.map((r) => r.peak_rss_mib));
      verdicts.push(`peak RSS ${peak.toFixed(0)} MiB ${peak <= TARGETS.peakRssMib ? "≤" : ">"} 2 GiB`);
      console.log(`targets (best kit row): ${verdicts.join("; ")}`);
    }
  }
}
