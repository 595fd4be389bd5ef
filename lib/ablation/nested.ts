/**
 * The verdict across SFT bases: a grid that lists several base seeds (`sft: { seed: [0, 1, 2] }`) runs every variant
 * from each base, and its runs are **nested in bases** — seeds of one base share that base's quirks, so they are not
 * independent replicates of the method. The test here is the two-stage one for a balanced nested design: each base's
 * mean over its seeds first (the per-base reports, `gridsByBase`), then a **paired t-test over bases** (pairs: the two
 * variants' means on one base, or a variant's and its base's), with B − 1 degrees of freedom. Base-to-base spread is
 * then the noise a difference must clear, as it must for a claim about the method rather than about one base.
 *
 * Every comparison (each variant against its base and against the reference, at each measure) forms one family,
 * adjusted by `summary.adjust` (Holm); the calls are those of the one-base verdict (`decide`: above, below, ≈ by
 * TOST within the margin, or inconclusive). A finding is **replicated** only when the across-bases test decides it
 * and the difference has the same sign on every base; decided with a base against it, it is said so.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nestedVerdict } from "./nested.ts";
 * import { BASE_LABEL } from "./report.ts";
 * const base = (b: number, g: number, r: number) => ({
 *   base: `b${b}`,
 *   seeds: 3,
 *   means: { [BASE_LABEL]: { "all pass@1": b }, guide: { "all pass@1": g }, grpo: { "all pass@1": r } },
 * });
 * const v = nestedVerdict([base(0.40, 0.50, 0.41), base(0.30, 0.41, 0.30), base(0.35, 0.44, 0.36)], {
 *   reference: "grpo",
 *   adjust: "holm",
 *   alpha: 0.05,
 *   equivalence: { passAt1: 0.02, passAtK: 0.05 },
 * });
 * const up = v.comparisons.find((c) => c.variant === "guide" && c.against === BASE_LABEL)!;
 * assert.deepEqual([up.call, up.replicated, up.perBase.map((d) => d.toFixed(2))], ["above", true, ["0.10", "0.11", "0.09"]]);
 * ```
 *
 * @module
 */
import type { EvaluationRecord } from "../rl/run.ts";
import { passAtKCurve } from "../metrics/gains.ts";
import { type AblationReport, BASE_LABEL, isOverall, pooledCounts } from "./report.ts";
import { adjust, type AdjustMethod, compare, type Difference, meanCi } from "./statistics.ts";
import { type Call, decide, EASY_TIER_PASS_AT_1 } from "./verdict.ts";

/** One base's means over its seeds: per variant (and {@link BASE_LABEL}, the base itself), per measure key. */
export interface BaseMeans {
  /** The base's id. */
  base: string;
  /** Finished seeds per variant on this base (the fewest). */
  seeds: number;
  means: Record<string, Record<string, number>>;
}

/** A measure the verdict across bases compares. */
export interface Measure {
  key: string;
  /** How the table's header says it. */
  label: string;
  /**
   * Against the base: `difference` (variant − base, per base), `itself` (the value is already a change from the
   * base, tested against 0), `none` (not compared with the base).
   */
  vsBase: "difference" | "itself" | "none";
  /** Compared with the reference variant. */
  vsReference: boolean;
  /** The equivalence margin (NaN: no equivalence test). */
  margin: number;
}

/** How the verdict across bases tests (the grid's `summary` settings it reads). */
export interface NestedSettings {
  reference: string;
  /** Further pairs of variants compared at every measure compared with the reference (`summary.contrasts`). */
  contrasts?: [string, string][];
  adjust: AdjustMethod;
  alpha: number;
  equivalence: { passAt1: number; passAtK: number };
}

/** One comparison across bases. */
export interface NestedComparison {
  variant: string;
  /** {@link BASE_LABEL} or the reference variant. */
  against: string;
  measure: string;
  /** The difference on each base (variant − other), in the order of the bases. */
  perBase: number[];
  /** The paired t-test over bases. */
  difference: Difference;
  pAdjusted: number;
  pEquivalentAdjusted: number;
  call: Call;
  /** Bases whose difference has the sign of the mean difference. */
  agreeing: number;
  /** Decided (above or below) and the same sign on every base. */
  replicated: boolean;
  /** Why it was not tested. */
  why?: string;
}

/** The verdict across bases. */
export interface NestedVerdict {
  bases: string[];
  /** The fewest finished seeds of any variant on any base. */
  seeds: number;
  variants: string[];
  reference?: string;
  measures: Measure[];
  comparisons: NestedComparison[];
  /** Per variant and measure: the mean over bases (each base's mean over its seeds) and its 95% interval. */
  pooled: Record<string, Record<string, { mean: number; half: number; n: number }>>;
  rule: string;
  findings: string[];
}

/** The capability tier of a report: the highest tier RL trained on. */
export function capabilityTier(report: AblationReport): string | undefined {
  const tiers = report.trainedTiers.map(Number).filter(Number.isFinite);
  return tiers.length > 0 ? String(Math.max(...tiers)) : undefined;
}

/**
 * pass@k on a subset of a tier's problems (`ids`), the evaluations' counts pooled problem by problem (one run's final
 * evaluation, or the base's draws together); NaN when the subset has no problem there.
 */
export function subsetPassAtK(records: EvaluationRecord[], tier: string, ids: Set<string>, k: number): number {
  const subset = [...pooledCounts(records, tier, [])].filter(([id]) => ids.has(id)).map(([, c]) => c);
  return subset.length > 0 ? passAtKCurve(subset, [k])[0].passAtK : NaN;
}

/**
 * One base's means for the verdict across bases, from its report and the final test evaluations: overall pass@1 and
 * pass@k, net problems, the capability tier's pass@k on its seen-fact and novel-fact problems (recall and transfer:
 * `novel` holds the test problems whose `value` hint's fact no training example states), pass@1 on the tiers RL did
 * not train where the base solves half or more (forgetting), the trained tiers' curve mean and the updates.
 */
export function baseMeansOf(
  report: AblationReport,
  finals: { variant: string; records: EvaluationRecord[] }[],
  baseDraws: EvaluationRecord[],
  novel: Set<string>,
): BaseMeans {
  const row = (variant: string, tier: string) => report.rows.find((r) => r.variant === variant && r.tier === tier);
  const cap = capabilityTier(report);
  const baseRow = (tier: string) => row(BASE_LABEL, tier)?.passAt1.mean ?? NaN;
  const easy = report.tiers.filter((t) =>
    !isOverall(t) && !report.trainedTiers.includes(t) && baseRow(t) >= EASY_TIER_PASS_AT_1
  );
  const easyMean = (variant: string) =>
    easy.length > 0 ? easy.reduce((s, t) => s + (row(variant, t)?.passAt1.mean ?? NaN), 0) / easy.length : NaN;
  const seen = (records: EvaluationRecord[]) => {
    const ids = new Set(records.flatMap((r) => Object.keys(r.tiers[cap ?? ""]?.correct ?? {})));
    return new Set([...ids].filter((id) => !novel.has(id)));
  };
  const reach = (records: EvaluationRecord[][], subset: "recall" | "transfer") => {
    if (!cap) return NaN;
    const values = records.map((r) => subsetPassAtK(r, cap, subset === "transfer" ? novel : seen(r), report.k));
    return meanCi(values).mean;
  };
  const means: BaseMeans["means"] = {
    [BASE_LABEL]: {
      "all pass@1": row(BASE_LABEL, "all")?.passAt1.mean ?? NaN,
      "all pass@k": row(BASE_LABEL, "all")?.passAtK.mean ?? NaN,
      "reach recall": reach([baseDraws], "recall"),
      "reach transfer": reach([baseDraws], "transfer"),
      "untrained pass@1": easyMean(BASE_LABEL),
    },
  };
  let seeds = Infinity;
  for (const { variant, records } of finals) {
    const all = row(variant, "all");
    seeds = Math.min(seeds, all?.seeds ?? 0);
    means[variant] = {
      "all pass@1": all?.passAt1.mean ?? NaN,
      "all pass@k": all?.passAtK.mean ?? NaN,
      net: all?.net.mean ?? NaN,
      "reach recall": reach(records.map((r) => [r]), "recall"),
      "reach transfer": reach(records.map((r) => [r]), "transfer"),
      "untrained pass@1": easyMean(variant),
      curve: row(variant, "trained")?.curveMean.mean ?? NaN,
      updates: all?.updates.mean ?? NaN,
    };
  }
  return { base: report.base, seeds: Number.isFinite(seeds) ? seeds : 0, means };
}

/** The measures of the across-bases verdict, those present in the means. */
export function measuresOf(k: number, equivalence: NestedSettings["equivalence"], capabilityTier?: string): Measure[] {
  const cap = capabilityTier ?? "?";
  const all: Measure[] = [
    {
      key: "all pass@1",
      label: "overall pass@1",
      vsBase: "difference",
      vsReference: true,
      margin: equivalence.passAt1,
    },
    {
      key: "all pass@k",
      label: `overall pass@${k}`,
      vsBase: "difference",
      vsReference: true,
      margin: equivalence.passAtK,
    },
    { key: "net", label: "net problems", vsBase: "itself", vsReference: true, margin: NaN },
    {
      key: "reach recall",
      label: `tier ${cap} pass@${k}, seen facts`,
      vsBase: "difference",
      vsReference: true,
      margin: equivalence.passAtK,
    },
    {
      key: "reach transfer",
      label: `tier ${cap} pass@${k}, novel facts`,
      vsBase: "difference",
      vsReference: true,
      margin: equivalence.passAtK,
    },
    {
      key: "untrained pass@1",
      label: "untrained easy tiers pass@1",
      vsBase: "difference",
      vsReference: true,
      margin: equivalence.passAt1,
    },
    { key: "curve", label: "curve mean pass@1", vsBase: "none", vsReference: true, margin: equivalence.passAt1 },
    { key: "updates", label: "updates", vsBase: "none", vsReference: false, margin: NaN },
  ];
  return all;
}

const signed = (x: number, digits = 3) => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(digits)}`;

/** The verdict across `bases` (each base's means over its seeds), tested as {@link NestedSettings} say. */
export function nestedVerdict(
  bases: BaseMeans[],
  settings: NestedSettings,
  measures: Measure[] = measuresOf(16, settings.equivalence),
): NestedVerdict {
  const variants = [
    ...new Set(bases.flatMap((b) => Object.keys(b.means)).filter((v) => v !== BASE_LABEL)),
  ];
  const reference = variants.includes(settings.reference) ? settings.reference : undefined;
  const present = measures.filter((m) =>
    bases.some((b) => Object.values(b.means).some((row) => Number.isFinite(row[m.key])))
  );
  const value = (b: BaseMeans, variant: string, key: string) => b.means[variant]?.[key] ?? NaN;
  const planned: Omit<NestedComparison, "pAdjusted" | "pEquivalentAdjusted" | "call" | "replicated">[] = [];
  for (const variant of variants) {
    for (const m of present) {
      const against = (other: string | null) => {
        const a = bases.map((b) => value(b, variant, m.key));
        const b = bases.map((base) => (other === null ? 0 : value(base, other, m.key)));
        const perBase = a.map((x, i) => x - b[i]);
        const difference = compare(a, b, { method: "paired", margin: m.margin });
        const sign = Math.sign(difference.estimate);
        planned.push({
          variant,
          against: other ?? BASE_LABEL,
          measure: m.key,
          perBase,
          difference,
          agreeing: perBase.filter((d) => Math.sign(d) === sign && sign !== 0).length,
          why: bases.length < 2 ? `${bases.length} base: a test across bases needs 2` : difference.untestable,
        });
      };
      if (m.vsBase === "difference") against(BASE_LABEL);
      if (m.vsBase === "itself") against(null);
      if (m.vsReference && reference && variant !== reference) against(reference);
      if (!m.vsReference) continue;
      for (const [a, b] of settings.contrasts ?? []) {
        if (a === variant && b !== reference && variants.includes(b)) against(b);
      }
    }
  }
  const tested = (c: typeof planned[number], p: number) => (c.why ? NaN : p);
  const pAdjusted = adjust(planned.map((c) => tested(c, c.difference.p)), settings.adjust);
  const pEquivalentAdjusted = adjust(planned.map((c) => tested(c, c.difference.pEquivalent)), settings.adjust);
  const comparisons: NestedComparison[] = planned.map((c, i) => {
    const call = c.why ? "inconclusive" : decide(c.difference, pAdjusted[i], pEquivalentAdjusted[i], settings.alpha);
    return {
      ...c,
      pAdjusted: pAdjusted[i],
      pEquivalentAdjusted: pEquivalentAdjusted[i],
      call,
      replicated: (call === "above" || call === "below") && c.agreeing === bases.length,
    };
  });
  const pooled: NestedVerdict["pooled"] = {};
  for (const variant of [BASE_LABEL, ...variants]) {
    pooled[variant] = Object.fromEntries(
      present.map((m) => [m.key, meanCi(bases.map((b) => value(b, variant, m.key)))]),
    );
  }
  const seeds = Math.min(...bases.map((b) => b.seeds));
  const labelOf = (key: string) => present.find((m) => m.key === key)?.label ?? key;
  const findings: string[] = [];
  for (const variant of variants) {
    const decided = comparisons.filter((c) => c.variant === variant && (c.call !== "inconclusive"));
    if (decided.length === 0) continue;
    const parts = decided.map((c) => {
      const what = `${labelOf(c.measure)} ${c.call} ${c.against === BASE_LABEL ? "the base" : c.against}`;
      const p = c.pAdjusted < 0.001 ? "p < 0.001" : `p = ${c.pAdjusted.toFixed(3)}`;
      const d = c.difference;
      const shown = c.measure === "net" ? 1 : 3;
      const interval = `${signed(d.estimate, shown)} [${signed(d.low, shown)}, ${signed(d.high, shown)}], ${p}`;
      const each = `per base ${c.perBase.map((x) => signed(x, shown)).join(", ")}`;
      const status = c.call === "≈"
        ? "within the margin"
        : c.replicated
        ? "**replicated** on every base"
        : `${c.agreeing} of ${bases.length} bases agree: not replicated`;
      return `${what} (${interval}; ${each}; ${status})`;
    });
    findings.push(`**${variant}**: ${parts.join("; ")}.`);
  }
  const testedCount = comparisons.filter((c) => !c.why).length;
  const undecided = comparisons.filter((c) => !c.why && c.call === "inconclusive").length;
  findings.push(
    `Inconclusive across bases (neither a difference nor equivalence): ${undecided} of the ${testedCount} tested ` +
      `comparisons${testedCount < comparisons.length ? `; ${comparisons.length - testedCount} not tested` : ""}.`,
  );
  const adjustName =
    { holm: "Holm", bonferroni: "Bonferroni", bh: "Benjamini–Hochberg", by: "Benjamini–Yekutieli", none: "no" }[
      settings.adjust
    ];
  const rule = `**Across bases** (${bases.length} independently trained SFT bases × ${seeds}+ seeds each): each ` +
    `base's mean over its seeds, then a paired t-test over bases (${bases.length - 1} degrees of freedom; a pair is ` +
    `two variants on one base, or a variant and the base it started from), so base-to-base spread is the noise a ` +
    `difference must clear. ${adjustName} adjustment across these ${testedCount} tested comparisons; "above"/"below": ` +
    `adjusted p < ${settings.alpha}; "≈": TOST within ±${settings.equivalence.passAt1} (pass@1) or ` +
    `±${settings.equivalence.passAtK} (pass@k), adjusted likewise. **Replicated**: decided, and the difference has ` +
    `the same sign on every base. With ${bases.length} bases the test is weak: an inconclusive call here is no ` +
    `evidence of no difference. Reference: ${reference ?? "none in this grid"}.`;
  return {
    bases: bases.map((b) => b.base),
    seeds,
    variants,
    reference,
    measures: present,
    comparisons,
    pooled,
    rule,
    findings,
  };
}

/** The bases whose difference has the mean difference's sign, `2/3↓` (a count, not a test). */
export function sides(c: { agreeing: number; difference: { estimate: number } }, bases: number): string {
  const direction = c.difference.estimate > 0 ? "↑" : c.difference.estimate < 0 ? "↓" : "";
  return `${c.agreeing}/${bases}${direction}`;
}

/** The across-bases table: a row per variant (the base first), a column per measure, mean over bases ± 95% CI. */
export function nestedTable(v: NestedVerdict): string {
  const mark = (variant: string, key: string) => {
    const vsBase = v.comparisons.find((c) => c.variant === variant && c.measure === key && c.against === BASE_LABEL);
    if (!vsBase || vsBase.why) return "";
    if (vsBase.call === "≈") return " ≈";
    const arrow = vsBase.call === "above" ? " ▲" : vsBase.call === "below" ? " ▼" : " ·";
    // How many bases moved the way the mean did (a count, not a test: with 3 bases a sign test cannot decide).
    return `${arrow}${vsBase.replicated ? "R" : ""} ${sides(vsBase, v.bases.length)}`;
  };
  const digits = (key: string) => (key === "net" || key === "updates" ? 1 : 3);
  const cell = (variant: string, key: string) => {
    const x = v.pooled[variant]?.[key];
    if (!x || !Number.isFinite(x.mean)) return "";
    const half = Number.isFinite(x.half) ? ` ± ${x.half.toFixed(digits(key))}` : "";
    return `${x.mean.toFixed(digits(key))}${half}${mark(variant, key)}`;
  };
  const header = `| variant | ${v.measures.map((m) => m.label).join(" | ")} |`;
  const rule = `| --- | ${v.measures.map(() => "---").join(" | ")} |`;
  const rows = [BASE_LABEL, ...v.variants].map((variant) =>
    `| ${variant} | ${v.measures.map((m) => cell(variant, m.key)).join(" | ")} |`
  );
  return [
    header,
    rule,
    ...rows,
    "",
    "Mean over bases (each base's mean over its seeds) ± 95% interval over bases. Against the base (net: against " +
    "0), by the test across bases: ▲/▼ above/below, ≈ equivalent within the margin, · inconclusive; R: replicated " +
    "(decided, and the same sign on every base); `k/B↑` or `↓`: on how many of the B bases the change went the " +
    "mean's way (a count, not a test).",
  ].join("\n");
}

/** The verdict across bases as Markdown: the rule, the table, the findings. */
export function nestedMarkdown(v: NestedVerdict): string {
  return [v.rule, "", nestedTable(v), "", ...v.findings.map((f) => `- ${f}`)].join("\n");
}
