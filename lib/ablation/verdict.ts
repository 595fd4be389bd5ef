/**
 * The verdict of an ablation, computed from its report (never written by hand): per tier, which variants moved
 * beyond their 95% interval against the base and against GRPO, which compressed pass@k (above the base at k = 1,
 * below it at the largest k), which forgot (below the base on a tier the base already solves), and how many updates
 * each variant made for the budget. `summary.md` opens with it and the CLI prints it at the end of a run.
 *
 * The rules, stated in the text too: a variant is above (below) the base when its interval over seeds lies entirely
 * above (below) the base's pass@1, which is one evaluation; above (below) GRPO when the two intervals do not overlap.
 * A variant of one seed has no interval and is never called beyond it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { beyond } from "./verdict.ts";
 * assert.equal(beyond({ mean: 0.4, half: 0.05, n: 3 }, { mean: 0.3, half: 0.02, n: 3 }), 1); // 0.35 > 0.32
 * assert.equal(beyond({ mean: 0.4, half: 0.1, n: 3 }, { mean: 0.3, half: 0.02, n: 3 }), 0); // 0.30 < 0.32: overlap
 * assert.equal(beyond({ mean: 0.2, half: 0.01, n: 3 }, 0.3), -1); // below the base
 * ```
 *
 * @module
 */
import type { AblationReport, SummaryRow } from "./report.ts";
import type { MeanCi } from "./statistics.ts";

/** The base's row label in a report. */
const BASE = "base (SFT)";
/** The variant other variants are compared with, when the grid has it. */
const GRPO = "grpo";
/** A tier is "easy" (falling below the base there is forgetting) when the base's pass@1 is at least this. */
export const EASY_TIER_PASS_AT_1 = 0.5;

/**
 * 1 when `value`'s 95% interval lies entirely above `reference` (a number, or another interval: then the two
 * intervals must not overlap), −1 entirely below, 0 otherwise (overlap, or no interval).
 */
export function beyond(value: MeanCi, reference: number | MeanCi): 1 | -1 | 0 {
  if (!Number.isFinite(value.mean) || !Number.isFinite(value.half)) return 0;
  const ref = typeof reference === "number" ? { mean: reference, half: 0 } : reference;
  if (!Number.isFinite(ref.mean) || !Number.isFinite(ref.half)) return 0;
  if (value.mean - value.half > ref.mean + ref.half) return 1;
  if (value.mean + value.half < ref.mean - ref.half) return -1;
  return 0;
}

/** Variants beyond their interval against the base and against GRPO, at one metric. */
export interface Moves {
  aboveBase: string[];
  belowBase: string[];
  aboveGrpo: string[];
  belowGrpo: string[];
}

/** What one tier shows. */
export interface TierVerdict {
  tier: string;
  /** The base's pass@1 (NaN without a base evaluation). */
  base: number;
  /** At pass@1, and at the report's pass@k. */
  passAt1: Moves;
  passAtK: Moves;
  /** Variants below the base at pass@1 on a tier the base solves (pass@1 ≥ {@link EASY_TIER_PASS_AT_1}). */
  forgot: string[];
  /** Mean pass@1 above the base's, mean pass@k at the largest k below it. */
  compressed: string[];
}

/** The verdict: per tier, the updates each variant made, and the text (a rule line, then one line a finding). */
export interface Verdict {
  tiers: TierVerdict[];
  updates: { variant: string; updates: number }[];
  /** How to read it. */
  rule: string;
  /** One sentence per tier with a finding, then the quiet tiers, then the updates. */
  findings: string[];
}

/** The verdict as Markdown: the rule, then the findings as a list. */
export function verdictMarkdown(v: Verdict): string {
  return [v.rule, "", ...v.findings.map((f) => `- ${f}`)].join("\n");
}

/** Who moved beyond their interval at one metric of the rows. */
function moves(rows: SummaryRow[], metric: (r: SummaryRow) => MeanCi): Moves {
  const base = rows.find((r) => r.variant === BASE);
  const variants = rows.filter((r) => r.variant !== BASE);
  const grpo = variants.find((r) => r.variant === GRPO);
  const names = (keep: (r: SummaryRow) => boolean) => variants.filter(keep).map((r) => r.variant);
  const baseValue = base ? metric(base).mean : NaN;
  const against = (r: SummaryRow) => (grpo && r !== grpo ? beyond(metric(r), metric(grpo)) : 0);
  return {
    aboveBase: names((r) => beyond(metric(r), baseValue) === 1),
    belowBase: names((r) => beyond(metric(r), baseValue) === -1),
    aboveGrpo: names((r) => against(r) === 1),
    belowGrpo: names((r) => against(r) === -1),
  };
}

/** The verdict of one tier. */
function tierVerdict(report: AblationReport, tier: string): TierVerdict {
  const rows = report.rows.filter((r) => r.tier === tier);
  const base = rows.find((r) => r.variant === BASE)?.passAt1.mean ?? NaN;
  const baseCurve = report.before.find((b) => b.tier === tier)?.curve ?? [];
  const compressed = report.passk.filter((p) => p.tier === tier).filter(({ after }) => {
    const largest = Math.min(after.length, baseCurve.length);
    if (largest < 2) return false;
    return after[0].mean > baseCurve[0].passAtK && after[largest - 1].mean < baseCurve[largest - 1].passAtK;
  }).map((p) => p.variant);
  const passAt1 = moves(rows, (r) => r.passAt1);
  return {
    tier,
    base,
    passAt1,
    passAtK: moves(rows, (r) => r.passAtK),
    forgot: base >= EASY_TIER_PASS_AT_1 ? passAt1.belowBase : [],
    compressed,
  };
}

/** A sentence of a tier's findings, or undefined when nothing moved. */
function tierSentence(report: AblationReport, v: TierVerdict): string | undefined {
  const label = v.tier === "all" ? "All tiers" : `Tier ${v.tier}`;
  const rows = report.rows.filter((r) => r.tier === v.tier);
  const signed = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(3)}`;
  const parts: string[] = [];
  for (
    const [name, m, metric] of [
      ["pass@1", v.passAt1, (r: SummaryRow) => r.passAt1.mean],
      [`pass@${report.k}`, v.passAtK, (r: SummaryRow) => r.passAtK.mean],
    ] as const
  ) {
    const value = (variant: string) => metric(rows.find((r) => r.variant === variant)!);
    const listed = (variants: string[], reference: string) =>
      variants.map((n) => `${n} (${signed(value(n) - value(reference))})`).join(", ");
    const forgot = name === "pass@1" ? v.forgot : [];
    const below = m.belowBase.filter((n) => !forgot.includes(n));
    if (m.aboveBase.length > 0) parts.push(`${name} above the base: ${listed(m.aboveBase, BASE)}`);
    if (below.length > 0) parts.push(`${name} below the base: ${listed(below, BASE)}`);
    if (forgot.length > 0) parts.push(`forgot (${name} below a base at ${v.base.toFixed(3)}): ${listed(forgot, BASE)}`);
    if (m.aboveGrpo.length > 0) parts.push(`${name} above GRPO: ${listed(m.aboveGrpo, GRPO)}`);
    if (m.belowGrpo.length > 0) parts.push(`${name} below GRPO: ${listed(m.belowGrpo, GRPO)}`);
  }
  if (v.compressed.length > 0) {
    parts.push(`compressed pass@k (above the base at pass@1, below it at the largest k): ${v.compressed.join(", ")}`);
  }
  return parts.length > 0 ? `${label}: ${parts.join("; ")}.` : undefined;
}

/** The verdict of `report`: per tier, and as text (a paragraph of sentences, one per tier with a finding). */
export function verdict(report: AblationReport): Verdict {
  const tiers = report.tiers.map((tier) => tierVerdict(report, tier));
  const updates = report.rows.filter((r) => r.tier === "all" && r.variant !== BASE)
    .map((r) => ({ variant: r.variant, updates: r.updates.mean }));
  const told = tiers.map((t) => ({ tier: t.tier, sentence: tierSentence(report, t) }));
  const sentences = told.flatMap((t) => (t.sentence ? [t.sentence] : []));
  const quiet = told.filter((t) => !t.sentence).map((t) => t.tier);
  const rule = `**Verdict**, computed from the tables below (held-out pass@1 and pass@${report.k} at the end; ` +
    `"above"/"below": the variant's 95% interval over seeds clear of the base's value, or of GRPO's interval; ` +
    `"forgot": pass@1 below the base on a tier where the base's pass@1 is ${EASY_TIER_PASS_AT_1} or more):`;
  const findings = [...sentences];
  if (quiet.length > 0) {
    const named = quiet.map((t) => (t === "all" ? "all tiers" : `tier ${t}`)).join(", ");
    findings.push(`No variant moved beyond its interval on ${named}.`);
  }
  if (updates.length > 0) {
    const each = updates.map((u) => `${u.variant} ${Number.isFinite(u.updates) ? u.updates.toFixed(0) : "–"}`);
    findings.push(`Updates for the budget: ${each.join(", ")}.`);
  }
  return { tiers, updates, rule, findings };
}
