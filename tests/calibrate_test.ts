import { assertAlmostEquals, assertEquals, assertStringIncludes } from "./assert.ts";
import { calibrate, calibrationMarkdown, type ContextInput, generateDomain, regime } from "../lib/mod.ts";

Deno.test("regime: learned, self-distillation, capability gain, out of reach (the testbed note's thresholds)", () => {
  assertEquals(regime({ passAt1: 0.5, passAtK: 0.9, hintedPassAtK: 1 }), "learned");
  assertEquals(regime({ passAt1: 0.01, passAtK: 0.12, hintedPassAtK: 0 }), "self-distillation");
  assertEquals(regime({ passAt1: 0, passAtK: 0, hintedPassAtK: 0.3 }), "capability gain");
  assertEquals(regime({ passAt1: 0, passAtK: 0, hintedPassAtK: 0.29 }), "out of reach");
  assertEquals(regime({ passAt1: 0, passAtK: 0, hintedPassAtK: 0.2 }, { hintReach: 0.1 }), "capability gain");
});

Deno.test("calibrate: plain and hinted pass@1/pass@k per tier from a sampler with known answers", async () => {
  const { test } = generateDomain("math", { train: 0, test: 40, seed: 3 });
  const answerOf = new Map(test.map((p) => [p.prompt, p.answer]));
  // Plain: tier 1 right in 4 of 8 samples, tier 2 in 1 of 8 on the first problem only, tier 3 never.
  // With the `value` hint: right in 8 of 8; with the others never.
  const sampler = {
    sample(contexts: ContextInput[], options: { n?: number } = {}) {
      const n = options.n ?? 1;
      const firstTier2 = test.find((p) => p.tier === 2)!.prompt;
      return Promise.resolve(contexts.map((context) => {
        const { prompt, hint } = typeof context === "string" ? { prompt: context, hint: undefined } : context as {
          prompt: string;
          hint?: string;
        };
        const problem = test.find((p) => p.prompt === prompt)!;
        const right = hint !== undefined
          ? (hint === problem.hints.value ? n : 0)
          : problem.tier === 1
          ? n / 2
          : prompt === firstTier2
          ? 1
          : 0;
        return Array.from({ length: n }, (_, i) => ({
          ids: [],
          text: `\\boxed{${i < right ? answerOf.get(prompt) : "-1"}}`,
          logprobs: [],
          policyLogprobs: [],
          finishReason: "stop" as const,
        }));
      }));
    },
  };
  const result = await calibrate(sampler, test, { tiers: [1, 2, 3], problems: 4, samples: 8 });
  assertEquals(result.map((t) => t.regime), ["learned", "self-distillation", "capability gain"]);
  assertAlmostEquals(result[0].plain.passAt1, 0.5, 1e-12);
  assertAlmostEquals(result[0].plain.passAtK, 1, 1e-12);
  // Tier 2: one problem of four, 1 of 8 right: pass@1 = 1/32, pass@8 = 1/4.
  assertAlmostEquals(result[1].plain.passAt1, 1 / 32, 1e-12);
  assertAlmostEquals(result[1].plain.passAtK, 0.25, 1e-12);
  assertEquals([result[2].hinted.value!.passAtK, result[2].hinted.strategy!.passAtK], [1, 0]);
  const md = calibrationMarkdown(result);
  assertStringIncludes(md, "| tier | plain pass@1 | plain pass@8 | strategy pass@1 | strategy pass@8 |");
  assertStringIncludes(md, "| 3 | 0.000 | 0.000 |");
  assertStringIncludes(md, "capability gain |");
});
