/**
 * `deno task fingerprint`: seeded RL steps of every algorithm and every knob of the step, from the shipped `arith`
 * base, one SHA-256 each over the step reports (timings left out) and the final weights. Run it before and after a
 * change that must not move numbers (a refactor) and diff the two outputs: a line that differs names the algorithm
 * or knob whose numbers moved. Hashes depend on the machine's floating-point kernels (OpenBLAS picks per CPU), so
 * compare runs of one machine.
 *
 *     deno task fingerprint [--workers 1] [--only NAME] > before.txt
 *
 * @module
 */
import { parseArgs } from "node:util";
import { createHash } from "node:crypto";
import { stringify } from "yaml";
import { createTrainer, loadCheckpoint, loadProblems, parseRunConfig, selectBackend } from "../lib/mod.ts";

const BASE = new URL("../bases/sft-s0-2847500100/checkpoint", import.meta.url).pathname;

/** Two short steps on tiers 1 and 3 of `arith` (some groups solved, some regrouped with the hint). */
const COMMON = {
  seed: 3,
  steps: 2,
  data: { domain: "arith", hintStyle: "value", tiers: "1,3" },
  rollout: { groupSize: 4, promptsPerStep: 4, maxTokens: 48, maxResample: 1 },
};

/** Each case: overrides of {@link COMMON}; Guide-GRPO unless an algorithm is named. */
const CASES: Record<string, Record<string, unknown>> = {
  "grpo": { algorithm: "grpo" },
  "filter-grpo": { algorithm: "filter-grpo" },
  "guide-grpo": {},
  "guide no-IS": { guide: { isCorrection: false } },
  "guide unit": { guide: { weighting: "unit" } },
  "guide plain+unit": { guide: { baseline: "plain", weighting: "unit" } },
  "guide constant": { guide: { shaping: "constant", gamma: 0.5 } },
  "guide power": { guide: { shaping: "power", gamma: 0.7 } },
  "guide gammaLevel": { guide: { gammaLevel: 0.5 } },
  "guide hintedScale": { guide: { hintedScale: 0.5, baseline: "plain" } },
  "guide threshold": { guide: { threshold: 0.6 } },
  "guide alwaysHint": { guide: { alwaysHint: true } },
  "guide mixin": { guide: { mixin: true } },
  "guide mixin hinted": { guide: { mixin: true, mixinCopies: "hinted" } },
  "guide balanced": { guide: { balanced: true } },
  "guide balanced every": { guide: { balanced: true, balancedSplit: "every" } },
  "guide seq gamma": { guide: { gammaScope: "sequence" } },
  "guide seq gamma padded 2mb": { guide: { gammaScope: "sequence", gammaPadding: true }, optim: { miniBatches: 2 } },
  "miniBatches 2": { algorithm: "grpo", optim: { miniBatches: 2 } },
  "eps": { loss: { epsilonLow: 0.01, epsilonHigh: 0.02 }, optim: { miniBatches: 2, lr: 0.003 } },
  "beta": { loss: { beta: 0.1 } },
  "beta clamp": { loss: { beta: 0.1, klClamp: 0.05 } },
  "entropy": { loss: { entropyCoef: 0.01 } },
  "gspo": { loss: { sequenceRatio: true } },
  "bnpo": { loss: { aggregation: "bnpo" } },
  "dr_grpo": { loss: { aggregation: "dr_grpo" } },
  "dr_grpo_verl": { loss: { aggregation: "dr_grpo_verl", verlMicroBatchRows: 3 } },
  "dapo": { loss: { aggregation: "dapo" } },
  "topP": { algorithm: "grpo", rollout: { topP: 0.9 } },
  "temperature": { algorithm: "grpo", rollout: { temperature: 0.7 } },
  "optim": { optim: { lr: 0.001, weightDecay: 0.1, maxGradNorm: 0.5, beta1: 0.8, beta2: 0.99 } },
  "ppo": { algorithm: "ppo" },
  "ppo knobs": { algorithm: "ppo", ppo: { lambda: 0.9, gamma: 0.95, valueCoef: 0.3 } },
  "guide-ppo": { algorithm: "guide-ppo" },
  "guide-ppo unit": { algorithm: "guide-ppo", guide: { weighting: "unit" } },
  "nurl": { algorithm: "nurl" },
  "rationalization": { algorithm: "rationalization" },
  "luffy": { algorithm: "luffy" },
  "questa": { algorithm: "questa" },
  "scaf-grpo": { algorithm: "scaf-grpo" },
};

/** `overrides` over `base`, section by section. */
function merged(base: Record<string, unknown>, overrides: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const inner = out[key];
    out[key] = typeof value === "object" && typeof inner === "object"
      ? { ...inner as Record<string, unknown>, ...value as Record<string, unknown> }
      : value;
  }
  return out;
}

const { values: flags } = parseArgs({
  args: Deno.args,
  options: { workers: { type: "string", default: "1" }, only: { type: "string" } },
});
const workers = Number(flags.workers);
if (!Number.isInteger(workers) || workers < 1) {
  console.error(`--workers: expected a whole number ≥ 1, got "${flags.workers}"`);
  Deno.exit(2);
}
await selectBackend(undefined, { quiet: true });
const train = await loadProblems("arith", "train");
for (const [name, overrides] of Object.entries(CASES)) {
  if (flags.only && !name.includes(flags.only)) continue;
  const config = parseRunConfig(stringify(merged({ ...COMMON, workers }, overrides)), `case "${name}"`);
  const base = await loadCheckpoint(BASE);
  const policy = base.clone({ valueHead: config.algorithm.endsWith("ppo") || undefined });
  const trainer = await createTrainer(config, { policy, train, reference: base });
  const reports = [];
  for (let s = 0; s < config.steps; s++) {
    const { seconds: _timings, ...report } = await trainer.step();
    reports.push(report);
  }
  trainer.close();
  const hash = createHash("sha256").update(JSON.stringify(reports));
  for (const [param, values] of policy.params) {
    hash.update(param).update(new Uint8Array((await values.data() as Float32Array).buffer));
  }
  const last = reports[reports.length - 1];
  console.log(`${name.padEnd(28)} ${hash.digest("hex").slice(0, 16)} loss ${last.loss} γ ${last.gamma}`);
  policy.dispose();
  base.dispose();
}
