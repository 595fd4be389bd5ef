/**
 * The kit's findings on `arith`, checked in other domains: one row per finding, one column per domain, each cell
 * `replicated`, `not replicated`, `inconclusive` or `not testable` (the overall rows: the calls themselves), with the
 * differences, intervals and adjusted p-values it rests on. Computed from each domain's ablation report and its
 * base's calibration, never written by hand (`deno task domains`).
 *
 * No variant is named here: the grid names its reference (`summary.reference`, GRPO in the kit's grids) and its
 * candidate (`summary.candidate`, the setting the grid puts forward); every other variant gets its own row against
 * the reference. Which tier plays which part comes from the calibration, over the tiers RL trained on: the
 * *self-distillation* tier (plain pass@k above 0, pass@1 low) and the *capability* tier (plain pass@k 0, some hint
 * reaches it: the calibration's "capability gain", or a hinted pass@k under its 0.3 label; failing those, a tier
 * nearly unreachable plain — pass@k at most {@link NEARLY_UNREACHABLE}, one problem in twenty — that a hint reaches
 * better: each said in the cell, since the calibration labels it otherwise). The *easy* tiers are those the base
 * solves (pass@1 ≥ 0.5) and RL did not train on: where forgetting shows. Every call is the {@link verdict}'s: a
 * tested difference, adjusted across the grid's family, "≈" only by an equivalence test.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FINDINGS } from "./domains.ts";
 * assert.deepEqual(FINDINGS.map((f) => f.name).slice(0, 2), ["overall score of the candidate", "net problems"]);
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { type AblationReport, BASE_LABEL, type SummaryRow } from "./report.ts";
import type { TierCalibration } from "./calibrate.ts";
import { type Comparison, differenceText, EASY_TIER_PASS_AT_1, type Metric, type Verdict, verdict } from "./verdict.ts";
import { baseDir, loadSavedGrid } from "./store.ts";
import { collectReport } from "./jobs.ts";
import { tiersOf } from "../config/schema.ts";
import { displayPath } from "../io.ts";

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

/** What a replication cell says (the overall rows say the calls instead). */
export type FindingStatus = "replicated" | "not replicated" | "inconclusive" | "not testable";

/** One cell of the table. */
export interface FindingCell {
  /** A {@link FindingStatus}, or for the overall rows the calls (`pass@1 below the base, pass@16 ≈`). */
  status: string;
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
    const base = row(results.report, BASE_LABEL, t);
    return !results.trainedTiers.includes(t) && base !== undefined && base.passAt1.mean >= EASY_TIER_PASS_AT_1;
  });
  return {
    selfDistillation: self?.tier,
    capability: capability?.tier,
    capabilityNote,
    easy,
  };
}

function row(report: AblationReport, variant: string, tier: number | string): SummaryRow | undefined {
  return report.rows.find((r) => r.variant === variant && r.tier === String(tier));
}

/** What a finding reads from one domain: its results, tier parts, verdict, and the grid's reference and candidate. */
export interface Reading {
  results: DomainResults;
  tiers: DomainTiers;
  verdict: Verdict;
  reference?: string;
  candidate?: string;
  /** The variants besides the reference and the candidate, in grid order. */
  others: string[];
  /** The comparison of `variant` against `against` (a variant, or the base) at a tier and metric. */
  find(variant: string, against: string, tier: number | string, metric: Metric): Comparison | undefined;
}

/** A finding: its statement and its test on one domain (a row per other variant when `perVariant`). */
export interface Finding {
  name: string;
  statement: string;
  test(reading: Reading, variant?: string): FindingCell;
  /** One row per variant besides the reference and the candidate (the variant is passed to `test`). */
  perVariant?: boolean;
}

const untestable = (detail: string): FindingCell => ({ status: "not testable", detail });

/** The reading of one domain's results. */
export function readingOf(results: DomainResults): Reading {
  const v = verdict(results.report);
  const settings = results.report.settings;
  const variants = [
    ...new Set(results.report.rows.filter((r) => r.variant !== BASE_LABEL && r.seeds > 0).map((r) => r.variant)),
  ];
  const candidate = settings.candidate !== null && variants.includes(settings.candidate)
    ? settings.candidate
    : undefined;
  return {
    results,
    tiers: domainTiers(results),
    verdict: v,
    reference: v.reference,
    candidate,
    others: variants.filter((n) => n !== v.reference && n !== candidate),
    find: (variant, against, tier, metric) =>
      v.comparisons.find((c) =>
        c.variant === variant && c.against === against && c.tier === String(tier) && c.metric === metric
      ),
  };
}

/** A comparison as a cell's detail: `grpo tier 3 pass@16 above the base: +0.057 [+0.01, +0.12], p = 0.031`. */
function said(c: Comparison | undefined, k: number): string {
  if (!c) return "no comparison";
  const metric = c.metric === "pass@k" ? `pass@${k}` : c.metric;
  const tier = c.tier === "all" ? "all tiers" : c.tier === "trained" ? "trained tiers" : `tier ${c.tier}`;
  const call = c.why ? "not tested against" : c.call === "inconclusive" ? "inconclusive against" : c.call;
  const against = c.against === BASE_LABEL ? "the base" : c.against;
  return `${c.variant} ${tier} ${metric} ${call} ${against}: ${differenceText(c)}${c.why ? ` (${c.why})` : ""}`;
}

/** A replication status from calls: any contradiction → not replicated, all as stated → replicated, else inconclusive. */
function statusOf(held: boolean[], contradicted: boolean[]): FindingStatus {
  if (contradicted.some(Boolean)) return "not replicated";
  return held.length > 0 && held.every(Boolean) ? "replicated" : "inconclusive";
}

/** The findings, in the order of the table. */
export const FINDINGS: Finding[] = [
  {
    name: "overall score of the candidate",
    statement: "the candidate's all-tier pass@1 and pass@k (macro over tiers) against the base and the reference",
    test: (r) => {
      if (!r.candidate) return untestable("the grid names no candidate (summary.candidate)");
      const k = r.results.report.k;
      const calls: string[] = [];
      const details: string[] = [];
      for (const against of [BASE_LABEL, r.reference].filter((a): a is string => a !== undefined)) {
        for (const metric of ["pass@1", "pass@k"] as const) {
          const c = r.find(r.candidate, against, "all", metric);
          if (!c) continue;
          calls.push(
            `${metric === "pass@k" ? `pass@${k}` : metric} ${c.call} ${against === BASE_LABEL ? "base" : against}`,
          );
          details.push(said(c, k));
        }
      }
      return calls.length > 0
        ? { status: calls.join(", "), detail: details.join("; ") }
        : untestable("no all-tier rows");
    },
  },
  {
    name: "net problems",
    statement:
      "problems the candidate newly solves minus those it loses against the base (all tiers), beside the reference's; descriptive: a 95% interval over seeds, outside the tested family",
    test: (r) => {
      if (!r.candidate) return untestable("the grid names no candidate (summary.candidate)");
      const net = (variant?: string) => (variant ? row(r.results.report, variant, "all") : undefined);
      const text = (variant?: string) => {
        const x = net(variant);
        if (!x || !Number.isFinite(x.net.mean)) return undefined;
        const half = Number.isFinite(x.net.half) ? ` ± ${x.net.half.toFixed(1)}` : "";
        return `${variant} net ${x.net.mean.toFixed(1)}${half} (gained ${
          (x.compression.mean + x.capabilityGain.mean).toFixed(1)
        }, lost ${x.lost.mean.toFixed(1)})`;
      };
      const c = net(r.candidate);
      if (!c || !Number.isFinite(c.net.mean)) return untestable("no gain split (no base evaluation)");
      const low = c.net.mean - c.net.half;
      const high = c.net.mean + c.net.half;
      const status = !Number.isFinite(c.net.half)
        ? "inconclusive"
        : low > 0
        ? "net gain"
        : high < 0
        ? "net loss"
        : "inconclusive";
      return { status, detail: [text(r.candidate), text(r.reference)].filter(Boolean).join("; ") };
    },
  },
  {
    name: "≈ the reference",
    statement:
      "each other variant is equivalent to the reference (TOST within the grid's margins) on the trained tiers' parts and all tiers, at pass@1 and pass@k",
    perVariant: true,
    test: (r, variant) => {
      if (!r.reference) return untestable("the grid has no reference variant (summary.reference)");
      const parts = [r.tiers.selfDistillation, r.tiers.capability].filter((t): t is number => t !== undefined);
      const where: (number | string)[] = [...parts, "all"];
      const found = where.flatMap((t) =>
        (["pass@1", "pass@k"] as const).map((m) => r.find(variant!, r.reference!, t, m))
      )
        .filter((c): c is Comparison => c !== undefined);
      if (found.length === 0) return untestable(`no results for ${variant}`);
      const k = r.results.report.k;
      const differing = found.filter((c) => c.call === "above" || c.call === "below");
      const status = statusOf(
        found.map((c) => c.call === "≈"),
        found.map((c) => c.call === "above" || c.call === "below"),
      );
      const shown = differing.length > 0 ? differing : found;
      return { status, detail: shown.map((c) => said(c, k)).join("; ") };
    },
  },
  {
    name: "reach on the capability tier",
    statement: "only the candidate rises above the base's pass@k on the tier sampling cannot reach",
    test: (r) => {
      const tier = r.tiers.capability;
      if (!r.candidate) return untestable("the grid names no candidate (summary.candidate)");
      if (tier === undefined) {
        const seen = r.results.calibration.filter((c) => r.results.trainedTiers.includes(c.tier)).map((c) =>
          `tier ${c.tier} plain pass@${c.samples} ${c.plain.passAtK.toFixed(3)}, best hinted ${
            Math.max(0, ...Object.values(c.hinted).map((h) => h?.passAtK ?? 0)).toFixed(3)
          }`
        );
        return untestable(
          `no trained tier is unreachable plain and reachable hinted (calibration: ${seen.join("; ")})`,
        );
      }
      const k = r.results.report.k;
      const candidate = r.find(r.candidate, BASE_LABEL, tier, "pass@k");
      const others = [r.reference, ...r.others].filter((v): v is string => v !== undefined)
        .map((v) => r.find(v, BASE_LABEL, tier, "pass@k")).filter((c): c is Comparison => c !== undefined);
      const note = r.tiers.capabilityNote !== undefined ? ` (${r.tiers.capabilityNote})` : "";
      const status = statusOf(
        [candidate?.call === "above"],
        [candidate?.call === "below" || candidate?.call === "≈", ...others.map((c) => c.call === "above")],
      );
      return { status, detail: `tier ${tier}${note}: ${[candidate, ...others].map((c) => said(c, k)).join("; ")}` };
    },
  },
  {
    name: "pass@k compression",
    statement:
      "on the self-distillation tier the reference compresses pass@k (above the base at pass@1, below it at pass@k) and the candidate does not",
    test: (r) => {
      const tier = r.tiers.selfDistillation;
      if (tier === undefined) return untestable("no trained tier in the self-distillation regime");
      if (!r.reference || !r.candidate) return untestable("the grid names no reference or no candidate");
      const k = r.results.report.k;
      const at = (v: string) => (["pass@1", "pass@k"] as const).map((m) => r.find(v, BASE_LABEL, tier, m));
      const [ref1, refK] = at(r.reference);
      const [can1, canK] = at(r.candidate);
      const compressed = (a?: Comparison, b?: Comparison) => a?.call === "above" && b?.call === "below";
      const notCompressed = (a?: Comparison, b?: Comparison) =>
        (a !== undefined && a.call !== "above" && a.call !== "inconclusive") ||
        (b !== undefined && b.call !== "below" && b.call !== "inconclusive");
      const status = statusOf(
        [compressed(ref1, refK), notCompressed(can1, canK)],
        [notCompressed(ref1, refK), compressed(can1, canK)],
      );
      return { status, detail: [ref1, refK, can1, canK].map((c) => said(c, k)).join("; ") };
    },
  },
  {
    name: "forgetting",
    statement: "which variants fall below the base at pass@1 on an easy tier they did not train on (each named)",
    test: (r) => {
      if (r.tiers.easy.length === 0) return untestable("no untrained tier the base solves (pass@1 ≥ 0.5)");
      const k = r.results.report.k;
      const variants = [r.reference, r.candidate, ...r.others].filter((v): v is string => v !== undefined);
      const found = r.tiers.easy.flatMap((t) => variants.map((v) => r.find(v, BASE_LABEL, t, "pass@1")))
        .filter((c): c is Comparison => c !== undefined);
      const forgot = [...new Set(found.filter((c) => c.call === "below").map((c) => c.variant))];
      const open = [...new Set(found.filter((c) => c.call === "inconclusive").map((c) => c.variant))]
        .filter((v) => !forgot.includes(v));
      const status = forgot.length > 0
        ? `forgot: ${forgot.join(", ")}`
        : open.length > 0
        ? "inconclusive"
        : "none forgot";
      return { status, detail: found.map((c) => said(c, k)).join("; ") };
    },
  },
  {
    name: "forgetting by the candidate",
    statement: "the candidate falls below the base at pass@1 on an easy untrained tier",
    test: (r) => {
      if (r.tiers.easy.length === 0) return untestable("no untrained tier the base solves (pass@1 ≥ 0.5)");
      if (!r.candidate) return untestable("the grid names no candidate (summary.candidate)");
      const k = r.results.report.k;
      const found = r.tiers.easy.map((t) => r.find(r.candidate!, BASE_LABEL, t, "pass@1"))
        .filter((c): c is Comparison => c !== undefined);
      // Forgetting one easy tier is enough; it is contradicted only when every easy tier is kept (≈ or above).
      const status: FindingStatus = found.some((c) => c.call === "below")
        ? "replicated"
        : found.length > 0 && found.every((c) => c.call === "≈" || c.call === "above")
        ? "not replicated"
        : "inconclusive";
      return { status, detail: found.map((c) => said(c, k)).join("; ") };
    },
  },
];

/** The table: per finding (and per other variant for a per-variant finding), a cell per domain. */
export function crossDomainFindings(
  domains: (DomainResults | DomainMissing)[],
): { finding: Finding; name: string; cells: { domain: string; cell: FindingCell }[] }[] {
  const readings = domains.map((d) => ("report" in d ? readingOf(d) : undefined));
  const others = [...new Set(readings.flatMap((r) => r?.others ?? []))];
  const table: { finding: Finding; name: string; cells: { domain: string; cell: FindingCell }[] }[] = [];
  for (const finding of FINDINGS) {
    const rowsOf = finding.perVariant ? others.map((v) => ({ name: `${v} ${finding.name}`, variant: v })) : [
      { name: finding.name, variant: undefined },
    ];
    for (const { name, variant } of rowsOf) {
      table.push({
        finding,
        name,
        cells: domains.map((d, i) => {
          const reading = readings[i];
          if (!reading) return { domain: d.domain, cell: untestable((d as DomainMissing).why) };
          if (variant && !reading.others.includes(variant)) {
            return { domain: d.domain, cell: untestable(`no ${variant} in this grid`) };
          }
          return { domain: d.domain, cell: finding.test(reading, variant) };
        }),
      });
    }
  }
  return table;
}

/** Seeds per variant (finished runs): "5 seeds", or "3–5 seeds" when variants differ. */
function seedsOf(report: AblationReport): string {
  const seeds = report.rows.filter((r) => r.tier === "all" && r.variant !== BASE_LABEL).map((r) => r.seeds);
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
    const r = readingOf(d);
    const t = r.tiers;
    const regime = (tier?: number) => (tier === undefined ? "none" : `tier ${tier}`);
    return `- **${d.domain}**: trained on tiers ${d.trainedTiers.join(", ")}; self-distillation ${
      regime(t.selfDistillation)
    }, capability ${regime(t.capability)}, easy untrained ${
      t.easy.length > 0 ? `tiers ${t.easy.join(", ")}` : "none"
    }; ` +
      `${seedsOf(d.report)} a variant; reference ${r.reference ?? "none"}, candidate ${r.candidate ?? "none"}; base ${
        d.report.rows.find((x) => x.variant === BASE_LABEL)?.seeds ?? 0
      } evaluation draws`;
  });
  const first = domains.find((d): d is DomainResults => "report" in d);
  // The verdict's rule without its opening sentence (which points at a summary's tables).
  const rule = first
    ? verdict(first.report).rule.replace(/^\*\*Verdict\*\*[^.]*\. /, "The calls are the verdict's. ")
    : "";
  const lines = [
    `# ${title}`,
    "",
    "Computed by `deno task domains` from each domain's grid results and its base's calibration " +
    "(`lib/ablation/domains.ts`). A finding is replicated when every test it rests on shows what it states, not " +
    "replicated when a test contradicts it, inconclusive otherwise. " + rule,
    "",
    ...parts,
    "",
    `| finding | ${names.join(" | ")} |`,
    `|---|${names.map(() => "---").join("|")}|`,
    ...table.map(({ name, cells }) => `| ${name} | ${cells.map((c) => c.cell.status).join(" | ")} |`),
    "",
    ...table.flatMap(({ finding, name, cells }) => [
      `## ${name}`,
      "",
      `${finding.statement[0].toUpperCase()}${finding.statement.slice(1)}.`,
      "",
      ...cells.map((c) => `- ${c.domain}: **${c.cell.status}**: ${c.cell.detail}.`),
      "",
    ]),
  ];
  return lines.join("\n");
}

/** The dataset domain whose grid fills a column named otherwise. */
const GRID_DOMAIN: Record<string, string> = { code: "programs" };

/** One domain's results from its folder, or why there are none. */
export async function readDomain(name: string, dir: string): Promise<DomainResults | DomainMissing> {
  try {
    await Deno.stat(join(dir, "grid.yaml"));
  } catch {
    return {
      domain: name,
      why: `no results in ${displayPath(dir)} (run \`deno task ablation grids/domain-${
        GRID_DOMAIN[name] ?? name
      }.yaml\`)`,
    };
  }
  const grid = await loadSavedGrid(dir);
  if (!grid.sft) return { domain: name, why: `${join(dir, "grid.yaml")}: no \`sft\` section, so no calibrated base` };
  const file = join(baseDir(dir, grid.sft.id), "calibration.json");
  let calibration;
  try {
    calibration = JSON.parse(await Deno.readTextFile(file)).calibration;
  } catch (e) {
    const what = e instanceof Deno.errors.NotFound ? "no calibration yet" : (e as Error).message.split("\n")[0];
    return { domain: name, why: `${displayPath(file)}: ${what} (run \`deno task calibrate\` on the grid)` };
  }
  const report = await collectReport(dir, grid);
  // A grid still running (or cut off) is not a column yet: its variants would rest on fewer seeds than designed.
  if (report.unfinished.length > 0) {
    return {
      domain: name,
      why: `${report.unfinished.length} of ${grid.runs.length} runs unfinished in ${displayPath(dir)} (rerun its grid)`,
    };
  }
  return { domain: name, report, calibration, trainedTiers: tiersOf(grid.runs[0].config.data.tiers) };
}
