import { assert, assertAlmostEquals, assertEquals } from "./assert.ts";
import {
  collectGroups,
  createTrainer,
  generateDomain,
  loadCheckpoint,
  loadProblems,
  LOSSES,
  parseRunConfig,
  Policy,
  rolloutSettings,
  selectBackend,
  Tokenizer,
} from "../lib/mod.ts";
import { scriptedSampler } from "./scripted_sampler.ts";
import { buildTrainSpec, type RolloutGroup } from "../lib/rl/batch.ts";
import { GUIDANCE_METHODS, guidanceMethod } from "../lib/rl/methods.ts";

await selectBackend("wasm", { quiet: true });

const math = generateDomain("math", { train: 40, test: 10, seed: 3 });
const tier1 = math.train.filter((p) => p.tier === 1).slice(0, 4);

const settingsOf = (algorithm: string) =>
  rolloutSettings(parseRunConfig(`algorithm: ${algorithm}\nrollout: { groupSize: 4, maxTokens: 8, maxResample: 1 }\n`));

Deno.test("the registry: every method under its algorithm name, and no other algorithm taken for one", () => {
  assertEquals(Object.keys(GUIDANCE_METHODS), ["nurl", "rationalization", "luffy", "questa", "scaf-grpo"]);
  for (const name of ["grpo", "filter-grpo", "guide-grpo", "ppo", "guide-ppo"]) {
    assertEquals(guidanceMethod(name), undefined);
  }
  assertEquals(settingsOf("nurl").method?.name, "nurl");
  assertEquals([settingsOf("rationalization").hints, settingsOf("rationalization").filter], [true, true]);
});

Deno.test("NuRL: one plain sample kept, G − 1 drawn with the hint, trained in the hinted context, no IS", async (t) => {
  await t.step("the rollout draws G − 1 hinted samples for a failed group and keeps the first plain one", async () => {
    const sampler = scriptedSampler(tier1, 2);
    const { groups } = await collectGroups(sampler, tier1.slice(0, 1), () => [], settingsOf("nurl"), 1);
    assertEquals(sampler.calls, [{ hinted: false, n: 4 }, { hinted: true, n: 3 }]);
    assertEquals(groups[0].samples.map((s) => [s.reward, s.hinted]), [[0, false], [1, true], [1, true], [0, true]]);
    assertEquals(groups[0].hint, tier1[0].hints.strategy);
  });

  await t.step("the step: rows in their own contexts, advantages over the mixed group, no hinted loss", () => {
    const group: RolloutGroup = {
      prompt: "p",
      hint: "h",
      plainRewards: [0, 0, 0, 0],
      samples: [0, 1, 0, 1].map((reward, i) => ({ ids: [4], reward, oldLogprobs: [-1], hinted: i > 0 })),
    };
    const spec = buildTrainSpec([group], parseRunConfig("algorithm: nurl\n"), {
      gamma: 1,
      encodeContext: (c) => typeof c === "string" ? [1] : [2],
    });
    // Rewards [0, 1, 0, 1]: mean 0.5, sample std √(1/3), so Â = ±0.5 / (√(1/3) + 1e-6) = ±0.866024.
    const a = 0.5 / (Math.sqrt(1 / 3) + 1e-6);
    spec.data!.advantages.forEach((row, i) => assertAlmostEquals(row[0], i % 2 === 0 ? -a : a, 1e-12));
    assertEquals(spec.contexts, [[1], [2], [2], [2]]);
    assertEquals(spec.data!.hinted.flat(), [0, 0, 0, 0]);
    assertEquals(spec.data!.sft, undefined);
  });
});

Deno.test("rationalization: a failed group's correct hinted samples, SFT targets in the plain context", async (t) => {
  await t.step(
    "the rollout keeps only the correct hinted draws; a prompt they all fail is dropped and refilled",
    async () => {
      const { groups } = await collectGroups(
        scriptedSampler(tier1, 2),
        tier1.slice(0, 1),
        () => [],
        settingsOf("rationalization"),
        1,
      );
      assertEquals(groups[0].samples.map((s) => [s.reward, s.hinted]), [[1, true], [1, true]]);
      let refills = 0;
      const none = await collectGroups(
        scriptedSampler(tier1, 0),
        tier1.slice(0, 1),
        (n) => {
          refills++;
          return tier1.slice(1, 1 + n);
        },
        settingsOf("rationalization"),
        1,
      );
      assertEquals([none.groups.length, none.stats.rounds, refills], [0, 2, 1]);
    },
  );

  await t.step(
    "the loss: −log π per token of the targets (mean per row), GRPO's clipped loss on a plain group",
    async () => {
      const tok = new Tokenizer("0123456789+-*=;.:() abcdefghijklmnopqrstuvwxyz\\{}");
      const policy = Policy.create(tok, { dModel: 16, layers: 1, heads: 2, ctx: 64 }, { seed: 5 });
      const prompt = "12+34";
      const [a, b] = [tok.encodeCompletion("46"), tok.encodeCompletion("\\boxed{46}")];
      const current = (await policy.logprobs([prompt, prompt], [a, b])).logprobs;
      const groups: RolloutGroup[] = [
        // A plain group [1, 0] with on-policy old log-probs: ratio 1, Â = ±0.7071, −r·Â per token cancels over the two.
        {
          prompt,
          samples: [{ ids: a, reward: 1, oldLogprobs: current[0] }, { ids: a, reward: 0, oldLogprobs: current[0] }],
        },
        // Rationalized targets, drawn with the hint (old log-probs from elsewhere: no ratio enters).
        {
          prompt,
          hint: "add",
          plainRewards: [0, 0],
          samples: [a, b].map((ids) => ({ ids, reward: 1, oldLogprobs: ids.map(() => -9), hinted: true })),
        },
      ];
      const spec = buildTrainSpec(groups, parseRunConfig("algorithm: rationalization\n"), {
        gamma: 1,
        encodeContext: (c) => policy.encodeContext(c),
      });
      assert(
        spec.contexts.every((c) => c.join() === policy.encodeContext(prompt).join()),
        "every row in the plain context",
      );
      assertEquals(spec.data!.sft!.map((row) => row[0]), [0, 0, 1, 1]);
      assertEquals(spec.data!.advantages.map((row) => row[0]).slice(2), [1, 1]);
      const meanOf = (row: number[]) => row.reduce((x, y) => x + y, 0) / row.length;
      const { loss } = await policy.gradients(spec, LOSSES.rl);
      // grpo aggregation: the mean over the 4 rows of each row's token mean; the plain rows' terms cancel.
      assertAlmostEquals(loss, (-meanOf(current[0]) - meanOf(current[1])) / 4, 1e-5);
      policy.dispose();
    },
  );
});

Deno.test("LUFFY: the worked solution joins every group off-policy, shaped π/(π + 0.1), unclipped", async (t) => {
  await t.step("the rollout draws G − 1 plain samples and adds the judged gold solution, unsampled", async () => {
    const sampler = scriptedSampler(tier1, 0);
    const settings = { ...settingsOf("luffy"), encodeSolution: (text: string) => Array.from(text, () => 9) };
    const { groups, stats } = await collectGroups(sampler, tier1.slice(0, 2), () => [], settings, 1);
    assertEquals(sampler.calls, [{ hinted: false, n: 3 }, { hinted: false, n: 3 }]);
    assertEquals(stats.completions, 6); // the gold solutions are not sampled
    for (const [i, group] of groups.entries()) {
      assertEquals(group.samples.map((s) => [s.reward, s.hinted]), [[0, false], [0, false], [0, false], [1, true]]);
      assertEquals(group.samples[3].text, tier1[i].solution);
      assertEquals(group.samples[3].oldLogprobs, Array(tier1[i].solution.length).fill(0));
      assertEquals(group.hint, undefined);
    }
  });

  await t.step("the loss: GRPO's on the on-policy rows, −Â·π/(π + 0.1) per token on the gold row", async () => {
    const tok = new Tokenizer("0123456789+-*=;.:() abcdefghijklmnopqrstuvwxyz\\{}");
    const policy = Policy.create(tok, { dModel: 16, layers: 1, heads: 2, ctx: 64 }, { seed: 7 });
    const prompt = "12+34";
    const [ids, gold] = [tok.encodeCompletion("47"), tok.encodeCompletion("46")];
    const [current, goldNow] = (await policy.logprobs([prompt, prompt], [ids, gold])).logprobs;
    const group: RolloutGroup = {
      prompt,
      plainRewards: [0, 0, 1],
      samples: [
        ...[0, 0, 1].map((reward) => ({ ids, reward, oldLogprobs: current, hinted: false })),
        { ids: gold, reward: 1, oldLogprobs: gold.map(() => 0), hinted: true },
      ],
    };
    const spec = buildTrainSpec([group], parseRunConfig("algorithm: luffy\n"), {
      gamma: 1,
      encodeContext: (c) => policy.encodeContext(c),
    });
    assertEquals(spec.data!.hinted.map((row) => row[0]), [0, 0, 0, 1]);
    assertEquals(spec.data!.gamma!.map((row) => row[0]), [1, 1, 1, 0.1]);
    // Rewards [0, 0, 1, 1]: Â = ±0.5 / (√(1/3) + 1e-6). On-policy rows: ratio 1, −Â per token: +a, +a, −a. The gold
    // row: −a·f(π) per token with f(π) = π/(π + 0.1), π its probability now. grpo: the mean of the rows' token means.
    const a = 0.5 / (Math.sqrt(1 / 3) + 1e-6);
    const shaped = goldNow.map((lp) => Math.exp(lp) / (Math.exp(lp) + 0.1));
    const meanShaped = shaped.reduce((x, y) => x + y, 0) / shaped.length;
    const { loss } = await policy.gradients(spec, LOSSES.rl);
    assertAlmostEquals(loss, (a + a - a - a * meanShaped) / 4, 1e-5);
    policy.dispose();
  });
});

Deno.test("QuestA: a failed group redrawn whole with the first half, then a quarter, of the solution in context", async (t) => {
  // A math problem of three steps (the last holding the answer): half shows ⌈1.5⌉ = 2 steps, a quarter ⌈0.75⌉ = 1.
  const problem = math.train.find((p) => p.solution.split(";").length === 3)!;
  const steps = problem.solution.split(";");
  const [half, quarter] = [`${steps[0]};${steps[1]}`, steps[0]];
  await t.step(
    "the rollout: G hinted draws in place of the failed group, the prefix by the run's progress",
    async () => {
      for (const [progress, prefix] of [[0, half], [0.49, half], [0.5, quarter]] as const) {
        const sampler = scriptedSampler([problem], 1);
        const { groups, stats } = await collectGroups(sampler, [problem], () => [], settingsOf("questa"), 1, progress);
        assertEquals(sampler.calls, [{ hinted: false, n: 4 }, { hinted: true, n: 4 }]);
        assertEquals(stats.completions, 8); // the failed plain draws are spent too
        assertEquals(sampler.hints, [prefix]);
        assertEquals(groups[0].hint, prefix);
        assertEquals(groups[0].samples.map((s) => [s.reward, s.hinted]), [[1, true], [0, true], [0, true], [0, true]]);
      }
    },
  );

  await t.step("the step: every row in the prefixed context, GRPO advantages over the redrawn group", () => {
    const group: RolloutGroup = {
      prompt: "p",
      hint: "h",
      plainRewards: [0, 0, 0, 0],
      samples: [1, 0, 0, 0].map((reward) => ({ ids: [4], reward, oldLogprobs: [-1], hinted: true })),
    };
    const spec = buildTrainSpec([group], parseRunConfig("algorithm: questa\n"), {
      gamma: 1,
      encodeContext: (c) => typeof c === "string" ? [1] : [2],
    });
    // Rewards [1, 0, 0, 0]: mean 0.25, sample std 0.5, so Â = 0.75 / 0.500001 and −0.25 / 0.500001.
    assertEquals(spec.contexts, [[2], [2], [2], [2]]);
    const advantages = spec.data!.advantages.map((row) => row[0]);
    [0.75, -0.25, -0.25, -0.25].forEach((x, i) => assertAlmostEquals(advantages[i], x / (0.5 + 1e-6), 1e-12));
    assertEquals(spec.data!.hinted.flat(), [0, 0, 0, 0]); // ordinary samples of their own context: no hinted loss
  });
});

Deno.test("Scaf-GRPO: hints of rising strength until one succeeds, that success swapped in for a failure", async (t) => {
  const problem = tier1[0];
  const [strategy, value] = [problem.hints.strategy, problem.hints.value];
  await t.step("the rollout: levels drawn in order, stopping at the first with a success", async () => {
    const sampler = scriptedSampler([problem], 1, (hint) => hint === value);
    const { groups, stats } = await collectGroups(sampler, [problem], () => [], settingsOf("scaf-grpo"), 1, 0.5);
    // G = 4: one draw a level; strategy fails, value succeeds, the solution level is never drawn.
    assertEquals(sampler.calls, [{ hinted: false, n: 4 }, { hinted: true, n: 1 }, { hinted: true, n: 1 }]);
    assertEquals(sampler.hints, [strategy, value]);
    assertEquals(stats.completions, 6);
    assertEquals(groups[0].hint, value);
    assertEquals(groups[0].samples.map((s) => [s.reward, s.hinted]), [[0, false], [0, false], [0, false], [1, true]]);
  });

  await t.step("no level succeeds: three levels drawn, the group dropped; the exemption period: no hints", async () => {
    const sampler = scriptedSampler([problem], 0);
    const { groups, stats } = await collectGroups(sampler, [problem], () => [], settingsOf("scaf-grpo"), 1, 0.5);
    assertEquals(sampler.hints.length, 3);
    assertEquals([groups.length, stats.completions], [0, 4 + 3]);
    const early = scriptedSampler([problem], 1);
    const exempt = await collectGroups(early, [problem], () => [], settingsOf("scaf-grpo"), 1, 0.1);
    // Plain draws only; the failed group is dropped (the refill finds no prompts).
    assertEquals([early.calls, exempt.groups.length, exempt.stats.hintedGroups], [[{ hinted: false, n: 4 }], 0, 0]);
  });

  await t.step("the step: the hinted success in its hinted context, advantages over the mixed group", () => {
    const group: RolloutGroup = {
      prompt: "p",
      hint: "h",
      plainRewards: [0, 0, 0, 0],
      samples: [0, 0, 0, 1].map((reward, i) => ({ ids: [4], reward, oldLogprobs: [-1], hinted: i === 3 })),
    };
    const spec = buildTrainSpec([group], parseRunConfig("algorithm: scaf-grpo\n"), {
      gamma: 1,
      encodeContext: (c) => typeof c === "string" ? [1] : [2],
    });
    assertEquals(spec.contexts, [[1], [1], [1], [2]]);
    const advantages = spec.data!.advantages.map((row) => row[0]);
    [-0.25, -0.25, -0.25, 0.75].forEach((x, i) => assertAlmostEquals(advantages[i], x / (0.5 + 1e-6), 1e-12));
  });
});

Deno.test({
  name: "a seeded step of each method from the shipped base: it trains, on what the method says, the same twice",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const train = (await loadProblems("arith", "train")).filter((p) => p.tier === 3);
    for (const algorithm of Object.keys(GUIDANCE_METHODS)) {
      await t.step(algorithm, async () => {
        const config = parseRunConfig(
          `algorithm: ${algorithm}\nseed: 2\nworkers: 1\ndata: { domain: arith, hintStyle: value, tiers: "3" }\n` +
            "rollout: { groupSize: 4, promptsPerStep: 4, maxTokens: 48, maxResample: 1 }\n",
        );
        const step = async () => {
          const policy = await loadCheckpoint(
            new URL("../bases/sft-s0-2847500100/checkpoint", import.meta.url).pathname,
          );
          const trainer = await createTrainer(config, { policy, train });
          // Halfway through the run: Scaf-GRPO's exemption period is over.
          const { seconds: _, ...report } = await trainer.step(0.5);
          trainer.close();
          policy.dispose();
          return report;
        };
        const report = await step();
        assert(report.updated, `${algorithm} made no update`);
        if (algorithm === "luffy") {
          // Every group: three on-policy samples and the gold solution, off-policy and correct.
          for (const group of report.groups) {
            assertEquals(group.completions.map((c) => c.hinted), [false, false, false, true]);
            assertEquals(group.completions[3].reward, 1);
          }
        } else if (algorithm === "questa") {
          // Its partial solutions are a context this base never saw in SFT (it reads `value` hints): the prefixed
          // redraws fail here and are dropped; the update is the groups whose plain draws were informative.
          assert(report.rollout.hintedGroups > 0 && report.hintedFraction === 0, "questa: redrawn groups");
        } else assert(report.hintedFraction > 0, `${algorithm}: no group regrouped with the hint`);
        for (const group of report.groups.filter((g) => g.hint !== undefined)) {
          const hinted = group.completions.filter((c) => c.hinted);
          if (algorithm === "nurl") assertEquals([group.completions.length - hinted.length, hinted.length], [1, 3]);
          else if (algorithm === "questa") assertEquals(hinted.length, group.completions.length);
          else if (algorithm === "scaf-grpo") assertEquals(hinted.map((c) => c.reward), [1]);
          else {
            const targets = hinted.every((c) => c.reward === 1 && c.advantage === 1);
            assert(
              hinted.length === group.completions.length && targets,
              "rationalization trains correct targets only",
            );
          }
        }
        assertEquals(JSON.stringify(await step()), JSON.stringify(report));
      });
    }
  },
});
