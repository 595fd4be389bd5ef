// The `physics` and `powers` domains (issue #22's science and math at toy scale): hand-worked chains, hints that name
// the first step and its result, values in [0, 99], a judge that refuses a guessed number, and the SFT alternatives.
import { assert, assertEquals } from "./assert.ts";
import { generateDomain, verify } from "../lib/mod.ts";
import { physicsAlternative, physicsProblem, physicsSolution } from "../lib/data/physics.ts";
import { powersProblem, powersSolution } from "../lib/data/powers.ts";
import { sftSettings } from "../lib/rl/sft.ts";
import { parseRunConfig } from "../lib/config/schema.ts";
import { Rng } from "../lib/random.ts";
import type { Problem } from "../lib/data/schema.ts";

const physics = generateDomain("physics");
const powers = generateDomain("powers");
const boxed = (s: string) => Number(s.match(/\\boxed\{(\d+)\}$/)![1]);

Deno.test("physics: substitution, then one operation at a time by precedence (hand-worked)", () => {
  assertEquals(physicsSolution("v=u+a*t", { a: 6, t: 7, u: 23 }).solution, "v=23+6*7;v=23+42;v=65 \\boxed{65}");
  assertEquals(
    physicsSolution("E=E0-Q+F*d", { E0: 40, Q: 5, F: 3, d: 4 }).solution,
    "E=40-5+3*4;E=40-5+12;E=35+12;E=47 \\boxed{47}",
  );
  assertEquals(
    physicsSolution("F=F1-F2+F3", { F1: 30, F2: 12, F3: 7 }).solution,
    "F=30-12+7;F=18+7;F=25 \\boxed{25}",
  );
});

Deno.test("physics tier 5: two products, first by position; its prompts use only characters tiers 1–4 use", () => {
  assertEquals(
    physicsSolution("E=E0-F1*d1+F2*d2", { E0: 34, F1: 5, F2: 3, d1: 3, d2: 2 }).solution,
    "E=34-5*3+3*2;E=34-15+3*2;E=34-15+6;E=19+6;E=25 \\boxed{25}",
  );
  // A character no trained tier shows keeps its initial embedding: a base could not copy a quantity named by it.
  const seen = new Set(physics.train.filter((p) => p.tier <= 4).flatMap((p) => [...p.prompt, ...p.solution]));
  const unseen = new Set(
    physics.test.filter((p) => p.tier === 5).flatMap((p) => [...p.prompt].filter((c) => !seen.has(c))),
  );
  assertEquals([...unseen], []);
});

Deno.test("physics: prompts list the givens alphabetically; the value hint names the first operation in symbols, and its value", () => {
  const problem = (tier: number) => {
    const rng = new Rng(7 + tier);
    for (;;) {
      const p = physicsProblem(rng, tier);
      if (p) return p;
    }
  };
  for (let tier = 1; tier <= 5; tier++) {
    const p = problem(tier);
    const [formula, givens] = p.prompt.split("; ");
    const names = givens.split(", ").map((g) => g.split("=")[0]);
    assertEquals(names, [...names].sort(), p.prompt);
    // `v*t=48`: the symbols occur in the formula, the value is their result on the givens (whose numbers it leaves
    // out, so that the substitution is read from the givens, not copied from the hint).
    const [symbols, value] = p.hints.value.split("=");
    assert(formula.includes(symbols), `${p.prompt}: ${p.hints.value}`);
    const [x, op, y] = symbols.split(/([+\-*])/);
    const of = Object.fromEntries(givens.split(", ").map((g) => g.split("=")).map(([n, v]) => [n, Number(v)]));
    const result = op === "*" ? of[x] * of[y] : op === "+" ? of[x] + of[y] : of[x] - of[y];
    assertEquals(Number(value), result, p.hints.value);
    if (tier >= 3) assertEquals(op, "*", `tier ${tier}: the product goes first`);
    assertEquals(p.hints.prefix, p.solution.split(";")[0]);
  }
});

Deno.test("chain domains: every value stays in [0, 99]; only the whole chain is correct, not the right number", async () => {
  for (const p of [...physics.train, ...physics.test, ...powers.train, ...powers.test]) {
    const numbers = p.solution.replace(/ \\boxed\{\d+\}$/, "").replace(/[A-Za-z]\w*=/g, "").split(/[^0-9]+/);
    assert(numbers.filter(Boolean).every((v) => Number(v) <= 99), `${p.id}: ${p.solution}`);
  }
  for (const p of [physics.test[2], powers.test[3]]) {
    assertEquals((await verify("chain", p.solution, p.answer)).correct, true);
    assertEquals((await verify("chain", `\\boxed{${boxed(p.solution)}}`, p.answer)).correct, false);
    const steps = p.solution.split(";");
    assertEquals((await verify("chain", steps.slice(1).join(";"), p.answer)).correct, false, "a skipped step");
  }
});

Deno.test("a number-only judge would let a guesser reach pass@16 ≈ 0.16; the chain judge is why it scores nothing", () => {
  // The strongest guesser: 16 draws from the tier's own answer distribution (train), scored on test. Answers spread
  // over [0, 99], so this is 0.15–0.17 in every tier of both domains (arith's is the same): what a judge of the
  // final number alone would hand out for free, and why these domains judge the chain.
  for (const { train, test } of [physics, powers]) {
    for (let tier = 1; tier <= 5; tier++) {
      const counts = new Map<number, number>();
      const inTier = train.filter((p) => p.tier === tier);
      for (const p of inTier) counts.set(boxed(p.solution), (counts.get(boxed(p.solution)) ?? 0) + 1);
      const held = test.filter((p) => p.tier === tier);
      const pass16 = held.reduce((s, p) =>
        s + 1 - (1 - (counts.get(boxed(p.solution)) ?? 0) / inTier.length) ** 16, 0) /
        held.length;
      assert(pass16 > 0.12 && pass16 < 0.2, `tier ${tier}: ${pass16}`);
    }
  }
});

Deno.test("physics alternatives: a later `±` after a `+` goes first, hinted in symbols; the answer is the canonical one", () => {
  const base = physics.train[0];
  const problem = (prompt: string): Problem => ({ ...base, prompt });
  assertEquals(physicsAlternative(problem("F=F1+F2+F3; F1=6, F2=3, F3=6"), new Rng(1)), {
    hint: "F2+F3=9",
    solution: "F=6+3+6;F=6+9;F=15 \\boxed{15}",
  });
  // The same operation twice (3+5 is x0+d1 and d2+d3): the hint names the moved operation's own symbols.
  const moves = new Map<string, string>();
  for (let seed = 1; seed <= 20; seed++) {
    const alternative = physicsAlternative(problem("x=x0+d1+d2+d3; d1=5, d2=3, d3=5, x0=3"), new Rng(seed))!;
    moves.set(alternative.hint, alternative.solution);
  }
  assertEquals(Object.fromEntries(moves), {
    "d1+d2=8": "x=3+5+3+5;x=3+8+5;x=11+5;x=16 \\boxed{16}",
    "d2+d3=8": "x=3+5+3+5;x=3+5+8;x=8+8;x=16 \\boxed{16}",
  });
  assertEquals(physicsAlternative(problem("Q=Q0-Q1-Q2; Q0=21, Q1=9, Q2=5"), new Rng(1)), null);
  const rng = new Rng(3);
  let found = 0;
  for (const p of physics.train.filter((q) => q.tier <= 2).slice(0, 1000)) {
    const alternative = physicsAlternative(p, rng);
    if (!alternative) continue;
    found++;
    assertEquals(boxed(alternative.solution), boxed(p.solution), p.prompt);
    assertEquals(alternative.solution.split(";")[0], p.solution.split(";")[0], "the substitution comes first");
  }
  assert(found > 500, `${found} alternatives`);
});

Deno.test("SFT takes each domain's alternative order: physics' and arith's, none for powers", () => {
  const settings = (domain: string) =>
    sftSettings(parseRunConfig(`data: { domain: ${domain} }`, "test.yaml")).alternative?.name ?? null;
  assertEquals(settings("physics"), "physicsAlternative");
  assertEquals(settings("arith"), "alternativeOrder");
  assertEquals(settings("powers"), null);
});

Deno.test("powers: brackets first, then a power before a sum (hand-worked); the value hint names the power", () => {
  assertEquals(powersSolution([30, "-", "(", 5, "+", 3, "^", 2, ")"]).solution, "30-(5+9);30-14;16 \\boxed{16}");
  assertEquals(powersSolution([30, "-", "(", 3, "^", 2, "+", 5, ")"]).solution, "30-(9+5);30-14;16 \\boxed{16}");
  assertEquals(powersSolution(["(", 21, "+", 29, ")", "+", 9]).solution, "50+9;59 \\boxed{59}");
  assertEquals(powersSolution([21, "-", "(", 3, "-", 1, "+", 4, ")"]).solution, "21-(2+4);21-6;15 \\boxed{15}");
  assertEquals(
    powersSolution(["(", 23, "+", 3, "^", 2, ")", "-", "(", 15, "+", 2, "^", 2, ")"]).solution,
    "(23+9)-(15+2^2);32-(15+2^2);32-(15+4);32-19;13 \\boxed{13}",
  );
  for (let tier = 3; tier <= 5; tier++) {
    const rng = new Rng(tier);
    let p = powersProblem(rng, tier);
    while (!p) p = powersProblem(rng, tier);
    const [b, e] = p.hints.value.split(" is ")[0].split("^").map(Number);
    assertEquals([e, p.hints.value], [tier === 4 ? 3 : 2, `${b}^${e} is ${b ** e}`], p.prompt);
  }
  assertEquals(powersSolution([30, "-", "(", 3, "^", 3, "-", 5, ")"]).solution, "30-(27-5);30-22;8 \\boxed{8}");
  // Tier 4's cubes are 27 and 64, both: no one-digit value (2^3 = 8) that a base writing a guessed number would find.
  const cubes = new Set(powers.test.filter((p) => p.tier === 4).map((p) => p.hints.value));
  assertEquals([...cubes].sort(), ["3^3 is 27", "4^3 is 64"]);
});
