/**
 * The kit's run configuration: every knob of the trainers (`docs/design.md`, "The algorithms"), with the paper's settings
 * as defaults (G = 8, threshold 0.001, ε = 0.2, β = 0, γ the 0.9-quantile, group baseline, shaped weighting).
 * `loadRunConfig("run.yaml")` gives the resolved config or an error naming the file, line and key.
 *
 * @module
 */
import { BACKENDS } from "../policy/backend.ts";
import { HINT_STYLES, TIERS } from "../data/schema.ts";
import { DATASET_DOMAINS } from "../data/domains.ts";
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

/** How per-token losses become one number (`aggregationSum` over `aggregationNormaliser` in `lib/rl/core.ts`). */
export type Aggregation = "grpo" | "bnpo" | "dr_grpo" | "dr_grpo_verl" | "dapo";

/**
 * Aggregations by name (as TRL's `loss_type`): `dr_grpo` is TRL's normaliser (rows × max tokens), `dr_grpo_verl`
 * verl's (its `seq-mean-token-sum-norm`: per micro-batch of `loss.verlMicroBatchRows` rows, so larger by those rows).
 */
export const AGGREGATIONS: readonly Aggregation[] = ["grpo", "bnpo", "dr_grpo", "dr_grpo_verl", "dapo"];

/** Algorithms by name. */
export const ALGORITHMS = [
  "sft",
  "grpo",
  "filter-grpo",
  "guide-grpo",
  "ppo",
  "guide-ppo",
  "nurl",
  "rationalization",
  "luffy",
  "questa",
  "scaf-grpo",
] as const;

/** The schema of a run. */
export const RUN_SCHEMA = section({
  algorithm: field("string", "guide-grpo", {
    choices: ALGORITHMS,
    doc: "the trainer: `sft` builds a base (a grid's `sft` section only); `grpo`; `filter-grpo` drops groups whose " +
      "rewards are all equal and refills; `guide-grpo` also regroups failed prompts with the hint; `ppo` and " +
      "`guide-ppo` add a value head and GAE; `nurl` keeps one plain sample of a failed group, draws the rest with the hint " +
      "and trains them in the hinted context (no IS correction); `rationalization` trains a failed group's correct " +
      "hinted samples as SFT targets in the plain context; `luffy` puts the worked solution in every group, off-policy, " +
      "shaped π/(π + 0.1); `questa` redraws a failed group with the first half (later a quarter) of the worked " +
      "solution in the prompt; `scaf-grpo` tries hints of rising strength (strategy, value, half the solution) " +
      "until one succeeds and swaps it in for a failure (`lib/rl/nurl.ts`, `rationalization.ts`, `luffy.ts`, " +
      "`questa.ts`, `scaf.ts`)",
  }),
  seed: field("integer", 0, {
    min: 0,
    doc: "random seed: a base's initial weights and SFT batches; a run's prompt order and rollout sampling (a grid's " +
      "`seed` axis gives the replicates)",
  }),
  backend: field("string", "auto", {
    choices: ["auto", ...BACKENDS],
    doc: "recorded in the config (and so in the run id) but not read: the backend is chosen by `GUIDE_BACKEND` " +
      "(auto: tensorflow, then wasm, webgpu, cpu)",
  }),
  workers: field("integer", 0, {
    min: 0,
    doc: "processes (this one included); 0: one per core. Grids may not set it: a run gets one (`--workers N`: " +
      "runs at a time)",
  }),
  steps: field("integer", 100, {
    min: 1,
    doc: "RL steps at most (a step: `rollout.promptsPerStep` groups, then `optim.miniBatches` updates); " +
      "`rollout.budget` may end the run sooner. The base's length is `sft.steps`",
  }),
  model: section({
    dModel: field("integer", 128, { min: 1, doc: "transformer width (embedding size); runs take the base's" }),
    layers: field("integer", 4, { min: 1, doc: "transformer blocks; runs take the base's" }),
    heads: field("integer", 4, {
      min: 1,
      doc: "attention heads per layer (must divide `dModel`); runs take the base's",
    }),
    ctx: field("integer", 128, {
      min: 8,
      doc: "longest sequence in tokens (prompt, hint and completion together); runs take the base's",
    }),
    checkpoint: field("string", null, {
      nullable: true,
      doc: "base (SFT) checkpoint folder to start from; in a grid, the `sft` section's base unless `base` names one",
    }),
  }, "The policy: a small decoder-only transformer. In a grid the runs take its shape from the `sft` section's base."),
  data: section({
    domain: field("string", "math", {
      choices: DATASET_DOMAINS,
      doc: "problem set (`datasets/<domain>/`, generated on first use); in a grid, runs take the `sft` section's " +
        "unless set",
    }),
    tiers: field("string", "1,2,3,4,5", {
      format: "tiers",
      max: TIERS,
      doc: 'difficulty tiers RL draws its training prompts from (comma-separated, e.g. "3,4")',
    }),
    hintStyle: field("string", "strategy", {
      choices: HINT_STYLES,
      doc: "which of each problem's hints is put in context, by Guide and by SFT's hinted examples: `strategy` names " +
        "the method, `value` gives the first operation and its result, `prefix` the solution's first steps verbatim",
    }),
  }, "The problems: which domain and tiers, and which hint."),
  rollout: section({
    groupSize: field("integer", 8, {
      min: 2,
      doc: "G: completions sampled per prompt (the group whose rewards are normalised together)",
    }),
    promptsPerStep: field("integer", 16, {
      min: 1,
      doc: "groups a step trains on (prompts sampled per round; filtering refills up to this many)",
    }),
    maxTokens: field("integer", 64, {
      min: 1,
      doc: "longest completion in tokens, in rollouts, evaluations and calibration (also `dr_grpo`'s normaliser)",
    }),
    temperature: field("number", 1, { min: 0, doc: "sampling temperature in rollouts and evaluations; 0: greedy" }),
    topP: field("number", 1, {
      min: 0,
      max: 1,
      doc: "nucleus sampling in rollouts (not evaluations): the smallest set of tokens whose probability reaches " +
        "this; 1: all; must be above 0",
    }),
    maxResample: field("integer", 4, {
      min: 0,
      doc: "filtering algorithms (`filter-grpo`, `guide-grpo`): extra sampling rounds per step to refill a batch " +
        "whose all-equal groups were dropped (0: none)",
    }),
    budget: field("integer", 0, {
      min: 0,
      doc: "completions to sample in all (plain and hinted); the run ends after the step that spends them (0: " +
        "`steps` decides). Equal budgets compare algorithms on what they consumed",
    }),
  }, "Sampling: groups per step, their size, and the budget of completions."),
  guide: section(
    {
      threshold: field("number", 0.001, {
        doc:
          "a plain group whose mean reward (0–1) is ≤ this is regrouped with the hint (`guide-grpo`, `guide-ppo`); " +
          "0.001: only groups where all G failed",
      }),
      isCorrection: field("boolean", true, {
        doc: "on: hinted samples train in the plain context, through the ratio π_θ(o | q) / π_old(o | q, h); off: as " +
          "ordinary samples of the hinted prompt",
      }),
      weighting: field("string", "shaped", {
        choices: ["shaped", "unit"],
        doc:
          "hinted tokens' loss: `shaped`, −f(r)·Â unclipped (the paper's); `unit`, −Â·log π_θ(o | q) (weighted SFT " +
          "in the plain context, no ratio)",
      }),
      shaping: field("string", "quantile", {
        choices: ["quantile", "constant", "power"],
        doc:
          "f(r) of `shaped` weighting: r/(r + γ) with γ the `gammaLevel` quantile of the hinted ratios (`quantile`) " +
          "or `gamma` (`constant`); r^`gamma` (`power`)",
      }),
      gammaLevel: field("number", 0.9, {
        min: 0,
        max: 1,
        doc: "quantile level of γ over the hinted tokens' ratios (`quantile` shaping)",
      }),
      gamma: field("number", 1, { min: 0, doc: "γ of `constant` and `power` shaping" }),
      baseline: field("string", "group", {
        choices: ["group", "plain"],
        doc: "advantages of an all-hinted group: `group`, within its own rewards (the paper's); `plain`, against the " +
          "failed plain group's mean, scaled by both groups' pooled std",
      }),
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
      mixin: field("boolean", false, {
        doc: "regroup a failed group as its hinted successes, then its plain failures (G at most), instead of " +
          "replacing it with the hinted group",
      }),
      balanced: field("boolean", false, {
        doc: "regroup a failed group as its first G − ⌈G/2⌉ plain samples and ⌈G/2⌉ hinted ones (wins over `mixin`)",
      }),
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
      alwaysHint: field("boolean", false, {
        doc: "regroup every prompt with the hint, whatever its plain rewards (a diagnostic)",
      }),
    },
    "Guide: when a group is regrouped with the hint, and how hinted samples train. Read by `guide-grpo` and `guide-ppo`.",
  ),
  loss: section({
    epsilonLow: field("number", 0.2, {
      min: 0,
      doc:
        "clip below: a plain token's ratio is clipped to [1 − epsilonLow, 1 + epsilonHigh] (IS-corrected hinted tokens are not)",
    }),
    epsilonHigh: field("number", 0.2, { min: 0, doc: "clip above (see `epsilonLow`)" }),
    beta: field("number", 0, {
      min: 0,
      doc: "coefficient of the per-token KL (k3) to the reference, the run's SFT base; 0: no KL term",
    }),
    aggregation: field("string", "grpo", {
      choices: AGGREGATIONS,
      doc: "per-token losses to one number: `grpo`, the mean of each sequence's token mean; `bnpo`, `dapo`, the " +
        "mean over the step's tokens; `dr_grpo`, their sum over rows × `maxTokens` (TRL); `dr_grpo_verl`, over rows / " +
        "`verlMicroBatchRows` × `maxTokens` (verl)",
    }),
    sequenceRatio: field("boolean", false, {
      doc: "GSPO: one ratio per sequence, exp(mean of its tokens' log-ratios), instead of a ratio per token",
    }),
    entropyCoef: field("number", 0, { min: 0, doc: "coefficient of an entropy bonus (subtracted from the loss)" }),
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
  }, "The policy-gradient loss: clipping, KL, aggregation."),
  optim: section({
    lr: field("number", 1e-4, { min: 0, doc: "AdamW learning rate, constant (in the `sft` section: the base's)" }),
    weightDecay: field("number", 0.01, { min: 0, doc: "AdamW's decoupled weight decay, on weight matrices only" }),
    maxGradNorm: field("number", 1, { min: 0, doc: "clip the gradient's global norm to this; 0: no clipping" }),
    miniBatches: field("integer", 1, {
      min: 1,
      since: "2026-11-27",
      doc: "optimizer updates per RL step, over disjoint mini-batches of its rows (old log-probs stay the rollout's)",
    }),
    beta1: field("number", 0.9, { min: 0, max: 1, doc: "AdamW's decay of the gradient's running mean" }),
    beta2: field("number", 0.999, { min: 0, max: 1, doc: "AdamW's decay of the squared gradient's running mean" }),
  }, "The optimizer (AdamW); a run starts a fresh one from the base's weights."),
  ppo: section({
    lambda: field("number", 1, { min: 0, max: 1, doc: "GAE's λ" }),
    gamma: field("number", 1, { min: 0, max: 1, doc: "GAE's discount per token (the reward comes at the last one)" }),
    valueCoef: field("number", 0.5, { min: 0, doc: "c of the critic's loss ½·c·(V − return)²" }),
  }, "PPO's critic and advantages. Read by `ppo` and `guide-ppo` only."),
  sft: section({
    steps: field("integer", 1000, { min: 1, doc: "SFT steps (batches of worked solutions)" }),
    batch: field("integer", 64, { min: 1, doc: "examples per SFT step" }),
    tiers: field("string", "1,2", { format: "tiers", max: TIERS, doc: "tiers whose worked solutions the base learns" }),
    hintedFraction: field("number", 0.3, {
      min: 0,
      max: 1,
      doc: "fraction of examples shown with their hint (`data.hintStyle`) in context, so the base knows the format",
    }),
    rareTiers: field("string", "", {
      format: "tiers",
      max: TIERS,
      doc: "tiers seen rarely, plain unless rareHintedFraction (comma-separated; empty: none)",
    }),
    rareFraction: field("number", 0, {
      min: 0,
      max: 1,
      doc: "fraction of examples drawn from rareTiers (uniformly over their problems)",
    }),
    rareHintedFraction: field("number", 0, {
      min: 0,
      max: 1,
      since: "2026-11-27",
      doc: "fraction of rareTiers examples in the hinted context (the rest plain)",
    }),
    rareHintedTiers: field("string", "", {
      format: "tiers",
      max: TIERS,
      since: "2026-11-27",
      doc: "rareTiers shown only in the hinted context, whatever rareHintedFraction (comma-separated; empty: none)",
    }),
    alternativeFraction: field("number", 0, {
      min: 0,
      max: 1,
      doc: "arith, physics, programs: fraction of hinted examples whose hint names a later operation that may go " +
        "first",
    }),
  }, "The SFT warm-up that builds a base: read in a grid's `sft` section only."),
  eval: section({
    every: field("integer", 10, {
      min: 1,
      doc: "a learning-curve evaluation (validation split) and a checkpoint every this many steps, and at the end " +
        "(in the `sft` section: the base's checkpoint interval)",
    }),
    tiers: field("string", "1,2,3,4,5", {
      format: "tiers",
      max: TIERS,
      doc: "tiers of the final evaluation on the test split (all by default: forgetting easy tiers counts)",
    }),
    problems: field("integer", 128, {
      min: 1,
      doc: "test problems per tier in the final evaluation (the first ones; fewer when the split has fewer)",
    }),
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
      max: TIERS,
      since: "2026-12-07",
      doc: "tiers of the learning-curve evaluations (comma-separated; empty: the tiers RL trains on)",
    }),
  }, "Evaluation: learning curves on the validation split, the final evaluation on the test split."),
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
