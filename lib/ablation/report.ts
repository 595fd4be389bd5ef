/**
 * What an ablation found, computed from saved results (pure: no I/O): per variant (the runs that differ only in
 * their seed) and tier, held-out pass@1 and pass@k at the end as mean ± 95% CI over seeds, the steps and rollouts
 * each variant needed to reach a target pass@1, the hinted fraction, the gain split against the base, and the
 * series the figures draw (learning curves, pass@k curves, hinted ratios, γ, hinted fraction over time).
 *
 * @example
 * ```ts
 * import { meanCi } from "./report.ts";
 * console.log(meanCi([0.2, 0.3, 0.4])); // { mean: 0.3, half: 0.248…, n: 3 } (t = 4.303 at 2 degrees of freedom)
 * ```
 *
 * @module
 */
import { mean as mathMean, std } from "mathjs";
import type { EvaluationRecord } from "../rl/run.ts";
import { type Counts, gainSplit, passAtKCurve } from "../metrics/gains.ts";
import { canonicalJson, type Grid, type GridRun } from "./grid.ts";
import type { RunResults } from "./store.ts";

/** Two-sided 97.5% quantiles of Student's t for 1–30 degrees of freedom (tables; mathjs has no t quantile). */
const T975 = [
  12.706,
  4.303,
  3.182,
  2.776,
  2.571,
  2.447,
  2.365,
  2.306,
  2.262,
  2.228,
  2.201,
  2.179,
  2.16,
  2.145,
  2.131,
  2.12,
  2.11,
  2.101,
  2.093,
  2.086,
  2.08,
  2.074,
  2.069,
  2.064,
  2.06,
  2.056,
  2.052,
  2.048,
  2.045,
  2.042,
];

/** The t quantile for a 95% interval with `df` degrees of freedom (beyond 30, a series in 1/df around 1.96). */
export function tQuantile95(df: number): number {
  if (df < 1) return NaN;
  if (df <= 30) return T975[df - 1];
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df);
}

/** Mean and the half-width of its 95% confidence interval (Student's t over the values; NaN half for one value). */
export interface MeanCi {
  mean: number;
  half: number;
  n: number;
}

/** Mean ± 95% CI of `values` (NaN values are left out). */
export function meanCi(values: number[]): MeanCi {
  const xs = values.filter((v) => Number.isFinite(v));
  if (xs.length === 0) return { mean: NaN, half: NaN, n: 0 };
  const mean = Number(mathMean(xs));
  if (xs.length === 1) return { mean, half: NaN, n: 1 };
  return { mean, half: tQuantile95(xs.length - 1) * Number(std(xs)) / Math.sqrt(xs.length), n: xs.length };
}

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

/** A point of a curve with its spread over seeds. */
export interface CurvePoint {
  x: number;
  mean: number;
  half: number;
  n: number;
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

/** Mean and CI at each x over seeds, each seed's curve linearly interpolated, where every seed has data. */
function bandOver(curves: { x: number; y: number }[][]): CurvePoint[] {
  const usable = curves.filter((c) => c.length > 0);
  if (usable.length === 0) return [];
  const end = Math.min(...usable.map((c) => c[c.length - 1].x));
  const xs = [...new Set(usable.flatMap((c) => c.map((p) => p.x)))].filter((x) => x <= end).sort((a, b) => a - b);
  const at = (curve: { x: number; y: number }[], x: number) => {
    const i = curve.findIndex((p) => p.x >= x);
    if (i < 0) return NaN;
    if (curve[i].x === x || i === 0) return curve[i].y;
    const [a, b] = [curve[i - 1], curve[i]];
    return a.y + ((b.y - a.y) * (x - a.x)) / (b.x - a.x);
  };
  return xs.map((x) => ({ x, ...meanCi(usable.map((c) => at(c, x))) }));
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
  const tierSet = new Set<string>();
  for (const record of baseEvals.values()) Object.keys(record.tiers).forEach((t) => tierSet.add(t));
  for (const r of results.values()) for (const e of r.evals) Object.keys(e.tiers).forEach((t) => tierSet.add(t));
  const tiers = [...[...tierSet].sort((a, b) => Number(a) - Number(b)), "all"];
  const finalOf = (r: RunResults) => r.evals[r.evals.length - 1] as EvalLine | undefined;
  const baseOf = (v: Variant) => baseEvals.get(v.runs[0].id);
  // The base as the report shows it (every variant usually shares one evaluation).
  const baseRecord = variants.map(baseOf).find((b) => b !== undefined);

  // Targets: the given pass@1, or halfway from the base to the best variant's final mean, a level RL has to earn
  // (the lowest final mean, used before, sat below the base whenever one variant regressed, so every variant
  // "reached" it at step 0). No base: the lowest final mean. No variant above the base: none (NaN).
  const targets: Record<string, number> = {};
  for (const tier of tiers) {
    const finals = variants.map((v) => meanCi(finished(v).map((r) => passAt1Of(finalOf(r)!, tier))).mean)
      .filter(Number.isFinite);
    const best = Math.max(...finals); // -Infinity without finals: no target
    const halfway = (start: number) => best > start ? (start + best) / 2 : NaN;
    targets[tier] = grid.summary.target ??
      (baseRecord ? halfway(passAt1Of(baseRecord, tier)) : finals.length > 0 ? Math.min(...finals) : NaN);
  }

  const rows: SummaryRow[] = [];
  const curves: AblationReport["curves"] = [];
  const passk: AblationReport["passk"] = [];
  const hinted: AblationReport["hinted"] = [];
  const nan = meanCi([]);
  const before: AblationReport["before"] = [];
  if (baseRecord) {
    const ks = Array.from({ length: baseRecord.n }, (_, i) => i + 1);
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
  }
  for (const variant of variants) {
    const runs = finished(variant);
    const base = baseOf(variant);
    for (const tier of tiers) {
      const finals = runs.map((r) => finalOf(r)!).filter(Boolean);
      const target = targets[tier];
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
      rows.push({
        variant: variant.label,
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
      });
      const series = (x: "step" | "rollouts") =>
        bandOver(runs.map((r) => [
          ...(base ? [{ x: 0, y: passAt1Of(base, tier) }] : []),
          ...r.evals.map((e) => ({ x: e[x], y: passAt1Of(e, tier) })),
        ]));
      curves.push({ variant: variant.label, tier, byStep: series("step"), byRollouts: series("rollouts") });
      if (finals.length > 0) {
        const n = Math.min(...finals.map((f) => f.n));
        const ks = Array.from({ length: n }, (_, i) => i + 1);
        const perSeed = finals.map((f) => passAtKCurve(countsOf(f, tier).values(), ks));
        passk.push({
          variant: variant.label,
          tier,
          after: ks.map((kk, i) => ({ x: kk, ...meanCi(perSeed.map((c) => c[i].passAtK)) })),
        });
      }
    }
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
      );
    hinted.push({ variant: variant.label, histogram, gamma: over("gamma"), fraction: over("hintedFraction") });
  }
  const unfinished = grid.runs.filter((r) => !results.get(r.id)?.done).map((r) => r.id);
  return { k, targets, tiers, rows, curves, passk, before, hinted, unfinished };
}

function cell(value: MeanCi, digits = 3): string {
  if (!Number.isFinite(value.mean)) return "";
  return Number.isFinite(value.half)
    ? `${value.mean.toFixed(digits)} ± ${value.half.toFixed(digits)}`
    : value.mean.toFixed(digits);
}

/** `summary.csv`: one line per variant and tier; each mean with its CI half-width in the next column. */
export function summaryCsv(report: AblationReport): string {
  const header = [
    "variant",
    "tier",
    "seeds",
    "pass@1",
    "pass@1_ci95",
    `pass@${report.k}`,
    `pass@${report.k}_ci95`,
    "target_pass@1",
    "steps_to_target",
    "steps_to_target_ci95",
    "rollouts_to_target",
    "rollouts_to_target_ci95",
    "seeds_reaching_target",
    "hinted_fraction",
    "hinted_fraction_ci95",
    "compression",
    "capability_gain",
    "lost",
    "updates",
  ];
  const num = (x: number) => (Number.isFinite(x) ? String(Number(x.toFixed(6))) : "");
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const lines = report.rows.map((r) =>
    [
      quote(r.variant),
      r.tier,
      String(r.seeds),
      num(r.passAt1.mean),
      num(r.passAt1.half),
      num(r.passAtK.mean),
      num(r.passAtK.half),
      num(report.targets[r.tier]),
      num(r.stepsToTarget.mean),
      num(r.stepsToTarget.half),
      num(r.rolloutsToTarget.mean),
      num(r.rolloutsToTarget.half),
      r.variant === "base (SFT)" ? "" : String(r.reached),
      num(r.hintedFraction.mean),
      num(r.hintedFraction.half),
      num(r.compression.mean),
      num(r.capabilityGain.mean),
      num(r.lost.mean),
      num(r.updates.mean),
    ].join(",")
  );
  return [header.join(","), ...lines].join("\n") + "\n";
}

/** `summary.md`: a table per tier, then how to read it. */
export function summaryMarkdown(report: AblationReport, title = "Ablation summary"): string {
  const out = [`# ${title}`, ""];
  out.push(
    `Held-out pass@1 and pass@${report.k} at the end of each run, mean ± 95% CI over seeds (Student's t). ` +
      `"to target": steps and completions sampled until held-out pass@1 first reached the target (unless the grid ` +
      `sets one: halfway from the base to the best variant's final mean; the base counts as step 0; mean over the ` +
      `seeds that reached it, how many in brackets). Gain split against the base at pass@${report.k}: ` +
      `compression = unsolved at pass@1 by the base but reachable at pass@${report.k}, then solved; capability gain = ` +
      `never solved by the base, then solved; lost = solved before, not after ("solved": half the samples or more). ` +
      `Under each tier: pass@k at the end for k = 1, 2, 4, … (mean over seeds; the base before RL) and the RL ` +
      `updates each variant made (an equal budget buys different numbers of them).`,
    "",
  );
  if (report.unfinished.length > 0) {
    out.push(`Not finished (left out): ${report.unfinished.join(", ")}.`, "");
  }
  for (const tier of report.tiers) {
    const target = report.targets[tier];
    const targetText = Number.isFinite(target) ? `target pass@1 ${target.toFixed(3)}` : "no variant beat the base";
    out.push(`## ${tier === "all" ? "All tiers" : `Tier ${tier}`} (${targetText})`);
    out.push("");
    out.push(
      `| variant | seeds | pass@1 | pass@${report.k} | steps to target | rollouts to target | hinted fraction | ` +
        `compression | capability gain | lost |`,
    );
    out.push("|---|---|---|---|---|---|---|---|---|---|");
    for (const r of report.rows.filter((row) => row.tier === tier)) {
      const base = r.variant === "base (SFT)";
      const reach = base ? "" : `${cell(r.stepsToTarget, 0)} (${r.reached}/${r.seeds})`;
      out.push(
        `| ${r.variant} | ${r.seeds} | ${cell(r.passAt1)} | ${cell(r.passAtK)} | ${reach} | ` +
          `${base ? "" : cell(r.rolloutsToTarget, 0)} | ${cell(r.hintedFraction, 2)} | ${cell(r.compression, 1)} | ` +
          `${cell(r.capabilityGain, 1)} | ${cell(r.lost, 1)} |`,
      );
    }
    out.push("");
    const before = report.before.find((b) => b.tier === tier)?.curve ?? [];
    const after = report.passk.filter((p) => p.tier === tier);
    const n = Math.max(before.length, ...after.map((a) => a.after.length));
    const ks = Array.from({ length: Math.floor(Math.log2(n)) + 1 }, (_, i) => 2 ** i).filter((kk) => kk <= n);
    if (ks.length > 1) {
      out.push(`| variant | updates | ${ks.map((kk) => `pass@${kk}`).join(" | ")} |`);
      out.push(`|---|---|${ks.map(() => "---|").join("")}`);
      const at = (points: { x: number; mean: number }[], kk: number) => {
        const point = points.find((p) => p.x === kk);
        return point ? point.mean.toFixed(3) : "";
      };
      if (before.length > 0) {
        const points = before.map((p) => ({ x: p.k, mean: p.passAtK }));
        out.push(`| base (SFT) |  | ${ks.map((kk) => at(points, kk)).join(" | ")} |`);
      }
      for (const curve of after) {
        const updates = report.rows.find((r) => r.variant === curve.variant && r.tier === tier)?.updates;
        out.push(
          `| ${curve.variant} | ${updates ? cell(updates, 0) : ""} | ${
            ks.map((kk) => at(curve.after, kk)).join(" | ")
          } |`,
        );
      }
      out.push("");
    }
  }
  return out.join("\n");
}
