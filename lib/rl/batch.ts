/**
 * From rollout groups to one training step, as data (`TrainSpec` with the `rl` loss), so that the step can run on
 * all cores. It is built in two pure calls, {@link stepRows} then {@link rlTrainSpec} once γ is known: a row per sample, in the context Guide's `trainingRole` gives it (a hinted sample in the **plain**
 * context, with the old log-probs of the **hinted** context it was drawn in), its advantage broadcast over its tokens
 * (or PPO's per-token ones), and the normaliser of the aggregation.
 *
 * @module
 */
import { aggregationNormaliser } from "./core.ts";
import { groupAdvantagesWithHints, hintedScale, sequenceGammas, trainingRole } from "./guide.ts";
import { guidanceMethod, type GuidedRole } from "./methods.ts";
import type { ContextInput, TrainSpec } from "../policy/policy.ts";
import type { RunConfig } from "../config/schema.ts";
import type { RlLossParams, RlTokenRows } from "./loss.ts";

/** One completion of a group, as sampled and judged. */
export interface RolloutSample {
  ids: number[];
  /** The completion's text, for reports. */
  text?: string;
  reward: number;
  /** log π_old of each token in the context the sample was drawn in. */
  oldLogprobs: number[];
  /** Drawn in the hinted context (default: whether the group has a hint). Mixed groups (`mixin`, `balanced`) set it
   * per sample. */
  hinted?: boolean;
}

/** A group of completions of one prompt; `hint` is set when any of them was drawn in the hinted context. */
export interface RolloutGroup {
  prompt: string;
  hint?: string;
  samples: RolloutSample[];
  /** Rewards of the failed plain group a hinted group replaced (for the `plain` baseline). */
  plainRewards?: number[];
}

/** Was this sample drawn with the hint in context? */
export function isHintedSample(group: RolloutGroup, sample: RolloutSample): boolean {
  return sample.hinted ?? group.hint !== undefined;
}

/**
 * What a step reads from the run config: sections of its schema, whole, so that a knob added to one reaches the
 * function that uses it with no other edit.
 */
export type StepConfig = Pick<RunConfig, "algorithm" | "loss" | "guide" | "ppo" | "rollout">;

/** A step of the `rl` loss: its rows, their token data and the loss's params, typed. */
export type RlTrainSpec = Readonly<TrainSpec<RlTokenRows, RlLossParams>>;

/** Per-token advantages and value targets of a sample (PPO's GAE); when given they replace group advantages. */
export interface TokenTargets {
  advantages: number[];
  returns: number[];
}

/** A step's rows before its γ is known: each sample in the context it trains in, with its per-token data. */
export type StepRows = Readonly<{ contexts: number[][]; completions: number[][] } & RlTokenRows>;

/**
 * The rows of the step for `groups`: one per sample, in the context Guide's `trainingRole` gives it, with its old
 * log-probs, its advantage per token (the group's, or PPO's `targets`) and whether it takes the hinted loss.
 */
export function stepRows(
  groups: RolloutGroup[],
  config: Pick<RunConfig, "algorithm" | "guide">,
  encodeContext: (context: ContextInput) => number[],
  targets?: (group: number, sample: number) => TokenTargets,
): StepRows {
  const { guide } = config;
  const method = guidanceMethod(config.algorithm);
  const returns: number[][] = [];
  const contexts: number[][] = [];
  const completions: number[][] = [];
  const oldLogprobs: number[][] = [];
  const advantages: number[][] = [];
  const hinted: number[][] = [];
  const sft: number[][] = [];
  const gamma: number[][] = [];
  let anySft = false;
  let anyGamma = false;
  for (const [g, group] of groups.entries()) {
    const groupAdv = groupAdvantagesWithHints(
      group.samples.map((s) => s.reward),
      group.samples.map((s) => isHintedSample(group, s)),
      group.plainRewards ?? [],
      guide,
    );
    const plainContext = encodeContext(group.prompt);
    const hintedContext = group.hint === undefined
      ? plainContext
      : encodeContext({ prompt: group.prompt, hint: group.hint });
    group.samples.forEach((sample, i) => {
      const isHinted = isHintedSample(group, sample);
      const role: GuidedRole = method
        ? method.role(isHinted)
        : { ...trainingRole(isHinted, guide.isCorrection), sft: false };
      contexts.push(role.context === "hinted" ? hintedContext : plainContext);
      completions.push(sample.ids);
      oldLogprobs.push(sample.oldLogprobs);
      if (targets) {
        const t = targets(g, i);
        advantages.push(t.advantages.map((a) => a * hintedScale(isHinted, guide.hintedScale)));
        returns.push(t.returns);
      } else advantages.push(sample.ids.map(() => (role.sft ? 1 : groupAdv[i])));
      hinted.push(sample.ids.map(() => (role.hintedLoss ? 1 : 0)));
      if (method) {
        // A method's SFT targets and fixed γ, as per-token rows (kept below only when some row has them).
        sft.push(sample.ids.map(() => (role.sft ? 1 : 0)));
        gamma.push(sample.ids.map(() => role.gamma ?? 1));
        anySft ||= role.sft;
        anyGamma ||= role.gamma !== undefined;
      }
    });
  }
  const rows = { contexts, completions, oldLogprobs, advantages, hinted };
  // SFT targets and fixed γ only where a method makes some (so the other algorithms' steps stay as they were).
  const withSft = anySft ? { ...rows, sft } : rows;
  const withGamma = anyGamma ? { ...withSft, gamma } : withSft;
  return targets ? { ...withGamma, returns } : withGamma;
}

/** The normaliser of `rows` rows holding `tokens` tokens under the config's aggregation (at least 1). */
export function stepNormaliser(config: StepConfig): (rows: number, tokens: number) => number {
  const { aggregation, verlMicroBatchRows } = config.loss;
  return (rows, tokens) =>
    Math.max(1, aggregationNormaliser(aggregation, rows, tokens, config.rollout.maxTokens, verlMicroBatchRows));
}

/**
 * The training step, built once from everything it needs: the rows, the config and the step's γ (and the reference's
 * log-probs when β > 0). The spec, its data and its params are frozen.
 */
export function rlTrainSpec(
  rows: StepRows,
  config: StepConfig,
  step: { gamma: number; refLogprobs?: number[][] },
): RlTrainSpec {
  const { contexts, completions, ...data } = rows;
  const tokens = completions.reduce((n, c) => n + c.length, 0);
  return Object.freeze({
    loss: "rl",
    contexts,
    completions,
    data: Object.freeze(step.refLogprobs ? { ...data, refLogprobs: step.refLogprobs } : { ...data }),
    params: Object.freeze({ loss: config.loss, guide: config.guide, ppo: config.ppo, gamma: step.gamma }),
    normaliser: stepNormaliser(config)(completions.length, tokens),
  });
}

/** The training step for `groups` in one call (no KL reference): {@link stepRows}, then {@link rlTrainSpec}. */
export function buildTrainSpec(
  groups: RolloutGroup[],
  config: StepConfig,
  step: { gamma: number; encodeContext: (context: ContextInput) => number[] },
): RlTrainSpec {
  return rlTrainSpec(stepRows(groups, config, step.encodeContext), config, { gamma: step.gamma });
}

/**
 * A step's rows split into `parts` disjoint mini-batches in order (PPO-style updates; each keeps the rollout's old
 * log-probs), each with the normaliser its own rows and tokens give.
 */
export function miniBatches(
  spec: RlTrainSpec,
  parts: number,
  normaliser: (rows: number, tokens: number) => number,
): RlTrainSpec[] {
  const rows = spec.contexts.length;
  const size = Math.ceil(rows / Math.max(1, Math.min(parts, rows)));
  const out: RlTrainSpec[] = [];
  for (let start = 0; start < rows; start += size) {
    const end = Math.min(rows, start + size);
    const completions = spec.completions.slice(start, end);
    const tokens = completions.reduce((n, c) => n + c.length, 0);
    out.push(Object.freeze({
      ...spec,
      contexts: spec.contexts.slice(start, end),
      completions,
      data: spec.data && sliceRows(spec.data, start, end),
      normaliser: Math.max(1, normaliser(end - start, tokens)),
    }));
  }
  return out;
}

/**
 * γ of each hinted row of a mini-batch (`undefined` for a plain row), the official per-sequence scope: the quantile of
 * the row's own ratios exp(`logprobs` − old log-probs), `logprobs` being what the rows score now (`sequenceGammas`).
 */
export function rowGammas(
  part: RlTrainSpec,
  logprobs: number[][],
  options: { level: number; padTo?: number },
): (number | undefined)[] {
  const { hinted, oldLogprobs } = part.data!;
  const rows = logprobs.map((_, r) => r).filter((r) => hinted[r][0] === 1);
  const ratios = rows.map((r) => logprobs[r].map((lp, t) => Math.exp(lp - oldLogprobs[r][t])));
  const gammas = sequenceGammas(ratios, options);
  const out: (number | undefined)[] = part.completions.map(() => undefined);
  rows.forEach((r, i) => out[r] = gammas[i]);
  return out;
}

/** The same step with a γ per row (the official per-sequence scope; `undefined`, a plain row, takes 1). */
export function withRowGammas(spec: RlTrainSpec, gammas: (number | undefined)[]): RlTrainSpec {
  const gamma = spec.completions.map((c, r) => c.map(() => gammas[r] ?? 1));
  return Object.freeze({ ...spec, data: Object.freeze({ ...spec.data!, gamma }) });
}

/** Rows `start` to `end` of every token array. */
function sliceRows(data: RlTokenRows, start: number, end: number): RlTokenRows {
  const sliced = Object.entries(data).map(([key, rows]) => [key, rows.slice(start, end)]);
  return Object.freeze(Object.fromEntries(sliced)) as RlTokenRows;
}
