import { assert, assertAlmostEquals, assertEquals, assertRejects } from "./assert.ts";
import { parameterCount, Policy, selectBackend, tf, Tokenizer } from "../lib/mod.ts";
import { chooseToken } from "../lib/policy/sample.ts";
import { AdamW, DivergenceError } from "../lib/policy/optimizer.ts";
import { rowChunks } from "../lib/policy/policy.ts";
import { Rng } from "../lib/random.ts";

await selectBackend("wasm", { quiet: true });

const tok = new Tokenizer("0123456789+-*=;.:|");
const small = { dModel: 32, layers: 2, heads: 4, ctx: 48 };
const contexts = [{ prompt: "1+2" }, { prompt: "12*34-56+7" }, { prompt: "9", hint: "9=9" }, { prompt: "6+8+7*5" }];

/** Mean negative log-likelihood of completions: the SFT loss, a simple loss to train on. */
function nll(policy: Policy, batch: ReturnType<Policy["scoreBatch"]>): tf.Scalar {
  const { logprobs, mask } = policy.scoreTensors(batch);
  return tf.neg(tf.div(tf.sum(logprobs), tf.sum(mask)));
}

Deno.test("the default model is the peer's shape: 822,016 parameters at vocab 48", () => {
  // wte 48·128 + wpe 128·128 + 4 × (2 LN 512 + qkv 49,536 + proj 16,512 + fc 66,048 + out 65,664) + LN 256 + head 6,144
  assertEquals(parameterCount({ vocab: 48, dModel: 128, layers: 4, heads: 4, ctx: 128 }), 822_016);
  const policy = Policy.create(new Tokenizer("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"));
  assertEquals([policy.config.vocab, policy.parameterCount], [48, 822_016]);
  policy.dispose();
});

Deno.test("chooseToken: argmax at temperature 0, hand-computed probabilities, nucleus truncation", () => {
  const logits = [0, Math.log(3)]; // probabilities 1/4 and 3/4
  const rng = new Rng(1);
  const greedy = chooseToken(logits, 0, 2, 0, 1, rng);
  assertEquals(greedy.token, 1);
  assertEquals(greedy.logprob, 0);
  assertAlmostEquals(greedy.policyLogprob, Math.log(0.75), 1e-12);
  // Top-p 0.5 keeps only the 3/4 token: it is certain under the truncated distribution.
  const nucleus = chooseToken(logits, 0, 2, 1, 0.5, rng);
  assertEquals([nucleus.token, nucleus.logprob], [1, 0]);
  // Temperature 0.5 squares the odds: 1 : 9.
  const counts = [0, 0];
  for (let i = 0; i < 4000; i++) {
    const c = chooseToken(logits, 0, 2, 0.5, 1, rng);
    counts[c.token]++;
    assertAlmostEquals(c.logprob, Math.log(c.token === 1 ? 0.9 : 0.1), 1e-9);
  }
  assertAlmostEquals(counts[1] / 4000, 0.9, 0.02);
});

Deno.test("scoring a sampled completion in its own context reproduces the sampler's log-probs (1e-4)", async () => {
  const policy = Policy.create(tok, small, { seed: 3 });
  const groups = await policy.sample(contexts, { n: 3, maxTokens: 20, seed: 7 });
  assertEquals(groups.map((g) => g.length), [3, 3, 3, 3]);
  const flat = groups.flatMap((group, c) => group.map((completion) => ({ context: contexts[c], completion })));
  const scored = await policy.logprobs(flat.map((f) => f.context), flat.map((f) => f.completion.ids));
  let worst = 0;
  flat.forEach(({ completion }, i) => {
    assertEquals(scored.logprobs[i].length, completion.ids.length);
    completion.logprobs.forEach((lp, t) => (worst = Math.max(worst, Math.abs(lp - scored.logprobs[i][t]))));
    // At temperature 1 without truncation the sampling distribution is the policy.
    completion.policyLogprobs.forEach((lp, t) => assertAlmostEquals(lp, completion.logprobs[t], 1e-9));
    for (const h of scored.entropies[i]) assert(h >= 0 && h <= Math.log(tok.size) + 1e-4, `entropy ${h}`);
  });
  assert(worst < 1e-4, `largest difference ${worst}`);
  policy.dispose();
});

Deno.test("batched greedy decoding equals one context at a time, across context lengths and hints", async () => {
  const policy = Policy.create(tok, small, { seed: 5 });
  const batched = await policy.sample(contexts, { temperature: 0, maxTokens: 16 });
  for (const [c, context] of contexts.entries()) {
    const [alone] = await policy.sample([context], { temperature: 0, maxTokens: 16 });
    assertEquals(batched[c][0].ids, alone[0].ids);
    for (const [t, lp] of alone[0].policyLogprobs.entries()) {
      assertAlmostEquals(batched[c][0].policyLogprobs[t], lp, 1e-4);
    }
  }
  policy.dispose();
});

Deno.test("same seed, same samples; another seed, other samples", async () => {
  const policy = Policy.create(tok, small, { seed: 1 });
  const a = await policy.sample(contexts, { n: 4, maxTokens: 12, seed: 42 });
  const b = await policy.sample(contexts, { n: 4, maxTokens: 12, seed: 42 });
  const c = await policy.sample(contexts, { n: 4, maxTokens: 12, seed: 43 });
  assertEquals(JSON.stringify(a), JSON.stringify(b));
  assert(JSON.stringify(a) !== JSON.stringify(c), "a different seed gave the same samples");
  // Initialisation is seeded too.
  const twin = Policy.create(tok, small, { seed: 1 });
  assertEquals(JSON.stringify(await twin.sample(contexts, { n: 4, maxTokens: 12, seed: 42 })), JSON.stringify(a));
  policy.dispose();
  twin.dispose();
});

Deno.test("finish reasons: maxTokens gives length, a stop string gives stop and ends the text", async () => {
  const policy = Policy.create(tok, small, { seed: 2 });
  const [[long]] = await policy.sample(["1+2"], { temperature: 0, maxTokens: 5 });
  assertEquals([long.ids.length, long.finishReason], [5, "length"]);
  // Stop at whatever character greedy decoding produces first (special tokens before it have no text).
  const first = long.text[0];
  assert(first !== undefined, "greedy decoding produced no character to stop at");
  const upTo = long.ids.findIndex((id) => tok.decode([id]) === first) + 1;
  const [[stopped]] = await policy.sample(["1+2"], { temperature: 0, maxTokens: 5, stop: [first] });
  assertEquals([stopped.text, stopped.finishReason, stopped.ids], [first, "stop", long.ids.slice(0, upTo)]);
  // The model's context bounds the completion: ctx 48 − context 5 = 43 tokens at most.
  const [[bounded]] = await policy.sample(["1+2"], { temperature: 0, maxTokens: 500 });
  assert(bounded.ids.length <= 43 && (bounded.finishReason === "stop" || bounded.ids.length === 43));
  await assertRejects(() => policy.sample(["1".repeat(47)], { maxTokens: 4 }), Error, "leaves no room in ctx 48");
  await assertRejects(() => policy.logprobs(["1".repeat(40)], ["2".repeat(10)]), Error, "> ctx 48");
  policy.dispose();
});

Deno.test("training memorises a completion, and no tensor leaks over 100 steps", async () => {
  const policy = Policy.create(tok, small, { seed: 4, optimizer: { lr: 3e-3 } });
  const batch = policy.scoreBatch(["1+2", "2+2"], [tok.encodeCompletion("3."), tok.encodeCompletion("4.")]);
  const first = await policy.trainStep(() => nll(policy, batch));
  const tensors = tf.memory().numTensors;
  let last = first;
  for (let i = 1; i < 100; i++) {
    last = await policy.trainStep(() => nll(policy, batch));
    assertEquals(tf.memory().numTensors, tensors, `tensors leaked at step ${i + 1}`);
  }
  assertEquals(last.step, 100);
  assert(last.loss < 0.01 && first.loss > 1, `loss went from ${first.loss} to ${last.loss}`);
  const greedy = await policy.sample(["1+2", "2+2"], { temperature: 0, maxTokens: 6 });
  assertEquals(greedy.map((g) => g[0].text), ["3.", "4."]);
  assertEquals(greedy.map((g) => g[0].finishReason), ["stop", "stop"]);
  // Sampling and scoring leak nothing either.
  await policy.sample(contexts, { n: 4, maxTokens: 20, seed: 1 });
  await policy.logprobs(["1+2"], ["3."]);
  assertEquals(tf.memory().numTensors, tensors);
  policy.dispose();
});

Deno.test("a NaN loss stops the step and leaves the weights as they were", async () => {
  const policy = Policy.create(tok, small, { seed: 4 });
  const before = Array.from(policy.params.get("wte")!.dataSync());
  const batch = policy.scoreBatch(["1+2"], ["3."]);
  await assertRejects(() => policy.trainStep(() => tf.mul(nll(policy, batch), NaN)), DivergenceError, "loss is NaN");
  assertEquals(Array.from(policy.params.get("wte")!.dataSync()), before);
  policy.dispose();
});

Deno.test("AdamW: one hand-computed step, decoupled weight decay on matrices only, gradient norm", async () => {
  const params = new Map<string, tf.Variable>([
    ["w", tf.variable(tf.tensor2d([[1, -2]]))],
    ["b", tf.variable(tf.tensor1d([1]))],
  ]);
  const opt = new AdamW(params, { lr: 0.1, weightDecay: 0.5, maxGradNorm: 0 });
  // First step: m̂ = g, v̂ = g², so the update is lr·g/|g| = ±0.1; decay multiplies matrices by 1 − 0.1·0.5.
  const norm = await opt.apply(params, { w: tf.tensor2d([[3, -4]]), b: tf.tensor1d([0.5]) });
  assertAlmostEquals(norm, Math.sqrt(9 + 16 + 0.25), 1e-6);
  const w = params.get("w")!.dataSync();
  assertAlmostEquals(w[0], 1 * 0.95 - 0.1, 1e-6);
  assertAlmostEquals(w[1], -2 * 0.95 + 0.1, 1e-6);
  assertAlmostEquals(params.get("b")!.dataSync()[0], 1 - 0.1, 1e-6);
  // Clipping scales the gradient to the norm; the report is the norm before clipping.
  const clipped = new AdamW(params, { lr: 0.1, maxGradNorm: 1 });
  assertAlmostEquals(await clipped.apply(params, { w: tf.tensor2d([[30, 40]]) }), 50, 1e-4);
  assertAlmostEquals(clipped.m.get("w")!.dataSync()[0], 0.1 * 30 / 50, 1e-6);
  // A gradient of infinite norm is a diverged step: refused before anything moves.
  const kept = [params.get("w")!.dataSync().join(), clipped.step];
  await assertRejects(
    () => clipped.apply(params, { w: tf.tensor2d([[Infinity, 0]]) }),
    DivergenceError,
    "gradient norm is Infinity",
  );
  assertEquals([params.get("w")!.dataSync().join(), clipped.step], kept);
});

Deno.test("the value head scores the state before each completion token", () => {
  const policy = Policy.create(tok, { ...small, valueHead: true }, { seed: 1 });
  const batch = policy.scoreBatch(["1+2", "12+3"], ["3.", "15."]);
  const values = tf.tidy(() => policy.scoreTensors(batch).values!.arraySync());
  assertEquals([values.length, values[0].length], [2, 3]);
  assertEquals(values[0][2] === 0, true); // past the end of the first completion (masked; may be −0)
  assert(values[1].every((v) => Number.isFinite(v) && v !== 0));
  policy.dispose();
});

Deno.test("rowChunks keeps each packed chunk within its token budget", () => {
  const contexts = [[1, 2], [1, 2, 3, 4], [1], [1, 2, 3]];
  const completions = [[5], [5, 6], [5, 6, 7], [5]];
  // Budget 12: rows 0–1 pack to 2 × (4 + 2) = 12; adding row 2 would make 3 × (4 + 3) = 21.
  assertEquals(rowChunks(contexts, completions, 12), [[0, 2], [2, 4]]);
  assertEquals(rowChunks(contexts, completions, 1000), [[0, 4]]);
  assertEquals(rowChunks(contexts, completions, 1), [[0, 1], [1, 2], [2, 3], [3, 4]]);
});

Deno.test("scoring in chunks equals scoring in one pass", async () => {
  const policy = Policy.create(tok, small, { seed: 8 });
  const completions = ["3.", "12*34;408-56;352.", "9.", "6+8+35;14+35;49."];
  const whole = await policy.logprobs(contexts, completions);
  const chunked = await policy.logprobs(contexts, completions, { maxTokens: 30 });
  whole.logprobs.flat().forEach((lp, i) => assertAlmostEquals(chunked.logprobs.flat()[i], lp, 1e-5));
  policy.dispose();
});

Deno.test("gradient accumulation over micro-batches equals one step on the whole batch", async () => {
  const completions = ["3.", "12*34;408-56;352.", "9.", "6+8+35;14+35;49."].map((c) => tok.encodeCompletion(c));
  const tokens = completions.reduce((n, c) => n + c.length, 0);
  const sumNll = (policy: Policy, rows: [number, number]) => {
    const batch = policy.scoreBatch(contexts.slice(...rows), completions.slice(...rows));
    return tf.div(tf.neg(tf.sum(policy.scoreTensors(batch).logprobs)), tokens) as tf.Scalar;
  };
  const whole = Policy.create(tok, small, { seed: 8 });
  const split = Policy.create(tok, small, { seed: 8 });
  const a = await whole.trainStep(() => sumNll(whole, [0, 4]));
  const halves: [number, number][] = [[0, 2], [2, 4]];
  const b = await split.trainStep((i) => sumNll(split, halves[i]), { microBatches: 2 });
  assertAlmostEquals(b.loss, a.loss, 1e-5);
  assertAlmostEquals(b.gradNorm, a.gradNorm, 1e-4 * a.gradNorm);
  for (const [name, p] of whole.params) {
    const other = split.params.get(name)!.dataSync();
    p.dataSync().forEach((v, i) => assertAlmostEquals(other[i], v, 1e-5));
  }
  whole.dispose();
  split.dispose();
});

Deno.test("a request above MAX_SAMPLE_ROWS runs in pieces that sample exactly what separate requests would", async () => {
  const { MAX_SAMPLE_ROWS } = await import("../lib/policy/sample.ts");
  const policy = Policy.create(tok, small, { seed: 4 });
  // 2 samples per context: 300 contexts are 600 rows, two pieces of 256 contexts and one of 44.
  const many = Array.from({ length: 300 }, (_, i) => ({ prompt: `${i % 97}+${i % 13}` }));
  assert(many.length * 2 > MAX_SAMPLE_ROWS);
  const whole = await policy.sample(many, { n: 2, maxTokens: 6, seed: 9 });
  const tail = await policy.sample(many.slice(290), { n: 2, maxTokens: 6, seed: 9, contextOffset: 290 });
  assertEquals(whole.length, 300);
  assertEquals(whole.slice(290).map((g) => g.map((c) => c.ids)), tail.map((g) => g.map((c) => c.ids)));
  const head = await policy.sample(many.slice(0, 3), { n: 2, maxTokens: 6, seed: 9 });
  assertEquals(whole.slice(0, 3).map((g) => g.map((c) => c.ids)), head.map((g) => g.map((c) => c.ids)));
  policy.dispose();
});
