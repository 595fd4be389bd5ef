import { assert, assertEquals } from "./assert.ts";
import type { AblationReport, SummaryRow } from "../lib/ablation/report.ts";
import { settingsOf } from "./report_fixture.ts";
import {
  familyStyles,
  gainSplitFigure,
  learningFigure,
  PALETTE,
  passkFigure,
  probabilityRange,
  seedsText,
  variantFamilies,
  variantMarker,
  variantStyle,
} from "../lib/ablation/plots.ts";

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
    net: nan,
    curveMean: nan,
    perRun: [],
  };
}
const names = Array.from({ length: 20 }, (_, i) => `variant-${i}`);
const flat = [{ x: 0, mean: 0, half: 0, n: 3 }, { x: 10, mean: 0, half: 0, n: 3 }];
const report: AblationReport = {
  k: 4,
  settings: settingsOf(),
  base: "sft-test",
  domain: "math",
  trainedTiers: ["4"],
  curveEnd: 10,
  curveNoise: [],
  targets: {},
  tiers: ["4", "all"],
  rows: names.flatMap((v) => [row(v, "4"), row(v, "all")]),
  curves: names.map((variant) => ({ variant, tier: "4", byStep: flat, byRollouts: flat, bySeconds: [] })),
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
  const layout = learning.layout as {
    legend: { orientation: string; x: number };
    annotations: { text: string }[];
    height: number;
  };
  assertEquals([layout.legend.orientation, layout.legend.x > 1], ["v", true]);
  // A static image cannot scroll its legend: the figure is tall enough for all 20 entries.
  assert(layout.height >= 20 * 19 + 136, `height ${layout.height}`);
  assertEquals(layout.annotations.map((a) => a.text), ["every variant at 0 on this tier"]);
  const band = learning.data.find((t) => t.fill === "toself")!;
  assert(String(band.fillcolor).endsWith(",0.06)"), String(band.fillcolor));
  const passk = passkFigure(report, "4").layout as { annotations: { text: string }[] };
  assertEquals(passk.annotations.map((a) => a.text), ["every variant at 0 on this tier"]);
});

Deno.test("variants are grouped by family: a colour per family, a dash per member, no style shared", () => {
  const variants = [
    "grpo",
    "filter-grpo",
    "guide-plain-unit",
    "guide-plain-unit-kl",
    "guide-plain-unit-half",
    "grpo-52-updates",
  ];
  assertEquals(variantFamilies(variants), [
    ["grpo", "grpo-52-updates"],
    ["filter-grpo"],
    ["guide-plain-unit", "guide-plain-unit-kl", "guide-plain-unit-half"],
  ]);
  const styles = familyStyles(variants);
  assertEquals(styles.get("grpo"), { color: PALETTE[0], dash: "solid" });
  assertEquals(styles.get("grpo-52-updates"), { color: PALETTE[0], dash: "dash" });
  assertEquals(styles.get("guide-plain-unit-half"), { color: PALETTE[2], dash: "dot" });
  // Legends list a family together, head first.
  const familyReport = {
    ...report,
    curves: variants.map((variant) => ({ variant, tier: "4", byStep: flat, byRollouts: flat, bySeconds: [] })),
    rows: variants.map((v) => row(v, "4")),
  };
  const ranked = learningFigure(familyReport, "step", "4").data.filter((t) => t.name)
    .sort((a, b) => Number(a.legendrank) - Number(b.legendrank)).map((t) => t.name);
  assertEquals(ranked, [
    "grpo",
    "grpo-52-updates",
    "filter-grpo",
    "guide-plain-unit",
    "guide-plain-unit-kl",
    "guide-plain-unit-half",
  ]);
  // Twenty-five variants in one family and forty alone: all distinct.
  const many = [...Array.from({ length: 25 }, (_, i) => i === 0 ? "big" : `big-${i}`), ...names.map((n) => `x${n}`)];
  const all = familyStyles(many);
  assertEquals(new Set([...all.values()].map((v) => JSON.stringify(v))).size, many.length);
});

Deno.test("the gain split carries each bar's 95% interval over seeds (none for one seed)", () => {
  const bars = gainSplitFigure(report, "4").data as { name: string; x: number[]; error_x: { array: number[] } }[];
  assertEquals(bars.map((b) => [b.name.split(" ")[0], b.x[0], b.error_x.array[0]]), [
    ["compression", 2, 0.5],
    ["capability", 1, 1.5],
    ["lost", -3, 0],
  ]);
});

Deno.test("every figure says what its bands and bars are, over how many seeds; probability axes fit [0, 1]", () => {
  const subtitle = (f: { layout?: Record<string, unknown> }) =>
    (f.layout!.title as { subtitle: { text: string } }).subtitle.text.replaceAll("<br>", " ");
  const learning = learningFigure(report, "step", "4");
  assertEquals(subtitle(learning), "lines: mean over seeds; bands: 95% t-interval of the mean (n = 3 seeds)");
  assert(subtitle(passkFigure(report, "4")).includes("95% t-interval of the mean (n = 3 seeds)"));
  assert(subtitle(gainSplitFigure(report, "4")).includes("whiskers: 95% t-interval of the mean (n = 3 seeds)"));
  // Every value at 0: the axis starts at 0 (it read −1 to 1 before); a band's top sets the end, never past 1.02.
  assertEquals((learning.layout!.yaxis as { range: number[] }).range, [0, 0.05]);
  assertEquals(probabilityRange([{ y: [0.2, 0.5] }, { y: [0.6] }]), [0, 0.6 * 1.08]);
  assertEquals(probabilityRange([{ y: [0.99, NaN] }]), [0, 1.02]);
  assertEquals(seedsText([[{ x: 0, mean: 0, half: 0, n: 3 }], [{ x: 0, mean: 0, half: 0, n: 5 }]]), "n = 3–5 seeds");
  // Lines that coincide stay told apart: each variant its own marker shape.
  const shapes = learning.data.filter((t) => t.name).slice(0, 8).map((t) => (t.marker as { symbol: string }).symbol);
  assertEquals(new Set(shapes).size, 8);
  assertEquals(variantMarker(0), { symbol: "circle", size: 5 });
});

Deno.test("the gain split draws its three parts side by side, each with its own whisker", () => {
  const layout = gainSplitFigure(report, "4").layout as { barmode: string; height: number };
  assertEquals(layout.barmode, "group");
  assert(layout.height >= 20 * 54, `height ${layout.height} for 20 variants of three bars`);
});
