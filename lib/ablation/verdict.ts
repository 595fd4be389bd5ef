/**
 * The verdict of an ablation, computed from its report (never written by hand): does each variant make the model
 * better overall, then per tier which variants differ from the base and from the reference variant (GRPO unless
 * the grid names another), which compressed pass@k, which forgot, and how many updates each made for the budget.
 * `summary.md` opens with it and the CLI prints it at the end of a run.
 *
 * Every comparison is a difference of means with its 95% interval and a p-value: Welch's t-test over seeds (the
 * base: over its independent evaluation draws, so its own noise counts), or a paired t-test by seed against the
 * reference when the grid says `summary.test: paired`. The p-values of all the verdict's comparisons form one family,
 * adjusted by Holm's method (or `summary.adjust`). A variant is **above** or **below** when the adjusted test rejects
 * "no difference" at `summary.alpha`; **≈** only when the equivalence test (TOST, adjusted the same way) rejects "the
 * difference lies outside ±margin" (`summary.equivalence`); otherwise **inconclusive**. A variant with fewer than
 * `summary.minSeeds` seeds, a base with one draw, or samples without spread are never called, and the text says why.
 * Compression is "above the base at pass@1 and below it at pass@k", forgetting "below the base at pass@1 on a tier
 * the base solves", both by these tests.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decide } from "./verdict.ts";
 * import { compare } from "./statistics.ts";
 * const d = compare([0.30, 0.32, 0.34], [0.20, 0.21, 0.19], { margin: 0.02 });
 * assert.equal(decide(d, d.p, d.pEquivalent, 0.05), "above");
 * const flat = compare([0.30, 0.31, 0.29], [0.30, 0.305, 0.295], { margin: 0.05 });
 * assert.equal(decide(flat, flat.p, flat.pEquivalent, 0.05), "≈");
 * ```
 *
 * @module
 */
import { type AblationReport, BASE_LABEL, isOverall, type RunValues, type SummaryRow } from "./report.ts";
import { adjust, compare, type Difference } from "./statistics.ts";

/** A tier is "easy" (falling below the base there is forgetting) when the base's pass@1 is at least this. */
export const EASY_TIER_PASS_AT_1 = 0.5;

/** What a comparison concludes. */
export type Call = "above" | "below" | "≈" | "inconclusive";

/** The metrics the verdict compares. */
export type Metric = "pass@1" | "pass@k" | "curve";

/** One comparison: a variant against the base or the reference, at a tier and metric, tested and decided. */
export interface Comparison {
  variant: string;
  /** The base's label, or the reference variant's. */
  against: string;
  tier: string;
  metric: Metric;
  difference: Difference;
  /** Adjusted across the verdict's family (NaN: not tested). */
  pAdjusted: number;
  pEquivalentAdjusted: number;
  call: Call;
  /** Why a comparison was not tested (too few seeds, one base draw, no spread). */
  why?: string;
}

/** Names of the variants each call holds, at one metric of one tier. */
export interface Moves {
  aboveBase: string[];
  belowBase: string[];
  equalBase: string[];
  aboveReference: string[];
  belowReference: string[];
  equalReference: string[];
}

/** What one tier shows. */
export interface TierVerdict {
  tier: string;
  /** The base's mean pass@1 over its draws (NaN without a base evaluation). */
  base: number;
  passAt1: Moves;
  passAtK: Moves;
  /** Variants below the base at pass@1 on a tier the base solves (pass@1 ≥ {@link EASY_TIER_PASS_AT_1}). */
  forgot: string[];
  /** Above the base at pass@1 and below it at pass@k, both by the adjusted tests. */
  compressed: string[];
}

/** The verdict: comparisons, per-tier reading, updates, and the text (a rule line, then one line a finding). */
export interface Verdict {
  comparisons: Comparison[];
  tiers: TierVerdict[];
  /** The reference variant when the grid has it. */
  reference?: string;
  updates: { variant: string; updates: number }[];
  /** How to read it: the tests, the adjustment and its family size, the margins. */
  rule: string;
  /** The overall score first, then one sentence per tier with a finding, the inconclusive, the updates. */
  findings: string[];
}

/** The verdict as Markdown: the rule, then the findings as a list. */
export function verdictMarkdown(v: Verdict): string {
  return [v.rule, "", ...v.findings.map((f) => `- ${f}`)].join("\n");
}

/**
 * The call of one tested difference: above or below when the adjusted p-value is under `alpha`, ≈ when the adjusted
 * equivalence p-value is, inconclusive otherwise (or without a test).
 */
export function decide(d: Difference, pAdjusted: number, pEquivalentAdjusted: number, alpha: number): Call {
  if (d.untestable || !Number.isFinite(pAdjusted)) return "inconclusive";
  if (pAdjusted < alpha) return d.estimate > 0 ? "above" : "below";
  if (pEquivalentAdjusted < alpha) return "≈";
  return "inconclusive";
}

const METRIC_VALUE: Record<Metric, (v: RunValues) => number> = {
  "pass@1": (v) => v.passAt1,
  "pass@k": (v) => v.passAtK,
  curve: (v) => v.curveMean,
};

/** Every comparison the verdict makes, tested but not yet adjusted. */
function plannedComparisons(report: AblationReport): Omit<Comparison, "pAdjusted" | "pEquivalentAdjusted" | "call">[] {
  const { settings } = report;
  const planned: Omit<Comparison, "pAdjusted" | "pEquivalentAdjusted" | "call">[] = [];
  const margin = (
    metric: Metric,
  ) => (metric === "pass@k" ? settings.equivalence.passAtK : settings.equivalence.passAt1);
  for (const tier of report.tiers) {
    const rows = report.rows.filter((r) => r.tier === tier);
    const base = rows.find((r) => r.variant === BASE_LABEL);
    const variants = rows.filter((r) => r.variant !== BASE_LABEL && r.seeds > 0);
    const reference = variants.find((r) => r.variant === settings.reference);
    // The learning curve's mean over the budget: on the trained tiers, against the reference (the base has no curve).
    const trained = tier === "trained" || report.trainedTiers.includes(tier);
    for (const row of variants) {
      const against = (other: SummaryRow, metric: Metric, method: "welch" | "paired") => {
        const values = (r: SummaryRow) => r.perRun.map(METRIC_VALUE[metric]);
        let a = values(row);
        let b = values(other);
        if (method === "paired") {
          // Pairs by seed: the seeds both ran.
          const bySeed = new Map(other.perRun.map((v) => [v.seed, METRIC_VALUE[metric](v)]));
          const shared = row.perRun.filter((v) => bySeed.has(v.seed));
          a = shared.map(METRIC_VALUE[metric]);
          b = shared.map((v) => bySeed.get(v.seed)!);
        }
        const difference = compare(a, b, { method, margin: margin(metric) });
        // Seeds count on each side that is a variant (the values the test keeps; paired: the shared seeds).
        const fewest = Math.min(...(other === base ? [difference.n[0]] : difference.n));
        const few = fewest < settings.minSeeds ? `${fewest} seeds (fewer than ${settings.minSeeds})` : undefined;
        const oneDraw = other === base && base.seeds < 2
          ? `the base was evaluated ${base.seeds} time${
            base.seeds === 1 ? "" : "s"
          } (summary.baseDraws ≥ 2 gives it error bars)`
          : undefined;
        const why = few ?? oneDraw ?? difference.untestable;
        planned.push({ variant: row.variant, against: other.variant, tier, metric, difference, why });
      };
      if (base) { for (const metric of ["pass@1", "pass@k"] as const) against(base, metric, "welch"); }
      if (reference && row !== reference) {
        for (const metric of ["pass@1", "pass@k"] as const) against(reference, metric, settings.test);
        if (trained) against(reference, "curve", settings.test);
      }
    }
  }
  return planned;
}

/** The comparisons of `report`, tested, adjusted across the family and decided. */
export function comparisons(report: AblationReport): Comparison[] {
  const planned = plannedComparisons(report);
  const { adjust: method, alpha } = report.settings;
  const tested = (c: typeof planned[number], p: number) => (c.why ? NaN : p);
  const pAdjusted = adjust(planned.map((c) => tested(c, c.difference.p)), method);
  const pEquivalentAdjusted = adjust(planned.map((c) => tested(c, c.difference.pEquivalent)), method);
  return planned.map((c, i) => ({
    ...c,
    pAdjusted: pAdjusted[i],
    pEquivalentAdjusted: pEquivalentAdjusted[i],
    call: c.why ? "inconclusive" : decide(c.difference, pAdjusted[i], pEquivalentAdjusted[i], alpha),
  }));
}

/** Who got which call at one metric of one tier. */
function moves(found: Comparison[], tier: string, metric: Metric, reference?: string): Moves {
  const at = found.filter((c) => c.tier === tier && c.metric === metric);
  const names = (against: (c: Comparison) => boolean, call: Call) =>
    at.filter((c) => against(c) && c.call === call).map((c) => c.variant);
  const vsBase = (c: Comparison) => c.against === BASE_LABEL;
  const vsReference = (c: Comparison) => reference !== undefined && c.against === reference;
  return {
    aboveBase: names(vsBase, "above"),
    belowBase: names(vsBase, "below"),
    equalBase: names(vsBase, "≈"),
    aboveReference: names(vsReference, "above"),
    belowReference: names(vsReference, "below"),
    equalReference: names(vsReference, "≈"),
  };
}

/** A call as the overall sentence says it before "the base" or a variant's name. */
const callText = (
  c: Comparison,
) => (c.why ? "not tested against" : c.call === "inconclusive" ? "inconclusive against" : c.call);

const signed = (x: number, digits = 3) => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(digits)}`;

/** A difference as the text gives it: `+0.057 [0.012, 0.102], p = 0.031` (the adjusted p). */
export function differenceText(c: Comparison, digits = 3): string {
  const d = c.difference;
  if (c.why) return signed(d.estimate, digits);
  const p = c.pAdjusted < 0.001 ? "p < 0.001" : `p = ${c.pAdjusted.toFixed(3)}`;
  const interval = `[${signed(d.low, digits)}, ${signed(d.high, digits)}]`;
  const eq = c.call === "≈" ? `, within ±${d.margin} (TOST p = ${c.pEquivalentAdjusted.toFixed(3)})` : "";
  return `${signed(d.estimate, digits)} ${interval}, ${p}${eq}`;
}

/** The verdict of `report`. */
export function verdict(report: AblationReport): Verdict {
  const { settings, k } = report;
  const found = comparisons(report);
  const variantNames = [
    ...new Set(report.rows.filter((r) => r.variant !== BASE_LABEL && r.seeds > 0).map((r) => r.variant)),
  ];
  const reference = variantNames.includes(settings.reference) ? settings.reference : undefined;
  const metricName = (m: Metric) => (m === "pass@k" ? `pass@${k}` : m === "curve" ? "curve mean pass@1" : m);
  const find = (variant: string, against: string, tier: string, metric: Metric) =>
    found.find((c) => c.variant === variant && c.against === against && c.tier === tier && c.metric === metric);
  const row = (variant: string, tier: string) => report.rows.find((r) => r.variant === variant && r.tier === tier);

  const tiers: TierVerdict[] = report.tiers.map((tier) => {
    const passAt1 = moves(found, tier, "pass@1", reference);
    const passAtK = moves(found, tier, "pass@k", reference);
    const base = row(BASE_LABEL, tier)?.passAt1.mean ?? NaN;
    return {
      tier,
      base,
      passAt1,
      passAtK,
      // Forgetting is about what RL did not train on: an easy tier outside the trained ones.
      forgot: !isOverall(tier) && !report.trainedTiers.includes(tier) && base >= EASY_TIER_PASS_AT_1
        ? passAt1.belowBase
        : [],
      compressed: passAt1.aboveBase.filter((v) => passAtK.belowBase.includes(v)),
    };
  });

  // The overall score first: does each variant make the model better overall?
  const findings: string[] = [];
  for (const tier of ["all", "trained"]) {
    if (!report.tiers.includes(tier)) continue;
    const label = tier === "all"
      ? "Overall (all tiers, macro)"
      : `Trained tiers (${report.trainedTiers.join(", ")}, macro)`;
    const parts = variantNames.map((variant) => {
      const said = (["pass@1", "pass@k"] as const).map((m) => {
        const vsBase = find(variant, BASE_LABEL, tier, m);
        const vsRef = reference && variant !== reference ? find(variant, reference, tier, m) : undefined;
        const bits = [vsBase && `${callText(vsBase)} the base (${differenceText(vsBase)})`];
        if (vsRef) bits.push(`${callText(vsRef)} ${reference} (${differenceText(vsRef)})`);
        return `${metricName(m)} ${bits.filter(Boolean).join("; ")}`;
      });
      const r = row(variant, tier);
      const gained = r ? r.compression.mean + r.capabilityGain.mean : NaN;
      const split = Number.isFinite(gained) ? ` (gained ${gained.toFixed(1)}, lost ${r!.lost.mean.toFixed(1)})` : "";
      const net = r && Number.isFinite(r.net.mean)
        ? `; net ${signed(r.net.mean, 1)}${
          Number.isFinite(r.net.half) ? ` ± ${r.net.half.toFixed(1)}` : ""
        } problems${split}`
        : "";
      return `**${variant}**: ${said.join("; ")}${net}`;
    });
    if (parts.length > 0) findings.push(`${label}: ${parts.join(". ")}.`);
  }

  // Then what each data tier shows.
  const quiet: string[] = [];
  for (const t of tiers.filter((t) => !isOverall(t.tier))) {
    const parts: string[] = [];
    for (const metric of ["pass@1", "pass@k"] as const) {
      const m = metric === "pass@1" ? t.passAt1 : t.passAtK;
      const listed = (variants: string[], against: string) =>
        variants.map((v) => `${v} (${differenceText(find(v, against, t.tier, metric)!)})`).join(", ");
      const forgot = metric === "pass@1" ? t.forgot : [];
      const below = m.belowBase.filter((v) => !forgot.includes(v));
      const name = metricName(metric);
      if (m.aboveBase.length > 0) parts.push(`${name} above the base: ${listed(m.aboveBase, BASE_LABEL)}`);
      if (below.length > 0) parts.push(`${name} below the base: ${listed(below, BASE_LABEL)}`);
      if (forgot.length > 0) {
        parts.push(`forgot (${name} below a base at ${t.base.toFixed(3)}): ${listed(forgot, BASE_LABEL)}`);
      }
      if (reference) {
        if (m.aboveReference.length > 0) {
          parts.push(`${name} above ${reference}: ${listed(m.aboveReference, reference)}`);
        }
        if (m.belowReference.length > 0) {
          parts.push(`${name} below ${reference}: ${listed(m.belowReference, reference)}`);
        }
        if (m.equalReference.length > 0) parts.push(`${name} ≈ ${reference}: ${listed(m.equalReference, reference)}`);
      }
    }
    if (reference && (t.tier === "trained" || report.trainedTiers.includes(t.tier))) {
      const curve = found.filter((c) => c.tier === t.tier && c.metric === "curve" && c.call !== "inconclusive");
      if (curve.length > 0) {
        parts.push(
          `learning curve (mean pass@1 over ${report.curveEnd} completions) against ${reference}: ${
            curve.map((c) => `${c.variant} ${c.call} (${differenceText(c)})`).join(", ")
          }`,
        );
      }
    }
    if (t.compressed.length > 0) {
      parts.push(`compressed pass@k (above the base at pass@1, below it at pass@${k}): ${t.compressed.join(", ")}`);
    }
    if (parts.length > 0) findings.push(`Tier ${t.tier}: ${parts.join("; ")}.`);
    else quiet.push(t.tier);
  }
  if (quiet.length > 0) {
    findings.push(
      `Nothing established on tier ${quiet.join(", ")}: no test rejected there (inconclusive or untested, see the ` +
        `comparisons), which is not evidence of no difference.`,
    );
  }

  // What could not be decided, said once per reason.
  const inconclusive = found.filter((c) => c.call === "inconclusive");
  const untested = new Map<string, number>();
  for (const c of inconclusive.filter((c) => c.why)) untested.set(c.why!, (untested.get(c.why!) ?? 0) + 1);
  const untestedCount = [...untested.values()].reduce((a, b) => a + b, 0);
  const open = inconclusive.length - untestedCount;
  if (open > 0) {
    findings.push(
      `Inconclusive (neither a difference nor equivalence within the margin): ${open} of the ${
        found.length - untestedCount
      } tested comparisons.`,
    );
  }
  for (const [why, count] of untested) findings.push(`Not tested (${count} comparisons): ${why}.`);

  const updates = report.rows.filter((r) => r.tier === "all" && r.variant !== BASE_LABEL)
    .map((r) => ({ variant: r.variant, updates: r.updates.mean }));
  if (updates.length > 0) {
    const each = updates.map((u) => `${u.variant} ${Number.isFinite(u.updates) ? u.updates.toFixed(0) : "–"}`);
    findings.push(`Updates for the budget: ${each.join(", ")}.`);
  }
  const baseDraws = report.rows.find((r) => r.variant === BASE_LABEL)?.seeds ?? 0;
  const tested = found.filter((c) => !c.why).length;
  const methodName = settings.test === "paired" ? "a paired t-test by seed" : "Welch's t-test over seeds";
  const adjustName =
    { holm: "Holm", bonferroni: "Bonferroni", bh: "Benjamini–Hochberg", by: "Benjamini–Yekutieli", none: "no" }[
      settings.adjust
    ];
  const rule = `**Verdict**, computed from the tables below (held-out pass@1 and pass@${k} at the end). Each ` +
    `comparison is a difference of means with its 95% interval: against the base by Welch's t-test over seeds and ` +
    `the base's ${baseDraws} independent evaluation draw${baseDraws === 1 ? "" : "s"}; against ${
      reference ?? "the reference variant (none in this grid)"
    } by ${methodName}. ${adjustName} adjustment across the verdict's ${tested} tested comparisons (${
      found.length - tested
    } more could not be tested); "above"/"below": ` +
    `adjusted p < ${settings.alpha}; "≈": equivalent by TOST within ±${settings.equivalence.passAt1} (pass@1) or ` +
    `±${settings.equivalence.passAtK} (pass@${k}), adjusted likewise; "inconclusive": neither. Differences need ` +
    `${settings.minSeeds} seeds. "Forgot": below the base at pass@1 on a tier RL did not train on where the base's pass@1 is ` +
    `${EASY_TIER_PASS_AT_1} or more; "compressed": above the base at pass@1 and below it at pass@${k}. ` +
    `p-values shown are adjusted; the 95% intervals are not (an interval clear of 0 beside an inconclusive ` +
    `call is a difference that does not survive the adjustment).`;
  return { comparisons: found, tiers, reference, updates, rule, findings };
}
