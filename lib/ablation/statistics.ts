/**
 * The statistics of an ablation's summary, from `@stdlib` (never hand tables): mean ± 95% confidence interval over
 * seeds (Student's t), the difference of two groups' means with its interval and p-value (Welch's t-test, or a
 * paired t-test by seed), the equivalence test (TOST) at a declared margin, p-values adjusted across a family of
 * comparisons (Holm by default), and curves averaged over seeds with their band.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compare, meanCi } from "./statistics.ts";
 * const { mean, half, n } = meanCi([0.2, 0.3, 0.4]); // t = 4.3027 at 2 degrees of freedom, std 0.1
 * assert.deepEqual([mean.toFixed(3), half.toFixed(4), n], ["0.300", (4.302653 * 0.1 / Math.sqrt(3)).toFixed(4), 3]);
 * const d = compare([0.30, 0.32, 0.34], [0.20, 0.21, 0.19], { margin: 0.02 });
 * assert.equal(d.estimate.toFixed(2), "0.12");
 * assert.ok(d.p < 0.01 && d.pEquivalent > 0.5); // clearly different, clearly not within ±0.02
 * ```
 *
 * @module
 */
import { mean as mathMean, std } from "mathjs";
import tQuantile from "@stdlib/stats-base-dists-t-quantile";
import ttest from "@stdlib/stats-ttest";
import ttest2 from "@stdlib/stats-ttest2";
import padjust from "@stdlib/stats-padjust";

/** The t quantile for a two-sided 95% interval with `df` degrees of freedom. */
export function tQuantile95(df: number): number {
  return df >= 1 ? tQuantile(0.975, df) : NaN;
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

/** How two groups of values are compared: Welch's t-test (independent groups), or a paired t-test (by seed). */
export type TestMethod = "welch" | "paired";

/** How {@link compare} tests. */
export interface CompareOptions {
  /** Default `welch`. `paired` needs two arrays of one length, element i of each from the same seed. */
  method?: TestMethod;
  /** Equivalence margin: TOST tests that the difference lies within ±margin (no margin: no equivalence test). */
  margin?: number;
}

/** The difference of two groups' means: estimate, 95% interval, p-values (unadjusted), or why there is no test. */
export interface Difference {
  /** mean(a) − mean(b). */
  estimate: number;
  /** The difference's two-sided 95% interval (unadjusted). */
  low: number;
  high: number;
  /** Two-sided p-value of "no difference". */
  p: number;
  /** TOST p-value of "the difference lies outside ±margin" (the larger one-sided p; NaN without a margin). */
  pEquivalent: number;
  margin: number;
  df: number;
  method: TestMethod;
  n: [number, number];
  /** Why no test was made (too few values, no spread): then p and pEquivalent are NaN. */
  untestable?: string;
}

const finite = (xs: number[]) => xs.filter((v) => Number.isFinite(v));
const variance = (xs: number[]) => (xs.length > 1 ? Number(std(xs)) ** 2 : NaN);

/**
 * Compare `a` with `b`: the difference of their means with its 95% interval and two-sided p-value, and the TOST
 * p-value at `options.margin`. Welch's test needs two values a side, the paired test two pairs; neither can test
 * samples without spread (every value equal on both sides, or every paired difference equal), which it says.
 */
export function compare(a: number[], b: number[], options: CompareOptions = {}): Difference {
  const method = options.method ?? "welch";
  const margin = options.margin ?? NaN;
  const xs = method === "paired" ? a : finite(a);
  const ys = method === "paired" ? b : finite(b);
  if (method === "paired" && xs.length !== ys.length) {
    throw new Error(`paired test: ${xs.length} values against ${ys.length} (pair them by seed)`);
  }
  const none = (why: string): Difference => ({
    estimate: xs.length > 0 && ys.length > 0 ? Number(mathMean(xs)) - Number(mathMean(ys)) : NaN,
    low: NaN,
    high: NaN,
    p: NaN,
    pEquivalent: NaN,
    margin,
    df: NaN,
    method,
    n: [xs.length, ys.length],
    untestable: why,
  });
  /** The result of a test `run(alternative, shift)` of "mean(a) − mean(b) = shift" (both libraries' results). */
  const tested = (
    run: (alternative?: "greater" | "less", shift?: number) => { pValue: number; ci: number[]; df: number },
    estimate: number,
  ): Difference => {
    const two = run();
    // TOST: reject "difference ≤ −margin" and "difference ≥ +margin"; the larger one-sided p decides.
    const pEquivalent = Number.isFinite(margin)
      ? Math.max(run("greater", -margin).pValue, run("less", margin).pValue)
      : NaN;
    return {
      estimate,
      low: two.ci[0],
      high: two.ci[1],
      p: two.pValue,
      pEquivalent,
      margin,
      df: two.df,
      method,
      n: [xs.length, ys.length],
    };
  };
  if (method === "paired") {
    const d = xs.map((x, i) => x - ys[i]);
    if (d.some((v) => !Number.isFinite(v))) return none("a pair without a value");
    if (d.length < 2) return none(`${d.length} pair${d.length === 1 ? "" : "s"}: a paired test needs 2`);
    if (!(variance(d) > 0)) return none("every paired difference is the same: no spread to test against");
    const run = (alternative?: "greater" | "less", mu = 0) => ttest(xs, ys, alternative ? { alternative, mu } : {});
    return tested(run, Number(mathMean(d)));
  }
  if (xs.length < 2 || ys.length < 2) {
    return none(`${xs.length} against ${ys.length} values: Welch's test needs 2 a side`);
  }
  if (!(variance(xs) > 0) && !(variance(ys) > 0)) return none("no spread on either side: nothing to test against");
  const run = (alternative?: "greater" | "less", difference = 0) =>
    ttest2(xs, ys, { variance: "unequal", ...(alternative ? { alternative, difference } : {}) });
  const two = run();
  return tested(run, two.xmean - two.ymean);
}

/** Multiple-comparison adjustments (`@stdlib/stats-padjust`'s methods, and none). */
export const ADJUST_METHODS = ["holm", "bonferroni", "bh", "by", "none"] as const;
export type AdjustMethod = typeof ADJUST_METHODS[number];

/** `p` adjusted across its family by `method`; NaN entries (no test) stay NaN and are not counted in the family. */
export function adjust(p: number[], method: AdjustMethod = "holm"): number[] {
  const tested = p.map((v, i) => ({ v, i })).filter(({ v }) => Number.isFinite(v));
  const out = p.map(() => NaN);
  if (tested.length === 0) return out;
  const adjusted = method === "none" ? tested.map(({ v }) => v) : padjust(tested.map(({ v }) => v), method);
  tested.forEach(({ i }, j) => out[i] = adjusted[j]);
  return out;
}

/** A point of a curve with its spread over seeds. */
export interface CurvePoint {
  x: number;
  mean: number;
  half: number;
  n: number;
}

/**
 * Mean and CI at each x over seeds, each seed's curve linearly interpolated: where every seed has data (`shortest`,
 * the default: learning curves compare like with like), or on to the longest curve's end with the band over the
 * seeds that go on (`longest`: per-step quantities of runs that end at different steps).
 */
export function bandOver(
  curves: { x: number; y: number }[][],
  options: { through?: "shortest" | "longest" } = {},
): CurvePoint[] {
  const usable = curves.filter((c) => c.length > 0);
  if (usable.length === 0) return [];
  const ends = usable.map((c) => c[c.length - 1].x);
  const end = options.through === "longest" ? Math.max(...ends) : Math.min(...ends);
  const xs = [...new Set(usable.flatMap((c) => c.map((p) => p.x)))].filter((x) => x <= end).sort((a, b) => a - b);
  // Past a curve's end it has no value: the band there is over the curves that go on.
  return xs.map((x) => ({ x, ...meanCi(usable.map((c) => interpolate(c, x)).filter(Number.isFinite)) }));
}

/** A curve's value at `x` (linear between its points; its first value before its start; NaN past its end). */
export function interpolate(curve: { x: number; y: number }[], x: number): number {
  const i = curve.findIndex((p) => p.x >= x);
  if (i < 0) return NaN;
  if (curve[i].x === x || i === 0) return curve[i].y;
  const [a, b] = [curve[i - 1], curve[i]];
  return a.y + ((b.y - a.y) * (x - a.x)) / (b.x - a.x);
}

/**
 * The area under a curve from its start to `end`, divided by the span (the curve's mean height over it: a pass@1
 * averaged over the budget), by the trapezoid rule; NaN when the curve does not reach `end`.
 */
export function meanHeight(curve: { x: number; y: number }[], end: number): number {
  if (curve.length === 0 || curve[curve.length - 1].x < end) return NaN;
  const start = curve[0].x;
  if (!(end > start)) return NaN;
  const points = [...curve.filter((p) => p.x < end), { x: end, y: interpolate(curve, end) }];
  let area = 0;
  for (let i = 1; i < points.length; i++) area += (points[i].x - points[i - 1].x) * (points[i].y + points[i - 1].y) / 2;
  return area / (end - start);
}
