/**
 * Native matrix products (OpenBLAS through FFI) and the kit's fused kernels on the WASM backend: the same numbers as
 * tfjs's own WASM kernels, the same samples, and a clear line for every set-up that cannot use them.
 */
import { assert, assertAlmostEquals, assertEquals, assertStringIncludes } from "./assert.ts";
import { LOSS_REGISTRY, LOSSES, Policy, PolicyPool, selectBackend, tf, Tokenizer } from "../lib/mod.ts";
import { coresForThisProcess, coreTypeForFlags, loadBlas } from "../lib/policy/blas.ts";
import { nativeBlas, nativeKernelsActive, useNativeKernels } from "../lib/policy/native.ts";
import { HeapKvCache } from "../lib/policy/kv_cache.ts";

await selectBackend("wasm", { quiet: true });
if (!nativeKernelsActive()) {
  throw new Error(`native kernels are off here (${loadBlas().reason}): run \`deno task setup\` to install OpenBLAS`);
}

/** Evaluate `make` with the native kernels and with tfjs's WASM kernels; native stays on afterwards. */
function both<T>(make: () => T): { native: T; wasm: T } {
  try {
    useNativeKernels(true);
    const native = make();
    useNativeKernels(false);
    const wasm = make();
    return { native, wasm };
  } finally {
    useNativeKernels(true);
  }
}

async function bothAsync<T>(make: () => Promise<T>): Promise<{ native: T; wasm: T }> {
  try {
    useNativeKernels(true);
    const native = await make();
    useNativeKernels(false);
    const wasm = await make();
    return { native, wasm };
  } finally {
    useNativeKernels(true);
  }
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assertEquals(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

const values = (t: () => tf.Tensor) => () => tf.tidy(() => t().dataSync() as Float32Array);

Deno.test("native products equal the WASM kernels: 2-D, batched, both transposes, broadcast batches", () => {
  const a = tf.randomNormal([3, 5, 7], 0, 1, "float32", 1);
  const b = tf.randomNormal([3, 7, 4], 0, 1, "float32", 2);
  const w = tf.randomNormal([7, 4], 0, 1, "float32", 3);
  const cases: [string, () => tf.Tensor][] = [
    ["2-D", () => tf.matMul(a.reshape([15, 7]), w)],
    ["batched", () => tf.matMul(a, b)],
    ["transposeA", () => tf.matMul(a.transpose([0, 2, 1]), b, true, false)],
    ["transposeB", () => tf.matMul(a, b.transpose([0, 2, 1]), false, true)],
    ["both", () => tf.matMul(a.transpose([0, 2, 1]), b.transpose([0, 2, 1]), true, true)],
    ["one B for the batch", () => tf.matMul(a, w.expandDims(0))],
    ["one A for the batch", () => tf.matMul(a.slice([0, 0, 0], [1, 5, 7]), b)],
    ["rank 4", () => tf.matMul(a.reshape([3, 1, 5, 7]), b.reshape([3, 1, 7, 4]))],
    ["empty", () => tf.matMul(tf.zeros([0, 7]), w)],
  ];
  for (const [name, product] of cases) {
    const { native, wasm } = both(values(product));
    assert(maxAbsDifference(native, wasm) <= 1e-5, `${name}: ${maxAbsDifference(native, wasm)}`);
  }
  // A hand-computed product, so that the two cannot agree on a wrong answer.
  const small = both(values(() => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2]))));
  assertEquals(Array.from(small.native), [19, 22, 43, 50]);
  tf.dispose([a, b, w]);
});

Deno.test("fused products (bias, activation) and sums over leading axes equal composed tfjs ops", () => {
  const x = tf.randomNormal([15, 7], 0, 1, "float32", 4);
  const w = tf.randomNormal([7, 4], 0, 1, "float32", 5);
  const bias = tf.randomNormal([4], 0, 1, "float32", 6);
  for (const activation of ["linear", "relu", "elu", "sigmoid", "relu6", "leakyrelu"] as const) {
    const reference = tf.tidy(() => {
      const y = tf.add(tf.matMul(x, w), bias);
      const activated = activation === "linear"
        ? y
        : activation === "leakyrelu"
        ? tf.leakyRelu(y, 0.2)
        : (tf[activation] as (t: tf.Tensor) => tf.Tensor)(y);
      return activated.dataSync() as Float32Array;
    });
    const fused = tf.tidy(() => tf.fused.matMul({ a: x, b: w, bias, activation }).dataSync() as Float32Array);
    assert(maxAbsDifference(fused, reference) <= 1e-5, `${activation}: ${maxAbsDifference(fused, reference)}`);
  }
  // With transposeB (tfjs-wasm 4.22's own _FusedMatMul gets this one wrong: 0.79 off here).
  const transposed = tf.tidy(() =>
    tf.fused.matMul({ a: x, b: w.transpose(), transposeB: true, bias }).dataSync() as Float32Array
  );
  const expected = tf.tidy(() => tf.add(tf.matMul(x, w), bias).dataSync() as Float32Array);
  assert(maxAbsDifference(transposed, expected) <= 1e-5);

  const big = tf.randomNormal([3000, 5, 3], 0, 1, "float32", 7);
  for (const axis of [0, [0, 1], [1, 0], 2, [1, 2]]) {
    const { native, wasm } = both(values(() => tf.sum(big, axis)));
    assert(maxAbsDifference(native, wasm) <= 1e-3, `sum over ${axis}: ${maxAbsDifference(native, wasm)}`);
  }
  assertEquals(Array.from(tf.tidy(() => tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2]), 0).dataSync())), [4, 6]);
  tf.dispose([x, w, bias, big]);
});

const tokenizer = new Tokenizer("0123456789+-*=;.:|");
/** Random weights of the kit's default shape (d 128, 4 layers, 4 heads). */
const policy = Policy.create(tokenizer, {}, { seed: 3 });
const contexts = ["1+2", "12*34-56+7", "9", "6+8+7*5", { prompt: "3*3", hint: "9" }, "40-2"];
const completions = ["3.", "12*34=408;408-56=352;352+7=359.", "9.", "6+8=14", "9", "38.|4"];

Deno.test("logits, per-token log-probs and every gradient equal the WASM path within 1e-4", async () => {
  const batch = policy.scoreBatch(contexts, completions);
  const logits = both(values(() => policy.scoreTensors(batch).logprobs));
  assert(
    maxAbsDifference(logits.native, logits.wasm) <= 1e-4,
    `log-probs: ${maxAbsDifference(logits.native, logits.wasm)}`,
  );
  const scores = await bothAsync(() => policy.logprobs(contexts, completions));
  assert(maxAbsDifference(scores.native.logprobs.flat(), scores.wasm.logprobs.flat()) <= 1e-4);
  assert(maxAbsDifference(scores.native.entropies.flat(), scores.wasm.entropies.flat()) <= 1e-4);

  const spec = {
    loss: "nll",
    contexts: contexts.map((c) => policy.encodeContext(c)),
    completions: completions.map((c) => tokenizer.encode(c)),
    normaliser: 40,
    maxTokens: 96, // several micro-batches
  };
  const gradients = await bothAsync(() => policy.gradients(spec, LOSSES.nll));
  assertAlmostEquals(gradients.native.loss, gradients.wasm.loss, 1e-4);
  assertEquals([...gradients.native.grads.keys()].sort(), [...gradients.wasm.grads.keys()].sort());
  for (const [name, g] of gradients.native.grads) {
    const difference = maxAbsDifference(g, gradients.wasm.grads.get(name)!);
    assert(difference <= 1e-4, `gradient of ${name}: ${difference}`);
  }
  // Gradients that are not all zero (a broken gradient path would agree with nothing, but check anyway).
  assert(Math.max(...gradients.native.grads.get("h0.ln1.g")!.map(Math.abs)) > 1e-4);
});

Deno.test("sampling: greedy and seeded draws give the same tokens as the WASM path, finished rows dropped", async () => {
  const options = [
    { n: 2, maxTokens: 24, temperature: 0 },
    { n: 4, maxTokens: 24, temperature: 1, seed: 7 },
    // Stop strings end rows early at different steps, so the in-place cache compacts several times.
    { n: 8, maxTokens: 30, temperature: 1.5, seed: 8, stop: ["1", "5", "="] },
  ];
  for (const option of options) {
    const sampled = await bothAsync(() => policy.sample(contexts, option));
    const tokens = (groups: typeof sampled.native) => groups.map((g) => g.map((c) => [c.ids, c.finishReason]));
    assertEquals(tokens(sampled.native), tokens(sampled.wasm));
    sampled.native.flat().forEach((c, i) =>
      c.policyLogprobs.forEach((lp, t) => assertAlmostEquals(lp, sampled.wasm.flat()[i].policyLogprobs[t], 1e-4))
    );
  }
});

Deno.test({
  name: "the same seed gives the same run: two pools sample, train and end with bit-identical weights",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const run = async () => {
      const trained = Policy.create(tokenizer, {}, { seed: 5, optimizer: { lr: 1e-3 } });
      const pool = await PolicyPool.create(trained, { workers: 2, losses: LOSS_REGISTRY });
      try {
        const samples = [];
        for (let step = 0; step < 2; step++) {
          const groups = await pool.sample(contexts, { n: 4, maxTokens: 16, seed: step });
          samples.push(groups.map((g) => g.map((c) => c.ids)));
          const rows = groups.flat();
          await pool.train({
            loss: "nll",
            contexts: rows.map((_, i) => trained.encodeContext(contexts[Math.floor(i / 4)])),
            completions: rows.map((c) => c.ids),
            normaliser: rows.length,
          });
        }
        const weights = [...trained.params.values()].map((p) => Array.from(p.dataSync()));
        return { samples, weights };
      } finally {
        pool.close();
        trained.dispose();
      }
    };
    const first = await run();
    const second = await run();
    assertEquals(second.samples, first.samples);
    assertEquals(second.weights, first.weights);
  },
});

Deno.test("the in-place KV cache attends as the model does, and refuses to overrun its capacity", () => {
  const config = { vocab: 20, dModel: 16, layers: 1, heads: 2, ctx: 8 };
  const cache = new HeapKvCache(config, 1, 2, [0]);
  try {
    const [q, k, v] = [1, 2, 3].map((seed) => tf.randomNormal([1, 1, 16], 0, 1, "float32", seed) as tf.Tensor3D);
    const refuse = () => {
      throw new Error("not a prompt");
    };
    // One stored key: the softmax weight is 1, so the output is that value row exactly.
    const out = tf.tidy(() => cache.attend(0, q, k, v, refuse).dataSync());
    cache.advance(1);
    assert(maxAbsDifference(out, v.dataSync()) <= 1e-6);
    tf.tidy(() => cache.attend(0, q, k, v, refuse));
    cache.advance(1);
    let message = "";
    try {
      tf.tidy(() => cache.attend(0, q, k, v, refuse));
    } catch (e) {
      message = (e as Error).message;
    }
    assertStringIncludes(message, "cache capacity 2 exceeded");
    tf.dispose([q, k, v]);
  } finally {
    cache.dispose();
  }
});

Deno.test({
  name: "a pool gives each process's products its share of the cores, and restores it when closed",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const cores = coresForThisProcess();
    const pool = await PolicyPool.create(Policy.create(tokenizer, { dModel: 16, layers: 1, heads: 2, ctx: 16 }), {
      workers: 2,
    });
    try {
      assertEquals(nativeBlas()!.threads(), Math.max(1, Math.floor(cores / 2)));
    } finally {
      pool.close();
    }
    assertEquals(nativeBlas()!.threads(), cores);
  },
});

Deno.test("OpenBLAS's kernels from the CPU's flags: AVX-512 → SkylakeX, AVX2 + FMA → Haswell, else its own", () => {
  assertEquals(
    coreTypeForFlags(new Set(["avx2", "fma", "avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl"])),
    "SkylakeX",
  );
  assertEquals(coreTypeForFlags(new Set(["avx2", "fma", "avx512f"])), "Haswell");
  assertEquals(coreTypeForFlags(new Set(["sse4_2", "avx"])), undefined);
});

const root = new URL("../", import.meta.url);

/** Run `script` (importing the kit by absolute URL) in a fresh `deno run` with `flags` and `env`. */
async function runScript(script: string, env: Record<string, string>, flags: string[]): Promise<Deno.CommandOutput> {
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(file, script);
    return await new Deno.Command(Deno.execPath(), {
      args: ["run", "--config", new URL("deno.json", root).pathname, ...flags, file],
      env: { NO_COLOR: "1", ...env },
    }).output();
  } finally {
    await Deno.remove(file);
  }
}

/** The backend line of a fresh process with `env` and the permissions in `flags`. */
async function backendLine(env: Record<string, string>, flags = ["-A"]): Promise<string> {
  const script = `import { selectBackend, tf } from "${new URL("lib/mod.ts", root)}";
    await selectBackend("wasm");
    console.log(tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2])).dataSync().join());`;
  const out = await runScript(script, env, flags);
  const stderr = new TextDecoder().decode(out.stderr);
  assert(out.success, `the process failed: ${stderr}`);
  // Whatever the set-up, products still come out right.
  assertEquals(new TextDecoder().decode(out.stdout).trim(), "19,22,43,50");
  const lines = stderr.split("\n").filter((line) => line.startsWith("backend: "));
  assertEquals(lines.length, 1, stderr);
  return lines[0];
}

Deno.test("the backend line says where products run; GUIDE_BLAS=off forces the WASM kernels", async () => {
  assertStringIncludes(await backendLine({}), "matrix products: OpenBLAS");
  assertStringIncludes(await backendLine({ GUIDE_BLAS: "off" }), "matrix products: WASM kernels (GUIDE_BLAS=off)");
});

Deno.test("loading OpenBLAS sets its kernels and threads and leaves the process's environment as it was", async () => {
  const script = `import { selectBackend } from "${new URL("lib/mod.ts", root)}";
    import { nativeBlas } from "${new URL("lib/policy/native.ts", root)}";
    import { coresForThisProcess } from "${new URL("lib/policy/blas.ts", root)}";
    const before = Deno.env.toObject();
    await selectBackend("wasm", { quiet: true });
    const blas = nativeBlas();
    console.log(JSON.stringify({ before, after: Deno.env.toObject(), core: blas.core, coreType: blas.coreType,
      threads: blas.threads(), cores: coresForThisProcess() }));`;
  const out = await runScript(script, {}, ["-A"]);
  assert(out.success, new TextDecoder().decode(out.stderr));
  const seen = JSON.parse(new TextDecoder().decode(out.stdout));
  // Nothing written to the environment: no OPENBLAS_* for this process's later code or its children.
  assertEquals(seen.after, seen.before);
  // The kernels chosen are the ones running (OpenBLAS read the choice while it loaded)...
  if (seen.coreType) assertEquals(seen.core.toLowerCase(), seen.coreType.toLowerCase());
  // ...and one product has every core this process may use, unless OPENBLAS_NUM_THREADS says otherwise.
  assertEquals(seen.threads, Number(seen.before.OPENBLAS_NUM_THREADS ?? seen.cores));
});

Deno.test("bad set-ups get one clear line and the WASM kernels, never a crash", async () => {
  // A library that is not there.
  assertStringIncludes(
    await backendLine({ GUIDE_BLAS: "/nonexistent/libopenblas.so.0" }),
    "WASM kernels (OpenBLAS not found (/nonexistent/libopenblas.so.0: not found))",
  );
  // A library that is no BLAS at all.
  assertStringIncludes(await backendLine({ GUIDE_BLAS: "libm.so.6" }), "WASM kernels (libm.so.6 is not a BLAS");
  // No FFI permission.
  assertStringIncludes(
    await backendLine({}, ["--allow-read", "--allow-env", "--allow-net", "--allow-sys"]),
    "WASM kernels (no FFI permission",
  );
  // A bad core budget names the variable.
  const bad = await runScript(
    `import { coresForThisProcess } from "${new URL("lib/policy/blas.ts", root)}"; coresForThisProcess();`,
    { GUIDE_CORES: "two" },
    ["-A"],
  );
  assert(!bad.success);
  assertStringIncludes(new TextDecoder().decode(bad.stderr), `GUIDE_CORES: expected a whole number ≥ 1, got "two"`);
});

Deno.test("a BLAS with cblas_sgemm but not OpenBLAS's symbols (the reference libblas, no threads) is refused", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A stand-in for the reference BLAS, built here: it has cblas_sgemm and nothing of OpenBLAS.
    await Deno.writeTextFile(`${dir}/blas.c`, "void cblas_sgemm(void) {}\n");
    const cc = await new Deno.Command("cc", {
      args: ["-shared", "-fPIC", "-o", `${dir}/libblas.so.3`, `${dir}/blas.c`],
    })
      .output();
    assert(cc.success, `cc failed: ${new TextDecoder().decode(cc.stderr)}`);
    const libraries = [`${dir}/libblas.so.3`];
    // Debian's reference BLAS, where it is installed (package libblas3).
    const reference = "/usr/lib/x86_64-linux-gnu/blas/libblas.so.3";
    if (await Deno.stat(reference).then(() => true, () => false)) libraries.push(reference);
    for (const library of libraries) {
      const line = await backendLine({ GUIDE_BLAS: library });
      assertStringIncludes(line, `WASM kernels (${library} has cblas_sgemm but is not OpenBLAS`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
