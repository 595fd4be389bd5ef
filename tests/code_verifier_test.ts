import { assert, assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import {
  type CodeGold,
  DecodeBudgetError,
  decodeValue,
  deepEqual,
  extractCode,
  MAX_DECODED_VALUES,
  MAX_RESPONSE_CHARS,
  verifyCode,
  verifyCodeGroup,
} from "../lib/verifiers/code.ts";
import { exists, scrubPaths } from "../lib/io.ts";
import { descendants, running, type Started } from "./processes.ts";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

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

Deno.test("sandbox attacks are all false, with no side effect, and the host survives", async (t) => {
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
      "postMessage is not a function",
    ],
    [
      "harness tampering",
      `const forged = { results: { 0: { ok: true, value: 7 }, 1: { ok: true, value: 1 },
      2: { ok: true, value: -3 } }, count: 3 };
      MessagePort.prototype.postMessage = function () { return undefined; };
      Object.defineProperty(Object.prototype, "0", { set() {}, configurable: true });
      Array.prototype.push = () => 0; globalThis.send = () => 0;
      for (const p of [1, 2]) queueMicrotask(() => { try { self.postMessage(forged); } catch {} });
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
  // One step an attack, so that a failure names the attack and the others still run.
  for (const [name, code, reason] of attacks) {
    await t.step(name, async () => {
      // A generous clock for the attacks a limit other than time must stop (a busy machine slows the sandbox's
      // start); the infinite loop gets 2 s, so the test stays short.
      const verdict = await verifyCode(code, affine, { timeoutMs: reason.startsWith("timeout") ? 2000 : 15_000 });
      assertEquals(verdict.correct, false, `${name} was judged correct`);
      assertStringIncludes(verdict.reason!, reason, `${name}: ${verdict.reason}`);
      assert(!verdict.reason!.includes(Deno.execPath()) && !verdict.reason!.includes("guide-sandbox-"), verdict.reason);
    });
  }
  await t.step("no side effect: nothing written, the secret intact, the host's environment as it was", async () => {
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["secret.txt"]);
    assertEquals(await Deno.readTextFile(secret), "7");
    assertEquals(Deno.env.toObject(), envBefore);
  });
  await t.step("the host still works", async () => {
    assertEquals(await verifyCode(ok, affine), { correct: true });
  });
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

/** The sandbox processes below `host` (the runner itself, not the `timeout` wrapping it): this test's, by default. */
const RUNNER_PATH = fileURLToPath(new URL("../lib/verifiers/sandbox_runner.ts", import.meta.url));
const sandboxesOf = (host = Deno.pid) =>
  descendants(host, (cmdline) => cmdline.includes(RUNNER_PATH) && !cmdline.includes("timeout"));
/** The pids of those of `noted` that still run, and of any sandbox of this process now. */
const stillRunning = (noted: Started[]) => [...noted.filter(running), ...sandboxesOf()].map((p) => p.pid);

Deno.test({
  name: "a sandbox dies at its deadline while the host is blocked, and a dead host leaves no sandbox or folder",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    // A blocked host: its own timer cannot fire, the sandbox dies at the deadline anyway (`timeout`, 1 s after it).
    const pending = verifyCode("while (true) {} function f(x) { return x; }", affine, { timeoutMs: 1000 });
    await new Promise((r) => setTimeout(r, 500));
    const sandboxes = sandboxesOf();
    assert(sandboxes.length > 0, "the sandbox did not start");
    const until = performance.now() + 4_000;
    while (performance.now() < until) {
      // busy: no timer of this process runs
    }
    assertEquals(stillRunning(sandboxes), []);
    assertStringIncludes((await pending).reason!, "timeout");

    // A host that dies mid-run: its sandbox still dies at the deadline, and it leaves no folder (none is made). The
    // host says which sandbox it started (once it is up, within 5 s), then dies; that one, orphaned, must stop.
    const url = (path: string) => JSON.stringify(new URL(path, import.meta.url).href);
    const script = `import { verifyCode } from ${url("../lib/verifiers/code.ts")};
      import { descendants } from ${url("./processes.ts")};
      verifyCode("while (true) {} function f() {}", { tests: [{ args: [], expected: 1 }] }, { timeoutMs: 1000 });
      const until = Date.now() + 5_000;
      const watch = setInterval(() => {
        const mine = descendants(Deno.pid, (c) => c.includes(${JSON.stringify(RUNNER_PATH)}) && !c.includes("timeout"));
        if (mine.length === 0 && Date.now() < until) return;
        clearInterval(watch);
        console.log(JSON.stringify(mine));
        Deno.exit(3);
      }, 20);`;
    const host = new Deno.Command(Deno.execPath(), { args: ["eval", script], stdout: "piped", stderr: "null" }).spawn();
    const { code, stdout } = await host.output();
    assertEquals(code, 3);
    const orphaned: Started[] = JSON.parse(new TextDecoder().decode(stdout));
    assert(orphaned.length > 0, "the dead host's sandbox did not start");
    await new Promise((r) => setTimeout(r, 3_000));
    assertEquals(stillRunning(orphaned), []);
    const tmp = Deno.env.get("TMPDIR") || "/tmp";
    assertEquals([...Deno.readDirSync(tmp)].filter((e) => e.name.startsWith(`guide-sandbox-${host.pid}-`)), []);
  },
});

Deno.test("folders that dead hosts left are removed under deno task verify's permissions, live hosts' kept", async () => {
  const tmp = Deno.env.get("TMPDIR") || "/tmp";
  // A dead host's pid: a process that has exited.
  const gone = await new Deno.Command("true").spawn();
  await gone.status;
  const stale = join(tmp, `guide-sandbox-${gone.pid}-stale`);
  const live = join(tmp, `guide-sandbox-${Deno.pid}-live`);
  for (const dir of [stale, live]) {
    await Deno.mkdir(join(dir, ".deno"), { recursive: true });
    await Deno.writeTextFile(join(dir, ".deno", "cache"), "x");
  }
  try {
    // `deno task verify` runs with --allow-read --allow-run --allow-write=/tmp --allow-env: no /proc for Deno.
    const child = new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", "verify"],
      stdin: "piped",
      stdout: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    const line = { domain: "code", response: "function f(x) { return 2 * x + 1; }", gold: affine };
    await writer.write(new TextEncoder().encode(JSON.stringify(line) + "\n"));
    await writer.close();
    const out = await child.output();
    assertEquals(JSON.parse(new TextDecoder().decode(out.stdout)).correct, true);
    assertEquals(await exists(stale), false, "the dead host's folder is left");
    assertEquals(await exists(live), true, "a live host's folder was removed");
  } finally {
    for (const dir of [stale, live]) await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
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

Deno.test("shared memory an answer makes cannot starve the answers after it in its group", async () => {
  // Each attack makes shared memory until the process's limit refuses it, and tries every way to hand it out of its
  // Worker (pinned in the runner, 450 MB of it failed the next answers' 64 MB with "Array buffer allocation failed").
  const leak = (make: string) =>
    `const out = [globalThis.postMessage, globalThis.Deno?.[Deno.internal]?.core?.ops?.op_worker_post_message];
    try { for (let i = 0; i < 200; i++) { const m = ${make}; new Uint8Array(m.buffer ?? m).fill(1);
      for (const send of out) { try { send && send(m); } catch {} } } } catch {}
    function f(x) { return 0; }`;
  const sab = leak("new SharedArrayBuffer(16 << 20)");
  const wasm = leak("new WebAssembly.Memory({ initial: 256, maximum: 256, shared: true })");
  const big = "function f(x) { const a = new Uint8Array(64 << 20).fill(1); return 2 * x + 1 + a[7] - 1; }";
  const verdicts = await verifyCodeGroup([sab, big, big, wasm, big, big], affine, { timeoutMs: 15_000 });
  assertEquals(verdicts.map((v) => v.correct), [false, true, true, false, true, true], JSON.stringify(verdicts));
});

Deno.test("the entry must be declared by the answer itself: a global of that name, or a top-level return, never counts", async () => {
  const gold = (entry: string, args: unknown[], expected: unknown) => ({ entry, tests: [{ args, expected }] });
  const none = "does not load: the response defines no function named";
  const refused: [string, CodeGold][] = [
    ["", gold("btoa", ["a"], "YQ==")],
    ["// parseInt is built in", gold("parseInt", ["12"], 12)],
    ["var parseInt;", gold("parseInt", ["12"], 12)],
    ["", gold("structuredClone", [1], 1)],
    ["", gold("Array", [], [])],
    ["return btoa;", gold("btoa", ["a"], "YQ==")],
    // Shadowing the global with the global itself defines nothing.
    ["const btoa = globalThis.btoa;", gold("btoa", ["a"], "YQ==")],
    ["var parseInt = Number.parseInt;", gold("parseInt", ["12"], 12)],
    ["globalThis.f = (x) => 2 * x + 1;", affine],
    ["{ let f = (x) => 2 * x + 1; }", affine],
  ];
  for (const [answer, g] of refused) {
    const verdict = await verifyCode(answer, g);
    assertEquals(verdict.correct, false, `${JSON.stringify(answer)} passed ${g.entry ?? "f"}`);
    assert(verdict.reason!.startsWith(answer.startsWith("return") ? "does not load" : none), verdict.reason);
  }
  // Declared by the answer (function, const, let, var, class-free assignment), shadowing the global: passes.
  const own: [string, CodeGold][] = [
    ["function btoa(s) { return 'YQ=='; }", gold("btoa", ["a"], "YQ==")],
    ["function btoa(s) { return globalThis.btoa(s); }", gold("btoa", ["a"], "YQ==")],
    ["const parseInt = (s) => 12;", gold("parseInt", ["x"], 12)],
    ["let structuredClone = (v) => v + 1;", gold("structuredClone", [1], 2)],
    ["var f = function (x) { return 2 * x + 1; };", affine],
    ["f = (x) => 2 * x + 1;", affine],
    ['"use strict";\nconst f = (x) => 2 * x + 1;', affine],
  ];
  for (const [answer, g] of own) assertEquals(await verifyCode(answer, g), { correct: true }, answer);
  assertEquals((await verifyCode("function eval() {}", gold("eval", [], 1))).reason, 'gold entry "eval" is no name');
});

Deno.test("responses of 1 MB, built to backtrack, get their verdict within a second", async () => {
  const mb = 1 << 20;
  const hostile = [
    "```" + " ".repeat(mb),
    "```js" + "\t".repeat(mb),
    "```\n".repeat(mb / 4),
    "```js\n" + "x".repeat(mb) + "\n",
    "```".repeat(mb / 3),
  ];
  for (const text of hostile) {
    let started = performance.now();
    extractCode(text);
    assert(performance.now() - started < 1_000, `extractCode took ${performance.now() - started} ms`);
    started = performance.now();
    const verdict = await verifyCode(text, affine);
    assertEquals(verdict, { correct: false, reason: `response over ${MAX_RESPONSE_CHARS} characters` });
    assert(performance.now() - started < 1_000, `verifyCode took ${performance.now() - started} ms`);
  }
  // Under the cap, the same shapes are scanned in linear time and keep their meaning.
  const near = MAX_RESPONSE_CHARS - 100;
  let started = performance.now();
  assertEquals(extractCode("```" + " ".repeat(near)).length, near + 3);
  assertEquals(extractCode("```\n```\n".repeat(near / 8) + "```js\nconst f = 1;\n```"), "const f = 1;\n");
  assert(performance.now() - started < 100, `extractCode took ${performance.now() - started} ms`);
  started = performance.now();
  assertEquals(extractCode("```js\nconst f = 2;\n```\n```\n" + "x ".repeat(near / 2)), "const f = 2;\n");
  assert(performance.now() - started < 100, `extractCode took ${performance.now() - started} ms`);
});

Deno.test({
  name: "an answer cannot write to disk: no storage global, and the Cache API's 128 MB are written nowhere",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const code = `async function f(x) {
      const seen = ["caches", "CacheStorage", "localStorage", "sessionStorage", "indexedDB"]
        .filter((name) => typeof globalThis[name] !== "undefined");
      try {
        const cache = await caches.open("x");
        for (let i = 0; i < 4; i++) await cache.put("http://a/" + i, new Response(new Uint8Array(32 << 20).fill(1)));
      } catch {}
      const until = Date.now() + 1500;
      while (Date.now() < until) {}
      return seen.length === 0 ? 2 * x + 1 : seen.join(" ");
    }`;
    // Bytes the sandbox wrote (any file, any folder: the kernel's count for the process), sampled while it runs.
    let written = 0;
    const sample = setInterval(() => {
      for (const { pid } of sandboxesOf()) {
        try {
          const io = Deno.readTextFileSync(`/proc/${pid}/io`);
          written = Math.max(written, Number(io.match(/^wchar: (\d+)/m)![1]));
        } catch {
          // gone meanwhile
        }
      }
    }, 50);
    try {
      const verdict = await verifyCode(code, { tests: [{ args: [3], expected: 7 }] }, { timeoutMs: 15_000 });
      assertEquals(verdict, { correct: true });
    } finally {
      clearInterval(sample);
    }
    assert(written > 0, "the sandbox was not sampled");
    assert(written < 1 << 20, `the sandbox wrote ${written} bytes`);
  },
});

Deno.test("nothing of the machine reaches an answer or a reason: the host's pid, its paths, look-alike slashes", async () => {
  const probe = `function f(x) {
    const seen = [];
    for (const get of [() => process.cwd(), () => Deno.cwd(), () => Deno.execPath(), () => process.execPath,
      () => process.argv0, () => process.title, () => process.argv.join(" "), () => process.ppid, () => Deno.ppid,
      () => process.pid, () => Deno.pid, () => JSON.stringify(process.resourceUsage())]) {
      try { seen.push(String(get())); } catch (e) { seen.push("-"); }
    }
    throw new Error(seen.join(" ").replaceAll("/", "\\u2215"));
  }`;
  const reason = (await verifyCode(probe, affine)).reason!;
  assert(reason.startsWith("test 0 threw: "), reason);
  for (const secret of [String(Deno.pid), dirname(Deno.execPath()), "guide-sandbox", "tmp"]) {
    assert(!reason.includes(secret), `${secret} in ${reason}`);
  }
  // Paths spelt with look-alike slashes are scrubbed as paths.
  for (const slash of ["\u2215", "\u2044", "\uff0f", "\u29f8"]) {
    const path = ["", "tmp", `guide-sandbox-${Deno.pid}-x`, "deno"].join(slash);
    const verdict = await verifyCode(
      `function f(x) { throw new Error(${JSON.stringify(`at ${path} here`)}); }`,
      affine,
    );
    assertEquals(verdict.reason, "test 0 threw: at <path> here");
  }
});
