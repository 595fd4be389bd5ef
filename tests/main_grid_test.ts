import { assert, assertEquals } from "./assert.ts";
import { join } from "node:path";
import { selectBackend } from "../lib/mod.ts";
import { loadGrid, MAIN_GRID } from "../lib/ablation/grid.ts";
import { buildBase, runOne } from "../lib/ablation/jobs.ts";
import { runDir } from "../lib/ablation/store.ts";

await selectBackend("wasm", { quiet: true });

Deno.test("the main job's first Guide step runs on the shipped base, as configured (a broken checkpoint fails here)", async () => {
  const grid = await loadGrid(MAIN_GRID);
  assertEquals(
    [...new Set(grid.runs.map((r) => r.axes.variant))],
    ["grpo", "filter-grpo", "guide-grpo", "guide-plain-unit"],
  );
  assertEquals(grid.runs.length, 12); // × 3 seeds
  const out = await Deno.makeTempDir();
  assertEquals(await buildBase(out, grid.sft!), "shipped");
  // The real run's config, cut to its first step and token evaluations (the real final one draws 10,240 completions).
  const run = grid.runs.find((r) => r.axes.variant === "guide-plain-unit")!;
  const config = {
    ...run.config,
    steps: 1,
    eval: { ...run.config.eval, problems: 1, finalSamples: 2, curveProblems: 1, samples: 1 },
  };
  const lines: Record<string, unknown>[] = [];
  await runOne(out, { ...run, config }, { onStep: (line) => void lines.push(line) });
  assertEquals(lines.length, 1);
  const [step] = lines;
  assertEquals([step.step, step.updated], [1, true]);
  assert(Number.isFinite(step.loss) && Number.isFinite(step.gradNorm), JSON.stringify(step));
  // Tiers 3–4 from this base: tier 4 always fails in the plain context, so Guide regroups with the hint (16 × 8 plain
  // completions, then up to 8 more for each failed group).
  assert((step.rollouts as number) > 128, `rollouts ${step.rollouts}`);
  assert((step.hintedFraction as number) > 0, `hinted fraction ${step.hintedFraction}`);
  const done = JSON.parse(await Deno.readTextFile(join(runDir(out, run.id), "done.json")));
  assertEquals(done.steps, 1);
});
