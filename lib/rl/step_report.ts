/**
 * What one trainer step reports, built from the step's pieces: the rollout, the groups with the advantages they
 * were trained on, the hinted samples' ratios in the plain context (γ's quantile and the log-prob gap by position),
 * and the metrics the loss computed in the training pass (entropy, KL, clip fraction, plain ratios, the critic's
 * error). Pure: no tensors, no policy.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hintedDiagnostics, ratioHistogram } from "./step_report.ts";
 * // Two hinted samples: log π(o_t | q) − log π_old(o_t | q, h) per token.
 * const hinted = hintedDiagnostics([[-1, -2], [-1]], [[-1, -1], [-3]]);
 * assert.deepEqual(hinted.logprobGap, [(0 + 2) / 2, -1]);
 * assert.equal(ratioHistogram([1e-9, 1, 1e3]).reduce((a, b) => a + b), 3);
 * ```
 *
 * @module
 */
import { mean } from "./core.ts";
import { effectiveWeight, type Shaping } from "./guide.ts";
import { isHintedSample } from "./batch.ts";
import type { JudgedGroup, RolloutStats } from "./rollout.ts";

/** Percentiles of a set of numbers. */
export interface Spread {
  count: number;
  mean: number;
  p10: number;
  p50: number;
  p90: number;
}

/** Count, mean and percentiles (nearest rank) of `values`. */
export function spread(values: number[]): Spread {
  if (values.length === 0) return { count: 0, mean: NaN, p10: NaN, p50: NaN, p90: NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { count: values.length, mean: mean(values), p10: at(0.1), p50: at(0.5), p90: at(0.9) };
}

/** One group as reported. */
export interface ReportedGroup {
  id: string;
  tier: number;
  prompt: string;
  hint?: string;
  /**
   * `advantage` is the one the step trained on: the group's (by the hinted baseline, times `guide.hintedScale` for a
   * hinted sample), or for PPO the mean of the sample's per-token GAE advantages.
   */
  completions: { text: string; reward: number; advantage: number; hinted: boolean }[];
}

/** What one step did. */
export interface StepReport {
  step: number;
  algorithm: string;
  /** Mean reward of the plain samples (before any hint). */
  rewardMean: number;
  /** Fraction of trained groups that were regrouped with the hint. */
  hintedFraction: number;
  rollout: RolloutStats;
  groups: ReportedGroup[];
  /**
   * Ratios of the tokens that took the clipped loss, in the training pass (the ratio the loss used: per token, or
   * GSPO's per sequence): 1 up to rounding, as a step makes one update on fresh samples.
   */
  plainRatios: { count: number; mean: number };
  /** Ratios π_θ(o_t | q) / π_old(o_t | q, h) of hinted tokens before the update. */
  hintedRatios: Spread;
  /** Counts of hinted tokens' ratios in the log10 bins of {@link RATIO_BINS}. */
  hintedRatioHistogram: number[];
  /** Mean next-token entropy over the trained tokens, in their training contexts. */
  entropy: number;
  /** Mean KL (k3) to the reference policy over the trained tokens; null without a reference. */
  kl: number | null;
  /** Fraction of the tokens that took the clipped loss whose term the clip changed. */
  clipFraction: number;
  /** PPO: the critic's mean squared error against its returns, before the update; null otherwise. */
  valueError: number | null;
  /** γ of the shaping used this step. */
  gamma: number;
  /** Mean effective per-token weight of hinted tokens relative to an on-policy token (shaped weighting). */
  hintedWeight: number;
  /** Mean of log π(o_t | q) − log π(o_t | q, h) over hinted samples, by token position. */
  logprobGap: number[];
  loss: number;
  gradNorm: number;
  tokens: number;
  updated: boolean;
  seconds: { rollout: number; train: number; total: number };
}

/**
 * Bins of the hinted-ratio histogram in {@link StepReport}: log10 r from −8 to 2 in steps of 0.5, the ends open
 * (ratios below 1e-8 count in the first bin, above 100 in the last).
 */
export const RATIO_BINS = { from: -8, to: 2, width: 0.5 } as const;

/** Counts of `ratios` in the bins of {@link RATIO_BINS}. */
export function ratioHistogram(ratios: number[]): number[] {
  const { from, to, width } = RATIO_BINS;
  const counts = new Array(Math.round((to - from) / width)).fill(0);
  for (const r of ratios) {
    const bin = Math.floor((Math.log10(Math.max(r, 1e-300)) - from) / width);
    counts[Math.min(counts.length - 1, Math.max(0, bin))]++;
  }
  return counts;
}

/** Hinted samples' token ratios and the mean log-prob gap by position. */
export interface HintedDiagnostics {
  ratios: number[];
  logprobGap: number[];
}

/**
 * The ratios π_θ(o_t | q) / π_old(o_t | q, h) of every hinted token and the mean log-prob gap by position, from the
 * hinted samples' log-probs in the plain context (`plain`) and those they were drawn with (`drawn`), row by row.
 */
export function hintedDiagnostics(plain: number[][], drawn: number[][]): HintedDiagnostics {
  const ratios: number[] = [];
  const gap: number[] = [];
  const count: number[] = [];
  plain.forEach((lps, r) =>
    lps.forEach((lp, t) => {
      ratios.push(Math.exp(lp - drawn[r][t]));
      gap[t] = (gap[t] ?? 0) + lp - drawn[r][t];
      count[t] = (count[t] ?? 0) + 1;
    })
  );
  return { ratios, logprobGap: gap.map((sum, t) => sum / count[t]) };
}

/** The loss's metrics as the report shows them (sums from `rlMetrics` divided by their counts). */
export function lossDiagnostics(
  metrics: Record<string, number>,
): Pick<StepReport, "plainRatios" | "entropy" | "kl" | "clipFraction" | "valueError"> {
  const tokens = metrics.tokens ?? 0;
  const plainTokens = metrics.plainTokens ?? 0;
  const perToken = (sum: number | undefined) => (sum === undefined ? null : sum / Math.max(1, tokens));
  return {
    plainRatios: { count: plainTokens, mean: plainTokens > 0 ? metrics.plainRatioSum / plainTokens : NaN },
    entropy: tokens > 0 ? metrics.entropySum / tokens : NaN,
    kl: perToken(metrics.klSum),
    clipFraction: plainTokens > 0 ? metrics.clippedTokens / plainTokens : 0,
    valueError: perToken(metrics.valueSquaredErrorSum),
  };
}

/** The hinted part of a report: ratio spread and histogram, the effective weight at `gamma`, the gap. */
export function hintedReport(
  hinted: HintedDiagnostics,
  gamma: number,
  shaping: Shaping,
): Pick<StepReport, "hintedRatios" | "hintedRatioHistogram" | "hintedWeight" | "logprobGap"> {
  const { ratios } = hinted;
  return {
    hintedRatios: spread(ratios),
    hintedRatioHistogram: ratioHistogram(ratios),
    hintedWeight: ratios.length > 0 ? mean(ratios.map((r) => effectiveWeight(r, gamma, shaping))) : NaN,
    logprobGap: hinted.logprobGap,
  };
}

/** The groups as reported, each sample with the advantage it was trained on (`advantages`: one per row, in order). */
export function reportGroups(groups: JudgedGroup[], advantages: number[]): ReportedGroup[] {
  let row = 0;
  return groups.map((group) => ({
    id: group.problem.id,
    tier: group.problem.tier,
    prompt: group.prompt,
    hint: group.hint,
    completions: group.samples.map((s) => ({
      text: s.text ?? "",
      reward: s.reward,
      advantage: advantages[row++],
      hinted: isHintedSample(group, s),
    })),
  }));
}
