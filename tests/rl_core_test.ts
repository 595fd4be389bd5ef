import { assertAlmostEquals, assertEquals, assertThrows } from "./assert.ts";
import { tf, useBackend } from "../lib/mod.ts";
import {
  type Aggregation,
  aggregationNormaliser,
  aggregationSum,
  batchGae,
  clipFraction,
  clippedLoss,
  gae,
  groupAdvantages,
  klPenalty,
  sequenceRatio,
  std,
  tokenRatio,
  whiten,
} from "../lib/rl/core.ts";
import {
  buildTrainSpec,
  miniBatches,
  rlTrainSpec,
  type RolloutGroup,
  rowGammas,
  withRowGammas,
} from "../lib/rl/batch.ts";
import { configIdentity, configYaml, parseRunConfig } from "../lib/config/schema.ts";
import { LOSSES, rlParams, rlTokenTensors } from "../lib/rl/loss.ts";
import { tokenTensor } from "../lib/policy/train_spec.ts";
import { hintedDiagnostics } from "../lib/rl/step_report.ts";
import {
  effectiveWeight,
  gammaQuantile,
  groupAdvantagesWithHints,
  hintedAdvantages,
  hintedDraws,
  hintedTokenLoss,
  needsHint,
  regroup,
  regroupMode,
  sequenceGammas,
  shape,
  shapedHintedLoss,
  stepGamma,
  trainingRole,
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

Deno.test("aggregations grpo, bnpo, dr_grpo, dapo on a hand-sized batch: numerator over the step's normaliser", () => {
  // Two rows of 3 and 1 real tokens (4 in all), token losses summing to 6 and 4.
  const loss = t([[1, 2, 3], [4, 0, 0]]);
  const mask = t([[1, 1, 1], [1, 0, 0]]);
  // Numerators: grpo sums each sequence's token mean; the others sum the real tokens' losses.
  assertAlmostEquals(aggregationSum(loss, mask, "grpo").dataSync()[0], 6 / 3 + 4 / 1, 1e-6);
  for (const mode of ["bnpo", "dapo", "dr_grpo", "dr_grpo_verl"] as const) {
    assertAlmostEquals(aggregationSum(loss, mask, mode).dataSync()[0], 10, 1e-6, mode);
  }
  // Over the normaliser of a step of these 2 rows (4 tokens; 5 max tokens): grpo the mean of sequence means, bnpo
  // the token mean, dr_grpo over rows × max tokens; dapo over the whole step's tokens (8 when this is half of it).
  const aggregated = (mode: Aggregation, tokens = 4) =>
    aggregationSum(loss, mask, mode).dataSync()[0] / aggregationNormaliser(mode, 2, tokens, 5);
  assertAlmostEquals(aggregated("grpo"), (6 / 3 + 4 / 1) / 2, 1e-6);
  assertAlmostEquals(aggregated("bnpo"), 10 / 4, 1e-6);
  assertAlmostEquals(aggregated("dr_grpo"), 10 / (2 * 5), 1e-6);
  assertAlmostEquals(aggregated("dapo", 8), 10 / 8, 1e-6);
  assertThrows(() => aggregationSum(loss, mask, "mean" as "grpo"), Error, 'unknown aggregation "mean"');
});

Deno.test("whitening and PPO's batch targets: GAE per sequence, advantages whitened over the batch's tokens", () => {
  // [1, 2, 3, 6]: mean 3, population std √((4 + 1 + 0 + 9)/4) = √3.5
  close(whiten([1, 2, 3, 6]), [-2, -1, 0, 3].map((d) => d / (Math.sqrt(3.5) + 1e-8)), 1e-12);
  // Two sequences, reward at the last token, γ = λ = 1: GAE advantages are R − V_t at every token.
  // Sequence 1: V = [0.5, 0.6], R = 1 → Â = [0.5, 0.4]; sequence 2: V = [0.2], R = 0 → Â = [−0.2].
  const targets = batchGae([{ rewards: [0, 1], values: [0.5, 0.6] }, { rewards: [0], values: [0.2] }]);
  // Whitened over the three tokens: mean 0.7/3, population std √((0.5−m)² + (0.4−m)² + (−0.2−m)²)/3).
  const m = 0.7 / 3;
  const sd = Math.sqrt(((0.5 - m) ** 2 + (0.4 - m) ** 2 + (-0.2 - m) ** 2) / 3) + 1e-8;
  close(targets[0].advantages, [(0.5 - m) / sd, (0.4 - m) / sd], 1e-12);
  close(targets[1].advantages, [(-0.2 - m) / sd], 1e-12);
  // Returns are Â + V before whitening: the critic's targets are the reward.
  close(targets[0].returns, [1, 1], 1e-12);
  close(targets[1].returns, [0], 1e-12);
});

Deno.test("the training path's aggregations (buildTrainSpec's normaliser + the rl loss), hand-computed", () => {
  // One plain group of three samples, rewards [1, 0, 0], of 3, 1 and 2 tokens. Advantages (R − 1/3)/(s + 1e-6)
  // with s the sample std √(1/3); the ratios are 1.1 on row 0, 0.9 on row 1 and 1 on row 2 (all inside the clip).
  const s = Math.sqrt(1 / 3) + 1e-6;
  const advantage = [2 / 3 / s, -1 / 3 / s, -1 / 3 / s];
  const ratio = [1.1, 0.9, 1];
  const lengths = [3, 1, 2];
  const group: RolloutGroup = {
    prompt: "p",
    samples: lengths.map((n, i) => ({
      ids: Array(n).fill(5),
      reward: i === 0 ? 1 : 0,
      oldLogprobs: Array(n).fill(-1),
    })),
  };
  // −min(r·Â, clip(r)·Â) = −r·Â inside the clip, the same on every token of a row.
  const perToken = advantage.map((a, i) => -ratio[i] * a);
  const sum = perToken.reduce((acc, l, i) => acc + l * lengths[i], 0);
  const expected: Record<string, number> = {
    grpo: perToken.reduce((a, b) => a + b, 0) / 3, // mean over a row's tokens, then over rows
    bnpo: sum / 6, // over the step's 6 tokens
    dr_grpo: sum / (3 * 4), // rows × maxTokens
    dapo: sum / 6, // over the step's 6 tokens too: the step is the batch, so bnpo and dapo agree on this path
  };
  // The paper's settings (the config's defaults), completions of at most 4 tokens.
  const settings = parseRunConfig("rollout:\n  maxTokens: 4\n");
  for (const aggregation of ["grpo", "bnpo", "dr_grpo", "dapo"] as const) {
    const config = { ...settings, loss: { ...settings.loss, aggregation } };
    const spec = buildTrainSpec([group], config, { gamma: 1, encodeContext: () => [1] });
    const width = 3;
    const mask = tokenTensor(lengths.map((n) => Array(n).fill(1)), width);
    const scores = {
      logprobs: tokenTensor(lengths.map((n, i) => Array(n).fill(-1 + Math.log(ratio[i]))), width),
      entropy: tf.zerosLike(mask) as tf.Tensor2D,
      mask,
    };
    const data = Object.fromEntries(Object.entries(spec.data!).map(([k, rows]) => [k, tokenTensor(rows, width)]));
    const { loss, metrics } = LOSSES[spec.loss](scores, data, spec.normaliser, spec.params!);
    assertAlmostEquals(loss.dataSync()[0], expected[aggregation], 1e-5, aggregation);
    // The same pass's metrics: 6 tokens, all plain, none clipped, ratios 3·1.1 + 0.9 + 2·1.
    const sums = Object.fromEntries(Object.entries(metrics!).map(([k, m]) => [k, m.dataSync()[0]]));
    assertEquals([sums.tokens, sums.plainTokens, sums.clippedTokens], [6, 6, 0]);
    assertAlmostEquals(sums.plainRatioSum, 3 * 1.1 + 0.9 + 2, 1e-5);
    tf.dispose([loss, ...Object.values(metrics!), mask, scores.logprobs, scores.entropy, ...Object.values(data)]);
  }
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

Deno.test("Guide's regroup modes, training context, γ per step and the blended token loss", () => {
  const plain = [{ id: "p0", reward: 0 }, { id: "p1", reward: 0 }, { id: "p2", reward: 0 }, { id: "p3", reward: 0 }];
  const hinted = [{ id: "h0", reward: 1 }, { id: "h1", reward: 0 }, { id: "h2", reward: 1 }, { id: "h3", reward: 0 }];
  const ids = (samples: { id: string }[]) => samples.map((s) => s.id).join(",");
  assertEquals([regroupMode({ mixin: false, balanced: false }), regroupMode({ mixin: true, balanced: true })], [
    "replace",
    "balanced",
  ]);
  assertEquals(ids(regroup(plain, hinted, "replace", 4)), "h0,h1,h2,h3");
  assertEquals(ids(regroup(plain, hinted, "mixin", 4)), "h0,h2,p0,p1"); // hinted successes, then plain failures
  assertEquals([hintedDraws(4, "balanced"), hintedDraws(5, "balanced"), hintedDraws(5, "mixin")], [2, 3, 5]);
  assertEquals(ids(regroup(plain, hinted.slice(0, 2), "balanced", 4)), "p0,p1,h0,h1");
  assertEquals(trainingRole(true, true), { context: "plain", hintedLoss: true });
  assertEquals(trainingRole(true, false), { context: "hinted", hintedLoss: false });
  assertEquals(trainingRole(false, true), { context: "plain", hintedLoss: false });
  assertEquals(stepGamma("quantile", [5, 1, 4, 2, 3], { level: 0.5, gamma: 7 }), 3);
  assertEquals([
    stepGamma("constant", [5, 1], { level: 0.5, gamma: 7 }),
    stepGamma("quantile", [], { level: 0.9, gamma: 7 }),
  ], [
    7,
    1,
  ]);
  // Row of a plain token (mask 0) keeps the clipped loss; a hinted token (mask 1) takes −f(r)·Â or −Â·log π.
  const plainLoss = t([[10, 20]]);
  const scores = {
    ratio: t([[1, 3]]),
    logprobs: t([[Math.log(0.5), Math.log(0.25)]]),
    advantages: t([[2, 2]]),
    hintedMask: t([[0, 1]]),
  };
  close(values(hintedTokenLoss(plainLoss, scores, { weighting: "shaped", gamma: 1, shaping: "quantile" })), [
    10,
    -2 * 0.75,
  ]);
  close(values(hintedTokenLoss(plainLoss, scores, { weighting: "unit", gamma: 1, shaping: "quantile" })), [
    10,
    2 * Math.log(4),
  ]);
  close(values(hintedTokenLoss(plainLoss, scores, { weighting: "shaped", gamma: 0.5, shaping: "power" })), [
    10,
    -2 * Math.sqrt(3),
  ]);
});

Deno.test("γ of a step from the hinted samples' log-probs: plain-context over drawn-with-hint ratios, 0.9-quantile", () => {
  // Two hinted samples: log π(o_t | q) per token, and the log-probs they were drawn with in (q, h).
  const plain = [[-1, -2, -3], [-0.5]];
  const drawn = [[-1, -1, -1], [-1]];
  const { ratios, logprobGap } = hintedDiagnostics(plain, drawn);
  close(ratios, [1, Math.exp(-1), Math.exp(-2), Math.exp(0.5)], 1e-12);
  close(logprobGap, [(0 + 0.5) / 2, -1, -2], 1e-12);
  // Sorted: e^-2, e^-1, 1, e^0.5; the 0.9-quantile sits at position 0.9·3 = 2.7, between 1 and e^0.5.
  assertAlmostEquals(stepGamma("quantile", ratios, { level: 0.9, gamma: 1 }), 1 + 0.7 * (Math.exp(0.5) - 1), 1e-12);
  // Every hinted token far less likely without the hint: γ floors at 1e-4.
  assertEquals(stepGamma("quantile", hintedDiagnostics([[-30]], [[-1]]).ratios, { level: 0.9, gamma: 1 }), 1e-4);
});

Deno.test("advantages of a group with hints: baseline for all-hinted groups, group-normalised mixes, hintedScale", () => {
  // All hinted, `plain` baseline: (R − 0) / (pooled std of [0,0,0,0,1,0,0,0] = √(1/8)), halved by hintedScale.
  const allHinted = groupAdvantagesWithHints([1, 0, 0, 0], [true, true, true, true], [0, 0, 0, 0], {
    baseline: "plain",
    hintedScale: 0.5,
  });
  close(allHinted, [0.5 / (Math.sqrt(1 / 8) + 1e-6), 0, 0, 0]);
  // A mixed group (mixin) is normalised within itself whatever the baseline; only its hinted samples are scaled.
  const mixed = groupAdvantagesWithHints([1, 0, 0, 0], [true, false, false, false], [0, 0, 0, 0], {
    baseline: "plain",
    hintedScale: 0.5,
  });
  close(mixed, [1.5 * 0.5, -0.5, -0.5, -0.5]);
  // A plain group: GRPO's advantages, untouched by hintedScale.
  close(groupAdvantagesWithHints([1, 0], [false, false], [], { baseline: "group", hintedScale: 0.5 }), [
    0.5 / (Math.SQRT1_2 + 1e-6),
    -0.5 / (Math.SQRT1_2 + 1e-6),
  ]);
});

Deno.test("hinted advantages: within the hinted group (official) or against the failed plain group (pooled)", () => {
  close(hintedAdvantages([1, 0, 0, 0], [0, 0, 0, 0], "group"), [1.5, -0.5, -0.5, -0.5]);
  // Pooled rewards [0,0,0,0,1,0,0,0]: mean 1/8, sample variance (7·(1/8)² + (7/8)²)/7 = 1/8; baseline 0.
  close(hintedAdvantages([1, 0, 0, 0], [0, 0, 0, 0], "plain"), [1 / Math.sqrt(1 / 8), 0, 0, 0]);
});

// The official run's knobs (issue #21), each against hand-computed values.

Deno.test("verl's KL clamp: one far-off token's k3 capped at ±c", () => {
  // Δ = 12: exp(12) − 12 − 1 = 162,741.79; clamped to 10 (verl's low_var_kl), untouched below it.
  const far = values(klPenalty(t([[0, 0]]), t([[12, Math.log(2)]]), 10));
  close(far, [10, 2 - Math.log(2) - 1]);
  assertAlmostEquals(values(klPenalty(t([[0]]), t([[12]])))[0], Math.exp(12) - 13, 1e-2);
});

Deno.test("dr_grpo normalisers: TRL's rows × max tokens, verl's per micro-batch (larger by its rows)", () => {
  // 8 rows, 40 tokens, max 16: TRL 8·16 = 128; verl with micro-batches of 2 rows: (8/2)·16 = 64; of 1 row: 128.
  assertEquals(aggregationNormaliser("dr_grpo", 8, 40, 16), 128);
  assertEquals(aggregationNormaliser("dr_grpo_verl", 8, 40, 16, 2), 64);
  assertEquals(aggregationNormaliser("dr_grpo_verl", 8, 40, 16, 1), 128);
});

Deno.test("per-sequence γ: each hinted row's own quantile, with its padding when asked", () => {
  // [2, 0.5]: sorted [0.5, 2], position 0.9 → 0.5 + 0.9·1.5 = 1.85.
  // Padded to 4 with ratio 1: [0.5, 1, 1, 2], position 2.7 → 1 + 0.7·(2 − 1) = 1.7.
  const rows = [[2, 0.5], [1.2, 1.2, 1.2, 1.2]];
  assertEquals(sequenceGammas(rows, { level: 0.9 }).map((g) => Number(g.toFixed(12))), [1.85, 1.2]);
  assertEquals(sequenceGammas(rows, { level: 0.9, padTo: 4 }).map((g) => Number(g.toFixed(12))), [1.7, 1.2]);
  // A row's γ reaches the loss as data: f(r) = r / (r + γ_row) per row.
  const loss = shapedHintedLoss(t([[1, 1], [1, 1]]), t([[1, 1], [1, 1]]), t([[1, 1], [3, 3]]));
  close(values(loss), [-0.5, -0.5, -0.25, -0.25]);
});

Deno.test("mini-batches: disjoint rows in order, each with its own normaliser, old log-probs as rolled out", () => {
  const config = parseRunConfig("");
  const oldLogprobs = [[-1, -1], [-2], [-3, -3, -3], [-4], [-5, -5]];
  const spec = rlTrainSpec(
    {
      contexts: [[1], [2], [3], [4], [5]],
      completions: [[1, 2], [3], [4, 5, 6], [7], [8, 9]],
      oldLogprobs,
      advantages: oldLogprobs.map((row) => row.map(() => 1)),
      hinted: oldLogprobs.map((row) => row.map(() => 0)),
    },
    config,
    { gamma: 1 },
  );
  const parts = miniBatches(spec, 2, (rows, tokens) => rows * 100 + tokens);
  assertEquals(parts.map((p) => p.contexts.flat()), [[1, 2, 3], [4, 5]]);
  assertEquals(parts.map((p) => p.normaliser), [306, 203]);
  assertEquals(parts[1].data!.oldLogprobs, [[-4], [-5, -5]]);
});

Deno.test("per-sequence γ through a step: each hinted row's quantile in its mini-batch, a plain row 1, nothing mutated", () => {
  // Three rows, old log-probs 0, so a token's ratio is exp(its log-prob now): hinted row 0 has ratios [1, 2, 3],
  // plain row 1 [1, 1], hinted row 2 [0.5, 1].
  const spec = rlTrainSpec(
    {
      contexts: [[1], [1], [1]],
      completions: [[4, 5, 6], [7, 8], [9, 10]],
      oldLogprobs: [[0, 0, 0], [0, 0], [0, 0]],
      advantages: [[1, 1, 1], [1, 1], [1, 1]],
      hinted: [[1, 1, 1], [0, 0], [1, 1]],
    },
    parseRunConfig(""),
    { gamma: 1.5 },
  );
  const now = [[0, Math.log(2), Math.log(3)], [0, 0], [Math.log(0.5), 0]];
  const round = (gammas: (number | undefined)[]) => gammas.map((g) => g === undefined ? g : Number(g.toFixed(12)));
  // 0.9-quantile, linear between order statistics: [1, 2, 3] at position 1.8 → 2.8; [0.5, 1] at 0.9 → 0.95.
  assertEquals(round(rowGammas(spec, now, { level: 0.9 })), [2.8, undefined, 0.95]);
  // Padded to 3 tokens with ratio 1: [0.5, 1, 1] at position 1.8 → 1; row 0 needs no padding.
  assertEquals(round(rowGammas(spec, now, { level: 0.9, padTo: 3 })), [2.8, undefined, 1]);
  // Two mini-batches (rows 0–1, row 2): each row's γ from its own part, the plain row trained with 1.
  const parts = miniBatches(spec, 2, (rows) => rows);
  const trained = parts.map((part, i) => {
    const scored = i === 0 ? now.slice(0, 2) : now.slice(2);
    return withRowGammas(part, rowGammas(part, scored, { level: 0.9 }));
  });
  assertEquals(trained.map((p) => p.data!.gamma!.map((row) => row.map((g) => Number(g.toFixed(12))))), [
    [[2.8, 2.8, 2.8], [1, 1]],
    [[0.95, 0.95]],
  ]);
  // The step's own γ stays in its params; the spec it came from is frozen and has no per-row γ.
  assertEquals(trained.map((p) => p.params!.gamma), [1.5, 1.5]);
  assertEquals([Object.isFrozen(spec), Object.isFrozen(spec.data), spec.data!.gamma], [true, true, undefined]);
});

Deno.test("the rl loss checks what reaches it: a missing or misspelled key fails naming it", () => {
  const config = parseRunConfig("");
  const params = { loss: config.loss, guide: config.guide, ppo: config.ppo, gamma: 1 };
  assertEquals(rlParams(params).loss.epsilonLow, 0.2);
  const { klClamp: _, ...noClamp } = config.loss;
  assertThrows(() => rlParams({ ...params, loss: noClamp }), Error, 'missing key "loss.klClamp"');
  assertThrows(
    () => rlParams({ ...params, guide: { ...config.guide, weigting: "unit" } }),
    Error,
    'unknown key "weigting" in "guide" (did you mean "weighting"?)',
  );
  assertThrows(() => rlParams({ ...params, gama: 1 }), Error, 'unknown key "gama"');
  assertThrows(() => rlParams({ ...params, gamma: "1" }), Error, 'key "gamma": expected a finite number');
  const t = (rows: number[][]) => tokenTensor(rows, 1);
  const data = { oldLogprobs: t([[0]]), advantages: t([[1]]), hinted: t([[0]]) };
  const { hinted: _h, ...noHinted } = data;
  assertThrows(() => rlTokenTensors(noHinted), Error, 'rl loss data: missing key "hinted"');
  assertThrows(() => rlTokenTensors({ ...data, retruns: t([[0]]) }), Error, 'unknown key "retruns"');
  tf.dispose(Object.values(data));
});

Deno.test("a knob added later leaves configs at its default as they were: same id, same config.yaml", async () => {
  const config = parseRunConfig("algorithm: guide-grpo\n");
  assertEquals(configYaml(config).includes("gammaScope"), false);
  const official = parseRunConfig("algorithm: guide-grpo\nguide:\n  gammaScope: sequence\n");
  assertEquals(configYaml(official).includes("gammaScope: sequence"), true);
  const { runId } = await import("../lib/ablation/grid.ts");
  const before = await runId(config);
  // The id this config had before the official-run knobs existed (commit ea5189f: guide-grpo-s0-23e24a4d5e), on
  // today's data: ids hash the math datasets' checksums, which the validation split (issue #31) changed.
  assertEquals(before, "guide-grpo-s0-056aa848b3");
  // The id of the default config is computed without the new knobs at all.
  const withoutKnob = structuredClone(config) as unknown as { guide: Record<string, unknown> };
  delete withoutKnob.guide.gammaScope;
  assertEquals(configIdentity(config), configIdentity(withoutKnob as unknown as typeof config));
  assertEquals(before === await runId(official), false);
});
