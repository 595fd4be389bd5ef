import { assertEquals, assertStringIncludes } from "./assert.ts";

Deno.test("deno task verify: JSONL in, the same objects out in order with verdicts; bad lines never stop it", async () => {
  const lines = [
    { id: 1, domain: "math", response: "so \\boxed{\\frac{1}{2}}", gold: "0.5" },
    "this is not json",
    { id: 3, domain: "code", response: "while (true) {}", gold: { tests: [{ args: [1], expected: 1 }] } },
    { id: 4, domain: "choice", response: "the answer is (C)", gold: "C" },
    {
      id: 5,
      domain: "code",
      response: "```js\nconst f = (a) => a.map((x) => x * 2);\n```",
      gold: { tests: [{ args: [[1, 2]], expected: [2, 4] }] },
    },
    { id: 6, domain: "maths", response: "x", gold: "y" },
    { id: 7, response: "no domain" },
    { id: 8, domain: "math", response: "#### 1,234", gold: "1235", correct: true },
  ].map((l) => (typeof l === "string" ? l : JSON.stringify(l)));
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "verify", "--jobs", "3"],
    env: { NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(lines.join("\n") + "\n\n"));
  await writer.close();
  const out = await child.output();
  assertEquals(out.code, 0);
  const results = new TextDecoder().decode(out.stdout).trim().split("\n").map((l) => JSON.parse(l));
  assertEquals(results.map((r) => [r.id ?? `line ${r.line}`, r.correct]), [
    [1, true],
    ["line 2", false],
    [3, false],
    [4, true],
    [5, true],
    [6, false],
    [7, false],
    [8, false],
    ["line 9", false],
  ]);
  assertStringIncludes(results[1].reason, "line 2: invalid JSON");
  assertStringIncludes(results[2].reason, "timeout");
  assertStringIncludes(results[5].reason, 'line 6: unknown domain "maths" (did you mean "math"?');
  // The blank line before the end still answers: one output line for every input line.
  assertEquals(results[8].reason, "line 9: empty line");
  assertStringIncludes(results[6].reason, 'line 7: missing key "domain"');
  // A "correct" already in the input is replaced, never trusted.
  assertEquals([results[7].correct, results[7].reason], [false, "wrong answer: 1,234"]);
  assertEquals(results[0].response, "so \\boxed{\\frac{1}{2}}");
});

Deno.test("deno task verify --jobs 2: a stall, a crash attempt and memory bombs beside correct lines keep every verdict, in order", async () => {
  const gold = { tests: [{ args: [3], expected: 7 }] };
  const correct = "function f(x) { return 2 * x + 1; }";
  const lines = [
    { id: "ok-1", domain: "code", response: correct, gold },
    { id: "stall", domain: "code", response: "function f(x) { while (true) {} }", gold },
    {
      id: "proxy",
      domain: "code",
      response: `let reads = 0; function f(x) {
        return new Proxy([], { get(t, k) { return k === "length" ? (reads++ ? 1.2e8 : 0) : t[k]; } }); }`,
      gold,
    },
    {
      id: "buffers",
      domain: "code",
      response:
        "function f(x) { const k = []; for (let i = 0; i < 100; i++) k.push(new Uint8Array(64 << 20).fill(1)); }",
      gold,
    },
    {
      id: "heap",
      domain: "code",
      response: "function f(x) { const a = []; while (true) a.push(new Array(1e6).fill(1)); }",
      gold,
    },
    { id: "ok-2", domain: "code", response: correct, gold },
  ];
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "verify", "--jobs", "2"],
    env: { NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(lines.map((l) => JSON.stringify(l)).join("\n") + "\n"));
  await writer.close();
  const out = await child.output();
  const seconds = (performance.now() - started) / 1000;
  assertEquals(out.code, 0);
  const results = new TextDecoder().decode(out.stdout).trim().split("\n").map((l) => JSON.parse(l));
  assertEquals(results.map((r) => [r.id, r.correct]), [
    ["ok-1", true],
    ["stall", false],
    ["proxy", false],
    ["buffers", false],
    ["heap", false],
    ["ok-2", true],
  ]);
  assertStringIncludes(results[1].reason, "timeout");
  assertStringIncludes(results[2].reason, "cannot be copied out");
  // Six lines of at most 5 s each (the default limit), two at a time, plus the task's start.
  assertEquals(seconds < 6 * 5, true, `took ${seconds.toFixed(1)} s`);
});

Deno.test("deno task verify: --jobs abc and an unknown flag are refused with usage, exit 2, no stack trace", async () => {
  for (const args of [["--jobs", "abc"], ["--jobz", "2"]]) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", "verify", ...args],
      env: { NO_COLOR: "1" },
      stdin: "null",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr).trim().split("\n");
    assertEquals(out.code, 2);
    assertEquals(
      stderr[0].startsWith(`verify: ${args[0]}`) || stderr[0].startsWith(`verify: unknown flag ${args[0]}`),
      true,
    );
    assertEquals(stderr[1].startsWith("usage: deno task verify"), true);
    assertEquals(stderr.some((l) => /^\s+at /.test(l)), false);
  }
});
