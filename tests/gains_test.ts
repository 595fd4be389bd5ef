import { assertAlmostEquals, assertEquals, assertStringIncludes } from "./assert.ts";
import { gainSplit, passAtKCurve } from "../lib/mod.ts";
import { join } from "node:path";

/** Sample rows as a JSONL file's text. */
const jsonl = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
/** `deno task passk` with `args`, output captured. */
const passk = (args: string[]) =>
  new Deno.Command(Deno.execPath(), { args: ["task", "-q", "passk", ...args], env: { NO_COLOR: "1" } }).output();

Deno.test("pass@k curve: mean of unbiased pass@k over problems (hand-computed)", () => {
  // Problem A: 1 of 4 correct → pass@1 = 0.25, pass@2 = 1 − C(3,2)/C(4,2) = 0.5, pass@4 = 1.
  // Problem B: 0 of 4 → 0 everywhere.
  const curve = passAtKCurve([{ n: 4, c: 1 }, { n: 4, c: 0 }], [1, 2, 4]);
  assertEquals(curve.map((p) => p.k), [1, 2, 4]);
  [0.125, 0.25, 0.5].forEach((v, i) => assertAlmostEquals(curve[i].passAtK, v, 1e-12));
});

Deno.test("gain split: compression, capability gain, lost, kept, neither", () => {
  const before = new Map([
    ["compressed", { n: 16, c: 2 }], // unsolved at pass@1, pass@16 > 0, solved after
    ["gained", { n: 16, c: 0 }], // never solved before, solved after
    ["lost", { n: 16, c: 12 }],
    ["kept", { n: 16, c: 16 }],
    ["neither", { n: 16, c: 1 }],
    ["only-before", { n: 16, c: 3 }],
  ]);
  const after = new Map([
    ["compressed", { n: 16, c: 14 }],
    ["gained", { n: 16, c: 9 }],
    ["lost", { n: 16, c: 2 }],
    ["kept", { n: 16, c: 15 }],
    ["neither", { n: 16, c: 3 }],
  ]);
  const split = gainSplit(before, after, 16);
  assertEquals(split, {
    problems: 5,
    compression: ["compressed"],
    capabilityGain: ["gained"],
    lost: ["lost"],
    kept: ["kept"],
    neither: ["neither"],
  });
  // At k = 1 nothing unsolved at pass@1 counts as reachable; "compressed" (2 of 16) still is, since pass@1 = 1/8 > 0.
  assertEquals(gainSplit(before, after, 1).compression, ["compressed"]);
});

Deno.test("deno task passk on external samples: judged lines and verified-on-the-fly lines", async () => {
  const dir = await Deno.makeTempDir();
  const before = join(dir, "before.jsonl");
  const after = join(dir, "after.jsonl");
  await Deno.writeTextFile(
    before,
    jsonl([
      { id: "a", correct: false },
      { id: "a", correct: true },
      { id: "a", correct: false },
      { id: "a", correct: false },
      { id: "b", correct: false },
      { id: "b", correct: false },
    ]),
  );
  await Deno.writeTextFile(
    after,
    jsonl([
      { id: "a", domain: "math", response: "\\boxed{4}", gold: "4" },
      { id: "a", domain: "math", response: "\\boxed{4}", gold: "4" },
      { id: "b", domain: "math", response: "#### 7", gold: "7" },
      { id: "b", domain: "math", response: "#### 8", gold: "7" },
    ]),
  );
  const out = await passk(["--before", before, "--after", after, "--k", "2", "--json"]);
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  const result = JSON.parse(new TextDecoder().decode(out.stdout));
  // before: a 1/4 (pass@1 0.25, pass@2 1 − C(3,2)/C(4,2) = 0.5), b 0/2; after: a 2/2, b 1/2.
  assertEquals(result.curves.before.map((p: { passAtK: number }) => p.passAtK), [0.125, 0.25]);
  assertEquals(result.curves.after.map((p: { passAtK: number }) => p.passAtK), [0.75, 1]);
  assertEquals(result.split, { problems: 2, compression: 1, capabilityGain: 1, lost: 0, kept: 0, neither: 0 });
  const table = new TextDecoder().decode((await passk(["--before", before, "--after", after, "--k", "2"])).stdout);
  assertStringIncludes(table, "| 2 | 0.2500 | 1.0000 |");
  await Deno.writeTextFile(after, '{"id": "a"}\n');
  const bad = await passk(["--before", before, "--after", after]);
  assertEquals(bad.code, 1);
  assertStringIncludes(new TextDecoder().decode(bad.stderr), `${after}:1: key "correct"`);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("deno task passk judges a dataset's own domain names and refuses an unknown one, naming file, line, value", async () => {
  const dir = await Deno.makeTempDir();
  const before = join(dir, "before.jsonl");
  const after = join(dir, "after.jsonl");
  await Deno.writeTextFile(before, jsonl([{ id: "a", correct: false }, { id: "b", correct: false }]));
  // arith is judged as a chain, science as a letter: the samples count as correct, not as an unknown domain's 0.
  await Deno.writeTextFile(
    after,
    jsonl([
      { id: "a", domain: "arith", response: "23+42;65 \\boxed{65}", gold: "23+42;65 \\boxed{65}" },
      { id: "b", domain: "science", response: "v = 228 / 12; the answer is (C)", gold: "C" },
    ]),
  );
  const out = await passk(["--before", before, "--after", after, "--k", "1", "--json"]);
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  assertEquals(JSON.parse(new TextDecoder().decode(out.stdout)).curves.after[0].passAtK, 1);
  await Deno.writeTextFile(
    after,
    jsonl([{ id: "a", correct: true }, { id: "b", domain: "maths", response: "\\boxed{4}", gold: "4" }]),
  );
  const bad = await passk(["--before", before, "--after", after]);
  assertEquals(bad.code, 1);
  const message = new TextDecoder().decode(bad.stderr);
  assertStringIncludes(message, `${after}:2: key "domain": unknown domain "maths" (did you mean "math"?`);
  assertEquals(new TextDecoder().decode(bad.stdout), "", "no table from samples that could not be judged");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("deno task passk matches problems by id: none shared is an error, a partial overlap is analysed and named", async () => {
  const dir = await Deno.makeTempDir();
  const file = async (name: string, rows: [string, boolean][]) => {
    const path = join(dir, name);
    await Deno.writeTextFile(path, rows.map(([id, correct]) => JSON.stringify({ id, correct })).join("\n") + "\n");
    return path;
  };
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  const before = await file("before.jsonl", [["a", false], ["a", true], ["b", false], ["b", false], ["x", true]]);
  const disjoint = await file("disjoint.jsonl", [["c", true], ["c", true]]);
  const none = await passk(["--before", before, "--after", disjoint]);
  assertEquals(none.code, 1);
  assertEquals(text(none.stdout), "");
  assertEquals(
    text(none.stderr).trim(),
    `passk: ${before} (3 problems) and ${disjoint} (1) share no problem id: nothing to compare`,
  );
  // a and b in both (2 samples each before), y only after; x only before. pass@16 asked, pass@2 is what they support.
  const after = await file("after.jsonl", [["a", true], ["a", true], ["b", true], ["b", false], ["y", true]]);
  const partial = await passk(["--before", before, "--after", after, "--json"]);
  assertEquals(partial.code, 0);
  assertStringIncludes(text(partial.stderr), "comparing the 2 problems in both files; left out: 1 only in");
  assertStringIncludes(text(partial.stderr), "using pass@2");
  const result = JSON.parse(text(partial.stdout));
  assertEquals([result.k, result.kUsed, result.match], [16, 2, { matched: 2, beforeOnly: 1, afterOnly: 1 }]);
  // Before: a 1/2, b 0/2 → pass@1 0.25, pass@2 (1 + 0)/2; after: a 2/2, b 1/2 → pass@1 0.75, pass@2 1.
  assertEquals(result.curves.before, [{ k: 1, passAtK: 0.25 }, { k: 2, passAtK: 0.5 }]);
  assertEquals(result.curves.after, [{ k: 1, passAtK: 0.75 }, { k: 2, passAtK: 1 }]);
  assertEquals(result.split.problems, 2);
  const table = text((await passk(["--before", before, "--after", after])).stdout);
  assertStringIncludes(table, "problems: 2 in both files (1 only before, 1 only after); pass@k for k up to 2");
  // Bad flags: usage and one line, exit 2.
  const flag = await passk(["--befor", before, "--after", after]);
  assertEquals(flag.code, 2);
  assertStringIncludes(text(flag.stderr), "usage: deno task passk");
  assertEquals((await passk(["--before", before, "--after", after, "--solved", "2"])).code, 2);
  await Deno.remove(dir, { recursive: true });
});
