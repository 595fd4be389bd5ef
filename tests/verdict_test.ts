import { assertEquals, assertStringIncludes } from "./assert.ts";
import { join } from "node:path";
import { summaryCsv, summaryMarkdown } from "../lib/ablation/summary.ts";
import { displayPath } from "../lib/io.ts";
import type { AblationReport, SummaryRow } from "../lib/ablation/report.ts";
import { verdict } from "../lib/ablation/verdict.ts";

const ci = (mean: number, half = NaN, n = 3) => ({ mean, half, n });
const nan = ci(NaN, NaN, 0);
function row(
  variant: string,
  tier: string,
  passAt1: SummaryRow["passAt1"],
  passAtK: SummaryRow["passAtK"],
): SummaryRow {
  return {
    variant,
    tier,
    seeds: variant === "base (SFT)" ? 1 : 3,
    passAt1,
    passAtK,
    stepsToTarget: nan,
    rolloutsToTarget: nan,
    reached: 0,
    hintedFraction: nan,
    updates: variant === "grpo" ? ci(10) : variant === "guide" ? ci(7) : nan,
    compression: nan,
    capabilityGain: nan,
    lost: nan,
  };
}
const curve = (values: number[]) => values.map((mean, i) => ({ x: 2 ** i, mean, half: NaN, n: 3 }));

// Tier 1 (easy: the base's pass@1 0.8): GRPO above the base at pass@1, Guide below it (forgetting).
// Tier 3: GRPO above the base at pass@1 and below it at pass@4 (compression); Guide level at pass@1 (its interval
// reaches the base) and above both the base and GRPO at pass@4. All tiers: nothing beyond an interval.
const report: AblationReport = {
  k: 4,
  targets: {},
  tiers: ["1", "3", "all"],
  rows: [
    row("base (SFT)", "1", ci(0.8), ci(0.9)),
    row("base (SFT)", "3", ci(0.1), ci(0.3)),
    row("base (SFT)", "all", ci(0.45), ci(0.6)),
    row("grpo", "1", ci(0.85, 0.02), ci(0.88, 0.05)),
    row("grpo", "3", ci(0.15, 0.02), ci(0.25, 0.02)),
    row("grpo", "all", ci(0.5, 0.1), ci(0.56, 0.1)),
    row("guide", "1", ci(0.7, 0.05), ci(0.9, 0.05)),
    row("guide", "3", ci(0.12, 0.05), ci(0.45, 0.03)),
    row("guide", "all", ci(0.41, 0.1), ci(0.67, 0.1)),
  ],
  curves: [],
  passk: [
    { variant: "grpo", tier: "3", after: curve([0.15, 0.2, 0.25]) },
    { variant: "guide", tier: "3", after: curve([0.12, 0.3, 0.45]) },
  ],
  before: [{ tier: "3", curve: [{ k: 1, passAtK: 0.1 }, { k: 2, passAtK: 0.2 }, { k: 4, passAtK: 0.3 }] }],
  hinted: [],
  unfinished: [],
};

Deno.test("the verdict, by hand: beyond the base and GRPO at pass@1 and pass@k, forgetting, compression, updates", () => {
  const v = verdict(report);
  assertEquals(v.tiers.map((t) => [t.tier, t.passAt1, t.passAtK, t.forgot, t.compressed]), [
    [
      "1",
      { aboveBase: ["grpo"], belowBase: ["guide"], aboveGrpo: [], belowGrpo: ["guide"] },
      {
        aboveBase: [],
        belowBase: [],
        aboveGrpo: [],
        belowGrpo: [],
      },
      ["guide"],
      [],
    ],
    [
      "3",
      { aboveBase: ["grpo"], belowBase: [], aboveGrpo: [], belowGrpo: [] },
      {
        aboveBase: ["guide"],
        belowBase: ["grpo"],
        aboveGrpo: ["guide"],
        belowGrpo: [],
      },
      [],
      ["grpo"],
    ],
    [
      "all",
      { aboveBase: [], belowBase: [], aboveGrpo: [], belowGrpo: [] },
      {
        aboveBase: [],
        belowBase: [],
        aboveGrpo: [],
        belowGrpo: [],
      },
      [],
      [],
    ],
  ]);
  assertEquals(v.findings, [
    "Tier 1: pass@1 above the base: grpo (+0.050); forgot (pass@1 below a base at 0.800): guide (−0.100); " +
    "pass@1 below GRPO: guide (−0.150).",
    "Tier 3: pass@1 above the base: grpo (+0.050); pass@4 above the base: guide (+0.150); pass@4 below the base: " +
    "grpo (−0.050); pass@4 above GRPO: guide (+0.200); compressed pass@k (above the base at pass@1, below it at the " +
    "largest k): grpo.",
    "No variant moved beyond its interval on all tiers.",
    "Updates for the budget: grpo 10, guide 7.",
  ]);
});

Deno.test("the verdict calls nothing beyond an interval that one seed cannot have", () => {
  const one = {
    ...report,
    rows: report.rows.map((
      r,
    ) => (r.variant === "base (SFT)" ? r : { ...r, passAt1: ci(r.passAt1.mean), passAtK: ci(r.passAtK.mean) })),
  };
  const v = verdict(one);
  assertEquals(v.tiers.flatMap((t) => [...Object.values(t.passAt1), ...Object.values(t.passAtK), t.forgot]).flat(), []);
  // Compression reads the means of the pass@k curves, so it stands.
  assertEquals(v.tiers.find((t) => t.tier === "3")!.compressed, ["grpo"]);
});

Deno.test("summary.md clips a proportion's interval to [0, 1] and says so; the CSV keeps the half-width", () => {
  const wide = {
    ...report,
    rows: report.rows.map((r) =>
      r.variant === "grpo" && r.tier === "1" ? { ...r, hintedFraction: ci(0.5, 6.35), passAt1: ci(0.95, 0.2) } : r
    ),
  };
  const md = summaryMarkdown(wide);
  assertStringIncludes(md, "| grpo | 3 | 0.950 [0.750, 1.000] | 0.880 ± 0.050 |");
  assertStringIncludes(md, "| 0.50 [0.00, 1.00] |");
  assertStringIncludes(md, "shown clipped, as mean [low, high]");
  assertStringIncludes(summaryCsv(wide), "grpo,1,3,0.95,0.2,");
});

Deno.test("output files name paths relative to the working folder, never the machine's", () => {
  assertEquals(displayPath("lib/ablation/grids/main.yaml"), "lib/ablation/grids/main.yaml");
  assertEquals(displayPath(join(Deno.cwd(), "lib", "x.yaml")), join("lib", "x.yaml"));
  assertEquals(displayPath("/elsewhere/grids/mine.yaml"), "mine.yaml");
});
