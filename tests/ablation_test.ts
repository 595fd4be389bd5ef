import { assert, assertAlmostEquals, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { join } from "node:path";
import { parseGrid } from "../lib/ablation/grid.ts";
import { ablationReport, variantsOf } from "../lib/ablation/report.ts";
import { bandOver, meanCi, tQuantile95 } from "../lib/ablation/statistics.ts";
import { summaryCsv, summaryMarkdown } from "../lib/ablation/summary.ts";
import type { RunResults } from "../lib/ablation/store.ts";
import { ablationFigures, learningFigure, passkFigure } from "../lib/ablation/plots.ts";
import { slurmScripts } from "../lib/ablation/slurm.ts";
import { progressHead } from "../lib/ablation/progress.ts";
import { failureReason } from "../lib/ablation/runner.ts";
import { writeResults } from "../lib/ablation/jobs.ts";
import { descendants, running } from "./processes.ts";
import type { EvaluationRecord } from "../lib/rl/run.ts";

Deno.test("mean ± 95% CI over seeds uses Student's t (hand-computed)", () => {
  // sd of [0.2, 0.3, 0.4] is 0.1; t(0.975, 2) = 4.302653; half = 4.302653 · 0.1 / √3.
  const ci = meanCi([0.2, 0.3, 0.4]);
  assertAlmostEquals(ci.mean, 0.3, 1e-12);
  assertAlmostEquals(ci.half, 0.248414, 1e-6);
  assertEquals(ci.n, 3);
  assertEquals(meanCi([0.5]).half, NaN);
  assertEquals(meanCi([NaN, 1, 3]).mean, 2);
  assertAlmostEquals(tQuantile95(1), 12.7062, 1e-4);
  assertAlmostEquals(tQuantile95(60), 2.0003, 2e-3);
  assertAlmostEquals(tQuantile95(1000), 1.9623, 1e-3);
});

Deno.test("bands over seeds stop where every seed has data, or run on to the longest curve (per-step quantities)", () => {
  const curves = [[{ x: 0, y: 1 }, { x: 2, y: 3 }], [{ x: 0, y: 3 }, { x: 4, y: 5 }]];
  // Shortest: x = 0, 2; at 2 the second curve is interpolated to 4, so the mean is (3 + 4) / 2.
  assertEquals(bandOver(curves).map((p) => [p.x, p.mean, p.n]), [[0, 2, 2], [2, 3.5, 2]]);
  // Longest: on to x = 4, where only the second curve goes on.
  assertEquals(bandOver(curves, { through: "longest" }).map((p) => [p.x, p.mean, p.n]), [[0, 2, 2], [2, 3.5, 2], [
    4,
    5,
    1,
  ]]);
});

const GRID = `sft: { model: { dModel: 16, layers: 1, heads: 2 } }
base:
  steps: 4
  eval: { tiers: "1,2", problems: 2, samples: 2, finalSamples: 4, curveProblems: 2 }
axes:
  algorithm: [grpo, guide-grpo]
  seed: [0, 1]
summary: { k: 2 }
`;

/** An evaluation of four problems (two per tier) with the given correct counts out of `n`. */
function record(n: number, correct: [number, number, number, number]): EvaluationRecord {
  const tier = (ids: string[], cs: number[]) => {
    const at1 = cs.map((c) => c / n);
    const atN = cs.map((c) => (c > 0 ? 1 : 0));
    return {
      passAt1: (at1[0] + at1[1]) / 2,
      passAtK: (atN[0] + atN[1]) / 2,
      correct: Object.fromEntries(ids.map((id, i) => [id, cs[i]])),
    };
  };
  const tiers = { "1": tier(["a", "b"], correct.slice(0, 2)), "2": tier(["c", "d"], correct.slice(2)) };
  return {
    n,
    passAt1: (tiers["1"].passAt1 + tiers["2"].passAt1) / 2,
    passAtK: (tiers["1"].passAtK + tiers["2"].passAtK) / 2,
    tiers,
  };
}

Deno.test("the gain split is taken against each base draw and averaged, never against the draws pooled", async () => {
  const grid = await parseGrid(GRID, "g.yaml");
  // Problem b: 0/4 correct in draw 0 and 1/4 in draw 1; every run solves it (3/4). Against draw 0 it is a capability
  // gain (never solved at pass@2), against draw 1 a compression: 0.5 each. Pooled (1/8) it would be compression only.
  const draws = [record(4, [4, 0, 0, 0]), record(4, [4, 1, 0, 0])];
  const results = new Map<string, RunResults>();
  for (const r of grid.runs) {
    results.set(r.id, {
      id: r.id,
      done: true,
      evals: [{ step: 4, rollouts: 200, ...record(4, [4, 3, 0, 0]) }],
      metrics: [],
      hintedByTier: {},
    });
  }
  const report = ablationReport(grid, results, new Map(grid.runs.map((r) => [r.id, draws])));
  const row = report.rows.find((r) => r.variant === "grpo" && r.tier === "1")!;
  assertEquals([row.compression.mean, row.capabilityGain.mean, row.lost.mean, row.net.mean], [0.5, 0.5, 0, 1]);
  // The base's row: mean ± CI over its two draws; its pass@k curve from the draws pooled (8 samples a problem).
  const base = report.rows.find((r) => r.variant === "base (SFT)" && r.tier === "1")!;
  assertEquals([base.seeds, base.passAt1.mean], [2, (0.5 + 0.625) / 2]);
  assertEquals(report.before.find((b) => b.tier === "1")!.curve.length, 4);
});

Deno.test("the report: final pass@1/pass@k per variant and tier, steps to target, gain split, curves", async (t) => {
  const grid = await parseGrid(GRID, "g.yaml");
  const variants = variantsOf(grid);
  // Base: a solved (4/4), b reachable (1/4), c and d never solved.
  const base = record(4, [4, 1, 0, 0]);
  const results = new Map<string, RunResults>();
  const [g0, g1, h0, h1] = grid.runs;
  const run = (id: string, evals: [number, number, EvaluationRecord][], hinted: number): RunResults => ({
    id,
    done: true,
    evals: evals.map(([step, rollouts, r]) => ({ step, rollouts, ...r })),
    metrics: [1, 2, 3, 4].map((step) => ({ step, hintedFraction: hinted, gamma: 0.5, hintedRatioHistogram: [1, 3] })),
    hintedByTier: { "1": { groups: 4, hinted: 0 }, "2": { groups: 4, hinted: hinted * 8 } },
  });
  // GRPO: b compressed (1/4 → 3/4) in seed 0; nothing new in seed 1; a lost in seed 1.
  results.set(g0.id, run(g0.id, [[2, 100, record(2, [2, 1, 0, 0])], [4, 200, record(4, [4, 3, 0, 0])]], 0));
  results.set(g1.id, run(g1.id, [[2, 100, record(2, [2, 0, 0, 0])], [4, 200, record(4, [1, 1, 0, 0])]], 0));
  // Guide: c gained (never solved before) in both seeds, b compressed in both.
  results.set(h0.id, run(h0.id, [[2, 150, record(2, [2, 2, 1, 0])], [4, 300, record(4, [4, 4, 2, 0])]], 0.25));
  results.set(h1.id, run(h1.id, [[2, 150, record(2, [2, 1, 2, 0])], [4, 300, record(4, [4, 2, 4, 0])]], 0.5));
  const baseEvals = new Map(grid.runs.map((r) => [r.id, [base]]));
  const report = ablationReport(grid, results, baseEvals);
  const row = (variant: string, tier: string) => report.rows.find((r) => r.variant === variant && r.tier === tier)!;

  await t.step("the variants, two seeds each, and the tiers", () => {
    assertEquals(variants.map((v) => [v.label, v.runs.length]), [["grpo", 2], ["guide-grpo", 2]]);
    // The data's tiers, then the overall rows: all tiers and the trained ones (macro means over tiers).
    assertEquals(report.tiers, ["1", "2", "all", "trained"]);
  });

  await t.step("final pass@1 and pass@k per variant and tier, the base's row", () => {
    // Final pass@1 over all tiers: GRPO seeds (4+3)/16 = 0.4375 and (1+1)/16 = 0.125.
    assertAlmostEquals(row("grpo", "all").passAt1.mean, (0.4375 + 0.125) / 2, 1e-12);
    assertAlmostEquals(
      row("grpo", "all").passAt1.half,
      tQuantile95(1) * Math.abs(0.4375 - 0.125) / Math.SQRT2 / Math.SQRT2,
      1e-9,
    );
    // pass@2 on tier 1 from n = 4: seed 0 a 4/4 → 1, b 3/4 → 1; seed 1 a 1/4 → 0.5, b 1/4 → 0.5.
    assertAlmostEquals(row("grpo", "1").passAtK.mean, (1 + 0.5) / 2, 1e-12);
    // The base row: pass@1 on tier 1 = (1 + 0.25) / 2; pass@2 = (1 + 0.5) / 2.
    assertAlmostEquals(row("base (SFT)", "1").passAt1.mean, 0.625, 1e-12);
    assertAlmostEquals(row("base (SFT)", "1").passAtK.mean, 0.75, 1e-12);
  });

  await t.step("the target, and the steps and rollouts to reach it", () => {
    // Target on all tiers: halfway from the base (1.25/4 = 0.3125) to the best final mean (Guide's: both seeds
    // 10/16 = 0.625), 0.46875. Guide reaches it at its first evaluation (step 2, 150 rollouts: both seeds 0.625);
    // GRPO never does (its best, 0.4375 at step 4, falls short), which leaves its steps undefined.
    assertAlmostEquals(report.targets.all, 0.46875, 1e-12);
    assertEquals([row("guide-grpo", "all").stepsToTarget.mean, row("guide-grpo", "all").reached], [2, 2]);
    assertEquals(row("guide-grpo", "all").rolloutsToTarget.mean, 150);
    assertEquals([Number.isNaN(row("grpo", "all").stepsToTarget.mean), row("grpo", "all").reached], [true, 0]);
    // Tier 2's guide pass@1 final: seed 0 (2/4 + 0)/2 = 0.25, seed 1 (4/4 + 0)/2 = 0.5.
    assertAlmostEquals(row("guide-grpo", "2").passAt1.mean, 0.375, 1e-12);
  });

  await t.step("the gain split against the base, and the hinted fraction", () => {
    // Gain split at k = 2 against the base ("solved": c/n ≥ 0.5). GRPO seed 0: b compressed; seed 1: a lost.
    assertEquals([row("grpo", "all").compression.mean, row("grpo", "all").lost.mean], [0.5, 0.5]);
    // Guide seed 0: b compressed, c gained (2/4); seed 1: b 2/4 compressed, c gained.
    assertEquals(
      [row("guide-grpo", "all").compression.mean, row("guide-grpo", "all").capabilityGain.mean],
      [1, 1],
    );
    assertEquals(row("guide-grpo", "2").capabilityGain.mean, 1);
    // Hinted fraction: from the metrics over all tiers, from the rollouts per tier.
    assertAlmostEquals(row("guide-grpo", "all").hintedFraction.mean, 0.375, 1e-12);
    assertAlmostEquals(row("guide-grpo", "2").hintedFraction.mean, (2 / 4 + 4 / 4) / 2, 1e-12);
    assertEquals(row("guide-grpo", "1").hintedFraction.mean, 0);
  });

  await t.step("learning curves from the base, pass@k curves after RL and before, the hinted ratios", () => {
    // Learning curves start at the base (step 0) and follow the evaluations; by rollouts, the x are the budgets spent.
    const curve = report.curves.find((c) => c.variant === "guide-grpo" && c.tier === "all")!;
    assertEquals(curve.byStep.map((p) => p.x), [0, 2, 4]);
    assertEquals(curve.byRollouts.map((p) => p.x), [0, 150, 300]);
    assertAlmostEquals(curve.byStep[0].mean, 0.3125, 1e-12);
    // pass@k after RL for k = 1…4 (mean over seeds), and the base's curve for "before".
    const after = report.passk.find((p) => p.variant === "grpo" && p.tier === "1")!.after;
    assertEquals(after.map((p) => p.x), [1, 2, 3, 4]);
    assertAlmostEquals(after[3].mean, 1, 1e-12);
    assertEquals(report.before.find((b) => b.tier === "1")!.curve.map((p) => p.passAtK), [0.625, 0.75, 0.875, 1]);
    assertEquals(report.hinted[1].histogram, [8, 24]);
  });

  await t.step("the files: a CSV line per variant and tier, the markdown tables", () => {
    // The files: a CSV line per variant and tier, the markdown tables, and the figures with titled axes.
    const csv = summaryCsv(report).trim().split("\n");
    assertEquals(csv.length, 1 + 3 * 4);
    assertStringIncludes(csv[0], "variant,tier,seeds,pass@1,pass@1_ci95,pass@2,pass@2_ci95");
    assert(csv.some((l) => l.startsWith("guide-grpo,all,2,")), csv.join("\n"));
    const md = summaryMarkdown(report);
    assertStringIncludes(md, "## All tiers (macro) (target pass@1 0.469)");
    assertStringIncludes(md, "| guide-grpo | 2 |");
    // Every run trained on 4 steps; pass@k at k = 1, 2, 4 under each tier: the base's tier-1 curve (0.625, 0.75, 1).
    assertEquals(row("guide-grpo", "all").updates.mean, 4);
    assertStringIncludes(csv[0], ",lost,updates");
    assertStringIncludes(md, "| variant | updates | pass@1 | pass@2 | pass@4 |");
    assertStringIncludes(md, "| base (SFT) |  | 0.625 | 0.750 | 1.000 |");
    assertStringIncludes(md, "| guide-grpo | 4 ± 0 | ");
  });

  await t.step("the figures: names, titled axes, a band and a line per variant, the base's curve last", () => {
    const figures = ablationFigures(report);
    assertEquals(figures.slice(0, 7).map((f) => f.name), [
      "learning-step",
      "learning-rollouts",
      "passk",
      "gain-split",
      "hinted-ratios",
      "gamma",
      "hinted-fraction",
    ]);
    // Per tier: learning by step and by completions sampled (the learning-efficiency figure), and pass@k.
    assertEquals(figures.slice(7, 10).map((f) => f.name), [
      "learning-step-tier1",
      "learning-rollouts-tier1",
      "passk-tier1",
    ]);
    for (const { name, figure } of figures) {
      const layout = figure.layout as Record<string, { title?: { text?: string } }>;
      assert(layout.xaxis.title?.text && layout.yaxis.title?.text, `${name} has axis titles`);
    }
    // A band (CI) and a line per variant: seeds differ, so the band is there.
    const learning = learningFigure(report, "step");
    assertEquals(learning.data.filter((trace) => trace.fill === "toself").length, 2);
    assertEquals(learning.data.filter((trace) => trace.name).map((trace) => trace.name), ["grpo", "guide-grpo"]);
    // Evaluation points carry markers on learning curves (not on pass@k curves, whose points are every k).
    assertEquals(learning.data.filter((trace) => trace.name).map((trace) => trace.mode), [
      "lines+markers",
      "lines+markers",
    ]);
    // The base's curve is drawn last (visible over a variant that did not move) and listed first.
    const passk = passkFigure(report).data;
    assertEquals([passk[passk.length - 1].name, passk[passk.length - 1].legendrank], ["before RL (SFT base)", 1]);
    // Bands of probabilities stay inside [0, 1].
    assert(passk.every((trace) => ((trace.y ?? []) as number[]).every((y) => y >= 0 && y <= 1)));
  });
});

Deno.test("--slurm: base job, run array over every run, results after all; scripts are valid bash", async () => {
  const grid = await parseGrid(GRID, "g.yaml");
  const files = slurmScripts(grid, {
    out: "/scratch/out dir",
    gridFile: "/scratch/out dir/grids/x.yaml",
    cli: "/kit/cli/ablation.ts",
  });
  assertStringIncludes(files["runs.sbatch"], "#SBATCH --array=0-3");
  assertStringIncludes(files["runs.sbatch"], '--task-index "${SLURM_ARRAY_TASK_ID}"');
  assertStringIncludes(files["base.sbatch"], "--base-only");
  assertStringIncludes(files["submit.sh"], '--dependency=afterok:"$base" "$jobs/runs.sbatch"');
  assertStringIncludes(files["submit.sh"], '--dependency=afterany:"$runs" "$jobs/results.sbatch"');
  assertStringIncludes(files["runs.sbatch"], "'/scratch/out dir'");
  assertStringIncludes(files["runs.sbatch"], '#SBATCH --output="/scratch/out dir/slurm/logs/run-%A_%a.out"');
  // One CPU and one thread per run task; the base asks for a whole node, not a core count it may not have.
  assertStringIncludes(files["runs.sbatch"], "#SBATCH --cpus-per-task=1");
  assertStringIncludes(files["runs.sbatch"], "export GUIDE_CORES=1 OPENBLAS_NUM_THREADS=1");
  assertStringIncludes(files["base.sbatch"], "#SBATCH --exclusive");
  assertEquals(files["runs.txt"].trim().split("\n").map((l) => l.split("\t")[1]), grid.runs.map((r) => r.id));
  for (const [name, text] of Object.entries(files)) {
    if (name.endsWith(".txt")) continue;
    const check = await new Deno.Command("bash", { args: ["-n"], stdin: "piped", stderr: "piped" }).spawn();
    const writer = check.stdin.getWriter();
    await writer.write(new TextEncoder().encode(text));
    await writer.close();
    const status = await check.output();
    assert(status.success, `${name}: ${new TextDecoder().decode(status.stderr)}`);
  }
});

// End to end: a tiny grid through `deno task ablation`'s CLI, killed with SIGKILL twice, then finished.
// The toy grid of the end-to-end tests (this one and tests/slurm_test.ts).
const TINY = await Deno.readTextFile(new URL("./fixtures/tiny-grid.yaml", import.meta.url));

const CLI = new URL("../cli/ablation.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

function ablation(args: string[]) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", CONFIG, CLI, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  });
}

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutS = 240): Promise<void> {
  const deadline = performance.now() + timeoutS * 1000;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const exists = (p: string) => Deno.stat(p).then(() => true, () => false);

/** The tiny grid written to a temporary folder, its output folder `name` there, and the CLI arguments that run it. */
async function tinyGrid(name: string) {
  const root = await Deno.makeTempDir({ prefix: "guide-ablation-" });
  const gridFile = join(root, "tiny.yaml");
  await Deno.writeTextFile(gridFile, TINY);
  const grid = await parseGrid(TINY, gridFile);
  const out = join(root, name);
  return { root, gridFile, grid, out, args: [gridFile, "--out", out, "--workers", "2", "--formats", "html"] };
}

Deno.test({
  name: "SIGKILL at any moment, rerun: no finished run lost or redone, the result as uninterrupted",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const { root, gridFile, grid, out, args } = await tinyGrid("killed");
    const base = join(out, "bases", grid.sft!.id);
    const doneFiles = () => grid.runs.map((r) => join(out, "runs", r.id, "done.json"));
    const countDone = async () => (await Promise.all(doneFiles().map(exists))).filter(Boolean).length;
    const finished = new Map<string, string>();
    const mtimes = new Map<string, number>();
    const clean = join(root, "clean");
    const victim = join(out, "runs", grid.runs[0].id, "config.yaml");
    let saved = "";
    // Each phase builds on the one before: the first that fails ends the test, named.
    const phases: [string, () => Promise<void>][] = [
      ["1. killed while building the base (after its first checkpoint)", async () => {
        const child = ablation(args).spawn();
        await waitFor(() => exists(join(base, "checkpoint", "checkpoint.json")), "the base's first checkpoint");
        assert(!(await exists(join(base, "done.json"))), "the base should still be building (make its SFT longer)");
        child.kill("SIGKILL");
        await child.output();
      }],
      [
        "2. rerun, killed once a run has finished: the base resumed and finished, the killed runner's workers stop",
        async () => {
          const child = ablation(args).spawn();
          await waitFor(async () => (await countDone()) >= 1, "a finished run");
          // The runner's workers, noted before it dies (once it is dead they are orphans, no longer below it).
          const workers = descendants(child.pid, (cmdline) => cmdline.includes(out));
          child.kill("SIGKILL");
          await child.output();
          assert(await exists(join(base, "done.json")), "the base was finished by the rerun");
          const baseMeta = JSON.parse(await Deno.readTextFile(join(base, "meta.json")));
          assert(baseMeta.resumedFrom >= 10, `the base resumed from its checkpoint (${JSON.stringify(baseMeta)})`);
          // The workers noticed their runner die and stopped: nothing writes to the store behind the rerun's back.
          await waitFor(
            () => Promise.resolve(!workers.some(running)),
            "the killed runner's workers to stop",
            30,
          );
          for (const run of grid.runs) {
            const dir = join(out, "runs", run.id);
            if (await exists(join(dir, "done.json"))) {
              finished.set(run.id, await Deno.readTextFile(join(dir, "metrics.jsonl")));
            }
          }
          assert(finished.size >= 1 && finished.size < grid.runs.length, `finished ${finished.size}`);
          for (const id of finished.keys()) {
            mtimes.set(id, (await Deno.stat(join(out, "runs", id, "done.json"))).mtime!.getTime());
          }
        },
      ],
      [
        "2b. a summary of the partial grid goes beside any complete one, says it is partial, names a failure",
        async () => {
          const partial = await writeResults(out, grid, {
            formats: ["html"],
            failures: [{ id: grid.runs[0].id, message: `${out}/bases/x: SHA-256 does not match` }],
          });
          assertEquals([partial.partial, partial.summary], [true, join(out, "summary.partial.md")]);
          assert(!(await exists(join(out, "summary.md"))) && await exists(join(out, "figures-partial", "passk.html")));
          const partialText = await Deno.readTextFile(partial.summary);
          assertStringIncludes(partialText, `(partial: ${finished.size} of ${grid.runs.length} runs finished)`);
          assertStringIncludes(partialText, `- ${grid.runs[0].id}: <path>: SHA-256 does not match (log: runs/`);
        },
      ],
      ["3. rerun to the end: the finished runs are skipped, untouched; the rest finish", async () => {
        const last = await ablation(args).output();
        const stdout = new TextDecoder().decode(last.stdout);
        assert(last.success, new TextDecoder().decode(last.stderr));
        assertStringIncludes(
          stdout,
          `${grid.runs.length - finished.size} runs finished, ${finished.size} already done`,
        );
        for (const [id, metrics] of finished) {
          assertEquals(await Deno.readTextFile(join(out, "runs", id, "metrics.jsonl")), metrics);
          assertEquals((await Deno.stat(join(out, "runs", id, "done.json"))).mtime!.getTime(), mtimes.get(id));
        }
        assertEquals(await countDone(), grid.runs.length);
      }],
      ["4. the same grid uninterrupted gives the same numbers (each run is deterministic in its seed)", async () => {
        const uninterrupted = await ablation([gridFile, "--out", clean, "--workers", "2", "--formats", "html"])
          .output();
        assert(uninterrupted.success, new TextDecoder().decode(uninterrupted.stderr));
        assertEquals(
          await Deno.readTextFile(join(out, "summary.csv")),
          await Deno.readTextFile(join(clean, "summary.csv")),
        );
        for (const run of grid.runs) {
          // Every number but the wall clock (`seconds`), which no two runs share.
          const evals = async (dir: string) =>
            (await Deno.readTextFile(join(dir, "runs", run.id, "eval.jsonl"))).trim().split("\n")
              .map((line) => ({ ...JSON.parse(line), seconds: undefined }));
          assertEquals(await evals(out), await evals(clean), run.id);
        }
        assert(await exists(join(out, "figures", "learning-step.html")));
        // Complete now: the partial files are gone.
        assert(!(await exists(join(out, "summary.partial.md"))) && !(await exists(join(out, "figures-partial"))));
        // The grid's `calibration` section: the base measured once, its table closing summary.md.
        const summary = await Deno.readTextFile(join(out, "summary.md"));
        assertEquals(summary, await Deno.readTextFile(join(clean, "summary.md")));
        assertStringIncludes(summary, `## Base: Calibration of ${grid.sft!.id} (math)`);
        assertStringIncludes(summary, "| tier | plain pass@1 | plain pass@2 |");
      }],
      ["5. `deno task figures` redraws from the saved results alone", async () => {
        await Deno.remove(join(out, "figures"), { recursive: true });
        const figures = await new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "-A",
            "--config",
            CONFIG,
            new URL("../cli/figures.ts", import.meta.url).pathname,
            out,
          ],
          env: { NO_COLOR: "1" },
        }).output();
        assert(figures.success, new TextDecoder().decode(figures.stderr));
        assert(await exists(join(out, "figures", "passk.html")));
      }],
      [
        "6. a finished run whose saved config differs from the grid's is refused, with the difference, untouched",
        async () => {
          saved = await Deno.readTextFile(victim);
          await Deno.writeTextFile(victim, saved.replace("steps: 6", "steps: 7"));
          const refused = await ablation(args).output();
          const message = new TextDecoder().decode(refused.stderr);
          assertEquals(refused.code, 2);
          assertStringIncludes(message, "hold another config than this grid gives them");
          assertStringIncludes(message, "- steps: 7 (saved)");
          assertStringIncludes(message, "+ steps: 6 (grid)");
          assertEquals(await Deno.readTextFile(victim), saved.replace("steps: 6", "steps: 7"));
        },
      ],
      ["7. --dry-run lists every run with its state", async () => {
        await Deno.writeTextFile(victim, saved);
        const dry = new TextDecoder().decode((await ablation([...args, "--dry-run"]).output()).stdout);
        assertEquals(dry.split("\n").filter((l) => / done /.test(l)).length, grid.runs.length);
      }],
    ];
    for (const [name, phase] of phases) {
      if (!(await t.step(name, phase))) return;
    }
    await Deno.remove(root, { recursive: true });
  },
});
Deno.test({
  name: "Ctrl-C on a running grid: one line saying what finished and how to resume, exit 130, no lock left behind",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const { root, grid, out, args } = await tinyGrid("interrupted");
    const cutOff = async () => {
      for (const run of grid.runs) {
        const dir = join(out, "runs", run.id);
        if (await exists(join(dir, "checkpoint", "checkpoint.json")) && !(await exists(join(dir, "done.json")))) {
          return true;
        }
      }
      return false;
    };
    // Interrupted (SIGINT to the runner alone, as `kill -INT` does) while a run has a checkpoint and is not done.
    const child = ablation(args).spawn();
    await waitFor(cutOff, "a run under way with a checkpoint");
    child.kill("SIGINT");
    const interrupted = await child.output();
    const lines = new TextDecoder().decode(interrupted.stderr).trim().split("\n");
    assertEquals(interrupted.code, 130);
    assert(
      /^ablation: interrupted with \d of 6 runs finished \(the others keep their last checkpoint\); resume with: deno task ablation \S+ --out \S+$/
        .test(lines[lines.length - 1]),
      lines[lines.length - 1],
    );
    const locks: string[] = [];
    const walk = async (dir: string) => {
      for await (const entry of Deno.readDir(dir)) {
        if (entry.isDirectory) await walk(join(dir, entry.name));
        else if (entry.name === "lock") locks.push(join(dir, entry.name));
      }
    };
    await walk(out);
    assertEquals(locks, []);
    // The rerun (piped, as in a log) says where the cut-off run went on from, one line per event, no redraws.
    const rerun = await ablation(args).output();
    const log = new TextDecoder().decode(rerun.stderr);
    assertEquals(rerun.code, 0, log);
    assert(/worker \d: \S+ step \d+\/6 \(resumed at step [1-9]\d*\)/.test(log), log);
    // A worker's line when it starts a run and when that run resumes: at most two per run, never a redrawn block.
    const workerLines = log.split("\n").filter((l) => l.startsWith("  worker"));
    for (const run of grid.runs) {
      const lines = workerLines.filter((l) => l.includes(run.id)).length;
      assert(lines <= 2, `${run.id} on ${lines} lines:\n${log}`);
    }
    await Deno.remove(root, { recursive: true });
  },
});

Deno.test("a bad grid on the command line: one line naming file, line and key; exit code 2", async () => {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "bad.yaml");
  await Deno.writeTextFile(file, "sft: {}\naxes:\n  algorithm: [grpo, reinforce]\n");
  const result = await ablation([file, "--out", join(dir, "out")]).output();
  const stderr = new TextDecoder().decode(result.stderr).trim();
  assertEquals(result.code, 2);
  assertEquals(stderr.split("\n").length, 1, stderr);
  assertStringIncludes(stderr, `${file}:3: key "algorithm": expected one of sft, grpo, filter-grpo`);
  assert(!(await exists(join(dir, "out"))), "nothing written for a bad grid");
  await assertRejects(() => Deno.stat(join(dir, "out")));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("progress: the ETA extrapolates the runs phase only, not the base's SFT before it", () => {
  const state = {
    phase: "runs" as const,
    total: 4,
    skipped: 0,
    finished: 2,
    failed: [],
    workers: [],
    fraction: 0.5,
    elapsedS: 2700,
    runsElapsedS: 300,
  };
  // Half the runs in 5 min → 5 min left (from all 45 min elapsed it would say 45).
  assertEquals(progressHead(state), "ablation runs: 2/4 runs done · 50% · 45:00 elapsed · eta 5:00");
  // While the base trains there is no basis for one.
  assertEquals(progressHead({ ...state, phase: "base", fraction: 0, finished: 0 }).includes("eta"), false);
  // While the base builds: its own share and ETA, not the runs' 0%.
  assertEquals(
    progressHead({ ...state, phase: "base", fraction: 0, finished: 0, base: { fraction: 0.25, etaS: 90 } }),
    "ablation base: 0/4 runs done · base 25% · 45:00 elapsed · eta 1:30",
  );
});

Deno.test("a failed run's reason is the line its process ended with, not just its exit code", async () => {
  const log = await Deno.makeTempFile();
  await Deno.writeTextFile(log, "Download …\nablation: /x/checkpoint/weights.bin: SHA-256 does not match\n");
  assertEquals(await failureReason(log, 2), "/x/checkpoint/weights.bin: SHA-256 does not match");
  await Deno.writeTextFile(log, "warming up\nTypeError: x is undefined\n    at f (file.ts:1)\n");
  assertEquals(await failureReason(log, 1), "TypeError: x is undefined");
  await Deno.writeTextFile(log, "");
  assertEquals(await failureReason(log, 137), "exit code 137");
});
