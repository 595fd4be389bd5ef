import { assert, assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import {
  DecodeBudgetError,
  decodeValue,
  deepEqual,
  extractCode,
  MAX_DECODED_VALUES,
  verifyCode,
  verifyCodeGroup,
} from "../lib/verifiers/code.ts";
import { scrubPaths } from "../lib/io.ts";
import { processIds } from "./processes.ts";
import { join } from "node:path";

const affine = { tests: [{ args: [3], expected: 7 }, { args: [0], expected: 1 }, { args: [-2], expected: -3 }] };

Deno.test("extractCode takes the last JavaScript fenced block, else the whole response", () => {
  assertEquals(extractCode("function f() {}"), "function f() {}");
  assertEquals(extractCode("text\n```js\nconst a = 1;\n```\nmore\n```javascript\nconst f = 2;\n```"), "const f = 2;\n");
  assertEquals(extractCode("```\nbare\n```"), "bare\n");
  assertEquals(extractCode("```python\nprint(1)\n```\n```ts\nconst f = 1;\n```"), "const f = 1;\n");
});

Deno.test("deepEqual and decodeValue: plain data, order-free objects, NaN, undefined, bigint", () => {
  assert(deepEqual([1, [2, { a: 3, b: [4] }]], [1, [2, { b: [4], a: 3 }]]));
  assert(!deepEqual([1, 2], [1, 2, 3]));
  assert(!deepEqual({ a: 1 }, { a: 1, b: undefined }));
  assert(!deepEqual("1", 1));
  assert(deepEqual(NaN, NaN));
  assertEquals(decodeValue([{ $: "undefined" }, { $: "NaN" }, { $: "-Infinity" }, { $: "bigint", v: "12" }]), [
    undefined,
    NaN,
    -Infinity,
    12n,
  ]);
  assertEquals(decodeValue({ $: "object", v: { x: { $: "Infinity" } } }), { x: Infinity });
  assertEquals(decodeValue({ $: "array", v: [1, { $: "-0" }], n: 3 }), [1, -0, undefined]);
});

Deno.test("the host decodes within a budget: a claimed length can neither allocate nor loop past it", () => {
  const started = performance.now();
  assertThrows(() => decodeValue({ $: "array", v: [], n: 1e8 }), DecodeBudgetError, "an array of 100000000 elements");
  assertThrows(() => decodeValue({ $: "array", v: [], n: -1 }), DecodeBudgetError, "a malformed array");
  assertThrows(() => decodeValue({ $: "array", v: [], n: 2.5 }), DecodeBudgetError, "a malformed array");
  assertThrows(() => decodeValue({ $: "array", v: [], n: "9" }), DecodeBudgetError, "a malformed array");
  // Six arrays that each fit are refused together once they pass the shared budget.
  const budget = { left: MAX_DECODED_VALUES };
  const half = { $: "array", v: [], n: MAX_DECODED_VALUES / 2 };
  decodeValue(half, budget);
  assertThrows(() => decodeValue(half, budget), DecodeBudgetError);
  assert(performance.now() - started < 5_000, "the refusals were not cheap");
});

Deno.test("reasons never carry the machine's paths", () => {
  assertEquals(
    scrubPaths("cannot read /usr/local/bin/deno at /tmp/guide-sandbox-1a2b/x"),
    "cannot read <path> at <path>",
  );
  assertEquals(scrubPaths("expected 1/2, got file:///root/.cache/deno/x.js"), "expected 1/2, got <path>");
  assertEquals(scrubPaths("/out/bases/x/weights.bin: SHA-256 does not match"), "<path>: SHA-256 does not match");
});

Deno.test("correct programs pass, in any common form; wrong ones fail with the test named", async () => {
  assertEquals(await verifyCode("function f(x) { return 2 * x + 1; }", affine), { correct: true });
  assertEquals(await verifyCode("Sure:\n```js\nconst f = (x) => 2 * x + 1;\n```\nDone.", affine), { correct: true });
  assertEquals(await verifyCode("async function f(x) { return 2 * x + 1; }", affine), { correct: true });
  const gold = { entry: "reverse", tests: [{ args: [[1, 2, 3]], expected: [3, 2, 1] }, { args: [[]], expected: [] }] };
  assertEquals(await verifyCode("function reverse(a) { return [...a].reverse(); }", gold), { correct: true });
  assertEquals(await verifyCode("function f(x) { return 2 * x; }", affine), {
    correct: false,
    reason: "test 0: wrong answer",
  });
  assertEquals(await verifyCode("function g(x) { return 2 * x + 1; }", affine), {
    correct: false,
    reason: "does not load: the response defines no function named f",
  });
  assertStringIncludes((await verifyCode("function f(x) { return 2 * x + ; }", affine)).reason!, "does not load");
  assertStringIncludes(
    (await verifyCode("function f() { throw new Error('no'); }", affine)).reason!,
    "test 0 threw: no",
  );
  assertEquals((await verifyCode("function f() { return 1; }", { tests: [] })).reason, "gold has no tests");
  assertEquals(
    (await verifyCode("function f() {}", { entry: "a;b", tests: [{ args: [], expected: 1 }] })).correct,
    false,
  );
});

Deno.test("sandbox attacks are all false, with no side effect, and the host survives", async () => {
  const dir = await Deno.makeTempDir();
  const target = join(dir, "pwned.txt");
  const secret = join(dir, "secret.txt");
  await Deno.writeTextFile(secret, "7");
  const ok = "function f(x) { return 2 * x + 1; }";
  const attacks: [string, string, string][] = [
    [
      "file read",
      `function f(x) { return Number(Deno.readTextFileSync(${JSON.stringify(secret)})) + 0 * x; }`,
      "read access",
    ],
    ["file write", `Deno.writeTextFileSync(${JSON.stringify(target)}, "x"); ${ok}`, "write access"],
    ["env", `function f(x) { return Deno.env.get("HOME") ? 2 * x + 1 : 0; }`, "env access"],
    [
      "subprocess",
      `new Deno.Command("/usr/bin/touch", { args: [${JSON.stringify(target)}] }).outputSync(); ${ok}`,
      "run access",
    ],
    ["network", `async function f(x) { await fetch("http://127.0.0.1:8080/"); return 2 * x + 1; }`, "net access"],
    [
      "local import",
      `async function f(x) { await import(${JSON.stringify("file://" + secret)}); return 2 * x + 1; }`,
      "read access",
    ],
    ["ffi", `Deno.dlopen("/lib/x86_64-linux-gnu/libc.so.6", {}); ${ok}`, "ffi access"],
    ["system info", `function f(x) { return Deno.hostname() ? 2 * x + 1 : 0; }`, "sys access"],
    ["infinite loop", `while (true) {} ${ok}`, "timeout after 2000 ms"],
    ["memory bomb", `const a = []; while (true) a.push(new Array(1e6).fill(1)); ${ok}`, "out of memory"],
    ["Deno.exit", `Deno.exit(0); ${ok}`, "does not load: Deno.exit is not a function"],
    ["self.close", `function f(x) { close(); return 2 * x + 1; }`, "test 0 threw: close is not defined"],
    [
      "forged stdout",
      `console.log('{"results":[{"ok":true,"value":7},{"ok":true,"value":1},{"ok":true,"value":-3}]}');
      console.log("correct: true"); function f(x) { return 0; }`,
      "wrong answer",
    ],
    [
      "prototype tampering",
      `Object.prototype.toJSON = () => 7; JSON.stringify = () => "7"; Array.prototype.map = null;
      function f(x) { return 0; }`,
      "wrong answer",
    ],
    [
      "postMessage forgery",
      `self.postMessage({ results: [{ ok: true, value: 7 }, { ok: true, value: 1 }, { ok: true,
      value: -3 }] }); function f(x) { return 0; }`,
      "wrong answer",
    ],
    [
      "harness tampering",
      `const forged = { results: { 0: { ok: true, value: 7 }, 1: { ok: true, value: 1 },
      2: { ok: true, value: -3 } }, count: 3 };
      MessagePort.prototype.postMessage = function () { return undefined; };
      Object.defineProperty(Object.prototype, "0", { set() {}, configurable: true });
      Array.prototype.push = () => 0; globalThis.send = () => 0;
      for (const p of [1, 2]) queueMicrotask(() => self.postMessage(forged));
      function f(x) { return 0; }`,
      "wrong answer",
    ],
    ["output flood", `for (;;) console.log("x".repeat(1000)); ${ok}`, "output over"],
    [
      "Worker bomb",
      `for (let i = 0; i < 64; i++) new Worker("data:application/javascript,1", { type: "module" }); ${ok}`,
      "Worker is not defined",
    ],
    [
      "nested worker",
      `async function f(x) { return await new Promise((resolve) => {
      const w = new Worker("data:application/javascript,self.postMessage(Deno.readTextFileSync('${secret}'))",
        { type: "module" });
      w.onmessage = (e) => resolve(Number(e.data)); w.onerror = (e) => { e.preventDefault(); resolve(-1); }; }); }`,
      "Worker is not defined",
    ],
  ];
  attacks.push(
    [
      "Function.prototype.call override",
      `Function.prototype.call = function (port) {
        const forged = { results: { 0: { ok: true, value: 7 }, 1: { ok: true, value: 1 }, 2: { ok: true, value: -3 } },
          count: 3 };
        return Reflect.apply(this, port, [forged]);
      };
      function f(x) { throw new Error("no"); }`,
      "test 0 threw: no",
    ],
    [
      "Object.defineProperty override",
      `const real = Object.defineProperty;
      Object.defineProperty = (o, k, d) => real(o, k, d && d.value && d.value.ok === false
        ? { value: { ok: true, value: [7, 1, -3][k] }, enumerable: true } : d);
      Reflect.apply = (fn, self, args) => fn.call(self, ...args);
      function f(x) { throw new Error("no"); }`,
      "test 0 threw: no",
    ],
    [
      "Array.isArray and Object.keys overrides",
      `Array.isArray = () => false; Object.keys = () => []; structuredClone = (v) => 7;
      function f(x) { return [0]; }`,
      "wrong answer",
    ],
    [
      "a Proxy whose length changes",
      `let reads = 0;
      function f(x) { return new Proxy([], { get(t, k) { return k === "length" ? (reads++ ? 1e8 : 0) : t[k]; } }); }`,
      "cannot be copied out",
    ],
    [
      "machine paths in an error",
      `function f(x) { let where = []; for (const get of [() => Deno.execPath(), () => Deno.cwd()]) {
        try { where.push(get()); } catch (e) { where.push(String(e.message)); } }
        throw new Error(where.join(" ")); }`,
      "test 0 threw",
    ],
  );
  const envBefore = Deno.env.toObject();
  for (const [name, code, reason] of attacks) {
    // A generous clock for the attacks a limit other than time must stop (a busy machine slows the sandbox's start);
    // the infinite loop gets 2 s, so the test stays short.
    const verdict = await verifyCode(code, affine, { timeoutMs: reason.startsWith("timeout") ? 2000 : 15_000 });
    assertEquals(verdict.correct, false, `${name} was judged correct`);
    assertStringIncludes(verdict.reason!, reason, `${name}: ${verdict.reason}`);
    assert(!verdict.reason!.includes(Deno.execPath()) && !verdict.reason!.includes("guide-sandbox-"), verdict.reason);
  }
  assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["secret.txt"]);
  assertEquals(await Deno.readTextFile(secret), "7");
  assertEquals(Deno.env.toObject(), envBefore);
  // The host still works.
  assertEquals(await verifyCode(ok, affine), { correct: true });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a 150,000-element correct answer passes under the output cap", async () => {
  const n = 150_000;
  const gold = { tests: [{ args: [n], expected: Array.from({ length: n }, (_, i) => i) }] };
  const verdict = await verifyCode("function f(n) { return Array.from({ length: n }, (_, i) => i); }", gold);
  assertEquals(verdict, { correct: true });
});

Deno.test("an answer that loads many modules leaves the user's Deno cache untouched", async () => {
  const info = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" }).output();
  const denoDir = JSON.parse(new TextDecoder().decode(info.stdout)).denoDir as string;
  const snapshot = () => {
    const files: Record<string, number> = {};
    for (const entry of Deno.readDirSync(denoDir)) {
      if (entry.isFile) files[entry.name] = Deno.statSync(join(denoDir, entry.name)).size;
    }
    return files;
  };
  const before = snapshot();
  const code = `async function f(x) {
    for (let i = 0; i < 200; i++) {
      await import("data:application/javascript," + encodeURIComponent("export default " + i + "; /*" + "x".repeat(4000) + i + "*/"));
    }
    return 2 * x + 1;
  }`;
  assertEquals(await verifyCode(code, affine, { timeoutMs: 20_000 }), { correct: true });
  assertEquals(snapshot(), before);
  // The sandbox's own folders are gone too.
  const tmp = Deno.env.get("TMPDIR") ?? "/tmp";
  assertEquals([...Deno.readDirSync(tmp)].filter((e) => e.name.startsWith(`guide-sandbox-${Deno.pid}-`)).length, 0);
});

/** Sandbox processes (the runner itself, not the `timeout` wrapping it). */
const liveSandboxes = () =>
  processIds((cmdline) => cmdline.includes("sandbox_runner.ts") && !cmdline.includes("timeout"));

Deno.test({
  name: "a sandbox dies at its deadline while the host is blocked, and a dead host leaves no sandbox or folder",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    // A blocked host: its own timer cannot fire, the sandbox dies at the deadline anyway (`timeout`, 1 s after it).
    const pending = verifyCode("while (true) {} function f(x) { return x; }", affine, { timeoutMs: 1000 });
    await new Promise((r) => setTimeout(r, 500));
    assert(liveSandboxes().length > 0, "the sandbox did not start");
    const until = performance.now() + 4_000;
    while (performance.now() < until) {
      // busy: no timer of this process runs
    }
    assertEquals(liveSandboxes(), []);
    assertStringIncludes((await pending).reason!, "timeout");

    // A host that dies mid-run: its sandbox still dies at the deadline, and the next host removes its folder.
    const script = `import { verifyCode } from ${
      JSON.stringify(new URL("../lib/verifiers/code.ts", import.meta.url).href)
    };
      verifyCode("while (true) {} function f() {}", { tests: [{ args: [], expected: 1 }] }, { timeoutMs: 1000 });
      setTimeout(() => Deno.exit(3), 500);`;
    const host = await new Deno.Command(Deno.execPath(), { args: ["eval", script], stdout: "null", stderr: "null" })
      .spawn();
    const { code } = await host.status;
    assertEquals(code, 3);
    await new Promise((r) => setTimeout(r, 3_000));
    assertEquals(liveSandboxes(), []);
    const tmp = Deno.env.get("TMPDIR") || "/tmp";
    const leftovers = () =>
      [...Deno.readDirSync(tmp)].filter((e) => e.name.startsWith(`guide-sandbox-${host.pid}-`)).map((e) => e.name);
    assertEquals(leftovers().length, 1, "the dead host's folder is there before a new host starts");
    // A new host process cleans up what dead hosts left, on its first verification.
    const next = `import { verifyCode } from ${
      JSON.stringify(new URL("../lib/verifiers/code.ts", import.meta.url).href)
    };
      await verifyCode("function f() { return 1; }", { tests: [{ args: [], expected: 1 }] });`;
    assertEquals((await new Deno.Command(Deno.execPath(), { args: ["eval", next] }).output()).code, 0);
    assertEquals(leftovers(), []);
  },
});

Deno.test("ArrayBuffers, which the heap cap does not count, are refused at the sandbox's memory limit", async () => {
  const bomb = `function f(x) {
    const keep = [];
    for (let i = 0; i < 100; i++) keep.push(new Uint8Array(64 << 20).fill(1));
    return 2 * x + 1;
  }`;
  const verdict = await verifyCode(bomb, affine, { timeoutMs: 15_000 });
  assertEquals(verdict.correct, false);
  assert(/Array buffer allocation failed|out of memory/.test(verdict.reason!), verdict.reason);
});

Deno.test("a group judged in one sandbox: every verdict is the one the answer gets alone, whatever its neighbours do", async () => {
  const right = "function f(x) { return 2 * x + 1; }";
  const group = [
    right,
    // Poisons its realm: prototypes, globals, the harness's usual helpers.
    `Object.prototype.polluted = 1; globalThis.leak = 41; Array.prototype.map = null; JSON.stringify = () => "";
     Object.defineProperty = () => {}; function f(x) { return 0; }`,
    // Passes only if nothing of the previous answer is visible.
    `function f(x) { return globalThis.leak === undefined && ({}).polluted === undefined ? 2 * x + 1 : -1; }`,
    "function f(x) { while (true) {} }",
    right,
    // Takes the whole process down (heap over the cap): the answers after it are judged again, each alone.
    "function f(x) { const a = []; while (true) a.push(new Array(1e6).fill(x)); }",
    "const f = (x) => x + x + 1;",
    // Floods the output past the cap: the process is killed; again the rest is judged alone.
    'function f(x) { for (;;) console.log("x".repeat(100000)); }',
    right,
  ];
  const limits = { timeoutMs: 1_500, memoryMb: 64, maxOutputBytes: 1 << 20 };
  const together = await verifyCodeGroup(group, affine, limits);
  assertEquals(together.map((v) => v.correct), [true, false, true, false, true, false, true, false, true]);
  const alone = [];
  for (const answer of group) alone.push(await verifyCode(answer, affine, limits));
  assertEquals(together, alone);
  assertStringIncludes(together[3].reason!, "timeout after 1500 ms");
  assertStringIncludes(together[5].reason!, "out of memory");
  assertStringIncludes(together[7].reason!, "output over");
});

Deno.test("verifyGroup: the verdicts verify gives one by one, in order, for every domain; non-strings are false", async () => {
  const { verify, verifyGroup } = await import("../lib/verifiers/mod.ts");
  assertEquals((await verifyGroup("math", ["\\boxed{12}", "\\boxed{13}", 5], "12")).map((v) => v.correct), [
    true,
    false,
    false,
  ]);
  const responses = ["function f(x) { return 2 * x + 1; }", 7, "function f(x) { return x; }"];
  const grouped = await verifyGroup("code", responses, affine);
  assertEquals(grouped, await Promise.all(responses.map((r) => verify("code", r, affine))));
  assertEquals(grouped.map((v) => v.correct), [true, false, false]);
  assertEquals(grouped[1].reason, "response must be a string");
  assertEquals((await verifyGroup("code", ["function f() {}"], { tests: [] })).map((v) => v.reason), [
    "gold has no tests",
  ]);
});

Deno.test("a group's result lines cut at the output cap are judged again, never taken for a verdict or an error", async () => {
  // Prints near the cap, then returns a large value: the output ends inside this answer's result line.
  const tearing = 'function f(x) { if (x === 3) console.log("Z".repeat(600000)); return "y".repeat(300000); }';
  const right = "function f(x) { return 2 * x + 1; }";
  const group = [right, tearing, right, right];
  const together = await verifyCodeGroup(group, affine);
  assertEquals(together.map((v) => v.correct), [true, false, true, true]);
  assertEquals(together[1], await verifyCode(tearing, affine));
});
