/**
 * The summary files of an ablation, rendered from its report: `summary.csv` (a line per variant and tier, each mean
 * with its CI half-width) and `summary.md` (a table per tier, then the pass@k and updates of each variant).
 *
 * @module
 */
import type { AblationReport } from "./report.ts";
import type { MeanCi } from "./statistics.ts";
import { verdict, verdictMarkdown } from "./verdict.ts";

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

/** `summary.md`: the verdict ({@link verdict}), how to read the tables, then a table per tier. */
export function summaryMarkdown(report: AblationReport, title = "Ablation summary"): string {
  const out = [`# ${title}`, "", verdictMarkdown(verdict(report)), ""];
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
  return out.join("\n");
}
