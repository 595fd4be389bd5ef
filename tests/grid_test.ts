import { assert, assertEquals, assertRejects } from "./assert.ts";
import { basePath, canonicalJson, parseGrid, runId } from "../lib/ablation/grid.ts";
import { variantsOf } from "../lib/ablation/report.ts";
import { parseRunConfig } from "../lib/mod.ts";
import { datasetDigest } from "../lib/data/load.ts";
import { loadSavedGrid, saveGrid } from "../lib/ablation/store.ts";
import { join } from "node:path";

const grid = `sft:
  model: { dModel: 32, layers: 1, heads: 2 }
  sft: { steps: 5 }
base:
  steps: 20
  rollout:
    groupSize: 4
axes:
  algorithm: [grpo, guide-grpo]
  seed: [0, 1, 2]
  guide.baseline: [group, plain]
`;

Deno.test("a grid is the cartesian product of its axes over the base, each run with a stable id", async () => {
  const { runs, sft, summary } = await parseGrid(grid, "g.yaml");
  assertEquals(runs.length, 12);
  assertEquals(runs[0].axes, { algorithm: "grpo", seed: 0, "guide.baseline": "group" });
  assertEquals(runs[11].axes, { algorithm: "guide-grpo", seed: 2, "guide.baseline": "plain" });
  assertEquals((runs[3].config.rollout as Record<string, unknown>).groupSize, 4);
  assertEquals((runs[3].config.guide as Record<string, unknown>).baseline, "plain");
  assertEquals(runs[3].config.steps, 20);
  assertEquals(new Set(runs.map((r) => r.id)).size, 12);
  assert(runs.every((r) => /^(grpo|guide-grpo)-s[0-2]-[0-9a-f]{10}$/.test(r.id)), runs[0].id);
  // The base: an sft run; every run starts from it and takes its model shape; the ablation runs them one process each.
  assert(sft && /^sft-s0-[0-9a-f]{10}$/.test(sft.id) && sft.config.algorithm === "sft");
  const model = runs[0].config.model as Record<string, unknown>;
  assertEquals([model.dModel, model.layers, model.heads, model.checkpoint], [32, 1, 2, basePath(sft!.id)]);
  assertEquals(basePath(sft!.id), `bases/${sft!.id}/checkpoint`);
  assert(runs.every((r) => r.config.workers === 1));
  // The summary's defaults: how the verdict tests (`docs/verdicts.md`).
  assertEquals(summary, {
    k: 16,
    target: null,
    reference: "grpo",
    candidate: null,
    contrasts: "",
    test: "welch",
    adjust: "holm",
    alpha: 0.05,
    equivalence: { passAt1: 0.02, passAtK: 0.05 },
    minSeeds: 3,
    baseDraws: 5,
  });
  // Stable: the same config gives the same id, however it was written.
  const again = await parseGrid(
    grid.replace("  rollout:\n    groupSize: 4\n", "  rollout: { groupSize: 4 }\n"),
    "h.yaml",
  );
  assertEquals(again.runs.map((r) => r.id), runs.map((r) => r.id));
  const config = parseRunConfig(
    `steps: 20\nworkers: 1\nrollout:\n  groupSize: 4\nalgorithm: grpo\n` +
      `model: { dModel: 32, layers: 1, heads: 2, checkpoint: ${basePath(sft!.id)} }\n`,
  );
  assertEquals(await runId(config), runs[0].id);
  // Another base is another run.
  const other = await parseGrid(grid.replace("steps: 5", "steps: 6"), "g.yaml");
  assert(other.runs[0].id !== runs[0].id);
  assertEquals(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }), '{"a":[{"c":3,"d":2}],"b":1}');
});

Deno.test("a malformed grid names the file, the line and the key", async () => {
  const cases: [string, string][] = [
    ["base:\n  stepz: 3\n", `g.yaml:2: unknown key "stepz" (did you mean "steps"?)`],
    ["axis:\n  seed: [1]\n", `g.yaml:1: unknown key "axis" (did you mean "axes"?)`],
    [
      "axes:\n  seed: [0]\n  guide.baseln: [plain]\n",
      `g.yaml:3: axes: unknown key "baseln" in "guide" (did you mean "baseline"?)`,
    ],
    ["axes:\n  seed: 3\n", `g.yaml:2: axes: key "seed": expected a non-empty list`],
    ["axes:\n  guide: [1]\n", `g.yaml:2: axes: "guide" is a section`],
    [
      "sft: {}\naxes:\n  algorithm: [grpo, reinforce]\n",
      `g.yaml:3: key "algorithm": expected one of sft, grpo, filter-grpo, guide-grpo, ppo, guide-ppo, nurl, rationalization, luffy, questa, scaf-grpo, got "reinforce"`,
    ],
    ["base:\n  steps: 1\n  steps: 2\n", "g.yaml:3: invalid YAML"],
    ["sft: {}\nbase:\n  workers: 2\n", `g.yaml:3: key "workers": the ablation sets it`],
    ["sft: {}\naxes:\n  workers: [1, 2]\n", `g.yaml:3: axes: key "workers": the ablation sets it`],
    ["sft:\n  algorithm: grpo\n", `g.yaml:2: key "algorithm": the \`sft\` section builds the base`],
    [
      "sft:\n  model: { dModel: 64 }\nbase:\n  model:\n    dModel: 32\n",
      `g.yaml:5: key "model.dModel" is 32 but the sft base's is 64`,
    ],
    ["sft: {}\naxes:\n  algorithm: [sft]\n", `g.yaml:3: key "algorithm": runs are RL algorithms`],
    ["base:\n  steps: 3\n", "g.yaml:1: runs need a base policy"],
    ["sft: {}\nsummary:\n  k: 100\n", `g.yaml:3: key "summary.k": 100 is above eval.finalSamples (64)`],
    ["sft: {}\nsummary:\n  targt: 0.5\n", `g.yaml:3: unknown key "targt" (did you mean "target"?)`],
    // A tier the data does not have trained or evaluated on nothing, silently (exit 0): refused at load.
    [
      'sft: {}\nbase:\n  data: { domain: arith, tiers: "3,9" }\n',
      `g.yaml:3: key "data.tiers": expected comma-separated tiers (tiers 1 to 5, like "1,2,3"), got "3,9"`,
    ],
    [
      'sft: {}\nbase:\n  eval:\n    tiers: "1,2,3,4,5,6"\n',
      `g.yaml:4: key "eval.tiers": expected comma-separated tiers (tiers 1 to 5, like "1,2,3"), got "1,2,3,4,5,6"`,
    ],
    [
      'sft:\n  sft: { rareTiers: "0" }\n',
      `g.yaml:2: key "sft.rareTiers": expected comma-separated tiers (tiers 1 to 5, like "1,2,3"), got "0"`,
    ],
  ];
  for (const [text, message] of cases) await assertRejects(() => parseGrid(text, "g.yaml"), Error, message);
});

Deno.test("runs may start from a checkpoint of their own instead of an sft section", async () => {
  const { runs, sft } = await parseGrid(
    "base:\n  model: { checkpoint: /data/base }\naxes:\n  seed: [0, 1]\n",
    "g.yaml",
  );
  assertEquals([sft, runs.length, (runs[1].config.model as Record<string, unknown>).checkpoint], [
    undefined,
    2,
    "/data/base",
  ]);
});

Deno.test("the example grids in the repository parse", async () => {
  for (const entry of Deno.readDirSync(new URL("../grids/", import.meta.url))) {
    const file = new URL(`../grids/${entry.name}`, import.meta.url);
    const parsed = await parseGrid(await Deno.readTextFile(file), entry.name);
    assert(parsed.runs.length >= 6 && parsed.sft !== undefined, entry.name);
  }
});

Deno.test("named variants: each overrides the base (sections merged), times the axes; labels are the names", async () => {
  const text = `sft: {}
base:
  algorithm: guide-grpo
  guide: { threshold: 0.01 }
variants:
  grpo: { algorithm: grpo }
  guide-grpo: {}
  plain-unit:
    guide: { baseline: plain, weighting: unit }
axes:
  seed: [0, 1]
`;
  const grid = await parseGrid(text, "g.yaml");
  assertEquals(grid.runs.map((r) => r.axes), [
    { variant: "grpo", seed: 0 },
    { variant: "grpo", seed: 1 },
    { variant: "guide-grpo", seed: 0 },
    { variant: "guide-grpo", seed: 1 },
    { variant: "plain-unit", seed: 0 },
    { variant: "plain-unit", seed: 1 },
  ]);
  const guide = grid.runs[4].config.guide as Record<string, unknown>;
  assertEquals([grid.runs[4].config.algorithm, guide.baseline, guide.weighting, guide.threshold], [
    "guide-grpo",
    "plain",
    "unit",
    0.01,
  ]);
  assertEquals(grid.runs[0].config.algorithm, "grpo");
  assertEquals(variantsOf(grid).map((v) => v.label), ["grpo", "guide-grpo", "plain-unit"]);
  await assertRejects(
    () => parseGrid(text.replace("baseline: plain", "baseline: plian"), "g.yaml"),
    Error,
    `g.yaml:9: key "guide.baseline": expected one of group, plain, got "plian"`,
  );
  await assertRejects(
    () => parseGrid(text.replace("  guide-grpo: {}\n", "  guide-grpo: {}\n  bad: 3\n"), "g.yaml"),
    Error,
    `g.yaml:8: variants: "bad" is a mapping of config keys`,
  );
});

Deno.test("datasetDigest: run ids change when a domain's data is regenerated; a missing checksum is named", async () => {
  const root = await Deno.makeTempDir();
  const sums = (test: string) =>
    Deno.writeTextFile(
      `${root}/SHA256SUMS`,
      `${"a".repeat(64)}  arith/train.jsonl\n${test.repeat(64)}  arith/test.jsonl\n` +
        `${"e".repeat(64)}  arith/validation.jsonl\n`,
    );
  await sums("b");
  const first = await datasetDigest("arith", root);
  assertEquals(await datasetDigest("arith", root), first);
  await sums("c");
  assert(await datasetDigest("arith", root) !== first);
  await assertRejects(() => datasetDigest("math", root), Error, "no checksum for math/train.jsonl");
  await Deno.remove(root, { recursive: true });
});

Deno.test("a grid's calibration section: defaults, checked keys, and it needs an sft base", async () => {
  const parsed = await parseGrid(grid + "calibration: { samples: 8 }\n", "c.yaml");
  assertEquals(parsed.calibration, { problems: 128, samples: 8 });
  assertEquals((await parseGrid(grid, "c.yaml")).calibration, null);
  await assertRejects(
    () => parseGrid(grid + "calibration: { sample: 8 }\n", "c.yaml"),
    Error,
    'did you mean "samples"',
  );
  const noBase = "base: { steps: 2 }\naxes:\n  seed: [0]\ncalibration: {}\n";
  await assertRejects(() => parseGrid(noBase, "n.yaml"), Error, "n.yaml:4: `calibration` needs an `sft` section");
});

Deno.test("an output folder remembers the grid file it ran, so a summary redrawn from it names the same grid", async () => {
  const out = await Deno.makeTempDir();
  const text = "base:\n  model: { checkpoint: /data/base }\naxes:\n  seed: [0, 1]\n";
  const grid = await parseGrid(text, "grids/mine.yaml");
  await saveGrid(out, grid);
  const saved = await loadSavedGrid(out);
  assertEquals([saved.file, saved.text, saved.runs.map((r) => r.id)], [grid.file, text, grid.runs.map((r) => r.id)]);
  // A folder from before the record: the grid's own path inside it.
  await Deno.remove(join(out, "grid-source.json"));
  assertEquals((await loadSavedGrid(out)).file, join(out, "grid.yaml"));
  await Deno.writeTextFile(join(out, "grid-source.json"), "{not json");
  await assertRejects(() => loadSavedGrid(out), Error, `${join(out, "grid-source.json")}:`);
});

Deno.test("released-loop.yaml shares main.yaml's base and its runs of the kit's reading, adding only the released pair", async () => {
  const read = async (name: string) =>
    await parseGrid(await Deno.readTextFile(new URL(`../grids/${name}`, import.meta.url)), name);
  const [main, released] = [await read("main.yaml"), await read("released-loop.yaml")];
  const mainIds = new Set(main.runs.map((r) => r.id));
  const shared = released.runs.filter((r) => mainIds.has(r.id)).map((r) => r.axes.variant);
  assertEquals([...new Set(shared)], ["grpo", "filter-grpo", "guide-grpo"]);
  assertEquals(released.runs.filter((r) => !mainIds.has(r.id)).map((r) => `${r.axes.variant} ${r.axes.seed}`), [
    "filter-grpo-released 0",
    "filter-grpo-released 1",
    "filter-grpo-released 2",
    "guide-grpo-released 0",
    "guide-grpo-released 1",
    "guide-grpo-released 2",
  ]);
  assertEquals(released.sft!.id, main.sft!.id);
  assertEquals(released.runs.map((r) => r.config.rollout.maxResample), [...Array(9).fill(0), ...Array(6).fill(8)]);
});
