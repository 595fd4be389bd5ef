/**
 * The kit's findings on `arith`, checked in other domains: one row per finding, one column per domain, each cell
 * `replicated`, `not replicated` or `not testable`, with the numbers and intervals it rests on. Computed from each
 * domain's ablation report and its base's calibration, never written by hand (`deno task domains`).
 *
 * Which tier plays which part comes from the calibration, over the tiers RL trained on: the *self-distillation* tier
 * (plain pass@k above 0, pass@1 low) and the *capability* tier (plain pass@k 0, some hint reaches it: the
 * calibration's "capability gain", or a hinted pass@k under its 0.3 label; failing those, a tier nearly unreachable
 * plain — pass@k at most {@link NEARLY_UNREACHABLE}, one problem in twenty — that a hint reaches better: each said in
 * the cell, since the calibration labels it otherwise). The *easy* tiers are
 * those the base solves (pass@1 ≥ 0.5) and RL did not train on: where forgetting shows. A domain without such a tier
 * cannot test the findings that need it. Who moved, compressed or forgot is read from each tier's {@link verdict}, so
 * the rules are the summary's: an interval over seeds clear of the base's value, or of GRPO's interval.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FINDINGS } from "./domains.ts";
 * assert.equal(FINDINGS.length, 5);
 * ```
 *
 * @module
 */
import type { AblationReport, SummaryRow } from "./report.ts";
import type { TierCalibration } from "./calibrate.ts";
import { EASY_TIER_PASS_AT_1, type TierVerdict, verdict } from "./verdict.ts";
import type { MeanCi } from "./statistics.ts";

/** The variants the findings name (the domain grids' variant names). */
export const FINDING_VARIANTS = {
  base: "base (SFT)",
  grpo: "grpo",
  filter: "filter-grpo",
  official: "guide-grpo",
  best: "guide-plain-unit",
} as const;

/** One domain's results: its report, its base's calibration and the tiers RL trained on. */
export interface DomainResults {
  domain: string;
  report: AblationReport;
  calibration: TierCalibration[];
  trainedTiers: number[];
}

/** A domain that could not be compared, and why (no results, no redesign). */
export interface DomainMissing {
  domain: string;
  why: string;
}

/** What a cell says. */
export type FindingStatus = "replicated" | "not replicated" | "not testable";

/** One cell of the table. */
export interface FindingCell {
  status: FindingStatus;
  /** The numbers and intervals the status rests on, or why it cannot be tested. */
  detail: string;
}

/** Plain pass@k up to which a tier that hints reach better counts as the capability tier when none is 0 plain. */
export const NEARLY_UNREACHABLE = 0.05;

/** The parts each tier plays in a domain. */
export interface DomainTiers {
  selfDistillation?: number;
  capability?: number;
  /** How the capability tier differs from the calibration's "capability gain" label, when it does. */
  capabilityNote?: string;
  easy: number[];
}

/** Which tier plays which part, from the calibration and the base's pass@1 in the report. */
export function domainTiers(results: DomainResults): DomainTiers {
  const trained = results.calibration.filter((c) => results.trainedTiers.includes(c.tier));
  const bestHinted = (c: TierCalibration) => Math.max(0, ...Object.values(c.hinted).map((h) => h?.passAtK ?? 0));
  const capability = trained.find((c) => c.regime === "capability gain") ??
    trained.find((c) => c.plain.passAtK === 0 && bestHinted(c) > 0) ??
    trained.find((c) => c.plain.passAtK <= NEARLY_UNREACHABLE && bestHinted(c) > c.plain.passAtK);
  const self = trained.find((c) => c.regime === "self-distillation" && c !== capability);
  const k = capability?.samples;
  const capabilityNote = !capability || capability.regime === "capability gain"
    ? undefined
    : capability.plain.passAtK === 0
    ? `hinted pass@${k} ${bestHinted(capability).toFixed(3)}, under the 0.3 label`
    : `nearly unreachable plain: pass@${k} ${capability.plain.passAtK.toFixed(3)}, hinted ${
      bestHinted(capability).toFixed(3)
    }; labelled ${capability.regime}`;
  const easy = results.report.tiers.filter((t) => t !== "all").map(Number).filter((t) => {
    const base = row(results.report, FINDING_VARIANTS.base, t);
    return !results.trainedTiers.includes(t) && base !== undefined && base.passAt1.mean >= EASY_TIER_PASS_AT_1;
  });
  return {
    selfDistillation: self?.tier,
    capability: capability?.tier,
    capabilityNote,
    easy,
  };
}

function row(report: AblationReport, variant: string, tier: number): SummaryRow | undefined {
  return report.rows.find((r) => r.variant === variant && r.tier === String(tier));
}

const show = (
  m: MeanCi,
) => (m.n > 1 && Number.isFinite(m.half) ? `${m.mean.toFixed(3)} ± ${m.half.toFixed(3)}` : m.mean.toFixed(3));

/** A tier's verdict (who moved beyond their interval, compressed, forgot), as `summary.md` states it. */
export type VerdictAt = (tier: number) => TierVerdict;

/** A finding: its statement (as `arith` showed it) and its test on one domain. */
export interface Finding {
  name: string;
  statement: string;
  test(results: DomainResults, tiers: DomainTiers, verdictAt: VerdictAt): FindingCell;
}

const untestable = (detail: string): FindingCell => ({ status: "not testable", detail });

/** The rows of the variants a finding needs at `tier`, or the cell saying which is missing. */
function rowsAt(results: DomainResults, tier: number, variants: string[]): SummaryRow[] | FindingCell {
  const rows = variants.map((v) => row(results.report, v, tier));
  const missing = variants.filter((_, i) =>
    !rows[i] || (rows[i]!.seeds === 0 && rows[i]!.variant !== FINDING_VARIANTS.base)
  );
  return missing.length > 0 ? untestable(`no results for ${missing.join(", ")} on tier ${tier}`) : rows as SummaryRow[];
}

/** Is `variant`'s interval clear of `reference`'s on any trained part's tier, at pass@1 or pass@k? */
function differsFrom(
  results: DomainResults,
  tiers: DomainTiers,
  verdictAt: VerdictAt,
  variant: string,
  label: string,
): FindingCell {
  const parts = [tiers.selfDistillation, tiers.capability].filter((t): t is number => t !== undefined);
  if (parts.length === 0) return untestable("no self-distillation or capability tier among the trained tiers");
  const k = results.report.k;
  const details: string[] = [];
  const clear: string[] = [];
  for (const tier of parts) {
    const rows = rowsAt(results, tier, [variant, FINDING_VARIANTS.grpo]);
    if (!Array.isArray(rows)) return rows;
    const [v, g] = rows;
    const { passAt1, passAtK } = verdictAt(tier);
    for (const [metric, moves] of [["pass@1", passAt1], [`pass@${k}`, passAtK]] as const) {
      if (moves.aboveGrpo.includes(variant)) clear.push(`above GRPO at tier ${tier} ${metric}`);
      if (moves.belowGrpo.includes(variant)) clear.push(`below GRPO at tier ${tier} ${metric}`);
    }
    details.push(`tier ${tier} pass@${k}: ${label} ${show(v.passAtK)}, GRPO ${show(g.passAtK)}`);
  }
  return clear.length === 0
    ? { status: "replicated", detail: details.join("; ") }
    : { status: "not replicated", detail: `${clear.join(", ")}; ${details.join("; ")}` };
}

/** The findings, in the order of the table. */
export const FINDINGS: Finding[] = [
  {
    name: "Filter-GRPO ≈ GRPO",
    statement: "Filter-GRPO's intervals overlap GRPO's on the trained tiers, at pass@1 and pass@k",
    test: (results, tiers, verdictAt) => differsFrom(results, tiers, verdictAt, FINDING_VARIANTS.filter, "Filter"),
  },
  {
    name: "official Guide-GRPO ≈ GRPO",
    statement: "the official Guide-GRPO settings do not beat GRPO (intervals overlap on the trained tiers)",
    test: (results, tiers, verdictAt) => differsFrom(results, tiers, verdictAt, FINDING_VARIANTS.official, "official"),
  },
  {
    name: "reach on the capability tier",
    statement: "only `plain` + `unit` rises above the base's pass@k on the tier sampling cannot reach",
    test: (results, tiers, verdictAt) => {
      const tier = tiers.capability;
      if (tier === undefined) {
        const seen = results.calibration.filter((c) => results.trainedTiers.includes(c.tier)).map((c) =>
          `tier ${c.tier} plain pass@${c.samples} ${c.plain.passAtK.toFixed(3)}, best hinted ${
            Math.max(0, ...Object.values(c.hinted).map((h) => h?.passAtK ?? 0)).toFixed(3)
          }`
        );
        return untestable(
          `no trained tier is unreachable plain and reachable hinted (calibration: ${seen.join("; ")})`,
        );
      }
      const { base, grpo, filter, official, best } = FINDING_VARIANTS;
      const rows = rowsAt(results, tier, [base, grpo, filter, official, best]);
      if (!Array.isArray(rows)) return rows;
      const k = results.report.k;
      const baseValue = rows[0].passAtK.mean;
      const compared: string[] = [grpo, filter, official, best];
      const above = verdictAt(tier).passAtK.aboveBase.filter((v) => compared.includes(v));
      const label = tiers.capabilityNote !== undefined ? ` (${tiers.capabilityNote})` : "";
      const detail = `tier ${tier}${label} pass@${k}: base ${baseValue.toFixed(3)}, ` +
        rows.slice(1).map((r) => `${r.variant} ${show(r.passAtK)}`).join(", ");
      const replicated = above.length === 1 && above[0] === best;
      return {
        status: replicated ? "replicated" : "not replicated",
        detail: `above the base: ${above.join(", ") || "none"}; ${detail}`,
      };
    },
  },
  {
    name: "pass@k compression",
    statement:
      "on the self-distillation tier GRPO compresses pass@k (above the base at pass@1, below at the largest k); `plain` + `unit` does not",
    test: (results, tiers, verdictAt) => {
      const tier = tiers.selfDistillation;
      if (tier === undefined) return untestable("no trained tier in the self-distillation regime");
      const rows = rowsAt(results, tier, [FINDING_VARIANTS.base, FINDING_VARIANTS.grpo, FINDING_VARIANTS.best]);
      if (!Array.isArray(rows)) return rows;
      const compressed = (variant: string) => verdictAt(tier).compressed.includes(variant);
      const [base, grpo, best] = rows;
      const k = results.report.k;
      const detail =
        `tier ${tier}: pass@1 / pass@${k} base ${base.passAt1.mean.toFixed(3)} / ${base.passAtK.mean.toFixed(3)}, ` +
        `GRPO ${show(grpo.passAt1)} / ${show(grpo.passAtK)}, plain + unit ${show(best.passAt1)} / ${
          show(best.passAtK)
        }`;
      const replicated = compressed(FINDING_VARIANTS.grpo) && !compressed(FINDING_VARIANTS.best);
      const which = [FINDING_VARIANTS.grpo, FINDING_VARIANTS.best].filter(compressed);
      return {
        status: replicated ? "replicated" : "not replicated",
        detail: `compressed: ${which.join(", ") || "neither"}; ${detail}`,
      };
    },
  },
  {
    name: "forgetting",
    statement: "every variant falls below the base on an easy tier it did not train on; `plain` + `unit` the most",
    test: (results, tiers, verdictAt) => {
      if (tiers.easy.length === 0) return untestable("no untrained tier the base solves (pass@1 ≥ 0.5)");
      const { base, grpo, filter, official, best } = FINDING_VARIANTS;
      const variants = [grpo, filter, official, best];
      const drops = new Map<string, number>(variants.map((v) => [v, 0]));
      const details: string[] = [];
      for (const tier of tiers.easy) {
        const rows = rowsAt(results, tier, [base, ...variants]);
        if (!Array.isArray(rows)) return rows;
        const baseValue = rows[0].passAt1.mean;
        for (const r of rows.slice(1)) {
          drops.set(r.variant, Math.max(drops.get(r.variant)!, baseValue - r.passAt1.mean));
        }
        details.push(
          `tier ${tier} pass@1: base ${baseValue.toFixed(3)}, ${
            rows.slice(1).map((r) => `${r.variant} ${show(r.passAt1)}`).join(", ")
          }`,
        );
      }
      const forgot = variants.filter((v) => tiers.easy.some((t) => verdictAt(t).forgot.includes(v)));
      const all = forgot.length === variants.length;
      const most = variants.reduce((a, b) => (drops.get(b)! > drops.get(a)! ? b : a));
      return {
        status: all && most === best ? "replicated" : "not replicated",
        detail: `forgot: ${forgot.join(", ") || "none"}; largest drop: ${most}; ${details.join("; ")}`,
      };
    },
  },
];

/** The table: per finding, a cell per domain (missing domains: not testable, with why). */
export function crossDomainFindings(
  domains: (DomainResults | DomainMissing)[],
): { finding: Finding; cells: { domain: string; cell: FindingCell }[] }[] {
  const readings = domains.map((d) => {
    if (!("report" in d)) return undefined;
    const tiers = verdict(d.report).tiers;
    const verdictAt: VerdictAt = (tier) => tiers.find((t) => t.tier === String(tier))!;
    return { tiers: domainTiers(d), verdictAt };
  });
  return FINDINGS.map((finding) => ({
    finding,
    cells: domains.map((d, i) => ({
      domain: d.domain,
      cell: "report" in d ? finding.test(d, readings[i]!.tiers, readings[i]!.verdictAt) : untestable(d.why),
    })),
  }));
}

/** Seeds per variant (finished runs): "5 seeds", or "3–5 seeds" when variants differ. */
function seedsOf(report: AblationReport): string {
  const seeds = report.rows.filter((r) => r.tier === "all" && r.variant !== FINDING_VARIANTS.base).map((r) => r.seeds);
  const [low, high] = [Math.min(...seeds), Math.max(...seeds)];
  return `${low === high ? low : `${low}–${high}`} seeds`;
}

/** The table as Markdown: a status row per finding, then the details per domain. */
export function crossDomainMarkdown(
  domains: (DomainResults | DomainMissing)[],
  title = "Findings across domains",
): string {
  const table = crossDomainFindings(domains);
  const names = domains.map((d) => d.domain);
  const parts = domains.map((d) => {
    if (!("report" in d)) return `- **${d.domain}**: ${d.why}`;
    const t = domainTiers(d);
    const regime = (tier?: number) => (tier === undefined ? "none" : `tier ${tier}`);
    return `- **${d.domain}**: trained on tiers ${d.trainedTiers.join(", ")}; self-distillation ${
      regime(t.selfDistillation)
    }, ` +
      `capability ${regime(t.capability)}, easy untrained ${
        t.easy.length > 0 ? `tiers ${t.easy.join(", ")}` : "none"
      }; ` +
      `${seedsOf(d.report)} a variant`;
  });
  const lines = [
    `# ${title}`,
    "",
    "Computed by `deno task domains` from each domain's grid results and its base's calibration (`lib/ablation/domains.ts`): " +
    "a finding is replicated when the domain shows what `arith` showed, by the verdict's rule (a 95% interval over seeds " +
    "clear of the base's value, or of GRPO's interval). Details below the table.",
    "",
    ...parts,
    "",
    `| finding | ${names.join(" | ")} |`,
    `|---|${names.map(() => "---").join("|")}|`,
    ...table.map(({ finding, cells }) => `| ${finding.name} | ${cells.map((c) => c.cell.status).join(" | ")} |`),
    "",
    ...table.flatMap(({ finding, cells }) => [
      `## ${finding.name}`,
      "",
      `${finding.statement[0].toUpperCase()}${finding.statement.slice(1)}.`,
      "",
      ...cells.map((c) => `- ${c.domain}: **${c.cell.status}**: ${c.cell.detail}.`),
      "",
    ]),
  ];
  return lines.join("\n");
}
