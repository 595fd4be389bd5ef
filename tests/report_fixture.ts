// A report built from per-run values (what `ablationReport` computes from saved runs), for the verdict, summary and
// cross-domain tests: each row's mean ± CI is computed from its runs' values, as the report does.
import type { AblationReport, RunValues, SummaryRow } from "../lib/ablation/report.ts";
import { meanCi } from "../lib/ablation/statistics.ts";
import { SUMMARY_SCHEMA, type SummarySettings } from "../lib/ablation/grid.ts";
import { resolve } from "../lib/config/validate.ts";

/** Per run (the base: per draw) pass@1 and pass@k, optionally the net problems and the curve mean. */
export interface Values {
  at1: number[];
  atK: number[];
  net?: number[];
  curve?: number[];
}

const BASE = "base (SFT)";

/** A row from per-run values (the base's values are its evaluation draws). */
export function rowOf(variant: string, tier: string, v: Values, updates = NaN): SummaryRow {
  const base = variant === BASE;
  const perRun: RunValues[] = v.at1.map((at1, i) => ({
    run: base ? `base-draw-${i}` : `${variant}-s${i}`,
    seed: base ? null : i,
    draw: base ? i : null,
    passAt1: at1,
    passAtK: v.atK[i],
    gained: NaN,
    lost: NaN,
    net: v.net?.[i] ?? NaN,
    curveMean: v.curve?.[i] ?? NaN,
    updates,
    completions: 96,
  }));
  const of = (f: (r: RunValues) => number) => meanCi(perRun.map(f));
  const nan = meanCi([]);
  return {
    variant,
    tier,
    seeds: perRun.length,
    passAt1: of((r) => r.passAt1),
    passAtK: of((r) => r.passAtK),
    stepsToTarget: nan,
    rolloutsToTarget: nan,
    reached: 0,
    hintedFraction: nan,
    updates: of((r) => r.updates),
    compression: nan,
    capabilityGain: nan,
    lost: nan,
    net: of((r) => r.net),
    curveMean: of((r) => r.curveMean),
    perRun,
  };
}

/** The summary settings with `changes` (the schema's defaults otherwise). */
export function settingsOf(changes: Record<string, unknown> = {}): SummarySettings {
  return resolve(SUMMARY_SCHEMA, changes, { file: "test.yaml" }) as SummarySettings;
}

/** A report of `tiers` → variant → values (k = 4 unless said; trained tiers "3"). */
export function reportOf(
  tiers: Record<string, Record<string, Values>>,
  options: { k?: number; settings?: Record<string, unknown>; trained?: string[]; updates?: Record<string, number> } =
    {},
): AblationReport {
  const rows = Object.entries(tiers).flatMap(([tier, variants]) =>
    Object.entries(variants).map(([variant, v]) => rowOf(variant, tier, v, options.updates?.[variant] ?? NaN))
  );
  return {
    k: options.k ?? 4,
    settings: settingsOf(options.settings),
    base: "sft-test",
    domain: "math",
    trainedTiers: options.trained ?? ["3"],
    curveEnd: 96,
    curveNoise: [],
    targets: {},
    tiers: Object.keys(tiers),
    rows,
    curves: [],
    passk: [],
    before: [],
    hinted: [],
    unfinished: [],
  };
}
