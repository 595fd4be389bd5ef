import { assert, assertAlmostEquals, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { Policy, selectBackend, tf, Tokenizer, useBackend } from "../lib/mod.ts";

for (const backend of ["wasm", "cpu"] as const) {
  Deno.test(`tfjs runs a matMul on the ${backend} backend`, async () => {
    assertEquals(await useBackend(backend), backend);
    assertEquals(tf.getBackend(), backend);
    const product = tf.tidy(() => tf.tensor2d([[1, 2], [3, 4]]).matMul(tf.tensor2d([[5, 6], [7, 8]])));
    assertEquals(Array.from(await product.data()), [19, 22, 43, 50]);
    product.dispose();
  });
}

async function chosenBackendLine(env: Record<string, string>): Promise<string[]> {
  const script = `import { selectBackend } from "./lib/mod.ts"; await selectBackend();`;
  const out = await new Deno.Command(Deno.execPath(), { args: ["eval", script], env: { NO_COLOR: "1", ...env } })
    .output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert(out.success, stderr);
  return stderr.split("\n").filter((line) => line.startsWith("backend: "));
}

Deno.test("automatic choice says in one line which backend runs, and prefers WASM to WebGPU", async () => {
  const lines = await chosenBackendLine({ GUIDE_BACKEND: "auto" });
  assertEquals(lines.length, 1);
  // WASM always starts, and it comes before WebGPU (faster at the kit's sizes, even on a real GPU); only a working
  // tfjs-node-gpu goes first. Here that is WASM, and the line says why tfjs-node-gpu was passed over.
  assert(!lines[0].startsWith("backend: webgpu"), lines[0]);
  if (lines[0].startsWith("backend: wasm")) assertStringIncludes(lines[0], "skipped tensorflow:");
  assert(!lines[0].includes("skipped webgpu"), lines[0]);
});

Deno.test("GUIDE_BACKEND forces a backend, and an unknown one is an error listing the valid ones", async () => {
  assertEquals((await chosenBackendLine({ GUIDE_BACKEND: "cpu" }))[0], "backend: cpu (plain JavaScript)");
  await assertRejects(
    () => selectBackend("tpu" as "cpu"),
    Error,
    `unknown backend "tpu" (GUIDE_BACKEND or backend): use auto, tensorflow, webgpu, wasm, cpu`,
  );
});

Deno.test({
  name: "forced onto WebGPU (llvmpipe here), the policy's forward, sampling and gradient match WASM",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const tok = new Tokenizer("0123456789+-*=;.:|");
    const shape = { dModel: 16, layers: 1, heads: 2, ctx: 24 };
    const contexts = [{ prompt: "1+2" }, { prompt: "12*3", hint: "36" }];
    const run = async (backend: "wasm" | "webgpu") => {
      await selectBackend(backend, { quiet: true });
      const policy = Policy.create(tok, shape, { seed: 9 });
      const greedy = (await policy.sample(contexts, { temperature: 0, maxTokens: 6 })).map((g) => g[0].ids);
      const scores = await policy.logprobs(contexts, ["3.", "36."]);
      const batch = policy.scoreBatch(contexts, ["3.", "36."]);
      const { grads } = tf.variableGrads(() => {
        const { logprobs, mask } = policy.scoreTensors(batch);
        return tf.neg(tf.div(tf.sum(logprobs), tf.sum(mask))) as tf.Scalar;
      }, [policy.params.get("wte")!, policy.params.get("h0.q.w")!]);
      const gradients = await Promise.all(Object.values(grads).map(async (g) => Array.from(await g.data())));
      tf.dispose(grads);
      policy.dispose();
      return { greedy, scores, gradients };
    };
    const wasm = await run("wasm");
    const webgpu = await run("webgpu");
    await selectBackend("wasm", { quiet: true });
    assertEquals(webgpu.greedy, wasm.greedy);
    webgpu.scores.logprobs.flat().forEach((lp, i) => assertAlmostEquals(lp, wasm.scores.logprobs.flat()[i], 1e-4));
    webgpu.gradients.forEach((g, k) => {
      const scale = Math.max(...wasm.gradients[k].map(Math.abs));
      g.forEach((value, i) => assertAlmostEquals(value, wasm.gradients[k][i], 1e-3 * scale));
    });
  },
});
