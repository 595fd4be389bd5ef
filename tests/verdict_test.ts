// The verdict engine against hand-computed cases (reference values from SciPy 1.17's ttest_ind / ttest_rel, and Holm
// by hand): each case is one the old overlap rule decided otherwise.
import { assert, assertAlmostEquals, assertEquals, assertStringIncludes } from "./assert.ts";
import { join } from "node:path";
import { runsCsv, summaryCsv, summaryMarkdown } from "../lib/ablation/summary.ts";
import { displayPath } from "../lib/io.ts";
import { adjust, compare, meanCi, meanHeight } from "../lib/ablation/statistics.ts";
import { comparisons, verdict } from "../lib/ablation/verdict.ts";
import { reportOf } from "./report_fixture.ts";

/** Do two 95% intervals over seeds overlap (the old rule's "no difference")? */
const overlap = (a: number[], b: number[]) => {
  const [x, y] = [meanCi(a), meanCi(b)];
  return x.mean - x.half <= y.mean + y.half && y.mean - y.half <= x.mean + x.half;
};

Deno.test("meanCi: Student's t from @stdlib (4.3027 at 2 degrees of freedom, 2.7764 at 4)", () => {
  const three = meanCi([0.2, 0.3, 0.4]);
  assertAlmostEquals(three.half, 4.302653 * 0.1 / Math.sqrt(3), 1e-6);
  assertAlmostEquals(meanCi([1, 2, 3, 4, 5]).half, 2.776445 * Math.sqrt(2.5) / Math.sqrt(5), 1e-6);
  assertEquals(meanCi([0.5]).half, NaN);
  assertEquals(meanCi([NaN, 1, 3]).mean, 2);
});

Deno.test("Welch: difference, interval and p-value as SciPy; overlapping intervals and still different", () => {
  const a = [0.30, 0.32, 0.34, 0.31, 0.33];
  const b = [0.27, 0.29, 0.31, 0.28, 0.30];
  assert(overlap(a, b), "the old rule saw no difference here");
  const d = compare(a, b);
  assertAlmostEquals(d.estimate, 0.03, 1e-12);
  assertAlmostEquals(d.df, 8, 1e-9);
  assertAlmostEquals(d.p, 0.01707168123378273, 1e-9);
  assertAlmostEquals(d.low, 0.0069399586479583115, 1e-9);
  assertAlmostEquals(d.high, 0.053060041352041634, 1e-9);
  const unequal = compare([0.30, 0.32, 0.34], [0.20, 0.21, 0.19, 0.26]);
  assertAlmostEquals(unequal.df, 4.959183673469389, 1e-9);
  assertAlmostEquals(unequal.p, 0.002963568485602284, 1e-9);
});

Deno.test("paired by seed: rejects where Welch and the intervals cannot", () => {
  const a = [0.31, 0.42, 0.37, 0.33];
  const b = [0.27, 0.35, 0.36, 0.28];
  assert(overlap(a, b));
  const paired = compare(a, b, { method: "paired", margin: 0.05 });
  assertAlmostEquals(paired.p, 0.042461323505895626, 1e-9);
  assertAlmostEquals(paired.low, 0.0027194211839536506, 1e-9);
  assertAlmostEquals(paired.high, 0.08228057881604633, 1e-9);
  assertAlmostEquals(paired.pEquivalent, 0.29540060402699436, 1e-9);
  assertAlmostEquals(compare(a, b).p, 0.2533292610060505, 1e-9);
});

Deno.test("Holm on five p-values, by hand; untested entries stay out of the family", () => {
  // Sorted 0.005, 0.01, 0.03, 0.04, 0.2 → ×5, ×4, ×3, ×2, ×1 = 0.025, 0.04, 0.09, 0.08 → 0.09 (monotone), 0.2.
  const p = [0.01, 0.04, 0.03, 0.005, 0.2];
  adjust(p, "holm").forEach((x, i) => assertAlmostEquals(x, [0.04, 0.09, 0.09, 0.025, 0.2][i], 1e-12));
  const withGap = adjust([0.01, NaN, 0.04], "holm");
  assertEquals(withGap.map((x) => Number(x.toFixed(6))), [0.02, NaN, 0.04]);
  assertEquals(adjust(p, "none"), p);
});

Deno.test("TOST: equivalent within the margin, or not; neither different nor equivalent is inconclusive", () => {
  const eq = compare([0.300, 0.305, 0.295, 0.302, 0.298], [0.301, 0.299, 0.303, 0.297, 0.300], { margin: 0.02 });
  assertAlmostEquals(eq.pEquivalent, 1.6694985044772177e-05, 1e-9);
  assertAlmostEquals(eq.p, 1, 1e-9);
  const wide = compare([0.30, 0.36, 0.24], [0.31, 0.25, 0.37], { margin: 0.02 });
  assertAlmostEquals(wide.pEquivalent, 0.42411072477094075, 1e-9);
  assertAlmostEquals(wide.p, 0.8482214495418815, 1e-9);
  // No spread on either side: no test at all, said.
  assertStringIncludes(compare([0, 0, 0], [0, 0]).untestable!, "no spread");
  assertStringIncludes(compare([0.1, 0.2], [0.1]).untestable!, "needs 2 a side");
});

Deno.test("the learning curve's mean height: the trapezoid over the budget", () => {
  // 0 → 0.2 over 0–50, flat 0.2 to 100: area 5 + 10 = 15 over 100.
  assertAlmostEquals(meanHeight([{ x: 0, y: 0 }, { x: 50, y: 0.2 }, { x: 100, y: 0.2 }], 100), 0.15, 1e-12);
  assertAlmostEquals(meanHeight([{ x: 0, y: 0 }, { x: 100, y: 0.2 }], 50), 0.05, 1e-12);
  assertEquals(meanHeight([{ x: 0, y: 0 }, { x: 40, y: 0.2 }], 50), NaN);
});

/**
 * Tier 1 (easy, base ≈ 0.8): GRPO clearly above the base, Guide clearly below it (forgetting). Tier 3 (trained):
 * GRPO above the base at pass@1 and below it at pass@4 (compression); Guide level with GRPO at pass@1 within the
 * margin (≈), above both at pass@4. The base has two draws.
 */
const TIERS = {
  "1": {
    "base (SFT)": { at1: [0.80, 0.81], atK: [0.90, 0.91] },
    grpo: { at1: [0.86, 0.87, 0.88], atK: [0.90, 0.91, 0.89] },
    guide: { at1: [0.70, 0.69, 0.71], atK: [0.90, 0.92, 0.88] },
  },
  "3": {
    "base (SFT)": { at1: [0.100, 0.102], atK: [0.30, 0.31] },
    grpo: { at1: [0.150, 0.152, 0.148], atK: [0.25, 0.24, 0.26], curve: [0.12, 0.13, 0.125] },
    guide: { at1: [0.151, 0.149, 0.150], atK: [0.45, 0.46, 0.44], curve: [0.10, 0.20, 0.15] },
  },
};

Deno.test("the verdict: tested calls against the base and GRPO, forgetting, compression, ≈ by TOST, inconclusive", () => {
  const report = reportOf(TIERS, { updates: { grpo: 10, guide: 7 } });
  const v = verdict(report);
  const calls = Object.fromEntries(
    v.comparisons.map((c) => [`${c.variant}|${c.against}|${c.tier}|${c.metric}`, c.call]),
  );
  assertEquals(calls, {
    "grpo|base (SFT)|1|pass@1": "above",
    "grpo|base (SFT)|1|pass@k": "inconclusive",
    "guide|base (SFT)|1|pass@1": "below",
    "guide|base (SFT)|1|pass@k": "inconclusive",
    "guide|grpo|1|pass@1": "below",
    "guide|grpo|1|pass@k": "inconclusive",
    "grpo|base (SFT)|3|pass@1": "above",
    "grpo|base (SFT)|3|pass@k": "below",
    "guide|base (SFT)|3|pass@1": "above",
    "guide|base (SFT)|3|pass@k": "above",
    "guide|grpo|3|pass@1": "≈",
    "guide|grpo|3|pass@k": "above",
    "guide|grpo|3|curve": "inconclusive",
  });
  assertEquals(v.tiers.map((t) => [t.tier, t.forgot, t.compressed]), [["1", ["guide"], []], ["3", [], ["grpo"]]]);
  assertEquals(v.reference, "grpo");
  assertStringIncludes(
    v.rule,
    "Holm adjustment across the verdict's 13 tested comparisons (0 more could not be tested)",
  );
  assertStringIncludes(v.rule, "the base's 2 independent evaluation draws");
  const tier3 = v.findings.find((f) => f.startsWith("Tier 3"))!;
  assertStringIncludes(tier3, "pass@1 ≈ grpo: guide (+0.000 [");
  assertStringIncludes(tier3, "compressed pass@k (above the base at pass@1, below it at pass@4): grpo");
  assertStringIncludes(v.findings.join("\n"), "Inconclusive (neither a difference nor equivalence within the margin)");
});

Deno.test("Holm across the family moves a call: one test at p ≈ 0.017 is above alone, not among many", () => {
  const a = [0.30, 0.32, 0.34, 0.31, 0.33];
  const b = [0.27, 0.29, 0.31, 0.28, 0.30];
  const alone = { "3": { "base (SFT)": { at1: b, atK: b }, grpo: { at1: a, atK: b.map((x) => x + 0.001) } } };
  const none = comparisons(reportOf(alone, { settings: { adjust: "none" } }));
  assertEquals(none.find((c) => c.metric === "pass@1")!.call, "above");
  // Holm over the two comparisons: 0.017 × 2 = 0.034 < 0.05, still above; Bonferroni over them too.
  assertEquals(comparisons(reportOf(alone)).find((c) => c.metric === "pass@1")!.call, "above");
  // Ten tiers of the same: the family has 20 tests and 0.017 × 20 > 0.05.
  const many = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [String(i + 1), alone["3"]]));
  const held = comparisons(reportOf(many)).filter((c) => c.metric === "pass@1");
  assert(held.every((c) => c.call === "inconclusive" && c.pAdjusted > 0.05));
});

Deno.test("minSeeds holds on both sides: a reference with 2 seeds gives no call against it", () => {
  const v = verdict(reportOf({
    "3": {
      "base (SFT)": { at1: [0.10, 0.11], atK: [0.3, 0.31] },
      grpo: { at1: [0.2, 0.21], atK: [0.4, 0.41] },
      guide: { at1: [0.5, 0.6, 0.55], atK: [0.7, 0.8, 0.75] },
    },
  }));
  const against = v.comparisons.filter((c) => c.variant === "guide" && c.against === "grpo" && c.metric !== "curve");
  assert(against.length > 0 && against.every((c) => c.why === "2 seeds (fewer than 3)"));
});

Deno.test("forgetting is on tiers RL did not train on: a trained tier below the base is 'below', not 'forgot'", () => {
  const tiers = {
    "1": {
      "base (SFT)": { at1: [0.80, 0.81], atK: [0.9, 0.91] },
      grpo: { at1: [0.60, 0.61, 0.62], atK: [0.9, 0.91, 0.9] },
    },
  };
  assertEquals(verdict(reportOf(tiers, { trained: ["3"] })).tiers[0].forgot, ["grpo"]);
  const trainedOnIt = verdict(reportOf(tiers, { trained: ["1"] })).tiers[0];
  assertEquals([trainedOnIt.forgot, trainedOnIt.passAt1.belowBase], [[], ["grpo"]]);
});

Deno.test("too few seeds, one base draw, or no spread: no call, and the text says why", () => {
  const two = {
    "3": {
      "base (SFT)": { at1: [0.10, 0.11], atK: [0.3, 0.31] },
      grpo: { at1: [0.5, 0.6], atK: [0.7, 0.8] },
    },
  };
  const v = verdict(reportOf(two));
  assert(v.comparisons.every((c) => c.call === "inconclusive"));
  assertStringIncludes(v.findings.join("\n"), "Not tested (2 comparisons): 2 seeds (fewer than 3)");
  const oneDraw = verdict(reportOf({
    "3": { "base (SFT)": { at1: [0.1], atK: [0.3] }, grpo: { at1: [0.5, 0.6, 0.55], atK: [0.7, 0.8, 0.75] } },
  }));
  assertStringIncludes(oneDraw.findings.join("\n"), "the base was evaluated 1 time");
  const flat = verdict(reportOf({
    "4": { "base (SFT)": { at1: [0, 0], atK: [0, 0] }, grpo: { at1: [0, 0, 0], atK: [0, 0, 0] } },
  }));
  assertStringIncludes(flat.findings.join("\n"), "no spread on either side");
});

Deno.test("the overall score comes first: all tiers and trained tiers, with net problems", () => {
  const tiers = {
    ...TIERS,
    all: {
      "base (SFT)": { at1: [0.45, 0.46], atK: [0.6, 0.61] },
      grpo: { at1: [0.50, 0.51, 0.52], atK: [0.58, 0.57, 0.59], net: [3, 4, 5] },
      guide: { at1: [0.42, 0.41, 0.43], atK: [0.68, 0.67, 0.69], net: [-2, -1, -3] },
    },
    trained: TIERS["3"],
  };
  const report = reportOf(tiers, { updates: { grpo: 10, guide: 7 } });
  const v = verdict(report);
  // Two base draws and three seeds: the all-tier differences against the base stay open after Holm (p = 0.050).
  assert(
    v.findings[0].startsWith("Overall (all tiers, macro): **grpo**: pass@1 inconclusive against the base (+0.055"),
  );
  assertStringIncludes(v.findings[0], "**guide**: pass@1 inconclusive against the base (−0.035");
  assertStringIncludes(v.findings[0], "below grpo (−0.090 [−0.113, −0.067], p = 0.0");
  assertEquals(v.findings.at(-1), "Updates for the budget: grpo 10, guide 7.");
  assertStringIncludes(v.findings[0], "net −2.0 ± 2.5 problems");
  assert(v.findings[1].startsWith("Trained tiers (3, macro)"));
  const md = summaryMarkdown(report);
  assert(md.indexOf("## Overall score") < md.indexOf("## Tier 1"));
  assertStringIncludes(md, "| guide | 3 | 0.420 ± 0.025 (↓grpo) | 0.680 ± 0.025 (↑base, ↑grpo) |");
  assertStringIncludes(md, "## Every comparison");
});

Deno.test("runs.csv: a tidy line per run × tier × metric, each value the means rest on", () => {
  const report = reportOf(TIERS);
  const csv = runsCsv(report).trim().split("\n");
  assertEquals(csv[0], "variant,run,base,seed,draw,tier,split,metric,k,value,updates,completions,domain");
  assertEquals(csv[1], "base (SFT),base-draw-0,sft-test,,0,1,test,pass@1,1,0.8,,96,math");
  assert(csv.includes("guide,guide-s2,sft-test,2,,3,test,pass@k,4,0.44,,96,math"));
  assert(csv.includes("guide,guide-s1,sft-test,1,,3,validation,curve_mean_pass@1,1,0.2,,96,math"));
  // Every row's mean is the mean of its lines.
  const values = csv.slice(1).map((l) => l.split(",")).filter((f) =>
    f[0] === "grpo" && f[5] === "3" && f[7] === "pass@1"
  );
  assertAlmostEquals(values.reduce((a, f) => a + Number(f[9]), 0) / values.length, 0.15, 1e-12);
});

Deno.test("summary.md clips a proportion's interval to [0, 1] and says so; the CSV keeps the half-width", () => {
  const report = reportOf({
    "1": { "base (SFT)": TIERS["1"]["base (SFT)"], grpo: { at1: [0.99, 0.8, 0.99], atK: [1, 1, 1] } },
  });
  const md = summaryMarkdown(report);
  assertStringIncludes(md, "| grpo | 3 | 0.927 [0.654, 1.000] |");
  assertStringIncludes(md, "shown clipped, as mean [low, high]");
  assertStringIncludes(summaryCsv(report), "grpo,1,3,0.926667,0.272501,");
});

Deno.test("output files name paths relative to the working folder, never the machine's", () => {
  assertEquals(displayPath("grids/main.yaml"), "grids/main.yaml");
  assertEquals(displayPath(join(Deno.cwd(), "lib", "x.yaml")), join("lib", "x.yaml"));
  assertEquals(displayPath("/elsewhere/grids/mine.yaml"), "mine.yaml");
});
