import { assertEquals, assertStringIncludes } from "./assert.ts";

/** `deno task verify [args]` fed `input` on stdin, its stdout and stderr captured. */
async function verifyTask(input: string | Uint8Array, args: string[] = []): Promise<Deno.CommandOutput> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "verify", ...args],
    env: { NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(typeof input === "string" ? new TextEncoder().encode(input) : input);
  await writer.close();
  return await child.output();
}

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
  const out = await verifyTask(lines.join("\n") + "\n\n", ["--jobs", "3"]);
  // Every line answered, and then the unknown domain refused: exit 1, the line named (a typo is no score of 0).
  assertEquals(out.code, 1);
  assertStringIncludes(
    new TextDecoder().decode(out.stderr),
    'verify: stdin line 6: key "domain": unknown domain "maths"',
  );
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
  assertStringIncludes(results[5].reason, 'line 6: key "domain": unknown domain "maths" (did you mean "math"?');
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
  const out = await verifyTask(lines.map((l) => JSON.stringify(l)).join("\n") + "\n", ["--jobs", "2"]);
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

Deno.test("deno task verify: a dataset's own domain name is judged by its verifier (exit 0)", async () => {
  const lines = [
    { domain: "arith", response: "23+42;65 \\boxed{65}", gold: "23+42;65 \\boxed{65}" },
    { domain: "science", response: "v = 228 / 12; the answer is (C)", gold: "C" },
    { domain: "physics", response: "65 \\boxed{65}", gold: "23+42;65 \\boxed{65}" },
  ].map((l) => JSON.stringify(l)).join("\n") + "\n";
  const out = await verifyTask(lines);
  assertEquals(out.code, 0);
  const results = new TextDecoder().decode(out.stdout).trim().split("\n").map((l) => JSON.parse(l).correct);
  assertEquals(results, [true, true, false]);
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

Deno.test("deno task verify: one verdict per line, split on \\n alone, whatever bytes the line holds", async () => {
  const math = (id: number, response: string, gold = "3") => JSON.stringify({ id, domain: "math", response, gold });
  const encoder = new TextEncoder();
  const lines: Uint8Array[] = [
    // U+2028, U+2029 and NEL inside JSON strings are plain characters: each line is one valid object.
    encoder.encode(math(1, "so\u2028\\boxed{3}")),
    encoder.encode(math(2, "\\boxed{4}\u2029")),
    encoder.encode(math(3, "x\u0085\\boxed{3}")),
    // A bare \r between two objects does not end a line: the line is not JSON.
    encoder.encode(math(4, "\\boxed{9}") + "\r" + math(5, "\\boxed{3}")),
    // Bytes that are not UTF-8.
    new Uint8Array([0xff, 0xfe, 0x7b, 0x7d]),
    // A CRLF line: its \r is dropped.
    encoder.encode(math(6, "\\boxed{3}") + "\r"),
    encoder.encode(math(7, "\\boxed{5}")),
  ];
  const input = new Uint8Array(lines.reduce((n, l) => n + l.length + 1, 0) - 1);
  let at = 0;
  for (const [i, line] of lines.entries()) {
    input.set(line, at);
    at += line.length;
    if (i < lines.length - 1) input[at++] = 0x0a; // the last line has no \n: it still counts
  }
  const out = await verifyTask(input);
  assertEquals(out.code, 0);
  const text = new TextDecoder().decode(out.stdout);
  // The output keeps those characters escaped, so readers that split on them also see one line a verdict.
  assertEquals(/[\u0085\u2028\u2029\r]/.test(text), false);
  const results = text.trimEnd().split("\n").map((l) => JSON.parse(l));
  assertEquals(results.map((r) => [r.id ?? `line ${r.line}`, r.correct]), [
    [1, true],
    [2, false],
    [3, true],
    ["line 4", false],
    ["line 5", false],
    [6, true],
    [7, false],
  ]);
  assertEquals(results[0].response, "so\u2028\\boxed{3}");
  assertStringIncludes(results[3].reason, "line 4: invalid JSON");
  assertStringIncludes(results[4].reason, "line 5: invalid JSON");
});

Deno.test("1 MB responses built to backtrack get their verdict within a second (code, choice)", async () => {
  const { verifyLine } = await import("../lib/verifiers/jsonl.ts");
  const mb = 1 << 20;
  const near = 99_000;
  const cases: [string, string, unknown][] = [
    ["code", "```" + " ".repeat(mb), { tests: [{ args: [1], expected: 1 }] }],
    ["code", "```js" + "\t".repeat(mb), { tests: [{ args: [1], expected: 1 }] }],
    ["choice", "answer:" + " ".repeat(mb), "A"],
    // Under the cap, the patterns themselves are linear.
    ["choice", "answer:" + " ".repeat(near), "A"],
    ["choice", "the answer is option" + " ".repeat(near), "A"],
    ["choice", "\\boxed{" + " ".repeat(near), "A"],
    ["choice", "\\boxed{A" + " ".repeat(near), "A"],
  ];
  for (const [domain, response, gold] of cases) {
    const started = performance.now();
    const verdict = await verifyLine(JSON.stringify({ domain, response, gold }), 1);
    const ms = performance.now() - started;
    assertEquals(verdict.correct, false);
    assertEquals(ms < 1_000, true, `${domain} ${JSON.stringify(response.slice(0, 20))}…: ${ms.toFixed(0)} ms`);
  }
  // A long response under the cap still finds its letter.
  const long = "x ".repeat(near / 2 - 20) + "so the answer is (B)";
  assertEquals((await verifyLine(JSON.stringify({ domain: "choice", response: long, gold: "B" }), 1)).correct, true);
});

Deno.test("every verifier answers 1 MB of hostile text within a second (math, choice, code, chain, program)", async () => {
  const { verify } = await import("../lib/verifiers/mod.ts");
  const mb = 1_000_000;
  const cases: [string, string, unknown][] = [
    ["math", "\\boxed{1}" + " ".repeat(mb / 2) + "\\boxed{2}" + "(".repeat(mb / 2), "1"],
    ["choice", "answer:" + " ".repeat(mb), "C"],
    ["code", "```" + "`".repeat(mb), { tests: [{ args: [1], expected: 1 }] }],
    ["chain", "23+42;".repeat(mb / 6) + " ".repeat(1000), "23+42;65 \\boxed{65}"],
    ["program", "a=x+y;".repeat(mb / 6) + "return a", { params: ["x", "y"], tests: [{ args: [1, 2], expected: 3 }] }],
  ];
  for (const [domain, response, gold] of cases) {
    const start = performance.now();
    const verdict = await verify(domain, response, gold);
    const seconds = (performance.now() - start) / 1000;
    assertEquals(verdict.correct, false, domain);
    assertEquals(seconds < 1, true, `${domain}: ${seconds.toFixed(2)} s`);
  }
});
