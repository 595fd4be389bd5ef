import { assertEquals, assertThrows } from "./assert.ts";
import { closestKey, editDistance, parseConfig, section, toYaml } from "../lib/config/validate.ts";
import { field } from "../lib/config/validate.ts";
import { parseRunConfig, RUN_SCHEMA } from "../lib/config/schema.ts";
import { defaults } from "../lib/config/validate.ts";

Deno.test("defaults are the paper's settings; overrides merge over them", () => {
  const config = parseRunConfig("algorithm: grpo\nrollout:\n  groupSize: 16\n");
  assertEquals(config.algorithm, "grpo");
  assertEquals((config.rollout as Record<string, unknown>).groupSize, 16);
  assertEquals((config.rollout as Record<string, unknown>).promptsPerStep, 16);
  assertEquals(config.guide, {
    threshold: 0.001,
    isCorrection: true,
    weighting: "shaped",
    shaping: "quantile",
    gammaLevel: 0.9,
    gamma: 1,
    baseline: "group",
    hintedScale: 1,
    gammaScope: "step",
    gammaPadding: false,
    mixin: false,
    balanced: false,
    mixinCopies: "plain",
    balancedSplit: "failed",
    alwaysHint: false,
  });
  assertEquals(parseRunConfig(""), defaults(RUN_SCHEMA));
});

Deno.test("an unknown key names the file, its line and the closest valid key", () => {
  const text = "algorithm: guide-grpo\nguide:\n  baseline: plain\n  weigting: unit\n";
  assertThrows(
    () => parseRunConfig(text, "grid.yaml"),
    Error,
    `grid.yaml:4: unknown key "weigting" in "guide" (did you mean "weighting"?)`,
  );
  assertThrows(() => parseRunConfig("sed: 3\n", "a.yaml"), Error, `a.yaml:1: unknown key "sed" (did you mean "seed"?)`);
  assertThrows(
    () => parseRunConfig("zzzzzzzz: 1\n", "a.yaml"),
    Error,
    `unknown key "zzzzzzzz" (valid: algorithm, seed`,
  );
});

Deno.test("a wrong type or value names the path, the line and what is expected", () => {
  assertThrows(
    () => parseRunConfig("seed: 1\nrollout:\n  groupSize: eight\n", "r.yaml"),
    Error,
    `r.yaml:3: key "rollout.groupSize": expected an integer in [2, ∞], got "eight"`,
  );
  assertThrows(
    () => parseRunConfig("algorithm: reinforce\n", "r.yaml"),
    Error,
    `r.yaml:1: key "algorithm": expected one of sft, grpo, filter-grpo, guide-grpo, ppo, guide-ppo, nurl, rationalization, luffy, questa, scaf-grpo, got "reinforce"`,
  );
  assertThrows(() => parseRunConfig("guide: 3\n", "r.yaml"), Error, `r.yaml:1: key "guide": expected a mapping, got 3`);
  assertThrows(() => parseRunConfig("seed: 1.5\n", "r.yaml"), Error, `key "seed": expected an integer`);
  assertThrows(
    () => parseRunConfig("data:\n  tiers: 1,x\n", "r.yaml"),
    Error,
    `r.yaml:2: key "data.tiers": expected comma-separated tiers (tiers 1 to 5, like "1,2,3"), got "1,x"`,
  );
  assertThrows(() => parseRunConfig("sft:\n  rareTiers: '0'\n", "r.yaml"), Error, `key "sft.rareTiers": expected`);
  assertEquals(parseRunConfig("sft:\n  rareTiers: ''\n").sft.rareTiers, "");
  assertThrows(() => parseRunConfig("optim:\n  lr: -1\n", "r.yaml"), Error, `r.yaml:2: key "optim.lr"`);
});

Deno.test("invalid YAML and duplicate keys name the line", () => {
  assertThrows(() => parseRunConfig("seed: 1\nseed: 2\n", "d.yaml"), Error, "d.yaml:2: invalid YAML");
  assertThrows(() => parseRunConfig("guide:\n  - a\n  b: [\n", "d.yaml"), Error, "d.yaml:");
  assertThrows(() => parseRunConfig("- 1\n- 2\n", "d.yaml"), Error, "d.yaml:1: the config must be a mapping");
});

Deno.test("the resolved config round-trips through YAML", () => {
  const config = parseRunConfig("guide:\n  baseline: plain\n  weighting: unit\nmodel:\n  checkpoint: runs/sft\n");
  assertEquals(parseRunConfig(toYaml(config)), config);
});

Deno.test("edit distance and closest key", () => {
  assertEquals(editDistance("kitten", "sitting"), 3);
  assertEquals(closestKey("lr", ["lr", "beta1"]), "lr");
  assertEquals(closestKey("gama", ["gamma", "gammaLevel"]), "gamma");
  assertEquals(closestKey("qqqqqq", ["gamma"]), undefined);
  const schema = section({ a: field("integer", 1, { nullable: true }) });
  assertEquals(parseConfig("a: null\n", schema, "n.yaml"), { a: null });
});
