import { assert, assertEquals, assertRejects, assertStringIncludes, assertThrows } from "./assert.ts";
import {
  DATASET_DOMAINS,
  fromGsm8k,
  fromMath,
  generateDomain,
  loadProblems,
  parseProblems,
  type Problem,
  verifierDomain,
  verify,
  writeDatasets,
} from "../lib/mod.ts";
import { solveSteps } from "../lib/data/math.ts";
import { readChecksums } from "../lib/data/load.ts";
import { join } from "node:path";

const all = Object.fromEntries(DATASET_DOMAINS.map((d) => [d, generateDomain(d)])) as Record<
  string,
  { train: Problem[]; validation: Problem[]; test: Problem[] }
>;

Deno.test("a fresh generation matches the committed SHA256SUMS byte for byte (determinism), and the committed card", async () => {
  const dir = await Deno.makeTempDir();
  const sums = await writeDatasets(dir);
  const committed = await readChecksums();
  assertEquals(Object.fromEntries(committed), sums);
  // The card is written with the files, from the registry and the calibration files: never stale, never by hand.
  assertEquals(await Deno.readTextFile(join(dir, "README.md")), await Deno.readTextFile("datasets/README.md"));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("sizes per tier, schema, and no prompt in two splits, per domain", () => {
  const small = ["arith", "physics", "powers", "programs"];
  for (const domain of DATASET_DOMAINS) {
    const { train, validation, test } = all[domain];
    const perTier = (problems: Problem[]) => [1, 2, 3, 4, 5].map((t) => problems.filter((p) => p.tier === t).length);
    const [trainTier, testTier] = small.includes(domain) ? [2_000, 200] : [4_000, 100];
    // arith's tier 3 holds 1,600 training problems; science's tier 2, 100 validation ones (the card says why).
    assertEquals(perTier(train), [1, 2, 3, 4, 5].map((t) => domain === "arith" && t === 3 ? 1_600 : trainTier));
    assertEquals(perTier(validation), [1, 2, 3, 4, 5].map((t) => domain === "science" && t === 2 ? 100 : 256));
    assertEquals(perTier(test), [testTier, testTier, testTier, testTier, testTier]);
    for (const split of ["train", "validation", "test"] as const) {
      const problems = all[domain][split];
      assert(
        problems.every((p, i) => p.split === split && p.id === `${domain}-${split}-${String(i).padStart(5, "0")}`),
      );
      assertEquals(new Set(problems.map((p) => p.prompt)).size, problems.length, `${domain}/${split}: duplicates`);
    }
    const prompts = (ps: Problem[]) => new Set(ps.map((p) => p.prompt));
    const [inTest, inValidation] = [prompts(test), prompts(validation)];
    assertEquals(train.filter((p) => inTest.has(p.prompt) || inValidation.has(p.prompt)).length, 0, domain);
    assertEquals(validation.filter((p) => inTest.has(p.prompt)).length, 0, domain);
  }
});

Deno.test("no hint, in any style, contains the final answer", () => {
  for (const domain of ["math", "science"]) {
    for (const p of [...all[domain].train, ...all[domain].validation, ...all[domain].test]) {
      const answer = domain === "math" ? p.answer as string : null;
      for (const hint of Object.values(p.hints)) {
        if (answer) assert(!new RegExp(`(^|\\D)${answer}(\\D|$)`).test(hint), `${p.id}: "${hint}" gives ${answer}`);
        else assert(!/\([A-D]\)/.test(hint), `${p.id}: "${hint}" names an option`);
      }
    }
  }
  for (const p of all.code.test) assert(!Object.values(p.hints).some((h) => h === p.solution), p.id);
  for (
    const p of ["arith", "physics", "powers"].flatMap((d) => [...all[d].train, ...all[d].validation, ...all[d].test])
  ) {
    const answer = p.solution.match(/\\boxed\{(\d+)\}$/)![1];
    for (const hint of Object.values(p.hints)) {
      assert(!new RegExp(`(^|\\D)${answer}(\\D|$)`).test(hint), `${p.id}: "${hint}" gives ${answer}`);
    }
  }
});

Deno.test("arith: chains follow precedence, values stay in [0, 99], only the exact chain is correct", async () => {
  const { verify } = await import("../lib/mod.ts");
  const byTier = (t: number) => all.arith.test.find((p) => p.tier === t)!;
  for (const p of [...all.arith.train, ...all.arith.test]) {
    const values = p.solution.replace(/ \\boxed\{\d+\}$/, "").split(";").flatMap((step) => step.split(/[+\-*]/));
    assert(values.every((v) => Number(v) >= 0 && Number(v) <= 99), `${p.id}: ${p.solution}`);
  }
  const tier3 = byTier(3);
  // `A±b*c`: the product first, then the sum; its value hint names the product.
  const [a, op, b, , c] = tier3.prompt.split(/([+\-*])/);
  assertEquals(tier3.hints.value, `${b}*${c} is ${Number(b) * Number(c)}`);
  const product = Number(b) * Number(c);
  const total = op === "+" ? Number(a) + product : Number(a) - product;
  assertEquals(tier3.solution, `${a}${op}${product};${total} \\boxed{${total}}`);
  // The chain verifier: the worked solution passes; the right number alone, or a wrong step, does not.
  assertEquals((await verify("chain", tier3.solution, tier3.answer)).correct, true);
  assertEquals((await verify("chain", `  ${tier3.solution.replace(" ", "   ")} `, tier3.answer)).correct, true);
  assertEquals((await verify("chain", `\\boxed{${total}}`, tier3.answer)).correct, false);
  assertEquals(
    (await verify("chain", `${a}${op}${product + 1};${total} \\boxed{${total}}`, tier3.answer)).correct,
    false,
  );
});

Deno.test("every worked solution is judged correct by its domain's verifier", async () => {
  for (const domain of ["math", "science", "arith", "physics", "powers", "programs"]) {
    for (const p of [...all[domain].test, ...all[domain].validation, ...all[domain].train.slice(0, 2000)]) {
      const verdict = await verify(verifierDomain(p.domain), p.solution, p.answer);
      assert(verdict.correct, `${p.id}: ${verdict.reason}`);
    }
  }
  // Code solutions run in the sandbox (~40 ms each): six of each tier.
  const sample = [1, 2, 3, 4, 5].flatMap((tier) => all.code.test.filter((p) => p.tier === tier).slice(0, 6));
  for (const p of sample) {
    const verdict = await verify("code", p.solution, p.answer);
    assert(verdict.correct, `${p.id}: ${verdict.reason}`);
  }
});

Deno.test("math answers make guessing negligible: a guesser's pass@16 is under 1% in every tier", () => {
  // The strongest guesser: 16 draws from the tier's own answer distribution (train), scored on test.
  for (let tier = 1; tier <= 5; tier++) {
    const counts = new Map<string, number>();
    const train = all.math.train.filter((p) => p.tier === tier);
    for (const p of train) counts.set(p.answer as string, (counts.get(p.answer as string) ?? 0) + 1);
    const test = all.math.test.filter((p) => p.tier === tier);
    const pass16 = test.reduce((s, p) => s + 1 - (1 - (counts.get(p.answer as string) ?? 0) / train.length) ** 16, 0) /
      test.length;
    assert(pass16 < 0.01, `tier ${tier}: guesser pass@16 = ${pass16}`);
  }
});

Deno.test("math rewriting follows precedence and brackets (hand-worked)", () => {
  assertEquals(solveSteps([12, "+", 34, "*", 5]).steps, ["12+170", "182"]);
  assertEquals(solveSteps([100, "-", 20, "*", 3, "+", 11, "*", 2]).steps, ["100-60+11*2", "100-60+22", "40+22", "62"]);
  assertEquals(solveSteps(["(", 12, "+", 3, ")", "*", "(", 9, "-", 4, ")"]).steps, ["15*(9-4)", "15*5", "75"]);
});

Deno.test("loadProblems generates on first use, checks the checksum, and names a tampered file", async () => {
  const root = await Deno.makeTempDir();
  await Deno.copyFile("datasets/SHA256SUMS", join(root, "SHA256SUMS"));
  const test = await loadProblems("science", "test", root);
  assertEquals(test.length, 500);
  assertEquals(test[0], all.science.test[0]);
  const file = join(root, "science", "test.jsonl");
  await Deno.writeTextFile(file, (await Deno.readTextFile(file)).replace('"answer":"', '"answer":"X'));
  await assertRejects(() => loadProblems("science", "test", root), Error, `${file}: SHA-256 does not match`);
  await Deno.remove(root, { recursive: true });
});

Deno.test("a bad dataset line names the file, the line and the key", () => {
  const good = JSON.stringify(all.math.test[0]);
  assertThrows(() => parseProblems(`${good}\n{"id": 1}`, "x.jsonl"), Error, `x.jsonl:2: key "id"`);
  assertThrows(
    () => parseProblems(`${good}\n${good.replace('"tier":1', '"tier":0')}`, "x.jsonl"),
    Error,
    'x.jsonl:2: key "tier"',
  );
  assertThrows(() => parseProblems("{oops", "y.jsonl"), Error, 'y.jsonl:1: key "(line)": invalid JSON');
});

Deno.test("GSM8K and MATH JSONL map onto the schema", () => {
  const gsm = fromGsm8k(
    JSON.stringify({ question: "Tom has 3 boxes of 4 pens. How many pens?", answer: "3*4=<<3*4=12>>12\n#### 1,2" }),
    "gsm8k.jsonl",
    "test",
  );
  assertEquals([gsm[0].prompt, gsm[0].answer, gsm[0].domain], [
    "Tom has 3 boxes of 4 pens. How many pens?",
    "12",
    "math",
  ]);
  assertStringIncludes(gsm[0].solution, "\\boxed{12}");
  const math = fromMath(
    JSON.stringify({
      problem: "Compute $\\frac{1}{2}+\\frac{1}{4}$.",
      solution: "We get $\\boxed{\\frac{3}{4}}$.",
      level: "Level 3",
    }),
    "math.jsonl",
    "train",
  );
  assertEquals([math[0].answer, math[0].tier], ["\\frac{3}{4}", 3]);
  assertThrows(
    () => fromGsm8k('{"question": "q", "answer": "no final"}', "g.jsonl", "test"),
    Error,
    'g.jsonl:1: key "answer"',
  );
  assertThrows(() => fromMath('{"problem": "p"}', "m.jsonl", "test"), Error, 'm.jsonl:1: key "solution"');
});

Deno.test("the card's calibrations come from the files it finds: a shipped base's table, a published grid's link", async () => {
  const { calibrationsMarkdown, findCalibrations } = await import("../lib/data/card.ts");
  const repository = await Deno.makeTempDir();
  const base = join(repository, "bases", "sft-s0-abc");
  await Deno.mkdir(base, { recursive: true });
  const sum = "a".repeat(64);
  await Deno.writeTextFile(join(base, "datasets.txt"), `${sum}  arith/train.jsonl\n`);
  const row = (tier: number, plain: number) => ({
    tier,
    plain: { passAt1: plain / 2, passAtK: plain },
    hinted: { value: { passAt1: 0.25, passAtK: 0.5 } },
    regime: "learned",
  });
  await Deno.writeTextFile(
    join(base, "calibration.json"),
    JSON.stringify({ problems: 8, samples: 4, calibration: [row(1, 0.9), row(2, 0.1)] }),
  );
  const grid = join(repository, "results", "published", "domain-powers");
  await Deno.mkdir(grid, { recursive: true });
  await Deno.writeTextFile(join(grid, "summary.md"), "# x\n\n## Base: Calibration of sft-s0-def (powers)\n");
  const found = await findCalibrations(repository);
  assertEquals(found.map((c) => [c.path, c.domain, c.base]), [
    ["bases/sft-s0-abc/calibration.json", "arith", "sft-s0-abc"],
    ["results/published/domain-powers/summary.md", "powers", "sft-s0-def"],
  ]);
  const markdown = calibrationsMarkdown(found, ["math", "arith", "powers"], { "arith/train.jsonl": sum });
  assertStringIncludes(markdown, "- `arith`, base `sft-s0-abc`: shipped with the kit");
  assertStringIncludes(markdown, "built on the files this card lists");
  assertStringIncludes(markdown, "| 2 | 0.050 | 0.100 | 0.500 | learned |");
  assertStringIncludes(markdown, "[domain-powers](../results/published/domain-powers/summary.md)");
  assertStringIncludes(markdown, "No calibration found for `math`.");
  assertStringIncludes(calibrationsMarkdown(found, ["arith"], {}), "built on other files than this card lists");
  await Deno.remove(repository, { recursive: true });
});
