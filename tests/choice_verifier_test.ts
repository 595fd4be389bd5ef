import { assertEquals } from "./assert.ts";
import { extractChoice, verifyChoice } from "../lib/verifiers/choice.ts";

Deno.test("the chosen letter in every common form", () => {
  const forms: [string, string | null][] = [
    ["(B)", "B"],
    ["B)", "B"],
    ["B", "B"],
    ["\\boxed{B}", "B"],
    ["\\boxed{(B)}", "B"],
    ["\\boxed{\\text{(B)}}", "B"],
    ["\\text{(B)}", "B"],
    ["The answer is B.", "B"],
    ["the answer is (d)", "D"],
    ["Answer: C", "C"],
    ["Between (A) and (C), v = d/t gives 12 m/s, so the answer is (C).", "C"],
    ["I considered (A) first. Then (B).", "B"],
    ["no letter at all", null],
  ];
  for (const [response, letter] of forms) assertEquals(extractChoice(response), letter, response);
});

Deno.test("verifyChoice compares with the gold letter and explains", () => {
  assertEquals(verifyChoice("so \\boxed{C}", "C"), { correct: true });
  assertEquals(verifyChoice("so \\boxed{C}", "c"), { correct: true });
  assertEquals(verifyChoice("so \\boxed{A}", "C"), { correct: false, reason: "chose A" });
  assertEquals(verifyChoice("hmm", "C"), { correct: false, reason: "no option letter found" });
  assertEquals(verifyChoice("(A)", "AB").correct, false);
});

Deno.test("the letter the sentence commits to: articles, pronouns, 'e.g.', adverbs and anchors", () => {
  const cases: [string, string | null][] = [
    ["The answer is a prime number, so (C).", "C"],
    ["The answer is e.g. the second one.", null],
    ["E.g. take (B) as given; the answer is (D).", "D"],
    ["The answer is clearly B.", "B"],
    ["The correct option is B.", "B"],
    ["The correct choice is (J).", "J"],
    ["Answer: I believe it's B", "B"],
    ["I think the answer is A because the mass cancels.", "A"],
    ["A force acts on the cart, so the answer is D.", "D"],
    ["I choose C.", "C"],
    ["We'd go with (E) here.", "E"],
    ["Therefore B is correct.", "B"],
    ["the answer is a", null],
    ["the answer is (b)", "B"],
    ["The \\Delta v is 3, so \\boxed{H}", "H"],
  ];
  for (const [response, letter] of cases) assertEquals(extractChoice(response), letter, response);
});

Deno.test("a mention is not a commitment: negated, rejected, compared, hedged or listed letters", () => {
  const cases: [string, string | null][] = [
    ["I pick (B) over (C), since (C) ignores friction.", "B"],
    ["(B) over (C), since (C) double counts the mass.", "B"],
    ["The answer is not B but C.", "C"],
    ["The answer is not B.", null],
    ["It is (A), not (D).", "A"],
    ["(D) is wrong, so (A).", "A"],
    ["Rather than (B), the data fit (C).", "C"],
    ["The answer is B or C.", null],
    ["Either (A) or (B).", null],
    ["The answer is A/B.", null],
    ["(A) 31 m/s (B) 2736 m/s (C) 19 m/s (D) 216 m/s", null],
    ["(A) 31 m/s (B) 2736 m/s (C) 19 m/s (D) 216 m/s. The answer is (C).", "C"],
    ["(B) says the speed doubles; \\boxed{A}", "A"],
    ["The answer is B, not C.", "B"],
  ];
  for (const [response, letter] of cases) assertEquals(extractChoice(response), letter, response);
});

Deno.test("choice extraction is linear: 1 MB of adversarial text gets a verdict within a second", () => {
  const attacks = [
    "answer:" + " ".repeat(1_000_000),
    "the answer is " + "(".repeat(1_000_000),
    "\\boxed{" + " ".repeat(500_000) + "\\text{" + " ".repeat(500_000),
    "(B) or ".repeat(150_000),
    "answer is not B ".repeat(60_000) + "so (C)",
    "A".repeat(1_000_000),
  ];
  for (const text of attacks) {
    const start = performance.now();
    const verdict = verifyChoice(text, "C");
    const seconds = (performance.now() - start) / 1000;
    assertEquals(seconds < 1, true, `${JSON.stringify(text.slice(0, 30))}… took ${seconds.toFixed(2)} s`);
    assertEquals(typeof verdict.correct, "boolean");
  }
});

Deno.test("a list of letters commits to none; boxes and bold forms are read, hedged boxes are not", () => {
  const cases: [string, string | null][] = [
    ["\\boxed{A}\\boxed{B}\\boxed{C}\\boxed{D}", null],
    ["The answer is A. The answer is B. The answer is C.", null],
    ["\\boxed{A} or \\boxed{B}", null],
    ["$\\boxed{\\mathrm{B}}$", "B"],
    ["The final answer is $\\boxed{\\text{B}}$.", "B"],
    ["**Answer:** B", "B"],
    ["Answer - C", "C"],
    ["(C) is the answer.", "C"],
    ["B is incorrect; the answer is A.", "A"],
    ["I first wrote \\boxed{A}, but the units give \\boxed{C}.", "C"],
  ];
  for (const [response, letter] of cases) assertEquals(extractChoice(response), letter, response);
});
