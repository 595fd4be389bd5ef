/**
 * The statistics of an ablation's summary: mean ± 95% confidence interval over seeds (Student's t), and curves
 * averaged over seeds with their band.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { meanCi } from "./statistics.ts";
 * const { mean, half, n } = meanCi([0.2, 0.3, 0.4]); // t = 4.303 at 2 degrees of freedom, std 0.1
 * assert.deepEqual([mean.toFixed(3), half.toFixed(4), n], ["0.300", (4.303 * 0.1 / Math.sqrt(3)).toFixed(4), 3]);
 * ```
 *
 * @module
 */
import { mean as mathMean, std } from "mathjs";

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
  const at = (curve: { x: number; y: number }[], x: number) => {
    const i = curve.findIndex((p) => p.x >= x);
    if (i < 0) return NaN;
    if (curve[i].x === x || i === 0) return curve[i].y;
    const [a, b] = [curve[i - 1], curve[i]];
    return a.y + ((b.y - a.y) * (x - a.x)) / (b.x - a.x);
  };
  // Past a curve's end it has no value: the band there is over the curves that go on.
  return xs.map((x) => ({ x, ...meanCi(usable.map((c) => at(c, x)).filter(Number.isFinite)) }));
}
