/**
 * The summary files of an ablation, rendered from its report: `summary.csv` (a line per variant and tier, each mean
 * with its CI half-width), `runs.csv` (one line per run × tier × metric: every value the means and tests rest on, so
 * anyone can redo them) and `summary.md` (the verdict, the overall score, a table per tier, every comparison).
 *
 * @module
 */
import { type AblationReport, BASE_LABEL, type RunValues } from "./report.ts";
import type { MeanCi } from "./statistics.ts";
import { type Comparison, type Verdict, verdict, verdictMarkdown } from "./verdict.ts";

function cell(value: MeanCi, digits = 3): string {
  if (!Number.isFinite(value.mean)) return "";
  return Number.isFinite(value.half)
    ? `${value.mean.toFixed(digits)} ± ${value.half.toFixed(digits)}`
    : value.mean.toFixed(digits);
}

/**
 * A proportion's cell: mean ± half-width while the interval lies in [0, 1], else the interval clipped to it, written
 * `mean [low, high]` (a t interval from few seeds can reach past what a proportion can be).
 */
function proportionCell(value: MeanCi, digits = 3): string {
  const { mean, half } = value;
  if (!Number.isFinite(mean) || !Number.isFinite(half) || (mean - half >= 0 && mean + half <= 1)) {
    return cell(value, digits);
  }
  const low = Math.max(0, mean - half);
  const high = Math.min(1, mean + half);
  return `${mean.toFixed(digits)} [${low.toFixed(digits)}, ${high.toFixed(digits)}]`;
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
    "net",
    "net_ci95",
    "curve_mean_pass@1",
    "curve_mean_pass@1_ci95",
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
      r.variant === BASE_LABEL ? "" : String(r.reached),
      num(r.hintedFraction.mean),
      num(r.hintedFraction.half),
      num(r.compression.mean),
      num(r.capabilityGain.mean),
      num(r.lost.mean),
      num(r.updates.mean),
      num(r.net.mean),
      num(r.net.half),
      num(r.curveMean.mean),
      num(r.curveMean.half),
    ].join(",")
  );
  return [header.join(","), ...lines].join("\n") + "\n";
}

const csvNumber = (x: number) => (Number.isFinite(x) ? String(Number(x.toFixed(6))) : "");
const csvQuote = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

/**
 * `runs.csv`: one line per run (the base: per evaluation draw) × tier (and the overall rows) × metric, tidy: variant,
 * run, base, seed, draw, tier, split, metric, k, value, updates, completions, domain. The metrics: `pass@1`, `pass@k` (k in
 * its column), `gained`, `lost`, `net` (problems against the base, each draw's split averaged) and
 * `curve_mean_pass@1` (the learning curve's mean over the report's common budget, on the validation split).
 */
export function runsCsv(report: AblationReport): string {
  const header = [
    "variant",
    "run",
    "base",
    "seed",
    "draw",
    "tier",
    "split",
    "metric",
    "k",
    "value",
    "updates",
    "completions",
    "domain",
  ];
  const metrics: [string, number | "", (v: RunValues) => number][] = [
    ["pass@1", 1, (v) => v.passAt1],
    ["pass@k", report.k, (v) => v.passAtK],
    ["gained", report.k, (v) => v.gained],
    ["lost", report.k, (v) => v.lost],
    ["net", report.k, (v) => v.net],
    ["curve_mean_pass@1", 1, (v) => v.curveMean],
  ];
  // The curve's mean reads the learning-curve evaluations (the validation split); everything else the test split.
  const splitOf = (metric: string) => (metric === "curve_mean_pass@1" ? "validation" : "test");
  const lines: string[] = [];
  for (const row of report.rows) {
    for (const v of row.perRun) {
      for (const [metric, k, value] of metrics) {
        if (!Number.isFinite(value(v))) continue;
        lines.push([
          csvQuote(row.variant),
          v.run,
          csvQuote(report.base),
          v.seed === null ? "" : String(v.seed),
          v.draw === null ? "" : String(v.draw),
          row.tier,
          splitOf(metric),
          metric,
          String(k),
          csvNumber(value(v)),
          csvNumber(v.updates),
          csvNumber(v.completions),
          csvQuote(report.domain),
        ].join(","));
      }
    }
  }
  return [header.join(","), ...lines].join("\n") + "\n";
}

/** The overall score: per variant, all-tier and trained-tier pass@1 and pass@k (macro), the net problems, the curve. */
function overallTable(report: AblationReport, v: Verdict): string[] {
  const at = (variant: string, tier: string) => report.rows.find((r) => r.variant === variant && r.tier === tier);
  const call = (variant: string, tier: string, metric: Comparison["metric"]) => {
    const marks = v.comparisons.filter((c) =>
      c.variant === variant && c.tier === tier && c.metric === metric && c.call !== "inconclusive" && !c.why
    ).map((c) =>
      `${c.call === "≈" ? "≈" : c.call === "above" ? "↑" : "↓"}${c.against === BASE_LABEL ? "base" : c.against}`
    );
    return marks.length > 0 ? ` (${marks.join(", ")})` : "";
  };
  const variants = [...new Set(report.rows.map((r) => r.variant))];
  const trained = report.trainedTiers.join(", ");
  const out = [
    `| variant | seeds | all pass@1 | all pass@${report.k} | trained (${trained}) pass@1 | trained pass@${report.k} | ` +
    `net problems (gained − lost) | curve mean pass@1, trained |`,
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const variant of variants) {
    const all = at(variant, "all");
    const tr = at(variant, "trained");
    if (!all) continue;
    const net = Number.isFinite(all.net.mean)
      ? `${cell(all.net, 1)} (${(all.compression.mean + all.capabilityGain.mean).toFixed(1)} − ${
        all.lost.mean.toFixed(1)
      })`
      : "";
    out.push(
      `| ${variant} | ${all.seeds}${variant === BASE_LABEL ? " draws" : ""} | ${proportionCell(all.passAt1)}${
        call(variant, "all", "pass@1")
      } | ${proportionCell(all.passAtK)}${call(variant, "all", "pass@k")} | ${tr ? proportionCell(tr.passAt1) : ""}${
        call(variant, "trained", "pass@1")
      } | ${tr ? proportionCell(tr.passAtK) : ""}${call(variant, "trained", "pass@k")} | ${net} | ${
        tr ? proportionCell(tr.curveMean) : ""
      }${call(variant, "trained", "curve")} |`,
    );
  }
  return out;
}

/** Every comparison the verdict made: the difference, its interval, the raw and adjusted p-values, the call. */
function comparisonsTable(report: AblationReport, v: Verdict): string[] {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "–");
  const p = (x: number) => (!Number.isFinite(x) ? "–" : x < 0.001 ? "< 0.001" : x.toFixed(3));
  return [
    "| variant | against | tier | metric | difference | 95% interval | p | adjusted p | TOST p (adjusted) | call |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...v.comparisons.map((c) =>
      `| ${c.variant} | ${c.against} | ${c.tier} | ${c.metric === "pass@k" ? `pass@${report.k}` : c.metric} | ${
        f(c.difference.estimate)
      } | ${Number.isFinite(c.difference.low) ? `[${f(c.difference.low)}, ${f(c.difference.high)}]` : "–"} | ${
        p(c.difference.p)
      } | ${p(c.pAdjusted)} | ${p(c.pEquivalentAdjusted)} | ${c.call}${c.why ? ` (${c.why})` : ""} |`
    ),
  ];
}

/** `summary.md`: the verdict ({@link verdict}), the overall score, how to read the tables, a table per tier. */
export function summaryMarkdown(report: AblationReport, title = "Ablation summary"): string {
  const v = verdict(report);
  const out = [`# ${title}`, "", verdictMarkdown(v), ""];
  out.push(
    "## Overall score",
    "",
    `All tiers and the trained tiers, each the mean over its tiers (macro), mean ± 95% CI over seeds (the base: over ` +
      `its evaluation draws); beside a value, the calls the verdict made (↑/↓: above/below, ≈: equivalent, against ` +
      `the base or ${
        v.reference ?? "the reference"
      }). Net problems: problems newly solved minus problems lost against ` +
      `the base (against each of its draws, averaged), over all tiers. Curve mean: the learning curve's held-out pass@1 averaged ` +
      `over the first ${Number.isFinite(report.curveEnd) ? report.curveEnd : "–"} completions (every run's budget).`,
    "",
    ...overallTable(report, v),
    "",
  );
  if (report.curveNoise.length > 0) {
    out.push(
      `Learning-curve noise: a curve point is one evaluation; its sampling standard error at the curve's mean level ` +
        `(a lower bound, samples of a problem are correlated): ${
          report.curveNoise.map((c) =>
            `tier ${c.tier} ${c.problems} problems × ${c.samples} sample${c.samples === 1 ? "" : "s"}, pass@1 ${
              c.passAt1.toFixed(3)
            }, SE ≈ ${c.se.toFixed(3)}`
          ).join("; ")
        }.`,
      "",
    );
  }
  out.push(
    `Held-out pass@1 and pass@${report.k} at the end of each run, mean ± 95% CI over seeds (Student's t; an ` +
      `interval of a proportion that would pass 0 or 1 is shown clipped, as mean [low, high]; summary.csv keeps ` +
      `the unclipped half-width). ` +
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
    const heading = tier === "all"
      ? "All tiers (macro)"
      : tier === "trained"
      ? `Trained tiers ${report.trainedTiers.join(", ")} (macro)`
      : `Tier ${tier}`;
    out.push(`## ${heading} (${targetText})`);
    out.push("");
    out.push(
      `| variant | seeds | pass@1 | pass@${report.k} | steps to target | rollouts to target | hinted fraction | ` +
        `compression | capability gain | lost |`,
    );
    out.push("|---|---|---|---|---|---|---|---|---|---|");
    for (const r of report.rows.filter((row) => row.tier === tier)) {
      const base = r.variant === BASE_LABEL;
      const reach = base ? "" : `${cell(r.stepsToTarget, 0)} (${r.reached}/${r.seeds})`;
      out.push(
        `| ${r.variant} | ${r.seeds} | ${proportionCell(r.passAt1)} | ${proportionCell(r.passAtK)} | ${reach} | ` +
          `${base ? "" : cell(r.rolloutsToTarget, 0)} | ${proportionCell(r.hintedFraction, 2)} | ` +
          `${cell(r.compression, 1)} | ` +
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
  out.push("## Every comparison", "", ...comparisonsTable(report, v), "");
  return out.join("\n");
}
