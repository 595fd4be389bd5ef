import { assert, assertEquals, assertRejects } from "./assert.ts";
import { canonicalJson, parseGrid, runId } from "../lib/ablation/grid.ts";
import { parseRunConfig } from "../lib/mod.ts";

const grid = `base:
  steps: 20
  rollout:
    groupSize: 4
axes:
  algorithm: [grpo, guide-grpo]
  seed: [0, 1, 2]
  guide.baseline: [group, plain]
`;

Deno.test("a grid is the cartesian product of its axes over the base, each run with a stable id", async () => {
  const runs = await parseGrid(grid, "g.yaml");
  assertEquals(runs.length, 12);
  assertEquals(runs[0].axes, { algorithm: "grpo", seed: 0, "guide.baseline": "group" });
  assertEquals(runs[11].axes, { algorithm: "guide-grpo", seed: 2, "guide.baseline": "plain" });
  assertEquals((runs[3].config.rollout as Record<string, unknown>).groupSize, 4);
  assertEquals((runs[3].config.guide as Record<string, unknown>).baseline, "plain");
  assertEquals(runs[3].config.steps, 20);
  assertEquals(new Set(runs.map((r) => r.id)).size, 12);
  assert(runs.every((r) => /^(grpo|guide-grpo)-s[0-2]-[0-9a-f]{10}$/.test(r.id)), runs[0].id);
  // Stable: the same config gives the same id, however it was written.
  const again = await parseGrid(
    grid.replace("  rollout:\n    groupSize: 4\n", "  rollout: { groupSize: 4 }\n"),
    "h.yaml",
  );
  assertEquals(again.map((r) => r.id), runs.map((r) => r.id));
  assertEquals(await runId(parseRunConfig("steps: 20\nrollout:\n  groupSize: 4\nalgorithm: grpo\n")), runs[0].id);
  assertEquals(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }), '{"a":[{"c":3,"d":2}],"b":1}');
});

Deno.test("a malformed grid names the file, the line and the key", async () => {
  await assertRejects(
    () => parseGrid("base:\n  stepz: 3\n", "g.yaml"),
    Error,
    `g.yaml:2: unknown key "stepz" (did you mean "steps"?)`,
  );
  await assertRejects(
    () => parseGrid("axis:\n  seed: [1]\n", "g.yaml"),
    Error,
    `g.yaml:1: unknown key "axis" (did you mean "axes"?)`,
  );
  await assertRejects(
    () => parseGrid("axes:\n  seed: [0]\n  guide.baseln: [plain]\n", "g.yaml"),
    Error,
    `g.yaml:3: axes: unknown key "baseln" in "guide" (did you mean "baseline"?)`,
  );
  await assertRejects(
    () => parseGrid("axes:\n  seed: 3\n", "g.yaml"),
    Error,
    `g.yaml:2: axes: key "seed": expected a non-empty list`,
  );
  await assertRejects(
    () => parseGrid("axes:\n  guide: [1]\n", "g.yaml"),
    Error,
    `g.yaml:2: axes: "guide" is a section`,
  );
  await assertRejects(
    () => parseGrid("axes:\n  algorithm: [grpo, reinforce]\n", "g.yaml"),
    Error,
    `g.yaml:2: key "algorithm": expected one of sft, grpo, filter-grpo, guide-grpo, ppo, guide-ppo, got "reinforce"`,
  );
  await assertRejects(() => parseGrid("base:\n  steps: 1\n  steps: 2\n", "g.yaml"), Error, "g.yaml:3: invalid YAML");
});
