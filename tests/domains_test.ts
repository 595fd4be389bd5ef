// The findings-across-domains table (`lib/ablation/domains.ts`): which tier plays which part, and each finding's
// status, on hand-built reports whose numbers decide it (arith's main-job numbers, then one change at a time).
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { crossDomainFindings, crossDomainMarkdown, type DomainResults, domainTiers } from "../lib/ablation/domains.ts";
import type { AblationReport, SummaryRow } from "../lib/ablation/report.ts";
import type { TierCalibration } from "../lib/ablation/calibrate.ts";
import { loadGrid } from "../lib/ablation/grid.ts";

const ci = (mean: number, half = 0, n = 5) => ({ mean, half, n });
const none = ci(NaN, NaN, 0);

/** A report row: pass@1 and pass@16 as [mean, half] (the base: one evaluation, no interval). */
function row(variant: string, tier: number, at1: [number, number], atK: [number, number]): SummaryRow {
  const n = variant === "base (SFT)" ? 1 : 5;
  return {
    variant,
    tier: String(tier),
    seeds: n,
    passAt1: ci(at1[0], at1[1], n),
    passAtK: ci(atK[0], atK[1], n),
    stepsToTarget: none,
    rolloutsToTarget: none,
    reached: 0,
    hintedFraction: none,
    updates: none,
    compression: none,
    capabilityGain: none,
    lost: none,
  };
}

/** `arith`'s main job at the end (tiers 2–4), rounded: what the findings were read from. */
const ARITH: Record<number, Record<string, [[number, number], [number, number]]>> = {
  2: {
    "base (SFT)": [[0.657, 0], [0.93, 0]],
    grpo: [[0.523, 0.064], [0.849, 0.081]],
    "filter-grpo": [[0.575, 0.075], [0.896, 0.049]],
    "guide-grpo": [[0.51, 0.057], [0.852, 0.07]],
    "guide-plain-unit": [[0.465, 0.038], [0.81, 0.049]],
  },
  3: {
    "base (SFT)": [[0.017, 0], [0.188, 0]],
    grpo: [[0.032, 0.013], [0.044, 0.04]],
    "filter-grpo": [[0.034, 0.03], [0.094, 0.146]],
    "guide-grpo": [[0.029, 0.017], [0.076, 0.078]],
    "guide-plain-unit": [[0.033, 0.013], [0.305, 0.07]],
  },
  4: {
    "base (SFT)": [[0, 0], [0, 0]],
    grpo: [[0, 0], [0, 0]],
    "filter-grpo": [[0, 0], [0, 0]],
    "guide-grpo": [[0.001, 0.002], [0.005, 0.01]],
    "guide-plain-unit": [[0.008, 0.005], [0.042, 0.022]],
  },
};

function report(numbers = ARITH): AblationReport {
  const rows = Object.entries(numbers).flatMap(([tier, variants]) =>
    Object.entries(variants).map(([variant, [at1, atK]]) => row(variant, Number(tier), at1, atK))
  );
  // pass@k curves at k = 1 and 16: the base's "before", every variant's "after".
  const before = Object.entries(numbers).map(([tier, v]) => ({
    tier,
    curve: [{ k: 1, passAtK: v["base (SFT)"][0][0] }, { k: 16, passAtK: v["base (SFT)"][1][0] }],
  }));
  const passk = rows.filter((r) => r.variant !== "base (SFT)").map((r) => ({
    variant: r.variant,
    tier: r.tier,
    after: [{ x: 1, mean: r.passAt1.mean, half: 0 }, { x: 16, mean: r.passAtK.mean, half: 0 }],
  }));
  return {
    k: 16,
    targets: {},
    tiers: Object.keys(numbers),
    rows,
    curves: [],
    passk,
    before,
    hinted: [],
    unfinished: [],
  } as unknown as AblationReport;
}

function calibration(tier4Hinted = 0.33): TierCalibration[] {
  const entry = (tier: number, at1: number, atK: number, hinted: number, regime: TierCalibration["regime"]) => ({
    tier,
    problems: 128,
    samples: 16,
    plain: { passAt1: at1, passAtK: atK },
    hinted: { value: { passAt1: hinted / 4, passAtK: hinted } },
    regime,
  });
  return [
    entry(2, 0.65, 0.94, 0.88, "learned"),
    entry(3, 0.017, 0.195, 0.53, "self-distillation"),
    entry(4, 0, 0, tier4Hinted, tier4Hinted >= 0.3 ? "capability gain" : "out of reach"),
  ];
}

const arith = (numbers = ARITH, cal = calibration()): DomainResults => ({
  domain: "arith",
  report: report(numbers),
  calibration: cal,
  trainedTiers: [3, 4],
});

const statuses = (d: DomainResults) =>
  Object.fromEntries(crossDomainFindings([d]).map(({ finding, cells }) => [finding.name, cells[0].cell.status]));

Deno.test("domainTiers: the calibration names the trained tiers' parts; easy tiers are untrained ones the base solves", () => {
  assertEquals(domainTiers(arith()), {
    selfDistillation: 3,
    capability: 4,
    capabilityNote: undefined,
    easy: [2],
  });
  // A hinted pass@16 under the label still makes tier 4 the capability tier, said as such.
  assertEquals(
    domainTiers(arith(ARITH, calibration(0.164))).capabilityNote,
    "hinted pass@16 0.164, under the 0.3 label",
  );
  // Nearly unreachable plain (2 of 128 problems) and reachable hinted: the capability tier, said as such; the
  // self-distillation tier is then the other one.
  const near = calibration().map((c) =>
    c.tier === 4 ? { ...c, plain: { passAt1: 0.001, passAtK: 0.016 }, regime: "self-distillation" as const } : c
  );
  assertEquals(domainTiers(arith(ARITH, near)), {
    selfDistillation: 3,
    capability: 4,
    capabilityNote: "nearly unreachable plain: pass@16 0.016, hinted 0.330; labelled self-distillation",
    easy: [2],
  });
  // Above one problem in twenty plain, it is not.
  const reachable = near.map((c) => (c.tier === 4 ? { ...c, plain: { passAt1: 0.01, passAtK: 0.06 } } : c));
  assertEquals(domainTiers(arith(ARITH, reachable)).capability, undefined);
  assertEquals(domainTiers(arith(ARITH, calibration(0))).capability, undefined);
});

Deno.test("arith's own numbers replicate every finding", () => {
  assertEquals(statuses(arith()), {
    "Filter-GRPO ≈ GRPO": "replicated",
    "official Guide-GRPO ≈ GRPO": "replicated",
    "reach on the capability tier": "replicated",
    "pass@k compression": "replicated",
    "forgetting": "replicated",
  });
  const cells = crossDomainFindings([arith()]);
  assertStringIncludes(cells[2].cells[0].cell.detail, "above the base: guide-plain-unit");
  assertStringIncludes(cells[2].cells[0].cell.detail, "guide-plain-unit 0.042 ± 0.022");
  assertStringIncludes(cells[3].cells[0].cell.detail, "compressed: grpo");
});

Deno.test("one change at a time turns one finding", () => {
  const changed = (tier: number, variant: string, at1: [number, number], atK: [number, number]) => {
    const numbers = structuredClone(ARITH);
    numbers[tier][variant] = [at1, atK];
    return statuses(arith(numbers));
  };
  // Filter clear of GRPO at tier 3 pass@16 (0.30 − 0.05 > 0.044 + 0.04).
  assertEquals(changed(3, "filter-grpo", [0.034, 0.03], [0.3, 0.05])["Filter-GRPO ≈ GRPO"], "not replicated");
  // Official Guide above the base on tier 4 as well: "only plain + unit" fails; above GRPO too.
  const official = changed(4, "guide-grpo", [0.01, 0.004], [0.05, 0.02]);
  assertEquals(official["reach on the capability tier"], "not replicated");
  assertEquals(official["official Guide-GRPO ≈ GRPO"], "not replicated");
  // GRPO keeps tier 3's pass@16: no compression.
  assertEquals(changed(3, "grpo", [0.032, 0.013], [0.2, 0.04])["pass@k compression"], "not replicated");
  // Filter-GRPO keeps tier 2 (within its interval of the base): not every variant forgets.
  assertEquals(changed(2, "filter-grpo", [0.64, 0.05], [0.93, 0.03])["forgetting"], "not replicated");
});

Deno.test("a domain without a regime cannot test the findings that need it; a missing domain says why", () => {
  const cal = calibration(0).map((
    c,
  ) => (c.tier === 3 ? { ...c, plain: { passAt1: 0.5, passAtK: 1 }, regime: "learned" as const } : c));
  const s = statuses(arith(ARITH, cal));
  assertEquals(s["reach on the capability tier"], "not testable");
  assertEquals(s["pass@k compression"], "not testable");
  assertEquals(s["Filter-GRPO ≈ GRPO"], "not testable");
  const markdown = crossDomainMarkdown([arith(), { domain: "code", why: "no toy-scale code domain yet" }]);
  assertStringIncludes(markdown, "| finding | arith | code |");
  assertStringIncludes(markdown, "| forgetting | replicated | not testable |");
  assertStringIncludes(markdown, "- code: **not testable**: no toy-scale code domain yet.");
});

Deno.test("the three domain grids: same design, each domain's base; arith's is the main job's with two more seeds", async () => {
  const grids = await Promise.all(
    ["arith", "physics", "powers"].map((d) => loadGrid(`lib/ablation/grids/domain-${d}.yaml`)),
  );
  const main = await loadGrid("lib/ablation/grids/main.yaml");
  for (const [i, domain] of ["arith", "physics", "powers"].entries()) {
    const grid = grids[i];
    assertEquals(grid.sft!.config.data.domain, domain);
    assertEquals(grid.runs.length, 20, domain);
    assertEquals([...new Set(grid.runs.map((r) => r.config.data.tiers))], ["3,4"]);
    assertEquals([...new Set(grid.runs.map((r) => r.config.rollout.budget))], [9600]);
  }
  // The main job's runs are a subset of the arith domain grid's: same ids, so a copy of results/main is reused.
  const ids = new Set(grids[0].runs.map((r) => r.id));
  assert(main.runs.every((r) => ids.has(r.id)));
  assertEquals(grids[0].sft!.id, main.sft!.id);
});
