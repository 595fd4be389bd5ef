/**
 * Bases as a factor: a grid's `sft.seed` as a list builds one base per seed and repeats every run from each; the runs
 * are reported per base and tested across bases (`lib/ablation/nested.ts`), "replicated" only when decided and of
 * one sign on every base.
 */
import { assert, assertAlmostEquals, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { join } from "node:path";
import { basePath, contrastsOf, gridsByBase, parseGrid } from "../lib/ablation/grid.ts";
import { type BaseMeans, nestedMarkdown, nestedVerdict, subsetPassAtK } from "../lib/ablation/nested.ts";
import { BASE_LABEL, variantsOf } from "../lib/ablation/report.ts";
import { ConfigError } from "../lib/mod.ts";
import { methodsTableMarkdown, readNested } from "../lib/ablation/methods_table.ts";

const GRID = (seeds: string) =>
  `sft:
  seed: ${seeds}
  model: { dModel: 16, layers: 1, heads: 2, ctx: 128 }
  sft: { steps: 30, batch: 8 }
  optim: { lr: 0.003 }
  eval: { every: 10 }
base:
  steps: 4
  rollout: { groupSize: 4, promptsPerStep: 2, maxTokens: 24, maxResample: 0 }
  eval: { every: 2, tiers: "1,2", problems: 2, samples: 2, finalSamples: 4, curveProblems: 2 }
axes:
  algorithm: [grpo, guide-grpo]
  seed: [0, 1]
summary: { k: 4, baseDraws: 2, minSeeds: 2 }
`;

Deno.test("sft.seed as a list: one base per seed, every run from each, base 0's runs the one-base grid's", async () => {
  const one = await parseGrid(GRID("0"), "one.yaml");
  const grid = await parseGrid(GRID("[0, 1]"), "two.yaml");
  assertEquals(grid.bases.length, 2);
  assertEquals(grid.bases[0].id, one.sft!.id);
  assertEquals([grid.bases[0].config.seed, grid.bases[1].config.seed], [0, 1]);
  assert(grid.bases[1].id.startsWith("sft-s1-") && grid.bases[1].id !== grid.bases[0].id);
  assertEquals(grid.runs.length, 2 * one.runs.length);
  // Base 0's runs are the one-base grid's runs, id for id: a one-base folder resumes into a grid of three bases.
  const fromFirst = grid.runs.filter((r) => r.config.model.checkpoint === basePath(grid.bases[0].id));
  assertEquals(fromFirst.map((r) => r.id).sort(), one.runs.map((r) => r.id).sort());
  assertEquals(grid.runs[1].axes, { algorithm: "grpo", seed: 0, base: grid.bases[1].id });
  // Per base: each a one-base grid of its runs; variants are named without the base.
  const byBase = gridsByBase(grid);
  assertEquals(byBase.map((g) => [g.sft!.id, g.runs.length]), grid.bases.map((b) => [b.id, 4]));
  assertEquals(variantsOf(byBase[1]).map((v) => [v.label, v.runs.length]), [["grpo", 2], ["guide-grpo", 2]]);
  assertEquals(gridsByBase(one), [one]);
});

Deno.test("summary.contrasts: pairs of the grid's variants, a bad one named with its line", async () => {
  const named = GRID("[0, 1]").replace(
    "axes:\n  algorithm: [grpo, guide-grpo]\n",
    "variants:\n  grpo: { algorithm: grpo }\n  guide: {}\naxes:\n",
  );
  const ok = await parseGrid(named.replace("summary: {", 'summary: { contrasts: "guide/grpo",'), "c.yaml");
  assertEquals(contrastsOf(ok.summary.contrasts), [["guide", "grpo"]]);
  for (const [value, message] of [["guide/grp", 'did you mean "grpo"'], ["guide", "a pair of two variants"]]) {
    const error = await assertRejects(
      () => parseGrid(named.replace("summary: {", `summary: { contrasts: "${value}",`), "c.yaml"),
      ConfigError,
    );
    assertStringIncludes(error.message, "c.yaml:");
    assertStringIncludes(error.message, message);
  }
});

Deno.test("a bad list of base seeds names the file, the line and the key", async () => {
  for (const [seeds, message] of [["[]", "an empty list"], ["[1, 1]", "base seeds repeat"], ["[0, x]", '"seed"']]) {
    const error = await assertRejects(() => parseGrid(GRID(seeds), "bad.yaml"), ConfigError);
    assertStringIncludes(error.message, "bad.yaml:2");
    assertStringIncludes(error.message, message);
  }
});

Deno.test("across bases: a paired t-test over bases on each base's means, Holm, replicated when of one sign", () => {
  const base = (b: number, guide: number, grpo: number): BaseMeans => ({
    base: `b${b}`,
    seeds: 3,
    means: {
      [BASE_LABEL]: { "all pass@1": [0.40, 0.30, 0.35][b] },
      guide: { "all pass@1": guide },
      grpo: { "all pass@1": grpo },
    },
  });
  const v = nestedVerdict([base(0, 0.50, 0.41), base(1, 0.41, 0.30), base(2, 0.44, 0.36)], {
    reference: "grpo",
    adjust: "holm",
    alpha: 0.05,
    equivalence: { passAt1: 0.02, passAtK: 0.05 },
  });
  const at = (variant: string, against: string) =>
    v.comparisons.find((c) => c.variant === variant && c.against === against)!;
  // guide − base per base: 0.10, 0.11, 0.09: mean 0.1, sd 0.01, t = 0.1 / (0.01/√3) = 17.32 on 2 df; for 2 df the
  // two-sided p is 1 − t/√(t² + 2) = 1 − √300/√302 = 0.003317.
  const up = at("guide", BASE_LABEL);
  assertAlmostEquals(up.difference.p, 1 - Math.sqrt(300 / 302), 1e-6);
  // grpo − base: 0.01, 0, 0.01: t = 2, p = 1 − 2/√6 = 0.1835; guide − grpo: 0.09, 0.11, 0.08: t² = 112, p = 0.0088.
  assertAlmostEquals(at("grpo", BASE_LABEL).difference.p, 1 - 2 / Math.sqrt(6), 1e-6);
  assertAlmostEquals(at("guide", "grpo").difference.p, 1 - Math.sqrt(112 / 114), 1e-6);
  // Holm over the three: 3 × 0.003317, 2 × 0.0088, 1 × 0.1835.
  assertAlmostEquals(up.pAdjusted, 3 * (1 - Math.sqrt(300 / 302)), 1e-6);
  assertAlmostEquals(at("guide", "grpo").pAdjusted, 2 * (1 - Math.sqrt(112 / 114)), 1e-6);
  assertEquals([up.call, up.replicated, up.agreeing], ["above", true, 3]);
  assertEquals([at("guide", "grpo").call, at("guide", "grpo").replicated], ["above", true]);
  // grpo against the base: no difference shown; TOST within ±0.02: p = 0.5(1 − 4/√18) = 0.0286, × 3 by Holm: not ≈.
  assertAlmostEquals(at("grpo", BASE_LABEL).difference.pEquivalent, 0.5 * (1 - 4 / Math.sqrt(18)), 1e-6);
  assertEquals(at("grpo", BASE_LABEL).call, "inconclusive");
  // A contrast: one more pair at every measure the reference is compared at, in the same family.
  const contrasted = nestedVerdict([base(0, 0.50, 0.41), base(1, 0.41, 0.30), base(2, 0.44, 0.36)], {
    reference: "guide",
    contrasts: [["grpo", "guide"], ["grpo", "nothing"]],
    adjust: "holm",
    alpha: 0.05,
    equivalence: { passAt1: 0.02, passAtK: 0.05 },
  });
  assertEquals(contrasted.comparisons.filter((c) => c.against === "guide").length, 1); // the reference's, once
  const withPair = nestedVerdict([base(0, 0.50, 0.41), base(1, 0.41, 0.30), base(2, 0.44, 0.36)], {
    reference: "none",
    contrasts: [["grpo", "guide"]],
    adjust: "holm",
    alpha: 0.05,
    equivalence: { passAt1: 0.02, passAtK: 0.05 },
  });
  assertEquals(withPair.comparisons.map((c) => `${c.variant}-${c.against}`), [
    `guide-${BASE_LABEL}`,
    `grpo-${BASE_LABEL}`,
    "grpo-guide",
  ]);
  // Decided with a base against it: not replicated.
  const split = nestedVerdict([base(0, 0.50, 0.41), base(1, 0.29, 0.30), base(2, 0.44, 0.36)], {
    reference: "grpo",
    adjust: "none",
    alpha: 0.5,
    equivalence: { passAt1: 0.02, passAtK: 0.05 },
  });
  const against = split.comparisons.find((c) => c.variant === "guide" && c.against === BASE_LABEL)!;
  assertEquals([against.call, against.agreeing, against.replicated], ["above", 2, false]);
  const text = nestedMarkdown(v);
  assertStringIncludes(text, "| guide | 0.450 ± ");
  assertStringIncludes(text, "**replicated** on every base");
  // One base: nothing to test across.
  const lone = nestedVerdict([base(0, 0.5, 0.41)], {
    reference: "grpo",
    adjust: "holm",
    alpha: 0.05,
    equivalence: { passAt1: 0.02, passAtK: 0.05 },
  });
  assert(lone.comparisons.every((c) => c.call === "inconclusive" && c.why?.includes("needs 2")));
});

Deno.test("a subset's pass@k pools the evaluations problem by problem (recall and transfer of the capability tier)", () => {
  const record = (correct: Record<string, number>) => ({
    n: 4,
    passAt1: 0,
    passAtK: 0,
    tiers: { "4": { passAt1: 0, passAtK: 0, correct } },
  });
  // Problem a: 1 of 4 then 0 of 4 (pooled 1 of 8): pass@2 = 1 − C(7,2)/C(8,2) = 1 − 21/28 = 0.25. Problem b: 0 of 8.
  const records = [record({ a: 1, b: 0, c: 4 }), record({ a: 0, b: 0, c: 4 })];
  assertAlmostEquals(subsetPassAtK(records, "4", new Set(["a", "b"]), 2), 0.25 / 2, 1e-12);
  assertEquals(subsetPassAtK(records, "4", new Set(["c"]), 2), 1);
  assert(Number.isNaN(subsetPassAtK(records, "4", new Set(["z"]), 2)));
});

const CLI = new URL("../cli/ablation.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

Deno.test({
  name: "a grid of two bases end to end: both built, every run from each, summary across bases and per base",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const root = await Deno.makeTempDir({ prefix: "guide-bases-" });
    const file = join(root, "two.yaml");
    await Deno.writeTextFile(file, GRID("[0, 1]"));
    const grid = await parseGrid(GRID("[0, 1]"), file);
    const out = join(root, "out");
    const run = async (...extra: string[]) => {
      const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "--config",
          CONFIG,
          CLI,
          file,
          "--out",
          out,
          "--workers",
          "2",
          "--formats",
          "html",
          ...extra,
        ],
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).output();
      const text = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
      assertEquals(code, 0, text);
      return text;
    };
    const dry = await run("--dry-run");
    for (const b of grid.bases) assertStringIncludes(dry, `base ${b.id} (to build)`);
    await run();
    for (const b of grid.bases) assert(await exists(join(out, "bases", b.id, "done.json")), b.id);
    for (const r of grid.runs) assert(await exists(join(out, "runs", r.id, "done.json")), r.id);
    const summary = await Deno.readTextFile(join(out, "summary.md"));
    assertStringIncludes(summary, "**Across bases** (2 independently trained SFT bases × 2+ seeds each)");
    for (const b of grid.bases) {
      assertStringIncludes(summary, `## Base ${b.id} alone (4 runs)`);
      assert(await exists(join(out, "figures", b.id, "learning-rollouts.html")), `figures of ${b.id}`);
    }
    assert(await exists(join(out, "figures", "bases-overall-pass1.html")), "the figure across bases");
    const runs = (await Deno.readTextFile(join(out, "runs.csv"))).trim().split("\n");
    assertEquals(runs[0], "variant,run,base,seed,draw,tier,split,metric,k,value,updates,completions,domain");
    for (const b of grid.bases) assert(runs.some((l) => l.includes(`,${b.id},`) && l.endsWith(",math")), b.id);
    assertEquals(runs.filter((l) => l.startsWith("variant,")).length, 1);
    const nested = JSON.parse(await Deno.readTextFile(join(out, "nested.json")));
    assertEquals([nested.domain, nested.bases], ["math", grid.bases.map((b) => b.id)]);
    assert(
      nested.comparisons.length > 0 && nested.comparisons.every((c: { perBase: number[] }) => c.perBase.length === 2),
    );
    // The methods × domains table reads it back: a row per method, the base's changes as the verdict decided them.
    const table = methodsTableMarkdown([await readNested(out)]);
    assertStringIncludes(table, "**math** (2 bases × 2+ seeds)");
    for (const variant of ["grpo", "guide-grpo"]) assert(table.includes(`| ${variant} | `), table);
    await assertRejects(() => readNested(root), Error, "nested.json: missing");
    // A rerun redoes nothing.
    const again = await run();
    assertStringIncludes(again, "0 runs finished, 8 already done");
    await Deno.remove(root, { recursive: true });
  },
});

const exists = (p: string) => Deno.stat(p).then(() => true, () => false);
