import { assert, assertAlmostEquals, assertEquals, assertRejects } from "./assert.ts";
import {
  type Completion,
  DivergenceError,
  LOSS_REGISTRY,
  LOSSES,
  Policy,
  PolicyPool,
  selectBackend,
  Tokenizer,
} from "../lib/mod.ts";
import { shards } from "../lib/policy/pool.ts";

await selectBackend("wasm", { quiet: true });

const tok = new Tokenizer("0123456789+-*=;.:|");
const small = { dModel: 32, layers: 2, heads: 4, ctx: 48 };
const prompts = ["1+2", "12*34-56+7", "9", "6+8+7*5", "3*3", "40-2", "7", "8+8"];

/** Same tokens and finish reasons; log-probs equal up to float summation order (batch shapes differ). */
function sameSamples(actual: Completion[][], expected: Completion[][]): void {
  const strip = (groups: Completion[][]) => groups.map((g) => g.map((c) => [c.ids, c.text, c.finishReason]));
  assertEquals(strip(actual), strip(expected));
  actual.flat().forEach((c, i) =>
    c.logprobs.forEach((lp, t) => assertAlmostEquals(lp, expected.flat()[i].logprobs[t], 1e-5))
  );
}

Deno.test("shards splits rows into near-equal contiguous ranges", () => {
  assertEquals(shards(10, 3), [[0, 3], [3, 6], [6, 10]]);
  assertEquals(shards(2, 4), [[0, 1], [1, 2]]);
  assertEquals(shards(0, 2), []);
});

Deno.test({
  name: "a pool of two processes samples, scores and trains exactly as one process",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const alone = Policy.create(tok, small, { seed: 11, optimizer: { lr: 1e-3 } });
    const pooled = Policy.create(tok, small, { seed: 11, optimizer: { lr: 1e-3 } });
    const pool = await PolicyPool.create(pooled, { workers: 2, losses: LOSS_REGISTRY });
    try {
      assertEquals(pool.size, 2);
      const options = { n: 3, maxTokens: 12, seed: 5 };
      const expected = await alone.sample(prompts, options);
      sameSamples(await pool.sample(prompts, options), expected);

      const completions = expected.map((group) => group[0].ids);
      const a = await alone.logprobs(prompts, completions);
      const b = await pool.logprobs(prompts, completions);
      a.logprobs.flat().forEach((lp, i) => assertAlmostEquals(b.logprobs.flat()[i], lp, 1e-6));

      // A data-parallel step equals the single-process step; the workers then sample with the new weights.
      const spec = {
        loss: "nll",
        contexts: prompts.map((p) => tok.encodeContext(p)),
        completions: prompts.map((_, i) => tok.encodeCompletion(String(i))),
        normaliser: prompts.length * 2,
      };
      const stepAlone = await alone.train(spec, LOSSES.nll);
      const stepPooled = await pool.train(spec);
      assertAlmostEquals(stepPooled.loss, stepAlone.loss, 1e-5);
      assertAlmostEquals(stepPooled.gradNorm, stepAlone.gradNorm, 1e-4 * stepAlone.gradNorm);
      const after = await alone.sample(prompts, options);
      sameSamples(await pool.sample(prompts, options), after);
      assert(JSON.stringify(after) !== JSON.stringify(expected), "training changed nothing");
    } finally {
      pool.close();
      alone.dispose();
      pooled.dispose();
    }
  },
});

Deno.test({
  name: "a worker's error reaches the caller with its message",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const policy = Policy.create(tok, small, { seed: 1 });
    const pool = await PolicyPool.create(policy, { workers: 2, losses: LOSS_REGISTRY });
    try {
      // The second row, the worker's shard, does not fit the model's context.
      const tooLong = Array.from({ length: small.ctx }, () => 5);
      const spec = { loss: "nll", contexts: [[1, 5, 4], tooLong], completions: [[7], [8]], normaliser: 2 };
      const error = await assertRejects(
        () => pool.train(spec),
        Error,
        `policy worker: row 0: context (${small.ctx}) + completion`,
      );
      assert(!(error instanceof DivergenceError), "an error of the worker's input taken for a divergence");
      const unknown = { ...spec, loss: "nope", contexts: [[1, 5, 4], [1, 6, 4]] };
      await assertRejects(() => pool.train(unknown), Error, `unknown loss "nope" (registered: nll, rl)`);
      const samplingOnly = await PolicyPool.create(policy, { workers: 1 });
      await assertRejects(() => samplingOnly.train(spec), Error, "this policy pool has no loss registry");
      samplingOnly.close();
    } finally {
      pool.close();
      policy.dispose();
    }
  },
});

Deno.test({
  name: "a step that diverges in a worker reaches the caller as a DivergenceError, the weights untouched",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const policy = Policy.create(tok, small, { seed: 1 });
    const pool = await PolicyPool.create(policy, { workers: 2, losses: LOSS_REGISTRY });
    try {
      const before = Array.from(policy.params.get("wte")!.dataSync());
      // A NaN weight on the second row only: this process's shard (row 0) is finite, the worker's loss is NaN.
      const spec = {
        loss: "nll",
        contexts: [[1, 5, 4], [1, 6, 4]],
        completions: [[7], [8]],
        data: { weight: [[1], [NaN]] },
        normaliser: 2,
      };
      const error = await assertRejects(
        () => pool.train(spec),
        DivergenceError,
        "policy worker: loss is NaN (rows 0–0)",
      );
      assertEquals(error.name, "DivergenceError");
      assertEquals(Array.from(policy.params.get("wte")!.dataSync()), before);
      // The same step in this process throws the same class.
      await assertRejects(() => policy.train(spec, LOSSES.nll), DivergenceError, "loss is NaN (rows 0–1)");
    } finally {
      pool.close();
      policy.dispose();
    }
  },
});
