/**
 * What an ablation found, computed from saved results (pure: no I/O): per variant (the runs that differ only in
 * their seed) and tier, held-out pass@1 and pass@k at the end as mean ± 95% CI over seeds with every run's value
 * beside it, the overall score (`all`: macro over the evaluated tiers; `trained`: macro over the tiers RL trained
 * on), the gain split against the base and its net (gained − lost problems), the learning curve's mean height over
 * the budget, the steps and rollouts each variant needed to reach a target pass@1, the hinted fraction, and the
 * series the figures draw (learning curves over steps, completions and seconds, pass@k curves, hinted ratios, γ,
 * hinted fraction over time). The base is every independent evaluation draw of it (`summary.baseDraws`).
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
import { canonicalJson, type Grid, type GridRun, type SummarySettings } from "./grid.ts";
import type { EvalLine, RunResults } from "./store.ts";
import { bandOver, type CurvePoint, type MeanCi, meanCi, meanHeight } from "./statistics.ts";
import { tiersOf } from "../config/schema.ts";

/** The base's row label in a report. */
export const BASE_LABEL = "base (SFT)";
/** The overall rows: `all` (macro over the evaluated tiers) and `trained` (macro over the tiers RL trained on). */
export const OVERALL_TIERS = ["all", "trained"] as const;
/** Is `tier` one of the overall rows (not a tier of the data)? */
export const isOverall = (tier: string) => (OVERALL_TIERS as readonly string[]).includes(tier);

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
    const key = canonicalJson(rest); // one base's runs (a grid of several is reported per base: gridsByBase)
    let variant = byKey.get(key);
    if (!variant) {
      // The seed and the base are what a variant's runs differ by, never part of its name.
      const parts = Object.entries(run.axes).filter(([path]) => path !== "seed" && path !== "base")
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

/** One run's values at a tier (the base: one evaluation draw), what `runs.csv` lists and the tests compare. */
export interface RunValues {
  /** The run's id (the base: `base-draw-<i>`). */
  run: string;
  /** The run's seed (the base: null). */
  seed: number | null;
  /** The base's evaluation draw (runs: null). */
  draw: number | null;
  passAt1: number;
  passAtK: number;
  /** Gain split against the base (against each of its draws, averaged): problems newly solved, lost, their net. */
  gained: number;
  lost: number;
  net: number;
  /** Held-out pass@1 averaged over the learning curve up to the report's common budget (`curveEnd`). */
  curveMean: number;
  updates: number;
  completions: number;
}

/** One row of the summary: a variant (or the base) at a tier (or an overall row, {@link OVERALL_TIERS}). */
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
  /** Gained (compression + capability gain) − lost problems. */
  net: MeanCi;
  /** The learning curve's mean pass@1 over the common budget. */
  curveMean: MeanCi;
  /** Every run's (the base: every draw's) values, in seed order. */
  perRun: RunValues[];
}

/** Everything the summary files and the figures show. */
export interface AblationReport {
  k: number;
  /** The grid's `summary` settings: how the verdict tests. */
  settings: SummarySettings;
  /** The base every run starts from: the grid's SFT base id, or the first run's checkpoint. */
  base: string;
  /** The problem set the runs train and are evaluated on. */
  domain: string;
  /** The tiers RL trained on (the `trained` row's tiers). */
  trainedTiers: string[];
  /** Completions up to which every run's learning curve is averaged (the shortest finished run's last evaluation). */
  curveEnd: number;
  /** Per tier: a learning-curve point's evaluation (problems × samples) and its sampling standard error. */
  curveNoise: { tier: string; problems: number; samples: number; passAt1: number; se: number }[];
  /** The held-out pass@1 to reach, per tier (and `all`). */
  targets: Record<string, number>;
  tiers: string[];
  rows: SummaryRow[];
  /** pass@1 against step, rollouts consumed and seconds, per variant and tier (step 0: the base). */
  curves: { variant: string; tier: string; byStep: CurvePoint[]; byRollouts: CurvePoint[]; bySeconds: CurvePoint[] }[];
  /** pass@k for k = 1…n at the end, and the base's ("before"), per tier and `all`. */
  passk: { variant: string; tier: string; after: CurvePoint[] }[];
  before: { tier: string; curve: { k: number; passAtK: number }[] }[];
  /** Hinted tokens' log10-ratio histogram (all steps and seeds) and γ and the hinted fraction over steps. */
  hinted: { variant: string; histogram: number[]; gamma: CurvePoint[]; fraction: CurvePoint[] }[];
  /** Runs not finished yet (left out of the numbers). */
  unfinished: string[];
}

/** The data tiers a row covers: itself, every evaluated tier (`all`), or the trained ones (`trained`). */
function tiersIn(record: EvaluationRecord, tier: string, trained: string[]): string[] {
  const evaluated = Object.keys(record.tiers);
  if (tier === "all") return evaluated;
  if (tier === "trained") return evaluated.filter((t) => trained.includes(t));
  return evaluated.includes(tier) ? [tier] : [];
}

/** Counts of a row's problems in an evaluation, by problem id. */
function countsOf(record: EvaluationRecord, tier: string, trained: string[]): Map<string, Counts> {
  const counts = new Map<string, Counts>();
  for (const t of tiersIn(record, tier, trained)) {
    for (const [id, c] of Object.entries(record.tiers[t].correct)) counts.set(id, { n: record.n, c });
  }
  return counts;
}

/** The evaluations pooled into one: every problem's samples and correct samples added up (the base's draws). */
export function pooledCounts(records: EvaluationRecord[], tier: string, trained: string[]): Map<string, Counts> {
  const pooled = new Map<string, Counts>();
  for (const record of records) {
    for (const [id, c] of countsOf(record, tier, trained)) {
      const seen = pooled.get(id) ?? { n: 0, c: 0 };
      pooled.set(id, { n: seen.n + c.n, c: seen.c + c.c });
    }
  }
  return pooled;
}

/** A row's pass@k in an evaluation: a tier's mean over its problems; an overall row's mean over its tiers (macro). */
function passAtKOf(record: EvaluationRecord, tier: string, trained: string[], k: number): number {
  const tiers = tiersIn(record, tier, trained);
  if (tiers.length === 0) return NaN;
  const perTier = tiers.map((t) =>
    k === 1 ? record.tiers[t].passAt1 : passAtKCurve(countsOf(record, t, trained).values(), [k])[0].passAtK
  );
  return perTier.reduce((a, b) => a + b, 0) / perTier.length;
}

const passAt1Of = (record: EvaluationRecord, tier: string, trained: string[]) => passAtKOf(record, tier, trained, 1);

/** A step that trained on some groups (a step whose groups were all filtered has no hinted fraction or γ). */
const trainedOn = (m: Record<string, unknown>) =>
  ((m.rollout as { kept?: number } | undefined)?.kept ?? 1) > 0 && m.updated !== false;

/** The tiers any evaluation has, in order, then the overall rows. */
function reportTiers(results: Map<string, RunResults>, baseEvals: Map<string, EvaluationRecord[]>): string[] {
  const tierSet = new Set<string>();
  for (const records of baseEvals.values()) {
    for (const record of records) Object.keys(record.tiers).forEach((t) => tierSet.add(t));
  }
  for (const r of results.values()) {
    const final = finalOf(r);
    if (final) Object.keys(final.tiers).forEach((t) => tierSet.add(t));
  }
  return [...[...tierSet].sort((a, b) => Number(a) - Number(b)), ...OVERALL_TIERS];
}

/** A run's last evaluation. */
const finalOf = (r: RunResults) => r.evals.filter((e) => e.split !== "validation").at(-1) as EvalLine | undefined;

/**
 * A run's learning-curve points: its validation evaluations (runs of kits before the validation split evaluated the
 * test split all along, without a `split`: then every evaluation).
 */
const curvePointsOf = (r: RunResults): EvalLine[] =>
  r.evals.some((e) => e.split === "validation") ? r.evals.filter((e) => e.split === "validation") : r.evals;

/**
 * The pass@1 to reach per tier: the grid's, or halfway from the base to the best variant's final mean, a level RL
 * has to earn (the lowest final mean, used before, sat below the base whenever one variant regressed, so every
 * variant "reached" it at step 0). No base: the lowest final mean. No variant above the base: none (NaN).
 */
function reportTargets(
  grid: Grid,
  finishedRuns: RunResults[][],
  tiers: string[],
  baseStart: (tier: string) => number,
  trained: string[],
): Record<string, number> {
  const targets: Record<string, number> = {};
  for (const tier of tiers) {
    // Read from the learning curves (the validation split), never from the final test evaluation.
    const lasts = finishedRuns.map((runs) =>
      meanCi(runs.map((r) => {
        const last = curvePointsOf(r).at(-1);
        return last && curveCovers(last, tier) ? passAt1Of(last, tier, trained) : NaN;
      })).mean
    ).filter(Number.isFinite);
    const best = Math.max(...lasts); // -Infinity without curves: no target
    const start = baseStart(tier);
    targets[tier] = grid.summary.target ??
      (Number.isFinite(start)
        ? (best > start ? (start + best) / 2 : NaN)
        : lasts.length > 0
        ? Math.min(...lasts)
        : NaN);
  }
  return targets;
}

/** The base's summary rows (mean ± CI over its evaluation draws) and its pass@k curve ("before", pooled), per tier. */
function baseSummary(
  baseRecords: EvaluationRecord[],
  tiers: string[],
  k: number,
  trained: string[],
): { rows: SummaryRow[]; before: AblationReport["before"] } {
  const nan = meanCi([]);
  const rows: SummaryRow[] = [];
  const before: AblationReport["before"] = [];
  for (const tier of tiers) {
    const perRun: RunValues[] = baseRecords.map((record, draw) => ({
      run: `base-draw-${draw}`,
      seed: null,
      draw,
      passAt1: passAt1Of(record, tier, trained),
      passAtK: passAtKOf(record, tier, trained, k),
      gained: NaN,
      lost: NaN,
      net: NaN,
      curveMean: NaN,
      updates: NaN,
      completions: NaN,
    }));
    rows.push({
      variant: BASE_LABEL,
      tier,
      seeds: baseRecords.length,
      passAt1: meanCi(perRun.map((r) => r.passAt1)),
      passAtK: meanCi(perRun.map((r) => r.passAtK)),
      stepsToTarget: nan,
      rolloutsToTarget: nan,
      reached: 0,
      hintedFraction: nan,
      updates: nan,
      compression: nan,
      capabilityGain: nan,
      lost: nan,
      net: nan,
      curveMean: nan,
      perRun,
    });
    const pooled = pooledCounts(baseRecords, tier, trained);
    const n = Math.min(...[...pooled.values()].map((c) => c.n));
    const ks = Array.from({ length: Number.isFinite(n) ? n / baseRecords.length : 0 }, (_, i) => i + 1);
    before.push({ tier, curve: passAtKCurve(pooled.values(), ks) });
  }
  return { rows, before };
}

/** A variant's finished runs at one tier, against its base's draws. */
interface VariantTier {
  label: string;
  runs: RunResults[];
  base: EvaluationRecord[];
  /** The base's learning-curve evaluation (step 0 of every curve), when saved. */
  baseCurve: EvaluationRecord | undefined;
  tier: string;
  trained: string[];
  /** Seeds of the runs, in order. */
  seeds: number[];
}

/** A run's learning curve at a row: pass@1 at each evaluation against `x`, from the base's mean at 0. */
function curveOf(run: RunResults, at: VariantTier, x: "step" | "rollouts" | "seconds"): { x: number; y: number }[] {
  const start = curveStart(at);
  const evals = curvePointsOf(run);
  if (evals.some((e) => !curveCovers(e, at.tier))) return [];
  const points = evals.filter((e) => x !== "seconds" || Number.isFinite(e.seconds))
    .map((e) => ({ x: Number(e[x]), y: passAt1Of(e, at.tier, at.trained) }));
  if (points.some((p) => !Number.isFinite(p.y))) return []; // a row the curve evaluations do not cover
  return [...(Number.isFinite(start) ? [{ x: 0, y: start }] : []), ...points];
}

/**
 * A curve's start (step 0, the base): the base's learning-curve evaluation; for runs of kits without one, the base's
 * final-evaluation draws (what their curves were evaluated on).
 */
function curveStart(at: VariantTier): number {
  const legacy = at.runs.length > 0 && at.runs.every((r) => !r.evals.some((e) => e.split === "validation"));
  // Runs of earlier kits drew their curves on the test split: their start is the base's test draws, even where a
  // later kit saved a validation curve point for the same base.
  if (legacy) return meanCi(at.base.map((b) => passAt1Of(b, at.tier, at.trained))).mean;
  return at.baseCurve && curveCovers(at.baseCurve, at.tier) ? passAt1Of(at.baseCurve, at.tier, at.trained) : NaN;
}

/**
 * Does a curve evaluation speak for a row? A validation evaluation covers the curve tiers only, so it has no `all`
 * value (its macro would be over the trained tiers, which the `trained` row already is).
 */
function curveCovers(record: EvaluationRecord, tier: string): boolean {
  return !(record.split === "validation" && tier === "all");
}

/** A variant's summary row at a tier: final pass@1/pass@k, reaching the target, hinted fraction, gain split. */
function variantRow(at: VariantTier, target: number, k: number, curveEnd: number): SummaryRow {
  const { label, base, tier, trained } = at;
  // Runs without a final evaluation (none should finish so) are left out, seeds kept aligned with their runs.
  const kept = at.runs.map((r, i) => ({ r, seed: at.seeds[i], final: finalOf(r) })).filter((x) => x.final);
  const runs = kept.map((x) => x.r);
  const finals = kept.map((x) => x.final!);
  const reach = runs.map((r) => {
    const steps = curveOf(r, at, "step");
    const rollouts = curveOf(r, at, "rollouts");
    const i = steps.findIndex((p) => p.y >= target - 1e-12);
    return i < 0 ? undefined : { step: steps[i].x, rollouts: rollouts[i].x };
  });
  // The gain split against each base draw (n samples each, as the run's), averaged over the draws: pooling the draws
  // would make "reachable at pass@k" mean "solved once in draws × n samples".
  const splits = base.length > 0
    ? finals.map((f) => {
      const each = base.map((b) => gainSplit(countsOf(b, tier, trained), countsOf(f, tier, trained), k));
      const mean = (count: (s: typeof each[number]) => number) => each.reduce((a, s) => a + count(s), 0) / each.length;
      return {
        compression: mean((s) => s.compression.length),
        capabilityGain: mean((s) => s.capabilityGain.length),
        lost: mean((s) => s.lost.length),
      };
    })
    : [];
  const hintedFraction = runs.map((r) => {
    if (isOverall(tier)) {
      const trainedSteps = r.metrics.filter(trainedOn).map((m) => Number(m.hintedFraction ?? 0));
      return trainedSteps.length > 0 ? Number(mathMean(trainedSteps)) : NaN;
    }
    const entry = r.hintedByTier[tier];
    return entry && entry.groups > 0 ? entry.hinted / entry.groups : NaN;
  });
  const perRun: RunValues[] = runs.map((r, i) => {
    const split = splits[i];
    const gained = split ? split.compression + split.capabilityGain : NaN;
    const lost = split ? split.lost : NaN;
    return {
      run: r.id,
      seed: kept[i].seed,
      draw: null,
      passAt1: passAt1Of(finals[i], tier, trained),
      passAtK: passAtKOf(finals[i], tier, trained, k),
      gained,
      lost,
      net: gained - lost,
      curveMean: meanHeight(curveOf(r, at, "rollouts"), curveEnd),
      updates: r.metrics.filter(trainedOn).length,
      completions: finals[i].rollouts,
    };
  });
  const of = (key: keyof RunValues) => meanCi(perRun.map((v) => Number(v[key])));
  return {
    variant: label,
    tier,
    seeds: runs.length,
    passAt1: of("passAt1"),
    passAtK: of("passAtK"),
    stepsToTarget: meanCi(reach.filter((p) => p).map((p) => p!.step)),
    rolloutsToTarget: meanCi(reach.filter((p) => p).map((p) => p!.rollouts)),
    reached: reach.filter((p) => p).length,
    hintedFraction: meanCi(hintedFraction),
    updates: of("updates"),
    compression: meanCi(splits.map((s) => s.compression)),
    capabilityGain: meanCi(splits.map((s) => s.capabilityGain)),
    lost: of("lost"),
    net: of("net"),
    curveMean: of("curveMean"),
    perRun,
  };
}

/** A variant's learning curves at a tier (pass@1 against step, completions sampled and seconds; 0: the base). */
function variantCurves(at: VariantTier): AblationReport["curves"][number] {
  const series = (x: "step" | "rollouts" | "seconds") => bandOver(at.runs.map((r) => curveOf(r, at, x)));
  return {
    variant: at.label,
    tier: at.tier,
    byStep: series("step"),
    byRollouts: series("rollouts"),
    bySeconds: at.runs.every((r) => curvePointsOf(r).every((e) => Number.isFinite(e.seconds))) ? series("seconds") : [],
  };
}

/** A variant's pass@k curve at the end, k = 1…n (none without a finished run). */
function variantPassk({ label, runs, tier, trained }: VariantTier): AblationReport["passk"][number] | undefined {
  const finals = runs.map((r) => finalOf(r)!).filter(Boolean);
  if (finals.length === 0) return undefined;
  const n = Math.min(...finals.map((f) => f.n));
  const ks = Array.from({ length: n }, (_, i) => i + 1);
  const perSeed = finals.map((f) => ks.map((kk) => passAtKOf(f, tier, trained, kk)));
  return { variant: label, tier, after: ks.map((kk, i) => ({ x: kk, ...meanCi(perSeed.map((c) => c[i])) })) };
}

/**
 * A learning-curve point's sampling noise per tier: its evaluation's problems × samples, the mean pass@1 over every
 * curve point, and the standard error of one point at that level, sqrt(p(1 − p) / (problems × samples)) — a lower
 * bound: samples of one problem are correlated.
 */
function curveNoiseOf(results: RunResults[], tiers: string[]): AblationReport["curveNoise"] {
  const noise: AblationReport["curveNoise"] = [];
  for (const tier of tiers.filter((t) => !isOverall(t))) {
    const points = results.flatMap((r) => curvePointsOf(r).filter((e) => e !== finalOf(r))).filter((e) =>
      e.tiers[tier]
    );
    if (points.length === 0) continue;
    const problems = Object.keys(points[0].tiers[tier].correct).length;
    const samples = points[0].n;
    const p = points.reduce((a, e) => a + e.tiers[tier].passAt1, 0) / points.length;
    noise.push({ tier, problems, samples, passAt1: p, se: Math.sqrt(p * (1 - p) / (problems * samples)) });
  }
  return noise;
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

/**
 * Compute the report of `grid` from its runs' results and the base's evaluation draws (per run id: every draw of
 * the base it starts from).
 */
export function ablationReport(
  grid: Grid,
  results: Map<string, RunResults>,
  baseEvals: Map<string, EvaluationRecord[]>,
  baseCurves: Map<string, EvaluationRecord> = new Map(),
): AblationReport {
  const k = grid.summary.k;
  const variants = variantsOf(grid);
  const finished = (v: Variant) =>
    v.runs.map((r) => ({ run: r, results: results.get(r.id) })).filter((x) => !!x.results?.done) as {
      run: GridRun;
      results: RunResults;
    }[];
  const tiers = reportTiers(results, baseEvals);
  // The trained tiers the final evaluation covers (what the `trained` row averages).
  const trainedTiers = grid.runs.length > 0
    ? tiersOf(grid.runs[0].config.data.tiers).map(String).filter((t) => tiers.includes(t))
    : [];
  const baseOf = (v: Variant) => baseEvals.get(v.runs[0].id) ?? [];
  // The base as the report shows it (every variant usually shares one evaluation).
  const baseRecords = variants.map(baseOf).find((b) => b.length > 0) ?? [];
  const done = variants.map(finished);
  const baseCurve = variants.map((v) => baseCurves.get(v.runs[0].id)).find((b) => b !== undefined);
  const startOf = (tier: string) =>
    curveStart({
      label: "",
      runs: done.flat().map((x) => x.results),
      base: baseRecords,
      baseCurve,
      tier,
      trained: trainedTiers,
      seeds: [],
    });
  const targets = reportTargets(grid, done.map((d) => d.map((x) => x.results)), tiers, startOf, trainedTiers);
  // Every curve is averaged over the same budget: up to the shortest finished run's last evaluation.
  const lasts = done.flat().map((x) => finalOf(x.results)?.rollouts ?? NaN).filter(Number.isFinite);
  const curveEnd = lasts.length > 0 ? Math.min(...lasts) : NaN;
  const { rows, before } = baseRecords.length > 0
    ? baseSummary(baseRecords, tiers, k, trainedTiers)
    : { rows: [], before: [] };
  const curves: AblationReport["curves"] = [];
  const passk: AblationReport["passk"] = [];
  const hinted: AblationReport["hinted"] = [];
  for (const [i, variant] of variants.entries()) {
    const runs = done[i].map((x) => x.results);
    const seeds = done[i].map((x) => x.run.config.seed);
    for (const tier of tiers) {
      const at: VariantTier = {
        label: variant.label,
        runs,
        base: baseOf(variant),
        baseCurve: baseCurves.get(variant.runs[0].id),
        tier,
        trained: trainedTiers,
        seeds,
      };
      rows.push(variantRow(at, targets[tier], k, curveEnd));
      curves.push(variantCurves(at));
      const after = variantPassk(at);
      if (after) passk.push(after);
    }
    hinted.push(variantHinted(variant.label, runs));
  }
  const unfinished = grid.runs.filter((r) => !results.get(r.id)?.done).map((r) => r.id);
  const curveNoise = curveNoiseOf(done.flat().map((x) => x.results), tiers);
  return {
    k,
    settings: grid.summary,
    base: grid.sft?.id ?? String(grid.runs[0]?.config.model.checkpoint ?? ""),
    domain: String(grid.sft?.config.data.domain ?? grid.runs[0]?.config.data.domain ?? ""),
    trainedTiers,
    curveEnd,
    curveNoise,
    targets,
    tiers,
    rows,
    curves,
    passk,
    before,
    hinted,
    unfinished,
  };
}
