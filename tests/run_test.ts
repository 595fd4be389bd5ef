import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import {
  generateDomain,
  loadCheckpoint,
  parseRunConfig,
  Policy,
  runTraining,
  selectBackend,
  tf,
  Tokenizer,
} from "../lib/mod.ts";
import { join } from "node:path";

await selectBackend("wasm", { quiet: true });

const math = generateDomain("math", { train: 40, validation: 10, test: 10, seed: 5 });
const texts = [...math.train, ...math.test].flatMap((p) => [p.prompt, p.solution, ...Object.values(p.hints)]);
const tok = Tokenizer.fromTexts(texts);
const tiny = () =>
  Policy.create(tok, { dModel: 32, layers: 1, heads: 2, ctx: 96 }, { seed: 1, optimizer: { lr: 3e-3 } });
const lines = async (file: string) => (await Deno.readTextFile(file)).trim().split("\n").map((l) => JSON.parse(l));

Deno.test({
  name: "an SFT run then a Guide run write config, meta, metrics, rollouts, eval and checkpoints",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const root = await Deno.makeTempDir();
    const policy = tiny();
    const sftConfig = parseRunConfig("algorithm: sft\nworkers: 1\nsft:\n  steps: 5\n  batch: 8\n");
    const sftRun = await runTraining(sftConfig, { runDir: join(root, "sft"), policy, train: math.train });
    assertEquals([sftRun.steps, sftRun.stopped], [5, undefined]);
    assertEquals((await lines(join(root, "sft", "metrics.jsonl"))).length, 5);
    const base = await loadCheckpoint(join(root, "sft", "checkpoint"));
    assertEquals(base.optimizer.step, 5);

    const config = parseRunConfig(
      "algorithm: guide-grpo\nworkers: 1\nsteps: 2\neval:\n  every: 1\n  problems: 3\n  samples: 2\n" +
        "rollout:\n  groupSize: 4\n  promptsPerStep: 2\n  maxTokens: 24\n  maxResample: 0\n",
    );
    const dir = join(root, "guide");
    const run = await runTraining(config, {
      runDir: dir,
      policy: base,
      train: math.train,
      test: math.test,
      validation: math.validation,
    });
    assertEquals(run.steps, 2);
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assertEquals(names, [
      "checkpoint",
      "config.yaml",
      "done.json",
      "eval.jsonl",
      "meta.json",
      "metrics.jsonl",
      "rollouts.jsonl",
    ]);
    assertEquals(parseRunConfig(await Deno.readTextFile(join(dir, "config.yaml"))), config);
    const meta = JSON.parse(await Deno.readTextFile(join(dir, "meta.json")));
    assertEquals([meta.backend.name, meta.seed, meta.steps, meta.stopped], ["wasm", 0, 2, null]);
    assert(meta.seconds > 0 && meta.versions.deno === "2.9.6");
    const metrics = await lines(join(dir, "metrics.jsonl"));
    assertEquals(metrics.map((m) => m.step), [1, 2]);
    assert(metrics.every((m) => "gamma" in m && "hintedFraction" in m && !("groups" in m)));
    // A learning-curve point (validation) at every step, the test split once at the end.
    assertEquals((await lines(join(dir, "eval.jsonl"))).map((e) => [e.step, e.split]), [
      [1, "validation"],
      [2, "validation"],
      [2, "test"],
    ]);
    const rollouts = await lines(join(dir, "rollouts.jsonl"));
    assertEquals(rollouts.map((r) => r.step), [1, 2]);
    // The same folder is never overwritten.
    await assertRejects(
      () => runTraining(config, { runDir: dir, policy: base, train: math.train }),
      Error,
      "already holds this run",
    );
    const other = parseRunConfig("algorithm: grpo\n");
    await assertRejects(
      () => runTraining(other, { runDir: dir, policy: base, train: math.train }),
      Error,
      "another config",
    );
    policy.dispose();
    base.dispose();
    await Deno.remove(root, { recursive: true });
  },
});

Deno.test({
  name: "a NaN loss stops the run with a message and leaves the last checkpoint intact",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const dir = join(await Deno.makeTempDir(), "run");
    const policy = tiny();
    const config = parseRunConfig("algorithm: sft\nworkers: 1\neval:\n  every: 1\nsft:\n  steps: 4\n  batch: 4\n");
    // Poison the weights after step 2 (the event hook sees every step, after its checkpoint).
    const result = await runTraining(config, {
      runDir: dir,
      policy,
      train: math.train,
      onStep: (m) => {
        if (m.step === 2) policy.params.get("wte")!.assign(tf.fill(policy.params.get("wte")!.shape, NaN));
      },
    });
    assertEquals(result.steps, 2);
    assertStringIncludes(result.stopped!, "step 3: loss is NaN");
    const meta = JSON.parse(await Deno.readTextFile(join(dir, "meta.json")));
    assertStringIncludes(meta.stopped, "loss is NaN");
    // The checkpoint of step 2 is intact: finite weights, step 2.
    const last = await loadCheckpoint(join(dir, "checkpoint"));
    assertEquals(last.optimizer.step, 2);
    assert(Array.from(last.params.get("wte")!.dataSync()).every(Number.isFinite));
    last.dispose();
    policy.dispose();
  },
});

Deno.test({
  name: "a run cut off mid-way resumes from its last checkpoint and ends exactly as an uninterrupted run",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const root = await Deno.makeTempDir();
    const config = parseRunConfig(
      "algorithm: guide-grpo\nworkers: 1\nsteps: 4\neval:\n  every: 2\n" +
        "rollout:\n  groupSize: 4\n  promptsPerStep: 2\n  maxTokens: 24\n  maxResample: 1\n",
    );
    const whole = await runTraining(config, { runDir: join(root, "whole"), policy: tiny(), train: math.train });
    assertEquals(whole.steps, 4);
    const cut = join(root, "cut");
    await assertRejects(
      () =>
        runTraining(config, {
          runDir: cut,
          policy: tiny(),
          train: math.train,
          onStep: (m) => {
            if (m.step === 3) throw new Error("simulated crash");
          },
        }),
      Error,
      "simulated crash",
    );
    assertEquals((await lines(join(cut, "metrics.jsonl"))).length, 3);
    await assertRejects(
      () => runTraining(config, { runDir: cut, policy: tiny(), train: math.train }),
      Error,
      "already holds",
    );
    const resumed = await runTraining(config, { runDir: cut, policy: tiny(), train: math.train, resume: true });
    assertEquals([resumed.steps, resumed.resumedFrom], [4, 2]);
    const a = await lines(join(root, "whole", "metrics.jsonl"));
    const b = await lines(join(cut, "metrics.jsonl"));
    assertEquals(b.map((m) => m.step), [1, 2, 3, 4]);
    assertEquals(b.map((m) => [m.loss, m.rewardMean, m.gamma]), a.map((m) => [m.loss, m.rewardMean, m.gamma]));
    assertEquals((await lines(join(cut, "rollouts.jsonl"))).map((r) => r.step), [1, 2, 3, 4]);
    // Finished: a further resume does nothing.
    assertEquals(
      (await runTraining(config, { runDir: cut, policy: tiny(), train: math.train, resume: true })).skipped,
      true,
    );
    await Deno.remove(root, { recursive: true });
  },
});

Deno.test({
  name: "an SFT run cut off mid-way resumes to the same weights as an uninterrupted one",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const root = await Deno.makeTempDir();
    const config = parseRunConfig("algorithm: sft\nworkers: 1\neval:\n  every: 2\nsft:\n  steps: 5\n  batch: 4\n");
    const whole = tiny();
    await runTraining(config, { runDir: join(root, "whole"), policy: whole, train: math.train });
    const cut = join(root, "cut");
    await assertRejects(
      () =>
        runTraining(config, {
          runDir: cut,
          policy: tiny(),
          train: math.train,
          onStep: (m) => {
            if (m.step === 3) throw new Error("simulated crash");
          },
        }),
      Error,
      "simulated crash",
    );
    const resumed = tiny();
    const result = await runTraining(config, { runDir: cut, policy: resumed, train: math.train, resume: true });
    assertEquals([result.steps, result.resumedFrom], [5, 2]);
    assertEquals(
      (await lines(join(cut, "metrics.jsonl"))).map((m) => m.loss),
      (await lines(join(root, "whole", "metrics.jsonl"))).map((m) => m.loss),
    );
    assertEquals(Array.from(resumed.params.get("wte")!.dataSync()), Array.from(whole.params.get("wte")!.dataSync()));
    whole.dispose();
    resumed.dispose();
    await Deno.remove(root, { recursive: true });
  },
});

Deno.test({
  name: "a rollout budget ends the run; evaluations save every problem's count per tier, the last with finalSamples",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const dir = join(await Deno.makeTempDir(), "run");
    // 2 prompts × 4 samples, no refills: 8 completions a step, so a budget of 20 ends the run after step 3.
    const config = parseRunConfig(
      'algorithm: grpo\nworkers: 1\nsteps: 10\neval:\n  every: 2\n  tiers: "1,3"\n  problems: 2\n' +
        "  samples: 2\n  finalSamples: 3\nrollout:\n  groupSize: 4\n  promptsPerStep: 2\n  maxTokens: 16\n" +
        "  maxResample: 0\n  budget: 20\n",
    );
    const result = await runTraining(config, {
      runDir: dir,
      policy: tiny(),
      train: math.train,
      test: math.test,
      validation: math.validation,
    });
    assertEquals(result.steps, 3);
    const metrics = await lines(join(dir, "metrics.jsonl"));
    assertEquals(metrics.map((m) => m.rollouts), [8, 16, 24]);
    const evals = await lines(join(dir, "eval.jsonl"));
    // The curve: eval.samples on the validation split's trained tiers (all five by default), every 2 steps and at
    // the end; the final evaluation: finalSamples on the test split's eval.tiers, once.
    assertEquals(evals.map((e) => [e.step, e.rollouts, e.n, e.split]), [
      [2, 16, 2, "validation"],
      [3, 24, 2, "validation"],
      [3, 24, 3, "test"],
    ]);
    assertEquals(Object.keys(evals[0].tiers), ["1", "2", "3", "4", "5"]);
    assert(Object.keys(evals[0].tiers["3"].correct).every((id) => id.startsWith("math-validation-")));
    assert(evals.every((e) => typeof e.seconds === "number" && e.seconds > 0));
    const last = evals[2];
    assertEquals(Object.keys(last.tiers), ["1", "3"]);
    const tier3 = math.test.filter((p) => p.tier === 3).slice(0, 2).map((p) => p.id);
    assertEquals(Object.keys(last.tiers["3"].correct), tier3);
    for (const tier of Object.values(last.tiers) as { passAt1: number; correct: Record<string, number> }[]) {
      const counts = Object.values(tier.correct);
      assert(counts.every((c) => Number.isInteger(c) && c >= 0 && c <= 3));
      assertEquals(tier.passAt1, counts.reduce((a, c) => a + c / 3, 0) / counts.length);
    }
  },
});

Deno.test("clone: the same weights, a fresh optimizer, and a zero-initialised value head when asked", async () => {
  const policy = tiny();
  policy.optimizer.step = 7;
  const critic = policy.clone({ valueHead: true, optimizer: { weightDecay: 0.5 } });
  assertEquals(critic.config.valueHead, true);
  assertEquals(critic.optimizer.step, 0);
  assertEquals(Array.from(critic.params.get("wte")!.dataSync()), Array.from(policy.params.get("wte")!.dataSync()));
  assertEquals(Array.from(critic.params.get("value.w")!.dataSync()).every((v) => v === 0), true);
  const values = await critic.values(["12+3"], [[5, 6]]);
  assertEquals(values[0].every((v) => Math.abs(v) < 1e-6), true);
  assertEquals(critic.clone({ valueHead: false }).params.has("value.w"), false);
  policy.dispose();
  critic.dispose();
});
