/**
 * From rollout groups to one training step, as data (`TrainSpec` with the `rl` loss), so that the step can run on
 * all cores: a row per sample, in the context Guide's `trainingRole` gives it (a hinted sample in the **plain**
 * context, with the old log-probs of the **hinted** context it was drawn in), its advantage broadcast over its tokens
 * (or PPO's per-token ones), and the normaliser of the aggregation.
 *
 * @module
 */
import { type Aggregation, aggregationNormaliser } from "./core.ts";
import {
  groupAdvantagesWithHints,
  type HintedBaseline,
  hintedScale,
  type HintedWeighting,
  type Shaping,
  trainingRole,
} from "./guide.ts";
import type { ContextInput, TrainSpec } from "../policy/policy.ts";
import type { RlLossParams } from "./loss.ts";

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

/** Settings of the step built from groups. */
export interface StepSettings {
  isCorrection: boolean;
  baseline: HintedBaseline;
  weighting: HintedWeighting;
  shaping: Shaping;
  /** γ of the shaping (computed per batch for `quantile`, see `gammaQuantile`). */
  gamma: number;
  aggregation: Aggregation;
  epsilonLow: number;
  epsilonHigh: number;
  beta: number;
  entropyCoef: number;
  sequenceRatio: boolean;
  /** Completion length bound, for `dr_grpo`. */
  maxTokens: number;
  /** Rows per micro-batch of verl's `dr_grpo` normaliser (`dr_grpo_verl`; 1 by default). */
  verlMicroBatchRows?: number;
  /** Clamp of each token's KL (0: none). */
  klClamp?: number;
  /** Coefficient of the critic's value loss (PPO). */
  valueCoef?: number;
  /** Scale of hinted samples' advantages, so of their share of the step (1, the paper's, by default). */
  hintedScale?: number;
}

/**
 * A step's rows split into `parts` disjoint mini-batches in order (PPO-style updates; each keeps the rollout's old
 * log-probs), each with the normaliser its own rows and tokens give.
 */
export function miniBatches(
  spec: TrainSpec,
  parts: number,
  normaliser: (rows: number, tokens: number) => number,
): TrainSpec[] {
  const rows = spec.contexts.length;
  const size = Math.ceil(rows / Math.max(1, Math.min(parts, rows)));
  const out: TrainSpec[] = [];
  for (let start = 0; start < rows; start += size) {
    const end = Math.min(rows, start + size);
    const completions = spec.completions.slice(start, end);
    const tokens = completions.reduce((n, c) => n + c.length, 0);
    out.push({
      ...spec,
      contexts: spec.contexts.slice(start, end),
      completions,
      data: spec.data && Object.fromEntries(Object.entries(spec.data).map(([k, v]) => [k, v.slice(start, end)])),
      params: spec.params && { ...spec.params },
      normaliser: Math.max(1, normaliser(end - start, tokens)),
    });
  }
  return out;
}

/** Per-token advantages and value targets of a sample (PPO's GAE); when given they replace group advantages. */
export interface TokenTargets {
  advantages: number[];
  returns: number[];
}

/** The training step for `groups`: one row per sample, the `rl` loss, the normaliser of the aggregation. */
export function buildTrainSpec(
  groups: RolloutGroup[],
  settings: StepSettings,
  encodeContext: (context: ContextInput) => number[],
  targets?: (group: number, sample: number) => TokenTargets,
): TrainSpec {
  const returns: number[][] = [];
  const contexts: number[][] = [];
  const completions: number[][] = [];
  const oldLogprobs: number[][] = [];
  const advantages: number[][] = [];
  const hinted: number[][] = [];
  for (const [g, group] of groups.entries()) {
    const groupAdv = groupAdvantagesWithHints(
      group.samples.map((s) => s.reward),
      group.samples.map((s) => isHintedSample(group, s)),
      group.plainRewards ?? [],
      settings,
    );
    const plainContext = encodeContext(group.prompt);
    const hintedContext = group.hint === undefined
      ? plainContext
      : encodeContext({ prompt: group.prompt, hint: group.hint });
    group.samples.forEach((sample, i) => {
      const isHinted = isHintedSample(group, sample);
      const role = trainingRole(isHinted, settings.isCorrection);
      contexts.push(role.context === "hinted" ? hintedContext : plainContext);
      completions.push(sample.ids);
      oldLogprobs.push(sample.oldLogprobs);
      if (targets) {
        const t = targets(g, i);
        advantages.push(t.advantages.map((a) => a * hintedScale(isHinted, settings.hintedScale)));
        returns.push(t.returns);
      } else advantages.push(sample.ids.map(() => groupAdv[i]));
      hinted.push(sample.ids.map(() => (role.hintedLoss ? 1 : 0)));
    });
  }
  const tokens = completions.reduce((n, c) => n + c.length, 0);
  const normaliser = aggregationNormaliser(
    settings.aggregation,
    completions.length,
    tokens,
    settings.maxTokens,
    settings.verlMicroBatchRows,
  );
  return {
    loss: "rl",
    contexts,
    completions,
    data: targets ? { oldLogprobs, advantages, hinted, returns } : { oldLogprobs, advantages, hinted },
    params: {
      epsilonLow: settings.epsilonLow,
      epsilonHigh: settings.epsilonHigh,
      gamma: settings.gamma,
      shaping: settings.shaping,
      weighting: settings.weighting,
      beta: settings.beta,
      entropyCoef: settings.entropyCoef,
      sequenceRatio: settings.sequenceRatio,
      aggregation: settings.aggregation,
      valueCoef: settings.valueCoef ?? 0,
      klClamp: settings.klClamp ?? 0,
    } satisfies RlLossParams,
    normaliser: Math.max(1, normaliser),
  };
}
