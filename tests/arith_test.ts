import { assert, assertEquals } from "./assert.ts";
import { alternativeOrder } from "../lib/data/arith.ts";
import { generateDomain, selectBackend } from "../lib/mod.ts";
import { sftBatches, tinyPolicy } from "./sft_batches.ts";
import { Rng } from "../lib/random.ts";

await selectBackend("wasm", { quiet: true });
const { train } = generateDomain("arith", { train: 500, test: 50, seed: 2 });
const problem = (prompt: string) => ({ ...train[0], prompt });

Deno.test("alternativeOrder: a later operation after a `+` may go first; the answer is the canonical one", () => {
  // 6+3+6: only the second `+` can go first (3+6 = 9), then 6+9.
  assertEquals(alternativeOrder(problem("6+3+6"), new Rng(1)), { hint: "3+6 is 9", solution: "6+9;15 \\boxed{15}" });
  // 15+6-5: 6-5 after a `+` is valid: 15+(6-5).
  assertEquals(alternativeOrder(problem("15+6-5"), new Rng(1)), { hint: "6-5 is 1", solution: "15+1;16 \\boxed{16}" });
  // After a `-` nothing may go first (21-(9-5) ≠ 21-9-5); 0-7 would be negative.
  assertEquals(alternativeOrder(problem("21-9-5-4"), new Rng(1)), null);
  assertEquals(alternativeOrder(problem("31+0-7"), new Rng(1)), null);
  // Every alternative of a ± chain ends in the canonical answer.
  const rng = new Rng(3);
  let found = 0;
  for (const p of train.filter((q) => q.tier <= 2)) {
    const alternative = alternativeOrder(p, rng);
    if (!alternative) continue;
    found++;
    const boxed = (s: string) => s.match(/\\boxed\{(\d+)\}$/)![1];
    assertEquals(boxed(alternative.solution), boxed(p.solution), p.prompt);
  }
  assert(found > 50, `${found} alternatives`);
});

Deno.test("sft: hinted examples in another order, rare tiers plain only, as the settings ask", async () => {
  const policy = tinyPolicy(train);
  const specs = await sftBatches(policy, train, {
    steps: 20,
    batch: 16,
    tiers: [1, 2],
    hintedFraction: 1,
    hintStyle: "value",
    lr: 1e-3,
    seed: 1,
    rareTiers: [3],
    rareFraction: 0.1,
    alternative: alternativeOrder,
    alternativeFraction: 1,
  });
  const decode = (ids: number[]) => policy.tokenizer.decode(ids, { specials: true });
  let rare = 0;
  let alternatives = 0;
  for (const spec of specs) {
    spec.contexts.forEach((context, i) => {
      const text = decode(context);
      const prompt = text.replace("<bos>", "").split(/<hint>|<sep>/)[0];
      const p = train.find((q) => q.prompt === prompt)!;
      const solution = decode(spec.completions[i]).replace("<eos>", "");
      if (p.tier === 3) {
        rare++;
        assert(!text.includes("<hint>"), `rare examples are plain: ${text}`);
        assertEquals(solution, p.solution);
      } else if (!text.includes(`<hint>${p.hints.value}<sep>`)) {
        // Another order: a hint naming a later operation, and a chain to the same answer.
        alternatives++;
        const hint = text.split("<hint>")[1].replace("<sep>", "");
        assert(/^\d+[+-]\d+ is \d+$/.test(hint) && hint !== p.hints.value, hint);
        const [left, value] = hint.split(" is ");
        assert(prompt.includes(`+${left}`), `${prompt}: ${hint} follows a +`);
        assert(solution.startsWith(prompt.replace(`+${left}`, `+${value}`)), `${prompt} → ${solution}`);
        assertEquals(solution.split("\\boxed")[1], p.solution.split("\\boxed")[1]);
      } else {
        assertEquals(solution, p.solution);
      }
    });
  }
  assert(rare > 10 && rare < 60, `${rare} rare examples of 320 (10%)`);
  assert(alternatives > 50, `${alternatives} examples in another order`);
  policy.dispose();
});

Deno.test("sft resumed at a step draws the batches an uninterrupted run draws there (alternatives included)", async () => {
  const policy = tinyPolicy(train);
  const batches = async (startStep: number) => {
    const specs = await sftBatches(policy, train, {
      steps: 6,
      batch: 8,
      tiers: [1, 2],
      hintedFraction: 0.5,
      hintStyle: "value",
      lr: 1e-3,
      seed: 4,
      rareTiers: [3],
      rareFraction: 0.1,
      alternative: alternativeOrder,
      alternativeFraction: 0.6,
      startStep,
    });
    return specs.map((s) => [s.contexts, s.completions]);
  };
  const whole = await batches(0);
  assertEquals(await batches(3), whole.slice(3));
  policy.dispose();
});
