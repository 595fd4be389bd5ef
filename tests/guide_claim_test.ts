import { assert, assertAlmostEquals, assertEquals } from "./assert.ts";
import {
  type ContextInput,
  LOSSES,
  parseRunConfig,
  Policy,
  type RunConfig,
  selectBackend,
  Tokenizer,
  verify,
} from "../lib/mod.ts";
import { buildTrainSpec, type RolloutGroup, type StepConfig } from "../lib/rl/batch.ts";

await selectBackend("wasm", { quiet: true });

const tok = new Tokenizer("0123456789+-*=;.:() abcdefghijklmnopqrstuvwxyz\\{}");
const prompt = "12+34*5";
const hint = "multiply before adding: first 34*5";
const answer = "182";
const solution = "12+170;182 \\boxed{182}";
// The paper's settings are the schema's defaults (γ: 1, the step's constant here).
const official = parseRunConfig("rollout:\n  maxTokens: 32\n");
const withGuide = (guide: Partial<RunConfig["guide"]>): StepConfig => ({
  ...official,
  guide: { ...official.guide, ...guide },
});
const stepOf = (groups: RolloutGroup[], config: StepConfig, encodeContext: (c: ContextInput) => number[]) =>
  buildTrainSpec(groups, config, { gamma: 1, encodeContext });

async function judged(policy: Policy, context: string | { prompt: string; hint: string }, ids: number[][]) {
  const scored = await policy.logprobs(ids.map(() => context), ids);
  return await Promise.all(ids.map(async (sampleIds, i) => ({
    ids: sampleIds,
    reward: (await verify("math", tok.decode(sampleIds), answer)).correct ? 1 : 0,
    oldLogprobs: scored.logprobs[i],
  })));
}

const norm = (grads: Map<string, Float32Array>) =>
  Math.sqrt([...grads.values()].reduce((s, g) => s + g.reduce((a, v) => a + v * v, 0), 0));

Deno.test("the core claim: GRPO learns nothing from an all-failed group; Guide learns in the plain context", async () => {
  const policy = Policy.create(tok, { dModel: 32, layers: 2, heads: 4, ctx: 96 }, { seed: 3 });
  // G plain rollouts of an untrained policy: all fail.
  const [plainDraws] = await policy.sample([prompt], { n: 4, maxTokens: 24, seed: 1 });
  const plain: RolloutGroup = { prompt, samples: await judged(policy, prompt, plainDraws.map((c) => c.ids)) };
  assertEquals(plain.samples.map((s) => s.reward), [0, 0, 0, 0]);

  // GRPO: the group's advantages are all zero, so is its gradient.
  const grpo = await policy.gradients(stepOf([plain], official, (c) => policy.encodeContext(c)), LOSSES.rl);
  assertEquals(norm(grpo.grads), 0);

  // Guide: a hinted regroup drawn from (q, h) — two of its completions solve the problem — replaces the group.
  const [hintedDraws] = await policy.sample([{ prompt, hint }], { n: 2, maxTokens: 24, seed: 2 });
  const regroupIds = [tok.encodeCompletion(solution), tok.encodeCompletion(solution), ...hintedDraws.map((c) => c.ids)];
  const hinted: RolloutGroup = {
    prompt,
    hint,
    samples: await judged(policy, { prompt, hint }, regroupIds),
    plainRewards: [0, 0, 0, 0],
  };
  assertEquals(hinted.samples.map((s) => s.reward), [1, 1, 0, 0]);
  const guideSpec = stepOf([hinted], official, (c) => policy.encodeContext(c));
  // Trained in the plain context, flagged as hinted tokens (shaped, unclipped loss).
  assert(guideSpec.contexts.every((c) => c.join() === policy.encodeContext(prompt).join()));
  assertEquals(guideSpec.data!.hinted.map((row) => row[0]), [1, 1, 1, 1]);
  const guide = await policy.gradients(guideSpec, LOSSES.rl);
  assert(norm(guide.grads) > 0, "Guide's gradient is zero");

  // IS correction off: the same samples are trained in the hinted context instead, as ordinary samples.
  const offSpec = stepOf([hinted], withGuide({ isCorrection: false }), (c) => policy.encodeContext(c));
  assert(offSpec.contexts.every((c) => c.join() === policy.encodeContext({ prompt, hint }).join()));
  assertEquals(offSpec.data!.hinted.map((row) => row[0]), [0, 0, 0, 0]);
  const off = await policy.gradients(offSpec, LOSSES.rl);
  assert(norm(off.grads) > 0);
  assert(Math.abs(norm(off.grads) - norm(guide.grads)) > 1e-6 * norm(guide.grads), "contexts made no difference");
  policy.dispose();
});

Deno.test("the rl loss equals the hand-composed pieces: clipped plain tokens, shaped hinted tokens, grpo mean", async () => {
  const policy = Policy.create(tok, { dModel: 16, layers: 1, heads: 2, ctx: 64 }, { seed: 5 });
  const ids = tok.encodeCompletion("182");
  const current = (await policy.logprobs([prompt], [ids])).logprobs[0];
  // Old log-probs shifted by ln 2 on every token: r = 2 everywhere.
  const old = current.map((lp) => lp - Math.LN2);
  const groups: RolloutGroup[] = [
    { prompt, samples: [{ ids, reward: 1, oldLogprobs: old }, { ids, reward: 0, oldLogprobs: old }] },
  ];
  const spec = stepOf(groups, official, (c) => policy.encodeContext(c));
  // Plain group: Â = ±1/√2 (rewards 1, 0: mean 0.5, sample std √0.5). r = 2 is clipped to 1.2 for Â > 0, and
  // min(2Â, 1.2Â) = 2Â for Â < 0: per-token losses −1.2/√2 and +2/√2, each sequence's mean is that, grpo
  // averages the two sequences.
  const a = 1 / Math.sqrt(0.5) / 2;
  const expected = (-1.2 * a + 2 * a) / 2;
  const { loss } = await policy.gradients(spec, LOSSES.rl);
  assertAlmostEquals(loss, expected, 1e-4);
  // The same samples as a hinted group under f(r) = r/(r+γ), γ = 1: f(2) = 2/3, no clipping. With the `plain`
  // baseline, Â = R / std([0, 0, 1, 0]) = [2, 0]: losses −(2/3)·2 and 0, mean −2/3.
  const hintedGroups: RolloutGroup[] = [{ ...groups[0], hint, plainRewards: [0, 0] }];
  const settings = withGuide({ baseline: "plain" });
  const shaped = await policy.gradients(
    stepOf(hintedGroups, settings, (c) => policy.encodeContext(c)),
    LOSSES.rl,
  );
  assertAlmostEquals(shaped.loss, -2 / 3, 1e-4);
  // `unit` weighting: −Â·log π_θ, mean over tokens, then over sequences.
  const unit = await policy.gradients(
    stepOf(
      hintedGroups,
      { ...settings, guide: { ...settings.guide, weighting: "unit" } },
      (c) => policy.encodeContext(c),
    ),
    LOSSES.rl,
  );
  const meanLogprob = current.reduce((x, y) => x + y, 0) / current.length;
  assertAlmostEquals(unit.loss, (-2 * meanLogprob + 0) / 2, 1e-4);
  policy.dispose();
});

Deno.test("guide.hintedScale multiplies hinted samples' advantages and leaves plain groups alone", () => {
  const plain: RolloutGroup = {
    prompt,
    samples: [1, 0].map((reward) => ({ ids: [1, 2], reward, oldLogprobs: [-1, -1] })),
  };
  const hinted: RolloutGroup = {
    prompt,
    hint,
    plainRewards: [0, 0, 0, 0],
    samples: [1, 1, 0, 0].map((reward) => ({ ids: [3], reward, oldLogprobs: [-2] })),
  };
  const rows = (scale?: number) =>
    stepOf([plain, hinted], withGuide({ baseline: "plain", hintedScale: scale ?? 1 }), () => [0]).data!
      .advantages.map((row) => row.map((a) => Math.round(a * 1e4) / 1e4));
  // Plain group [1, 0]: ±0.5 / 0.7071 (sample std). Hinted, `plain` baseline: (r − 0) / the sample std of the 8 pooled
  // rewards {1,1,0,0,0,0,0,0}, √(1.5 / 7) = 0.4629, so 2.1602 for a success.
  assertEquals(rows(), [[0.7071, 0.7071], [-0.7071, -0.7071], [2.1602], [2.1602], [0], [0]]);
  assertEquals(rows(0.5), [[0.7071, 0.7071], [-0.7071, -0.7071], [1.0801], [1.0801], [0], [0]]);
});
