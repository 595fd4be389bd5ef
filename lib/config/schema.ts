/**
 * The kit's run configuration: every knob of the trainers (`docs/design.md`, "The algorithms"), with the paper's settings
 * as defaults (G = 8, threshold 0.001, ε = 0.2, β = 0, γ the 0.9-quantile, group baseline, shaped weighting).
 * `loadRunConfig("run.yaml")` gives the resolved config or an error naming the file, line and key.
 *
 * @module
 */
import { BACKENDS } from "../policy/backend.ts";
import { HINT_STYLES } from "../data/schema.ts";
import {
  field,
  identityOf,
  loadConfig,
  parseConfig,
  parseTiers,
  type Resolved,
  section,
  type SectionSpec,
  toYaml,
} from "./validate.ts";

/** How per-token losses become one number (see `aggregate` in `lib/rl/core.ts`). */
export type Aggregation = "grpo" | "bnpo" | "dr_grpo" | "dr_grpo_verl" | "dapo";

/**
 * Aggregations by name (as TRL's `loss_type`): `dr_grpo` is TRL's normaliser (rows × max tokens), `dr_grpo_verl`
 * verl's (its `seq-mean-token-sum-norm`: per micro-batch of `loss.verlMicroBatchRows` rows, so larger by those rows).
 */
export const AGGREGATIONS: readonly Aggregation[] = ["grpo", "bnpo", "dr_grpo", "dr_grpo_verl", "dapo"];

/** Algorithms by name. */
export const ALGORITHMS = ["sft", "grpo", "filter-grpo", "guide-grpo", "ppo", "guide-ppo"] as const;

/** The schema of a run. */
export const RUN_SCHEMA = section({
  algorithm: field("string", "guide-grpo", { choices: ALGORITHMS }),
  seed: field("integer", 0, { min: 0 }),
  backend: field("string", "auto", { choices: ["auto", ...BACKENDS] }),
  workers: field("integer", 0, { min: 0, doc: "processes (this one included); 0: one per core" }),
  steps: field("integer", 100, { min: 1 }),
  model: section({
    dModel: field("integer", 128, { min: 1 }),
    layers: field("integer", 4, { min: 1 }),
    heads: field("integer", 4, { min: 1 }),
    ctx: field("integer", 128, { min: 8 }),
    checkpoint: field("string", null, { nullable: true, doc: "base (SFT) checkpoint folder to start from" }),
  }),
  data: section({
    domain: field("string", "math", { choices: ["math", "science", "code", "arith", "physics", "powers", "programs"] }),
    tiers: field("string", "1,2,3,4,5", { format: "tiers", doc: "comma-separated tiers to train on" }),
    hintStyle: field("string", "strategy", { choices: HINT_STYLES }),
  }),
  rollout: section({
    groupSize: field("integer", 8, { min: 2 }),
    promptsPerStep: field("integer", 16, { min: 1 }),
    maxTokens: field("integer", 64, { min: 1 }),
    temperature: field("number", 1, { min: 0 }),
    topP: field("number", 1, { min: 0, max: 1 }),
    maxResample: field("integer", 4, { min: 0, doc: "extra sampling rounds per step to refill a filtered batch" }),
    budget: field("integer", 0, {
      min: 0,
      doc: "completions to sample in all (plain and hinted); the run ends when they are spent (0: `steps` decides)",
    }),
  }),
  guide: section({
    threshold: field("number", 0.001, { doc: "a group whose mean reward is ≤ this gets a hinted regroup" }),
    isCorrection: field("boolean", true, { doc: "off: train hinted samples in the hinted context" }),
    weighting: field("string", "shaped", { choices: ["shaped", "unit"] }),
    shaping: field("string", "quantile", { choices: ["quantile", "constant", "power"] }),
    gammaLevel: field("number", 0.9, { min: 0, max: 1 }),
    gamma: field("number", 1, { min: 0, doc: "γ of constant and power shaping" }),
    baseline: field("string", "group", { choices: ["group", "plain"] }),
    hintedScale: field("number", 1, {
      min: 0,
      doc: "scale of hinted samples' advantages (their share of a step; 1 as in the paper)",
    }),
    gammaScope: field("string", "step", {
      choices: ["step", "sequence"],
      since: "2026-11-27",
      doc: "γ's quantile over the step's hinted tokens (the kit's reading) or per hinted sequence (the official run)",
    }),
    gammaPadding: field("boolean", false, {
      since: "2026-11-27",
      doc: "with sequence scope: the row's padding (to the step's longest completion, ratio 1) enters its quantile",
    }),
    mixin: field("boolean", false),
    balanced: field("boolean", false),
    mixinCopies: field("string", "plain", {
      choices: ["plain", "hinted"],
      since: "2026-11-27",
      doc:
        "the plain failures a mixin group copies train as plain samples (the kit's) or marked hinted (the official run)",
    }),
    balancedSplit: field("string", "failed", {
      choices: ["failed", "every"],
      since: "2026-11-27",
      doc: "balanced splits the groups that failed (the kit's) or every prompt n/2 + n/2 before filtering (official)",
    }),
    alwaysHint: field("boolean", false),
  }),
  loss: section({
    epsilonLow: field("number", 0.2, { min: 0 }),
    epsilonHigh: field("number", 0.2, { min: 0 }),
    beta: field("number", 0, { min: 0, doc: "KL coefficient to the reference (SFT) policy" }),
    aggregation: field("string", "grpo", { choices: AGGREGATIONS }),
    sequenceRatio: field("boolean", false, { doc: "GSPO's sequence-level ratio" }),
    entropyCoef: field("number", 0, { min: 0 }),
    klClamp: field("number", 0, {
      min: 0,
      since: "2026-11-27",
      doc: "clamp each token's k3 KL to [−c, c] (verl's low_var_kl: 10); 0: no clamp",
    }),
    verlMicroBatchRows: field("integer", 1, {
      min: 1,
      since: "2026-11-27",
      doc: "rows per micro-batch of verl's dr_grpo normaliser (aggregation dr_grpo_verl)",
    }),
  }),
  optim: section({
    lr: field("number", 1e-4, { min: 0 }),
    weightDecay: field("number", 0.01, { min: 0 }),
    maxGradNorm: field("number", 1, { min: 0 }),
    miniBatches: field("integer", 1, {
      min: 1,
      since: "2026-11-27",
      doc: "optimizer updates per RL step, over disjoint mini-batches of its rows (old log-probs stay the rollout's)",
    }),
    beta1: field("number", 0.9, { min: 0, max: 1 }),
    beta2: field("number", 0.999, { min: 0, max: 1 }),
  }),
  ppo: section({
    lambda: field("number", 1, { min: 0, max: 1 }),
    gamma: field("number", 1, { min: 0, max: 1 }),
    valueCoef: field("number", 0.5, { min: 0 }),
  }),
  sft: section({
    steps: field("integer", 1000, { min: 1 }),
    batch: field("integer", 64, { min: 1 }),
    tiers: field("string", "1,2", { format: "tiers" }),
    hintedFraction: field("number", 0.3, { min: 0, max: 1 }),
    rareTiers: field("string", "", {
      format: "tiers",
      doc: "tiers seen rarely, plain unless rareHintedFraction (comma-separated; empty: none)",
    }),
    rareFraction: field("number", 0, { min: 0, max: 1, doc: "fraction of examples from rareTiers" }),
    rareHintedFraction: field("number", 0, {
      min: 0,
      max: 1,
      since: "2026-11-27",
      doc: "fraction of rareTiers examples in the hinted context (the rest plain)",
    }),
    rareHintedTiers: field("string", "", {
      format: "tiers",
      since: "2026-11-27",
      doc: "rareTiers shown only in the hinted context, whatever rareHintedFraction (comma-separated; empty: none)",
    }),
    alternativeFraction: field("number", 0, {
      min: 0,
      max: 1,
      doc: "arith: fraction of hinted examples whose hint names a later operation that may go first",
    }),
  }),
  eval: section({
    every: field("integer", 10, {
      min: 1,
      doc: "a learning-curve evaluation (validation split) every this many steps, and at the end",
    }),
    tiers: field("string", "1,2,3,4,5", {
      format: "tiers",
      doc: "tiers of the final evaluation on the test split (all by default: forgetting easy tiers counts)",
    }),
    problems: field("integer", 128, { min: 1, doc: "test problems per tier in the final evaluation" }),
    samples: field("integer", 8, { min: 1, doc: "samples per validation problem at a learning-curve point" }),
    finalSamples: field("integer", 64, {
      min: 1,
      doc: "samples per test problem at the end and for the base (pass@k curves)",
    }),
    curveProblems: field("integer", 256, {
      min: 1,
      since: "2026-12-07",
      doc: "validation problems per tier at a learning-curve point",
    }),
    curveTiers: field("string", "", {
      format: "tiers",
      since: "2026-12-07",
      doc: "tiers of the learning-curve evaluations (comma-separated; empty: the tiers RL trains on)",
    }),
  }),
});

/**
 * A resolved run config, every key present and typed by {@link RUN_SCHEMA}. Tiers stay in their text form ("1,2,3"),
 * the form a run saves and a grid hashes; {@link tiersOf} reads them.
 */
export type RunConfig = Resolved<typeof RUN_SCHEMA>;

/** The tiers a run's learning curve evaluates: `eval.curveTiers`, or the tiers it trains on. */
export function curveTiersOf(config: RunConfig): number[] {
  return tiersOf(config.eval.curveTiers || config.data.tiers);
}

/** Tiers of a config's tier field, as numbers (the schema has checked the text). */
export function tiersOf(text: string): number[] {
  return parseTiers(text);
}

/**
 * What a run's id hashes and its folder's `config.yaml` holds: the config without the knobs added since run stores
 * existed while they sit at their default (`since` in {@link RUN_SCHEMA}), so a new knob orphans no finished run.
 */
export function configIdentity(config: RunConfig): Record<string, unknown> {
  return identityOf(config as unknown as Record<string, unknown>, RUN_SCHEMA as unknown as SectionSpec);
}

/** A config as its run folder saves it (`config.yaml`). */
export function configYaml(config: RunConfig): string {
  return toYaml(configIdentity(config));
}

/** Resolve YAML text of a run config. */
export function parseRunConfig(text: string, file = "config.yaml"): RunConfig {
  return parseConfig(text, RUN_SCHEMA, file) as RunConfig;
}

/** Read and resolve a run config file. */
export async function loadRunConfig(file: string): Promise<RunConfig> {
  return await loadConfig(file, RUN_SCHEMA) as RunConfig;
}
