/**
 * Agreement with Math-Verify's own test cases (`fixtures/math_verify_cases.json`, extracted from
 * huggingface/Math-Verify by `fixtures/math_verify_cases.py`; Apache-2.0, The HuggingFace Team). Each case is judged with the float rounding
 * its test passes (`precision`); cases that need an option this verifier does not have (`strict=False`,
 * `allow_set_relation_comp=True`) are left out. Where Math-Verify's expected verdict is a wrong-looking accept for a
 * reward, this verifier disagrees on purpose: those cases are listed below with the reason.
 */
import { assert, assertEquals } from "./assert.ts";
import { mathEqual } from "../lib/verifiers/math.ts";

interface Case {
  source: string;
  gold: string;
  pred: string;
  expected: boolean;
  precision: number;
  strict: boolean;
  allow_set_relation_comp: boolean;
}

const { cases } = JSON.parse(
  Deno.readTextFileSync(new URL("./fixtures/math_verify_cases.json", import.meta.url)),
) as { cases: Case[] };

/** Math-Verify accepts these; a reward must not. Keyed by gold and prediction. */
const DELIBERATE: [gold: string, pred: string, why: string][] = [
  [
    "$1 - \\frac{1}{\\mathrm{e}}$",
    "$1 + \\frac{1}{\\mathrm{e}}$",
    "1 − 1/e ≈ 0.632 and 1 + 1/e ≈ 1.368 are different numbers; a reward that accepts a flipped sign teaches it",
  ],
];

const key = (gold: string, pred: string) => JSON.stringify([gold, pred]);
const deliberate = new Map(DELIBERATE.map(([gold, pred, why]) => [key(gold, pred), why]));

Deno.test("Math-Verify's test cases: ≥ 95% agreement, no false accepts, deliberate disagreements listed", () => {
  const judged = cases.filter((c) => c.strict && !c.allow_set_relation_comp);
  const falseAccepts: string[] = [];
  const falseRejects: string[] = [];
  const deliberateSeen = new Set<string>();
  for (const c of judged) {
    const verdict = mathEqual(c.gold, c.pred, { precision: c.precision });
    const why = deliberate.get(key(c.gold, c.pred));
    if (why !== undefined) {
      assert(c.expected && !verdict, `deliberate disagreement no longer holds: ${c.gold} vs ${c.pred}`);
      deliberateSeen.add(key(c.gold, c.pred));
      continue;
    }
    const line = `${c.source}: ${JSON.stringify(c.gold).slice(0, 120)} vs ${JSON.stringify(c.pred).slice(0, 120)}`;
    if (verdict && !c.expected) falseAccepts.push(line);
    if (!verdict && c.expected) falseRejects.push(line);
  }
  const agree = judged.length - falseAccepts.length - falseRejects.length -
    judged.filter((c) => deliberate.has(key(c.gold, c.pred))).length;
  const rate = agree / judged.length;
  console.log(
    `Math-Verify agreement: ${agree}/${judged.length} (${
      (100 * rate).toFixed(1)
    }%), false accepts ${falseAccepts.length}, ` +
      `false rejects ${falseRejects.length}, deliberate ${
        judged.length - agree - falseAccepts.length - falseRejects.length
      }\n${falseRejects.map((l) => `  reject: ${l}`).join("\n")}`,
  );
  assertEquals(falseAccepts, []);
  assert(rate >= 0.95, `agreement ${(100 * rate).toFixed(1)}% < 95%`);
  assertEquals(deliberateSeen.size, deliberate.size, "every deliberate disagreement is a case of the fixture");
});
