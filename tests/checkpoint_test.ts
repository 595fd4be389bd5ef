import { assertEquals, assertRejects } from "./assert.ts";
import { CheckpointError, loadCheckpoint, Policy, saveCheckpoint, selectBackend, tf, Tokenizer } from "../lib/mod.ts";
import { join } from "node:path";

await selectBackend("wasm", { quiet: true });

const tok = new Tokenizer("0123456789+-*=;.:|");
const small = { dModel: 32, layers: 2, heads: 4, ctx: 48 };

async function trained(seed: number): Promise<Policy> {
  const policy = Policy.create(tok, small, { seed, optimizer: { lr: 1e-3 } });
  const batch = policy.scoreBatch(["1+2"], [tok.encodeCompletion("3.")]);
  for (let i = 0; i < 3; i++) await policy.trainStep(() => nllOf(policy, batch));
  return policy;
}

function nllOf(policy: Policy, batch: ReturnType<Policy["scoreBatch"]>): tf.Scalar {
  const { logprobs, mask } = policy.scoreTensors(batch);
  return tf.neg(tf.div(tf.sum(logprobs), tf.sum(mask)));
}

Deno.test("save then load gives the same policy, optimizer state included, and training continues identically", async () => {
  const dir = join(await Deno.makeTempDir(), "ckpt");
  const original = await trained(1);
  await saveCheckpoint(original, dir, { step: 3, note: "test" });
  const loaded = await loadCheckpoint(dir);
  const meta = JSON.parse(await Deno.readTextFile(join(dir, "checkpoint.json")));
  assertEquals([meta.backend, meta.extra], ["wasm", { step: 3, note: "test" }]);
  assertEquals(loaded.config, original.config);
  assertEquals(loaded.tokenizer.chars, tok.chars);
  assertEquals(loaded.optimizer.step, 3);
  const contexts = [{ prompt: "1+2" }, { prompt: "7*8", hint: "56" }];
  assertEquals(await loaded.logprobs(contexts, ["3.", "56."]), await original.logprobs(contexts, ["3.", "56."]));
  // One more step on each: AdamW's moments came back too, so the weights stay equal.
  const batch = original.scoreBatch(["2+2"], [tok.encodeCompletion("4.")]);
  await original.trainStep(() => nllOf(original, batch));
  await loaded.trainStep(() => nllOf(loaded, batch));
  for (const [name, p] of original.params) {
    assertEquals(Array.from(loaded.params.get(name)!.dataSync()), Array.from(p.dataSync()), name);
  }
  original.dispose();
  loaded.dispose();
});

Deno.test("saving over a checkpoint replaces it whole and leaves no temporary folder", async () => {
  const parent = await Deno.makeTempDir();
  const dir = join(parent, "ckpt");
  const a = await trained(1);
  const b = await trained(2);
  await saveCheckpoint(a, dir);
  await saveCheckpoint(b, dir);
  assertEquals([...Deno.readDirSync(parent)].map((e) => e.name), ["ckpt"]);
  assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
    "checkpoint.json",
    "optimizer.bin",
    "weights.bin",
  ]);
  const loaded = await loadCheckpoint(dir);
  assertEquals(Array.from(loaded.params.get("wte")!.dataSync()), Array.from(b.params.get("wte")!.dataSync()));
  for (const p of [a, b, loaded]) p.dispose();
});

Deno.test("corrupt, truncated, missing or mismatched checkpoints are refused with the file and the reason", async () => {
  const dir = join(await Deno.makeTempDir(), "ckpt");
  const policy = await trained(1);
  await saveCheckpoint(policy, dir);
  const saved = new Map([...policy.params].map(([name, p]) => [name, Array.from(p.dataSync())]));
  policy.dispose();
  const weights = join(dir, "weights.bin");
  const meta = join(dir, "checkpoint.json");
  const pristineWeights = await Deno.readFile(weights);
  const pristineMeta = await Deno.readTextFile(meta);
  const restore = async () => {
    await Deno.writeFile(weights, pristineWeights);
    await Deno.writeTextFile(meta, pristineMeta);
  };

  const flipped = pristineWeights.slice();
  flipped[1000] ^= 0xff;
  await Deno.writeFile(weights, flipped);
  await assertRejects(() => loadCheckpoint(dir), CheckpointError, `${weights}: SHA-256 does not match`);

  await Deno.writeFile(weights, pristineWeights.slice(0, 4000));
  await assertRejects(() => loadCheckpoint(dir), CheckpointError, `${weights}: is 4000 bytes`);

  await Deno.remove(weights);
  await assertRejects(() => loadCheckpoint(dir), CheckpointError, `${weights}: cannot be read`);
  await restore();

  await Deno.writeTextFile(meta, pristineMeta.slice(0, 100));
  await assertRejects(() => loadCheckpoint(dir), CheckpointError, `${meta}: is not valid JSON`);

  await Deno.writeTextFile(meta, pristineMeta.replace('"format": "guide-policy/1"', '"format": "other/9"'));
  await assertRejects(() => loadCheckpoint(dir), CheckpointError, `format is "other/9", expected "guide-policy/1"`);

  await Deno.writeTextFile(meta, pristineMeta.replace('"dModel": 32', '"dModel": 64'));
  await assertRejects(
    () => loadCheckpoint(dir),
    CheckpointError,
    `tensor "wte" has shape [23,32], the model needs [23,64]`,
  );
  await restore();

  await assertRejects(
    () => loadCheckpoint(dir, { expect: { layers: 4 } }),
    CheckpointError,
    "model.layers is 2, expected 4",
  );
  const loaded = await loadCheckpoint(dir, { expect: { layers: 2, dModel: 32 } });
  // After every refusal, the restored files load the saved weights exactly.
  assertEquals([...loaded.params.keys()], [...saved.keys()]);
  for (const [name, p] of loaded.params) assertEquals(Array.from(p.dataSync()), saved.get(name), name);
  loaded.dispose();
  await assertRejects(() => loadCheckpoint(join(dir, "nope")), CheckpointError, "checkpoint.json: cannot be read");
});
