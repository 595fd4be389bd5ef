/**
 * What an ablation found, computed from saved results (pure: no I/O): per variant (the runs that differ only in
 * their seed) and tier, held-out pass@1 and pass@k at the end as mean ± 95% CI over seeds, the steps and rollouts
 * each variant needed to reach a target pass@1, the hinted fraction, the gain split against the base, and the
 * series the figures draw (learning curves, pass@k curves, hinted ratios, γ, hinted fraction over time).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ablationReport } from "./report.ts";
 * import { parseGrid } from "./grid.ts";
 * const text = "base:\n  model: { checkpoint: /tmp/base }\naxes:\n  algorithm: [grpo]\n  seed: [0, 1]\n";
 * const grid = await parseGrid(text, "g.yaml");
 * const report = ablationReport(grid, new Map(), new Map()); // no results yet: every run unfinished
 * assert.equal(report.unfinished.length, 2);
 * ```
 *
 * @module
 */
import { mean as mathMean } from "mathjs";
import type { EvaluationRecord } from "../rl/run.ts";
import { type Counts, gainSplit, passAtKCurve } from "../metrics/gains.ts";
import { canonicalJson, type Grid, type GridRun } from "./grid.ts";
import type { RunResults } from "./store.ts";
import { bandOver, type CurvePoint, type MeanCi, meanCi } from "./statistics.ts";

/** Runs that differ only in their seed. */
export interface Variant {
  /** The variant's name, or the axis values other than the seed (`guide-grpo`, `guide-grpo guide.baseline=plain`). */
  label: string;
  algorithm: string;
  runs: GridRun[];
}

/** Group a grid's runs into variants, in grid order. */
export function variantsOf(grid: Grid): Variant[] {
  const byKey = new Map<string, Variant>();
  for (const run of grid.runs) {
    const { seed: _seed, ...rest } = run.config;
    const key = canonicalJson(rest);
    let variant = byKey.get(key);
    if (!variant) {
      const parts = Object.entries(run.axes).filter(([path]) => path !== "seed")
        .map(([path, value]) => (path === "algorithm" || path === "variant" ? String(value) : `${path}=${value}`));
      // A named variant is its own label; otherwise the algorithm leads.
      if (!("algorithm" in run.axes) && !("variant" in run.axes)) parts.unshift(run.config.algorithm);
      variant = { label: parts.join(" "), algorithm: run.config.algorithm, runs: [] };
      byKey.set(key, variant);
    }
    variant.runs.push(run);
  }
  return [...byKey.values()];
}

/** One row of the summary: a variant (or the base) at a tier (or `all`). */
export interface SummaryRow {
  variant: string;
  tier: string;
  /** Finished runs (seeds) the row averages. */
  seeds: number;
  passAt1: MeanCi;
  passAtK: MeanCi;
  /** Steps and completions sampled until the held-out pass@1 first reached the target (seeds that reached it). */
  stepsToTarget: MeanCi;
  rolloutsToTarget: MeanCi;
  /** Seeds that reached the target. */
  reached: number;
  hintedFraction: MeanCi;
  /** RL updates the run made (steps that trained on some group): an equal budget buys different numbers of them. */
  updates: MeanCi;
  /** Problems by what RL changed against the base (mean count over seeds). */
  compression: MeanCi;
  capabilityGain: MeanCi;
  lost: MeanCi;
}

/** Everything the summary files and the figures show. */
export interface AblationReport {
  k: number;
  /** The held-out pass@1 to reach, per tier (and `all`). */
  targets: Record<string, number>;
  tiers: string[];
  rows: SummaryRow[];
  /** pass@1 against step and against rollouts consumed, per variant and tier (step 0: the base). */
  curves: { variant: string; tier: string; byStep: CurvePoint[]; byRollouts: CurvePoint[] }[];
  /** pass@k for k = 1…n at the end, and the base's ("before"), per tier and `all`. */
  passk: { variant: string; tier: string; after: CurvePoint[] }[];
  before: { tier: string; curve: { k: number; passAtK: number }[] }[];
  /** Hinted tokens' log10-ratio histogram (all steps and seeds) and γ and the hinted fraction over steps. */
  hinted: { variant: string; histogram: number[]; gamma: CurvePoint[]; fraction: CurvePoint[] }[];
  /** Runs not finished yet (left out of the numbers). */
  unfinished: string[];
}

type EvalLine = EvaluationRecord & { step: number; rollouts: number };

/** Counts of one tier (or all tiers) of an evaluation, by problem id. */
function countsOf(record: EvaluationRecord, tier: string): Map<string, Counts> {
  const counts = new Map<string, Counts>();
  for (const [t, entry] of Object.entries(record.tiers)) {
    if (tier !== "all" && t !== tier) continue;
    for (const [id, c] of Object.entries(entry.correct)) counts.set(id, { n: record.n, c });
  }
  return counts;
}

function passAt1Of(record: EvaluationRecord, tier: string): number {
  return tier === "all" ? record.passAt1 : record.tiers[tier]?.passAt1 ?? NaN;
}

/** A step that trained on some groups (a step whose groups were all filtered has no hinted fraction or γ). */
const trainedOn = (m: Record<string, unknown>) =>
  ((m.rollout as { kept?: number } | undefined)?.kept ?? 1) > 0 && m.updated !== false;

/** The tiers any evaluation has, in order, then `all`. */
function reportTiers(results: Map<string, RunResults>, baseEvals: Map<string, EvaluationRecord>): string[] {
  const tierSet = new Set<string>();
  for (const record of baseEvals.values()) Object.keys(record.tiers).forEach((t) => tierSet.add(t));
  for (const r of results.values()) for (const e of r.evals) Object.keys(e.tiers).forEach((t) => tierSet.add(t));
  return [...[...tierSet].sort((a, b) => Number(a) - Number(b)), "all"];
}

/** A run's last evaluation. */
const finalOf = (r: RunResults) => r.evals[r.evals.length - 1] as EvalLine | undefined;

/**
 * The pass@1 to reach per tier: the grid's, or halfway from the base to the best variant's final mean, a level RL
 * has to earn (the lowest final mean, used before, sat below the base whenever one variant regressed, so every
 * variant "reached" it at step 0). No base: the lowest final mean. No variant above the base: none (NaN).
 */
function reportTargets(
  grid: Grid,
  finishedRuns: RunResults[][],
  tiers: string[],
  baseRecord: EvaluationRecord | undefined,
): Record<string, number> {
  const targets: Record<string, number> = {};
  for (const tier of tiers) {
    const finals = finishedRuns.map((runs) => meanCi(runs.map((r) => passAt1Of(finalOf(r)!, tier))).mean)
      .filter(Number.isFinite);
    const best = Math.max(...finals); // -Infinity without finals: no target
    const halfway = (start: number) => best > start ? (start + best) / 2 : NaN;
    targets[tier] = grid.summary.target ??
      (baseRecord ? halfway(passAt1Of(baseRecord, tier)) : finals.length > 0 ? Math.min(...finals) : NaN);
  }
  return targets;
}

/** The base's summary rows and its pass@k curve ("before"), per tier. */
function baseSummary(
  baseRecord: EvaluationRecord,
  tiers: string[],
  k: number,
): { rows: SummaryRow[]; before: AblationReport["before"] } {
  const nan = meanCi([]);
  const ks = Array.from({ length: baseRecord.n }, (_, i) => i + 1);
  const rows: SummaryRow[] = [];
  const before: AblationReport["before"] = [];
  for (const tier of tiers) {
    const counts = countsOf(baseRecord, tier);
    const at = (kk: number) => passAtKCurve(counts.values(), [kk])[0].passAtK;
    rows.push({
      variant: "base (SFT)",
      tier,
      seeds: 1,
      passAt1: meanCi([at(1)]),
      passAtK: meanCi([at(k)]),
      stepsToTarget: nan,
      rolloutsToTarget: nan,
      reached: 0,
      hintedFraction: nan,
      updates: nan,
      compression: nan,
      capabilityGain: nan,
      lost: nan,
    });
    before.push({ tier, curve: passAtKCurve(counts.values(), ks) });
  }
  return { rows, before };
}

/** A variant's finished runs at one tier, against its base. */
interface VariantTier {
  label: string;
  runs: RunResults[];
  base: EvaluationRecord | undefined;
  tier: string;
}

/** A variant's summary row at a tier: final pass@1/pass@k, reaching the target, hinted fraction, gain split. */
function variantRow({ label, runs, base, tier }: VariantTier, target: number, k: number): SummaryRow {
  const finals = runs.map((r) => finalOf(r)!).filter(Boolean);
  const reach = runs.map((r) => {
    const points = [
      ...(base ? [{ step: 0, rollouts: 0, passAt1: passAt1Of(base, tier) }] : []),
      ...r.evals.map((e) => ({ step: e.step, rollouts: e.rollouts, passAt1: passAt1Of(e, tier) })),
    ];
    return points.find((p) => p.passAt1 >= target - 1e-12);
  });
  const splits = base ? finals.map((f) => gainSplit(countsOf(base, tier), countsOf(f, tier), k)) : [];
  const hintedFraction = runs.map((r) => {
    if (tier === "all") {
      const trained = r.metrics.filter(trainedOn).map((m) => Number(m.hintedFraction ?? 0));
      return trained.length > 0 ? Number(mathMean(trained)) : NaN;
    }
    const entry = r.hintedByTier[tier];
    return entry && entry.groups > 0 ? entry.hinted / entry.groups : NaN;
  });
  return {
    variant: label,
    tier,
    seeds: runs.length,
    passAt1: meanCi(finals.map((f) => passAt1Of(f, tier))),
    passAtK: meanCi(finals.map((f) => passAtKCurve(countsOf(f, tier).values(), [k])[0].passAtK)),
    stepsToTarget: meanCi(reach.filter((p) => p).map((p) => p!.step)),
    rolloutsToTarget: meanCi(reach.filter((p) => p).map((p) => p!.rollouts)),
    reached: reach.filter((p) => p).length,
    hintedFraction: meanCi(hintedFraction),
    updates: meanCi(runs.map((r) => r.metrics.filter(trainedOn).length)),
    compression: meanCi(splits.map((s) => s.compression.length)),
    capabilityGain: meanCi(splits.map((s) => s.capabilityGain.length)),
    lost: meanCi(splits.map((s) => s.lost.length)),
  };
}

/** A variant's learning curves at a tier (pass@1 against step and against completions sampled; 0: the base). */
function variantCurves({ label, runs, base, tier }: VariantTier): AblationReport["curves"][number] {
  const series = (x: "step" | "rollouts") =>
    bandOver(runs.map((r) => [
      ...(base ? [{ x: 0, y: passAt1Of(base, tier) }] : []),
      ...r.evals.map((e) => ({ x: e[x], y: passAt1Of(e, tier) })),
    ]));
  return { variant: label, tier, byStep: series("step"), byRollouts: series("rollouts") };
}

/** A variant's pass@k curve at the end, k = 1…n (none without a finished run). */
function variantPassk({ label, runs, tier }: VariantTier): AblationReport["passk"][number] | undefined {
  const finals = runs.map((r) => finalOf(r)!).filter(Boolean);
  if (finals.length === 0) return undefined;
  const n = Math.min(...finals.map((f) => f.n));
  const ks = Array.from({ length: n }, (_, i) => i + 1);
  const perSeed = finals.map((f) => passAtKCurve(countsOf(f, tier).values(), ks));
  return { variant: label, tier, after: ks.map((kk, i) => ({ x: kk, ...meanCi(perSeed.map((c) => c[i].passAtK)) })) };
}

/** A variant's hinted-ratio histogram (all steps and seeds), and γ and the hinted fraction over steps. */
function variantHinted(label: string, runs: RunResults[]): AblationReport["hinted"][number] {
  const histogram: number[] = [];
  for (const r of runs) {
    for (const m of r.metrics) {
      ((m.hintedRatioHistogram ?? []) as number[]).forEach((c, i) => histogram[i] = (histogram[i] ?? 0) + c);
    }
  }
  const over = (key: string) =>
    bandOver(
      runs.map((r) =>
        r.metrics.filter(trainedOn).map((m) => ({ x: Number(m.step), y: Number(m[key]) }))
          .filter((p) => Number.isFinite(p.y))
      ),
      // Runs of one budget end at different steps (hinted resamples spend it): each curve runs to the last step.
      { through: "longest" },
    );
  return { variant: label, histogram, gamma: over("gamma"), fraction: over("hintedFraction") };
}

/** Compute the report of `grid` from its runs' results and the base's evaluation. */
export function ablationReport(
  grid: Grid,
  results: Map<string, RunResults>,
  baseEvals: Map<string, EvaluationRecord>,
): AblationReport {
  const k = grid.summary.k;
  const variants = variantsOf(grid);
  const finished = (v: Variant) => v.runs.map((r) => results.get(r.id)).filter((r): r is RunResults => !!r?.done);
  const tiers = reportTiers(results, baseEvals);
  const baseOf = (v: Variant) => baseEvals.get(v.runs[0].id);
  // The base as the report shows it (every variant usually shares one evaluation).
  const baseRecord = variants.map(baseOf).find((b) => b !== undefined);
  const targets = reportTargets(grid, variants.map(finished), tiers, baseRecord);
  const { rows, before } = baseRecord ? baseSummary(baseRecord, tiers, k) : { rows: [], before: [] };
  const curves: AblationReport["curves"] = [];
  const passk: AblationReport["passk"] = [];
  const hinted: AblationReport["hinted"] = [];
  for (const variant of variants) {
    const runs = finished(variant);
    for (const tier of tiers) {
      const at: VariantTier = { label: variant.label, runs, base: baseOf(variant), tier };
      rows.push(variantRow(at, targets[tier], k));
      curves.push(variantCurves(at));
      const after = variantPassk(at);
      if (after) passk.push(after);
    }
    hinted.push(variantHinted(variant.label, runs));
  }
  const unfinished = grid.runs.filter((r) => !results.get(r.id)?.done).map((r) => r.id);
  return { k, targets, tiers, rows, curves, passk, before, hinted, unfinished };
}
