// The `programs` domain (issue #22's code at toy scale) and its `program` verifier: hand-compiled bodies, hidden tests
// that any correct program passes and nothing else does, answers that cannot reach the judge or each other, and the
// SFT knobs the domain's base uses.
import { assert, assertEquals, assertThrows } from "./assert.ts";
import { generateDomain, selectBackend, verify, verifyGroup } from "../lib/mod.ts";
import { sftBatches, tinyPolicy } from "./sft_batches.ts";
import {
  programAlternative,
  programProblem,
  programSolution,
  programTokens,
  programValue,
} from "../lib/data/programs.ts";
import { MAX_PROGRAM_CHARS, type ProgramGold, verifyProgram } from "../lib/verifiers/program.ts";
import { parseProblems } from "../lib/data/schema.ts";
import { sftSettings } from "../lib/rl/sft.ts";
import { parseRunConfig } from "../lib/config/schema.ts";
import { Rng } from "../lib/random.ts";

await selectBackend("wasm", { quiet: true });
const programs = generateDomain("programs");
// 7 + y - 3x at eight points.
const gold: ProgramGold = {
  params: ["x", "y"],
  tests: [[0, 0], [1, 5], [2, 9], [4, 1], [7, 20], [10, 3], [13, 13], [20, 2]].map(([x, y]) => ({
    args: [x, y],
    expected: 7 + y - 3 * x,
  })),
};

Deno.test("programs: a formula compiles to one statement an operation, the product first (hand-compiled)", () => {
  assertEquals(programSolution(programTokens("f(x,y)=7+y-3*x")).solution, "a=3*x;b=7+y;c=b-a;return c");
  assertEquals(programSolution(programTokens("f(x,y)=x-5+y")).solution, "a=x-5;b=a+y;return b");
  assertEquals(
    programSolution(programTokens("f(x,y)=31-x*y-2*x")).solution,
    "a=x*y;b=2*x;c=31-a;d=c-b;return d",
  );
  assertEquals(programValue(programTokens("f(x,y)=31-x*y-2*x"), 3, 4), 31 - 12 - 6);
});

Deno.test("programs: every problem's body passes its 8 hidden tests; tiers have the documented shapes; hints", () => {
  const shapes: Record<number, RegExp> = {
    1: /^f\(x,y\)=\w+[+-]\w+[+-]\w+$/,
    2: /^f\(x,y\)=\w+[+-]\w+[+-]\w+[+-]\w+$/,
    3: /^f\(x,y\)=\w+[+-]\w+\*\w+$/,
    4: /^f\(x,y\)=\w+[+-]\w+[+-]\w+\*\w+$/,
    5: /^f\(x,y\)=\w+[+-]\w+\*\w+[+-]\w+\*\w+$/,
  };
  for (const p of [...programs.train, ...programs.test]) {
    assert(shapes[p.tier].test(p.prompt), `tier ${p.tier}: ${p.prompt}`);
    assert(/[xy]/.test(p.prompt.slice(7)), `${p.prompt} uses a parameter`);
    const g = p.answer as ProgramGold;
    assertEquals(g.tests.length, 8);
    assertEquals(new Set(g.tests.map((t) => t.args.join())).size, 8, `${p.id}: distinct inputs`);
    assert(verifyProgram(p.solution, g).correct, `${p.id}: ${p.solution}`);
    const first = p.solution.split(";")[0];
    assertEquals(p.hints.value, first);
    assertEquals(p.hints.prefix, `${first};`);
    assert(p.hints.strategy.endsWith(first.slice(2)), p.hints.strategy);
  }
  const sample = programProblem(new Rng(5), 4)!;
  assertEquals(sample.hints.strategy.startsWith("multiply first: "), true);
});

Deno.test("program verifier: any correct program passes, in any order and with any names", () => {
  for (
    const body of [
      "a=3*x;b=7+y;c=b-a;return c",
      "a=7+y;b=3*x;c=a-b;return c",
      "t=x*3; u=y-t; v=u+7; return v",
      "a = 3 * x ; b = 7 + y ; c = b - a ; return c",
      "constructor=x*3;toString=7+y;c=toString-constructor;return c",
      "a=x+x;a=a+x;b=y+7;b=b-a;return b",
    ]
  ) assert(verifyProgram(body, gold).correct, body);
});

Deno.test("program verifier: wrong, malformed and hostile answers are refused with the reason", async () => {
  const refused: [string, string][] = [
    ["a=7+y;b=a-3;c=b*x;return c", "test 1: got 0, expected 7"],
    ["return 7", "test 2: got 7, expected 9"],
    ["a=3*x;b=7+y;c=b-a;", "statement 4: expected name=operand op operand or return operand"],
    ["a=3*x;b=7+y;c=b-a", "no return at the end"],
    ["a=3*x;return a;b=7+y", "statement 2: return before the end"],
    ["a=3*x;b=7+z;c=b-a;return c", "statement 2: z is not defined"],
    ["x=3*x;return x", "statement 1: cannot assign x"],
    ["a=3*x+7;return a", "statement 1: expected name=operand op operand or return operand"],
    ["a=3*x;return 7+y-a", "statement 2: expected name=operand op operand or return operand"],
    ["\\boxed{9}", "statement 1: expected name=operand op operand or return operand"],
    ["a=globalThis.x+1;return a", "statement 1: expected name=operand op operand or return operand"],
    ["a=__proto__+1;return a", "statement 1: __proto__ is not defined"],
    ["a=constructor+1;return a", "statement 1: constructor is not defined"],
    ["a=b+1;return a", "statement 1: b is not defined"],
    ["a=999999*999999;b=a*a;c=b*b;return c", "test 1: got NaN, expected 7"],
    ["a=1234567+1;return a", "statement 1: expected name=operand op operand or return operand"],
    [`${"a=x+1;".repeat(70)}return a`, "more than 64 statements"],
    [`a=x+1;return a${" ".repeat(MAX_PROGRAM_CHARS)}`, `longer than ${MAX_PROGRAM_CHARS} characters`],
  ];
  for (const [body, reason] of refused) assertEquals(verifyProgram(body, gold), { correct: false, reason }, body);
  // Through the one entry point: never throws, whatever the input.
  assertEquals(await verify("program", 42, gold), { correct: false, reason: "response must be a string" });
  assertEquals((await verify("program", "return x", { tests: [] })).correct, false);
});

Deno.test("program verifier: a group's verdicts are each answer's own, in any order and beside anything", async () => {
  const answers = [
    "a=3*x;b=7+y;c=b-a;return c",
    "a=7+y;b=a-3;c=b*x;return c",
    "a=3*x;b=7+y;c=b-a;return c" + " ".repeat(MAX_PROGRAM_CHARS),
    "__proto__=x*3;b=7+y;c=b-__proto__;return c",
    "a=999999*999999;b=a*a;c=b*b;return c",
    "return y",
  ];
  const alone = answers.map((a) => verifyProgram(a, gold));
  assertEquals(alone.map((v) => v.correct), [true, false, false, true, false, false]);
  for (let shift = 0; shift < answers.length; shift++) {
    const order = answers.map((_, i) => (i + shift) % answers.length);
    const verdicts = await verifyGroup("program", order.map((i) => answers[i]), gold);
    order.forEach((i, at) => assertEquals(verdicts[at], alone[i], `answer ${i} at ${at}`));
  }
  // Names live in a map: assigning `__proto__` or `constructor` touches no object, and the gold is unchanged.
  assertEquals(gold.tests[1], { args: [1, 5], expected: 9 });
  assertEquals(Object.getPrototypeOf({}), Object.prototype);
});

Deno.test("programs: guessing is ruled out — a body copied from another problem of the tier almost never passes", () => {
  // Measured on the test split: 16 bodies a problem drawn from the same tier's training problems.
  const rng = new Rng(3);
  for (let tier = 1; tier <= 5; tier++) {
    const pool = programs.train.filter((p) => p.tier === tier);
    const problems = programs.test.filter((p) => p.tier === tier);
    let solved = 0;
    for (const p of problems) {
      let any = false;
      for (let k = 0; k < 16; k++) {
        any ||= verifyProgram(pool[rng.nextUint32() % pool.length].solution, p.answer as ProgramGold).correct;
      }
      if (any) solved++;
    }
    assert(solved / problems.length <= 0.02, `tier ${tier}: copied pass@16 ${solved / problems.length}`);
  }
});

Deno.test("programs: SFT alternatives start with a later sum, hinted, and still compute the function", () => {
  const rng = new Rng(11);
  let made = 0;
  for (const p of programs.train.slice(0, 400)) {
    const alternative = programAlternative(p, rng);
    if (p.tier >= 3) {
      assertEquals(alternative, null, p.prompt);
      continue;
    }
    if (!alternative) continue;
    made++;
    assert(alternative.solution.startsWith(`${alternative.hint};`), alternative.solution);
    const operation = alternative.hint.slice(2);
    assert(p.prompt.includes(`+${operation}`), `${p.prompt}: ${operation} follows a +`);
    assert(verifyProgram(alternative.solution, p.answer as ProgramGold).correct, alternative.solution);
  }
  assert(made > 70, `${made} alternatives of 160 tier-1–2 problems (one whose left neighbour is +: ≈ 62%)`);
  assertEquals(
    sftSettings(parseRunConfig("data: { domain: programs }\n")).alternative,
    programAlternative,
  );
});

Deno.test("programs dataset lines: a bad gold names the file, line and key", () => {
  const line = JSON.stringify(programs.test[0]);
  assertEquals(parseProblems(line, "p.jsonl")[0].answer, programs.test[0].answer);
  const bad = (answer: unknown) => JSON.stringify({ ...programs.test[0], answer });
  for (
    const answer of ["12", { params: ["x", "y"], tests: [] }, { params: ["x"], tests: [{ args: [1, 2], expected: 3 }] }]
  ) {
    assertThrows(() => parseProblems(`${line}\n${bad(answer)}`, "p.jsonl"), Error, 'p.jsonl:2: key "answer"');
  }
});

Deno.test("sft.rareHintedFraction: rare examples hinted at that rate, none when 0 (the default stream); sft.rareHintedTiers: those only hinted", async () => {
  const train = programs.train;
  const policy = tinyPolicy(train);
  /** Rare examples seen plain and hinted, per rare tier. */
  const rareHinted = async (rareHintedFraction: number | undefined, rareHintedTiers?: number[]) => {
    const specs = await sftBatches(policy, train, {
      steps: 20,
      batch: 16,
      tiers: [1, 2],
      hintedFraction: 0.5,
      hintStyle: "value",
      lr: 1e-3,
      seed: 1,
      rareTiers: [3, 4],
      rareFraction: 0.4,
      rareHintedFraction,
      rareHintedTiers,
    });
    const counts = { 3: { plain: 0, hinted: 0 }, 4: { plain: 0, hinted: 0 } };
    for (const spec of specs) {
      spec.contexts.forEach((context) => {
        const text = policy.tokenizer.decode(context, { specials: true });
        const prompt = text.replace("<bos>", "").split(/<hint>|<sep>/)[0];
        const p = train.find((q) => q.prompt === prompt)!;
        if (p.tier !== 3 && p.tier !== 4) return;
        if (text.includes("<hint>")) {
          assert(text.includes(`<hint>${p.hints.value}<sep>`), text);
          counts[p.tier].hinted++;
        } else counts[p.tier].plain++;
      });
    }
    return counts;
  };
  const none = await rareHinted(undefined);
  assertEquals(await rareHinted(0), none);
  assertEquals(await rareHinted(0, []), none);
  assertEquals(none[3].hinted + none[4].hinted, 0);
  assert(none[3].plain > 30 && none[4].plain > 30, `${JSON.stringify(none)} rare examples of 320`);
  const all = await rareHinted(1);
  assertEquals(all[3].plain + all[4].plain, 0);
  assert(all[3].hinted > 30 && all[4].hinted > 30);
  const part = await rareHinted(0.7);
  const share = (part[3].hinted + part[4].hinted) / (part[3].hinted + part[4].hinted + part[3].plain + part[4].plain);
  assert(share > 0.5 && share < 0.9, `${share} of rare examples hinted at 0.7`);
  // Tier 4 only hinted, tier 3 at the fraction: the physics base's recipe for a capability tier above a
  // self-distillation one.
  const split = await rareHinted(0.7, [4]);
  assertEquals(split[4].plain, 0);
  assert(split[4].hinted > 30, JSON.stringify(split));
  const share3 = split[3].hinted / (split[3].hinted + split[3].plain);
  assert(share3 > 0.5 && share3 < 0.9, `${share3} of tier-3 examples hinted at 0.7`);
  assertEquals(parseRunConfig("sft: { rareHintedFraction: 0.7 }\n").sft.rareHintedFraction, 0.7);
  assertThrows(() => parseRunConfig("sft: { rareHintedFraction: 2 }\n", "r.yaml"), Error, "sft.rareHintedFraction");
  assertEquals(parseRunConfig('sft: { rareHintedTiers: "4" }\n').sft.rareHintedTiers, "4");
  assertThrows(() => parseRunConfig('sft: { rareHintedTiers: "x" }\n', "r.yaml"), Error, "sft.rareHintedTiers");
  policy.dispose();
});
