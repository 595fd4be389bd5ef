import { assertAlmostEquals, assertEquals, assertThrows } from "./assert.ts";
import { tf, useBackend } from "../lib/mod.ts";
import {
  aggregate,
  clipFraction,
  clippedLoss,
  gae,
  groupAdvantages,
  klPenalty,
  sequenceRatio,
  std,
  tokenRatio,
} from "../lib/rl/core.ts";
import {
  effectiveWeight,
  gammaQuantile,
  hintedAdvantages,
  needsHint,
  shape,
  shapedHintedLoss,
  unitHintedLoss,
} from "../lib/rl/guide.ts";

await useBackend("wasm");

const t = (rows: number[][]) => tf.tensor2d(rows);
const values = (x: tf.Tensor) => Array.from(x.dataSync());
const close = (actual: number[], expected: number[], tolerance = 1e-5) =>
  expected.forEach((e, i) => assertAlmostEquals(actual[i], e, tolerance, `index ${i}: ${actual[i]} vs ${e}`));

Deno.test("group advantages: (R − mean) / (sample std + ε), zeros for an all-equal group", () => {
  // mean 0.25; sample std √((0.75² + 3·0.25²)/3) = 0.5
  close(groupAdvantages([1, 0, 0, 0]), [1.5, -0.5, -0.5, -0.5]);
  assertEquals(groupAdvantages([0, 0, 0, 0]), [0, 0, 0, 0]);
  assertEquals(groupAdvantages([1, 1, 1]), [0, 0, 0]);
  assertAlmostEquals(std([2, 4, 4, 4, 5, 5, 7, 9]), Math.sqrt(32 / 7), 1e-12);
});

Deno.test("GAE: hand-worked deltas at λ = 1 and λ = 0.5", () => {
  // δ = [0.6−0.5, 0.7−0.6, 1−0.7] = [0.1, 0.1, 0.3]
  const full = gae([0, 0, 1], [0.5, 0.6, 0.7], 1, 1);
  close(full.advantages, [0.5, 0.4, 0.3]);
  close(full.returns, [1, 1, 1]);
  close(gae([0, 0, 1], [0.5, 0.6, 0.7], 1, 0.5).advantages, [0.225, 0.25, 0.3]);
  // γ = 0.9, λ = 1: δ2 = 1 − 0.7; δ1 = 0.9·0.7 − 0.6; A1 = δ1 + 0.9·δ2
  close(gae([0, 0, 1], [0.5, 0.6, 0.7], 0.9, 1).advantages.slice(1), [0.03 + 0.27, 0.3]);
});

Deno.test("ratios: per token, and GSPO's per sequence over real tokens", () => {
  close(values(tokenRatio(t([[Math.log(0.5)]]), t([[Math.log(0.25)]]))), [2]);
  const seq = sequenceRatio(t([[0.2, 0.4, 9]]), t([[0, 0, 0]]), t([[1, 1, 0]]));
  close(values(seq), [Math.exp(0.3), Math.exp(0.3), Math.exp(0.3)]);
});

Deno.test("clipped surrogate and clip fraction, positive and negative advantages, asymmetric ε", () => {
  const ratio = t([[0.5, 1, 1.5]]);
  const mask = t([[1, 1, 1]]);
  close(values(clippedLoss(ratio, t([[1, 1, 1]]))), [-0.5, -1, -1.2]);
  close(values(clippedLoss(ratio, t([[-1, -1, -1]]))), [0.8, 1, 1.5]);
  close(values(clippedLoss(ratio, t([[1, 1, 1]]), 0.2, 0.28)), [-0.5, -1, -1.28]);
  assertAlmostEquals(clipFraction(ratio, t([[1, 1, 1]]), mask).dataSync()[0], 1 / 3, 1e-6);
  assertAlmostEquals(clipFraction(ratio, t([[-1, -1, -1]]), mask).dataSync()[0], 1 / 3, 1e-6);
  assertAlmostEquals(clipFraction(ratio, t([[1, 1, 1]]), t([[1, 1, 0]])).dataSync()[0], 0, 1e-6);
});

Deno.test("KL to the reference by k3: exp(Δ) − Δ − 1", () => {
  // Δ = ln 0.25 − ln 0.5 = −ln 2
  close(values(klPenalty(t([[Math.log(0.5), 0]]), t([[Math.log(0.25), 0]]))), [0.5 + Math.LN2 - 1, 0]);
});

Deno.test("aggregations grpo, bnpo, dr_grpo, dapo on a hand-sized batch", () => {
  const loss = t([[1, 2, 3], [4, 0, 0]]);
  const mask = t([[1, 1, 1], [1, 0, 0]]);
  assertAlmostEquals(aggregate(loss, mask, "grpo").dataSync()[0], (6 / 3 + 4 / 1) / 2, 1e-6);
  assertAlmostEquals(aggregate(loss, mask, "bnpo").dataSync()[0], 10 / 4, 1e-6);
  assertAlmostEquals(aggregate(loss, mask, "dr_grpo", { maxTokens: 5 }).dataSync()[0], 10 / (2 * 5), 1e-6);
  assertAlmostEquals(aggregate(loss, mask, "dapo", { totalTokens: 8 }).dataSync()[0], 10 / 8, 1e-6);
  assertThrows(() => aggregate(loss, mask, "dapo"), Error, "needs totalTokens");
  assertThrows(() => aggregate(loss, mask, "mean" as "grpo"), Error, 'unknown aggregation "mean"');
});

Deno.test("Guide: hint trigger, γ quantile (detached, floored), f(r), hinted losses, effective weight", () => {
  assertEquals([needsHint([0, 0, 0, 0]), needsHint([0, 0, 1, 0]), needsHint([0.0005, 0])], [true, false, true]);
  assertAlmostEquals(gammaQuantile([5, 1, 4, 2, 3]), 4.6, 1e-12); // position 0.9·4 = 3.6 → 4 + 0.6·(5 − 4)
  assertAlmostEquals(gammaQuantile([5, 1, 4, 2, 3], 0.5), 3, 1e-12);
  assertEquals(gammaQuantile([0, 0, 0]), 1e-4);
  close(values(shape(t([[1, 3]]), 1, "quantile")), [0.5, 0.75]);
  close(values(shape(t([[4]]), 0.5, "power")), [2]);
  close(values(shapedHintedLoss(t([[1, 3]]), t([[2, -1]]), 1)), [-1, 0.75]);
  close(values(unitHintedLoss(t([[Math.log(0.5)]]), t([[2]]))), [2 * Math.LN2]);
  // r ≪ γ: weight ≈ r/γ — the starved tokens of the testbed
  assertAlmostEquals(effectiveWeight(0.01, 1, "quantile"), 0.01 / 1.01 ** 2, 1e-12);
  assertAlmostEquals(effectiveWeight(1, 1, "constant"), 0.25, 1e-12);
  assertAlmostEquals(effectiveWeight(4, 0.5, "power"), 1, 1e-12);
});

Deno.test("hinted advantages: within the hinted group (official) or against the failed plain group (pooled)", () => {
  close(hintedAdvantages([1, 0, 0, 0], [0, 0, 0, 0], "group"), [1.5, -0.5, -0.5, -0.5]);
  // Pooled rewards [0,0,0,0,1,0,0,0]: mean 1/8, sample variance (7·(1/8)² + (7/8)²)/7 = 1/8; baseline 0.
  close(hintedAdvantages([1, 0, 0, 0], [0, 0, 0, 0], "plain"), [1 / Math.sqrt(1 / 8), 0, 0, 0]);
});
