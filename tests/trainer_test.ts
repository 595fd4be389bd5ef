import { assert, assertAlmostEquals, assertEquals, assertRejects } from "./assert.ts";
import {
  collectGroups,
  core,
  createTrainer,
  generateDomain,
  loadCheckpoint,
  LOSSES,
  parseRunConfig,
  Policy,
  type RolloutSettings,
  rolloutSettings,
  type RunConfig,
  selectBackend,
  type StepReport,
  Tokenizer,
} from "../lib/mod.ts";
import { scriptedSampler } from "./scripted_sampler.ts";
import type { ContextInput } from "../lib/policy/policy.ts";

await selectBackend("wasm", { quiet: true });

const math = generateDomain("math", { train: 40, test: 10, seed: 3 });
const tier1 = math.train.filter((p) => p.tier === 1).slice(0, 6);
const closeTo = (actual: number[], expected: number[]) => {
  assertEquals(actual.length, expected.length);
  actual.forEach((a, i) => assertAlmostEquals(a, expected[i], 1e-9, `index ${i}`));
};

// Guide-GRPO's rollout (hints, filtering) with the config's defaults, groups of 4, up to 2 refills.
const base = rolloutSettings(
  parseRunConfig("algorithm: guide-grpo\nrollout: { groupSize: 4, maxTokens: 16, maxResample: 2 }\n"),
);
const withGuide = (guide: Partial<RunConfig["guide"]>, extra: Partial<RolloutSettings> = {}): RolloutSettings => ({
  ...base,
  ...extra,
  guide: { ...base.guide, ...guide },
});

Deno.test("rollout: failed groups are regrouped from the hinted context, which replaces them", async () => {
  const sampler = scriptedSampler(tier1, 2);
  const { groups, stats } = await collectGroups(sampler, tier1.slice(0, 3), () => [], base, 1);
  assertEquals(groups.length, 3);
  for (const g of groups) {
    assertEquals(g.hint, g.problem.hints.strategy);
    assertEquals(g.samples.map((s) => [s.reward, s.hinted]), [[1, true], [1, true], [0, true], [0, true]]);
    assertEquals(g.plainRewards, [0, 0, 0, 0]);
  }
  assertEquals([stats.hintedGroups, stats.kept, stats.fill, stats.plainReward], [3, 3, 1, 0]);
});

Deno.test("rollout knobs: mixin, balanced, no hints with filtering refills and reports how full the batch got", async (t) => {
  // Filter-GRPO's refills, counted; and a sampler that solves the first plain draw and every hinted one.
  let refills = 0;
  const more = (count: number) => {
    refills++;
    return tier1.slice(0, count);
  };
  const partial = {
    sample: (contexts: ContextInput[], o: { n?: number }) =>
      Promise.resolve(contexts.map((c) => {
        const hinted = typeof c === "object" && !Array.isArray(c);
        return Array.from({ length: o.n ?? 1 }, (_, i) => ({
          ids: [5],
          text: hinted || i === 0 ? `\\boxed{${tier1[0].answer}}` : "\\boxed{0}",
          logprobs: [-1],
          policyLogprobs: [-1],
          finishReason: "stop" as const,
        }));
      })),
  };

  await t.step("mixin: the hinted successes first, then the plain failures", async () => {
    const mixin = await collectGroups(
      scriptedSampler(tier1, 1),
      tier1.slice(0, 1),
      () => [],
      withGuide({ mixin: true }),
      1,
    );
    assertEquals(mixin.groups[0].samples.map((s) => [s.reward, s.hinted]), [[1, true], [0, false], [0, false], [
      0,
      false,
    ]]);
  });

  await t.step("balanced: half plain, half hinted, the hinted half drawn alone", async () => {
    const balancedSampler = scriptedSampler(tier1, 1);
    const balanced = await collectGroups(
      balancedSampler,
      tier1.slice(0, 1),
      () => [],
      withGuide({ balanced: true }),
      1,
    );
    assertEquals(balanced.groups[0].samples.map((s) => [s.reward, s.hinted]), [[0, false], [0, false], [1, true], [
      0,
      true,
    ]]);
    assertEquals(balancedSampler.calls.filter((c) => c.hinted).map((c) => c.n), [2]);
  });

  await t.step(
    "Filter-GRPO on prompts that always fail: every group dropped, refills bounded by maxResample",
    async () => {
      const filtered = await collectGroups(
        scriptedSampler(tier1, 2),
        tier1.slice(0, 2),
        more,
        { ...base, hints: false },
        1,
      );
      assertEquals([filtered.groups.length, filtered.stats.fill, filtered.stats.rounds, refills], [0, 0, 3, 2]);
    },
  );

  await t.step(
    "hint style and threshold: the `value` hint; a threshold of 0.5 regroups a mean reward of 0.25",
    async () => {
      const styled = await collectGroups(scriptedSampler(tier1, 2), tier1.slice(0, 1), () => [], {
        ...base,
        hintStyle: "value",
      }, 1);
      assertEquals(styled.groups[0].hint, tier1[0].hints.value);
      const low = await collectGroups(partial, tier1.slice(0, 1), () => [], { ...base, filter: false }, 1);
      assertEquals(low.stats.hintedGroups, 0); // mean 0.25 > 0.001: no hint
      const high = await collectGroups(
        partial,
        tier1.slice(0, 1),
        () => [],
        withGuide({ threshold: 0.5 }, { filter: false }),
        1,
      );
      assertEquals(high.stats.hintedGroups, 1);
    },
  );

  await t.step(
    "the official run's modes: balanced splits every prompt n/2 + n/2; mixin marks its copies hinted",
    async () => {
      // Balanced splits every prompt n/2 + n/2 (even one that did not fail), drawing only n/2 plain.
      const calls: { hinted: boolean; n: number }[] = [];
      const counting = {
        sample: (contexts: ContextInput[], o: { n?: number }) => {
          contexts.forEach((c) => calls.push({ hinted: typeof c === "object" && !Array.isArray(c), n: o.n ?? 1 }));
          return partial.sample(contexts, o);
        },
      };
      const every = await collectGroups(
        counting,
        tier1.slice(0, 1),
        () => [],
        withGuide({ balanced: true, balancedSplit: "every" }, { filter: false }),
        1,
      );
      assertEquals(calls, [{ hinted: false, n: 2 }, { hinted: true, n: 2 }]);
      assertEquals(every.groups[0].samples.map((s) => [s.reward, s.hinted]), [[1, false], [0, false], [1, true], [
        1,
        true,
      ]]);
      assertEquals([every.stats.hintedGroups, every.stats.completions], [1, 4]);
      // Mixin marks the copied plain failures hinted.
      const officialMixin = await collectGroups(
        scriptedSampler(tier1, 1),
        tier1.slice(0, 1),
        () => [],
        withGuide({ mixin: true, mixinCopies: "hinted" }),
        1,
      );
      assertEquals(officialMixin.groups[0].samples.map((s) => [s.reward, s.hinted]), [[1, true], [0, true], [0, true], [
        0,
        true,
      ]]);
    },
  );

  await t.step("GRPO keeps all-equal groups (they simply carry no gradient)", async () => {
    const grpo = await collectGroups(scriptedSampler(tier1, 2), tier1.slice(0, 2), more, {
      ...base,
      hints: false,
      filter: false,
    }, 1);
    assertEquals(grpo.groups.length, 2);
  });
});

/** A tiny policy that has seen the tier-1 solutions a few times, so that some rollouts succeed. */
async function warmedPolicy(): Promise<Policy> {
  const texts = math.train.flatMap((p) => [p.prompt, p.solution, ...Object.values(p.hints)]);
  const tok = Tokenizer.fromTexts(texts);
  const policy = Policy.create(tok, { dModel: 32, layers: 2, heads: 4, ctx: 96 }, { seed: 2, optimizer: { lr: 3e-3 } });
  // Plain and hinted contexts both, as the SFT warm-up does.
  const spec = {
    loss: "nll",
    contexts: tier1.flatMap((p) => [tok.encodeContext(p.prompt), tok.encodeContext(p.prompt, p.hints.strategy)]),
    completions: tier1.flatMap((p) => [tok.encodeCompletion(p.solution), tok.encodeCompletion(p.solution)]),
    normaliser: 2 * tier1.reduce((n, p) => n + p.solution.length + 1, 0),
  };
  for (let i = 0; i < 60; i++) await policy.train(spec, LOSSES.nll);
  return policy;
}

Deno.test({
  name: "trainer: a GRPO step reports groups, advantages and an update; same seed, same report",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const config = parseRunConfig(
      "algorithm: grpo\nworkers: 1\nseed: 4\ndata:\n  tiers: '1'\nrollout:\n  groupSize: 4\n  promptsPerStep: 3\n  maxTokens: 32\n",
    );
    const curves: StepReport[][] = [];
    const dir = await Deno.makeTempDir();
    for (let run = 0; run < 2; run++) {
      const policy = await warmedPolicy();
      const trainer = await createTrainer(config, { policy, train: tier1 });
      curves.push([await trainer.step(), await trainer.step()]);
      if (run === 0) await trainer.save(dir);
      trainer.close();
      policy.dispose();
    }
    const [a, b] = curves.map((c) => c[0]);
    // Same seed, same backend: the same curve, step after step.
    assertEquals(curves[0].map((r) => r.loss), curves[1].map((r) => r.loss));
    // Diagnostics at the gradient: on-policy plain ratios are 1, nothing is clipped, the entropy is positive.
    assertAlmostEquals(a.plainRatios.mean, 1, 1e-3);
    assertEquals([a.clipFraction, a.kl, a.valueError], [0, null, null]);
    assert(a.entropy > 0);
    // save() / load(): a fresh trainer takes the weights, optimizer state and step count.
    const fresh = await warmedPolicy();
    const resumed = await createTrainer(config, { policy: fresh, train: tier1 });
    await resumed.load(dir);
    assertEquals(resumed.steps, 2);
    const saved = await loadCheckpoint(dir);
    assertEquals(Array.from(fresh.params.get("wte")!.dataSync()), Array.from(saved.params.get("wte")!.dataSync()));
    assertEquals(fresh.optimizer.step, saved.optimizer.step);
    saved.dispose();
    resumed.close();
    fresh.dispose();
    assertEquals(a.groups.length, 3);
    assert(a.updated && Number.isFinite(a.loss) && a.gradNorm > 0, JSON.stringify(a.rollout));
    for (const g of a.groups) {
      assertAlmostEquals(g.completions.reduce((s, c) => s + c.advantage, 0), 0, 1e-6);
      assert(g.completions.every((c) => !c.hinted));
    }
    assertEquals(a.hintedFraction, 0);
    // Determinism: same seed, same backend, same starting weights → the same step.
    assertEquals(JSON.stringify(a.groups), JSON.stringify(b.groups));
    assertAlmostEquals(a.loss, b.loss, 1e-9);
  },
});

Deno.test({
  name: "trainer: a Guide step regroups failures with hints and reports ratios, γ and the log-prob gap",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    // One policy throughout: each step below trains it further, in this order.
    const policy = await warmedPolicy();
    const config = parseRunConfig(
      "algorithm: guide-grpo\nworkers: 1\ndata:\n  tiers: '1'\nguide:\n  alwaysHint: true\nrollout:\n  groupSize: 8\n  promptsPerStep: 6\n  maxTokens: 32\n  maxResample: 0\n",
    );
    const trainer = await createTrainer(config, { policy, train: tier1 });
    await t.step(
      "every prompt regrouped with its hint; ratios, log-prob gap; each group's own advantages",
      async () => {
        const report = await trainer.step();
        assertEquals(report.rollout.hintedGroups, 6);
        assert(report.groups.length > 0, `no informative hinted group: ${JSON.stringify(report.rollout)}`);
        assertEquals(report.hintedFraction, 1);
        assert(report.hintedRatios.count > 0, "no hinted tokens were scored");
        assert(report.logprobGap.length > 0 && report.logprobGap.every(Number.isFinite));
        // Each completion reports the advantage it was trained on: here the hinted group's own normalised advantage.
        for (const g of report.groups) {
          closeTo(g.completions.map((c) => c.advantage), core.groupAdvantages(g.completions.map((c) => c.reward)));
        }
      },
    );
    await t.step("evaluate: pass@1 and pass@k of given problems and of the training tiers", async () => {
      const evaluation = await trainer.evaluate(math.test.slice(0, 3), { n: 2, k: 2 });
      const onTrain = await trainer.evaluate("train", { n: 2, k: 2, problems: 3 });
      // n = k = 2: pass@1 is the mean of c/2, pass@2 the fraction of problems with a correct sample.
      for (const e of [evaluation, onTrain]) {
        assertEquals(e.problems.length, 3);
        assertAlmostEquals(e.passAt1, e.problems.reduce((sum, p) => sum + p.correct / 2, 0) / 3, 1e-12);
        assertAlmostEquals(e.passAtK, e.problems.filter((p) => p.correct > 0).length / 3, 1e-12);
      }
      assert(onTrain.problems.every((p) => p.tier === 1));
    });
    await t.step("guide.hintedScale: the report shows the halved hinted advantages that were trained on", async () => {
      const halved = await createTrainer(
        parseRunConfig(
          "algorithm: guide-grpo\nworkers: 1\nguide:\n  alwaysHint: true\n  hintedScale: 0.5\ndata:\n  tiers: '1'\nrollout:\n  groupSize: 8\n  promptsPerStep: 6\n  maxTokens: 32\n  maxResample: 0\n",
        ),
        { policy, train: tier1 },
      );
      try {
        const halvedReport = await halved.step();
        assert(halvedReport.groups.length > 0, "no informative hinted group");
        for (const g of halvedReport.groups) {
          closeTo(
            g.completions.map((c) => c.advantage),
            core.groupAdvantages(g.completions.map((c) => c.reward)).map((a) => a / 2),
          );
        }
      } finally {
        halved.close();
      }
    });
    await t.step("evaluate refuses a split without problems", async () => {
      await assertRejects(() => trainer.evaluate("test"), Error, "evaluate: no problems for test");
    });
    // A KL to the reference needs the reference policy; with it, the step trains.
    const klConfig = parseRunConfig(
      "algorithm: guide-grpo\nworkers: 1\nloss:\n  beta: 0.1\nguide:\n  alwaysHint: true\n  baseline: plain\n  weighting: unit\ndata:\n  tiers: '1'\nrollout:\n  groupSize: 8\n  promptsPerStep: 6\n  maxTokens: 32\n  maxResample: 0\n",
    );
    await t.step("a KL to the reference needs the reference policy", async () => {
      const noReference = await createTrainer(klConfig, { policy, train: tier1 });
      try {
        await assertRejects(() => noReference.step(), Error, "loss.beta > 0 needs a reference policy");
      } finally {
        noReference.close();
      }
    });
    await t.step("constant shaping uses the configured γ instead of the quantile", async () => {
      const constant = await createTrainer(
        parseRunConfig(
          "algorithm: guide-grpo\nworkers: 1\nguide:\n  alwaysHint: true\n  shaping: constant\n  gamma: 0.5\ndata:\n  tiers: '1'\nrollout:\n  groupSize: 8\n  promptsPerStep: 6\n  maxTokens: 32\n  maxResample: 0\n",
        ),
        { policy, train: tier1 },
      );
      try {
        assertEquals((await constant.step()).gamma, 0.5);
      } finally {
        constant.close();
      }
    });
    await t.step("with a reference the step trains; its KL is positive to an older copy, 0 to itself", async () => {
      const reference = await warmedPolicy();
      const withKl = await createTrainer(klConfig, { policy, train: tier1, reference });
      try {
        const klReport = await withKl.step();
        assert(klReport.updated && Number.isFinite(klReport.loss));
        // The policy has trained since the reference was warmed up, so the KL is positive; to a copy of itself, 0.
        assert(klReport.kl !== null && klReport.kl > 1e-6, `kl ${klReport.kl}`);
      } finally {
        withKl.close();
        reference.dispose();
      }
      const itself = policy.clone();
      const toItself = await createTrainer(klConfig, { policy, train: tier1, reference: itself });
      try {
        assertAlmostEquals((await toItself.step()).kl!, 0, 1e-6);
      } finally {
        toItself.close();
        itself.dispose();
      }
    });
    trainer.close();
    await t.step("the trainer refuses sft, and ppo without a value head", async () => {
      await assertRejects(
        () => createTrainer(parseRunConfig("algorithm: sft\n"), { policy, train: tier1 }),
        Error,
        'algorithm "sft" is not in this trainer yet',
      );
      await assertRejects(
        () => createTrainer(parseRunConfig("algorithm: ppo\nworkers: 1\n"), { policy, train: tier1 }),
        Error,
        "ppo needs a policy with a value head",
      );
    });
    policy.dispose();
  },
});

Deno.test({
  name: "trainer: PPO and Guide-PPO steps train the critic in the plain context with GAE targets",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const tok = Tokenizer.fromTexts(math.train.flatMap((p) => [p.prompt, p.solution, ...Object.values(p.hints)]));
    for (const algorithm of ["ppo", "guide-ppo"]) {
      const policy = Policy.create(tok, { dModel: 32, layers: 1, heads: 2, ctx: 96, valueHead: true }, { seed: 1 });
      const config = parseRunConfig(
        `algorithm: ${algorithm}\nworkers: 1\ndata:\n  tiers: '1'\nrollout:\n  groupSize: 4\n  promptsPerStep: 2\n  maxTokens: 16\n`,
      );
      const trainer = await createTrainer(config, { policy, train: tier1 });
      const before = Array.from(policy.params.get("value.w")!.dataSync());
      const prompts = tier1.slice(0, 4).map((p) => p.prompt);
      const firstValues = async () =>
        (await policy.values(prompts, prompts.map(() => tok.encodeCompletion("1")))).map((v) => v[0]);
      const valuesBefore = await firstValues();
      const report = await trainer.step();
      // Rewards are all 0 for an untrained policy, yet the critic still learns (GRPO would have no signal).
      assert(report.updated && Number.isFinite(report.loss) && report.gradNorm > 0, algorithm);
      assert(Array.from(policy.params.get("value.w")!.dataSync()).some((v, i) => v !== before[i]), "critic unchanged");
      // Every return is the reward, 0 here (γ = λ = 1, reward at the last token): the critic moves towards 0.
      const squared = (values: number[]) => values.reduce((sum, v) => sum + v * v, 0);
      const valuesAfter = await firstValues();
      assert(squared(valuesAfter) < squared(valuesBefore), `${valuesBefore} → ${valuesAfter}`);
      // The critic's error before the update, from the loss's own pass: every target is 0, so it is the mean V².
      assert(report.valueError !== null && report.valueError > 0, `valueError ${report.valueError}`);
      // The report shows the GAE advantages trained on, not the group's (all 0 for all-0 rewards).
      assert(report.groups.flatMap((g) => g.completions).some((c) => Math.abs(c.advantage) > 1e-3), algorithm);
      if (algorithm === "guide-ppo") assertEquals(report.hintedFraction, 1);
      trainer.close();
      policy.dispose();
    }
  },
});

Deno.test({
  name: "official-run knobs: two mini-batches make two updates (the second off-policy); γ per hinted sequence",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const base =
      "workers: 1\nseed: 4\ndata:\n  tiers: '1'\nrollout:\n  groupSize: 4\n  promptsPerStep: 3\n  maxTokens: 32\n";
    const twice = parseRunConfig(`algorithm: grpo\n${base}optim:\n  miniBatches: 2\n  lr: 0.01\n`);
    const policy = await warmedPolicy();
    const trainer = await createTrainer(twice, { policy, train: tier1 });
    const before = policy.optimizer.step;
    const report = await trainer.step();
    trainer.close();
    assertEquals(policy.optimizer.step - before, 2);
    // The first mini-batch is on-policy (ratio 1), the second is not: the step's mean plain ratio moves off 1.
    assert(Math.abs(report.plainRatios.mean - 1) > 1e-6, `plain ratio ${report.plainRatios.mean}`);
    policy.dispose();

    const hinted = `algorithm: guide-grpo\n${base}guide:\n  alwaysHint: true\n`;
    const gammaOf = async (extra: string) => {
      const p = await warmedPolicy();
      const t = await createTrainer(parseRunConfig(hinted + extra), { policy: p, train: tier1 });
      const r = await t.step();
      t.close();
      p.dispose();
      return r.gamma;
    };
    const step = await gammaOf("");
    const perSequence = await gammaOf("  gammaScope: sequence\n");
    const padded = await gammaOf("  gammaScope: sequence\n  gammaPadding: true\n");
    // Three readings of γ on the same rollout, wired through the trainer: each finite, the per-sequence ones (the mean
    // of the rows' γ; their values are checked by hand in rl_core_test.ts) differ from the step's.
    assert([step, perSequence, padded].every(Number.isFinite), JSON.stringify([step, perSequence, padded]));
    assert(perSequence !== step && padded !== perSequence, JSON.stringify([step, perSequence, padded]));
  },
});
