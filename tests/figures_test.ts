import { assert, assertEquals } from "./assert.ts";
import type { AblationReport, SummaryRow } from "../lib/ablation/report.ts";
import { gainSplitFigure, learningFigure, passkFigure, variantStyle } from "../lib/ablation/plots.ts";

const ci = (mean: number, half = 0.01, n = 3) => ({ mean, half, n });
const nan = ci(NaN, NaN, 0);
function row(variant: string, tier: string): SummaryRow {
  return {
    variant,
    tier,
    seeds: 3,
    passAt1: ci(0),
    passAtK: ci(0),
    stepsToTarget: nan,
    rolloutsToTarget: nan,
    reached: 0,
    hintedFraction: nan,
    updates: ci(10),
    compression: ci(2, 0.5),
    capabilityGain: ci(1, 1.5),
    lost: ci(3, NaN, 1),
  };
}
const names = Array.from({ length: 20 }, (_, i) => `variant-${i}`);
const flat = [{ x: 0, mean: 0, half: 0, n: 3 }, { x: 10, mean: 0, half: 0, n: 3 }];
const report: AblationReport = {
  k: 4,
  targets: {},
  tiers: ["4", "all"],
  rows: names.flatMap((v) => [row(v, "4"), row(v, "all")]),
  curves: names.map((variant) => ({ variant, tier: "4", byStep: flat, byRollouts: flat })),
  passk: names.map((variant) => ({ variant, tier: "4", after: flat })),
  before: [{ tier: "4", curve: [{ k: 1, passAtK: 0 }, { k: 4, passAtK: 0 }] }],
  hinted: [],
  unfinished: [],
};

Deno.test("figures hold at 20 variants: distinct line styles, legend beside the plot, light bands, a note when flat", () => {
  const styles = names.map((_, i) => JSON.stringify(variantStyle(i)));
  assertEquals(new Set(styles).size, 20);
  const learning = learningFigure(report, "step", "4");
  const lines = learning.data.filter((t) => t.name);
  assertEquals(new Set(lines.map((t) => JSON.stringify(t.line))).size, 20);
  const layout = learning.layout as { legend: { orientation: string; x: number }; annotations: { text: string }[] };
  assertEquals([layout.legend.orientation, layout.legend.x > 1], ["v", true]);
  assertEquals(layout.annotations.map((a) => a.text), ["every variant at 0 on this tier"]);
  const band = learning.data.find((t) => t.fill === "toself")!;
  assert(String(band.fillcolor).endsWith(",0.06)"), String(band.fillcolor));
  const passk = passkFigure(report, "4").layout as { annotations: { text: string }[] };
  assertEquals(passk.annotations.map((a) => a.text), ["every variant at 0 on this tier"]);
});

Deno.test("the gain split carries each bar's 95% interval over seeds (none for one seed)", () => {
  const bars = gainSplitFigure(report, "4").data as { name: string; x: number[]; error_x: { array: number[] } }[];
  assertEquals(bars.map((b) => [b.name.split(" ")[0], b.x[0], b.error_x.array[0]]), [
    ["compression", 2, 0.5],
    ["capability", 1, 1.5],
    ["lost", -3, 0],
  ]);
});
