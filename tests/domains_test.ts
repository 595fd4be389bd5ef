// The findings-across-domains table (`lib/ablation/domains.ts`): which tier plays which part, and each finding's
// status, on reports built from per-run values (five seeds, three base draws) shaped like arith's main job, then one
// change at a time.
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { crossDomainFindings, crossDomainMarkdown, type DomainResults, domainTiers } from "../lib/ablation/domains.ts";
import type { TierCalibration } from "../lib/ablation/calibrate.ts";
import { loadGrid } from "../lib/ablation/grid.ts";
import { reportOf, type Values } from "./report_fixture.ts";

/** Five seeds (or three base draws) around `mean`, `spread` apart, clipped at 0. */
const around = (mean: number, spread: number, n = 5) =>
  Array.from({ length: n }, (_, i) => Math.max(0, mean + (i - (n - 1) / 2) * spread));
const v = (at1: [number, number], atK: [number, number], n = 5): Values => ({
  at1: around(at1[0], at1[1], n),
  atK: around(atK[0], atK[1], n),
});
const base = (at1: number, atK: number) => v([at1, at1 > 0 ? 0.001 : 0], [atK, atK > 0 ? 0.002 : 0], 3);

type Numbers = Record<string, Record<string, Values>>;

/** arith's main job, shaped: forgetting on tier 2, compression by GRPO on tier 3, reach by plain + unit on tier 4. */
const ARITH: Numbers = {
  "2": {
    "base (SFT)": base(0.657, 0.93),
    grpo: v([0.523, 0.01], [0.849, 0.01]),
    "filter-grpo": v([0.575, 0.01], [0.896, 0.01]),
    "guide-grpo": v([0.51, 0.01], [0.852, 0.01]),
    "guide-plain-unit": v([0.465, 0.01], [0.81, 0.01]),
  },
  "3": {
    "base (SFT)": base(0.017, 0.188),
    grpo: v([0.032, 0.002], [0.044, 0.004]),
    "filter-grpo": v([0.0325, 0.002], [0.046, 0.004]),
    "guide-grpo": v([0.029, 0.01], [0.076, 0.05]),
    "guide-plain-unit": v([0.033, 0.003], [0.305, 0.02]),
  },
  "4": {
    "base (SFT)": base(0, 0),
    grpo: v([0, 0], [0, 0]),
    "filter-grpo": v([0, 0], [0, 0]),
    "guide-grpo": v([0.001, 0.001], [0.005, 0.005]),
    "guide-plain-unit": v([0.008, 0.002], [0.042, 0.008]),
  },
  all: {
    "base (SFT)": base(0.29, 0.414),
    grpo: v([0.257, 0.005], [0.369, 0.005]),
    "filter-grpo": v([0.258, 0.005], [0.370, 0.005]),
    "guide-grpo": v([0.25, 0.02], [0.376, 0.02]),
    "guide-plain-unit": v([0.245, 0.004], [0.423, 0.003]),
  },
};

const report = (numbers: Numbers = ARITH) =>
  reportOf(numbers, { k: 16, trained: ["3", "4"], settings: { candidate: "guide-plain-unit" } });

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

const arith = (numbers: Numbers = ARITH, cal = calibration()): DomainResults => ({
  domain: "arith",
  report: report(numbers),
  calibration: cal,
  trainedTiers: [3, 4],
});

const statuses = (d: DomainResults) =>
  Object.fromEntries(crossDomainFindings([d]).map(({ name, cells }) => [name, cells[0].cell.status]));

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

Deno.test("arith's shape: tested calls, each variant named, the overall score first", () => {
  assertEquals(statuses(arith()), {
    // 0.423 against the base's 0.414 at pass@16: within the ±0.05 margin; 0.245 against GRPO's 0.257: open.
    "overall score of the candidate": "pass@1 below base, pass@16 ≈ base, pass@1 inconclusive grpo, pass@16 above grpo",
    "net problems": "not testable",
    // Filter and GRPO are both exactly 0 on tier 4 with no spread: no test, so no equivalence either.
    "filter-grpo ≈ the reference": "inconclusive",
    "guide-grpo ≈ the reference": "inconclusive",
    "reach on the capability tier": "replicated",
    "pass@k compression": "replicated",
    "forgetting": "forgot: grpo, guide-plain-unit, filter-grpo, guide-grpo",
    "forgetting by the candidate": "replicated",
  });
  const cells = crossDomainFindings([arith()]);
  const reach = cells.find((c) => c.name === "reach on the capability tier")!.cells[0].cell.detail;
  assertStringIncludes(reach, "guide-plain-unit tier 4 pass@16 above the base: +0.042 [");
  assertStringIncludes(reach, "no spread on either side");
});

Deno.test("one change at a time turns one finding", () => {
  const changed = (tier: string, variant: string, values: Values) => {
    const numbers = structuredClone(ARITH);
    numbers[tier][variant] = values;
    return statuses(arith(numbers));
  };
  // Filter clearly above GRPO on tier 3 pass@16: not equivalent, different.
  assertEquals(
    changed("3", "filter-grpo", v([0.0325, 0.002], [0.3, 0.01]))["filter-grpo ≈ the reference"],
    "not replicated",
  );
  // Official Guide above the base on tier 4 as well: "only the candidate" fails.
  const official = changed("4", "guide-grpo", v([0.01, 0.002], [0.05, 0.005]));
  assertEquals(official["reach on the capability tier"], "not replicated");
  // GRPO keeps tier 3's pass@16 (≈ the base): no compression.
  assertEquals(changed("3", "grpo", v([0.032, 0.002], [0.188, 0.004]))["pass@k compression"], "not replicated");
  // The candidate keeps tier 2 (≈ the base): it did not forget, and the forgetting row names the others only.
  const kept = changed("2", "guide-plain-unit", v([0.657, 0.002], [0.93, 0.002]));
  assertEquals(kept["forgetting by the candidate"], "not replicated");
  assertEquals(kept["forgetting"], "forgot: grpo, filter-grpo, guide-grpo");
  // Filter ≈ GRPO everywhere it can be tested, with spread on tier 4 too: replicated by TOST.
  const numbers = structuredClone(ARITH);
  numbers["4"].grpo = v([0.002, 0.001], [0.01, 0.004]);
  numbers["4"]["filter-grpo"] = v([0.002, 0.001], [0.011, 0.004]);
  numbers.all.grpo = v([0.257, 0.002], [0.369, 0.002]);
  numbers.all["filter-grpo"] = v([0.258, 0.002], [0.370, 0.002]);
  const cell = crossDomainFindings([arith(numbers)]).find((c) => c.name === "filter-grpo ≈ the reference")!.cells[0];
  assertEquals(cell.cell.status, "replicated", cell.cell.detail);
});

Deno.test("a domain without a regime cannot test the findings that need it; a missing domain says why", () => {
  const cal = calibration(0).map((
    c,
  ) => (c.tier === 3 ? { ...c, plain: { passAt1: 0.5, passAtK: 1 }, regime: "learned" as const } : c));
  const s = statuses(arith(ARITH, cal));
  assertEquals(s["reach on the capability tier"], "not testable");
  assertEquals(s["pass@k compression"], "not testable");
  const markdown = crossDomainMarkdown([arith(), { domain: "code", why: "no toy-scale code domain yet" }]);
  assertStringIncludes(markdown, "| finding | arith | code |");
  assertStringIncludes(markdown, "| forgetting by the candidate | replicated | not testable |");
  assertStringIncludes(markdown, "- code: **not testable**: no toy-scale code domain yet.");
  // No candidate named by the grid: the rows that need one say so.
  const anonymous = { ...arith(), report: reportOf(ARITH, { k: 16, trained: ["3", "4"] }) };
  assertEquals(statuses(anonymous)["reach on the capability tier"], "not testable");
});

Deno.test("the three domain grids: same design, each domain's base; arith's is the main job's with two more seeds", async () => {
  const grids = await Promise.all(
    ["arith", "physics", "powers"].map((d) => loadGrid(`grids/domain-${d}.yaml`)),
  );
  const main = await loadGrid("grids/main.yaml");
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
